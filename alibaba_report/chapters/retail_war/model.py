"""The numbers of the instant-retail war: the loss path, what it costs and what it does to EBITDA.

No sentences here (they are in :mod:`.text`); amounts are RMB billions, rates percentages (15 means
15 %). The model functions are pure (numbers in, numbers out, no I/O).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from alibaba_report import params
from alibaba_report.chapters.contract import ModelInputError, check_array, check_number

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
    ``shrink_pct`` per cent a quarter. Losses are positive numbers. Vectorised: the peak, the shrink
    and the quarters at peak may be arrays (broadcast together); the result has shape
    ``(..., quarters)``, one path per element (a 1-D path for scalars). The book's one loss path:
    the model of value calls it too.
    """
    peak = check_array("peak_loss_rmb_bn", peak_loss_rmb_bn, low=0, unit="RMB bn a quarter")
    shrink = check_array("shrink_pct", shrink_pct, low=0, high=100, unit="% a quarter")
    quarters = check_number("quarters", quarters, low=1, integer=True)
    peak_quarters = check_array("peak_quarters", peak_quarters, low=1, integer=True)
    peak, shrink, held = (np.asarray(x, dtype=float)[..., None] for x in (peak, shrink, peak_quarters))
    steps = np.maximum(np.arange(quarters) - held + 1, 0)
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
    the first quarter after the peak, and the tables (:mod:`.tables`)."""
    from alibaba_report.chapters.retail_war.tables import (
        bridge_table, deadline_frame, estimates_frame, estimates_table, path_frame, run_label, scenario_table,
        sensitivity_grids,
    )

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
