"""The Meitu chapter's words: the page's sentences, the charts' titles and alt texts, the signposts,
the citations the prose carries and the summary's headline. No matplotlib."""
from __future__ import annotations

import datetime as dt

from alibaba_report.chapters.contract import Signpost, case_phrase
from alibaba_report.chapters.meitu_deal.model import (
    CLAIMS, _round_trip, conversion_shares_m, figures, key_outputs, stake_after_conversion, terms,
)

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

# --- the summary's row ----------------------------------------------------------------------------

# A customer's spend below this share of a year of Alibaba Cloud revenue is not material to the cloud
# (the auditors' common rule of thumb of 5%): the deal's point is then strategic.
MATERIAL_SHARE_PCT = 5.0


def materiality_words(share_of_cloud_year_pct: float) -> str:
    """'strategic, not material' below :data:`MATERIAL_SHARE_PCT` of a year of cloud revenue, else 'material'."""
    if share_of_cloud_year_pct < MATERIAL_SHARE_PCT:
        return "strategic, not material"
    return "material to the cloud's revenue"


def headline(p, claims, case: str | None = None) -> dict[str, str]:
    """The chapter's row in the summary's table of themes: what the bond is worth against what was
    lent, and the cloud contract's share of a year of Alibaba Cloud revenue, rounded as the page
    shows them; with ``case``, whose share price the value is read at."""
    k, face = key_outputs(p, claims), terms(claims)["face_usd_m"]
    figure = f"the bond is worth about USD {k['bond_value_usd_m']:.0f}m to Alibaba for USD {face:.0f}m lent"
    if case:
        figure += f" (at {case_phrase(case)}'s Meitu share price)"
    share = k["cloud_share_of_cloud_year_pct"]
    return {"figure": figure,
            "meaning": f"the cloud contract is {share:.2f}% of a year's cloud revenue: {materiality_words(share)}"}
