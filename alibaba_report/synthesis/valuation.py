"""One model of value per scenario, fed by the chapters, calibrated to the market.

The chain, each step a named assumption or a ledger figure:

1. **EBITDA** starts from the analysts' adjusted-EBITDA forecasts (seed 001: RMB 184bn FY26, 262bn
   FY27) and moves by each chapter's driver against what the forecasts are taken to embed:
   * the instant-retail loss path of the scenario against a *stated* embedded path (the brokers' peak
     shrinking at ``consensus_embedded_shrink_pct`` a quarter, the same in every scenario);
   * the cloud's AI programme, by the cloud chapter's own model
     (:func:`alibaba_report.chapters.cloud_ai.programme_years`): the revenue the growth path adds
     above the reported quarter, earned only up to the capacity the programme's capex can serve, at
     the cash margin, less the programme's depreciation (EBITA, the basis of EPS; the cash profit is
     the EBITDA basis). The forecasts are taken to embed the programme of the ``consensus`` scenario
     (Citi's 35% a year in the article of 8 January 2026, the cash margin
     ``consensus_cloud_margin_pct``, and that scenario's capex, life, turnover and utilisation); what a
     scenario adds is the difference between its programme and that one, so the consensus adds nothing;
   * the policy plan's new revenue is cloud revenue: extra demand on the same programme from FY27
     (the forecasts predate the plan), earning the cloud's cash margin only where the programme has
     capacity left; revenue it cannot serve earns nothing. Its part is the programme with the plan's
     demand less the programme without it.
2. **EPS** moves from the analysts' EPS by the EBITDA change, less the cloud programme's change in
   depreciation (its EBITA against the embedded one's), after tax, per ADS, at the exchange rate: FY27 is seed 004's USD 8.57, FY26 is FY27's over seed 004's "nearly 50%" growth, and FY28
   (beyond every source's forecasts) is FY27's grown at ``fy28_eps_growth_pct``, a labelled
   assumption. Each quarter carries a quarter of its fiscal year's EPS (Alibaba's fiscal year ends
   31 March) plus that quarter's change.
3. **Value** is the forward multiple on the earnings it is quoted on, the next twelve months: on
   4 January 2026 (seed 004's price and P/E) the four quarters from FQ4 FY26; the 12-month target,
   on 4 January 2027, the four quarters after that date, at the same multiple. Nothing is
   discounted: a value today uses today's forward earnings, a target a year on uses the following
   year's. With every driver at what the forecasts embed and the market's multiple, the value is
   the quoted price (the ``consensus`` scenario; a test holds it to 1%).

Cross-checks beside it: the EV/EBITDA the value implies, and a funding check (the cash the group
generates against the capex and the war). Everything is vectorised over numpy arrays so the Monte
Carlo and the tornado (:mod:`~alibaba_report.synthesis.uncertainty`) reuse the same functions as the
scenarios; the loss paths and the brokers' peak are the retail chapter's own functions, and the
fiscal calendar is :mod:`~alibaba_report.synthesis.fiscal` (its names are re-exported here).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alibaba_report import params
from alibaba_report.chapters import contract, retail_war
from alibaba_report.synthesis import cloud_value
from alibaba_report.synthesis.fiscal import (FISCAL_YEAR_FIRST_MONTH, FY27_QUARTERS, HORIZON_QUARTERS,  # noqa: F401
                                             PATH_START, PLAN_START, PRICING_DATE, REPORTED_QUARTER_MIDDLE, TARGET_DATE, day,
                                             fiscal_year, ntm_quarters, quarter_index, quarter_start,
                                             years_since_reported_quarter, years_to_fiscal_middle)

SCENARIOS = ("bear", "base", "bull")

CLAIMS = {
    "ebitda_fy26": "consensus_adj_ebitda_fy26_s001",
    "ebitda_fy27": "consensus_adj_ebitda_fy27_s001",
    "eps_fy27": "consensus_eps_fy27_s004",
    "eps_growth_fy27": "consensus_eps_growth_fy27_s004",
    "price": "us_share_price_s004",
    "pe_forward": "pe_forward_s004",
    "pe_near": "pe_ratio_s001",
    "target": "consensus_price_target_s004",
    "cloud_growth_consensus": "citi_cloud_revenue_growth_annual",
    "cloud_revenue_q": "cloud_revenue_fq2_fy26_s004",
    "nomura_peak": retail_war.CLAIMS["nomura_peak"],
    "ubs_loss": retail_war.CLAIMS["ubs_loss"],
    "fcf_q": "group_free_cash_flow_fq2_fy26_s004",
    "capex_gs": "gs_capex_fy26_fy28",
    "eur_close": "overseas_shares_close_s002",
}


@dataclass(frozen=True)
class Inputs:
    """Every number the value depends on, by name; scalars or equal-length numpy arrays."""

    peak_loss_rmb_bn: object
    peak_quarters: object
    shrink_pct: object
    cloud_growth_pct: object
    cash_margin_pct: object
    cloud_growth_fade_pp: object
    capex_rmb_bn: object
    capex_years: object
    asset_life_years: object
    capex_turnover: object
    utilisation_pct: object
    policy_revenue_rmb_bn: object
    forward_pe: object
    consensus_embedded_shrink_pct: object
    consensus_cloud_margin_pct: object
    fy28_eps_growth_pct: object
    tax_rate_pct: object
    cost_of_equity_pct: object
    ads_outstanding_bn: object
    usd_rmb: object
    net_cash_usd_bn: object


# Reader words for every input: what the tornado and the tables call it, and its unit.
LABELS = {
    "peak_loss_rmb_bn": ("instant-retail loss at its peak", "RMB bn a quarter"),
    "peak_quarters": ("quarters the loss stays at its peak", "quarters"),
    "shrink_pct": ("how fast the loss shrinks", "% a quarter"),
    "cloud_growth_pct": ("cloud revenue growth", "% a year"),
    "cash_margin_pct": ("cash margin on new cloud revenue", "%"),
    "cloud_growth_fade_pp": ("slowdown of cloud growth", "points a year"),
    "capex_rmb_bn": ("capex the cloud programme is tested with", "RMB bn"),
    "capex_years": ("years the capex is spent over", "years"),
    "asset_life_years": ("life of the cloud's servers", "years"),
    "capex_turnover": ("cloud revenue a yuan of capex earns a year", "yuan"),
    "utilisation_pct": ("share of cloud capacity sold", "%"),
    "policy_revenue_rmb_bn": ("policy plan's new cloud revenue", "RMB bn a year"),
    "forward_pe": ("forward P/E multiple", "x"),
    "consensus_embedded_shrink_pct": ("loss shrink the forecasts embed", "% a quarter"),
    "consensus_cloud_margin_pct": ("cloud margin the forecasts embed", "%"),
    "fy28_eps_growth_pct": ("FY28 earnings growth (beyond the forecasts)", "%"),
    "tax_rate_pct": ("tax rate on extra profit", "%"),
    "cost_of_equity_pct": ("cost of equity", "% a year"),
    "ads_outstanding_bn": ("ADS-equivalent shares", "bn"),
    "usd_rmb": ("exchange rate", "RMB per USD"),
    "net_cash_usd_bn": ("net cash", "USD bn"),
}


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _ntm(quarterly: np.ndarray, d) -> np.ndarray:
    return quarterly[..., ntm_quarters(d)].sum(-1)


def _retail_gain(inp: Inputs, claims, quarters: int) -> np.ndarray:
    """EBITDA gained each quarter (RMB bn) against the forecasts: the loss path they are taken to embed
    (the brokers' peak shrinking at the embedded rate) less the scenario's, both by the retail
    chapter's own rule (:func:`alibaba_report.chapters.retail_war.loss_path`)."""
    embedded = retail_war.loss_path(retail_war.brokers_peak(claims), inp.consensus_embedded_shrink_pct, quarters, 1)
    return embedded - retail_war.loss_path(inp.peak_loss_rmb_bn, inp.shrink_pct, quarters, inp.peak_quarters)


def _cloud_deltas(inp: Inputs, claims, fys) -> dict[str, dict[int, np.ndarray]]:
    """By fiscal year (RMB bn): the cloud programme against the one the forecasts embed, and what the
    policy plan adds (:func:`alibaba_report.synthesis.cloud_value.deltas`)."""
    v = claims.value
    run_rate = v(CLAIMS["cloud_revenue_q"]) * 4.0 * _arr(inp.usd_rmb)  # RMB bn a year
    return cloud_value.deltas(inp, run_rate, v(CLAIMS["cloud_growth_consensus"]), fys)


def _stack(per_quarter: list) -> np.ndarray:
    return np.stack(np.broadcast_arrays(*per_quarter), axis=-1)


def model(inp: Inputs, claims) -> dict[str, np.ndarray]:
    """The whole chain for ``inp`` (scalars or arrays). Returns arrays (0-d for scalars)."""
    v = claims.value
    retail_q = _retail_gain(inp, claims, HORIZON_QUARTERS)  # EBITDA gained each quarter (RMB bn)
    fys = [fiscal_year(quarter_start(i)) for i in range(HORIZON_QUARTERS)]
    cloud = _cloud_deltas(inp, claims, sorted(set(fys)))
    # EPS moves by EBITA (the programme's depreciation is a cost); EBITDA by the cash profit
    delta_q = retail_q + _stack([(cloud["ebita"][fy] + cloud["policy"][fy]) / 4.0 for fy in fys])
    ebitda_q = retail_q + _stack([(cloud["cash"][fy] + cloud["policy"][fy]) / 4.0 for fy in fys])
    per_ads = (1 - _arr(inp.tax_rate_pct) / 100.0) / (_arr(inp.ads_outstanding_bn) * _arr(inp.usd_rmb))  # USD per RMB bn

    eps27_cons = v(CLAIMS["eps_fy27"])
    eps_cons = {26: eps27_cons / (1 + v(CLAIMS["eps_growth_fy27"]) / 100.0), 27: eps27_cons,
                28: eps27_cons * (1 + _arr(inp.fy28_eps_growth_pct) / 100.0)}
    eps_q = _stack([eps_cons[fy] / 4.0 for fy in fys]) + delta_q * per_ads[..., None]
    delta_fy27 = delta_q[..., FY27_QUARTERS].sum(-1)
    pe = _arr(inp.forward_pe)
    ntm_eps, ntm_eps_12m = _ntm(eps_q, PRICING_DATE), _ntm(eps_q, TARGET_DATE)
    value = pe * ntm_eps
    ebitda_fy27 = v(CLAIMS["ebitda_fy27"]) + ebitda_q[..., FY27_QUARTERS].sum(-1)
    ev_ebitda = (value * _arr(inp.ads_outstanding_bn) - _arr(inp.net_cash_usd_bn)) / (ebitda_fy27 / _arr(inp.usd_rmb))
    fy26 = [i for i, fy in enumerate(fys) if fy == 26]
    return {
        "ebitda_fy26_rmb_bn": v(CLAIMS["ebitda_fy26"]) + ebitda_q[..., fy26].sum(-1),
        "ebitda_fy27_rmb_bn": ebitda_fy27,
        "retail_delta_fy27_rmb_bn": retail_q[..., FY27_QUARTERS].sum(-1),
        "cloud_delta_fy27_rmb_bn": cloud["cash"][27],
        "cloud_depreciation_delta_fy27_rmb_bn": cloud["ebita"][27] - cloud["cash"][27],
        "policy_delta_fy27_rmb_bn": cloud["policy"][27],
        "eps_fy26_consensus_usd": np.asarray(eps_cons[26]),
        "eps_fy27_usd": eps27_cons + delta_fy27 * per_ads,
        "ntm_eps_usd": ntm_eps,
        "ntm_eps_12m_usd": ntm_eps_12m,
        "value_per_ads_usd": value,
        "value_12m_usd": pe * ntm_eps_12m,
        "ev_ebitda_x": ev_ebitda,
    }


# --- the scenarios ------------------------------------------------------------------------------

# The pages whose parameters the model reads: each chapter with a driver, and the valuation's own.
INPUT_NOTEBOOKS = ("retail_war", "cloud_ai", "policy_catalyst", "valuation")


def inputs_from(sections: dict[str, dict]) -> Inputs:
    """The model's inputs from parameter values by page (``{notebook: {name: value}}``, the pages of
    :data:`INPUT_NOTEBOOKS`): each chapter's own parameters plus the valuation's."""
    from alibaba_report.chapters import policy_catalyst as policy

    r, c, pol, val = (sections[nb] for nb in INPUT_NOTEBOOKS)
    revenue_rmb_bn = policy.plan_revenue_rmb_bn(pol["factories_adopting"], pol["spend_per_factory_rmb_m"],
                                                pol["alibaba_share_pct"])  # cloud revenue: the cloud's model prices it
    return Inputs(
        peak_loss_rmb_bn=r["peak_loss_rmb_bn"], peak_quarters=r["peak_quarters"], shrink_pct=r["shrink_pct"],
        cloud_growth_pct=c["cloud_growth_pct"], cash_margin_pct=c["cash_margin_pct"],
        cloud_growth_fade_pp=c["cloud_growth_fade_pp"], capex_rmb_bn=c["capex_rmb_bn"], capex_years=c["capex_years"],
        asset_life_years=c["asset_life_years"],
        capex_turnover=c["capex_turnover"], utilisation_pct=c["utilisation_pct"],
        policy_revenue_rmb_bn=revenue_rmb_bn,
        forward_pe=val["forward_pe"], consensus_embedded_shrink_pct=val["consensus_embedded_shrink_pct"],
        consensus_cloud_margin_pct=val["consensus_cloud_margin_pct"], fy28_eps_growth_pct=val["fy28_eps_growth_pct"],
        tax_rate_pct=val["tax_rate_pct"], cost_of_equity_pct=val["cost_of_equity_pct"],
        ads_outstanding_bn=val["ads_outstanding_bn"], usd_rmb=val["usd_rmb"], net_cash_usd_bn=val["net_cash_usd_bn"],
    )


def scenario_inputs(scenario: str) -> Inputs:
    """The inputs under a scenario: each chapter's own parameters plus the valuation's."""
    return inputs_from({nb: params.scenario_parameters(scenario, nb) for nb in INPUT_NOTEBOOKS})


def scenario_value(scenario: str, claims) -> dict[str, float]:
    """The model's results under ``scenario`` as plain floats."""
    return {k: float(x) for k, x in model(scenario_inputs(scenario), claims).items()}


def scenario_weights(scenario: str = "base") -> dict[str, float]:
    """The probabilities (summing to 1) ``scenario``'s valuation section gives bear, base and bull: a
    scenario of your own that changes them changes its weighted value."""
    val = params.scenario_parameters(scenario, "valuation")
    w = {s: float(val[f"weight_{s}_pct"]) for s in SCENARIOS}
    total = sum(w.values())
    if total <= 0:
        raise contract.ModelInputError(f"scenario {scenario!r}: the valuation weights weight_bear_pct, weight_base_pct "
                                       "and weight_bull_pct must add up to more than zero")
    return {s: x / total for s, x in w.items()}


def probability_weighted_value(values: dict[str, float], weights: dict[str, float]) -> float:
    return float(sum(values[s] * weights[s] for s in SCENARIOS))


def bridge_table(claims, scenarios=SCENARIOS) -> pd.DataFrame:
    """From the analysts' FY27 EBITDA to value per ADS, step by step, one column per scenario."""
    rows = {}
    now, later = day(PRICING_DATE, short=True), day(TARGET_DATE, short=True)
    for s in scenarios:
        r = scenario_value(s, claims)
        inp = scenario_inputs(s)
        rows[s] = {
            "FY27 adj. EBITDA, analysts (RMB bn)": claims.value(CLAIMS["ebitda_fy27"]),
            "+ instant-retail loss against the embedded path (RMB bn)": r["retail_delta_fy27_rmb_bn"],
            "+ cloud programme's cash profit against the one the forecasts embed (RMB bn)": r["cloud_delta_fy27_rmb_bn"],
            "+ policy plan's cloud revenue, where the programme has capacity (RMB bn)": r["policy_delta_fy27_rmb_bn"],
            "= FY27 adj. EBITDA (RMB bn)": r["ebitda_fy27_rmb_bn"],
            "- cloud programme's depreciation against the embedded one (RMB bn)": -r["cloud_depreciation_delta_fy27_rmb_bn"],
            "FY27 EPS (USD per ADS)": r["eps_fy27_usd"],
            f"EPS, twelve months from {now} (USD per ADS)": r["ntm_eps_usd"],
            "forward P/E (x)": float(inp.forward_pe),
            f"value on {now} (USD per ADS)": r["value_per_ads_usd"],
            f"EPS, twelve months from {later} (USD per ADS)": r["ntm_eps_12m_usd"],
            f"value on {later}, same multiple (USD per ADS)": r["value_12m_usd"],
            "implied EV/EBITDA FY27 (x)": r["ev_ebitda_x"],
        }
    return pd.DataFrame(rows)


# --- break-evens ---------------------------------------------------------------------------------

def _bisect(f, lo: float, hi: float, tol: float = 1e-6) -> float | None:
    """The root of an increasing or decreasing ``f`` on [lo, hi]; None if it does not change sign."""
    flo, fhi = f(lo), f(hi)
    if flo == 0:
        return lo
    if np.sign(flo) == np.sign(fhi):
        return None
    for _ in range(200):
        mid = (lo + hi) / 2
        fm = f(mid)
        if np.sign(fm) == np.sign(flo):
            lo, flo = mid, fm
        else:
            hi = mid
        if hi - lo < tol:
            break
    return (lo + hi) / 2


def breakeven_pe(scenario: str, claims, price_usd: float | None = None) -> float:
    """The forward P/E the price pays on the scenario's next-twelve-months earnings."""
    price = claims.value(CLAIMS["price"]) if price_usd is None else price_usd
    return price / scenario_value(scenario, claims)["ntm_eps_usd"]


def implied(name: str, scenario: str, claims, lo: float, hi: float, price_usd: float | None = None) -> float | None:
    """The value of input ``name`` at which the scenario's value today equals the price (the other
    inputs as the scenario has them); None when no value from ``lo`` to ``hi`` gets there."""
    price = claims.value(CLAIMS["price"]) if price_usd is None else price_usd
    base = scenario_inputs(scenario)

    def gap(x: float) -> float:
        return float(model(replace_inputs(base, **{name: x}), claims)["value_per_ads_usd"]) - price

    return _bisect(gap, lo, hi)


def breakeven_shrink_pct(scenario: str, claims, price_usd: float | None = None) -> float | None:
    """The quarterly loss shrink at which the scenario's value equals the price; None when no rate
    from 0 to 99% gets there."""
    return implied("shrink_pct", scenario, claims, 0.0, 99.0, price_usd)


def breakeven_cloud_margin_pct(scenario: str, claims, price_usd: float | None = None) -> float | None:
    """The cash margin on new cloud revenue at which the scenario's value equals the price."""
    return implied("cash_margin_pct", scenario, claims, 0.0, 100.0, price_usd)


# --- the 12-month target and the rating ---------------------------------------------------------------

RATING_BAND_PP = 5.0  # within this of the cost of equity, a 12-month return is a Hold


def weighted(key: str, claims, scenario: str = "base") -> float:
    """``key`` of the model weighted by ``scenario``'s probabilities of bear, base and bull."""
    vals = {s: scenario_value(s, claims)[key] for s in SCENARIOS}
    return probability_weighted_value(vals, scenario_weights(scenario))


def rating(return_pct: float, cost_of_equity_pct: float, band_pp: float = RATING_BAND_PP) -> str:
    """Buy, Hold or Sell for a 12-month return to the target: Buy when it beats the return shareholders
    require by more than ``band_pp`` points, Sell when it falls short by more, Hold between."""
    if return_pct > cost_of_equity_pct + band_pp:
        return "Buy"
    if return_pct < cost_of_equity_pct - band_pp:
        return "Sell"
    return "Hold"


def replace_inputs(inp: Inputs, **changes) -> Inputs:
    """``inp`` with some inputs changed (by name)."""
    return Inputs(**{**inp.__dict__, **changes})


# --- funding ---------------------------------------------------------------------------------------

def funding_check(scenario: str, claims) -> dict[str, float]:
    """FY27's cash: EBITDA after tax against a year of Goldman Sachs' forecast of group capex (FY2026-2028).

    Tax is charged on the whole EBITDA (depreciation is not in the seeds), so the cash is if anything
    understated; the war's loss is already inside EBITDA."""
    r = scenario_value(scenario, claims)
    inp = scenario_inputs(scenario)
    cash = r["ebitda_fy27_rmb_bn"] * (1 - float(inp.tax_rate_pct) / 100.0)
    capex = claims.value(CLAIMS["capex_gs"]) / 3.0
    return {"cash_after_tax_rmb_bn": cash, "capex_rmb_bn": capex, "free_cash_rmb_bn": cash - capex,
            "last_quarter_fcf_rmb_bn": claims.value(CLAIMS["fcf_q"])}
