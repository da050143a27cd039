"""The claims ledger: every figure a seed states, with the verbatim sentence it comes from.

``data/claims.csv`` has one row per figure (see ``COLUMNS``). Loading checks every row against
the seeds and stops at the first problem with a ``LedgerError`` that names the file, the CSV line,
the claim id, the column and what was expected.

Conventions a reader of the ledger needs:

- ``value`` is a plain number in ``unit`` (scale spelled out by the unit: "35 billion" with unit
  "RMB bn" is 35). Percent changes are signed: a drop is negative and ``note`` says so. Amounts
  the seed names as a loss are stored positive under a metric ending in ``_loss``, so that bounds
  such as "exceeding" keep their meaning.
- For unit ``date`` the value is an ISO date: ``Ledger.df`` keeps it in a separate ``date`` column
  (``datetime.date``) and ``value`` is NaN; ``Claim.value`` is None and ``Claim.date`` is set.
- ``said_by`` is the party the seed attributes the figure to. Share prices, price moves, index
  weights and multiples that a text states without attribution are "market data"; other figures a
  text states in its own voice are "article author" (or "post author" for an opinion post).
- ``numeric_mentions`` defines what the coverage test counts as a number in a seed; every mention
  is either inside a claim's ``value_text`` or inside a ``data/ledger_exclusions.csv`` snippet.
"""
from __future__ import annotations

import ast
import contextlib
import csv
import datetime as dt
import difflib
import functools
import math
import re
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from alibaba_report import paths

THEMES = ("retail_war", "cloud_ai", "hk_vs_us", "policy_catalyst", "meitu_deal", "context")
UNITS = ("%", "pp", "RMB bn", "RMB m", "USD bn", "USD m", "USD", "EUR", "HKD", "x", "count",
         "m downloads", "quarters", "years", "date")
BOUNDS = ("exact", "approx", "more_than", "at_least", "less_than", "up_to")
KINDS = ("reported", "forecast", "target", "guidance", "market", "policy", "deal", "statement")
# How sure the source's own words are, which a page's attribution verb must keep: a figure a broker
# says "could" happen is never one it "expects". "may" and "could" must be in the quote.
MODALITIES = ("reported", "forecast", "estimate", "may", "could", "target", "guidance", "market", "statement")
MODAL_WORDS = ("may", "could")
# The verb a page attributes a figure with, by modality ("Nomura says the loss could peak at ...").
ATTRIBUTION = {"reported": "reports", "forecast": "forecasts", "estimate": "estimates", "may": "says ... may",
               "could": "says ... could", "target": "targets", "guidance": "guides for", "market": "quotes",
               "statement": "says"}
SPEAKERS = ("Alibaba", "Alibaba management", "Alibaba executive", "Goldman Sachs", "Nomura", "UBS",
            "Citi", "Guosen Securities", "CICC", "Freedom Capital Markets", "analyst consensus",
            "market data", "Chinese government", "article author", "post author")
SOURCE_KINDS = ("news article", "opinion post", "text written by an AI agent",
                "page with advertising")
COLUMNS = ("id", "theme", "subject", "metric", "value", "value_text", "unit", "bound", "kind", "modality",
           "period", "as_of", "said_by", "seed", "quote", "note")
SOURCE_COLUMNS = ("seed", "title", "publisher", "date", "kind", "also", "language_notes",
                  "reliability", "url_or_origin")
EXCLUSION_COLUMNS = ("seed", "text", "reason")

Theme = Literal[THEMES]
Unit = Literal[UNITS]
Bound = Literal[BOUNDS]
Kind = Literal[KINDS]
Modality = Literal[MODALITIES]
Speaker = Literal[SPEAKERS]

# What counts as a number in a seed: digit runs (with , or . inside) and these words.
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "tens": 10, "hundreds": 100,
                "dozens": 12, "triple": 100, "double": 10, "half": 0.5}
_MENTION = re.compile(r"\d+(?:[.,]\d+)*|\b(?:%s)\b" % "|".join(NUMBER_WORDS), re.IGNORECASE)

