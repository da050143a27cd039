"""``data/claims.csv`` read row by row into checked ``Claim`` records: each row's fields typed, its
seed known, its quote found exactly once in the seed. The first problem stops the reading with a
``LedgerError`` naming the file, the CSV line, the claim id, the column and what was expected."""
from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from pydantic import ValidationError

from alibaba_report.evidence.files import closest_passage, read_rows, read_text, seed_files
from alibaba_report.evidence.schema import COLUMNS, Claim, LedgerError


def _iso_date(where: str, column: str, text: str, expected: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise LedgerError(f"{where}: column {column!r}: expected {expected}, got {text!r}") from None


def row_to_claim(path: Path, line: int, row: dict[str, str]) -> Claim:
    """One row of a claims file (or a candidates file) as a Claim, or a LedgerError naming the line and column."""
    where = f"{path}: line {line} (id {row.get('id')!r})"
    data: dict[str, object] = {k: v for k, v in row.items() if k not in ("value", "as_of")}
    if row["unit"] == "date":
        data["date"] = _iso_date(where, "value", row["value"], "an ISO date YYYY-MM-DD for unit 'date'")
    else:
        try:
            data["value"] = float(row["value"])
            if not math.isfinite(data["value"]) or not re.fullmatch(r"-?\d+(\.\d+)?", row["value"]):
                raise ValueError
        except ValueError:
            raise LedgerError(f"{where}: column 'value': expected a plain number (dot decimal, no "
                              f"thousands separator, no unit), got {row['value']!r}") from None
    if row["as_of"]:
        data["as_of"] = _iso_date(where, "as_of", row["as_of"], "an ISO date or nothing")
    try:
        return Claim(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        if err["loc"]:
            msg = f"column {err['loc'][0]!r}: expected {msg.removeprefix('Input should be ')}, " \
                  f"got {err['input']!r}"
        else:  # a cross-column check: the message starts with the column it blames
            column, _, rest = msg.partition(": ")
            msg = f"column {column!r}: {rest}"
        raise LedgerError(f"{where}: {msg}") from None


def read_claims(path: Path, seeds_dir: Path) -> tuple[list[Claim], dict[str, str]]:
    """Every row of the claims file ``path`` as a checked Claim, and the text of each seed they cite."""
    seeds = seed_files(seeds_dir)
    texts: dict[str, str] = {}
    claims: list[Claim] = []
    first_line: dict[str, int] = {}
    for line, row in read_rows(path, COLUMNS):
        where = f"{path}: line {line} (id {row['id']!r})"
        if row["id"] in first_line:
            raise LedgerError(f"{where}: column 'id': expected a unique id; {row['id']!r} is also "
                              f"on line {first_line[row['id']]}")
        first_line[row["id"]] = line
        if row["seed"] not in seeds:
            raise LedgerError(f"{where}: column 'seed': expected a seed file in {seeds_dir}, got "
                              f"{row['seed']!r} (known: {', '.join(seeds) or 'none'})")
        claim = row_to_claim(path, line, row)
        text = texts.setdefault(claim.seed, read_text(seeds[claim.seed]))
        count = text.count(claim.quote)
        if count == 0:
            passage, diff = closest_passage(text, claim.quote)
            raise LedgerError(f"{where}: column 'quote': expected a verbatim passage of seed "
                              f"{claim.seed}; not found. Closest passage: {passage!r} ({diff})")
        if count > 1:
            raise LedgerError(f"{where}: column 'quote': expected a passage that occurs once in "
                              f"seed {claim.seed} (it occurs {count} times; lengthen it)")
        claims.append(claim)
    return claims, texts
