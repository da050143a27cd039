"""Issue 24, the build pipeline: nothing stale, nothing outside the checkout, never stuck.

Each defect found by the adversarial pass is a test here: the repro first, then the rule. Most need
no kernel: they run the driver's command line in-process (``driver.main``) on a copy of the
repository, stopped by the rule before anything executes, or drive one piece (the lock, the cache
store, the snapshot) directly. The few that must execute a notebook use a one-cell probe book.

``REPORT_ATTACK_TABLE=<file>`` appends one line per attack: attack | exit code | message | site kept.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from alibaba_report.pipeline import cache, driver, pdf, safety
from bench import make_copy
from conftest import write_attack_table
from test_hardening import probe_repo as hardening_probe_repo, run_main  # run_main: the driver's command line, in-process

ROOT = Path(__file__).resolve().parents[1]
SENTINEL = "<html><body>last good site</body></html>"
# The package is not copied: the driver runs in-process (or with PYTHONPATH) on the checkout's package.
COPIED = ("book", "data", "seeds", "_config.yml", "_toc.yml", "requirements.txt", "pyproject.toml")


# --- helpers -------------------------------------------------------------------------------------------

def copy_repo(dest: Path, with_site: bool = True) -> Path:
    make_copy(dest, COPIED)
    if with_site:  # a published site as the build publishes one: a link to a version folder
        version = dest / "_build" / ".html.versions" / "1"
        version.mkdir(parents=True)
        (version / "index.html").write_text(SENTINEL)
        os.symlink(".html.versions/1", dest / "_build" / "html")
    return dest


def site_kept(root: Path) -> bool:
    return (root / "_build" / "html" / "index.html").read_text() == SENTINEL


def outside(tmp_path: Path) -> Path:
    """A folder outside the checkout holding a file the build must never touch."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "precious.txt").write_text("do not touch")
    return out


def untouched(out: Path) -> bool:
    return sorted(p.name for p in out.iterdir()) == ["precious.txt"] and \
        (out / "precious.txt").read_text() == "do not touch"


TABLE: list[tuple[str, object, str, str]] = []


def record(attack: str, code: object, message: str, kept: str) -> None:
    lines = message.splitlines()
    line = next((ln for ln in lines if ln.startswith("error:")), None) or \
        next((ln for ln in lines if ln.startswith("note:") and "REPORT_ROOT" not in ln), message.strip()[:150])
    TABLE.append((attack, code, line[:170], kept))


@pytest.fixture(scope="module", autouse=True)
def _attack_table():
    yield
    write_attack_table(TABLE)


# --- outside the checkout: links planted in _build/ -------------------------------------------------------

@pytest.mark.parametrize("planted", [
    "_build/.html.versions", "_build/staging", "_build/staging/base", "_build/staging/base.runs",
    "_build/render", "_build/cache", "_build/html",
])
def test_a_link_planted_in_build_is_never_followed(tmp_path, monkeypatch, capsys, planted):
    """Repro: `_build/.html.versions`, `_build/staging` ... pointing elsewhere made the build delete
    or overwrite files there. Rule: the build follows no link it did not create; it stops, naming it."""
    root = copy_repo(tmp_path / "repo")
    out = outside(tmp_path)
    link = root / planted
    if planted == "_build/.html.versions":  # the site as an older driver published it: a real folder
        (root / "_build" / "html").unlink()
        (root / "_build" / "html").mkdir()
        (root / "_build" / "html" / "index.html").write_text(SENTINEL)
    if link.is_symlink():
        link.unlink()
    elif link.exists():
        shutil.rmtree(link)
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(out, link)
    monkeypatch.setattr(driver, "execute_all", lambda *a, **k: pytest.fail("executed past a planted link"))
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == safety.EXIT_ENV, err
    assert f"error: {planted} is a symbolic link" in err and "never follows a link it did not create" in err, err
    assert untouched(out) and "Traceback" not in err
    if planted != "_build/html":
        assert site_kept(root) and "the last good site, _build/html, was left in place" in err, err
    else:
        assert "nothing was published: _build/html or the folder it points into is a link the build did not make" in err, err
    record(f"link {planted} -> outside", code, err, "yes" if planted != "_build/html" else "n/a (the link is the site)")


