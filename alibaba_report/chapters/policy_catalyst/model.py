"""The policy chapter's numbers: the claims it reads, the model of what the rally priced in and what
the plan brings (vectorised functions of numbers), and the model under the page's parameters
(:func:`compute`, :func:`key_outputs`).

Units are in the names: ``_usd_bn`` US dollars, billions; ``_rmb_m`` renminbi, millions; ``_pct``
per cent (9 means 9%).
"""
from __future__ import annotations

import types
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from alibaba_report import params
from alibaba_report.chapters import cloud_ai, hk_vs_us
from alibaba_report.chapters.contract import ModelInputError, check_number

NOTEBOOK = "policy_catalyst"

# The ledger claims this chapter reads, by the role they play.
CLAIMS = {
    "session_gain_pct": "overseas_shares_session_gain_s002",  # "more than 9% in a single session"
    "surge_ai_pct": "us_shares_surge_s001",  # "Alibaba's 10% surge" (AI-written; period not stated)
    "week_gain_pct": "overseas_shares_week_gain_s002",  # "approximately 15% over one week"
    "rally_start": "us_shares_rally_start_s001",  # "steady gains since January 9" (AI-written)
    "factories": "ai_manufacturing_factories_s001",  # "will compel over 50,000 factories" (AI-written)
    "exec_share_target_pct": "exec_ai_cloud_incremental_share_target_s002",  # ~80% of incremental AI cloud
    "close_eur": "overseas_shares_close_s002",  # EUR 145.80 on 13 Jan
    "below_high_pct": "overseas_shares_below_52w_high_s002",  # nearly 10% below the 52-week high
    "us_gain_jan8_pct": "us_shares_daily_gain_s000",  # US shares up more than 5%, 8 Jan dateline
    "price_jan4_usd": "us_share_price_s004",  # near USD 152
    "oct_high_usd": "us_shares_oct_high_s004",  # around USD 192
    "resistance_usd": "resistance_level_s001",  # USD 163.43 (AI-written)
    "upside_ai_pct": "consensus_target_upside_s001",  # roughly 18% upside (AI-written; target lost)
    "pe_ai": "pe_ratio_s001",  # P/E near 19 (AI-written)
    "pe_forward": "pe_forward_s004",  # forward P/E roughly 20
    "cloud_revenue_q_usd_bn": "cloud_revenue_fq2_fy26_s004",  # USD 5.59bn in the quarter
    "cloud_ebitda_q_usd_m": "cloud_ebitda_fq2_fy26_s004",  # USD 506m in the quarter
    "cloud_growth_pct": "cloud_revenue_growth_fq2_fy26_s004",  # 34%
    "spike_after_call_pct": "shares_spike_after_call_s003",  # "an 8% spike after a euphoric call" (undated)
    "meitu_bond_date": "meitu_bond_issue_date_s004",  # 3 Jan 2026
    "buy_ratings": "analysts_buy_s004",  # 16 ...
    "analysts": "analysts_covering_s004",  # ... of 17
}

# --- the model -------------------------------------------------------------------------------


def _above_minus_100(name: str, value: float) -> float:
    return check_number(name, value, low=-100, low_open=True, unit="%")


def _share(name: str, value: float, allow_zero: bool = True) -> float:
    return check_number(name, value, low=0, high=100, low_open=not allow_zero, unit="%")


def value_added_usd_bn(market_value_before_usd_bn: float, move_pct: float) -> float:
    """Market value a move of ``move_pct`` per cent adds to a company worth ``market_value_before_usd_bn``."""
    mv = check_number("market_value_before_usd_bn", market_value_before_usd_bn, low=0, low_open=True, unit="USD bn")
    return mv * _above_minus_100("move_pct", move_pct) / 100


def week_value_added_usd_bn(market_value_before_usd_bn: float, move_pct: float, week_gain_pct: float) -> float:
    """Market value the whole week's gain added, when the week ends with the session's move.

    The value after the session is ``market_value_before × (1 + move)``; the week's start value is
    that divided by ``1 + week_gain``; the difference is what the week added. It assumes the week's
    gain runs to (at least) the session of the move, which the sources do not state.
    """
    week = _above_minus_100("week_gain_pct", week_gain_pct)
    after = market_value_before_usd_bn + value_added_usd_bn(market_value_before_usd_bn, move_pct)
    return after * (week / 100) / (1 + week / 100)


