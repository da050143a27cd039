"""The ledger's schema: its columns and closed lists, the ``Claim`` row model with its cross-column
checks, and the parsers those checks read a figure's own words with (``value_text``).

Conventions a reader of the ledger needs:

- ``value`` is a plain number in ``unit`` (scale spelled out by the unit: "35 billion" with unit
  "RMB bn" is 35). Percent changes are signed: a drop is negative and ``note`` says so. Amounts
  the seed names as a loss are stored positive under a metric ending in ``_loss``, so that bounds
  such as "exceeding" keep their meaning.
- For unit ``date`` the value is an ISO date: ``Claim.value`` is None and ``Claim.date`` is set.
- ``said_by`` is the party the seed attributes the figure to. Share prices, price moves, index
  weights and multiples that a text states without attribution are "market data"; other figures a
  text states in its own voice are "article author" (or "post author" for an opinion post).
- ``numeric_mentions`` defines what the coverage check counts as a number in a seed.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

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
