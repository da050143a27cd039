"""Cloud and AI: how fast the cloud grows, and whether the AI capital expenditure can pay back.

Two small models, both yearly, counted from the quarter seed 004 reports (year 0 is that quarter's
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

Every function here is pure (numbers in, numbers out, no I/O); amounts are RMB billions, rates
are percentages (35 means 35 %).
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

# Ledger claims the chapter uses (data/claims.csv), by role.
CLAIMS = {
    # seed 004 (4 Jan 2026): the latest reported quarter, FY26Q2 (July-September 2025)
    "revenue_usd_bn": "cloud_revenue_fq2_fy26_s004",
    "revenue_growth": "cloud_revenue_growth_fq2_fy26_s004",
    "ebita_usd_m": "cloud_ebitda_fq2_fy26_s004",
    "ebita_growth": "cloud_ebitda_growth_fq2_fy26_s004",
    "capex_growth": "group_capex_growth_fq2_fy26_s004",
    "qwen_downloads_004": "qwen_downloads_s004",
    # seed 000 (8 Jan 2026): brokers and the growth bar
    "citi_growth": "citi_cloud_revenue_growth_annual",
    "gs_capex": "gs_capex_fy26_fy28",
    "growth_bar": "cloud_revenue_growth_current_s000",
    "ai_growth_000": "ai_revenue_growth_s000",
    "ai_streak": "ai_revenue_triple_digit_streak_s000",
    # seed 001 (12 Jan 2026, written by an AI agent)
    "growth_001": "cloud_revenue_growth_last_q_s001",
    "core_growth_001": "china_commerce_revenue_growth_last_q_s001",
    "qwen_downloads_001": "qwen_downloads_s001",
    # seed 002 (14 Jan 2026)
    "exec_share_target": "exec_ai_cloud_incremental_share_target_s002",
    # seed 003 (undated opinion post)
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

# One name for the segment profit on every page: seed 004's word, and what Alibaba reports.
PROFIT_LABEL = "the segment profit seed 004 calls EBITDA (Alibaba reports it as adjusted EBITA)"


class CloudModelError(ValueError):
    """An input to the cloud models is outside what they can compute; the message says which."""


def _check(name: str, value: float, low: float, high: float | None = None, low_open: bool = False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise CloudModelError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x) or (x <= low if low_open else x < low) or (high is not None and x > high):
        bound = f"{'above' if low_open else 'at least'} {low:g}" + (f" and at most {high:g}" if high is not None else "")
        raise CloudModelError(f"{name} must be {bound}, got {value!r}")
    return x


def _check_int(name: str, value: int, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (high is not None and value > high):
        allowed = f"a whole number from {low}" + (f" to {high}" if high is not None else " up")
        raise CloudModelError(f"{name} must be {allowed}, got {value!r}")
    return int(value)


# --- what the reported quarter says ----------------------------------------------------------

def annual_run_rate_rmb_bn(quarter_revenue_usd_bn: float, usd_rmb: float) -> float:
    """A quarter's revenue (USD bn) annualised (x4) and converted to RMB bn."""
    _check("quarter_revenue_usd_bn", quarter_revenue_usd_bn, 0, low_open=True)
    _check("usd_rmb", usd_rmb, 0, low_open=True)
    return 4.0 * quarter_revenue_usd_bn * usd_rmb


def margin_pct(profit: float, revenue: float) -> float:
    """Profit as a percentage of revenue (same units for both)."""
    _check("revenue", revenue, 0, low_open=True)
    return 100.0 * float(profit) / revenue


def incremental_margin_pct(revenue: float, revenue_growth_pct: float, profit: float, profit_growth_pct: float) -> float:
    """Year-on-year change in profit over change in revenue, from the current values and growth rates.

    With revenue ``R`` up ``g`` % and profit ``P`` up ``h`` %, last year's were ``R/(1+g)`` and
    ``P/(1+h)``; the incremental margin is ``(P - P/(1+h)) / (R - R/(1+g))``.
    """
    _check("revenue", revenue, 0, low_open=True)
    _check("revenue_growth_pct", revenue_growth_pct, 0, low_open=True)
    _check("profit_growth_pct", profit_growth_pct, -100, low_open=True)
    d_rev = revenue - revenue / (1 + revenue_growth_pct / 100)
    d_profit = profit - profit / (1 + profit_growth_pct / 100)
    return 100.0 * d_profit / d_rev


