"""The command line of ``python -m alibaba_report.pipeline`` (what ``make`` calls): its commands and
options. What each command does is in driver.py."""
from __future__ import annotations

import argparse

from alibaba_report import params
from alibaba_report.pipeline import safety


def parser(description: str) -> argparse.ArgumentParser:
    """The argument parser: ``book``, ``check``, ``page`` and ``refresh``."""
    ap = argparse.ArgumentParser(prog="python -m alibaba_report.pipeline", description=description)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("book", help="build the site")
    b.add_argument("--scenario", default=params.BASE, help="a data/scenarios/<name>.yml (default: base)")
    b.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: cores + 1)")
    b.add_argument("--wait", action="store_true", help="wait for another build of this checkout instead of refusing")
    b.add_argument("--cell-timeout", type=float, default=None, metavar="S",
                   help=f"seconds one cell may run (default {safety.CELL_TIMEOUT_DEFAULT:g}; or ${safety.CELL_TIMEOUT_ENV})")
    b.add_argument("--max-output-mb", type=float, default=None, metavar="MB",
                   help=f"output one cell may print (default {safety.MAX_OUTPUT_MB_DEFAULT:g}; or ${safety.MAX_OUTPUT_ENV})")
    sub.add_parser("check", help="validate data/ and seeds/ only")
    pg = sub.add_parser("page", help="re-run one notebook with your values and render it as a page")
    pg.add_argument("notebook", help="a notebook of the book, e.g. retail_war")
    pg.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a parameter and its value (repeat)")
    r = sub.add_parser("refresh", help="re-execute book notebooks in place with base parameters")
    r.add_argument("notebooks", nargs="*", help="notebook names (default: all in _toc.yml)")
    r.add_argument("--cell-timeout", type=float, default=None, metavar="S",
                   help=f"seconds one cell may run (default {safety.CELL_TIMEOUT_DEFAULT:g}, as make book)")
    for p in (ap, b):
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="print the traceback of a failure")
    return ap
