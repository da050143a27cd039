"""Hong Kong versus US pricing: parity, index weight and the arithmetic of the quoted valuation.

One Alibaba American depositary share (NYSE: BABA) stands for a fixed number of the ordinary shares
that trade in Hong Kong (HKEX: 9988), so the two prices are tied by two named assumptions: the
ADS-to-share ratio and the USD/HKD rate. The functions below are that arithmetic and the arithmetic
of the sources' multiples, prices and targets, each a plain function of numbers (no I/O), so that a
reader can check every figure on the page by hand.

Conventions: percentages are in percent (5.0 means 5%), prices in the currency named by the
argument, a "move" is a relative change of a price.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alibaba_report.chapters.contract import Signpost, check_number
from alibaba_report.charts import style


def _positive(name: str, x: object) -> float:
    """``x`` as a float above zero, or :class:`~alibaba_report.chapters.contract.ModelInputError` naming ``name``."""
    return check_number(name, x, low=0, low_open=True)


# --- parity between the two listings ---------------------------------------------------------

def hk_parity_price_hkd(us_price_usd: float, usd_hkd: float, ordinary_shares_per_ads: int) -> float:
    """The Hong Kong price (HKD per ordinary share) equal in value to a US price (USD per ADS).

    One ADS holds ``ordinary_shares_per_ads`` ordinary shares: HKD price = USD price x USD/HKD / ratio.
    """
    return _positive("us_price_usd", us_price_usd) * _positive("usd_hkd", usd_hkd) / _positive(
        "ordinary_shares_per_ads", ordinary_shares_per_ads
    )


def us_parity_price_usd(hk_price_hkd: float, usd_hkd: float, ordinary_shares_per_ads: int) -> float:
    """The US price (USD per ADS) equal in value to a Hong Kong price (HKD per ordinary share)."""
    return _positive("hk_price_hkd", hk_price_hkd) * _positive(
        "ordinary_shares_per_ads", ordinary_shares_per_ads
    ) / _positive("usd_hkd", usd_hkd)


def hk_premium_pct(hk_price_hkd: float, us_price_usd: float, usd_hkd: float, ordinary_shares_per_ads: int) -> float:
    """How far the Hong Kong price is above (+) or below (-) parity with the US price, in percent."""
    parity = hk_parity_price_hkd(us_price_usd, usd_hkd, ordinary_shares_per_ads)
    return (_positive("hk_price_hkd", hk_price_hkd) / parity - 1.0) * 100.0


def eur_to_usd(price_eur: float, eur_usd: float) -> float:
    """A euro price in US dollars at ``eur_usd`` (USD per EUR)."""
    return _positive("price_eur", price_eur) * _positive("eur_usd", eur_usd)


# --- the index effect ------------------------------------------------------------------------

def index_move_pp(stock_move_pct: float, weight_pct: float) -> float:
    """The index return (percentage points) that a stock's move causes by itself, others unchanged.

    First-order: a constituent of weight w that moves by m adds w x m percentage points to the
    return of a capitalisation-weighted index, i.e. moves the index by w x m percent (not index
    points: an index point is a unit of the index level). ``weight_pct`` must be from 0 to 100.
    """
    w = check_number("weight_pct", weight_pct, low=0, high=100, unit="%")
    return check_number("stock_move_pct", stock_move_pct) * w / 100.0


def stock_move_for_index_move(index_move_pp_: float, weight_pct: float) -> float:
    """The stock move (percent) that alone would move the index by ``index_move_pp_`` percent."""
    w = check_number("weight_pct", weight_pct, low=0, high=100, low_open=True, unit="%")
    return check_number("index_move_pp", index_move_pp_) * 100.0 / w


# --- valuation arithmetic --------------------------------------------------------------------

def upside_pct(price: float, target: float) -> float:
    """The move (percent) from ``price`` to ``target``; negative when the target is below."""
    return (_positive("target", target) / _positive("price", price) - 1.0) * 100.0


def target_from_upside(price: float, upside: float) -> float:
    """The target that stands ``upside`` percent above ``price``."""
    u = check_number("upside", upside, low=-100, low_open=True, unit="%")
    return _positive("price", price) * (1.0 + u / 100.0)


def price_from_upside(target: float, upside: float) -> float:
    """The price from which ``target`` is ``upside`` percent away."""
    u = check_number("upside", upside, low=-100, low_open=True, unit="%")
    return _positive("target", target) / (1.0 + u / 100.0)


def eps_from_pe(price: float, pe: float) -> float:
    """The earnings per share a price-to-earnings multiple implies: price / P/E."""
    return _positive("price", price) / _positive("pe", pe)


def price_from_eps(eps: float, pe: float) -> float:
    """The price earnings per share are worth at a multiple: EPS x P/E."""
    return _positive("eps", eps) * _positive("pe", pe)


def pe_from_price(price: float, eps: float) -> float:
    """The multiple a price pays for earnings per share: price / EPS."""
    return _positive("price", price) / _positive("eps", eps)


def change_pct(new: float, old: float) -> float:
    """The relative change (percent) from ``old`` to ``new``."""
    return (_positive("new", new) / _positive("old", old) - 1.0) * 100.0


def base_from_growth(new: float, growth: float) -> float:
    """The starting value that grows by ``growth`` percent to ``new``."""
    return price_from_upside(new, growth)


def high_from_distance(price: float, below_pct: float) -> float:
    """The high a price stands ``below_pct`` percent below: price / (1 - below/100)."""
    b = check_number("below_pct", below_pct, low=0, high=100, high_open=True, unit="%")
    return _positive("price", price) / (1.0 - b / 100.0)


def drawdown_pct(price: float, high: float) -> float:
    """How far ``price`` stands below ``high``, in percent (positive when below)."""
    return -upside_pct(high, price)


def ntm_eps(eps_this_fy: float, eps_next_fy: float, share_of_this_fy: float) -> float:
    """Next-twelve-months EPS: the time-weighted blend of this fiscal year's EPS and the next's.

    A forward P/E is usually paid on the twelve months ahead; ``share_of_this_fy`` (0 to 1) is the
    part of those twelve months that still falls in the current fiscal year.
    """
    w = check_number("share_of_this_fy", share_of_this_fy, low=0, high=1)
    return w * _positive("eps_this_fy", eps_this_fy) + (1.0 - w) * _positive("eps_next_fy", eps_next_fy)


# --- checks of a source's stated figure against its own arithmetic -----------------------------

@dataclass(frozen=True)
class Check:
    """A figure a source states beside what its own numbers give.

    ``condition`` names an assumption the computed figure needs and no source states (empty when
    the source's numbers suffice): the verdict then holds only under it.
    """

    what: str
    stated: float
    computed: float
    unit: str
    tolerance: float
    condition: str = ""

    @property
    def gap(self) -> float:
        return self.stated - self.computed

    @property
    def holds(self) -> bool:
        return abs(self.gap) <= self.tolerance

    @property
    def word(self) -> str:
        """'holds' or 'does not hold'."""
        return "holds" if self.holds else "does not hold"

    @property
    def verdict(self) -> str:
        """:attr:`word`, with ' if <condition>' when the check rests on one."""
        return f"{self.word} if {self.condition}" if self.condition else self.word


def check_stated(what: str, stated: float, computed: float, unit: str, tolerance: float,
                 condition: str = "") -> Check:
    """Compare a stated figure with the computed one; ``holds`` is True within ``tolerance``."""
    t = check_number("tolerance", tolerance, low=0)
    return Check(what, check_number("stated", stated), check_number("computed", computed), unit, t, condition)


def checks_table(checks: Iterable[Check]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "figure": c.what,
                "stated": c.stated,
                "computed from the source's own numbers": c.computed,
                "unit": c.unit,
                "gap": c.gap,
                "tolerance": c.tolerance,
                "verdict": c.verdict,
            }
            for c in checks
        ]
    )


# --- the sources' figures, by claim id (data/claims.csv) ----------------------------------------

# Every claim this chapter reads, by the role it plays on the page. The first block is the chapter's
# own arithmetic, in the order the page's ledger table lists it; the second the figures the two
# valuation logics lean on (and the claim that dates Alibaba's fiscal quarters).
_OWN_CLAIMS = {
    "move_jan8": "us_shares_daily_gain_s000",  # more than 5%, US, session before 8 Jan
    "weight": "hstech_alibaba_weight_s000",  # about 8% of the Hang Seng Tech Index
    "price_now": "us_share_price_s004",  # USD 152, 4 Jan 2026
    "oct_high": "us_shares_oct_high_s004",  # around USD 192, October 2025
    "drawdown": "us_shares_drawdown_from_oct_high_s004",  # about -20%
    "gain_2025": "us_shares_gain_2025_s004",  # over 72% in 2025
    "target": "consensus_price_target_s004",  # USD 205 average target
    "target_upside_stated": "consensus_target_upside_s004",  # "approximately 40%"
    "analysts": "analysts_covering_s004",
    "buys": "analysts_buy_s004",
    "pe_forward": "pe_forward_s004",  # roughly 20
    "pe_amazon": "amazon_pe_s004",  # 32
    "pe_sp500": "sp500_pe_s004",  # 23
    "eps_fy27": "consensus_eps_fy27_s004",  # USD 8.57
    "eps_growth": "consensus_eps_growth_fy27_s004",  # "nearly 50%"
    "pe_001": "pe_ratio_s001",  # near 19 (trailing or forward not stated)
    "upside_001": "consensus_target_upside_s001",  # roughly 18% (target lost in extraction)
    "resistance": "resistance_level_s001",  # USD 163.43
    "move_003": "shares_spike_after_call_s003",  # 8%, undated
    "move_session_002": "overseas_shares_session_gain_s002",  # more than 9% in one session
    "move_001": "us_shares_surge_s001",  # 10% surge (AI-written text)
    "move_week_002": "overseas_shares_week_gain_s002",  # about 15% over one week
    "eur_close": "overseas_shares_close_s002",  # EUR 145.80, 13 Jan 2026
    "eur_below_high": "overseas_shares_below_52w_high_s002",  # nearly 10% below the 52-week high
}
CLAIMS: dict[str, str] = {
    **_OWN_CLAIMS,
    # Alibaba's fiscal year ends in March (the 8 January article: "Q3 of fiscal year 2026 (the fourth quarter of
    # calendar year 2025)"); the same claim is Goldman Sachs' group EBITDA change below
    "fiscal_quarter": "gs_group_ebitda_yoy_fq3_fy26",
    "gs_group_ebitda": "gs_group_ebitda_yoy_fq3_fy26",
    "nomura_loss_peak": "nomura_ebita_loss_peak_fq3_fy26",
    "ubs_commerce_loss": "ubs_commerce_loss_fq3_fy26",
    "commerce_earnings": "china_commerce_adj_earnings_yoy_fq2_fy26_s004",
    "free_cash_flow": "group_free_cash_flow_fq2_fy26_s004",
    "cloud_growth": "cloud_revenue_growth_fq2_fy26_s004",
    "ai_streak": "ai_revenue_triple_digit_streak_s000",
    "gs_capex": "gs_capex_fy26_fy28",
}
# The claims of the chapter's own arithmetic, in the order the page lists them.
CHAPTER_CLAIMS = list(_OWN_CLAIMS.values())

# Short names for the same ids in the arithmetic below (the scenarios page reads some of them).
PRICE_NOW, TARGET, TARGET_UPSIDE_STATED = CLAIMS["price_now"], CLAIMS["target"], CLAIMS["target_upside_stated"]
OCT_HIGH, DRAWDOWN, GAIN_2025 = CLAIMS["oct_high"], CLAIMS["drawdown"], CLAIMS["gain_2025"]
PE_FORWARD, PE_001, PE_AMAZON, PE_SP500 = CLAIMS["pe_forward"], CLAIMS["pe_001"], CLAIMS["pe_amazon"], CLAIMS["pe_sp500"]
EPS_FY27, EPS_GROWTH, UPSIDE_001 = CLAIMS["eps_fy27"], CLAIMS["eps_growth"], CLAIMS["upside_001"]
RESISTANCE, EUR_CLOSE, EUR_BELOW_HIGH = CLAIMS["resistance"], CLAIMS["eur_close"], CLAIMS["eur_below_high"]
WEIGHT, ANALYSTS, BUYS, MOVE_JAN8 = CLAIMS["weight"], CLAIMS["analysts"], CLAIMS["buys"], CLAIMS["move_jan8"]

# The share-price moves the sources report: (role, what moved, where), smallest first
MOVES = [
    ("move_jan8", "US close, latest session before 8 Jan", "US (the 8 January article)"),
    ("move_003", "spike after an earnings call, undated", "not named (the undated post)"),
    ("move_session_002", "one session after the policy news", "overseas listing (the 14 January article)"),
    ("move_001", "surge to 12 Jan, from 9 Jan", "US (AInvest, AI-written)"),
    ("move_week_002", "one week to 13 Jan", "overseas listing (the 14 January article)"),
]

# A rounded percentage ("about 20%", "approximately 40%") is taken to hold when the computed value
# is within half a step of five points of it: the precision a round figure like that claims.
ROUND_PCT_TOLERANCE_PP = 2.5
# Two seeds' prices for the same high agree when within this share of each other (FX, "around").
SAME_LEVEL_TOLERANCE_PCT = 2.5
# A multiple quoted as "roughly 20" is taken to hold within one turn of it (19 to 21).
ROUND_MULTIPLE_TOLERANCE_X = 1.0
# Alibaba's fiscal year ends in March (claim CLAIMS["fiscal_quarter"]). Twelve months forward from
# 4 January 2026 are one quarter of FY2026 (January to March 2026) and three of FY2027.
NTM_SHARE_OF_FY26 = 0.25


def eps_fy26_if_growth_base(claims) -> float:
    """The FY2026 EPS boerse-global.de's "nearly 50%" implies if FY2026 is its unstated base (in no source)."""
    return base_from_growth(claims.value(EPS_FY27), claims.value(EPS_GROWTH))


def ntm_eps_if_growth_base(claims) -> float:
    """Twelve-months-forward EPS from 4 January 2026 if FY2026 EPS is the base of the 50% growth."""
    return ntm_eps(eps_fy26_if_growth_base(claims), claims.value(EPS_FY27), NTM_SHARE_OF_FY26)


def start_of_2025_price_usd(claims) -> float:
    """The price at the end of 2024 that the 2025 gain implies, taking USD 152 as the 2025 close.

    The source says "over 72%", so this is an upper bound; the 4 January price stands in for the
    31 December close (two trading days apart).
    """
    return base_from_growth(claims.value(PRICE_NOW), claims.value(GAIN_2025))


def high_52w_eur(claims) -> float:
    """The 52-week high the 14 January article implies: the euro close over (1 - distance below the high)."""
    return high_from_distance(claims.value(EUR_CLOSE), -claims.value(EUR_BELOW_HIGH))


def price_points(p, claims) -> pd.DataFrame:
    """Every dollar price the sources give or imply, in order of date, with what each implies.

    Columns: the point, its date (text and a plotting date), the price as quoted and its currency,
    USD per ADS (euros through ``eur_usd``), the Hong Kong price at parity (``usd_hkd``,
    ``ordinary_shares_per_ads``), the upside to the average target, the multiple it pays for the
    FY2027 EPS forecast, whether it is quoted or derived, and the claims behind it.
    """
    target = claims.value(TARGET)
    eps = claims.value(EPS_FY27)
    rows = [
        ("end of 2024, implied by the 2025 gain", dt.date(2024, 12, 31), "31 Dec 2024 (implied)",
         start_of_2025_price_usd(claims), "USD", "derived (upper bound)", [GAIN_2025, PRICE_NOW]),
        ("October 2025 high", dt.date(2025, 10, 15), "Oct 2025 (day not given)",
         claims.value(OCT_HIGH), "USD", "quoted", [OCT_HIGH]),
        ("recent price (boerse-global.de, 4 January)", dt.date(2026, 1, 4), "4 Jan 2026",
         claims.value(PRICE_NOW), "USD", "quoted", [PRICE_NOW]),
        ("technical resistance (AInvest, 12 January)", dt.date(2026, 1, 12), "week of 12 Jan 2026",
         claims.value(RESISTANCE), "USD", "quoted", [RESISTANCE]),
        ("euro close (the 14 January article)", dt.date(2026, 1, 13), "13 Jan 2026",
         claims.value(EUR_CLOSE), "EUR", "quoted, converted", [EUR_CLOSE]),
        ("52-week high implied by the 14 January article", None, "within the 52 weeks to 13 Jan 2026",
         high_52w_eur(claims), "EUR", "derived, converted", [EUR_CLOSE, EUR_BELOW_HIGH]),
    ]
    out = []
    for label, day, day_text, local, cur, how, ids in rows:
        usd = eur_to_usd(local, p.eur_usd) if cur == "EUR" else local
        out.append({
            "price point": label,
            "date": day_text,
            "plot_date": day,
            "price as quoted": local,
            "currency": cur,
            "USD per ADS": usd,
            "HKD per share at parity": hk_parity_price_hkd(usd, p.usd_hkd, p.ordinary_shares_per_ads),
            "upside to average target (%)": upside_pct(usd, target),
            "P/E paid for FY2027 EPS (x)": pe_from_price(usd, eps),
            "quoted or derived": how,
            "source": claims.seeds_of(ids),
        })
    return pd.DataFrame(out)


def index_effect_of_seed_moves(p, claims) -> pd.DataFrame:
    """The sources' reported moves and the Hang Seng Tech move each would cause at ``hstech_weight_pct``.

    The index follows the Hong Kong line: a US or European move reaches it only when Hong Kong
    trades and follows, so each row is what the move would do had Hong Kong moved as much.
    """
    rows = []
    for role, what, where in MOVES:
        cid = CLAIMS[role]
        move = claims.value(cid)
        rows.append({
            "move": what,
            "listing": where,
            "Alibaba move (%)": move,
            "Hang Seng Tech move caused (%)": index_move_pp(move, p.hstech_weight_pct),
            "source": claims.seeds_of([cid]),
        })
    return pd.DataFrame(rows)


def multiples_table(p, claims) -> pd.DataFrame:
    """What the FY2027 EPS forecast is worth at each quoted multiple, and the upside from USD 152.

    Undiscounted and on the forecast as made: the sources' own arithmetic. The book's value, with each
    chapter's drivers and a multiple on matched forward earnings, is the summary's.
    """
    eps = claims.value(EPS_FY27)
    now = claims.value(PRICE_NOW)
    rows = [
        ("Alibaba, AInvest (basis not stated)", claims.value(PE_001), eps, PE_001),
        ("Alibaba forward, boerse-global.de (4 January)", claims.value(PE_FORWARD), eps, PE_FORWARD),
        ("S&P 500 average, boerse-global.de (4 January)", claims.value(PE_SP500), eps, PE_SP500),
        ("Amazon, boerse-global.de (4 January)", claims.value(PE_AMAZON), eps, PE_AMAZON),
    ]
    out = [{
        "multiple": label,
        "P/E (x)": pe,
        "EPS (USD)": e,
        "implied price (USD per ADS)": price_from_eps(e, pe),
        "vs the 4 Jan price (%)": upside_pct(now, price_from_eps(e, pe)),
        "source": claims.seeds_of([basis]),
    } for label, pe, e, basis in rows]
    return pd.DataFrame(out)


def implied_eps_table(p, claims) -> pd.DataFrame:
    """The earnings per share each quoted multiple implies at the prices it can be paired with."""
    eur_close_usd = eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd)
    now, fwd, pe1, res = (claims.value(i) for i in (PRICE_NOW, PE_FORWARD, PE_001, RESISTANCE))
    pairs = [
        (f"forward P/E {fwd:g} at USD {now:g} (boerse-global.de, 4 January, same day)", now, fwd, f"{PRICE_NOW}, {PE_FORWARD}"),
        (f"P/E {pe1:g} at the USD {res:g} resistance (AInvest's only dollar price)", res, pe1,
         f"{RESISTANCE}, {PE_001}"),
        (f"P/E {pe1:g} at the 14 January article's euro close of 13 Jan, in USD", eur_close_usd, pe1,
         f"{EUR_CLOSE}, {PE_001}, eur_usd"),
    ]
    eps27 = claims.value(EPS_FY27)
    return pd.DataFrame([{
        "pairing": label,
        "price (USD)": price,
        "P/E (x)": pe,
        "implied EPS (USD)": eps_from_pe(price, pe),
        "FY2027 forecast vs implied EPS (%)": change_pct(eps27, eps_from_pe(price, pe)),
        "source": claims.seeds_of(basis),
    } for label, price, pe, basis in pairs])


