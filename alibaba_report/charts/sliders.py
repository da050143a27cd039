"""What a slider chart is made of: its sliders, the key figures written above it, the grid of the
model's values over the sliders' ranges, and the checks on each. How it is drawn (Vega-Lite) is
interactive.py."""
from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

# A grid is shipped inside the page: past this many rows the page gets heavy (about 25 bytes a
# row and output) and the build slow. The limit fails the build with the chart's name and size.
MAX_GRID_ROWS = 20_000

_NAME = re.compile(r"[a-z0-9_]+-[a-z0-9_]+")
_COLUMN = re.compile(r"[a-z][a-z0-9_]*")


class GridTooLarge(ValueError):
    """A slider grid with more points than :data:`MAX_GRID_ROWS`."""


@dataclass(frozen=True)
class Slider:
    """One assumption the reader can move: a grid column, its words and unit, its range and step.

    ``value`` is where the slider starts (the page's own assumption); it is moved to the nearest
    grid point when it falls between two.
    """

    column: str
    label: str
    unit: str
    start: float
    stop: float
    step: float
    value: float

    def __post_init__(self):
        if not _COLUMN.fullmatch(self.column):
            raise ValueError(f"slider column {self.column!r}: expected lower-case letters, digits and _")
        if not (self.step > 0 and self.stop > self.start):
            raise ValueError(f"slider {self.label!r}: expected start < stop and a step above zero, "
                             f"got {self.start}..{self.stop} step {self.step}")
        n = (self.stop - self.start) / self.step
        if abs(n - round(n)) > 1e-9:
            raise ValueError(f"slider {self.label!r}: the range {self.start}..{self.stop} is not a whole "
                             f"number of steps of {self.step}")

    @classmethod
    def at(cls, column: str, label: str, unit: str, start: float, stop: float, step: float,
           value: float) -> "Slider":
        """A slider that opens exactly at ``value`` (the page's own assumption), over a range as wide
        as ``start``..``stop``: moved to take in a value outside it, and shifted by less than a step
        so that ``value`` is one of its grid points. It never reaches past ``start``..``stop`` and
        ``value``, so every point is a value the model accepts when those are."""
        v, width = float(value), float(stop) - float(start)
        if v < start:
            start, stop = v, v + width
        elif v > stop:
            start, stop = v - width, v
        below = math.floor((v - start) / step + 1e-9)
        above = math.floor((stop - v) / step + 1e-9)
        if below + above == 0:  # a range of one step: the value and the point after (or before) it
            above = 1
        lo, hi = round(v - below * step, 9), round(v + above * step, 9)
        # an end that did not move stays as given (5, not 5.0: the page's spec is unchanged)
        return cls(column, label, unit, start if lo == start else lo, stop if hi == stop else hi, step, value)

    @property
    def decimals(self) -> int:
        """Decimals that write every grid point exactly (0 for a step of 1, 1 for 0.5 or 0.1, ...)."""
        for d in range(7):
            if abs(round(self.step, d) - self.step) < 1e-12 and abs(round(self.start, d) - self.start) < 1e-12:
                return d
        return 6

    def values(self) -> np.ndarray:
        """Every grid point of the slider, rounded to its step's decimals (so 0.3 is 0.3, not 0.30000000000000004)."""
        n = int(round((self.stop - self.start) / self.step)) + 1
        return np.round(self.start + self.step * np.arange(n), self.decimals)

    @property
    def initial(self) -> float:
        """The grid point nearest :attr:`value`, inside the range."""
        v = min(max(float(self.value), self.start), self.stop)
        return float(np.round(self.start + self.step * round((v - self.start) / self.step), self.decimals))

    @property
    def param(self) -> str:
        return f"s_{self.column}"

    @property
    def title(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass(frozen=True)
class Figure:
    """A key figure written above the chart at the sliders' point: ``label: prefix<value>suffix``.

    ``decimals`` formats a number (thousands separated); ``text=True`` shows a text column as is.
    A missing number (no return, say) shows ``missing``.
    """

    column: str
    label: str
    prefix: str = ""
    suffix: str = ""
    decimals: int = 1
    signed: bool = False
    text: bool = False
    missing: str = "none"

    def d3_format(self) -> str:
        return ("+" if self.signed else "") + f",.{self.decimals}f"

    def python(self, value) -> str:
        """What the page shows for ``value`` as shipped (see :meth:`SliderChart.shipped`): the chart's
        d3-format, which rounds a tie away from zero (JavaScript's toFixed) and writes a minus sign."""
        if self.text:
            return f"{self.label}: {self.prefix}{value}{self.suffix}"
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return f"{self.label}: {self.missing}"
        v = float(value)
        q = Decimal(v).quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_UP)
        negative = v < 0 or (v == 0 and math.copysign(1.0, v) < 0)
        if negative and q == 0 and not self.signed:
            negative = False  # d3-format drops the sign of a number that rounds to zero
        sign = "\u2212" if negative else ("+" if self.signed else "")
        return f"{self.label}: {self.prefix}{sign}{abs(q):,.{self.decimals}f}{self.suffix}"

    def expression(self) -> str:
        """The Vega expression writing this figure from ``datum``."""
        lit = json.dumps
        if self.text:
            return f"{lit(self.label + ': ' + self.prefix)} + datum[{lit(self.column)}] + {lit(self.suffix)}"
        number = f"format(datum[{lit(self.column)}], {lit(self.d3_format())})"
        return (f"isValid(datum[{lit(self.column)}]) ? {lit(self.label + ': ' + self.prefix)} + {number} + "
                f"{lit(self.suffix)} : {lit(self.label + ': ' + self.missing)}")


