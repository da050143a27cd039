"""The Meitu deal: what Alibaba's USD 250 million convertible bond converts into, and what comes back.

Boerse-global.de (4 January 2026) gives the terms: a USD 250 million convertible bond with a
conversion price of HK$6 per Meitu share, Alibaba promoting Meitu's AI e-commerce tools on Taobao
and Tmall, and a three-year agreement under which Meitu buys at least RMB 560 million of Alibaba's
cloud services. Everything else is a named parameter (FX rates, Meitu's share price and share count,
the bond's coupon and term from Meitu's own announcement).

The arithmetic takes plain numbers (no I/O, no ledger), so it can be tested by hand:

* conversion: shares the bond converts into, the stake after dilution, the conversion value at a
  share price, a holder's value at maturity (the larger of face and conversion value, ignoring
  credit risk and coupons), the break-even share price;
* the round trip: the cloud agreement per year and in total, in RMB and USD, against the investment
  and against Alibaba Cloud's revenue (its run rate and margin from :mod:`~alibaba_report.chapters.cloud_ai`).

The chapter contract (:mod:`~alibaba_report.chapters.contract`) combines them with the ledger's
claims (ids in :data:`CLAIMS`): :func:`compute`, :func:`key_outputs`, :func:`signposts`,
:func:`prose` and the charts :func:`payoff_figure` and :func:`round_trip_figure`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from alibaba_report.chapters import cloud_ai
from alibaba_report.chapters.contract import ModelInputError, Signpost, check_number
from alibaba_report.charts import style

# The ledger claims this chapter reads, by role (ids in data/claims.csv).
CLAIMS: dict[str, str] = {
    "face_usd_m": "meitu_bond_amount_s004",
    "conversion_price_hkd": "meitu_bond_conversion_price_s004",
    "issue_date": "meitu_bond_issue_date_s004",  # a date claim (no value): claims.get(...).date
    "cloud_min_rmb_m": "meitu_cloud_agreement_min_value_s004",
    "cloud_years": "meitu_cloud_agreement_term_s004",
    "cloud_quarter_revenue_usd_bn": "cloud_revenue_fq2_fy26_s004",
    "cloud_quarter_ebitda_usd_m": "cloud_ebitda_fq2_fy26_s004",
    "quarter_fcf_rmb_bn": "group_free_cash_flow_fq2_fy26_s004",
    "cloud_growth_s004": "cloud_revenue_growth_fq2_fy26_s004",  # the sources disagree on the growth
    "cloud_growth_s003": "cloud_revenue_growth_s003",
}
DATE_ROLES = ("issue_date",)  # roles whose claim is a date, not a number

def _positive(name: str, value: object) -> float:
    """``value`` as a float above zero, or :class:`ModelInputError` naming it."""
    return check_number(name, value, low=0, low_open=True)


def _non_negative(name: str, value: object) -> float:
    """``value`` as a float of zero or more, or :class:`ModelInputError` naming it."""
    return check_number(name, value, low=0)


# --- conversion ------------------------------------------------------------------------------

def conversion_shares_m(face_usd_m: float, usd_hkd: float, conversion_price_hkd: float) -> float:
    """Meitu shares (millions) the whole bond converts into: face × HKD per USD ÷ conversion price."""
    face = _positive("face_usd_m", face_usd_m)
    fx = _positive("usd_hkd", usd_hkd)
    price = _positive("conversion_price_hkd", conversion_price_hkd)
    return face * fx / price


def stake_after_conversion(conversion_shares: float, shares_outstanding_m: float) -> float:
    """Alibaba's fraction of Meitu after conversion: new shares ÷ (shares outstanding + new shares).

    The new shares dilute everyone, Alibaba included, so the stake is below new ÷ outstanding.
    """
    new = _positive("conversion_shares", conversion_shares)
    out = _positive("shares_outstanding_m", shares_outstanding_m)
    return new / (out + new)


def conversion_value_usd_m(conversion_shares: float, share_price_hkd, usd_hkd: float):
    """USD millions the converted shares are worth at ``share_price_hkd`` (a number or an array)."""
    new = _positive("conversion_shares", conversion_shares)
    fx = _positive("usd_hkd", usd_hkd)
    prices = np.asarray(share_price_hkd, dtype=float)
    if np.any(~np.isfinite(prices)) or np.any(prices < 0):
        raise ModelInputError(f"share_price_hkd must be finite and zero or more (HKD per share), got {share_price_hkd!r}")
    value = new * prices / fx
    return float(value) if value.ndim == 0 else value


def holder_value_usd_m(face_usd_m: float, conversion_value):
    """What the holder has at maturity: the larger of face value and conversion value (USD m).

    Ignores the coupon and Meitu's credit risk: it assumes Meitu repays face in full when
    converting does not pay.
    """
    face = _positive("face_usd_m", face_usd_m)
    value = np.maximum(face, np.asarray(conversion_value, dtype=float))
    return float(value) if value.ndim == 0 else value


def bond_floor_usd_m(face_usd_m: float, coupon_pct: float, term_years: float, yield_pct: float) -> float:
    """What the bond is worth as a plain loan (USD m): its coupons and face discounted at the yield a
    straight Meitu bond of that term would need (Meitu's credit, not Alibaba's)."""
    face = _positive("face_usd_m", face_usd_m)
    coupon = _non_negative("coupon_pct", coupon_pct) / 100
    years = _positive("term_years", term_years)
    y = check_number("yield_pct", yield_pct, low=0, high=100, unit="% a year") / 100
    whole = int(np.floor(years))
    times = [float(t) for t in range(1, whole + 1)] + ([years] if years > whole else [])
    pv = sum(face * coupon * min(1.0, t - (times[i - 1] if i else 0.0)) / (1 + y) ** t for i, t in enumerate(times))
    return pv + face / (1 + y) ** years


def _normal_cdf(x):
    from math import erf, sqrt

    return 0.5 * (1 + erf(x / sqrt(2)))


def conversion_option_usd_m(conversion_shares: float, share_price_hkd: float, conversion_price_hkd: float,
                            term_years: float, volatility_pct: float, risk_free_pct: float, usd_hkd: float) -> float:
    """The option to convert (USD m): Black and Scholes' call on the conversion shares, struck at the
    conversion price, to maturity. A convertible is worth about its bond floor plus this option."""
    from math import exp, log, sqrt

    n = _positive("conversion_shares", conversion_shares)
    s = _positive("share_price_hkd", share_price_hkd)
    k = _positive("conversion_price_hkd", conversion_price_hkd)
    t = _positive("term_years", term_years)
    vol = check_number("volatility_pct", volatility_pct, low=0, low_open=True, high=300, unit="% a year") / 100
    r = check_number("risk_free_pct", risk_free_pct, low=0, high=20, unit="% a year") / 100
    fx = _positive("usd_hkd", usd_hkd)
    d1 = (log(s / k) + (r + vol * vol / 2) * t) / (vol * sqrt(t))
    d2 = d1 - vol * sqrt(t)
    call = s * _normal_cdf(d1) - k * exp(-r * t) * _normal_cdf(d2)
    return n * call / fx


def breakeven_share_price_hkd(face_usd_m: float, usd_hkd: float, conversion_shares: float) -> float:
    """The Meitu share price (HKD) at which conversion value equals face value.

    With the same FX rate for conversion and valuation this is the conversion price itself.
    """
    face = _positive("face_usd_m", face_usd_m)
    fx = _positive("usd_hkd", usd_hkd)
    new = _positive("conversion_shares", conversion_shares)
    return face * fx / new


def payoff_curve(face_usd_m: float, usd_hkd: float, conversion_price_hkd: float, prices_hkd) -> pd.DataFrame:
    """Conversion value and holder value (USD m) over a range of Meitu share prices (HKD)."""
    prices = np.asarray(prices_hkd, dtype=float)
    if prices.ndim != 1 or prices.size < 2 or np.any(np.diff(prices) <= 0):
        raise ModelInputError(f"prices_hkd must be an increasing sequence of at least two share prices, got {prices_hkd!r}")
    shares = conversion_shares_m(face_usd_m, usd_hkd, conversion_price_hkd)
    conv = conversion_value_usd_m(shares, prices, usd_hkd)
    return pd.DataFrame(
        {
            "share_price_hkd": prices,
            "conversion_value_usd_m": conv,
            "holder_value_usd_m": holder_value_usd_m(face_usd_m, conv),
            "face_usd_m": float(face_usd_m),
        }
    )


def coupons_usd_m(face_usd_m: float, coupon_pct: float, term_years: float) -> float:
    """Total coupon (USD m) a holder collects to maturity: face × coupon × years (simple, undiscounted)."""
    face = _positive("face_usd_m", face_usd_m)
    coupon = _non_negative("coupon_pct", coupon_pct)
    years = _positive("term_years", term_years)
    return face * coupon / 100 * years


# --- the round trip ----------------------------------------------------------------------------

def cloud_round_trip(
    cloud_min_rmb_m: float,
    cloud_years: float,
    usd_rmb: float,
    spend_multiple: float,
    face_usd_m: float,
    cloud_quarter_revenue_usd_bn: float,
) -> dict[str, float]:
    """Meitu's cloud purchases from Alibaba against the investment and Alibaba Cloud's revenue.

    ``spend_multiple`` is Meitu's spend as a multiple of the contractual minimum (1 = the floor).
    A year of Alibaba Cloud revenue is its run rate, four times the quarter with no growth
    (:func:`alibaba_report.chapters.cloud_ai.annual_run_rate_rmb_bn`, in RMB at ``usd_rmb`` and back
    in USD at the same rate). Percentages are returned in per cent.
    """
    minimum = _positive("cloud_min_rmb_m", cloud_min_rmb_m)
    years = _positive("cloud_years", cloud_years)
    fx = _positive("usd_rmb", usd_rmb)
    mult = _positive("spend_multiple", spend_multiple)
    face = _positive("face_usd_m", face_usd_m)
    quarter_usd_m = _positive("cloud_quarter_revenue_usd_bn", cloud_quarter_revenue_usd_bn) * 1000
    year_usd_m = 1000 * cloud_ai.annual_run_rate_rmb_bn(quarter_usd_m / 1000, fx) / fx
    total_rmb_m = minimum * mult
    total_usd_m = total_rmb_m / fx
    per_year_usd_m = total_usd_m / years
    return {
        "min_total_rmb_m": minimum,
        "min_total_usd_m": minimum / fx,
        "min_per_year_rmb_m": minimum / years,
        "min_per_year_usd_m": minimum / fx / years,
        "total_rmb_m": total_rmb_m,
        "total_usd_m": total_usd_m,
        "per_year_rmb_m": total_rmb_m / years,
        "per_year_usd_m": per_year_usd_m,
        "per_quarter_usd_m": per_year_usd_m / 4,
        "share_of_investment_pct": 100 * total_usd_m / face,
        "total_share_of_one_quarter_pct": 100 * total_usd_m / quarter_usd_m,
        "per_year_share_of_year_pct": 100 * per_year_usd_m / year_usd_m,
        "cloud_year_run_rate_usd_m": year_usd_m,
    }


def round_trip_table(trip: dict[str, float], face_usd_m: float, cloud_quarter_revenue_usd_bn: float) -> pd.DataFrame:
    """Meitu's cloud purchases (from :func:`cloud_round_trip`) over three spans, in RMB and USD, as a
    per cent of the investment, of one quarter of Alibaba Cloud revenue and of a year of it (its run rate)."""
    face = _positive("face_usd_m", face_usd_m)
    quarter = _positive("cloud_quarter_revenue_usd_bn", cloud_quarter_revenue_usd_bn) * 1000
    rows = [
        ("contractual minimum, whole agreement", trip["min_total_rmb_m"], trip["min_total_usd_m"]),
        ("assumed spend, whole agreement", trip["total_rmb_m"], trip["total_usd_m"]),
        ("assumed spend, per year", trip["per_year_rmb_m"], trip["per_year_usd_m"]),
        ("assumed spend, per quarter", trip["per_year_rmb_m"] / 4, trip["per_quarter_usd_m"]),
    ]
    df = pd.DataFrame(rows, columns=["Meitu's cloud purchases", "RMB m", "USD m"])
    df["% of the investment"] = 100 * df["USD m"] / face
    df["% of one quarter of Alibaba Cloud revenue"] = 100 * df["USD m"] / quarter
    df["% of a year of Alibaba Cloud revenue"] = 100 * df["USD m"] / trip["cloud_year_run_rate_usd_m"]
    return df


def cloud_ebitda_on_spend_usd_m(per_year_usd_m: float, cloud_quarter_ebitda_usd_m: float,
                                cloud_quarter_revenue_usd_bn: float) -> float:
    """EBITDA (USD m a year) Meitu's spend would bring at Alibaba Cloud's average EBITDA margin.

    An average margin (:func:`alibaba_report.chapters.cloud_ai.margin_pct` of the quarter), not the
    margin on this customer (which no source gives).
    """
    spend = _non_negative("per_year_usd_m", per_year_usd_m)
    ebitda = _non_negative("cloud_quarter_ebitda_usd_m", cloud_quarter_ebitda_usd_m)
    revenue_m = _positive("cloud_quarter_revenue_usd_bn", cloud_quarter_revenue_usd_bn) * 1000
    return spend * cloud_ai.margin_pct(ebitda, revenue_m) / 100


def investment_vs_cash_outflow(face_usd_m: float, usd_rmb: float, quarter_fcf_rmb_bn: float) -> dict[str, float]:
    """The investment in RMB and as a per cent of one quarter's free cash outflow.

    ``quarter_fcf_rmb_bn`` is negative for an outflow (boerse-global.de's quarter); a positive free cash
    flow has no outflow to compare with, and the share is then NaN.
    """
    face = _positive("face_usd_m", face_usd_m)
    fx = _positive("usd_rmb", usd_rmb)
    fcf = check_number("quarter_fcf_rmb_bn", quarter_fcf_rmb_bn, unit="RMB bn, negative for an outflow")
    rmb_m = face * fx
    share = 100 * rmb_m / (-fcf * 1000) if fcf < 0 else float("nan")
    return {"investment_rmb_m": rmb_m, "share_of_quarter_outflow_pct": share}



def market_value_usd_m(shares_m: float, share_price_hkd: float, usd_hkd: float) -> float:
    """A company's market value (USD m): shares (millions) × share price (HKD) ÷ HKD per USD."""
    return (_positive("shares_m", shares_m) * _positive("share_price_hkd", share_price_hkd)
            / _positive("usd_hkd", usd_hkd))


def readable(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """``df`` indexed by its column ``key`` for display, with one header row (the key's name sits
    in the header's corner instead of a second header row)."""
    return df.set_index(key).rename_axis(None).rename_axis(key, axis=1)


# --- the chapter's model (the contract) ------------------------------------------------------

def terms(claims) -> dict[str, float]:
    """The chapter's numeric claims from the ledger, by role (see :data:`CLAIMS`; dates left out)."""
    return {role: claims.value(cid) for role, cid in CLAIMS.items() if role not in DATE_ROLES}


def _round_trip(p, t: dict[str, float]) -> dict[str, float]:
    return cloud_round_trip(t["cloud_min_rmb_m"], t["cloud_years"], p.usd_rmb, p.cloud_spend_multiple,
                            t["face_usd_m"], t["cloud_quarter_revenue_usd_bn"])


def bond_value(p, t: dict, shares: float) -> dict[str, float]:
    """The bond valued today as a loan plus an option on Meitu (USD m), and the parts."""
    floor = bond_floor_usd_m(t["face_usd_m"], p.bond_coupon_pct, p.bond_term_years, p.bond_yield_pct)
    option = conversion_option_usd_m(shares, p.meitu_share_price_hkd, t["conversion_price_hkd"], p.bond_term_years,
                                     p.meitu_volatility_pct, p.risk_free_pct, p.usd_hkd)
    return {"bond_floor_usd_m": floor, "option_value_usd_m": option, "bond_value_usd_m": floor + option}


def key_outputs(p, claims) -> dict[str, Any]:
    """The few numbers the summary and the scenario comparison show, from parameters ``p``."""
    t = terms(claims)
    shares = conversion_shares_m(t["face_usd_m"], p.usd_hkd, t["conversion_price_hkd"])
    conv = conversion_value_usd_m(shares, p.meitu_share_price_hkd, p.usd_hkd)
    trip = _round_trip(p, t)
    return {
        "conversion_shares_m": shares,
        "stake_after_conversion_pct": 100 * stake_after_conversion(shares, p.meitu_shares_outstanding_m),
        "conversion_value_usd_m": conv,
        "holder_value_usd_m": holder_value_usd_m(t["face_usd_m"], conv),
        **bond_value(p, t, shares),
        "conversion_gain_pct": 100 * (conv / t["face_usd_m"] - 1),
        "breakeven_share_price_hkd": breakeven_share_price_hkd(t["face_usd_m"], p.usd_hkd, shares),
        "coupons_usd_m": coupons_usd_m(t["face_usd_m"], p.bond_coupon_pct, p.bond_term_years),
        "cloud_total_usd_m": trip["total_usd_m"],
        "cloud_per_year_usd_m": trip["per_year_usd_m"],
        "cloud_share_of_investment_pct": trip["share_of_investment_pct"],
        "cloud_share_of_cloud_year_pct": trip["per_year_share_of_year_pct"],
        "cloud_ebitda_per_year_usd_m": cloud_ebitda_on_spend_usd_m(
            trip["per_year_usd_m"], t["cloud_quarter_ebitda_usd_m"], t["cloud_quarter_revenue_usd_bn"]),
    }


def figures(p, claims) -> dict[str, float]:
    """Every number the page's prose quotes, by the name the page glues it under."""
    t = terms(claims)
    k = key_outputs(p, claims)
    trip = _round_trip(p, t)
    cash = investment_vs_cash_outflow(t["face_usd_m"], p.usd_rmb, t["quarter_fcf_rmb_bn"])
    mcap = market_value_usd_m(p.meitu_shares_outstanding_m, p.meitu_share_price_hkd, p.usd_hkd)
    return {
        # the deal's terms and the cloud figures, from the ledger
        **{role: t[role] for role in ("face_usd_m", "conversion_price_hkd", "cloud_min_rmb_m", "cloud_years",
                                      "cloud_quarter_revenue_usd_bn", "cloud_quarter_ebitda_usd_m",
                                      "cloud_growth_s004", "cloud_growth_s003")},
        "quarter_fcf_outflow_rmb_bn": -t["quarter_fcf_rmb_bn"],
        # assumptions
        "share_price_hkd": p.meitu_share_price_hkd,
        "bond_coupon_pct": p.bond_coupon_pct,
        "usd_rmb": p.usd_rmb,
        "cloud_spend_multiple": p.cloud_spend_multiple,
        # conversion
        "conversion_shares_m": k["conversion_shares_m"],
        "stake_pct": k["stake_after_conversion_pct"],
        "stake_undiluted_pct": 100 * k["conversion_shares_m"] / p.meitu_shares_outstanding_m,
        "conversion_value_usd_m": k["conversion_value_usd_m"],
        "holder_value_usd_m": k["holder_value_usd_m"],
        "bond_value_usd_m": k["bond_value_usd_m"],
        "bond_floor_usd_m": k["bond_floor_usd_m"],
        "option_value_usd_m": k["option_value_usd_m"],
        "bond_yield_pct": p.bond_yield_pct,
        "meitu_volatility_pct": p.meitu_volatility_pct,
        "conversion_gain_pct": k["conversion_gain_pct"],
        "breakeven_hkd": k["breakeven_share_price_hkd"],
        "coupons_usd_m": k["coupons_usd_m"],
        "meitu_mcap_usd_m": mcap,
        "deal_share_of_meitu_pct": 100 * t["face_usd_m"] / mcap,
        # the round trip
        "cloud_min_total_usd_m": trip["min_total_usd_m"],
        "cloud_min_per_year_rmb_m": trip["min_per_year_rmb_m"],
        "cloud_min_per_year_usd_m": trip["min_per_year_usd_m"],
        "cloud_total_usd_m": trip["total_usd_m"],
        "cloud_share_of_investment_pct": trip["share_of_investment_pct"],
        "cloud_total_share_of_one_quarter_pct": trip["total_share_of_one_quarter_pct"],
        "cloud_share_of_cloud_year_pct": trip["per_year_share_of_year_pct"],
        "cloud_year_revenue_usd_m": trip["cloud_year_run_rate_usd_m"],
        "cloud_ebitda_per_year_usd_m": k["cloud_ebitda_per_year_usd_m"],
        "cloud_ebitda_margin_pct": cloud_ai.margin_pct(t["cloud_quarter_ebitda_usd_m"],
                                                       t["cloud_quarter_revenue_usd_bn"] * 1000),
        "investment_rmb_m": cash["investment_rmb_m"],
        "investment_share_of_fcf_pct": cash["share_of_quarter_outflow_pct"],
    }


def conversion_table(p, claims) -> pd.DataFrame:
    """What the bond converts into, quantity by quantity, with where each number comes from."""
    t, k, f = terms(claims), key_outputs(p, claims), figures(p, claims)
    rows = [
        ("Face value of the bond", t["face_usd_m"], "USD m", claims.seeds_of([CLAIMS["face_usd_m"]])),
        ("Conversion price", t["conversion_price_hkd"], "HKD per share", claims.seeds_of([CLAIMS["conversion_price_hkd"]])),
        ("Shares on conversion", k["conversion_shares_m"], "million shares", "computed (HKD per USD)"),
        ("Meitu shares before conversion", p.meitu_shares_outstanding_m, "million shares", "assumption"),
        ("Alibaba's stake after conversion", k["stake_after_conversion_pct"], "% of Meitu", "computed"),
        ("Meitu's share price", p.meitu_share_price_hkd, "HKD per share", "assumption"),
        ("Meitu's market value before conversion", f["meitu_mcap_usd_m"], "USD m", "computed"),
        ("Conversion value", k["conversion_value_usd_m"], "USD m", "computed"),
        ("Conversion value over face", k["conversion_gain_pct"], "%", "computed"),
        ("Break-even share price", k["breakeven_share_price_hkd"], "HKD per share", "computed"),
        ("Coupons to maturity", k["coupons_usd_m"], "USD m", "computed (coupon, term)"),
    ]
    return readable(pd.DataFrame(rows, columns=["quantity", "value", "unit", "from"]), "quantity")


def price_table(p, claims) -> pd.DataFrame:
    """The bond's value at maturity across Meitu share prices: half to twice the conversion price,
    and the assumed price."""
    t, k = terms(claims), key_outputs(p, claims)
    conv_price, face = t["conversion_price_hkd"], t["face_usd_m"]
    prices = sorted({round(x, 2) for x in (0.5 * conv_price, 0.75 * conv_price, conv_price, p.meitu_share_price_hkd,
                                           1.5 * conv_price, 2 * conv_price)})
    conv_values = conversion_value_usd_m(k["conversion_shares_m"], np.array(prices), p.usd_hkd)
    holder = holder_value_usd_m(face, conv_values)
    return readable(pd.DataFrame({
        "Meitu share price (HKD)": prices,
        "vs conversion price (%)": [100 * (x / conv_price - 1) for x in prices],
        "conversion value (USD m)": conv_values,
        "holder's value at maturity (USD m)": holder,
        "gain over face (%)": 100 * (holder / face - 1),
    }), "Meitu share price (HKD)")


def payoff_chart_data(p, claims) -> pd.DataFrame:
    """The payoff curve the chart draws: from HK$0.5 to 2.5 times the conversion price (or beyond the
    assumed price)."""
    t = terms(claims)
    top = max(2.5 * t["conversion_price_hkd"], 1.3 * p.meitu_share_price_hkd)
    return payoff_curve(t["face_usd_m"], p.usd_hkd, t["conversion_price_hkd"], np.linspace(0.5, top, 200))


def round_trip_bars(p, claims) -> pd.DataFrame:
    """What goes out and what comes back (USD m), the bars of the round-trip chart, labels as drawn."""
    t, k = terms(claims), key_outputs(p, claims)
    years = t["cloud_years"]
    return pd.DataFrame({
        "label": ["Alibaba's investment\n(face value)", f"Meitu's cloud purchases\nover {years:.0f} years",
                  "coupons to maturity", "cloud EBITDA on the\npurchases, all years"],
        "usd_m": [t["face_usd_m"], k["cloud_total_usd_m"], k["coupons_usd_m"], k["cloud_ebitda_per_year_usd_m"] * years],
    })


def compute(p, claims) -> dict:
    """The chapter's model under parameters ``p``: every number and table the page shows.

    ``figures`` are the numbers the prose quotes (:func:`figures`); the rest are the page's tables
    and the charts' data, in the order the page shows them.
    """
    t = terms(claims)
    bars = round_trip_bars(p, claims)
    return {
        "figures": figures(p, claims),
        "conversion_table": conversion_table(p, claims),
        "payoff_curve": payoff_chart_data(p, claims),
        "price_table": price_table(p, claims),
        "round_trip_table": readable(round_trip_table(_round_trip(p, t), t["face_usd_m"],
                                                      t["cloud_quarter_revenue_usd_bn"]), "Meitu's cloud purchases"),
        "round_trip_bars": pd.DataFrame({"item": bars["label"].str.replace("\n", " "), "usd_m": bars["usd_m"]}),
    }


def signposts(p, claims, case: str | None = None) -> list[Signpost]:
    """What to watch, the threshold that decides it, and what either side of it would mean.

    The thresholds come from the deal's terms and do not depend on the scenario's name, so ``case``
    is accepted and not used.
    """
    t = terms(claims)
    shares = conversion_shares_m(t["face_usd_m"], p.usd_hkd, t["conversion_price_hkd"])
    trip = _round_trip(p, t)
    return [
        Signpost("Meitu's share price (HKEX: 1357) against the conversion price", t["conversion_price_hkd"],
                 "HKD per share",
                 "above it the bond is worth more as shares than as debt: an equity gain on top of the partnership",
                 "below it the bond is a low-coupon loan to Meitu, repaid at face if Meitu can pay",
                 "bull", "bear", claims=(CLAIMS["conversion_price_hkd"],), assumptions=("meitu_share_price_hkd",)),
        Signpost("Meitu's reported cloud spend with Alibaba, per year", trip["min_per_year_rmb_m"],
                 "RMB m per year (the minimum spread evenly)",
                 "spend above the floor: Meitu's AI products run on Alibaba Cloud at scale, a growing customer",
                 "spend at the floor: the agreement is a contractual minimum, not a growth engine",
                 "bull", "base or bear", claims=(CLAIMS["cloud_min_rmb_m"], CLAIMS["cloud_years"]),
                 assumptions=("cloud_spend_multiple",)),
        Signpost("Merchants using Meitu's AI image and video tools on Taobao and Tmall", None,
                 "first disclosed adoption figure (merchants or paying users)",
                 "a disclosed, growing user base: the promotion is a real weapon in the merchant war with PDD, "
                 "Douyin and JD",
                 "no figure a year on: the promotion stays a press-release term",
                 "bull", "bear"),
        Signpost("Alibaba gives notice of conversion", 100 * stake_after_conversion(shares, p.meitu_shares_outstanding_m),
                 "% of Meitu after conversion",
                 "Alibaba converts and becomes a shareholder of about this size: a lasting tie",
                 "held to maturity and redeemed: a loan with a commercial side-deal",
                 "bull", "bear", claims=(CLAIMS["face_usd_m"], CLAIMS["conversion_price_hkd"]),
                 assumptions=("usd_hkd", "meitu_shares_outstanding_m")),
    ]


# --- the page's sentences ----------------------------------------------------------------------

def day_month_year(day: dt.date) -> str:
    """'3 January 2026' (no leading zero)."""
    return f"{day.day} {day:%B %Y}"


def gain_words(gain_pct: float) -> str:
    """'25% above' / '10% below': conversion value against face, in words."""
    return f"{abs(gain_pct):.0f}% {'above' if gain_pct >= 0 else 'below'}"


def option_state(gain_pct: float, conversion_value_usd_m: float) -> str:
    """Whether the conversion option is in or out of the money at the assumed share price."""
    if gain_pct > 0:
        return (f"in the money: the shares alone (USD {conversion_value_usd_m:.0f} million) are worth more "
                "than Alibaba paid")
    return (f"out of the money: the shares (USD {conversion_value_usd_m:.0f} million) are worth less than the "
            "face value, so Alibaba would rather take its money back")


def payoff_title(conversion_price_hkd: float, share_price_hkd: float, conversion_value_usd_m: float,
                 gain_pct: float, face_usd_m: float) -> str:
    """The payoff chart's finding: what the bond is worth at the assumed share price."""
    verdict = (f"worth USD {conversion_value_usd_m:.0f}m as shares, {gain_pct:.0f}% over face" if gain_pct > 0
               else f"worth only its USD {face_usd_m:.0f}m face")
    return (f"Above HK${conversion_price_hkd:.0f} a share the bond is worth more as Meitu shares: at "
            f"HK${share_price_hkd:.2f} it is {verdict}")


def payoff_alt(f: dict) -> str:
    """What the payoff chart shows, in words, from :func:`figures`."""
    return (f"Payoff of Alibaba's Meitu convertible bond at maturity against Meitu's share price: flat at the "
            f"USD {f['face_usd_m']:.0f} million face value below the HK${f['conversion_price_hkd']:.0f} conversion "
            f"price, rising in line with the share price above it; at the assumed HK${f['share_price_hkd']:.2f} it "
            f"is worth USD {f['holder_value_usd_m']:.0f} million.")


def round_trip_title(f: dict) -> str:
    """The round-trip chart's finding: what comes back against the investment and the cloud's revenue."""
    return (f"The cloud deal returns USD {f['cloud_total_usd_m']:.0f}m, {f['cloud_share_of_investment_pct']:.0f}% of "
            f"what Alibaba put in, and a year of it is {f['cloud_share_of_cloud_year_pct']:.2f}% of Alibaba Cloud's "
            "revenue")


def round_trip_alt(f: dict) -> str:
    """What the round-trip chart shows, in words, from :func:`figures`."""
    years = f["cloud_years"]
    return (f"Left: horizontal bars in USD million comparing Alibaba's {f['face_usd_m']:.0f} investment with "
            f"Meitu's cloud purchases over {years:.0f} years ({f['cloud_total_usd_m']:.0f}), the coupons "
            f"({f['coupons_usd_m']:.1f}) and the cloud EBITDA they bring ({f['cloud_ebitda_per_year_usd_m'] * years:.1f}). "
            f"Right: a year of Alibaba Cloud revenue (USD {f['cloud_year_revenue_usd_m'] / 1000:.1f} billion) with "
            f"Meitu's share, {f['cloud_share_of_cloud_year_pct']:.2f}%, too thin to see.")


def prose(p, claims) -> dict[str, str]:
    """The page's sentences that change with the numbers, by the name the page glues them under,
    and the charts' alt texts (``*_alt``)."""
    f = figures(p, claims)
    return {
        "issue_date": day_month_year(claims.get(CLAIMS["issue_date"]).date),
        "conversion_gain_text": gain_words(f["conversion_gain_pct"]),
        "option_state_text": option_state(f["conversion_gain_pct"], f["conversion_value_usd_m"]),
        "payoff_alt": payoff_alt(f),
        "round_trip_alt": round_trip_alt(f),
    }


def terms_table(claims) -> pd.DataFrame:
    """The deal's terms as boerse-global.de (4 January) states them."""
    ids = [CLAIMS[r] for r in ("face_usd_m", "issue_date", "conversion_price_hkd", "cloud_years", "cloud_min_rmb_m")]
    table = claims.table(ids, columns=("metric", "value_text", "unit"))
    table["metric"] = table["metric"].str.replace("_", " ")
    table.columns = ["term (boerse-global.de, 4 January, the article's author)", "as the source says it", "unit"]
    return readable(table, "term (boerse-global.de, 4 January, the article's author)")


# --- charts (the notebook shows them with style.show) ----------------------------------------

def _escape_dollars(text: str) -> str:
    """A bare $ starts maths in matplotlib: escape it in chart text."""
    return text.replace("$", r"\$")


def payoff_figure(p, claims):
    """The bond's value at maturity against Meitu's share price: face below the conversion price,
    the shares above it, the assumed price marked."""
    f = figures(p, claims)
    curve = payoff_chart_data(p, claims)
    conv_price, top = f["conversion_price_hkd"], float(curve["share_price_hkd"].max())
    fig, ax = style.figure()
    ax.plot(curve.share_price_hkd, curve.conversion_value_usd_m, ls="--", color=style.PALETTE[1],
            label="value of the shares on conversion")
    ax.axhline(f["face_usd_m"], ls=":", color=style.GREY, label="face value repaid at maturity")
    ax.plot(curve.share_price_hkd, curve.holder_value_usd_m, lw=2.5, color=style.PALETTE[0],
            label="holder's value at maturity (the larger of the two)")
    ax.axvline(conv_price, color=style.PALETTE[3], lw=1)
    ax.annotate(_escape_dollars(f"break-even = conversion price\nHK${conv_price:.0f}"),
                (conv_price, 0.25 * curve.holder_value_usd_m.max()),
                xytext=(6, 0), textcoords="offset points", color=style.PALETTE[3], fontsize=9)
    ax.plot([p.meitu_share_price_hkd], [f["holder_value_usd_m"]], marker="o", ms=8, color=style.PALETTE[2], ls="none",
            label=_escape_dollars(f"assumed share price HK${p.meitu_share_price_hkd:.2f}: "
                                  f"USD {f['holder_value_usd_m']:.0f}m"))
    ax.set_xlabel("Meitu share price at maturity (HKD per share)")
    ax.set_ylabel("value to Alibaba (USD million)")
    ax.set_xlim(0, top)
    ax.set_ylim(0, None)
    ax.legend(loc="upper left", fontsize=9)
    title = payoff_title(conv_price, p.meitu_share_price_hkd, f["conversion_value_usd_m"], f["conversion_gain_pct"],
                         f["face_usd_m"])
    source = (claims.source_line([CLAIMS["face_usd_m"], CLAIMS["conversion_price_hkd"]])
              + f". Assumptions: HKD {p.usd_hkd} per USD; Meitu share price HK${p.meitu_share_price_hkd:g} (approximate)."
              " Ignores Meitu's credit risk and the coupon.")
    return style.finish(fig, _escape_dollars(title), _escape_dollars(source))


def round_trip_figure(p, claims):
    """Left, what goes out and what comes back (USD m); right, Meitu's purchases against a year of
    Alibaba Cloud revenue."""
    f = figures(p, claims)
    bars_data = round_trip_bars(p, claims)
    labels, values = list(bars_data["label"]), list(bars_data["usd_m"])
    fig, (ax1, ax2) = style.figure(1, 2, gridspec_kw={"width_ratios": [1.5, 1]})
    bars = ax1.barh(labels[::-1], values[::-1], color=[style.PALETTE[i] for i in (2, 4, 1, 0)],
                    hatch=None, edgecolor="white")
    for bar, hatch in zip(bars, style.HATCHES[:4][::-1]):
        bar.set_hatch(hatch)
    for bar, v in zip(bars, values[::-1]):
        ax1.text(bar.get_width() + 4, bar.get_y() + bar.get_height() / 2, f"{v:,.1f}", va="center", fontsize=9)
    ax1.set_xlabel("USD million")
    ax1.set_xlim(0, 1.18 * max(values))
    ax1.grid(axis="y", visible=False)
    ax1.set_title("What goes out and what comes back", fontsize=10)
    year_rev, per_year = f["cloud_year_revenue_usd_m"], key_outputs(p, claims)["cloud_per_year_usd_m"]
    where = ["a year of revenue\n(4 × the quarter)"]
    ax2.bar(where, [year_rev / 1000], color=style.PALETTE[0], width=0.5)
    ax2.bar(where, [per_year / 1000], color=style.PALETTE[3], width=0.5)
    ax2.annotate(f"Meitu's purchases:\nUSD {per_year:.0f}m a year,\n{f['cloud_share_of_cloud_year_pct']:.2f}% of it",
                 (0, per_year / 1000), xytext=(0.3, 0.25 * year_rev / 1000),
                 arrowprops={"arrowstyle": "->", "color": style.PALETTE[3]}, color=style.PALETTE[3], fontsize=9)
    ax2.set_ylabel("USD billion a year")
    ax2.set_xlim(-0.5, 1.3)
    ax2.grid(axis="x", visible=False)
    ax2.set_title("Against Alibaba Cloud", fontsize=10)
    source = (claims.source_line([CLAIMS[r] for r in ("face_usd_m", "cloud_min_rmb_m", "cloud_years",
                                                      "cloud_quarter_revenue_usd_bn", "cloud_quarter_ebitda_usd_m")])
              + f". Assumptions: RMB {p.usd_rmb} per USD; spend {p.cloud_spend_multiple:g} × the minimum; coupon "
              f"{p.bond_coupon_pct:g}% for {p.bond_term_years:g} years (Meitu's HKEX announcement); "
              "a year = 4 × the quarter.")
    return style.finish(fig, round_trip_title(f), source)
