"""What the summary and the scenarios page say about value: numbers from the key-figure registry and
the valuation model, sentences from small tested functions, charts in the house style.
"""
from __future__ import annotations

import pandas as pd


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


def distribution_sentence(percentiles: dict[str, float], median: float, p10: float, p90: float) -> str:
    """Where the quoted prices sit in the distribution of value."""
    parts = [f"{share:.0f}% of outcomes fall below {label}" for label, share in percentiles.items()]
    return (f"Drawing the assumptions 10,000 times, each draw a case picked with its probability and every assumption "
            f"around that case's value, puts the value between {usd(p10)} and {usd(p90)} in four cases out of five "
            f"(median {usd(median)}); " + " and ".join(parts) + ".")


def uncertainty_sentence(weights: dict[str, float]) -> str:
    """How the draws are made, with the weights: the ranges are in the table beside it."""
    w = ", ".join(f"{s} {x * 100:.0f}%" for s, x in weights.items())
    return (f"Each of the 10,000 draws first picks a case with its probability ({w}); every assumption the cases set is "
            "then drawn around that case's value, no further than halfway to the next case's (the outer cases as far "
            "beyond), so the assumptions move together as the cases do. The assumptions the cases hold equal are "
            "drawn over the stated ranges whatever the case, independently of each other. The table gives every range.")


def uncertainty_table(scenario: str = "base") -> pd.DataFrame:
    """Every assumption the draws move: the range in each case (or the one range the cases share)."""
    rows = []
    for name in valuation.Inputs.__dataclass_fields__:
        label, unit = valuation.LABELS[name]
        if name in valuation.FIXED_RANGES:
            lo, hi = valuation.FIXED_RANGES[name]
            same = f"{lo:g}–{hi:g}, peaking at the base value (the same in every case)"
            rows.append({"assumption": label, "unit": unit, **{s: same for s in valuation.SCENARIOS}})
            continue
        bands = None if name in valuation.NO_RANGE else valuation.draw_bands(name)
        if bands is None:
            continue
        rows.append({"assumption": label, "unit": unit,
                     **{s: f"{lo:.3g}–{hi:.3g}, peaking at {mode:.3g}" for s, (lo, mode, hi) in bands.items()}})
    w = valuation.scenario_weights(scenario)
    rows.append({"assumption": "probability of the case", "unit": "%", **{s: f"{w[s] * 100:.0f}" for s in valuation.SCENARIOS}})
    return pd.DataFrame(rows).set_index("assumption")


def calibration_sentence(price: float, pe: float, ntm_eps: float, value: float,
                         when: str = valuation.day(valuation.PRICING_DATE)) -> str:
    """The model gives back the market: the forecasts' own earnings at the market's multiple."""
    return (f"Fed the analysts' own forecasts, the model gives back the market: the {usd(price)} price of {when} "
            f"is {pe:.1f} times their earnings for the next twelve months (USD {ntm_eps:.2f} a share), and at that "
            f"multiple their forecasts are worth USD {value:.1f}.")


def breakeven_sentence(case: str, price: float, be_pe: float, pe: float, be_shrink: float | None, shrink: float,
                       embedded: float, be_margin: float | None, margin: float) -> str:
    """The break-evens first: the multiple the price pays on the case's next-twelve-months earnings,
    then the loss shrink and the cloud margin at which the case's value equals the price."""
    first = (f"At the {case} case's earnings the {usd(price)} price pays {be_pe:.1f} times the next twelve months' "
             f"earnings, against the {pe:.1f} times the {case} case applies")
    if be_shrink is None:
        shrink_part = f"no pace of shrinking losses alone makes the {case} case worth the price"
    else:
        # compared as the sentence shows them (whole percents), so it never says "20%, faster than the 20%"
        side = ("faster than" if round(be_shrink) > round(shrink) else "slower than" if round(be_shrink) < round(shrink)
                else "about as fast as")
        shrink_part = (f"the price is worth paying if the instant-retail loss shrinks at least {be_shrink:.0f}% a quarter, "
                       f"{side} the {shrink:.0f}% the {case} case assumes")
    margin_part = ("" if be_margin is None else
                   f", or if new cloud revenue earns a cash margin of {be_margin:.0f}% (the {case} case assumes {margin:.0f}%)")
    return (f"{first}. With the {case} case's other assumptions, {shrink_part}{margin_part}. The forecasts are taken "
            f"to assume the loss shrinks {embedded:.0f}% a quarter: an assumption, which no source states.")


