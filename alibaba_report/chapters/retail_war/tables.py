"""The retail chapter's tables: the sources' estimates, the reported quarter, the path, the
scenarios, the deadlines and the sensitivity grids (pandas DataFrames for the page)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from alibaba_report import params
from alibaba_report.chapters.contract import ModelInputError
from alibaba_report.chapters.retail_war.model import (
    CLAIMS, NOTEBOOK, _namespace, convergence_index, cumulative_cost, first_shrink_losses, loss_path, quarter,
    quarter_index, required_shrink_pct,
)


def run_label(name: str, match: str | None) -> str:
    """A run's name in the chart legend and the scenario table: the scenario this page is gets ``(this page)``."""
    return f"{name} (this page)" if name == match else name


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
            "quarter the loss converges": r["convergence_quarter"],
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


def sensitivity_grids(p: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`sensitivity` on a grid of round values around the page's peak and shrink, within
    their allowed ranges."""
    p = _namespace(p)
    spec = params.specs(NOTEBOOK)
    peaks = grid_around(p.peak_loss_rmb_bn, 5.0, spec["peak_loss_rmb_bn"].min, spec["peak_loss_rmb_bn"].max)
    shrinks = grid_around(p.shrink_pct, 5.0, spec["shrink_pct"].min, spec["shrink_pct"].max)
    return sensitivity(peaks, shrinks, p.quarters_modelled, p.converged_loss_rmb_bn, p.peak_quarters)

