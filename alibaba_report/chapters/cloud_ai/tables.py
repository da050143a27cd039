"""The cloud chapter's display tables: the sources' figures, the paths by year, the sensitivity grids
and the scenarios, rounded and labelled for reading."""
from __future__ import annotations

import math
from typing import Any, Sequence

import pandas as pd

from alibaba_report.chapters.cloud_ai.payback import sensitivity, sensitivity_grids


def evidence_table(claims, ids: Sequence[str]) -> pd.DataFrame:
    """The sources' cloud and AI figures (claims ``ids``), as the ledger holds them."""
    from alibaba_report.evidence.pages import metric_words

    t = claims.table(list(ids))
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