# --- revenue path ----------------------------------------------------------------------------

def growth_path_pct(first_year_pct: float, fade_pp: float, years: int) -> np.ndarray:
    """Yearly growth for years 1..``years``: ``first_year_pct`` fading by ``fade_pp`` a year, floor 0."""
    _check("first_year_pct", first_year_pct, 0)
    _check("fade_pp", fade_pp, 0)
    years = _check_int("years", years, 1)
    return np.maximum(first_year_pct - fade_pp * np.arange(years), 0.0)


def revenue_path(base_rmb_bn: float, growth_pct: Sequence[float]) -> np.ndarray:
    """Run-rate at the end of years 0..n: ``base`` then compounded by each year's growth."""
    _check("base_rmb_bn", base_rmb_bn, 0, low_open=True)
    g = np.asarray(growth_pct, dtype=float)
    if g.ndim != 1 or np.any(g <= -100) or not np.all(np.isfinite(g)):
        raise CloudModelError("growth_pct must be a list of yearly growth rates above -100 %")
    return base_rmb_bn * np.concatenate([[1.0], np.cumprod(1 + g / 100)])


def ai_share_path_pct(start_pct: float, target_pct: float, years_to_target: int, years: int) -> np.ndarray:
    """AI share of cloud revenue at the end of years 0..``years``: straight line to target, then flat."""
    _check("start_pct", start_pct, 0, 100)
    _check("target_pct", target_pct, 0, 100)
    years_to_target = _check_int("years_to_target", years_to_target, 1)
    years = _check_int("years", years, 1)
    t = np.arange(years + 1)
    return start_pct + (target_pct - start_pct) * np.minimum(t / years_to_target, 1.0)


def revenue_table(base_rmb_bn: float, first_year_growth_pct: float, fade_pp: float, years: int,
                  ai_start_pct: float, ai_target_pct: float, ai_years: int, usd_rmb: float) -> pd.DataFrame:
    """The revenue path by year (0..``years``) with its AI and non-AI parts, in RMB and USD."""
    _check("usd_rmb", usd_rmb, 0, low_open=True)
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
    return _check_int("capex_years", capex_years, 1) + _check_int("asset_life_years", asset_life_years, 1)


def capex_schedule(capex_rmb_bn: float, capex_years: int, years: int) -> np.ndarray:
    """Capex spent in years 1..``years``: equal tranches over the first ``capex_years``."""
    _check("capex_rmb_bn", capex_rmb_bn, 0, low_open=True)
    capex_years = _check_int("capex_years", capex_years, 1)
    years = _check_int("years", years, capex_years)
    out = np.zeros(years)
    out[:capex_years] = capex_rmb_bn / capex_years
    return out


def in_service(capex_years: int, asset_life_years: int, years: int) -> np.ndarray:
    """Share of each tranche (rows: tranche bought in year s) in service in each year t (columns).

    Half-year convention: 0.5 in the year bought, 1 for the next ``life - 1`` years, 0.5 in the
    year after that; each row sums to the asset life.
    """
    capex_years = _check_int("capex_years", capex_years, 1)
    life = _check_int("asset_life_years", asset_life_years, 1)
    years = _check_int("years", years, 1)
    frac = np.zeros((capex_years, years))
    for s in range(capex_years):
        for t in range(years):
            if t == s or t == s + life:
                frac[s, t] = 0.5
            elif s < t < s + life:
                frac[s, t] = 1.0
    return frac


