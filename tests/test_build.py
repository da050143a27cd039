"""The build, end to end: what `make book` publishes, and what it refuses to publish.

Bad-input cases run the real driver in a scratch copy of the repository (REPORT_ROOT points the
package at it), with a stand-in "last good site" that must survive every failure untouched.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from alibaba_report.pipeline import driver as build
from conftest import copy_book

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.build


def _toc_stems() -> list[str]:
    return build.toc_notebooks(ROOT)


def _page_text(html: Path) -> str:
    """The visible text of a built page, for comparing two builds."""
    text = html.read_text(encoding="utf-8")
    text = re.sub(r"<script.*?</script>|<style.*?</style>", "", text, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def test_the_site_has_every_page_of_the_toc(site):
    assert (site / "index.html").exists()
    assert "url=book/index.html" in (site / "index.html").read_text()  # JB1's redirect to page 1
    for stem in _toc_stems():
        page = site / f"{stem}.html"
        assert page.exists(), f"{stem}.ipynb is in _toc.yml but {page.relative_to(ROOT)} was not built"
        assert "Traceback" not in page.read_text(encoding="utf-8"), f"{page.name} shows a traceback"


def test_no_page_loads_anything_from_outside_the_site(site):
    """No CDN: MathJax, fonts and scripts all ship with the site, so it works offline."""
    offenders = []
    for page in site.rglob("*.html"):
        for m in re.finditer(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=\"(https?:)?//[^\"]+\"", page.read_text(encoding="utf-8")):
            offenders.append(f"{page.relative_to(site)}: {m.group(0)[:120]}")
    assert offenders == []


def test_the_build_leaves_the_tracked_tree_untouched(site):
    """Executed copies and everything built live under _build/: no tracked file is rewritten."""
    from conftest import TRACKED_BEFORE_BUILD, tracked_snapshot

    if not TRACKED_BEFORE_BUILD:
        pytest.skip("the site was reused (REPORT_TEST_REUSE_SITE=1), not built in this session")
    after = tracked_snapshot()
    changed = sorted(f for f in TRACKED_BEFORE_BUILD if after.get(f) != TRACKED_BEFORE_BUILD[f])
    assert changed == [], f"the build rewrote tracked files: {changed}"


def test_two_builds_give_the_same_notebooks_and_the_same_pages(site, fresh_copy_build):
    """The session's build (from the execution cache when it could be) against a build of a fresh copy
    that executed every notebook: the same outputs in every notebook and the same text on every page."""
    def snapshot(root: Path):
        stage, html = root / "_build" / "staging" / "base" / "book", root / "_build" / "html"
        nbs = {p.name: [c.get("outputs", []) for c in nbformat.read(p, as_version=4).cells] for p in sorted(stage.glob("*.ipynb"))}
        pages = {str(p.relative_to(html)): _page_text(p) for p in sorted(html.rglob("*.html"))}
        return nbs, pages

    first_nbs, first_pages = snapshot(ROOT)
    assert len(first_nbs) > 0, "no executed notebooks in the staging folder"
    second_nbs, second_pages = snapshot(fresh_copy_build.copy)
    assert sorted(first_nbs) == sorted(second_nbs)
    for name in first_nbs:
        assert first_nbs[name] == second_nbs[name], f"{name}: outputs differ between two builds"
    differing = [p for p in first_pages if first_pages[p] != second_pages.get(p)]
    assert differing == [], f"page text differs between two builds: {differing}"


# --- bad input: a clear error, a non-zero exit, and the last good site untouched ---------------

SENTINEL = "<html><body>last good site</body></html>"


@pytest.fixture
def scratch(tmp_path, base_cache):
    """A copy of what the build reads, with a stand-in last good site already published, starting from
    the base book's execution cache: notebooks this test does not change need not run again."""
    copy_book(tmp_path, cache=base_cache)
    site = tmp_path / "_build" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text(SENTINEL)
    return tmp_path


