"""The policy chapter's words: the numbers its text quotes (:func:`page_values`), the page's
conditional sentences (:func:`prose`), chart titles and alt text, the signposts and the summary's row
(:func:`headline`). No matplotlib here."""
from __future__ import annotations

from datetime import date


from alibaba_report.chapters import contract
from alibaba_report.chapters.policy_catalyst.model import CLAIMS, compute, scenario_parameters, sensitivity_grid
from alibaba_report.chapters.policy_catalyst.value_text import (believe_text, break_even_detail, break_even_text,  # noqa: F401
                                                                break_even_vs_assumption, rest_sentence,
                                                                scenarios_sentence, sensitivity_sentence, served_text,
                                                                verdict)
from alibaba_report.chapters.policy_catalyst.tables import (datelines, disagreements_found, reliability_table,
                                                            scenario_table, timeline_events, timeline_span,
                                                            trading_days_in_window)
from alibaba_report.evidence.appendix import md_escape

# Claim values the page quotes, by the name the page glues them under.
QUOTED = {
    "session_gain_pct": "session_gain_pct", "surge_ai_pct": "surge_ai_pct", "week_gain_pct": "week_gain_pct",
    "factories_claim": "factories", "exec_target_pct": "exec_share_target_pct", "close_eur": "close_eur",
    "us_gain_jan8_pct": "us_gain_jan8_pct", "price_jan4_usd": "price_jan4_usd", "oct_high_usd": "oct_high_usd",
    "resistance_usd": "resistance_usd", "upside_ai_pct": "upside_ai_pct", "pe_ai": "pe_ai",
    "pe_forward": "pe_forward", "cloud_rev_q": "cloud_revenue_q_usd_bn", "cloud_ebitda_q": "cloud_ebitda_q_usd_m",
    "cloud_growth": "cloud_growth_pct", "spike_pct": "spike_after_call_pct", "buy_ratings": "buy_ratings",
    "analysts": "analysts",
}


# Model figures the page shows, by the name the page glues them under (keys of compute(); never None).
SHOWN = {
    "value_added": "value_added_usd_bn", "week_value_added": "week_value_added_usd_bn",
    "total_rmb_bn": "factory_spend_rmb_bn", "total_usd_bn": "factory_spend_usd_bn",
    "plan_revenue": "plan_revenue_usd_bn", "plan_revenue_rmb": "plan_revenue_rmb_bn",
    "plan_demand_fy27": "plan_demand_fy27_rmb_bn", "plan_served_fy27": "plan_served_fy27_rmb_bn",
    "plan_served_pct": "plan_served_pct", "spare_fy27": "spare_fy27_rmb_bn",
    "plan_profit_fy27": "plan_profit_fy27_rmb_bn", "plan_profit": "plan_profit_usd_bn", "plan_value": "plan_value_usd_bn",
    "plan_profit_after_tax": "plan_profit_after_tax_usd_bn", "most_value": "most_value_usd_bn",
    "most_covers": "most_covers_pct", "most_profit_fy27": "most_profit_fy27_rmb_bn",
    "needed_profit_fy27": "needed_profit_fy27_rmb_bn", "needed_served_fy27": "needed_served_fy27_rmb_bn",
    "plan_covers": "plan_covers_pct", "cloud_margin": "cloud_margin_pct",
    "cloud_run_rate": "cloud_run_rate_usd_bn", "plan_vs_cloud": "plan_revenue_vs_cloud_pct", "compound_pct": "compound_pct",
    "close_usd": "close_usd", "change_jan4_to_close_pct": "change_jan4_to_close_pct",
    "implied_high_eur": "implied_high_eur", "implied_high_usd": "implied_high_usd",
}


