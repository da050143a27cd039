"""The "AI Plus Manufacturing" policy catalyst: what the rally priced in, and what the plan must bring.

The question is one of scale. The single session credited to the plan added a market value that can
be computed (market value before the session × the session's move). The plan can only justify that
value through the cloud business it brings Alibaba: factories adopting × yearly cloud and AI spend per
factory × Alibaba's share × the margin on it × the multiple the market pays for profit. Setting the two equal gives the
yearly spend per factory the rally implicitly assumes (the break-even), which a reader can hold
against what a factory plausibly spends.

Every function here is pure: plain numbers in, numbers or DataFrames out; the notebook supplies
parameters (``P``) and ledger claims. Units are in the names: ``_usd_bn`` US dollars, billions;
``_rmb_m`` renminbi, millions; ``_pct`` per cent (9 means 9%).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

import pandas as pd

# --- the model -------------------------------------------------------------------------------


def _check_positive(**values: float) -> None:
    for name, v in values.items():
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite number, got {v!r}")
        if v <= 0:
            raise ValueError(f"{name} must be above zero, got {v!r}")


def _check_pct(allow_zero: bool = True, **values: float) -> None:
    for name, v in values.items():
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite number of per cent, got {v!r}")
        if v < 0 or v > 100 or (v == 0 and not allow_zero):
            raise ValueError(f"{name} must be {'from' if allow_zero else 'above'} 0 {'to' if allow_zero else 'and at most'} 100 (per cent), got {v!r}")


def value_added_usd_bn(market_value_before_usd_bn: float, move_pct: float) -> float:
    """Market value a move of ``move_pct`` per cent adds to a company worth ``market_value_before_usd_bn``."""
    _check_positive(market_value_before_usd_bn=market_value_before_usd_bn)
    if not isinstance(move_pct, (int, float)) or not math.isfinite(move_pct) or move_pct <= -100:
        raise ValueError(f"move_pct must be a finite number above -100 (per cent), got {move_pct!r}")
    return market_value_before_usd_bn * move_pct / 100


def week_value_added_usd_bn(market_value_before_usd_bn: float, move_pct: float, week_gain_pct: float) -> float:
    """Market value the whole week's gain added, when the week ends with the session's move.

    The value after the session is ``market_value_before × (1 + move)``; the week's start value is
    that divided by ``1 + week_gain``; the difference is what the week added. It assumes the week's
    gain runs to (at least) the session of the move, which the seeds do not state.
    """
    _check_positive(market_value_before_usd_bn=market_value_before_usd_bn)
    if not isinstance(week_gain_pct, (int, float)) or not math.isfinite(week_gain_pct) or week_gain_pct <= -100:
        raise ValueError(f"week_gain_pct must be a finite number above -100 (per cent), got {week_gain_pct!r}")
    after = market_value_before_usd_bn + value_added_usd_bn(market_value_before_usd_bn, move_pct)
    return after * (week_gain_pct / 100) / (1 + week_gain_pct / 100)


def compound_pct(*moves_pct: float) -> float:
    """The combined move of successive moves, in per cent: 5% then 9% is 14.45%."""
    total = 1.0
    for m in moves_pct:
        if not isinstance(m, (int, float)) or not math.isfinite(m) or m <= -100:
            raise ValueError(f"each move must be a finite number above -100 (per cent), got {m!r}")
        total *= 1 + m / 100
    return 100 * (total - 1)


def factory_spend_usd_bn(factories: float, spend_per_factory_rmb_m: float, usd_rmb: float) -> float:
    """Yearly cloud and AI spend of all adopting factories, converted to USD billions at ``usd_rmb``."""
    _check_positive(usd_rmb=usd_rmb)
    if factories < 0 or spend_per_factory_rmb_m < 0:
        raise ValueError(
            f"factories and spend_per_factory_rmb_m cannot be negative, got {factories!r} and {spend_per_factory_rmb_m!r}"
        )
    return factories * spend_per_factory_rmb_m / usd_rmb / 1_000  # RMB m -> USD m -> USD bn


def plan_revenue_usd_bn(factories: float, spend_per_factory_rmb_m: float, usd_rmb: float, share_pct: float) -> float:
    """Yearly revenue the plan brings Alibaba: the factories' spend times Alibaba's share of it."""
    _check_pct(share_pct=share_pct)
    return factory_spend_usd_bn(factories, spend_per_factory_rmb_m, usd_rmb) * share_pct / 100


def plan_value_usd_bn(
    factories: float,
    spend_per_factory_rmb_m: float,
    usd_rmb: float,
    share_pct: float,
    margin_pct: float,
    profit_multiple: float,
) -> float:
    """Market value of the plan's business to Alibaba: yearly revenue × margin × multiple.

    A steady-state value: it credits the full yearly spend at once, with no ramp-up and no delay,
    which flatters the plan (a reader who expects a slow ramp should read it as an upper bound).
    """
    _check_pct(margin_pct=margin_pct)
    _check_positive(profit_multiple=profit_multiple)
    revenue = plan_revenue_usd_bn(factories, spend_per_factory_rmb_m, usd_rmb, share_pct)
    return revenue * margin_pct / 100 * profit_multiple


def required_revenue_usd_bn(value_usd_bn: float, margin_pct: float, profit_multiple: float) -> float:
    """Yearly revenue that, at ``margin_pct`` and ``profit_multiple``, is worth ``value_usd_bn``."""
    _check_pct(allow_zero=False, margin_pct=margin_pct)
    _check_positive(profit_multiple=profit_multiple)
    return value_usd_bn / (margin_pct / 100 * profit_multiple)


def break_even_spend_rmb_m(
    value_usd_bn: float,
    factories: float,
    usd_rmb: float,
    share_pct: float,
    margin_pct: float,
    profit_multiple: float,
) -> float:
    """Yearly cloud and AI spend per factory (RMB m) at which the plan is worth ``value_usd_bn``.

    The inverse of :func:`plan_value_usd_bn` in the spend per factory.
    """
    _check_positive(factories=factories, usd_rmb=usd_rmb)
    _check_pct(allow_zero=False, share_pct=share_pct)
    revenue = required_revenue_usd_bn(value_usd_bn, margin_pct, profit_multiple)
    return revenue / (share_pct / 100) * 1_000 * usd_rmb / factories


def break_even_factories(
    value_usd_bn: float,
    spend_per_factory_rmb_m: float,
    usd_rmb: float,
    share_pct: float,
    margin_pct: float,
    profit_multiple: float,
) -> float:
    """Factories that must adopt, each spending ``spend_per_factory_rmb_m`` a year, for the plan to be worth ``value_usd_bn``."""
    _check_positive(spend_per_factory_rmb_m=spend_per_factory_rmb_m, usd_rmb=usd_rmb)
    _check_pct(allow_zero=False, share_pct=share_pct)
    revenue = required_revenue_usd_bn(value_usd_bn, margin_pct, profit_multiple)
    return revenue / (share_pct / 100) * 1_000 * usd_rmb / spend_per_factory_rmb_m


def sensitivity(
    factories_grid: Sequence[float],
    spend_grid_rmb_m: Sequence[float],
    value_added: float,
    usd_rmb: float,
    share_pct: float,
    margin_pct: float,
    profit_multiple: float,
) -> pd.DataFrame:
    """Plan value as a per cent of the value the move added, over factories × spend per factory.

    Rows: factories adopting; columns: yearly spend per factory (RMB m). 100 means the plan alone
    justifies the move; below 100, the rally priced in more than the plan brings.
    """
    _check_positive(value_added=value_added)
    if not factories_grid or not spend_grid_rmb_m:
        raise ValueError("the sensitivity grids cannot be empty")
    rows = {}
    for f in factories_grid:
        rows[f] = [
            100 * plan_value_usd_bn(f, s, usd_rmb, share_pct, margin_pct, profit_multiple) / value_added
            for s in spend_grid_rmb_m
        ]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(spend_grid_rmb_m))
    table.index.name = "factories adopting"
    table.columns.name = "yearly spend per factory, RMB m"
    return table


def grid_around(value: float, factors: Iterable[float] = (0.2, 0.5, 1, 2, 5)) -> list[float]:
    """A grid of ``value`` times each factor, sorted and without duplicates (for sensitivity tables)."""
    _check_positive(value=value)
    return sorted({value * f for f in factors})


# --- the evidence: claims, timeline and reliability -----------------------------------------

# The ledger claims this chapter reads, by the role they play.
CLAIM = {
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

AI_SOURCE_KIND = "text written by an AI agent"


def seed_labels(claims) -> dict[str, str]:
    """Claim id -> seed number ("001") for every claim of the ledger."""
    from alibaba_report.evidence.ledger import seed_label

    return {cid: seed_label(c.seed) for cid, c in claims.claims.items()}


def ai_written_seeds(sources: pd.DataFrame) -> set[str]:
    """Seed numbers whose source register kind is 'text written by an AI agent'."""
    from alibaba_report.evidence.ledger import seed_label

    return {seed_label(s) for s in sources.loc[sources["kind"] == AI_SOURCE_KIND, "seed"]}


@dataclass(frozen=True)
class Event:
    """One event of the timeline, with what places it: claim ids, or seeds for what no claim holds.

    ``day`` is None when the seeds do not date it; ``latest`` is then the last day it can have
    happened on, if the seeds bound it (drawn as a window ending that day).
    """

    day: date | None
    lane: str  # "article" (a seed is published), "market" (a price move), "company and policy"
    label: str
    dating: str  # how the seeds pin the date down, in words
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
    """The timeline as a table: date (or the window the seeds allow), kind, event, seeds, claims."""
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
    """The days the seeds cover, each event with the claims or seeds that place it."""
    from alibaba_report.evidence.ledger import seed_label

    dated = {seed_label(r.seed): date.fromisoformat(r.date) for r in sources.itertuples() if r.date != "undated"}
    c = {k: claims.get(v) for k, v in CLAIM.items()}
    by_001 = dated["001"]
    bond_day = c["meitu_bond_date"].date
    weekend = lambda d: f", a {d:%A}" if d.weekday() >= 5 else ""
    ev = [
        Event(bond_day, "company and policy", "Meitu convertible bond issued (seed 004's date)",
              f"stated by seed 004 as {bond_day:%-d %B %Y}{weekend(bond_day)}; the Meitu chapter doubts the date",
              (CLAIM["meitu_bond_date"],)),
        Event(dated["004"], "article", "seed 004 published", "dateline of seed 004", seeds=("004",)),
        Event(dated["004"], "market",
              f"US shares near USD {c['price_jan4_usd'].value:.0f}, as of seed 004's dateline",
              f"seed 004's 'current trading level', as of its dateline{weekend(dated['004'])}"
              + (" (no trading that day: the price of an earlier session the seed does not name)"
                 if dated["004"].weekday() >= 5 else ""),
              (CLAIM["price_jan4_usd"],)),
        Event(dated["000"], "article", "seed 000 published", "dateline of seed 000", seeds=("000",)),
        Event(dated["000"], "market",
              f"US shares closed more than {c['us_gain_jan8_pct'].value:.0f}% up; Hong Kong weak",
              f"the latest US session before or on seed 000's {dated['000']:%-d %B} dateline (the seed: the US "
              "stock 'closed with a rare gain'; it does not name the session)",
              (CLAIM["us_gain_jan8_pct"],)),
        Event(c["rally_start"].date, "market", "\"steady gains since January 9\" begin",
              "stated only by seed 001 (AI-written)", (CLAIM["rally_start"],)),
        Event(None, "company and policy", "MIIT announces the \"AI Plus Manufacturing\" plan",
              f"no seed dates it: seed 001 reports it on {by_001:%-d %B}, seed 002 says the session followed it",
              seeds=("001", "002"), latest=by_001),
        Event(None, "market",
              f"the session: more than {c['session_gain_pct'].value:.0f}% (002); "
              f"\"{c['surge_ai_pct'].value:.0f}% surge\", period not stated (001)",
              f"after the announcement (002) and after gains began on {c['rally_start'].date:%-d %B} (001); reported "
              f"by 001 on {by_001:%-d %B}, so between {c['rally_start'].date:%a %-d} and {by_001:%a %-d %B}; no seed "
              "names the session",
              (CLAIM["session_gain_pct"], CLAIM["surge_ai_pct"]), earliest=c["rally_start"].date, latest=by_001),
        Event(by_001, "article", "seed 001 published (AI-written)", "dateline of seed 001, 9:12 pm ET", seeds=("001",)),
        Event(date.fromisoformat(c["close_eur"].period), "market",
              f"close EUR {c['close_eur'].value:.2f}, about {abs(c['below_high_pct'].value):.0f}% below the 52-week high; "
              f"about {c['week_gain_pct'].value:.0f}% over one week",
              "'yesterday' in seed 002, dated 14 January; the week's start is not stated",
              (CLAIM["close_eur"], CLAIM["below_high_pct"], CLAIM["week_gain_pct"])),
        Event(dated["002"], "article", "seed 002 published", "dateline of seed 002", seeds=("002",)),
        Event(None, "market", f"\"an {c['spike_after_call_pct'].value:.0f}% spike after a euphoric call\"",
              "undated opinion post (seed 003); a 'call' suggests results, not the plan: left off the chart",
              (CLAIM["spike_after_call_pct"],)),
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
    """Who states each claim, and whether only the AI-written seed does.

    ``seed_of`` maps claim ids to seed numbers; ``ai_seeds`` are the seeds written by an AI agent.
    "only the AI-written seed?" is yes when every seed stating the claim is in ``ai_seeds``.
    """
    rows = []
    for st in statements:
        missing = [c for c in st.claim_ids if c not in seed_of]
        if missing:
            raise KeyError(f"reliability statement {st.claim!r}: unknown claim id(s) {', '.join(missing)}")
        seeds = sorted({seed_of[c] for c in st.claim_ids} | set(st.seeds))
        if not seeds:
            raise ValueError(f"reliability statement {st.claim!r}: no claim id and no seed states it")
        only_ai = set(seeds) <= ai_seeds
        shown = [s + (" (AI-written)" if s in ai_seeds else " (undated)" if s in undated_seeds else "") for s in seeds]
        rows.append(
            {
                "claim": st.claim,
                "seeds stating it": ", ".join(shown),
                "only the AI-written seed?": "yes" if only_ai else "no",
                "claim ids": ", ".join(st.claim_ids) or "(words, no figure)",
                "how the book treats it": st.treatment,
            }
        )
    return pd.DataFrame(rows)


def reliability_statements(claims) -> list[Statement]:
    """The claims about the catalyst that the chapter weighs, and what it does with each."""
    v = lambda k: claims.value(CLAIM[k])
    return [
        Statement("MIIT announced an \"AI Plus Manufacturing\" action plan",
                  "Taken as fact: two seeds agree. Only seed 002 names the ministry; no seed gives the date "
                  "or quotes the plan.", seeds=("001", "002")),
        Statement(f"the shares rose more than {v('session_gain_pct'):.0f}% in a single session",
                  "Used: the base move (parameter move_pct), a lower bound. Seed 002 alone gives a single-session "
                  "figure.", (CLAIM["session_gain_pct"],)),
        Statement(f"a {v('surge_ai_pct'):.0f}% surge",
                  f"Not the same measure as seed 002's session: seed 001 does not say over how many sessions. "
                  f"Compatible with 'more than {v('session_gain_pct'):.0f}%' in one session, but it does not "
                  "confirm it; not used in the model.", (CLAIM["surge_ai_pct"],)),
        Statement(f"about {v('week_gain_pct'):.0f}% over one week",
                  "Shown as the wider reading of what the rally priced in; the window is not stated and may "
                  "include the US gain seed 000 reported on 8 January.", (CLAIM["week_gain_pct"],)),
        Statement("steady gains since January 9",
                  "Placed on the timeline as seed 001's word only; it is what dates the session after 9 January.",
                  (CLAIM["rally_start"],)),
        Statement(f"the plan will \"compel over {v('factories'):,.0f} factories\" to buy cloud and AI",
                  "Not taken as fact. The count is the base factories_adopting only to ask what each factory "
                  "would have to spend; the sensitivity table runs from a fifth to five times it. Seed 002 "
                  "describes integration, not compulsion.", (CLAIM["factories"],)),
        Statement("call-option volume was exceptionally high",
                  "Reported in words only; no figure to model. A sign of speculative positioning (seed 002).",
                  seeds=("002",)),
        Statement(f"an executive targets about {v('exec_share_target_pct'):.0f}% of incremental AI-cloud growth by 2026",
                  "The bull scenario's share of the plan's spend; the executive is not named.",
                  (CLAIM["exec_share_target_pct"],)),
        Statement("consensus rating \"Moderate Buy\"",
                  "Seed 002 states it; seed 001 says the consensus is 'leaning toward' it. Context, not used "
                  "in the model.", seeds=("001", "002")),
        Statement(f"{v('buy_ratings'):.0f} of {v('analysts'):.0f} covering analysts rate it Buy",
                  "Seed 004's count, as of its dateline; it names no consensus rating. Context, not used in "
                  "the model.", (CLAIM["buy_ratings"], CLAIM["analysts"])),
        Statement("CICC: cloud profit potential stronger than the valuation reflects",
                  "Context for the bull margin; no figure, no date.", seeds=("002",)),
        Statement("Freedom Capital Markets downgraded the stock to Hold",
                  "Context for the bear case (returns on cloud spending may come late); no date.", seeds=("002",)),
        Statement(f"a P/E near {v('pe_ai'):.0f}; a forward P/E of roughly {v('pe_forward'):.0f}",
                  "The base profit_multiple takes seed 004's forward P/E; the two do not fit a 10% rise in "
                  "between (see where the sources disagree).", (CLAIM["pe_ai"], CLAIM["pe_forward"])),
        Statement(f"technical resistance at USD {v('resistance_usd'):.2f}",
                  "Shown on the price panel as seed 001's level; the sentence about it lost its figure in "
                  "extraction.", (CLAIM["resistance_usd"],)),
        Statement(f"an {v('spike_after_call_pct'):.0f}% spike after a euphoric call",
                  "Not counted as the policy session: the post is undated and ties the spike to a call, not "
                  "to the plan.", (CLAIM["spike_after_call_pct"],)),
    ]


# --- prices the seeds give ---------------------------------------------------------------------


def price_points(claims, eur_usd: float) -> pd.DataFrame:
    """Every share price the seeds give around the event, in the seed's currency and in USD.

    The euro close is converted at ``eur_usd``; the seeds name neither its venue nor the listing
    behind the 9% session, so a USD equivalent is approximate.
    """
    _check_positive(eur_usd=eur_usd)
    c = {k: claims.get(CLAIM[k]) for k in ("price_jan4_usd", "oct_high_usd", "resistance_usd", "close_eur", "below_high_pct")}
    close_usd = c["close_eur"].value * eur_usd
    implied_high_eur = c["close_eur"].value / (1 + c["below_high_pct"].value / 100)
    rows = [
        ("Oct 2025", "October high, US shares", c["oct_high_usd"].value, "USD", c["oct_high_usd"].value, CLAIM["oct_high_usd"]),
        ("Sun 04 Jan", "US shares, as of seed 004's dateline (a Sunday: an earlier session's price)", c["price_jan4_usd"].value, "USD", c["price_jan4_usd"].value, CLAIM["price_jan4_usd"]),
        ("week of 12 Jan", "technical resistance the stock 'hit' (AI-written)", c["resistance_usd"].value, "USD",
         c["resistance_usd"].value, CLAIM["resistance_usd"]),
        ("Tue 13 Jan", "close, venue not named", c["close_eur"].value, "EUR", close_usd, CLAIM["close_eur"]),
        ("52 weeks to 13 Jan", "52-week high implied by 'nearly 10% below' it", implied_high_eur, "EUR",
         implied_high_eur * eur_usd, f"{CLAIM['close_eur']}, {CLAIM['below_high_pct']}"),
    ]
    return pd.DataFrame(rows, columns=["date", "price", "as given", "currency", "in USD", "claims"])


# --- what the summary and the scenario comparison show ----------------------------------------


def compute(p) -> dict[str, float]:
    """Every model figure under the parameters ``p`` (the validated namespace ``P``)."""
    added = value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct)
    plan = plan_value_usd_bn(
        p.factories_adopting, p.spend_per_factory_rmb_m, p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple
    )
    revenue = plan_revenue_usd_bn(p.factories_adopting, p.spend_per_factory_rmb_m, p.usd_rmb, p.alibaba_share_pct)
    needed_revenue = required_revenue_usd_bn(added, p.margin_pct, p.profit_multiple)
    return {
        "value_added_usd_bn": added,
        "plan_revenue_usd_bn": revenue,
        "plan_value_usd_bn": plan,
        "plan_covers_pct": 100 * plan / added,
        "required_revenue_usd_bn": needed_revenue,
        "required_factory_spend_usd_bn": needed_revenue / (p.alibaba_share_pct / 100),
        "break_even_spend_rmb_m": break_even_spend_rmb_m(
            added, p.factories_adopting, p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple
        ),
        "break_even_factories": break_even_factories(
            added, p.spend_per_factory_rmb_m, p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple
        ),
    }


def cloud_run_rate_usd_bn(claims) -> float:
    """Alibaba Cloud's latest quarterly revenue (seed 004) times four: a yearly run-rate."""
    return 4 * claims.value(CLAIM["cloud_revenue_q_usd_bn"])


