"""The policy chapter's figures, drawn through the house style (:mod:`alibaba_report.charts.style`):
the timeline, the plan's value against the spend per factory, and the revenue comparison."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Sequence

import numpy as np
import pandas as pd

from alibaba_report.chapters import cloud_ai
from alibaba_report.chapters.policy_catalyst.model import CLAIMS, compute, plan_revenue_rmb_bn, plan_value_usd_bn
from alibaba_report.chapters.policy_catalyst.text import break_even_title, revenue_title, timeline_title
from alibaba_report.chapters.policy_catalyst.tables import Event, timeline_events, timeline_span
from alibaba_report.charts import style

LANE_STYLE = {  # colour index in style.PALETTE, marker
    "article": (0, "s"),
    "market": (3, "o"),
    "company and policy": (2, "D"),
}


def timeline_chart(claims):
    """The days the sources cover: one row per event, a marker on its day or a hatched bar over the
    window the sources allow; weekends shaded. Events without a day or a window are left off."""
    events = timeline_events(claims, claims.sources())
    start, end = timeline_span(events)
    fig, ax = style.figure(figsize=(8.0, 5.4))
    draw_timeline(ax, events, start, end)
    ids = sorted({c for e in events if (e.day or e.latest) for c in e.claim_ids})
    return style.finish(fig, timeline_title(claims), claims.source_line(ids)
                        + "; article dates: the sources' datelines; the undated opinion post is undated and left off")


def draw_timeline(ax, events: Sequence[Event], start: date, end: date) -> None:
    """Draw the timeline on ``ax`` (made by ``style.figure``): one row per event from ``start`` to ``end``.

    :func:`timeline_chart` draws the chapter's; the summary page draws the same over its own span.
    """
    shown = sorted((e for e in events if e.day or e.latest), key=lambda e: (e.day or e.latest, e.day is not None))
    _shade_weekends(ax, start, end)
    mid = start + (end - start) / 2
    for row, ev in enumerate(shown):
        _draw_event(ax, ev, -row, start, mid)
    ax.set_ylim(-len(shown) + 0.4, 0.6)
    _timeline_axes(ax, start, end)


def _shade_weekends(ax, start: date, end: date) -> None:
    """Grey bands over the Saturdays and Sundays from ``start`` to ``end``."""
    day = start
    while day <= end:
        if day.weekday() >= 5:
            noon = datetime(day.year, day.month, day.day, 12)
            ax.axvspan(noon - timedelta(hours=24), noon, color="#ebebeb", zorder=0, lw=0)
        day += timedelta(days=1)


def _draw_event(ax, ev: Event, y: float, start: date, mid: date) -> None:
    """One event on row ``y``: a marker on its day, or a bar over the window the sources allow, labelled."""
    colour_i, marker = LANE_STYLE.get(ev.lane, (7, "o"))
    colour = style.PALETTE[colour_i]
    if ev.day:
        ax.plot([ev.day], [y], marker=marker, ms=8, color=colour, ls="none", zorder=3)
        anchor, left = ev.day, ev.day <= mid
    else:
        lo = ev.earliest or start - timedelta(days=1)
        ax.barh(y, (ev.latest - lo).days, left=lo, height=0.55, color=colour, alpha=0.25,
                hatch="//" if ev.earliest else "..", edgecolor=colour, lw=0.8, zorder=2)
        ax.plot([ev.latest], [y], marker=">" if not ev.earliest else "|", ms=9, mew=2, color=colour, zorder=3)
        if not ev.earliest:  # "on or before": label inside the bar, from its open end
            ax.annotate(ev.label + f" (no source gives the day; by {ev.latest:%-d %b})", (lo, y),
                        xytext=(6, 0), textcoords="offset points", ha="left", va="center", fontsize=8.5,
                        color="#222222", bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.7))
            return
        anchor, left = lo, False  # a bounded window: label to its left
    ax.annotate(ev.label, (anchor, y), xytext=(8 if left else -8, 0), textcoords="offset points",
                ha="left" if left else "right", va="center", fontsize=8.5, color="#222222")


def _timeline_axes(ax, start: date, end: date) -> None:
    """The timeline's day axis, from the day before ``start`` to the day after ``end``, and its legend."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ax.set_yticks([])
    ax.set_xlim(start - timedelta(days=1), end + timedelta(days=1))
    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a\n%d"))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("January 2026 (grey: weekends)")
    ax.grid(axis="y", visible=False)
    handles = [Line2D([], [], marker=m, color=style.PALETTE[c], ls="none", label=lane) for lane, (c, m) in LANE_STYLE.items()]
    handles.append(Patch(facecolor=style.PALETTE[3], alpha=0.25, hatch="//", edgecolor=style.PALETTE[3],
                         label="window the sources allow"))
    handles.append(Patch(facecolor=style.PALETTE[2], alpha=0.25, hatch="..", edgecolor=style.PALETTE[2],
                         label="on or before the arrow"))
    ax.legend(handles=handles, loc="upper right", fontsize=8, ncol=1, frameon=True, facecolor="white", edgecolor="none",
              framealpha=1)


