"""One model of value per scenario, fed by the chapters, calibrated to the market.

The chain, each step a named assumption or a ledger figure:

1. **EBITDA** starts from the analysts' adjusted-EBITDA forecasts (seed 001: RMB 184bn FY26, 262bn
   FY27) and moves by each chapter's driver against what the forecasts are taken to embed:
   * the instant-retail loss path of the scenario against a *stated* embedded path (the brokers' peak
     shrinking at ``consensus_embedded_shrink_pct`` a quarter, the same in every scenario);
   * the cloud revenue added since the reported quarter at the scenario's growth and cash margin,
     against Citi's 35% (seed 000) at a stated embedded margin;
   * the policy plan's new revenue at the scenario's margin (the forecasts predate the plan).
2. **EPS** moves from the analysts' EPS by the EBITDA change after tax, per ADS, at the exchange
   rate: FY27 is seed 004's USD 8.57, FY26 is FY27's over seed 004's "nearly 50%" growth, and FY28
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
Carlo and the tornado reuse the same functions as the scenarios.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alibaba_report import params
from alibaba_report.chapters import contract

SCENARIOS = ("bear", "base", "bull")
PRICING_DATE = dt.date(2026, 1, 4)  # seed 004's dateline: the USD 152 price and the forward P/E of about 20
TARGET_DATE = PRICING_DATE.replace(year=PRICING_DATE.year + 1)  # a 12-month target is a price a year on
FISCAL_YEAR_FIRST_MONTH = 4  # Alibaba's fiscal year ends 31 March: FY27 runs April 2026 to March 2027
PATH_START = dt.date(2025, 10, 1)  # FQ3 FY26, the brokers' peak quarter: the first quarter of a loss path
REPORTED_QUARTER_MIDDLE = dt.date(2025, 8, 15)  # FQ2 FY26 (July-September 2025), the cloud's reported quarter

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
    "nomura_peak": "nomura_ebita_loss_peak_fq3_fy26",
    "ubs_loss": "ubs_commerce_loss_fq3_fy26",
    "fcf_q": "group_free_cash_flow_fq2_fy26_s004",
    "capex_gs": "gs_capex_fy26_fy28",
    "eur_close": "overseas_shares_close_s002",
}


def day(d: dt.date, short: bool = False) -> str:
    """A date in reader words: "4 January 2026" (or "4 Jan 2026")."""
    return f"{d.day} {d:%b %Y}" if short else f"{d.day} {d:%B %Y}"


# --- dates: which quarters and fiscal years a date's twelve months hold ---------------------------

def fiscal_year(d: dt.date) -> int:
    """The fiscal year a date falls in, as its last two digits (4 January 2026 is FY26, 1 April 2026 FY27)."""
    return (d.year + (1 if d.month >= FISCAL_YEAR_FIRST_MONTH else 0)) % 100


def quarter_index(d: dt.date) -> int:
    """The quarter a date falls in, counted from FQ3 FY26 (0) as the loss paths are."""
    return (d.year - PATH_START.year) * 4 + (d.month - 1) // 3 - (PATH_START.month - 1) // 3


def quarter_start(i: int) -> dt.date:
    months = PATH_START.month - 1 + 3 * i
    return dt.date(PATH_START.year + months // 12, months % 12 + 1, 1)


def ntm_quarters(d: dt.date) -> list[int]:
    """The four quarters of the twelve months after ``d``: the quarter it falls in and the next three."""
    i = quarter_index(d)
    if i < 0:
        raise contract.ModelInputError(f"{d.isoformat()} is before FQ3 FY26, where the model's quarters begin")
    return [i, i + 1, i + 2, i + 3]


def years_to_fiscal_middle(fy: int) -> float:
    """Years from the middle of the cloud's reported quarter to the middle of fiscal year ``fy``."""
    middle = dt.date(2000 + fy - 1, FISCAL_YEAR_FIRST_MONTH + 6, 1)
    return (middle - REPORTED_QUARTER_MIDDLE).days / 365.25


HORIZON_QUARTERS = max(ntm_quarters(TARGET_DATE)) + 1 + 1  # through FQ4 FY28
FY27_QUARTERS = [i for i in range(HORIZON_QUARTERS) if fiscal_year(quarter_start(i)) == 27]


@dataclass(frozen=True)
class Inputs:
    """Every number the value depends on, by name; scalars or equal-length numpy arrays."""

    peak_loss_rmb_bn: object
    peak_quarters: object
    shrink_pct: object
    cloud_growth_pct: object
    cash_margin_pct: object
    policy_revenue_rmb_bn: object
    policy_margin_pct: object
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
    "policy_revenue_rmb_bn": ("policy plan's new cloud revenue", "RMB bn a year"),
    "policy_margin_pct": ("margin on the policy revenue", "%"),
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