def compound_pct(*moves_pct: float) -> float:
    """The combined move of successive moves, in per cent: 5% then 9% is 14.45%."""
    total = 1.0
    for m in moves_pct:
        total *= 1 + _above_minus_100("each move", m) / 100
    return 100 * (total - 1)


def factory_spend_usd_bn(factories: float, spend_per_factory_rmb_m: float, usd_rmb: float) -> float:
    """Yearly cloud and AI spend of all adopting factories, converted to USD billions at ``usd_rmb``."""
    n = check_number("factories", factories, low=0, unit="factories")
    spend = check_number("spend_per_factory_rmb_m", spend_per_factory_rmb_m, low=0, unit="RMB m a year")
    fx = check_number("usd_rmb", usd_rmb, low=0, low_open=True, unit="RMB per USD")
    return n * spend / fx / 1_000  # RMB m -> USD m -> USD bn


def plan_revenue_usd_bn(factories: float, spend_per_factory_rmb_m: float, usd_rmb: float, share_pct: float) -> float:
    """Yearly revenue the plan brings Alibaba: the factories' spend times Alibaba's share of it."""
    share = _share("share_pct", share_pct)
    return factory_spend_usd_bn(factories, spend_per_factory_rmb_m, usd_rmb) * share / 100


def plan_revenue_rmb_bn(factories, spend_per_factory_rmb_m, share_pct):
    """Yearly revenue the plan brings Alibaba at full run, in RMB bn: factories × spend per factory (RMB m) ×
    Alibaba's share. The one computation of it: the page and the model of value read this. Numbers or arrays."""
    n, spend, share = (np.asarray(x, dtype=float) for x in (factories, spend_per_factory_rmb_m, share_pct))
    for name, a, low, high in (("factories", n, 0, None), ("spend_per_factory_rmb_m", spend, 0, None),
                               ("share_pct", share, 0, 100)):
        if not np.all(np.isfinite(a)) or np.any(a < low) or (high is not None and np.any(a > high)):
            raise ModelInputError(f"{name} must be a finite number at least {low}"
                                  + (f" and at most {high}" if high is not None else "") + f", got {a.ravel()[:5].tolist()}")
    out = n * spend * share / 100 / 1_000  # RMB m -> RMB bn
    return float(out) if out.ndim == 0 else out


# --- the plan as cloud revenue: the cloud chapter's programme ----------------------------------

PLAN_FY = 27  # the year the page reads: FY27 (April 2026 to March 2027), the plan's first full year, as the valuation
CLOUD_PROGRAMME = ("cloud_growth_pct", "cloud_growth_fade_pp", "capex_rmb_bn", "capex_years", "asset_life_years",
                   "capex_turnover", "utilisation_pct", "cash_margin_pct")  # shared with the cloud chapter


def cloud_programme(p) -> types.SimpleNamespace:
    """The cloud programme's assumptions in the parameters ``p`` (shared with the cloud chapter)."""
    return types.SimpleNamespace(**{k: getattr(p, k) for k in CLOUD_PROGRAMME})


def plan_cloud_years(plan_revenue_rmb_bn, run_rate_rmb_bn, cloud, start_years: float, years: int) -> dict[str, np.ndarray]:
    """What the plan's yearly revenue does to the cloud programme, by programme year (RMB bn): the plan's
    demand (``demand_rmb_bn``), the part the programme's servers serve (``served_rmb_bn``) and what it adds
    to the programme's EBITA (``profit_rmb_bn``).

    The plan's revenue is cloud revenue, so it goes through the cloud chapter's own model
    (:func:`alibaba_report.chapters.cloud_ai.programme_years`): extra demand on the same programme from
    ``start_years`` after the cloud's reported quarter (:func:`~alibaba_report.chapters.cloud_ai.plan_demand_path`),
    earning the cloud's cash margin (``cloud.cash_margin_pct``, before depreciation) only where the
    programme's servers have capacity left after the cloud's own growth; revenue they cannot serve earns
    nothing, and the capex's depreciation is the programme's with or without the plan. ``cloud`` holds the
    programme's parameters (numbers or arrays, as the model of value's draws). Vectorised like the cloud's model."""
    args = (run_rate_rmb_bn, *(getattr(cloud, k) for k in CLOUD_PROGRAMME))
    demand = cloud_ai.plan_demand_path(plan_revenue_rmb_bn, start_years, years)
    with_plan = cloud_ai.programme_years(*args, extra_demand_rmb_bn=demand, years=years)
    without = cloud_ai.programme_years(*args, years=years)
    return {"demand_rmb_bn": demand, "served_rmb_bn": with_plan["earned_rmb_bn"] - without["earned_rmb_bn"],
            "profit_rmb_bn": with_plan["ebita_rmb_bn"] - without["ebita_rmb_bn"]}


