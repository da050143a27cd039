"""What the summary and the scenarios page say about value: numbers from the key-figure registry and
the valuation model, sentences from small tested functions, charts in the house style.
"""
from __future__ import annotations

import pandas as pd

from pathlib import Path

from alibaba_report.charts import style
from alibaba_report.synthesis import key_figures, valuation

SCENARIO_COLOURS = style.SCENARIO_COLOURS  # one palette for the scenarios on every chart
FAIR_BAND_PCT = 10.0  # within this of the probability-weighted value, the price is "about fair"


def usd(x: float) -> str:
    return f"USD {x:,.0f}"


# --- sentences ---------------------------------------------------------------------------------

def view_phrase(price: float, weighted: float, band_pct: float = FAIR_BAND_PCT) -> str:
    """The view in one phrase: where the price sits against the probability-weighted value."""
    gap = (weighted / price - 1) * 100
    if gap > band_pct:
        return f"undervalued: the probability-weighted value of {usd(weighted)} is {gap:.0f}% above the {usd(price)} price"
    if gap < -band_pct:
        return f"overvalued: the probability-weighted value of {usd(weighted)} is {-gap:.0f}% below the {usd(price)} price"
    return (f"about fairly priced: the probability-weighted value of {usd(weighted)} is within "
            f"{band_pct:.0f}% of the {usd(price)} price ({gap:+.0f}%)")


def breakeven_sentence(price: float, be_pe: float, pe: float, be_shrink: float | None, shrink: float) -> str:
    """The break-evens first: the multiple the price pays on the base earnings, and the loss shrink
    rate at which the base multiple is worth the price."""
    first = (f"At the base case's earnings the {usd(price)} price pays {be_pe:.1f} times FY27 earnings, "
             f"against the {pe:.0f} times the base case applies")
    if be_shrink is None:
        return first + "; no pace of shrinking losses alone makes the base multiple worth the price."
    side = "faster than" if be_shrink > shrink else "slower than" if be_shrink < shrink else "as fast as"
    return (first + f". At {pe:.0f} times, the price is worth paying if the instant-retail loss shrinks at least "
            f"{be_shrink:.0f}% a quarter, {side} the {shrink:.0f}% the base case assumes.")


def distribution_sentence(percentiles: dict[str, float], median: float, p10: float, p90: float) -> str:
    """Where the quoted prices sit in the distribution of value."""
    parts = [f"{share:.0f}% of outcomes fall below {label}" for label, share in percentiles.items()]
    return (f"Drawing every assumption across its range 10,000 times puts the value between {usd(p10)} and "
            f"{usd(p90)} in four cases out of five (median {usd(median)}); " + " and ".join(parts) + ".")


def target_sentence(target: float, pe: float, eps_needed: float, eps_bull: float, pe_needed: float) -> str:
    """What must be true for the analysts' average target."""
    reach = ("more than even the bull case delivers" if eps_needed > eps_bull
             else "within what the bull case delivers")
    return (f"For the {usd(target)} average target, FY27 earnings would have to reach about USD {eps_needed:.1f} a share "
            f"at {pe:.0f} times ({reach}), or the market would have to pay {pe_needed:.0f} times the base case's earnings.")


def drivers_sentence(tornado: pd.DataFrame, n: int = 3) -> str:
    """The few assumptions that move value most, in reader words."""
    if tornado.empty:
        raise valuation.contract.ModelInputError("drivers_sentence needs at least one assumption")
    top = tornado.head(n)
    items = [f"{r.assumption} ({usd(min(r.value_at_low, r.value_at_high))}–{usd(max(r.value_at_low, r.value_at_high))[4:]})"
             for r in top.itertuples()]
    return "What moves the value most: " + "; ".join(items) + "."


