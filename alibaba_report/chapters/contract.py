"""The contract every chapter module follows, and the pieces they share.

A chapter module ``alibaba_report.chapters.<notebook>`` exposes the same few things as every other:

``CLAIMS``
    ``{role: claim id}``: every ledger claim the chapter reads, by the role it plays on the page.
``compute(p, claims) -> dict``
    The chapter's model under parameters ``p`` (validated by :func:`alibaba_report.params.validate`)
    and the ledger ``claims``: every number the page shows, computed once.
``key_outputs(p, claims) -> dict``
    The few results the summary and the scenarios page compare across scenarios.
``signposts(p, claims, case=None) -> list[Signpost]``
    What to watch, each a :class:`Signpost`, rendered everywhere by :func:`signposts_markdown` or
    :func:`signposts_frame`. ``case`` names the scenario ``p`` is ("the base case"), if it is one.
``prose(p, claims) -> dict[str, str]``
    The page's conditional sentences, returned by tested functions; the notebook only glues them.
``headline(p, claims, case=None) -> dict[str, str]``
    ``{"figure": ..., "meaning": ...}``: the chapter's row in the summary's table of themes. "figure"
    is the key figure in one short Markdown phrase ("RMB 41 billion of losses over twelve quarters;
    the loss converges in FQ1 FY28 (CY Q2 2027)"), "meaning" what it means for the shares ("the cost
    turns on how fast the loss shrinks"). Numbers are rounded as the chapter page shows them; a
    quantity without a value is said in words (never "inf" or "nan"). ``case`` names the scenario
    ``p`` is ("base"), worded by :func:`case_phrase`. Text from data goes through
    :func:`markdown_phrase`: the row goes into a Markdown table.
Charts
    Functions that draw through the house style (:mod:`alibaba_report.charts.style`) and return the
    finished figure.

Model inputs are checked with :func:`check_number`; a bad one raises :class:`ModelInputError`, which
names the input, the value and what was expected.
"""
from __future__ import annotations

import re

import math
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alibaba_report.messages import short as _short
from alibaba_report.evidence.cite import claim as claim_role

# --- one error type for a bad model input ------------------------------------------------------


class ModelInputError(ValueError):
    """A model function was given an input outside what it can compute with."""


def check_number(name: str, value: object, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, integer: bool = False, unit: str = "") -> float:
    """``value`` as a float (or int when ``integer``), or :class:`ModelInputError` naming ``name``.

    ``low``/``high`` bound it (inclusive unless ``low_open``/``high_open``); NaN and infinity are refused.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ModelInputError(f"{name} must be a number{f' ({unit})' if unit else ''}, got {_short(value)}")
    v = float(value)
    what = " a whole number" if integer else " a number"
    if not math.isfinite(v):
        raise ModelInputError(f"{name} must be a finite number, got {_short(value)}")
    if integer and v != int(v):
        raise ModelInputError(f"{name} must be a whole number, got {_short(value)}")
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high:
        lo = "" if low is None else f"{'above' if low_open else 'at least'} {low:g}"
        hi = "" if high is None else f"{'below' if high_open else 'at most'} {high:g}"
        rng = " and ".join(x for x in (lo, hi) if x)
        raise ModelInputError(f"{name} must be{what} {rng}{f' ({unit})' if unit else ''}, got {_short(value)}")
    return int(v) if integer else v


def check_array(name: str, value: object, *, low: float | None = None, high: float | None = None,
                integer: bool = False, unit: str = "") -> float | np.ndarray:
    """:func:`check_number` for an input that may also be an array (a model vectorised over draws).

    A scalar is checked by :func:`check_number` (same messages); an array must hold only real,
    finite numbers within the bounds (inclusive), whole when ``integer``, and the message names the
    first element that is not. Returns the float (or int) or a float array."""
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        return check_number(name, value, low=low, high=high, integer=integer, unit=unit)
    arr = np.asarray(value)
    if arr.size == 0:
        raise ModelInputError(f"{name} must hold at least one number, got an empty array")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        for i, v in np.ndenumerate(arr):  # name the first element that is not a real number
            check_number(f"{name}[{', '.join(map(str, i))}]", v.item() if isinstance(v, np.generic) else v,
                         low=low, high=high, integer=integer, unit=unit)
        raise ModelInputError(f"{name} must be an array of numbers{f' ({unit})' if unit else ''}, got {_short(value)}")
    arr = arr.astype(float)
    bad = ~np.isfinite(arr)
    bad |= (arr < low) if low is not None else False
    bad |= (arr > high) if high is not None else False
    if integer:
        bad |= np.isfinite(arr) & (arr != np.round(arr))
    if bad.any():
        i = tuple(int(k) for k in np.argwhere(bad)[0])
        check_number(f"{name}[{', '.join(map(str, i))}]", float(arr[i]), low=low, high=high, integer=integer, unit=unit)
    return arr


# --- the summary's headline row ----------------------------------------------------------------

def markdown_phrase(text: object) -> str:
    """Plain text from data made safe for one cell of a Markdown table: punctuation escaped (no
    raw ``|``, ``<`` or backtick) and line breaks made spaces."""
    from alibaba_report.evidence.appendix import md_escape

    return md_escape(text)


def case_phrase(case: str) -> str:
    """A scenario's name as the prose says it: ``base`` (or ``the base case``) -> ``the base case``."""
    name = str(case).strip().removeprefix("the ").removesuffix(" case").strip()
    if not name:
        raise ModelInputError(f"case must name a scenario, got {_short(case)}")
    return f"the {markdown_phrase(name)} case"


