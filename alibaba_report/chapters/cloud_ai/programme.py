"""The cloud programme as the model of value reads it: :func:`programme_years`, the chapter's payback
model (:mod:`.payback`) vectorised over many parameter sets at once, with extra demand from the
policy plan (:func:`plan_demand_path`) and a programme year's figure read at any time
(:func:`at_time`). Amounts are RMB billions, rates percentages.
"""
from __future__ import annotations

import numpy as np

from alibaba_report.chapters.cloud_ai.payback import in_service
from alibaba_report.chapters.contract import ModelInputError, check_number


def programme_years(base_rmb_bn, growth_pct, fade_pp, capex_rmb_bn, capex_years, asset_life_years, capex_turnover,
                    utilisation_pct, cash_margin_pct, extra_demand_rmb_bn=0.0, years: int = 4) -> dict[str, np.ndarray]:
    """The programme's years 1..``years`` for many parameter sets at once (the model of value's draws).

    Every argument may be a number or an array (broadcast together, shape ``S``); the results have
    shape ``S + (years,)``. The same model as :func:`payback_arrays`: demand is the revenue the growth
    path adds above year 0 (the average of a year's opening and closing increments) plus
    ``extra_demand_rmb_bn`` (a number or an array over the years, e.g. :func:`plan_demand_path`); the
    programme earns ``min(demand, capacity)``, where capacity is its assets in service x turnover x
    utilisation; cash profit is that revenue x the cash margin; EBITA is cash profit less the
    programme's depreciation. Revenue beyond capacity earns nothing. Whole years of asset life and
    spending are used (rounded): the half-year convention of :func:`in_service` needs them.
    """
    years = check_number("years", years, low=1, integer=True, unit="years")
    arrs = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        base_rmb_bn, growth_pct, fade_pp, capex_rmb_bn, capex_years, asset_life_years, capex_turnover,
        utilisation_pct, cash_margin_pct)))
    base, g1, fade, capex, cy, life, turn, util, margin = (a.astype(float) for a in arrs)
    for name, a, low in (("base_rmb_bn", base, 0.0), ("capex_rmb_bn", capex, 0.0), ("capex_turnover", turn, 0.0)):
        if not np.all(np.isfinite(a)) or np.any(a <= low):
            raise ModelInputError(f"{name} must be above {low:g} everywhere, got {a.ravel()[:5].tolist()}...")
    for name, a in (("utilisation_pct", util), ("cash_margin_pct", margin)):
        if not np.all(np.isfinite(a)) or np.any((a < 0) | (a > 100)):
            raise ModelInputError(f"{name} must be from 0 to 100 (%), got {a.ravel()[:5].tolist()}...")
    cy, life = np.maximum(np.rint(cy), 1).astype(int), np.maximum(np.rint(life), 1).astype(int)
    k = np.arange(1, years + 1)
    growth = np.maximum(g1[..., None] - fade[..., None] * (k - 1), 0.0)
    inc = base[..., None] * (np.concatenate([np.ones(base.shape + (1,)), np.cumprod(1 + growth / 100, -1)], -1) - 1)
    demand = (inc[..., :-1] + inc[..., 1:]) / 2 + np.asarray(extra_demand_rmb_bn, dtype=float)
    in_use = np.zeros(base.shape + (years,))  # share of the programme's capex in service, by year
    dep_share = np.zeros(base.shape + (years,))  # share of the capex depreciated, by year
    for c, n in {(int(a), int(b)) for a, b in zip(cy.ravel(), life.ravel())}:
        frac = in_service(c, n, years).sum(axis=0) / c
        at = (cy == c) & (life == n)
        in_use[at], dep_share[at] = frac, frac / n
    capacity = capex[..., None] * in_use * turn[..., None] * util[..., None] / 100
    earned = np.minimum(demand, capacity)
    cash = earned * margin[..., None] / 100
    depreciation = capex[..., None] * dep_share
    return {"demand_rmb_bn": demand, "capacity_rmb_bn": capacity, "earned_rmb_bn": earned,
            "cash_profit_rmb_bn": cash, "depreciation_rmb_bn": depreciation, "ebita_rmb_bn": cash - depreciation}


def plan_demand_path(revenue_rmb_bn, start_years: float, years: int) -> np.ndarray:
    """New cloud revenue from a plan that starts ``start_years`` after year 0, by programme year
    1..``years`` (shape ``revenue.shape + (years,)``): the full yearly revenue from the first whole year
    after the start, the part of the year after the start in the year it starts, nothing before.

    Revenue from a plan is cloud revenue: it is demand on the same programme (:func:`programme_years`),
    served only where the programme's capacity has room."""
    years = check_number("years", years, low=1, integer=True, unit="years")
    start = check_number("start_years", start_years, low=0, unit="years")
    rev = np.asarray(revenue_rmb_bn, dtype=float)
    if not np.all(np.isfinite(rev)) or np.any(rev < 0):
        raise ModelInputError(f"revenue_rmb_bn must be zero or more, got {rev.ravel()[:5].tolist()}")
    share = np.clip(np.arange(1, years + 1) - start, 0.0, 1.0)
    return rev[..., None] * share


def at_time(by_year, t: float) -> np.ndarray:
    """A yearly quantity (last axis: programme years 1..n) read at ``t`` years after year 0: a year's
    figure belongs to its middle (year ``k`` at ``k - 0.5``), straight lines between middles, zero at 0."""
    a = np.asarray(by_year, dtype=float)
    t = check_number("t", t, low=0, high=a.shape[-1] - 0.5, unit="years")
    x = np.concatenate([[0.0], np.arange(1, a.shape[-1] + 1) - 0.5])
    i = int(np.searchsorted(x, t, side="right")) - 1
    i = min(i, len(x) - 2)
    w = (t - x[i]) / (x[i + 1] - x[i])
    lo = np.zeros(a.shape[:-1]) if i == 0 else a[..., i - 1]
    return lo * (1 - w) + a[..., i] * w