def upside_001_table(p, claims) -> pd.DataFrame:
    """AInvest's "roughly 18% upside" lost its target: the target it implies at each price."""
    u = claims.value(UPSIDE_001)
    eur_close_usd = eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd)
    rows = [(f"USD {claims.value(PRICE_NOW):g} (boerse-global.de, 4 Jan)", claims.value(PRICE_NOW)),
            (f"USD {claims.value(RESISTANCE):g} resistance (AInvest, 12 January)", claims.value(RESISTANCE)),
            ("euro close of 13 Jan in USD (the 14 January article)", eur_close_usd)]
    return pd.DataFrame([{"if 'recent levels' means": label, "price (USD)": price,
                          "implied average target (USD)": target_from_upside(price, u)}
                         for label, price in rows])


def checks(p, claims) -> list[Check]:
    """The sources' stated figures set against their own arithmetic (and one cross-seed check)."""
    g = claims.get
    now, target, high, fwd = (claims.value(i) for i in (PRICE_NOW, TARGET, OCT_HIGH, PE_FORWARD))
    eps27 = claims.value(EPS_FY27)
    eps26 = eps_fy26_if_growth_base(claims)
    high_usd = eur_to_usd(high_52w_eur(claims), p.eur_usd)
    return [
        check_stated(f"boerse-global.de (4 January): average target USD {target:g} '{g(TARGET_UPSIDE_STATED).value_text}' above "
                     f"USD {now:g}", claims.value(TARGET_UPSIDE_STATED), upside_pct(now, target), "%",
                     ROUND_PCT_TOLERANCE_PP),
        check_stated(f"boerse-global.de (4 January): USD {now:g} '{g(DRAWDOWN).value_text}' below the October high of USD {high:g}",
                     claims.value(DRAWDOWN), -drawdown_pct(now, high), "%", ROUND_PCT_TOLERANCE_PP),
        check_stated(f"boerse-global.de (4 January): '{g(EPS_GROWTH).value_text}' EPS growth to USD {eps27:g}, against its forward "
                     f"P/E '{g(PE_FORWARD).value_text}' at USD {now:g}: the P/E USD {now:g} pays for EPS twelve "
                     f"months forward from 4 Jan 2026 ({NTM_SHARE_OF_FY26:g} x FY2026 at {eps27:g} / "
                     f"{1 + claims.value(EPS_GROWTH) / 100:g} = {eps26:.2f}, {1 - NTM_SHARE_OF_FY26:g} x FY2027)", fwd,
                     pe_from_price(now, ntm_eps_if_growth_base(claims)), "x", ROUND_MULTIPLE_TOLERANCE_X,
                     condition=f"the growth's unstated base is FY2026 EPS of about USD {eps26:.2f}, in no source"),
        check_stated(f"the 14 January article's 52-week high (EUR {claims.value(EUR_CLOSE):.2f} / "
                     f"{1 + claims.value(EUR_BELOW_HIGH) / 100:g}, in USD) against boerse-global.de's October high "
                     f"of USD {high:g}", high, high_usd, "USD", high * SAME_LEVEL_TOLERANCE_PCT / 100.0),
    ]


