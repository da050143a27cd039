"""The policy plan as cloud revenue: its yearly revenue runs through the cloud chapter's programme model
(:func:`alibaba_report.chapters.cloud_ai.programme_years`), the model of value's own reading, and
earns the cloud's cash margin only where the programme's servers have room. Its FY27 profit, its value
at the page's multiple, the most the servers' room allows, and the revenue at which it reaches a given
value (solved numerically: the value rises with the revenue, then stays flat once the servers are full).
Vectorised over numpy arrays. Re-exported by :mod:`.model`.
"""
from __future__ import annotations

import datetime as dt
import functools
import types

import numpy as np

from alibaba_report.chapters import cloud_ai
from alibaba_report.chapters.contract import check_number


PLAN_FY = 27  # the year the page reads: FY27 (April 2026 to March 2027), the plan's first full year, as the valuation
CLOUD_PROGRAMME = ("cloud_growth_pct", "cloud_growth_fade_pp", "capex_rmb_bn", "capex_years", "asset_life_years",
                   "capex_turnover", "utilisation_pct", "cash_margin_pct")  # shared with the cloud chapter


def cloud_programme(p) -> types.SimpleNamespace:
    """The cloud programme's assumptions in the parameters ``p`` (shared with the cloud chapter)."""
    return types.SimpleNamespace(**{k: getattr(p, k) for k in CLOUD_PROGRAMME})


def plan_share_of_fiscal_year(fy: int) -> float:
    """The share of fiscal year ``fy`` (1 April to 31 March) that falls on or after the plan's start,
    1 April 2026 (:data:`alibaba_report.synthesis.fiscal.PLAN_START`): 0 for FY26, 1 for FY27 on."""
    from alibaba_report.synthesis.fiscal import FISCAL_YEAR_FIRST_MONTH, PLAN_START

    first, end = dt.date(1999 + fy, FISCAL_YEAR_FIRST_MONTH, 1), dt.date(2000 + fy, FISCAL_YEAR_FIRST_MONTH, 1)
    return max(0, (end - max(first, PLAN_START)).days) / (end - first).days


def plan_fiscal_years(plan_revenue_rmb_bn, run_rate_rmb_bn, cloud, fys) -> dict[str, dict[int, np.ndarray]]:
    """The plan by fiscal year (``fys``, e.g. ``(26, 27, 28)``), as the page and the model of value read
    it (RMB bn, each ``{fy: array}``): its demand (``demand_rmb_bn``), the part the cloud programme's
    servers serve (``served_rmb_bn``) and the EBITA it adds (``profit_rmb_bn``).

    The plan's revenue is cloud revenue, so it is demand on the cloud chapter's own programme
    (:func:`alibaba_report.chapters.cloud_ai.programme_years`): a fiscal year's demand is the yearly
    revenue times the share of the year after the plan starts (:func:`plan_share_of_fiscal_year`); the
    servers serve it only up to the room they have left after the cloud's own growth (capacity less what
    the programme earns without the plan, read at the middle of the fiscal year with
    :func:`~alibaba_report.chapters.cloud_ai.at_time`); what they serve earns the cloud's cash margin
    (``cloud.cash_margin_pct``, before depreciation). Revenue they cannot serve earns nothing, and the
    capex's depreciation is the programme's with or without the plan, so the plan's EBITA is its cash
    profit. ``cloud`` holds the programme's parameters (numbers or arrays, as the model of value's
    draws). The page's FY27 profit and the valuation's are this one call."""
    from alibaba_report.synthesis.cloud_value import PROGRAMME_YEARS
    from alibaba_report.synthesis.fiscal import years_to_fiscal_middle

    room = _room(run_rate_rmb_bn, tuple(getattr(cloud, k) for k in CLOUD_PROGRAMME), PROGRAMME_YEARS)
    revenue = np.asarray(plan_revenue_rmb_bn, dtype=float)
    margin = np.asarray(cloud.cash_margin_pct, dtype=float)
    out: dict[str, dict[int, np.ndarray]] = {"demand_rmb_bn": {}, "served_rmb_bn": {}, "profit_rmb_bn": {}}
    for fy in fys:
        demand = revenue * plan_share_of_fiscal_year(fy)
        served = np.minimum(demand, cloud_ai.at_time(room, years_to_fiscal_middle(fy)))
        out["demand_rmb_bn"][fy], out["served_rmb_bn"][fy] = demand, served
        out["profit_rmb_bn"][fy] = served * margin / 100
    return out


def _room(run_rate_rmb_bn, programme: tuple, years: int) -> np.ndarray:
    """The servers' room by programme year (capacity less what the programme earns without the plan).
    For plain numbers it is computed once: the page's solvers ask for the same programme thousands of
    times with only the plan's revenue changing (29,000 runs of the programme in one test-fast run)."""
    values = (run_rate_rmb_bn, *programme)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return _room_of_numbers(*(float(v) for v in values), years=years)
    own = cloud_ai.programme_years(*values, years=years)
    return own["capacity_rmb_bn"] - own["earned_rmb_bn"]


@functools.lru_cache(maxsize=1024)
def _room_of_numbers(*values: float, years: int) -> np.ndarray:
    own = cloud_ai.programme_years(*values, years=years)
    room = own["capacity_rmb_bn"] - own["earned_rmb_bn"]
    room.setflags(write=False)  # shared by every caller: never changed in place
    return room


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
