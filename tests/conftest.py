"""Shared fixtures: run a book notebook with papermill, read what it glued."""
from __future__ import annotations

import ast
import contextlib
import json
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

    from alibaba_report.build import cache

    os.environ.setdefault("REPORT_ROOT", str(ROOT))
    out = tmp_path / f"{name}.out.ipynb"
    pm.execute_notebook(
        str(BOOK / f"{name}.ipynb"), str(out), parameters=parameters, kernel_name="python3",
        cwd=str(tmp_path), progress_bar=False, log_output=False,
        kernel_manager_class=cache.kernel_manager_class(),  # over IPC, as the build: no TCP warning
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


# --- markers by fixture: what a test costs is decided by what it uses ---------------------------
#
# A test that reads the built site (`site`, `built_site`) builds the whole book if nobody has yet:
# it is a `build` test, whatever its file says, so `make test-fast` (-m "not build ...") never
# starts a build by accident. A test that runs a book notebook through a kernel is a `notebook`
# test. Under pytest-xdist (`make test`), every test that reads or rebuilds the repository's own
# _build/html and staging folder runs on one worker (xdist_group "site"): a rebuild swaps the site
# and the staging folder under a reader's feet. nbval's cells of one notebook share one kernel, and
# the never-stale tests share one executed copy of the repository: each stays on one worker too.

SITE_FIXTURES = {"site", "built_site"}
NOTEBOOK_FIXTURES = {"notebook_runner", "primed_tree"}


@pytest.hookimpl(tryfirst=True)  # before xdist turns xdist_group marks into node ids
def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & SITE_FIXTURES:
            item.add_marker(pytest.mark.build)
            item.add_marker(pytest.mark.xdist_group("site"))
        if used & NOTEBOOK_FIXTURES:
            item.add_marker(pytest.mark.notebook)
        if "primed_tree" in used:  # one primed copy of the repository (test_cache.py), built once
            item.add_marker(pytest.mark.xdist_group("primed-tree"))
        if item.path.suffix == ".ipynb":  # an nbval cell
            item.add_marker(pytest.mark.notebook)
            item.add_marker(pytest.mark.xdist_group(f"nbval-{item.path.stem}"))


# --- one built site per test run ---------------------------------------------------------------

@contextlib.contextmanager
def _exclusive(lock_path: Path):
    """An exclusive lock on ``lock_path`` across processes (pytest-xdist workers)."""
    import fcntl

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def site() -> Path:
    """The base book, built once per test run with the real driver; returns _build/html.

    Under pytest-xdist every worker has its own session: the first to get here builds under a file
    lock and leaves a note for this run (xdist's run id), the others wait on the lock and reuse the
    site. The note also carries the tracked files' hashes from before the build, for the test that
    the build leaves the tree untouched. The build uses the execution cache (_build/cache), which
    only reuses a notebook run whose code, parameters and inputs are all unchanged.

    Set REPORT_TEST_REUSE_SITE=1 to reuse an existing _build/html while developing tests.
    """
    from alibaba_report.build import driver as build

    html = ROOT / "_build" / "html"
    if os.environ.get("REPORT_TEST_REUSE_SITE") == "1" and (html / "index.html").exists():
        return html
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:  # one process: build here
        TRACKED_BEFORE_BUILD.update(tracked_snapshot())  # what the build must not change
        return build.build_book("base", root=ROOT)
    note = ROOT / "_build" / f"test-site-{run}.json"
    with _exclusive(ROOT / "_build" / "test-site.lock"):
        if not note.exists():
            before = tracked_snapshot()
            build.build_book("base", root=ROOT)
            for old in (ROOT / "_build").glob("test-site-*.json"):
                old.unlink()
            note.write_text(json.dumps(before))
        TRACKED_BEFORE_BUILD.update(json.loads(note.read_text()))
    return html


@pytest.fixture(scope="session")
def built_site(request) -> Path:
    """The site the site tests read: $REPORT_SITE_DIR if set (a site built elsewhere), else `site`."""
    import sitecheck

    return sitecheck.site_from_env() or request.getfixturevalue("site")