# Words in value_text that fix the bound; a value_text without one may carry any bound
# ("triple-digit growth" is at_least without saying so).
_BOUND_WORDS = {
    "more_than": r"\bover\b|more than|exceed\w*|surpass\w*|\d[\d.,]*\s*[MB]?\+",
    "approx": r"approx\w*|roughly|\bnear\w*|\baround\b|\babout\b|~",
    "at_least": r"\bminimum\b|at least",
    "less_than": r"less than|\bunder\b|below",
    "up_to": r"up to|\bmaximum\b",
}
_SCALE_WORDS = {"billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6,
                "millions": 1e6, "m": 1e6}
_UNIT_SCALE = {"RMB bn": 1e9, "USD bn": 1e9, "RMB m": 1e6, "USD m": 1e6, "m downloads": 1e6}
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}


class LedgerError(ValueError):
    """A problem in a ledger file; the message names file, line, id, column, expectation."""


class UnknownClaimError(KeyError):
    """An id that is not in the ledger; the message lists the closest known ids."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


def numeric_mentions(text: str) -> list[tuple[int, int, str]]:
    """Every numeric mention in ``text`` as (start, end, token): digit runs and number words."""
    return [(m.start(), m.end(), m.group()) for m in _MENTION.finditer(text)]


def parse_numbers(value_text: str, unit: str) -> list[float]:
    """The numbers ``value_text`` states, in ``unit``: "$5.59 billion" in "USD bn" -> [5.59].

    A scale word (billion, million, B, M) is applied only as far as the unit says, so
    "560 million yuan" in "RMB bn" gives 0.56 and disagrees with a value of 560.
    """
    found: list[float] = []
    for m in re.finditer(r"(?<![\w.])(-?)(\d+(?:,\d{3})*(?:\.\d+)?)\s*([A-Za-z]+)?|"
                         r"\b(%s)\b(?:[\s-]+(?:of\s+)?([A-Za-z]+))?" % "|".join(NUMBER_WORDS),
                         value_text, re.IGNORECASE):
        if m.group(2):
            number = float(m.group(2).replace(",", "")) * (-1 if m.group(1) else 1)
            scale_word = m.group(3)
        else:
            number, scale_word = NUMBER_WORDS[m.group(4).lower()], m.group(5)
        scale = _SCALE_WORDS.get((scale_word or "").lower(), 1.0)
        found.append(number * scale / _UNIT_SCALE.get(unit, 1.0) if scale != 1.0 else number)
    return found


def parse_date_text(value_text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) from "January 3, 2026", "Jan 12" or "2026-01-03"."""
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", value_text)
    if m:
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    m = re.search(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:,\s*(\d{4}))?", value_text)
    if not m:
        return None
    month = next((n for name, n in _MONTHS.items() if name.startswith(m.group(1).lower())), None)
    if month is None:
        return None
    return (int(m.group(3)) if m.group(3) else None), month, int(m.group(2))


def bound_implied(value_text: str) -> str | None:
    """The bound a value_text's own words fix ("over 72%" -> more_than), or None."""
    for bound, pattern in _BOUND_WORDS.items():
        if re.search(pattern, value_text, re.IGNORECASE):
            return bound
    return None


