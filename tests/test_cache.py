"""The execution cache (alibaba_report/pipeline/cache.py): never stale, and reused when nothing changed.

Unit tests of the pieces (snapshot, recorded inputs, store and lookup, key, the kernel-side recorder)
need no kernel. The never-stale tests execute the book's notebooks through the driver's execute step
(no rendering) in a copy of the repository, package included, then edit one kind of input at a time
in a copy of that copy: a notebook cell, a package function, a claim, a parameter specification, a
scenario value, a seed. Each proves that the notebooks which read the edited input execute again and
the others come from the cache. The driver runs in a subprocess with the copy first on PYTHONPATH,
so the kernels import the copy's package, the one that is edited.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from alibaba_report.chapters import CHAPTERS
from alibaba_report.pipeline import cache

ROOT = Path(__file__).resolve().parents[1]


# --- unit: the pieces ------------------------------------------------------------------------

def _tree(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "repo"
    pkg = root / "pkg"
    for rel, text in {"data/a.csv": "x\n1\n", "data/b.csv": "y\n2\n", "seeds/s.txt": "seed",
                      "requirements.txt": "pandas==1\n", "pkg/mod.py": "X = 1\n",
                      "pkg/pipeline/driver.py": "# build code\n", "_build/html/index.html": "built"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root, pkg


def test_snapshot_hashes_files_and_folder_listings_but_not_build_output(tmp_path):
    root, pkg = _tree(tmp_path)
    snap = cache.snapshot(root, pkg)
    assert "f:data/a.csv" in snap.hashes and "d:data" in snap.hashes and "f:pkg:mod.py" in snap.hashes
    assert not [k for k in snap.hashes if "_build" in k], "build output is not an input"
    assert snap.name(str(pkg / "__pycache__" / "mod.cpython-311.pyc")) == "pkg:mod.py"  # compiled = source
    assert snap.name(str(root / "data" / "a.csv")) == "data/a.csv"
    assert snap.name(str(root / "_build" / "html" / "index.html")) is None
    assert snap.name("/usr/lib/python3/os.py") is None
    assert snap.value("f:data/missing.csv") == "missing"


def test_recorded_inputs_include_the_folder_of_each_file_read(tmp_path):
    root, pkg = _tree(tmp_path)
    snap = cache.snapshot(root, pkg)
    log = tmp_path / "reads.log"
    log.write_text(f"f\t{root}/data/a.csv\nd\t{root}/seeds\nf\t/etc/hostname\nf\t{pkg}/mod.py\n"
                   f"f\t{root}/_build/html/index.html\n")
    deps = cache.read_inputs(log, snap)
    assert set(deps) == {"f:data/a.csv", "d:data", "d:seeds", "f:pkg:mod.py", "d:pkg:"}
    assert deps["f:data/a.csv"] == snap.hashes["f:data/a.csv"]


def test_a_stored_run_is_reused_until_one_of_its_inputs_changes(tmp_path):
    root, pkg = _tree(tmp_path)
    nb = tmp_path / "executed.ipynb"
    nb.write_text("{}")
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "nb-chart.csv").write_text("a,b\n")
    snap = cache.snapshot(root, pkg)
    deps = {"f:data/a.csv": snap.value("f:data/a.csv"), "d:data": snap.value("d:data")}
    cache.store(root, "book/nb", "k1", nb, charts, deps, 2.5)

    hit = cache.lookup(root, "book/nb", "k1", cache.snapshot(root, pkg))
    assert hit is not None and hit.seconds == 2.5
    out = tmp_path / "restored"
    cache.restore(hit, tmp_path / "restored.ipynb", out)
    assert (out / "nb-chart.csv").read_text() == "a,b\n"
    assert cache.lookup(root, "book/nb", "another key", cache.snapshot(root, pkg)) is None

    (root / "data" / "b.csv").write_text("y\n3\n")  # not an input of this run
    assert cache.lookup(root, "book/nb", "k1", cache.snapshot(root, pkg)) is not None
    (root / "data" / "c.csv").write_text("new file beside an input")  # its folder's listing changed
    assert cache.lookup(root, "book/nb", "k1", cache.snapshot(root, pkg)) is None
    (root / "data" / "c.csv").unlink()
    (root / "data" / "a.csv").write_text("x\n2\n")  # the input itself changed
    assert cache.lookup(root, "book/nb", "k1", cache.snapshot(root, pkg)) is None


def test_old_entries_are_pruned(tmp_path):
    root, pkg = _tree(tmp_path)
    nb = tmp_path / "executed.ipynb"
    nb.write_text("{}")
    for i in range(cache.KEEP_PER_NOTEBOOK + 3):
        cache.store(root, "book/nb", f"key{i}", nb, None, {"f:data/a.csv": str(i)}, 1.0)
        time.sleep(0.01)  # distinct use times
    entries = list((cache.cache_dir(root) / "book__nb").glob("*/*"))
    assert len(entries) == cache.KEEP_PER_NOTEBOOK
    assert (cache.cache_dir(root) / "book__nb" / f"key{cache.KEEP_PER_NOTEBOOK + 2}").is_dir()  # newest kept


def test_the_run_key_follows_code_and_parameters_not_committed_outputs(tmp_path):
    root, pkg = _tree(tmp_path)
    snap = cache.snapshot(root, pkg)
    path = tmp_path / "n.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(1)")]
    nbformat.write(nb, path)
    key = cache.run_key(snap, path, {"x": 1}, {})
    assert key == cache.run_key(snap, path, {"x": 1}, {})
    assert key != cache.run_key(snap, path, {"x": 2}, {}), "parameters are part of the key"
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells[0].execution_count = 7
    nbformat.write(nb, path)
    assert key == cache.run_key(snap, path, {"x": 1}, {}), "committed outputs are not an input"
    nb.cells[0].source = "print(2)"
    nbformat.write(nb, path)
    assert key != cache.run_key(snap, path, {"x": 1}, {}), "code is part of the key"
    (pkg / "pipeline" / "driver.py").write_text("# changed build code\n")
    assert cache.run_key(snap, path, {"x": 1}, {}) != cache.run_key(cache.snapshot(root, pkg), path, {"x": 1}, {})
    (root / "requirements.txt").write_text("pandas==2\n")
    assert cache.run_key(snap, path, {"x": 1}, {}) != cache.run_key(cache.snapshot(root, pkg), path, {"x": 1}, {})


def test_the_kernel_side_recorder_logs_reads_and_listings_not_writes(tmp_path):
    root, pkg = _tree(tmp_path)
    log = tmp_path / "reads.log"
    (arg,) = cache.recorder_arguments(log, [root])
    line = json.loads(arg.split("=", 1)[1])[0]
    script = line + "\n" + "\n".join([
        f"open({str(root / 'data' / 'a.csv')!r}).read()",
        f"import os; os.listdir({str(root / 'seeds')!r})",
        f"open({str(root / 'data' / 'written.csv')!r}, 'w').write('x')",
        f"os.close(os.open({str(root / 'data' / 'b.csv')!r}, os.O_RDONLY))",
        "open('/etc/hostname').read() if os.path.exists('/etc/hostname') else None",
        "assert 'LOG' not in globals() and '_hook' not in globals(), 'the recorder leaked names'",
    ])
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path)
    logged = set(log.read_text().splitlines())
    assert logged == {f"f\t{root}/data/a.csv", f"d\t{root}/seeds", f"f\t{root}/data/b.csv"}


def test_kernels_run_over_ipc_in_a_private_folder():
    km = cache.kernel_manager_class()(kernel_name="python3")
    assert km.transport == "ipc"
    assert Path(km.ip).parent.name.startswith("kernel-") and len(km.ip) < 100
    shutil.rmtree(Path(km.ip).parent)


@pytest.mark.notebook
@pytest.mark.parametrize("last", ["x + 1", "raise ValueError('the last cell fails')"])
def test_papermill_writes_the_output_when_the_run_starts_and_ends_only(tmp_path, monkeypatch, last):
    """The build's papermill engine (kernels.papermill_options) skips papermill's write at every cell's
    start and end: the output is written twice, and holds every cell's outputs, a failure's included."""
    import papermill as pm
    from papermill import engines

    from alibaba_report.pipeline import kernels

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(c) for c in ("x = 41", "print(x)", "x", last)]
    src, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, src)
    writes = []
    real = engines.write_ipynb
    monkeypatch.setattr(engines, "write_ipynb", lambda nb, path: writes.append(path) or real(nb, path))
    try:
        pm.execute_notebook(str(src), str(out), cwd=str(tmp_path), **kernels.papermill_options())
    except pm.PapermillExecutionError as exc:
        assert "the last cell fails" in str(exc) and last.startswith("raise")
    done = {c.source: c.get("outputs", []) for c in nbformat.read(out, as_version=4).cells}
    assert done["print(x)"][0]["text"] == "41\n" and done["x"][0]["data"]["text/plain"] == "41"
    assert done[last], "the last cell's output (its value or its error) was not written"
    assert 1 < len(writes) <= 3, f"{len(writes)} writes of the output notebook"


def test_fresh_is_asked_for_with_the_environment(monkeypatch):
    monkeypatch.setenv(cache.FRESH_ENV, "1")
    assert cache.fresh_requested()
    monkeypatch.setenv(cache.FRESH_ENV, "")
    assert not cache.fresh_requested()


# --- never stale: the real notebooks, one edit at a time -------------------------------------------

DRIVER = """
import json, os, sys
from pathlib import Path
from alibaba_report.pipeline import cache, driver
root = Path(os.environ["REPORT_ROOT"])
assert cache.package_dir() == root / "alibaba_report", cache.package_dir()  # the copy's package
if sys.argv[1] == "plan":
    work, keys, hits, snap = driver.plan_execution(root, "base")
    print(json.dumps({s: hit is None for s, hit in hits.items()}))