def verdict_sentence(target: float, prices: dict[str, float], coe: float, fy28_growth: float,
                     target_day: str = valuation.day(valuation.TARGET_DATE)) -> str:
    """The rating at each quoted price, with its horizon and the basis of the target."""
    parts = []
    for label, price in prices.items():
        ret = (target / price - 1) * 100
        parts.append(f"{valuation.rating(ret, coe)} at {label} ({usd(price)}: {ret:+.0f}% to the target)")
    band = valuation.RATING_BAND_PP
    return (f"Over twelve months: {'; '.join(parts)}. The 12-month target of {usd(target)} is the probability-weighted "
            f"value on {target_day}, the same multiple on the following twelve months' earnings; three quarters of "
            f"those fall in FY28, which no source forecasts, so FY28 earnings are assumed to grow {fy28_growth:.0f}% "
            f"(an assumption). A return more than {band:.0f} points above the {coe:.0f}% a year shareholders are "
            f"taken to require is a Buy, more than {band:.0f} points below it a Sell, anything between a Hold.")


def target_sentence(target: float, analysts: float, values_12m: dict[str, float],
                    target_day: str = valuation.day(valuation.TARGET_DATE)) -> str:
    """The analysts' average target against the book's 12-month values: the same horizon."""
    ordered = sorted(values_12m.items(), key=lambda kv: kv[1])
    below = [s for s, x in ordered if x < analysts]
    if len(below) == len(ordered):
        where = f"above even the {ordered[-1][0]} case's"
    elif not below:
        where = f"below even the {ordered[0][0]} case's"
    else:
        where = f"between the {below[-1]} case's and the {ordered[len(below)][0]} case's"
    listed = ", ".join(f"{s} {usd(x)}" for s, x in values_12m.items())
    return (f"The analysts' average target of {usd(analysts)} is a 12-month price too, so it is read against the book's "
            f"values on {target_day} ({listed}): it sits {where}, {(analysts / target - 1) * 100:+.0f}% from the "
            f"book's 12-month target of {usd(target)}.")


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
    price = claims.value(valuation.CLAIMS["price"])
    inp = valuation.scenario_inputs(scenario)
    cons = valuation.scenario_value(CALIBRATION, claims)
    mc = monte_carlo(claims, scenario)
    pcts = quoted_price_percentiles(claims, mc)

    def known(name: str) -> float | None:
        return None if fig[name] != fig[name] else fig[name]

    return {
        "view": view_phrase(price, fig["probability_weighted_value_usd"]),
        "calibration": calibration_sentence(price, float(valuation.scenario_inputs(CALIBRATION).forward_pe),
                                            cons["ntm_eps_usd"], cons["value_per_ads_usd"]),
        "breakeven": breakeven_sentence(scenario, price, fig["breakeven_pe_x"], float(inp.forward_pe),
                                        known("implied_shrink_pct"), float(inp.shrink_pct),
                                        float(inp.consensus_embedded_shrink_pct), known("implied_cloud_margin_pct"),
                                        float(inp.cash_margin_pct)),
        "verdict": verdict_sentence(fig["target_price_12m_usd"], verdict_prices(claims), float(inp.cost_of_equity_pct),
                                    float(inp.fy28_eps_growth_pct)),
        "distribution": distribution_sentence(pcts, *mc["value_per_ads_usd"].quantile([0.5, 0.1, 0.9])),
        "target_sentence": target_sentence(fig["target_price_12m_usd"], claims.value(valuation.CLAIMS["target"]),
                                           {s: key_figures.figures(s)["value_12m_usd"] for s in valuation.SCENARIOS}),
        "drivers": drivers_sentence(valuation.tornado(claims)),
        "funding": funding_sentence(valuation.funding_check(scenario, claims)),
        "pricing_date": valuation.day(valuation.PRICING_DATE), "target_date": valuation.day(valuation.TARGET_DATE),
        "uncertainty": uncertainty_sentence(valuation.scenario_weights(scenario)),
    }