def page_values(p, claims) -> dict[str, float]:
    """Every number the page's text quotes, by the name it is glued under: claim values, the
    assumptions, the model's figures, counts and the scenario spread."""
    out = compute(p, claims)
    scen = scenario_table(claims)
    reliability = reliability_table(claims)
    values = {name: float(claims.value(CLAIMS[key])) for name, key in QUOTED.items()}
    values.update({name: float(out[key]) for name, key in SHOWN.items()})
    values.update({
        "below_high_pct": float(abs(claims.value(CLAIMS["below_high_pct"]))),
        "cloud_rev_q_usd_m": float(1_000 * claims.value(CLAIMS["cloud_revenue_q_usd_bn"])),
        "cloud_margin_2dp": float(round(out["cloud_margin_pct"], 2)),
        "mv": float(p.market_value_before_usd_bn), "move": float(p.move_pct), "factories_p": float(p.factories_adopting),
        "spend": float(p.spend_per_factory_rmb_m), "share": float(p.alibaba_share_pct),
        "cash_margin": float(p.cash_margin_pct), "cloud_capex": float(p.capex_rmb_bn),
        "multiple": float(p.profit_multiple), "usd_rmb": float(p.usd_rmb), "eur_usd": float(p.eur_usd),
        "tax": float(p.tax_rate_pct),
        "bull_covers": float(scen.loc["bull", "% of session's value"]),
        "bear_covers": float(scen.loc["bear", "% of session's value"]),
        "base_covers": float(scen.loc["base", "% of session's value"]),
        "bull_spend": float(scen.loc["bull", "spend (RMB m/yr)"]),
        "bull_share": float(scen.loc["bull", "Alibaba share (%)"]),
        # counts, shown as whole numbers
        "window_trading_days": trading_days_in_window(claims),
        "n_statements": len(reliability),
        "n_only_ai": int(reliability["only the AI-written text?"].eq("yes").sum()),
        "n_disagreements": len(disagreements_found(claims)),
    })
    return values


# --- prose: every computed or conditional sentence the page glues --------------------------------


def day_words(d: date) -> str:
    """A date as the page writes it: "Monday 12 January"."""
    return f"{d:%A %-d %B}"


def weekend_price_note(dateline: date) -> str:
    """What to add after a price quoted "as of" a dateline: nothing on a weekday; on a weekend, that
    no market traded that day."""
    if dateline.weekday() >= 5:
        return "; no market trades that day, so the price is that of an earlier session the source does not name"
    return ""


def compound_vs_week(compound: float, week_gain_pct: float, close_pp: float = 2.0) -> str:
    """How the compounded US gain and session compare with the 14 January article's "approximately N%" week."""
    if abs(compound - week_gain_pct) <= close_pp:
        return (f"close to the \"approximately {week_gain_pct:.0f}%\". That fits the week's gain being partly "
                "earlier and unrelated, though it does not prove it")
    return f"far from the \"approximately {week_gain_pct:.0f}%\", so the week's gain cannot be split this way"


def high_agreement(implied_high_usd: float, oct_high_usd: float, close: float = 0.05) -> str:
    """Whether the 52-week high the 14 January article implies (in USD) agrees with boerse-global.de's October high."""
    gap = abs(implied_high_usd / oct_high_usd - 1)
    if gap <= close:
        return "so the two sources agree on where the stock stood against its peak"
    return f"{100 * gap:.0f}% apart: at this exchange rate the two sources do not agree on the peak"


def resistance_vs_close(close_usd: float, resistance_usd: float) -> str:
    """Where AInvest's resistance lies against the dollar value of the 14 January article's close."""
    if close_usd > resistance_usd:
        return ("below the dollar value of that close: by then, if the exchange-rate assumption holds, the stock was "
                "trading above the level AInvest (12 January) treats as the test of the rally")
    return "above the dollar value of that close: the stock had not broken through it, if the exchange-rate assumption holds"


def factories_text(factories: int, claimed: float) -> str:
    """The factories the page reasons about: the AI-written source's count, or an assumed number."""
    if factories == claimed:
        return f"the {factories:,} factories that only the AI-written source says the plan will compel"
    return f"{factories:,} adopting factories (an assumption; the AI-written source says over {claimed:,.0f})"


def factories_reading(factories: int, claimed: float, where: str, break_even: bool = True) -> str:
    """What an official count at or above the factories assumed ``where`` ("in the bear case") says:
    it confirms the AI-written source only when the count assumed is the one that source gives. With no
    break-even (the cloud's servers cannot serve enough of the plan) the spend decides how much of their
    room the plan fills, not whether it reaches the session's value."""
    then = ("the spend per factory then decides (the bull case if it reaches the break-even)" if break_even else
            "the spend per factory then decides how much of the cloud servers' room the plan fills")
    if factories == claimed:
        return f"an official count at or above it confirms AInvest's figure of over {claimed:,.0f}; {then}"
    if factories > claimed:
        return (f"an official count at or above it goes beyond AInvest's over {claimed:,.0f}, to the {factories:,} "
                f"assumed {where}; {then}")
    return (f"an official count at or above it reaches the {factories:,} assumed {where}, still short of the over "
            f"{claimed:,.0f} AInvest (12 January) says the plan will compel; {then}")


