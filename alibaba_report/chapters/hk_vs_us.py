"""Hong Kong versus US pricing: parity, index weight and the arithmetic of the quoted valuation.

One Alibaba American depositary share (NYSE: BABA) stands for a fixed number of the ordinary shares
that trade in Hong Kong (HKEX: 9988), so the two prices are tied by two named assumptions: the
ADS-to-share ratio and the USD/HKD rate. The functions below are that arithmetic and the arithmetic
of the seeds' multiples, prices and targets, each a plain function of numbers (no I/O), so that a
reader can check every figure on the page by hand.

Conventions: percentages are in percent (5.0 means 5%), prices in the currency named by the
argument, a "move" is a relative change of a price.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd


def _number(name: str, x: object) -> float:
    """``x`` as a float if it is a real number (not a string, not a bool), else ValueError."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{name} must be a number, got {x!r}")
    return float(x)


def _positive(name: str, x: float) -> float:
    """``x`` as a float, or ValueError naming ``name`` if it is not a finite number above zero."""
    v = _number(name, x)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number above zero, got {x!r}")
    return v


def _finite(name: str, x: float) -> float:
    v = _number(name, x)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return v


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
    w = _finite("weight_pct", weight_pct)
    if not 0.0 <= w <= 100.0:
        raise ValueError(f"weight_pct must be from 0 to 100, got {weight_pct!r}")
    return _finite("stock_move_pct", stock_move_pct) * w / 100.0


def index_effect_table(moves_pct: Iterable[float], weight_pct: float) -> pd.DataFrame:
    """For each stock move, the index move it causes alone, and its share of a same-size index move."""
    rows = [
        {"Alibaba move (%)": m, "index move caused (%)": index_move_pp(m, weight_pct)}
        for m in moves_pct
    ]
    return pd.DataFrame(rows, columns=["Alibaba move (%)", "index move caused (%)"])


def stock_move_for_index_move(index_move_pp_: float, weight_pct: float) -> float:
    """The stock move (percent) that alone would move the index by ``index_move_pp_`` percent."""
    w = _finite("weight_pct", weight_pct)
    if not 0.0 < w <= 100.0:
        raise ValueError(f"weight_pct must be above 0 and at most 100, got {weight_pct!r}")
    return _finite("index_move_pp", index_move_pp_) * 100.0 / w


# --- valuation arithmetic --------------------------------------------------------------------

def upside_pct(price: float, target: float) -> float:
    """The move (percent) from ``price`` to ``target``; negative when the target is below."""
    return (_positive("target", target) / _positive("price", price) - 1.0) * 100.0


def target_from_upside(price: float, upside: float) -> float:
    """The target that stands ``upside`` percent above ``price``."""
    u = _finite("upside", upside)
    if u <= -100.0:
        raise ValueError(f"upside must be above -100 percent, got {upside!r}")
    return _positive("price", price) * (1.0 + u / 100.0)


def price_from_upside(target: float, upside: float) -> float:
    """The price from which ``target`` is ``upside`` percent away."""
    u = _finite("upside", upside)
    if u <= -100.0:
        raise ValueError(f"upside must be above -100 percent, got {upside!r}")
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
    b = _finite("below_pct", below_pct)
    if not 0.0 <= b < 100.0:
        raise ValueError(f"below_pct must be from 0 to under 100, got {below_pct!r}")
    return _positive("price", price) / (1.0 - b / 100.0)


def drawdown_pct(price: float, high: float) -> float:
    """How far ``price`` stands below ``high``, in percent (positive when below)."""
    return -upside_pct(high, price)


def ntm_eps(eps_this_fy: float, eps_next_fy: float, share_of_this_fy: float) -> float:
    """Next-twelve-months EPS: the time-weighted blend of this fiscal year's EPS and the next's.

    A forward P/E is usually paid on the twelve months ahead; ``share_of_this_fy`` (0 to 1) is the
    part of those twelve months that still falls in the current fiscal year.
    """
    w = _finite("share_of_this_fy", share_of_this_fy)
    if not 0.0 <= w <= 1.0:
        raise ValueError(f"share_of_this_fy must be from 0 to 1, got {share_of_this_fy!r}")
    return w * _positive("eps_this_fy", eps_this_fy) + (1.0 - w) * _positive("eps_next_fy", eps_next_fy)


