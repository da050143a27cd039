"""The cloud chapter's words: the page's computed sentences (:func:`prose`), chart titles and alt
text, the signposts and the summary's row (:func:`headline`). No matplotlib here."""
from __future__ import annotations

import math
from typing import Any

from alibaba_report.chapters.cloud_ai.model import (CLAIMS, PROFIT_LABEL, base_run_rate, chart_years, key_outputs,
                                                    model_results, reported)
from alibaba_report.chapters.cloud_ai.payback import breakeven_margin_formula_pct, project
from alibaba_report.chapters.contract import Signpost
from alibaba_report.evidence.appendix import md_escape

# --- phrases ---------------------------------------------------------------------------------

def years_text(n: int) -> str:
    """'1 year', '3 years'."""
    return f"{n} year" if n == 1 else f"{n} years"


def payback_phrase(year: int | None, horizon: int) -> str:
    """'pays back in year 6 of 8', or that it does not before its last servers are written off."""
    if year is not None:
        return f"pays back in year {year} of {horizon}"
    return f"does not pay back before its last servers are written off (year {horizon})"


def irr_text(irr: float | None) -> str:
    """The return in words: '+4.1% a year', or 'no positive cash flow, so no return'."""
    if irr is None or math.isnan(irr):
        return "no positive cash flow, so no return"
    return f"{irr:+.1f}% a year"


def ebita_phrase(first_positive_year: int | None) -> str:
    """When the programme's own EBITA (after its depreciation) turns positive, if ever."""
    if first_positive_year is not None:
        return ("the programme's own EBITA (cash profit less its depreciation) turns positive in year "
                f"{first_positive_year}")
    return "the programme's own EBITA (cash profit less its depreciation) is negative in every year"


def breakeven_utilisation_phrase(u: float | None) -> str:
    """'74% of capacity sold', or that even full use does not pay back."""
    return f"{u:.0f}% of capacity sold" if u is not None else "none: even full use does not pay back at this margin"


def breakeven_margin_phrase(margin_pct: float, decimals: int = 1, on_revenue: bool = False) -> str:
    """'pays back only at a cash margin of 65.3% or more' (``on_revenue``: '... on the revenue it
    adds'), or, when the programme adds no revenue (no growth to fill its servers), that no margin
    makes it pay back."""
    if not math.isfinite(margin_pct):
        return "never pays back, whatever the cash margin, since it adds no revenue"
    return (f"pays back only at a cash margin of {margin_pct:.{decimals}f}% or more"
            + (" on the revenue it adds" if on_revenue else ""))


def breakeven_formula_phrase(capex_turnover: float, asset_life_years: float, utilisation_pct: float) -> str:
    """The break-even margin's formula with the assumed values, for reading beside the model's figure:
    'about 1 / (turnover × life × utilisation) = 1 / (0.5 × 5 × 0.9) = 44%, which follows from those
    three assumptions'."""
    pct = breakeven_margin_formula_pct(capex_turnover, asset_life_years, utilisation_pct)
    return (f"about 1 / (turnover × life × utilisation) = 1 / ({capex_turnover:g} × {asset_life_years:g} × "
            f"{utilisation_pct / 100:g}) = {pct:.0f}%, which follows from those three assumptions")


def breakeven_margin_sentence(margin_pct: float) -> str:
    """'It breaks even at a cash margin of 65.3%', or that no margin makes it break even."""
    if not math.isfinite(margin_pct):
        return "No cash margin makes it break even, since it adds no revenue"
    return f"It breaks even at a cash margin of {margin_pct:.1f}%"


def life_effect_phrase(effect_pp: float) -> str:
    """What one more year of server life does to the return, or that there is no return to change."""
    if not math.isfinite(effect_pp):
        return ("one more year of life cannot be read as a change in the return, because with or without it "
                "the programme has none")
    return f"one more year of life changes the return by {effect_pp:+.1f} points"


def breakeven_turnover_phrase(k: float | None) -> str:
    """The turnover the programme needs at the page's margin and utilisation, or that none will do."""
    if k is not None:
        return f"a turnover of at least {k:.2f} (yuan of revenue a year per yuan of capex)"
    return "more than any turnover can give, because demand, not capacity, then caps what it earns"