def share_source(share_pct: float, base_share_pct: float) -> str:
    """Where Alibaba's share of the spend comes from: the base's industry-tracker third, or an assumption."""
    if share_pct == base_share_pct:
        return "about a third, the share industry trackers outside the sources give Alibaba Cloud in China; no source gives it"
    return "an assumption; no source gives it"


def timeline_title(claims) -> str:
    d001 = datelines(claims.sources())["001"]
    return (f"The sources date every article but not the policy: the {claims.value(CLAIMS['session_gain_pct']):.0f}%+ "
            f"session falls between {claims.get(CLAIMS['rally_start']).date:%-d} and {d001:%-d %B}, by the AI-written "
            "source alone")


def timeline_alt(claims) -> str:
    v = lambda key: claims.value(CLAIMS[key])
    start, end = timeline_span(timeline_events(claims, claims.sources()))
    d001 = datelines(claims.sources())["001"]
    rally = claims.get(CLAIMS["rally_start"]).date
    return (f"Timeline of {start:%-d} to {end:%-d %B %Y}, one row per event: the Meitu bond, the articles of "
            f"boerse-global.de (with a price near USD {v('price_jan4_usd'):.0f} as of its dateline), of 8 January (a US "
            f"gain of more than {v('us_gain_jan8_pct'):.0f}%), of AInvest and of 14 January on their dates; the undated MIIT announcement as a window "
            f"ending {d001:%-d %B}; the session as a window from {rally:%-d} to {d001:%-d %B}; the EUR "
            f"{v('close_eur'):.2f} close the day before the 14 January article.")


def break_even_title(p, claims) -> str:
    out = compute(p, claims)
    be = out["break_even_spend_rmb_m"]
    if be is not None:
        return (f"With {p.factories_adopting:,} factories and a {p.alibaba_share_pct:g}% share, each must spend RMB "
                f"{be:.1f}m a year on cloud and AI for the plan to be worth what the {p.move_pct:g}% session added, "
                f"{be / p.spend_per_factory_rmb_m:.1f} times the spend assumed")
    return (f"No spend per factory makes the plan worth what the {p.move_pct:g}% session added: the cloud's servers "
            f"cap its value at USD {out['most_value_usd_bn']:.1f}bn, {out['most_covers_pct']:.0f}% of it")


def break_even_alt(p, claims) -> str:
    out = compute(p, claims)
    be = out["break_even_spend_rmb_m"]
    lines = (f"Log-log chart of the plan's value to Alibaba against each factory's yearly cloud and AI spend, for "
             f"{p.factories_adopting // 5:,}, {p.factories_adopting:,} and {p.factories_adopting * 5:,} factories; each "
             f"line rises with the spend and goes flat at USD {out['most_value_usd_bn']:.1f}bn, where the plan fills "
             "the room the cloud programme's servers have left. ")
    added = f"The value added by the {p.move_pct:g}% session (USD {out['value_added_usd_bn']:.1f}bn) is a horizontal line"
    if be is None:
        return lines + added + ", above every line: no spend reaches it."
    where = "far to the left" if be > p.spend_per_factory_rmb_m else "to the right"
    return (lines + added + f", crossed at RMB {be:.1f}m per factory for {p.factories_adopting:,} factories; the "
            f"assumed spend of RMB {p.spend_per_factory_rmb_m:g}m is {where}.")


def revenue_title(p, claims) -> str:
    out = compute(p, claims)
    need = out["needed_served_fy27_rmb_bn"]
    spare = out["spare_fy27_rmb_bn"]
    if need <= spare:
        return (f"To justify the session the servers must serve RMB {need:.0f}bn of the plan's FY27 revenue, within "
                f"the RMB {spare:.0f}bn of room they have; at the assumptions they serve RMB {out['plan_served_fy27_rmb_bn']:.1f}bn")
    return (f"To justify the session the servers would have to serve RMB {need:.0f}bn of the plan's FY27 revenue; "
            f"after the cloud's own growth they have room for RMB {spare:.0f}bn")


