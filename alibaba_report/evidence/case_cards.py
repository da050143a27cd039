"""The disagreements as a chapter shows them: who said what, in reader words, and short cards that
fit a phone, each linking to its case on the disagreements page. The cases themselves are found in
disagreements.py."""
from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from alibaba_report.evidence.ledger import Claim, Ledger, load_claims
from alibaba_report.messages import dates_in_words

# Who gives a figure, in reader words (the ledger's speaker names, where they are not already words).
SPEAKER_WORDS = {"article author": "the author", "post author": "the author", "market data": "market data",
                 "analyst consensus": "the analysts' consensus"}
# The kinds of case, in a portfolio manager's words.
KIND_WORDS = {
    "same_metric_differs": "Different figures for the same thing",
    "arithmetic": "A source's own arithmetic does not hold",
    "implausible": "A figure far out of line with the others",
    "reading": "The same facts read differently",
}
_UNIT_IN_TEXT = ("%", "$", "¥", "€", "yuan", "rmb", "usd", "eur", "hk", "billion", "million", "bn")


def _who(ledger: Ledger, claim: Claim) -> str:
    """"Nomura (unsigned article, 8 Jan 2026)": who gives the figure, and in which source."""
    return f"{SPEAKER_WORDS.get(claim.said_by, claim.said_by)} ({ledger.source_name(claim.seed)})"


def said(ledger: Ledger, claim_id: str, metric: str | None = None) -> str:
    """Who said what, as plain text: "Nomura (unsigned article, 8 Jan 2026): 35 billion; FY26Q3 (CY25Q4)".
    The figure is as the source writes it; the unit follows when the words do not carry it. A figure
    of another measure than the case's ``metric`` (an input of the case's arithmetic, such as a price
    change beside P/E ratios) says which measure it is."""
    from alibaba_report.evidence.pages import metric_words

    c = ledger.get(claim_id)
    figure = c.value_text
    if not any(u in figure.lower() for u in _UNIT_IN_TEXT):
        figure = {"%": f"{figure}%", "x": f"{figure} times earnings"}.get(c.unit, f"{figure} ({c.unit})")
    if metric is not None and c.metric != metric:
        figure = f"{figure} ({metric_words(c.metric)})"
    return f"{_who(ledger, c)}: {figure}; {dates_in_words(c.period)}"


def touching(cases: pd.DataFrame, claim_ids: Iterable[str]) -> pd.DataFrame:
    """The cases (rows of :func:`find_disagreements`) that involve any of ``claim_ids``."""
    wanted = {str(i).strip() for i in claim_ids}
    hit = cases["claims"].map(lambda ids: bool(wanted & {c.strip() for c in str(ids).split(",")}))
    return cases.loc[hit].reset_index(drop=True)


def case_anchor(case_id: str) -> str:
    """The id of a case's heading on the disagreements page: letters, digits and single hyphens, as
    Sphinx writes a target's id ("a__b" -> "case-a-b")."""
    return "case-" + re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", str(case_id).lower())).strip("-")


def case_title(row) -> str:
    """A case's title in reader words: its subject, its metric, and its period where the case has one."""
    from alibaba_report.evidence.pages import metric_words

    return f"{row['subject']}: {metric_words(row['metric'])}"


class ReaderCases:
    """A chapter's disagreements as short cards that fit a phone: what disagrees, who said what (source,
    figure, period), what the book uses, and a link to the case on the disagreements page. Text from data
    is escaped, never markup."""

    def __init__(self, cases: pd.DataFrame, ledger: Ledger):
        from alibaba_report.evidence.pages import headings

        self.items = []
        rows = [row for _, row in cases.iterrows()]
        for row, title in zip(rows, headings(rows)):  # unique titles, as on the disagreements page
            ids = [i.strip() for i in str(row["claims"]).split(",") if i.strip()]
            self.items.append(dict(title=title, kind=KIND_WORDS.get(row["kind"], row["kind"]),
                                   said=[said(ledger, i, row["metric"]) for i in ids], uses=str(row["report_uses"]),
                                   anchor=case_anchor(row["case_id"])))

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        lines = []
        for it in self.items:
            lines += [f"{it['title']} ({it['kind'].lower()})", *(f"  - {s}" for s in it["said"]),
                      f"  The book uses: {it['uses']}", ""]
        return "\n".join(lines).rstrip() or "No source disagrees with another on this chapter's figures."

    def _repr_html_(self) -> str:
        from html import escape

        if not self.items:
            return "<p>No source disagrees with another on this chapter's figures.</p>"
        out = ['<div class="case-cards">']
        for it in self.items:
            said_items = "".join(f"<li>{escape(s)}</li>" for s in it["said"])
            out.append(
                f'<div class="case-card"><p class="case-title"><strong>{escape(it["title"])}</strong> '
                f'<span class="case-kind">{escape(it["kind"])}</span></p>'
                f'<ul class="case-said">{said_items}</ul>'
                f'<p><strong>The book uses:</strong> {escape(it["uses"])} '
                f'<a href="disagreements.html#{escape(it["anchor"])}">The case in full</a></p></div>')
        out.append("</div>")
        return "".join(out)


def for_readers(cases: pd.DataFrame, ledger: Ledger | None = None) -> ReaderCases:
    """Cases as a chapter shows them: cards with what disagrees in words, who said what and what the book
    uses (the arithmetic is on the disagreements page, one link away)."""
    return ReaderCases(cases, ledger or load_claims())