# --- checks of a seed's stated figure against its own arithmetic -----------------------------

@dataclass(frozen=True)
class Check:
    """A figure a seed states beside what its own numbers give.

    ``condition`` names an assumption the computed figure needs and no seed states (empty when
    the seed's numbers suffice): the verdict then holds only under it.
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
    def verdict(self) -> str:
        """'holds' / 'does not hold', with ' if <condition>' when the check rests on one."""
        word = "holds" if self.holds else "does not hold"
        return f"{word} if {self.condition}" if self.condition else word


def check_stated(what: str, stated: float, computed: float, unit: str, tolerance: float,
                 condition: str = "") -> Check:
    """Compare a stated figure with the computed one; ``holds`` is True within ``tolerance``."""
    t = _finite("tolerance", tolerance)
    if t < 0:
        raise ValueError(f"tolerance must not be negative, got {tolerance!r}")
    return Check(what, _finite("stated", stated), _finite("computed", computed), unit, t, condition)


def checks_table(checks: Iterable[Check]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "figure": c.what,
                "stated": c.stated,
                "computed from the seed's own numbers": c.computed,
                "unit": c.unit,
                "gap": c.gap,
                "tolerance": c.tolerance,
                "verdict": c.verdict,
            }
            for c in checks
        ]
    )


# --- the seeds' figures, by claim id (data/claims.csv) ----------------------------------------

PRICE_NOW = "us_share_price_s004"  # USD 152, 4 Jan 2026
TARGET = "consensus_price_target_s004"  # USD 205 average target
TARGET_UPSIDE_STATED = "consensus_target_upside_s004"  # "approximately 40%"
OCT_HIGH = "us_shares_oct_high_s004"  # around USD 192, October 2025
DRAWDOWN = "us_shares_drawdown_from_oct_high_s004"  # about -20%
GAIN_2025 = "us_shares_gain_2025_s004"  # over 72% in 2025
PE_FORWARD = "pe_forward_s004"  # roughly 20
PE_001 = "pe_ratio_s001"  # near 19 (trailing or forward not stated)
PE_AMAZON = "amazon_pe_s004"  # 32
PE_SP500 = "sp500_pe_s004"  # 23
EPS_FY27 = "consensus_eps_fy27_s004"  # USD 8.57
EPS_GROWTH = "consensus_eps_growth_fy27_s004"  # "nearly 50%"
UPSIDE_001 = "consensus_target_upside_s001"  # roughly 18% (target lost in extraction)
RESISTANCE = "resistance_level_s001"  # USD 163.43
EUR_CLOSE = "overseas_shares_close_s002"  # EUR 145.80, 13 Jan 2026
EUR_BELOW_HIGH = "overseas_shares_below_52w_high_s002"  # nearly 10% below the 52-week high
WEIGHT = "hstech_alibaba_weight_s000"  # about 8% of the Hang Seng Tech Index
ANALYSTS = "analysts_covering_s004"
BUYS = "analysts_buy_s004"

MOVE_JAN8 = "us_shares_daily_gain_s000"  # more than 5%, US, session before 8 Jan
MOVE_003 = "shares_spike_after_call_s003"  # 8%, undated
MOVE_SESSION_002 = "overseas_shares_session_gain_s002"  # more than 9% in one session
MOVE_001 = "us_shares_surge_s001"  # 10% surge (AI-written text)
MOVE_WEEK_002 = "overseas_shares_week_gain_s002"  # about 15% over one week

# The share-price moves the seeds report: (claim id, what moved, where), smallest first
MOVES = [
    (MOVE_JAN8, "US close, latest session before 8 Jan", "US (000)"),
    (MOVE_003, "spike after an earnings call, undated", "not named (003)"),
    (MOVE_SESSION_002, "one session after the policy news", "overseas listing (002)"),
    (MOVE_001, "surge to 12 Jan, from 9 Jan", "US (001, AI-written)"),
    (MOVE_WEEK_002, "one week to 13 Jan", "overseas listing (002)"),
]

# Every claim this chapter reads for its own arithmetic, in the order the page lists them.
CHAPTER_CLAIMS = [
    MOVE_JAN8, WEIGHT, PRICE_NOW, OCT_HIGH, DRAWDOWN, GAIN_2025, TARGET, TARGET_UPSIDE_STATED, ANALYSTS,
    BUYS, PE_FORWARD, PE_AMAZON, PE_SP500, EPS_FY27, EPS_GROWTH, PE_001, UPSIDE_001, RESISTANCE,
    MOVE_003, MOVE_SESSION_002, MOVE_001, MOVE_WEEK_002, EUR_CLOSE, EUR_BELOW_HIGH,
]

# A rounded percentage ("about 20%", "approximately 40%") is taken to hold when the computed value
# is within half a step of five points of it: the precision a round figure like that claims.
ROUND_PCT_TOLERANCE_PP = 2.5
# Two seeds' prices for the same high agree when within this share of each other (FX, "around").
SAME_LEVEL_TOLERANCE_PCT = 2.5
# A multiple quoted as "roughly 20" is taken to hold within one turn of it (19 to 21).
ROUND_MULTIPLE_TOLERANCE_X = 1.0
# Alibaba's fiscal year ends in March (seed 000: "Q3 of fiscal year 2026 (the fourth quarter of
# calendar year 2025)", claim FY_QUARTER). Twelve months forward from 4 January 2026 are one quarter
# of FY2026 (January to March 2026) and three of FY2027.
FY_QUARTER = "gs_group_ebitda_yoy_fq3_fy26"
NTM_SHARE_OF_FY26 = 0.25


def eps_fy26_if_growth_base(claims) -> float:
    """The FY2026 EPS seed 004's "nearly 50%" implies if FY2026 is its unstated base (in no seed)."""
    return base_from_growth(claims.value(EPS_FY27), claims.value(EPS_GROWTH))


