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
from alibaba_report.chapters.policy_catalyst.cloud_plan import (  # noqa: F401  (re-exported)
    CLOUD_PROGRAMME, PLAN_FY, UNLIMITED_RMB_BN, after_tax_value_usd_bn, capacity_value_usd_bn, cloud_programme,
    filling_revenue_rmb_bn, needed_profit_rmb_bn, plan_fiscal_years, plan_share_of_fiscal_year,
    plan_fy, plan_value_usd_bn, required_plan_revenue_rmb_bn)

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

    The cloud chapter's run-rate (:func:`alibaba_report.chapters.cloud_ai.base_run_rate`, RMB bn at
    ``p.usd_rmb``) taken back into dollars.
    """
    return cloud_ai.base_run_rate(p, claims) / p.usd_rmb


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


def plan_figures(p, claims) -> dict[str, float | None]:
    """The plan's figures under ``p``: its revenue, its FY27 demand, the part the cloud programme's servers
    serve and the room they have, its profit and value, and the break-evens (None when no spend reaches
    them because the servers are full)."""
    v = lambda key: claims.value(CLAIMS[key])
    added = value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct)
    week = week_value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct, v("week_gain_pct"))
    run_rate_rmb = cloud_ai.base_run_rate(p, claims)
    revenue_rmb = plan_revenue_rmb_bn(p.factories_adopting, p.spend_per_factory_rmb_m, p.alibaba_share_pct)
    fy = {k: float(x) for k, x in plan_fy(p, run_rate_rmb, revenue_rmb).items()}
    most = {k: float(x) for k, x in plan_fy(p, run_rate_rmb, UNLIMITED_RMB_BN).items()}
    worth = lambda profit, multiple: float(after_tax_value_usd_bn(profit, p.usd_rmb, multiple, tax_rate_pct=p.tax_rate_pct))
    plan, most_value = worth(fy["profit_rmb_bn"], p.profit_multiple), worth(most["profit_rmb_bn"], p.profit_multiple)
    needed = required_plan_revenue_rmb_bn(added, p, run_rate_rmb)
    needed_profit = needed_profit_rmb_bn(added, p)
    needed_served = needed_profit / (p.cash_margin_pct / 100)
    return {
        "value_added_usd_bn": added, "week_value_added_usd_bn": week, "run_rate_rmb_bn": run_rate_rmb,
        "plan_revenue_usd_bn": revenue_rmb / p.usd_rmb, "plan_revenue_rmb_bn": revenue_rmb,
        "plan_demand_fy27_rmb_bn": fy["demand_rmb_bn"], "plan_served_fy27_rmb_bn": fy["served_rmb_bn"],
        "plan_served_pct": 100 * fy["served_rmb_bn"] / fy["demand_rmb_bn"] if fy["demand_rmb_bn"] > 0 else 0.0,
        "spare_fy27_rmb_bn": most["served_rmb_bn"],
        "plan_profit_fy27_rmb_bn": fy["profit_rmb_bn"],
        "plan_profit_usd_bn": fy["profit_rmb_bn"] / p.usd_rmb,
        "plan_profit_after_tax_usd_bn": worth(fy["profit_rmb_bn"], 1.0),
        "plan_value_usd_bn": plan, "plan_covers_pct": 100 * plan / added,
        "most_profit_fy27_rmb_bn": most["profit_rmb_bn"], "most_value_usd_bn": most_value,
        "most_covers_pct": 100 * most_value / added,
        "needed_profit_fy27_rmb_bn": needed_profit, "needed_served_fy27_rmb_bn": needed_served,
        "needed_vs_spare_x": needed_served / most["served_rmb_bn"] if most["served_rmb_bn"] > 0 else None,
        "filling_spend_rmb_m": break_even_spend_rmb_m(filling_revenue_rmb_bn(p, run_rate_rmb), p.factories_adopting,
                                                      p.alibaba_share_pct),
        "required_revenue_rmb_bn": needed,
        "required_revenue_week_rmb_bn": required_plan_revenue_rmb_bn(week, p, run_rate_rmb),
    }


def compute(p, claims) -> dict[str, float | None]:
    """Every model figure under the parameters ``p`` (validated, as the notebook's ``P``) and the ledger.

    The plan's profit is its FY27 EBITA as cloud revenue (:func:`plan_fy`, the model of value's own
    reading); a break-even no spend reaches, because the programme's servers cannot serve enough of
    the plan's revenue, is None (the page says so in words)."""
    v = lambda key: claims.value(CLAIMS[key])
    out = plan_figures(p, claims)
    needed, run_rate_rmb = out.pop("required_revenue_rmb_bn"), out.pop("run_rate_rmb_bn")
    needed_week = out.pop("required_revenue_week_rmb_bn")
    be = break_even_spend_rmb_m(needed, p.factories_adopting, p.alibaba_share_pct)
    close_usd = hk_vs_us.eur_to_usd(v("close_eur"), p.eur_usd)
    high_eur = hk_vs_us.high_52w_eur(claims)
    return {
        **out,
        "factory_spend_rmb_bn": p.factories_adopting * p.spend_per_factory_rmb_m / 1_000,
        "factory_spend_usd_bn": factory_spend_usd_bn(p.factories_adopting, p.spend_per_factory_rmb_m, p.usd_rmb),
        "required_revenue_usd_bn": _ratio(needed, p.usd_rmb),
        "required_revenue_week_usd_bn": _ratio(needed_week, p.usd_rmb),
        "required_factory_spend_usd_bn": _ratio(needed, p.usd_rmb * p.alibaba_share_pct / 100),
        "break_even_spend_rmb_m": be,
        "break_even_spend_usd_m": _ratio(be, p.usd_rmb),
        "break_even_alibaba_rmb_m": None if be is None else be * p.alibaba_share_pct / 100,
        "break_even_vs_assumed": _ratio(be, p.spend_per_factory_rmb_m),
        "break_even_factories": break_even_factories(needed, p.spend_per_factory_rmb_m, p.alibaba_share_pct),
        "break_even_week_spend_rmb_m": break_even_spend_rmb_m(needed_week, p.factories_adopting, p.alibaba_share_pct),
        "cloud_run_rate_usd_bn": run_rate_rmb / p.usd_rmb,
        "cloud_margin_pct": cloud_margin_pct(claims),
        "required_revenue_vs_cloud_pct": None if needed is None else 100 * needed / run_rate_rmb,
        "plan_revenue_vs_cloud_pct": 100 * out["plan_revenue_rmb_bn"] / run_rate_rmb,
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
    return sensitivity(p, cloud_ai.base_run_rate(p, claims), f_grid, s_grid, added)