def describe(res: dict[str, Any]) -> dict[str, str]:
    """The phrases about one run of :func:`project` (with detail) that the page glues."""
    return {
        "payback_phrase": payback_phrase(res["payback_year"], res["horizon_years"]),
        "ebita_phrase": ebita_phrase(res["first_ebita_positive_year"]),
        "breakeven_utilisation_phrase": breakeven_utilisation_phrase(res["breakeven_utilisation_pct"]),
        "breakeven_turnover_phrase": breakeven_turnover_phrase(res.get("breakeven_turnover")),
        "irr_text": irr_text(res["irr_pct"]),
    }


def calibration_phrase(turnover: float, implied: float, binds_from: int | None, close: float = 0.05) -> str:
    """Where the capacity limit comes from: the assumed turnover, set near the brokers' reading or not.

    When the turnover is set near the value at which capacity at full use matches Citi's growth,
    capacity binding soon after the spending is built into the calibration, not a finding.
    """
    near = not math.isnan(implied) and abs(turnover - implied) < close
    if binds_from is None:
        return (("The assumed turnover is set near that reading, yet" if near else
                 "The assumed turnover is not set at that reading, and")
                + " on this page's growth path demand never fills the capacity: growth, not the turnover, "
                  "limits what the programme earns")
    limit = f"the model's capacity limit from year {binds_from} (capacity, not demand, caps what the programme earns)"
    if near:
        return ("Because the assumed turnover is set near that reading, the capacity bought roughly matches Citi's "
                f"growth at full use; {limit} follows from this calibration, not from the sources")
    return f"The assumed turnover is not set at that reading; {limit} follows from that assumption, not from the sources"


def compare_phrase(a: float, b: float, close: float = 2.0) -> str:
    """'almost the same as' / 'higher than' / 'lower than', comparing a with b."""
    if math.isnan(a) or math.isnan(b):
        return "not comparable with"
    if abs(a - b) < close:
        return "almost the same as"
    return "higher than" if a > b else "lower than"


def ai_pace_phrase(ai_growth_pct: float, seeds_pace_pct: float) -> str:
    """How the AI growth the path implies compares with the triple-digit pace the sources report."""
    if ai_growth_pct >= seeds_pace_pct:
        return "in line with the triple-digit pace the sources report"
    return "below the triple-digit pace the sources report"


def other_phrase(other_growth_pct: float) -> str:
    """What the rest of the cloud does: 'shrinks' or 'still grows'."""
    return "shrinks" if other_growth_pct < 0 else "still grows"


def other_meaning(other_growth_pct: float) -> str:
    """What the rest of the cloud's growth means for AI: replacing the older business or adding to it."""
    if other_growth_pct < 0:
        return "AI would be replacing the older cloud business, not adding to it"
    return "AI adds to the older cloud business rather than replacing it"


def util_effect_phrase(utilisation_pct: float, effect_pp: float) -> str:
    """What selling every server would add to the return, or that every server is already sold."""
    if utilisation_pct >= 100:
        return "every server is already sold"
    if not math.isfinite(effect_pp):  # no return at one of the two: there is no difference to state
        return (f"selling every server rather than {utilisation_pct:g}% of capacity cannot be read as a change "
                "in the return, because at one of the two the programme never pays back")
    return f"selling every server rather than {utilisation_pct:g}% of capacity by {effect_pp:+.1f} points"


# --- chart titles and alt text ------------------------------------------------------------

def ai_share_title(p: Any, ai_growth_pct: float, other_growth_pct: float) -> str:
    """The AI-share chart's finding."""
    return (f"AI at {p.ai_share_target_pct:.0f}% of cloud revenue in {years_text(p.ai_share_years)} with "
            f"growth of {p.cloud_growth_pct:.0f}% means AI revenue {ai_growth_pct:+.0f}% in year 1 and the rest "
            f"{other_growth_pct:+.0f}%")


def ai_share_alt(p: Any, years: int, start_rmb_bn: float, end_rmb_bn: float) -> str:
    """What the AI-share chart shows, for readers who cannot see it."""
    return (f"Stacked bars of Alibaba Cloud's yearly revenue run-rate in RMB billion, from year 0 to year {years}, "
            f"split into AI-related and other revenue; the AI share rises from {p.ai_share_start_pct:.0f}% to "
            f"{p.ai_share_target_pct:.0f}% and total revenue grows from {start_rmb_bn:.0f} to {end_rmb_bn:.0f} billion.")


