"""The pricing chapter's words: the page's sentences that change with the numbers, the charts'
titles and alt texts, the signposts and the summary's headline. No matplotlib."""
from __future__ import annotations

import pandas as pd

from alibaba_report.chapters.contract import Signpost, case_phrase
from alibaba_report.evidence import cite
from alibaba_report.chapters.hk_vs_us.model import (
    EPS_FY27, EUR_CLOSE, MOVE_JAN8, PE_FORWARD, PE_SP500, PRICE_NOW, RESISTANCE, WEIGHT, eps_from_pe,
    eur_to_usd, hk_parity_price_hkd, key_outputs, page_figures, price_from_eps,
)
from alibaba_report.chapters.hk_vs_us.tables import checks, index_effect_of_seed_moves, multiples_table, reference_prices


def resistance_reading(eur_close_usd: float, resistance_usd: float, eur_usd: float) -> tuple[str, str, str]:
    """Whether the 14 January article's euro close (in USD) had cleared AInvest's resistance, and what holding or
    clearing it would then mean: ``(status in words, if better, better case)``."""
    if eur_close_usd > resistance_usd:
        return (f"likely already cleared: the 14 January article's euro close of 13 Jan is USD {eur_close_usd:.1f} "
                f"at USD {eur_usd:g} per euro",
                "the price holds above it: the January rally holds", "base")
    return (f"not cleared by 13 Jan at USD {eur_usd:g} per euro: the 14 January article's euro close is USD {eur_close_usd:.1f}",
            "a close above it: the January rally carries on", "base or bull")


def signposts(p, claims, case: str | None = None) -> list[Signpost]:
    """What to watch, with the threshold that tells which valuation logic the US price follows.

    The first is the one the book's summary shows: the forward-looking test of the two logics.
    The thresholds do not depend on the scenario's name, so ``case`` is accepted and not used.
    """
    now = claims.value(PRICE_NOW)
    eps27 = claims.value(EPS_FY27)
    resistance = claims.value(RESISTANCE)
    eur_close_usd = eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd)
    cleared, better, better_case = resistance_reading(eur_close_usd, resistance, p.eur_usd)
    return [
        Signpost("US price against FY2027 EPS at the S&P 500 multiple",
                 price_from_eps(eps27, claims.value(PE_SP500)), "USD per ADS",
                 "the market pays a market multiple for FY2027 earnings: the long-term logic wins",
                 "the discount to the market persists: near-term earnings still set the price",
                 "bull", "base or bear", claims=(EPS_FY27, PE_SP500)),
        Signpost(f"FY2027 EPS forecast against the EPS the forward P/E implies at USD {now:g}",
                 eps_from_pe(now, claims.value(PE_FORWARD)), "USD per ADS",
                 f"the forecast holds above it: USD {now:g} pays less than the forward multiple for FY2027 "
                 "earnings, the recovery is still expected",
                 "cut below it: even FY2027 earnings would cost more than the forward multiple at "
                 f"USD {now:g}, the recovery is gone from the forecast",
                 "bull", "bear", claims=(EPS_FY27, PRICE_NOW, PE_FORWARD)),
        Signpost(f"US price against AInvest's technical resistance ({cleared})", resistance, "USD per ADS",
                 better, "a close back below it: the rally ran ahead of earnings", better_case, "bear",
                 claims=(RESISTANCE, EUR_CLOSE), assumptions=("eur_usd",)),
        Signpost(f"Hong Kong close against parity with the same day's US close (threshold: parity with "
                 f"USD {now:g})", hk_parity_price_hkd(now, p.usd_hkd, p.ordinary_shares_per_ads), "HKD per share",
                 "within dealing costs and the time-zone lag of parity: one stock, one price (no scenario "
                 "signal); a premium beyond costs is buying concentrated in Hong Kong, a flow signal",
                 "a discount beyond costs: selling concentrated in Hong Kong, a flow signal that ADS "
                 "conversion arbitrage should close, not a lasting Hong Kong pricing of the loss bill",
                 "base", "base", claims=(PRICE_NOW,), assumptions=("usd_hkd", "ordinary_shares_per_ads")),
    ]


# --- the charts' titles -----------------------------------------------------------------------

def timeline_title(start_2025: float, oct_high: float, price_now: float, eur_close_usd: float) -> str:
    """The price chart's finding: the path from the end of 2024 to 13 January, in dollars."""
    return (f"USD {start_2025:.0f} at the end of 2024 (implied), about {oct_high:.0f} in October, "
            f"{price_now:.0f} on 4 January, then about {eur_close_usd:.0f} by 13 January")


def index_effect_title(moves: pd.DataFrame, weight_pct: float) -> str:
    """The index chart's finding: the range of index moves the sources' Alibaba moves cause."""
    stock, index = moves["Alibaba move (%)"], moves["Hang Seng Tech move caused (%)"]
    return (f"At a {weight_pct:g}% weight, the sources' {stock.min():g}-{stock.max():g}% Alibaba moves would, "
            f"matched in Hong Kong, move the Hang Seng Tech Index {index.min():.1f}-{index.max():.1f}% on their own")


def multiples_title(target_usd: float, target_pe: float) -> str:
    """The multiples chart's finding: the multiple the average target pays for FY2027 EPS."""
    return (f"The USD {target_usd:.0f} target is FY2027 EPS at {target_pe:.1f}x: "
            "about the S&P 500's multiple, far below Amazon's")


