"""CONTRIBUTING.md says what the code does: its list of units is the ledger's schema, its table of exit
codes is the driver's, and the commands it tells a contributor to run exist in the Makefile."""
from __future__ import annotations

import re
from pathlib import Path

from alibaba_report.evidence import ledger as lg
from alibaba_report.pipeline import safety

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def paragraph_after(heading: str) -> str:
    start = TEXT.index(heading)
    end = TEXT.find("\n\n", start)
    return TEXT[start: end if end > 0 else None]


def test_the_list_of_units_is_the_ledgers():
    the_list = paragraph_after("Units (the ledger's schema").split("):", 1)[1].split(". ", 1)[0]
    listed = tuple(re.findall(r"`([^`]+)`", the_list))
    assert listed == lg.UNITS, f"CONTRIBUTING.md lists {listed}, ledger.UNITS is {lg.UNITS}"


def test_the_exit_codes_are_the_drivers():
    section = TEXT[TEXT.index("## Exit codes"):]
    section = section[: section.index("\n## ")]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.M)}
    codes = {v for k, v in vars(safety).items() if k.startswith("EXIT_") and isinstance(v, int)}
    assert documented == codes | {0}, f"documented {sorted(documented)}, the driver's {sorted(codes)}"


def test_every_make_command_it_names_exists():
    targets = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", TEXT))
    assert {"chapter", "check", "refresh", "test-fast"} <= named
    assert named <= targets, f"CONTRIBUTING.md names make targets the Makefile lacks: {sorted(named - targets)}"
