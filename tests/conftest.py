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

    from alibaba_report.pipeline import kernels

    os.environ.setdefault("REPORT_ROOT", str(ROOT))
    out = tmp_path / f"{name}.out.ipynb"
    pm.execute_notebook(str(BOOK / f"{name}.ipynb"), str(out), parameters=parameters, cwd=str(tmp_path),
                        **kernels.papermill_options())  # as the build runs it
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


def write_attack_table(rows) -> None:
    """Append a module's attack table (attack, exit code, message, site kept) to the file named by
    $REPORT_ATTACK_TABLE, one row a line, for a closing note; nothing without it."""
    if rows and os.environ.get("REPORT_ATTACK_TABLE"):
        with open(os.environ["REPORT_ATTACK_TABLE"], "a", encoding="utf-8") as fh:
            for row in rows:
                fh.write(" | ".join(str(c) for c in row) + "\n")


@pytest.fixture
def notebook_values():
    """``notebook_values(name, **params)`` → what the notebook glues under ``params``, its code run in
    this process with the parameters injected after its parameters cell, as papermill does; a cell
    that raises raises PapermillExecutionError. No kernel: a test of what a notebook computes or
    refuses needs none (nbval and the build run every notebook in a kernel). Use ``notebook_runner``
    for a test that reads a cell's displayed outputs."""
    import notebook_glue

    return notebook_glue.computed


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
# starts a build by accident. A test that runs a book notebook through a kernel is a `notebook` test.