def cloud_margin_pct(claims) -> float:
    """Alibaba Cloud's segment profit over revenue in the latest quarter (seed 004), per cent.

    The profit is the figure seed 004 calls EBITDA; Alibaba reports its segments' profit as adjusted
    EBITA, which is struck after depreciation. The notebook says so and does not call it pre-depreciation.
    """
    return 100 * claims.value(CLAIM["cloud_ebitda_q_usd_m"]) / (1_000 * claims.value(CLAIM["cloud_revenue_q_usd_bn"]))


def key_outputs(p, claims) -> dict[str, float]:
    """The few numbers the summary and the scenario comparison show."""
    out = compute(p)
    week = week_value_added_usd_bn(p.market_value_before_usd_bn, p.move_pct, claims.value(CLAIM["week_gain_pct"]))
    return {
        "value_added_usd_bn": out["value_added_usd_bn"],
        "plan_value_usd_bn": out["plan_value_usd_bn"],
        "plan_covers_pct": out["plan_covers_pct"],
        "break_even_spend_rmb_m": out["break_even_spend_rmb_m"],
        "required_revenue_usd_bn": out["required_revenue_usd_bn"],
        "required_revenue_vs_cloud_pct": 100 * out["required_revenue_usd_bn"] / cloud_run_rate_usd_bn(claims),
        "week_value_added_usd_bn": week,
    }


