"""Where the parameter files are, and the names they give: the notebooks with a specification and
the scenarios."""
from __future__ import annotations

import re
from pathlib import Path

from alibaba_report import paths
from alibaba_report.params import filestate

BASE = "base"


def spec_dir() -> Path:
    return paths.data_dir() / "parameters"


def notebooks_with_specs() -> list[str]:
    """Names of the notebooks that have a parameter specification (``shared`` excluded)."""
    return [s for s in filestate.stems(spec_dir(), ".yml") if s != "shared"]


def scenario_dir() -> Path:
    return paths.data_dir() / "scenarios"


SCENARIO_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")
COMPARED = ("bear", "base", "bull")  # the cases every book compares, whichever it is built under


def known_scenarios() -> list[str]:
    """The scenario names: every data/scenarios/<name>.yml whose name is a valid scenario name."""
    return sorted(p.stem for p in scenario_dir().glob("*.yml") if SCENARIO_NAME.fullmatch(p.stem))


def invalid_scenario_files() -> list[str]:
    """Scenario files whose name cannot be a scenario's (spaces, capitals, a leading dot...)."""
    return sorted(p.name for p in scenario_dir().glob("*.yml") if not SCENARIO_NAME.fullmatch(p.stem))


def compared(scenario: str) -> tuple[str, ...]:
    """The cases a book built under ``scenario`` compares: bear, base and bull, and its own if custom."""
    return COMPARED if scenario in COMPARED else (*COMPARED, scenario)
