"""Issue 16: every attack that once got through is refused by name, and nothing is published that
should not be.

Each attack is a test. The injection attacks run end to end through one real build of a hostile
copy of the repository (``hostile_build``, the only whole-book build here: the retail chapter and the
summary execute on the hostile ledger, the other notebooks are the base book's runs, tests/standins.py)
and assert that nothing from outside the repository and no live script is published. Attacks refused before anything runs use
the real driver too (a subprocess for the path ones, ``driver.main`` in-process for the rest: same
code, a fraction of the time). Notebook limits run the driver on a copy whose table of contents
holds one small probe notebook. The publishing fault test kills a process at random instants of
``publish`` many times and finds the last good site every time.
"""
from __future__ import annotations

import csv
import io
import os
import random
import signal
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from standins import stand_in

from alibaba_report import params
from alibaba_report.pipeline import driver, safety
from alibaba_report.evidence import ledger as lg
from conftest import write_attack_table

ROOT = Path(__file__).resolve().parents[1]
SENTINEL = "<html><body>last good site</body></html>"
IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".ipynb_checkpoints", ".pytest_cache")


# --- helpers ---------------------------------------------------------------------------------------

def copy_repo(dest: Path, with_site: bool = True) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE)
    if with_site:
        site = dest / "_build" / "html"
        site.mkdir(parents=True)
        (site / "index.html").write_text(SENTINEL)
    return dest


def run_driver(root: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, REPORT_ROOT=str(root), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "alibaba_report.pipeline", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)