def signposts(p, claims) -> pd.DataFrame:
    """What to watch, with the threshold that separates the scenarios."""
    out = compute(p)
    rows = [
        {
            "signpost": "factories the plan actually funds or enrols",
            "threshold": float(p.factories_adopting),
            "unit": "factories",
            "if_better": "an official count at or above it confirms seed 001's figure; the spend per factory "
                         "then decides (bull if it reaches the break-even)",
            "if_worse": "fewer factories, or no funding reaching them (the risk seed 001 names): bear",
            "basis": f"{CLAIM['factories']}; factories_adopting",
        },
        {
            "signpost": "yearly cloud and AI spend per adopting factory",
            "threshold": out["break_even_spend_rmb_m"],
            "unit": "RMB m per factory per year",
            "if_better": "above it the plan alone is worth the value the session added: bull",
            "if_worse": "below it the session priced in more than the plan brings, at the assumed share; "
                        "the rest must come from elsewhere: base or bear",
            "basis": "break-even of move_pct × market_value_before_usd_bn against the plan's value",
        },
        {
            "signpost": "Alibaba's share of the new industrial cloud and AI spend",
            "threshold": float(p.alibaba_share_pct),
            "unit": "%",
            "if_better": f"toward the ~{claims.value(CLAIM['exec_share_target_pct']):.0f}% of incremental AI-cloud "
                         "growth an executive targets: bull",
            "if_worse": "domestic rivals and global giants take more (seed 001's warning): bear",
            "basis": f"{CLAIM['exec_share_target_pct']}; alibaba_share_pct",
        },
        {
            "signpost": "Alibaba Cloud revenue growth, year on year",
            "threshold": claims.value(CLAIM["cloud_growth_pct"]),
            "unit": "%",
            "if_better": "growth accelerating above the latest quarter's as factory spend arrives: bull",
            "if_worse": "no acceleration: the plan is not yet in the revenue line: base or bear",
            "basis": CLAIM["cloud_growth_pct"],
        },
        {
            "signpost": "Alibaba Cloud margin (segment profit, seed 004's 'EBITDA', over revenue)",
            "threshold": cloud_margin_pct(claims),
            "unit": "%",
            "if_better": "margins widen with AI products (CICC's optimism, seed 002): bull",
            "if_worse": "a GPU price war (seed 003's risk) squeezes them: bear",
            "basis": f"{CLAIM['cloud_ebitda_q_usd_m']}, {CLAIM['cloud_revenue_q_usd_bn']}; margin_pct",
        },
    ]
    return pd.DataFrame(rows, columns=["signpost", "threshold", "unit", "if_better", "if_worse", "basis"])


