"""The "AI Plus Manufacturing" policy catalyst: what the rally priced in, and what the plan must bring.

The question is one of scale. The single session credited to the plan added a market value that can
be computed (market value before the session × the session's move). The plan can only justify that
value through the cloud business it brings Alibaba: factories adopting × yearly cloud and AI spend per
factory × Alibaba's share × the margin on it × the multiple the market pays for profit. Setting the two equal gives the
yearly spend per factory the rally implicitly assumes (the break-even), which a reader can hold
against what a factory plausibly spends.

The module follows the chapter contract (:mod:`alibaba_report.chapters.contract`): ``CLAIMS``,
``compute``, ``key_outputs``, ``signposts``, ``prose`` and the chart functions; the notebook only
glues and shows what they return. Units are in the names: ``_usd_bn`` US dollars, billions;
``_rmb_m`` renminbi, millions; ``_pct`` per cent (9 means 9%).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from alibaba_report import params
from alibaba_report.chapters import cloud_ai, contract, hk_vs_us
from alibaba_report.chapters.contract import ModelInputError, check_number
from alibaba_report.charts import style
from alibaba_report.evidence import disagreements
from alibaba_report.evidence.ledger import seed_label

NB = "policy_catalyst"

# The ledger claims this chapter reads, by the role they play.
CLAIMS = {
    "session_gain_pct": "overseas_shares_session_gain_s002",  # "more than 9% in a single session"
    "surge_ai_pct": "us_shares_surge_s001",  # "Alibaba's 10% surge" (AI-written; period not stated)
    "week_gain_pct": "overseas_shares_week_gain_s002",  # "approximately 15% over one week"
    "rally_start": "us_shares_rally_start_s001",  # "steady gains since January 9" (AI-written)
    "factories": "ai_manufacturing_factories_s001",  # "will compel over 50,000 factories" (AI-written)
    "exec_share_target_pct": "exec_ai_cloud_incremental_share_target_s002",  # ~80% of incremental AI cloud
    "close_eur": "overseas_shares_close_s002",  # EUR 145.80 on 13 Jan
    "below_high_pct": "overseas_shares_below_52w_high_s002",  # nearly 10% below the 52-week high
    "us_gain_jan8_pct": "us_shares_daily_gain_s000",  # US shares up more than 5%, 8 Jan dateline
    "price_jan4_usd": "us_share_price_s004",  # near USD 152
    "oct_high_usd": "us_shares_oct_high_s004",  # around USD 192
    "resistance_usd": "resistance_level_s001",  # USD 163.43 (AI-written)
    "upside_ai_pct": "consensus_target_upside_s001",  # roughly 18% upside (AI-written; target lost)
    "pe_ai": "pe_ratio_s001",  # P/E near 19 (AI-written)
    "pe_forward": "pe_forward_s004",  # forward P/E roughly 20
    "cloud_revenue_q_usd_bn": "cloud_revenue_fq2_fy26_s004",  # USD 5.59bn in the quarter
    "cloud_ebitda_q_usd_m": "cloud_ebitda_fq2_fy26_s004",  # USD 506m in the quarter
    "cloud_growth_pct": "cloud_revenue_growth_fq2_fy26_s004",  # 34%
    "spike_after_call_pct": "shares_spike_after_call_s003",  # "an 8% spike after a euphoric call" (undated)
    "meitu_bond_date": "meitu_bond_issue_date_s004",  # 3 Jan 2026
    "buy_ratings": "analysts_buy_s004",  # 16 ...
    "analysts": "analysts_covering_s004",  # ... of 17
}

# --- the model -------------------------------------------------------------------------------


def _above_minus_100(name: str, value: float) -> float:
    return check_number(name, value, low=-100, low_open=True, unit="%")


def _share(name: str, value: float, allow_zero: bool = True) -> float:
    return check_number(name, value, low=0, high=100, low_open=not allow_zero, unit="%")


def _positive(name: str, value: float, unit: str = "") -> float:
    return check_number(name, value, low=0, low_open=True, unit=unit)


def value_added_usd_bn(market_value_before_usd_bn: float, move_pct: float) -> float:
    """Market value a move of ``move_pct`` per cent adds to a company worth ``market_value_before_usd_bn``."""
    mv = _positive("market_value_before_usd_bn", market_value_before_usd_bn, "USD bn")
    return mv * _above_minus_100("move_pct", move_pct) / 100


def week_value_added_usd_bn(market_value_before_usd_bn: float, move_pct: float, week_gain_pct: float) -> float:
    """Market value the whole week's gain added, when the week ends with the session's move.

    The value after the session is ``market_value_before × (1 + move)``; the week's start value is
    that divided by ``1 + week_gain``; the difference is what the week added. It assumes the week's
    gain runs to (at least) the session of the move, which the sources do not state.
    """
    week = _above_minus_100("week_gain_pct", week_gain_pct)
    after = market_value_before_usd_bn + value_added_usd_bn(market_value_before_usd_bn, move_pct)
    return after * (week / 100) / (1 + week / 100)


def compound_pct(*moves_pct: float) -> float:
    """The combined move of successive moves, in per cent: 5% then 9% is 14.45%."""
    total = 1.0
    for m in moves_pct:
        total *= 1 + _above_minus_100("each move", m) / 100
    return 100 * (total - 1)


def factory_spend_usd_bn(factories: float, spend_per_factory_rmb_m: float, usd_rmb: float) -> float:
    """Yearly cloud and AI spend of all adopting factories, converted to USD billions at ``usd_rmb``."""
    n = check_number("factories", factories, low=0, unit="factories")
    spend = check_number("spend_per_factory_rmb_m", spend_per_factory_rmb_m, low=0, unit="RMB m a year")
    return n * spend / _positive("usd_rmb", usd_rmb, "RMB per USD") / 1_000  # RMB m -> USD m -> USD bn


def plan_revenue_usd_bn(factories: float, spend_per_factory_rmb_m: float, usd_rmb: float, share_pct: float) -> float:
    """Yearly revenue the plan brings Alibaba: the factories' spend times Alibaba's share of it."""
    share = _share("share_pct", share_pct)
    return factory_spend_usd_bn(factories, spend_per_factory_rmb_m, usd_rmb) * share / 100


def after_tax(margin_pct: float, tax_rate_pct: float) -> float:
    """The share of revenue left as profit after tax, in percent: a pre-tax margin times (1 - tax).

    A P/E multiple prices profit after tax, so it applies to this, not to the pre-tax margin."""
    tax = check_number("tax_rate_pct", tax_rate_pct, low=0, high=100, high_open=True, unit="%")
    return margin_pct * (1 - tax / 100)


def plan_value_usd_bn(factories: float, spend_per_factory_rmb_m: float, usd_rmb: float, share_pct: float,
                      margin_pct: float, profit_multiple: float, *, tax_rate_pct: float) -> float:
    """Market value of the plan's business to Alibaba: yearly revenue × margin after tax × P/E.

    A steady-state value: it credits the full yearly spend at once, with no ramp-up and no delay,
    which flatters the plan (a reader who expects a slow ramp should read it as an upper bound).
    """
    margin = _share("margin_pct", margin_pct)
    multiple = _positive("profit_multiple", profit_multiple, "x yearly profit")
    revenue = plan_revenue_usd_bn(factories, spend_per_factory_rmb_m, usd_rmb, share_pct)
    return revenue * after_tax(margin, tax_rate_pct) / 100 * multiple


def required_revenue_usd_bn(value_usd_bn: float, margin_pct: float, profit_multiple: float, *,
                            tax_rate_pct: float) -> float:
    """Yearly revenue that, at ``margin_pct`` (pre-tax), taxed, and ``profit_multiple``, is worth ``value_usd_bn``."""
    value = check_number("value_usd_bn", value_usd_bn, unit="USD bn")
    margin = _share("margin_pct", margin_pct, allow_zero=False)
    return value / (after_tax(margin, tax_rate_pct) / 100 * _positive("profit_multiple", profit_multiple, "x yearly profit"))


def break_even_spend_rmb_m(value_usd_bn: float, factories: float, usd_rmb: float, share_pct: float,
                           margin_pct: float, profit_multiple: float, *, tax_rate_pct: float) -> float:
    """Yearly cloud and AI spend per factory (RMB m) at which the plan is worth ``value_usd_bn``.

    The inverse of :func:`plan_value_usd_bn` in the spend per factory.
    """
    n = _positive("factories", factories, "factories")
    fx = _positive("usd_rmb", usd_rmb, "RMB per USD")
    share = _share("share_pct", share_pct, allow_zero=False)
    revenue = required_revenue_usd_bn(value_usd_bn, margin_pct, profit_multiple, tax_rate_pct=tax_rate_pct)
    return revenue / (share / 100) * 1_000 * fx / n


def break_even_factories(value_usd_bn: float, spend_per_factory_rmb_m: float, usd_rmb: float, share_pct: float,
                         margin_pct: float, profit_multiple: float, *, tax_rate_pct: float) -> float:
    """Factories that must adopt, each spending ``spend_per_factory_rmb_m`` a year, for the plan to be worth ``value_usd_bn``."""
    spend = _positive("spend_per_factory_rmb_m", spend_per_factory_rmb_m, "RMB m a year")
    fx = _positive("usd_rmb", usd_rmb, "RMB per USD")
    share = _share("share_pct", share_pct, allow_zero=False)
    revenue = required_revenue_usd_bn(value_usd_bn, margin_pct, profit_multiple, tax_rate_pct=tax_rate_pct)
    return revenue / (share / 100) * 1_000 * fx / spend


def sensitivity(factories_grid: Sequence[float], spend_grid_rmb_m: Sequence[float], value_added: float,
                usd_rmb: float, share_pct: float, margin_pct: float, profit_multiple: float, *,
                tax_rate_pct: float) -> pd.DataFrame:
    """Plan value as a per cent of the value the move added, over factories × spend per factory.

    Rows: factories adopting; columns: yearly spend per factory (RMB m). 100 means the plan alone
    justifies the move; below 100, the rally priced in more than the plan brings.
    """
    added = _positive("value_added", value_added, "USD bn")
    if not len(factories_grid) or not len(spend_grid_rmb_m):
        raise ModelInputError("the sensitivity grids of factories and of spend per factory must not be empty")
    rows = {f: [100 * plan_value_usd_bn(f, s, usd_rmb, share_pct, margin_pct, profit_multiple, tax_rate_pct=tax_rate_pct) / added
                for s in spend_grid_rmb_m] for f in factories_grid}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(spend_grid_rmb_m))
    table.index.name = "factories adopting"
    table.columns.name = "yearly spend per factory, RMB m"
    return table


def grid_around(value: float, factors: Iterable[float] = (0.2, 0.5, 1, 2, 5)) -> list[float]:
    """A grid of ``value`` times each factor, sorted and without duplicates (for sensitivity tables)."""
    v = _positive("value", value)
    return sorted({v * f for f in factors})


# --- shared arithmetic: the cloud segment (cloud chapter) and prices (Hong Kong vs US chapter) ---


def cloud_run_rate_usd_bn(p, claims) -> float:
    """Alibaba Cloud's latest quarterly revenue (boerse-global.de, 4 January) times four, in USD bn.

    The cloud chapter's run-rate (RMB bn at ``p.usd_rmb``) taken back into dollars.
    """
    q = claims.value(CLAIMS["cloud_revenue_q_usd_bn"])
    return cloud_ai.annual_run_rate_rmb_bn(q, p.usd_rmb) / p.usd_rmb


def cloud_margin_pct(claims) -> float:
    """Alibaba Cloud's segment profit over revenue in the latest quarter (boerse-global.de, 4 January), per cent.

    The profit is the figure boerse-global.de (4 January) calls EBITDA; Alibaba reports its segments' profit as adjusted
    EBITA, which is struck after depreciation. The page says so and does not call it pre-depreciation.
    """
    return cloud_ai.margin_pct(claims.value(CLAIMS["cloud_ebitda_q_usd_m"]),
                               1_000 * claims.value(CLAIMS["cloud_revenue_q_usd_bn"]))


def price_points(p, claims) -> pd.DataFrame:
    """Every share price the sources give around the event, in the source's currency and in USD.

    The euro close and the 52-week high it implies are converted at ``p.eur_usd`` with the Hong Kong
    versus US chapter's arithmetic; the sources name neither the euro venue nor the listing behind the
    9% session, so a USD equivalent is approximate.
    """
    c = {k: claims.value(CLAIMS[k]) for k in ("price_jan4_usd", "oct_high_usd", "resistance_usd", "close_eur")}
    high_eur = hk_vs_us.high_52w_eur(claims)
    rows = [
        ("Oct 2025", "October high, US shares", c["oct_high_usd"], "USD", c["oct_high_usd"], CLAIMS["oct_high_usd"]),
        ("Sun 04 Jan", "US shares, as of boerse-global.de's dateline (a Sunday: an earlier session's price)",
         c["price_jan4_usd"], "USD", c["price_jan4_usd"], CLAIMS["price_jan4_usd"]),
        ("week of 12 Jan", "technical resistance the stock 'hit' (AI-written)", c["resistance_usd"], "USD",
         c["resistance_usd"], CLAIMS["resistance_usd"]),
        ("Tue 13 Jan", "close, venue not named", c["close_eur"], "EUR", hk_vs_us.eur_to_usd(c["close_eur"], p.eur_usd),
         CLAIMS["close_eur"]),
        ("52 weeks to 13 Jan", "52-week high implied by 'nearly 10% below' it", high_eur, "EUR",
         hk_vs_us.eur_to_usd(high_eur, p.eur_usd), f"{CLAIMS['close_eur']}, {CLAIMS['below_high_pct']}"),
    ]
    out = pd.DataFrame(rows, columns=["date", "price", "as given", "currency", "in USD", "claims"])
    out["claims"] = out["claims"].map(claims.seeds_of)  # where each price comes from, in reader words
    return out.rename(columns={"claims": "source"})


# --- the evidence: seeds, timeline and reliability -------------------------------------------

AI_SOURCE_KIND = "text written by an AI agent"


def seed_labels(claims) -> dict[str, str]:
    """Claim id -> seed number ("001") for every claim of the ledger."""
    return {cid: seed_label(c.seed) for cid, c in claims.claims.items()}


def ai_written_seeds(sources: pd.DataFrame) -> set[str]:
    """Seed numbers whose source register kind is 'text written by an AI agent'."""
    return {seed_label(s) for s in sources.loc[sources["kind"] == AI_SOURCE_KIND, "seed"]}


def undated_seeds(sources: pd.DataFrame) -> set[str]:
    """Seed numbers the source register gives no date for."""
    return {seed_label(s) for s in sources.loc[sources["date"].eq("undated"), "seed"]}


def datelines(sources: pd.DataFrame) -> dict[str, date]:
    """Seed number -> the source's dateline, for every dated source."""
    return {seed_label(r.seed): date.fromisoformat(r.date) for r in sources.itertuples() if r.date != "undated"}