def loss_paths(peak, peak_quarters, shrink_pct, quarters: int = 8) -> np.ndarray:
    """Quarterly instant-retail losses from FQ3 FY26, vectorised: shape (..., quarters).

    The same rule as the retail chapter's path (checked by a test against it): the loss holds at its
    peak for ``peak_quarters`` quarters, then shrinks ``shrink_pct`` a quarter."""
    peak, pq, s = (_arr(v)[..., None] for v in (peak, peak_quarters, shrink_pct))
    q = np.arange(quarters)
    steps = np.maximum(q - pq + 1, 0)
    return peak * (1.0 - s / 100.0) ** steps


def _ntm(quarterly: np.ndarray, d: dt.date) -> np.ndarray:
    return quarterly[..., ntm_quarters(d)].sum(-1)


def model(inp: Inputs, claims) -> dict[str, np.ndarray]:
    """The whole chain for ``inp`` (scalars or arrays). Returns arrays (0-d for scalars)."""
    v = claims.value
    n = HORIZON_QUARTERS
    brokers_peak = (v(CLAIMS["nomura_peak"]) + v(CLAIMS["ubs_loss"])) / 2.0
    retail_q = loss_paths(brokers_peak, 1, inp.consensus_embedded_shrink_pct, n) - loss_paths(
        inp.peak_loss_rmb_bn, inp.peak_quarters, inp.shrink_pct, n)  # EBITDA gained each quarter (RMB bn)

    run_rate = v(CLAIMS["cloud_revenue_q"]) * 4.0 * _arr(inp.usd_rmb)  # RMB bn a year
    g, g0 = _arr(inp.cloud_growth_pct) / 100.0, v(CLAIMS["cloud_growth_consensus"]) / 100.0
    m, m0 = _arr(inp.cash_margin_pct) / 100.0, _arr(inp.consensus_cloud_margin_pct) / 100.0
    policy_year = _arr(inp.policy_revenue_rmb_bn) * _arr(inp.policy_margin_pct) / 100.0

    def cloud_year(fy: int) -> np.ndarray:
        # the revenue the cloud adds from the reported quarter to fiscal year fy earns the scenario's cash
        # margin; the forecasts are taken to assume Citi's growth at the embedded margin
        t = years_to_fiscal_middle(fy)
        return run_rate * (((1 + g) ** t - 1) * m - ((1 + g0) ** t - 1) * m0)

    fys = [fiscal_year(quarter_start(i)) for i in range(n)]
    yearly = {fy: cloud_year(fy) + (policy_year if fy >= 27 else 0.0) for fy in set(fys)}  # the plan starts in FY27
    delta_q = retail_q + np.stack(np.broadcast_arrays(*[yearly[fy] / 4.0 for fy in fys]), axis=-1)
    per_ads = (1 - _arr(inp.tax_rate_pct) / 100.0) / (_arr(inp.ads_outstanding_bn) * _arr(inp.usd_rmb))  # USD per RMB bn of EBITDA

    eps27_cons = v(CLAIMS["eps_fy27"])
    eps_cons = {26: eps27_cons / (1 + v(CLAIMS["eps_growth_fy27"]) / 100.0), 27: eps27_cons,
                28: eps27_cons * (1 + _arr(inp.fy28_eps_growth_pct) / 100.0)}
    eps_q = np.stack(np.broadcast_arrays(*[eps_cons[fy] / 4.0 for fy in fys]), axis=-1) + delta_q * per_ads[..., None]
    delta_fy27 = delta_q[..., FY27_QUARTERS].sum(-1)
    pe = _arr(inp.forward_pe)
    ntm_eps, ntm_eps_12m = _ntm(eps_q, PRICING_DATE), _ntm(eps_q, TARGET_DATE)
    value = pe * ntm_eps
    ebitda_fy27 = v(CLAIMS["ebitda_fy27"]) + delta_fy27
    ev_ebitda = (value * _arr(inp.ads_outstanding_bn) - _arr(inp.net_cash_usd_bn)) / (ebitda_fy27 / _arr(inp.usd_rmb))
    fy26 = [i for i, fy in enumerate(fys) if fy == 26]
    return {
        "ebitda_fy26_rmb_bn": v(CLAIMS["ebitda_fy26"]) + retail_q[..., fy26].sum(-1),
        "ebitda_fy27_rmb_bn": ebitda_fy27,
        "retail_delta_fy27_rmb_bn": retail_q[..., FY27_QUARTERS].sum(-1),
        "cloud_delta_fy27_rmb_bn": cloud_year(27),
        "policy_delta_fy27_rmb_bn": policy_year,
        "eps_fy26_consensus_usd": np.asarray(eps_cons[26]),
        "eps_fy27_usd": eps27_cons + delta_fy27 * per_ads,
        "ntm_eps_usd": ntm_eps,
        "ntm_eps_12m_usd": ntm_eps_12m,
        "value_per_ads_usd": value,
        "value_12m_usd": pe * ntm_eps_12m,
        "ev_ebitda_x": ev_ebitda,
    }