_CITATION = re.compile(r"\{claim\}`[a-z0-9_,]+`")  # the citation role (alibaba_report.evidence.cite)
_NOT_A_NUMBER = re.compile(r"\b(?:inf|infinity|nan)\b", re.IGNORECASE)


def headline_problems(row: object) -> list[str]:
    """What makes a chapter's ``headline()`` unfit for a row of the summary's Markdown table (empty
    when it is fit): ``figure`` and ``meaning`` non-empty strings; outside citations no unescaped
    ``|``, ``<`` or backtick and no line break; no "inf" or "nan" where a number should be."""
    if not isinstance(row, dict) or set(row) != {"figure", "meaning"}:
        return [f"headline must be a dict with the keys 'figure' and 'meaning', got {_short(row)}"]
    problems = []
    for key, text in row.items():
        if not isinstance(text, str) or not text.strip():
            problems.append(f"headline[{key!r}] must be a non-empty string, got {_short(text)}")
            continue
        plain = _CITATION.sub("", text)
        problems += [f"headline[{key!r}] has a raw {what} (it goes into a Markdown table): {_short(text)}"
                     for pattern, what in ((r"(?<!\\)\|", "'|'"), (r"(?<!\\)<", "'<'"), (r"(?<!\\)`", "backtick"),
                                           (r"[\n\r]", "line break"))
                     if re.search(pattern, plain)]
        if _NOT_A_NUMBER.search(plain):
            problems.append(f"headline[{key!r}] shows a number without a value: {_short(text)}")
    return problems


# --- signposts ---------------------------------------------------------------------------------

CASES = ("bull", "base or bull", "base", "base or bear", "bear", "worse than the bear case")


@dataclass(frozen=True)
class Signpost:
    """One thing to watch, with the level that would change the view.

    ``name`` says what to read ("Instant-retail loss in FQ3 FY26"), ``threshold`` the level in ``unit``
    (None for a signpost read in words, such as management's stance), ``if_better``/``if_worse`` what a
    reading on either side means in a sentence, and ``better_case``/``worse_case`` which scenario it
    points to (one of :data:`CASES`). ``claims`` are the ledger ids the threshold comes from (shown as
    citations, never as ids); ``assumptions`` the parameters it depends on (for Methods only).
    """

    name: str
    threshold: float | None
    unit: str
    if_better: str
    if_worse: str
    better_case: str
    worse_case: str
    claims: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.name.strip() or not self.unit.strip():
            raise ModelInputError(f"signpost {self.name!r}: name and unit must not be empty")
        if self.threshold is not None:
            object.__setattr__(self, "threshold", check_number(f"signpost {self.name!r} threshold", self.threshold))
        for field in ("better_case", "worse_case"):
            if getattr(self, field) not in CASES:
                raise ModelInputError(f"signpost {self.name!r}: {field} must be one of {', '.join(CASES)}, "
                                      f"got {getattr(self, field)!r}")
        object.__setattr__(self, "claims", tuple(self.claims))
        object.__setattr__(self, "assumptions", tuple(self.assumptions))


_CURRENCY = re.compile(r"^(RMB|USD|HKD|EUR)(?: (bn|m)\b)?(.*)$")


def threshold_text(s: Signpost) -> str:
    """The threshold in reader words, the unit where a reader expects it: "RMB 35.5bn in the quarter",
    "30% a year, to stay above", "HKD 6 per share", "5 years"; a quarter label stands alone."""
    if s.threshold is None:
        return s.unit
    v = s.threshold
    number = f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.2f}".rstrip("0").rstrip(".")
    unit = s.unit.strip()
    if re.match(r"^(FQ|CY|FY)\d", unit):  # the level is a quarter: its label says it all
        return unit
    if unit.startswith("%"):
        return f"{number}{unit}"
    m = _CURRENCY.match(unit)
    if m and (m.group(2) or not m.group(3).strip() or m.group(3).startswith((",", " a ", " in ", " per "))):
        return f"{m.group(1)} {number}{m.group(2) or ''}{m.group(3)}"
    if unit in ("x", "times"):
        return f"{number} times"
    return f"{number} {unit}"


