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

Every function here is pure (numbers in, numbers out, no I/O); amounts are RMB billions, rates
are percentages (15 means 15 %).
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

# The first quarter modelled: FQ3 FY2026 (October-December 2025), the quarter for which the
# brokers in seed 000 forecast the peak loss.
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


class RetailModelError(ValueError):
    """An input to the loss model is outside what the model can compute; the message says which."""


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
    if not isinstance(index, (int, np.integer)) or index < 0:
        raise RetailModelError(f"quarter index must be a whole number >= 0, got {index!r}")
    absolute = START_FISCAL_YEAR * 4 + (START_FISCAL_QUARTER - 1) + int(index)
    return Quarter(absolute // 4, absolute % 4 + 1)


def quarter_index(fiscal_label: str) -> int:
    """The index of a fiscal quarter given as ``"FQ4 FY27"`` (inverse of ``quarter(i).fiscal``)."""
    try:
        fq_part, fy_part = fiscal_label.split()
        fq = int(fq_part.removeprefix("FQ"))
        fy = 2000 + int(fy_part.removeprefix("FY"))
    except (ValueError, AttributeError):
        raise RetailModelError(f"expected a fiscal quarter like 'FQ4 FY27', got {fiscal_label!r}") from None
    if not 1 <= fq <= 4:
        raise RetailModelError(f"fiscal quarter must be FQ1 to FQ4, got {fiscal_label!r}")
    index = fy * 4 + (fq - 1) - (START_FISCAL_YEAR * 4 + START_FISCAL_QUARTER - 1)
    if index < 0:
        raise RetailModelError(f"{fiscal_label} is before the first quarter modelled ({quarter(0).fiscal})")
    return index


# --- the loss path ----------------------------------------------------------------------------

def _check(name: str, value: float, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not math.isfinite(value):
        raise RetailModelError(f"{name} must be a finite number, got {value!r}")
    if not low <= value <= high:
        raise RetailModelError(f"{name} must be from {low:g} to {high:g}, got {value!r}")


def _check_int(name: str, value: int, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise RetailModelError(f"{name} must be a whole number >= {low}, got {value!r}")


def loss_path(peak_loss_rmb_bn: float, shrink_pct: float, quarters: int, peak_quarters: int = 1) -> np.ndarray:
    """Quarterly instant-retail losses (RMB bn) from FQ3 FY2026 for ``quarters`` quarters.

    The loss stays at ``peak_loss_rmb_bn`` for ``peak_quarters`` quarters, then shrinks by
    ``shrink_pct`` per cent a quarter. Losses are positive numbers.
    """
    _check("peak_loss_rmb_bn", peak_loss_rmb_bn, 0.0, 1e6)
    _check("shrink_pct", shrink_pct, 0.0, 100.0)
    _check_int("quarters", quarters, 1)
    _check_int("peak_quarters", peak_quarters, 1)
    i = np.arange(quarters)
    steps = np.maximum(i - peak_quarters + 1, 0)
    return float(peak_loss_rmb_bn) * (1.0 - shrink_pct / 100.0) ** steps


def cumulative_cost(path: np.ndarray, quarters: int | None = None) -> float:
    """The sum of the quarterly losses (RMB bn), over the first ``quarters`` quarters or all."""
    path = np.asarray(path, dtype=float)
    if quarters is not None:
        _check_int("quarters", quarters, 0)
        path = path[:quarters]
    return float(path.sum())


def convergence_index(path: np.ndarray, converged_loss_rmb_bn: float) -> int | None:
    """The index of the first quarter whose loss is at or below the converged level; None if none."""
    _check("converged_loss_rmb_bn", converged_loss_rmb_bn, 0.0, 1e6)
    below = np.flatnonzero(np.asarray(path, dtype=float) <= converged_loss_rmb_bn * (1 + 1e-12))
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
    for name, v in (("forecast_rmb_bn", forecast_rmb_bn), ("embedded_loss_rmb_bn", embedded_loss_rmb_bn),
                    ("modelled_loss_rmb_bn", modelled_loss_rmb_bn)):
        _check(name, v, -1e6, 1e6)
    return float(forecast_rmb_bn) + float(embedded_loss_rmb_bn) - float(modelled_loss_rmb_bn)


def required_shrink_pct(peak_loss_rmb_bn: float, converged_loss_rmb_bn: float, deadline_index: int,
                        peak_quarters: int = 1) -> float | None:
    """The smallest quarterly shrink (per cent) that brings the loss to the converged level by the
    quarter ``deadline_index``; 0 if the peak is already at or below it, None if no rate can
    (the deadline falls while the loss is still at its peak)."""
    _check("peak_loss_rmb_bn", peak_loss_rmb_bn, 0.0, 1e6)
    _check("converged_loss_rmb_bn", converged_loss_rmb_bn, 0.0, 1e6)
    _check_int("deadline_index", deadline_index, 0)
    _check_int("peak_quarters", peak_quarters, 1)
    if peak_loss_rmb_bn <= converged_loss_rmb_bn:
        return 0.0
    steps = deadline_index - peak_quarters + 1
    if steps <= 0:
        return None
    if converged_loss_rmb_bn == 0:
        return 100.0
    return 100.0 * (1.0 - (converged_loss_rmb_bn / peak_loss_rmb_bn) ** (1.0 / steps))


# --- the quarter the seeds report: the group's margin before and after --------------------------

def margin_bridge(revenue_rmb_bn: float, revenue_growth_pct: float, op_income_before_rmb_bn: float,
                  op_income_after_rmb_bn: float) -> dict[str, float]:
    """Operating margin a year earlier and now, from this year's revenue and its growth.

    The year-earlier revenue is ``revenue / (1 + growth)``. ``shortfall_rmb_bn`` is how far
    operating income fell short of what this year's revenue would have earned at last year's margin.
    """
    _check("revenue_rmb_bn", revenue_rmb_bn, 1e-9, 1e7)
    _check("revenue_growth_pct", revenue_growth_pct, -99.9, 1e4)
    _check("op_income_before_rmb_bn", op_income_before_rmb_bn, -1e7, 1e7)
    _check("op_income_after_rmb_bn", op_income_after_rmb_bn, -1e7, 1e7)
    revenue_before = revenue_rmb_bn / (1.0 + revenue_growth_pct / 100.0)
    margin_before = 100.0 * op_income_before_rmb_bn / revenue_before
    margin_after = 100.0 * op_income_after_rmb_bn / revenue_rmb_bn
    change = (100.0 * (op_income_after_rmb_bn / op_income_before_rmb_bn - 1.0)
              if op_income_before_rmb_bn > 0 else float("nan"))
    return {
        "revenue_before_rmb_bn": revenue_before,
        "revenue_after_rmb_bn": float(revenue_rmb_bn),
        "margin_before_pct": margin_before,
        "margin_after_pct": margin_after,
        "margin_change_pp": margin_after - margin_before,
        "op_income_change_pct": change,
        "shortfall_rmb_bn": margin_before / 100.0 * revenue_rmb_bn - op_income_after_rmb_bn,
    }


# --- sensitivity ------------------------------------------------------------------------------

def sensitivity(peaks_rmb_bn: list[float], shrinks_pct: list[float], quarters: int, converged_loss_rmb_bn: float,
                peak_quarters: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cumulative cost (RMB bn) and convergence quarter (fiscal label) across a grid.

    Rows are peak losses, columns shrink rates; the second frame holds e.g. ``FQ1 FY28`` or
    ``after FQ2 FY29`` when the path does not converge within the quarters modelled.
    """
    if not peaks_rmb_bn or not shrinks_pct:
        raise RetailModelError("the sensitivity grid needs at least one peak loss and one shrink rate")
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


# --- what the notebook and the summary show --------------------------------------------------

def scenario_result(p: Any, brokers_peak_rmb_bn: float, forecast_fy26_rmb_bn: float,
                    forecast_fy27_rmb_bn: float) -> dict[str, Any]:
    """Everything the chapter computes from one parameter set ``p`` (attributes or a mapping, as in the spec)."""
    if isinstance(p, Mapping):
        p = SimpleNamespace(**p)
    path = loss_path(p.peak_loss_rmb_bn, p.shrink_pct, p.quarters_modelled, p.peak_quarters)
    embedded = loss_path(brokers_peak_rmb_bn, p.forecast_embedded_shrink_pct, p.quarters_modelled, 1)
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


def next_loss_reading(loss_rmb_bn: float, ceiling_rmb_bn: float, path_loss_rmb_bn: float) -> str:
    """Which case a reported loss for the first shrinking quarter points to: ``"bull"``, ``"base"``
    or ``"bear"``.

    ``ceiling_rmb_bn`` is the most that quarter's loss can be for convergence by the deadline;
    ``path_loss_rmb_bn`` is the loss the modelled path itself puts in that quarter. At or below the
    ceiling the loss is on track for the deadline (bull); above it, but at or below the path's own
    value, the loss is no worse than modelled (base); above both, it is worse than modelled (bear).
    When the modelled path itself beats the ceiling, a loss between the two is still on track (bull).
    """
    for name, v in (("loss_rmb_bn", loss_rmb_bn), ("ceiling_rmb_bn", ceiling_rmb_bn),
                    ("path_loss_rmb_bn", path_loss_rmb_bn)):
        _check(name, v, 0.0, 1e6)
    if loss_rmb_bn <= ceiling_rmb_bn * (1 + 1e-12):
        return "bull"
    if loss_rmb_bn <= path_loss_rmb_bn * (1 + 1e-12):
        return "base"
    return "bear"


def brokers_peak(claims) -> float:
    """The middle of the brokers' peak-quarter loss estimates (Nomura, UBS) in the ledger, RMB bn."""
    return (claims.value(CLAIMS["nomura_peak"]) + claims.value(CLAIMS["ubs_loss"])) / 2.0


def key_outputs(p: Any, claims) -> dict[str, Any]:
    """The few numbers the summary and the scenario comparison show, under parameters ``p``."""
    r = scenario_result(p, brokers_peak(claims), claims.value(CLAIMS["ebitda_fy26"]), claims.value(CLAIMS["ebitda_fy27"]))
    return {
        "cumulative_cost_rmb_bn": r["cumulative_cost_rmb_bn"],
        "cost_to_convergence_rmb_bn": r["cost_to_convergence_rmb_bn"],
        "convergence_quarter": r["convergence_quarter"],
        "quarters_to_converge": r["quarters_to_converge"],
        "loss_fy27_rmb_bn": r["loss_fy27_rmb_bn"],
        "ebitda_fy26_rmb_bn": r["ebitda_fy26_rmb_bn"],
        "ebitda_fy27_rmb_bn": r["ebitda_fy27_rmb_bn"],
        "required_shrink_pct": r["required_shrink_pct"],
    }


def signposts(p: Any, claims, case: str | None = None) -> pd.DataFrame:
    """What to watch in the next results, each with the threshold that would change the conclusion.

    ``case`` names the scenario ``p`` is (e.g. ``"the base case"``), if it is one: the signpost on the
    first shrinking quarter labels a loss as modelled with it (otherwise "the case these parameters
    model"); its three readings are those of :func:`next_loss_reading`.
    """
    r = scenario_result(p, brokers_peak(claims), claims.value(CLAIMS["ebitda_fy26"]), claims.value(CLAIMS["ebitda_fy27"]))
    deadline = quarter(r["deadline_index"]).fiscal
    need = r["required_shrink_pct"]
    bridge = margin_bridge(claims.value(CLAIMS["revenue"]), claims.value(CLAIMS["revenue_growth"]),
                           claims.value(CLAIMS["op_income_before"]), claims.value(CLAIMS["op_income_after"]))
    # the loss in the first shrinking quarter that keeps convergence by the deadline on track,
    # against the loss the modelled path itself puts in that quarter
    first_shrink = quarter(p.peak_quarters)
    next_q_max = float("nan") if need is None else p.peak_loss_rmb_bn * (1.0 - need / 100.0)
    next_q_path = p.peak_loss_rmb_bn * (1.0 - p.shrink_pct / 100.0)  # loss_path(...)[peak_quarters]
    as_modelled = case or "the case these parameters model"
    slower = "worse than the bear case" if case and "bear" in case else "bear"
    if need is None:
        next_better = f"no loss in {first_shrink.fiscal} can put convergence by {deadline} on track: the loss is still at its peak then"
        next_worse = (f"above RMB {next_q_path:.1f}bn, the loss this path puts in {first_shrink.fiscal}: "
                      f"slower than modelled ({slower})")
    elif next_q_path > next_q_max:
        next_better = f"at or below: shrinking fast enough to converge by {deadline} (bull)"
        next_worse = (f"above RMB {next_q_max:.1f}bn but at or below RMB {next_q_path:.1f}bn, the loss this path "
                      f"itself puts in {first_shrink.fiscal}: as modelled, converging after {deadline} ({as_modelled}); "
                      f"above RMB {next_q_path:.1f}bn: slower than modelled ({slower})")
    else:  # the modelled path itself converges by the deadline
        next_better = (f"at or below: shrinking fast enough to converge by {deadline} (bull; this path puts "
                       f"RMB {next_q_path:.1f}bn there)")
        next_worse = f"above: convergence slips past {deadline} (base or bear)"
    rows = [
        {
            "signpost": f"Instant-retail loss reported or estimated for {quarter(0).label}",
            "threshold": round(p.peak_loss_rmb_bn, 1),
            "unit": "RMB bn in the quarter",
            "if_better": "at or below: the brokers' peak holds and the path starts as modelled (base or bull)",
            "if_worse": "above: the peak is higher than modelled; every cost on this page is too low (bear)",
            "basis": f"{CLAIMS['nomura_peak']}, {CLAIMS['ubs_loss']}, peak_loss_rmb_bn",
        },
        {
            "signpost": f"Loss in {first_shrink.label}, the first quarter after the peak",
            "threshold": round(next_q_max, 1),
            "unit": "RMB bn in the quarter",
            "if_better": next_better,
            "if_worse": next_worse,
            "basis": ("the required shrink rate, from peak_loss_rmb_bn, converged_loss_rmb_bn and convergence_deadline; "
                      "the path's own loss, from peak_loss_rmb_bn, peak_quarters and shrink_pct"),
        },
        {
            "signpost": f"Fall in group EBITDA in {quarter(0).fiscal}, year on year",
            "threshold": round(claims.value(CLAIMS["gs_ebitda_drop"]), 0),
            "unit": "% change, year on year",
            "if_better": "a smaller fall than Goldman Sachs forecast: the loss peak is below the brokers' (bull)",
            "if_worse": "a larger fall: a deeper loss than Nomura's and UBS's estimates, unless the segment figures put it elsewhere in the group (bear)",
            "basis": CLAIMS["gs_ebitda_drop"],
        },
        {
            "signpost": "Group operating margin (seed 004's 'core commerce' figures, which appear to be the group's)",
            "threshold": round(bridge["margin_after_pct"], 1),
            "unit": "% of revenue",
            "if_better": ("above the FQ2 FY26 margin: the group's squeeze has passed its worst; the segment "
                          "figures say how much of that is instant retail (base or bull)"),
            "if_worse": ("below it: the squeeze is still deepening; bear if the segment figures put it in "
                         "instant retail rather than in the cloud build-out or elsewhere"),
            "basis": f"{CLAIMS['op_income_after']}, {CLAIMS['revenue']}",
        },
        {
            "signpost": "Free cash flow in the quarter",
            "threshold": 0.0,
            "unit": "RMB bn",
            "if_better": "back above zero: the burn is being funded from operations again (bull)",
            "if_worse": f"more negative than in FQ2 FY26 ({claims.value(CLAIMS['fcf']):g} RMB bn): bear",
            "basis": CLAIMS["fcf"],
        },
        {
            "signpost": f"Analysts' FY27 adjusted-EBITDA forecasts after the {quarter(0).fiscal} results",
            "threshold": round(claims.value(CLAIMS["ebitda_fy27"]), 0),
            "unit": "RMB bn",
            "if_better": "raised: the market sees faster convergence than it embedded in January (bull)",
            "if_worse": "cut again: convergence is slower than embedded (bear)",
            "basis": CLAIMS["ebitda_fy27"],
        },
        {
            "signpost": "Management's stance on instant-retail spending",
            "threshold": float("nan"),
            "unit": "words, not a number",
            "if_better": "'efficiency' or 'narrowing losses' replaces 'absolute leader' and 'continue to increase investment' (bull)",
            "if_worse": "a fresh subsidy round or a pledge to keep increasing investment (bear: peak_quarters 2 or more)",
            "basis": "seed 000 (management's 'absolute leader' goal), peak_quarters",
        },
    ]
    return pd.DataFrame(rows, columns=["signpost", "threshold", "unit", "if_better", "if_worse", "basis"])


# --- tables the page shows --------------------------------------------------------------------

ESTIMATE_ROLES = ("nomura_peak", "ubs_loss", "last_quarter_loss", "tens_of_billions", "hundreds_of_billions")
BOUND_SIGN = {"exact": "", "approx": "~", "more_than": ">", "at_least": "≥", "less_than": "<", "up_to": "≤"}


def estimates_frame(claims) -> pd.DataFrame:
    """The quarterly loss and investment figures the seeds give, one row per claim, for chart and table."""
    rows = []
    for role in ESTIMATE_ROLES:
        c = claims.get(CLAIMS[role])
        rows.append({
            "source": c.said_by, "seed": c.seed.split("_")[0], "what": c.metric.replace("_", " "),
            "period": short_period(c.period), "kind": c.kind, "bound": c.bound,
            "figure": f"{BOUND_SIGN[c.bound]}{c.value:g}", "value_rmb_bn": c.value, "claim": c.id,
        })
    return pd.DataFrame(rows)


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


def deadline_frame(peak_loss_rmb_bn: float, converged_loss_rmb_bn: float, peak_quarters: int,
                   deadlines: list[str]) -> pd.DataFrame:
    """For each possible deadline: the quarterly shrink it requires and the ceiling on the first
    shrinking quarter's loss that keeps it within reach."""
    rows = []
    for d in deadlines:
        idx = quarter_index(d)
        need = required_shrink_pct(peak_loss_rmb_bn, converged_loss_rmb_bn, idx, peak_quarters)
        first = quarter(peak_quarters)
        ceiling = float("nan") if need is None else peak_loss_rmb_bn * (1 - need / 100.0)
        rows.append({"converged by": quarter(idx).label,
                     "shrink needed, % a quarter": None if need is None else round(need, 1),
                     f"ceiling on the {first.fiscal} loss, RMB bn": round(ceiling, 1)})
    return pd.DataFrame(rows)


# --- charts (the notebook finishes and shows them with alibaba_report.charts.style) ------------------

def short_period(period: str) -> str:
    """``FY26Q3 (CY25Q4)`` -> ``FQ3 FY26``; ``last quarter (undated ...)`` -> ``last quarter``."""
    head = period.split(" (")[0]
    m = re.fullmatch(r"FY(\d\d)Q([1-4])", head)
    if m:
        return f"FQ{m.group(2)} FY{m.group(1)}"
    return "period not stated" if head == "unspecified" else head


def chart_estimates(est: pd.DataFrame, peak_loss_rmb_bn: float):
    """Horizontal bars of the seeds' loss figures; lower bounds hatched, with an arrow."""
    from matplotlib.patches import Patch

    from alibaba_report.charts import style

    fig, ax = style.figure(figsize=(8.0, 4.6))
    y = np.arange(len(est))[::-1]
    labels = []
    for yi, r in zip(y, est.itertuples()):
        open_ended = r.bound in ("more_than", "at_least")
        colour = style.PALETTE[0] if r.kind == "forecast" else style.PALETTE[1]
        ax.barh(yi, r.value_rmb_bn, color=colour, hatch="//" if open_ended else "", edgecolor="white", height=0.6)
        ax.text(r.value_rmb_bn + 1.5, yi + (0.12 if open_ended else 0), r.figure, va="center", fontsize=9, fontweight="bold")
        if open_ended:
            ax.annotate("", xy=(r.value_rmb_bn + 16, yi - 0.2), xytext=(r.value_rmb_bn + 1, yi - 0.2),
                        arrowprops=dict(arrowstyle="->", color=style.GREY, lw=1))
        labels.append(f"{r.source} (seed {r.seed})\n{r.what}, {r.kind}: {r.period}")
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
    return fig, ax


def chart_bridge(bridge: dict[str, float], revenue_growth_pct: float, adj_earnings_pct: float,
                 capex_growth_pct: float, fcf_rmb_bn: float):
    """Left: year-on-year changes in the quarter; right: the (group) operating margin before and after."""
    from alibaba_report.charts import style

    fig, (ax1, ax2) = style.figure(1, 2, figsize=(8.0, 4.4), gridspec_kw={"width_ratios": [2.2, 1]})
    names = ["revenue", "operating\nincome", "adjusted\nearnings", "capex\n(group)"]
    vals = [revenue_growth_pct, bridge["op_income_change_pct"], adj_earnings_pct, capex_growth_pct]
    colours = [style.PALETTE[2] if v >= 0 else style.PALETTE[3] for v in vals]
    hatches = ["", "", "", "//"]
    bars = ax1.bar(names, vals, color=colours, edgecolor="white")
    for b, h, v in zip(bars, hatches, vals):
        b.set_hatch(h)
        ax1.text(b.get_x() + b.get_width() / 2, v + (3 if v >= 0 else -3), f"{v:+.0f}%",
                 ha="center", va="bottom" if v >= 0 else "top", fontsize=9, fontweight="bold")
    ax1.axhline(0, color="black", lw=0.8)
    ax1.set_ylim(-105, 105)
    ax1.set_ylabel("change on a year earlier, %")
    ax1.set_title("FQ2 FY26 (CY Q3 2025) against a year earlier: group figures\n(seed 004 files them under 'core commerce')", fontsize=9, fontweight="normal")
    ax1.grid(axis="x", visible=False)
    m = [bridge["margin_before_pct"], bridge["margin_after_pct"]]
    mb = ax2.bar(["a year\nearlier", "FQ2 FY26"], m, color=[style.PALETTE[0], style.PALETTE[3]], edgecolor="white")
    mb[1].set_hatch("..")
    for b, v in zip(mb, m):
        ax2.text(b.get_x() + b.get_width() / 2, v + 0.4, f"{v:.1f}%", ha="center", va="bottom", fontsize=9, fontweight="bold")
    ax2.set_ylabel("group operating margin, % of revenue")
    ax2.set_ylim(0, max(m) * 1.25)
    ax2.set_title(f"FQ2 FY26 free cash flow\n(group): RMB {fcf_rmb_bn:g}bn", fontsize=9, fontweight="normal")
    ax2.grid(axis="x", visible=False)
    return fig, (ax1, ax2)


def chart_paths(paths: dict[str, np.ndarray], converged_loss_rmb_bn: float, highlight: str):
    """Quarterly loss paths by scenario, the converged level, and where each path crosses it."""
    from alibaba_report.charts import style

    fig, ax = style.figure(figsize=(8.0, 4.6))
    n = max(len(p) for p in paths.values())
    x = np.arange(n)
    for k, (name, path) in enumerate(paths.items()):
        bold = name == highlight
        ax.plot(np.arange(len(path)), path, color=style.PALETTE[k % len(style.PALETTE)],
                ls=style.LINESTYLES[k % len(style.LINESTYLES)], marker=style.MARKERS[k % len(style.MARKERS)],
                ms=5 if bold else 3.5, lw=2.6 if bold else 1.4, label=name, zorder=3 if bold else 2)
        idx = convergence_index(path, converged_loss_rmb_bn)
        if idx is not None:
            ax.plot(idx, path[idx], marker="o", ms=11, mfc="none", mec=style.PALETTE[k % len(style.PALETTE)], mew=1.5)
    ax.axhline(converged_loss_rmb_bn, color=style.GREY, ls=":", lw=1.2)
    ax.text(n - 1, converged_loss_rmb_bn, f"converged level: {converged_loss_rmb_bn:g}", color=style.GREY,
            fontsize=8, ha="right", va="bottom")
    ax.set_xticks(x, [f"{quarter(i).fiscal.replace(' ', chr(10))}\n{quarter(i).calendar.removeprefix('CY ')}" for i in x], fontsize=7.5)
    ax.set_ylabel("instant-retail loss, RMB bn a quarter")
    ax.set_ylim(0, max(float(p.max()) for p in paths.values()) * 1.12)
    ax.legend(loc="upper right", fontsize=8.5)
    return fig, ax


def signposts_markdown(table: pd.DataFrame, cite, parameter_names) -> str:
    """The signposts as a Markdown list: claim ids in ``basis`` become links (``cite``), parameter
    names code."""
    def basis(text: str) -> str:
        def token(m: re.Match) -> str:
            word = m.group(0)
            if word in parameter_names:
                return f"`{word}`"
            try:
                return cite(word)
            except KeyError:
                return word
        return re.sub(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", token, text)

    lines = []
    for r in table.itertuples():
        if isinstance(r.threshold, (int, float)) and math.isfinite(r.threshold):
            level = f"**{r.threshold:g}** ({r.unit})"
        elif str(r.unit).startswith("words"):
            level = "a change of wording"
        else:
            level = "none that can be reached"
        lines.append(f"- **{r.signpost}**: threshold {level}. *Better:* {r.if_better}. "
                     f"*Worse:* {r.if_worse}. Basis: {basis(r.basis)}.")
    return "\n".join(lines)