def funding_sentence(f: dict[str, float]) -> str:
    free = f["free_cash_rmb_bn"]
    verdict = (f"covers a year of the capex programme (RMB {f['capex_rmb_bn']:.0f}bn) with about RMB {free:.0f}bn to spare"
               if free >= 0 else
               f"does not cover a year of the capex programme (RMB {f['capex_rmb_bn']:.0f}bn): it falls about "
               f"RMB {-free:.0f}bn short")
    return (f"In FY27 the group's cash after tax, about RMB {f['cash_after_tax_rmb_bn']:.0f}bn, {verdict}. "
            f"The last reported quarter alone had a free cash outflow of RMB {-f['last_quarter_fcf_rmb_bn']:.1f}bn.")


# --- what the pages glue -----------------------------------------------------------------------

def valuation_text(scenario: str, claims) -> dict[str, str]:
    """Every sentence about value the summary and the scenarios page glue, under ``scenario``."""
    fig = key_figures.figures(scenario)
    allf = {s: key_figures.figures(s) for s in valuation.SCENARIOS}
    price = claims.value(valuation.CLAIMS["price"])
    target = claims.value(valuation.CLAIMS["target"])
    inp = valuation.scenario_inputs(scenario)
    be_shrink = fig["breakeven_shrink_pct"]
    mc = monte_carlo(claims)
    pcts = quoted_price_percentiles(claims, mc)
    disc = valuation.scenario_value(scenario, claims)["discount_factor"]
    return {
        "view": view_phrase(price, allf["base"]["probability_weighted_value_usd"]),
        "breakeven": breakeven_sentence(price, fig["breakeven_pe_x"], float(inp.forward_pe),
                                        None if be_shrink != be_shrink else be_shrink, float(inp.shrink_pct)),
        "distribution": distribution_sentence(pcts, *mc["value_per_ads_usd"].quantile([0.5, 0.1, 0.9])),
        "target_sentence": target_sentence(target, float(inp.forward_pe), target * disc / float(inp.forward_pe),
                                  allf["bull"]["fy27_eps_usd"], target * disc / fig["fy27_eps_usd"]),
        "drivers": drivers_sentence(valuation.tornado(claims)),
        "funding": funding_sentence(valuation.funding_check(scenario, claims)),
    }


_MC: dict = {}


def monte_carlo(claims) -> pd.DataFrame:
    """The book's one Monte Carlo run (seeded), computed once per process."""
    if "mc" not in _MC:
        _MC["mc"] = valuation.monte_carlo(claims)
    return _MC["mc"]


def quoted_prices(claims, eur_usd: float) -> dict[str, float]:
    """The prices the sources quote, in USD per ADS: 4 January (boerse-global.de, 4 January) and the euro close of 13 January."""
    return {f"the {usd(claims.value(valuation.CLAIMS['price']))} price of 4 January": claims.value(valuation.CLAIMS["price"]),
            "the euro close of 13 January": claims.value(valuation.CLAIMS["eur_close"]) * eur_usd}


def quoted_price_percentiles(claims, mc: pd.DataFrame, eur_usd: float | None = None) -> dict[str, float]:
    rate = _eur_usd() if eur_usd is None else eur_usd
    return {label: valuation.percentile_of(mc["value_per_ads_usd"], p)
            for label, p in quoted_prices(claims, rate).items()}


def key_data_table(claims) -> pd.DataFrame:
    """The summary's key-data panel: the price, the scenarios' values and the weighted value, with the
    upside or downside of each against the price."""
    price = claims.value(valuation.CLAIMS["price"])
    rows = [("price on 4 January 2026", price)]
    rows += [(f"{s} value", key_figures.figures(s)["value_per_ads_usd"]) for s in valuation.SCENARIOS]
    rows.append(("probability-weighted value", key_figures.figures("base")["probability_weighted_value_usd"]))
    return pd.DataFrame([{"": label, "USD per ADS": f"{v:,.0f}",
                          "against the price": "—" if i == 0 else f"{(v / price - 1) * 100:+.0f}%"}
                         for i, (label, v) in enumerate(rows)]).set_index("")


