"""A new source in two commands: ``make source`` registers it and proposes its claims, ``make accept``
moves the accepted ones into the ledger.

``make source FILE=<path> PUBLISHER='<name>' DATE=<YYYY-MM-DD> [TITLE='…']`` copies the file into
``seeds/`` under the next number, adds its checksum and its ``data/sources.csv`` row, and writes
``data/candidates/<seed>.csv``: one row per numeric mention, with the verbatim sentence, the value
and unit, the period it refers to, a suggested metric and claim id matched to the ledger's own
figures (the closest claim in the same unit, by the words they share; see ``proposals``), the signposts it could grade
and an empty ``accept`` column.

``make accept [SEED=…]`` checks every row marked ``yes`` exactly as the ledger checks a claim
(verbatim quote found once in the seed, the value in the quote, unit, bound, and modality: a sentence
that says "may" or "could" is not a reported figure), refuses the first that fails by file, line and
column before writing anything, then appends the accepted rows to ``data/claims.csv`` and the others'
figures to ``data/ledger_exclusions.csv`` with the reason "not used", so the coverage check passes.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

from alibaba_report import paths
from alibaba_report.evidence import ledger
from alibaba_report.evidence.claim_rows import row_to_claim
from alibaba_report.evidence.files import decode_error, read_rows
from alibaba_report.evidence.proposals import candidates

CANDIDATE_COLUMNS = ("accept", *ledger.COLUMNS, "signposts")
NOT_USED = "not used"


class IntakeError(ValueError):
    """Bad input to make source or make accept; the message names the argument, file, line or column."""


# --- reading and writing the data files --------------------------------------------------------------

def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(paths.root()))
    except ValueError:
        return str(path)


def _append_rows(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Append rows to a CSV file, quoting as csv does, after a final newline."""
    text = path.read_text(encoding="utf-8") if path.exists() else ",".join(columns) + "\n"
    if not text.endswith("\n"):
        text += "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writerows(rows)
    path.write_text(text + buf.getvalue(), encoding="utf-8")


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    """A candidates file a spreadsheet opens safely: a cell that would run as a formula ("-5 billion
    yuan") gets a leading apostrophe, which :func:`_unneutralise` takes off again when it is read."""
    from alibaba_report.charts.style import neutralise_cell

    rows = [{k: neutralise_cell(v) for k, v in r.items()} for r in rows]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8")


# --- make source ----------------------------------------------------------------------------------------