else:
    stage = root / "_build" / "staging" / "base"
    driver.stage_sources(root, stage)
    driver.execute_all(root, stage, "base", 2)
"""
PROGRESS = re.compile(r"^\s+ok\s+(\S+)\.ipynb\s.*?\b(executed|from cache)\b", re.M)


def _driver(tree: Path, mode: str, **env) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_")}
    full.update(REPORT_ROOT=str(tree), PYTHONPATH=str(tree), **env)
    proc = subprocess.run([sys.executable, "-c", DRIVER, mode], cwd=tree, env=full, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def execute(tree: Path) -> dict[str, str]:
    """Run the execute step on ``tree``: notebook → "executed" or "from cache"."""
    found = dict(PROGRESS.findall(_driver(tree, "execute").stderr))
    assert found, "no progress line"
    return found


def to_execute(tree: Path, **env) -> set[str]:
    """The notebooks the execute step would run on ``tree`` now (the cache's decision)."""
    plan = json.loads(_driver(tree, "plan", **env).stdout.strip().splitlines()[-1])
    return {s for s, runs in plan.items() if runs}


def readers_of(tree: Path, dep: str) -> set[str]:
    """Notebooks whose last used stored run recorded ``dep`` (``f:data/claims.csv``) as an input."""
    latest: dict[str, Path] = {}
    for run in (tree / "_build" / "cache").glob("*/*/*/run.json"):
        stem = json.loads(run.read_text())["stem"]
        if stem not in latest or run.parent.stat().st_mtime_ns > latest[stem].stat().st_mtime_ns:
            latest[stem] = run.parent
    return {stem for stem, entry in latest.items() if dep in json.loads((entry / "inputs.json").read_text())}


@pytest.fixture(scope="module")
def primed_tree(tmp_path_factory) -> Path:
    """A copy of the repository whose notebooks have all been executed once by the execute step
    (starting from the repository's own cache, when it has one: a moved cache must still be right)."""
    from bench import make_copy  # the same copy of the repository make bench measures

    tree = make_copy(tmp_path_factory.mktemp("primed") / "repo")
    if (ROOT / "_build" / "cache").is_dir():
        shutil.copytree(ROOT / "_build" / "cache", tree / "_build" / "cache")
    execute(tree)
    return tree


@pytest.fixture
def tree(primed_tree, tmp_path) -> Path:
    """A fresh copy of the primed tree (cache included) for one edit."""
    copy = tmp_path / "repo"
    shutil.copytree(primed_tree, copy, ignore=shutil.ignore_patterns("staging"))
    return copy


def _all(tree: Path) -> set[str]:
    from alibaba_report.pipeline import driver

    return set(driver.toc_notebooks(tree))


def test_nothing_changed_every_notebook_comes_from_the_cache(primed_tree, tree):
    result = execute(tree)
    assert set(result) == _all(tree) and set(result.values()) == {"from cache"}, result
    new, old = tree / "_build" / "staging" / "base", primed_tree / "_build" / "staging" / "base"
    for nb in sorted(old.glob("book/*.ipynb")):
        assert (new / nb.relative_to(old)).read_bytes() == nb.read_bytes(), f"{nb.name} differs"
    charts = sorted(p.name for p in (old / "book" / "_static" / "chart-data").glob("*.csv"))
    assert charts, "the primed run wrote no chart data"
    assert sorted(p.name for p in (new / "book" / "_static" / "chart-data").glob("*.csv")) == charts
    assert to_execute(tree, REPORT_FRESH="1") == _all(tree), "FRESH=1 must execute every notebook"


def test_an_edited_notebook_cell_executes_that_notebook_only(primed_tree, tree):
    path = tree / "book" / "hk_vs_us.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('print("a cell added by the never-stale test")'))
    nbformat.write(nb, path)
    result = execute(tree)
    assert {s for s, how in result.items() if how == "executed"} == {"book/hk_vs_us"}, result
    staged = nbformat.read(tree / "_build" / "staging" / "base" / "book" / "hk_vs_us.ipynb", as_version=4)
    assert "a cell added by the never-stale test" in json.dumps(staged.cells[-1].outputs), "the page did not change"
    old = primed_tree / "_build" / "staging" / "base" / "book"
    assert (tree / "_build" / "staging" / "base" / "book" / "retail_war.ipynb").read_bytes() == \
        (old / "retail_war.ipynb").read_bytes()


def test_an_edited_package_function_executes_the_notebooks_that_import_it(tree):
    # the signposts' grading: imported by the signposts page and the summary, not by the chapters (the
    # fewest importers of any module that more than one page imports, so the test executes little)
    module = tree / "alibaba_report" / "synthesis" / "signposts.py"
    importers = readers_of(tree, "f:pkg:synthesis/signposts.py")
    assert "book/signposts" in importers and "book/hk_vs_us" not in importers, importers
    source = module.read_text()
    first_def = source.index("\ndef ")
    module.write_text(source[:first_def] + "\n# an edit by the never-stale test\n" + source[first_def:])
    result = execute(tree)
    assert {s for s, how in result.items() if how == "executed"} == importers, result
    assert "book/hk_vs_us" in result and result["book/hk_vs_us"] == "from cache"


def test_an_edited_claim_executes_every_notebook_that_read_the_ledger(tree):
    claims = tree / "data" / "claims.csv"
    readers = readers_of(tree, "f:data/claims.csv")
    assert readers, "no notebook recorded reading the ledger"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("Alibaba US shares", "Alibaba's US shares", 1), encoding="utf-8")
    assert to_execute(tree) == readers