def payback_table(revenue_rmb_bn: Sequence[float], capex_rmb_bn: float, capex_years: int, asset_life_years: int,
                  capex_turnover: float, utilisation_pct: float, cash_margin_pct: float) -> pd.DataFrame:
    """The programme year by year (years 1..horizon).

    ``revenue_rmb_bn`` is the run-rate path for years 0..n with n at least the horizon
    (:func:`horizon_years`); only the increments above year 0 count as demand for the programme.
    """
    n = horizon_years(capex_years, asset_life_years)
    rev = np.asarray(revenue_rmb_bn, dtype=float)
    if rev.ndim != 1 or len(rev) < n + 1:
        raise CloudModelError(f"revenue_rmb_bn must give years 0..{n} (the programme's horizon), got {len(rev)} values")
    _check("capex_turnover", capex_turnover, 0, low_open=True)
    _check("utilisation_pct", utilisation_pct, 0, 100)
    _check("cash_margin_pct", cash_margin_pct, 0, 100)
    inc = rev[: n + 1] - rev[0]
    demand = (inc[:-1] + inc[1:]) / 2
    spend = capex_schedule(capex_rmb_bn, capex_years, n)
    frac = in_service(capex_years, asset_life_years, n)
    tranche = capex_rmb_bn / capex_years
    gross_in_service = tranche * frac.sum(axis=0)
    depreciation = tranche / asset_life_years * frac.sum(axis=0)
    full_use = gross_in_service * capex_turnover
    capacity = full_use * utilisation_pct / 100
    earned = np.minimum(demand, capacity)
    cash = earned * cash_margin_pct / 100
    net = cash - spend
    with np.errstate(divide="ignore", invalid="ignore"):
        used = np.where(full_use > 0, 100 * earned / full_use, np.nan)
        needed = depreciation / (cash_margin_pct / 100) if cash_margin_pct > 0 else np.full(n, np.inf)
    return pd.DataFrame({
        "year": np.arange(1, n + 1),
        "capex_rmb_bn": spend,
        "demand_rmb_bn": demand,
        "capacity_rmb_bn": capacity,
        "earned_rmb_bn": earned,
        "utilisation_used_pct": used,
        "needed_rmb_bn": needed,
        "cash_profit_rmb_bn": cash,
        "depreciation_rmb_bn": depreciation,
        "ebita_rmb_bn": cash - depreciation,
        "net_cash_rmb_bn": net,
        "cumulative_cash_rmb_bn": np.cumsum(net),
    })


def payback_year(table: pd.DataFrame) -> int | None:
    """First year whose cumulative cash position is at or above zero; None if none in the table."""
    hit = table.loc[table["cumulative_cash_rmb_bn"] >= -1e-9, "year"]
    return int(hit.iloc[0]) if len(hit) else None


def payback_label(year: int | None) -> str:
    """Words for a payback year: 'year 6', or 'not within the assets' life'."""
    return f"year {year}" if year is not None else "not within the assets' life"


def irr_pct(cash_flows: Sequence[float]) -> float:
    """Internal rate of return (% a year) of yearly cash flows paid at the end of years 1, 2, ...

    Found by bisection between -99 % and +1000 %; NaN when the flows never change sign (no rate
    makes their present value zero), so a programme that earns nothing has no return to show.
    """
    cf = np.asarray(cash_flows, dtype=float)
    if cf.ndim != 1 or len(cf) == 0 or not np.all(np.isfinite(cf)):
        raise CloudModelError("cash_flows must be a non-empty list of finite numbers")
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


def cash_multiple(table: pd.DataFrame) -> float:
    """Cash profit over the horizon divided by the capex: 1.0 means the programme just pays back."""
    return float(table["cash_profit_rmb_bn"].sum() / table["capex_rmb_bn"].sum())


def breakeven_margin_pct(table: pd.DataFrame) -> float:
    """The cash margin at which the programme's cash profit over its life equals its capex.

    Cash profit is linear in the margin, so this is capex / revenue earned (can exceed 100: then
    no margin pays back). Inf if the programme earns nothing.
    """
    earned = float(table["earned_rmb_bn"].sum())
    return math.inf if earned <= 0 else 100.0 * float(table["capex_rmb_bn"].sum()) / earned


