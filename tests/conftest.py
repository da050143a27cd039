"""Shared fixtures: run a book notebook with papermill, read what it glued."""
from __future__ import annotations

import ast
import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def write_rows(path: Path, columns, rows) -> Path:
    """Write ``rows`` (dicts) as a CSV with header ``columns``; return ``path``. For bad-input tests."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def ledger():
    """The real claims ledger, loaded once."""
    from alibaba_report.evidence import ledger as lg

    return lg.load_claims()


def run_notebook(name: str, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    """Execute book/<name>.ipynb with papermill under ``parameters``; return the executed notebook.

    A notebook error surfaces as papermill.PapermillExecutionError (``.ename``, ``.evalue``).
    """
    import papermill as pm

    os.environ.setdefault("REPORT_ROOT", str(ROOT))
    out = tmp_path / f"{name}.out.ipynb"
    pm.execute_notebook(
        str(BOOK / f"{name}.ipynb"), str(out), parameters=parameters, kernel_name="python3",
        cwd=str(tmp_path), progress_bar=False, log_output=False,
    )
    return nbformat.read(out, as_version=4)


def glued(nb: nbformat.NotebookNode) -> dict[str, object]:
    """Every value the notebook glued (myst_nb.glue), by name, parsed back from its text repr."""
    found: dict[str, object] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            prefix = meta.get("mime_prefix", "")
            text = out.get("data", {}).get(prefix + "text/plain")
            if text is None:
                continue
            try:
                found[meta["name"]] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                found[meta["name"]] = text
    return found


@pytest.fixture
def notebook_runner(tmp_path):
    """``notebook_runner(name, **params)`` → (executed notebook, glued values)."""

    def _run(name: str, **parameters):
        nb = run_notebook(name, tmp_path, **parameters)
        return nb, glued(nb)

    return _run


TRACKED_BEFORE_BUILD: dict[str, str] = {}


def tracked_snapshot() -> dict[str, str]:
    """sha256 of every git-tracked file the build reads (book/, data/, seeds/, the config)."""
    import hashlib
    import subprocess

    out = subprocess.run(["git", "ls-files", "book", "data", "seeds", "_config.yml", "_toc.yml"],
                         cwd=ROOT, capture_output=True, text=True)
    return {f: hashlib.sha256((ROOT / f).read_bytes()).hexdigest()
            for f in out.stdout.split() if (ROOT / f).exists()}


@pytest.fixture(scope="session")
def site() -> Path:
    """The base book, built once per test session with the real driver; returns _build/html.

    Set REPORT_TEST_REUSE_SITE=1 to reuse an existing _build/html while developing tests.
    """
    from alibaba_report.build import driver as build

    html = ROOT / "_build" / "html"
    if os.environ.get("REPORT_TEST_REUSE_SITE") == "1" and (html / "index.html").exists():
        return html
    TRACKED_BEFORE_BUILD.update(tracked_snapshot())  # what the build must not change
    return build.build_book("base", root=ROOT)


@pytest.fixture(scope="session")
def built_site(request) -> Path:
    """The site the site tests read: $REPORT_SITE_DIR if set (a site built elsewhere), else `site`."""
    import sitecheck

    return sitecheck.site_from_env() or request.getfixturevalue("site")
