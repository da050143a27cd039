"""The execute step of a build: run each notebook of the book with papermill (several at once), or
reuse its stored run from the execution cache (pipeline/cache.py) when nothing it ran on changed."""
from __future__ import annotations

import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat

from alibaba_report import params
from alibaba_report.charts.style import CHART_DATA_ENV
from alibaba_report.pipeline import safety
from alibaba_report.pipeline.notebooks import (
    fold_injected_parameters, kernel_env, lift_alt_text, notebook_parameters, strip_run_metadata, toc_notebooks,
)
from alibaba_report.pipeline.safety import EXIT_NOTEBOOK, BuildError
from alibaba_report.pipeline.stage import clear


def execute_one(src: str, dst: str, parameters: dict, cwd: str, chart_dir: str | None = None,
                reads_log: str | None = None, watch: tuple[str, ...] = ()) -> float:
    """Run one notebook with papermill; return seconds. Raises BuildError naming the cell.

    ``chart_dir``: where its charts' CSVs go; ``reads_log``: where the kernel records the files it
    reads under the ``watch`` folders (the inputs the execution cache keys the run on)."""
    import papermill as pm

    from alibaba_report.pipeline import cache, kernels

    if chart_dir:
        os.environ[CHART_DATA_ENV] = chart_dir  # a worker runs one notebook at a time
    # the kernel imports the package this process hashed, whatever else is on its path
    pkg_parent = str(cache.package_dir().parent)
    os.environ["PYTHONPATH"] = os.pathsep.join([pkg_parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != pkg_parent])
    extra = cache.recorder_arguments(Path(reads_log), [Path(w) for w in watch]) if reads_log else []
    if reads_log:  # the kernel's params logs the parameters it resolves there (cache.parameter_digests)
        os.environ[params.READS_LOG_ENV] = reads_log
    else:
        os.environ.pop(params.READS_LOG_ENV, None)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(
            src, dst, parameters=parameters, cwd=cwd, report_mode=False,
            execution_timeout=safety.cell_timeout(),  # harden: per-cell limit
            extra_arguments=extra, **kernels.papermill_options(),
        )
    except Exception as exc:  # harden: a raise, a timeout, a dead kernel -> the cell, numbered as in src
        raise safety.notebook_failure(src, dst, exc) from None
    nb = nbformat.read(dst, as_version=4)
    safety.output_problems(src, dst, cells=nb.cells)  # harden: cap on each cell's output
    nbformat.write(lift_alt_text(strip_run_metadata(fold_injected_parameters(nb))), dst)
    return time.perf_counter() - t0