def signposts_frame(signposts: Iterable[Signpost], chapter: str | None = None) -> pd.DataFrame:
    """Signposts as a table for reading: what to watch, the level, and what either side means."""
    rows = [{
        **({"chapter": chapter} if chapter else {}),
        "signpost": s.name,
        "threshold": threshold_text(s),
        "if better": f"{s.if_better} ({s.better_case})",
        "if worse": f"{s.if_worse} ({s.worse_case})",
    } for s in signposts]
    return pd.DataFrame(rows)


def signposts_markdown(signposts: Iterable[Signpost], cite: Callable[[str], str] | None = claim_role) -> str:
    """Signposts as a MyST list: the level in bold, either side's meaning, citations where sourced.

    ``cite(claim_id)`` returns the markup of a citation for that claim: by default the MyST role
    ``{claim}`id``` (shown as MyST, the book numbers it); with ``cite=None`` the claims are left out.
    Nothing here prints an id or a parameter name.
    """
    items = []
    for s in signposts:
        level = f"**{threshold_text(s)}**" if s.threshold is not None else f"*{s.unit}*"
        refs = " " + ", ".join(cite(c) for c in s.claims) if cite and s.claims else ""
        items.append(f"- **{s.name}** — {level}{refs}\n"
                     f"  - better: {s.if_better} (*{s.better_case}*)\n"
                     f"  - worse: {s.if_worse} (*{s.worse_case}*)")
    return "\n".join(items) + "\n"


# --- checking a chapter against the contract ---------------------------------------------------

MAX_NOTEBOOK_CODE_LINES = 80  # code lines outside the parameters cell, blank lines and comments not counted
MAX_CELL_CODE_LINES = 20  # a cell a reader can take in at once


def module_problems(module, claims) -> list[str]:
    """What a chapter module lacks or gets wrong against the contract (empty when it complies).

    ``claims`` is the ledger: every id in ``CLAIMS`` must be in it.
    """
    name = getattr(module, "__name__", "?")
    problems = []
    for attr in ("CLAIMS", "NOTEBOOK", "compute", "key_outputs", "signposts", "prose", "headline"):
        if not hasattr(module, attr):
            problems.append(f"{name} has no {attr}")
    if problems:
        return problems
    if not isinstance(module.CLAIMS, dict) or not module.CLAIMS:
        problems.append(f"{name}.CLAIMS must be a non-empty dict of role -> claim id")
    else:
        problems += [f"{name}.CLAIMS[{role!r}] = {cid!r} is not in the ledger"
                     for role, cid in module.CLAIMS.items() if cid not in claims]
    return problems


def output_problems(module, p, claims) -> list[str]:
    """Run the chapter's functions under parameters ``p`` and check what they return."""
    name = getattr(module, "__name__", "?")
    problems = []
    result = module.compute(p, claims)
    if not isinstance(result, dict) or not result:
        problems.append(f"{name}.compute returned {type(result).__name__}, expected a non-empty dict")
    outputs = module.key_outputs(p, claims)
    if not isinstance(outputs, dict) or not outputs:
        problems.append(f"{name}.key_outputs returned {type(outputs).__name__}, expected a non-empty dict")
    posts = module.signposts(p, claims)
    if not isinstance(posts, list) or not posts or not all(isinstance(s, Signpost) for s in posts):
        problems.append(f"{name}.signposts must return a non-empty list of Signpost")
    else:
        problems += [f"{name}: signpost {s.name!r} cites {c!r}, not in the ledger"
                     for s in posts for c in s.claims if c not in claims]
    text = module.prose(p, claims)
    if not isinstance(text, dict) or not text:
        problems.append(f"{name}.prose returned {type(text).__name__}, expected a non-empty dict of sentences")
    else:
        problems += [f"{name}.prose()[{k!r}] is not a non-empty string" for k, v in text.items()
                     if not isinstance(v, str) or not v.strip()]
    problems += [f"{name}.headline: {why}" for why in headline_problems(module.headline(p, claims, case="base"))]
    return problems


def _code_lines(source: str) -> list[str]:
    return [ln for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def notebook_problems(nb) -> list[str]:
    """What makes a notebook (an nbformat node) thicker than the contract allows: code lines outside
    the parameters cell, conditional code, over-long cells."""
    import io
    import tokenize

    problems, total = [], 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        lines = _code_lines(cell.source)
        total += len(lines)
        if len(lines) > MAX_CELL_CODE_LINES:
            problems.append(f"cell {i} has {len(lines)} code lines (at most {MAX_CELL_CODE_LINES})")
        try:
            toks = list(tokenize.generate_tokens(io.StringIO(cell.source).readline))
        except (tokenize.TokenError, SyntaxError) as exc:
            problems.append(f"cell {i} does not tokenize: {exc}")
            continue
        if any(t.type == tokenize.NAME and t.string == "if" for t in toks):
            problems.append(f"cell {i} has conditional code ('if'): conditional prose belongs in the package")
    if total > MAX_NOTEBOOK_CODE_LINES:
        problems.append(f"{total} code lines outside the parameters cell (at most {MAX_NOTEBOOK_CODE_LINES})")
    return problems
