"""The Meitu deal: what Alibaba's USD 250 million convertible bond converts into, and what comes back.

Seed 004 (boerse-global, 4 January 2026) gives the terms: a USD 250 million convertible bond with a
conversion price of HK$6 per Meitu share, Alibaba promoting Meitu's AI e-commerce tools on Taobao
and Tmall, and a three-year agreement under which Meitu buys at least RMB 560 million of Alibaba's
cloud services. Everything else is a named parameter (FX rates, Meitu's share price and share count,
the bond's coupon and term from Meitu's own announcement).

The functions here take plain numbers (no I/O, no ledger), so they can be tested by hand:

* conversion: shares the bond converts into, the stake after dilution, the conversion value at a
  share price, a holder's value at maturity (the larger of face and conversion value, ignoring
  credit risk and coupons), the break-even share price;
* the round trip: the cloud agreement per year and in total, in RMB and USD, against the investment
  and against Alibaba Cloud's revenue.

``key_outputs`` and ``signposts`` combine them with the ledger's claims (ids in :data:`CLAIM`).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

# The ledger claims this chapter reads, by role (ids in data/claims.csv).
CLAIM: dict[str, str] = {
    "face_usd_m": "meitu_bond_amount_s004",
    "conversion_price_hkd": "meitu_bond_conversion_price_s004",
    "cloud_min_rmb_m": "meitu_cloud_agreement_min_value_s004",
    "cloud_years": "meitu_cloud_agreement_term_s004",
    "cloud_quarter_revenue_usd_bn": "cloud_revenue_fq2_fy26_s004",
    "cloud_quarter_ebitda_usd_m": "cloud_ebitda_fq2_fy26_s004",
    "quarter_fcf_rmb_bn": "group_free_cash_flow_fq2_fy26_s004",
}
# The issue date is a date claim (no value): read it with claims.get(ISSUE_DATE).date.
ISSUE_DATE = "meitu_bond_issue_date_s004"


def _positive(name: str, value: float) -> float:
    """``value`` as a float if it is a finite number above zero, else a ValueError naming it."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a finite number above zero, got {value!r}")
    return x


