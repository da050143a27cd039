"""The Meitu chapter's tables: the deal's terms, the conversion, the bond across share prices, the
round trip, and the charts' data (pandas DataFrames for the page)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from alibaba_report.chapters.contract import check_number
from alibaba_report.chapters.meitu_deal.model import (
    CLAIMS, conversion_value_usd_m, figures, holder_value_usd_m, key_outputs, payoff_curve, terms,
)


def readable(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """``df`` indexed by its column ``key`` for display, with one header row (the key's name sits
    in the header's corner instead of a second header row)."""
    return df.set_index(key).rename_axis(None).rename_axis(key, axis=1)


def round_trip_table(trip: dict[str, float], face_usd_m: float, cloud_quarter_revenue_usd_bn: float) -> pd.DataFrame:
    """Meitu's cloud purchases (from :func:`cloud_round_trip`) over three spans, in RMB and USD, as a
    per cent of the investment, of one quarter of Alibaba Cloud revenue and of a year of it (its run rate)."""
    face = check_number("face_usd_m", face_usd_m, low=0, low_open=True)
    quarter = check_number("cloud_quarter_revenue_usd_bn", cloud_quarter_revenue_usd_bn, low=0, low_open=True) * 1000
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


def terms_table(claims) -> pd.DataFrame:
    """The deal's terms as boerse-global.de (4 January) states them."""
    ids = [CLAIMS[r] for r in ("face_usd_m", "issue_date", "conversion_price_hkd", "cloud_years", "cloud_min_rmb_m")]
    table = claims.table(ids, columns=("metric", "value_text", "unit"))
    table["metric"] = table["metric"].str.replace("_", " ")
    table.columns = ["term (boerse-global.de, 4 January, the article's author)", "as the source says it", "unit"]
    return readable(table, "term (boerse-global.de, 4 January, the article's author)")