CALIBRATION = "consensus"  # the scenario that feeds the model the forecasts' own inputs


def verdict_prices(claims) -> dict[str, float]:
    """The two prices the verdict is given at, by reader label."""
    return {f"the US close of {price_day(claims, 'price')}": claims.value(valuation.CLAIMS["price"]),
            f"the euro close of {price_day(claims, 'eur_close')}": price_13jan_usd(claims)}


def price_day(claims, key: str) -> str:
    """The day a quoted price is for, from its claim's period ("13 January 2026")."""
    import datetime as dt

    return valuation.day(dt.date.fromisoformat(claims.get(valuation.CLAIMS[key]).period))


_MC: dict = {}


def monte_carlo(claims, scenario: str = "base") -> pd.DataFrame:
    """The book's Monte Carlo run under ``scenario``'s weights (seeded), computed once per process."""
    if scenario not in _MC:
        _MC[scenario] = valuation.monte_carlo(claims, scenario=scenario)
    return _MC[scenario]


def quoted_prices(claims, eur_usd: float) -> dict[str, float]:
    """The prices the sources quote, in USD per ADS: 4 January (boerse-global.de) and the euro close of 13 January."""
    return {f"the {usd(claims.value(valuation.CLAIMS['price']))} price of {price_day(claims, 'price')}": claims.value(valuation.CLAIMS["price"]),
            f"the euro close of {price_day(claims, 'eur_close')}": claims.value(valuation.CLAIMS["eur_close"]) * eur_usd}


def quoted_price_percentiles(claims, mc: pd.DataFrame, eur_usd: float | None = None) -> dict[str, float]:
    rate = _eur_usd() if eur_usd is None else eur_usd
    return {label: valuation.percentile_of(mc["value_per_ads_usd"], p)
            for label, p in quoted_prices(claims, rate).items()}


def key_data_table(claims, scenario: str = "base") -> pd.DataFrame:
    """The summary's key-data panel: each case's value on 4 January 2026 against that day's price, and
    its value a year on, against which the 12-month target and the analysts' target are read."""
    price = claims.value(valuation.CLAIMS["price"])
    cases = list(dict.fromkeys([*valuation.SCENARIOS, scenario]))  # a scenario of your own gets its row too
    rows = [(f"{s} case", key_figures.figures(s)["value_per_ads_usd"], key_figures.figures(s)["value_12m_usd"])
            for s in cases]
    fig = key_figures.figures(scenario)
    rows.append(("probability-weighted", fig["probability_weighted_value_usd"], fig["target_price_12m_usd"]))
    now, later = valuation.day(valuation.PRICING_DATE, short=True), valuation.day(valuation.TARGET_DATE, short=True)
    return pd.DataFrame([{"": label, f"value on {now}, USD per ADS": f"{v:,.0f}",
                          f"against the USD {price:,.0f} price": f"{(v / price - 1) * 100:+.0f}%",
                          f"value on {later}, USD per ADS": f"{v12:,.0f}"}
                         for label, v, v12 in rows]).set_index("")


def bridge_display(claims) -> pd.DataFrame:
    """The EBITDA-to-value bridge for reading: rounded to what the inputs support."""
    t = valuation.bridge_table(claims)
    out = t.copy().astype(object)
    for idx in t.index:
        digits = 2 if idx.startswith(("FY27 EPS", "EPS")) else 1 if "(x)" in idx else 0
        out.loc[idx] = [f"{x:,.{digits}f}" for x in t.loc[idx]]
    return out


# --- charts --------------------------------------------------------------------------------------

def distribution_chart(claims, scenario: str = "base"):
    """A histogram of value per ADS over the Monte Carlo draws, the quoted prices and the scenario
    values marked. Returns (figure, data, alt text)."""
    mc = monte_carlo(claims, scenario)
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