class Claim(BaseModel):
    """One row of the ledger."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    theme: Theme
    subject: str
    metric: str
    value: float | None = None
    date: dt.date | None = None
    value_text: str
    unit: Unit
    bound: Bound
    kind: Kind
    modality: Modality
    period: str
    as_of: dt.date | None = None
    said_by: Speaker
    seed: str
    quote: str
    note: str = ""

    @field_validator("id", "metric")
    @classmethod
    def _snake_case(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", v):
            raise ValueError("snake_case matching ^[a-z][a-z0-9_]*$")
        return v

    @field_validator("subject", "period", "value_text", "quote", "seed")
    @classmethod
    def _non_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a non-empty text")
        return v

    @field_validator("quote")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if "\n" in v or "\r" in v:
            raise ValueError("a quote on one line (no newline)")
        return v

    @model_validator(mode="after")
    def _value_text(self) -> Claim:
        # Cross-column checks; each message starts with the column it blames ("col: expected ...").
        count = self.quote.count(self.value_text)
        if count != 1:
            raise ValueError(f"value_text: expected text that occurs exactly once in the quote "
                             f"{self.quote!r}, got {self.value_text!r} ({count} times)")
        if self.modality in MODAL_WORDS and not re.search(rf"\b{self.modality}\b", self.quote, re.IGNORECASE):
            raise ValueError(f"modality: expected a word the quote uses; {self.modality!r} is not in the quote "
                             f"{self.quote!r} (use forecast, estimate or statement)")
        implied = bound_implied(self.value_text)
        if implied and implied != self.bound:
            raise ValueError(f"bound: expected {implied!r}, which the words of value_text "
                             f"{self.value_text!r} imply, got {self.bound!r}")
        if self.unit == "date":
            self._check_date()
        else:
            self._check_number()
        return self

    def _check_date(self) -> None:
        parsed = parse_date_text(self.value_text)
        if self.date is None or parsed is None:
            raise ValueError(f"value_text: expected a date such as 'January 3, 2026' for unit "
                             f"'date', got {self.value_text!r}")
        year, month, day = parsed
        if (month, day) != (self.date.month, self.date.day) or year not in (None, self.date.year):
            raise ValueError(f"value: expected the date value_text {self.value_text!r} states, "
                             f"got {self.date.isoformat()}")

    def _check_number(self) -> None:
        numbers = parse_numbers(self.value_text, self.unit)
        if not numbers:
            raise ValueError(f"value_text: expected a number (digits or a number word), got "
                             f"{self.value_text!r}")
        if any(math.isclose(n, self.value, rel_tol=1e-9) for n in numbers):
            return
        flipped = any(math.isclose(n, -self.value, rel_tol=1e-9) for n in numbers)
        if flipped and self.note.strip():
            return  # sign set by the seed's words ("an 80% drop"); the note says so
        stated = ", ".join(f"{n:g}" for n in numbers)
        hint = "; a sign flip needs a note saying why" if flipped else ""
        raise ValueError(f"value: expected the number value_text {self.value_text!r} states in "
                         f"{self.unit!r} ({stated}), got {self.value:g}{hint}")


SEED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.txt")


def _seed_files(seeds_dir: Path) -> dict[str, Path]:
    """Every seed (name -> path): regular files in ``seeds_dir``; a symbolic link is refused."""
    found = {}
    for p in sorted(seeds_dir.glob("*.txt")):
        if p.is_symlink() or not p.is_file():
            raise LedgerError(f"{p}: a seed must be a regular file inside {seeds_dir}, not a "
                              "symbolic link or a folder")
        found[p.name] = p
    return found


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} characters)"


def _decode_error(path: Path, data: bytes, exc: UnicodeDecodeError) -> LedgerError:
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return LedgerError(f"{path}: line {line}, column {column} (byte {exc.start}): expected UTF-8 "
                       f"text, got the byte 0x{data[exc.start]:02x}; save the file as UTF-8")


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _decode_error(path, data, exc) from None


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


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """CSV rows as (line number, row), after checking the header."""
    if not path.exists():
        raise LedgerError(f"{path}: file not found")
    import io

    data = path.read_bytes()
    try:
        # utf-8-sig: a byte-order mark (which spreadsheet programs write) is read as no character
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _decode_error(path, data, exc) from None
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


def _iso_date(where: str, column: str, text: str, expected: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise LedgerError(f"{where}: column {column!r}: expected {expected}, got {text!r}") from None


def _row_to_claim(path: Path, line: int, row: dict[str, str]) -> Claim:
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


class Ledger:
    """The validated ledger: a typed DataFrame plus lookups that chapters cite by id."""

    DISPLAY_COLUMNS = ("id", "said_by", "metric", "value", "unit", "period", "kind", "seed")

    def __init__(self, claims: list[Claim], seeds_dir: Path, path: Path,
                 sources: pd.DataFrame | None = None):
        self.path = path
        self.seeds_dir = seeds_dir
        self.claims = {c.id: c for c in claims}
        self._texts: dict[str, str] = {}
        self._sources = sources
        rows = [c.model_dump() for c in claims]
        df = pd.DataFrame(rows, columns=["id", *[c for c in Claim.model_fields if c != "id"]])
        df["value"] = df["value"].astype(float)
        df.index = pd.Index(df["id"].tolist())
        self.df = df

    def __len__(self) -> int:
        return len(self.claims)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self.claims

    def get(self, claim_id: str) -> Claim:
        try:
            return self.claims[claim_id]
        except KeyError:
            close = difflib.get_close_matches(claim_id, list(self.claims), n=3, cutoff=0.4)
            raise UnknownClaimError(f"no claim with id {claim_id!r} in {self.path}; closest: "
                                    f"{', '.join(close) or 'none'}") from None

    def newest(self, claim_id: str) -> str:
        """The id of the newest claim of the same figure: same subject, metric, period, kind and
        speaker, dated later (``as_of``). A later source that restates a figure (the analysts' FY27
        forecast after a cut) supersedes the older one wherever the book reads its value or cites
        it; the appendix keeps every sentence. The claim itself when nothing newer restates it."""
        claim = self.get(claim_id)
        key = (claim.subject, claim.metric, claim.period, claim.kind, claim.said_by, claim.unit)
        later = [c for c in self.claims.values()
                 if (c.subject, c.metric, c.period, c.kind, c.said_by, c.unit) == key
                 and c.as_of is not None and claim.as_of is not None and c.as_of > claim.as_of]
        return max(later, key=lambda c: (c.as_of, c.seed, c.id)).id if later else claim_id

    def value(self, claim_id: str) -> float:
        """The value of ``claim_id``'s figure: the newest claim's that restates it (:meth:`newest`)."""
        claim = self.get(self.newest(claim_id))
        if claim.value is None:
            raise TypeError(f"claim {claim_id!r} is a date ({claim.date}); use .get(id).date")
        return claim.value

    def seed_files(self) -> dict[str, Path]:
        """Every seed file (name -> path), whether or not the ledger has claims from it."""
        return _seed_files(self.seeds_dir)

    def seed_text(self, seed: str) -> str:
        if seed not in self._texts:
            files = self.seed_files()
            if seed not in files:  # never a path: only a file the seeds folder holds
                raise LedgerError(f"seed {_short(seed)}: expected a file in {self.seeds_dir}; "
                                  f"known: {', '.join(files) or 'none'}")
            self._texts[seed] = _read_text(files[seed])
        return self._texts[seed]

    def quote_span(self, claim_id: str) -> tuple[int, int]:
        """Where the claim's quote sits in its seed (start, end)."""
        claim = self.get(claim_id)
        start = self.seed_text(claim.seed).index(claim.quote)
        return start, start + len(claim.quote)

    def value_span(self, claim_id: str) -> tuple[int, int]:
        """Where the claim's value_text sits in its seed (start, end)."""
        claim = self.get(claim_id)
        start = self.quote_span(claim_id)[0] + claim.quote.index(claim.value_text)
        return start, start + len(claim.value_text)

    def anchor(self, claim_id: str) -> str:
        """Relative URL of the claim's sentence in the appendix, from a page in book/."""
        return f"appendix/{Path(self.get(claim_id).seed).stem}.html#claim-{claim_id}"

    def citation(self, claim_id: str) -> dict[str, str]:
        """What a reader is told about a cited figure: the quoted sentence, the source (publisher
        and date, as ``source_short`` writes them), the source's title, and the appendix link.

        Plain text, unescaped: the book's Sphinx extension (alibaba_report.pipeline.citations)
        escapes it where it writes HTML."""
        claim_id = self.newest(claim_id)  # the sentence whose value the book shows
        claim = self.get(claim_id)
        register = self.sources().set_index("seed")
        if claim.seed in register.index:
            row = register.loc[claim.seed]
            source, title = source_short(row), str(row["title"])
        else:
            source, title = Path(claim.seed).stem, ""
        return {"id": claim_id, "href": self.anchor(claim_id), "quote": claim.quote,
                "source": source, "title": title}

    def table(self, ids, columns=DISPLAY_COLUMNS) -> pd.DataFrame:
        """Claims for display, in the order given; a date claim shows its date as the value."""
        ids = [ids] if isinstance(ids, str) else list(ids)
        for claim_id in ids:
            self.get(claim_id)
        out = self.df.loc[ids].copy()
        if "value" in columns and out["date"].notna().any():
            out["value"] = [d.isoformat() if isinstance(d, dt.date) else v
                            for v, d in zip(out["value"], out["date"])]
        return out[list(columns)].reset_index(drop=True)

    def names_in(self, formula: str) -> list[str]:
        """The claim ids a formula uses, in order of appearance (unknown ids included)."""
        names = [n.id for n in ast.walk(parse_formula(formula))
                 if isinstance(n, ast.Name) and n.id not in _FUNCTIONS]
        return list(dict.fromkeys(names))

    def evaluate(self, formula: str) -> float:
        """Arithmetic over claim ids, e.g. "(consensus_price_target_s004 / us_share_price_s004 - 1)".

        Allowed: numbers, claim ids, + - * /, parentheses, max() and min(). Anything else, or an
        id that is not in the ledger, raises (UnknownClaimError names the closest ids).
        """
        return _eval(parse_formula(formula).body, self, formula)

    def sources(self) -> pd.DataFrame:
        if self._sources is None:
            self._sources = load_sources()
        return self._sources

    def source_name(self, seed: str) -> str:
        """A source as a reader knows it: "AInvest, 12 Jan 2026" (publisher and date, from the register);
        a file the register does not list keeps its file name, which the data checks refuse anyway."""
        register = self.sources().set_index("seed")
        return source_short(register.loc[seed]) if seed in register.index else Path(seed).stem

    def source_line(self, ids) -> str:
        """One short line for under a chart: the sources of these claims, by publisher and date."""
        ids = [ids] if isinstance(ids, str) else list(ids)
        seeds = list(dict.fromkeys(self.get(i).seed for i in ids))
        return f"Source: {'; '.join(self.source_name(s) for s in seeds)}"

    def seeds_of(self, ids) -> str:
        """Where figures come from, in reader words: "boerse-global.de, 4 Jan 2026", several joined by
        "; "; names that are not claims (an assumption's) read as "an assumption". ``ids``: claim ids,
        a list or "a, b" text."""
        ids = [i.strip() for i in (ids.split(",") if isinstance(ids, str) else ids) if str(i).strip()]
        seeds = sorted({self.get(i).seed for i in ids if i in self.claims})
        words = ["; ".join(self.source_name(s) for s in seeds)] if seeds else []
        if any(i not in self.claims for i in ids):
            words.append("an assumption")
        return " and ".join(words) or "—"