# --- the scenarios ------------------------------------------------------------------------------

def scenario_inputs(scenario: str) -> Inputs:
    """The inputs under a scenario: each chapter's own parameters plus the valuation's."""
    from alibaba_report.chapters import policy_catalyst as policy

    r = params.scenario_parameters(scenario, "retail_war")
    c = params.scenario_parameters(scenario, "cloud_ai")
    pol = params.scenario_parameters(scenario, "policy_catalyst")
    val = params.scenario_parameters(scenario, "valuation")
    revenue_usd_bn = policy.plan_revenue_usd_bn(pol["factories_adopting"], pol["spend_per_factory_rmb_m"],
                                                pol["usd_rmb"], pol["alibaba_share_pct"])
    return Inputs(
        peak_loss_rmb_bn=r["peak_loss_rmb_bn"], peak_quarters=r["peak_quarters"], shrink_pct=r["shrink_pct"],
        cloud_growth_pct=c["cloud_growth_pct"], cash_margin_pct=c["cash_margin_pct"],
        policy_revenue_rmb_bn=revenue_usd_bn * pol["usd_rmb"], policy_margin_pct=pol["margin_pct"],
        forward_pe=val["forward_pe"], consensus_embedded_shrink_pct=val["consensus_embedded_shrink_pct"],
        consensus_cloud_margin_pct=val["consensus_cloud_margin_pct"], fy28_eps_growth_pct=val["fy28_eps_growth_pct"],
        tax_rate_pct=val["tax_rate_pct"], cost_of_equity_pct=val["cost_of_equity_pct"],
        ads_outstanding_bn=val["ads_outstanding_bn"], usd_rmb=val["usd_rmb"], net_cash_usd_bn=val["net_cash_usd_bn"],
    )


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
            "+ cloud growth against Citi's 35% (RMB bn)": r["cloud_delta_fy27_rmb_bn"],
            "+ policy plan's profit (RMB bn)": r["policy_delta_fy27_rmb_bn"],
            "= FY27 adj. EBITDA (RMB bn)": r["ebitda_fy27_rmb_bn"],
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
        return float(model(_replace(base, **{name: x}), claims)["value_per_ads_usd"]) - price

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


def _replace(inp: Inputs, **changes) -> Inputs:
    return Inputs(**{**inp.__dict__, **changes})


# --- uncertainty ---------------------------------------------------------------------------------

# Inputs the scenarios hold equal, with the range the uncertainty analysis gives them and why.
FIXED_RANGES = {
    "consensus_embedded_shrink_pct": (10.0, 30.0),  # what the forecasts embed is not stated anywhere
    "consensus_cloud_margin_pct": (30.0, 50.0),  # likewise: the scenarios' own cloud-margin span
    "tax_rate_pct": (15.0, 25.0),  # PRC high-tech rate to the statutory rate
}
NO_RANGE = ("cost_of_equity_pct", "fy28_eps_growth_pct")  # move no value today: the rating's bar, the 12-month target


def ranges(claims) -> dict[str, tuple[float, float, float]]:
    """(low, mode, high) for every input that moves value: the scenarios' own spread (bear to bull,
    peaking at base) where they differ, else the fixed range around base."""
    per = {s: scenario_inputs(s).__dict__ for s in SCENARIOS}
    out = {}
    for name in Inputs.__dataclass_fields__:
        vals = [float(per[s][name]) for s in SCENARIOS]
        lo, hi = min(vals), max(vals)
        mode = float(per["base"][name])
        if name in FIXED_RANGES:
            lo, hi = FIXED_RANGES[name]
        if hi > lo and name not in NO_RANGE:
            out[name] = (lo, min(max(mode, lo), hi), hi)
    return out