@dataclass(frozen=True)
class Event:
    """One event of the timeline, with what places it: claim ids, or seeds for what no claim holds.

    ``day`` is None when the sources do not date it; ``latest`` is then the last day it can have
    happened on, if the sources bound it (drawn as a window ending that day).
    """

    day: date | None
    lane: str  # "article" (a source is published), "market" (a price move), "company and policy"
    label: str
    dating: str  # how the sources pin the date down, in words
    claim_ids: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()  # seed numbers for statements the ledger (figures only) does not hold
    earliest: date | None = None
    latest: date | None = None


def event_seeds(ev: Event, seed_of: dict[str, str]) -> list[str]:
    missing = [c for c in ev.claim_ids if c not in seed_of]
    if missing:
        raise KeyError(f"timeline event {ev.label!r}: unknown claim id(s) {', '.join(missing)}")
    return sorted({seed_of[c] for c in ev.claim_ids} | set(ev.seeds))


def timeline_frame(events: Sequence[Event], seed_of: dict[str, str]) -> pd.DataFrame:
    """The timeline as a table: date (or the window the sources allow), kind, event, seeds, claims."""
    rows = []

    def when(ev: Event) -> str:
        if ev.day:
            return ev.day.strftime("%a %d %b")
        if ev.earliest and ev.latest:
            return f"between {ev.earliest:%d} and {ev.latest:%d %b}"
        if ev.latest:
            return f"by {ev.latest:%a %d %b}"
        return "not dated"

    # windows sort before the dated events of the day they end on; undated events go last
    key = lambda e: (e.day or e.latest or date.max, e.day is not None)
    for ev in sorted(events, key=key):
        rows.append(
            {
                "date (2026)": when(ev),
                "kind": ev.lane,
                "event": ev.label,
                "seeds": ", ".join(event_seeds(ev, seed_of)),
                "claims": ", ".join(ev.claim_ids) or ("(dateline)" if ev.lane == "article" else "(words, no figure)"),
                "how the date is known": ev.dating,
            }
        )
    return pd.DataFrame(rows)


