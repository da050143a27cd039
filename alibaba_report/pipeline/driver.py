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

import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat

from alibaba_report import params
from alibaba_report import paths
from alibaba_report.pipeline import cli, safety
from alibaba_report.pipeline.execute import default_jobs, execute_all, execute_one, plan_execution  # noqa: F401 - API
from alibaba_report.pipeline.notebooks import (  # noqa: F401 - importable from here, as before
    fold_injected_parameters, kernel_env, lift_alt_text, notebook_parameters, notebook_stem, strip_images,
    strip_run_metadata, toc_notebooks,
)
from alibaba_report.pipeline.refresh import refresh
from alibaba_report.pipeline.safety import (  # noqa: F401 - the exit codes are part of this module's API
    EXIT_BUSY, EXIT_DATA, EXIT_ENV, EXIT_INTERNAL, EXIT_NOTEBOOK, EXIT_RENDER, BuildError,
)
from alibaba_report.pipeline.stage import (  # noqa: F401 - importable from here, as before
    WHAT_CHANGED, add_living_pages, add_what_changed, publish, render, site_dir, stage_sources,
)
from alibaba_report.pipeline.stage import clear as _clear
from alibaba_report.pipeline.validate import (  # noqa: F401 - importable from here, as before
    MANIFEST, check_data, data_file_problems, seed_manifest_problems,
)

# The steps a build takes are called through this module's names (check_data, stage_sources,
# execute_all, render...), so a test can replace one step and watch what the others do.


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
    times = execute_all(root, stage, scenario, jobs or default_jobs())
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
        execute_all(root, stage, params.BASE, jobs or default_jobs(), overrides={stem: values})
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
    args = cli.parser(__doc__.split("\n\n")[0]).parse_args(argv)
    note = _root_note()
    if note:
        print(note, file=sys.stderr)
    for flag, env in (("cell_timeout", safety.CELL_TIMEOUT_ENV), ("max_output_mb", safety.MAX_OUTPUT_ENV)):
        value = getattr(args, flag, None)
        if value is not None:
            os.environ[env] = str(value)  # read by the worker processes that execute notebooks
    return safety.run_guarded(lambda: _run(args), debug=getattr(args, "debug", False),
                              after_failure=lambda: _site_note(args))


def _run(args) -> None:
    """Do what the command line asked."""
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


def _site_note(args) -> str | None:
    """After a failed ``book``: what is published now."""
    if args.cmd != "book":
        return None
    root = paths.root()
    known = args.scenario in params.known_scenarios() and re.fullmatch(r"[a-z0-9][a-z0-9_-]*", args.scenario)
    return safety.site_state(site_dir(root, args.scenario if known else params.BASE), root)


if __name__ == "__main__":
    sys.exit(main())