# --- charts (drawn on axes the notebook makes with style.figure) --------------------------------

LANE_STYLE = {  # colour index in style.PALETTE, marker
    "article": (0, "s"),
    "market": (3, "o"),
    "company and policy": (2, "D"),
}


def draw_timeline(ax, events: Sequence[Event], start: date, end: date) -> None:
    """One row per event: a marker on its day, or a hatched bar over the window the seeds allow.

    Weekends are shaded (no trading). Events without a day or a window are left off.
    """
    import matplotlib.dates as mdates
    from datetime import datetime, timedelta

    from alibaba_report.charts import style

    shown = [e for e in events if e.day or e.latest]
    key = lambda e: (e.day or e.latest, e.day is not None)
    shown = sorted(shown, key=key)
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
                ax.annotate(ev.label + f" (no seed gives the day; by {ev.latest:%-d %b})", (lo, y),
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
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([], [], marker=m, color=style.PALETTE[c], ls="none", label=lane) for lane, (c, m) in LANE_STYLE.items()]
    handles.append(Patch(facecolor=style.PALETTE[3], alpha=0.25, hatch="//", edgecolor=style.PALETTE[3],
                         label="window the seeds allow"))
    handles.append(Patch(facecolor=style.PALETTE[2], alpha=0.25, hatch="..", edgecolor=style.PALETTE[2],
                         label="on or before the arrow"))
    ax.legend(handles=handles, loc="upper right", fontsize=8, ncol=1, frameon=True, facecolor="white", edgecolor="none",
              framealpha=1)


