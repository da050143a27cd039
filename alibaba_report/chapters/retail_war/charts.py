"""The retail chapter's figures, finished in the house style (the page shows them with style.show)."""
from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from alibaba_report.chapters.retail_war.model import CLAIMS, convergence_index, quarter
from alibaba_report.chapters.retail_war.tables import ESTIMATE_ROLES
from alibaba_report.chapters.retail_war.text import bridge_title, estimates_title, paths_title
from alibaba_report.charts import style


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
