"""The cloud chapter's model functions: the revenue path and the payback of the capex programme.

Pure functions of numbers (no claims, no sentences), vectorised with numpy: the formulas are in
the package's docstring (:mod:`alibaba_report.chapters.cloud_ai`). :func:`project` runs them under
one parameter set; :func:`sensitivity_grids` over two parameters. Amounts are RMB billions, rates
percentages (35 means 35 %).
"""
from __future__ import annotations

import math
import types
from typing import Any, Sequence

import numpy as np
import pandas as pd

from alibaba_report.chapters.contract import ModelInputError, check_number

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


def npv_rmb_bn(cash_flows: Sequence[float], rate_pct: float) -> float:
    """Present value today of yearly cash flows paid at the end of years 1, 2, ... (the timing
    :func:`irr_pct` uses), discounted at ``rate_pct`` a year: zero exactly at the internal rate."""
    cf = np.asarray(cash_flows, dtype=float)
    rate = check_number("rate_pct", rate_pct, low=-100, low_open=True, unit="% a year")
    return float(np.sum(cf / (1 + rate / 100) ** np.arange(1, len(cf) + 1)))


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


def breakeven_margin_formula_pct(capex_turnover: float, asset_life_years: float, utilisation_pct: float) -> float:
    """The cash margin that only earns back the servers' cost over their life when they are full:
    ``1 / (turnover x life x utilisation)``, in per cent.

    A yuan of capex earns ``turnover x utilisation`` yuan of revenue a year for ``life`` years; at
    margin ``m`` it returns ``m x turnover x utilisation x life`` yuan, one yuan when
    ``m = 1 / (turnover x life x utilisation)``. It follows from three assumptions (no source gives
    any of them); :func:`breakeven_margin_pct` is the model's figure, higher where demand, not
    capacity, limits the early years and by the half-year convention."""
    k = check_number("capex_turnover", capex_turnover, low=0, low_open=True, unit="RMB of yearly revenue per RMB of capex")
    life = check_number("asset_life_years", asset_life_years, low=0, low_open=True, unit="years")
    u = check_number("utilisation_pct", utilisation_pct, low=0, high=100, low_open=True, unit="% of capacity")
    return 100.0 / (k * life * u / 100)


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


# --- the model under one parameter set, and over two ------------------------------------------

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