def _non_negative(name: str, value: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a finite number of zero or more, got {value!r}")
    return x


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
        raise ValueError(f"share_price_hkd must be finite and zero or more, got {share_price_hkd!r}")
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
        raise ValueError("prices_hkd must be an increasing sequence of at least two share prices")
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
    A year of Alibaba Cloud revenue is taken as four times the quarter (a run rate, no growth).
    Percentages are returned in per cent.
    """
    minimum = _positive("cloud_min_rmb_m", cloud_min_rmb_m)
    years = _positive("cloud_years", cloud_years)
    fx = _positive("usd_rmb", usd_rmb)
    mult = _positive("spend_multiple", spend_multiple)
    face = _positive("face_usd_m", face_usd_m)
    quarter_usd_m = _positive("cloud_quarter_revenue_usd_bn", cloud_quarter_revenue_usd_bn) * 1000
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
        "per_year_share_of_year_pct": 100 * per_year_usd_m / (4 * quarter_usd_m),
        "cloud_year_run_rate_usd_m": 4 * quarter_usd_m,
    }


def round_trip_table(trip: dict[str, float], face_usd_m: float, cloud_quarter_revenue_usd_bn: float) -> pd.DataFrame:
    """Meitu's cloud purchases (from :func:`cloud_round_trip`) over three spans, in RMB and USD, as a
    per cent of the investment, of one quarter of Alibaba Cloud revenue and of a year of it."""
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
    df["% of a year of Alibaba Cloud revenue"] = 100 * df["USD m"] / (4 * quarter)
    return df


def cloud_ebitda_on_spend_usd_m(per_year_usd_m: float, cloud_quarter_ebitda_usd_m: float,
                                cloud_quarter_revenue_usd_bn: float) -> float:
    """EBITDA (USD m a year) Meitu's spend would bring at Alibaba Cloud's average EBITDA margin.

    An average margin, not the margin on this customer (which no source gives).
    """
    spend = _non_negative("per_year_usd_m", per_year_usd_m)
    ebitda = _non_negative("cloud_quarter_ebitda_usd_m", cloud_quarter_ebitda_usd_m)
    revenue_m = _positive("cloud_quarter_revenue_usd_bn", cloud_quarter_revenue_usd_bn) * 1000
    return spend * ebitda / revenue_m


def investment_vs_cash_outflow(face_usd_m: float, usd_rmb: float, quarter_fcf_rmb_bn: float) -> dict[str, float]:
    """The investment in RMB and as a per cent of one quarter's free cash outflow.

    ``quarter_fcf_rmb_bn`` is negative for an outflow (seed 004's quarter); a positive free cash
    flow has no outflow to compare with, and the share is then NaN.
    """
    face = _positive("face_usd_m", face_usd_m)
    fx = _positive("usd_rmb", usd_rmb)
    try:
        fcf = float(quarter_fcf_rmb_bn)
    except (TypeError, ValueError):
        raise ValueError(f"quarter_fcf_rmb_bn must be a number, got {quarter_fcf_rmb_bn!r}") from None
    if not math.isfinite(fcf):
        raise ValueError(f"quarter_fcf_rmb_bn must be finite, got {quarter_fcf_rmb_bn!r}")
    rmb_m = face * fx
    share = 100 * rmb_m / (-fcf * 1000) if fcf < 0 else float("nan")
    return {"investment_rmb_m": rmb_m, "share_of_quarter_outflow_pct": share}


def readable(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """``df`` indexed by its column ``key`` for display, with one header row (the key's name sits
    in the header's corner instead of a second header row)."""
    return df.set_index(key).rename_axis(None).rename_axis(key, axis=1)


# --- what the notebook and the summary show --------------------------------------------------

def terms(claims) -> dict[str, float]:
    """The deal's numbers from the ledger, by role (see :data:`CLAIM`)."""
    return {role: claims.value(cid) for role, cid in CLAIM.items()}


def key_outputs(p, claims) -> dict[str, Any]:
    """The few numbers the summary and the scenario comparison show, from parameters ``p``."""
    t = terms(claims)
    shares = conversion_shares_m(t["face_usd_m"], p.usd_hkd, t["conversion_price_hkd"])
    conv = conversion_value_usd_m(shares, p.meitu_share_price_hkd, p.usd_hkd)
    trip = cloud_round_trip(
        t["cloud_min_rmb_m"], t["cloud_years"], p.usd_rmb, p.cloud_spend_multiple,
        t["face_usd_m"], t["cloud_quarter_revenue_usd_bn"],
    )
    return {
        "conversion_shares_m": shares,
        "stake_after_conversion_pct": 100 * stake_after_conversion(shares, p.meitu_shares_outstanding_m),
        "conversion_value_usd_m": conv,
        "holder_value_usd_m": holder_value_usd_m(t["face_usd_m"], conv),
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


def signposts(p, claims) -> pd.DataFrame:
    """What to watch, the threshold that decides it, and what either side of it would mean."""
    t = terms(claims)
    shares = conversion_shares_m(t["face_usd_m"], p.usd_hkd, t["conversion_price_hkd"])
    stake = 100 * stake_after_conversion(shares, p.meitu_shares_outstanding_m)
    trip = cloud_round_trip(
        t["cloud_min_rmb_m"], t["cloud_years"], p.usd_rmb, 1.0, t["face_usd_m"], t["cloud_quarter_revenue_usd_bn"],
    )
    rows = [
        {
            "signpost": "Meitu's share price (HKEX: 1357) against the conversion price",
            "threshold": round(t["conversion_price_hkd"], 2),
            "unit": "HKD per share",
            "if_better": "above it the bond is worth more as shares than as debt: an equity gain on top "
                         "of the partnership (bull)",
            "if_worse": "below it the bond is a low-coupon loan to Meitu, repaid at face if "
                        "Meitu can pay (bear)",
            "basis": f"{CLAIM['conversion_price_hkd']}, meitu_share_price_hkd",
        },
        {
            "signpost": "Meitu's reported cloud spend with Alibaba, per year",
            "threshold": round(trip["min_per_year_rmb_m"], 0),
            "unit": "RMB m per year (the minimum spread evenly)",
            "if_better": "spend above the floor: Meitu's AI products run on Alibaba Cloud at scale, a "
                         "growing customer (bull)",
            "if_worse": "spend at the floor: the agreement is a contractual minimum, not a growth engine "
                        "(base/bear)",
            "basis": f"{CLAIM['cloud_min_rmb_m']}, {CLAIM['cloud_years']}, cloud_spend_multiple",
        },
        {
            "signpost": "Merchants using Meitu's AI image and video tools on Taobao and Tmall",
            "threshold": "first disclosed adoption figure",
            "unit": "merchants or paying users, as disclosed",
            "if_better": "a disclosed, growing user base: the promotion is a real weapon in the merchant "
                         "war with PDD, Douyin and JD (bull)",
            "if_worse": "no figure a year on: the promotion stays a press-release term (bear)",
            "basis": "seed 004 (promotion on Taobao and Tmall; tools for merchants)",
        },
        {
            "signpost": "Alibaba gives notice of conversion",
            "threshold": round(stake, 1),
            "unit": "% of Meitu after conversion",
            "if_better": "Alibaba converts and becomes a shareholder of about this size: a lasting tie "
                         "(bull)",
            "if_worse": "held to maturity and redeemed: a loan with a commercial side-deal (bear)",
            "basis": f"{CLAIM['face_usd_m']}, {CLAIM['conversion_price_hkd']}, usd_hkd, "
                     "meitu_shares_outstanding_m",
        },
    ]
    return pd.DataFrame(rows, columns=["signpost", "threshold", "unit", "if_better", "if_worse", "basis"])


def signposts_markdown(table: pd.DataFrame) -> str:
    """The signposts as a Markdown list, one item per signpost (long texts read badly in a table)."""
    items = []
    for row in table.itertuples(index=False):
        threshold = f"{row.threshold:,.1f}" if isinstance(row.threshold, (int, float)) else str(row.threshold)
        items.append(
            f"- **{row.signpost}**: threshold {threshold} ({row.unit}).  \n"
            f"  If better: {row.if_better}.  \n"
            f"  If worse: {row.if_worse}.  \n"
            f"  Basis: {row.basis}."
        )
    return "\n".join(items)