def timeline_events(claims, sources: pd.DataFrame) -> list[Event]:
    """The days the sources cover, each event with the claims or seeds that place it."""
    dated = datelines(sources)
    c = {k: claims.get(v) for k, v in CLAIMS.items()}
    by_001 = dated["001"]
    bond_day = c["meitu_bond_date"].date
    weekend = lambda d: f", a {d:%A}" if d.weekday() >= 5 else ""
    ev = [
        Event(bond_day, "company and policy", "Meitu convertible bond issued (boerse-global.de's date)",
              f"stated by boerse-global.de (4 January) as {bond_day:%-d %B %Y}{weekend(bond_day)}; the Meitu chapter doubts the date",
              (CLAIMS["meitu_bond_date"],)),
        Event(dated["004"], "article", "boerse-global.de (4 January) published", "dateline of boerse-global.de (4 January)", seeds=("004",)),
        Event(dated["004"], "market",
              f"US shares near USD {c['price_jan4_usd'].value:.0f}, as of boerse-global.de's dateline",
              f"boerse-global.de's 'current trading level', as of its dateline{weekend(dated['004'])}"
              + (" (no trading that day: the price of an earlier session the source does not name)"
                 if dated["004"].weekday() >= 5 else ""),
              (CLAIMS["price_jan4_usd"],)),
        Event(dated["000"], "article", "the 8 January article published", "dateline of the 8 January article", seeds=("000",)),
        Event(dated["000"], "market",
              f"US shares closed more than {c['us_gain_jan8_pct'].value:.0f}% up; Hong Kong weak",
              "the latest US session before or on the 8 January article's dateline (the article: the US "
              "stock 'closed with a rare gain'; it does not name the session)",
              (CLAIMS["us_gain_jan8_pct"],)),
        Event(c["rally_start"].date, "market", "\"steady gains since January 9\" begin",
              "stated only by AInvest (AI-written)", (CLAIMS["rally_start"],)),
        Event(None, "company and policy", "MIIT announces the \"AI Plus Manufacturing\" plan",
              f"no source dates it: AInvest (12 January) reports it on {by_001:%-d %B}, the 14 January article says the session followed it",
              seeds=("001", "002"), latest=by_001),
        Event(None, "market",
              f"the session: more than {c['session_gain_pct'].value:.0f}% (the 14 January article); "
              f"\"{c['surge_ai_pct'].value:.0f}% surge\", period not stated (AInvest)",
              f"after the announcement (the 14 January article) and after gains began on {c['rally_start'].date:%-d %B} "
              f"(AInvest); reported by AInvest on {by_001:%-d %B}, so between {c['rally_start'].date:%a %-d} and {by_001:%a %-d %B}; no source "
              "names the session",
              (CLAIMS["session_gain_pct"], CLAIMS["surge_ai_pct"]), earliest=c["rally_start"].date, latest=by_001),
        Event(by_001, "article", "AInvest (12 January) published (AI-written)", "dateline of AInvest (12 January), 9:12 pm ET", seeds=("001",)),
        Event(date.fromisoformat(c["close_eur"].period), "market",
              f"close EUR {c['close_eur'].value:.2f}, about {abs(c['below_high_pct'].value):.0f}% below the 52-week high; "
              f"about {c['week_gain_pct'].value:.0f}% over one week",
              "'yesterday' in the 14 January article, dated 14 January; the week's start is not stated",
              (CLAIMS["close_eur"], CLAIMS["below_high_pct"], CLAIMS["week_gain_pct"])),
        Event(dated["002"], "article", "the 14 January article published", "dateline of the 14 January article", seeds=("002",)),
        Event(None, "market", f"\"an {c['spike_after_call_pct'].value:.0f}% spike after a euphoric call\"",
              "the undated opinion post; a 'call' suggests results, not the plan: left off the chart",
              (CLAIMS["spike_after_call_pct"],)),
    ]
    return ev


@dataclass(frozen=True)
class Statement:
    """A claim about the catalyst, what states it (claim ids, or seeds for words with no figure),
    and how the book treats it."""

    claim: str
    treatment: str
    claim_ids: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()


def reliability_frame(statements: Sequence[Statement], seed_of: dict[str, str], ai_seeds: set[str],
                      undated_seeds: set[str] = frozenset()) -> pd.DataFrame:
    """Who states each claim, and whether only the AI-written source does.

    ``seed_of`` maps claim ids to seed numbers; ``ai_seeds`` are the sources written by an AI agent.
    "only the AI-written source?" is yes when every source stating the claim is in ``ai_seeds``.
    """
    rows = []
    for st in statements:
        missing = [c for c in st.claim_ids if c not in seed_of]
        if missing:
            raise KeyError(f"reliability statement {st.claim!r}: unknown claim id(s) {', '.join(missing)}")
        seeds = sorted({seed_of[c] for c in st.claim_ids} | set(st.seeds))
        if not seeds:
            raise ModelInputError(f"reliability statement {st.claim!r}: no claim id and no source states it")
        only_ai = set(seeds) <= ai_seeds
        shown = [s + (" (AI-written)" if s in ai_seeds else " (undated)" if s in undated_seeds else "") for s in seeds]
        rows.append(
            {
                "claim": st.claim,
                "seeds stating it": ", ".join(shown),
                "only the AI-written source?": "yes" if only_ai else "no",
                "claim ids": ", ".join(st.claim_ids) or "(words, no figure)",
                "how the book treats it": st.treatment,
            }
        )
    return pd.DataFrame(rows)


