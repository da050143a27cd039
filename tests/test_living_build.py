"""When new evidence arrives, end to end, in a copy of the repository and exactly as the README writes
it: make edition -> make source -> mark rows accept=yes -> make accept -> make book. One build.

The source is the test fixture tests/fixtures/later_article.txt (a hypothetical later article, never
part of the book). The built site must show the fixture's figures in the estimate-change table, the
value bridge and the graded signposts, and the summary must count what changed since the edition."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from bench import make_copy
from standins import stand_in

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "later_article.txt"


def _make(tree: Path, *args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_")}
    env["PYTHONPATH"] = str(tree)  # the copy's package, as bench's builds do
    proc = subprocess.Popen(["make", "--no-print-directory", *args], cwd=tree, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # make -> python -> kernels: the whole group
        proc.communicate()
        raise
    assert proc.returncode == 0, f"make {' '.join(args)} failed:\n{out[-2000:]}\n{err[-4000:]}"
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _text(html_file: Path) -> str:
    html = html_file.read_text(encoding="utf-8")
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#8212;", "—").replace("&amp;", "&")


# The notebooks that execute on the flow's new ledger: the pages these tests read (the summary, the
# signposts) and the pages that glue the key figures the new figures move (scenarios, methods; the build
# checks every page's key figures against the model). The chapters stand in as the base book ran them
# (tests/standins.py): their evidence tables would show the new figures, which no test here reads.
LIVE = {"index", "signposts", "scenarios", "methods"}


@pytest.fixture(scope="module")
def living_site(tmp_path_factory, base_cache):
    tree = make_copy(tmp_path_factory.mktemp("living-book") / "repo")
    shutil.copy2(ROOT / "Makefile", tree / "Makefile")
    (tree / ".venv").symlink_to(ROOT / ".venv")  # the installed environment; its stamp is newer than the copy's pins
    printed = {"edition": _make(tree, "edition", "NAME=january-2026", timeout=600).stdout}
    printed["source"] = _make(tree, "source", f"FILE={FIXTURE}", "PUBLISHER=Example Wire", "DATE=2026-02-20",
                              timeout=600).stdout
    (candidates,) = (tree / "data" / "candidates").glob("*.csv")
    rows = list(csv.DictReader(candidates.open(encoding="utf-8")))
    for r in rows:  # what a reader of the candidates would keep: the rows matched to a figure of the ledger
        r["accept"] = "yes" if r["metric"] else ""
    with candidates.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    printed["accept"] = _make(tree, "accept", timeout=600).stdout
    assert stand_in(tree, base_cache, LIVE)
    built = _make(tree, "book")
    assert f"executed {len(LIVE)} of" in built.stderr, built.stderr[-3000:]
    return tree, tree / "_build" / "html" / "book", printed


def test_each_command_prints_what_it_did(living_site):
    _, _, printed = living_site
    assert "wrote editions/january-2026.json" in printed["edition"]
    assert "6 not yet reported" in printed["edition"]
    assert re.search(r"wrote data/candidates/005_\w+\.csv: 15 candidate figures", printed["source"])
    assert "Instant-retail loss in the December quarter (FQ3 FY26) (1 candidate)" in printed["source"]
    assert "6 claims added to data/claims.csv, 9 figures added" in printed["accept"]
    assert "signposts now: 3 met, 2 missed, 0 not settled, 1 not yet reported" in printed["accept"]


def test_the_what_changed_page_shows_the_fixture_figures(living_site):
    _, book, _ = living_site
    text = _text(book / "since_edition.html")
    assert "What changed since january-2026" in text
    # the base value before (the edition's) and now (the built book's), as the table prints them
    tree = book.parents[2]
    before = json.loads((tree / "editions" / "january-2026.json").read_text())["key_figures"]["base"]["value_per_ads_usd"]
    built = json.loads((tree / "_build" / "html" / "key-figures.json").read_text())
    now = next(f["value"] for f in built if f["name"] == "value_per_ads_usd" and f["scenario"] == "base")
    assert now < before, "the fixture's lower EPS forecast must lower the value"
    assert f"USD {before:.2f} {now:.2f} {now - before:.2f} {100 * (now / before - 1):.1f}%" in text
    ebitda = json.loads((tree / "editions" / "january-2026.json").read_text())["key_figures"]["base"]["fy27_adj_ebitda_rmb_bn"]
    ebitda_now = next(f["value"] for f in built if f["name"] == "fy27_adj_ebitda_rmb_bn" and f["scenario"] == "base")
    assert abs((ebitda_now - ebitda) - (240 - 262)) < 0.01  # the fixture's forecast cut, RMB 262bn to 240bn, passes through
    assert f"{ebitda:.2f} {ebitda_now:.2f} {ebitda_now - ebitda:.2f} {100 * (ebitda_now / ebitda - 1):.1f}%" in text
    # the bridge: the EPS forecast moves the value by the whole change, the EBITDA forecast by nothing
    assert f"8.57 8.10 {now - before:.2f}" in text and "262.00 240.00 +0.00" in text
    assert "Example Wire, 20 Feb 2026" in text
    assert (book / "_static" / "since-edition-bridge.png").exists() or list(book.parent.glob("_images/since-edition-bridge*.png"))


def test_the_signposts_page_grades_the_fixture_figures(living_site):
    _, book, _ = living_site
    text = _text(book / "signposts.html")
    assert "three of the six signposts the book watches were met and two missed" in text
    # a citation renders as [n] with its sentence beside it (the tooltip), then the source's column
    assert re.search(r"Instant-retail loss in the December quarter \(FQ3 FY26\) at most RMB 35\.5bn 28 Feb 2026 met "
                     r"RMB 30 billion reference \[\d+\].{0,400}? Example Wire, 20 Feb 2026", text)
    assert "Group free cash flow in FQ3 FY26 at least RMB 0bn 28 Feb 2026 missed -5 billion yuan" in text
    assert "China commerce revenue growth in FQ3 FY26, year on year at least 5% a year 28 Feb 2026 not yet reported" in text


def test_the_summary_counts_what_changed_since_the_edition(living_site):
    _, book, _ = living_site
    assert "Since the january-2026 edition (sources to 14 Jan 2026), three of the six signposts" in _text(book / "index.html")


def test_the_build_left_the_tracked_files_of_the_flow_only(living_site):
    tree, _, _ = living_site
    assert not list((tree / "data" / "candidates").glob("*.csv"))  # accepted: nothing left to decide
    assert (tree / "editions" / "january-2026.json").exists()