def ntm_eps_if_growth_base(claims) -> float:
    """Twelve-months-forward EPS from 4 January 2026 if FY2026 EPS is the base of the 50% growth."""
    return ntm_eps(eps_fy26_if_growth_base(claims), claims.value(EPS_FY27), NTM_SHARE_OF_FY26)


def eps_delivered_usd(p, claims) -> float:
    """The FY2027 EPS forecast (claim) times the share of it delivered (``eps_delivery_pct``)."""
    d = _positive("eps_delivery_pct", p.eps_delivery_pct)
    return claims.value(EPS_FY27) * d / 100.0


def start_of_2025_price_usd(claims) -> float:
    """The price at the end of 2024 that the 2025 gain implies, taking USD 152 as the 2025 close.

    The seed says "over 72%", so this is an upper bound; the 4 January price stands in for the
    31 December close (two trading days apart).
    """
    return base_from_growth(claims.value(PRICE_NOW), claims.value(GAIN_2025))


def high_52w_eur(claims) -> float:
    """The 52-week high seed 002 implies: the euro close over (1 - distance below the high)."""
    return high_from_distance(claims.value(EUR_CLOSE), -claims.value(EUR_BELOW_HIGH))


def price_points(p, claims) -> pd.DataFrame:
    """Every dollar price the seeds give or imply, in order of date, with what each implies.

    Columns: the point, its date (text and a plotting date), the price as quoted and its currency,
    USD per ADS (euros through ``eur_usd``), the Hong Kong price at parity (``usd_hkd``,
    ``ordinary_shares_per_ads``), the upside to the average target, the multiple it pays for the
    FY2027 EPS forecast, whether it is quoted or derived, and the claims behind it.
    """
    import datetime as dt

    target = claims.value(TARGET)
    eps = claims.value(EPS_FY27)
    rows = [
        ("end of 2024, implied by the 2025 gain", dt.date(2024, 12, 31), "31 Dec 2024 (implied)",
         start_of_2025_price_usd(claims), "USD", "derived (upper bound)", [GAIN_2025, PRICE_NOW]),
        ("October 2025 high", dt.date(2025, 10, 15), "Oct 2025 (day not given)",
         claims.value(OCT_HIGH), "USD", "quoted", [OCT_HIGH]),
        ("recent price (seed 004)", dt.date(2026, 1, 4), "4 Jan 2026",
         claims.value(PRICE_NOW), "USD", "quoted", [PRICE_NOW]),
        ("technical resistance (seed 001)", dt.date(2026, 1, 12), "week of 12 Jan 2026",
         claims.value(RESISTANCE), "USD", "quoted", [RESISTANCE]),
        ("euro close (seed 002)", dt.date(2026, 1, 13), "13 Jan 2026",
         claims.value(EUR_CLOSE), "EUR", "quoted, converted", [EUR_CLOSE]),
        ("52-week high implied by seed 002", None, "within the 52 weeks to 13 Jan 2026",
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
            "claims": ", ".join(ids),
        })
    return pd.DataFrame(out)


