"""The pricing chapter's figures, finished in the house style (the notebook shows them with style.show)."""
from __future__ import annotations

import numpy as np

from alibaba_report.chapters.hk_vs_us.model import (
    CLAIMS, EPS_FY27, EUR_BELOW_HIGH, EUR_CLOSE, GAIN_2025, MOVES, OCT_HIGH, PE_001, PE_AMAZON, PE_FORWARD,
    PE_SP500, PRICE_NOW, RESISTANCE, TARGET, WEIGHT, eur_to_usd, index_move_pp, pe_from_price,
    start_of_2025_price_usd,
)
from alibaba_report.chapters.hk_vs_us.tables import (
    index_effect_of_seed_moves, multiples_table, price_points, reference_prices,
)
from alibaba_report.chapters.hk_vs_us.text import index_effect_title, multiples_title, timeline_title
from alibaba_report.charts import style

# Reference lines of the multiples chart, told apart by colour and line style (not only colour):
# black solid, vermillion dashed, reddish purple dash-dot.
REFERENCE_LINE_STYLES = [
    {"color": style.PALETTE[3], "linestyle": style.LINESTYLES[0]},
    {"color": style.PALETTE[4], "linestyle": style.LINESTYLES[1]},
    {"color": style.PALETTE[6], "linestyle": style.LINESTYLES[3]},
]


def timeline_figure(p, claims):
    """The dollar price points in date order, the average target and any undated level as lines.

    The points are :func:`price_points`. Dated points are evenly spaced in date order (the tick label
    gives the date): the sources give a handful of prices months apart, and the path between them is
    not known, so a true time axis would only crowd the January points together. A row without a
    plotting date (the implied 52-week high) is drawn as a horizontal line, the average target too.
    """
    points = price_points(p, claims)
    target_usd = claims.value(TARGET)
    title = timeline_title(start_of_2025_price_usd(claims), claims.value(OCT_HIGH), claims.value(PRICE_NOW),
                           eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd))
    source = (claims.source_line([GAIN_2025, OCT_HIGH, PRICE_NOW, RESISTANCE, EUR_CLOSE, EUR_BELOW_HIGH, TARGET])
              + f". Assumption: EUR/USD {p.eur_usd:g}. Hollow markers are derived, not quoted; "
              "the October high is a month, its day is not given. Points in date order, not to time scale; "
              "the path between them is not known.")
    fig, ax = style.figure()
    fig.set_size_inches(8.0, 5.0)
    dated = points[points["plot_date"].notna()].sort_values("plot_date").reset_index(drop=True)
    undated = points[points["plot_date"].isna()]
    xs = list(range(len(dated)))
    _draw_dated_points(ax, dated, target_usd)
    ax.axhline(target_usd, color=style.GREY, linestyle="--", linewidth=1.2)
    ax.annotate(f"average analyst target, USD {target_usd:.0f} (boerse-global.de, 4 January)", (-0.4, target_usd),
                textcoords="offset points", xytext=(0, 4), fontsize=8, color=style.GREY)
    for _, row in undated.iterrows():
        ax.axhline(row["USD per ADS"], color=style.PALETTE[3], linestyle="-.", linewidth=1.2)
        ax.annotate(f"{row['price point']}, USD {row['USD per ADS']:.1f}", (len(dated) - 0.6, row["USD per ADS"]),
                    textcoords="offset points", xytext=(0, 4), ha="right", fontsize=8, color=style.PALETTE[3])
    labels = [row["date"].replace(" (implied)", "").replace(" (day not given)", "").replace("week of ", "")
              + "\n" + row["price point"].replace(", implied by", "\nimplied by").replace(" (", "\n(")
              for _, row in dated.iterrows()]
    ax.set_xticks(xs, labels, fontsize=8)
    ax.set_xlim(-0.5, len(dated) - 0.5)
    top = max(dated["USD per ADS"].max(), target_usd, *(undated["USD per ADS"] if len(undated) else [0]))
    ax.set_ylim(0, top * 1.12)
    ax.set_ylabel("USD per ADS")
    ax.grid(axis="x", visible=False)
    return style.finish(fig, title, source)

def _draw_dated_points(ax, dated, target_usd: float) -> None:
    """The dated price points, evenly spaced and joined by a dotted line; a derived one hollow, each
    labelled with its dollar price (and the euro price it was quoted in)."""
    ax.plot(list(range(len(dated))), dated["USD per ADS"], color=style.GREY, linestyle=":", linewidth=1, zorder=1)
    for i, row in dated.iterrows():
        derived = row["quoted or derived"].startswith("derived")
        colour = style.PALETTE[i % len(style.PALETTE)]
        ax.plot([i], [row["USD per ADS"]], marker=style.MARKERS[i % len(style.MARKERS)], markersize=10,
                color=colour, markerfacecolor="white" if derived else colour, markeredgewidth=2,
                linestyle="none", zorder=3)
        quoted = "" if row["currency"] == "USD" else f"\n(EUR {row['price as quoted']:.2f})"
        near_lines = row["USD per ADS"] > 0.8 * target_usd  # keep clear of the target and high lines
        ax.annotate(f"USD {row['USD per ADS']:.2f}{quoted}", (i, row["USD per ADS"]), textcoords="offset points",
                    xytext=(0, -14 if near_lines else 12), ha="center", va="top" if near_lines else "bottom",
                    fontsize=8.5)