def words_vs(gap_pct: float, digits: int = 1) -> str:
    """'12.8% above' / '3.0% below' for a signed percentage gap."""
    return f"{abs(gap_pct):.{digits}f}% {'above' if gap_pct >= 0 else 'below'}"


PARITY_TOLERANCE_PCT = 0.005  # a Hong Kong price this close to parity is at parity (a rounding gap)


def premium_words(premium_pct: float) -> str:
    """Where the Hong Kong price stands against parity: 'at', or '1.9% below' / '0.5% above'."""
    return "at" if abs(premium_pct) < PARITY_TOLERANCE_PCT else words_vs(premium_pct)


def premium_origin(premium_pct: float) -> str:
    """Where that position comes from: no source gives a Hong Kong price, so it is an assumption."""
    if abs(premium_pct) < PARITY_TOLERANCE_PCT:
        return "a parity set by assumption, not observed"
    return "a gap set by assumption, not a quote"


def above_or_below(value: float, level: float) -> str:
    """'above' when ``value`` is above ``level``, else 'below'."""
    return "above" if value > level else "below"


def timeline_alt(f: dict) -> str:
    """What the price chart shows, in words, from :func:`page_figures`."""
    return (f"Alibaba's price in US dollars per ADS at five points in date order: about {f['start_2025']:.0f} "
            f"implied at the end of 2024 (hollow marker), about {f['oct_high']:.0f} in October 2025, "
            f"{f['price_now']:.0f} on 4 January 2026, the {f['resistance']:.2f} technical resistance in the week "
            f"of 12 January, and the euro close of 13 January at {f['eur_close_usd']:.1f} dollars. A dashed line "
            f"marks the average target of {f['target_usd']:.0f} and a dash-dot line the 52-week high implied by "
            f"the 14 January article, {f['high_52w_usd']:.1f}.")


def index_effect_alt(moves: pd.DataFrame, weight_pct: float) -> str:
    """What the index chart shows, in words, from :func:`index_effect_of_seed_moves`."""
    marked = "; ".join(f"{m:g}% gives an index move of {i:.2f}%"
                       for m, i in zip(moves["Alibaba move (%)"], moves["Hang Seng Tech move caused (%)"]))
    return (f"A straight line through zero: the Hang Seng Tech Index move caused by an Alibaba move at a "
            f"{weight_pct:g}% weight, both in percent, with the five moves the sources report marked: {marked}.")


def multiples_alt(table: pd.DataFrame, markers: list[tuple[str, float]]) -> str:
    """What the multiples chart shows, in words, from :func:`multiples_table` and :func:`reference_prices`."""
    bars = "; ".join(f"{m}, {pe:g} times, gives {v:.0f} dollars" for m, pe, v in
                     zip(table["multiple"], table["P/E (x)"], table["implied price (USD per ADS)"]))
    (_, now), (_, eur_close_usd), (_, target) = markers
    return ("Horizontal bars: the price Alibaba's FY2027 EPS forecast is worth at each quoted multiple, "
            f"{bars}. Vertical lines, each labelled above the bars, mark the 4 January price of {now:.0f} "
            f"(solid black), the 13 January euro close of {eur_close_usd:.0f} in dollars (dashed) and the "
            f"average target of {target:.0f} (dash-dot).")


def prose(p, claims) -> dict[str, str]:
    """The page's sentences that change with the numbers, by the name the page glues them under,
    and the charts' alt texts (``*_alt``)."""
    f = page_figures(p, claims)
    upside, drawdown, eps, high = checks(p, claims)
    return {
        "hk_premium_text": premium_words(f["hk_premium"]),
        "hk_premium_origin": premium_origin(f["hk_premium"]),
        "eur_vs_resistance_text": above_or_below(f["eur_close_usd"], f["resistance"]),
        "check_upside": upside.word,
        "check_drawdown": drawdown.word,
        "check_eps": eps.word,
        "check_high": high.word,
        "timeline_alt": timeline_alt(f),
        "index_alt": index_effect_alt(index_effect_of_seed_moves(p, claims), p.hstech_weight_pct),
        "multiples_alt": multiples_alt(multiples_table(p, claims), reference_prices(p, claims)),
    }


# --- the summary's row ----------------------------------------------------------------------------

def headline(p, claims, case: str | None = None) -> dict[str, str]:
    """The chapter's row in the summary's table of themes: Alibaba's weight in the Hang Seng Tech
    Index as the 8 January article states it (and the weight ``p`` assumes, when another), and the
    index move the article's US move would cause at that weight, rounded as the page shows them."""
    stated = claims.value(WEIGHT)
    figure = f"Alibaba is about {stated:.0f}% of the Hang Seng Tech Index ({cite.claim(WEIGHT)})"
    if round(p.hstech_weight_pct, 1) != round(stated, 1):
        figure += f"; {case_phrase(case) if case else 'this page'} takes {p.hstech_weight_pct:.1f}%"
    move, index = claims.value(MOVE_JAN8), key_outputs(p, claims)["hstech_move_from_jan8_pp"]
    return {"figure": figure, "meaning": f"a {move:.0f}% move in Alibaba moves the index about {index:.2f}%"}