def reliability_statements(claims) -> list[Statement]:
    """The claims about the catalyst that the chapter weighs, and what it does with each."""
    v = lambda k: claims.value(CLAIMS[k])
    return [
        Statement("MIIT announced an \"AI Plus Manufacturing\" action plan",
                  "Taken as fact: two sources agree. Only the 14 January article names the ministry; no source gives the date "
                  "or quotes the plan.", seeds=("001", "002")),
        Statement(f"the shares rose more than {v('session_gain_pct'):.0f}% in a single session",
                  "Used: the base move, a lower bound. The 14 January article alone gives a single-session "
                  "figure.", (CLAIMS["session_gain_pct"],)),
        Statement(f"a {v('surge_ai_pct'):.0f}% surge",
                  f"Not the same measure as the 14 January article's session: AInvest (12 January) does not say over how many sessions. "
                  f"Compatible with 'more than {v('session_gain_pct'):.0f}%' in one session, but it does not "
                  "confirm it; not used in the model.", (CLAIMS["surge_ai_pct"],)),
        Statement(f"about {v('week_gain_pct'):.0f}% over one week",
                  "Shown as the wider reading of what the rally priced in; the window is not stated and may "
                  "include the US gain the 8 January article reported on 8 January.", (CLAIMS["week_gain_pct"],)),
        Statement("steady gains since January 9",
                  "Placed on the timeline as AInvest's word only; it is what dates the session after 9 January.",
                  (CLAIMS["rally_start"],)),
        Statement(f"the plan will \"compel over {v('factories'):,.0f} factories\" to buy cloud and AI",
                  "Not taken as fact. The base scenario uses the count only to ask what each factory "
                  "would have to spend; the sensitivity table runs from a fifth to five times it. The 14 January article "
                  "describes integration, not compulsion.", (CLAIMS["factories"],)),
        Statement("call-option volume was exceptionally high",
                  "Reported in words only; no figure to model. A sign of speculative positioning (the 14 January article).",
                  seeds=("002",)),
        Statement(f"an executive targets about {v('exec_share_target_pct'):.0f}% of incremental AI-cloud growth by 2026",
                  "The bull scenario's share of the plan's spend; the executive is not named.",
                  (CLAIMS["exec_share_target_pct"],)),
        Statement("consensus rating \"Moderate Buy\"",
                  "The 14 January article states it; AInvest (12 January) says the consensus is 'leaning toward' it. Context, not used "
                  "in the model.", seeds=("001", "002")),
        Statement(f"{v('buy_ratings'):.0f} of {v('analysts'):.0f} covering analysts rate it Buy",
                  "Boerse-global.de's count, as of its dateline; it names no consensus rating. Context, not used in "
                  "the model.", (CLAIMS["buy_ratings"], CLAIMS["analysts"])),
        Statement("CICC: cloud profit potential stronger than the valuation reflects",
                  "Context for the bull margin; no figure, no date.", seeds=("002",)),
        Statement("Freedom Capital Markets downgraded the stock to Hold",
                  "Context for the bear case (returns on cloud spending may come late); no date.", seeds=("002",)),
        Statement(f"a P/E near {v('pe_ai'):.0f}; a forward P/E of roughly {v('pe_forward'):.0f}",
                  "The base profit multiple is boerse-global.de's forward P/E; the two do not fit a 10% rise in "
                  "between (see where the sources disagree).", (CLAIMS["pe_ai"], CLAIMS["pe_forward"])),
        Statement(f"technical resistance at USD {v('resistance_usd'):.2f}",
                  "Shown on the price panel as AInvest's level; the sentence about it lost its figure in "
                  "extraction.", (CLAIMS["resistance_usd"],)),
        Statement(f"an {v('spike_after_call_pct'):.0f}% spike after a euphoric call",
                  "Not counted as the policy session: the post is undated and ties the spike to a call, not "
                  "to the plan.", (CLAIMS["spike_after_call_pct"],)),
    ]


def source_names(claims) -> dict[str, str]:
    """Seed number ("001") -> the source as a reader knows it ("AInvest, 12 Jan 2026")."""
    return {seed_label(s): claims.source_name(s) for s in claims.sources()["seed"]}


def _named(labels: str, names: dict[str, str]) -> str:
    """"001 (AI-written), 002" -> "AInvest, 12 Jan 2026 (AI-written); unsigned article, 14 Jan 2026"."""
    def one(label: str) -> str:
        number, _, rest = label.strip().partition(" ")
        return names.get(number, number) + (f" {rest}" if rest else "")

    return "; ".join(one(x) for x in labels.split(",") if x.strip())


def timeline_table(claims) -> pd.DataFrame:
    """The chapter's timeline as the page shows it (and as the timeline chart's data): the sources (by
    publisher and date) that place each event, no claim ids (the sources are cited in the text)."""
    t = timeline_frame(timeline_events(claims, claims.sources()), seed_labels(claims)).drop(columns=["claims"])
    names = source_names(claims)
    t["seeds"] = t["seeds"].map(lambda x: _named(x, names))
    return t.rename(columns={"seeds": "sources"})


def reliability_table(claims) -> pd.DataFrame:
    """The claims about the catalyst the chapter weighs, who states each, and what the book does with it."""
    sources = claims.sources()
    t = reliability_frame(reliability_statements(claims), seed_labels(claims), ai_written_seeds(sources),
                          undated_seeds(sources)).drop(columns=["claim ids"]).rename(columns={"claim": "statement"})
    names = source_names(claims)
    t["seeds stating it"] = t["seeds stating it"].map(lambda x: _named(x, names))
    return t.rename(columns={"seeds stating it": "sources stating it",
                             "only the AI-written source?": "only the AI-written text?"})


def disagreements_found(claims) -> pd.DataFrame:
    """The disagreements between seeds that involve a claim this chapter reads."""
    return disagreements.touching(disagreements.find_disagreements(claims), CLAIMS.values())


def disagreements_table(claims) -> pd.DataFrame:
    """Those disagreements as a chapter shows them."""
    return disagreements.for_readers(disagreements_found(claims))


def trading_days_in_window(claims) -> int:
    """Weekdays in the window the sources allow for the session (both ends counted)."""
    surge = next(e for e in timeline_events(claims, claims.sources()) if CLAIMS["session_gain_pct"] in e.claim_ids)
    return int(np.busday_count(surge.earliest, surge.latest + timedelta(days=1)))


# --- the model under the parameters: every number the page shows -------------------------------


def compute(p, claims) -> dict[str, float]:
    """Every model figure under the parameters ``p`` (validated, as the notebook's ``P``) and the ledger."""
    v = lambda key: claims.value(CLAIMS[key])
    plan_args = (p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple)
    added = value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct)
    week = week_value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct, v("week_gain_pct"))
    revenue = plan_revenue_usd_bn(p.factories_adopting, p.spend_per_factory_rmb_m, p.usd_rmb, p.alibaba_share_pct)
    tax = {"tax_rate_pct": p.tax_rate_pct}
    plan = plan_value_usd_bn(p.factories_adopting, p.spend_per_factory_rmb_m, *plan_args, **tax)
    needed = required_revenue_usd_bn(added, p.margin_pct, p.profit_multiple, **tax)
    be = break_even_spend_rmb_m(added, p.factories_adopting, *plan_args, **tax)
    run_rate = cloud_run_rate_usd_bn(p, claims)
    close_usd = hk_vs_us.eur_to_usd(v("close_eur"), p.eur_usd)
    high_eur = hk_vs_us.high_52w_eur(claims)
    return {
        "value_added_usd_bn": added,
        "week_value_added_usd_bn": week,
        "factory_spend_rmb_bn": p.factories_adopting * p.spend_per_factory_rmb_m / 1_000,
        "factory_spend_usd_bn": factory_spend_usd_bn(p.factories_adopting, p.spend_per_factory_rmb_m, p.usd_rmb),
        "plan_revenue_usd_bn": revenue,
        "plan_profit_usd_bn": revenue * p.margin_pct / 100,
        "plan_profit_after_tax_usd_bn": revenue * after_tax(p.margin_pct, p.tax_rate_pct) / 100,
        "plan_value_usd_bn": plan,
        "plan_covers_pct": 100 * plan / added,
        "required_revenue_usd_bn": needed,
        "required_revenue_week_usd_bn": required_revenue_usd_bn(week, p.margin_pct, p.profit_multiple, **tax),
        "required_factory_spend_usd_bn": needed / (p.alibaba_share_pct / 100),
        "break_even_spend_rmb_m": be,
        "break_even_spend_usd_m": be / p.usd_rmb,
        "break_even_alibaba_rmb_m": be * p.alibaba_share_pct / 100,
        "break_even_vs_assumed": be / p.spend_per_factory_rmb_m,
        "break_even_factories": break_even_factories(added, p.spend_per_factory_rmb_m, *plan_args, **tax),
        "break_even_week_spend_rmb_m": break_even_spend_rmb_m(week, p.factories_adopting, *plan_args, **tax),
        "cloud_run_rate_usd_bn": run_rate,
        "cloud_margin_pct": cloud_margin_pct(claims),
        "required_revenue_vs_cloud_pct": 100 * needed / run_rate,
        "plan_revenue_vs_cloud_pct": 100 * revenue / run_rate,
        "compound_pct": compound_pct(v("us_gain_jan8_pct"), v("session_gain_pct")),
        "close_usd": close_usd,
        "change_jan4_to_close_pct": hk_vs_us.change_pct(close_usd, v("price_jan4_usd")),
        "implied_high_eur": high_eur,
        "implied_high_usd": hk_vs_us.eur_to_usd(high_eur, p.eur_usd),
    }


