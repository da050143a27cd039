"""The summary's and the scenarios page's charts about value, in the house style: the distribution of
value over the draws, the tornado, the cases side by side, and value over earnings and the multiple.
Each returns (figure, data, alt text)."""
from __future__ import annotations

from alibaba_report import params
from alibaba_report.charts import style
from alibaba_report.synthesis import key_figures, scenarios, uncertainty, valuation
from alibaba_report.synthesis.value_tables import (CALIBRATION, assumed_eur_usd, monte_carlo, quoted_price_percentiles,
                                                   quoted_prices_by_label)
from alibaba_report.synthesis.value_words import usd

SCENARIO_COLOURS = style.SCENARIO_COLOURS  # one palette for the scenarios on every chart


def distribution_chart(claims, scenario: str = "base"):
    """A histogram of value per ADS over the Monte Carlo draws, the quoted prices and the scenario
    values marked. Returns (figure, data, alt text)."""
    mc = monte_carlo(claims, scenario)
    prices = quoted_prices_by_label(claims, assumed_eur_usd())
    pcts = quoted_price_percentiles(claims, mc)
    fig, ax = style.figure(figsize=(8, 4.4))
    ax.hist(mc["value_per_ads_usd"], bins=50, color=style.PALETTE[5], edgecolor="white", linewidth=0.4)
    for i, (label, p) in enumerate(prices.items()):
        ax.axvline(p, color="black", linestyle=style.LINESTYLES[i + 1], linewidth=1.4)
        ax.annotate(f"{label.split(' of ')[0].replace('the ', '')}: {pcts[label]:.0f}% below",
                    (p, ax.get_ylim()[1] * (0.95 - 0.12 * i)), xytext=(4, 0), textcoords="offset points", fontsize=8.5,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    for s in valuation.SCENARIOS:
        v = key_figures.figures(s)["value_per_ads_usd"]
        ax.plot([v], [0], marker="v", markersize=11, color=SCENARIO_COLOURS[s], clip_on=False, linestyle="none",
                label=f"{s} case: {usd(v)}")
    ax.set_xlabel("value per ADS (USD)")
    ax.set_ylabel("draws")
    ax.legend(loc="upper left", fontsize=8.5)
    median = float(mc["value_per_ads_usd"].median())
    first = next(iter(pcts))
    style.finish(fig, f"The price sits above {pcts[first]:.0f}% of the values the assumptions allow; the median is {usd(median)}",
                 "Source: the book's model of value over 10,000 draws (seeded): a case picked with its probability, "
                 "every assumption drawn around that case's value; prices from boerse-global.de (4 January) and the "
                 "14 January article, the euro close at the assumed exchange rate.")
    data = mc["value_per_ads_usd"].describe(percentiles=[0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]).to_frame("value per ADS, USD")
    alt = (f"Histogram of value per ADS over 10,000 draws of the assumptions, median {usd(median)}, with the quoted "
           f"prices marked as vertical lines ({'; '.join(f'{k}: {v:.0f}% of draws below' for k, v in pcts.items())}) "
           f"and the bear, base and bull values as triangles.")
    return fig, data, alt


def tornado_chart(claims):
    """Each assumption from the low to the high end of its range, the others at base: a bar from the
    value at one end to the value at the other, ranked. Returns (figure, data, alt text)."""
    t = uncertainty.tornado(claims)
    centre = float(t["base_value"].iloc[0])
    fig, ax = style.figure(figsize=(8, 4.8))
    y = range(len(t))[::-1]
    for yi, r in zip(y, t.itertuples()):
        lo, hi = sorted((r.value_at_low, r.value_at_high))
        ax.barh(yi, hi - lo, left=lo, color=style.PALETTE[0], height=0.6)
        ax.annotate(f"{r.low:g}–{r.high:g} {r.unit}", (hi, yi), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.axvline(centre, color="black", linewidth=1)
    ax.set_yticks(list(y), [r.assumption for r in t.itertuples()], fontsize=8.5)
    ax.set_xlabel("value per ADS (USD)")
    ax.grid(axis="y", visible=False)
    lo_all, hi_all = t[["value_at_low", "value_at_high"]].min().min(), t[["value_at_low", "value_at_high"]].max().max()
    pad = (hi_all - lo_all) * 0.05
    ax.set_xlim(lo_all - pad, hi_all + (hi_all - lo_all) * 0.3)
    top = t.iloc[0]
    style.finish(fig, f"The multiple, then the war: {top.assumption} alone moves the value by {usd(top.swing)}",
                 "Source: the book's model of value, each assumption moved from its bear to its bull value (or over a "
                 "stated range where the scenarios agree) with the others at base; the line is the base value.")
    alt = ("Horizontal bars, one per assumption, ranked by how far it moves value per ADS between the ends of its "
           "range: " + "; ".join(f"{r.assumption} {r.value_at_low:.0f} to {r.value_at_high:.0f}" for r in t.itertuples())
           + f"; base value {centre:.0f}.")
    return fig, t.drop(columns=["input"]).set_index("assumption"), alt


def comparison_chart(scenario: str):
    """The key outputs under bear, base and bull, one small chart each. Returns (figure, data, alt)."""
    cases = params.compared(scenario)
    fig = style.figure(figsize=(9.5, 5.6))[0]
    fig.clf()
    scenarios.plot_comparison(fig, scenarios=cases, current=scenario)
    f = {s: key_figures.figures(s) for s in valuation.SCENARIOS}
    style.finish(fig, f"From bear to bull the value per ADS rises from {usd(f['bear']['value_per_ads_usd'])} to "
                      f"{usd(f['bull']['value_per_ads_usd'])}, and the war's cost falls from RMB "
                      f"{f['bear']['retail_war_cost_rmb_bn']:.0f}bn to {f['bull']['retail_war_cost_rmb_bn']:.0f}bn",
                 f"Source: the chapters' models and the book's model of value under the bear, base and bull "
                 f"assumptions; the {scenario} case is outlined. Claims and assumptions: see each chapter.")
    alt = ("Small bar charts, one per key output (value per ADS, FY27 EBITDA, instant-retail losses, quarters to "
           "converge, cloud payback, cloud return, policy coverage, Meitu bond value), each with bars for the "
           f"{', '.join(cases[:-1])} and {cases[-1]} cases; the {scenario} case is outlined.")
    return fig, scenarios.comparison(cases), alt


def valuation_grid_chart(claims, scenario: str):
    """Value per ADS on 4 January 2026 over next-twelve-months EPS and the forward multiple, the prices
    the sources quote as lines of equal value and each scenario as a point (a 12-month target is a price
    a year on, so it is not drawn on today's field). Returns (figure, grid data, alt text)."""
    cons = valuation.scenario_value(CALIBRATION, claims)["ntm_eps_usd"]
    points = scenarios.scenario_valuation_points()
    pe_seen = sorted({claims.value("pe_ratio_s001"), claims.value(valuation.CLAIMS["pe_forward"]),
                      claims.value("sp500_pe_s004"), claims.value("amazon_pe_s004"), *points["pe"]})
    eps_rows = sorted({round(x, 2) for x in (cons, *points["eps_usd"])})
    prices = scenarios.quoted_prices_frame(assumed_eur_usd())
    prices = prices[prices["claim"] != valuation.CLAIMS["target"]]
    fig, ax = style.figure(figsize=(8.5, 5.2))
    scenarios.plot_valuation(ax, [min(eps_rows) * 0.9, max(eps_rows) * 1.05], [min(pe_seen) * 0.9, max(pe_seen) * 1.05],
                             prices, points)
    price = claims.value(valuation.CLAIMS["price"])
    style.finish(fig, f"The {usd(price)} price is {price / cons:.1f} times the analysts' next-twelve-months EPS; "
                      f"the scenarios span {usd(points['value_usd'].min())}–{points['value_usd'].max():,.0f}",
                 claims.source_line([valuation.CLAIMS["eps_fy27"], valuation.CLAIMS["pe_forward"], "pe_ratio_s001",
                                     "sp500_pe_s004", "amazon_pe_s004", *prices["claim"]])
                 + f"; values on {valuation.day(valuation.PRICING_DATE)}; the euro close at the assumed exchange rate")
    alt = (f"A shaded field of value per ADS on {valuation.day(valuation.PRICING_DATE)} over the forward P/E (x axis) and next-twelve-months EPS "
           "(y axis), with dashed lines of equal value at the prices the sources quote, and a marker for each "
           "scenario's EPS and multiple: " + "; ".join(f"{s} {usd(r.value_usd)}" for s, r in points.iterrows()) + ".")
    grid = scenarios.valuation_grid(eps_rows, pe_seen).round(0)
    return fig, grid, alt
