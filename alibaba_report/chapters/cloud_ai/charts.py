"""The cloud chapter's figures, drawn through the house style (:mod:`alibaba_report.charts.style`);
their titles are :mod:`.text`'s sentences."""
from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from alibaba_report.chapters.cloud_ai.model import CLAIMS
from alibaba_report.chapters.cloud_ai.text import ai_share_title, capex_title, cash_title, irr_text
from alibaba_report.charts import style


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
