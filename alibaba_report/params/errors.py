"""The one error of this package, and the helpers its messages share: a file named relative to the
repository, a value quoted short, the nearest known name."""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from alibaba_report import paths
from alibaba_report.messages import short as _short


class ParameterError(ValueError):
    """A parameter, a parameter specification or a scenario file is wrong; the message says how."""


def _mapping(value: Any, where: str, expected: str) -> dict:
    """``value`` if it is a mapping, else a ParameterError saying what was expected."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParameterError(f"{where}: expected {expected}, got {_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)} items (lines starting with '-')"
    return f"{type(value).__name__} {_short(value)}"


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.root()))
    except ValueError:
        return str(path)


def _closest(name: str, known: list[str]) -> str:
    near = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _pydantic_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)