NEAR_TERM_LOGIC = "near-term profit and cash flow (the 8 January article: Hong Kong's reading)"
LONG_TERM_LOGIC = "FY2027 earnings, AI and cloud (the 8 January article, Goldman Sachs: foreign investors' reading)"


def two_logics(claims) -> pd.DataFrame:
    """The two valuation logics the 8 January article describes, side by side, with the ledger figures each leans on.

    The 8 January article assigns the first to Hong Kong and the second to US and foreign money; that assignment is
    its interpretation (and Goldman Sachs'), not something the sources' prices show: no source gives a
    Hong Kong price. Either logic can be applied to the one price of the one stock.
    """
    hk = [
        ("Goldman Sachs: group EBITDA change, FY26Q3", CLAIMS["gs_group_ebitda"]),
        ("Nomura: EBITA loss peak, FY26Q3", CLAIMS["nomura_loss_peak"]),
        ("UBS: commerce loss, FY26Q3", CLAIMS["ubs_commerce_loss"]),
        ("China commerce adjusted earnings change, FY26Q2", CLAIMS["commerce_earnings"]),
        ("Free cash flow, FY26Q2", CLAIMS["free_cash_flow"]),
        ("Forward P/E", PE_FORWARD),
    ]
    us = [
        ("Cloud revenue growth, FY26Q2", CLAIMS["cloud_growth"]),
        ("AI-product revenue: triple-digit growth streak", CLAIMS["ai_streak"]),
        ("Goldman Sachs: capex forecast FY2026-28", CLAIMS["gs_capex"]),
        ("FY2027 EPS forecast", EPS_FY27),
        ("Average analyst target", TARGET),
        ("Analysts rating Buy (of 17)", BUYS),
    ]
    rows = []
    for n in range(max(len(hk), len(us))):
        row = {}
        for side, items in ((NEAR_TERM_LOGIC, hk), (LONG_TERM_LOGIC, us)):
            if n < len(items):
                label, cid = items[n]
                c = claims.get(cid)
                row[side] = f"{label}: {_fmt_value(c.value, c.unit)}"
                row[side + " (source)"] = claims.seeds_of([cid])
        rows.append(row)
    return pd.DataFrame(rows)