def draw_bands(name: str) -> dict[str, tuple[float, float, float]] | None:
    """For an input the cases set differently, each case's (low, mode, high) in the draws: around the
    case's value, no further than halfway to the next case's (the outer cases as far beyond them);
    None for an input the cases hold equal."""
    vals = [float(getattr(scenario_inputs(s), name)) for s in SCENARIOS]
    if max(vals) == min(vals):
        return None
    mids = [(vals[0] + vals[1]) / 2, (vals[1] + vals[2]) / 2]
    edges = [(2 * vals[0] - mids[0], mids[0]), (mids[0], mids[1]), (mids[1], 2 * vals[2] - mids[1])]
    floor = 0.0 if min(vals) >= 0 else float("-inf")  # a revenue, a rate or a count never goes below zero
    return {s: (max(min(e), floor), v, max(e)) for s, v, e in zip(SCENARIOS, vals, edges)}


def monte_carlo(claims, draws: int = 10_000, seed: int = 20260104, scenario: str = "base") -> pd.DataFrame:
    """Value per ADS under ``draws`` draws that agree with the cases (seeded, so the same every build).

    Each draw first picks bear, base or bull with ``scenario``'s probabilities; every input the cases
    set is then drawn from a triangular distribution around that case's value (:func:`draw_bands`), so
    the assumptions move together as the cases do; the inputs the cases hold equal are drawn over their
    stated ranges (:data:`FIXED_RANGES`), whatever the case. Returns one row per draw, with its case."""
    rng = np.random.default_rng(seed)
    w = scenario_weights(scenario)
    case = rng.choice(len(SCENARIOS), size=draws, p=[w[s] for s in SCENARIOS])
    base = scenario_inputs("base").__dict__
    sample, drawn = {}, []
    for name, value in base.items():
        bands = None if name in FIXED_RANGES or name in NO_RANGE else draw_bands(name)
        if name in FIXED_RANGES:
            lo, hi = FIXED_RANGES[name]
            sample[name] = rng.triangular(lo, min(max(float(value), lo), hi), hi, draws)
        elif bands is not None:
            out = np.empty(draws)
            for i, s in enumerate(SCENARIOS):
                lo, mode, hi = bands[s]
                n = int((case == i).sum())
                out[case == i] = rng.triangular(lo, mode, hi, n) if hi > lo else np.full(n, mode)
            sample[name] = out
        else:
            sample[name] = np.full(draws, float(value))
            continue
        drawn.append(name)
    sample["peak_quarters"] = np.maximum(np.rint(sample["peak_quarters"]), 1)  # whole quarters, at least one
    res = model(Inputs(**sample), claims)
    return pd.DataFrame({"case": np.asarray(SCENARIOS)[case], "value_per_ads_usd": res["value_per_ads_usd"],
                         "eps_fy27_usd": res["eps_fy27_usd"], **{k: sample[k] for k in drawn}})


def percentile_of(values: np.ndarray, x: float) -> float:
    """The share of ``values`` below ``x``, in percent."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        raise contract.ModelInputError("percentile_of needs at least one value")
    return float((values < x).mean() * 100.0)


def tornado(claims) -> pd.DataFrame:
    """Value per ADS with each input at the low and the high end of its range, the others at base,
    ranked by the swing."""
    base = scenario_inputs("base")
    centre = float(model(base, claims)["value_per_ads_usd"])
    rows = []
    for name, (lo, _mode, hi) in ranges(claims).items():
        at = {end: float(model(_replace(base, **{name: x}), claims)["value_per_ads_usd"]) for end, x in (("low", lo), ("high", hi))}
        label, unit = LABELS[name]
        rows.append({"input": name, "assumption": label, "unit": unit, "low": lo, "high": hi,
                     "value_at_low": at["low"], "value_at_high": at["high"],
                     "swing": abs(at["high"] - at["low"]), "base_value": centre})
    return pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)


# --- funding ---------------------------------------------------------------------------------------

def funding_check(scenario: str, claims) -> dict[str, float]:
    """FY27's cash: EBITDA after tax against a year of Goldman Sachs's capex programme.

    Tax is charged on the whole EBITDA (depreciation is not in the seeds), so the cash is if anything
    understated; the war's loss is already inside EBITDA."""
    r = scenario_value(scenario, claims)
    inp = scenario_inputs(scenario)
    cash = r["ebitda_fy27_rmb_bn"] * (1 - float(inp.tax_rate_pct) / 100.0)
    capex = claims.value(CLAIMS["capex_gs"]) / 3.0
    return {"cash_after_tax_rmb_bn": cash, "capex_rmb_bn": capex, "free_cash_rmb_bn": cash - capex,
            "last_quarter_fcf_rmb_bn": claims.value(CLAIMS["fcf_q"])}
