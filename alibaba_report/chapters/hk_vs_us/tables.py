"""The pricing chapter's tables: the checks of the sources' figures, the price points, the index
moves, the multiples, the two valuation logics and the chapter's own claims (pandas DataFrames)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from alibaba_report.chapters.contract import check_number
from alibaba_report.chapters.hk_vs_us.model import (
    BUYS, CHAPTER_CLAIMS, CLAIMS, DRAWDOWN, EPS_FY27, EPS_GROWTH, EUR_BELOW_HIGH, EUR_CLOSE, GAIN_2025, MOVES,
    NTM_SHARE_OF_FY26, OCT_HIGH, PE_001, PE_AMAZON, PE_FORWARD, PE_SP500, PRICE_NOW, RESISTANCE,
    ROUND_MULTIPLE_TOLERANCE_X, ROUND_PCT_TOLERANCE_PP, SAME_LEVEL_TOLERANCE_PCT, TARGET, TARGET_UPSIDE_STATED,
    UPSIDE_001, change_pct, drawdown_pct, eps_from_pe, eps_fy26_if_growth_base, eur_to_usd, high_52w_eur,
    hk_parity_price_hkd, index_move_pp, ntm_eps_if_growth_base, pe_from_price, price_from_eps,
    start_of_2025_price_usd, target_from_upside, upside_pct,
)

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


def reference_prices(p, claims) -> list[tuple[str, float]]:
    """The prices the multiples chart draws as lines: 4 January, the 13 January euro close, the target."""
    return [("4 Jan price", claims.value(PRICE_NOW)),
            ("13 Jan, euro close", eur_to_usd(claims.value(EUR_CLOSE), p.eur_usd)),
            ("average target", claims.value(TARGET))]


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