_FUNCTIONS = {"max": max, "min": min}
MAX_FORMULA_CHARS = 500  # the longest rule formula is under 150 characters
MAX_FORMULA_DEPTH = 30  # operators and parentheses nested in one another


def parse_formula(formula: str) -> ast.Expression:
    """A rule's formula parsed, within bounds: at most :data:`MAX_FORMULA_CHARS` characters and
    :data:`MAX_FORMULA_DEPTH` levels of nesting (``- - - x`` is three), so that evaluating and
    writing it out never exhaust Python's recursion. Raises SyntaxError (not a formula) or
    ValueError (too long or too deep), each saying which."""
    if len(formula) > MAX_FORMULA_CHARS:
        raise ValueError(f"a formula of {len(formula):,} characters; expected at most {MAX_FORMULA_CHARS}")
    try:
        tree = ast.parse(formula, mode="eval")
    except (RecursionError, MemoryError):
        raise ValueError(f"a formula nested more deeply than {MAX_FORMULA_DEPTH} levels") from None
    depth, stack = 0, [(tree.body, 1)]
    while stack:
        node, d = stack.pop()
        depth = max(depth, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node)
                     if not isinstance(child, (ast.expr_context, ast.operator, ast.unaryop)))
    if depth > MAX_FORMULA_DEPTH:
        raise ValueError(f"a formula nested {depth} levels deep (operators within operators); "
                         f"expected at most {MAX_FORMULA_DEPTH}")
    return tree