def test_a_planted_lock_link_is_not_written_through(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    out = outside(tmp_path)
    os.symlink(out / "precious.txt", root / "_build" / ".lock")
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == safety.EXIT_ENV and ".lock is a symbolic link" in err, err
    assert untouched(out) and site_kept(root)
    record("link _build/.lock -> outside file", code, err, "yes")


def test_build_itself_a_link_is_refused(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo", with_site=False)
    out = outside(tmp_path)
    os.symlink(out, root / "_build")
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == safety.EXIT_ENV and "_build is a symbolic link" in err, err
    assert untouched(out)
    record("_build -> outside", code, err, "n/a")


def test_write_atomic_never_writes_through_a_planted_temporary_link(tmp_path):
    out = outside(tmp_path)
    target = tmp_path / "stamp"
    os.symlink(out / "precious.txt", tmp_path / f".stamp.tmp-{os.getpid()}")
    safety.write_atomic(target, "new")
    assert target.read_text() == "new" and untouched(out)


# --- data files obey the rules seeds do --------------------------------------------------------------------

def test_a_scenario_linked_to_a_file_outside_is_refused_without_its_content(tmp_path, monkeypatch, capsys):
    """Repro: a link to /etc/shadow printed its first line; a link outside passed make check."""
    root = copy_repo(tmp_path / "repo")
    secret = tmp_path / "secret.yml"
    secret.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\n")
    os.symlink(secret, root / "data" / "scenarios" / "mine.yml")
    for cmd in (["check"], ["book", "--scenario", "mine"], ["book"]):
        code, err = run_main(root, monkeypatch, capsys, *cmd)
        assert code == safety.EXIT_DATA, (cmd, err)
        assert "data/scenarios/mine.yml is a symbolic link to a place outside the repository" in err, err
        assert "SECRETHASH" not in err and "root:" not in err
    assert site_kept(root)
    record("data/scenarios/mine.yml -> file outside", code, err, "yes")


def test_a_page_in_book_linked_to_a_file_outside_is_refused_and_never_published(tmp_path, monkeypatch, capsys):
    """Repro: book/ was not checked; a notebook or page linked to a file elsewhere would be staged and
    published. Rule: book/ obeys the rule data/ and seeds/ do; refused by name, its content never shown."""
    root = copy_repo(tmp_path / "repo")
    secret = tmp_path / "secret.md"
    secret.write_text("# SECRETPAGE\n")
    os.symlink(secret, root / "book" / "notes.md")
    os.mkfifo(root / "book" / "pipe.ipynb")
    for cmd in (["check"], ["book"]):
        code, err = run_main(root, monkeypatch, capsys, *cmd)
        assert code == safety.EXIT_DATA, (cmd, err)
        assert "book/notes.md is a symbolic link to a place outside the repository" in err, err
        assert "book/pipe.ipynb is not a regular file" in err, err
        assert "SECRETPAGE" not in err
    assert site_kept(root)
    record("book/notes.md -> file outside; FIFO book/pipe.ipynb", code, err, "yes")


@pytest.mark.integration
def test_a_fifo_or_a_device_in_data_is_refused_by_name_at_once(tmp_path):
    """Repro: a FIFO hung every build; a link to /dev/zero exhausted memory. Rule: refused by name."""
    root = copy_repo(tmp_path / "repo")
    os.mkfifo(root / "data" / "scenarios" / "pipe.yml")
    os.symlink("/dev/zero", root / "data" / "zero.csv")
    env = dict(os.environ, REPORT_ROOT=str(root), PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "alibaba_report.pipeline", "check"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == safety.EXIT_DATA, proc.stderr
    assert "data/scenarios/pipe.yml is not a regular file" in proc.stderr, proc.stderr
    assert "data/zero.csv is a symbolic link to a place outside the repository" in proc.stderr
    assert time.perf_counter() - t0 < 60
    record("FIFO data/scenarios/pipe.yml; data/zero.csv -> /dev/zero", proc.returncode, proc.stderr, "yes")


def test_a_data_folder_linked_inside_the_repository_is_allowed_and_hashed(tmp_path):
    """A symbolic link to a folder inside the checkout is followed (and seen by the cache)."""
    root = copy_repo(tmp_path / "repo", with_site=False)
    shutil.move(root / "data" / "scenarios", root / "my_scenarios")
    os.symlink("../my_scenarios", root / "data" / "scenarios")
    assert driver.data_file_problems(root) == []
    before = cache.snapshot(root, ROOT / "alibaba_report")
    assert "f:data/scenarios/bull.yml" in before.hashes, "the cache does not see through the link"
    bull = root / "my_scenarios" / "bull.yml"
    bull.write_text(bull.read_text() + "\n# edited\n")
    after = cache.snapshot(root, ROOT / "alibaba_report")
    assert after.hashes["f:data/scenarios/bull.yml"] != before.hashes["f:data/scenarios/bull.yml"]


# --- stale: what the cache and the no-change shortcut see ---------------------------------------------------

def test_a_symlinked_scenarios_folder_moves_the_parameters_the_cache_keys_on(tmp_path, monkeypatch):
    """Repro: with data/scenarios a link, bull's shrink_pct changed and 8 of 8 notebooks came from the
    cache. Rule: the cache keys each notebook on the parameters it reads, wherever the file lives."""
    root = copy_repo(tmp_path / "repo", with_site=False)
    shutil.move(root / "data" / "scenarios", root / "my_scenarios")
    os.symlink("../my_scenarios", root / "data" / "scenarios")
    monkeypatch.setenv("REPORT_ROOT", str(root))
    before = cache.parameter_digests()
    bull = root / "my_scenarios" / "bull.yml"
    doc = yaml.safe_load(bull.read_text())
    doc["retail_war"]["shrink_pct"]["value"] += 3
    bull.write_text(yaml.safe_dump(doc, sort_keys=False))
    after = cache.parameter_digests()
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"p:v:bull:retail_war", "p:e:bull:retail_war"}, changed


def test_one_changed_value_moves_only_the_parameters_that_resolve_to_it(tmp_path, monkeypatch):
    root = copy_repo(tmp_path / "repo", with_site=False)
    monkeypatch.setenv("REPORT_ROOT", str(root))
    before = cache.parameter_digests()
    base = root / "data" / "scenarios" / "base.yml"
    doc = yaml.safe_load(base.read_text())
    doc["retail_war"]["shrink_pct"]["value"] += 3
    base.write_text(yaml.safe_dump(doc, sort_keys=False))
    mid = cache.parameter_digests()
    changed = {k for k in before if before[k] != mid[k]}
    # base's value, and the cases that inherit it from base
    inherit = {s for s in ("bear", "bull") if "shrink_pct" not in (yaml.safe_load(
        (root / "data" / "scenarios" / f"{s}.yml").read_text()).get("retail_war") or {})}
    assert changed == {f"p:{k}:{s}:retail_war" for k in "ve" for s in {"base", *inherit}}, changed
    doc["cloud_ai"][next(iter(doc["cloud_ai"]))]["reason"] = "another reason, same value"
    base.write_text(yaml.safe_dump(doc, sort_keys=False))
    after = cache.parameter_digests()
    changed = {k for k in mid if mid[k] != after[k]}
    assert changed and all(k.startswith("p:e:") and k.endswith(":cloud_ai") for k in changed), changed


def test_the_kernel_logs_parameters_it_reads_not_the_scenario_files(tmp_path):
    """What a kernel records when it asks params for a notebook's parameters: the parameters, and
    no read of a scenario file (whose other values it does not depend on)."""
    log = tmp_path / "reads.log"
    (arg,) = cache.recorder_arguments(log, [ROOT])
    line = json.loads(arg.split("=", 1)[1])[0]
    script = line + "\n" + textwrap.dedent("""
        from alibaba_report import params
        params.scenario_parameters("bull", "retail_war")
        params.scenario_entries("base", "cloud_ai")
        params.specs("meitu_deal")
    """)
    env = dict(os.environ, REPORT_ROOT=str(ROOT), REPORT_READS_LOG=str(log))
    subprocess.run([sys.executable, "-c", script], check=True, cwd=tmp_path, env=env, timeout=120)
    lines = set(log.read_text().splitlines())
    assert {"p\tv\tbull\tretail_war", "p\te\tbase\tcloud_ai"} <= lines, lines
    assert not [ln for ln in lines if "data/scenarios/" in ln and ln.startswith("f\t")], lines
    assert f"f\t{ROOT}/data/parameters/meitu_deal.yml" in lines, "spec files are still recorded"
    snap = cache.snapshot(ROOT, parameters=cache.parameter_digests())
    deps = cache.read_inputs(log, snap)
    assert deps["p:v:bull:retail_war"] == snap.hashes["p:v:bull:retail_war"]


def test_derived_metadata_is_not_in_the_run_key(tmp_path):
    """Alt text lifted from outputs, timings, the kernel's language version: derived, not keyed on."""
    path = tmp_path / "n.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(1)")]
    nbformat.write(nb, path)
    key = cache.notebook_digest(path)
    nb.cells[0].metadata["mystnb"] = {"image": {"alt": "A chart of something"}}
    nb.cells[0].metadata["execution"] = {"iopub.execute_input": "2026-01-01"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nbformat.write(nb, path)
    assert cache.notebook_digest(path) == key
    nb.cells[0].metadata["tags"] = ["hide-input"]
    nbformat.write(nb, path)
    assert cache.notebook_digest(path) != key, "a real metadata change is part of the key"


def test_the_snapshot_reads_only_what_the_build_uses(tmp_path):
    """Repro: a FIFO anywhere hung every build; a 1 GB untracked file raised peak memory to 1.17 GB.
    Rule: the snapshot opens only regular files where notebooks read (data, seeds, book, the package)."""
    root = copy_repo(tmp_path / "repo", with_site=False)
    os.mkfifo(root / "notes.fifo")
    (root / "scratch").mkdir()
    os.mkfifo(root / "scratch" / "pipe")
    with open(root / "scratch" / "big.bin", "wb") as fh:
        fh.truncate(1 << 30)  # sparse: 1 GB to read, no disk used
    os.mkfifo(root / "book" / "pipe")  # in an input folder: skipped, never opened
    script = ("import json, resource, sys, time; from alibaba_report.pipeline import cache; t = time.perf_counter(); "
              f"s = cache.snapshot({str(root)!r}, {str(ROOT / 'alibaba_report')!r}); "
              "print(json.dumps([sorted(s.hashes), time.perf_counter() - t, "
              "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr
    names, seconds, peak_kb = json.loads(proc.stdout)
    assert not [n for n in names if "scratch" in n or n.endswith((".fifo", "/pipe"))], names
    assert "f:data/claims.csv" in names and "f:pkg:params/scenarios.py" in names and "f:_toc.yml" in names
    assert peak_kb < 400_000, f"peak memory {peak_kb} kB"
    record("FIFO and 1 GB file in the checkout (snapshot)", 0, f"snapshot in {seconds:.1f} s, peak {peak_kb // 1024} MB", "n/a")


def test_a_read_outside_the_snapshot_is_never_reused(tmp_path):
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "notes.txt").write_text("read by a notebook, not hashed")
    snap = cache.snapshot(root, root / "pkg")
    assert snap.value("f:notes.txt") == cache.UNHASHED and snap.value("f:nothing.txt") == "missing"
    nb = tmp_path / "executed.ipynb"
    nb.write_text("{}")
    cache.store(root, "book/nb", "k", nb, None, {"f:notes.txt": snap.value("f:notes.txt")}, 1.0)
    assert cache.lookup(root, "book/nb", "k", cache.snapshot(root, root / "pkg")) is None


def test_the_render_digest_covers_package_code_only_the_render_uses(tmp_path, monkeypatch):
    """Repro: a change to package code used only by the render (the Sphinx extension's imports) was
    never published. Rule: the no-change shortcut's digest covers the whole package."""
    pkg = tmp_path / "alibaba_report"
    shutil.copytree(ROOT / "alibaba_report", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "package_dir", lambda: pkg)
    stage = tmp_path / "stage"
    (stage / "book").mkdir(parents=True)
    (stage / "book" / "page.md").write_text("# A page\n")
    before = driver.render_digest(ROOT, stage)
    module = pkg / "charts" / "interactive.py"
    module.write_text(module.read_text() + "\n# an edit only the render sees\n")
    assert driver.render_digest(ROOT, stage) != before
    root = copy_repo(tmp_path / "repo", with_site=False)  # the extension reads the ledger for claim links
    before = driver.render_digest(root, stage)
    assert driver.render_digest(root, stage) == before, "the digest is not stable"
    claims = root / "data" / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace("Alibaba US shares", "Alibaba's US shares", 1),
                      encoding="utf-8")
    assert driver.render_digest(root, stage) != before