def default_jobs() -> int:
    """Notebooks executed at once unless told (``--jobs``): one per core this process may use, plus one.
    A kernel that is starting, or waiting on the build for its next cell, leaves its core idle: on a
    quiet 2-core machine (December 2026) the four notebooks one changed value re-runs took 10.0 s two
    at a time and 8.3-8.6 s three at a time; all nine, 18.2-18.4 s against 17.4-17.9 s."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores + 1


def plan_execution(root: Path, scenario: str, fresh: bool | None = None, overrides: dict | None = None,
                   stems: list[str] | None = None):
    """What the execute step will do: ``(work, keys, hits, snapshot)``, where ``work`` maps each
    notebook of the book (or of ``stems``) to its parameters, ``keys`` to its run key, and ``hits`` to
    its reusable stored run, or None when it must execute (always None when ``fresh``; default
    $REPORT_FRESH)."""
    from alibaba_report.pipeline import cache

    fresh = cache.fresh_requested() if fresh is None else fresh
    env = kernel_env(root)
    run_env = {k: env[k] for k in ("PYTHONHASHSEED", "MPLBACKEND")}  # the root is hashed by content, not path
    snap = cache.snapshot(root, parameters=cache.parameter_digests())
    work = {s: (overrides or {}).get(s, notebook_parameters(s, scenario)) for s in (toc_notebooks(root) if stems is None else stems)}
    keys = {s: cache.run_key(snap, root / f"{s}.ipynb", p, run_env) for s, p in work.items()}
    hits = {s: None if fresh else cache.lookup(root, s, keys[s], snap) for s in work}
    return work, keys, hits, snap


def execute_all(root: Path, stage: Path, scenario: str, jobs: int, fresh: bool | None = None,
                overrides: dict | None = None) -> dict[str, float]:
    """Execute every notebook of the book into ``stage``, ``jobs`` at a time, one line per notebook
    with its time and whether it ran or came from the cache; return the seconds per notebook.

    A notebook whose stored run has the same key and inputs is copied from the cache instead;
    ``fresh`` (default ``$REPORT_FRESH``: ``make book FRESH=1``) executes all. Fresh runs are stored."""
    os.environ.update({k: v for k, v in kernel_env(root).items() if k in ("REPORT_ROOT", "PYTHONHASHSEED", "MPLBACKEND")})
    t0 = time.perf_counter()
    work, keys, hits, snap = plan_execution(root, scenario, fresh, overrides)
    run = _Run(root, stage, work, keys, snap)
    os.environ[CHART_DATA_ENV] = str(run.charts)
    clear(root, run.scratch)
    run.restore_hits(hits)
    todo = [s for s, hit in hits.items() if hit is None]
    run.execute(todo, jobs)
    shutil.rmtree(run.scratch, ignore_errors=True)
    if run.errors:
        raise BuildError("notebook execution failed:\n" + "\n".join(run.errors), EXIT_NOTEBOOK)
    print(f"executed {len(todo)} of {len(work)} notebooks ({len(work) - len(todo)} from the cache) "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return run.times


class _Run:
    """One execute step: where its outputs go, the seconds per notebook, the failures, the progress."""

    def __init__(self, root: Path, stage: Path, work: dict, keys: dict, snap) -> None:
        self.root, self.stage, self.work, self.keys, self.snap = root, stage, work, keys, snap
        self.charts = stage / "book" / "_static" / "chart-data"  # published with the site's static files
        self.scratch = stage.parent / f"{stage.name}.runs"  # per-notebook chart CSVs and read logs
        self.times: dict[str, float] = {}
        self.errors: list[str] = []
        self._lines = iter(range(1, len(work) + 1))

    def progress(self, status: str, s: str, how: str) -> None:
        print(f"  {status:4} {s + '.ipynb':32} {self.times.get(s, 0.0):5.1f} s  {how:26} "
              f"[{next(self._lines)}/{len(self.work)}]", file=sys.stderr, flush=True)

    def restore_hits(self, hits: dict) -> None:
        """Copy each reusable stored run into the staging folder."""
        from alibaba_report.pipeline import cache

        for s, hit in hits.items():
            if hit is not None:
                t = time.perf_counter()
                cache.restore(hit, self.stage / f"{s}.ipynb", self.charts)
                self.times[s] = time.perf_counter() - t
                self.progress("ok", s, f"from cache (ran {hit.seconds:.1f} s)")

    def execute(self, todo: list[str], jobs: int) -> None:
        """Run the notebooks ``todo`` in worker processes, ``jobs`` at a time; store each fresh run."""
        from alibaba_report.pipeline import cache

        root, stage = self.root, self.stage
        watch = (str(root), str(cache.package_dir()))
        # the workers die with the driver (and never hold its lock): kill -9 of the driver leaves nothing
        with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo) or 1)), initializer=safety.die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            futs = {}
            for s in todo:
                run = self.scratch / s.replace("/", "__")
                (run / "chart-data").mkdir(parents=True)
                futs[pool.submit(execute_one, str(root / f"{s}.ipynb"), str(stage / f"{s}.ipynb"), self.work[s],
                                 str((stage / s).parent), str(run / "chart-data"), str(run / "reads.log"), watch)] = s
            for fut in as_completed(futs):
                self.collect(futs[fut], fut)

    def collect(self, s: str, fut) -> None:
        """Take one finished run: its time, its charts and its stored copy, or its failure."""
        from alibaba_report.pipeline import cache

        run = self.scratch / s.replace("/", "__")
        try:
            self.times[s] = fut.result()
        except BuildError as exc:
            self.errors.append(str(exc))
            self.progress("FAIL", s, "raised")
            return
        self.charts.mkdir(parents=True, exist_ok=True)
        for f in (run / "chart-data").iterdir():
            shutil.copy2(f, self.charts / f.name)
        cache.store(self.root, s, self.keys[s], self.stage / f"{s}.ipynb", run / "chart-data",
                    cache.read_inputs(run / "reads.log", self.snap), self.times[s])
        self.progress("ok", s, "executed")
