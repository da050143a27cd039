"""The numbers of the Meitu deal: conversion, the bond's value and the cloud round trip, each a plain
function of numbers (no I/O, no ledger), and the chapter's model. No sentences here."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from alibaba_report.chapters import cloud_ai
from alibaba_report.chapters.contract import ModelInputError, check_number

NOTEBOOK = "meitu_deal"

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


# --- conversion ------------------------------------------------------------------------------

def conversion_shares_m(face_usd_m: float, usd_hkd: float, conversion_price_hkd: float) -> float:
    """Meitu shares (millions) the whole bond converts into: face × HKD per USD ÷ conversion price."""
    face = check_number("face_usd_m", face_usd_m, low=0, low_open=True)
    fx = check_number("usd_hkd", usd_hkd, low=0, low_open=True)
    price = check_number("conversion_price_hkd", conversion_price_hkd, low=0, low_open=True)
    return face * fx / price


def stake_after_conversion(conversion_shares: float, shares_outstanding_m: float) -> float:
    """Alibaba's fraction of Meitu after conversion: new shares ÷ (shares outstanding + new shares).

    The new shares dilute everyone, Alibaba included, so the stake is below new ÷ outstanding.
    """
    new = check_number("conversion_shares", conversion_shares, low=0, low_open=True)
    out = check_number("shares_outstanding_m", shares_outstanding_m, low=0, low_open=True)
    return new / (out + new)


def conversion_value_usd_m(conversion_shares: float, share_price_hkd, usd_hkd: float):
    """USD millions the converted shares are worth at ``share_price_hkd`` (a number or an array)."""
    new = check_number("conversion_shares", conversion_shares, low=0, low_open=True)
    fx = check_number("usd_hkd", usd_hkd, low=0, low_open=True)
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
    face = check_number("face_usd_m", face_usd_m, low=0, low_open=True)
    value = np.maximum(face, np.asarray(conversion_value, dtype=float))
    return float(value) if value.ndim == 0 else value


def bond_floor_usd_m(face_usd_m: float, coupon_pct: float, term_years: float, yield_pct: float) -> float:
    """What the bond is worth as a plain loan (USD m): its coupons and face discounted at the yield a
    straight Meitu bond of that term would need (Meitu's credit, not Alibaba's)."""
    face = check_number("face_usd_m", face_usd_m, low=0, low_open=True)
    coupon = check_number("coupon_pct", coupon_pct, low=0) / 100
    years = check_number("term_years", term_years, low=0, low_open=True)
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

    n = check_number("conversion_shares", conversion_shares, low=0, low_open=True)
    s = check_number("share_price_hkd", share_price_hkd, low=0, low_open=True)
    k = check_number("conversion_price_hkd", conversion_price_hkd, low=0, low_open=True)
    t = check_number("term_years", term_years, low=0, low_open=True)
    vol = check_number("volatility_pct", volatility_pct, low=0, low_open=True, high=300, unit="% a year") / 100
    r = check_number("risk_free_pct", risk_free_pct, low=0, high=20, unit="% a year") / 100
    fx = check_number("usd_hkd", usd_hkd, low=0, low_open=True)
    d1 = (log(s / k) + (r + vol * vol / 2) * t) / (vol * sqrt(t))
    d2 = d1 - vol * sqrt(t)
    call = s * _normal_cdf(d1) - k * exp(-r * t) * _normal_cdf(d2)
    return n * call / fx


def breakeven_share_price_hkd(face_usd_m: float, usd_hkd: float, conversion_shares: float) -> float:
    """The Meitu share price (HKD) at which conversion value equals face value.

    With the same FX rate for conversion and valuation this is the conversion price itself.
    """
    face = check_number("face_usd_m", face_usd_m, low=0, low_open=True)
    fx = check_number("usd_hkd", usd_hkd, low=0, low_open=True)
    new = check_number("conversion_shares", conversion_shares, low=0, low_open=True)
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
    face = check_number("face_usd_m", face_usd_m, low=0, low_open=True)
    coupon = check_number("coupon_pct", coupon_pct, low=0)
    years = check_number("term_years", term_years, low=0, low_open=True)
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
    minimum = check_number("cloud_min_rmb_m", cloud_min_rmb_m, low=0, low_open=True)
    years = check_number("cloud_years", cloud_years, low=0, low_open=True)
    fx = check_number("usd_rmb", usd_rmb, low=0, low_open=True)
    mult = check_number("spend_multiple", spend_multiple, low=0, low_open=True)
    face = check_number("face_usd_m", face_usd_m, low=0, low_open=True)
    quarter_usd_m = check_number("cloud_quarter_revenue_usd_bn", cloud_quarter_revenue_usd_bn, low=0, low_open=True) * 1000
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


def cloud_ebitda_on_spend_usd_m(per_year_usd_m: float, cloud_quarter_ebitda_usd_m: float,
                                cloud_quarter_revenue_usd_bn: float) -> float:
    """EBITDA (USD m a year) Meitu's spend would bring at Alibaba Cloud's average EBITDA margin.

    An average margin (:func:`alibaba_report.chapters.cloud_ai.margin_pct` of the quarter), not the
    margin on this customer (which no source gives).
    """
    spend = check_number("per_year_usd_m", per_year_usd_m, low=0)
    ebitda = check_number("cloud_quarter_ebitda_usd_m", cloud_quarter_ebitda_usd_m, low=0)
    revenue_m = check_number("cloud_quarter_revenue_usd_bn", cloud_quarter_revenue_usd_bn, low=0, low_open=True) * 1000
    return spend * cloud_ai.margin_pct(ebitda, revenue_m) / 100


def investment_vs_cash_outflow(face_usd_m: float, usd_rmb: float, quarter_fcf_rmb_bn: float) -> dict[str, float]:
    """The investment in RMB and as a per cent of one quarter's free cash outflow.

    ``quarter_fcf_rmb_bn`` is negative for an outflow (boerse-global.de's quarter); a positive free cash
    flow has no outflow to compare with, and the share is then NaN.
    """
    face = check_number("face_usd_m", face_usd_m, low=0, low_open=True)
    fx = check_number("usd_rmb", usd_rmb, low=0, low_open=True)
    fcf = check_number("quarter_fcf_rmb_bn", quarter_fcf_rmb_bn, unit="RMB bn, negative for an outflow")
    rmb_m = face * fx
    share = 100 * rmb_m / (-fcf * 1000) if fcf < 0 else float("nan")
    return {"investment_rmb_m": rmb_m, "share_of_quarter_outflow_pct": share}


def market_value_usd_m(shares_m: float, share_price_hkd: float, usd_hkd: float) -> float:
    """A company's market value (USD m): shares (millions) × share price (HKD) ÷ HKD per USD."""
    shares = check_number("shares_m", shares_m, low=0, low_open=True)
    price = check_number("share_price_hkd", share_price_hkd, low=0, low_open=True)
    return shares * price / check_number("usd_hkd", usd_hkd, low=0, low_open=True)


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


def compute(p, claims) -> dict:
    """The chapter's model under parameters ``p``: every number and table the page shows.

    ``figures`` are the numbers the prose quotes (:func:`figures`); the rest are the page's tables
    and the charts' data, in the order the page shows them.
    """
    from alibaba_report.chapters.meitu_deal.tables import (
        conversion_table, payoff_chart_data, price_table, readable, round_trip_bars, round_trip_table,
    )

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

