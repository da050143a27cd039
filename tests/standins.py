"""Stand-ins: the smallest book a build test needs.

A test that changes what every notebook reads (the ledger, the chapter registry) would otherwise
execute the whole book in its copy, about 30 s of kernels, to look at two or three pages. A stand-in is
the base book's own run of a notebook (from the session's execution cache, ``base_cache``) stored in
the copy's cache with no recorded inputs, so the copy's build restores it as it is whatever the test
changed; the notebooks the test looks at (``live``) execute on the copy's data. Every page is still in
the book, so links and the navigation resolve and the render is the real one.

A stand-in page shows the base book's figures and ledger text, not the test's: a test asserts on its
live pages, and on the generated pages (appendix, disagreements), which the build always writes from
the copy's data.
"""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest


@contextlib.contextmanager
def _reading(root: Path):
    """``params`` reads the copy at ``root`` inside the block (its caches cleared on both sides)."""
    from alibaba_report import params

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REPORT_ROOT", str(root))
        params._specs_cached.cache_clear()
        try:
            yield
        finally:
            params._specs_cached.cache_clear()


def stand_in(root: Path, base_cache: Path, live: set[str], scenario: str = "base") -> list[str]:
    """Store in the copy at ``root`` the base book's run of every notebook of its _toc.yml whose name is
    not in ``live``, as a run the copy's build reuses; return their stems. A notebook the base book has
    no run of under the same key (a new chapter, other parameters) is left to execute.

    The keys are computed in this process: the copy's build must run with its chart backend
    (``MPLBACKEND``, part of a run's key) for the stand-ins to be found. A stand-in page must glue the
    same key figures as the copy's model gives, or the build's key-figure check fails, by name."""
    from alibaba_report.pipeline import cache, execute, notebooks

    with _reading(root):
        stems = [s for s in notebooks.toc_notebooks(root) if Path(s).name not in live]
        _, keys, _, _ = execute.plan_execution(root, scenario, fresh=True, stems=stems)
        done = []
        for stem, key in keys.items():
            runs = sorted((base_cache / stem.replace("/", "__") / key).glob("*/run.json"),
                          key=lambda p: p.stat().st_mtime)
            if not runs:
                continue
            entry = runs[-1].parent
            charts = entry / "chart-data"
            seconds = float(json.loads((entry / "run.json").read_text(encoding="utf-8"))["seconds"])
            cache.store(root, stem, key, entry / "notebook.ipynb", charts if charts.is_dir() else None, {}, seconds)
            done.append(stem)
    return done
