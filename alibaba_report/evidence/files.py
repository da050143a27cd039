"""Reading the evidence's files: the seeds (regular UTF-8 files in ``seeds/``) and the CSV data files,
each error a ``LedgerError`` that names the file, the line and what was expected."""
from __future__ import annotations

import contextlib
import csv
import difflib
import io
import re
from pathlib import Path

from alibaba_report import messages
from alibaba_report.evidence.schema import LedgerError

SEED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.txt")


def seed_files(seeds_dir: Path) -> dict[str, Path]:
    """Every seed (name -> path): regular files in ``seeds_dir``; a symbolic link is refused."""
    found = {}
    for p in sorted(seeds_dir.glob("*.txt")):
        if p.is_symlink() or not p.is_file():
            raise LedgerError(f"{p}: a seed must be a regular file inside {seeds_dir}, not a "
                              "symbolic link or a folder")
        found[p.name] = p
    return found


def mtime(path: Path) -> int:
    """A file's modification time in ns (0 when it is missing): what the loaders' caches are keyed on."""
    return path.stat().st_mtime_ns if path.exists() else 0


def short(value: object, limit: int = 60) -> str:
    """A value from a data file quoted for a message (as text), cut to ``limit`` characters."""
    return messages.short(str(value), limit)


def decode_error(path: Path, data: bytes, exc: UnicodeDecodeError) -> LedgerError:
    """The error for a file that is not UTF-8: line, column and byte of the first bad byte."""
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return LedgerError(f"{path}: line {line}, column {column} (byte {exc.start}): expected UTF-8 "
                       f"text, got the byte 0x{data[exc.start]:02x}; save the file as UTF-8")


def read_text(path: Path) -> str:
    """A seed's text; a file that is not UTF-8 raises :func:`decode_error`'s LedgerError."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise decode_error(path, data, exc) from None


def closest_passage(text: str, quote: str) -> tuple[str, str]:
    """The passage of ``text`` that best matches ``quote``, and where the two first differ."""
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(quote))
    start = max(0, block.a - block.b)
    passage = text[start:start + len(quote)]
    for i, (a, b) in enumerate(zip(passage, quote)):
        if a != b:
            return passage, f"first difference at character {i}: seed has {a!r}, quote has {b!r}"
    return passage, "the quote runs past the end of the closest passage"


def read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """CSV rows as (line number, row), after checking the header."""
    if not path.exists():
        raise LedgerError(f"{path}: file not found")
    data = path.read_bytes()
    try:
        # utf-8-sig: a byte-order mark (which spreadsheet programs write) is read as no character
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise decode_error(path, data, exc) from None
    with io.StringIO(text, newline="") as fh:
        reader = csv.DictReader(fh)
        header = tuple(reader.fieldnames or ())
        optional_also = tuple(c for c in columns if c != "also")  # sources.csv may omit `also`
        if header not in (columns, optional_also):
            odd = [repr(h) for h in header if h not in columns]
            raise LedgerError(f"{path}: line 1: expected the columns {', '.join(columns)}; "
                              f"got {', '.join(header)}"
                              + (f" (not expected: {', '.join(odd)})" if odd else ""))
        rows = []
        with csv_errors(path, reader):
            for row in reader:
                if None in row:
                    raise LedgerError(f"{path}: line {reader.line_num}: more fields than columns")
                rows.append((reader.line_num, {k: (v or "") for k, v in row.items()}))
        return rows


@contextlib.contextmanager
def csv_errors(path: Path, reader):
    """Turn the csv module's errors while reading ``reader`` (a DictReader over ``path``) into a
    LedgerError naming the file and the line: a field over the csv module's limit (131,072
    characters, usually a quote left open), a stray NUL byte..."""
    try:
        yield
    except csv.Error as exc:
        text = str(exc)
        if "field larger than field limit" in text:
            text = (f"a field longer than {csv.field_size_limit():,} characters, the most a field of a data "
                    "file may have (is a closing quote missing?)")
        # line_num counts the lines read whole: the row at fault starts on the next one
        raise LedgerError(f"{path}: line {reader.line_num + 1}: not readable as CSV: {text}") from None