def _fmt_value(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:g}%"
    if unit in ("USD", "HKD", "EUR"):
        return f"{unit} {value:g}"
    if unit == "x":
        return f"{value:g}×"
    if unit in ("count", "quarters"):
        return f"{value:g}" + ("" if unit == "count" else " quarters")
    return f"{value:g} {unit}"


def key_outputs(p, claims) -> dict:
    """The few numbers the summary and the scenario comparison show."""
    now = claims.value(PRICE_NOW)
    return {
        "upside_to_target_pct": upside_pct(now, claims.value(TARGET)),
        "stated_upside_gap_pp": claims.value(TARGET_UPSIDE_STATED) - upside_pct(now, claims.value(TARGET)),
        "hk_parity_price_hkd": hk_parity_price_hkd(now, p.usd_hkd, p.ordinary_shares_per_ads),
        "hk_premium_pct": hk_premium_pct(p.hk_price_hkd, now, p.usd_hkd, p.ordinary_shares_per_ads),
        "hstech_move_from_jan8_pp": index_move_pp(claims.value(MOVE_JAN8), p.hstech_weight_pct),
        "target_pe_on_fy27_eps": pe_from_price(claims.value(TARGET), claims.value(EPS_FY27)),
        "high_52w_usd_from_eur": eur_to_usd(high_52w_eur(claims), p.eur_usd),
    }


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