BREAK_EVEN_FACTORS = (0.2, 1, 5)  # factory counts drawn, as multiples of the assumed count
BREAK_EVEN_DATA_SPEND = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50)  # RMB m, the spends in the chart's data


def break_even_data(p) -> pd.DataFrame:
    """The break-even chart's data: the plan's value at a few factory counts and spends."""
    from alibaba_report.evidence import ledger

    run_rate = cloud_ai.base_run_rate(p, ledger.load_claims())
    return pd.DataFrame([{
        "factories adopting": p.factories_adopting * f, "spend per factory (RMB m a year)": s,
        "plan value (USD bn)": plan_value_usd_bn(p, run_rate, plan_revenue_rmb_bn(p.factories_adopting * f, s,
                                                                                   p.alibaba_share_pct)),
    } for f in BREAK_EVEN_FACTORS for s in BREAK_EVEN_DATA_SPEND])


def break_even_chart(p, claims):
    """The plan's value against spend per factory, one line per factory count (flat once the cloud's
    servers are full); the values the session and the week added as levels; the break-even at the
    assumed count marked when there is one."""
    out = compute(p, claims)
    fig, ax = style.figure(figsize=(8.0, 5.0))
    _draw_break_even(ax, p, out, cloud_ai.base_run_rate(p, claims))
    source = (claims.source_line([CLAIMS[k] for k in ("session_gain_pct", "week_gain_pct", "factories", "pe_forward",
                                                      "cloud_revenue_q_usd_bn")])
              + f"; assumptions: market value USD {p.market_value_before_usd_bn:g}bn before the session, Alibaba's share "
                f"{p.alibaba_share_pct:g}%, the cloud programme's {p.cash_margin_pct:g}% cash margin and capacity, "
                f"{p.profit_multiple:g}x FY27 profit after tax, {p.usd_rmb:g} RMB per USD")
    return style.finish(fig, break_even_title(p, claims), source)


