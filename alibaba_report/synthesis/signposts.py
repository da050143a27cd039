"""Signposts as data (``data/signposts.yml``), graded against the newest evidence on every build.

Each signpost watches one figure of the claims ledger (subject, metric, period and the kinds of
claim that count), a threshold in a unit and a direction, the date by which it should be known, and
what meeting or missing it means for the bear, base and bull cases. :func:`grade` reads the newest
claim of that figure dated after ``evidence_after`` and says *met*, *missed*, *not settled* (the
figure is a bound on the wrong side: "over 30%" against a 35% threshold) or *not yet reported*.
The page shows the source as its publisher and date; nothing here prints an id.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from alibaba_report import params, paths
from alibaba_report.chapters.contract import CASES
from alibaba_report.evidence import cite, ledger
from alibaba_report.evidence.appendix import md_escape

GRADES = ("met", "missed", "not settled", "not yet reported")
FIGURE_CASES = ("bear", "base", "bull")


class SignpostError(ValueError):
    """data/signposts.yml is wrong; the message names the file, the signpost and the field."""


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    supports: Literal[CASES]
    bear: str
    base: str
    bull: str


class WatchedSignpost(BaseModel):
    """One signpost of data/signposts.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    subject: str
    metric: str
    period: str
    kinds: tuple[Literal[ledger.KINDS], ...]
    threshold: float
    unit: str
    direction: Literal["at_least", "at_most"]
    known_by: dt.date
    why: str
    met: Outcome
    missed: Outcome

    @field_validator("name", "subject", "metric", "period", "unit", "why")
    @classmethod
    def _text(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a non-empty text")
        return v

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: tuple) -> tuple:
        if not v:
            raise ValueError("at least one kind of claim")
        return v

    def threshold_words(self) -> str:
        side = "at least" if self.direction == "at_least" else "at most"
        number = f"{self.threshold:,.2f}".rstrip("0").rstrip(".")
        unit = self.unit
        if unit.startswith("%"):
            return f"{side} {number}{unit}"
        if unit.startswith(("RMB", "USD", "HKD", "EUR")):
            cur, _, scale = unit.partition(" ")
            return f"{side} {cur} {number}{scale}"
        return f"{side} {number} {unit}"


class Watchlist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    evidence_after: dt.date
    evidence_after_reason: str
    signposts: dict[str, WatchedSignpost]


def path() -> Path:
    return paths.data_dir() / "signposts.yml"


def load(file: Path | None = None) -> Watchlist:
    """data/signposts.yml, checked; a wrong field is named with the signpost and what was expected."""
    file = Path(file or path())
    if not file.exists():
        raise SignpostError(f"{file}: file not found (the signposts the book grades)")
    data = params.read_yaml(file)  # refuses aliases and ambiguous YAML numbers, naming the line
    try:
        return Watchlist.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise SignpostError(f"{file}: {where}: {err['msg']} (got {str(err.get('input'))[:60]!r})") from None


def _date_of(claim: ledger.Claim, sources: pd.DataFrame) -> dt.date | None:
    if claim.as_of is not None:
        return claim.as_of
    row = sources.loc[sources["seed"] == claim.seed]
    date = row["date"].iloc[0] if len(row) else "undated"
    return None if date == "undated" else dt.date.fromisoformat(date)


def evidence(s: WatchedSignpost, claims: ledger.Ledger, after: dt.date) -> ledger.Claim | None:
    """The newest claim of the signpost's figure dated after ``after``, or None."""
    sources = claims.sources()
    found = []
    for c in claims.claims.values():
        if (c.metric == s.metric and c.subject.lower() == s.subject.lower() and c.kind in s.kinds
                and c.period.split(" ")[0] == s.period and c.value is not None):
            when = _date_of(c, sources)
            if when is not None and when > after:
                found.append((when, c.seed, c.id, c))
    return max(found)[3] if found else None


def outcome(s: WatchedSignpost, value: float, bound: str) -> str:
    """met / missed / not settled for a figure ``value`` stated with ``bound`` ("more_than" ...)."""
    low = value if bound in ("exact", "approx", "more_than", "at_least") else float("-inf")
    high = value if bound in ("exact", "approx", "less_than", "up_to") else float("inf")
    ok = (lambda x: x >= s.threshold) if s.direction == "at_least" else (lambda x: x <= s.threshold)
    if ok(low) and ok(high):
        return "met"
    if not ok(low) and not ok(high):
        return "missed"
    return "not settled"


def _latest_source_date(claims: ledger.Ledger) -> dt.date | None:
    dates = [dt.date.fromisoformat(d) for d in claims.sources()["date"] if d != "undated"]
    return max(dates) if dates else None