def revenue_alt(p, claims) -> str:
    out = compute(p, claims)
    return (f"Horizontal bars of revenue in FY27, RMB billion: the plan brings {out['plan_demand_fy27_rmb_bn']:.1f}; the "
            f"cloud programme's servers serve {out['plan_served_fy27_rmb_bn']:.1f} of it; they have room for "
            f"{out['spare_fy27_rmb_bn']:.1f} after the cloud's own growth; justifying the session needs "
            f"{out['needed_served_fy27_rmb_bn']:.1f} served at the cash margin.")


def prose(p, claims) -> dict[str, str]:
    """Every sentence and date in words the page glues, by the name it is glued under."""
    v = lambda key: claims.value(CLAIMS[key])
    out = compute(p, claims)
    dated = datelines(claims.sources())
    base_share = scenario_parameters("base").alibaba_share_pct
    return {
        **{f"date_{s}": day_words(dated[s]) for s in ("000", "001", "002", "004")},
        "rally_start": day_words(claims.get(CLAIMS["rally_start"]).date),
        "close_date": day_words(date.fromisoformat(claims.get(CLAIMS["close_eur"]).period)),
        "date_004_note": weekend_price_note(dated["004"]),
        "compound_vs_week_text": compound_vs_week(out["compound_pct"], v("week_gain_pct")),
        "high_agreement_text": high_agreement(out["implied_high_usd"], v("oct_high_usd")),
        "resistance_vs_close_text": resistance_vs_close(out["close_usd"], v("resistance_usd")),
        "factories_p_text": factories_text(p.factories_adopting, v("factories")),
        "share_source_text": share_source(p.alibaba_share_pct, base_share),
        "served_text": served_text(out["plan_served_pct"], out["plan_served_fy27_rmb_bn"], out["spare_fy27_rmb_bn"]),
        "break_even_text": break_even_text(out, factories_text(p.factories_adopting, v("factories")), p.alibaba_share_pct),
        "break_even_detail_text": break_even_detail(out, p.spend_per_factory_rmb_m, p.factories_adopting,
                                                    p.alibaba_share_pct),
        "believe_text": believe_text(out, p.spend_per_factory_rmb_m),
        "scenarios_text": scenarios_sentence(claims),
        "verdict_text": verdict(out["plan_covers_pct"]),
        "rest_text": rest_sentence(out["plan_covers_pct"]),
        "sens_text": sensitivity_sentence(sensitivity_grid(p, claims), p.spend_per_factory_rmb_m, out["most_covers_pct"]),
        "timeline_title": timeline_title(claims),
        "timeline_alt": timeline_alt(claims),
        "break_even_title": break_even_title(p, claims),
        "break_even_alt": break_even_alt(p, claims),
        "revenue_title": revenue_title(p, claims),
        "revenue_alt": revenue_alt(p, claims),
    }


# --- signposts -----------------------------------------------------------------------------------


def _spend_signpost(p, out: dict, where: str) -> contract.Signpost:
    """The spend per factory to watch: the break-even when one exists; otherwise the spend at which the
    plan fills the room the cloud's servers have left (beyond it more spend earns nothing)."""
    assumptions = ("market_value_before_usd_bn", "move_pct", "factories_adopting", "alibaba_share_pct",
                   "cash_margin_pct", "capex_rmb_bn", "utilisation_pct", "profit_multiple", "usd_rmb")
    be, filling = out["break_even_spend_rmb_m"], out["filling_spend_rmb_m"]
    if be is not None or filling is None:
        return contract.Signpost(
            "Yearly cloud and AI spend per adopting factory", float(be if be is not None else 0.0),
            "RMB m per factory per year",
            "above it the plan alone is worth the value the session added" if be is not None else
            "any spend: the cloud programme's servers have no room left for the plan",
            f"below it the session priced in more than the plan brings at the share assumed {where}; "
            "the rest must come from elsewhere",
            "bull", "base or bear", claims=(CLAIMS["session_gain_pct"],), assumptions=assumptions)
    return contract.Signpost(
        "Yearly cloud and AI spend per adopting factory", float(filling), "RMB m per factory per year",
        f"at or above it the plan fills the room the cloud programme's servers have left and is worth "
        f"{out['most_covers_pct']:.0f}% of the session's value, the most it can be without more capex",
        f"below it the servers have room to spare at the share assumed {where}, and the plan is worth less",
        "bull", "base or bear", claims=(CLAIMS["session_gain_pct"],), assumptions=assumptions)