def _draw_break_even(ax, p, out: dict, run_rate: float) -> None:
    from matplotlib.ticker import FuncFormatter

    value_added, week_value_added, be = out["value_added_usd_bn"], out["week_value_added_usd_bn"], out["break_even_spend_rmb_m"]
    spend = np.geomspace(0.05, 50, 200)
    colours = (style.PALETTE[4], style.PALETTE[0], style.PALETTE[5])
    for i, (f, ls) in enumerate(zip(BREAK_EVEN_FACTORS, (":", "-", "--"))):
        n = p.factories_adopting * f
        vals = plan_value_usd_bn(p, run_rate, plan_revenue_rmb_bn(n, spend, p.alibaba_share_pct))
        ax.plot(spend, vals, ls=ls, lw=2.4 if f == 1 else 1.5, color=colours[i % 3], label=f"{n:,.0f} factories adopting")
    ax.axhline(value_added, color=style.PALETTE[3], lw=1.4, label=f"value the {p.move_pct:g}% session added")
    ax.axhline(week_value_added, color=style.PALETTE[1], lw=1.2, ls="-.", label="value the week's gain added")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axvline(p.spend_per_factory_rmb_m, color=style.GREY, ls=":", lw=1.2)
    ax.annotate(f"assumed spend:\nRMB {p.spend_per_factory_rmb_m:g}m", (p.spend_per_factory_rmb_m, 0.97),
                xycoords=("data", "axes fraction"), xytext=(4, 0), textcoords="offset points", va="top",
                fontsize=8, color=style.GREY)
    if be is not None:
        ax.plot([be], [value_added], marker="o", ms=9, color=style.PALETTE[3], zorder=4)
        ax.annotate(f"break-even: RMB {be:.1f}m\nper factory per year", (be, value_added), xytext=(10, -22),
                    textcoords="offset points", ha="left", va="top", fontsize=9, color=style.PALETTE[3])
    elif out["most_value_usd_bn"] > 0:
        ax.annotate(f"servers full: at most USD {out['most_value_usd_bn']:.1f}bn", (50, out["most_value_usd_bn"]),
                    xytext=(-4, 6), textcoords="offset points", ha="right", va="bottom", fontsize=9,
                    color=style.PALETTE[0])
    plain = FuncFormatter(lambda x, _: f"{x:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    ax.set_xlabel("yearly cloud and AI spend per adopting factory (RMB million, log scale)")
    ax.set_ylabel("plan's value to Alibaba\n(USD bn, log scale)")
    ax.legend(loc="lower right", fontsize=8)


def revenue_bars(p, claims) -> list[tuple[str, float]]:
    """The revenue comparison in FY27 (RMB bn): what the plan brings, what the cloud programme's servers
    serve of it, the room they have after the cloud's own growth, what the session would need served."""
    out = compute(p, claims)
    return [
        ("the plan's revenue in FY27\n(assumptions above)", out["plan_demand_fy27_rmb_bn"]),
        ("of which the cloud's servers serve", out["plan_served_fy27_rmb_bn"]),
        ("room on the servers after\nthe cloud's own growth", out["spare_fy27_rmb_bn"]),
        (f"revenue served to justify\nthe {p.move_pct:g}% session", out["needed_served_fy27_rmb_bn"]),
    ]


def revenue_data(p, claims) -> pd.DataFrame:
    """The revenue chart's data."""
    return pd.DataFrame([(b.replace("\n", " "), v) for b, v in revenue_bars(p, claims)], columns=["bar", "RMB bn in FY27"])


def revenue_chart(p, claims):
    """Horizontal bars of revenue in FY27 (RMB bn), labelled with their values."""
    bars = revenue_bars(p, claims)
    fig, ax = style.figure(figsize=(8.0, 4.4))
    labels = [b[0] for b in bars][::-1]
    values = [b[1] for b in bars][::-1]
    colours = [style.PALETTE[i] for i in (2, 4, 3, 1)][: len(bars)][::-1]
    hatches = [style.HATCHES[i] for i in range(len(bars))][::-1]
    for y, (v, c, h) in enumerate(zip(values, colours, hatches)):
        ax.barh(y, v, color=c, hatch=h, edgecolor="white", height=0.6)
        ax.annotate(f"RMB {v:.1f}bn", (v, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(range(len(labels)), labels, fontsize=9)
    ax.set_xlabel("revenue in FY27 (RMB bn)")
    ax.set_xlim(0, max(values) * 1.18)
    ax.grid(axis="y", visible=False)
    source = (claims.source_line([CLAIMS[k] for k in ("cloud_revenue_q_usd_bn", "session_gain_pct", "factories")])
              + f"; assumptions: as above (the cloud programme's {p.cash_margin_pct:g}% cash margin and capacity, "
                f"{p.profit_multiple:g}x FY27 profit after tax)")
    return style.finish(fig, revenue_title(p, claims), source)