def breakeven_utilisation_pct(revenue_rmb_bn: Sequence[float], capex_rmb_bn: float, capex_years: int,
                              asset_life_years: int, capex_turnover: float, cash_margin_pct: float) -> float | None:
    """The lowest utilisation (%) at which the programme pays back within its assets' life.

    Revenue earned never falls as utilisation rises, so bisection finds it; None when even full
    use does not pay back (demand or margin too low).
    """
    def multiple(u: float) -> float:
        return cash_multiple(payback_table(revenue_rmb_bn, capex_rmb_bn, capex_years, asset_life_years,
                                           capex_turnover, u, cash_margin_pct))

    if multiple(100.0) < 1.0:
        return None
    lo, hi = 0.0, 100.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if multiple(mid) >= 1.0:
            hi = mid
        else:
            lo = mid
    return hi


def breakeven_turnover(revenue_rmb_bn: Sequence[float], capex_rmb_bn: float, capex_years: int,
                       asset_life_years: int, utilisation_pct: float, cash_margin_pct: float,
                       highest: float = 10.0) -> float | None:
    """The lowest capital turnover (yearly revenue per yuan of capex at full use) that pays back.

    Revenue earned never falls as turnover rises, so bisection finds it; None when even
    ``highest`` does not pay back (then demand, not capacity, caps what the programme earns, or
    the margin is too thin).
    """
    _check("highest", highest, 0, low_open=True)

    def multiple(k: float) -> float:
        return cash_multiple(payback_table(revenue_rmb_bn, capex_rmb_bn, capex_years, asset_life_years,
                                           k, utilisation_pct, cash_margin_pct))

    if multiple(highest) < 1.0:
        return None
    lo, hi = 0.0, highest
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid > 0 and multiple(mid) >= 1.0:
            hi = mid
        else:
            lo = mid
    return hi


# --- the whole chapter under one parameter set ----------------------------------------------

def base_run_rate(p: Any, claims) -> float:
    """The reported quarter's cloud revenue annualised, in RMB bn (through ``p.usd_rmb``)."""
    return annual_run_rate_rmb_bn(claims.value(CLAIMS["revenue_usd_bn"]), p.usd_rmb)


def project(p: Any, base_rmb_bn: float) -> dict[str, Any]:
    """Revenue path and programme payback for parameters ``p`` from the year-0 run-rate.

    Returns the revenue table, the payback table and the summary figures.
    """
    n = horizon_years(p.capex_years, p.asset_life_years)
    rev = revenue_table(base_rmb_bn, p.cloud_growth_pct, p.cloud_growth_fade_pp, n, p.ai_share_start_pct,
                        p.ai_share_target_pct, p.ai_share_years, p.usd_rmb)
    pay = payback_table(rev["revenue_rmb_bn"].to_numpy(), p.capex_rmb_bn, p.capex_years, p.asset_life_years,
                        p.capex_turnover, p.utilisation_pct, p.cash_margin_pct)
    year = payback_year(pay)
    return {
        "revenue": rev,
        "payback": pay,
        "horizon_years": n,
        "capex_years": p.capex_years,
        "payback_year": year,
        "payback_label": payback_label(year),
        "irr_pct": irr_pct(pay["net_cash_rmb_bn"].to_numpy()),
        "cash_multiple": cash_multiple(pay),
        "breakeven_margin_pct": breakeven_margin_pct(pay),
        "breakeven_utilisation_pct": breakeven_utilisation_pct(
            rev["revenue_rmb_bn"].to_numpy(), p.capex_rmb_bn, p.capex_years, p.asset_life_years,
            p.capex_turnover, p.cash_margin_pct),
        "breakeven_turnover": breakeven_turnover(
            rev["revenue_rmb_bn"].to_numpy(), p.capex_rmb_bn, p.capex_years, p.asset_life_years,
            p.utilisation_pct, p.cash_margin_pct),
        "peak_earned_rmb_bn": float(pay["earned_rmb_bn"].max()),
        "capacity_binds_from": _first_year(pay["demand_rmb_bn"] > pay["capacity_rmb_bn"] + 1e-9, pay),
        "first_ebita_positive_year": _first_year(pay["ebita_rmb_bn"] > 0, pay),
    }