_OPERATORS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
              ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}


def _eval(node: ast.AST, ledger: Ledger, formula: str) -> float:
    # A tiny whitelist evaluator: rule files are data, so they must not run arbitrary code.
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        return ledger.value(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _eval(node.left, ledger, formula), _eval(node.right, ledger, formula)
        if isinstance(node.op, ast.Div) and right == 0:
            raise ValueError(f"formula {formula!r}: {ast.unparse(node.right)!r} is zero, so "
                             f"{ast.unparse(node)!r} divides by zero")
        return _OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval(node.operand, ledger, formula)
        return -value if isinstance(node.op, ast.USub) else value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS and not node.keywords):
        return _FUNCTIONS[node.func.id](_eval(a, ledger, formula) for a in node.args)
    raise ValueError(f"formula {formula!r}: {ast.unparse(node)!r} is not allowed (numbers, claim "
                     f"ids, + - * /, max(), min())")


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


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0


def load_claims(path: Path | str | None = None, seeds_dir: Path | str | None = None) -> Ledger:
    """Load and check data/claims.csv against the seeds; cached per file and modification time."""
    path = Path(path or paths.data_dir() / "claims.csv").resolve()
    seeds_dir = Path(seeds_dir or paths.seeds_dir()).resolve()
    stamp = (_mtime(path), max((_mtime(p) for p in seeds_dir.glob("*.txt")), default=0))
    return _load_claims(path, seeds_dir, stamp)