# --- charts (the notebook shows them with style.show) ----------------------------------------

def timeline_title(start_2025: float, oct_high: float, price_now: float, eur_close_usd: float) -> str:
    """The price chart's finding: the path from the end of 2024 to 13 January, in dollars."""
    return (f"USD {start_2025:.0f} at the end of 2024 (implied), about {oct_high:.0f} in October, "
            f"{price_now:.0f} on 4 January, then about {eur_close_usd:.0f} by 13 January")


def timeline_figure(p, claims):
    """The dollar price points in date order, the average target and any undated level as lines.

    The points are :func:`price_points`. Dated points are evenly spaced in date order (the tick label
    gives the date): the sources give a handful of prices months apart, and the path between them is
    not known, so a true time axis would only crowd the January points together. A row without a
    plotting date (the implied 52-week high) is drawn as a horizontal line, the average target too.
    """
    points = price_points(p, claims)
    target_usd = claims.value(TARGET)
    title = timeline_title(start_of_2025_price_usd(claims), claims.value(OCT_HIGH), claims.value(PRICE_NOW),
                           eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd))
    source = (claims.source_line([GAIN_2025, OCT_HIGH, PRICE_NOW, RESISTANCE, EUR_CLOSE, EUR_BELOW_HIGH, TARGET])
              + f". Assumption: EUR/USD {p.eur_usd:g}. Hollow markers are derived, not quoted; "
              "the October high is a month, its day is not given. Points in date order, not to time scale; "
              "the path between them is not known.")
    fig, ax = style.figure()
    fig.set_size_inches(8.0, 5.0)
    dated = points[points["plot_date"].notna()].sort_values("plot_date").reset_index(drop=True)
    undated = points[points["plot_date"].isna()]
    xs = list(range(len(dated)))
    ax.plot(xs, dated["USD per ADS"], color=style.GREY, linestyle=":", linewidth=1, zorder=1)
    for i, row in dated.iterrows():
        derived = row["quoted or derived"].startswith("derived")
        colour = style.PALETTE[i % len(style.PALETTE)]
        ax.plot([i], [row["USD per ADS"]], marker=style.MARKERS[i % len(style.MARKERS)], markersize=10,
                color=colour, markerfacecolor="white" if derived else colour, markeredgewidth=2,
                linestyle="none", zorder=3)
        quoted = "" if row["currency"] == "USD" else f"\n(EUR {row['price as quoted']:.2f})"
        near_lines = row["USD per ADS"] > 0.8 * target_usd  # keep clear of the target and high lines
        ax.annotate(f"USD {row['USD per ADS']:.2f}{quoted}", (i, row["USD per ADS"]), textcoords="offset points",
                    xytext=(0, -14 if near_lines else 12), ha="center", va="top" if near_lines else "bottom",
                    fontsize=8.5)
    ax.axhline(target_usd, color=style.GREY, linestyle="--", linewidth=1.2)
    ax.annotate(f"average analyst target, USD {target_usd:.0f} (boerse-global.de, 4 January)", (-0.4, target_usd),
                textcoords="offset points", xytext=(0, 4), fontsize=8, color=style.GREY)
    for _, row in undated.iterrows():
        ax.axhline(row["USD per ADS"], color=style.PALETTE[3], linestyle="-.", linewidth=1.2)
        ax.annotate(f"{row['price point']}, USD {row['USD per ADS']:.1f}", (len(dated) - 0.6, row["USD per ADS"]),
                    textcoords="offset points", xytext=(0, 4), ha="right", fontsize=8, color=style.PALETTE[3])
    labels = [row["date"].replace(" (implied)", "").replace(" (day not given)", "").replace("week of ", "")
              + "\n" + row["price point"].replace(", implied by", "\nimplied by").replace(" (", "\n(")
              for _, row in dated.iterrows()]
    ax.set_xticks(xs, labels, fontsize=8)
    ax.set_xlim(-0.5, len(dated) - 0.5)
    top = max(dated["USD per ADS"].max(), target_usd, *(undated["USD per ADS"] if len(undated) else [0]))
    ax.set_ylim(0, top * 1.12)
    ax.set_ylabel("USD per ADS")
    ax.grid(axis="x", visible=False)
    return style.finish(fig, title, source)