def _check_date(date: str) -> dt.date:
    if not isinstance(date, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise IntakeError(f"DATE {str(date)[:40]!r}: expected a date written YYYY-MM-DD, such as 2026-02-20")
    try:
        return dt.date.fromisoformat(date)
    except ValueError:
        raise IntakeError(f"DATE {date!r}: not a calendar date (expected YYYY-MM-DD)") from None


def _check_text(name: str, value: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value or "\n" in value or "\r" in value or len(value) > limit:
        raise IntakeError(f"{name} {value[:40]!r}: expected one line of text, 1 to {limit} characters")
    return value


def _read_source(file: Path) -> tuple[bytes, str]:
    if not file.is_file():
        raise IntakeError(f"FILE {str(file)!r}: not found or not a regular file")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        err = decode_error(file, data, exc)
        raise IntakeError(f"FILE {err}") from None
    if not text.strip():
        raise IntakeError(f"FILE {str(file)!r}: the file is empty")
    return data, text


def next_seed_name(seeds_dir: Path, data: bytes) -> str:
    numbers = [int(m.group(1)) for p in seeds_dir.glob("*.txt") if (m := re.match(r"(\d{3})_", p.name))]
    return f"{(max(numbers) + 1) if numbers else 0:03d}_{hashlib.sha256(data).hexdigest()[:16]}.txt"


def register_source(file: Path | str, publisher: str, date: str, title: str | None = None,
                    kind: str = "news article") -> tuple[Path, list[dict]]:
    """``make source``: copy, checksum, register and propose candidates; returns the seed and the rows."""
    if kind not in ledger.SOURCE_KINDS:
        raise IntakeError(f"KIND {str(kind)[:40]!r}: expected one of {', '.join(ledger.SOURCE_KINDS)}")
    file = Path(file)
    day = _check_date(date)
    publisher = _check_text("PUBLISHER", publisher)
    data, text = _read_source(file)
    title = _check_text("TITLE", title if title else next(ln for ln in text.splitlines() if ln.strip()))
    seeds_dir = paths.seeds_dir()
    led = ledger.load_claims()
    digest = hashlib.sha256(data).hexdigest()
    for name, path in led.seed_files().items():
        if hashlib.sha256(path.read_bytes()).digest().hex() == digest:
            raise IntakeError(f"FILE {str(file)!r}: the same bytes as seeds/{name}, already a source of the book")
    seed = next_seed_name(seeds_dir, data)
    rows = candidates(seed, text, day, led)  # before anything is written: a failure leaves no trace
    target = seeds_dir / seed
    shutil.copyfile(file, target)
    with open(seeds_dir / "SHA256SUMS", "a", encoding="utf-8") as fh:
        fh.write(f"{digest}  {seed}\n")
    _append_rows(paths.data_dir() / "sources.csv", ledger.SOURCE_COLUMNS, [{
        "seed": seed, "title": title, "publisher": publisher, "date": day.isoformat(), "kind": kind,
        "also": "", "language_notes": "",
        "reliability": "Registered with make source; not yet reviewed: say here what a reader should know before trusting it.",
        "url_or_origin": "a file given to make source"}])
    out = candidates_path(seed)
    _write_csv(out, CANDIDATE_COLUMNS, rows)
    return target, rows


def candidates_path(seed: str) -> Path:
    return paths.data_dir() / "candidates" / f"{Path(seed).stem}.csv"


# --- make accept ------------------------------------------------------------------------------------------

def _candidate_files(seed: str | None) -> list[Path]:
    folder = paths.data_dir() / "candidates"
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if seed:
        files = [f for f in files if f.stem == Path(seed).stem or f.stem.split("_")[0] == seed]
        if not files:
            raise IntakeError(f"SEED {seed[:40]!r}: no data/candidates/<seed>.csv for it (make source writes one)")
    elif not files:
        raise IntakeError("data/candidates/ holds no candidate file: run make source first")
    return files


def _modality(where: str, claim: ledger.Claim) -> None:
    if claim.kind == "reported" and re.search(r"\b(may|might|could|would)\b", claim.quote, re.IGNORECASE):
        raise IntakeError(f"{where}: column 'kind': expected a kind other than 'reported' for a sentence that says "
                          "may, might, could or would (the source's modality is kept)")


_CURRENCY_WORDS = {"RMB": r"RMB|yuan|¥|CNY", "USD": r"(?<!HK)\$|USD|dollar", "HKD": r"HK\$|HKD", "EUR": r"euro|EUR|€"}


def _unit_check(where: str, claim: ledger.Claim) -> None:
    """A currency written in the figure must be the unit's ("RMB 30 billion" is not in USD bn)."""
    for currency, pattern in _CURRENCY_WORDS.items():
        if re.search(pattern, claim.value_text) and not claim.unit.startswith(currency):
            raise IntakeError(f"{where}: column 'unit': expected a {currency} unit for {claim.value_text!r}, "
                              f"got {claim.unit!r}")
    if claim.value_text.rstrip().endswith("%") and claim.unit not in ("%", "pp"):
        raise IntakeError(f"{where}: column 'unit': expected % for {claim.value_text!r}, got {claim.unit!r}")


def _unneutralise(value: str) -> str:
    from alibaba_report.charts.style import _FORMULA_START

    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def check_candidates(file: Path, led: ledger.Ledger, taken: set[str]) -> tuple[list[dict], list[dict]]:
    """The accepted rows (checked as claims) and the others of one candidate file."""
    rows = [(line, {k: _unneutralise(v) for k, v in row.items()}) for line, row in read_rows(file, CANDIDATE_COLUMNS)]
    accepted, rest = [], []
    for line, row in rows:
        where = f"{_rel(file)}: line {line} (id {row['id']!r})"
        answer = row["accept"].strip().lower()
        if answer not in ("", "yes", "no"):
            raise IntakeError(f"{where}: column 'accept': expected yes, no or nothing, got {row['accept'][:20]!r}")
        if answer != "yes":
            rest.append(row)
            continue
        claim_row = {k: row[k] for k in ledger.COLUMNS}
        try:
            claim = row_to_claim(Path(_rel(file)), line, claim_row)
        except ledger.LedgerError as exc:
            raise IntakeError(str(exc)) from None
        if claim.seed not in led.seed_files():
            raise IntakeError(f"{where}: column 'seed': expected a file in seeds/, got {claim.seed[:40]!r}")
        text = led.seed_text(claim.seed)
        count = text.count(claim.quote)
        if count != 1:
            raise IntakeError(f"{where}: column 'quote': expected a verbatim passage found once in seeds/{claim.seed} "
                              f"(found {count} times)")
        if claim.id in taken:
            raise IntakeError(f"{where}: column 'id': expected an id not yet in the ledger, got {claim.id!r}")
        _unit_check(where, claim)
        _modality(where, claim)
        taken.add(claim.id)
        accepted.append(claim_row)
    return accepted, rest


def accept(seed: str | None = None) -> list[tuple[str, int, int]]:
    """``make accept``: (seed, accepted, excluded) per candidate file; nothing is written if a row fails."""
    led = ledger.load_claims()
    taken = set(led.claims)
    plan = []
    for file in _candidate_files(seed):
        accepted, rest = check_candidates(file, led, taken)
        plan.append((file, accepted, rest))
    claims_path, excl_path = paths.data_dir() / "claims.csv", paths.data_dir() / "ledger_exclusions.csv"
    before = {p: p.read_bytes() for p in (claims_path, excl_path)}
    report = []
    try:
        for file, accepted, rest in plan:
            _append_rows(claims_path, ledger.COLUMNS, accepted)
            seen, excluded = set(), []
            for row in rest:
                if (row["seed"], row["value_text"]) not in seen:
                    seen.add((row["seed"], row["value_text"]))
                    excluded.append({"seed": row["seed"], "text": row["value_text"], "reason": NOT_USED})
            _append_rows(excl_path, ledger.EXCLUSION_COLUMNS, excluded)
            report.append((file.stem, len(accepted), len(rest)))
        led = ledger.load_claims()
        exclusions = ledger.load_exclusions()
        seeds = {row["seed"] for _, acc, rest in plan for row in acc + rest}
        missing = [m for m in ledger.uncovered_mentions(led, exclusions) if m[0] in seeds]
        if missing:
            raise IntakeError("after accepting, numbers of the new source are in neither the ledger nor the exclusions: "
                              + "; ".join(f"{s} at {o}: {t!r} in {c!r}" for s, o, t, c in missing[:5]))
    except (IntakeError, ledger.LedgerError) as exc:
        for p, data in before.items():
            p.write_bytes(data)
        raise IntakeError(str(exc)) from None
    for file, _, _ in plan:
        file.unlink()
    return report


# --- the commands ----------------------------------------------------------------------------------------

def _print_source(seed_path: Path, rows: list[dict]) -> None:
    touched = Counter(name for r in rows for name in r["signposts"].split("; ") if name)
    print(f"registered seeds/{seed_path.name} (checksum added to seeds/SHA256SUMS, row added to data/sources.csv)")
    print(f"wrote {_rel(candidates_path(seed_path.name))}: {len(rows)} candidate figures; mark accept=yes on the ones to keep, "
          "then run make accept")
    if touched:
        print("signposts they touch:")
        for name, n in touched.items():
            print(f"  {name} ({n} candidate{'s' if n > 1 else ''})")
    else:
        print("signposts they touch: none")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m alibaba_report.evidence.intake",
                                 description="Register a new source (source) or accept its candidate claims (accept).")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("source", help="copy a file into seeds/ and propose its claims")
    s.add_argument("--file", required=True)
    s.add_argument("--publisher", required=True)
    s.add_argument("--date", required=True)
    s.add_argument("--title", default="")
    s.add_argument("--kind", default="")
    a = sub.add_parser("accept", help="move accept=yes candidates into the ledger")
    a.add_argument("--seed", default="")
    args = ap.parse_args(argv)
    try:
        if args.command == "source":
            path, rows = register_source(args.file, args.publisher, args.date, args.title or None,
                                         args.kind or "news article")
            _print_source(path, rows)
        else:
            for stem, n_acc, n_rest in accept(args.seed or None):
                print(f"seed {stem}: {n_acc} claims added to data/claims.csv, {n_rest} figures added to "
                      f"data/ledger_exclusions.csv as '{NOT_USED}'; every number of the source is accounted for")
            from alibaba_report.synthesis import signposts

            c = signposts.counts(signposts.grade())
            print(f"signposts now: {c['met']} met, {c['missed']} missed, {c['not settled']} not settled, "
                  f"{c['not yet reported']} not yet reported")
    except (IntakeError, ledger.LedgerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