def index_effect_figure(p, claims):
    """The index move caused by an Alibaba move at ``hstech_weight_pct``, the sources' moves marked."""
    moves = index_effect_of_seed_moves(p, claims)
    weight_pct = p.hstech_weight_pct
    title = index_effect_title(moves, weight_pct)
    source = (claims.source_line([WEIGHT, *(CLAIMS[role] for role, _, _ in MOVES)])
              + f". Assumption: Alibaba's index weight {weight_pct:g}%. First order: other constituents unchanged.")
    fig, ax = style.figure()
    top = max(15.0, float(moves["Alibaba move (%)"].abs().max()) * 1.1)
    grid = np.linspace(-top, top, 121)
    ax.plot(grid, [index_move_pp(m, weight_pct) for m in grid], color=style.PALETTE[0], linewidth=2,
            label=f"index move caused at a {weight_pct:g}% weight")
    ax.axhline(0, color=style.GREY, linewidth=0.8)
    ax.axvline(0, color=style.GREY, linewidth=0.8)
    for i, row in moves.reset_index(drop=True).iterrows():
        y = row["Hang Seng Tech move caused (%)"]
        ax.plot([row["Alibaba move (%)"]], [y], marker=style.MARKERS[i + 1], color=style.PALETTE[i + 1],
                markersize=8, linestyle="none",
                label=f"{row['Alibaba move (%)']:g}%: {row['move']} [{row['listing']}]")
    ax.set_xlabel("Alibaba share move (%)")
    ax.set_ylabel("Hang Seng Tech Index move caused (%)")
    ax.legend(loc="lower right", fontsize=8, title="the sources' moves [listing]", title_fontsize=8)
    return style.finish(fig, title, source)


def multiples_figure(p, claims):
    """What the FY2027 EPS forecast is worth at each multiple, against the quoted prices and target."""
    table = multiples_table(p, claims)
    markers = reference_prices(p, claims)
    title = multiples_title(claims.value(TARGET), pe_from_price(claims.value(TARGET), claims.value(EPS_FY27)))
    source = (claims.source_line([EPS_FY27, PE_001, PE_FORWARD, PE_SP500, PE_AMAZON, PRICE_NOW, EUR_CLOSE, TARGET])
              + f". Assumption: EUR/USD {p.eur_usd:g}.")
    fig, ax = style.figure()
    fig.set_size_inches(8.0, 5.2)
    rows = table.reset_index(drop=True)
    ys = range(len(rows))
    for i, row in rows.iterrows():
        run = row["multiple"].startswith("Alibaba forward")  # Alibaba's own forward multiple: dark blue and hatched
        ax.barh(i, row["implied price (USD per ADS)"], height=0.6, color=style.PALETTE[0 if run else 5],
                hatch="//" if run else "", edgecolor="white")
        ax.annotate(f"USD {row['implied price (USD per ADS)']:.0f}", (row["implied price (USD per ADS)"], i),
                    textcoords="offset points", xytext=(4, 0), va="center", fontsize=8, zorder=4,
                    bbox=dict(facecolor="white", edgecolor="none", pad=1.0))
    labels = [r["multiple"].replace(" = ", "\n= ") + f"\n{r['P/E (x)']:g}x" for _, r in rows.iterrows()]
    ax.set_yticks(list(ys), labels, fontsize=8)
    # the reference prices: dark, each in its own colour and line style, labelled at the line, one row each
    refs = sorted(markers, key=lambda m: m[1])
    ax.set_ylim(len(rows) - 0.5, -0.75 - 0.5 * len(refs))  # inverted, with a row above the bars per line
    for j, (label, x) in enumerate(refs):
        style_j = REFERENCE_LINE_STYLES[j % len(REFERENCE_LINE_STYLES)]
        ax.axvline(x, color=style_j["color"], linestyle=style_j["linestyle"], linewidth=1.6, zorder=3)
        left = j == 0  # the lowest price labelled to its left, the others to their right: no overlaps
        ax.annotate(f"{label}: USD {x:.0f}", (x, -0.85 - 0.5 * j), textcoords="offset points",
                    xytext=(-5 if left else 5, 0), ha="right" if left else "left", va="center", fontsize=8,
                    color=style_j["color"], zorder=5,
                    bbox=dict(facecolor="white", edgecolor=style_j["color"], linestyle=style_j["linestyle"], pad=2.0))
    ax.set_xlabel("price of FY2027 EPS at each multiple (USD per ADS)")
    ax.set_xlim(0, max(rows["implied price (USD per ADS)"].max(), *(x for _, x in markers)) * 1.3)
    ax.grid(axis="y", visible=False)
    return style.finish(fig, title, source)