def index_effect_of_seed_moves(p, claims) -> pd.DataFrame:
    """The seeds' reported moves and the Hang Seng Tech move each would cause at ``hstech_weight_pct``.

    The index follows the Hong Kong line: a US or European move reaches it only when Hong Kong
    trades and follows, so each row is what the move would do had Hong Kong moved as much.
    """
    rows = []
    for cid, what, where in MOVES:
        move = claims.value(cid)
        rows.append({
            "move": what,
            "listing": where,
            "Alibaba move (%)": move,
            "Hang Seng Tech move caused (%)": index_move_pp(move, p.hstech_weight_pct),
            "claim": cid,
        })
    return pd.DataFrame(rows)


def multiples_table(p, claims) -> pd.DataFrame:
    """What the FY2027 EPS forecast is worth at each quoted multiple, and the upside from USD 152.

    The quoted multiples apply to the forecast as made; the last row is this run's own reading:
    ``applied_pe`` on ``eps_delivery_pct`` of the forecast. When that reading is one of the quoted
    rows (the same multiple on the whole forecast), it is not repeated: that row is marked instead.
    """
    eps = claims.value(EPS_FY27)
    now = claims.value(PRICE_NOW)
    rows = [
        ("Alibaba, seed 001 (basis not stated)", claims.value(PE_001), eps, PE_001),
        ("Alibaba forward, seed 004", claims.value(PE_FORWARD), eps, PE_FORWARD),
        ("S&P 500 average, seed 004", claims.value(PE_SP500), eps, PE_SP500),
        ("Amazon, seed 004", claims.value(PE_AMAZON), eps, PE_AMAZON),
    ]
    run_eps = eps_delivered_usd(p, claims)
    same = [i for i, (_, pe, e, _) in enumerate(rows) if math.isclose(pe, p.applied_pe) and math.isclose(e, run_eps)]
    if same:
        label, pe, e, basis = rows[same[0]]
        rows[same[0]] = (f"{label} = this run's applied_pe", pe, e, f"{basis}, applied_pe, eps_delivery_pct")
    else:
        rows.append((f"this run: applied_pe on {p.eps_delivery_pct:g}% of the forecast", p.applied_pe, run_eps,
                     "applied_pe, eps_delivery_pct"))
    out = [{
        "multiple": label,
        "P/E (x)": pe,
        "EPS (USD)": e,
        "implied price (USD per ADS)": price_from_eps(e, pe),
        "vs the 4 Jan price (%)": upside_pct(now, price_from_eps(e, pe)),
        "basis": basis,
    } for label, pe, e, basis in rows]
    return pd.DataFrame(out)