def capex_title(peak_earned_rmb_bn: float, cash_margin_pct: float, needed_peak_rmb_bn: float) -> str:
    """The capex-against-revenue chart's finding."""
    return (f"The programme's servers earn at most RMB {peak_earned_rmb_bn:.0f}bn a year; at a "
            f"{cash_margin_pct:.0f}% cash margin, covering their depreciation takes {needed_peak_rmb_bn:.0f}bn")


def capex_alt(capex_rmb_bn: float, peak_earned_rmb_bn: float, needed_peak_rmb_bn: float) -> str:
    """What the capex-against-revenue chart shows, for readers who cannot see it."""
    return (f"Bars by year of the capex spent and the revenue the programme earns on RMB {capex_rmb_bn:.0f} billion of capex, "
            f"with a line of the revenue it would need to cover its depreciation and a dashed line of what its servers "
            f"could earn at the utilisation assumed; earned revenue peaks at {peak_earned_rmb_bn:.0f} billion against "
            f"{needed_peak_rmb_bn:.0f} billion needed.")


def cash_title(cash_multiple_x: float, capex_rmb_bn: float, horizon: int, payback: str, irr_words: str) -> str:
    """The cumulative-cash chart's finding."""
    return (f"At the assumed turnover and margin, the programme earns back {100 * cash_multiple_x:.0f}% of its "
            f"RMB {capex_rmb_bn:.0f}bn cost by year {horizon}: payback {payback}, a return of {irr_words}")


def cash_alt(horizon: int, lowest_rmb_bn: float, final_rmb_bn: float) -> str:
    """What the cumulative-cash chart shows, for readers who cannot see it."""
    return (f"Line of the programme's cumulative cash position (cash profit less capex) in RMB billion over "
            f"{horizon} years: it falls to {lowest_rmb_bn:.0f} billion while the capex is "
            f"spent, then climbs to {final_rmb_bn:.0f} billion when the last servers are written off.")


# --- the page's sentences --------------------------------------------------------------------

def capex_choice(capex_rmb_bn: float, goldman_rmb_bn: float) -> str:
    """Which capex figure the page's case uses (a sentence): Goldman Sachs' forecast, or an assumption."""
    if capex_rmb_bn == goldman_rmb_bn:
        return "This page's case uses Goldman Sachs' figure, the latest"
    return (f"This page's case assumes RMB {capex_rmb_bn:g} billion instead (an assumption; Goldman Sachs' figure is "
            f"RMB {goldman_rmb_bn:g} billion)")


