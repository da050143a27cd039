"""Pages generated from data at build time, into the staging copy of the book.

The appendix (one page per seed, the source register) and "Where the sources disagree" are written
from the ledger by code on every build, so a sixth seed, a new claim or a new inconsistency shows
up without anyone editing a page.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from alibaba_report.evidence import appendix
from alibaba_report.evidence import cite
from alibaba_report.evidence import disagreements
from alibaba_report.evidence import ledger
from alibaba_report.evidence import readings
from alibaba_report.evidence.appendix import md_escape
from alibaba_report.messages import count_words

MATTERS_TITLES = {
    1: "Central to what the shares are worth",
    2: "Changes how a chapter reads",
    3: "Details",
}


def _claim_links(led: ledger.Ledger, ids: str) -> str:
    found = [i for i in (s.strip() for s in ids.split(",")) if i]
    return cite.claim(*found) if found else ""


# Metric names whose plain-words form is not just the name with spaces.
METRIC_WORDS = {"pe_ratio": "P/E ratio", "pe_forward": "forward P/E", "eps": "EPS", "eps_growth": "EPS growth",
                "ebitda": "EBITDA", "ebitda_growth_yoy": "EBITDA growth, year on year",
                "revenue_growth_yoy": "revenue growth, year on year",
                "adjusted_earnings_growth_yoy": "adjusted earnings growth, year on year",
                "adjusted_ebitda": "adjusted EBITDA", "ai_share_of_external_revenue": "AI share of external revenue",
                "ebitda_margin_change": "change in the EBITDA margin",
                "price_target_upside": "upside to the price target"}


def metric_words(metric: str) -> str:
    """A ledger metric in reader words ("revenue_growth_yoy" -> "revenue growth, year on year")."""
    return METRIC_WORDS.get(metric, metric.replace("_", " "))


def _label(row: pd.Series) -> str:
    """A MyST target name: only letters, digits and hyphens, whatever the case id holds."""
    return disagreements.case_anchor(row["case_id"])


def headings(rows: list[pd.Series]) -> list[str]:
    """One heading per case, unique on the page: its subject and metric in words; where two cases share
    them, the sources each case sets against each other tell them apart (then a number, as a last resort)."""
    base = [disagreements.case_title(r) if "metric" in r and isinstance(r.get("metric"), str)
            else str(r["subject"]) for r in rows]
    out = []
    for r, b in zip(rows, base):
        if base.count(b) > 1 and isinstance(r.get("sources"), str) and r["sources"]:
            b = f"{b}, in {r['sources']}"
        out.append(b)
    seen: dict[str, int] = {}
    final = []
    for h in out:
        seen[h] = seen.get(h, 0) + 1
        final.append(h if out.count(h) == 1 else f"{h} ({seen[h]})")
    return final


def _said_list(led: ledger.Ledger, ids: str, metric: str | None = None) -> list[str]:
    return [f"- {md_escape(disagreements.said(led, i, metric))}" for i in (s.strip() for s in ids.split(",")) if i]


def _found_case(led: ledger.Ledger, row: pd.Series, heading: str) -> list[str]:
    """A case the checks found: who said what, what the book uses and why; the arithmetic folded away."""
    return [
        f"({_label(row)})=",
        f"### {md_escape(heading)}", "",
        f"*{disagreements.KIND_WORDS[row['kind']]}.* Who says what:", "",
        *_said_list(led, row["claims"], row["metric"]), "",
        f"**What the book uses, and why.** {md_escape(row['report_uses'])}", "",
        ":::{dropdown} How this was found",
        md_escape(row["explanation"]), "",
        f"The sentences: {_claim_links(led, row['claims'])}. Gap: {row['gap']:.3g} {md_escape(row['gap_unit'])}.",
        ":::", "",
    ]


def _reading_case(led: ledger.Ledger, row: pd.Series, heading: str) -> list[str]:
    """A case of reading: what the sources say in their words, and what the book uses."""
    claims = " ".join(str(row["claims"]).split())
    links = _claim_links(led, ", ".join(claims.split())) if claims else ""
    return [
        f"({_label(row)})=",
        f"### {md_escape(heading)}", "",
        f"*{disagreements.KIND_WORDS['reading']}.* **Who says what.** {md_escape(row['says'])}", "",
        f"**What the book uses, and why.** {md_escape(row['report_uses'])}", "",
        ":::{dropdown} How this was found",
        "Read, not computed: the phrases quoted above are checked word for word against the sources on "
        "every build." + (f" The sentences: {links}." if links else ""),
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
        f"The book's {count_words(len(led.sources()))} sources do not always fit together. Here is every case, {len(cases)} in all, "
        "most important first: what the sources say, what the book uses and why. "
        f"{len(found)} were found by checking every figure against the others (the arithmetic is under "
        f"*How this was found*); {len(read)} are differences of reading that no check can find.", "",
    ]
    for level, title in MATTERS_TITLES.items():
        these = [(k, r) for m, k, r in cases if m == level]
        if not these:
            continue
        parts += [f"## {title}", ""]
        for (kind, row), heading in zip(these, headings([r for _, r in these])):
            parts += _found_case(led, row, heading) if kind == 0 else _reading_case(led, row, heading)
    return "\n".join(parts)


def write_generated_pages(book_dir: Path) -> list[Path]:
    """Write the appendix and the disagreements page into ``book_dir`` (a staging copy)."""
    led = ledger.load_claims()
    written = appendix.write_appendix(book_dir / "appendix", ledger=led)
    page = book_dir / "disagreements.md"
    page.write_text(disagreements_page(led, disagreements.find_disagreements(led)), encoding="utf-8")
    return [*written, page]
