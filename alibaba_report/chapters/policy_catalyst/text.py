"""The policy chapter's words: the numbers its text quotes (:func:`page_values`), the page's
conditional sentences (:func:`prose`), chart titles and alt text, the signposts and the summary's row
(:func:`headline`). No matplotlib here."""
from __future__ import annotations

from datetime import date

import pandas as pd

from alibaba_report.chapters import contract
from alibaba_report.chapters.policy_catalyst.model import CLAIMS, compute, key_outputs, scenario_parameters, sensitivity_grid
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


# Model figures the page shows, by the name the page glues them under (keys of compute()).
SHOWN = {
    "value_added": "value_added_usd_bn", "week_value_added": "week_value_added_usd_bn",
    "total_rmb_bn": "factory_spend_rmb_bn", "total_usd_bn": "factory_spend_usd_bn",
    "plan_revenue": "plan_revenue_usd_bn", "plan_profit": "plan_profit_usd_bn", "plan_value": "plan_value_usd_bn",
    "plan_profit_after_tax": "plan_profit_after_tax_usd_bn",
    "plan_covers": "plan_covers_pct", "be_spend": "break_even_spend_rmb_m", "be_spend_usd_m": "break_even_spend_usd_m",
    "be_week_spend": "break_even_week_spend_rmb_m", "be_alibaba_rmb_m": "break_even_alibaba_rmb_m",
    "required_revenue": "required_revenue_usd_bn", "req_vs_cloud": "required_revenue_vs_cloud_pct",
    "required_factory_spend_usd_bn": "required_factory_spend_usd_bn", "cloud_margin": "cloud_margin_pct",
    "cloud_run_rate": "cloud_run_rate_usd_bn", "be_ratio": "break_even_vs_assumed", "compound_pct": "compound_pct",
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
        "be_factories": float(round(out["break_even_factories"], -3)),
        "mv": float(p.market_value_before_usd_bn), "move": float(p.move_pct), "factories_p": float(p.factories_adopting),
        "spend": float(p.spend_per_factory_rmb_m), "share": float(p.alibaba_share_pct), "margin": float(p.margin_pct),
        "multiple": float(p.profit_multiple), "usd_rmb": float(p.usd_rmb), "eur_usd": float(p.eur_usd),
        "tax": float(p.tax_rate_pct),
        "bull_covers": float(scen.loc["bull", "% of session's value"]),
        "bear_covers": float(scen.loc["bear", "% of session's value"]),
        "base_covers": float(scen.loc["base", "% of session's value"]),
        "bull_be": float(scen.loc["bull", "break-even spend (RMB m/yr)"]),
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


def factories_reading(factories: int, claimed: float, where: str) -> str:
    """What an official count at or above the factories assumed ``where`` ("in the bear case") says:
    it confirms the AI-written source only when the count assumed is the one that source gives."""
    then = "the spend per factory then decides (the bull case if it reaches the break-even)"
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


def margin_rounding(cloud_margin: float, margin_pct: float) -> str:
    """Whether the model's margin is the latest quarter's cloud margin rounded, or another level."""
    if round(cloud_margin) == margin_pct:
        return f"the model's margin of {margin_pct:g}% is that level rounded"
    return f"the model uses a margin of {margin_pct:g}% instead (an assumption)"


def break_even_vs_assumption(ratio: float, spend_rmb_m: float) -> str:
    """The break-even spend per factory against the assumed spend (``ratio`` = break-even / assumed)."""
    if ratio >= 1.5:
        return f"{ratio:.0f} times the RMB {spend_rmb_m:g} million assumed here"
    if ratio > 2 / 3:
        return f"about the RMB {spend_rmb_m:g} million assumed here"
    return f"less than the RMB {spend_rmb_m:g} million assumed here"


def verdict(covers_pct: float) -> str:
    """What the plan's value means against the session's (``covers_pct`` = plan value as % of it)."""
    if covers_pct < 50:
        return "its own cloud business would fall far short of what the session priced in"
    if covers_pct < 100:
        return "its own cloud business would cover part of the session's value, not all of it"
    return "it alone would be worth the session's value"


def rest_sentence(covers_pct: float) -> str:
    """What the rest of the session's value is, if the assumptions hold."""
    if covers_pct < 100:
        return ("If they hold, the rest of the session's value is a bet on the wider AI-cloud story, or on a policy "
                "much larger than this plan as described.")
    return "If they hold, the market, if anything, underpriced the plan."


def sensitivity_sentence(table: pd.DataFrame, assumed_spend_rmb_m: float) -> str:
    """What the sensitivity grid shows: whether any combination reaches 100%, and from what spend."""
    covering = table.stack()[lambda x: x >= 100]
    if covering.empty:
        return (f"None of the {table.size} combinations reaches 100: even {max(table.index):,.0f} factories spending "
                f"RMB {max(table.columns):g} million a year each cover {table.max().max():.0f}%.")
    low_spend = min(s for _, s in covering.index)
    return (f"{len(covering)} of the {table.size} combinations reach 100; the lowest spend that gets there is "
            f"RMB {low_spend:g} million a year per factory ({low_spend / assumed_spend_rmb_m:g} times the assumed spend).")


def timeline_title(claims) -> str:
    d001 = datelines(claims.sources())["001"]
    return (f"The sources date every article but not the policy: the {claims.value(CLAIMS['session_gain_pct']):.0f}%+ "
            f"session falls between {claims.get(CLAIMS['rally_start']).date:%-d} and {d001:%-d %B}, by the AI-written "
            "seed alone")


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
    be = compute(p, claims)["break_even_spend_rmb_m"]
    return (f"With {p.factories_adopting:,} factories and a {p.alibaba_share_pct:g}% share, each must spend RMB {be:.1f}m "
            f"a year on cloud and AI for the plan to be worth what the {p.move_pct:g}% session added, "
            f"{be / p.spend_per_factory_rmb_m:.1f} times the spend assumed")


def break_even_alt(p, claims) -> str:
    out = compute(p, claims)
    be = out["break_even_spend_rmb_m"]
    if be > p.spend_per_factory_rmb_m:
        return (f"Log-log chart of the plan's value to Alibaba against each factory's yearly cloud and AI spend, for "
                f"{p.factories_adopting // 5:,}, {p.factories_adopting:,} and {p.factories_adopting * 5:,} factories. "
                f"The value added by the {p.move_pct:g}% session (USD {out['value_added_usd_bn']:.1f}bn) is a horizontal "
                f"line, crossed at RMB {be:.1f}m per factory for {p.factories_adopting:,} factories; the assumed spend "
                f"of RMB {p.spend_per_factory_rmb_m:g}m is far to the left.")
    return (f"Log-log chart of the plan's value to Alibaba against each factory's yearly spend; the break-even of "
            f"RMB {be:.1f}m per factory lies below the assumed RMB {p.spend_per_factory_rmb_m:g}m.")


def revenue_title(p, claims) -> str:
    out = compute(p, claims)
    return (f"To justify the session, the plan must add revenue equal to {out['required_revenue_vs_cloud_pct']:.0f}% of "
            f"Alibaba Cloud's run-rate; at the assumptions it adds {out['plan_revenue_vs_cloud_pct']:.0f}%")


def revenue_alt(p, claims) -> str:
    out = compute(p, claims)
    return (f"Horizontal bars of yearly revenue in USD billion: the plan brings {out['plan_revenue_usd_bn']:.1f}; "
            f"justifying the session needs {out['required_revenue_usd_bn']:.1f}; justifying the week needs "
            f"{out['required_revenue_week_usd_bn']:.1f}; Alibaba Cloud's current run-rate is "
            f"{out['cloud_run_rate_usd_bn']:.1f}.")


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
        "margin_rounding_text": margin_rounding(out["cloud_margin_pct"], p.margin_pct),
        "be_vs_assumption_text": break_even_vs_assumption(out["break_even_vs_assumed"], p.spend_per_factory_rmb_m),
        "verdict_text": verdict(out["plan_covers_pct"]),
        "rest_text": rest_sentence(out["plan_covers_pct"]),
        "sens_text": sensitivity_sentence(sensitivity_grid(p, claims), p.spend_per_factory_rmb_m),
        "timeline_title": timeline_title(claims),
        "timeline_alt": timeline_alt(claims),
        "break_even_title": break_even_title(p, claims),
        "break_even_alt": break_even_alt(p, claims),
        "revenue_title": revenue_title(p, claims),
        "revenue_alt": revenue_alt(p, claims),
    }


