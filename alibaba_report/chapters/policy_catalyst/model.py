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


def after_tax(margin_pct: float, tax_rate_pct: float) -> float:
    """The share of revenue left as profit after tax, in percent: a pre-tax margin times (1 - tax).

    A P/E multiple prices profit after tax, so it applies to this, not to the pre-tax margin."""
    tax = check_number("tax_rate_pct", tax_rate_pct, low=0, high=100, high_open=True, unit="%")
    return margin_pct * (1 - tax / 100)


def plan_value_usd_bn(factories: float, spend_per_factory_rmb_m: float, usd_rmb: float, share_pct: float,
                      margin_pct: float, profit_multiple: float, *, tax_rate_pct: float) -> float:
    """Market value of the plan's business to Alibaba: yearly revenue × margin after tax × P/E.

    A steady-state value: it credits the full yearly spend at once, with no ramp-up and no delay,
    which flatters the plan (a reader who expects a slow ramp should read it as an upper bound).
    """
    margin = _share("margin_pct", margin_pct)
    multiple = check_number("profit_multiple", profit_multiple, low=0, low_open=True, unit="x yearly profit")
    revenue = plan_revenue_usd_bn(factories, spend_per_factory_rmb_m, usd_rmb, share_pct)
    return revenue * after_tax(margin, tax_rate_pct) / 100 * multiple


def required_revenue_usd_bn(value_usd_bn: float, margin_pct: float, profit_multiple: float, *,
                            tax_rate_pct: float) -> float:
    """Yearly revenue that, at ``margin_pct`` (pre-tax), taxed, and ``profit_multiple``, is worth ``value_usd_bn``."""
    value = check_number("value_usd_bn", value_usd_bn, unit="USD bn")
    margin = _share("margin_pct", margin_pct, allow_zero=False)
    kept_pct = after_tax(margin, tax_rate_pct)
    multiple = check_number("profit_multiple", profit_multiple, low=0, low_open=True, unit="x yearly profit")
    return value / (kept_pct / 100 * multiple)


def break_even_spend_rmb_m(value_usd_bn: float, factories: float, usd_rmb: float, share_pct: float,
                           margin_pct: float, profit_multiple: float, *, tax_rate_pct: float) -> float:
    """Yearly cloud and AI spend per factory (RMB m) at which the plan is worth ``value_usd_bn``.

    The inverse of :func:`plan_value_usd_bn` in the spend per factory.
    """
    n = check_number("factories", factories, low=0, low_open=True, unit="factories")
    fx = check_number("usd_rmb", usd_rmb, low=0, low_open=True, unit="RMB per USD")
    share = _share("share_pct", share_pct, allow_zero=False)
    revenue = required_revenue_usd_bn(value_usd_bn, margin_pct, profit_multiple, tax_rate_pct=tax_rate_pct)
    return revenue / (share / 100) * 1_000 * fx / n


def break_even_factories(value_usd_bn: float, spend_per_factory_rmb_m: float, usd_rmb: float, share_pct: float,
                         margin_pct: float, profit_multiple: float, *, tax_rate_pct: float) -> float:
    """Factories that must adopt, each spending ``spend_per_factory_rmb_m`` a year, for the plan to be worth ``value_usd_bn``."""
    spend = check_number("spend_per_factory_rmb_m", spend_per_factory_rmb_m, low=0, low_open=True, unit="RMB m a year")
    fx = check_number("usd_rmb", usd_rmb, low=0, low_open=True, unit="RMB per USD")
    share = _share("share_pct", share_pct, allow_zero=False)
    revenue = required_revenue_usd_bn(value_usd_bn, margin_pct, profit_multiple, tax_rate_pct=tax_rate_pct)
    return revenue / (share / 100) * 1_000 * fx / spend


def sensitivity(factories_grid: Sequence[float], spend_grid_rmb_m: Sequence[float], value_added: float,
                usd_rmb: float, share_pct: float, margin_pct: float, profit_multiple: float, *,
                tax_rate_pct: float) -> pd.DataFrame:
    """Plan value as a per cent of the value the move added, over factories × spend per factory.

    Rows: factories adopting; columns: yearly spend per factory (RMB m). 100 means the plan alone
    justifies the move; below 100, the rally priced in more than the plan brings.
    """
    added = check_number("value_added", value_added, low=0, low_open=True, unit="USD bn")
    if not len(factories_grid) or not len(spend_grid_rmb_m):
        raise ModelInputError("the sensitivity grids of factories and of spend per factory must not be empty")
    rows = {f: [100 * plan_value_usd_bn(f, s, usd_rmb, share_pct, margin_pct, profit_multiple, tax_rate_pct=tax_rate_pct) / added
                for s in spend_grid_rmb_m] for f in factories_grid}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(spend_grid_rmb_m))
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