def plan_cloud_profit_rmb_bn(plan_revenue_rmb_bn, run_rate_rmb_bn, cloud, start_years: float,
                             years: int) -> np.ndarray:
    """What the plan's yearly revenue adds to the cloud programme's EBITA, by programme year (RMB bn):
    :func:`plan_cloud_years`' ``profit_rmb_bn``."""
    return plan_cloud_years(plan_revenue_rmb_bn, run_rate_rmb_bn, cloud, start_years, years)["profit_rmb_bn"]


def plan_fiscal_years(plan_revenue_rmb_bn, run_rate_rmb_bn, cloud, fys) -> dict[str, dict[int, np.ndarray]]:
    """The plan by fiscal year (``fys``, e.g. ``(26, 27, 28)``), as the model of value reads it: from
    1 April 2026 (:data:`alibaba_report.synthesis.fiscal.PLAN_START`), a programme year's figure read at the
    middle of the fiscal year (:func:`alibaba_report.chapters.cloud_ai.at_time`). ``demand_rmb_bn``,
    ``served_rmb_bn`` and ``profit_rmb_bn`` (EBITA added; the plan buys no servers, so it is also the cash
    profit added), each ``{fy: array}``. The page's FY27 profit and the valuation's are this one call."""
    from alibaba_report.synthesis.cloud_value import PROGRAMME_YEARS
    from alibaba_report.synthesis.fiscal import PLAN_START, years_since_reported_quarter, years_to_fiscal_middle

    by_year = plan_cloud_years(plan_revenue_rmb_bn, run_rate_rmb_bn, cloud, years_since_reported_quarter(PLAN_START),
                               PROGRAMME_YEARS)
    return {k: {fy: cloud_ai.at_time(a, years_to_fiscal_middle(fy)) for fy in fys} for k, a in by_year.items()}


def plan_fy(p, run_rate_rmb_bn: float, plan_revenue_rmb_bn, fy: int = PLAN_FY) -> dict[str, np.ndarray]:
    """The plan in fiscal year ``fy`` under the cloud programme of ``p``: its demand, the part served and the
    EBITA it adds (RMB bn; arrays over ``plan_revenue_rmb_bn``)."""
    by_fy = plan_fiscal_years(plan_revenue_rmb_bn, run_rate_rmb_bn, cloud_programme(p), (fy,))
    return {k: v[fy] for k, v in by_fy.items()}


def after_tax_value_usd_bn(profit_rmb_bn, usd_rmb: float, profit_multiple: float, *, tax_rate_pct: float):
    """A yearly profit (RMB bn, before tax) valued at ``profit_multiple`` times its after-tax amount, in USD bn.

    A P/E multiple prices profit after tax, so it applies to the profit less tax, converted to dollars."""
    tax = check_number("tax_rate_pct", tax_rate_pct, low=0, high=100, high_open=True, unit="%")
    fx = check_number("usd_rmb", usd_rmb, low=0, low_open=True, unit="RMB per USD")
    multiple = check_number("profit_multiple", profit_multiple, low=0, low_open=True, unit="x yearly profit")
    return np.asarray(profit_rmb_bn, dtype=float) * (1 - tax / 100) / fx * multiple


def plan_value_usd_bn(p, run_rate_rmb_bn: float, plan_revenue_rmb_bn):
    """Market value of the plan's business to Alibaba (USD bn): its FY27 profit as cloud revenue
    (:func:`plan_fy`), after tax, at the page's multiple. Vectorised over ``plan_revenue_rmb_bn``."""
    profit = plan_fy(p, run_rate_rmb_bn, plan_revenue_rmb_bn)["profit_rmb_bn"]
    value = after_tax_value_usd_bn(profit, p.usd_rmb, p.profit_multiple, tax_rate_pct=p.tax_rate_pct)
    return float(value) if np.ndim(value) == 0 else value


UNLIMITED_RMB_BN = 1e9  # plan revenue beyond any programme's capacity: what the servers can serve at most