def run_main(root: Path, monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """The driver's command line, in-process (no interpreter start-up): (exit code, stderr)."""
    monkeypatch.setenv("REPORT_ROOT", str(root))
    capsys.readouterr()
    code = driver.main(list(args))
    return code, capsys.readouterr().err


def site_kept(root: Path) -> bool:
    return (root / "_build" / "html" / "index.html").read_text() == SENTINEL


def rewrite_rows(path: Path, change) -> None:
    """Apply ``change(rows)`` to a CSV's rows (dicts) and write it back in the same format."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def add_seed(root: Path, name: str, data: bytes, register: bool = True) -> Path:
    """A new seed file with its checksum in the manifest and (optionally) its register row."""
    import hashlib

    path = root / "seeds" / name
    path.write_bytes(data)
    with (root / "seeds" / driver.MANIFEST).open("a") as fh:
        fh.write(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    if register:
        rewrite_rows(root / "data" / "sources.csv", lambda rows: rows.append(dict(rows[0], seed=name)))
    return path


# Results table for the report: attack -> (exit code, message excerpt, site kept). Printed at the end.
TABLE: list[tuple[str, int, str, str]] = []


def record(attack: str, code: int, message: str, kept: str) -> None:
    lines = message.splitlines()
    at = next((i for i, ln in enumerate(lines) if ln.startswith("error:")), None)
    line = message.strip()[:160] if at is None else " ".join(lines[at:at + 2] if lines[at].endswith(":") else lines[at:at + 1])
    TABLE.append((attack, code, line[:150], kept))


@pytest.fixture(scope="module", autouse=True)
def _print_table():
    yield
    write_attack_table(TABLE)


# --- 1 and 5: markup and formula injection, end to end through one real build ----------------------

INCLUDE = "```{include} /etc/passwd\n```"
RAW = "```{raw} html\n<script>alert('raw')</script>\n```"
EVAL_RST = "```{eval-rst}\n.. include:: /etc/passwd\n```"
FORMULA = "=cmd|' /C calc'!A0"


# The notebooks that execute on the hostile ledger: the chapter whose chart data carries the formula
# and whose evidence table shows the ledger, and the summary (sources, cards). The appendix and the
# disagreements page are written from the hostile data by every build.
HOSTILE_LIVE = {"retail_war", "index"}


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory, base_cache):
    """A copy of the repository whose ledger text carries blank lines followed by directives that
    include files from outside (``/etc/passwd``, a secret beside the copy) and raw scripts, and a
    spreadsheet formula; built once with the real driver, ``HOSTILE_LIVE`` executed."""
    from alibaba_report.chapters import retail_war

    base = tmp_path_factory.mktemp("hostile")
    secret = base / "outside" / "0secret.txt"
    secret.parent.mkdir()
    secret.write_text("TOP-SECRET-MARKER-16\n")
    root = copy_repo(base / "repo")
    secret_include = f"```{{include}} {secret}\n```"
    payload = f"\n\n{INCLUDE}\n\n{secret_include}\n\n{RAW}\n\n{EVAL_RST}\n\n<script>alert('bare')</script>\n"
    chart_claim = retail_war.CLAIMS["last_quarter_loss"]

    def claims(rows):
        for row in rows:
            if row["id"] == chart_claim:  # lands in the retail chart's CSV and the appendix table
                row["period"] = FORMULA + payload
            row["note"] = (row["note"] + payload) if row is rows[0] else row["note"]

    rewrite_rows(root / "data" / "claims.csv", claims)

    def sources(rows):
        rows[0]["language_notes"] += payload
        rows[1]["reliability"] += payload
        rows[2]["title"] += " <script>alert('title')</script>"

    rewrite_rows(root / "data" / "sources.csv", sources)
    rewrite_rows(root / "data" / "disagreement_resolutions.csv",
                 lambda rows: rows[0].update(report_uses=rows[0]["report_uses"] + payload))
    rewrite_rows(root / "data" / "disagreement_readings.csv",
                 lambda rows: rows[0].update(says=rows[0]["says"] + payload, subject=rows[0]["subject"] + payload))
    assert stand_in(root, base_cache, HOSTILE_LIVE), "no notebook stood in: the base book's cache has no run"
    proc = run_driver(root, "book", timeout=1800)
    assert "executed 2 of" in proc.stderr, proc.stderr[-2000:]
    return root, proc, secret


@pytest.mark.build
def test_injected_directives_publish_no_file_and_no_script(hostile_build):
    from test_security import _hostile_markup

    root, proc, secret = hostile_build
    assert proc.returncode == 0, f"the hostile copy did not build:\n{proc.stderr[-3000:]}"
    site = (root / "_build" / "html").resolve()
    assert site.is_relative_to(root.resolve() / "_build"), "the published site is not inside the copy"
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) > 50
    leaked, live = [], []
    for p in files:
        if p.suffix not in (".html", ".csv", ".txt", ".md", ".js", ".json", ".ipynb"):
            continue
        text = p.read_text(encoding="utf-8", errors="replace")
        if "root:x:0:0" in text or "TOP-SECRET-MARKER-16" in text:
            leaked.append(str(p.relative_to(site)))
        if p.suffix == ".html":
            live += [f"{p.relative_to(site)}: {x}" for x in _hostile_markup(BeautifulSoup(text, "html.parser"))]
    assert not leaked, f"a file from outside the repository was published in: {leaked}"
    assert not live, "a script from data is live:\n" + "\n".join(live)
    # the reader sees the text as written, escaped
    page = next(site.glob("**/appendix/001_*.html"))
    shown = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ")
    assert "{include} /etc/passwd" in shown and "<script>alert('raw')</script>" in shown
    record("1 markup injection (blank line + {include}/{raw}/{eval-rst} in period, note, register, resolution)",
           proc.returncode, "built; payload shown as text, no file or script published", "replaced by the new site")


@pytest.mark.build
def test_chart_data_csvs_neutralise_formulas(hostile_build):
    root, proc, _ = hostile_build
    assert proc.returncode == 0, proc.stderr[-2000:]
    chart_data = root / "_build" / "html" / "_static" / "chart-data"
    csvs = sorted(chart_data.glob("*.csv"))
    assert len(csvs) >= 10
    cells = [c for p in csvs for row in csv.reader(io.StringIO(p.read_text(encoding="utf-8"))) for c in row]
    assert len(cells) > 100
    dangerous = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
                 or (c[:1] == "-" and not _is_number(c))]
    assert dangerous == []
    est = list(csv.DictReader(io.StringIO((chart_data / "retail_war-estimates.csv").read_text(encoding="utf-8"))))
    assert any(r["period"].startswith("'" + FORMULA) for r in est), [r["period"][:30] for r in est]
    record("5 CSV formula in period", proc.returncode, f"cell written as '{FORMULA}…", "replaced by the new site")


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_style_neutralises_each_dangerous_start():
    import pandas as pd

    from alibaba_report.charts import style

    df = pd.DataFrame({"t": ["=1+1", "+x", "-x", "@SUM(A1)", "\tx", "\rx", "-3.5", "ok"], "n": range(8)},
                      index=["=i", "a", "b", "c", "d", "e", "f", "g"])
    out = style.safe_csv_frame(df)
    assert list(out["t"]) == ["'=1+1", "'+x", "'-x", "'@SUM(A1)", "'\tx", "'\rx", "-3.5", "ok"]
    assert out.index[0] == "'=i" and list(out["n"]) == list(range(8))


def test_escapers_leave_no_line_break_in_a_raw_block():
    from alibaba_report.evidence import appendix

    for brk in ("\n", "\r", "\r\n", "\u2028", "\x0c", "\x85"):
        text = f"a{brk}{brk}{INCLUDE}{brk}`x` {{y}} :z: {{role}}`t`"
        esc = appendix._esc(text)
        assert not any(ch in esc for ch in "\n\r\u2028\x0c\x85<>"), repr(esc)
        md = appendix.md_escape(text)
        assert "\n" not in md and "\r" not in md and "\\`" in md and "\\{" in md and "\\:" in md


# --- 2: paths from data ---------------------------------------------------------------------------

@pytest.mark.integration
def test_a_seed_path_outside_seeds_is_refused_and_nothing_published(tmp_path):
    root = copy_repo(tmp_path / "repo")
    secret = tmp_path / "0secret.txt"
    secret.write_text("TOP-SECRET-MARKER-16")
    rewrite_rows(root / "data" / "sources.csv", lambda rows: rows.append(dict(rows[0], seed="../../0secret.txt")))
    proc = run_driver(root, "book")
    assert proc.returncode == driver.EXIT_DATA, proc.stderr[-2000:]
    assert "sources.csv" in proc.stderr and "column 'seed'" in proc.stderr and "no '..'" in proc.stderr
    assert "Traceback" not in proc.stderr and site_kept(root)
    record("2 seed '../../0secret.txt' in sources.csv", proc.returncode, proc.stderr, "yes")
    check = run_driver(root, "check")
    assert check.returncode == driver.EXIT_DATA, "make check called the data valid"


def test_a_register_row_for_a_missing_seed_is_named(tmp_path):
    root = copy_repo(tmp_path / "repo")
    rewrite_rows(root / "data" / "sources.csv", lambda rows: rows.append(dict(rows[0], seed="999_missing.txt")))
    proc = run_driver(root, "book")
    assert proc.returncode == driver.EXIT_DATA, proc.stderr[-2000:]
    assert "999_missing.txt" in proc.stderr and "expected an existing file in seeds/" in proc.stderr
    assert "Traceback" not in proc.stderr and site_kept(root)
    record("2/9 sources.csv row for a missing seed", proc.returncode, proc.stderr, "yes")


def test_a_symlinked_seed_is_refused(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    outside = tmp_path / "outside.txt"
    seed = sorted((root / "seeds").glob("*.txt"))[0]
    outside.write_bytes(seed.read_bytes())
    seed.unlink()
    seed.symlink_to(outside)
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == driver.EXIT_DATA and seed.name in err and "symbolic link" in err, err
    assert site_kept(root)
    record("10 symlinked seed", code, err, "yes")


def test_a_non_utf8_seed_is_named_with_its_line(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    add_seed(root, "005_latin1.txt", "Caf\u00e9 line one\nsecond line \u00e9\n".encode("latin-1"))
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == driver.EXIT_DATA, err
    assert "005_latin1.txt: line 1, column 4" in err and "expected UTF-8" in err and "Traceback" not in err
    assert site_kept(root)
    record("9 non-UTF-8 seed", code, err, "yes")


def test_a_bom_in_claims_csv_is_read(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    claims = root / "data" / "claims.csv"
    claims.write_bytes(b"\xef\xbb\xbf" + claims.read_bytes())
    code, err = run_main(root, monkeypatch, capsys, "check")
    assert code == 0, err
    record("10 BOM in claims.csv", code, "accepted (read as UTF-8 with BOM)", "n/a (check)")


def test_a_header_with_an_invisible_difference_shows_it(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("id\u200b," + ",".join(lg.COLUMNS[1:]) + "\n", encoding="utf-8")
    with pytest.raises(lg.LedgerError, match=r"not expected: 'id\\u200b'"):
        lg.load_claims(path)


# --- 3 and 10: the Makefile -----------------------------------------------------------------------

def _make(root: Path, *args: str) -> subprocess.CompletedProcess:
    stamp = root / "_test_stamp"
    stamp.touch()  # newer than requirements.txt and pyproject.toml: make installs nothing
    env = {k: v for k, v in os.environ.items() if k != "MAKEFLAGS"}
    env.update(PYTHONPATH=str(ROOT), REPORT_ROOT="/nonexistent-inherited-root")
    return subprocess.run(["make", "--no-print-directory", *args, f"PY={sys.executable}", f"STAMP={stamp}"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.integration
def test_make_passes_the_scenario_as_one_word(tmp_path):
    root = copy_repo(tmp_path / "repo")
    proc = _make(root, "book", "SCENARIO=nope;touch x")
    assert not (root / "x").exists(), "the shell ran the text after ';'"
    assert proc.returncode != 0
    assert "unknown scenario 'nope;touch x'" in proc.stderr and "Known scenarios: base, bear, bull" in proc.stderr
    assert "the build exited with code 2" in proc.stderr  # the driver's own code, through make
    assert site_kept(root)  # also: the inherited REPORT_ROOT did not redirect the build
    record("3 make book 'SCENARIO=nope;touch x'", proc.returncode, proc.stderr, "yes")


@pytest.mark.integration
def test_make_refresh_accepts_a_file_name_and_names_an_unknown_notebook(tmp_path):
    root = copy_repo(tmp_path / "repo", with_site=False)
    proc = _make(root, "refresh", "NB=no_such.ipynb")
    assert proc.returncode != 0 and "unknown notebook 'no_such.ipynb'" in proc.stderr, proc.stderr
    assert "retail_war" in proc.stderr and "Traceback" not in proc.stderr
    assert driver.notebook_stem(ROOT, "retail_war.ipynb") == "book/retail_war"
    assert driver.notebook_stem(ROOT, "book/retail_war.ipynb") == "book/retail_war"
    assert driver.notebook_stem(ROOT, "retail_war") == "book/retail_war"
    record("10 make refresh NB=<unknown>.ipynb", proc.returncode, proc.stderr, "n/a")


def test_make_checks_the_python_version_before_creating_the_venv(tmp_path):
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    env = {k: v for k, v in os.environ.items() if k != "MAKEFLAGS"}
    found = "%d.%d.%d" % sys.version_info[:3]
    proc = subprocess.run(["make", "--no-print-directory", "check", f"PYTHON={sys.executable}", "PYTHON_MIN=3.99.0"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and not (tmp_path / ".venv").exists()
    assert "needs Python >= 3.99.0" in proc.stderr and f"found Python {found}" in proc.stderr, proc.stderr
    missing = subprocess.run(["make", "--no-print-directory", "check", "PYTHON=/nonexistent/python3"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "no Python at PYTHON='/nonexistent/python3'" in missing.stderr
    assert not (tmp_path / ".venv").exists()
    record("10 make with too old a Python", proc.returncode, proc.stderr.splitlines()[0], "n/a (no .venv)")


def test_the_stated_minimum_python_is_the_real_one():
    """The Makefile's floor is the highest Requires-Python of the installed pinned packages."""
    from importlib import metadata

    import re as _re

    pins = [ln.split("==")[0].split("[")[0].strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()
            if "==" in ln and not ln.startswith("#")]
    assert len(pins) > 50
    floors = []
    for name in pins:
        req = metadata.metadata(name).get("Requires-Python") or ""
        m = _re.search(r">=\s*(\d+)\.(\d+)(?:\.(\d+))?", req)
        if m:
            floors.append(((int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)), name))
    highest = max(floors)
    makefile = (ROOT / "Makefile").read_text()
    assert f"PYTHON_MIN ?= {'.'.join(map(str, highest[0]))}" in makefile, highest


