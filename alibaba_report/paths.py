"""Where the project's files are.

The repository root is found from this file (the package is installed in editable mode), unless
``REPORT_ROOT`` names another checkout: the build driver and the end-to-end tests set it so that a
copy of the repository can be built with the same interpreter.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path


def root() -> Path:
    """The repository root: ``$REPORT_ROOT`` if set, else the folder above this package."""
    env = os.environ.get("REPORT_ROOT")
    if not env:
        return _resolved(str(Path(__file__).parents[1]), None)
    return _resolved(env, None if os.path.isabs(env) else os.getcwd())


@functools.lru_cache(maxsize=64)
def _resolved(path: str, cwd: str | None) -> Path:
    """``path`` resolved (from ``cwd`` when it is relative): a build asks for the root tens of thousands
    of times, and each resolution walks the file system."""
    return (Path(cwd) / path).resolve() if cwd else Path(path).resolve()


def data_dir() -> Path:
    return root() / "data"


def seeds_dir() -> Path:
    return root() / "seeds"

