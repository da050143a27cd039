"""Cloud and AI: how fast the cloud grows, and whether the AI capital expenditure can pay back.

Two small models, both yearly, counted from the quarter boerse-global.de (4 January) reports (year 0 is that quarter's
revenue annualised; year 1 is the four quarters after it, and so on).

**Revenue path.** The annualised run-rate ``R(0) = 4 x quarterly revenue`` (converted to RMB with
the shared ``usd_rmb`` rate) grows at ``g(1)`` in year 1, and growth fades by ``fade`` percentage
points each later year, never below zero::

    g(t) = max(g(1) - fade * (t - 1), 0)        R(t) = R(t-1) * (1 + g(t))

``R(t)`` is the run-rate at the end of year ``t``. The AI share of it moves in a straight line from
its start to its target over ``ai_share_years`` years, then stays at the target.

**Payback of the capex programme.** The programme (RMB ``capex``) is spent in equal tranches over
``capex_years`` years. Each tranche goes into service through the year it is bought (half a year
on average), serves ``asset_life`` years and is depreciated straight-line over them (the
half-year convention: half a year's depreciation in the first and in the last calendar year).
In year ``t``:

* demand: the revenue above the year-0 run-rate that the growth path brings, ``D(t)``, the average
  of the increments at the start and at the end of the year (a year earns about the average of its
  opening and closing run-rates);
* capacity: what the programme's assets in service could earn,
  ``K(t) x turnover x utilisation``, where ``turnover`` is the yearly revenue one yuan of capex
  earns when fully used and ``utilisation`` the share of capacity that can be sold;
* revenue the programme earns: ``E(t) = min(D(t), capacity)`` -- it cannot earn more than the
  demand growth brings, nor more than its servers can serve;
* cash profit ``E(t) x cash_margin`` (before the programme's depreciation), programme EBITA after
  depreciation, and the cumulative cash position (cash profit less capex).

The programme pays back in the first year its cumulative cash position reaches zero, or not within
the horizon, which ends when the last tranche is fully depreciated (beyond it the servers are worn
out and would need new capex). The return is the internal rate of return of the yearly cash flows
(pre-tax, no terminal value) and the cash multiple (cash profit over the assets' life / capex).

The chapter follows the contract of :mod:`alibaba_report.chapters.contract`: :data:`CLAIMS`,
:func:`compute` (every number and table the page shows), :func:`key_outputs`, :func:`signposts`,
:func:`prose` (the page's computed sentences, each from a small function below) and the ``chart_*``
functions. :func:`annual_run_rate_rmb_bn` and :func:`margin_pct` are the book's one place for the
cloud's run-rate and margin; other chapters import them.

Every model function is pure (numbers in, numbers out, no I/O); amounts are RMB billions, rates
are percentages (35 means 35 %).
"""
from __future__ import annotations

import math
import re
import types
from typing import Any, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from alibaba_report import params
from alibaba_report.chapters.contract import ModelInputError, Signpost, check_number
from alibaba_report.charts import style

NOTEBOOK = "cloud_ai"

# Ledger claims the chapter uses (data/claims.csv), by role.
CLAIMS = {
    # boerse-global.de (4 Jan 2026): the latest reported quarter, FY26Q2 (July-September 2025)
    "revenue_usd_bn": "cloud_revenue_fq2_fy26_s004",
    "revenue_growth": "cloud_revenue_growth_fq2_fy26_s004",
    "ebita_usd_m": "cloud_ebitda_fq2_fy26_s004",
    "ebita_growth": "cloud_ebitda_growth_fq2_fy26_s004",
    "capex_growth": "group_capex_growth_fq2_fy26_s004",
    "qwen_downloads_004": "qwen_downloads_s004",
    # the unsigned article (8 Jan 2026): brokers and the growth bar
    "citi_growth": "citi_cloud_revenue_growth_annual",
    "gs_capex": "gs_capex_fy26_fy28",
    "growth_bar": "cloud_revenue_growth_current_s000",
    "ai_growth_000": "ai_revenue_growth_s000",
    "ai_streak": "ai_revenue_triple_digit_streak_s000",
    # AInvest (12 Jan 2026, written by an AI agent)
    "growth_001": "cloud_revenue_growth_last_q_s001",
    "core_growth_001": "china_commerce_revenue_growth_last_q_s001",
    "qwen_downloads_001": "qwen_downloads_s001",
    # the unsigned article (14 Jan 2026)
    "exec_share_target": "exec_ai_cloud_incremental_share_target_s002",
    # the undated opinion post
    "growth_003": "cloud_revenue_growth_s003",
    "ai_growth_003": "ai_revenue_growth_s003",
    "ai_share": "ai_share_of_external_cloud_revenue_s003",
    "ai_share_target": "ai_share_of_external_cloud_revenue_target_s003",
    "capex_003": "capex_total_s003",
    "capex_ahead_years": "capex_ahead_of_monetisation_years_s003",
}