# --- 4 and 10: YAML ---------------------------------------------------------------------------------

BOMB = textwrap.dedent("""\
    a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
    shared:
      usd_hkd: {value: *i, reason: "a billion laughs"}
""")


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    (root / "data" / "scenarios" / "bear.yml").write_text(BOMB)
    t0 = time.perf_counter()
    code, err = run_main(root, monkeypatch, capsys, "book", "--scenario", "bear")
    assert time.perf_counter() - t0 < 20
    assert code == driver.EXIT_DATA and "data/scenarios/bear.yml: line 2" in err and "alias" in err, err
    assert len(err) < 2000 and site_kept(root)
    record("4 YAML alias bomb in bear.yml", code, err, "yes")


@pytest.mark.parametrize("text,value,why", [
    ("2e1", 20.0, None), ("1.5e3", 1500.0, None), ("7.8", 7.8, None), ("12", 12, None),
    ("010", None, "octal (010 would become 8)"), ("1:30", None, "base-60 number (1:30 would become 90)"),
    ("0x1f", None, "hexadecimal"), ("1_000", None, "separated by '_'"), ("yes", "yes", None),
])
def test_yaml_numbers_are_read_as_a_reader_means_them(tmp_path, text, value, why):
    path = tmp_path / "x.yml"
    path.write_text(f"v: {text}\n")
    if why is None:
        got = params.read_yaml(path)["v"]
        assert got == value and type(got) is type(value)
    else:
        with pytest.raises(params.ParameterError, match="line 1") as exc:
            params.read_yaml(path)
        assert why in str(exc.value)