def bridge_display(claims) -> pd.DataFrame:
    """The EBITDA-to-value bridge for reading: rounded to what the inputs support."""
    t = valuation.bridge_table(claims)
    out = t.copy().astype(object)
    for idx in t.index:
        digits = 2 if idx.startswith(("FY27 EPS", "NTM EPS")) else 1 if "(x)" in idx else 0
        out.loc[idx] = [f"{x:,.{digits}f}" for x in t.loc[idx]]
    return out


# --- charts --------------------------------------------------------------------------------------

def distribution_chart(claims):
    """A histogram of value per ADS over the Monte Carlo draws, the quoted prices and the scenario
    values marked. Returns (figure, data, alt text)."""
    mc = monte_carlo(claims)
    prices = quoted_prices(claims, _eur_usd())
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
                 "Source: the book's model of value over 10,000 draws of its assumptions, each between its bear and bull "
                 "values (seeded); prices from boerse-global.de (4 January) and the 14 January article, the euro close at the assumed exchange rate.")
    data = mc["value_per_ads_usd"].describe(percentiles=[0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]).to_frame("value per ADS, USD")
    alt = (f"Histogram of value per ADS over 10,000 draws of the assumptions, median {usd(median)}, with the quoted "
           f"prices marked as vertical lines ({'; '.join(f'{k}: {v:.0f}% of draws below' for k, v in pcts.items())}) "
           f"and the bear, base and bull values as triangles.")
    return fig, data, alt


def tornado_chart(claims):
    """Each assumption from the low to the high end of its range, the others at base: a bar from the
    value at one end to the value at the other, ranked. Returns (figure, data, alt text)."""
    t = valuation.tornado(claims)
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


# --- the summary page's other figures ------------------------------------------------------------

# Figures the sources state that the summary quotes, by the name it glues them under.
SEED_FIGURES = {
    "loss_low": "nomura_ebita_loss_peak_fq3_fy26", "loss_high": "ubs_commerce_loss_fq3_fy26",
    "gs_drop": "gs_group_ebitda_yoy_fq3_fy26", "cloud_growth": "cloud_revenue_growth_fq2_fy26_s004",
    "cloud_growth_003": "cloud_revenue_growth_s003", "capex_growth": "group_capex_growth_fq2_fy26_s004",
    "hstech_weight": "hstech_alibaba_weight_s000", "us_gain": "us_shares_daily_gain_s000",
    "target": "consensus_price_target_s004", "price_now": "us_share_price_s004",
    "factories": "ai_manufacturing_factories_s001", "session_gain": "overseas_shares_session_gain_s002",
    "meitu_face": "meitu_bond_amount_s004", "gs_capex": "gs_capex_fy26_fy28",
    "ebitda_fy27": "consensus_adj_ebitda_fy27_s001", "eps_fy27_consensus": "consensus_eps_fy27_s004",
    "pe_forward": "pe_forward_s004",
}


def seed_values(claims) -> dict[str, float]:
    """The source figures the summary quotes (magnitudes: the sentences carry the sign in words)."""
    return {name: abs(claims.value(cid)) for name, cid in SEED_FIGURES.items()}


def seed_citations(claims) -> dict[str, str]:
    """``cite_<name>``: the citation markup of each quoted seed figure; ``guosen_link``: the source that
    reports Guosen's outlook (no figure of it is in the ledger)."""
    import html

    guosen = next(s for s in claims.seed_files() if "Guosen" in claims.seed_text(s))
    link = f'<a href="appendix/{html.escape(Path(guosen).stem)}.html">{html.escape(claims.source_name(guosen))}</a>'
    return {**{f"cite_{name}": claims.cite(cid) for name, cid in SEED_FIGURES.items()}, "guosen_link": link}