KEY_OUTPUT_KEYS = ("value_added_usd_bn", "plan_value_usd_bn", "plan_covers_pct", "break_even_spend_rmb_m",
                   "required_revenue_usd_bn", "required_revenue_vs_cloud_pct", "week_value_added_usd_bn")


def key_outputs(p, claims) -> dict[str, float]:
    """The few numbers the summary and the scenario comparison show."""
    out = compute(p, claims)
    return {k: out[k] for k in KEY_OUTPUT_KEYS}


def scenario_parameters(scenario: str):
    """The chapter's parameters under a named scenario, validated."""
    return params.check_values(NB, params.scenario_parameters(scenario, NB), origin=f"scenario {scenario!r}")


def scenario_table(claims, scenarios: Sequence[str] = ("bear", "base", "bull")) -> pd.DataFrame:
    """The book's scenarios side by side: their assumptions, the plan's value and the break-even."""
    rows = []
    for scen in scenarios:
        ps = scenario_parameters(scen)
        k = key_outputs(ps, claims)
        rows.append({"scenario": scen, "factories": ps.factories_adopting, "spend (RMB m/yr)": ps.spend_per_factory_rmb_m,
                     "Alibaba share (%)": ps.alibaba_share_pct, "margin (%)": ps.margin_pct,
                     "multiple (x)": ps.profit_multiple, "plan value (USD bn)": k["plan_value_usd_bn"],
                     "% of session's value": k["plan_covers_pct"],
                     "break-even spend (RMB m/yr)": k["break_even_spend_rmb_m"]})
    return pd.DataFrame(rows).set_index("scenario")


def sensitivity_grid(p, claims) -> pd.DataFrame:
    """The plan's value as a % of the session's, over factories (a fifth to five times the assumed
    count) × spend per factory (a fifth to twenty times the assumed spend)."""
    f_grid = grid_around(p.factories_adopting)
    s_grid = grid_around(p.spend_per_factory_rmb_m, (0.2, 0.5, 1, 2, 5, 10, 20))
    added = value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct)
    return sensitivity(f_grid, s_grid, added, p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple,
                       tax_rate_pct=p.tax_rate_pct)


def sensitivity_table(p, claims) -> pd.DataFrame:
    """The sensitivity grid for reading: rounded, rows and columns labelled in words."""
    shown = sensitivity_grid(p, claims).round(1)
    shown.index = [f"{f:,.0f} factories" for f in shown.index]
    shown.index.name = "plan value, % of the session's value added"
    shown.columns = [f"RMB {s:g}m a year" for s in shown.columns]
    return shown


# Claim values the page quotes, by the name the page glues them under.
QUOTED = {
    "session_gain_pct": "session_gain_pct", "surge_ai_pct": "surge_ai_pct", "week_gain_pct": "week_gain_pct",
    "factories_claim": "factories", "exec_target_pct": "exec_share_target_pct", "close_eur": "close_eur",
    "us_gain_jan8_pct": "us_gain_jan8_pct", "price_jan4_usd": "price_jan4_usd", "oct_high_usd": "oct_high_usd",
    "resistance_usd": "resistance_usd", "upside_ai_pct": "upside_ai_pct", "pe_ai": "pe_ai",
    "pe_forward": "pe_forward", "cloud_rev_q": "cloud_revenue_q_usd_bn", "cloud_ebitda_q": "cloud_ebitda_q_usd_m",
    "cloud_growth": "cloud_growth_pct", "spike_pct": "spike_after_call_pct", "buy_ratings": "buy_ratings",
    "analysts": "analysts",
}

# Model figures the page shows, by the name the page glues them under (keys of compute()).
SHOWN = {
    "value_added": "value_added_usd_bn", "week_value_added": "week_value_added_usd_bn",
    "total_rmb_bn": "factory_spend_rmb_bn", "total_usd_bn": "factory_spend_usd_bn",
    "plan_revenue": "plan_revenue_usd_bn", "plan_profit": "plan_profit_usd_bn", "plan_value": "plan_value_usd_bn",
    "plan_profit_after_tax": "plan_profit_after_tax_usd_bn",
    "plan_covers": "plan_covers_pct", "be_spend": "break_even_spend_rmb_m", "be_spend_usd_m": "break_even_spend_usd_m",
    "be_week_spend": "break_even_week_spend_rmb_m", "be_alibaba_rmb_m": "break_even_alibaba_rmb_m",
    "required_revenue": "required_revenue_usd_bn", "req_vs_cloud": "required_revenue_vs_cloud_pct",
    "required_factory_spend_usd_bn": "required_factory_spend_usd_bn", "cloud_margin": "cloud_margin_pct",
    "cloud_run_rate": "cloud_run_rate_usd_bn", "be_ratio": "break_even_vs_assumed", "compound_pct": "compound_pct",
    "close_usd": "close_usd", "change_jan4_to_close_pct": "change_jan4_to_close_pct",
    "implied_high_eur": "implied_high_eur", "implied_high_usd": "implied_high_usd",
}


def page_values(p, claims) -> dict[str, float]:
    """Every number the page's text quotes, by the name it is glued under: claim values, the
    assumptions, the model's figures, counts and the scenario spread."""
    out = compute(p, claims)
    scen = scenario_table(claims)
    reliability = reliability_table(claims)
    values = {name: float(claims.value(CLAIMS[key])) for name, key in QUOTED.items()}
    values.update({name: float(out[key]) for name, key in SHOWN.items()})
    values.update({
        "below_high_pct": float(abs(claims.value(CLAIMS["below_high_pct"]))),
        "cloud_rev_q_usd_m": float(1_000 * claims.value(CLAIMS["cloud_revenue_q_usd_bn"])),
        "cloud_margin_2dp": float(round(out["cloud_margin_pct"], 2)),
        "be_factories": float(round(out["break_even_factories"], -3)),
        "mv": float(p.market_value_before_usd_bn), "move": float(p.move_pct), "factories_p": float(p.factories_adopting),
        "spend": float(p.spend_per_factory_rmb_m), "share": float(p.alibaba_share_pct), "margin": float(p.margin_pct),
        "multiple": float(p.profit_multiple), "usd_rmb": float(p.usd_rmb), "eur_usd": float(p.eur_usd),
        "tax": float(p.tax_rate_pct),
        "bull_covers": float(scen.loc["bull", "% of session's value"]),
        "bear_covers": float(scen.loc["bear", "% of session's value"]),
        "base_covers": float(scen.loc["base", "% of session's value"]),
        "bull_be": float(scen.loc["bull", "break-even spend (RMB m/yr)"]),
        "bull_spend": float(scen.loc["bull", "spend (RMB m/yr)"]),
        "bull_share": float(scen.loc["bull", "Alibaba share (%)"]),
        # counts, shown as whole numbers
        "window_trading_days": trading_days_in_window(claims),
        "n_statements": len(reliability),
        "n_only_ai": int(reliability["only the AI-written text?"].eq("yes").sum()),
        "n_disagreements": len(disagreements_found(claims)),
    })
    return values