def implied_eps_table(p, claims) -> pd.DataFrame:
    """The earnings per share each quoted multiple implies at the prices it can be paired with."""
    eur_close_usd = eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd)
    now, fwd, pe1, res = (claims.value(i) for i in (PRICE_NOW, PE_FORWARD, PE_001, RESISTANCE))
    pairs = [
        (f"forward P/E {fwd:g} at USD {now:g} (seed 004, same day)", now, fwd, f"{PRICE_NOW}, {PE_FORWARD}"),
        (f"P/E {pe1:g} at the USD {res:g} resistance (seed 001's only dollar price)", res, pe1,
         f"{RESISTANCE}, {PE_001}"),
        (f"P/E {pe1:g} at seed 002's euro close of 13 Jan, in USD", eur_close_usd, pe1,
         f"{EUR_CLOSE}, {PE_001}, eur_usd"),
    ]
    eps27 = claims.value(EPS_FY27)
    return pd.DataFrame([{
        "pairing": label,
        "price (USD)": price,
        "P/E (x)": pe,
        "implied EPS (USD)": eps_from_pe(price, pe),
        "FY2027 forecast vs implied EPS (%)": change_pct(eps27, eps_from_pe(price, pe)),
        "basis": basis,
    } for label, price, pe, basis in pairs])


def upside_001_table(p, claims) -> pd.DataFrame:
    """Seed 001's "roughly 18% upside" lost its target: the target it implies at each price."""
    u = claims.value(UPSIDE_001)
    eur_close_usd = eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd)
    rows = [(f"USD {claims.value(PRICE_NOW):g} (seed 004, 4 Jan)", claims.value(PRICE_NOW)),
            (f"USD {claims.value(RESISTANCE):g} resistance (seed 001)", claims.value(RESISTANCE)),
            ("euro close of 13 Jan in USD (seed 002)", eur_close_usd)]
    return pd.DataFrame([{"if 'recent levels' means": label, "price (USD)": price,
                          "implied average target (USD)": target_from_upside(price, u)}
                         for label, price in rows])


def checks(p, claims) -> list[Check]:
    """The seeds' stated figures set against their own arithmetic (and one cross-seed check)."""
    g = claims.get
    now, target, high, fwd = (claims.value(i) for i in (PRICE_NOW, TARGET, OCT_HIGH, PE_FORWARD))
    eps27 = claims.value(EPS_FY27)
    eps26 = eps_fy26_if_growth_base(claims)
    high_usd = eur_to_usd(high_52w_eur(claims), p.eur_usd)
    return [
        check_stated(f"seed 004: average target USD {target:g} '{g(TARGET_UPSIDE_STATED).value_text}' above "
                     f"USD {now:g}", claims.value(TARGET_UPSIDE_STATED), upside_pct(now, target), "%",
                     ROUND_PCT_TOLERANCE_PP),
        check_stated(f"seed 004: USD {now:g} '{g(DRAWDOWN).value_text}' below the October high of USD {high:g}",
                     claims.value(DRAWDOWN), -drawdown_pct(now, high), "%", ROUND_PCT_TOLERANCE_PP),
        check_stated(f"seed 004: '{g(EPS_GROWTH).value_text}' EPS growth to USD {eps27:g}, against its forward "
                     f"P/E '{g(PE_FORWARD).value_text}' at USD {now:g}: the P/E USD {now:g} pays for EPS twelve "
                     f"months forward from 4 Jan 2026 ({NTM_SHARE_OF_FY26:g} x FY2026 at {eps27:g} / "
                     f"{1 + claims.value(EPS_GROWTH) / 100:g} = {eps26:.2f}, {1 - NTM_SHARE_OF_FY26:g} x FY2027)", fwd,
                     pe_from_price(now, ntm_eps_if_growth_base(claims)), "x", ROUND_MULTIPLE_TOLERANCE_X,
                     condition=f"the growth's unstated base is FY2026 EPS of about USD {eps26:.2f}, in no seed"),
        check_stated(f"seed 002's 52-week high (EUR {claims.value(EUR_CLOSE):.2f} / "
                     f"{1 + claims.value(EUR_BELOW_HIGH) / 100:g}, in USD) against seed 004's October high "
                     f"of USD {high:g}", high, high_usd, "USD", high * SAME_LEVEL_TOLERANCE_PCT / 100.0),
    ]