def _first_year(mask: pd.Series, table: pd.DataFrame) -> int | None:
    hit = table.loc[mask.to_numpy(), "year"]
    return int(hit.iloc[0]) if len(hit) else None


def with_changes(p: Any, **changes) -> Any:
    """A copy of parameter set ``p`` with some values changed (for sensitivities)."""
    import types

    return types.SimpleNamespace(**{**vars(p), **changes})


def sensitivity(p: Any, base_rmb_bn: float, rows: tuple[str, Sequence[float]], cols: tuple[str, Sequence[float]],
                metric: str = "payback_label") -> pd.DataFrame:
    """A table of ``metric`` (a key of :func:`project`) over two parameters, the others at ``p``."""
    (rname, rvals), (cname, cvals) = rows, cols
    for name in (rname, cname):
        if not hasattr(p, name):
            raise CloudModelError(f"sensitivity over unknown parameter {name!r}")
    data = {c: [project(with_changes(p, **{rname: r, cname: c}), base_rmb_bn)[metric] for r in rvals] for c in cvals}
    return pd.DataFrame(data, index=pd.Index(list(rvals), name=rname))


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


def key_outputs(p: Any, claims) -> dict[str, Any]:
    """The few numbers the summary and the scenario comparison show."""
    base = base_run_rate(p, claims)
    res = project(p, base)
    rev = res["revenue"]
    return {
        "cloud_run_rate_rmb_bn": base,
        "cloud_margin_pct": reported(p, claims)["margin_pct"],
        "capex_to_revenue_x": p.capex_rmb_bn / base,
        "revenue_end_of_programme_rmb_bn": float(rev["revenue_rmb_bn"].iloc[p.capex_years]),
        "payback": res["payback_label"],
        "payback_year": res["payback_year"],
        "return_on_capex_pct": res["irr_pct"],
        "cash_multiple_x": res["cash_multiple"],
        "breakeven_margin_pct": res["breakeven_margin_pct"],
    }


def implied_turnover(base_rmb_bn: float, growth_pct: float, years: int, capex_rmb_bn: float) -> float:
    """Revenue added per yuan of capex if growth ``growth_pct`` holds for ``years`` while ``capex`` is spent.

    ``base x ((1 + g) ** years - 1) / capex``: what two forecasts made separately (a growth rate
    and a capex total) imply together about the capital turnover of the spending.
    """
    _check("capex_rmb_bn", capex_rmb_bn, 0, low_open=True)
    g = growth_path_pct(growth_pct, 0, years)
    return float(revenue_path(base_rmb_bn, g)[-1] - base_rmb_bn) / capex_rmb_bn


def fiscal_years_in(period: str) -> int:
    """Number of fiscal years a ledger period such as 'FY2026-FY2028' spans (3)."""
    import re

    m = re.fullmatch(r"\s*FY(\d{4})\s*-\s*FY(\d{4})\s*", period or "")
    if not m or int(m.group(2)) < int(m.group(1)):
        raise CloudModelError(f"expected a period like 'FY2026-FY2028', got {period!r}")
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