# --- prose: every computed or conditional sentence the page glues --------------------------------


def day_words(d: date) -> str:
    """A date as the page writes it: "Monday 12 January"."""
    return f"{d:%A %-d %B}"


def weekend_price_note(dateline: date) -> str:
    """What to add after a price quoted "as of" a dateline: nothing on a weekday; on a weekend, that
    no market traded that day."""
    if dateline.weekday() >= 5:
        return "; no market trades that day, so the price is that of an earlier session the source does not name"
    return ""


def compound_vs_week(compound: float, week_gain_pct: float, close_pp: float = 2.0) -> str:
    """How the compounded US gain and session compare with the 14 January article's "approximately N%" week."""
    if abs(compound - week_gain_pct) <= close_pp:
        return (f"close to the \"approximately {week_gain_pct:.0f}%\". That fits the week's gain being partly "
                "earlier and unrelated, though it does not prove it")
    return f"far from the \"approximately {week_gain_pct:.0f}%\", so the week's gain cannot be split this way"


def high_agreement(implied_high_usd: float, oct_high_usd: float, close: float = 0.05) -> str:
    """Whether the 52-week high the 14 January article implies (in USD) agrees with boerse-global.de's October high."""
    gap = abs(implied_high_usd / oct_high_usd - 1)
    if gap <= close:
        return "so the two sources agree on where the stock stood against its peak"
    return f"{100 * gap:.0f}% apart: at this exchange rate the two sources do not agree on the peak"


def resistance_vs_close(close_usd: float, resistance_usd: float) -> str:
    """Where AInvest's resistance lies against the dollar value of the 14 January article's close."""
    if close_usd > resistance_usd:
        return ("below the dollar value of that close: by then, if the exchange-rate assumption holds, the stock was "
                "trading above the level AInvest (12 January) treats as the test of the rally")
    return "above the dollar value of that close: the stock had not broken through it, if the exchange-rate assumption holds"


def factories_text(factories: int, claimed: float) -> str:
    """The factories the page reasons about: the AI-written source's count, or an assumed number."""
    if factories == claimed:
        return f"the {factories:,} factories that only the AI-written source says the plan will compel"
    return f"{factories:,} adopting factories (an assumption; the AI-written source says over {claimed:,.0f})"


def share_source(share_pct: float, base_share_pct: float) -> str:
    """Where Alibaba's share of the spend comes from: the base's industry-tracker third, or an assumption."""
    if share_pct == base_share_pct:
        return "about a third, the share industry trackers outside the sources give Alibaba Cloud in China; no source gives it"
    return "an assumption; no source gives it"


def margin_rounding(cloud_margin: float, margin_pct: float) -> str:
    """Whether the model's margin is the latest quarter's cloud margin rounded, or another level."""
    if round(cloud_margin) == margin_pct:
        return f"the model's margin of {margin_pct:g}% is that level rounded"
    return f"the model uses a margin of {margin_pct:g}% instead (an assumption)"


def break_even_vs_assumption(ratio: float, spend_rmb_m: float) -> str:
    """The break-even spend per factory against the assumed spend (``ratio`` = break-even / assumed)."""
    if ratio >= 1.5:
        return f"{ratio:.0f} times the RMB {spend_rmb_m:g} million assumed here"
    if ratio > 2 / 3:
        return f"about the RMB {spend_rmb_m:g} million assumed here"
    return f"less than the RMB {spend_rmb_m:g} million assumed here"


def verdict(covers_pct: float) -> str:
    """What the plan's value means against the session's (``covers_pct`` = plan value as % of it)."""
    if covers_pct < 50:
        return "its own cloud business would fall far short of what the session priced in"
    if covers_pct < 100:
        return "its own cloud business would cover part of the session's value, not all of it"
    return "it alone would be worth the session's value"


def rest_sentence(covers_pct: float) -> str:
    """What the rest of the session's value is, if the assumptions hold."""
    if covers_pct < 100:
        return ("If they hold, the rest of the session's value is a bet on the wider AI-cloud story, or on a policy "
                "much larger than this plan as described.")
    return "If they hold, the market, if anything, underpriced the plan."


def sensitivity_sentence(table: pd.DataFrame, assumed_spend_rmb_m: float) -> str:
    """What the sensitivity grid shows: whether any combination reaches 100%, and from what spend."""
    covering = table.stack()[lambda x: x >= 100]
    if covering.empty:
        return (f"None of the {table.size} combinations reaches 100: even {max(table.index):,.0f} factories spending "
                f"RMB {max(table.columns):g} million a year each cover {table.max().max():.0f}%.")
    low_spend = min(s for _, s in covering.index)
    return (f"{len(covering)} of the {table.size} combinations reach 100; the lowest spend that gets there is "
            f"RMB {low_spend:g} million a year per factory ({low_spend / assumed_spend_rmb_m:g} times the assumed spend).")


def _timeline_span(events: Sequence[Event]) -> tuple[date, date]:
    days = [e.day for e in events if e.day]
    return min(days), max(days)


def timeline_title(claims) -> str:
    d001 = datelines(claims.sources())["001"]
    return (f"The sources date every article but not the policy: the {claims.value(CLAIMS['session_gain_pct']):.0f}%+ "
            f"session falls between {claims.get(CLAIMS['rally_start']).date:%-d} and {d001:%-d %B}, by the AI-written "
            "seed alone")


def timeline_alt(claims) -> str:
    v = lambda key: claims.value(CLAIMS[key])
    start, end = _timeline_span(timeline_events(claims, claims.sources()))
    d001 = datelines(claims.sources())["001"]
    rally = claims.get(CLAIMS["rally_start"]).date
    return (f"Timeline of {start:%-d} to {end:%-d %B %Y}, one row per event: the Meitu bond, the articles of "
            f"boerse-global.de (with a price near USD {v('price_jan4_usd'):.0f} as of its dateline), of 8 January (a US "
            f"gain of more than {v('us_gain_jan8_pct'):.0f}%), of AInvest and of 14 January on their dates; the undated MIIT announcement as a window "
            f"ending {d001:%-d %B}; the session as a window from {rally:%-d} to {d001:%-d %B}; the EUR "
            f"{v('close_eur'):.2f} close the day before the 14 January article.")


def break_even_title(p, claims) -> str:
    be = compute(p, claims)["break_even_spend_rmb_m"]
    return (f"With {p.factories_adopting:,} factories and a {p.alibaba_share_pct:g}% share, each must spend RMB {be:.1f}m "
            f"a year on cloud and AI for the plan to be worth what the {p.move_pct:g}% session added, "
            f"{be / p.spend_per_factory_rmb_m:.1f} times the spend assumed")


def break_even_alt(p, claims) -> str:
    out = compute(p, claims)
    be = out["break_even_spend_rmb_m"]
    if be > p.spend_per_factory_rmb_m:
        return (f"Log-log chart of the plan's value to Alibaba against each factory's yearly cloud and AI spend, for "
                f"{p.factories_adopting // 5:,}, {p.factories_adopting:,} and {p.factories_adopting * 5:,} factories. "
                f"The value added by the {p.move_pct:g}% session (USD {out['value_added_usd_bn']:.1f}bn) is a horizontal "
                f"line, crossed at RMB {be:.1f}m per factory for {p.factories_adopting:,} factories; the assumed spend "
                f"of RMB {p.spend_per_factory_rmb_m:g}m is far to the left.")
    return (f"Log-log chart of the plan's value to Alibaba against each factory's yearly spend; the break-even of "
            f"RMB {be:.1f}m per factory lies below the assumed RMB {p.spend_per_factory_rmb_m:g}m.")


