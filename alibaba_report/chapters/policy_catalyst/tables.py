"""The policy chapter's evidence and tables: the days the sources cover (the timeline, each event with
the claims or sources that place it), the share prices around the event, the statements it weighs and
who makes them, the disagreements, the scenarios and the sensitivity grid, for reading."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

import numpy as np
import pandas as pd

from alibaba_report.chapters import hk_vs_us
from alibaba_report.chapters.contract import ModelInputError
from alibaba_report.chapters.policy_catalyst.model import CLAIMS, compute, scenario_parameters, sensitivity_grid
from alibaba_report.evidence import disagreements
from alibaba_report.evidence.ledger import seed_label

# --- the sources and the timeline --------------------------------------------------------------


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


def trading_days_in_window(claims) -> int:
    """Weekdays in the window the sources allow for the session (both ends counted)."""
    surge = next(e for e in timeline_events(claims, claims.sources()) if CLAIMS["session_gain_pct"] in e.claim_ids)
    return int(np.busday_count(surge.earliest, surge.latest + timedelta(days=1)))


def timeline_span(events: Sequence[Event]) -> tuple[date, date]:
    days = [e.day for e in events if e.day]
    return min(days), max(days)


# --- tables for reading ---------------------------------------------------------------------


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
                  "A share of the AI-cloud market's growth, not of the plan's spend: it sets no share in the model.",
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


def scenario_table(claims, scenarios: Sequence[str] = ("bear", "base", "bull")) -> pd.DataFrame:
    """The book's scenarios side by side: their assumptions, the share of the plan's FY27 revenue the cloud's
    servers serve, the plan's value and the break-even (in words when no spend reaches it)."""
    rows = []
    for scen in scenarios:
        ps = scenario_parameters(scen)
        k = compute(ps, claims)
        be = k["break_even_spend_rmb_m"]
        rows.append({"scenario": scen, "factories": ps.factories_adopting, "spend (RMB m/yr)": ps.spend_per_factory_rmb_m,
                     "Alibaba share (%)": ps.alibaba_share_pct, "cloud cash margin (%)": ps.cash_margin_pct,
                     "FY27 revenue served (%)": round(k["plan_served_pct"]),
                     "multiple (x)": ps.profit_multiple, "plan value (USD bn)": k["plan_value_usd_bn"],
                     "% of session's value": k["plan_covers_pct"],
                     "break-even spend (RMB m/yr)": f"{be:.2f}" if be is not None else "none within the servers' room"})
    return pd.DataFrame(rows).set_index("scenario")


def sensitivity_table(p, claims) -> pd.DataFrame:
    """The sensitivity grid for reading: rounded, rows and columns labelled in words."""
    shown = sensitivity_grid(p, claims).round(1)
    shown.index = [f"{f:,.0f} factories" for f in shown.index]
    shown.index.name = "plan value, % of the session's value added"
    shown.columns = [f"RMB {s:g}m a year" for s in shown.columns]
    return shown