def capacity_value_usd_bn(p, run_rate_rmb_bn: float) -> float:
    """The most the plan can be worth, whatever its spend: the value of the FY27 profit on every yuan of
    revenue the programme's servers have left after the cloud's own growth."""
    return plan_value_usd_bn(p, run_rate_rmb_bn, UNLIMITED_RMB_BN)


def required_plan_revenue_rmb_bn(value_usd_bn: float, p, run_rate_rmb_bn: float, rel_tol: float = 1e-10) -> float | None:
    """The plan's yearly revenue (RMB bn) at which it is worth ``value_usd_bn``; None when no revenue gets
    there because the programme's servers cannot serve enough of it.

    The value rises with the revenue until the capacity binds, then stays flat (:func:`plan_value_usd_bn`),
    so the root is found by bisection on that monotone function."""
    target = check_number("value_usd_bn", value_usd_bn, unit="USD bn")
    if target <= 0:
        return 0.0
    value = lambda r: plan_value_usd_bn(p, run_rate_rmb_bn, r)
    if capacity_value_usd_bn(p, run_rate_rmb_bn) < target:
        return None
    lo, hi = 0.0, 1.0
    while value(hi) < target:
        lo, hi = hi, 2 * hi
    while hi - lo > rel_tol * hi:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if value(mid) < target else (lo, mid)
    return hi


def filling_revenue_rmb_bn(p, run_rate_rmb_bn: float) -> float | None:
    """The plan's yearly revenue (RMB bn) at which it fills the room the programme's servers have in FY27:
    beyond it more revenue earns nothing. None when they have no room at all."""
    most = capacity_value_usd_bn(p, run_rate_rmb_bn)
    return None if most <= 0 else required_plan_revenue_rmb_bn(most * (1 - 1e-9), p, run_rate_rmb_bn)


def needed_profit_rmb_bn(value_usd_bn: float, p) -> float:
    """FY27 profit before tax (RMB bn) the plan must earn to be worth ``value_usd_bn`` at the page's
    multiple: the inverse of :func:`after_tax_value_usd_bn`."""
    return value_usd_bn / float(after_tax_value_usd_bn(1.0, p.usd_rmb, p.profit_multiple, tax_rate_pct=p.tax_rate_pct))


def break_even_spend_rmb_m(required_rmb_bn: float | None, factories: float, share_pct: float) -> float | None:
    """Yearly cloud and AI spend per factory (RMB m) that brings the plan the revenue ``required_rmb_bn``
    (:func:`required_plan_revenue_rmb_bn`); None when none does."""
    n = check_number("factories", factories, low=0, low_open=True, unit="factories")
    share = _share("share_pct", share_pct, allow_zero=False)
    return None if required_rmb_bn is None else required_rmb_bn * 1_000 / (n * share / 100)


def break_even_factories(required_rmb_bn: float | None, spend_per_factory_rmb_m: float, share_pct: float) -> float | None:
    """Factories that must adopt, each spending ``spend_per_factory_rmb_m`` a year, for the plan to bring
    the revenue ``required_rmb_bn``; None when no count does."""
    spend = check_number("spend_per_factory_rmb_m", spend_per_factory_rmb_m, low=0, low_open=True, unit="RMB m a year")
    share = _share("share_pct", share_pct, allow_zero=False)
    return None if required_rmb_bn is None else required_rmb_bn * 1_000 / (spend * share / 100)


def sensitivity(p, run_rate_rmb_bn: float, factories_grid: Sequence[float], spend_grid_rmb_m: Sequence[float],
                value_added: float) -> pd.DataFrame:
    """Plan value as a per cent of the value the move added, over factories × spend per factory (one
    vectorised call of :func:`plan_value_usd_bn`).

    Rows: factories adopting; columns: yearly spend per factory (RMB m). 100 means the plan alone
    justifies the move; below 100, the rally priced in more than the plan brings.
    """
    added = check_number("value_added", value_added, low=0, low_open=True, unit="USD bn")
    if not len(factories_grid) or not len(spend_grid_rmb_m):
        raise ModelInputError("the sensitivity grids of factories and of spend per factory must not be empty")
    revenue = plan_revenue_rmb_bn(np.asarray(factories_grid, dtype=float)[:, None],
                                  np.asarray(spend_grid_rmb_m, dtype=float)[None, :], p.alibaba_share_pct)
    values = np.broadcast_to(plan_value_usd_bn(p, run_rate_rmb_bn, revenue), revenue.shape)
    table = pd.DataFrame(100 * values / added, index=list(factories_grid), columns=list(spend_grid_rmb_m))
    table.index.name = "factories adopting"
    table.columns.name = "yearly spend per factory, RMB m"
    return table