NEAR_TERM_LOGIC = "near-term profit and cash flow (seed 000: Hong Kong's reading)"
LONG_TERM_LOGIC = "FY2027 earnings, AI and cloud (seed 000, Goldman Sachs: foreign investors' reading)"


def two_logics(claims) -> pd.DataFrame:
    """The two valuation logics seed 000 describes, side by side, with the ledger figures each leans on.

    Seed 000 assigns the first to Hong Kong and the second to US and foreign money; that assignment is
    its interpretation (and Goldman Sachs'), not something the seeds' prices show: no seed gives a
    Hong Kong price. Either logic can be applied to the one price of the one stock.
    """
    hk = [
        ("Goldman Sachs: group EBITDA change, FY26Q3", "gs_group_ebitda_yoy_fq3_fy26"),
        ("Nomura: EBITA loss peak, FY26Q3", "nomura_ebita_loss_peak_fq3_fy26"),
        ("UBS: commerce loss, FY26Q3", "ubs_commerce_loss_fq3_fy26"),
        ("China commerce adjusted earnings change, FY26Q2", "china_commerce_adj_earnings_yoy_fq2_fy26_s004"),
        ("Free cash flow, FY26Q2", "group_free_cash_flow_fq2_fy26_s004"),
        ("Forward P/E", PE_FORWARD),
    ]
    us = [
        ("Cloud revenue growth, FY26Q2", "cloud_revenue_growth_fq2_fy26_s004"),
        ("AI-product revenue: triple-digit growth streak", "ai_revenue_triple_digit_streak_s000"),
        ("Goldman Sachs: capex forecast FY2026-28", "gs_capex_fy26_fy28"),
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
                row[side + " (claim)"] = cid
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
    implied = price_from_eps(eps_delivered_usd(p, claims), p.applied_pe)
    return {
        "upside_to_target_pct": upside_pct(now, claims.value(TARGET)),
        "stated_upside_gap_pp": claims.value(TARGET_UPSIDE_STATED) - upside_pct(now, claims.value(TARGET)),
        "hk_parity_price_hkd": hk_parity_price_hkd(now, p.usd_hkd, p.ordinary_shares_per_ads),
        "hk_premium_pct": hk_premium_pct(p.hk_price_hkd, now, p.usd_hkd, p.ordinary_shares_per_ads),
        "hstech_move_from_jan8_pp": index_move_pp(claims.value(MOVE_JAN8), p.hstech_weight_pct),
        "implied_price_usd": implied,
        "implied_price_vs_now_pct": upside_pct(now, implied),
        "target_pe_on_fy27_eps": pe_from_price(claims.value(TARGET), claims.value(EPS_FY27)),
        "high_52w_usd_from_eur": eur_to_usd(high_52w_eur(claims), p.eur_usd),
    }


def signposts(p, claims) -> pd.DataFrame:
    """What to watch, with the threshold that tells which valuation logic the US price follows.

    The first row is the one the book's summary shows: the forward-looking test of the two logics.
    """
    now = claims.value(PRICE_NOW)
    eps27 = claims.value(EPS_FY27)
    fwd_eps = eps_from_pe(now, claims.value(PE_FORWARD))
    resistance = claims.value(RESISTANCE)
    eur_close_usd = eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd)
    if eur_close_usd > resistance:
        cleared = (f"likely already cleared: seed 002's euro close of 13 Jan is USD {eur_close_usd:.1f} "
                   f"at eur_usd {p.eur_usd:g}")
        better = "the price holds above it: the January rally holds (base)"
    else:
        cleared = (f"not cleared by 13 Jan at eur_usd {p.eur_usd:g}: seed 002's euro close is USD "
                   f"{eur_close_usd:.1f}")
        better = "a close above it: the January rally carries on (base to bull)"
    rows = [
        {
            "signpost": "US price against FY2027 EPS at the S&P 500 multiple",
            "threshold": price_from_eps(eps27, claims.value(PE_SP500)), "unit": "USD per ADS",
            "if_better": "the market pays a market multiple for FY2027 earnings: the long-term logic wins (bull)",
            "if_worse": "the discount to the market persists: near-term earnings still set the price (base or bear)",
            "basis": f"{EPS_FY27}, {PE_SP500}",
        },
        {
            "signpost": f"FY2027 EPS forecast against the EPS the forward P/E implies at USD {now:g}",
            "threshold": fwd_eps, "unit": "USD per ADS",
            "if_better": f"the forecast holds above it: USD {now:g} pays less than the forward multiple for "
                         "FY2027 earnings, the recovery is still expected (bull)",
            "if_worse": "cut below it: even FY2027 earnings would cost more than the forward multiple at "
                        f"USD {now:g}, the recovery is gone from the forecast (bear)",
            "basis": f"{EPS_FY27}, {PRICE_NOW}, {PE_FORWARD}",
        },
        {
            "signpost": f"US price against seed 001's technical resistance ({cleared})",
            "threshold": resistance, "unit": "USD per ADS",
            "if_better": better,
            "if_worse": "a close back below it: the rally ran ahead of earnings (bear)",
            "basis": f"{RESISTANCE}, {EUR_CLOSE}, eur_usd",
        },
        {
            "signpost": f"Hong Kong close against parity with the same day's US close (threshold: parity with "
                        f"USD {now:g})",
            "threshold": hk_parity_price_hkd(now, p.usd_hkd, p.ordinary_shares_per_ads),
            "unit": "HKD per share",
            "if_better": "within dealing costs and the time-zone lag of parity: one stock, one price (no scenario "
                         "signal); a premium beyond costs is buying concentrated in Hong Kong, a flow signal",
            "if_worse": "a discount beyond costs: selling concentrated in Hong Kong, a flow signal that ADS "
                        "conversion arbitrage should close, not a lasting Hong Kong pricing of the loss bill",
            "basis": f"{PRICE_NOW}, usd_hkd, ordinary_shares_per_ads, hk_price_hkd",
        },
    ]
    return pd.DataFrame(rows, columns=["signpost", "threshold", "unit", "if_better", "if_worse", "basis"])