def index_effect_title(moves: pd.DataFrame, weight_pct: float) -> str:
    """The index chart's finding: the range of index moves the sources' Alibaba moves cause."""
    stock, index = moves["Alibaba move (%)"], moves["Hang Seng Tech move caused (%)"]
    return (f"At a {weight_pct:g}% weight, the sources' {stock.min():g}-{stock.max():g}% Alibaba moves would, "
            f"matched in Hong Kong, move the Hang Seng Tech Index {index.min():.1f}-{index.max():.1f}% on their own")


def index_effect_figure(p, claims):
    """The index move caused by an Alibaba move at ``hstech_weight_pct``, the sources' moves marked."""
    moves = index_effect_of_seed_moves(p, claims)
    weight_pct = p.hstech_weight_pct
    title = index_effect_title(moves, weight_pct)
    source = (claims.source_line([WEIGHT, *(CLAIMS[role] for role, _, _ in MOVES)])
              + f". Assumption: Alibaba's index weight {weight_pct:g}%. First order: other constituents unchanged.")
    fig, ax = style.figure()
    top = max(15.0, float(moves["Alibaba move (%)"].abs().max()) * 1.1)
    grid = np.linspace(-top, top, 121)
    ax.plot(grid, [index_move_pp(m, weight_pct) for m in grid], color=style.PALETTE[0], linewidth=2,
            label=f"index move caused at a {weight_pct:g}% weight")
    ax.axhline(0, color=style.GREY, linewidth=0.8)
    ax.axvline(0, color=style.GREY, linewidth=0.8)
    for i, row in moves.reset_index(drop=True).iterrows():
        y = row["Hang Seng Tech move caused (%)"]
        ax.plot([row["Alibaba move (%)"]], [y], marker=style.MARKERS[i + 1], color=style.PALETTE[i + 1],
                markersize=8, linestyle="none",
                label=f"{row['Alibaba move (%)']:g}%: {row['move']} [{row['listing']}]")
    ax.set_xlabel("Alibaba share move (%)")
    ax.set_ylabel("Hang Seng Tech Index move caused (%)")
    ax.legend(loc="lower right", fontsize=8, title="the sources' moves [listing, seed]", title_fontsize=8)
    return style.finish(fig, title, source)


def multiples_title(target_usd: float, target_pe: float) -> str:
    """The multiples chart's finding: the multiple the average target pays for FY2027 EPS."""
    return (f"The USD {target_usd:.0f} target is FY2027 EPS at {target_pe:.1f}x: "
            "about the S&P 500's multiple, far below Amazon's")