@functools.lru_cache(maxsize=16)
def _load_claims(path: Path, seeds_dir: Path, _stamp: tuple[int, int]) -> Ledger:
    seeds = _seed_files(seeds_dir)
    texts: dict[str, str] = {}
    claims: list[Claim] = []
    first_line: dict[str, int] = {}
    for line, row in _read_rows(path, COLUMNS):
        where = f"{path}: line {line} (id {row['id']!r})"
        if row["id"] in first_line:
            raise LedgerError(f"{where}: column 'id': expected a unique id; {row['id']!r} is also "
                              f"on line {first_line[row['id']]}")
        first_line[row["id"]] = line
        if row["seed"] not in seeds:
            raise LedgerError(f"{where}: column 'seed': expected a seed file in {seeds_dir}, got "
                              f"{row['seed']!r} (known: {', '.join(seeds) or 'none'})")
        claim = _row_to_claim(path, line, row)
        text = texts.setdefault(claim.seed, _read_text(seeds[claim.seed]))
        count = text.count(claim.quote)
        if count == 0:
            passage, diff = closest_passage(text, claim.quote)
            raise LedgerError(f"{where}: column 'quote': expected a verbatim passage of seed "
                              f"{claim.seed}; not found. Closest passage: {passage!r} ({diff})")
        if count > 1:
            raise LedgerError(f"{where}: column 'quote': expected a passage that occurs once in "
                              f"seed {claim.seed} (it occurs {count} times; lengthen it)")
        claims.append(claim)
    ledger = Ledger(claims, seeds_dir, path)
    ledger._texts.update(texts)
    return ledger


def load_sources(path: Path | str | None = None) -> pd.DataFrame:
    """data/sources.csv, checked: one row per seed, closed kinds, ISO date or "undated"."""
    path = Path(path or paths.data_dir() / "sources.csv").resolve()
    return _load_sources(path, _mtime(path)).copy()


@functools.lru_cache(maxsize=8)
def _load_sources(path: Path, _stamp: int) -> pd.DataFrame:
    rows = _read_rows(path, SOURCE_COLUMNS)
    seen: dict[str, int] = {}
    for line, row in rows:
        where = f"{path}: line {line} (seed {_short(row['seed'])})"
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
            raise LedgerError(f"data/sources.csv: row {row} (seed {_short(seed)}): column 'seed': "
                              f"expected an existing file in seeds/ (known: {', '.join(files) or 'none'})")
    missing = sorted((set(files) | set(ledger.df["seed"])) - set(sources["seed"]))
    if missing:
        raise LedgerError(f"data/sources.csv: expected a row for every seed; missing: {', '.join(missing)}")


def load_exclusions(path: Path | str | None = None,
                    seeds_dir: Path | str | None = None) -> pd.DataFrame:
    """data/ledger_exclusions.csv, checked: each snippet verbatim in its seed, with a reason."""
    path = Path(path or paths.data_dir() / "ledger_exclusions.csv").resolve()
    seeds = _seed_files(Path(seeds_dir or paths.seeds_dir()).resolve())
    rows = _read_rows(path, EXCLUSION_COLUMNS)
    for line, row in rows:
        where = f"{path}: line {line}"
        if row["seed"] not in seeds:
            raise LedgerError(f"{where}: column 'seed': expected a seed file, got {row['seed']!r}")
        text = _read_text(seeds[row["seed"]])
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
