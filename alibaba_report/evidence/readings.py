"""Disagreements that are readings, not arithmetic: where the seeds describe the same thing in words
that do not fit together (a multiple "priced for flawless execution" and "at a notable discount"),
or where a chapter resolves a case by judgement (which move the policy gets credit for).

``data/disagreement_readings.csv`` holds one row per case: what the sources say, the ledger claims
and seeds involved, the verbatim phrases that carry the disagreement (each checked against its
seeds, so a case cannot misquote), what the book uses and why, and how much it matters to the
thesis (1 most). The disagreements page lists these beside the cases the code finds.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from alibaba_report import paths
from alibaba_report.evidence.ledger import Ledger, LedgerError, csv_errors, seed_label

COLUMNS = ("case_id", "matters", "subject", "says", "claims", "seeds", "quotes", "report_uses")
MATTERS = {"1": "central to the value", "2": "changes a chapter's reading", "3": "a detail"}


def _where(path: Path, row: int, column: str) -> str:
    return f"{path.relative_to(paths.root()) if path.is_relative_to(paths.root()) else path.name}: row {row}, column '{column}'"


def load_readings(ledger: Ledger, path: Path | str | None = None) -> pd.DataFrame:
    """The reading cases, checked: every claim in the ledger, every seed present, every phrase
    verbatim in one of the case's seeds. A bad row raises :class:`LedgerError` naming the file,
    the row and the column."""
    path = Path(path or paths.data_dir() / "disagreement_readings.csv")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"{path.name}: cannot be read as UTF-8 text ({type(exc).__name__})") from None
    reader = csv.DictReader(text.splitlines())
    with csv_errors(path, reader):
        header, body = tuple(reader.fieldnames or ()), list(reader)
    if header != COLUMNS:
        raise LedgerError(f"{path.name}: expected the columns {', '.join(COLUMNS)}; got {', '.join(header)}")
    seeds = {seed_label(name): name for name in ledger.seed_files()}
    rows, seen = [], set()
    for n, row in enumerate(body, 2):
        for col in COLUMNS:
            if not (row.get(col) or "").strip():
                raise LedgerError(f"{_where(path, n, col)}: empty; every column is required")
        cid = row["case_id"]
        if not re.fullmatch(r"[a-z0-9_]{3,80}", cid) or cid in seen:
            raise LedgerError(f"{_where(path, n, 'case_id')}: expected a unique snake_case id, got {cid[:60]!r}")
        seen.add(cid)
        if row["matters"] not in MATTERS:
            raise LedgerError(f"{_where(path, n, 'matters')}: expected one of {', '.join(MATTERS)}, got {row['matters'][:20]!r}")
        for claim in row["claims"].split():
            if claim not in ledger:
                raise LedgerError(f"{_where(path, n, 'claims')}: no claim {claim[:60]!r} in the ledger")
        case_seeds = row["seeds"].split()
        for s in case_seeds:
            if s not in seeds:
                raise LedgerError(f"{_where(path, n, 'seeds')}: no seed {s[:20]!r}; seeds: {', '.join(sorted(seeds))}")
        for phrase in row["quotes"].split("|"):
            if not any(phrase in ledger.seed_text(seeds[s]) for s in case_seeds):
                raise LedgerError(f"{_where(path, n, 'quotes')}: the phrase {phrase[:60]!r} is in none of seeds "
                                  f"{', '.join(case_seeds)}; quote the seeds verbatim")
        rows.append(row)
    if not rows:
        raise LedgerError(f"{path.name}: no cases")
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["matters"] = df["matters"].astype(int)
    return df.sort_values(["matters", "case_id"]).reset_index(drop=True)