def signposts(p: Any, claims) -> pd.DataFrame:
    """What to watch in the next results, with the thresholds the seeds and this model give."""
    c = CLAIMS
    rep = reported(p, claims)
    res = project(p, base_run_rate(p, claims))
    rows = [
        {
            "signpost": "Cloud revenue growth, year on year, each quarter",
            "threshold": claims.value(c["growth_bar"]),
            "unit": "% (above)",
            "if_better": "the bar seed 000 sets is cleared; near Citi's forecast the base case holds, "
                         "at seed 003's faster figure and holding, the bull",
            "if_worse": "the test seed 000 names fails: growth fading fast, the bear",
            "basis": f"{c['growth_bar']}, {c['citi_growth']}, {c['growth_003']}; cloud_growth_pct",
        },
        {
            "signpost": "AI products' share of external cloud revenue",
            "threshold": claims.value(c["ai_share_target"]),
            "unit": f"% within {p.ai_share_years} year(s) (above)",
            "if_better": "management's path (seed 003) holds: AI revenue keeps its triple-digit pace",
            "if_worse": "the AI ramp is slower than said (bear: three years); capacity built for it idles",
            "basis": f"{c['ai_share']}, {c['ai_share_target']}; ai_share_target_pct, ai_share_years",
        },
        {
            "signpost": f"Cloud segment margin: {PROFIT_LABEL} over revenue",
            "threshold": round(rep["margin_pct"], 2),
            "unit": "% (at or above, while capex climbs)",
            "if_better": "revenue outruns the depreciation of the new fleet: margins hold, the bull",
            "if_worse": "depreciation catches up (seed 003's fear): the base case's shortfall or the bear",
            "basis": f"{c['ebita_usd_m']}, {c['revenue_usd_bn']}; cash_margin_pct, asset_life_years",
        },
        {
            "signpost": "Capex growth against cloud revenue growth",
            "threshold": claims.value(c["revenue_growth"]),
            "unit": "% capex growth (at or below)",
            "if_better": f"capex grows no faster than the revenue it serves (it grew {claims.value(c['capex_growth']):g}% "
                         "in the reported quarter): turnover holds",
            "if_worse": "capex keeps outrunning revenue: each yuan earns less and payback recedes",
            "basis": f"{c['capex_growth']}, {c['revenue_growth']}; capex_turnover",
        },
        {
            "signpost": "Capacity sold out (\"no GPU sits idle\", seed 003)",
            "threshold": p.utilisation_pct,
            "unit": "% of capacity (at or above)",
            "if_better": "statements of sold-out capacity continue and no price cuts follow: the base case or better",
            "if_worse": "idle capacity or GPU price cuts: the bear's lower utilisation and margin",
            "basis": "seed 003 (a statement, no figure); utilisation_pct"
                     + ("" if res["breakeven_utilisation_pct"] is None else
                        f"; break-even {res['breakeven_utilisation_pct']:.0f}%"),
        },
        {
            "signpost": "Alibaba's share of the growth of China's AI-cloud market",
            "threshold": claims.value(c["exec_share_target"]),
            "unit": "% of the market's increment, by 2026",
            "if_better": "the executive's target (seed 002) is met: demand fills the capacity",
            "if_worse": "competitors take the growth, with pricing pressure (seed 001): the bear",
            "basis": f"{c['exec_share_target']}",
        },
    ]
    return pd.DataFrame(rows, columns=["signpost", "threshold", "unit", "if_better", "if_worse", "basis"])


# --- tables and charts for the notebook ------------------------------------------------------

EVIDENCE_IDS = [
    CLAIMS[k] for k in ("revenue_usd_bn", "revenue_growth", "ebita_usd_m", "ebita_growth", "growth_001",
                        "growth_003", "citi_growth", "growth_bar", "ai_growth_000", "ai_streak", "ai_growth_003",
                        "ai_share", "ai_share_target", "exec_share_target", "capex_growth", "gs_capex",
                        "capex_003", "capex_ahead_years", "qwen_downloads_004", "qwen_downloads_001")
]


