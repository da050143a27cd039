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
from alibaba_report.evidence.appendix import md_escape

KIND_TITLES = {
    "same_metric_differs": "The same figure, different values",
    "arithmetic": "Stated figures whose arithmetic does not hold",
    "implausible": "Figures implausible next to the others",
}


def _claim_links(led: ledger.Ledger, ids: str) -> str:
    return ", ".join(led.cite(i) for i in (s.strip() for s in ids.split(",")) if i)


def _what(row: pd.Series) -> str:
    """A reader's label for a case: its subject and metric in words."""
    return f"{md_escape(row['subject'])}: {md_escape(row['metric'].replace('_', ' '))}"


def _label(row: pd.Series) -> str:
    """A MyST target name: only letters, digits and hyphens, whatever the case id holds."""
    return "case-" + re.sub(r"[^a-z0-9-]+", "-", str(row["case_id"]).lower().replace("_", "-"))


def _code(text: object) -> str:
    """Inline code for an identifier; anything else (a backtick could end the span) as text."""
    text = str(text)
    return f"`{text}`" if re.fullmatch(r"[A-Za-z0-9_.-]+", text) else md_escape(text)


def disagreements_page(led: ledger.Ledger, found: pd.DataFrame) -> str:
    counts = found["kind"].value_counts()
    parts = [
        "# Where the sources disagree", "",
        f"The code in `alibaba_report/disagreements.py` compares every claim of the ledger with the "
        f"others on each build and lists here what does not fit: {len(found)} cases, "
        + ", ".join(f"{int(counts.get(k, 0))} of kind *{md_escape(t.lower())}*" for k, t in KIND_TITLES.items())
        + ". Each case gives the claims on each side (linked to their sentences), the size of the gap, "
        "the arithmetic, and which figure the report uses and why.", "",
        "| what | kind | sources | gap |", "| --- | --- | --- | --- |",
    ]
    for _, row in found.iterrows():
        parts.append(
            f"| [{_what(row)}](#{_label(row)}) | {md_escape(row['kind'].replace('_', ' '))} "
            f"| {md_escape(row['sources'])} | {row['gap']:.3g} {md_escape(row['gap_unit'])} |"
        )
    parts.append("")
    for kind, title in KIND_TITLES.items():
        rows = found[found["kind"] == kind]
        if rows.empty:
            continue
        parts += [f"## {title}", ""]
        for _, row in rows.iterrows():
            parts += [
                f"({_label(row)})=",
                f"### {_what(row)}", "",
                f"- **Case:** {_code(row['case_id'])}",
                f"- **Claims:** {_claim_links(led, row['claims'])}",
                f"- **Sources:** {md_escape(row['sources'])}",
                f"- **Values:** {md_escape(row['values'])}",
                f"- **Gap:** {row['gap']:.4g} {md_escape(row['gap_unit'])}", "",
                md_escape(row["explanation"]), "",
                f"**What the report uses.** {md_escape(row['report_uses'])}", "",
            ]
    return "\n".join(parts)


def write_generated_pages(book_dir: Path) -> list[Path]:
    """Write the appendix and the disagreements page into ``book_dir`` (a staging copy)."""
    led = ledger.load_claims()
    written = appendix.write_appendix(book_dir / "appendix", ledger=led)
    page = book_dir / "disagreements.md"
    page.write_text(disagreements_page(led, disagreements.find_disagreements(led)), encoding="utf-8")
    return [*written, page]
