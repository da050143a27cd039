"""Tables in the house style: what a reader sees, not pandas' default.

``show_table(df, label=...)`` displays a DataFrame as the book's tables look (``table_html`` returns
the same HTML as a string):

* one header row: units in the headers (``units={"value": "USD per ADS"}`` writes "value (USD per
  ADS)"), never pandas' extra row for the index's name;
* a meaningful index (named, or not the default 0, 1, 2, ...) becomes the first column, each cell a
  row header for screen readers; the default index is dropped;
* numbers rounded to what the inputs support: 3 significant figures by default (``sig``), or a fixed
  number of decimals per column (``decimals={"weight %": 1}``); thousands separated, a true minus
  sign, an empty cell as an en dash; numeric columns right-aligned;
* text escaped (a cell from data never becomes markup), except in the columns named in ``html``.
  A table is raw HTML, so a citation (the MyST role ``{claim}`id```) cannot sit in it: a table that
  cites is a Markdown table glued with ``{glue:md}`` and ``:format: myst`` (the signposts page), or
  the citations go in the sentence that introduces the table;
* inside ``<div class="table-scroll" role="region" aria-label=... tabindex="0">``: a wide table
  scrolls sideways inside its own labelled box at phone width (keyboard users can scroll it too),
  the page itself never does. CSS in book/_static/custom.css.

The HTML is written here, not by pandas' Styler, so it carries no random ids: the same frame gives
the same bytes on every run (what nbval compares).
"""
from __future__ import annotations

import html
import math
import numbers
from collections.abc import Iterable, Mapping

import pandas as pd

MINUS = "\u2212"
EMPTY = "\u2013"


def format_number(x, sig: int | None = 3, decimals: int | None = None) -> str:
    """``x`` rounded to ``sig`` significant figures (no trailing zeros) or to ``decimals`` places,
    with thousands separators and a true minus sign: 158.76 → "159", -4.931 → "−4.93", 12345.6 →
    "12,300", 3.0 → "3"."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return EMPTY
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, numbers.Integral) and decimals is None:
        text = f"{int(x):,}"
    else:
        x = float(x)
        if math.isinf(x):
            return "∞" if x > 0 else f"{MINUS}∞"
        trim = decimals is None  # significant figures: no trailing zeros ("3", not "3.00")
        if decimals is None:
            if x == 0:
                return "0"
            places = (sig or 3) - 1 - math.floor(math.log10(abs(x)))
            value = round(x, places)
            decimals = max(places, 0)
            # rounding can add a digit (99.96 → 100.0): recount the places from the rounded value
            if value != 0:
                decimals = max((sig or 3) - 1 - math.floor(math.log10(abs(value))), 0)
            x = value
        text = f"{x:,.{decimals}f}"
        if trim and "." in text:
            text = text.rstrip("0").rstrip(".")
        if float(text.replace(",", "")) == 0:
            text = text.lstrip("-")  # no "−0.0"
    return text.replace("-", MINUS)


def _header(name, units: Mapping[str, str]) -> str:
    text = " ".join(str(p) for p in name if str(p)) if isinstance(name, tuple) else str(name)
    unit = units.get(name) if not isinstance(name, tuple) else None
    return f"{text} ({unit})" if unit else text


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def table_html(df: pd.DataFrame, label: str, *, units: Mapping[str, str] | None = None,
               sig: int | None = 3, decimals: Mapping[str, int] | None = None,
               html: Iterable[str] = (), caption: str | None = None, index: bool | None = None,
               index_label: str | None = None) -> str:
    """The reader table of ``df`` as HTML (see the module's docstring).

    ``label`` names the table for screen readers (the scroll region's ``aria-label``); ``caption``,
    if given, is shown above the table. ``index``: True keeps the index as the first column, False
    drops it, None (the default) keeps it unless it is the default 0, 1, 2, ... ``index_label``
    heads that column (default: the index's name).
    """
    units, decimals, html_cols = dict(units or {}), dict(decimals or {}), set(html)
    _check_table_arguments(df, label, set(units) | set(decimals) | html_cols)
    if index is None:
        index = not (isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1
                     and df.index.name is None)
    esc = _escape
    head = []
    if index:
        names = [n for n in (df.index.names or []) if n is not None]
        head.append(f'<th scope="col">{esc(index_label if index_label is not None else ", ".join(map(str, names)))}</th>')
    numeric = {c: _is_numeric(df[c]) for c in df.columns}
    for c in df.columns:
        cls = ' class="num"' if numeric[c] else ""
        head.append(f'<th scope="col"{cls}>{esc(_header(c, units))}</th>')
    rows = []
    for key, row in zip(df.index, df.itertuples(index=False, name=None)):
        cells = []
        if index:
            # the levels of a row's label read as one phrase with a pause, never as a heading run
            # into a title ("The instant-retail war: Cumulative instant-retail losses")
            text = ": ".join(map(str, key)) if isinstance(key, tuple) else str(key)
            cells.append(f'<th scope="row">{esc(text)}</th>')
        cells += [_body_cell(value, numeric[c], c in html_cols, sig, decimals.get(c))
                  for c, value in zip(df.columns, row)]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f'<div class="table-scroll" role="region" aria-label="{esc(label)}" tabindex="0">'
            f'<table class="reader-table">{cap}<thead><tr>{"".join(head)}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _check_table_arguments(df, label: str, named_columns: set) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"table_html: expected a pandas DataFrame, got {type(df).__name__}")
    if not label or not str(label).strip():
        raise ValueError("table_html: a table needs a label that says what it shows (for screen readers)")
    unknown = named_columns - set(df.columns)
    if unknown:
        raise KeyError(f"table_html: no column {', '.join(sorted(map(repr, map(str, unknown))))} in the "
                       f"table; its columns are {', '.join(map(repr, map(str, df.columns)))}")


def _body_cell(value, numeric: bool, is_html: bool, sig: int | None, decimals: int | None) -> str:
    """One cell of a table's body: a number formatted, HTML as given, text escaped."""
    if numeric or (not is_html and isinstance(value, numbers.Number) and not isinstance(value, bool)):
        return f'<td class="num">{format_number(value, sig=sig, decimals=decimals)}</td>'
    if is_html:
        return f'<td class="text">{"" if _missing(value) else str(value)}</td>'
    return f'<td class="text">{EMPTY if _missing(value) else _escape(str(value))}</td>'


def _missing(value) -> bool:
    try:
        return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    except TypeError:
        return False


def _escape(text) -> str:
    return html.escape(str(text), quote=True)


class ReaderTable:
    """A reader table for display in a notebook: HTML for the book, the label as plain text (what
    nbval compares besides the HTML)."""

    def __init__(self, markup: str, label: str):
        self.markup, self.label = markup, label

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return f"[table] {self.label}"

    def __str__(self) -> str:
        return self.markup


def reader_table(df: pd.DataFrame, label: str, **kw) -> ReaderTable:
    """``table_html`` wrapped for display: the last expression of a cell, or ``display(...)``."""
    return ReaderTable(table_html(df, label, **kw), label)


def show_table(df: pd.DataFrame, label: str, **kw) -> None:
    """Display ``df`` as a reader table (see ``table_html`` for the options)."""
    from IPython.display import display

    display(reader_table(df, label, **kw))