SITE_FIXTURES = {"site", "built_site"}
NOTEBOOK_FIXTURES = {"notebook_runner", "primed_tree"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & SITE_FIXTURES:
            item.add_marker(pytest.mark.build)
        if used & NOTEBOOK_FIXTURES or item.path.suffix == ".ipynb":  # an nbval cell runs in a kernel
            item.add_marker(pytest.mark.notebook)


# --- pytest-xdist: which tests must share a worker -----------------------------------------------
#
# `make test` spreads tests over the cores by module (a module's fixtures are built once), with two
# exceptions: every test that reads or rebuilds the repository's own built site and staging folder
# runs on one worker, one after the other (a rebuild swaps the site and empties the staging folder
# under a reader's feet, and the PDF printer rebuilds the book when it finds the staging folder
# incomplete); and nbval's cells of one notebook share a kernel, so a notebook is one unit. The
# site tests are found by their fixtures, read from the test modules' source: a test that takes
# `site` or `built_site`, directly or through a fixture of its module. (xdist's own `loadgroup`
# cannot be used: it renames node ids through an attribute that pytest 9 no longer reads.)

# The shared Chromium (`browser`) lives on that worker too, so a run launches it once.
SHARED_WORKER_FIXTURES = SITE_FIXTURES | {"browser"}


def _site_tests(tests_dir: Path) -> set[tuple[str, str]]:
    found = set()
    for path in sorted(tests_dir.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        funcs = {n.name: n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        params = {name: {a.arg for a in f.args.args} for name, f in funcs.items()}
        fixtures = {name for name, f in funcs.items()
                    if any("fixture" in ast.unparse(d) for d in f.decorator_list)}

        def needs_site(name, seen=()):
            args = params.get(name, set())
            return bool(args & SHARED_WORKER_FIXTURES) or any(
                a in fixtures and a not in seen and needs_site(a, seen + (name,)) for a in args)

        rel = path.relative_to(ROOT).as_posix()
        found |= {(rel, name) for name in funcs if name.startswith("test") and needs_site(name)}
    return found


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    site_tests = _site_tests(ROOT / "tests")

    class SiteAwareScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path, _, rest = nodeid.partition("::")
            if (path, rest.split("[", 1)[0].split("::")[-1]) in site_tests:
                return "the built site"
            return path  # a module (or a notebook, for nbval) is one unit of work

    return SiteAwareScheduling(config, log)


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
    from alibaba_report.pipeline import driver as build

    html = ROOT / "_build" / "html"
    if os.environ.get("REPORT_TEST_REUSE_SITE") == "1" and (html / "index.html").exists():
        return html
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:  # one process: build here
        TRACKED_BEFORE_BUILD.update(tracked_snapshot())  # what the build must not change
        target = build.build_book("base", root=ROOT)
        _snapshot_cache()
        return target
    note = ROOT / "_build" / f"test-site-{run}.json"
    with _exclusive(ROOT / "_build" / "test-site.lock"):
        if not note.exists():
            before = tracked_snapshot()
            build.build_book("base", root=ROOT)
            _snapshot_cache()
            for old in (ROOT / "_build").glob("test-site-*.json"):
                old.unlink()
            note.write_text(json.dumps(before))
        TRACKED_BEFORE_BUILD.update(json.loads(note.read_text()))
    return html


BASE_CACHE = ROOT / "_build" / "test-base-cache"


def _snapshot_cache() -> None:
    """Keep the base book's execution cache as it was right after the session's build: later site tests
    rebuild (and rewrite _build/cache) while tests on another worker copy from the snapshot."""
    import shutil

    incoming = BASE_CACHE.with_name(BASE_CACHE.name + ".incoming")
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.copytree(ROOT / "_build" / "cache", incoming, ignore=shutil.ignore_patterns(".incoming-*"), symlinks=True)
    shutil.rmtree(BASE_CACHE, ignore_errors=True)
    incoming.rename(BASE_CACHE)


@pytest.fixture(scope="session")
def base_cache(site) -> Path:
    """The base book's execution cache, as the session's build left it. A build of a copy that starts
    from it executes only the notebooks whose inputs the test changed (``copy_book(dest, cache=...)``)."""
    if not BASE_CACHE.is_dir():  # the site was reused (REPORT_TEST_REUSE_SITE=1)
        _snapshot_cache()
    return BASE_CACHE


@pytest.fixture(scope="session")
def built_site(request) -> Path:
    """The site the site tests read: $REPORT_SITE_DIR if set (a site built elsewhere), else `site`."""
    import sitecheck

    return sitecheck.site_from_env() or request.getfixturevalue("site")


@pytest.fixture(scope="session")
def fresh_copy_build(tmp_path_factory):
    """One build of a fresh copy of the repository, nothing cached, under an audit hook
    (tests/audited_build.py): test_security reads what it touched, test_build compares it with the
    session's build. Its users also take ``site``, so they share the site's worker and this one build."""
    from audited_build import audited_build

    return audited_build(tmp_path_factory.mktemp("fresh-build"))


def copy_book(dest: Path, cache: Path | None = None) -> Path:
    """A copy of what a build reads (book, data, seeds, configuration, requirements) at ``dest``;
    with ``cache`` (the ``base_cache`` fixture), the execution cache it starts from."""
    import shutil

    root = Path(__file__).resolve().parents[1]
    for name in ("book", "data", "seeds"):
        shutil.copytree(root / name, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in ("_config.yml", "_toc.yml", "requirements.txt"):
        shutil.copy2(root / name, dest / name)
    if cache is not None:
        shutil.copytree(cache, dest / "_build" / "cache", symlinks=True)
    return dest


# --- one browser per test session ----------------------------------------------------------------

def require_chromium() -> str:
    """Chromium's path, or skip (fail under CI, where the browser tests must run)."""
    reason = None
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        reason = "the playwright Python package is not installed (it is in requirements.txt)"
    from alibaba_report.pipeline.browser import find_chromium

    exe = find_chromium()
    if reason is None and exe is None:
        reason = "Chromium is not installed: run `make browser-deps` as root (Debian's chromium package)"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI the browser tests must run, not be skipped", pytrace=False)
        pytest.skip(reason)
    return exe


@pytest.fixture(scope="session")
def browser():
    """The one Chromium of this test session (tests/browser_session.py)."""
    from alibaba_report.pipeline.browser import CHROMIUM_ARGS
    from browser_session import BrowserSession

    session = BrowserSession(require_chromium(), list(CHROMIUM_ARGS))
    yield session
    session.close()


@pytest.fixture
def data_repo(tmp_path, monkeypatch):
    """A copy of what ``make check`` reads (data, seeds, the book's configuration), with REPORT_ROOT
    pointing at it."""
    import shutil

    from alibaba_report import params

    root = tmp_path / "repo"
    for part in ("data", "seeds"):
        shutil.copytree(ROOT / part, root / part)
    (root / "book").mkdir()
    for name in ("_toc.yml", "_config.yml"):
        shutil.copy(ROOT / name, root / name)
    monkeypatch.setenv("REPORT_ROOT", str(root))
    params._specs_cached.cache_clear()
    yield root
    params._specs_cached.cache_clear()