@dataclass(frozen=True)
class SliderChart:
    """Everything one slider chart needs: the grid, its sliders, the plotted output and the figures.

    The x axis is the first slider; the line is the plotted output along it with the other sliders
    where they stand; the point marks the sliders' point. ``reference`` is an optional horizontal
    line (words, value), such as the share price the value is set against.
    """

    name: str
    title: str
    grid: pd.DataFrame
    sliders: tuple[Slider, ...]
    y: Figure
    figures: tuple[Figure, ...]
    description: str
    source: str
    y_title: str = ""
    reference: tuple[str, float] | None = None
    precision: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self):
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"slider chart name {self.name!r}: expected '<page>-<chart>' in lower case")
        if not 1 <= len(self.sliders) <= 3:
            raise ValueError(f"slider chart {self.name!r}: one to three sliders, got {len(self.sliders)}")
        check_size(self.name, len(self.grid))
        missing = [c for c in [s.column for s in self.sliders] + [self.y.column] + [f.column for f in self.figures]
                   if c not in self.grid.columns]
        if missing:
            raise ValueError(f"slider chart {self.name!r}: the grid has no column(s) {', '.join(missing)}")
        expected = math.prod(len(s.values()) for s in self.sliders)
        if len(self.grid) != expected:
            raise ValueError(f"slider chart {self.name!r}: the grid has {len(self.grid)} rows, expected "
                             f"{expected} (every combination of the sliders' points)")

    def row_at(self, **point: float) -> pd.Series:
        """The grid's row at the sliders' ``point`` (column=value), e.g. for tests."""
        mask = np.ones(len(self.grid), dtype=bool)
        for s in self.sliders:
            mask &= np.abs(self.grid[s.column].to_numpy() - point[s.column]) < s.step / 2
        rows = self.grid[mask]
        if len(rows) != 1:
            raise KeyError(f"slider chart {self.name!r}: {len(rows)} grid rows at {point}")
        return rows.iloc[0]

    def digits(self, column: str) -> int | None:
        """Decimals a number column keeps in the page (a slider's own; three past what is shown);
        None for a text column."""
        if any(f.column == column and f.text for f in self.figures):
            return None
        slider = next((s for s in self.sliders if s.column == column), None)
        if slider is not None:
            return slider.decimals
        shown = [f.decimals for f in (self.y, *self.figures) if f.column == column]
        return self.precision.get(column, max(shown, default=2) + 3)

    def shipped(self, column: str, value):
        """``value`` of ``column`` as the page holds it (rounded to :meth:`digits`)."""
        d = self.digits(column)
        if d is None or value is None or (isinstance(value, float) and math.isnan(value)):
            return value
        return round(float(value), d)

    def shown(self, **point: float) -> list[str]:
        """The figures' text at ``point``, as the page writes them."""
        row = self.row_at(**point)
        return [f.python(self.shipped(f.column, row[f.column])) for f in self.figures]


def check_size(name: str, rows: int) -> None:
    """Refuse a grid of more than :data:`MAX_GRID_ROWS` rows, naming the chart and the size."""
    if rows > MAX_GRID_ROWS:
        raise GridTooLarge(f"slider chart {name!r}: the grid has {rows:,} points, more than the "
                           f"{MAX_GRID_ROWS:,} a page can carry; use fewer sliders, a narrower range or a larger step")


def grid(name: str, sliders: Sequence[Slider]) -> pd.DataFrame:
    """Every combination of the sliders' points, one column per slider (first slider varies slowest).

    Checks the size before anything is computed, so a grid too large fails at once.
    """
    axes = [s.values() for s in sliders]
    check_size(name, math.prod(len(a) for a in axes))
    rows = list(itertools.product(*axes))
    return pd.DataFrame(rows, columns=[s.column for s in sliders])


def fill(frame: pd.DataFrame, model: Callable[..., Mapping[str, object]]) -> pd.DataFrame:
    """``frame`` with the outputs of ``model(**row)`` (one call per row) as new columns."""
    out = [dict(model(**{k: float(v) for k, v in row.items()})) for row in frame.to_dict("records")]
    return pd.concat([frame, pd.DataFrame(out, index=frame.index)], axis=1)