def signposts(p, claims, case: str | None = None) -> list[contract.Signpost]:
    """What to watch, with the threshold that separates the scenarios.

    ``case`` names the scenario ``p`` is ("the base case"); the share a reading is held against is
    the one that case assumes.
    """
    out = compute(p, claims)
    where = f"in {case}" if case else "here"
    return [
        contract.Signpost(
            "Factories the plan actually funds or enrols", float(p.factories_adopting), "factories",
            factories_reading(p.factories_adopting, claims.value(CLAIMS["factories"]), where,
                              out["break_even_spend_rmb_m"] is not None),
            "fewer factories, or no funding reaching them (the risk AInvest (12 January) names)",
            "base or bull", "bear", claims=(CLAIMS["factories"],), assumptions=("factories_adopting",)),
        _spend_signpost(p, out, where),
        contract.Signpost(
            "Alibaba's share of the new industrial cloud and AI spend", float(p.alibaba_share_pct), "% of the new spend",
            f"toward the ~{claims.value(CLAIMS['exec_share_target_pct']):.0f}% of incremental AI-cloud growth an "
            "executive targets",
            "domestic rivals and global giants take more (AInvest's warning)",
            "bull", "bear", claims=(CLAIMS["exec_share_target_pct"],), assumptions=("alibaba_share_pct",)),
        contract.Signpost(
            "Alibaba Cloud revenue growth, year on year", claims.value(CLAIMS["cloud_growth_pct"]), "% a year",
            "growth accelerating above the latest quarter's as factory spend arrives",
            "no acceleration: the plan is not yet in the revenue line",
            "bull", "base or bear", claims=(CLAIMS["cloud_growth_pct"],)),
        contract.Signpost(
            "Alibaba Cloud margin (segment profit, boerse-global.de's 'EBITDA', over revenue)", out["cloud_margin_pct"], "% of revenue",
            "margins widen with AI products (CICC's optimism, the 14 January article)",
            "a GPU price war (the undated post's risk) squeezes them",
            "bull", "bear", claims=(CLAIMS["cloud_ebitda_q_usd_m"], CLAIMS["cloud_revenue_q_usd_bn"]),
            assumptions=("cash_margin_pct",)),
    ]


# --- the summary's row ---------------------------------------------------------------------------


def headline(p, claims, case: str | None = None) -> dict[str, str]:
    """The chapter's row in the summary's table of themes, from :func:`compute`: the spend per factory at
    which the plan is worth what the session added, or that none is because the cloud's servers are full
    (``figure``), and what the plan is worth at the spend assumed (``meaning``).

    ``case`` names the scenario ``p`` is ("base"); without it the spend is "the spend assumed".
    """
    out = compute(p, claims)
    where = f"the {md_escape(case)} case's spend" if case else "the spend assumed"
    be = out["break_even_spend_rmb_m"]
    if be is not None:
        figure = (f"factories must spend RMB {be:.1f}m a year each for the plan to be worth the USD "
                  f"{out['value_added_usd_bn']:.0f}bn the surge added")
        most = ""
    else:
        figure = (f"no spend per factory makes the plan worth the USD {out['value_added_usd_bn']:.0f}bn the surge added: "
                  f"the cloud's servers can serve at most RMB {out['spare_fy27_rmb_bn']:.1f}bn of its FY27 revenue")
        most = (" (its most: the servers are full)" if out["plan_served_pct"] < 99.95 else
                f" (at most {_pct(out['most_covers_pct'])}% with the servers full)")
    return {"figure": figure, "meaning": f"at {where} the plan is worth {_pct(out['plan_covers_pct'])}% of it{most}"}


def _pct(x: float) -> str:
    """A share of the session's value as the summary's row writes it: whole per cents, a tenth below 1%."""
    return f"{x:.1f}" if abs(x) < 1 else f"{x:.0f}"