def run_build(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, REPORT_ROOT=str(root))
    return subprocess.run([sys.executable, "-m", "alibaba_report.pipeline", "book", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)


def assert_failed_safely(proc, root: Path, code: int, *needles: str):
    assert proc.returncode == code, f"exit {proc.returncode}, expected {code}\n{proc.stderr[-2000:]}"
    for needle in needles:
        assert needle in proc.stderr, f"{needle!r} not in the error:\n{proc.stderr[-2000:]}"
    assert "left in place" in proc.stderr
    assert (root / "_build" / "html" / "index.html").read_text() == SENTINEL


def test_a_corrupted_ledger_row_stops_the_build(scratch):
    claims = scratch / "data" / "claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    row = next(csv_row for csv_row in __import__("csv").reader(lines[1:2]))
    row[header.index("value")] = "thirty-five"
    import csv, io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    lines[1] = buf.getvalue()
    claims.write_text("".join(lines), encoding="utf-8")
    proc = run_build(scratch)
    assert_failed_safely(proc, scratch, build.EXIT_DATA, "claims.csv", row[0], "value")


def test_a_seed_changed_on_disk_stops_the_build(scratch):
    seed = sorted((scratch / "seeds").glob("*.txt"))[0]
    seed.write_text(seed.read_text(encoding="utf-8") + "\nAn extra line.", encoding="utf-8")
    proc = run_build(scratch)
    assert_failed_safely(proc, scratch, build.EXIT_DATA, seed.name, "checksum")


def test_an_unknown_scenario_lists_the_known_ones(scratch):
    proc = run_build(scratch, "--scenario", "optimistic")
    assert_failed_safely(proc, scratch, build.EXIT_DATA, "unknown scenario 'optimistic'", "base, bear, bull")


def test_make_book_with_an_unknown_scenario_fails_through_make(scratch):
    # the running interpreter and a fresh stamp: make neither creates nor reinstalls a .venv
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, scratch / name)
    stamp = scratch / "_test_stamp"
    stamp.touch()
    env = {k: v for k, v in os.environ.items() if k != "MAKEFLAGS"}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(["make", "--no-print-directory", "book", "SCENARIO=optimistic", f"PY={sys.executable}",
                           f"STAMP={stamp}"], cwd=scratch, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0 and "Known scenarios: base, bear, bull" in proc.stderr
    assert "the build exited with code 2" in proc.stderr


def test_a_parameter_of_the_wrong_type_stops_the_build(scratch):
    bear = scratch / "data" / "scenarios" / "bear.yml"
    doc = yaml.safe_load(bear.read_text())
    doc["shared"] = {"usd_hkd": {"value": "seven point eight", "reason": "a value of the wrong type"}}
    bear.write_text(yaml.safe_dump(doc, sort_keys=False))
    proc = run_build(scratch, "--scenario", "bear")
    assert_failed_safely(proc, scratch, build.EXIT_DATA, "data/scenarios/bear.yml", "'usd_hkd' = 'seven point eight'", "expected a number")


def test_a_notebook_that_raises_names_the_notebook_and_the_cell(scratch):
    path = scratch / "book" / "index.ipynb"
    nb = nbformat.read(path, as_version=4)
    # early in the notebook, so the kernel stops before the summary's work (6 s of charts and tables)
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code") + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell('raise RuntimeError("deliberate failure for the test")'))
    nbformat.write(nb, path)
    proc = run_build(scratch)
    assert_failed_safely(proc, scratch, build.EXIT_NOTEBOOK, "index.ipynb", "RuntimeError: deliberate failure for the test",
                         f"cell {at} (counting from 0")


def test_a_rendering_warning_fails_the_build(scratch):
    """-W: a broken cross-reference is an error, not a page with a dead link. It is planted in a Markdown
    page, which no kernel executes: every notebook comes from the cache and only the render runs."""
    path = scratch / "book" / "glossary.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nSee [a page that does not exist](no_such_page.ipynb).\n",
                    encoding="utf-8")
    proc = run_build(scratch)
    assert_failed_safely(proc, scratch, build.EXIT_RENDER, "no_such_page")


# --- scenarios, end to end -----------------------------------------------------------------------

def _glued_in(path: Path) -> dict:
    from conftest import glued

    return glued(nbformat.read(path, as_version=4))


