"""How the book's words give a value: an error message quoting a value it refuses, a sentence
counting things (standard library only: the build's safety module imports it in processes that
must start cheaply)."""
from __future__ import annotations

import datetime as dt
import re


def short(value: object, limit: int = 60) -> str:
    """A value for an error message: its ``repr`` cut to ``limit`` characters, or, for anything but a
    string, a number, a bool or None, its type and size (a huge value, such as a YAML bomb expanded
    to lists of lists, is never turned into text)."""
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else repr(value[:limit]) + f"… ({len(value)} characters)"
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)[:limit]
    try:
        return f"a {type(value).__name__} of {len(value)} items"  # type: ignore[arg-type]
    except TypeError:
        return f"a {type(value).__name__}"


def cut(text: str, limit: int) -> str:
    """``text`` unquoted, cut to ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
                "twenty-one", "twenty-two", "twenty-three", "twenty-four")


def count_words(n: int) -> str:
    """A count as a sentence writes it: ``12`` -> ``twelve`` (digits beyond twenty-four)."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dates_in_words(text: str) -> str:
    """A ledger period as a reader reads it: each ISO date written "4 Jan 2026" ("rally to 2026-01-12"
    becomes "rally to 12 Jan 2026"); anything that is not a valid date is left as it is."""
    def words(m: re.Match) -> str:
        try:
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return m[0]
        return f"{d.day} {d:%b %Y}"

    return _ISO_DATE.sub(words, str(text))
