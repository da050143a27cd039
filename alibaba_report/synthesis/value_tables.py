"""What the summary and the scenarios page show about value: the sentences filled in with the
model's numbers (:func:`valuation_text`), the prices the verdict is given at, the seeded draws
(computed once per process), and the tables (key data, bridge, weights, ranges)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from alibaba_report import params
from alibaba_report.synthesis import key_figures, uncertainty, valuation
from alibaba_report.synthesis.value_words import (breakeven_sentence, calibration_sentence, cloud_credit_sentence,
                                                  distribution_sentence,
                                                  drivers_sentence, funding_sentence, target_sentence,
                                                  uncertainty_sentence, usd, verdict_sentence, view_phrase)

CALIBRATION = "consensus"  # the scenario that feeds the model the forecasts' own inputs


def assumed_eur_usd() -> float:
    """The assumed euro rate (USD per EUR) the euro close is read at: the base case's."""
    return params.scenario_parameters("base", "hk_vs_us")["eur_usd"]


def price_13jan_usd(claims) -> float:
    """Seed 002's euro close of 13 January 2026 in USD per ADS, at the assumed euro rate."""
    return claims.value(valuation.CLAIMS["eur_close"]) * assumed_eur_usd()


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
        "drivers": drivers_sentence(uncertainty.tornado(claims)),
        "funding": funding_sentence(valuation.funding_check(scenario, claims)),
        "cloud_credit": cloud_credit(scenario, claims),
        "pricing_date": valuation.day(valuation.PRICING_DATE), "target_date": valuation.day(valuation.TARGET_DATE),
        "uncertainty": uncertainty_sentence(valuation.scenario_weights(scenario)),
    }


def cloud_credit(scenario: str, claims) -> str:
    """The cloud programme's place in ``scenario``'s value (:func:`.value_words.cloud_credit_sentence`):
    its FY27 figures against the embedded programme from the model of value, and its return and present
    value at the cost of equity from the cloud chapter's payback model, per ADS at the model's rate and
    share count."""
    from alibaba_report.chapters import cloud_ai

    inp, r = valuation.scenario_inputs(scenario), valuation.scenario_value(scenario, claims)
    p = cloud_ai.scenario_parameters(scenario)
    res = cloud_ai.project(p, cloud_ai.reported(p, claims)["run_rate_rmb_bn"])
    coe = float(inp.cost_of_equity_pct)
    npv = cloud_ai.npv_rmb_bn(res["payback"]["net_cash_rmb_bn"], coe)
    return cloud_credit_sentence(scenario, r["cloud_delta_fy27_rmb_bn"], -r["cloud_depreciation_delta_fy27_rmb_bn"],
                                 res["irr_pct"], coe, npv / float(inp.usd_rmb) / float(inp.ads_outstanding_bn))


def verdict_prices(claims) -> dict[str, float]:
    """The two prices the verdict is given at, by reader label."""
    return {f"the US close of {price_day(claims, 'price')}": claims.value(valuation.CLAIMS["price"]),
            f"the euro close of {price_day(claims, 'eur_close')}": price_13jan_usd(claims)}


def price_day(claims, key: str) -> str:
    """The day a quoted price is for, from its claim's period ("13 January 2026")."""
    return valuation.day(dt.date.fromisoformat(claims.get(valuation.CLAIMS[key]).period))


_MC: dict = {}


def monte_carlo(claims, scenario: str = "base") -> pd.DataFrame:
    """The book's Monte Carlo run under ``scenario``'s weights (seeded), computed once per process."""
    if scenario not in _MC:
        _MC[scenario] = uncertainty.monte_carlo(claims, scenario=scenario)
    return _MC[scenario]


def quoted_prices_by_label(claims, eur_usd: float) -> dict[str, float]:
    """The prices the sources quote, in USD per ADS by reader label: 4 January (boerse-global.de) and the
    euro close of 13 January (at ``eur_usd``)."""
    return {f"the {usd(claims.value(valuation.CLAIMS['price']))} price of {price_day(claims, 'price')}": claims.value(valuation.CLAIMS["price"]),
            f"the euro close of {price_day(claims, 'eur_close')}": claims.value(valuation.CLAIMS["eur_close"]) * eur_usd}


def quoted_price_percentiles(claims, mc: pd.DataFrame, eur_usd: float | None = None) -> dict[str, float]:
    rate = assumed_eur_usd() if eur_usd is None else eur_usd
    return {label: uncertainty.percentile_of(mc["value_per_ads_usd"], p)
            for label, p in quoted_prices_by_label(claims, rate).items()}


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


def uncertainty_table(scenario: str = "base") -> pd.DataFrame:
    """Every assumption the draws move: the range in each case (or the one range the cases share)."""
    rows = []
    for name in valuation.Inputs.__dataclass_fields__:
        label, unit = valuation.LABELS[name]
        if name in uncertainty.FIXED_RANGES:
            lo, hi = uncertainty.FIXED_RANGES[name]
            same = f"{lo:g}–{hi:g}, peaking at the base value (the same in every case)"
            rows.append({"assumption": label, "unit": unit, **{s: same for s in valuation.SCENARIOS}})
            continue
        bands = None if name in uncertainty.NO_RANGE else uncertainty.draw_bands(name)
        if bands is None:
            continue
        rows.append({"assumption": label, "unit": unit,
                     **{s: f"{lo:.3g}–{hi:.3g}, peaking at {mode:.3g}" for s, (lo, mode, hi) in bands.items()}})
    w = valuation.scenario_weights(scenario)
    rows.append({"assumption": "probability of the case", "unit": "%", **{s: f"{w[s] * 100:.0f}" for s in valuation.SCENARIOS}})
    return pd.DataFrame(rows).set_index("assumption")


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
