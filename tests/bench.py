"""Benchmark of the build and the tests (`make bench`): measured and reported, never enforced by a test.

In one run, on a copy of the repository under _build/bench/ (the tree and its _build/html are left
alone), it reports the median of ``--runs`` runs of:

* the clean build: no _build at all, every notebook executed (``FRESH``);
* the rebuild with nothing changed (the execution cache reuses every notebook);
* the rebuild after one changed chapter value in data/scenarios/base.yml (a different value each run);
* the floor: every notebook's code run in this one Python process, no kernel, sequentially;
* the render time (Jupyter Book), read from the builds' own report;

their ratios against the issue's targets, each notebook's kernel and floor time, the weight of each
page, and the wall time of `make test` (once; ``--no-test`` skips it) and of `make test-fast`. The
machine's load average is printed with the figures: on a shared machine they move with it. The same
figures go to _build/bench.json.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from alibaba_report.pipeline import driver as build  # noqa: E402

COPIED = ("book", "data", "seeds", "alibaba_report", "_config.yml", "_toc.yml", "requirements.txt", "pyproject.toml")
CHANGED = ("retail_war", "shrink_pct")  # the chapter value the one-change rebuild moves


def make_copy(dest: Path, names: tuple[str, ...] = COPIED) -> Path:
    """A copy of ``names`` (files and folders of the checkout) at ``dest``, replacing what was there."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in names:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def timed_build(tree: Path, fresh: bool = False) -> dict:
    """One `python -m alibaba_report.pipeline book` of ``tree``: wall seconds, render seconds, how many
    notebooks executed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_")}
    env.update(REPORT_ROOT=str(tree), PYTHONPATH=str(tree), REPORT_FRESH="1" if fresh else "")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "alibaba_report.pipeline", "book"], cwd=tree, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"build failed:\n{proc.stderr[-3000:]}")
    render = re.search(r"rendered in ([\d.]+) s", proc.stderr)
    executed = re.search(r"executed (\d+) of (\d+) notebooks", proc.stderr)
    return {"wall_s": wall, "render_s": float(render.group(1)) if render else float("nan"),
            "executed": int(executed.group(1)) if executed else -1}


def change_one_value(tree: Path, run: int) -> None:
    base = tree / "data" / "scenarios" / "base.yml"
    doc = yaml.safe_load(base.read_text())
    chapter, name = CHANGED
    doc[chapter][name]["value"] = float(doc[chapter][name]["value"]) + 1 + run
    base.write_text(yaml.safe_dump(doc, sort_keys=False))


def floor_seconds(tree: Path) -> dict[str, float]:
    """Each notebook's code executed in this process: the cost of the analysis without kernels."""
    import matplotlib

    matplotlib.use("Agg")
    out = {}
    before = os.environ.get("REPORT_ROOT")
    os.environ["REPORT_ROOT"] = str(tree)
    try:
        for stem in build.toc_notebooks(tree):
            nb = nbformat.read(tree / f"{stem}.ipynb", as_version=4)
            code = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and not c.source.lstrip().startswith("%"))
            ns: dict = {"__name__": "__main__"}
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, f"{stem}.ipynb", "exec"), ns)  # noqa: S102 - our own notebooks
            out[stem] = time.perf_counter() - t0
    finally:  # the copy's root must not leak into the `make test` timed next (it did: every run exited 2)
        if before is None:
            os.environ.pop("REPORT_ROOT", None)
        else:
            os.environ["REPORT_ROOT"] = before
    return out