def test_an_edited_parameter_specification_executes_only_its_readers(tree):
    spec = tree / "data" / "parameters" / "meitu_deal.yml"
    readers = readers_of(tree, "f:data/parameters/meitu_deal.yml")
    assert "book/meitu_deal" in readers and readers != _all(tree), readers
    spec.write_text(spec.read_text() + "\n# an edit by the never-stale test\n")
    assert to_execute(tree) == readers


def test_an_edited_scenario_value_executes_its_chapter_and_the_pages_that_aggregate_it(tree):
    base = tree / "data" / "scenarios" / "base.yml"
    doc = yaml.safe_load(base.read_text())
    doc["retail_war"]["shrink_pct"]["value"] += 5
    base.write_text(yaml.safe_dump(doc, sort_keys=False))
    runs = to_execute(tree)
    assert {"book/retail_war", "book/index", "book/scenarios"} <= runs, runs
    # keyed on the parameters each notebook reads, not on the file: only the readers of retail_war's
    # values under base (and under the cases that inherit them from base) run again
    readers = set().union(*(readers_of(tree, f"p:{k}:{s}:retail_war") for k in "ve" for s in ("base", "bull", "bear")))
    assert runs == readers, (runs, readers)
    assert not readers_of(tree, "f:data/scenarios/base.yml"), "a whole scenario file is still an input"
    others = {f"book/{c.notebook}" for c in CHAPTERS if c.notebook != "retail_war"}  # every other chapter
    assert others and others.isdisjoint(runs), runs