def chapter_values(scenario: str) -> dict[str, float]:
    """The chapters' results the summary quotes under ``scenario`` (numbers only)."""
    from alibaba_report.synthesis import scenarios

    c = scenarios.key_outputs(scenario, "cloud_ai")
    h = scenarios.key_outputs(scenario, "hk_vs_us")
    pol = scenarios.key_outputs(scenario, "policy_catalyst")
    m = scenarios.key_outputs(scenario, "meitu_deal")
    return {
        "cloud_irr": c["return_on_capex_pct"], "cloud_capex_x": c["capex_to_revenue_x"],
        "cloud_margin_assumed": scenarios.chapter_params(scenario, "cloud_ai").cash_margin_pct,
        **cloud_breakeven_terms(scenarios.chapter_params(scenario, "cloud_ai")),
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
            "eur_close_usd": price_13jan_usd(claims),
            # the war alone in the bear case: the analysts' FY27 EBITDA moved by the bear loss path only
            "bear_war_only_ebitda": claims.value(valuation.CLAIMS["ebitda_fy27"])
            + valuation.scenario_value("bear", claims)["retail_delta_fy27_rmb_bn"]}


def _eur_usd() -> float:
    from alibaba_report import params

    return params.scenario_parameters("base", "hk_vs_us")["eur_usd"]


