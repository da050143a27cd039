"""Pages generated from data at build time, into the staging copy of the book.

The appendix (one page per seed, the source register) and "Where the sources disagree" are written
from the ledger by code on every build, so a sixth seed, a new claim or a new inconsistency shows
up without anyone editing a page.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from alibaba_report.evidence import appendix
from alibaba_report.evidence import disagreements
from alibaba_report.evidence import ledger
from alibaba_report.evidence import readings
from alibaba_report.evidence.appendix import md_escape

KIND_TITLES = {
    "same_metric_differs": "the same figure given two values",
    "arithmetic": "a stated figure whose arithmetic does not hold",
    "implausible": "a figure implausible next to the others",
    "reading": "the same thing read differently",
}
MATTERS_TITLES = {
    1: "Central to what the shares are worth",
    2: "Changes how a chapter reads",
    3: "Details",
}


def _claim_links(led: ledger.Ledger, ids: str) -> str:
    return ", ".join(led.cite(i) for i in (s.strip() for s in ids.split(",")) if i)


# Metric names whose plain-words form is not just the name with spaces.
METRIC_WORDS = {"pe_ratio": "P/E ratio", "pe_forward": "forward P/E", "eps": "EPS", "eps_growth": "EPS growth",
                "ebitda": "EBITDA", "ebitda_growth_yoy": "EBITDA growth, year on year",
                "revenue_growth_yoy": "revenue growth, year on year",
                "adjusted_earnings_growth_yoy": "adjusted earnings growth, year on year",
                "adjusted_ebitda": "adjusted EBITDA", "ai_share_of_external_revenue": "AI share of external revenue"}


def metric_words(metric: str) -> str:
    """A ledger metric in reader words ("revenue_growth_yoy" -> "revenue growth, year on year")."""
    return METRIC_WORDS.get(metric, metric.replace("_", " "))


def _what(row: pd.Series) -> str:
    """A reader's label for a case: its subject and metric in words."""
    return f"{md_escape(row['subject'])}: {md_escape(metric_words(row['metric']))}"


def _label(row: pd.Series) -> str:
    """A MyST target name: only letters, digits and hyphens, whatever the case id holds."""
    return "case-" + re.sub(r"[^a-z0-9-]+", "-", str(row["case_id"]).lower().replace("_", "-"))


def _found_case(led: ledger.Ledger, row: pd.Series) -> list[str]:
    """A case the checks found: what the sources say, what the book uses, and the arithmetic folded away."""
    return [
        f"({_label(row)})=",
        f"### {_what(row)}", "",
        f"**What the sources say** ({md_escape(row['sources'])}): {md_escape(row['values'])}. "
        f"This is {KIND_TITLES[row['kind']]}.", "",
        f"**What the book uses.** {md_escape(row['report_uses'])}", "",
        ":::{dropdown} How this was found",
        md_escape(row["explanation"]), "",
        f"Claims: {_claim_links(led, row['claims'])}. Gap: {row['gap']:.3g} {md_escape(row['gap_unit'])}.",
        ":::", "",
    ]


def _reading_case(led: ledger.Ledger, row: pd.Series) -> list[str]:
    """A case of reading: what the sources say in their words, and what the book uses."""
    claims = " ".join(str(row["claims"]).split())
    links = _claim_links(led, ", ".join(claims.split())) if claims else ""
    return [
        f"({_label(row)})=",
        f"### {md_escape(row['subject'])}", "",
        f"**What the sources say.** {md_escape(row['says'])}", "",
        f"**What the book uses.** {md_escape(row['report_uses'])}", "",
        ":::{dropdown} How this was found",
        "Read, not computed: the phrases quoted above are checked word for word against the sources on "
        "every build." + (f" Claims: {links}." if links else ""),
        ":::", "",
    ]


def disagreements_page(led: ledger.Ledger, found: pd.DataFrame, read: pd.DataFrame | None = None) -> str:
    """Every case where the sources do not fit together, most important first: what each source says,
    what the book uses and why; the arithmetic folded under each case."""
    read = read if read is not None else readings.load_readings(led)
    cases = [(int(r["matters"]), 0, r) for _, r in found.iterrows()] + [(int(r["matters"]), 1, r) for _, r in read.iterrows()]
    cases.sort(key=lambda c: (c[0], c[1]))
    parts = [
        "# Where the sources disagree", "",
        f"The five sources do not always fit together. Here is every case, {len(cases)} in all, most important "
        "first: what the sources say, what the book uses and why. "
        f"{len(found)} were found by checking every figure against the others (the arithmetic is under "
        f"*How this was found*); {len(read)} are differences of reading that no check can find.", "",
    ]
    for level, title in MATTERS_TITLES.items():
        these = [(k, r) for m, k, r in cases if m == level]
        if not these:
            continue
        parts += [f"## {title}", ""]
        for kind, row in these:
            parts += _found_case(led, row) if kind == 0 else _reading_case(led, row)
    return "\n".join(parts)


def write_generated_pages(book_dir: Path) -> list[Path]:
    """Write the appendix and the disagreements page into ``book_dir`` (a staging copy)."""
    led = ledger.load_claims()
    written = appendix.write_appendix(book_dir / "appendix", ledger=led)
    page = book_dir / "disagreements.md"
    page.write_text(disagreements_page(led, disagreements.find_disagreements(led)), encoding="utf-8")
    return [*written, page]