def test_an_edited_reason_reruns_only_the_pages_that_show_reasons(tree):
    base = tree / "data" / "scenarios" / "base.yml"
    doc = yaml.safe_load(base.read_text())
    doc["retail_war"]["shrink_pct"]["reason"] += " (reworded)"
    base.write_text(yaml.safe_dump(doc, sort_keys=False))
    runs = to_execute(tree)
    assert runs == set().union(*(readers_of(tree, f"p:e:{s}:retail_war") for s in ("base", "bull", "bear"))), runs
    assert "book/retail_war" not in runs, "the chapter shows no reason: a reworded reason does not re-run it"


def test_an_edited_seed_executes_every_notebook_that_read_it(tree):
    seed = sorted((tree / "seeds").glob("*.txt"))[-1]
    readers = readers_of(tree, f"f:seeds/{seed.name}")
    assert readers
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert to_execute(tree) == readers


def test_a_symlinked_scenarios_folder_is_seen(tree):
    """Issue 24: with data/scenarios a link to a folder, bull's shrink_pct changed and every notebook
    came from the cache. The cache keys on the values read, wherever the file lives."""
    shutil.move(tree / "data" / "scenarios", tree / "my_scenarios")
    os.symlink("../my_scenarios", tree / "data" / "scenarios")
    assert to_execute(tree) == set(), "a moved folder of the same files changed nothing"
    bull = tree / "my_scenarios" / "bull.yml"
    doc = yaml.safe_load(bull.read_text())
    doc["retail_war"]["shrink_pct"]["value"] += 3
    bull.write_text(yaml.safe_dump(doc, sort_keys=False))
    assert to_execute(tree) == set().union(*(readers_of(tree, f"p:{k}:bull:retail_war") for k in "ve"))
    assert "book/retail_war" in to_execute(tree)