def chapter_values(scenario: str) -> dict[str, float]:
    """The chapters' results the summary quotes under ``scenario`` (numbers only)."""
    from alibaba_report.synthesis import scenarios

    c = scenarios.key_outputs(scenario, "cloud_ai")
    h = scenarios.key_outputs(scenario, "hk_vs_us")
    pol = scenarios.key_outputs(scenario, "policy_catalyst")
    m = scenarios.key_outputs(scenario, "meitu_deal")
    return {
        "cloud_irr": c["return_on_capex_pct"], "cloud_capex_x": c["capex_to_revenue_x"],
        "upside_computed": h["upside_to_target_pct"], "upside_gap": abs(h["stated_upside_gap_pp"]),
        "hstech_move": h["hstech_move_from_jan8_pp"], "rally_added": pol["value_added_usd_bn"],
        "plan_covers": pol["plan_covers_pct"], "break_even_spend": pol["break_even_spend_rmb_m"],
        "meitu_value": m["bond_value_usd_m"], "meitu_cloud_share": m["cloud_share_of_cloud_year_pct"],
        "bear_peak": scenarios.chapter_params("bear", "retail_war").peak_loss_rmb_bn,
        **{f"{s}__cloud_irr": scenarios.key_outputs(s, "cloud_ai")["return_on_capex_pct"] for s in valuation.SCENARIOS},
    }


def chapter_text(scenario: str) -> dict[str, str]:
    """The summary's sentences about the chapters under ``scenario``."""
    from alibaba_report.synthesis import scenarios

    r = scenarios.key_outputs(scenario, "retail_war")
    c = scenarios.key_outputs(scenario, "cloud_ai")
    return {
        "scenario_name": scenario,
        "retail_when": converges_text(r["convergence_quarter"], r["quarters_to_converge"]),
        "cloud_payback": c["payback"] if c["payback_year"] is None else f"payback in year {c['payback_year']}",
    }


def converges_text(quarter_label: str, index) -> str:
    """"converges in FQ1 FY28 (CY Q2 2027)", or "does not converge by …" when it never does."""
    return f"converges in {quarter_label}" if index is not None else f"does not converge: {quarter_label}"


def period_label(sources: pd.DataFrame) -> str:
    """The month of the latest dated source ("January 2026")."""
    import datetime as dt

    dated = sorted(d for d in sources["date"] if d != "undated")
    if not dated:
        raise valuation.contract.ModelInputError("the source register has no dated source")
    return dt.date.fromisoformat(dated[-1]).strftime("%B %Y")


def summary_numbers(scenario: str, claims, sources) -> dict[str, float]:
    """Every number the summary glues: key figures, seed figures, chapter results, counts."""
    return {**key_figures.glue_names(scenario), **seed_values(claims), **chapter_values(scenario),
            "n_seeds": float(len(sources)), "n_claims": float(len(claims)),
            "eur_close_usd": claims.value(valuation.CLAIMS["eur_close"]) * _eur_usd()}


def _eur_usd() -> float:
    from alibaba_report import params

    return params.scenario_parameters("base", "hk_vs_us")["eur_usd"]


def summary_text(scenario: str, claims, sources) -> dict[str, str]:
    from alibaba_report.evidence.ledger import seed_label

    return {**valuation_text(scenario, claims), **chapter_text(scenario), "period_label": period_label(sources),
            "divergence_seed": seed_label(claims.get(SEED_FIGURES["us_gain"]).seed)}


def comparison_chart(scenario: str):
    """The key outputs under bear, base and bull, one small chart each. Returns (figure, data, alt)."""
    from alibaba_report.synthesis import scenarios

    from alibaba_report import params

    cases = params.compared(scenario)
    fig = style.figure(figsize=(9.5, 5.6))[0]
    fig.clf()
    scenarios.plot_comparison(fig, scenarios=cases, current=scenario)
    f = {s: key_figures.figures(s) for s in valuation.SCENARIOS}
    style.finish(fig, f"From bear to bull the value per ADS rises from {usd(f['bear']['value_per_ads_usd'])} to "
                      f"{usd(f['bull']['value_per_ads_usd'])}, and the war's cost falls from RMB "
                      f"{f['bear']['retail_war_cost_rmb_bn']:.0f}bn to {f['bull']['retail_war_cost_rmb_bn']:.0f}bn",
                 f"Source: the five chapters' models and the book's model of value under the bear, base and bull "
                 f"assumptions; the {scenario} case is outlined. Claims and assumptions: see each chapter.")
    alt = ("Small bar charts, one per key output (value per ADS, FY27 EBITDA, instant-retail losses, quarters to "
           "converge, cloud payback, cloud return, policy coverage, Meitu bond value), each with bars for the "
           f"{', '.join(cases[:-1])} and {cases[-1]} cases; the {scenario} case is outlined.")
    return fig, scenarios.comparison(cases), alt