def prose(p: Any, claims, result: dict[str, Any] | None = None) -> dict[str, str]:
    """Every computed sentence the page glues or shows (chart titles and alt text included), by name.

    ``result`` is :func:`compute`'s for the same ``p`` and ``claims``, if the caller has it (the
    notebook does): the model then runs once.
    """
    m = result if result is not None else model_results(p, claims)
    res, pay, rev = m["result"], m["payback"], m["revenue"]
    ai_g, other_g = m["ai_growth_y1_pct"], m["other_growth_y1_pct"]
    years = chart_years(p)
    needed = float(pay["needed_rmb_bn"].max())
    cum = pay["cumulative_cash_rmb_bn"]
    text = {
        "p_ai_years_text": years_text(p.ai_share_years),
        "c_capex_ahead_text": claims.get(CLAIMS["capex_ahead_years"]).value_text,
        "capex_choice": capex_choice(p.capex_rmb_bn, claims.value(CLAIMS["gs_capex"])),
        "ai_pace_phrase": ai_pace_phrase(ai_g, claims.value(CLAIMS["ai_growth_000"])),
        "other_phrase": other_phrase(other_g),
        "other_meaning": other_meaning(other_g),
        **describe(res),
        "calibration_phrase": calibration_phrase(p.capex_turnover, m["brokers"]["turnover"],
                                                 res["capacity_binds_from"]),
        "irr_alt_text": irr_text(m["smaller"]["irr_pct"]),
        "alt_compare": compare_phrase(m["smaller"]["irr_pct"], res["irr_pct"]),
        "util_effect_phrase": util_effect_phrase(p.utilisation_pct, m["full_use"]["irr_pct"] - res["irr_pct"]),
        # the break-even margin and the effect of a longer life in words: neither has a value when
        # the programme adds no revenue (no growth) or never earns a return
        "breakeven_margin_phrase": breakeven_margin_phrase(res["breakeven_margin_pct"]),
        "breakeven_margin_round_phrase": breakeven_margin_phrase(res["breakeven_margin_pct"], decimals=0, on_revenue=True),
        "breakeven_margin_sentence": breakeven_margin_sentence(res["breakeven_margin_pct"]),
        "breakeven_formula_phrase": breakeven_formula_phrase(p.capex_turnover, p.asset_life_years, p.utilisation_pct),
        "life_effect_phrase": life_effect_phrase(m["longer_life"]["irr_pct"] - res["irr_pct"]),
        "ai_share_title": ai_share_title(p, ai_g, other_g),
        "ai_share_alt": ai_share_alt(p, years, m["base_rmb_bn"], float(rev["revenue_rmb_bn"].iloc[years])),
        "capex_title": capex_title(res["peak_earned_rmb_bn"], p.cash_margin_pct, needed),
        "capex_alt": capex_alt(p.capex_rmb_bn, res["peak_earned_rmb_bn"], needed),
        "cash_title": cash_title(res["cash_multiple"], p.capex_rmb_bn, res["horizon_years"], res["payback_label"],
                                 irr_text(res["irr_pct"])),
        "cash_alt": cash_alt(res["horizon_years"], float(cum.min()), float(cum.iloc[-1])),
    }
    for name in ("bull", "bear"):
        s = m["scenarios"][name]["result"]
        text[f"{name}_payback_phrase"] = payback_phrase(s["payback_year"], s["horizon_years"])
        text[f"{name}_irr_text"] = irr_text(s["irr_pct"])
    return text


# --- signposts -------------------------------------------------------------------------------

def signposts(p: Any, claims, case: str | None = None) -> list[Signpost]:
    """What to watch in the next results, with the thresholds the sources and this model give.

    ``case`` names the scenario ``p`` is ("the base case"); the capacity signpost's level is an
    assumption of it.
    """
    return _revenue_signposts(p, claims) + _spending_signposts(p, claims, case)


def _revenue_signposts(p: Any, claims) -> list[Signpost]:
    """The signposts of the revenue line: growth, the AI share, the segment margin."""
    c, v = CLAIMS, claims.value
    rep = reported(p, claims)
    return [
        Signpost(
            "Cloud revenue growth, year on year, each quarter", v(c["growth_bar"]), "% a year, to stay above",
            if_better="the bar the 8 January article sets is cleared; near Citi's forecast the base case holds, at the undated post's "
                      "faster figure and holding, the bull",
            if_worse="the test the 8 January article names fails: growth fading fast",
            better_case="base or bull", worse_case="bear",
            claims=(c["growth_bar"], c["citi_growth"], c["growth_003"]), assumptions=("cloud_growth_pct",)),
        Signpost(
            "AI products' share of external cloud revenue", v(c["ai_share_target"]),
            f"% within {years_text(p.ai_share_years)}, to reach",
            if_better="management's path (the undated opinion post) holds: AI revenue keeps its triple-digit pace",
            if_worse="the AI ramp is slower than said (three years in the bear case); capacity built for it idles",
            better_case="base or bull", worse_case="bear",
            claims=(c["ai_share"], c["ai_share_target"]), assumptions=("ai_share_target_pct", "ai_share_years")),
        Signpost(
            f"Cloud segment margin: {PROFIT_LABEL} over revenue", round(rep["margin_pct"], 2),
            "% of revenue, to hold while capex climbs",
            if_better="revenue outruns the depreciation of the new fleet: margins hold",
            if_worse="depreciation catches up (the undated post's fear)",
            better_case="bull", worse_case="base or bear",
            claims=(c["ebita_usd_m"], c["revenue_usd_bn"]), assumptions=("cash_margin_pct", "asset_life_years")),
    ]