# --- charts (the notebook shows them with style.show) ----------------------------------------

def timeline_figure(points: pd.DataFrame, target_usd: float, title: str, source: str):
    """The dollar price points in date order, the average target and any undated level as lines.

    ``points`` is :func:`price_points`. Dated points are evenly spaced in date order (the tick label
    gives the date): the seeds give a handful of prices months apart, and the path between them is
    not known, so a true time axis would only crowd the January points together. A row without a
    plotting date (the implied 52-week high) is drawn as a horizontal line, the average target too.
    """
    from alibaba_report.charts import style

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
    ax.annotate(f"average analyst target, USD {target_usd:.0f} (seed 004)", (-0.4, target_usd),
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


def index_effect_figure(moves: pd.DataFrame, weight_pct: float, title: str, source: str):
    """The index move caused by an Alibaba move at ``weight_pct``, the seeds' moves marked."""
    import numpy as np

    from alibaba_report.charts import style

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
    ax.legend(loc="lower right", fontsize=8, title="the seeds' moves [listing, seed]", title_fontsize=8)
    return style.finish(fig, title, source)


def multiples_figure(table: pd.DataFrame, markers: list[tuple[str, float]], title: str, source: str):
    """What the FY2027 EPS forecast is worth at each multiple, against the quoted prices and target."""
    from alibaba_report.charts import style

    fig, ax = style.figure()
    fig.set_size_inches(8.0, 5.2)
    rows = table.reset_index(drop=True)
    ys = range(len(rows))
    for i, row in rows.iterrows():
        run = "applied_pe" in row["basis"]  # this run's reading: dark blue and hatched, the quoted ones plain
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


# Reference lines of the multiples chart, told apart by colour and line style (not only colour).
REFERENCE_LINE_STYLES = [
    {"color": "#000000", "linestyle": "-"},
    {"color": "#D55E00", "linestyle": "--"},
    {"color": "#CC79A7", "linestyle": "-."},
]


def _words_vs(gap_pct: float, digits: int = 1) -> str:
    """'12.8% above' / '3.0% below' for a signed percentage gap."""
    return f"{abs(gap_pct):.{digits}f}% {'above' if gap_pct >= 0 else 'below'}"


def page_figures(p, claims) -> dict:
    """Every number and verdict the page's prose quotes, by the name the page glues it under.

    Ledger figures come in under their own names (so the prose never types a seed's number); the
    rest are computations of them and of the parameters ``p``. Values are plain floats or short
    strings (the words that change with the numbers: "above"/"below", "holds"/"does not hold").
    """
    v = claims.value
    now, target, eps27 = v(PRICE_NOW), v(TARGET), v(EPS_FY27)
    k = key_outputs(p, claims)
    moves = index_effect_of_seed_moves(p, claims)
    eur_close_usd = eur_to_usd(v(EUR_CLOSE), p.eur_usd)
    fwd_eps = eps_from_pe(now, v(PE_FORWARD))
    eps_base_stated = base_from_growth(eps27, v(EPS_GROWTH))
    prem = k["hk_premium_pct"]
    at_parity = abs(prem) < 0.005
    f: dict = {name: v(cid) for name, cid in {
        "price_now": PRICE_NOW, "target_usd": TARGET, "upside_stated": TARGET_UPSIDE_STATED,
        "oct_high": OCT_HIGH, "gain_2025": GAIN_2025, "pe_fwd": PE_FORWARD, "pe_001": PE_001,
        "pe_amzn": PE_AMAZON, "pe_sp": PE_SP500, "eps27": EPS_FY27, "eps_growth_stated": EPS_GROWTH,
        "upside_001": UPSIDE_001, "resistance": RESISTANCE, "eur_close": EUR_CLOSE, "weight": WEIGHT,
        "n_analysts": ANALYSTS, "n_buy": BUYS, "move_jan8": MOVE_JAN8, "move_003": MOVE_003,
        "move_001": MOVE_001, "move_week_002": MOVE_WEEK_002,
    }.items()}
    f.update({
        "drawdown_stated": -v(DRAWDOWN),
        "eur_below_high": -v(EUR_BELOW_HIGH),
        # parameters, for the prose
        "usd_hkd": p.usd_hkd, "eur_usd": p.eur_usd, "ordinary_shares_per_ads": p.ordinary_shares_per_ads,
        "hk_price_hkd": p.hk_price_hkd, "hstech_weight_pct": p.hstech_weight_pct,
        "applied_pe": p.applied_pe, "eps_delivery_pct": p.eps_delivery_pct,
        # price points and the timeline
        "start_2025": start_of_2025_price_usd(claims),
        "eur_close_usd": eur_close_usd,
        "rebound_pct": upside_pct(now, eur_close_usd),
        "eur_usd_above_resistance": v(RESISTANCE) / v(EUR_CLOSE),
        "eur_vs_resistance_text": "above" if eur_close_usd > v(RESISTANCE) else "below",
        "high_52w_eur": high_52w_eur(claims),
        "high_52w_usd": k["high_52w_usd_from_eur"],
        "high_vs_oct_pct": upside_pct(v(OCT_HIGH), k["high_52w_usd_from_eur"]),
        # parity
        "hk_parity": k["hk_parity_price_hkd"],
        "hk_premium": prem,
        "hk_premium_text": "at" if at_parity else _words_vs(prem),
        "hk_premium_origin": "a parity set by assumption, not observed" if at_parity
        else "a gap set by assumption (parameter hk_price_hkd), not a quote",
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
        "implied_price": k["implied_price_usd"],
        "implied_vs_now_text": _words_vs(k["implied_price_vs_now_pct"]),
        "eps_delivered": eps_delivered_usd(p, claims),
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
    for name, check in zip(("check_upside", "check_drawdown", "check_eps", "check_high"), checks(p, claims)):
        f[name] = "holds" if check.holds else "does not hold"
    return f
