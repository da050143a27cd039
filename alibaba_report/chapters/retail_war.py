"""The instant-retail war: what the losses cost, and what "loss convergence" would have to look like.

The model is deliberately small. From the peak quarter (FQ3 FY2026, the calendar fourth quarter of
2025, where Nomura and UBS put the peak) the quarterly loss stays at its peak for ``peak_quarters``
quarters, then shrinks by a constant share each quarter::

    L(i) = peak                                  for i < peak_quarters
    L(i) = peak * (1 - shrink) ** (i - peak_quarters + 1)   after

where ``i`` counts quarters from FQ3 FY2026. From the path follow the cumulative cost over the
quarters modelled, the first quarter at or below the loss counted as "converged", and what the
path does to the analysts' full-year adjusted-EBITDA forecasts: the forecast plus the losses it is
assumed to embed (a named assumption, as a path of the same form) minus the losses modelled.

Alibaba's fiscal year ends on 31 March: FY2026 runs from April 2025 to March 2026, so FQ1 is the
calendar second quarter of the year before, FQ4 the calendar first quarter of the fiscal year.

The module follows the chapter contract (:mod:`alibaba_report.chapters.contract`): ``CLAIMS``,
``compute`` (every number the page shows), ``key_outputs``, ``signposts``, ``prose`` (the page's
computed and conditional sentences, each from a small function below) and the charts. The model
functions are pure (numbers in, numbers out, no I/O); amounts are RMB billions, rates are
percentages (15 means 15 %).
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from alibaba_report import params
from alibaba_report.chapters.contract import ModelInputError, Signpost, check_array, check_number
from alibaba_report.charts import style

NOTEBOOK = "retail_war"
SCENARIOS = ("bull", "base", "bear")  # the order of the page's chart legend and scenario table

# The first quarter modelled: FQ3 FY2026 (October-December 2025), the quarter for which the
# brokers in the 8 January article forecast the peak loss.
START_FISCAL_YEAR = 2026
START_FISCAL_QUARTER = 3

# Ledger claims the chapter uses (data/claims.csv), by role.
CLAIMS = {
    "nomura_peak": "nomura_ebita_loss_peak_fq3_fy26",
    "ubs_loss": "ubs_commerce_loss_fq3_fy26",
    "last_quarter_loss": "quick_commerce_loss_last_q_s001",
    "hundreds_of_billions": "quarterly_loss_s000",
    "tens_of_billions": "quick_commerce_investment_s000",
    "gs_ebitda_drop": "gs_group_ebitda_yoy_fq3_fy26",
    "citi_cut": "citi_report_date_s000",
    "ebitda_fy26": "consensus_adj_ebitda_fy26_s001",
    "ebitda_fy27": "consensus_adj_ebitda_fy27_s001",
    "revenue_fy26": "group_revenue_guidance_fy26_s001",
    "revenue_fy27": "group_revenue_guidance_fy27_s001",
    "revenue_growth_s001": "china_commerce_revenue_growth_last_q_s001",
    "revenue_growth": "china_commerce_revenue_growth_fq2_fy26_s004",
    "revenue": "china_commerce_revenue_fq2_fy26_s004",
    "op_income_before": "china_commerce_operating_income_prior_s004",
    "op_income_after": "china_commerce_operating_income_fq2_fy26_s004",
    "adj_earnings_change": "china_commerce_adj_earnings_yoy_fq2_fy26_s004",
    "fcf": "group_free_cash_flow_fq2_fy26_s004",
    "capex_growth": "group_capex_growth_fq2_fy26_s004",
}
# the ledger figures the model reads, by role (citi_cut is a date: cited, not computed with)
NUMERIC_ROLES = tuple(r for r in CLAIMS if r != "citi_cut")


# --- quarters ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Quarter:
    """One Alibaba fiscal quarter (fiscal year ending 31 March) and its calendar equivalent."""

    fiscal_year: int
    fiscal_quarter: int

    @property
    def calendar_year(self) -> int:
        return self.fiscal_year if self.fiscal_quarter == 4 else self.fiscal_year - 1

    @property
    def calendar_quarter(self) -> int:
        return 1 if self.fiscal_quarter == 4 else self.fiscal_quarter + 1

    @property
    def fiscal(self) -> str:
        """e.g. ``FQ1 FY27``."""
        return f"FQ{self.fiscal_quarter} FY{self.fiscal_year % 100:02d}"

    @property
    def calendar(self) -> str:
        """e.g. ``CY Q2 2026``."""
        return f"CY Q{self.calendar_quarter} {self.calendar_year}"

    @property
    def label(self) -> str:
        """e.g. ``FQ1 FY27 (CY Q2 2026)``."""
        return f"{self.fiscal} ({self.calendar})"


def quarter(index: int) -> Quarter:
    """The quarter ``index`` quarters after FQ3 FY2026 (index 0)."""
    index = check_number("quarter index", index, low=0, integer=True)
    absolute = START_FISCAL_YEAR * 4 + (START_FISCAL_QUARTER - 1) + index
    return Quarter(absolute // 4, absolute % 4 + 1)


def quarter_index(fiscal_label: str) -> int:
    """The index of a fiscal quarter given as ``"FQ4 FY27"`` (inverse of ``quarter(i).fiscal``)."""
    try:
        fq_part, fy_part = fiscal_label.split()
        fq = int(fq_part.removeprefix("FQ"))
        fy = 2000 + int(fy_part.removeprefix("FY"))
    except (ValueError, AttributeError):
        raise ModelInputError(f"expected a fiscal quarter like 'FQ4 FY27', got {fiscal_label!r}") from None
    if not 1 <= fq <= 4:
        raise ModelInputError(f"fiscal quarter must be FQ1 to FQ4, got {fiscal_label!r}")
    index = fy * 4 + (fq - 1) - (START_FISCAL_YEAR * 4 + START_FISCAL_QUARTER - 1)
    if index < 0:
        raise ModelInputError(f"{fiscal_label} is before the first quarter modelled ({quarter(0).fiscal})")
    return index


# --- the loss path ----------------------------------------------------------------------------

def loss_path(peak_loss_rmb_bn, shrink_pct, quarters: int, peak_quarters=1) -> np.ndarray:
    """Quarterly instant-retail losses (RMB bn) from FQ3 FY2026 for ``quarters`` quarters.

    The loss stays at ``peak_loss_rmb_bn`` for ``peak_quarters`` quarters, then shrinks by
    ``shrink_pct`` per cent a quarter. Losses are positive numbers. Vectorised: the peak, the
    shrink and the peak quarters may be arrays of one shape (the valuation's draws); the result
    then has that shape plus a last axis of ``quarters``. The one rule for the loss path: the
    chapter and the book's model of value both call it.
    """
    peak = check_array("peak_loss_rmb_bn", peak_loss_rmb_bn, low=0, unit="RMB bn a quarter")
    shrink = check_array("shrink_pct", shrink_pct, low=0, high=100, unit="% a quarter")
    quarters = check_number("quarters", quarters, low=1, integer=True)
    peak_quarters = check_array("peak_quarters", peak_quarters, low=1, integer=True)
    peak, shrink, peak_quarters = (np.asarray(x, dtype=float)[..., None] for x in (peak, shrink, peak_quarters))
    steps = np.maximum(np.arange(quarters) - peak_quarters + 1, 0)
    return peak * (1.0 - shrink / 100.0) ** steps


def cumulative_cost(path: np.ndarray, quarters: int | None = None) -> float:
    """The sum of the quarterly losses (RMB bn), over the first ``quarters`` quarters or all."""
    path = np.asarray(path, dtype=float)
    if quarters is not None:
        path = path[:check_number("quarters", quarters, low=0, integer=True)]
    return float(path.sum())


def convergence_index(path: np.ndarray, converged_loss_rmb_bn: float) -> int | None:
    """The index of the first quarter whose loss is at or below the converged level; None if none."""
    level = check_number("converged_loss_rmb_bn", converged_loss_rmb_bn, low=0, unit="RMB bn a quarter")
    below = np.flatnonzero(np.asarray(path, dtype=float) <= level * (1 + 1e-12))
    return int(below[0]) if below.size else None


def convergence_label(index: int | None, quarters: int) -> str:
    """``FQ1 FY28 (CY Q2 2027)``, or ``not by FQ2 FY29 (CY Q3 2028)`` when the path never converges."""
    if index is None:
        return f"not by {quarter(quarters - 1).label}"
    return quarter(index).label


def losses_by_fiscal_year(path: np.ndarray) -> dict[int, float]:
    """The path's losses summed by fiscal year (FY2026 holds only FQ3 and FQ4, the quarters modelled)."""
    out: dict[int, float] = {}
    for i, loss in enumerate(np.asarray(path, dtype=float)):
        fy = quarter(i).fiscal_year
        out[fy] = out.get(fy, 0.0) + float(loss)
    return out


def ebitda_under_path(forecast_rmb_bn: float, embedded_loss_rmb_bn: float, modelled_loss_rmb_bn: float) -> float:
    """A full-year adjusted-EBITDA forecast re-based on the modelled losses (RMB bn).

    The forecast is assumed to include ``embedded_loss_rmb_bn`` of instant-retail losses; replacing
    them with ``modelled_loss_rmb_bn`` moves EBITDA by the difference, one for one.
    """
    forecast = check_number("forecast_rmb_bn", forecast_rmb_bn, unit="RMB bn")
    embedded = check_number("embedded_loss_rmb_bn", embedded_loss_rmb_bn, unit="RMB bn")
    modelled = check_number("modelled_loss_rmb_bn", modelled_loss_rmb_bn, unit="RMB bn")
    return forecast + embedded - modelled


def required_shrink_pct(peak_loss_rmb_bn: float, converged_loss_rmb_bn: float, deadline_index: int,
                        peak_quarters: int = 1) -> float | None:
    """The smallest quarterly shrink (per cent) that brings the loss to the converged level by the
    quarter ``deadline_index``; 0 if the peak is already at or below it, None if no rate can
    (the deadline falls while the loss is still at its peak)."""
    peak = check_number("peak_loss_rmb_bn", peak_loss_rmb_bn, low=0, unit="RMB bn a quarter")
    level = check_number("converged_loss_rmb_bn", converged_loss_rmb_bn, low=0, unit="RMB bn a quarter")
    deadline_index = check_number("deadline_index", deadline_index, low=0, integer=True)
    peak_quarters = check_number("peak_quarters", peak_quarters, low=1, integer=True)
    if peak <= level:
        return 0.0
    steps = deadline_index - peak_quarters + 1
    if steps <= 0:
        return None
    if level == 0:
        return 100.0
    return 100.0 * (1.0 - (level / peak) ** (1.0 / steps))


def first_shrink_losses(peak_loss_rmb_bn: float, shrink_pct: float,
                        need_pct: float | None) -> tuple[float | None, float]:
    """The loss in the first quarter after the peak: the most it can be for convergence by the
    deadline (``need_pct``, the required shrink; None when no rate reaches the deadline, and then
    no ceiling either) and the loss the modelled path itself puts there (``loss_path(...)[peak_quarters]``)."""
    ceiling = None if need_pct is None else peak_loss_rmb_bn * (1.0 - need_pct / 100.0)
    return ceiling, peak_loss_rmb_bn * (1.0 - shrink_pct / 100.0)


def first_shrink_band(ceiling_rmb_bn: float | None, path_loss_rmb_bn: float) -> str:
    """How the modelled path stands against the deadline in the first quarter after the peak:
    ``"out of reach"`` (no loss there can meet the deadline), ``"misses"`` (the path's own loss is
    above the ceiling: as modelled, the deadline slips) or ``"on track"``."""
    if ceiling_rmb_bn is None:
        return "out of reach"
    return "misses" if path_loss_rmb_bn > ceiling_rmb_bn else "on track"


# --- the quarter the sources report: the group's margin before and after --------------------------

def margin_bridge(revenue_rmb_bn: float, revenue_growth_pct: float, op_income_before_rmb_bn: float,
                  op_income_after_rmb_bn: float) -> dict[str, float]:
    """Operating margin a year earlier and now, from this year's revenue and its growth.

    The year-earlier revenue is ``revenue / (1 + growth)``. ``shortfall_rmb_bn`` is how far
    operating income fell short of what this year's revenue would have earned at last year's margin.
    """
    revenue = check_number("revenue_rmb_bn", revenue_rmb_bn, low=0, low_open=True, unit="RMB bn")
    growth = check_number("revenue_growth_pct", revenue_growth_pct, low=-100, low_open=True, unit="%")
    before = check_number("op_income_before_rmb_bn", op_income_before_rmb_bn, unit="RMB bn")
    after = check_number("op_income_after_rmb_bn", op_income_after_rmb_bn, unit="RMB bn")
    revenue_before = revenue / (1.0 + growth / 100.0)
    margin_before = 100.0 * before / revenue_before
    margin_after = 100.0 * after / revenue
    change = 100.0 * (after / before - 1.0) if before > 0 else float("nan")
    return {
        "revenue_before_rmb_bn": revenue_before,
        "revenue_after_rmb_bn": revenue,
        "margin_before_pct": margin_before,
        "margin_after_pct": margin_after,
        "margin_change_pp": margin_after - margin_before,
        "op_income_change_pct": change,
        "shortfall_rmb_bn": margin_before / 100.0 * revenue - after,
    }


# --- sensitivity ------------------------------------------------------------------------------

def sensitivity(peaks_rmb_bn: list[float], shrinks_pct: list[float], quarters: int, converged_loss_rmb_bn: float,
                peak_quarters: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cumulative cost (RMB bn) and convergence quarter (fiscal label) across a grid.

    Rows are peak losses, columns shrink rates; the second frame holds e.g. ``FQ1 FY28`` or
    ``after FQ2 FY29`` when the path does not converge within the quarters modelled.
    """
    if not peaks_rmb_bn or not shrinks_pct:
        raise ModelInputError("the sensitivity grid needs at least one peak loss and one shrink rate, "
                              f"got {len(peaks_rmb_bn)} peak(s) and {len(shrinks_pct)} rate(s)")
    cost = pd.DataFrame(index=pd.Index(peaks_rmb_bn, name="peak loss, RMB bn a quarter"),
                        columns=pd.Index(shrinks_pct, name="shrink, % a quarter"), dtype=float)
    when = pd.DataFrame(index=cost.index, columns=cost.columns, dtype=object)
    for peak in peaks_rmb_bn:
        for s in shrinks_pct:
            path = loss_path(peak, s, quarters, peak_quarters)
            cost.loc[peak, s] = cumulative_cost(path)
            idx = convergence_index(path, converged_loss_rmb_bn)
            when.loc[peak, s] = quarter(idx).fiscal if idx is not None else f"after {quarter(quarters - 1).fiscal}"
    return cost, when


def grid_around(value: float, step: float, low: float, high: float, n_each_side: int = 2) -> list[float]:
    """A grid of round values ``step`` apart around ``value`` (which is always included), in [low, high]."""
    centre = round(value / step) * step
    points = {round(centre + k * step, 6) for k in range(-n_each_side, n_each_side + 1)}
    points.add(round(float(value), 6))
    return sorted(p for p in points if low <= p <= high)


# --- the chapter under one parameter set --------------------------------------------------------

def _namespace(p: Any) -> SimpleNamespace:
    """Parameters as attributes, whether given as attributes (``P``) or a mapping (a scenario)."""
    return SimpleNamespace(**p) if isinstance(p, Mapping) else p


def scenario_result(p: Any, brokers_peak_rmb_bn: float, forecast_fy26_rmb_bn: float,
                    forecast_fy27_rmb_bn: float) -> dict[str, Any]:
    """The loss model under one parameter set ``p`` (attributes or a mapping, as in the spec), given
    the brokers' peak and the analysts' EBITDA forecasts: the path and what follows from it."""
    p = _namespace(p)
    path = loss_path(p.peak_loss_rmb_bn, p.shrink_pct, p.quarters_modelled, p.peak_quarters)
    embedded = loss_path(brokers_peak_rmb_bn, p.consensus_embedded_shrink_pct, p.quarters_modelled, 1)
    by_fy = losses_by_fiscal_year(path)
    emb_fy = losses_by_fiscal_year(embedded)
    idx = convergence_index(path, p.converged_loss_rmb_bn)
    deadline = quarter_index(p.convergence_deadline)
    need = required_shrink_pct(p.peak_loss_rmb_bn, p.converged_loss_rmb_bn, deadline, p.peak_quarters)
    return {
        "path": path,
        "embedded_path": embedded,
        "cumulative_cost_rmb_bn": cumulative_cost(path),
        "convergence_index": idx,
        "convergence_quarter": convergence_label(idx, p.quarters_modelled),
        "quarters_to_converge": idx,
        "cost_to_convergence_rmb_bn": cumulative_cost(path, idx + 1) if idx is not None else float("nan"),
        "loss_fy26_h2_rmb_bn": by_fy.get(2026, 0.0),
        "loss_fy27_rmb_bn": by_fy.get(2027, 0.0),
        "embedded_fy26_h2_rmb_bn": emb_fy.get(2026, 0.0),
        "embedded_fy27_rmb_bn": emb_fy.get(2027, 0.0),
        "ebitda_fy26_rmb_bn": ebitda_under_path(forecast_fy26_rmb_bn, emb_fy.get(2026, 0.0), by_fy.get(2026, 0.0)),
        "ebitda_fy27_rmb_bn": ebitda_under_path(forecast_fy27_rmb_bn, emb_fy.get(2027, 0.0), by_fy.get(2027, 0.0)),
        "deadline_index": deadline,
        "required_shrink_pct": need,
        "meets_deadline": idx is not None and idx <= deadline,
    }


def brokers_peak(claims) -> float:
    """The middle of the brokers' peak-quarter loss estimates (Nomura, UBS) in the ledger, RMB bn."""
    return (claims.value(CLAIMS["nomura_peak"]) + claims.value(CLAIMS["ubs_loss"])) / 2.0


def run(p: Any, claims) -> dict[str, Any]:
    """:func:`scenario_result` under ``p`` with the brokers' peak and the forecasts from the ledger."""
    return scenario_result(p, brokers_peak(claims), claims.value(CLAIMS["ebitda_fy26"]),
                           claims.value(CLAIMS["ebitda_fy27"]))


def scenario_match(p: Any) -> str | None:
    """The scenario (bull, base, bear) whose parameters ``p`` are, or None if it is none of them."""
    values = dict(p) if isinstance(p, Mapping) else vars(p)
    return next((s for s in SCENARIOS if params.scenario_parameters(s, NOTEBOOK) == values), None)


def compute(p: Any, claims) -> dict[str, Any]:
    """Everything the page shows under parameters ``p``: the model (:func:`scenario_result`), the
    ledger figures it reads, the reported quarter's margin bridge, the three scenarios beside it,
    the first quarter after the peak, and the tables."""
    p = _namespace(p)
    figures_ = {role: claims.value(CLAIMS[role]) for role in NUMERIC_ROLES}
    result = run(p, claims)
    bridge = margin_bridge(figures_["revenue"], figures_["revenue_growth"], figures_["op_income_before"],
                           figures_["op_income_after"])
    match = scenario_match(p)
    runs = {s: run(params.scenario_parameters(s, NOTEBOOK), claims) for s in SCENARIOS}
    if match is None:
        runs["this page"] = result
    ceiling, path_loss = first_shrink_losses(p.peak_loss_rmb_bn, p.shrink_pct, result["required_shrink_pct"])
    estimates = estimates_frame(claims)
    cost_grid, when_grid = sensitivity_grids(p)
    return {
        **result,
        "parameters": dict(vars(p)),
        "ledger": figures_,
        "brokers_peak_rmb_bn": brokers_peak(claims),
        "bridge": bridge,
        "match": match,
        "runs": runs,
        "labels": {s: run_label(s, match) for s in runs},
        "first_shrink_index": p.peak_quarters,
        "next_ceiling_rmb_bn": ceiling,
        "next_path_loss_rmb_bn": path_loss,
        "estimates": estimates,
        "estimates_table": estimates_table(estimates),
        "bridge_table": bridge_table(bridge, figures_),
        "path_table": path_frame(result).set_index("fiscal quarter"),
        "scenario_table": scenario_table(runs, match, figures_["revenue_fy27"]),
        "deadline_table": deadline_frame(p.peak_loss_rmb_bn, p.converged_loss_rmb_bn, p.peak_quarters,
                                         params.specs(NOTEBOOK)["convergence_deadline"].choices).set_index("converged by"),
        "cost_grid": cost_grid.round(0).astype(int),
        "when_grid": when_grid,
    }


def figures(r: dict[str, Any]) -> dict[str, float]:
    """The numbers the page's prose shows, by the name the page glues them under (``r`` from
    :func:`compute`); the page formats them."""
    v, b, p = r["ledger"], r["bridge"], SimpleNamespace(**r["parameters"])
    bear, bull = r["runs"]["bear"], r["runs"]["bull"]
    return {
        "nomura_peak": v["nomura_peak"], "ubs_loss": v["ubs_loss"], "revenue_growth": v["revenue_growth"],
        "margin_before": b["margin_before_pct"], "margin_after": b["margin_after_pct"],
        "peak": p.peak_loss_rmb_bn, "shrink": p.shrink_pct, "threshold": p.converged_loss_rmb_bn,
        "cum_cost": r["cumulative_cost_rmb_bn"], "retail_war_cost_rmb_bn": r["cumulative_cost_rmb_bn"], "ebitda27": r["ebitda_fy27_rmb_bn"], "fc27": v["ebitda_fy27"],
        "threshold_share": 100 * p.converged_loss_rmb_bn / p.peak_loss_rmb_bn,
        "gs_drop": -v["gs_ebitda_drop"], "brokers_peak": r["brokers_peak_rmb_bn"], "fc26": v["ebitda_fy26"],
        "fc_growth": 100 * (v["ebitda_fy27"] / v["ebitda_fy26"] - 1), "last_q_loss": v["last_quarter_loss"],
        "hundreds": v["hundreds_of_billions"],
        "hundreds_ratio": v["hundreds_of_billions"] / r["brokers_peak_rmb_bn"],
        "hundreds_vs_fy26": 100 * v["hundreds_of_billions"] / v["ebitda_fy26"],
        "rev26": v["revenue_fy26"], "rev27": v["revenue_fy27"],
        "revenue": v["revenue"], "op_before": v["op_income_before"], "op_after": v["op_income_after"],
        "adj_fall": -v["adj_earnings_change"], "revenue_before": b["revenue_before_rmb_bn"],
        "margin_drop": -b["margin_change_pp"], "op_fall": -b["op_income_change_pct"],
        "shortfall": b["shortfall_rmb_bn"], "fcf_out": -v["fcf"], "capex_growth": v["capex_growth"],
        "growth_s001": v["revenue_growth_s001"],
        "embedded_shrink": p.consensus_embedded_shrink_pct,
        "emb26": r["embedded_fy26_h2_rmb_bn"], "emb27": r["embedded_fy27_rmb_bn"], "ebitda26": r["ebitda_fy26_rmb_bn"],
        "bear_ebitda27": bear["ebitda_fy27_rmb_bn"], "bull_ebitda27": bull["ebitda_fy27_rmb_bn"],
        "bear_margin27": 100 * bear["ebitda_fy27_rmb_bn"] / v["revenue_fy27"],
        "fc_margin27": 100 * v["ebitda_fy27"] / v["revenue_fy27"],
        "broker_spread": abs(v["ubs_loss"] - v["nomura_peak"]),
    }


def key_outputs(p: Any, claims) -> dict[str, Any]:
    """The few numbers the summary and the scenario comparison show, under parameters ``p``."""
    r = run(p, claims)
    keys = ("cumulative_cost_rmb_bn", "cost_to_convergence_rmb_bn", "convergence_quarter", "quarters_to_converge",
            "loss_fy27_rmb_bn", "ebitda_fy26_rmb_bn", "ebitda_fy27_rmb_bn", "required_shrink_pct")
    return {k: r[k] for k in keys}


# --- the page's sentences -----------------------------------------------------------------------

def plural(n: int, word: str) -> str:
    """``1 quarter``, ``2 quarters``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def case_name(match: str | None) -> str:
    """What the page's parameters are called: ``the base case``, or what they are when no scenario."""
    return "the case these parameters model" if match is None else f"the {match} case"


def run_label(name: str, match: str | None) -> str:
    """A run's name in the chart legend and the scenario table: the scenario this page is gets ``(this page)``."""
    return f"{name} (this page)" if name == match else name


def horizon_label(quarters: int) -> str:
    """``12 quarters to FQ2 FY29 (CY Q3 2028)``."""
    return f"{plural(quarters, 'quarter')} to {quarter(quarters - 1).label}"


def required_text(need_pct: float | None) -> str:
    """The required quarterly shrink, ``22.4%``, or a dash when no rate reaches the deadline."""
    return "—" if need_pct is None else f"{need_pct:.1f}%"


def verdict(need_pct: float | None, shrink_pct: float) -> str:
    """Whether the modelled shrink reaches the pace the deadline requires (ends a sentence)."""
    if need_pct is None:
        return "which no shrink rate can do, because the loss is still at its peak then"
    if shrink_pct >= need_pct:
        return "a pace this path reaches"
    return f"faster than the {shrink_pct:g}% this path assumes"


def next_ceiling_text(ceiling_rmb_bn: float | None) -> str:
    """The most the first quarter after the peak can lose for convergence by the deadline."""
    return "— (no shrink rate can reach the deadline)" if ceiling_rmb_bn is None else f"RMB {ceiling_rmb_bn:.1f}bn"


def next_path_sentence(ceiling_rmb_bn: float | None, path_loss_rmb_bn: float) -> str:
    """The loss the path puts in the first quarter after the peak, against that ceiling."""
    said = f"This page's path puts it at RMB {path_loss_rmb_bn:.1f}bn"
    band = first_shrink_band(ceiling_rmb_bn, path_loss_rmb_bn)
    if band == "out of reach":
        return f"{said}."
    if band == "misses":
        return f"{said}, above that ceiling: a loss exactly as modelled would be on the path and still miss the deadline."
    return f"{said}, within that ceiling."


def required_pace_sentence(need_pct: float | None) -> str:
    """What the required shrink means: how often it halves the loss, or why there is none."""
    if need_pct is None:
        return "No shrink rate can meet that deadline: the loss is still at its peak then."
    if need_pct == 0:
        return "The peak is already at or below the converged level: no shrink is needed."
    return f"At {need_pct:.1f}% a quarter the loss halves every {math.log(0.5) / math.log(1 - need_pct / 100):.1f} quarters."


def scenario_summary(scenarios: Mapping[str, Mapping[str, Any]]) -> str:
    """How the scenarios differ: ``bull: peak RMB 35bn for 1 quarter, shrinking 25% a quarter; ...``."""
    return "; ".join(f"{s}: peak RMB {v['peak_loss_rmb_bn']:g}bn for {plural(v['peak_quarters'], 'quarter')}, "
                     f"shrinking {v['shrink_pct']:g}% a quarter" for s, v in scenarios.items())


def cost_to_convergence_sentence(r: Mapping[str, Any]) -> str:
    """What the war has cost when the loss reaches the converged level, or that it does not (``r``
    from :func:`scenario_result`)."""
    if r["convergence_index"] is None:
        return ("The loss does not reach the converged level within the horizon: the cost keeps growing beyond "
                f"RMB {r['cumulative_cost_rmb_bn']:.0f}bn.")
    return (f"By the time the loss reaches the converged level, in {r['convergence_quarter']}, the war has cost "
            f"RMB {r['cost_to_convergence_rmb_bn']:.0f}bn.")


def ebitda27_sentence(ebitda_rmb_bn: float, forecast_rmb_bn: float) -> str:
    """FY27 EBITDA on the path against the analysts' forecast: the forecast itself, below or above it."""
    gap = ebitda_rmb_bn - forecast_rmb_bn
    if abs(gap) < 0.5:  # the same once rounded to the RMB bn the page shows
        return (f"RMB {ebitda_rmb_bn:.0f}bn, the analysts' forecast itself, because this page assumes the forecast "
                "embeds its path")
    return (f"RMB {ebitda_rmb_bn:.0f}bn with the war's path alone, RMB {abs(gap):.0f}bn {'below' if gap < 0 else 'above'} "
            f"the analysts' RMB {forecast_rmb_bn:.0f}bn forecast (the book's model of value adds the cloud's and the "
            "policy's drivers)")


def ebitda27_range(bear_rmb_bn: float, bull_rmb_bn: float) -> str:
    """FY27 EBITDA under the bear and bull war paths: this chapter's driver only, so named."""
    return f"the war alone, bear case: RMB {bear_rmb_bn:.0f}bn; bull case: RMB {bull_rmb_bn:.0f}bn"


def next_reading_sentence(first_shrink: str, deadline: str, ceiling_rmb_bn: float | None,
                          path_loss_rmb_bn: float, match: str | None) -> str:
    """How to read the loss reported for the first quarter after the peak (ends the conclusion):
    three ways when the path itself misses the deadline, two when it is on track, none when the
    deadline is out of reach."""
    band = first_shrink_band(ceiling_rmb_bn, path_loss_rmb_bn)
    if band == "out of reach":
        return (f"no loss in {first_shrink} can put convergence by {deadline} on track: "
                "the loss is still at its peak then.")
    if band == "misses":
        slower = "worse than the bear case" if match == "bear" else "the bear case"
        return (f"a loss in {first_shrink} at or below RMB {ceiling_rmb_bn:.1f}bn would put convergence by {deadline} "
                f"on track (the bull case); one above that but at or below RMB {path_loss_rmb_bn:.1f}bn, the loss this "
                f"path itself puts there, would mean the path holds but the deadline slips ({case_name(match)}); a "
                f"higher one would say the loss shrinks more slowly than modelled ({slower}).")
    return (f"a loss in {first_shrink} at or below RMB {ceiling_rmb_bn:.1f}bn (this path puts "
            f"RMB {path_loss_rmb_bn:.1f}bn there) would keep convergence by {deadline} on track (the bull case); "
            "a higher one would say it slips.")


def estimates_title(v: Mapping[str, float], brokers_peak_rmb_bn: float) -> str:
    """The estimates chart's finding (``v``: the ledger figures by role)."""
    return (f"Brokers put the peak-quarter loss at RMB {v['nomura_peak']:g}–{v['ubs_loss']:g}bn; "
            f"one sentence of the 8 January article says 'hundreds of billions', at least "
            f"{v['hundreds_of_billions'] / brokers_peak_rmb_bn:.1f} times as much")


def estimates_alt(v: Mapping[str, float], peak_loss_rmb_bn: float) -> str:
    return (f"Horizontal bars of the instant-retail loss figures in the sources: Nomura {v['nomura_peak']:g} and UBS "
            f"{v['ubs_loss']:g} billion yuan forecast for the peak quarter, AInvest (12 January) more than "
            f"{v['last_quarter_loss']:g} billion reported for the last quarter, the 8 January article at least "
            f"{v['tens_of_billions']:g} billion of investment and, in another sentence, at least "
            f"{v['hundreds_of_billions']:g} billion of quarterly losses; a dashed line marks this page's peak of "
            f"{peak_loss_rmb_bn:g} billion.")


def bridge_title(v: Mapping[str, float], bridge: Mapping[str, float]) -> str:
    """The margin-bridge chart's finding."""
    return (f"Group revenue grew {v['revenue_growth']:g}% but operating income fell {-bridge['op_income_change_pct']:.0f}%: "
            f"the group operating margin went from {bridge['margin_before_pct']:.1f}% to {bridge['margin_after_pct']:.1f}%")


def bridge_alt(v: Mapping[str, float], bridge: Mapping[str, float]) -> str:
    return (f"Left, bars of year-on-year change in FQ2 FY26, group figures as they appear to be (boerse-global.de files them "
            f"under core commerce): revenue {v['revenue_growth']:+g}%, operating income "
            f"{bridge['op_income_change_pct']:+.0f}%, adjusted earnings {v['adj_earnings_change']:+g}%, group capex "
            f"{v['capex_growth']:+g}%. Right, group operating margin {bridge['margin_before_pct']:.1f}% a year earlier "
            f"against {bridge['margin_after_pct']:.1f}% in FQ2 FY26; free cash flow {v['fcf']:g} billion yuan.")


def paths_title(r: Mapping[str, Any], converged_loss_rmb_bn: float, quarters: int) -> str:
    """The loss-path chart's finding: where this page's path converges, and what it costs."""
    if r["convergence_index"] is None:
        conv = f"is still above RMB {converged_loss_rmb_bn:g}bn at the end of the horizon"
    else:
        conv = f"falls to RMB {converged_loss_rmb_bn:g}bn or less in {r['convergence_quarter']}"
    return (f"On this page's path the loss {conv}, after costing RMB {r['cumulative_cost_rmb_bn']:.0f}bn "
            f"over {quarters} quarters")


def converges_text(run_: Mapping[str, Any]) -> str:
    """``in FQ3 FY28``, or ``not within the horizon``."""
    idx = run_["convergence_index"]
    return "not within the horizon" if idx is None else f"in {quarter(idx).fiscal}"


def paths_alt(runs: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str], match: str | None,
              converged_loss_rmb_bn: float, quarters: int) -> str:
    """The loss-path chart's alt text: every run's cost and convergence."""
    extra = "" if match else " and the path modelled here"
    each = "; ".join(f"{labels[s]} costs {r['cumulative_cost_rmb_bn']:.0f} billion and converges {converges_text(r)}"
                     for s, r in runs.items())
    return (f"Line chart of the quarterly instant-retail loss from FQ3 FY26 to {quarter(quarters - 1).fiscal} "
            f"under the bull, base and bear scenarios{extra}, with a dotted line at the converged level of "
            f"{converged_loss_rmb_bn:g} billion yuan; {each}.")


def prose(p: Any, claims) -> dict[str, str]:
    """Every computed or conditional sentence the page glues, by its glue name (chart alt texts too)."""
    p = _namespace(p)
    r = compute(p, claims)
    v, need, match = r["ledger"], r["required_shrink_pct"], r["match"]
    deadline = quarter(r["deadline_index"]).label
    first_shrink = quarter(r["first_shrink_index"]).label
    ceiling, path_loss = r["next_ceiling_rmb_bn"], r["next_path_loss_rmb_bn"]
    return {
        "peak_quarter": quarter(0).label,
        "horizon_label": horizon_label(p.quarters_modelled),
        "conv_quarter": r["convergence_quarter"],
        "deadline_label": deadline,
        "required_text": required_text(need),
        "verdict": verdict(need, p.shrink_pct),
        "next_ceiling_text": next_ceiling_text(ceiling),
        "first_shrink_quarter": first_shrink,
        "next_path_sentence": next_path_sentence(ceiling, path_loss),
        "required_pace_sentence": required_pace_sentence(need),
        "peak_quarters_text": str(p.peak_quarters),
        "scenario_summary": scenario_summary({s: params.scenario_parameters(s, NOTEBOOK) for s in SCENARIOS}),
        "cost_to_conv_sentence": cost_to_convergence_sentence(r),
        "ebitda27_sentence": ebitda27_sentence(r["ebitda_fy27_rmb_bn"], v["ebitda_fy27"]),
        "ebitda27_range": ebitda27_range(r["runs"]["bear"]["ebitda_fy27_rmb_bn"], r["runs"]["bull"]["ebitda_fy27_rmb_bn"]),
        "next_reading_sentence": next_reading_sentence(first_shrink, deadline, ceiling, path_loss, match),
        "estimates_alt": estimates_alt(v, p.peak_loss_rmb_bn),
        "bridge_alt": bridge_alt(v, r["bridge"]),
        "paths_alt": paths_alt(r["runs"], r["labels"], match, p.converged_loss_rmb_bn, p.quarters_modelled),
    }


# --- signposts ----------------------------------------------------------------------------------

PATH_ASSUMPTIONS = ("peak_loss_rmb_bn", "peak_quarters", "shrink_pct", "converged_loss_rmb_bn", "convergence_deadline")


def first_shrink_signpost(p: Any, need_pct: float | None, deadline: str, case: str) -> Signpost:
    """The loss in the first quarter after the peak: at or below the ceiling convergence by the
    deadline is on track (bull); when the path itself misses the deadline, a loss between the ceiling
    and the path's own is as modelled (``case``) and one above both slower than modelled."""
    first = quarter(p.peak_quarters)
    ceiling, path_loss = first_shrink_losses(p.peak_loss_rmb_bn, p.shrink_pct, need_pct)
    slower = "worse than the bear case" if "bear" in case else "bear"
    band = first_shrink_band(ceiling, path_loss)
    if band == "out of reach":
        better = (f"no loss in {first.fiscal} can put convergence by {deadline} on track, the loss is still at its "
                  f"peak then; at or below RMB {path_loss:.1f}bn it shrinks as modelled")
        worse = f"above RMB {path_loss:.1f}bn, the loss this path puts in {first.fiscal}: slower than modelled"
        cases = ("base or bull", slower)
    elif band == "misses":
        better = f"at or below: shrinking fast enough to converge by {deadline}"
        worse = (f"above RMB {ceiling:.1f}bn but at or below RMB {path_loss:.1f}bn, the loss this path itself puts in "
                 f"{first.fiscal}: as modelled, converging after {deadline} ({case}); above RMB {path_loss:.1f}bn: "
                 f"slower than modelled ({slower})")
        cases = ("bull", "bear" if "bear" in case else "base or bear")
    else:  # the modelled path itself converges by the deadline
        better = f"at or below: shrinking fast enough to converge by {deadline} (this path puts RMB {path_loss:.1f}bn there)"
        worse = f"above: convergence slips past {deadline}"
        cases = ("bull", "base or bear")
    return Signpost(
        name=f"Loss in {first.label}, the first quarter after the peak",
        threshold=None if ceiling is None else round(ceiling, 1),
        unit="RMB bn in the quarter" if ceiling is not None else "no level can put the deadline within reach",
        if_better=better, if_worse=worse, better_case=cases[0], worse_case=cases[1],
        assumptions=PATH_ASSUMPTIONS,
    )


def signposts(p: Any, claims, case: str | None = None) -> list[Signpost]:
    """What to watch in the next results, each with the level that would change the conclusion.

    ``case`` names the scenario ``p`` is (e.g. ``"the base case"``); without it, the scenario ``p``
    matches, if any (:func:`case_name`). It names a loss as modelled in the signpost on the first
    quarter after the peak (:func:`first_shrink_signpost`).
    """
    p = _namespace(p)
    case = case or case_name(scenario_match(p))
    r = run(p, claims)
    deadline = quarter(r["deadline_index"]).fiscal
    v = {role: claims.value(CLAIMS[role]) for role in
         ("revenue", "revenue_growth", "op_income_before", "op_income_after", "gs_ebitda_drop", "fcf", "ebitda_fy27")}
    bridge = margin_bridge(v["revenue"], v["revenue_growth"], v["op_income_before"], v["op_income_after"])
    return [
        Signpost(
            name=f"Instant-retail loss reported or estimated for {quarter(0).label}",
            threshold=round(p.peak_loss_rmb_bn, 1), unit="RMB bn in the quarter",
            if_better="at or below: the brokers' peak holds and the path starts as modelled",
            if_worse="above: the peak is higher than modelled; every cost on this page is too low",
            better_case="base or bull", worse_case="bear",
            claims=(CLAIMS["nomura_peak"], CLAIMS["ubs_loss"]), assumptions=("peak_loss_rmb_bn",),
        ),
        first_shrink_signpost(p, r["required_shrink_pct"], deadline, case),
        Signpost(
            name=f"Fall in group EBITDA in {quarter(0).fiscal}, year on year",
            threshold=round(v["gs_ebitda_drop"], 0), unit="% change, year on year",
            if_better="a smaller fall than Goldman Sachs forecast: the loss peak is below the brokers'",
            if_worse=("a larger fall: a deeper loss than Nomura's and UBS's estimates, unless the segment figures "
                      "put it elsewhere in the group"),
            better_case="bull", worse_case="bear", claims=(CLAIMS["gs_ebitda_drop"],),
        ),
        Signpost(
            name="Group operating margin (boerse-global.de's 'core commerce' figures, which appear to be the group's)",
            threshold=round(bridge["margin_after_pct"], 1), unit="% of revenue",
            if_better=("above the FQ2 FY26 margin: the group's squeeze has passed its worst; the segment "
                       "figures say how much of that is instant retail"),
            if_worse=("below it: the squeeze is still deepening; bear if the segment figures put it in "
                      "instant retail rather than in the cloud build-out or elsewhere"),
            better_case="base or bull", worse_case="base or bear",
            claims=(CLAIMS["op_income_after"], CLAIMS["revenue"]),
        ),
        Signpost(
            name="Free cash flow in the quarter", threshold=0.0, unit="RMB bn",
            if_better="back above zero: the burn is being funded from operations again",
            if_worse=f"more negative than in FQ2 FY26 ({v['fcf']:g} RMB bn)",
            better_case="bull", worse_case="bear", claims=(CLAIMS["fcf"],),
        ),
        Signpost(
            name=f"Analysts' FY27 adjusted-EBITDA forecasts after the {quarter(0).fiscal} results",
            threshold=round(v["ebitda_fy27"], 0), unit="RMB bn",
            if_better="raised: the market sees faster convergence than it embedded in January",
            if_worse="cut again: convergence is slower than embedded",
            better_case="bull", worse_case="bear", claims=(CLAIMS["ebitda_fy27"],),
        ),
        Signpost(
            name="Management's stance on instant-retail spending", threshold=None, unit="a change of wording",
            if_better=("'efficiency' or 'narrowing losses' replaces 'absolute leader' and 'continue to increase "
                       "investment'"),
            if_worse=("a fresh subsidy round or a pledge to keep increasing investment: the loss stays at its "
                      "peak a second quarter or longer"),
            better_case="bull", worse_case="bear", assumptions=("peak_quarters",),
        ),
    ]


# --- tables the page shows --------------------------------------------------------------------

ESTIMATE_ROLES = ("nomura_peak", "ubs_loss", "last_quarter_loss", "tens_of_billions", "hundreds_of_billions")
BOUND_SIGN = {"exact": "", "approx": "~", "more_than": ">", "at_least": "≥", "less_than": "<", "up_to": "≤"}


def short_period(period: str) -> str:
    """``FY26Q3 (CY25Q4)`` -> ``FQ3 FY26``; ``last quarter (undated ...)`` -> ``last quarter``."""
    head = period.split(" (")[0]
    m = re.fullmatch(r"FY(\d\d)Q([1-4])", head)
    if m:
        return f"FQ{m.group(2)} FY{m.group(1)}"
    return "period not stated" if head == "unspecified" else head


def estimates_frame(claims) -> pd.DataFrame:
    """The quarterly loss and investment figures the sources give, one row per claim, for chart and table."""
    rows = []
    for role in ESTIMATE_ROLES:
        c = claims.get(CLAIMS[role])
        rows.append({
            "source": c.said_by, "seed": claims.source_name(c.seed), "what": c.metric.replace("_", " "),
            "period": short_period(c.period), "kind": c.kind, "bound": c.bound,
            "figure": f"{BOUND_SIGN[c.bound]}{c.value:g}", "value_rmb_bn": c.value, "claim": c.id,
        })
    return pd.DataFrame(rows)


def estimates_table(est: pd.DataFrame) -> pd.DataFrame:
    """The estimates for reading: one row per source."""
    return est[["source", "seed", "what", "period", "kind", "figure"]].rename(
        columns={"figure": "RMB bn", "kind": "forecast or reported", "source": "said by",
                 "seed": "in"}).set_index("said by")


def bridge_table(bridge: Mapping[str, float], v: Mapping[str, float]) -> pd.DataFrame:
    """The reported quarter against a year earlier; a dash where the source gives no level."""
    nan = float("nan")
    return pd.DataFrame(
        [["revenue (group)", bridge["revenue_before_rmb_bn"], bridge["revenue_after_rmb_bn"],
          f"{v['revenue_growth']:+g}%", "boerse-global.de (4 January): 'core commerce'; before: computed"],
         ["operating income (group)", v["op_income_before"], v["op_income_after"],
          f"{bridge['op_income_change_pct']:+.0f}%", "boerse-global.de (4 January): 'core commerce'"],
         ["operating margin (group), %", bridge["margin_before_pct"], bridge["margin_after_pct"],
          f"{bridge['margin_change_pp']:+.1f} pp", "computed"],
         ["adjusted earnings (not defined)", nan, nan, f"{v['adj_earnings_change']:+g}%",
          "boerse-global.de (4 January): 'core commerce'; levels not given"],
         ["free cash flow (group)", nan, v["fcf"], "", "year earlier not given"],
         ["capital expenditure (group)", nan, nan, f"{v['capex_growth']:+g}%", "levels not given"]],
        columns=["item (RMB bn unless stated)", "a year earlier", "FQ2 FY26", "change", "note"],
    ).set_index("item (RMB bn unless stated)").round(1).astype(object).fillna("—")


def path_frame(result: dict[str, Any]) -> pd.DataFrame:
    """The modelled path quarter by quarter: loss, cumulative cost, the loss the forecasts embed."""
    path, emb = result["path"], result["embedded_path"]
    return pd.DataFrame({
        "fiscal quarter": [quarter(i).fiscal for i in range(len(path))],
        "calendar quarter": [quarter(i).calendar for i in range(len(path))],
        "loss, RMB bn": np.round(path, 1),
        "cumulative, RMB bn": np.round(np.cumsum(path), 1),
        "embedded in forecasts, RMB bn": np.round(emb, 1),
    })


def scenario_table(runs: Mapping[str, Mapping[str, Any]], match: str | None, revenue_fy27_rmb_bn: float) -> pd.DataFrame:
    """The scenarios (and this page's run) side by side: cost, convergence, losses and EBITDA."""
    return pd.DataFrame({
        run_label(s, match): {
            "cumulative cost, RMB bn": r["cumulative_cost_rmb_bn"],
            "converged in": r["convergence_quarter"],
            "loss FQ3-FQ4 FY26, RMB bn": r["loss_fy26_h2_rmb_bn"],
            "loss FY27, RMB bn": r["loss_fy27_rmb_bn"],
            "FY26 adj. EBITDA, RMB bn": r["ebitda_fy26_rmb_bn"],
            "FY27 adj. EBITDA, RMB bn": r["ebitda_fy27_rmb_bn"],
            "FY27 EBITDA margin on AInvest's revenue, %": 100 * r["ebitda_fy27_rmb_bn"] / revenue_fy27_rmb_bn,
        } for s, r in runs.items()
    }).map(lambda x: round(x, 1) if isinstance(x, float) else x)


def deadline_frame(peak_loss_rmb_bn: float, converged_loss_rmb_bn: float, peak_quarters: int,
                   deadlines: list[str]) -> pd.DataFrame:
    """For each possible deadline: the quarterly shrink it requires and the ceiling on the first
    shrinking quarter's loss that keeps it within reach."""
    rows, first = [], quarter(peak_quarters)
    for d in deadlines:
        idx = quarter_index(d)
        need = required_shrink_pct(peak_loss_rmb_bn, converged_loss_rmb_bn, idx, peak_quarters)
        ceiling = first_shrink_losses(peak_loss_rmb_bn, 0.0, need)[0]
        rows.append({"converged by": quarter(idx).label,
                     "shrink needed, % a quarter": None if need is None else round(need, 1),
                     f"ceiling on the {first.fiscal} loss, RMB bn": round(float("nan") if ceiling is None else ceiling, 1)})
    return pd.DataFrame(rows)


def sensitivity_grids(p: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`sensitivity` on a grid of round values around the page's peak and shrink, within
    their allowed ranges."""
    p = _namespace(p)
    spec = params.specs(NOTEBOOK)
    peaks = grid_around(p.peak_loss_rmb_bn, 5.0, spec["peak_loss_rmb_bn"].min, spec["peak_loss_rmb_bn"].max)
    shrinks = grid_around(p.shrink_pct, 5.0, spec["shrink_pct"].min, spec["shrink_pct"].max)
    return sensitivity(peaks, shrinks, p.quarters_modelled, p.converged_loss_rmb_bn, p.peak_quarters)


# --- charts (finished here in the house style; the page shows them with style.show) -------------

def chart_estimates(r: Mapping[str, Any], claims):
    """Horizontal bars of the sources' loss figures; lower bounds hatched, with an arrow."""
    from matplotlib.patches import Patch

    est, peak_loss_rmb_bn = r["estimates"], r["parameters"]["peak_loss_rmb_bn"]
    fig, ax = style.figure(figsize=(8.0, 4.6))
    y = np.arange(len(est))[::-1]
    labels = []
    for yi, e in zip(y, est.itertuples()):
        open_ended = e.bound in ("more_than", "at_least")
        colour = style.PALETTE[0] if e.kind == "forecast" else style.PALETTE[1]
        ax.barh(yi, e.value_rmb_bn, color=colour, hatch="//" if open_ended else "", edgecolor="white", height=0.6)
        ax.text(e.value_rmb_bn + 1.5, yi + (0.12 if open_ended else 0), e.figure, va="center", fontsize=9, fontweight="bold")
        if open_ended:
            ax.annotate("", xy=(e.value_rmb_bn + 16, yi - 0.2), xytext=(e.value_rmb_bn + 1, yi - 0.2),
                        arrowprops=dict(arrowstyle="->", color=style.GREY, lw=1))
        labels.append(f"{e.source} ({e.seed})\n{e.what}, {e.kind}: {e.period}")
    ax.axvline(peak_loss_rmb_bn, color=style.GREY, ls="--", lw=1)
    ax.text(peak_loss_rmb_bn + 1, len(est) - 0.4, f"this page's peak: {peak_loss_rmb_bn:g}", color=style.GREY, fontsize=8, va="center")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("RMB bn (a quarter, except the investment amount)")
    ax.set_xlim(0, max(est.value_rmb_bn.max(), peak_loss_rmb_bn) * 1.3)
    ax.set_ylim(-0.6, len(est) - 0.05)
    ax.grid(axis="y", visible=False)
    ax.legend(handles=[Patch(color=style.PALETTE[0], label="broker forecast"),
                       Patch(color=style.PALETTE[1], label="press: reported or stated"),
                       Patch(facecolor="white", edgecolor=style.GREY, hatch="//", label="lower bound ('exceeding', 'tens of', 'hundreds of')")],
              loc="lower right", fontsize=7.5, bbox_to_anchor=(1.0, 0.22))
    return style.finish(
        fig, estimates_title(r["ledger"], r["brokers_peak_rmb_bn"]),
        claims.source_line([CLAIMS[role] for role in ESTIMATE_ROLES])
        + "; hatched bars are lower bounds; dashed line: the peak loss this page assumes",
    )


def chart_bridge(r: Mapping[str, Any], claims):
    """Left: year-on-year changes in the quarter; right: the (group) operating margin before and after."""
    v, bridge = r["ledger"], r["bridge"]
    fig, (ax1, ax2) = style.figure(1, 2, figsize=(8.0, 4.4), gridspec_kw={"width_ratios": [2.2, 1]})
    names = ["revenue", "operating\nincome", "adjusted\nearnings", "capex\n(group)"]
    vals = [v["revenue_growth"], bridge["op_income_change_pct"], v["adj_earnings_change"], v["capex_growth"]]
    colours = [style.PALETTE[2] if x >= 0 else style.PALETTE[3] for x in vals]
    hatches = ["", "", "", "//"]  # capex is the group's in any reading
    bars = ax1.bar(names, vals, color=colours, edgecolor="white")
    for b, h, x in zip(bars, hatches, vals):
        b.set_hatch(h)
        ax1.text(b.get_x() + b.get_width() / 2, x + (3 if x >= 0 else -3), f"{x:+.0f}%",
                 ha="center", va="bottom" if x >= 0 else "top", fontsize=9, fontweight="bold")
    ax1.axhline(0, color="black", lw=0.8)
    ax1.set_ylim(-105, 105)
    ax1.set_ylabel("change on a year earlier, %")
    ax1.set_title("FQ2 FY26 (CY Q3 2025) against a year earlier: group figures\n(boerse-global.de files them under 'core commerce')", fontsize=9, fontweight="normal")
    ax1.grid(axis="x", visible=False)
    m = [bridge["margin_before_pct"], bridge["margin_after_pct"]]
    mb = ax2.bar(["a year\nearlier", "FQ2 FY26"], m, color=[style.PALETTE[0], style.PALETTE[3]], edgecolor="white")
    mb[1].set_hatch("..")
    for b, x in zip(mb, m):
        ax2.text(b.get_x() + b.get_width() / 2, x + 0.4, f"{x:.1f}%", ha="center", va="bottom", fontsize=9, fontweight="bold")
    ax2.set_ylabel("group operating margin, % of revenue")
    ax2.set_ylim(0, max(m) * 1.25)
    ax2.set_title(f"FQ2 FY26 free cash flow\n(group): RMB {v['fcf']:g}bn", fontsize=9, fontweight="normal")
    ax2.grid(axis="x", visible=False)
    roles = ("revenue_growth", "revenue", "op_income_before", "op_income_after", "adj_earnings_change", "capex_growth", "fcf")
    return style.finish(
        fig, bridge_title(v, bridge),
        claims.source_line([CLAIMS[role] for role in roles])
        + "; boerse-global.de (4 January) files the revenue and operating income under core commerce, read here as the group's"
        + "; operating-income change and margins computed (year-earlier revenue = revenue / (1 + growth))",
    )


def bridge_data(r: Mapping[str, Any]) -> pd.DataFrame:
    """The margin-bridge chart's data, for download."""
    return pd.Series(r["bridge"], name="value").to_frame()


def chart_paths(r: Mapping[str, Any], claims):
    """Quarterly loss paths by scenario (and this page's, if it is none), the converged level, and
    where each path crosses it; this page's path drawn bold."""
    p = SimpleNamespace(**r["parameters"])
    paths = {r["labels"][s]: run_["path"] for s, run_ in r["runs"].items()}
    highlight = r["labels"].get(r["match"], "this page")
    level = p.converged_loss_rmb_bn
    fig, ax = style.figure(figsize=(8.0, 4.6))
    n = max(len(path) for path in paths.values())
    x = np.arange(n)
    keys = {r["labels"][s]: s for s in r["runs"]}  # label -> scenario name: one colour per scenario on every chart
    for k, (name, path) in enumerate(paths.items()):
        bold = name == highlight
        scen = keys.get(name, "")
        colour = style.SCENARIO_COLOURS.get(scen, style.OTHER_COLOUR)
        ax.plot(np.arange(len(path)), path, color=colour,
                ls=style.SCENARIO_LINESTYLES.get(scen, "-."), marker=style.SCENARIO_MARKERS.get(scen, "s"),
                ms=5 if bold else 3.5, lw=2.6 if bold else 1.4, label=name, zorder=3 if bold else 2)
        idx = convergence_index(path, level)
        if idx is not None:
            ax.plot(idx, path[idx], marker="o", ms=11, mfc="none", mec=colour, mew=1.5)
    ax.axhline(level, color=style.GREY, ls=":", lw=1.2)
    ax.text(n - 1, level, f"converged level: {level:g}", color=style.GREY, fontsize=8, ha="right", va="bottom")
    ax.set_xticks(x, [f"{quarter(i).fiscal.replace(' ', chr(10))}\n{quarter(i).calendar.removeprefix('CY ')}" for i in x], fontsize=7.5)
    ax.set_ylabel("instant-retail loss, RMB bn a quarter")
    ax.set_ylim(0, max(float(path.max()) for path in paths.values()) * 1.12)
    ax.legend(loc="upper right", fontsize=8.5)
    return style.finish(
        fig, paths_title(r, level, p.quarters_modelled),
        claims.source_line([CLAIMS["nomura_peak"], CLAIMS["ubs_loss"]])
        + "; assumptions: shrink rates, quarters at peak and the converged level of each scenario; "
        "circles mark the first quarter at or below the converged level",
    )


def paths_data(r: Mapping[str, Any]) -> pd.DataFrame:
    """The loss-path chart's data, for download: one column per run, one row per quarter; a run that
    models fewer quarters than another (the page's own horizon is a parameter) is blank after its last."""
    return pd.DataFrame({r["labels"][s]: pd.Series(run_["path"], dtype=float) for s, run_ in r["runs"].items()})