def evidence_table(claims) -> pd.DataFrame:
    """The seeds' cloud and AI figures, as the ledger holds them."""
    t = claims.table(EVIDENCE_IDS)
    seed = t["seed"].str.slice(0, 3)
    return pd.DataFrame({
        "claim": t["id"], "said by": t["said_by"], "what": t["metric"].str.replace("_", " "),
        "value": t["value"], "unit": t["unit"], "period": t["period"], "seed": seed,
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


def payback_return_grid(p: Any, base_rmb_bn: float, rows: tuple[str, Sequence[float]],
                        cols: tuple[str, Sequence[float]]) -> pd.DataFrame:
    """A sensitivity table whose cells read 'year 6, +12%' or 'none, -5%' (payback, return a year)."""
    years = sensitivity(p, base_rmb_bn, rows, cols, metric="payback_year")
    irr = sensitivity(p, base_rmb_bn, rows, cols, metric="irr_pct")

    def cell(y, r) -> str:
        when = "none" if y is None or (isinstance(y, float) and math.isnan(y)) else f"year {int(y)}"
        ret = "n/a" if r is None or math.isnan(r) else f"{r:+.0f}%"
        return f"{when}, {ret}"

    out = pd.DataFrame({c: [cell(y, r) for y, r in zip(years[c], irr[c])] for c in years.columns}, index=years.index)
    return out


def breakeven_margin_display(p: Any, base_rmb_bn: float, turnovers: Sequence[float],
                             utilisations: Sequence[float]) -> pd.DataFrame:
    """Break-even cash margin (%) by turnover (rows) and utilisation (columns), the rest at ``p``.

    A cell reads 'none' where no margin up to 100 % pays back (the programme cannot earn its cost
    back even with no costs at all).
    """
    grid = sensitivity(p, base_rmb_bn, ("capex_turnover", turnovers), ("utilisation_pct", utilisations),
                       metric="breakeven_margin_pct")
    return grid.apply(lambda col: [f"{m:.1f}" if math.isfinite(m) and m <= 100 else "none" for m in col])


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


def plot_capex_vs_revenue(ax, pay: pd.DataFrame, palette: Sequence[str], hatches: Sequence[str]) -> None:
    """Bars of capex and of revenue earned; lines of capacity and of the revenue needed to cover depreciation."""
    x = pay["year"].to_numpy()
    w = 0.38
    ax.bar(x - w / 2, pay["capex_rmb_bn"], w, color=palette[1], hatch=hatches[1], edgecolor="white", label="capex spent")
    ax.bar(x + w / 2, pay["earned_rmb_bn"], w, color=palette[0], label="revenue the programme earns")
    ax.plot(x + w / 2, pay["capacity_rmb_bn"], color=palette[2], ls="--", marker="^", lw=1.5,
            label="what its servers could earn (capacity)")
    ax.plot(x, pay["needed_rmb_bn"], color=palette[3], marker="o", lw=2,
            label="revenue needed to cover its depreciation")
    top = float(max(pay["needed_rmb_bn"].max(), pay["capex_rmb_bn"].max(), pay["capacity_rmb_bn"].max()))
    ax.set_ylim(0, top * 1.45)
    ax.set_xticks(x)
    ax.set_xticklabels([f"Y{int(t)}" for t in x])
    ax.set_xlabel("year after the reported quarter (Y1 = Oct 2025 - Sep 2026)")
    ax.set_ylabel("RMB bn a year")
    ax.legend(loc="upper center", ncol=2, fontsize=8.5)


def plot_cumulative_cash(ax, pay: pd.DataFrame, palette: Sequence[str]) -> None:
    """The programme's cumulative cash position (cash profit less capex) by year."""
    x = pay["year"].to_numpy()
    y = pay["cumulative_cash_rmb_bn"].to_numpy()
    ax.axhline(0, color="black", lw=0.8)
    ax.plot(x, y, color=palette[0], marker="o", lw=2, label="cumulative cash: cash profit less capex")
    if (y < 0).any():
        ax.fill_between(x, y, 0, where=y < 0, color=palette[3], alpha=0.15, label="capex not yet recovered")
    if (y >= 0).any():
        ax.fill_between(x, y, 0, where=y >= 0, color=palette[2], alpha=0.2, label="cash beyond the capex")
    ax.set_xticks(x)
    ax.set_xticklabels([f"Y{int(t)}" for t in x])
    ax.set_xlabel("year after the reported quarter (the last is when the last servers are written off)")
    ax.set_ylabel("RMB bn, cumulative")
    ax.legend(loc="lower right", fontsize=8.5)


def years_text(n: int) -> str:
    """'1 year', '3 years'."""
    return f"{n} year" if n == 1 else f"{n} years"


def plot_ai_share(ax, rev: pd.DataFrame, years: int, palette: Sequence[str], hatches: Sequence[str]) -> None:
    """Stacked bars of AI and other cloud revenue, with the AI share written over each bar."""
    r = rev.iloc[: years + 1]
    x = r["year"].to_numpy()
    ax.bar(x, r["other_revenue_rmb_bn"], color=palette[4], hatch=hatches[2], edgecolor="white", label="other cloud revenue")
    ax.bar(x, r["ai_revenue_rmb_bn"], bottom=r["other_revenue_rmb_bn"], color=palette[0], label="AI-related revenue")
    for xi, total, share in zip(x, r["revenue_rmb_bn"], r["ai_share_pct"]):
        ax.annotate(f"AI {share:.0f}%", (xi, total), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    ax.set_xticks(x)
    ax.set_xticklabels(["Y0\n(run-rate,\nSep 2025)"] + [f"Y{int(t)}" for t in x[1:]])
    ax.set_ylabel("RMB bn a year (run-rate at year end)")
    ax.set_ylim(0, float(r["revenue_rmb_bn"].max()) * 1.12)
    ax.legend(loc="upper left", fontsize=8.5)


# --- words for the prose ---------------------------------------------------------------------

def describe(res: dict[str, Any]) -> dict[str, str]:
    """Phrases the notebook glues into its prose, so the words follow the numbers under any parameters."""
    n = res["horizon_years"]
    y = res["payback_year"]
    k = res["capacity_binds_from"]
    e = res["first_ebita_positive_year"]
    u = res["breakeven_utilisation_pct"]
    k_turn = res.get("breakeven_turnover")
    irr = res["irr_pct"]
    return {
        "payback_phrase": (f"pays back in year {y} of {n}" if y is not None
                           else f"does not pay back before its last servers are written off (year {n})"),
        "binding_phrase": (
            f"from year {k} the programme's capacity (capex times the assumed turnover and utilisation), not demand, "
            "caps what it earns in this model, so faster growth barely helps and what decides the payback is what "
            "each yuan of servers is assumed to earn"
            if k is not None and k <= res["capex_years"] + 1 else
            (f"demand does not fill the programme's capacity until year {k}, so slower growth leaves servers "
             "waiting for customers in the years that matter most" if k is not None else
             "demand never fills the programme's capacity, so growth decides the payback: the servers wait "
             "for customers")),
        "ebita_phrase": (f"the programme's own EBITA (cash profit less its depreciation) turns positive in year {e}"
                         if e is not None else
                         "the programme's own EBITA (cash profit less its depreciation) is negative in every year"),
        "breakeven_utilisation_phrase": (f"{u:.0f}% of capacity sold" if u is not None
                                         else "none: even full use does not pay back at this margin"),
        "breakeven_turnover_phrase": (f"a turnover of at least {k_turn:.2f} (yuan of revenue a year per yuan of capex)"
                                      if k_turn is not None else
                                      "more than any turnover can give, because demand, not capacity, then caps "
                                      "what it earns"),
        "irr_text": ("no positive cash flow, so no return" if irr is None or math.isnan(irr)
                     else f"{irr:+.1f}% a year"),
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


def compare_phrase(a: float, b: float, unit: str = "points", close: float = 2.0) -> str:
    """'almost the same as' / 'higher than' / 'lower than', comparing a with b."""
    if math.isnan(a) or math.isnan(b):
        return "not comparable with"
    if abs(a - b) < close:
        return "almost the same as"
    return "higher than" if a > b else "lower than"


def short_lines(title: str, width: int = 68) -> str:
    """A chart title whose lines stay within ``width`` characters once ``style.finish`` wraps it.

    ``style.finish`` wraps titles at 80 characters, a little wide for a bold title at 800 px; joining
    the words of each ``width``-wide line with no-break spaces leaves it only the breaks chosen here.
    """
    import textwrap

    return " ".join(line.replace(" ", "\u00a0") for line in textwrap.wrap(title, width))