def grid_around(value: float, factors: Iterable[float] = (0.2, 0.5, 1, 2, 5)) -> list[float]:
    """A grid of ``value`` times each factor, sorted and without duplicates (for sensitivity tables)."""
    v = check_number("value", value, low=0, low_open=True)
    return sorted({v * f for f in factors})


# --- shared arithmetic: the cloud segment (cloud chapter) ------------------------------------


def cloud_run_rate_usd_bn(p, claims) -> float:
    """Alibaba Cloud's latest quarterly revenue (boerse-global.de, 4 January) times four, in USD bn.

    The cloud chapter's run-rate (RMB bn at ``p.usd_rmb``) taken back into dollars.
    """
    q = claims.value(CLAIMS["cloud_revenue_q_usd_bn"])
    return cloud_ai.annual_run_rate_rmb_bn(q, p.usd_rmb) / p.usd_rmb


def cloud_margin_pct(claims) -> float:
    """Alibaba Cloud's segment profit over revenue in the latest quarter (boerse-global.de, 4 January), per cent.

    The profit is the figure boerse-global.de (4 January) calls EBITDA; Alibaba reports its segments' profit as adjusted
    EBITA, which is struck after depreciation. The page says so and does not call it pre-depreciation.
    """
    return cloud_ai.margin_pct(claims.value(CLAIMS["cloud_ebitda_q_usd_m"]),
                               1_000 * claims.value(CLAIMS["cloud_revenue_q_usd_bn"]))


# --- the model under the parameters: every number the page shows -------------------------------


def _ratio(x: float | None, y: float) -> float | None:
    return None if x is None else x / y