# --- signposts -----------------------------------------------------------------------------------


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
            factories_reading(p.factories_adopting, claims.value(CLAIMS["factories"]), where),
            "fewer factories, or no funding reaching them (the risk AInvest (12 January) names)",
            "base or bull", "bear", claims=(CLAIMS["factories"],), assumptions=("factories_adopting",)),
        contract.Signpost(
            "Yearly cloud and AI spend per adopting factory", out["break_even_spend_rmb_m"],
            "RMB m per factory per year",
            "above it the plan alone is worth the value the session added",
            f"below it the session priced in more than the plan brings at the share assumed {where}; "
            "the rest must come from elsewhere",
            "bull", "base or bear", claims=(CLAIMS["session_gain_pct"],),
            assumptions=("market_value_before_usd_bn", "move_pct", "factories_adopting", "alibaba_share_pct",
                         "margin_pct", "profit_multiple", "usd_rmb")),
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
            assumptions=("margin_pct",)),
    ]


# --- the summary's row ---------------------------------------------------------------------------


def headline(p, claims, case: str | None = None) -> dict[str, str]:
    """The chapter's row in the summary's table of themes, from :func:`key_outputs`: the spend per
    factory at which the plan is worth what the session added (``figure``), and what the plan is
    worth at the spend assumed (``meaning``).

    ``case`` names the scenario ``p`` is ("base"); without it the spend is "the spend assumed".
    """
    out = key_outputs(p, claims)
    where = f"the {md_escape(case)} case's spend" if case else "the spend assumed"
    return {
        "figure": (f"factories must spend RMB {out['break_even_spend_rmb_m']:.1f}m a year each for the plan to be "
                   f"worth the USD {out['value_added_usd_bn']:.0f}bn the surge added"),
        "meaning": f"at {where} the plan is worth {out['plan_covers_pct']:.0f}% of it",
    }
