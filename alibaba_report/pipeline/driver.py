"""The build driver behind ``make book``: validate, execute, render, then publish atomically.

    python -m alibaba_report.pipeline book [--scenario NAME]   build the site
    python -m alibaba_report.pipeline check                    validate data/ and seeds/ only
    python -m alibaba_report.pipeline refresh [NOTEBOOK ...]   re-execute book notebooks in place
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
import stat
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

from alibaba_report.pipeline import safety
from alibaba_report.pipeline.safety import (  # noqa: F401 - the exit codes are part of this module's API
    EXIT_BUSY, EXIT_DATA, EXIT_ENV, EXIT_INTERNAL, EXIT_NOTEBOOK, EXIT_RENDER, BuildError,
)


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
        m = re.fullmatch(r"([0-9a-f]{64}) [ *]([A-Za-z0-9][A-Za-z0-9_.-]*\.txt)", line.strip())
        if not m:
            return [f"seeds/{MANIFEST} line {n}: expected '<sha256>  <file name>.txt' (a file name "
                    f"in seeds/, no folder), got {safety.short(line)}"]
        expected[m.group(2)] = m.group(1)
    problems = []
    present = {p.name for p in seeds_dir.glob("*.txt")}
    for name, digest in sorted(expected.items()):
        path = seeds_dir / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            problems.append(f"seeds/{name} is a symbolic link or not a regular file: seeds are "
                            "regular files inside seeds/")
        elif not path.exists():
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


def data_file_problems(root: Path | None = None) -> list[str]:
    """Files in data/ that the build must not read: a symbolic link to a place outside the
    repository, or anything that is not a regular file or a folder (a FIFO, a device). Data files
    obey the rule seeds do; nothing is opened, so the message never shows what such a file holds."""
    root = (root or paths.root()).resolve()
    data = root / "data"
    problems: list[str] = []
    seen: set[Path] = set()

    def walk(folder: Path, rel: str) -> None:
        real = folder.resolve()
        if real in seen:
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(f"{rel}: cannot be listed ({exc.strerror})")
            return
        for entry in entries:
            name = f"{rel}/{entry.name}"
            path = Path(entry.path)
            if entry.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    problems.append(f"{name} is a symbolic link to a place outside the repository: data "
                                    "files are regular files inside the repository (replace the link by "
                                    "a copy of the file)")
                    continue
            try:
                st = path.stat()
            except OSError:
                problems.append(f"{name} is a symbolic link to nothing (its target does not exist)")
                continue
            if stat.S_ISDIR(st.st_mode):
                walk(path, name)
            elif not stat.S_ISREG(st.st_mode):
                problems.append(f"{name} is not a regular file (a FIFO, a socket or a device): data files "
                                "are regular files; remove it")

    if data.is_symlink() and not data.resolve().is_relative_to(root):
        return ["data is a symbolic link to a place outside the repository: data files are regular files "
                "inside the repository"]
    if data.is_dir():
        walk(data, "data")
    return problems


def check_data(scenarios: tuple[str, ...] | None = None) -> None:
    """Validate everything the notebooks read; raise BuildError(EXIT_DATA) naming what is wrong.

    ``scenarios``: the scenario files a build reads (its own and the cases it compares); a broken
    scenario of your own then never stops the base book. None (``make check``): every scenario file."""
    problems = data_file_problems() + seed_manifest_problems()
    if problems:
        raise BuildError("\n".join(problems), EXIT_DATA)
    from alibaba_report.evidence import disagreements, ledger

    # Only the errors that mean "the data is wrong" are data errors (each names its file and row);
    # anything else is a bug and reaches the top-level handler as one (exit 70, --debug).
    data_errors = (ledger.LedgerError, ledger.UnknownClaimError, params.ParameterError)
    try:
        led = ledger.load_claims()
        sources = ledger.load_sources()
        ledger.check_register(led, sources)
        disagreements.find_disagreements(led)
        for nb in params.notebooks_with_specs():
            params.specs(nb)
        if scenarios is None and params.invalid_scenario_files():
            raise params.ParameterError(
                f"data/scenarios/: {', '.join(params.invalid_scenario_files())}: a scenario's file name must be "
                "lower-case letters, digits, '-' or '_' (at most 41 characters), ending in .yml")
        for scen in scenarios if scenarios is not None else params.known_scenarios():
            params.check_scenario(scen)
        from alibaba_report.evidence import checks  # every data check the tests make, by file and row

        checks.check_all(led, sources, scenarios)
    except data_errors as exc:
        raise BuildError(str(exc), EXIT_DATA) from None


# --- notebooks -------------------------------------------------------------------------------

def toc_notebooks(root: Path) -> list[str]:
    """Stems of the ``book/*.ipynb`` files that _toc.yml lists, in reading order."""
    toc = params.read_yaml(root / "_toc.yml")
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


def strip_images(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop image bytes from a notebook's outputs (after :func:`lift_alt_text`). A committed notebook
    carries what nbval compares (text, HTML, glued values, each chart's alt text as its text/plain);
    nbval skips PNGs and the build draws every chart again, so the bytes would only weigh on the diff."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for key in [k for k in out.get("data", {}) if k.startswith("image/")]:
                del out["data"][key]
                out.get("metadata", {}).pop(key, None)
    return nb


def kernel_env(root: Path) -> dict:
    env = dict(os.environ)
    env["REPORT_ROOT"] = str(root)
    env["PYTHONHASHSEED"] = "0"
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return env


# --- execute step: run each notebook, or reuse its stored run (execution cache, pipeline/cache.py) ---

def execute_one(src: str, dst: str, parameters: dict, cwd: str, chart_dir: str | None = None,
                reads_log: str | None = None, watch: tuple[str, ...] = ()) -> float:
    """Run one notebook with papermill; return seconds. Raises BuildError naming the cell.

    ``chart_dir``: where its charts' CSVs go; ``reads_log``: where the kernel records the files it
    reads under the ``watch`` folders (the inputs the execution cache keys the run on)."""
    import papermill as pm

    from alibaba_report.pipeline import cache

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
            src, dst, parameters=parameters, kernel_name="python3", cwd=cwd,
            progress_bar=False, log_output=False, report_mode=False,
            execution_timeout=safety.cell_timeout(),  # harden: per-cell limit
            kernel_manager_class=cache.kernel_manager_class(), extra_arguments=extra,
        )
    except Exception as exc:  # harden: a raise, a timeout, a dead kernel -> the cell, numbered as in src
        raise safety.notebook_failure(src, dst, exc) from None
    safety.output_problems(src, dst)  # harden: cap on each cell's output
    nb = nbformat.read(dst, as_version=4)
    nbformat.write(lift_alt_text(strip_run_metadata(fold_injected_parameters(nb))), dst)
    return time.perf_counter() - t0


def plan_execution(root: Path, scenario: str, fresh: bool | None = None, overrides: dict | None = None):
    """What the execute step will do: ``(work, keys, hits, snapshot)``, where ``work`` maps each
    notebook of the book to its parameters, ``keys`` to its run key, and ``hits`` to its reusable
    stored run, or None when it must execute (always None when ``fresh``; default $REPORT_FRESH)."""
    from alibaba_report.pipeline import cache

    fresh = cache.fresh_requested() if fresh is None else fresh
    env = kernel_env(root)
    run_env = {k: env[k] for k in ("PYTHONHASHSEED", "MPLBACKEND")}  # the root is hashed by content, not path
    snap = cache.snapshot(root, parameters=cache.parameter_digests())
    work = {s: (overrides or {}).get(s, notebook_parameters(s, scenario)) for s in toc_notebooks(root)}
    keys = {s: cache.run_key(snap, root / f"{s}.ipynb", p, run_env) for s, p in work.items()}
    hits = {s: None if fresh else cache.lookup(root, s, keys[s], snap) for s in work}
    return work, keys, hits, snap


def execute_all(root: Path, stage: Path, scenario: str, jobs: int, fresh: bool | None = None,
                overrides: dict | None = None) -> dict[str, float]:
    """Execute every notebook of the book into ``stage``, ``jobs`` at a time, one line per notebook
    with its time and whether it ran or came from the cache; return the seconds per notebook.

    A notebook whose stored run has the same key and inputs is copied from the cache instead;
    ``fresh`` (default ``$REPORT_FRESH``: ``make book FRESH=1``) executes all. Fresh runs are stored."""
    from alibaba_report.pipeline import cache

    os.environ.update({k: v for k, v in kernel_env(root).items() if k in ("REPORT_ROOT", "PYTHONHASHSEED", "MPLBACKEND")})
    t0 = time.perf_counter()
    work, keys, hits, snap = plan_execution(root, scenario, fresh, overrides)
    charts = stage / "book" / "_static" / "chart-data"  # published with the site's static files
    os.environ[CHART_DATA_ENV] = str(charts)
    scratch = stage.parent / f"{stage.name}.runs"  # per-notebook chart CSVs and read logs
    _clear(root, scratch)
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
    # the workers die with the driver (and never hold its lock): kill -9 of the driver leaves nothing
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo) or 1)), initializer=safety.die_with_parent,
                             initargs=(os.getpid(),)) as pool:
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

def _clear(root: Path, folder: Path) -> None:
    """Remove ``folder`` (under _build) if it exists; its parents become real folders. A symbolic
    link on the way is refused (safety.real_dir): the build deletes only inside _build."""
    safety.real_dir(root, folder.parent)
    if folder.is_symlink() or folder.exists():
        safety.real_dir(root, folder, create=False)
        shutil.rmtree(folder)


def site_dir(root: Path, scenario: str) -> Path:
    return root / "_build" / ("html" if scenario == params.BASE else f"scenarios/{scenario}/html")


def stage_sources(root: Path, stage: Path) -> None:
    """Copy what Jupyter Book reads into a fresh staging folder; generate the data pages."""
    _clear(root, stage)
    stage.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, stage / name)
    shutil.copytree(root / "book", stage / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    from alibaba_report.evidence import pages

    pages.write_generated_pages(stage / "book")


WHAT_CHANGED = "book/what_changed"  # a custom scenario's book: its key figures and assumptions against base


def add_what_changed(stage: Path, scenario: str) -> None:
    """In the book of a scenario of your own, a page comparing it with base (after the scenarios page)."""
    if scenario in params.COMPARED:
        return
    from alibaba_report.synthesis import compare

    (stage / f"{WHAT_CHANGED}.md").write_text(compare.page_for(scenario), encoding="utf-8")
    toc = params.read_yaml(stage / "_toc.yml")
    for part in toc.get("parts", []):
        files = [c.get("file") for c in part.get("chapters", [])]
        if "book/scenarios" in files:
            part["chapters"].insert(files.index("book/scenarios") + 1, {"file": WHAT_CHANGED})
            break
    else:
        raise BuildError("_toc.yml lists no book/scenarios page to put the comparison after", EXIT_DATA)
    (stage / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")


def add_living_pages(stage: Path) -> None:
    """The signposts file checked before anything runs, and, when editions/ holds one, the page
    "What changed since <edition>" (alibaba_report/synthesis/editions.py) in the staging copy."""
    from alibaba_report.synthesis import editions, signposts

    try:
        signposts.load()
        editions.stage_page(stage)
    except (signposts.SignpostError, editions.EditionError) as exc:
        raise BuildError(str(exc), EXIT_DATA) from None


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
    """Swap the new site in atomically; a crash at any instant leaves the old or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    safety.publish(new_html, target)


def build_book(scenario: str = params.BASE, jobs: int | None = None, root: Path | None = None,
               wait: bool = False) -> Path:
    root = root or paths.root()
    os.environ["REPORT_ROOT"] = str(root)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", scenario) or scenario not in params.known_scenarios():
        raise BuildError(
            f"unknown scenario {safety.short(scenario)}: there is no data/scenarios/<name>.yml "
            f"of that name. Known scenarios: {', '.join(params.known_scenarios())}", EXIT_DATA,
        )
    with safety.build_lock(root, wait=wait):
        return _build_locked(scenario, jobs, root)


def _build_locked(scenario: str, jobs: int | None, root: Path) -> Path:
    target = site_dir(root, scenario)
    for folder in (target.parent, root / "_build" / "cache"):
        safety.real_dir(root, folder)
    for path in ("staging", f"staging/{scenario}", f"staging/{scenario}.runs", "render", f"render/{scenario}"):
        safety.real_dir(root, root / "_build" / path, create=False)  # a planted link stops the build now
    safety.recover(target)  # finish what a crashed publish left half done (refuses a planted link)
    t0 = time.perf_counter()
    check_data(params.compared(scenario))
    stage = root / "_build" / "staging" / scenario
    stage_sources(root, stage)
    add_what_changed(stage, scenario)
    add_living_pages(stage)
    times = execute_all(root, stage, scenario, jobs or os.cpu_count() or 1)
    digest = render_digest(root, stage)
    stamp = safety.real_file(root, target.parent / f".{target.name}.render-digest")
    timings = safety.real_file(root, target.parent / "timings.json")
    published = safety.current_version(target)
    if published is not None and (published / "index.html").is_file() and stamp.is_file() \
            and stamp.read_text() == digest:
        # the render is skipped, the key-figure check is not: it compares every page with the
        # registry as the model gives it now
        check_key_figures(stage, published, scenario, write=False)
        print("nothing the site is made from changed: the published site is kept as it is", file=sys.stderr)
        safety.write_atomic(timings, json.dumps({"notebooks_s": times, "total_s": time.perf_counter() - t0,
                                                 "render": "skipped (nothing changed)"}, indent=1, sort_keys=True))
        return target
    out = root / "_build" / "render" / scenario
    _clear(root, out)
    t1 = time.perf_counter()
    render(stage, out)
    print(f"rendered in {time.perf_counter() - t1:.1f} s", file=sys.stderr)
    check_key_figures(stage, out / "_build" / "html", scenario)
    publish(out / "_build" / "html", target)
    safety.write_atomic(stamp, digest)
    safety.write_atomic(timings, json.dumps({"notebooks_s": times, "total_s": time.perf_counter() - t0}, indent=1, sort_keys=True))
    return target


def render_digest(root: Path, stage: Path) -> str:
    """A hash of everything a render reads: the staged book (executed notebooks, generated pages,
    configuration, static files), the whole package (the Sphinx extension imports the charts and the
    evidence modules), data/ and seeds/ (the extension reads the ledger), the pinned requirements and the installed distributions (the theme and Jupyter
    Book). Equal digests render the same site, so the render can be skipped."""
    from alibaba_report.pipeline import cache

    h = hashlib.sha256()
    pkg = cache.package_dir()
    named = [(f"stage:{p.relative_to(stage).as_posix()}", p) for p in sorted(stage.rglob("*")) if p.is_file()]
    named += [(f"pkg:{p.relative_to(pkg).as_posix()}", p) for p in sorted(pkg.rglob("*.py"))
              if "__pycache__" not in p.parts and p.is_file()]
    named.append(("requirements.txt", root / "requirements.txt"))
    for name, f in named:
        if not f.is_file():
            continue
        h.update(name.encode() + b"\0")
        h.update(cache.file_sha(f).encode())
    read = {}  # the Sphinx extension reads the ledger (claim links) and through it the seeds
    for name in ("data", "seeds"):
        cache.hash_tree(root, root / name, "", read)
    h.update(json.dumps(sorted(read.items())).encode())
    h.update(json.dumps(cache.installed_distributions()).encode())
    h.update(sys.version.encode())
    return h.hexdigest()


def check_key_figures(stage: Path, site: Path, scenario: str, write: bool = True) -> None:
    """Write ``key-figures.json`` into the rendered site, and refuse to publish a page that glues a
    key figure with a value other than the registry's (one number per quantity).

    ``write=False`` (the published site is kept): check only, and bring the published
    ``key-figures.json`` up to date if the registry moved without any page changing."""
    from alibaba_report.synthesis import key_figures

    executed = {p.stem: p for p in sorted((stage / "book").glob("*.ipynb"))}
    if write:
        problems = key_figures.write_json(site, executed, scenario)
    else:
        rows, problems = key_figures.page_report(executed, scenario)
        text = json.dumps(rows, indent=1) + "\n"
        path = Path(site) / "key-figures.json"
        if not problems and (not path.is_file() or path.read_text(encoding="utf-8") != text):
            safety.write_atomic(path, text)
    if problems:
        raise BuildError("pages disagree with the key-figure registry:\n" + "\n".join(problems), EXIT_NOTEBOOK)


# --- page: one notebook re-run with your values, as a page of a full book -------------------------

def parse_settings(settings: list[str]) -> dict:
    """``["shrink_pct=25", "convergence_deadline=FQ2 FY28"]`` -> values, read as a reader means them."""
    out = {}
    for item in settings:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise BuildError(f"--set {safety.short(item)}: expected name=value, e.g. shrink_pct=25", EXIT_DATA)
        text = text.strip()
        value: object = text
        if text.lower() in ("true", "false"):
            value = text.lower() == "true"
        else:
            for kind in (int, float):
                try:
                    value = kind(text)
                    break
                except ValueError:
                    continue
        out[name.strip()] = value
    return out


def build_page(name: str, settings: list[str], root: Path | None = None, jobs: int | None = None) -> Path:
    """Re-run one notebook with your values and render it as a page of a whole book whose other pages
    are the base book's (reused from the execution cache when the base book was built). Returns the
    page. The book goes to ``_build/page/<notebook>/html``; nothing published elsewhere changes."""
    root = root or paths.root()
    os.environ["REPORT_ROOT"] = str(root)
    stem = notebook_stem(root, name)
    nb = Path(stem).name
    values = {**notebook_parameters(stem, params.BASE), **parse_settings(settings)}
    try:
        params.check_values(nb, values, origin="--set")
    except params.ParameterError as exc:
        raise BuildError(str(exc), EXIT_DATA) from None
    base = notebook_parameters(stem, params.BASE)
    changed = {k: v for k, v in values.items() if base.get(k) != v}
    with safety.build_lock(root):
        check_data(params.compared(params.BASE))
        work = safety.real_dir(root, root / "_build" / "page" / nb)
        stage = work / "stage"
        stage_sources(root, stage)
        execute_all(root, stage, params.BASE, jobs or os.cpu_count() or 1, overrides={stem: values})
        note_values(stage / f"{stem}.ipynb", changed, base)
        out = work / "render"
        _clear(root, out)
        render(stage, out)
        target = work / "html"
        publish(out / "_build" / "html", target)
    return target / f"{stem}.html"


def note_values(path: Path, changed: dict, base: dict) -> None:
    """Say at the top of a re-run page which values it ran with (escaped: they come from the command line)."""
    from alibaba_report.evidence.appendix import md_escape

    nb = nbformat.read(path, as_version=4)
    said = "; ".join(f"{md_escape(k)} = {md_escape(repr(v))} (the book: {md_escape(repr(base.get(k)))})" for k, v in changed.items())
    text = ("**Re-run with your values:** " + said if said else "**Re-run with the book's own values.**") + \
        ". Every other page of this copy of the book is the base book's."
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)


# --- refresh: execute the committed notebooks in place --------------------------------------

def refresh(names: list[str], root: Path | None = None) -> None:
    """Execute book notebooks in place with their own defaults (the base scenario), no timings.

    This is how a notebook's committed outputs are made, so nbval compares against what the base
    book shows. Run it after editing a notebook; commit the result. Each cell has the per-cell limits
    of ``make book`` (time and output); a notebook whose run is unchanged is not rewritten, so a
    refresh with nothing changed leaves the file byte for byte as it was.
    """
    from nbclient import NotebookClient

    from alibaba_report.pipeline import cache

    root = root or paths.root()
    stems = [notebook_stem(root, n) for n in names] or toc_notebooks(root)
    env = kernel_env(root)
    os.environ.update({k: env[k] for k in ("REPORT_ROOT", "PYTHONHASHSEED", "MPLBACKEND")})
    for stem in stems:
        path = root / f"{stem}.ipynb"
        before = path.read_text(encoding="utf-8")
        nb = nbformat.reads(before, as_version=4)
        t0 = time.perf_counter()
        client = NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                                record_timing=False, timeout=safety.cell_timeout(),  # as make book
                                kernel_manager_class=cache.kernel_manager_class())  # IPC: no TCP warning
        started: list[int] = []
        client.on_cell_start = lambda cell, cell_index: started.append(cell_index)
        try:
            client.execute()
        except Exception as exc:  # a raise, a timeout, a dead kernel: named by cell, as in make book
            if getattr(exc, "cell_index", None) is None and started:
                exc.cell_index = started[-1]
            partial = safety.real_dir(root, root / "_build" / "refresh") / path.name
            nbformat.write(nb, partial)
            raise safety.notebook_failure(str(path.relative_to(root)), str(partial), exc) from None
        after = nbformat.writes(strip_images(lift_alt_text(strip_run_metadata(nb))))
        after += "" if after.endswith("\n") else "\n"
        if after != before:
            partial = safety.real_dir(root, root / "_build" / "refresh") / path.name
            partial.write_text(after, encoding="utf-8")
            safety.output_problems(str(path.relative_to(root)), str(partial))
            path.write_text(after, encoding="utf-8")
        how = "refreshed" if after != before else "unchanged:"
        print(f"{how} {stem}.ipynb in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def notebook_stem(root: Path, name: str) -> str:
    """``retail_war``, ``retail_war.ipynb`` or ``book/retail_war.ipynb`` -> ``book/retail_war``."""
    stem = name.strip().removeprefix("./").removeprefix("book/").removesuffix(".ipynb")
    known = [s.removeprefix("book/") for s in toc_notebooks(root)]
    if stem not in known:
        raise BuildError(f"unknown notebook {safety.short(name)}: expected one of {', '.join(known)} "
                         "(with or without .ipynb)", EXIT_DATA)
    return f"book/{stem}"


def _root_note() -> str | None:
    """Say so when REPORT_ROOT (perhaps inherited from the shell) points the build elsewhere."""
    env = os.environ.get("REPORT_ROOT")
    own = Path(__file__).resolve().parents[2]
    if env and Path(env).resolve() != own:
        return f"note: REPORT_ROOT is set: building {Path(env).resolve()}, not {own}"
    return None


def _check_root(root: Path) -> None:
    missing = [n for n in ("_toc.yml", "_config.yml", "data", "seeds", "book") if not (root / n).exists()]
    if missing:
        raise BuildError(f"{root} is not a checkout of the report (missing {', '.join(missing)}); "
                         "REPORT_ROOT, if set, must name the repository's root", EXIT_ENV)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m alibaba_report.pipeline", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("book", help="build the site")
    b.add_argument("--scenario", default=params.BASE, help="a data/scenarios/<name>.yml (default: base)")
    b.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: cores)")
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
    args = ap.parse_args(argv)
    debug = getattr(args, "debug", False)
    note = _root_note()
    if note:
        print(note, file=sys.stderr)
    for flag, env in (("cell_timeout", safety.CELL_TIMEOUT_ENV), ("max_output_mb", safety.MAX_OUTPUT_ENV)):
        value = getattr(args, flag, None)
        if value is not None:
            os.environ[env] = str(value)  # read by the worker processes that execute notebooks

    def run() -> None:
        root = paths.root()
        _check_root(root)
        if args.cmd == "book":
            safety.cell_timeout(), safety.max_output_bytes()  # a bad limit is refused before any work
            target = build_book(args.scenario, args.jobs, wait=args.wait)
            print(f"site ready: {target.relative_to(root)}/index.html")
        elif args.cmd == "check":
            check_data()
            print("data/ and seeds/ are valid")
        elif args.cmd == "page":
            page = build_page(args.notebook, args.set)
            print(f"page ready: {page.relative_to(root)}")
        else:
            safety.cell_timeout(), safety.max_output_bytes()  # a bad limit is refused before any work
            with safety.build_lock(root):
                refresh(args.notebooks)

    def site_note() -> str | None:
        if args.cmd != "book":
            return None
        root = paths.root()
        known = args.scenario in params.known_scenarios() and re.fullmatch(r"[a-z0-9][a-z0-9_-]*", args.scenario)
        return safety.site_state(site_dir(root, args.scenario if known else params.BASE), root)

    return safety.run_guarded(run, debug=debug, after_failure=site_note)


if __name__ == "__main__":
    sys.exit(main())
