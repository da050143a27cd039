"""The build driver behind ``make book``: validate, execute, render, then publish atomically.

    python -m alibaba_report.build book [--scenario NAME]   build the site
    python -m alibaba_report.build check                    validate data/ and seeds/ only
    python -m alibaba_report.build refresh [NOTEBOOK ...]   re-execute book notebooks in place
                                                            (base parameters) before committing

``book`` never writes a tracked file. It copies the book into ``_build/staging/<scenario>``,
executes every notebook there with papermill under the scenario's parameters (several at once),
renders the executed copies with Jupyter Book 1 strictly and without executing them again, and only
then replaces the published site (``_build/html`` for base, ``_build/scenarios/<name>/html``
otherwise). Any failure leaves the last good site in place and exits non-zero with a message that
names the file, the notebook cell or the parameter at fault.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat
import yaml

from alibaba_report import params
from alibaba_report import paths
from alibaba_report.charts.style import CHART_DATA_ENV

EXIT_DATA = 2  # data/ or seeds/ invalid: nothing was run
EXIT_NOTEBOOK = 3  # a notebook raised
EXIT_RENDER = 4  # jupyter-book reported an error or a warning


class BuildError(RuntimeError):
    """A failure the driver reports and exits on; ``code`` is the exit status."""

    def __init__(self, message: str, code: int):
        # both in args: the error crosses from a worker process by pickle, which rebuilds it from args
        super().__init__(message, code)
        self.message, self.code = message, code

    def __str__(self) -> str:
        return self.message


# --- validation ------------------------------------------------------------------------------

MANIFEST = "SHA256SUMS"


def seed_manifest_problems(seeds_dir: Path | None = None) -> list[str]:
    """Differences between seeds/ and its checksum manifest (seeds are kept byte for byte)."""
    seeds_dir = seeds_dir or paths.seeds_dir()
    manifest = seeds_dir / MANIFEST
    if not manifest.exists():
        return [f"seeds/{MANIFEST} is missing: it records the checksum of every seed"]
    expected = {}
    for n, line in enumerate(manifest.read_text().splitlines(), 1):
        if not line.strip():
            continue
        m = re.fullmatch(r"([0-9a-f]{64}) [ *](\S+)", line.strip())
        if not m:
            return [f"seeds/{MANIFEST} line {n}: expected '<sha256>  <file name>', got {line!r}"]
        expected[m.group(2)] = m.group(1)
    problems = []
    present = {p.name for p in seeds_dir.glob("*.txt")}
    for name, digest in sorted(expected.items()):
        path = seeds_dir / name
        if not path.exists():
            problems.append(f"seeds/{name} is listed in seeds/{MANIFEST} but missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(
                f"seeds/{name} differs from its checksum in seeds/{MANIFEST}: seeds are kept "
                "verbatim; restore the file (git checkout seeds/) or, for a deliberately new "
                "version of a source, add it as a new seed"
            )
    for name in sorted(present - set(expected)):
        problems.append(f"seeds/{name} is not in seeds/{MANIFEST}: add its checksum (sha256sum)")
    return problems


def check_data() -> None:
    """Validate everything the notebooks read; raise BuildError(EXIT_DATA) naming what is wrong."""
    problems = seed_manifest_problems()
    if problems:
        raise BuildError("\n".join(problems), EXIT_DATA)
    try:
        from alibaba_report.evidence import ledger

        led = ledger.load_claims()
        ledger.load_sources()
        from alibaba_report.evidence import disagreements

        disagreements.find_disagreements(led)
    except (ValueError, KeyError) as exc:  # LedgerError is a ValueError
        raise BuildError(str(exc), EXIT_DATA) from None
    try:
        for nb in params.notebooks_with_specs():
            params.specs(nb)
        for scen in params.known_scenarios():
            params.check_scenario(scen)
    except params.ParameterError as exc:
        raise BuildError(str(exc), EXIT_DATA) from None


# --- notebooks -------------------------------------------------------------------------------

def toc_notebooks(root: Path) -> list[str]:
    """Stems of the ``book/*.ipynb`` files that _toc.yml lists, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            f = node.get("file") or (node.get("root") if isinstance(node.get("root"), str) else None)
            if f and (root / f"{f}.ipynb").exists():
                found.append(f)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(toc)
    return list(dict.fromkeys(found))


def notebook_parameters(stem: str, scenario: str) -> dict:
    """What a book notebook runs with under ``scenario``: its scenario values, or the name."""
    name = Path(stem).name
    if name not in params.notebooks_with_specs():
        return {}
    return params.scenario_parameters(scenario, name)


_ASSIGN = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>.+?)(?P<comment>\s+#.*)?$")


def fold_injected_parameters(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Write the injected values into the parameters cell and drop papermill's extra cell.

    The page then shows the parameters the notebook really ran with, beside their comments,
    instead of the defaults followed by a cell of overrides.
    """
    cells = nb.cells
    inj = next((i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])), None)
    par = next((i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])), None)
    if inj is None or par is None:
        return nb
    values = {}
    for line in cells[inj].source.splitlines():
        m = _ASSIGN.match(line.strip())
        if m:
            values[m.group("name")] = m.group("value")
    lines = []
    for line in cells[par].source.splitlines():
        m = _ASSIGN.match(line)
        if m and m.group("name") in values:
            line = f"{m.group('name')} = {values[m.group('name')]}{m.group('comment') or ''}"
        lines.append(line)
    cells[par].source = "\n".join(lines)
    del cells[inj]
    return nb


def lift_alt_text(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Move each chart's alt text (set by ``style.show``) to the cell metadata MyST-NB reads."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            alt = out.get("metadata", {}).get("image/png", {}).get("alt")
            if alt:
                cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
    return nb


def strip_run_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timings and run metadata so two runs of the same notebook are identical."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return nb


def kernel_env(root: Path) -> dict:
    env = dict(os.environ)
    env["REPORT_ROOT"] = str(root)
    env["PYTHONHASHSEED"] = "0"
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return env


# --- execute step: run each notebook, or reuse its stored run (execution cache, build/cache.py) ---

def execute_one(src: str, dst: str, parameters: dict, cwd: str, chart_dir: str | None = None,
                reads_log: str | None = None, watch: tuple[str, ...] = ()) -> float:
    """Run one notebook with papermill; return seconds. Raises BuildError naming the cell.

    ``chart_dir``: where its charts' CSVs go; ``reads_log``: where the kernel records the files it
    reads under the ``watch`` folders (the inputs the execution cache keys the run on)."""
    import papermill as pm

    from alibaba_report.build import cache

    if chart_dir:
        os.environ[CHART_DATA_ENV] = chart_dir  # a worker runs one notebook at a time
    # the kernel imports the package this process hashed, whatever else is on its path
    pkg_parent = str(cache.package_dir().parent)
    os.environ["PYTHONPATH"] = os.pathsep.join([pkg_parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != pkg_parent])
    extra = cache.recorder_arguments(Path(reads_log), [Path(w) for w in watch]) if reads_log else []
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(
            src, dst, parameters=parameters, kernel_name="python3", cwd=cwd,
            progress_bar=False, log_output=False, report_mode=False,
            kernel_manager_class=cache.kernel_manager_class(), extra_arguments=extra,
        )
    except pm.PapermillExecutionError as exc:
        raise BuildError(
            f"{src}: cell {exc.exec_count} (cell index {exc.cell_index}) raised "
            f"{exc.ename}: {exc.evalue}", EXIT_NOTEBOOK,
        ) from None
    nb = nbformat.read(dst, as_version=4)
    nbformat.write(lift_alt_text(strip_run_metadata(fold_injected_parameters(nb))), dst)
    return time.perf_counter() - t0


def plan_execution(root: Path, scenario: str, fresh: bool | None = None):
    """What the execute step will do: ``(work, keys, hits, snapshot)``, where ``work`` maps each
    notebook of the book to its parameters, ``keys`` to its run key, and ``hits`` to its reusable
    stored run, or None when it must execute (always None when ``fresh``; default $REPORT_FRESH)."""
    from alibaba_report.build import cache

    fresh = cache.fresh_requested() if fresh is None else fresh
    env = kernel_env(root)
    run_env = {k: env[k] for k in ("PYTHONHASHSEED", "MPLBACKEND")}  # the root is hashed by content, not path
    snap = cache.snapshot(root)
    work = {s: notebook_parameters(s, scenario) for s in toc_notebooks(root)}
    keys = {s: cache.run_key(snap, root / f"{s}.ipynb", p, run_env) for s, p in work.items()}
    hits = {s: None if fresh else cache.lookup(root, s, keys[s], snap) for s in work}
    return work, keys, hits, snap


def execute_all(root: Path, stage: Path, scenario: str, jobs: int, fresh: bool | None = None) -> dict[str, float]:
    """Execute every notebook of the book into ``stage``, ``jobs`` at a time, one line per notebook
    with its time and whether it ran or came from the cache; return the seconds per notebook.

    A notebook whose stored run has the same key and inputs is copied from the cache instead;
    ``fresh`` (default ``$REPORT_FRESH``: ``make book FRESH=1``) executes all. Fresh runs are stored."""
    from alibaba_report.build import cache

    os.environ.update({k: v for k, v in kernel_env(root).items() if k in ("REPORT_ROOT", "PYTHONHASHSEED", "MPLBACKEND")})
    t0 = time.perf_counter()
    work, keys, hits, snap = plan_execution(root, scenario, fresh)
    charts = stage / "book" / "_static" / "chart-data"  # published with the site's static files
    os.environ[CHART_DATA_ENV] = str(charts)
    scratch = stage.parent / f"{stage.name}.runs"  # per-notebook chart CSVs and read logs
    shutil.rmtree(scratch, ignore_errors=True)
    times: dict[str, float] = {}
    errors: list[str] = []
    lines = iter(range(1, len(work) + 1))

    def progress(status: str, s: str, how: str) -> None:
        print(f"  {status:4} {s + '.ipynb':32} {times.get(s, 0.0):5.1f} s  {how:26} [{next(lines)}/{len(work)}]",
              file=sys.stderr, flush=True)

    for s, hit in hits.items():
        if hit is not None:
            t = time.perf_counter()
            cache.restore(hit, stage / f"{s}.ipynb", charts)
            times[s] = time.perf_counter() - t
            progress("ok", s, f"from cache (ran {hit.seconds:.1f} s)")
    todo = [s for s, hit in hits.items() if hit is None]
    watch = (str(root), str(cache.package_dir()))
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo) or 1))) as pool:
        futs = {}
        for s in todo:
            run = scratch / s.replace("/", "__")
            (run / "chart-data").mkdir(parents=True)
            futs[pool.submit(execute_one, str(root / f"{s}.ipynb"), str(stage / f"{s}.ipynb"), work[s],
                             str((stage / s).parent), str(run / "chart-data"), str(run / "reads.log"), watch)] = s
        for fut in as_completed(futs):
            s = futs[fut]
            run = scratch / s.replace("/", "__")
            try:
                times[s] = fut.result()
            except BuildError as exc:
                errors.append(str(exc))
                progress("FAIL", s, "raised")
                continue
            charts.mkdir(parents=True, exist_ok=True)
            for f in (run / "chart-data").iterdir():
                shutil.copy2(f, charts / f.name)
            cache.store(root, s, keys[s], stage / f"{s}.ipynb", run / "chart-data",
                        cache.read_inputs(run / "reads.log", snap), times[s])
            progress("ok", s, "executed")
    shutil.rmtree(scratch, ignore_errors=True)
    if errors:
        raise BuildError("notebook execution failed:\n" + "\n".join(errors), EXIT_NOTEBOOK)
    print(f"executed {len(todo)} of {len(work)} notebooks ({len(work) - len(todo)} from the cache) "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return times


# --- staging and rendering --------------------------------------------------------------------

def site_dir(root: Path, scenario: str) -> Path:
    return root / "_build" / ("html" if scenario == params.BASE else f"scenarios/{scenario}/html")


def stage_sources(root: Path, stage: Path) -> None:
    """Copy what Jupyter Book reads into a fresh staging folder; generate the data pages."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, stage / name)
    shutil.copytree(root / "book", stage / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    from alibaba_report.evidence import pages

    pages.write_generated_pages(stage / "book")


def render(stage: Path, out: Path) -> None:
    """Jupyter Book 1, strict: -W turns every warning (a broken link, a missing glue key) into
    a failure, -n reports unresolved references, --keep-going lists all of them at once."""
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(stage), "--path-output", str(out), "-W", "-n", "--keep-going", "--builder", "html"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if re.search(r"WARNING|ERROR|Error|Exception", ln)]
        raise BuildError("jupyter-book build failed:\n" + "\n".join(lines[-40:] or (proc.stdout + proc.stderr).splitlines()[-40:]), EXIT_RENDER)


def publish(new_html: Path, target: Path) -> None:
    """Swap the new site in; the old one is removed only once the new one is in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new_html.rename(target)
    if old.exists():
        shutil.rmtree(old)


def build_book(scenario: str = params.BASE, jobs: int | None = None, root: Path | None = None) -> Path:
    root = root or paths.root()
    os.environ["REPORT_ROOT"] = str(root)
    params.known_scenarios()  # resolves the data dir under REPORT_ROOT
    if scenario not in params.known_scenarios():
        raise BuildError(
            f"unknown scenario {scenario!r}: there is no data/scenarios/{scenario}.yml. "
            f"Known scenarios: {', '.join(params.known_scenarios())}", EXIT_DATA,
        )
    t0 = time.perf_counter()
    check_data()
    stage = root / "_build" / "staging" / scenario
    stage_sources(root, stage)
    times = execute_all(root, stage, scenario, jobs or os.cpu_count() or 1)
    out = root / "_build" / "render" / scenario
    if out.exists():
        shutil.rmtree(out)
    t1 = time.perf_counter()
    render(stage, out)
    print(f"rendered in {time.perf_counter() - t1:.1f} s", file=sys.stderr)
    target = site_dir(root, scenario)
    publish(out / "_build" / "html", target)
    (target.parent / "timings.json").write_text(json.dumps({"notebooks_s": times, "total_s": time.perf_counter() - t0}, indent=1, sort_keys=True))
    return target


# --- refresh: execute the committed notebooks in place --------------------------------------

def refresh(names: list[str], root: Path | None = None) -> None:
    """Execute book notebooks in place with their own defaults (the base scenario), no timings.

    This is how a notebook's committed outputs are made, so nbval compares against what the base
    book shows. Run it after editing a notebook; commit the result.
    """
    from nbclient import NotebookClient

    from alibaba_report.build import cache

    root = root or paths.root()
    stems = [f"book/{n}" if not n.startswith("book/") else n.removesuffix(".ipynb") for n in names] or toc_notebooks(root)
    env = kernel_env(root)
    os.environ.update({k: env[k] for k in ("REPORT_ROOT", "PYTHONHASHSEED", "MPLBACKEND")})
    for stem in stems:
        path = root / f"{stem}.ipynb"
        nb = nbformat.read(path, as_version=4)
        t0 = time.perf_counter()
        NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}, record_timing=False,
                       kernel_manager_class=cache.kernel_manager_class()).execute()  # IPC: no TCP warning
        nbformat.write(lift_alt_text(strip_run_metadata(nb)), path)
        print(f"refreshed {stem}.ipynb in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m alibaba_report.build", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("book", help="build the site")
    b.add_argument("--scenario", default=params.BASE, help="a data/scenarios/<name>.yml (default: base)")
    b.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: cores)")
    sub.add_parser("check", help="validate data/ and seeds/ only")
    r = sub.add_parser("refresh", help="re-execute book notebooks in place with base parameters")
    r.add_argument("notebooks", nargs="*", help="notebook names (default: all in _toc.yml)")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "book":
            target = build_book(args.scenario, args.jobs)
            print(f"site ready: {target.relative_to(paths.root())}/index.html")
        elif args.cmd == "check":
            check_data()
            print("data/ and seeds/ are valid")
        else:
            refresh(args.notebooks)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.cmd == "book":
            print("the previously published site, if any, was left in place", file=sys.stderr)
        return exc.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