def revenue_title(p, claims) -> str:
    out = compute(p, claims)
    return (f"To justify the session, the plan must add revenue equal to {out['required_revenue_vs_cloud_pct']:.0f}% of "
            f"Alibaba Cloud's run-rate; at the assumptions it adds {out['plan_revenue_vs_cloud_pct']:.0f}%")


def revenue_alt(p, claims) -> str:
    out = compute(p, claims)
    return (f"Horizontal bars of yearly revenue in USD billion: the plan brings {out['plan_revenue_usd_bn']:.1f}; "
            f"justifying the session needs {out['required_revenue_usd_bn']:.1f}; justifying the week needs "
            f"{out['required_revenue_week_usd_bn']:.1f}; Alibaba Cloud's current run-rate is "
            f"{out['cloud_run_rate_usd_bn']:.1f}.")


def prose(p, claims) -> dict[str, str]:
    """Every sentence and date in words the page glues, by the name it is glued under."""
    v = lambda key: claims.value(CLAIMS[key])
    out = compute(p, claims)
    dated = datelines(claims.sources())
    base_share = params.scenario_parameters("base", NB)["alibaba_share_pct"]
    return {
        **{f"date_{s}": day_words(dated[s]) for s in ("000", "001", "002", "004")},
        "rally_start": day_words(claims.get(CLAIMS["rally_start"]).date),
        "close_date": day_words(date.fromisoformat(claims.get(CLAIMS["close_eur"]).period)),
        "date_004_note": weekend_price_note(dated["004"]),
        "compound_vs_week_text": compound_vs_week(out["compound_pct"], v("week_gain_pct")),
        "high_agreement_text": high_agreement(out["implied_high_usd"], v("oct_high_usd")),
        "resistance_vs_close_text": resistance_vs_close(out["close_usd"], v("resistance_usd")),
        "factories_p_text": factories_text(p.factories_adopting, v("factories")),
        "share_source_text": share_source(p.alibaba_share_pct, base_share),
        "margin_rounding_text": margin_rounding(out["cloud_margin_pct"], p.margin_pct),
        "be_vs_assumption_text": break_even_vs_assumption(out["break_even_vs_assumed"], p.spend_per_factory_rmb_m),
        "verdict_text": verdict(out["plan_covers_pct"]),
        "rest_text": rest_sentence(out["plan_covers_pct"]),
        "sens_text": sensitivity_sentence(sensitivity_grid(p, claims), p.spend_per_factory_rmb_m),
        "timeline_title": timeline_title(claims),
        "timeline_alt": timeline_alt(claims),
        "break_even_title": break_even_title(p, claims),
        "break_even_alt": break_even_alt(p, claims),
        "revenue_title": revenue_title(p, claims),
        "revenue_alt": revenue_alt(p, claims),
    }


# --- signposts -----------------------------------------------------------------------------------


def signposts(p, claims, case: str | None = None) -> list[contract.Signpost]:
    """What to watch, with the threshold that separates the scenarios.

    ``case`` names the scenario ``p`` is ("the base case"); the share a reading is held against is
    the one that case assumes.
    """
    out = compute(p, claims)
    where = f"in {case}" if case else "here"
    return [
        contract.Signpost(
            "Factories the plan actually funds or enrols", float(p.factories_adopting), "factories",
            "an official count at or above it confirms AInvest's figure; the spend per factory then decides "
            "(the bull case if it reaches the break-even)",
            "fewer factories, or no funding reaching them (the risk AInvest (12 January) names)",
            "base or bull", "bear", claims=(CLAIMS["factories"],), assumptions=("factories_adopting",)),
        contract.Signpost(
            "Yearly cloud and AI spend per adopting factory", out["break_even_spend_rmb_m"],
            "RMB m per factory per year",
            "above it the plan alone is worth the value the session added",
            f"below it the session priced in more than the plan brings at the share assumed {where}; "
            "the rest must come from elsewhere",
            "bull", "base or bear", claims=(CLAIMS["session_gain_pct"],),
            assumptions=("market_value_before_usd_bn", "move_pct", "factories_adopting", "alibaba_share_pct",
                         "margin_pct", "profit_multiple", "usd_rmb")),
        contract.Signpost(
            "Alibaba's share of the new industrial cloud and AI spend", float(p.alibaba_share_pct), "% of the new spend",
            f"toward the ~{claims.value(CLAIMS['exec_share_target_pct']):.0f}% of incremental AI-cloud growth an "
            "executive targets",
            "domestic rivals and global giants take more (AInvest's warning)",
            "bull", "bear", claims=(CLAIMS["exec_share_target_pct"],), assumptions=("alibaba_share_pct",)),
        contract.Signpost(
            "Alibaba Cloud revenue growth, year on year", claims.value(CLAIMS["cloud_growth_pct"]), "% a year",
            "growth accelerating above the latest quarter's as factory spend arrives",
            "no acceleration: the plan is not yet in the revenue line",
            "bull", "base or bear", claims=(CLAIMS["cloud_growth_pct"],)),
        contract.Signpost(
            "Alibaba Cloud margin (segment profit, boerse-global.de's 'EBITDA', over revenue)", out["cloud_margin_pct"], "% of revenue",
            "margins widen with AI products (CICC's optimism, the 14 January article)",
            "a GPU price war (the undated post's risk) squeezes them",
            "bull", "bear", claims=(CLAIMS["cloud_ebitda_q_usd_m"], CLAIMS["cloud_revenue_q_usd_bn"]),
            assumptions=("margin_pct",)),
    ]


# --- charts, through the house style ---------------------------------------------------------------

LANE_STYLE = {  # colour index in style.PALETTE, marker
    "article": (0, "s"),
    "market": (3, "o"),
    "company and policy": (2, "D"),
}


def timeline_chart(claims):
    """The days the sources cover: one row per event, a marker on its day or a hatched bar over the
    window the sources allow; weekends shaded. Events without a day or a window are left off."""
    events = timeline_events(claims, claims.sources())
    start, end = _timeline_span(events)
    fig, ax = style.figure(figsize=(8.0, 5.4))
    draw_timeline(ax, events, start, end)
    ids = sorted({c for e in events if (e.day or e.latest) for c in e.claim_ids})
    return style.finish(fig, timeline_title(claims), claims.source_line(ids)
                        + "; article dates: the sources' datelines; the undated opinion post is undated and left off")