def draw_break_even(ax, p, value_added: float, week_value_added: float, factors=(0.2, 1, 5)) -> float:
    """Plan value against spend per factory, one line per factory count; the move's value as a level.

    Returns the break-even spend (RMB m) at ``p.factories_adopting``, which is marked.
    """
    import numpy as np

    from alibaba_report.charts import style

    spend = np.geomspace(0.05, 50, 200)
    colours = {0: style.PALETTE[4], 1: style.PALETTE[0], 2: style.PALETTE[5]}
    for i, (f, ls) in enumerate(zip(factors, (":", "-", "--"))):
        n = p.factories_adopting * f
        vals = [plan_value_usd_bn(n, s, p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple) for s in spend]
        ax.plot(spend, vals, ls=ls, lw=2.4 if f == 1 else 1.5, color=colours[i % 3], label=f"{n:,.0f} factories adopting")
    ax.axhline(value_added, color=style.PALETTE[3], lw=1.4, label=f"value the {p.move_pct:g}% session added")
    ax.axhline(week_value_added, color=style.PALETTE[1], lw=1.2, ls="-.", label="value the week's gain added")
    be = break_even_spend_rmb_m(value_added, p.factories_adopting, p.usd_rmb, p.alibaba_share_pct, p.margin_pct, p.profit_multiple)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.axvline(p.spend_per_factory_rmb_m, color=style.GREY, ls=":", lw=1.2)
    ax.annotate(f"assumed spend:\nRMB {p.spend_per_factory_rmb_m:g}m", (p.spend_per_factory_rmb_m, 0.97),
                xycoords=("data", "axes fraction"), xytext=(4, 0), textcoords="offset points", va="top",
                fontsize=8, color=style.GREY)
    ax.plot([be], [value_added], marker="o", ms=9, color=style.PALETTE[3], zorder=4)
    ax.annotate(f"break-even: RMB {be:.1f}m\nper factory per year", (be, value_added), xytext=(10, -22),
                textcoords="offset points", ha="left", va="top", fontsize=9, color=style.PALETTE[3])
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda x, _: f"{x:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
    ax.set_xlabel("yearly cloud and AI spend per adopting factory (RMB million, log scale)")
    ax.set_ylabel("plan's value to Alibaba\n(USD bn, log scale)")
    ax.legend(loc="lower right", fontsize=8)
    return be


def draw_revenue_bars(ax, bars: Sequence[tuple[str, float]]) -> None:
    """Horizontal bars of yearly revenue (USD bn), labelled with their values."""
    from alibaba_report.charts import style

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
