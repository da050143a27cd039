"""The numbers of Hong Kong versus US pricing: parity, index weight and the arithmetic of the
quoted valuation, each a plain function of numbers (no I/O), and the page's model. No sentences here."""
from __future__ import annotations

from alibaba_report.chapters.contract import check_number

NOTEBOOK = "hk_vs_us"


# --- parity between the two listings ---------------------------------------------------------

def hk_parity_price_hkd(us_price_usd: float, usd_hkd: float, ordinary_shares_per_ads: int) -> float:
    """The Hong Kong price (HKD per ordinary share) equal in value to a US price (USD per ADS).

    One ADS holds ``ordinary_shares_per_ads`` ordinary shares: HKD price = USD price x USD/HKD / ratio.
    """
    usd = check_number("us_price_usd", us_price_usd, low=0, low_open=True)
    fx = check_number("usd_hkd", usd_hkd, low=0, low_open=True)
    return usd * fx / check_number("ordinary_shares_per_ads", ordinary_shares_per_ads, low=0, low_open=True)


def us_parity_price_usd(hk_price_hkd: float, usd_hkd: float, ordinary_shares_per_ads: int) -> float:
    """The US price (USD per ADS) equal in value to a Hong Kong price (HKD per ordinary share)."""
    hkd = check_number("hk_price_hkd", hk_price_hkd, low=0, low_open=True)
    ratio = check_number("ordinary_shares_per_ads", ordinary_shares_per_ads, low=0, low_open=True)
    return hkd * ratio / check_number("usd_hkd", usd_hkd, low=0, low_open=True)


def hk_premium_pct(hk_price_hkd: float, us_price_usd: float, usd_hkd: float, ordinary_shares_per_ads: int) -> float:
    """How far the Hong Kong price is above (+) or below (-) parity with the US price, in percent."""
    parity = hk_parity_price_hkd(us_price_usd, usd_hkd, ordinary_shares_per_ads)
    return (check_number("hk_price_hkd", hk_price_hkd, low=0, low_open=True) / parity - 1.0) * 100.0


def eur_to_usd(price_eur: float, eur_usd: float) -> float:
    """A euro price in US dollars at ``eur_usd`` (USD per EUR)."""
    eur = check_number("price_eur", price_eur, low=0, low_open=True)
    return eur * check_number("eur_usd", eur_usd, low=0, low_open=True)


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
    return (check_number("target", target, low=0, low_open=True) / check_number("price", price, low=0, low_open=True) - 1.0) * 100.0


def target_from_upside(price: float, upside: float) -> float:
    """The target that stands ``upside`` percent above ``price``."""
    u = check_number("upside", upside, low=-100, low_open=True, unit="%")
    return check_number("price", price, low=0, low_open=True) * (1.0 + u / 100.0)


def price_from_upside(target: float, upside: float) -> float:
    """The price from which ``target`` is ``upside`` percent away."""
    u = check_number("upside", upside, low=-100, low_open=True, unit="%")
    return check_number("target", target, low=0, low_open=True) / (1.0 + u / 100.0)


def eps_from_pe(price: float, pe: float) -> float:
    """The earnings per share a price-to-earnings multiple implies: price / P/E."""
    return check_number("price", price, low=0, low_open=True) / check_number("pe", pe, low=0, low_open=True)


def price_from_eps(eps: float, pe: float) -> float:
    """The price earnings per share are worth at a multiple: EPS x P/E."""
    return check_number("eps", eps, low=0, low_open=True) * check_number("pe", pe, low=0, low_open=True)


def pe_from_price(price: float, eps: float) -> float:
    """The multiple a price pays for earnings per share: price / EPS."""
    return check_number("price", price, low=0, low_open=True) / check_number("eps", eps, low=0, low_open=True)


def change_pct(new: float, old: float) -> float:
    """The relative change (percent) from ``old`` to ``new``."""
    return (check_number("new", new, low=0, low_open=True) / check_number("old", old, low=0, low_open=True) - 1.0) * 100.0


def base_from_growth(new: float, growth: float) -> float:
    """The starting value that grows by ``growth`` percent to ``new``."""
    return price_from_upside(new, growth)


def high_from_distance(price: float, below_pct: float) -> float:
    """The high a price stands ``below_pct`` percent below: price / (1 - below/100)."""
    b = check_number("below_pct", below_pct, low=0, high=100, high_open=True, unit="%")
    return check_number("price", price, low=0, low_open=True) / (1.0 - b / 100.0)


def drawdown_pct(price: float, high: float) -> float:
    """How far ``price`` stands below ``high``, in percent (positive when below)."""
    return -upside_pct(high, price)


def ntm_eps(eps_this_fy: float, eps_next_fy: float, share_of_this_fy: float) -> float:
    """Next-twelve-months EPS: the time-weighted blend of this fiscal year's EPS and the next's.

    A forward P/E is usually paid on the twelve months ahead; ``share_of_this_fy`` (0 to 1) is the
    part of those twelve months that still falls in the current fiscal year.
    """
    w = check_number("share_of_this_fy", share_of_this_fy, low=0, high=1)
    this_fy = check_number("eps_this_fy", eps_this_fy, low=0, low_open=True)
    return w * this_fy + (1.0 - w) * check_number("eps_next_fy", eps_next_fy, low=0, low_open=True)


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