# --- the execution cache: damaged or edited entries ----------------------------------------------------------

def _entry(tmp_path: Path) -> tuple[Path, Path, cache.Snapshot]:
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "data" / "a.csv").write_text("x\n1\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=1)])]
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    snap = cache.snapshot(root, root / "pkg")
    entry = cache.store(root, "book/nb", "k", path, None, {"f:data/a.csv": snap.value("f:data/a.csv")}, 2.0)
    assert cache.lookup(root, "book/nb", "k", snap) is not None
    return root, entry, snap


def _script(nb_file: Path) -> None:
    nb = nbformat.read(nb_file, as_version=4)
    nb.cells[0].outputs.append(nbformat.v4.new_output(
        "display_data", {"text/html": "<script>alert('from the cache')</script>"}))
    nbformat.write(nb, nb_file)


@pytest.mark.parametrize("damage", ["script", "truncated", "inputs-list", "inputs-garbage", "run-list",
                                    "digest-missing", "link"])
def test_a_damaged_or_edited_cache_entry_is_run_again_with_a_note(tmp_path, capsys, damage):
    """Repro: an added text/html <script> output was published; a truncated entry failed every build
    (NotJSONError); a damaged inputs.json or run.json was an internal error. Rule: every entry carries
    an integrity digest; one that does not match is removed with a note and the notebook re-runs."""
    root, entry, snap = _entry(tmp_path)
    out = outside(tmp_path)
    if damage == "script":
        _script(entry / "notebook.ipynb")
    elif damage == "truncated":
        data = (entry / "notebook.ipynb").read_bytes()
        (entry / "notebook.ipynb").write_bytes(data[: len(data) // 2])
    elif damage == "inputs-list":  # even with a digest made to match, a wrong shape is refused
        (entry / "inputs.json").write_text("[]")
        (entry / cache.DIGEST_FILE).write_text(cache.entry_digest(entry))
    elif damage == "inputs-garbage":
        (entry / "inputs.json").write_text("{not json")
    elif damage == "run-list":
        (entry / "run.json").write_text("[1, 2]")
        (entry / cache.DIGEST_FILE).write_text(cache.entry_digest(entry))
    elif damage == "digest-missing":
        (entry / cache.DIGEST_FILE).unlink()
    elif damage == "link":
        shutil.rmtree(entry)
        os.symlink(out, entry)
    capsys.readouterr()
    assert cache.lookup(root, "book/nb", "k", snap) is None
    err = capsys.readouterr().err
    assert "note: the stored run of book/nb.ipynb" in err and "is damaged" in err and "executed again" in err, err
    assert not entry.exists() and not entry.is_symlink(), "a damaged entry is removed"
    assert untouched(out)
    record(f"cache entry: {damage}", "(re-run)", err, "yes")


def test_a_link_planted_in_the_cache_is_refused(tmp_path):
    root, entry, snap = _entry(tmp_path)
    out = outside(tmp_path)
    key_dir = entry.parent
    shutil.rmtree(key_dir)
    os.symlink(out, key_dir)
    with pytest.raises(safety.BuildError, match="is a symbolic link"):
        cache.lookup(root, "book/nb", "k", snap)
    assert untouched(out)


@pytest.mark.parametrize("where", ["folder", "file"])
def test_a_link_planted_where_the_charts_script_is_kept_is_refused_before_the_render(tmp_path, monkeypatch, where):
    """The render ships vl-convert's bundle from _build/cache/vega/<version>/: a planted link there (the
    folder or the file) is refused by name before Jupyter Book starts, and nothing outside is read or
    written."""
    import vl_convert

    from alibaba_report.pipeline import stage

    root, out = tmp_path / "repo", outside(tmp_path)
    folder = root / "_build" / "cache" / "vega" / vl_convert.__version__
    folder.parent.mkdir(parents=True)
    if where == "folder":
        os.symlink(out, folder)
    else:
        folder.mkdir()
        os.symlink(out / "x.js", folder / "vega-bundle.js")
    monkeypatch.setenv("REPORT_ROOT", str(root))
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("Jupyter Book ran past a planted link"))
    with pytest.raises(safety.BuildError, match="is a symbolic link") as err:
        stage.render(root / "stage", root / "out")
    assert err.value.code == safety.EXIT_ENV and "vega" in str(err.value)
    assert untouched(out)


# --- the key-figure check always runs; make pdf after a no-change build ----------------------------------------

@pytest.fixture
def shortcut_tree(tmp_path, monkeypatch):
    """A copy whose published site and render digest match its staging, with the execute step replaced
    by the committed notebooks (as a cache that sees no change would give them) and no render."""
    root = copy_repo(tmp_path / "repo")
    monkeypatch.setenv("REPORT_ROOT", str(root))
    monkeypatch.setattr(driver, "execute_all", lambda root, stage, *a, **k: {})
    monkeypatch.setattr(driver, "render", lambda *a, **k: pytest.fail("rendered although nothing changed"))
    stage = root / "_build" / "staging" / "base"
    driver.stage_sources(root, stage)
    (root / "_build" / ".html.render-digest").write_text(driver.render_digest(root, stage))
    return root


def test_the_no_change_shortcut_still_checks_every_key_figure(shortcut_tree, monkeypatch, capsys):
    """Repro: with a stale cache, "nothing the site is made from changed" kept a site whose key
    figures disagreed with the model. Rule: the check runs on the shortcut too."""
    root = shortcut_tree
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == 0 and "nothing the site is made from changed" in err, err
    assert json.loads((root / "_build" / "html" / "key-figures.json").read_text()), "key figures not written"
    assert pdf._staging_problems(root, "base") == [], "make pdf would say a later build failed"
    # the model now gives other figures than the pages show, and nothing the digest covers moved
    # (as when the cache and the digest missed a change): the shortcut must still refuse
    from alibaba_report.synthesis import key_figures

    real = key_figures.figures
    monkeypatch.setattr(key_figures, "figures", lambda scen: {k: v * 1.1 for k, v in real(scen).items()})
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == safety.EXIT_NOTEBOOK and "pages disagree with the key-figure registry" in err, err
    assert site_kept(root)
    record("stale pages on the no-change shortcut", code, err, "yes")


def test_make_pdf_names_a_file_where_its_folder_goes(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    (root / "_build" / "pdf").write_text("a file")
    monkeypatch.setenv("REPORT_ROOT", str(root))
    capsys.readouterr()
    code = pdf.main([])
    err = capsys.readouterr().err
    assert code == safety.EXIT_ENV and "_build/pdf is a file, not a folder" in err and "Traceback" not in err, err
    record("_build/pdf is a file (make pdf)", code, err, "yes")


# --- stuck: the lock ----------------------------------------------------------------------------------------

HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0)
os.pwrite(fd, ("pid %s, since 00:00:00" % sys.argv[2]).encode(), 0)
print("locked", flush=True)
time.sleep(float(sys.argv[3]))
"""


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _hold(root: Path, pid: str, seconds: float) -> subprocess.Popen:
    (root / "_build").mkdir(exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(root / "_build" / ".lock"), pid, str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_lock_held_for_a_dead_build_is_taken_over_with_a_note(tmp_path, capsys):
    """Repro: after kill -9 of the driver, its pool workers kept the lock: every later build said
    "another build is running (pid …)" for a dead pid, and --wait hung. Rule: taken over, with a note."""
    dead = _dead_pid()
    for wait in (False, True):
        holder = _hold(tmp_path, str(dead), 120)  # a leftover process holds the lock of a dead driver
        try:
            t0 = time.perf_counter()
            with safety.build_lock(tmp_path, wait=wait):
                assert (tmp_path / "_build" / ".lock").read_text().startswith(f"pid {os.getpid()}")
            assert time.perf_counter() - t0 < 10
            err = capsys.readouterr().err
            assert f"held for pid {dead}, which is no longer running" in err and "taking it over" in err, err
        finally:
            holder.kill()
            holder.wait()
    record("lock held by a leftover of a killed build (also --wait)", 0, err, "yes")


@pytest.mark.integration
def test_wait_waits_for_a_live_build_then_runs(tmp_path, capsys):
    (tmp_path / "_build").mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "_build" / ".lock"), str(os.getpid()),
                               "1.5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    try:
        with pytest.raises(safety.BuildError, match="another build is running"):
            with safety.build_lock(tmp_path):
                pass
        t0 = time.perf_counter()
        with safety.build_lock(tmp_path, wait=True):
            assert time.perf_counter() - t0 > 0.5  # it did wait for the holder
    finally:
        holder.kill()
        holder.wait()
    assert "waiting for the other build to finish" in capsys.readouterr().err


FORKER = """
import multiprocessing as mp, os, sys, time
from pathlib import Path
from alibaba_report.pipeline import safety
def sleep():
    time.sleep(60)
root = Path(sys.argv[1])
with safety.build_lock(root):
    child = mp.get_context("fork").Process(target=sleep, daemon=False)
    child.start()
print(child.pid, flush=True)
os._exit(0)  # the child outlives this process, as a pool worker outlived a killed driver
"""


def test_a_forked_worker_never_holds_the_lock(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", FORKER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    child = int(proc.stdout.readline())
    assert proc.wait(timeout=60) == 0
    try:
        assert safety.pid_alive(child)
        with safety.build_lock(tmp_path):  # free at once: the child closed its copy as it started
            pass
    finally:
        os.kill(child, signal.SIGKILL)


POOL = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
from alibaba_report.pipeline import safety
def work():
    os.write(1, f"worker {os.getpid()}\n".encode())  # one write: the two workers never interleave
    time.sleep(120)
with ProcessPoolExecutor(2, initializer=safety.die_with_parent, initargs=(os.getpid(),)) as pool:
    futs = [pool.submit(work) for _ in range(2)]
    time.sleep(120)
"""


def test_pool_workers_die_with_a_killed_driver(tmp_path):
    """kill -9 of the process that runs the pool (as an out-of-memory killer would) ends its workers."""
    proc = subprocess.Popen([sys.executable, "-c", POOL], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    workers = []
    for line in proc.stdout:
        if line.startswith("worker "):
            workers.append(int(line.split()[1]))
        if len(workers) == 2:
            break
    assert all(safety.pid_alive(w) for w in workers)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 20
    while any(safety.pid_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(safety.pid_alive(w) for w in workers), "a worker outlived the driver"
    record("kill -9 of the driver: pool workers", "-9", "workers gone", "n/a")


def test_a_dead_unreaped_build_counts_as_gone():
    """A driver killed but not yet reaped by its parent (a zombie) holds nothing: its lock is free."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    stat_file = Path(f"/proc/{proc.pid}/stat")
    deadline = time.monotonic() + 30
    while stat_file.read_text().rsplit(")", 1)[1].split()[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.05)  # never poll(): it would reap the process
    try:
        assert stat_file.read_text().rsplit(")", 1)[1].split()[0] == "Z"
        assert not safety.pid_alive(proc.pid)
        assert safety.pid_alive(os.getpid())
    finally:
        proc.wait()


# --- with a kernel: the real driver killed, refresh's limits (a one-cell probe book) ------------------------

def probe_repo(tmp_path: Path, *cells: str) -> Path:
    """A copy with a published site whose book is one small probe notebook (test_hardening's)."""
    return hardening_probe_repo(tmp_path, *cells, copy=copy_repo)


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return {int(x) for x in out.split()}


@pytest.mark.build
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_build_leaves_no_process_holding_the_lock(tmp_path, sig):
    """Repro: after `kill` or `kill -9` of the driver, every later build said "another build is
    running (pid …)" for a dead pid, and --wait hung. Rule: the workers die with the driver and the
    next build runs."""
    root = probe_repo(tmp_path, "import time\ntime.sleep(300)")
    env = dict(os.environ, REPORT_ROOT=str(root), PYTHONPATH=str(ROOT), REPORT_FRESH="1")
    driver_proc = subprocess.Popen([sys.executable, "-m", "alibaba_report.pipeline", "book"], cwd=root, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not _children(driver_proc.pid) and time.monotonic() < deadline:  # the pool has started
        time.sleep(0.2)
    workers = _children(driver_proc.pid)
    assert workers, "the build started no worker"
    time.sleep(2.0)
    driver_proc.send_signal(sig)
    driver_proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(safety.pid_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(safety.pid_alive(w) for w in workers), "a worker outlived the driver"
    t0 = time.perf_counter()
    with safety.build_lock(root, wait=True):  # free: nobody holds it
        pass
    assert time.perf_counter() - t0 < 5
    record(f"driver killed ({sig.name}) during a build, then a build", 0, "the next build takes the lock at once", "yes")


@pytest.mark.build
def test_refresh_has_the_per_cell_limit_of_make_book(tmp_path):
    """Repro: `make refresh` had no per-cell timeout (`make book` does). Rule: the same limit, named by cell."""
    root = probe_repo(tmp_path, "x = 1", "while True:\n    pass")
    before = (root / "book" / "probe.ipynb").read_bytes()
    env = dict(os.environ, REPORT_ROOT=str(root), PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "alibaba_report.pipeline", "refresh", "probe", "--cell-timeout", "3"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert time.perf_counter() - t0 < 200
    assert proc.returncode == safety.EXIT_NOTEBOOK, proc.stderr
    assert "book/probe.ipynb: cell 2" in proc.stderr and "ran longer than the limit of 3 s" in proc.stderr, proc.stderr
    assert (root / "book" / "probe.ipynb").read_bytes() == before, "a failed refresh rewrote the notebook"
    record("make refresh: a cell that never ends", proc.returncode, proc.stderr, "n/a (notebook unchanged)")


@pytest.mark.build
def test_refresh_with_nothing_changed_leaves_the_notebook_byte_identical(tmp_path):
    root = copy_repo(tmp_path / "repo", with_site=False)
    path = root / "book" / "methods.ipynb"
    before = path.read_bytes()
    env = dict(os.environ, REPORT_ROOT=str(root), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "alibaba_report.pipeline", "refresh", "methods"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert path.read_bytes() == before, "refresh changed a notebook whose inputs did not change"
    assert "unchanged: book/methods.ipynb" in proc.stderr, proc.stderr