def reference_prices(p, claims) -> list[tuple[str, float]]:
    """The prices the multiples chart draws as lines: 4 January, the 13 January euro close, the target."""
    return [("4 Jan price", claims.value(PRICE_NOW)),
            ("13 Jan, euro close", eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd)),
            ("average target", claims.value(TARGET))]


def multiples_figure(p, claims):
    """What the FY2027 EPS forecast is worth at each multiple, against the quoted prices and target."""
    table = multiples_table(p, claims)
    markers = reference_prices(p, claims)
    title = multiples_title(claims.value(TARGET), pe_from_price(claims.value(TARGET), claims.value(EPS_FY27)))
    source = (claims.source_line([EPS_FY27, PE_001, PE_FORWARD, PE_SP500, PE_AMAZON, PRICE_NOW, EUR_CLOSE, TARGET])
              + f". Assumption: EUR/USD {p.eur_usd:g}.")
    fig, ax = style.figure()
    fig.set_size_inches(8.0, 5.2)
    rows = table.reset_index(drop=True)
    ys = range(len(rows))
    for i, row in rows.iterrows():
        run = row["multiple"].startswith("Alibaba forward")  # Alibaba's own forward multiple: dark blue and hatched
        ax.barh(i, row["implied price (USD per ADS)"], height=0.6, color=style.PALETTE[0 if run else 5],
                hatch="//" if run else "", edgecolor="white")
        ax.annotate(f"USD {row['implied price (USD per ADS)']:.0f}", (row["implied price (USD per ADS)"], i),
                    textcoords="offset points", xytext=(4, 0), va="center", fontsize=8, zorder=4,
                    bbox=dict(facecolor="white", edgecolor="none", pad=1.0))
    labels = [r["multiple"].replace(" = ", "\n= ") + f"\n{r['P/E (x)']:g}x" for _, r in rows.iterrows()]
    ax.set_yticks(list(ys), labels, fontsize=8)
    # the reference prices: dark, each in its own colour and line style, labelled at the line, one row each
    refs = sorted(markers, key=lambda m: m[1])
    ax.set_ylim(len(rows) - 0.5, -0.75 - 0.5 * len(refs))  # inverted, with a row above the bars per line
    for j, (label, x) in enumerate(refs):
        style_j = REFERENCE_LINE_STYLES[j % len(REFERENCE_LINE_STYLES)]
        ax.axvline(x, color=style_j["color"], linestyle=style_j["linestyle"], linewidth=1.6, zorder=3)
        left = j == 0  # the lowest price labelled to its left, the others to their right: no overlaps
        ax.annotate(f"{label}: USD {x:.0f}", (x, -0.85 - 0.5 * j), textcoords="offset points",
                    xytext=(-5 if left else 5, 0), ha="right" if left else "left", va="center", fontsize=8,
                    color=style_j["color"], zorder=5,
                    bbox=dict(facecolor="white", edgecolor=style_j["color"], linestyle=style_j["linestyle"], pad=2.0))
    ax.set_xlabel("price of FY2027 EPS at each multiple (USD per ADS)")
    ax.set_xlim(0, max(rows["implied price (USD per ADS)"].max(), *(x for _, x in markers)) * 1.3)
    ax.grid(axis="y", visible=False)
    return style.finish(fig, title, source)


# Reference lines of the multiples chart, told apart by colour and line style (not only colour):
# black solid, vermillion dashed, reddish purple dash-dot.
REFERENCE_LINE_STYLES = [
    {"color": style.PALETTE[3], "linestyle": style.LINESTYLES[0]},
    {"color": style.PALETTE[4], "linestyle": style.LINESTYLES[1]},
    {"color": style.PALETTE[6], "linestyle": style.LINESTYLES[3]},
]


