"""Coverage of the seeds: every number a seed states is a claim's figure or an excluded snippet
(``data/ledger_exclusions.csv``, each with a reason), so that no figure is left out unseen."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from alibaba_report import paths
from alibaba_report.evidence.files import closest_passage, read_rows, read_text, seed_files
from alibaba_report.evidence.schema import EXCLUSION_COLUMNS, LedgerError, numeric_mentions

if TYPE_CHECKING:
    from alibaba_report.evidence.ledger import Ledger


def load_exclusions(path: Path | str | None = None,
                    seeds_dir: Path | str | None = None) -> pd.DataFrame:
    """data/ledger_exclusions.csv, checked: each snippet verbatim in its seed, with a reason."""
    path = Path(path or paths.data_dir() / "ledger_exclusions.csv").resolve()
    seeds = seed_files(Path(seeds_dir or paths.seeds_dir()).resolve())
    rows = read_rows(path, EXCLUSION_COLUMNS)
    for line, row in rows:
        where = f"{path}: line {line}"
        if row["seed"] not in seeds:
            raise LedgerError(f"{where}: column 'seed': expected a seed file, got {row['seed']!r}")
        text = read_text(seeds[row["seed"]])
        if row["text"] not in text:
            passage, diff = closest_passage(text, row["text"])
            raise LedgerError(f"{where}: column 'text': expected a verbatim snippet of "
                              f"{row['seed']}; closest passage: {passage!r} ({diff})")
        if not numeric_mentions(row["text"]):
            raise LedgerError(f"{where}: column 'text': expected a snippet with a numeric mention")
        if not row["reason"].strip():
            raise LedgerError(f"{where}: column 'reason': expected a reason")
    return pd.DataFrame([row for _, row in rows], columns=list(EXCLUSION_COLUMNS))


def uncovered_mentions(ledger: Ledger, exclusions: pd.DataFrame) -> list[tuple[str, int, str, str]]:
    """Numeric mentions in the ledger's seeds that no claim value_text and no exclusion covers.

    Returns (seed, offset, token, context) for each, so a failing test can show where they are.
    """
    covered: dict[str, list[tuple[int, int]]] = {s: [] for s in ledger.seed_files()}
    for claim_id, claim in ledger.claims.items():
        covered[claim.seed].append(ledger.value_span(claim_id))
    for row in exclusions.itertuples():
        text = ledger.seed_text(row.seed)
        covered[row.seed] += [(m.start(), m.end()) for m in re.finditer(re.escape(row.text), text)]
    missing = []
    for seed, spans in covered.items():
        text = ledger.seed_text(seed)
        for start, end, token in numeric_mentions(text):
            if not any(a <= start and end <= b for a, b in spans):
                context = text[max(0, start - 40):end + 40].replace("\n", "⏎")
                missing.append((seed, start, token, context))
    return missing
