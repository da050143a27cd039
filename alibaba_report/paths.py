"""Where the project's files are.

The repository root is found from this file (the package is installed in editable mode), unless
``REPORT_ROOT`` names another checkout: the build driver and the end-to-end tests set it so that a
copy of the repository can be built with the same interpreter.
"""
from __future__ import annotations

import os
from pathlib import Path


def root() -> Path:
    """The repository root: ``$REPORT_ROOT`` if set, else the folder above this package."""
    env = os.environ.get("REPORT_ROOT")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    return root() / "data"


def seeds_dir() -> Path:
    return root() / "seeds"