def page_figures(p, claims) -> dict[str, float]:
    """Every number the page's prose quotes, by the name the page glues it under.

    Ledger figures come in under their own names (so the prose never types a source's number); the
    rest are computations of them and of the parameters ``p``. Values are plain numbers; the words
    that change with them ("above"/"below", "holds"/"does not hold") are in :func:`prose`.
    """
    v = claims.value
    now, target, eps27 = v(PRICE_NOW), v(TARGET), v(EPS_FY27)
    k = key_outputs(p, claims)
    moves = index_effect_of_seed_moves(p, claims)
    eur_close_usd = eur_to_usd(v(EUR_CLOSE), p.eur_usd)
    fwd_eps = eps_from_pe(now, v(PE_FORWARD))
    eps_base_stated = base_from_growth(eps27, v(EPS_GROWTH))
    prem = k["hk_premium_pct"]
    f: dict = {name: v(cid) for name, cid in {
        "price_now": PRICE_NOW, "target_usd": TARGET, "upside_stated": TARGET_UPSIDE_STATED,
        "oct_high": OCT_HIGH, "gain_2025": GAIN_2025, "pe_fwd": PE_FORWARD, "pe_001": PE_001,
        "pe_amzn": PE_AMAZON, "pe_sp": PE_SP500, "eps27": EPS_FY27, "eps_growth_stated": EPS_GROWTH,
        "upside_001": UPSIDE_001, "resistance": RESISTANCE, "eur_close": EUR_CLOSE, "weight": WEIGHT,
        "n_analysts": ANALYSTS, "n_buy": BUYS, "move_jan8": MOVE_JAN8, "move_003": CLAIMS["move_003"],
        "move_001": CLAIMS["move_001"], "move_week_002": CLAIMS["move_week_002"],
    }.items()}
    f.update({
        "drawdown_stated": -v(DRAWDOWN),
        "eur_below_high": -v(EUR_BELOW_HIGH),
        # parameters, for the prose
        "usd_hkd": p.usd_hkd, "eur_usd": p.eur_usd, "ordinary_shares_per_ads": p.ordinary_shares_per_ads,
        "hk_price_hkd": p.hk_price_hkd, "hstech_weight_pct": p.hstech_weight_pct,
        # price points and the timeline
        "start_2025": start_of_2025_price_usd(claims),
        "eur_close_usd": eur_close_usd,
        "rebound_pct": upside_pct(now, eur_close_usd),
        "eur_usd_above_resistance": v(RESISTANCE) / v(EUR_CLOSE),
        "high_52w_eur": high_52w_eur(claims),
        "high_52w_usd": k["high_52w_usd_from_eur"],
        "high_vs_oct_pct": upside_pct(v(OCT_HIGH), k["high_52w_usd_from_eur"]),
        # parity
        "hk_parity": k["hk_parity_price_hkd"],
        "hk_premium": prem,
        # the index
        "move_min": float(moves["Alibaba move (%)"].min()),
        "move_max": float(moves["Alibaba move (%)"].max()),
        "index_min": float(moves["Hang Seng Tech move caused (%)"].min()),
        "index_max": float(moves["Hang Seng Tech move caused (%)"].max()),
        "index_jan8": k["hstech_move_from_jan8_pp"],
        "move_for_1pp": stock_move_for_index_move(1.0, p.hstech_weight_pct) if p.hstech_weight_pct > 0
        else float("inf"),
        # valuation
        "upside_pct": k["upside_to_target_pct"],
        "upside_gap_pp": k["stated_upside_gap_pp"],
        "price_for_stated_upside": price_from_upside(target, v(TARGET_UPSIDE_STATED)),
        "target_for_stated_upside": target_from_upside(now, v(TARGET_UPSIDE_STATED)),
        "target_pe": k["target_pe_on_fy27_eps"],
        "fwd_eps": fwd_eps,
        "eps_growth_vs_fwd": change_pct(eps27, fwd_eps),
        "eps_base_50": eps_base_stated,
        "pe_on_base_50": pe_from_price(now, eps_base_stated),
        "ntm_share_26": NTM_SHARE_OF_FY26,
        "ntm_share_27": 1.0 - NTM_SHARE_OF_FY26,
        "ntm_eps_blend": ntm_eps_if_growth_base(claims),
        "pe_on_ntm_blend": pe_from_price(now, ntm_eps_if_growth_base(claims)),
        "pe_tol": ROUND_MULTIPLE_TOLERANCE_X,
        "pe27_now": pe_from_price(now, eps27),
        "pe27_resistance": pe_from_price(v(RESISTANCE), eps27),
        "eps_at_resistance_pe001": eps_from_pe(v(RESISTANCE), v(PE_001)),
        "price_pe001": price_from_eps(eps27, v(PE_001)),
        "price_pe_fwd": price_from_eps(eps27, v(PE_FORWARD)),
        "price_pe_sp": price_from_eps(eps27, v(PE_SP500)),
        "price_pe_amzn": price_from_eps(eps27, v(PE_AMAZON)),
        "sp_vs_now": upside_pct(now, price_from_eps(eps27, v(PE_SP500))),
        # that step is two: a higher multiple (the S&P 500's for seed 004's) and a year's roll (forward EPS to FY27's)
        "multiple_step_pct": change_pct(v(PE_SP500), v(PE_FORWARD)),
        "amzn_discount": -upside_pct(v(PE_AMAZON), v(PE_FORWARD)),
        "sp_discount": -upside_pct(v(PE_SP500), v(PE_FORWARD)),
        "buy_share": 100.0 * v(BUYS) / v(ANALYSTS),
        "target_001_now": target_from_upside(now, v(UPSIDE_001)),
        "target_001_resistance": target_from_upside(v(RESISTANCE), v(UPSIDE_001)),
        "target_001_eur": target_from_upside(eur_close_usd, v(UPSIDE_001)),
        "price_001_if_205": price_from_upside(target, v(UPSIDE_001)),
        "upside_at_resistance": upside_pct(v(RESISTANCE), target),
        # checks
        "drawdown_computed": drawdown_pct(now, v(OCT_HIGH)),
        "round_tol": ROUND_PCT_TOLERANCE_PP,
        "same_level_tol": SAME_LEVEL_TOLERANCE_PCT,
    })
    return f


# --- the page: its model, its sentences, its tables --------------------------------------------

def compute(p, claims) -> dict:
    """The chapter's model under parameters ``p``: every number and table the page shows.

    ``figures`` are the numbers the prose quotes (:func:`page_figures`); the rest are the page's
    tables, in the order it shows them (``price_points`` is also the price chart's data,
    ``index_moves`` the index chart's, ``multiples`` the multiples chart's).
    """
    points = price_points(p, claims)
    return {
        "figures": page_figures(p, claims),
        "price_points": points,
        "price_points_table": price_points_for_reading(points),
        "index_moves": index_effect_of_seed_moves(p, claims),
        "multiples": multiples_table(p, claims),
        "implied_eps": implied_eps_table(p, claims),
        "upside_001": upside_001_table(p, claims),
        "checks": checks_table(checks(p, claims)),
        "two_logics": two_logics(claims),
    }


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


def ledger_table(claims) -> pd.DataFrame:
    """The chapter's own claims as the sources say them, in the page's order."""
    from alibaba_report.evidence.pages import metric_words

    table = claims.table(CHAPTER_CLAIMS, columns=("metric", "value_text", "period", "said_by", "seed"))
    table["seed"] = table["seed"].map(claims.source_name)
    table["metric"] = table["metric"].map(metric_words)
    table.columns = ["what", "as the source says it", "period", "said by", "source"]
    return table


def price_points_for_reading(points: pd.DataFrame) -> pd.DataFrame:
    """:func:`price_points` as the page's table shows it (without the plotting date)."""
    return points.drop(columns=["plot_date"]).rename(
        columns={"upside to average target (%)": "upside to the average target (%)"})
