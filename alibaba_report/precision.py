"""The precision at which the book states a computed number, and the one way a page glues values.

A float's last digits depend on the order of operations, the CPU's SIMD paths and the process that
computed it: the same model gave ``248.07899203125`` called directly and ``248.07899203125004`` in a
notebook kernel. Nothing a reader sees needs more than four significant figures, so every number a
page glues is rounded to ``SIGNIFICANT`` significant figures first. What the notebooks store (and
nbval compares), what the pages show and what the key-figure check reads are then the same on any
machine: two machines' values differ in about the 15th figure, so they round apart only when a value
sits within about 1e-13 of a rounding boundary at the eighth (a chance of about one in ten million).
Eight figures also keep a test's default relative tolerance (1e-6) meaningful on glued values.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

SIGNIFICANT = 8  # significant figures of every glued number: four more than any page shows


def stated(value):
    """``value`` as the book states it: a real number rounded to ``SIGNIFICANT`` significant figures
    (as a Python float); integers, booleans, text and everything else unchanged; NaN and infinities kept."""
    if isinstance(value, bool) or isinstance(value, numbers.Integral):
        return value
    if isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x) or x == 0.0:
            return x
        return float(f"{x:.{SIGNIFICANT}g}")
    return value


def same(a: float, b: float) -> bool:
    """Whether two numbers are the same figure at the stated precision (NaN equals NaN)."""
    a, b = stated(a), stated(b)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def glue_all(values: Mapping[str, object], markdown: bool = False) -> None:
    """Glue every ``name: value`` for the page's prose (``{glue:text}`name:.1f` ``), numbers at the
    stated precision; ``markdown=True`` glues each value as Markdown (citations, links)."""
    from IPython.display import Markdown
    from myst_nb import glue

    for name, value in values.items():
        glue(name, Markdown(value) if markdown else stated(value), display=False)