# Grids of the sensitivity tables (the scenario's own value is always added).
GROWTH_GRID_PCT = [20.0, 25.0, 30.0, 35.0, 40.0, 45.0]
MARGIN_GRID_PCT = [20.0, 30.0, 40.0, 50.0, 60.0]
UTILISATION_GRID_PCT = [50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
TURNOVER_GRID = [0.3, 0.4, 0.5, 0.6, 0.8, 1.0]
LIFE_GRID_YEARS = [4, 5, 6, 7]

# One name for the segment profit on every page: boerse-global.de's word, and what Alibaba reports.
PROFIT_LABEL = "the segment profit boerse-global.de (4 January) calls EBITDA (Alibaba reports it as adjusted EBITA)"

# The scenarios compared at the end of the page, in the order the table shows them.
SCENARIOS = ("base", "bull", "bear")


# --- what the reported quarter says ----------------------------------------------------------

def annual_run_rate_rmb_bn(quarter_revenue_usd_bn: float, usd_rmb: float) -> float:
    """A quarter's revenue (USD bn) annualised (x4) and converted to RMB bn.

    The book's one computation of the cloud's run-rate: other chapters import it.
    """
    check_number("quarter_revenue_usd_bn", quarter_revenue_usd_bn, low=0, low_open=True, unit="USD bn")
    check_number("usd_rmb", usd_rmb, low=0, low_open=True, unit="RMB per USD")
    return 4.0 * quarter_revenue_usd_bn * usd_rmb


def margin_pct(profit: float, revenue: float) -> float:
    """Profit as a percentage of revenue (same units for both).

    The book's one computation of the cloud's margin: other chapters import it.
    """
    check_number("profit", profit)
    check_number("revenue", revenue, low=0, low_open=True)
    return 100.0 * float(profit) / revenue


def incremental_margin_pct(revenue: float, revenue_growth_pct: float, profit: float, profit_growth_pct: float) -> float:
    """Year-on-year change in profit over change in revenue, from the current values and growth rates.

    With revenue ``R`` up ``g`` % and profit ``P`` up ``h`` %, last year's were ``R/(1+g)`` and
    ``P/(1+h)``; the incremental margin is ``(P - P/(1+h)) / (R - R/(1+g))``.
    """
    check_number("revenue", revenue, low=0, low_open=True)
    check_number("revenue_growth_pct", revenue_growth_pct, low=0, low_open=True, unit="%")
    check_number("profit_growth_pct", profit_growth_pct, low=-100, low_open=True, unit="%")
    d_rev = revenue - revenue / (1 + revenue_growth_pct / 100)
    d_profit = profit - profit / (1 + profit_growth_pct / 100)
    return 100.0 * d_profit / d_rev


# --- revenue path ----------------------------------------------------------------------------

def growth_path_pct(first_year_pct: float, fade_pp: float, years: int) -> np.ndarray:
    """Yearly growth for years 1..``years``: ``first_year_pct`` fading by ``fade_pp`` a year, floor 0."""
    check_number("first_year_pct", first_year_pct, low=0, unit="% a year")
    check_number("fade_pp", fade_pp, low=0, unit="percentage points a year")
    years = check_number("years", years, low=1, integer=True)
    return np.maximum(first_year_pct - fade_pp * np.arange(years), 0.0)


def revenue_path(base_rmb_bn: float, growth_pct: Sequence[float]) -> np.ndarray:
    """Run-rate at the end of years 0..n: ``base`` then compounded by each year's growth."""
    check_number("base_rmb_bn", base_rmb_bn, low=0, low_open=True, unit="RMB bn")
    g = np.asarray(growth_pct, dtype=float)
    if g.ndim != 1 or np.any(g <= -100) or not np.all(np.isfinite(g)):
        raise ModelInputError(f"growth_pct must be a list of yearly growth rates above -100 %, got {list(g.ravel())}")
    return base_rmb_bn * np.concatenate([[1.0], np.cumprod(1 + g / 100)])


def ai_share_path_pct(start_pct: float, target_pct: float, years_to_target: int, years: int) -> np.ndarray:
    """AI share of cloud revenue at the end of years 0..``years``: straight line to target, then flat."""
    check_number("start_pct", start_pct, low=0, high=100, unit="%")
    check_number("target_pct", target_pct, low=0, high=100, unit="%")
    years_to_target = check_number("years_to_target", years_to_target, low=1, integer=True)
    years = check_number("years", years, low=1, integer=True)
    t = np.arange(years + 1)
    return start_pct + (target_pct - start_pct) * np.minimum(t / years_to_target, 1.0)


def revenue_table(base_rmb_bn: float, first_year_growth_pct: float, fade_pp: float, years: int,
                  ai_start_pct: float, ai_target_pct: float, ai_years: int, usd_rmb: float) -> pd.DataFrame:
    """The revenue path by year (0..``years``) with its AI and non-AI parts, in RMB and USD."""
    check_number("usd_rmb", usd_rmb, low=0, low_open=True, unit="RMB per USD")
    g = growth_path_pct(first_year_growth_pct, fade_pp, years)
    rev = revenue_path(base_rmb_bn, g)
    share = ai_share_path_pct(ai_start_pct, ai_target_pct, ai_years, years)
    ai = rev * share / 100
    return pd.DataFrame({
        "year": np.arange(years + 1),
        "growth_pct": np.concatenate([[np.nan], g]),
        "revenue_rmb_bn": rev,
        "revenue_usd_bn": rev / usd_rmb,
        "ai_share_pct": share,
        "ai_revenue_rmb_bn": ai,
        "other_revenue_rmb_bn": rev - ai,
    })


def implied_growth_pct(table: pd.DataFrame, column: str, year: int = 1) -> float:
    """Growth of ``column`` from year ``year - 1`` to ``year`` in a :func:`revenue_table`."""
    before = float(table[column].iloc[year - 1])
    if before <= 0:
        return math.nan
    return 100.0 * (float(table[column].iloc[year]) / before - 1)


# --- payback of the capex programme ----------------------------------------------------------

def horizon_years(capex_years: int, asset_life_years: int) -> int:
    """Years until the last tranche is fully depreciated (half-year convention)."""
    return (check_number("capex_years", capex_years, low=1, integer=True, unit="years")
            + check_number("asset_life_years", asset_life_years, low=1, integer=True, unit="years"))


def capex_schedule(capex_rmb_bn: float, capex_years: int, years: int) -> np.ndarray:
    """Capex spent in years 1..``years``: equal tranches over the first ``capex_years``."""
    check_number("capex_rmb_bn", capex_rmb_bn, low=0, low_open=True, unit="RMB bn")
    capex_years = check_number("capex_years", capex_years, low=1, integer=True, unit="years")
    years = check_number("years", years, low=capex_years, integer=True, unit="years")
    out = np.zeros(years)
    out[:capex_years] = capex_rmb_bn / capex_years
    return out


def in_service(capex_years: int, asset_life_years: int, years: int) -> np.ndarray:
    """Share of each tranche (rows: tranche bought in year s) in service in each year t (columns).

    Half-year convention: 0.5 in the year bought, 1 for the next ``life - 1`` years, 0.5 in the
    year after that; each row sums to the asset life.
    """
    capex_years = check_number("capex_years", capex_years, low=1, integer=True, unit="years")
    life = check_number("asset_life_years", asset_life_years, low=1, integer=True, unit="years")
    years = check_number("years", years, low=1, integer=True, unit="years")
    s = np.arange(capex_years)[:, None]
    t = np.arange(years)[None, :]
    return np.where((t == s) | (t == s + life), 0.5, np.where((s < t) & (t < s + life), 1.0, 0.0))


def _check_programme(revenue_rmb_bn: Sequence[float], capex_rmb_bn: float, capex_years: int,
                     asset_life_years: int) -> tuple[np.ndarray, int]:
    """The revenue path as an array covering the programme's horizon, and the horizon."""
    n = horizon_years(capex_years, asset_life_years)
    rev = np.asarray(revenue_rmb_bn, dtype=float)
    if rev.ndim != 1 or len(rev) < n + 1:
        raise ModelInputError(f"revenue_rmb_bn must give years 0..{n} (the programme's horizon), got {len(rev)} values")
    check_number("capex_rmb_bn", capex_rmb_bn, low=0, low_open=True, unit="RMB bn")
    return rev, n


def _fleet(rev: np.ndarray, n: int, capex_rmb_bn: float, capex_years: int,
           asset_life_years: int) -> dict[str, np.ndarray]:
    """What does not depend on turnover, utilisation or margin: demand, spend, assets, depreciation."""
    inc = rev[: n + 1] - rev[0]
    frac = in_service(capex_years, asset_life_years, n).sum(axis=0)
    tranche = capex_rmb_bn / capex_years
    return {
        "demand": (inc[:-1] + inc[1:]) / 2,
        "spend": capex_schedule(capex_rmb_bn, capex_years, n),
        "gross_in_service": tranche * frac,
        "depreciation": tranche / asset_life_years * frac,
    }


def _multiple(fleet: dict[str, np.ndarray], full_use: np.ndarray, utilisation_pct: float,
              cash_margin_pct: float) -> float:
    """Cash multiple from a :func:`_fleet` and the revenue its assets earn at full use (the bisections' step)."""
    earned = np.minimum(fleet["demand"], full_use * utilisation_pct / 100)
    return float((earned * cash_margin_pct / 100).sum() / fleet["spend"].sum())


def payback_arrays(revenue_rmb_bn: Sequence[float], capex_rmb_bn: float, capex_years: int, asset_life_years: int,
                   capex_turnover: float, utilisation_pct: float, cash_margin_pct: float) -> dict[str, np.ndarray]:
    """The columns of :func:`payback_table` as arrays (what the sensitivity grids compute with)."""
    rev, n = _check_programme(revenue_rmb_bn, capex_rmb_bn, capex_years, asset_life_years)
    check_number("capex_turnover", capex_turnover, low=0, low_open=True, unit="RMB of yearly revenue per RMB of capex")
    check_number("utilisation_pct", utilisation_pct, low=0, high=100, unit="% of capacity")
    check_number("cash_margin_pct", cash_margin_pct, low=0, high=100, unit="% of revenue")
    f = _fleet(rev, n, capex_rmb_bn, capex_years, asset_life_years)
    full_use = f["gross_in_service"] * capex_turnover
    capacity = full_use * utilisation_pct / 100
    earned = np.minimum(f["demand"], capacity)
    cash = earned * cash_margin_pct / 100
    net = cash - f["spend"]
    with np.errstate(divide="ignore", invalid="ignore"):
        used = np.where(full_use > 0, 100 * earned / full_use, np.nan)
        needed = f["depreciation"] / (cash_margin_pct / 100) if cash_margin_pct > 0 else np.full(n, np.inf)
    return {
        "year": np.arange(1, n + 1),
        "capex_rmb_bn": f["spend"],
        "demand_rmb_bn": f["demand"],
        "capacity_rmb_bn": capacity,
        "earned_rmb_bn": earned,
        "utilisation_used_pct": used,
        "needed_rmb_bn": needed,
        "cash_profit_rmb_bn": cash,
        "depreciation_rmb_bn": f["depreciation"],
        "ebita_rmb_bn": cash - f["depreciation"],
        "net_cash_rmb_bn": net,
        "cumulative_cash_rmb_bn": np.cumsum(net),
    }


def payback_table(revenue_rmb_bn: Sequence[float], capex_rmb_bn: float, capex_years: int, asset_life_years: int,
                  capex_turnover: float, utilisation_pct: float, cash_margin_pct: float) -> pd.DataFrame:
    """The programme year by year (years 1..horizon).

    ``revenue_rmb_bn`` is the run-rate path for years 0..n with n at least the horizon
    (:func:`horizon_years`); only the increments above year 0 count as demand for the programme.
    """
    return pd.DataFrame(payback_arrays(revenue_rmb_bn, capex_rmb_bn, capex_years, asset_life_years,
                                       capex_turnover, utilisation_pct, cash_margin_pct))


def _first_year(mask, years) -> int | None:
    hit = np.asarray(years)[np.asarray(mask, dtype=bool)]
    return int(hit[0]) if len(hit) else None


def payback_year(table) -> int | None:
    """First year whose cumulative cash position is at or above zero; None if none in the table."""
    return _first_year(np.asarray(table["cumulative_cash_rmb_bn"]) >= -1e-9, table["year"])


def irr_pct(cash_flows: Sequence[float]) -> float:
    """Internal rate of return (% a year) of yearly cash flows paid at the end of years 1, 2, ...

    Found by bisection between -99 % and +1000 %; NaN when the flows never change sign (no rate
    makes their present value zero), so a programme that earns nothing has no return to show.
    """
    cf = np.asarray(cash_flows, dtype=float)
    if cf.ndim != 1 or len(cf) == 0 or not np.all(np.isfinite(cf)):
        raise ModelInputError(f"cash_flows must be a non-empty list of finite numbers, got {list(cf.ravel())}")
    if not (np.any(cf > 0) and np.any(cf < 0)):
        return math.nan
    t = np.arange(1, len(cf) + 1)

    def npv(r: float) -> float:
        return float(np.sum(cf / (1 + r) ** t))

    lo, hi = -0.99, 10.0
    f_lo, f_hi = npv(lo), npv(hi)
    if f_lo * f_hi > 0:
        return math.nan
    for _ in range(200):
        mid = (lo + hi) / 2
        f_mid = npv(mid)
        if f_lo * f_mid <= 0:
            hi = mid
        else:
            lo, f_lo = mid, f_mid
    return 100 * (lo + hi) / 2


def cash_multiple(table) -> float:
    """Cash profit over the horizon divided by the capex: 1.0 means the programme just pays back."""
    return float(np.asarray(table["cash_profit_rmb_bn"]).sum() / np.asarray(table["capex_rmb_bn"]).sum())


def breakeven_margin_pct(table) -> float:
    """The cash margin at which the programme's cash profit over its life equals its capex.

    Cash profit is linear in the margin, so this is capex / revenue earned (can exceed 100: then
    no margin pays back). Inf if the programme earns nothing.
    """
    earned = float(np.asarray(table["earned_rmb_bn"]).sum())
    return math.inf if earned <= 0 else 100.0 * float(np.asarray(table["capex_rmb_bn"]).sum()) / earned


def _bisect_lowest(multiple, highest: float, skip_zero: bool = False) -> float | None:
    """The lowest x in (0, highest] with ``multiple(x) >= 1`` (multiple never falls as x rises)."""
    if multiple(highest) < 1.0:
        return None
    lo, hi = 0.0, highest
    for _ in range(60):
        mid = (lo + hi) / 2
        if (mid > 0 or not skip_zero) and multiple(mid) >= 1.0:
            hi = mid
        else:
            lo = mid
    return hi


def breakeven_utilisation_pct(revenue_rmb_bn: Sequence[float], capex_rmb_bn: float, capex_years: int,
                              asset_life_years: int, capex_turnover: float, cash_margin_pct: float) -> float | None:
    """The lowest utilisation (%) at which the programme pays back within its assets' life.

    Revenue earned never falls as utilisation rises, so bisection finds it; None when even full
    use does not pay back (demand or margin too low).
    """
    rev, n = _check_programme(revenue_rmb_bn, capex_rmb_bn, capex_years, asset_life_years)
    check_number("capex_turnover", capex_turnover, low=0, low_open=True, unit="RMB of yearly revenue per RMB of capex")
    check_number("cash_margin_pct", cash_margin_pct, low=0, high=100, unit="% of revenue")
    f = _fleet(rev, n, capex_rmb_bn, capex_years, asset_life_years)
    full_use = f["gross_in_service"] * capex_turnover
    return _bisect_lowest(lambda u: _multiple(f, full_use, u, cash_margin_pct), 100.0)


def breakeven_turnover(revenue_rmb_bn: Sequence[float], capex_rmb_bn: float, capex_years: int,
                       asset_life_years: int, utilisation_pct: float, cash_margin_pct: float,
                       highest: float = 10.0) -> float | None:
    """The lowest capital turnover (yearly revenue per yuan of capex at full use) that pays back.

    Revenue earned never falls as turnover rises, so bisection finds it; None when even
    ``highest`` does not pay back (then demand, not capacity, caps what the programme earns, or
    the margin is too thin).
    """
    check_number("highest", highest, low=0, low_open=True)
    rev, n = _check_programme(revenue_rmb_bn, capex_rmb_bn, capex_years, asset_life_years)
    check_number("utilisation_pct", utilisation_pct, low=0, high=100, unit="% of capacity")
    check_number("cash_margin_pct", cash_margin_pct, low=0, high=100, unit="% of revenue")
    f = _fleet(rev, n, capex_rmb_bn, capex_years, asset_life_years)
    return _bisect_lowest(lambda k: _multiple(f, f["gross_in_service"] * k, utilisation_pct, cash_margin_pct),
                          highest, skip_zero=True)


# --- the model under one parameter set -------------------------------------------------------

def with_changes(p: Any, **changes) -> Any:
    """A copy of parameter set ``p`` with some values changed (for sensitivities)."""
    return types.SimpleNamespace(**{**vars(p), **changes})


def project(p: Any, base_rmb_bn: float, detail: bool = True) -> dict[str, Any]:
    """Revenue path and programme payback for parameters ``p`` from the year-0 run-rate.

    With ``detail`` (the default) the result holds the revenue and payback tables and the
    break-even utilisation and turnover; without, only the figures the sensitivity grids and
    the scenario comparison read (much faster: no tables, no bisections).
    """
    n = horizon_years(p.capex_years, p.asset_life_years)
    if detail:
        rev = revenue_table(base_rmb_bn, p.cloud_growth_pct, p.cloud_growth_fade_pp, n, p.ai_share_start_pct,
                            p.ai_share_target_pct, p.ai_share_years, p.usd_rmb)
        revenue = rev["revenue_rmb_bn"].to_numpy()
    else:
        revenue = revenue_path(base_rmb_bn, growth_path_pct(p.cloud_growth_pct, p.cloud_growth_fade_pp, n))
    pay = payback_arrays(revenue, p.capex_rmb_bn, p.capex_years, p.asset_life_years,
                         p.capex_turnover, p.utilisation_pct, p.cash_margin_pct)
    year = payback_year(pay)
    out = {
        "revenue_rmb_bn": revenue,
        "horizon_years": n,
        "capex_years": p.capex_years,
        "payback_year": year,
        "payback_label": payback_label(year),
        "irr_pct": irr_pct(pay["net_cash_rmb_bn"]),
        "cash_multiple": cash_multiple(pay),
        "breakeven_margin_pct": breakeven_margin_pct(pay),
        "peak_earned_rmb_bn": float(pay["earned_rmb_bn"].max()),
        "capacity_binds_from": _first_year(pay["demand_rmb_bn"] > pay["capacity_rmb_bn"] + 1e-9, pay["year"]),
        "first_ebita_positive_year": _first_year(pay["ebita_rmb_bn"] > 0, pay["year"]),
    }
    if detail:
        out.update({
            "revenue": rev,
            "payback": pd.DataFrame(pay),
            "breakeven_utilisation_pct": breakeven_utilisation_pct(
                revenue, p.capex_rmb_bn, p.capex_years, p.asset_life_years, p.capex_turnover, p.cash_margin_pct),
            "breakeven_turnover": breakeven_turnover(
                revenue, p.capex_rmb_bn, p.capex_years, p.asset_life_years, p.utilisation_pct, p.cash_margin_pct),
        })
    return out


DETAIL_ONLY = ("revenue", "payback", "breakeven_utilisation_pct", "breakeven_turnover")


def sensitivity_grids(p: Any, base_rmb_bn: float, rows: tuple[str, Sequence[float]],
                      cols: tuple[str, Sequence[float]], metrics: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Tables of several ``metrics`` (keys of :func:`project`) over two parameters, the others at
    ``p``: the model runs once per cell, whatever the number of metrics."""
    (rname, rvals), (cname, cvals) = rows, cols
    for name in (rname, cname):
        if not hasattr(p, name):
            raise ModelInputError(f"sensitivity over unknown parameter {name!r}; parameters: {', '.join(vars(p))}")
    detail = any(m in DETAIL_ONLY for m in metrics)
    cells = {(r, c): project(with_changes(p, **{rname: r, cname: c}), base_rmb_bn, detail=detail)
             for c in cvals for r in rvals}
    index = pd.Index(list(rvals), name=rname)
    return {m: pd.DataFrame({c: [cells[r, c][m] for r in rvals] for c in cvals}, index=index) for m in metrics}


def sensitivity(p: Any, base_rmb_bn: float, rows: tuple[str, Sequence[float]], cols: tuple[str, Sequence[float]],
                metric: str = "payback_label") -> pd.DataFrame:
    """A table of ``metric`` (a key of :func:`project`) over two parameters, the others at ``p``."""
    return sensitivity_grids(p, base_rmb_bn, rows, cols, (metric,))[metric]


def grid_with(values: Sequence[float], own: float) -> list[float]:
    """A sensitivity grid with the scenario's own value added (sorted, no duplicates)."""
    return sorted(set(float(v) for v in values) | {float(own)})


def reported(p: Any, claims) -> dict[str, float]:
    """What the reported quarter says: revenue in RMB, margin, incremental margin."""
    rev_usd = claims.value(CLAIMS["revenue_usd_bn"])
    ebita_usd_m = claims.value(CLAIMS["ebita_usd_m"])
    return {
        "quarter_revenue_usd_bn": rev_usd,
        "quarter_revenue_rmb_bn": rev_usd * p.usd_rmb,
        "run_rate_rmb_bn": annual_run_rate_rmb_bn(rev_usd, p.usd_rmb),
        "margin_pct": margin_pct(ebita_usd_m / 1000, rev_usd),
        "incremental_margin_pct": incremental_margin_pct(
            rev_usd, claims.value(CLAIMS["revenue_growth"]), ebita_usd_m / 1000, claims.value(CLAIMS["ebita_growth"])),
    }


def base_run_rate(p: Any, claims) -> float:
    """The reported quarter's cloud revenue annualised, in RMB bn (through ``p.usd_rmb``)."""
    return annual_run_rate_rmb_bn(claims.value(CLAIMS["revenue_usd_bn"]), p.usd_rmb)


def _key_outputs(p: Any, rep: dict[str, float], res: dict[str, Any]) -> dict[str, Any]:
    base = rep["run_rate_rmb_bn"]
    return {
        "cloud_run_rate_rmb_bn": base,
        "cloud_margin_pct": rep["margin_pct"],
        "capex_to_revenue_x": p.capex_rmb_bn / base,
        "revenue_end_of_programme_rmb_bn": float(res["revenue_rmb_bn"][p.capex_years]),
        "payback": res["payback_label"],
        "payback_year": res["payback_year"],
        "return_on_capex_pct": res["irr_pct"],
        "cash_multiple_x": res["cash_multiple"],
        "breakeven_margin_pct": res["breakeven_margin_pct"],
    }


def key_outputs(p: Any, claims) -> dict[str, Any]:
    """The few numbers the summary and the scenario comparison show."""
    rep = reported(p, claims)
    return _key_outputs(p, rep, project(p, rep["run_rate_rmb_bn"], detail=False))


def implied_turnover(base_rmb_bn: float, growth_pct: float, years: int, capex_rmb_bn: float) -> float:
    """Revenue added per yuan of capex if growth ``growth_pct`` holds for ``years`` while ``capex`` is spent.

    ``base x ((1 + g) ** years - 1) / capex``: what two forecasts made separately (a growth rate
    and a capex total) imply together about the capital turnover of the spending.
    """
    check_number("capex_rmb_bn", capex_rmb_bn, low=0, low_open=True, unit="RMB bn")
    g = growth_path_pct(growth_pct, 0, years)
    return float(revenue_path(base_rmb_bn, g)[-1] - base_rmb_bn) / capex_rmb_bn


def fiscal_years_in(period: str) -> int:
    """Number of fiscal years a ledger period such as 'FY2026-FY2028' spans (3)."""
    m = re.fullmatch(r"\s*FY(\d{4})\s*-\s*FY(\d{4})\s*", period or "")
    if not m or int(m.group(2)) < int(m.group(1)):
        raise ModelInputError(f"expected a period like 'FY2026-FY2028', got {period!r}")
    return int(m.group(2)) - int(m.group(1)) + 1


def brokers_turnover(p: Any, claims) -> dict[str, float]:
    """What Citi's growth and Goldman Sachs' capex imply together about capital turnover.

    Citi's yearly growth held over the fiscal years of Goldman Sachs' forecast, from the reported
    run-rate: the yearly revenue it adds, and that revenue per yuan of Goldman Sachs' capex.
    """
    gs = claims.get(CLAIMS["gs_capex"])
    years = fiscal_years_in(gs.period)
    base = base_run_rate(p, claims)
    turnover = implied_turnover(base, claims.value(CLAIMS["citi_growth"]), years, gs.value)
    return {"years": years, "added_rmb_bn": turnover * gs.value, "turnover": turnover}


def scenario_parameters(name: str) -> types.SimpleNamespace:
    """The chapter's parameters under scenario ``name`` (the page compares them whatever it runs with)."""
    return types.SimpleNamespace(**params.scenario_parameters(name, NOTEBOOK))


def chart_years(p: Any) -> int:
    """The last year the AI-share chart shows: a year past the later of the spending and the AI ramp
    (never past the horizon)."""
    return min(max(p.capex_years, p.ai_share_years) + 1, horizon_years(p.capex_years, p.asset_life_years))


def _model(p: Any, claims) -> dict[str, Any]:
    """Every model result the page reads (no display tables): the base for :func:`compute` and :func:`prose`."""
    rep = reported(p, claims)
    base = rep["run_rate_rmb_bn"]
    res = project(p, base)
    rev = res["revenue"]
    scenarios = {}
    for name in SCENARIOS:
        sp = scenario_parameters(name)
        srep = reported(sp, claims)
        sres = project(sp, srep["run_rate_rmb_bn"], detail=False)
        scenarios[name] = {"outputs": _key_outputs(sp, srep, sres), "result": sres}
    return {
        "reported": rep,
        "base_rmb_bn": base,
        "result": res,
        "revenue": rev,
        "payback": res["payback"],
        "ai_growth_y1_pct": implied_growth_pct(rev, "ai_revenue_rmb_bn"),
        "other_growth_y1_pct": implied_growth_pct(rev, "other_revenue_rmb_bn"),
        "brokers": brokers_turnover(p, claims),
        # the undated post's smaller programme, one more year of server life, every server sold
        "smaller": project(with_changes(p, capex_rmb_bn=claims.value(CLAIMS["capex_003"])), base, detail=False),
        "longer_life": project(with_changes(p, asset_life_years=p.asset_life_years + 1), base, detail=False),
        "full_use": project(with_changes(p, utilisation_pct=100.0), base, detail=False),
        "scenarios": scenarios,
    }


# Claims whose values the page quotes in its prose (glued as c_<role>).
QUOTED_ROLES = ("revenue_usd_bn", "revenue_growth", "ebita_usd_m", "ebita_growth", "capex_growth", "citi_growth",
                "growth_bar", "growth_001", "core_growth_001", "growth_003", "ai_growth_000", "ai_streak", "ai_share",
                "ai_share_target", "exec_share_target", "gs_capex", "capex_003", "qwen_downloads_004",
                "qwen_downloads_001")


def page_numbers(p: Any, claims, m: dict[str, Any]) -> dict[str, float | int]:
    """Every number the page's prose quotes, by the name it is glued under."""
    v = claims.value
    rep, res, pay, rev, brokers = m["reported"], m["result"], m["payback"], m["revenue"], m["brokers"]
    base = m["base_rmb_bn"]
    end = rev.iloc[p.capex_years]
    q004, q001 = claims.get(CLAIMS["qwen_downloads_004"]), claims.get(CLAIMS["qwen_downloads_001"])
    return {
        **{f"c_{role}": float(v(CLAIMS[role])) for role in QUOTED_ROLES},
        **{k: float(rep[k])
           for k in ("quarter_revenue_rmb_bn", "run_rate_rmb_bn", "margin_pct", "incremental_margin_pct")},
        "gs_x_revenue": v(CLAIMS["gs_capex"]) / rep["run_rate_rmb_bn"],
        "growth_gap_pp": v(CLAIMS["growth_003"]) - v(CLAIMS["revenue_growth"]),
        "qwen_gap_m": q001.value - q004.value,
        "qwen_days": (q001.as_of - q004.as_of).days,
        "p_growth": p.cloud_growth_pct, "p_fade": p.cloud_growth_fade_pp, "p_capex": p.capex_rmb_bn,
        "p_capex_years": p.capex_years, "p_util": p.utilisation_pct, "p_margin": p.cash_margin_pct,
        "p_life": p.asset_life_years, "p_turnover": p.capex_turnover, "p_ai_start": p.ai_share_start_pct,
        "p_ai_target": p.ai_share_target_pct, "p_usd_rmb": p.usd_rmb,
        "capex_x_revenue": p.capex_rmb_bn / base,
        "rev_end_rmb_bn": float(end["revenue_rmb_bn"]),
        "rev_end_usd_bn": float(end["revenue_usd_bn"]),
        "rev_end_x": float(end["revenue_rmb_bn"] / base),
        "ai_growth_y1_pct": float(m["ai_growth_y1_pct"]),
        "other_growth_y1_pct": float(m["other_growth_y1_pct"]),
        "horizon": float(res["horizon_years"]),
        "capex_per_year": float(p.capex_rmb_bn / p.capex_years),
        "needed_peak_rmb_bn": float(pay["needed_rmb_bn"].max()),
        "earned_peak_rmb_bn": float(res["peak_earned_rmb_bn"]),
        "citi_added_rmb_bn": float(brokers["added_rmb_bn"]),
        "implied_turnover": float(brokers["turnover"]),
        "gs_years": float(brokers["years"]),
        "cash_multiple_pct": float(100 * res["cash_multiple"]),
        "cloud_breakeven_margin_pct": float(res["breakeven_margin_pct"]),  # the key figure's name (one number per quantity)
        "final_cash_rmb_bn": float(pay["cumulative_cash_rmb_bn"].iloc[-1]),
        "alt_multiple_pct": float(100 * m["smaller"]["cash_multiple"]),
    }


def compute(p: Any, claims) -> dict[str, Any]:
    """The chapter under parameters ``p``: the model's results, the numbers the prose quotes
    (``numbers``), the tables the page shows (``tables``) and the data under each chart (``chart_data``)."""
    m = _model(p, claims)
    base, rev, pay = m["base_rmb_bn"], m["revenue"], m["payback"]
    utilisations = grid_with(UTILISATION_GRID_PCT, p.utilisation_pct)
    tables = {
        "evidence": evidence_table(claims),
        "revenue": revenue_display(rev),
        "payback": payback_display(pay),
        "breakeven_margin": breakeven_margin_display(p, base, grid_with(TURNOVER_GRID, p.capex_turnover), utilisations)
        .rename_axis(index="turnover (yuan a year per yuan)", columns="utilisation (%)"),
        "growth_margin": payback_return_grid(
            p, base, ("cloud_growth_pct", grid_with(GROWTH_GRID_PCT, p.cloud_growth_pct)),
            ("cash_margin_pct", grid_with(MARGIN_GRID_PCT, p.cash_margin_pct)),
        ).rename_axis(index="year-1 growth (%)", columns="cash margin (%)"),
        "life_utilisation": payback_return_grid(
            p, base, ("asset_life_years", sorted({*LIFE_GRID_YEARS, p.asset_life_years})),
            ("utilisation_pct", utilisations),
        ).rename_axis(index="asset life (years)", columns="utilisation (%)"),
        "scenarios": scenario_table({name: s["outputs"] for name, s in m["scenarios"].items()}),
    }
    chart_data = {"ai_share": rev.iloc[: chart_years(p) + 1], "capex_vs_revenue": pay, "cumulative_cash": pay}
    return {**m, "numbers": page_numbers(p, claims, m), "tables": tables, "chart_data": chart_data}


# --- signposts -------------------------------------------------------------------------------

def signposts(p: Any, claims, case: str | None = None) -> list[Signpost]:
    """What to watch in the next results, with the thresholds the sources and this model give.

    ``case`` names the scenario ``p`` is ("the base case"); the capacity signpost's level is an
    assumption of it.
    """
    c, v = CLAIMS, claims.value
    rep = reported(p, claims)
    res = project(p, rep["run_rate_rmb_bn"])
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


# --- tables ----------------------------------------------------------------------------------

EVIDENCE_IDS = [
    CLAIMS[k] for k in ("revenue_usd_bn", "revenue_growth", "ebita_usd_m", "ebita_growth", "growth_001",
                        "growth_003", "citi_growth", "growth_bar", "ai_growth_000", "ai_streak", "ai_growth_003",
                        "ai_share", "ai_share_target", "exec_share_target", "capex_growth", "gs_capex",
                        "capex_003", "capex_ahead_years", "qwen_downloads_004", "qwen_downloads_001")
]


def evidence_table(claims) -> pd.DataFrame:
    """The sources' cloud and AI figures, as the ledger holds them."""
    from alibaba_report.evidence.pages import metric_words

    t = claims.table(EVIDENCE_IDS)
    return pd.DataFrame({
        "said by": t["said_by"], "what": t["metric"].map(metric_words),
        "value": t["value"], "unit": t["unit"], "period": t["period"],
        "source": t["seed"].map(claims.source_name),
    })


def revenue_display(rev: pd.DataFrame) -> pd.DataFrame:
    """The revenue path, rounded and labelled for reading."""
    return pd.DataFrame({
        "year": rev["year"],
        # year 0 is the reported base: it has no growth of its own, shown as a dash rather than NaN
        "growth (%)": rev["growth_pct"].round(1).astype(object).where(rev["growth_pct"].notna(), "—"),
        "cloud revenue (RMB bn, run-rate)": rev["revenue_rmb_bn"].round(1),
        "cloud revenue (USD bn)": rev["revenue_usd_bn"].round(1),
        "AI share (%)": rev["ai_share_pct"].round(1),
        "AI revenue (RMB bn)": rev["ai_revenue_rmb_bn"].round(1),
        "other cloud revenue (RMB bn)": rev["other_revenue_rmb_bn"].round(1),
    }).set_index("year")


def payback_display(pay: pd.DataFrame) -> pd.DataFrame:
    """The programme year by year, rounded and labelled for reading."""
    return pd.DataFrame({
        "year": pay["year"],
        "capex (RMB bn)": pay["capex_rmb_bn"].round(1),
        "demand from growth (RMB bn)": pay["demand_rmb_bn"].round(1),
        "capacity (RMB bn)": pay["capacity_rmb_bn"].round(1),
        "revenue earned (RMB bn)": pay["earned_rmb_bn"].round(1),
        "capacity used (%)": pay["utilisation_used_pct"].round(0),
        "depreciation (RMB bn)": pay["depreciation_rmb_bn"].round(1),
        "cash profit (RMB bn)": pay["cash_profit_rmb_bn"].round(1),
        "EBITA after depreciation (RMB bn)": pay["ebita_rmb_bn"].round(1),
        "cumulative cash (RMB bn)": pay["cumulative_cash_rmb_bn"].round(1),
    }).set_index("year")


def grid_cell(year: float | None, irr: float | None) -> str:
    """A cell of a payback-and-return table: 'year 6, +12%', 'none, -5%', 'none, n/a'."""
    when = "none" if year is None or (isinstance(year, float) and math.isnan(year)) else f"year {int(year)}"
    ret = "n/a" if irr is None or math.isnan(irr) else f"{irr:+.0f}%"
    return f"{when}, {ret}"


def payback_return_grid(p: Any, base_rmb_bn: float, rows: tuple[str, Sequence[float]],
                        cols: tuple[str, Sequence[float]]) -> pd.DataFrame:
    """A sensitivity table whose cells read 'year 6, +12%' or 'none, -5%' (payback, return a year)."""
    grids = sensitivity_grids(p, base_rmb_bn, rows, cols, ("payback_year", "irr_pct"))
    years, irr = grids["payback_year"], grids["irr_pct"]
    return pd.DataFrame({c: [grid_cell(y, r) for y, r in zip(years[c], irr[c])] for c in years.columns},
                        index=years.index)


def margin_cell(m: float) -> str:
    """A cell of the break-even margin table: '57.3', or 'none' where no margin up to 100 % pays back."""
    return f"{m:.1f}" if math.isfinite(m) and m <= 100 else "none"


def breakeven_margin_display(p: Any, base_rmb_bn: float, turnovers: Sequence[float],
                             utilisations: Sequence[float]) -> pd.DataFrame:
    """Break-even cash margin (%) by turnover (rows) and utilisation (columns), the rest at ``p``.

    A cell reads 'none' where no margin up to 100 % pays back (the programme cannot earn its cost
    back even with no costs at all).
    """
    grid = sensitivity(p, base_rmb_bn, ("capex_turnover", turnovers), ("utilisation_pct", utilisations),
                       metric="breakeven_margin_pct")
    return grid.apply(lambda col: [margin_cell(m) for m in col])


def scenario_table(outputs: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Key outputs of several scenarios side by side, rounded for reading."""
    labels = {
        "cloud_run_rate_rmb_bn": "cloud revenue run-rate, year 0 (RMB bn)",
        "capex_to_revenue_x": "capex programme / run-rate (x)",
        "revenue_end_of_programme_rmb_bn": "run-rate when the programme is spent (RMB bn)",
        "payback": "payback",
        "return_on_capex_pct": "return on capex (% a year, pre-tax)",
        "cash_multiple_x": "cash back over the assets' life (x capex)",
        "breakeven_margin_pct": "break-even cash margin (%)",
    }
    rows = {}
    for name, out in outputs.items():
        rows[name] = {lab: (round(out[k], 2) if isinstance(out[k], float) else out[k]) for k, lab in labels.items()}
    return pd.DataFrame(rows)


# --- charts ----------------------------------------------------------------------------------

def _year_axis(ax, x: np.ndarray, first: str | None = None) -> None:
    ax.set_xticks(x)
    labels = [f"Y{int(t)}" for t in x]
    ax.set_xticklabels(labels if first is None else [first] + labels[1:])


def chart_ai_share(p: Any, claims, result: dict[str, Any]) -> Figure:
    """Stacked bars of AI and other cloud revenue, with the AI share written over each bar."""
    r = result["chart_data"]["ai_share"]
    fig, ax = style.figure()
    x = r["year"].to_numpy()
    ax.bar(x, r["other_revenue_rmb_bn"], color=style.PALETTE[4], hatch=style.HATCHES[2], edgecolor="white",
           label="other cloud revenue")
    ax.bar(x, r["ai_revenue_rmb_bn"], bottom=r["other_revenue_rmb_bn"], color=style.PALETTE[0],
           label="AI-related revenue")
    for xi, total, share in zip(x, r["revenue_rmb_bn"], r["ai_share_pct"]):
        ax.annotate(f"AI {share:.0f}%", (xi, total), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    _year_axis(ax, x, first="Y0\n(run-rate,\nSep 2025)")
    ax.set_ylabel("RMB bn a year (run-rate at year end)")
    ax.set_ylim(0, float(r["revenue_rmb_bn"].max()) * 1.12)
    ax.legend(loc="upper left", fontsize=8.5)
    source = (claims.source_line([CLAIMS["revenue_usd_bn"], CLAIMS["ai_share"], CLAIMS["ai_share_target"]])
              + f"; assumptions: growth {p.cloud_growth_pct:g}% fading {p.cloud_growth_fade_pp:g} pp a year, "
              f"{p.usd_rmb:g} RMB per USD, the external-revenue share applied to all cloud revenue")
    return style.finish(fig, ai_share_title(p, result["ai_growth_y1_pct"], result["other_growth_y1_pct"]), source)


def _programme_source(p: Any, claims, assumptions: str) -> str:
    return (claims.source_line([CLAIMS["gs_capex"], CLAIMS["revenue_usd_bn"], CLAIMS["citi_growth"]])
            + f"; assumptions: {assumptions}")


def chart_capex_vs_revenue(p: Any, claims, result: dict[str, Any]) -> Figure:
    """Bars of capex and of revenue earned; lines of capacity and of the revenue needed to cover depreciation."""
    pay = result["chart_data"]["capex_vs_revenue"]
    fig, ax = style.figure()
    x = pay["year"].to_numpy()
    w = 0.38
    ax.bar(x - w / 2, pay["capex_rmb_bn"], w, color=style.PALETTE[1], hatch=style.HATCHES[1], edgecolor="white",
           label="capex spent")
    ax.bar(x + w / 2, pay["earned_rmb_bn"], w, color=style.PALETTE[0], label="revenue the programme earns")
    ax.plot(x + w / 2, pay["capacity_rmb_bn"], color=style.PALETTE[2], ls="--", marker="^", lw=1.5,
            label="what its servers could earn (capacity)")
    ax.plot(x, pay["needed_rmb_bn"], color=style.PALETTE[3], marker="o", lw=2,
            label="revenue needed to cover its depreciation")
    top = float(max(pay["needed_rmb_bn"].max(), pay["capex_rmb_bn"].max(), pay["capacity_rmb_bn"].max()))
    ax.set_ylim(0, top * 1.45)
    _year_axis(ax, x)
    ax.set_xlabel("year after the reported quarter (Y1 = Oct 2025 - Sep 2026)")
    ax.set_ylabel("RMB bn a year")
    ax.legend(loc="upper center", ncol=2, fontsize=8.5)
    title = capex_title(result["result"]["peak_earned_rmb_bn"], p.cash_margin_pct, float(pay["needed_rmb_bn"].max()))
    return style.finish(fig, title, _programme_source(
        p, claims, f"capex RMB {p.capex_rmb_bn:g}bn over {p.capex_years} years, {p.asset_life_years}-year life, "
                   f"turnover {p.capex_turnover:g}, utilisation {p.utilisation_pct:g}%, cash margin {p.cash_margin_pct:g}%"))


def chart_cumulative_cash(p: Any, claims, result: dict[str, Any]) -> Figure:
    """The programme's cumulative cash position (cash profit less capex) by year."""
    pay, res = result["chart_data"]["cumulative_cash"], result["result"]
    fig, ax = style.figure()
    x = pay["year"].to_numpy()
    y = pay["cumulative_cash_rmb_bn"].to_numpy()
    ax.axhline(0, color="black", lw=0.8)
    ax.plot(x, y, color=style.PALETTE[0], marker="o", lw=2, label="cumulative cash: cash profit less capex")
    if (y < 0).any():
        ax.fill_between(x, y, 0, where=y < 0, color=style.PALETTE[3], alpha=0.15, label="capex not yet recovered")
    if (y >= 0).any():
        ax.fill_between(x, y, 0, where=y >= 0, color=style.PALETTE[2], alpha=0.2, label="cash beyond the capex")
    _year_axis(ax, x)
    ax.set_xlabel("year after the reported quarter (the last is when the last servers are written off)")
    ax.set_ylabel("RMB bn, cumulative")
    ax.legend(loc="lower right", fontsize=8.5)
    title = cash_title(res["cash_multiple"], p.capex_rmb_bn, res["horizon_years"], res["payback_label"],
                       irr_text(res["irr_pct"]))
    return style.finish(fig, title, _programme_source(
        p, claims, f"{p.asset_life_years}-year life, turnover {p.capex_turnover:g}, utilisation {p.utilisation_pct:g}%, "
                   f"cash margin {p.cash_margin_pct:g}%, growth fading {p.cloud_growth_fade_pp:g} pp a year"))


# --- the page's sentences --------------------------------------------------------------------

def years_text(n: int) -> str:
    """'1 year', '3 years'."""
    return f"{n} year" if n == 1 else f"{n} years"


def payback_label(year: int | None) -> str:
    """Words for a payback year: 'year 6', or 'not within the assets' life'."""
    return f"year {year}" if year is not None else "not within the assets' life"


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
    return (f"Bars by year of the capex spent and the revenue the RMB {capex_rmb_bn:.0f} billion programme earns, "
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


def prose(p: Any, claims, result: dict[str, Any] | None = None) -> dict[str, str]:
    """Every computed sentence the page glues or shows (chart titles and alt text included), by name.

    ``result`` is :func:`compute`'s for the same ``p`` and ``claims``, if the caller has it (the
    notebook does): the model then runs once.
    """
    m = result if result is not None else _model(p, claims)
    res, pay, rev = m["result"], m["payback"], m["revenue"]
    ai_g, other_g = m["ai_growth_y1_pct"], m["other_growth_y1_pct"]
    years = chart_years(p)
    needed = float(pay["needed_rmb_bn"].max())
    cum = pay["cumulative_cash_rmb_bn"]
    text = {
        "p_ai_years_text": years_text(p.ai_share_years),
        "c_capex_ahead_text": claims.get(CLAIMS["capex_ahead_years"]).value_text,
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