def test_a_changed_base_parameter_changes_the_summary_after_a_build(scratch):
    """One edit in data/scenarios/base.yml, no other: the build succeeds, replaces the last site, records
    its timings and names each notebook as it goes, and the summary's figures follow."""
    base = scratch / "data" / "scenarios" / "base.yml"
    doc = yaml.safe_load(base.read_text())
    before = doc["retail_war"]["shrink_pct"]["value"]
    doc["retail_war"]["shrink_pct"] = {"value": before + 10, "reason": "a faster shrink, to test that the summary follows"}
    base.write_text(yaml.safe_dump(doc, sort_keys=False))
    proc = run_build(scratch)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (scratch / "_build" / "html" / "index.html").read_text() != SENTINEL
    timings = json.loads((scratch / "_build" / "timings.json").read_text())
    assert "book/index" in timings["notebooks_s"]
    assert "ok   book/index.ipynb" in proc.stderr and "ok   book/meitu_deal.ipynb" in proc.stderr  # run or reused
    committed = _glued_in(ROOT / "book" / "index.ipynb")
    rebuilt = _glued_in(scratch / "_build" / "staging" / "base" / "book" / "index.ipynb")
    assert rebuilt["retail_war_cost_rmb_bn"] < committed["retail_war_cost_rmb_bn"], "a faster shrink must lower the war's cost"
    # a chapter driver alone reaches the value per share, in the direction a reader expects
    assert rebuilt["value_per_ads_usd"] > committed["value_per_ads_usd"], "a faster shrink must raise the value"
    assert rebuilt["fy27_adj_ebitda_rmb_bn"] > committed["fy27_adj_ebitda_rmb_bn"]
    page = (scratch / "_build" / "html" / "book" / "index.html").read_text(encoding="utf-8")
    assert f"{rebuilt['retail_war_cost_rmb_bn']:.0f}" in page
    figures = json.loads((scratch / "_build" / "html" / "key-figures.json").read_text())
    value = next(f for f in figures if f["name"] == "value_per_ads_usd" and f["scenario"] == "base")
    assert value["value"] == pytest.approx(rebuilt["value_per_ads_usd"]) and "index" in value["pages"]


def test_every_chart_on_the_site_offers_its_data(site):
    """Each chart (a PNG output) is followed by a link to its data, and the CSV is published."""
    stage = ROOT / "_build" / "staging" / "base" / "book"
    charts = links = 0
    for nb_path in sorted(stage.glob("*.ipynb")):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            outs = cell.get("outputs", [])
            pngs = sum("image/png" in o.get("data", {}) and not o["data"].get("text/plain", "").startswith("[chart, phone layout]")
                       for o in outs)  # a chart's phone layout (charts/phone.py) is the same chart
            hrefs = [m for o in outs for m in re.findall(r'href="\.\./_static/chart-data/([^"]+)"', "".join(o.get("data", {}).get("text/html", "")))]
            assert len(hrefs) == pngs, f"{nb_path.name}: a chart without its data link"
            charts += pngs
            for name in hrefs:
                csv_path = site / "_static" / "chart-data" / name
                assert csv_path.exists() and csv_path.stat().st_size > 20, f"{name} is not published"
                links += 1
    assert charts >= 15 and links == charts


def test_no_page_shows_a_warning_or_stderr(site):
    """A deprecation warning or a log line printed by a notebook would appear on the page."""
    stage = ROOT / "_build" / "staging" / "base" / "book"
    noisy = [f"{p.name} cell {i}: {''.join(o.get('text', ''))[:120]}"
             for p in sorted(stage.glob("*.ipynb"))
             for i, c in enumerate(nbformat.read(p, as_version=4).cells)
             for o in c.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert noisy == []


def test_a_rebuild_with_nothing_changed_keeps_the_published_site(site):
    """Nothing a render reads changed (every notebook from the execution cache, same pages and code):
    the build keeps the published site instead of rendering it again."""
    link = ROOT / "_build" / "html"
    before = os.readlink(link) if link.is_symlink() else None
    proc = run_build(ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "published site is kept as it is" in proc.stderr
    assert (os.readlink(link) if link.is_symlink() else None) == before