def draw_timeline(ax, events: Sequence[Event], start: date, end: date) -> None:
    """Draw the timeline on ``ax`` (made by ``style.figure``): one row per event from ``start`` to ``end``.

    :func:`timeline_chart` draws the chapter's; the summary page draws the same over its own span.
    """
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    shown = sorted((e for e in events if e.day or e.latest), key=lambda e: (e.day or e.latest, e.day is not None))
    day = start
    while day <= end:
        if day.weekday() >= 5:
            noon = datetime(day.year, day.month, day.day, 12)
            ax.axvspan(noon - timedelta(hours=24), noon, color="#ebebeb", zorder=0, lw=0)
        day += timedelta(days=1)
    mid = start + (end - start) / 2
    for row, ev in enumerate(shown):
        y = -row
        colour_i, marker = LANE_STYLE.get(ev.lane, (7, "o"))
        colour = style.PALETTE[colour_i]
        if ev.day:
            ax.plot([ev.day], [y], marker=marker, ms=8, color=colour, ls="none", zorder=3)
            anchor, left = ev.day, ev.day <= mid
        else:
            lo = ev.earliest or start - timedelta(days=1)
            ax.barh(y, (ev.latest - lo).days, left=lo, height=0.55, color=colour, alpha=0.25,
                    hatch="//" if ev.earliest else "..", edgecolor=colour, lw=0.8, zorder=2)
            ax.plot([ev.latest], [y], marker=">" if not ev.earliest else "|", ms=9, mew=2, color=colour, zorder=3)
            if ev.earliest:  # a bounded window: label to its left
                anchor, left = lo, False
            else:  # "on or before": label inside the bar, from its open end
                ax.annotate(ev.label + f" (no source gives the day; by {ev.latest:%-d %b})", (lo, y),
                            xytext=(6, 0), textcoords="offset points", ha="left", va="center", fontsize=8.5,
                            color="#222222", bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.7))
                continue
        ax.annotate(ev.label, (anchor, y), xytext=(8 if left else -8, 0), textcoords="offset points",
                    ha="left" if left else "right", va="center", fontsize=8.5, color="#222222")
    ax.set_ylim(-len(shown) + 0.4, 0.6)
    ax.set_yticks([])
    ax.set_xlim(start - timedelta(days=1), end + timedelta(days=1))
    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a\n%d"))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("January 2026 (grey: weekends)")
    ax.grid(axis="y", visible=False)
    handles = [Line2D([], [], marker=m, color=style.PALETTE[c], ls="none", label=lane) for lane, (c, m) in LANE_STYLE.items()]
    handles.append(Patch(facecolor=style.PALETTE[3], alpha=0.25, hatch="//", edgecolor=style.PALETTE[3],
                         label="window the sources allow"))
    handles.append(Patch(facecolor=style.PALETTE[2], alpha=0.25, hatch="..", edgecolor=style.PALETTE[2],
                         label="on or before the arrow"))
    ax.legend(handles=handles, loc="upper right", fontsize=8, ncol=1, frameon=True, facecolor="white", edgecolor="none",
              framealpha=1)


BREAK_EVEN_FACTORS = (0.2, 1, 5)  # factory counts drawn, as multiples of the assumed count
BREAK_EVEN_DATA_SPEND = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50)  # RMB m, the spends in the chart's data


def break_even_data(p) -> pd.DataFrame:
    """The break-even chart's data: the plan's value at a few factory counts and spends."""
    return pd.DataFrame([{
        "factories adopting": p.factories_adopting * f, "spend per factory (RMB m a year)": s,
        "plan value (USD bn)": plan_value_usd_bn(p.factories_adopting * f, s, p.usd_rmb, p.alibaba_share_pct,
                                                 p.margin_pct, p.profit_multiple, tax_rate_pct=p.tax_rate_pct),
    } for f in BREAK_EVEN_FACTORS for s in BREAK_EVEN_DATA_SPEND])


def break_even_chart(p, claims):
    """The plan's value against spend per factory, one line per factory count; the values the
    session and the week added as levels; the break-even at the assumed count marked."""
    out = compute(p, claims)
    fig, ax = style.figure(figsize=(8.0, 5.0))
    _draw_break_even(ax, p, out["value_added_usd_bn"], out["week_value_added_usd_bn"], out["break_even_spend_rmb_m"])
    source = (claims.source_line([CLAIMS[k] for k in ("session_gain_pct", "week_gain_pct", "factories", "pe_forward",
                                                      "cloud_ebitda_q_usd_m", "cloud_revenue_q_usd_bn")])
              + f"; assumptions: market value USD {p.market_value_before_usd_bn:g}bn before the session, Alibaba's share "
                f"{p.alibaba_share_pct:g}%, margin {p.margin_pct:g}%, {p.profit_multiple:g}x profit, {p.usd_rmb:g} RMB per USD")
    return style.finish(fig, break_even_title(p, claims), source)


def _draw_break_even(ax, p, value_added: float, week_value_added: float, be: float) -> None:
    from matplotlib.ticker import FuncFormatter

    spend = np.geomspace(0.05, 50, 200)
    colours = (style.PALETTE[4], style.PALETTE[0], style.PALETTE[5])
    for i, (f, ls) in enumerate(zip(BREAK_EVEN_FACTORS, (":", "-", "--"))):
        n = p.factories_adopting * f
        vals = [plan_value_usd_bn(n, s, p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple,
                                  tax_rate_pct=p.tax_rate_pct) for s in spend]
        ax.plot(spend, vals, ls=ls, lw=2.4 if f == 1 else 1.5, color=colours[i % 3], label=f"{n:,.0f} factories adopting")
    ax.axhline(value_added, color=style.PALETTE[3], lw=1.4, label=f"value the {p.move_pct:g}% session added")
    ax.axhline(week_value_added, color=style.PALETTE[1], lw=1.2, ls="-.", label="value the week's gain added")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axvline(p.spend_per_factory_rmb_m, color=style.GREY, ls=":", lw=1.2)
    ax.annotate(f"assumed spend:\nRMB {p.spend_per_factory_rmb_m:g}m", (p.spend_per_factory_rmb_m, 0.97),
                xycoords=("data", "axes fraction"), xytext=(4, 0), textcoords="offset points", va="top",
                fontsize=8, color=style.GREY)
    ax.plot([be], [value_added], marker="o", ms=9, color=style.PALETTE[3], zorder=4)
    ax.annotate(f"break-even: RMB {be:.1f}m\nper factory per year", (be, value_added), xytext=(10, -22),
                textcoords="offset points", ha="left", va="top", fontsize=9, color=style.PALETTE[3])
    plain = FuncFormatter(lambda x, _: f"{x:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    ax.set_xlabel("yearly cloud and AI spend per adopting factory (RMB million, log scale)")
    ax.set_ylabel("plan's value to Alibaba\n(USD bn, log scale)")
    ax.legend(loc="lower right", fontsize=8)


def revenue_bars(p, claims) -> list[tuple[str, float]]:
    """The revenue comparison: what the plan brings, what the session and the week need, the cloud today."""
    out = compute(p, claims)
    return [
        ("new revenue the plan brings\n(assumptions above)", out["plan_revenue_usd_bn"]),
        (f"new revenue needed to justify\nthe {p.move_pct:g}% session", out["required_revenue_usd_bn"]),
        ("new revenue needed to justify\nthe week's gain", out["required_revenue_week_usd_bn"]),
        ("Alibaba Cloud today\n(latest quarter × 4)", out["cloud_run_rate_usd_bn"]),
    ]


def revenue_data(p, claims) -> pd.DataFrame:
    """The revenue chart's data."""
    return pd.DataFrame([(b.replace("\n", " "), v) for b, v in revenue_bars(p, claims)], columns=["bar", "USD bn a year"])


def revenue_chart(p, claims):
    """Horizontal bars of yearly revenue (USD bn), labelled with their values."""
    bars = revenue_bars(p, claims)
    fig, ax = style.figure(figsize=(8.0, 4.4))
    labels = [b[0] for b in bars][::-1]
    values = [b[1] for b in bars][::-1]
    colours = [style.PALETTE[i] for i in (2, 4, 3, 1)][: len(bars)][::-1]
    hatches = [style.HATCHES[i] for i in range(len(bars))][::-1]
    for y, (v, c, h) in enumerate(zip(values, colours, hatches)):
        ax.barh(y, v, color=c, hatch=h, edgecolor="white", height=0.6)
        ax.annotate(f"USD {v:.1f}bn", (v, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(range(len(labels)), labels, fontsize=9)
    ax.set_xlabel("yearly revenue (USD bn)")
    ax.set_xlim(0, max(values) * 1.18)
    ax.grid(axis="y", visible=False)
    source = (claims.source_line([CLAIMS[k] for k in ("cloud_revenue_q_usd_bn", "session_gain_pct", "week_gain_pct",
                                                      "factories")])
              + f"; assumptions: as above (margin {p.margin_pct:g}%, {p.profit_multiple:g}x profit)")
    return style.finish(fig, revenue_title(p, claims), source)