def valuation_grid_chart(claims, scenario: str):
    """Value per ADS over FY27 EPS and the forward multiple, the sources' prices as lines of equal value
    and each scenario as a point. Returns (figure, grid data, alt text)."""
    from alibaba_report.synthesis import scenarios

    eps_cons = claims.value(valuation.CLAIMS["eps_fy27"])
    points = scenarios.scenario_valuation_points()
    disc = valuation.scenario_value(scenario, claims)["discount_factor"]
    pe_seen = sorted({claims.value("pe_ratio_s001"), claims.value(valuation.CLAIMS["pe_forward"]),
                      claims.value("sp500_pe_s004"), claims.value("amazon_pe_s004"), *points["pe"]})
    eps_rows = sorted({round(x, 2) for x in (eps_cons, *points["eps_usd"])})
    prices = scenarios.quoted_prices(_eur_usd())
    fig, ax = style.figure(figsize=(8.5, 5.2))
    scenarios.plot_valuation(ax, [min(eps_rows) * 0.9, max(eps_rows) * 1.05], [min(pe_seen) * 0.9, max(pe_seen) * 1.05],
                             prices, points, discount=disc)
    target = claims.value(valuation.CLAIMS["target"])
    style.finish(fig, f"The {usd(target)} target needs {target * disc / eps_cons:.1f} times the analysts' FY27 EPS; "
                      f"the scenarios span {usd(points['value_usd'].min())}–{points['value_usd'].max():,.0f}",
                 claims.source_line([valuation.CLAIMS["eps_fy27"], valuation.CLAIMS["pe_forward"], "pe_ratio_s001",
                                     "sp500_pe_s004", "amazon_pe_s004", *prices["claim"]])
                 + "; values discounted from 1 April 2026 to 4 January 2026; the euro close at the assumed exchange rate")
    alt = ("A shaded field of value per ADS over the forward P/E (x axis) and FY2027 EPS (y axis), with dashed lines of "
           "equal value at the sources' quoted prices and target, and a marker for each scenario's EPS and multiple: "
           + "; ".join(f"{s} {usd(r.value_usd)}" for s, r in points.iterrows()) + ".")
    grid = scenarios.valuation_grid(eps_rows, pe_seen, disc).round(0)
    return fig, grid, alt


def signposts_first(scenario: str) -> pd.DataFrame:
    """The first signpost of every chapter, for the summary."""
    from alibaba_report.synthesis import scenarios

    return scenarios.signposts_table(scenario, first_only=True)


def weights_table(claims) -> pd.DataFrame:
    """The scenarios' probabilities and values, and the probability-weighted value they give."""
    w = valuation.scenario_weights()
    rows = [{"case": s, "probability, %": f"{w[s] * 100:.0f}", "value per ADS, USD": f"{key_figures.figures(s)['value_per_ads_usd']:,.0f}"}
            for s in valuation.SCENARIOS]
    rows.append({"case": "probability-weighted", "probability, %": "100",
                 "value per ADS, USD": f"{key_figures.figures('base')['probability_weighted_value_usd']:,.0f}"})
    return pd.DataFrame(rows).set_index("case")


def scenarios_numbers(scenario: str, claims) -> dict[str, float]:
    """Every number the scenarios page glues."""
    from alibaba_report.synthesis import scenarios

    from alibaba_report import params

    moved, total = scenarios.changed_assumptions(params.compared(scenario))
    return {**key_figures.glue_names(scenario), **seed_values(claims),
            "n_changed": float(len(moved)), "n_params": float(total)}