def plan_cloud_profit_rmb_bn(plan_revenue_rmb_bn, run_rate_rmb_bn, cloud, start_years: float,
                             years: int) -> np.ndarray:
    """What the plan's yearly revenue adds to the cloud programme's EBITA, by programme year (RMB bn).

    The plan's revenue is cloud revenue, so it goes through the cloud chapter's own model
    (:func:`alibaba_report.chapters.cloud_ai.programme_years`): extra demand on the same programme from
    ``start_years`` after the cloud's reported quarter (:func:`~alibaba_report.chapters.cloud_ai.plan_demand_path`),
    earning the cloud's cash margin (``cloud.cash_margin_pct``, before depreciation) only where the
    programme's servers have capacity left; revenue they cannot serve earns nothing, and the capex's
    depreciation is the programme's with or without the plan. ``cloud`` holds the cloud chapter's
    parameters (numbers or arrays, as the model of value's draws). Vectorised like the cloud's model."""
    args = (run_rate_rmb_bn, cloud.cloud_growth_pct, cloud.cloud_growth_fade_pp, cloud.capex_rmb_bn, cloud.capex_years,
            cloud.asset_life_years, cloud.capex_turnover, cloud.utilisation_pct, cloud.cash_margin_pct)
    demand = cloud_ai.plan_demand_path(plan_revenue_rmb_bn, start_years, years)
    return (cloud_ai.programme_years(*args, extra_demand_rmb_bn=demand, years=years)["ebita_rmb_bn"]
            - cloud_ai.programme_years(*args, years=years)["ebita_rmb_bn"])


# --- the model under the parameters: every number the page shows -------------------------------


def compute(p, claims) -> dict[str, float]:
    """Every model figure under the parameters ``p`` (validated, as the notebook's ``P``) and the ledger."""
    v = lambda key: claims.value(CLAIMS[key])
    plan_args = (p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple)
    added = value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct)
    week = week_value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct, v("week_gain_pct"))
    revenue = plan_revenue_usd_bn(p.factories_adopting, p.spend_per_factory_rmb_m, p.usd_rmb, p.alibaba_share_pct)
    tax = {"tax_rate_pct": p.tax_rate_pct}
    plan = plan_value_usd_bn(p.factories_adopting, p.spend_per_factory_rmb_m, *plan_args, **tax)
    needed = required_revenue_usd_bn(added, p.margin_pct, p.profit_multiple, **tax)
    be = break_even_spend_rmb_m(added, p.factories_adopting, *plan_args, **tax)
    run_rate = cloud_run_rate_usd_bn(p, claims)
    close_usd = hk_vs_us.eur_to_usd(v("close_eur"), p.eur_usd)
    high_eur = hk_vs_us.high_52w_eur(claims)
    return {
        "value_added_usd_bn": added,
        "week_value_added_usd_bn": week,
        "factory_spend_rmb_bn": p.factories_adopting * p.spend_per_factory_rmb_m / 1_000,
        "factory_spend_usd_bn": factory_spend_usd_bn(p.factories_adopting, p.spend_per_factory_rmb_m, p.usd_rmb),
        "plan_revenue_usd_bn": revenue,
        "plan_profit_usd_bn": revenue * p.margin_pct / 100,
        "plan_profit_after_tax_usd_bn": revenue * after_tax(p.margin_pct, p.tax_rate_pct) / 100,
        "plan_value_usd_bn": plan,
        "plan_covers_pct": 100 * plan / added,
        "required_revenue_usd_bn": needed,
        "required_revenue_week_usd_bn": required_revenue_usd_bn(week, p.margin_pct, p.profit_multiple, **tax),
        "required_factory_spend_usd_bn": needed / (p.alibaba_share_pct / 100),
        "break_even_spend_rmb_m": be,
        "break_even_spend_usd_m": be / p.usd_rmb,
        "break_even_alibaba_rmb_m": be * p.alibaba_share_pct / 100,
        "break_even_vs_assumed": be / p.spend_per_factory_rmb_m,
        "break_even_factories": break_even_factories(added, p.spend_per_factory_rmb_m, *plan_args, **tax),
        "break_even_week_spend_rmb_m": break_even_spend_rmb_m(week, p.factories_adopting, *plan_args, **tax),
        "cloud_run_rate_usd_bn": run_rate,
        "cloud_margin_pct": cloud_margin_pct(claims),
        "required_revenue_vs_cloud_pct": 100 * needed / run_rate,
        "plan_revenue_vs_cloud_pct": 100 * revenue / run_rate,
        "compound_pct": compound_pct(v("us_gain_jan8_pct"), v("session_gain_pct")),
        "close_usd": close_usd,
        "change_jan4_to_close_pct": hk_vs_us.change_pct(close_usd, v("price_jan4_usd")),
        "implied_high_eur": high_eur,
        "implied_high_usd": hk_vs_us.eur_to_usd(high_eur, p.eur_usd),
    }


KEY_OUTPUT_KEYS = ("value_added_usd_bn", "plan_value_usd_bn", "plan_covers_pct", "break_even_spend_rmb_m",
                   "required_revenue_usd_bn", "required_revenue_vs_cloud_pct", "week_value_added_usd_bn")


def key_outputs(p, claims) -> dict[str, float]:
    """The few numbers the summary and the scenario comparison show."""
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
    return sensitivity(f_grid, s_grid, added, p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple,
                       tax_rate_pct=p.tax_rate_pct)
