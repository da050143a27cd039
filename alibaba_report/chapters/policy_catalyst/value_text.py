"""The policy chapter's sentences about the plan's value: how much of its revenue the cloud programme's
servers serve, the break-even (or that none exists because the servers are full), the verdict, and
the sensitivity and scenario sentences. Re-exported by :mod:`.text`."""
from __future__ import annotations

import pandas as pd

from alibaba_report.chapters.policy_catalyst.model import compute, key_outputs, scenario_parameters


def served_text(served_pct: float, served_rmb_bn: float, spare_rmb_bn: float) -> str:
    """How much of the plan's FY27 revenue the cloud programme's servers serve, after the cloud's own growth."""
    if spare_rmb_bn <= 0:
        return "none of it: the cloud's own growth already fills every server the programme buys, so it earns nothing"
    if served_pct >= 99.95:
        return (f"all of it: after the cloud's own growth they have room for RMB {spare_rmb_bn:.1f} billion of new "
                "revenue that year")
    return (f"RMB {served_rmb_bn:.1f} billion of it ({served_pct:.0f}%), all the room they have after the cloud's own "
            "growth; the rest earns nothing")


def break_even_text(out: dict, factories: str, share_pct: float) -> str:
    """The break-even in one sentence: the spend per factory at which the plan is worth the session's value,
    or, when no spend gets there because the servers are full, the most the plan can be worth."""
    if out["break_even_spend_rmb_m"] is not None:
        return (f"For it to be worth that, each of {factories} would have to spend RMB {out['break_even_spend_rmb_m']:.1f} "
                f"million a year on cloud and AI, with Alibaba winning {share_pct:g}% of it; no source gives the spend.")
    return (f"No spend per factory makes the plan worth that: in FY27 the cloud programme's servers can serve at most RMB "
            f"{out['spare_fy27_rmb_bn']:.1f} billion of the plan's revenue, worth USD {out['most_value_usd_bn']:.1f} "
            f"billion, {out['most_covers_pct']:.0f}% of the session's value.")


def believe_text(out: dict, spend_rmb_m: float) -> str:
    """The break-even in the page's summary: the spend per factory and the revenue it brings, or what the
    plan would need against the room the cloud's servers have."""
    if out["break_even_spend_rmb_m"] is not None:
        return (f"For it to be worth the session, each factory would have to spend RMB {out['break_even_spend_rmb_m']:.1f} "
                f"million a year, {break_even_vs_assumption(out['break_even_vs_assumed'], spend_rmb_m)}, bringing Alibaba "
                f"USD {out['required_revenue_usd_bn']:.1f} billion of new revenue a year, "
                f"{out['required_revenue_vs_cloud_pct']:.0f}% of Alibaba Cloud's run-rate.")
    room = ("" if out["needed_vs_spare_x"] is None else
            f", {out['needed_vs_spare_x']:.1f} times what the room on the servers allows")
    return (f"No spend makes it worth the session: it would need RMB {out['needed_profit_fy27_rmb_bn']:.1f} billion of "
            f"profit in FY27{room}.")


def break_even_detail(out: dict, spend_rmb_m: float, factories: int, share_pct: float) -> str:
    """What you would have to believe for the plan to be worth the session: the break-even spend, the
    factories and the revenue when they exist; otherwise the profit and the room it would need."""
    if out["break_even_spend_rmb_m"] is not None:
        be = out["break_even_spend_rmb_m"]
        return (f"Setting the two equal, each of the {factories:,} factories would have to spend RMB {be:.1f} million "
                f"a year (about USD {out['break_even_spend_usd_m']:.2f} million) at Alibaba's assumed {share_pct:g}% share, "
                f"{break_even_vs_assumption(out['break_even_vs_assumed'], spend_rmb_m)}; at the assumed spend, about "
                f"{round(out['break_even_factories'], -3):,.0f} factories would have to adopt instead. Alibaba would need "
                f"USD {out['required_revenue_usd_bn']:.1f} billion of new revenue a year, "
                f"{out['required_revenue_vs_cloud_pct']:.0f}% of Alibaba Cloud's current run-rate.")
    spare = out["spare_fy27_rmb_bn"]
    room = (f"{out['needed_vs_spare_x']:.1f} times the RMB {spare:.1f} billion of room the servers have left after the "
            "cloud's own growth" if out["needed_vs_spare_x"] is not None else "and the servers have no room left at all")
    filling = ("" if out["filling_spend_rmb_m"] is None else
               f" Beyond about RMB {out['filling_spend_rmb_m']:.1f} million a factory a year (at the assumed factories and "
               "share) the servers are full and more spend earns nothing.")
    return (f"No spend per factory gets there. To be worth the session the plan would have to add RMB "
            f"{out['needed_profit_fy27_rmb_bn']:.1f} billion of profit in FY27: RMB {out['needed_served_fy27_rmb_bn']:.0f} "
            f"billion of its revenue served at the cash margin, {room}.{filling} Only a larger programme could serve "
            "more, and it would carry its own depreciation (the cloud page's question).")


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
        return ("If they hold, the rest of the session's value is a bet on the wider AI-cloud story, on more servers "
                "than the cloud's programme buys, or on a policy much larger than this plan as described.")
    return "If they hold, the market, if anything, underpriced the plan."


def sensitivity_sentence(table: pd.DataFrame, assumed_spend_rmb_m: float, most_covers_pct: float) -> str:
    """What the sensitivity grid shows: whether any combination reaches 100%, and from what spend; and
    where the servers' room caps the cells."""
    covering = table.stack()[lambda x: x >= 100]
    if not covering.empty:
        low_spend = min(s for _, s in covering.index)
        return (f"{len(covering)} of the {table.size} combinations reach 100; the lowest spend that gets there is "
                f"RMB {low_spend:g} million a year per factory ({low_spend / assumed_spend_rmb_m:g} times the assumed spend).")
    top = table.max().max()
    if top >= most_covers_pct * (1 - 1e-6):
        return (f"None of the {table.size} combinations reaches 100: the cells stop at {most_covers_pct:.1f}%, the most "
                "the plan is worth once it fills the room the cloud programme's servers have left in FY27; beyond "
                "that, more factories or more spend add nothing.")
    return (f"None of the {table.size} combinations reaches 100: even {max(table.index):,.0f} factories spending "
            f"RMB {max(table.columns):g} million a year each cover {top:.1f}%, and the room the cloud programme's "
            f"servers have left in FY27 caps every cell at {most_covers_pct:.1f}%.")


def scenarios_sentence(claims) -> str:
    """The bull and bear cases in words: what the plan is worth in each, and what limits the bull."""
    bull, bear = (key_outputs(scenario_parameters(s), claims) for s in ("bull", "bear"))
    bull_out = compute(scenario_parameters("bull"), claims)
    if bull["break_even_spend_rmb_m"] is not None:
        limit = f", and a factory would need to spend only RMB {bull['break_even_spend_rmb_m']:.1f} million a year"
    else:
        limit = (f"; its servers serve only {bull_out['plan_served_pct']:.0f}% of the plan's FY27 revenue, so no spend "
                 "would make it worth the session")
    return (f"Under the bull assumptions the plan is worth {bull['plan_covers_pct']:.0f}% of what the session "
            f"added{limit}. Under the bear assumptions it is worth {bear['plan_covers_pct']:.1f}%.")