def grade(claims: ledger.Ledger | None = None, watch: Watchlist | None = None) -> list[dict]:
    """Every signpost graded: its grade, the figure, the claim (for the citation), its date and the
    scenario the evidence supports ("—" when nothing has been reported)."""
    claims = claims or ledger.load_claims()
    watch = watch or load()
    newest_source = _latest_source_date(claims)
    out = []
    for key, s in watch.signposts.items():
        c = evidence(s, claims, watch.evidence_after)
        g = outcome(s, c.value, c.bound) if c else "not yet reported"
        overdue = c is None and newest_source is not None and newest_source > s.known_by
        supports = s.met.supports if g == "met" else s.missed.supports if g == "missed" else "—"
        out.append({"key": key, "name": s.name, "threshold": s.threshold_words(), "known_by": s.known_by,
                     "grade": g, "overdue": overdue, "value_text": c.value_text if c else "",
                     "claim": c.id if c else None, "date": _date_of(c, claims.sources()) if c else None,
                     "supports": supports})
    return out


def counts(grades: list[dict]) -> dict[str, int]:
    return {g: sum(1 for r in grades if r["grade"] == g) for g in GRADES}


def _day(d: dt.date | None) -> str:
    return f"{d.day} {d.strftime('%b %Y')}" if d else "—"


def table_markdown(grades: list[dict], claims: ledger.Ledger, case: str = "base") -> str:
    """The graded signposts as a Markdown table: the figure with its citation (publisher and date)."""
    watch = load()
    register = claims.sources().set_index("seed")
    lines = ["| signpost | threshold | known by | grade | newest figure | source | what it means for the "
             f"{md_escape(case)} case |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in grades:
        s = watch.signposts[r["key"]]
        grade_text = r["grade"] + (" (overdue)" if r["overdue"] else "")
        if r["claim"]:
            seed = claims.get(r["claim"]).seed
            source = ledger.source_short(register.loc[seed]) if seed in register.index else "—"
            figure = f"{md_escape(r['value_text'])} {cite.claim(r['claim'])}"
        else:
            source, figure = "—", "—"
        meaning = {"met": s.met, "missed": s.missed}.get(r["grade"])
        means = (f"{md_escape(getattr(meaning, case if case in FIGURE_CASES else 'base'))} "
                 f"(*{md_escape(meaning.supports)}*)") if meaning else "—"
        lines.append(f"| {md_escape(s.name)} | {md_escape(r['threshold'])} | {_day(r['known_by'])} | "
                     f"**{grade_text}** | {figure} | {md_escape(source)} | {means} |")
    return "\n".join(lines) + "\n"


def outcomes_markdown() -> str:
    """What each outcome of each signpost means for the bear, base and bull cases, as a list."""
    items = []
    for s in load().signposts.values():
        items.append(f"- **{md_escape(s.name)}**, {md_escape(s.threshold_words())} "
                     f"({md_escape(s.why)}):")
        for label, o in (("met", s.met), ("missed", s.missed)):
            items.append(f"  - if {label} (*{md_escape(o.supports)}*): bear, {md_escape(o.bear)}; "
                         f"base, {md_escape(o.base)}; bull, {md_escape(o.bull)}")
    return "\n".join(items) + "\n"


def _number_words(n: int) -> str:
    return ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")[n] if n < 10 else str(n)


def _verb(n: int, singular: str, plural: str) -> str:
    return f"{_number_words(n)} {singular if n <= 1 else plural}"


def summary_sentence(grades: list[dict] | None = None, previous: dict | None = None) -> str:
    """One sentence for the summary: how many signposts were met and missed since the last edition
    (``previous``: its name, date and grades by signpost), or, with no edition yet, so far."""
    grades = grades if grades is not None else grade()
    previous = previous if previous is not None else last_edition_grades()
    c = counts(grades)
    waiting = _verb(c["not yet reported"], "is", "are") + " not yet reported"
    if previous is None:
        return (f"Of the {_number_words(len(grades))} signposts the book watches, {_verb(c['met'], 'has', 'have')} "
                f"been met and {_number_words(c['missed'])} missed so far; {waiting}.")
    before = previous["grades"]
    newly = [r for r in grades if r["grade"] in ("met", "missed") and before.get(r["key"]) != r["grade"]]
    met = sum(1 for r in newly if r["grade"] == "met")
    return (f"Since the {previous['name']} edition (sources to {_day(previous['date'])}), "
            f"{_number_words(met)} of the {_number_words(len(grades))} signposts the book watches "
            f"{'was' if met <= 1 else 'were'} met and {_number_words(len(newly) - met)} missed; {waiting}.")


def last_edition_grades() -> dict | None:
    """The newest edition's name, date and signpost grades (editions/*.json), or None."""
    from alibaba_report.synthesis import editions

    last = editions.latest()
    if last is None:
        return None
    data = json.loads(last.read_text(encoding="utf-8"))
    return {"name": data["name"], "date": dt.date.fromisoformat(data["date"]),
            "grades": {r["key"]: r["grade"] for r in data["signposts"]}}


def evidence_after_words(watch: Watchlist | None = None) -> str:
    """The date after which a figure counts as news, in reader words ("14 Jan 2026")."""
    return _day((watch or load()).evidence_after)
