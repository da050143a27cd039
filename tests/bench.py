"""Benchmark of the build (`make bench`): measured and reported, never enforced by a test.

Prints: the clean build time, the rebuild time with nothing changed, each notebook's execution
time under papermill, the floor (every notebook's code run in one Python process, no kernel), and
the weight of each page with what it loads. Writes the same figures to _build/bench.json.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from alibaba_report.build import driver as build  # noqa: E402


def timed_build() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "alibaba_report.build", "book"], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def floor_seconds() -> dict[str, float]:
    """Each notebook's code executed in this process: the cost of the analysis without kernels."""
    import matplotlib

    matplotlib.use("Agg")
    out = {}
    os.environ["REPORT_ROOT"] = str(ROOT)
    for stem in build.toc_notebooks(ROOT):
        nb = nbformat.read(ROOT / f"{stem}.ipynb", as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and not c.source.lstrip().startswith("%"))
        ns: dict = {"__name__": "__main__"}
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, f"{stem}.ipynb", "exec"), ns)  # noqa: S102 - our own notebooks
        out[stem] = time.perf_counter() - t0
    return out


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


def main() -> int:
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    clean = timed_build()
    rebuild = timed_build()
    timings = json.loads((ROOT / "_build" / "timings.json").read_text())["notebooks_s"]
    floor = floor_seconds()
    weights = page_weights(ROOT / "_build" / "html")
    print(f"clean build (venv present, no _build): {clean:6.1f} s")
    print(f"rebuild, nothing changed:              {rebuild:6.1f} s")
    print(f"\n{'notebook':32} {'papermill s':>12} {'floor s':>9}")
    for stem in sorted(timings):
        print(f"{stem:32} {timings[stem]:12.1f} {floor.get(stem, float('nan')):9.2f}")
    print(f"{'total (sequential)':32} {sum(timings.values()):12.1f} {sum(floor.values()):9.2f}")
    print(f"\n{'page':48} {'html kB':>8} {'assets':>7} {'images kB':>10} {'total kB':>9}")
    for r in weights:
        if r["page"].startswith(("_", "genindex", "search")):
            continue
        print(f"{r['page']:48} {r['html_kb']:8.0f} {r['assets']:7d} {r['images_kb']:10.0f} {r['total_kb']:9.0f}")
    (ROOT / "_build" / "bench.json").write_text(json.dumps({"clean_s": clean, "rebuild_s": rebuild, "papermill_s": timings, "floor_s": floor, "pages": weights}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