def timed_make(target: str) -> float:
    """Wall time of `make <target>` with this interpreter (PY=, no venv stamp: never builds a venv)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_")}  # this checkout, nothing else
    t0 = time.perf_counter()
    proc = subprocess.run(["make", "--no-print-directory", target, f"PY={sys.executable}", "STAMP="], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        print(f"  make {target} FAILED (exit {proc.returncode}); its last lines:\n" + (proc.stdout + proc.stderr)[-1500:])
    wall = time.perf_counter() - t0
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or ["(no output)"]
    print(f"  make {target}: {wall:.1f} s, exit {proc.returncode}: {tail[0][:100]}")
    return wall


ASSET = re.compile(r"<(?:script|link|img)\b[^>]*?\b(?:src|href)=\"([^\"#?]+)")


def page_weights(site: Path) -> list[dict]:
    rows = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        assets = set()
        for ref in ASSET.findall(html):
            if ref.startswith(("http:", "https:", "//", "data:")):
                continue
            path = (page.parent / ref).resolve()
            if path.is_file():
                assets.add(path)
        total = page.stat().st_size + sum(a.stat().st_size for a in assets)
        images = sum(a.stat().st_size for a in assets if a.suffix in (".png", ".jpg", ".svg"))
        rows.append({"page": str(page.relative_to(site)), "html_kb": page.stat().st_size / 1024, "assets": len(assets), "images_kb": images / 1024, "total_kb": total / 1024})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of each build measurement (median reported)")
    ap.add_argument("--no-test", action="store_true", help="skip timing `make test` (minutes)")
    args = ap.parse_args(argv)
    cores = os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    tree = make_copy(ROOT / "_build" / "bench" / "repo")
    runs: dict[str, list[dict]] = {"clean": [], "nochange": [], "onechange": []}
    for i in range(args.runs):
        shutil.rmtree(tree / "_build", ignore_errors=True)
        runs["clean"].append(timed_build(tree, fresh=True))
        runs["nochange"].append(timed_build(tree))
        change_one_value(tree, i)
        runs["onechange"].append(timed_build(tree))
        print(f"  run {i + 1}: clean {runs['clean'][-1]['wall_s']:.1f} s, no change {runs['nochange'][-1]['wall_s']:.1f} s, "
              f"one value {runs['onechange'][-1]['wall_s']:.1f} s ({runs['onechange'][-1]['executed']} notebooks executed)", flush=True)
    med = {k: statistics.median(r["wall_s"] for r in v) for k, v in runs.items()}
    rendered = [r["render_s"] for v in runs.values() for r in v if r["render_s"] == r["render_s"]]
    render = statistics.median(rendered) if rendered else float("nan")  # a no-change build skips the render
    timings = json.loads((tree / "_build" / "timings.json").read_text())["notebooks_s"]  # the last build
    shutil.rmtree(tree / "_build", ignore_errors=True)
    timed_build(tree, fresh=True)  # one more clean build for the per-notebook kernel times
    kernel_s = json.loads((tree / "_build" / "timings.json").read_text())["notebooks_s"]
    floor = floor_seconds(tree)
    floor_total = sum(floor.values())
    weights = page_weights(tree / "_build" / "html")
    test_fast = statistics.median(timed_make("test-fast") for _ in range(min(args.runs, 3)))
    test_all = None if args.no_test else timed_make("test")
    # an exit other than 0 is printed by timed_make: its time is then not a measure of the suite
    load_after = os.getloadavg()[0]

    ideal = floor_total / cores + render
    print(f"\nmachine: {cores} cores, load average {load_before:.1f} before, {load_after:.1f} after "
          f"(a busy machine slows every figure)")
    print(f"medians of {args.runs} runs                       seconds   target")
    print(f"clean build (no _build, FRESH):             {med['clean']:7.1f}   <= 1.5 x (floor/cores + render) = {1.5 * ideal:.1f}")
    print(f"rebuild, nothing changed:                   {med['nochange']:7.1f}   <= 15% of clean ({0.15 * med['clean']:.1f})")
    print(f"rebuild, one chapter value changed:         {med['onechange']:7.1f}   <= 40% of clean ({0.40 * med['clean']:.1f})")
    print(f"render (Jupyter Book, every build):         {render:7.1f}")
    print(f"floor (all notebook code, one process):     {floor_total:7.1f}   floor/cores = {floor_total / cores:.1f}")
    print(f"ratios: no change / clean {med['nochange'] / med['clean']:.0%}, one value / clean "
          f"{med['onechange'] / med['clean']:.0%}, clean / (floor/cores + render) {med['clean'] / ideal:.2f}")
    print(f"make test-fast:                             {test_fast:7.1f}   <= 1 x clean ({med['clean']:.1f}): "
          f"{test_fast / med['clean']:.2f} x")
    if test_all is not None:
        print(f"make test:                                  {test_all:7.1f}   <= 6 x clean ({6 * med['clean']:.1f}): "
              f"{test_all / med['clean']:.2f} x")
    print(f"\n{'notebook':32} {'kernel s':>9} {'floor s':>9}  (kernel: a clean build, {build.default_jobs()} at a time)")
    for stem in sorted(kernel_s):
        print(f"{stem:32} {kernel_s[stem]:9.1f} {floor.get(stem, float('nan')):9.2f}")
    print(f"{'total (sequential)':32} {sum(kernel_s.values()):9.1f} {floor_total:9.2f}")
    print(f"\n{'page':48} {'html kB':>8} {'assets':>7} {'images kB':>10} {'total kB':>9}")
    for r in weights:
        if r["page"].startswith(("_", "genindex", "search")):
            continue
        print(f"{r['page']:48} {r['html_kb']:8.0f} {r['assets']:7d} {r['images_kb']:10.0f} {r['total_kb']:9.0f}")
    (ROOT / "_build" / "bench.json").write_text(json.dumps({
        "cores": cores, "load_average": [load_before, load_after], "runs": runs, "median_s": med,
        "render_s": render, "floor_s": floor, "kernel_s": kernel_s, "last_onechange_notebooks_s": timings,
        "make_test_fast_s": test_fast, "make_test_s": test_all, "pages": weights}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