def compute(p, claims) -> dict[str, float | None]:
    """Every model figure under the parameters ``p`` (validated, as the notebook's ``P``) and the ledger.

    The plan's profit is its FY27 EBITA as cloud revenue (:func:`plan_fy`, the model of value's own
    reading); a break-even no spend reaches, because the programme's servers cannot serve enough of
    the plan's revenue, is None (the page says so in words)."""
    v = lambda key: claims.value(CLAIMS[key])
    added = value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct)
    week = week_value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct, v("week_gain_pct"))
    run_rate_rmb = cloud_ai.annual_run_rate_rmb_bn(v("cloud_revenue_q_usd_bn"), p.usd_rmb)
    revenue_rmb = plan_revenue_rmb_bn(p.factories_adopting, p.spend_per_factory_rmb_m, p.alibaba_share_pct)
    fy = {k: float(x) for k, x in plan_fy(p, run_rate_rmb, revenue_rmb).items()}
    most = {k: float(x) for k, x in plan_fy(p, run_rate_rmb, UNLIMITED_RMB_BN).items()}
    plan = plan_value_usd_bn(p, run_rate_rmb, revenue_rmb)
    most_value = capacity_value_usd_bn(p, run_rate_rmb)
    needed = required_plan_revenue_rmb_bn(added, p, run_rate_rmb)
    needed_week = required_plan_revenue_rmb_bn(week, p, run_rate_rmb)
    be = break_even_spend_rmb_m(needed, p.factories_adopting, p.alibaba_share_pct)
    filling = filling_revenue_rmb_bn(p, run_rate_rmb)
    needed_profit = needed_profit_rmb_bn(added, p)
    needed_served = needed_profit / (p.cash_margin_pct / 100)
    run_rate = run_rate_rmb / p.usd_rmb
    close_usd = hk_vs_us.eur_to_usd(v("close_eur"), p.eur_usd)
    high_eur = hk_vs_us.high_52w_eur(claims)
    return {
        "value_added_usd_bn": added,
        "week_value_added_usd_bn": week,
        "factory_spend_rmb_bn": p.factories_adopting * p.spend_per_factory_rmb_m / 1_000,
        "factory_spend_usd_bn": factory_spend_usd_bn(p.factories_adopting, p.spend_per_factory_rmb_m, p.usd_rmb),
        "plan_revenue_usd_bn": revenue_rmb / p.usd_rmb,
        "plan_revenue_rmb_bn": revenue_rmb,
        "plan_demand_fy27_rmb_bn": fy["demand_rmb_bn"],
        "plan_served_fy27_rmb_bn": fy["served_rmb_bn"],
        "plan_served_pct": 100 * fy["served_rmb_bn"] / fy["demand_rmb_bn"] if fy["demand_rmb_bn"] > 0 else 0.0,
        "spare_fy27_rmb_bn": most["served_rmb_bn"],
        "plan_profit_fy27_rmb_bn": fy["profit_rmb_bn"],
        "plan_profit_usd_bn": fy["profit_rmb_bn"] / p.usd_rmb,
        "plan_profit_after_tax_usd_bn": fy["profit_rmb_bn"] * (1 - p.tax_rate_pct / 100) / p.usd_rmb,
        "plan_value_usd_bn": plan,
        "plan_covers_pct": 100 * plan / added,
        "most_profit_fy27_rmb_bn": most["profit_rmb_bn"],
        "most_value_usd_bn": most_value,
        "most_covers_pct": 100 * most_value / added,
        "needed_profit_fy27_rmb_bn": needed_profit,
        "needed_served_fy27_rmb_bn": needed_served,
        "needed_vs_spare_x": needed_served / most["served_rmb_bn"] if most["served_rmb_bn"] > 0 else None,
        "filling_spend_rmb_m": break_even_spend_rmb_m(filling, p.factories_adopting, p.alibaba_share_pct),
        "required_revenue_usd_bn": _ratio(needed, p.usd_rmb),
        "required_revenue_week_usd_bn": _ratio(needed_week, p.usd_rmb),
        "required_factory_spend_usd_bn": _ratio(needed, p.usd_rmb * p.alibaba_share_pct / 100),
        "break_even_spend_rmb_m": be,
        "break_even_spend_usd_m": _ratio(be, p.usd_rmb),
        "break_even_alibaba_rmb_m": None if be is None else be * p.alibaba_share_pct / 100,
        "break_even_vs_assumed": _ratio(be, p.spend_per_factory_rmb_m),
        "break_even_factories": break_even_factories(needed, p.spend_per_factory_rmb_m, p.alibaba_share_pct),
        "break_even_week_spend_rmb_m": break_even_spend_rmb_m(needed_week, p.factories_adopting, p.alibaba_share_pct),
        "cloud_run_rate_usd_bn": run_rate,
        "cloud_margin_pct": cloud_margin_pct(claims),
        "required_revenue_vs_cloud_pct": None if needed is None else 100 * needed / run_rate_rmb,
        "plan_revenue_vs_cloud_pct": 100 * revenue_rmb / run_rate_rmb,
        "compound_pct": compound_pct(v("us_gain_jan8_pct"), v("session_gain_pct")),
        "close_usd": close_usd,
        "change_jan4_to_close_pct": hk_vs_us.change_pct(close_usd, v("price_jan4_usd")),
        "implied_high_eur": high_eur,
        "implied_high_usd": hk_vs_us.eur_to_usd(high_eur, p.eur_usd),
    }


KEY_OUTPUT_KEYS = ("value_added_usd_bn", "plan_value_usd_bn", "plan_covers_pct", "break_even_spend_rmb_m",
                   "required_revenue_usd_bn", "required_revenue_vs_cloud_pct", "week_value_added_usd_bn")


def key_outputs(p, claims) -> dict[str, float | None]:
    """The few numbers the summary and the scenario comparison show (a break-even no spend reaches is None)."""
    out = compute(p, claims)
    return {k: out[k] for k in KEY_OUTPUT_KEYS}


def scenario_parameters(name: str) -> types.SimpleNamespace:
    """The chapter's parameters under scenario ``name`` as the notebook's ``P`` holds them: read by
    :func:`alibaba_report.params.scenario_parameters` (the one reader of a scenario), typed by its spec."""
    return params.check_values(NOTEBOOK, params.scenario_parameters(name, NOTEBOOK), origin=f"scenario {name!r}")


def sensitivity_grid(p, claims) -> pd.DataFrame:
    """The plan's value as a % of the session's, over factories (a fifth to five times the assumed
    count) × spend per factory (a fifth to twenty times the assumed spend)."""
    f_grid = grid_around(p.factories_adopting)
    s_grid = grid_around(p.spend_per_factory_rmb_m, (0.2, 0.5, 1, 2, 5, 10, 20))
    added = value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct)
    run_rate = cloud_ai.annual_run_rate_rmb_bn(claims.value(CLAIMS["cloud_revenue_q_usd_bn"]), p.usd_rmb)
    return sensitivity(p, run_rate, f_grid, s_grid, added)