# The ledger figures the page's prose quotes, by the name the page glues them under.
PAGE_CLAIMS = {
    "price_now": PRICE_NOW, "target_usd": TARGET, "upside_stated": TARGET_UPSIDE_STATED,
    "oct_high": OCT_HIGH, "gain_2025": GAIN_2025, "pe_fwd": PE_FORWARD, "pe_001": PE_001,
    "pe_amzn": PE_AMAZON, "pe_sp": PE_SP500, "eps27": EPS_FY27, "eps_growth_stated": EPS_GROWTH,
    "upside_001": UPSIDE_001, "resistance": RESISTANCE, "eur_close": EUR_CLOSE, "weight": WEIGHT,
    "n_analysts": ANALYSTS, "n_buy": BUYS, "move_jan8": MOVE_JAN8, "move_003": CLAIMS["move_003"],
    "move_001": CLAIMS["move_001"], "move_week_002": CLAIMS["move_week_002"],
}


def page_figures(p, claims) -> dict[str, float]:
    """Every number the page's prose quotes, by the name the page glues it under.

    Ledger figures come in under their own names (so the prose never types a source's number); the
    rest are computations of them and of the parameters ``p``. Values are plain numbers; the words
    that change with them ("above"/"below", "holds"/"does not hold") are in the text module's ``prose``.
    """
    k = key_outputs(p, claims)
    return {
        **{name: claims.value(cid) for name, cid in PAGE_CLAIMS.items()},
        "drawdown_stated": -claims.value(DRAWDOWN),
        "eur_below_high": -claims.value(EUR_BELOW_HIGH),
        # parameters, for the prose
        "usd_hkd": p.usd_hkd, "eur_usd": p.eur_usd, "ordinary_shares_per_ads": p.ordinary_shares_per_ads,
        "hk_price_hkd": p.hk_price_hkd, "hstech_weight_pct": p.hstech_weight_pct,
        **price_figures(p, claims, k),
        **index_figures(p, claims, k),
        **valuation_figures(p, claims, k),
        # checks
        "drawdown_computed": drawdown_pct(claims.value(PRICE_NOW), claims.value(OCT_HIGH)),
        "round_tol": ROUND_PCT_TOLERANCE_PP,
        "same_level_tol": SAME_LEVEL_TOLERANCE_PCT,
    }


def price_figures(p, claims, k: dict) -> dict[str, float]:
    """The price points and the timeline, and parity (``k``: :func:`key_outputs`)."""
    v = claims.value
    eur_close_usd = eur_to_usd(v(EUR_CLOSE), p.eur_usd)
    return {
        "start_2025": start_of_2025_price_usd(claims),
        "eur_close_usd": eur_close_usd,
        "rebound_pct": upside_pct(v(PRICE_NOW), eur_close_usd),
        "eur_usd_above_resistance": v(RESISTANCE) / v(EUR_CLOSE),
        "high_52w_eur": high_52w_eur(claims),
        "high_52w_usd": k["high_52w_usd_from_eur"],
        "high_vs_oct_pct": upside_pct(v(OCT_HIGH), k["high_52w_usd_from_eur"]),
        "hk_parity": k["hk_parity_price_hkd"],
        "hk_premium": k["hk_premium_pct"],
    }


def index_figures(p, claims, k: dict) -> dict[str, float]:
    """The index effect of the sources' moves at the assumed weight (``k``: :func:`key_outputs`)."""
    from alibaba_report.chapters.hk_vs_us.tables import index_effect_of_seed_moves

    moves = index_effect_of_seed_moves(p, claims)
    return {
        "move_min": float(moves["Alibaba move (%)"].min()),
        "move_max": float(moves["Alibaba move (%)"].max()),
        "index_min": float(moves["Hang Seng Tech move caused (%)"].min()),
        "index_max": float(moves["Hang Seng Tech move caused (%)"].max()),
        "index_jan8": k["hstech_move_from_jan8_pp"],
        "move_for_1pp": stock_move_for_index_move(1.0, p.hstech_weight_pct) if p.hstech_weight_pct > 0
        else float("inf"),
    }


def valuation_figures(p, claims, k: dict) -> dict[str, float]:
    """The arithmetic of the quoted multiples, targets and upsides (``k``: :func:`key_outputs`)."""
    v = claims.value
    now, target, eps27 = v(PRICE_NOW), v(TARGET), v(EPS_FY27)
    fwd_eps = eps_from_pe(now, v(PE_FORWARD))
    eps_base_stated = base_from_growth(eps27, v(EPS_GROWTH))
    eur_close_usd = eur_to_usd(v(EUR_CLOSE), p.eur_usd)
    return {
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
        **{f"price_{name}": price_from_eps(eps27, v(cid)) for name, cid in
           (("pe001", PE_001), ("pe_fwd", PE_FORWARD), ("pe_sp", PE_SP500), ("pe_amzn", PE_AMAZON))},
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
    }

# --- the page's model ----------------------------------------------------------------------------


def compute(p, claims) -> dict:
    """The chapter's model under parameters ``p``: every number and table the page shows.

    ``figures`` are the numbers the prose quotes (:func:`page_figures`); the rest are the page's
    tables, in the order it shows them (``price_points`` is also the price chart's data,
    ``index_moves`` the index chart's, ``multiples`` the multiples chart's).
    """
    from alibaba_report.chapters.hk_vs_us.tables import (
        checks, checks_table, implied_eps_table, index_effect_of_seed_moves, multiples_table, price_points,
        price_points_for_reading, two_logics, upside_001_table,
    )

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