def _spending_signposts(p: Any, claims, case: str | None) -> list[Signpost]:
    """The signposts of the spending: capex against revenue, capacity sold, the share of the market's growth."""
    c, v = CLAIMS, claims.value
    res = project(p, base_run_rate(p, claims))
    return [
        Signpost(
            "Capex growth against cloud revenue growth", v(c["revenue_growth"]), "% capex growth a year, at or below",
            if_better=f"capex grows no faster than the revenue it serves (it grew {v(c['capex_growth']):g}% "
                      "in the reported quarter): turnover holds",
            if_worse="capex keeps outrunning revenue: each yuan earns less and payback recedes",
            better_case="base or bull", worse_case="bear",
            claims=(c["capex_growth"], c["revenue_growth"]), assumptions=("capex_turnover",)),
        Signpost(
            "Capacity sold out (\"no GPU sits idle\", the undated opinion post)", p.utilisation_pct, capacity_unit(case),
            if_better="statements of sold-out capacity continue and no price cuts follow",
            if_worse="idle capacity or GPU price cuts: lower utilisation and margin"
                     + breakeven_utilisation_clause(res["breakeven_utilisation_pct"]),
            better_case="base or bull", worse_case="bear", assumptions=("utilisation_pct",)),
        Signpost(
            "Alibaba's share of the growth of China's AI-cloud market", v(c["exec_share_target"]),
            "% of the market's increment, by 2026",
            if_better="the executive's target (the 14 January article) is met: demand fills the capacity",
            if_worse="competitors take the growth, with pricing pressure (AInvest, 12 January)",
            better_case="base or bull", worse_case="bear", claims=(c["exec_share_target"],)),
    ]


def capacity_unit(case: str | None) -> str:
    """The unit of the capacity signpost, saying whose assumption its level is."""
    return f"% of capacity sold, at or above: the level {f'assumed in {case}' if case else 'this page assumes'}"


def breakeven_utilisation_clause(u: float | None) -> str:
    """What the break-even utilisation adds to the capacity signpost ('' when even full use does not pay back)."""
    if u is None:
        return ""
    return f"; below {u:.0f}% of capacity sold the programme does not pay back at the assumed margin"


# --- the summary's row -----------------------------------------------------------------------

def headline(p: Any, claims, case: str | None = None) -> dict[str, str]:
    """The chapter's row in the summary's table of themes: the break-even margin (``figure``) and the
    return at the margin assumed (``meaning``), both from :func:`key_outputs`.

    ``case`` names the scenario ``p`` is ("base"). Neither phrase shows "inf" or "nan": when the
    programme adds no revenue or never earns a cash surplus, the words say so.
    """
    out = key_outputs(p, claims)
    return {"figure": headline_figure(out["breakeven_margin_pct"], p),
            "meaning": headline_meaning(out["return_on_capex_pct"], out["payback_year"], case)}


def headline_figure(breakeven_margin_pct: float, p: Any = None) -> str:
    """'pays back only at a 57% cash margin on new revenue', or why no margin makes it pay back; with
    the parameters ``p``, followed by the formula the figure follows from (:func:`breakeven_formula_phrase`):
    an assumption's consequence, not a finding."""
    if not math.isfinite(breakeven_margin_pct):
        return "never pays back, whatever the cash margin: it adds no revenue"
    if breakeven_margin_pct > 100:
        return "does not pay back even at a 100% cash margin on new revenue"
    formula = "" if p is None else ("; " + breakeven_formula_phrase(p.capex_turnover, p.asset_life_years,
                                                                    p.utilisation_pct))
    return f"pays back only at a {breakeven_margin_pct:.0f}% cash margin on new revenue{formula}"


def headline_meaning(irr: float, payback_year: int | None, case: str | None) -> str:
    """'12% a year at the base case's margin (payback in year 6)', or that there is no return."""
    where = f"the {md_escape(case)} case's margin" if case else "the margin assumed"
    payback = f"payback in year {payback_year}" if payback_year is not None else "no payback within the assets' life"
    if irr is None or not math.isfinite(irr):
        return f"no return at {where}: no year's cash profit exceeds that year's capex ({payback})"
    return f"{_whole(irr)}% a year at {where} ({payback})"


def _whole(x: float) -> str:
    """``x`` to the nearest whole number, never '-0'."""
    text = f"{x:.0f}"
    return "0" if text == "-0" else text