def test_a_duplicate_yaml_key_is_refused(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: 1\nb: 2\na: 3\n")
    with pytest.raises(params.ParameterError, match="key 'a' appears twice .also on line 1"):
        params.read_yaml(path)


def test_a_long_bad_value_is_quoted_short():
    with pytest.raises(params.ParameterError) as exc:
        params.check_values("retail_war", {**{n: 1 for n in params.specs("retail_war")}, "x" * 10: "y" * 100_000})
    assert len(str(exc.value)) < 1000 and "100000 characters" in str(exc.value)


def test_a_scenario_section_that_is_a_list_is_named(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    bear = root / "data" / "scenarios" / "bear.yml"
    doc = yaml.safe_load(bear.read_text())
    doc["retail_war"] = [{"shrink_pct": {"value": 10, "reason": "a list by mistake"}}]
    bear.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, err = run_main(root, monkeypatch, capsys, "book", "--scenario", "bear")
    assert code == driver.EXIT_DATA and "data/scenarios/bear.yml: section 'retail_war': expected a mapping" in err, err
    assert "got a list" in err and "Traceback" not in err and site_kept(root)
    record("9 scenario section that is a list", code, err, "yes")


def test_a_parameter_spec_that_is_a_list_is_named(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    spec = root / "data" / "parameters" / "retail_war.yml"
    spec.write_text("- shrink_pct\n- peak_quarters\n")
    params._specs_cached.cache_clear()
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == driver.EXIT_DATA and "data/parameters/retail_war.yml: expected a mapping" in err, err
    assert "Traceback" not in err and site_kept(root)
    record("9 parameter spec that is a list", code, err, "yes")


def test_a_rule_dividing_by_zero_names_the_rule(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    rewrite_rows(root / "data" / "disagreement_rules.csv",
                 lambda rows: rows[0].update(formula="(consensus_price_target_s004 / (us_share_price_s004 - us_share_price_s004))"))
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == driver.EXIT_DATA and "disagreement_rules.csv: rule 'upside_vs_price_s004'" in err, err
    assert "divides by zero" in err and site_kept(root)
    record("9 disagreement rule dividing by zero", code, err, "yes")


# --- 6 and 10: notebook limits, the failing cell --------------------------------------------------

def probe_repo(tmp_path: Path, *cells: str, copy=copy_repo) -> Path:
    """A copy (made by ``copy``) whose book is one small probe notebook (so execution takes seconds)."""
    root = copy(tmp_path / "repo")
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Probe")] + [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, root / "book" / "probe.ipynb")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/probe\n")
    return root


@pytest.mark.build
def test_a_cell_that_never_ends_is_stopped_at_the_limit(tmp_path):
    root = probe_repo(tmp_path, "x = 1", "while True:\n    pass")
    t0 = time.perf_counter()
    proc = run_driver(root, "book", "--cell-timeout", "3")
    assert time.perf_counter() - t0 < 120
    assert proc.returncode == driver.EXIT_NOTEBOOK, proc.stderr[-2000:]
    assert "book/probe.ipynb: cell 2 (counting from 0" in proc.stderr and "limit of 3 s per cell" in proc.stderr
    assert "while True:" in proc.stderr and site_kept(root)
    record("6 while True: pass in a cell", proc.returncode, proc.stderr, "yes")


@pytest.mark.build
def test_a_cell_printing_too_much_is_stopped_at_the_cap(tmp_path):
    root = probe_repo(tmp_path, "print('x' * 3_000_000)")
    proc = run_driver(root, "book", "--max-output-mb", "1")
    assert proc.returncode == driver.EXIT_NOTEBOOK, proc.stderr[-2000:]
    assert "book/probe.ipynb: cell 1 (counting from 0" in proc.stderr and "3.0 MB of output" in proc.stderr
    assert "limit of 1 MB per cell" in proc.stderr and site_kept(root)
    record("6 a cell printing 3 MB (cap 1 MB)", proc.returncode, proc.stderr, "yes")


@pytest.mark.build
def test_a_dead_kernel_and_a_raising_cell_are_named_as_in_the_source(tmp_path):
    root = probe_repo(tmp_path, "x = 1", "y = 2", "import os\nos._exit(1)")
    proc = run_driver(root, "book")
    assert proc.returncode == driver.EXIT_NOTEBOOK and "cell 3 (counting from 0" in proc.stderr, proc.stderr[-2000:]
    assert "kernel died" in proc.stderr and "Traceback" not in proc.stderr and site_kept(root)
    record("9 kernel died (stands for .venv removed mid-build)", proc.returncode, proc.stderr, "yes")
    # a raise in a notebook with a parameters cell: papermill injects a cell, the number is the source's
    nb = nbformat.read(root / "book" / "index.ipynb", as_version=4)
    par = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(par + 2, nbformat.v4.new_code_cell('raise RuntimeError("deliberate")'))
    nbformat.write(nb, root / "book" / "index.ipynb")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/index\n")
    proc = run_driver(root, "book")
    assert proc.returncode == driver.EXIT_NOTEBOOK, proc.stderr[-2000:]
    assert f"cell {par + 2} (counting from 0" in proc.stderr and "RuntimeError: deliberate" in proc.stderr
    record("10 failing cell numbered as in the source", proc.returncode, proc.stderr, "yes")


# --- 7: atomic publishing, killed at random instants -------------------------------------------------

CHILD = textwrap.dedent("""\
    import sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from alibaba_report.pipeline import safety
    print("ready", flush=True)
    sys.stdin.readline()
    safety.publish(Path(sys.argv[1]), Path(sys.argv[2]))
    print("done", flush=True)
""")
N_FILES = 150


def make_site(path: Path, label: str) -> None:
    path.mkdir(parents=True)
    for i in range(N_FILES):
        (path / f"page{i:03d}.html").write_text(f"{label} page {i}\n" * 20)
    (path / "index.html").write_text(label)


def site_label(target: Path) -> str | None:
    """The label of the complete site ``target`` shows, or None if it shows none or a partial one."""
    if not (target / "index.html").exists():
        return None
    label = (target / "index.html").read_text()
    pages = list(target.glob("page*.html"))
    if len(pages) != N_FILES or any(p.read_text() != f"{label} page {p.stem[4:].lstrip('0') or 0}\n" * 20 for p in pages):
        return None
    return label


@pytest.mark.integration
def test_publishing_killed_at_random_instants_always_leaves_a_good_site(tmp_path):
    rng = random.Random(16)
    build = tmp_path / "_build"
    target = build / "html"
    make_site(target, "site-0")  # a real folder, as an older driver published it
    child = tmp_path / "child.py"
    child.write_text(CHILD)
    good, outcomes, durations, runs = "site-0", {"old": 0, "new": 0}, [], 40
    for i in range(1, runs + 1):
        legacy = i % 5 == 2  # the site is a real folder, as an older driver left it
        if legacy and target.is_symlink():
            real = target.resolve()
            target.unlink()
            shutil.copytree(real, target)
            shutil.rmtree(real)
        new = build / "render" / f"r{i}" / "html"
        make_site(new, f"site-{i}")
        proc = subprocess.Popen([sys.executable, str(child), str(new), str(target), str(ROOT)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        # the first runs measure how long a publish takes; the others are killed inside that window,
        # but the last, which completes: a completed publish leaves a link, whatever came before it
        # (when runs 38-40 were all killed before their swap, the legacy folder of run 37 stayed)
        delay = None if i <= 3 or i == runs else rng.uniform(0, 1.3 * max(durations))
        t0 = time.perf_counter()
        proc.stdin.write("\n")
        proc.stdin.flush()
        if delay is None:
            assert proc.stdout.readline().strip() == "done"
            durations.append(time.perf_counter() - t0)
        else:
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        before = site_label(target)
        if not legacy or safety._exchange_supported(build):
            # once published by link, there is no instant without a complete site
            assert before in (good, f"site-{i}"), f"run {i}: killed after {delay}s, target shows {before!r}"
        safety.recover(target)  # what the next build does first
        after = site_label(target)
        assert after in (good, f"site-{i}"), f"run {i}: after recovery the target shows {after!r}"
        outcomes["new" if after == f"site-{i}" else "old"] += 1
        good = after
        shutil.rmtree(build / "render", ignore_errors=True)
        leftovers = [p.name for p in (build / ".html.versions").iterdir() if p.resolve() != target.resolve()]
        assert leftovers == [], f"run {i}: recovery left {leftovers}"
    assert target.is_symlink()
    assert outcomes["old"] > 0 and outcomes["new"] > 4, outcomes  # kills landed before and after the swap
    record(f"7 publish killed at random instants ({runs} runs: {outcomes})", 0,
           "the target always showed a complete site (old or new)", "yes, every time")


def test_a_failing_build_says_truthfully_whether_a_site_is_kept(tmp_path):
    target = tmp_path / "_build" / "html"
    assert "no site was published: _build/html does not exist yet" in safety.site_state(target, tmp_path)
    new = tmp_path / "_build" / "render" / "html"
    make_site(new, "site-1")
    safety.publish(new, target)
    assert "the last good site, _build/html, was left in place" in safety.site_state(target, tmp_path)


# --- 8: the build lock ------------------------------------------------------------------------------

@pytest.mark.integration
def test_a_second_build_is_refused_while_one_runs(tmp_path):
    root = copy_repo(tmp_path / "repo")
    with safety.build_lock(root):
        proc = run_driver(root, "book")
    assert proc.returncode == safety.EXIT_BUSY, proc.stderr[-2000:]
    assert "another build is running in this checkout" in proc.stderr and f"pid {os.getpid()}" in proc.stderr
    assert "--wait" in proc.stderr and "Traceback" not in proc.stderr and site_kept(root)
    record("8 two builds at once", proc.returncode, proc.stderr, "yes")
    with safety.build_lock(root):  # released: it can be taken again
        pass


# --- 9: one top-level handler ------------------------------------------------------------------------

def test_an_unwritable_build_folder_is_named(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo", with_site=False)
    (root / "_build").write_text("not a folder")  # works as root too, unlike chmod
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == safety.EXIT_ENV and "_build" in err and "Traceback" not in err, err
    record("9 _build not writable", code, err, "n/a (none published)")

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied", str(root / "_build" / "staging"))

    shutil.rmtree(root / "_build", ignore_errors=True)
    (root / "_build").unlink(missing_ok=True)
    monkeypatch.setattr(driver, "stage_sources", denied)
    monkeypatch.setattr(driver, "check_data", lambda *scenarios: None)
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == safety.EXIT_ENV and "_build/staging: Permission denied (errno 13)" in err, err


def test_a_coding_error_is_not_reported_as_bad_data(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")

    def bug(*scenarios):
        return {}["no_such_key"]

    monkeypatch.setattr(driver, "check_data", bug)
    code, err = run_main(root, monkeypatch, capsys, "book")
    assert code == safety.EXIT_INTERNAL and "internal error" in err and "KeyError" in err, err
    assert "--debug" in err and "Traceback" not in err and site_kept(root)
    code, err = run_main(root, monkeypatch, capsys, "book", "--debug")
    assert code == safety.EXIT_INTERNAL and "Traceback" in err
    record("9 a KeyError in the code", code, "internal error at …: KeyError … rerun with --debug", "yes")


def test_an_inherited_report_root_is_announced(tmp_path, monkeypatch, capsys):
    root = copy_repo(tmp_path / "repo")
    code, err = run_main(root, monkeypatch, capsys, "book", "--scenario", "optimistic")
    assert code == driver.EXIT_DATA and f"note: REPORT_ROOT is set: building {root}" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = run_main(empty, monkeypatch, capsys, "check")
    assert code == safety.EXIT_ENV and "is not a checkout of the report" in err, err
    record("10 inherited REPORT_ROOT", code, err, "n/a")