def summary_text(scenario: str, claims, sources) -> dict[str, str]:
    from alibaba_report.evidence.ledger import seed_label

    return {**valuation_text(scenario, claims), **chapter_text(scenario), "period_label": period_label(sources),
            **{f"risk_outside_{i}": text for i, text in enumerate(outside_risks())},

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
    """Value per ADS on 4 January 2026 over next-twelve-months EPS and the forward multiple, the prices
    the sources quote as lines of equal value and each scenario as a point (a 12-month target is a price
    a year on, so it is not drawn on today's field). Returns (figure, grid data, alt text)."""
    from alibaba_report.synthesis import scenarios

    cons = valuation.scenario_value(CALIBRATION, claims)["ntm_eps_usd"]
    points = scenarios.scenario_valuation_points()
    pe_seen = sorted({claims.value("pe_ratio_s001"), claims.value(valuation.CLAIMS["pe_forward"]),
                      claims.value("sp500_pe_s004"), claims.value("amazon_pe_s004"), *points["pe"]})
    eps_rows = sorted({round(x, 2) for x in (cons, *points["eps_usd"])})
    prices = scenarios.quoted_prices(_eur_usd())
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


def signposts_first(scenario: str) -> pd.DataFrame:
    """The first signpost of every chapter, for the summary."""
    from alibaba_report.synthesis import scenarios

    return scenarios.signposts_table(scenario, first_only=True)


def weights_table(claims, scenario: str = "base") -> pd.DataFrame:
    """The probabilities ``scenario`` gives the cases, their values today and a year on, and the
    probability-weighted value and 12-month target they give."""
    w = valuation.scenario_weights(scenario)
    cols = tuple(f"value on {valuation.day(d, short=True)}, USD" for d in (valuation.PRICING_DATE, valuation.TARGET_DATE))
    rows = [{"case": s, "probability, %": f"{w[s] * 100:.0f}",
             cols[0]: f"{key_figures.figures(s)['value_per_ads_usd']:,.0f}", cols[1]: f"{key_figures.figures(s)['value_12m_usd']:,.0f}"}
            for s in valuation.SCENARIOS]
    fig = key_figures.figures(scenario)
    rows.append({"case": "probability-weighted", "probability, %": "100",
                 cols[0]: f"{fig['probability_weighted_value_usd']:,.0f}", cols[1]: f"{fig['target_price_12m_usd']:,.0f}"})
    return pd.DataFrame(rows).set_index("case")


def scenarios_numbers(scenario: str, claims) -> dict[str, float]:
    """Every number the scenarios page glues."""
    from alibaba_report.synthesis import scenarios

    from alibaba_report import params

    moved, total = scenarios.changed_assumptions(params.compared(scenario))
    return {**key_figures.glue_names(scenario), **seed_values(claims),
            "n_changed": float(len(moved)), "n_params": float(total)}


def price_13jan_usd(claims) -> float:
    """Seed 002's euro close of 13 January 2026 in USD per ADS, at the assumed euro rate."""
    return claims.value(valuation.CLAIMS["eur_close"]) * _eur_usd()


# --- what a portfolio manager expects: a dated calendar, risks from outside the sources ----------

OUTSIDE = "outside the sources"
# Events the sources date, by claim: (reader words, claim id whose date or period dates it).
DATED_EVENTS = (
    ("Meitu convertible bond issued", "meitu_bond_issue_date_s004"),
    ("Citi cuts its earnings forecast and target price", "citi_report_date_s000"),
    ("US shares start the rally on the AI Plus Manufacturing plan", "us_shares_rally_start_s001"),
    ("euro close the verdict is also given at", "overseas_shares_close_s002"),
)


def _claim_date(claims, cid: str):
    import datetime as dt

    c = claims.get(cid)
    return c.date if c.date is not None else dt.date.fromisoformat(c.period)


def quarter_end(i: int):
    """The last day of the model's quarter ``i`` (0 = FQ3 FY26, October to December 2025)."""
    import datetime as dt

    return valuation.quarter_start(i + 1) - dt.timedelta(days=1)


def catalyst_calendar(claims, sources: pd.DataFrame) -> pd.DataFrame:
    """Dated events: those the sources date, the quarters whose results decide the war's path (their ends
    computed from the fiscal calendar; the reporting dates are not in the sources), and the target's date."""
    by_seed = sources.set_index("seed")

    def source(cid: str) -> str:
        import datetime as dt

        row = by_seed.loc[claims.get(cid).seed]
        who = row["publisher"] if row["publisher"] != "not stated in the text" else f"a {row['kind']}"
        when = valuation.day(dt.date.fromisoformat(row["date"])) if row["date"] != "undated" else "undated"
        return f"{who}, {when}"

    rows = [{"date": _claim_date(claims, cid), "event": what, "source": source(cid)} for what, cid in DATED_EVENTS]
    for i, what in ((0, "the brokers' peak quarter"), (1, "the first quarter the loss can shrink"),
                    (valuation.FY27_QUARTERS[-1], "the last quarter of FY27, the forecasts' last year")):
        fy = valuation.fiscal_year(valuation.quarter_start(i))
        fq = (i + 2) % 4 + 1
        rows.append({"date": quarter_end(i), "event": f"FQ{fq} FY{fy} ends: {what}; results follow",
                     "source": f"fiscal calendar; the results' date is {OUTSIDE}"})
    rows.append({"date": valuation.TARGET_DATE, "event": "the 12-month target's date", "source": "this book"})
    out = pd.DataFrame(rows).sort_values("date", kind="stable")
    out["date"] = [valuation.day(d) for d in out["date"]]
    return out.set_index("date")


def outside_risks() -> list[str]:
    """China-specific risks no source names, each labelled as from outside the sources."""
    return [f"Export controls on AI chips ({OUTSIDE}): US limits on the GPUs Alibaba can buy could slow the capex "
            "plan or raise its cost, whatever demand the cloud finds.",
            f"Regulation of subsidy wars ({OUTSIDE}): China's market regulator can curb the instant-retail subsidies, "
            "which would end the war sooner than the cases assume, by rule rather than by choice.",
            f"ADR and listing risk ({OUTSIDE}): the US shares are depositary receipts; delisting pressure or audit "
            "disputes would move them apart from the Hong Kong line the book holds at parity.",
            "Capital returns and the balance sheet: the sources give the last quarter's free cash flow and the capex "
            "forecasts, and do not say anything of buybacks, dividends or debt; the book's net cash is an outside "
            "assumption used only for a cross-check."]


def cloud_breakeven_terms(p) -> dict[str, float]:
    """The terms of the cloud's break-even margin, which follows from three assumptions: a yuan of capex
    earns ``capex_turnover`` of revenue a year, for ``asset_life_years``, at ``utilisation_pct``; it pays
    back when the margin times all that revenue is one yuan, about 1 / (turnover x life x utilisation)."""
    u = p.utilisation_pct / 100.0
    return {"cloud_turnover": float(p.capex_turnover), "cloud_life": float(p.asset_life_years),
            "cloud_util": float(p.utilisation_pct),
            "cloud_be_formula_pct": 100.0 / (p.capex_turnover * p.asset_life_years * u)}
