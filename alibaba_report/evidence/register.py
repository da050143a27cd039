"""The source register, ``data/sources.csv``: one row per seed (title, publisher, date, kind, what a
reader should know about its reliability), checked on loading, and the names readers know a source by."""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from alibaba_report import paths
from alibaba_report.evidence.files import SEED_NAME, mtime as _mtime, read_rows, short
from alibaba_report.evidence.schema import SOURCE_COLUMNS, SOURCE_KINDS, LedgerError

if TYPE_CHECKING:
    from alibaba_report.evidence.ledger import Ledger


def seed_label(seed: str) -> str:
    """The number readers see: "000" for a seed file named 000_<hash>.txt."""
    return Path(seed).stem.split("_")[0]


# What a source with no stated publisher is called: its kind, said plainly.
UNNAMED = {"news article": "unsigned article", "opinion post": "anonymous opinion post",
           "text written by an AI agent": "AI-written text"}


def source_short(row: pd.Series) -> str:
    """"AInvest, 12 Jan 2026" or "unsigned article, 8 Jan 2026" from a sources.csv row."""
    who = row["publisher"]
    if who.lower().startswith("not stated"):
        who = UNNAMED.get(row["kind"], row["kind"])
    if row["date"] == "undated":
        return f"{who}, undated"
    day = dt.date.fromisoformat(row["date"])
    return f"{who}, {day.day} {day.strftime('%b %Y')}"


def load_sources(path: Path | str | None = None) -> pd.DataFrame:
    """data/sources.csv, checked: one row per seed, closed kinds, ISO date or "undated"."""
    path = Path(path or paths.data_dir() / "sources.csv").resolve()
    return _load_sources(path, _mtime(path)).copy()


@functools.lru_cache(maxsize=8)
def _load_sources(path: Path, _stamp: int) -> pd.DataFrame:
    rows = read_rows(path, SOURCE_COLUMNS)
    seen: dict[str, int] = {}
    for line, row in rows:
        where = f"{path}: line {line} (seed {short(row['seed'])})"
        if not SEED_NAME.fullmatch(row["seed"]) or ".." in row["seed"]:
            raise LedgerError(f"{where}: column 'seed': expected the name of a file in seeds/ "
                              "(letters, digits, _ . -, ending .txt; no folder, no '..')")
        if row["seed"] in seen:
            raise LedgerError(f"{where}: column 'seed': expected one row per seed; also on line "
                              f"{seen[row['seed']]}")
        seen[row["seed"]] = line
        for column in ("kind", "also"):
            if row.get(column) and row[column] not in SOURCE_KINDS:
                raise LedgerError(f"{where}: column {column!r}: expected one of "
                                  f"{', '.join(SOURCE_KINDS)}, got {row[column]!r}")
        if row["date"] != "undated":
            try:
                dt.date.fromisoformat(row["date"])
            except ValueError:
                raise LedgerError(f"{where}: column 'date': expected an ISO date or 'undated', "
                                  f"got {row['date']!r}") from None
        for column in ("title", "publisher", "reliability"):
            if not row[column].strip():
                raise LedgerError(f"{where}: column {column!r}: expected a non-empty text")
    df = pd.DataFrame([row for _, row in rows])
    if "also" not in df:
        df["also"] = ""
    return df


def check_register(ledger: Ledger, sources: pd.DataFrame) -> None:
    """One register row per seed file and per seed the ledger cites, and none for a missing file."""
    files = ledger.seed_files()
    for seed in files:
        ledger.seed_text(seed)  # every seed is UTF-8 text (the error names the file and the line)
    for row, seed in enumerate(sources["seed"], start=1):
        if seed not in files:
            raise LedgerError(f"data/sources.csv: row {row} (seed {short(seed)}): column 'seed': "
                              f"expected an existing file in seeds/ (known: {', '.join(files) or 'none'})")
    missing = sorted((set(files) | set(ledger.df["seed"])) - set(sources["seed"]))
    if missing:
        raise LedgerError(f"data/sources.csv: expected a row for every seed; missing: {', '.join(missing)}")