def test_an_edited_cache_entry_is_run_again_and_its_script_never_staged(tree):
    """Issue 24: a text/html output holding <script> added to a stored run was published."""
    entries = [run.parent for run in (tree / "_build" / "cache").glob("book__methods/*/*/run.json")]
    assert entries
    for entry in entries:
        nb = nbformat.read(entry / "notebook.ipynb", as_version=4)
        nb.cells[-1].setdefault("outputs", []).append(nbformat.v4.new_output(
            "display_data", {"text/html": "<script>alert('planted')</script>"}))
        nbformat.write(nb, entry / "notebook.ipynb")
    proc = _driver(tree, "execute")
    found = dict(PROGRESS.findall(proc.stderr))
    assert found["book/methods"] == "executed", found
    assert {how for s, how in found.items() if s != "book/methods"} == {"from cache"}, found
    assert "note: the stored run of book/methods.ipynb" in proc.stderr and "is damaged" in proc.stderr
    staged = (tree / "_build" / "staging" / "base" / "book" / "methods.ipynb").read_text()
    assert "planted" not in staged


def test_a_plan_for_some_notebooks_keys_those_only():
    """``plan_execution(stems=...)`` keys the notebooks named, the same keys as the whole book's plan; an
    empty list is no notebook, not every notebook (the stand-ins of a test whose notebooks are all live)."""
    from alibaba_report.pipeline import execute

    _, every, _, _ = execute.plan_execution(ROOT, "base", fresh=True)
    _, some, hits, _ = execute.plan_execution(ROOT, "base", fresh=True, stems=["book/methods"])
    assert some == {"book/methods": every["book/methods"]} and hits == {"book/methods": None}
    assert execute.plan_execution(ROOT, "base", fresh=True, stems=[])[1] == {}
