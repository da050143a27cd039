"""Bad input gets a named error, never "internal error": the attacks of issue 24 that exited 70, the
failing cell named in a notebook error, ``make compare`` on a damaged or stale figures file, shared
parameters with two values, and sliders that open at the page's value.

Each attack runs ``make check`` (the driver's ``check`` command, in-process) on a copy of the
repository's data and expects exit 2 with a message naming the file, the row or parameter, and what
was expected; ``ATTACKS`` keeps the table the issue asks for (printed with ``-s``).
"""
from __future__ import annotations

import json
import os
import shutil
import time
import types
from pathlib import Path

import nbformat
import pytest
import yaml

from alibaba_report import params
from alibaba_report.pipeline import driver, safety
from alibaba_report.evidence import ledger as lg
from alibaba_report.synthesis import key_figures
from test_hardening import rewrite_rows

ROOT = Path(__file__).resolve().parents[1]
ATTACKS: list[tuple[str, int, str]] = []


@pytest.fixture
def repo(data_repo):
    """A copy of what ``make check`` reads, with REPORT_ROOT pointing at it (conftest's ``data_repo``)."""
    return data_repo


def make_check(capsys, attack: str) -> tuple[int, str]:
    capsys.readouterr()
    code = driver.main(["check"])
    err = capsys.readouterr().err
    ATTACKS.append((attack, code, next((ln for ln in err.splitlines() if ln.startswith("error:")), err)[:300]))
    return code, err


def assert_named(code: int, err: str, *words: str) -> None:
    assert code == driver.EXIT_DATA, err
    assert "internal error" not in err and "Traceback" not in err, err
    for w in words:
        assert w in err, f"{w!r} not in {err}"
    assert len(err) < 3000, err


# --- numbers and nesting in YAML ----------------------------------------------------------------

def test_a_5000_digit_number_in_a_scenario_is_named(repo, capsys):
    bull = repo / "data" / "scenarios" / "bull.yml"
    doc = yaml.safe_load(bull.read_text())
    bull.write_text(bull.read_text().replace("retail_war:\n", f"retail_war:\n  peak_quarters:\n    value: {'9' * 5000}\n"
                                             "    reason: a very large number\n", 1))
    assert "peak_quarters" not in doc["retail_war"]
    line = bull.read_text().splitlines().index("retail_war:") + 3
    code, err = make_check(capsys, "5,000-digit integer in bull.yml")
    assert_named(code, err, f"data/scenarios/bull.yml: line {line}: a number of 5000 characters",
                 f"at most {params.MAX_NUMBER_CHARS} characters")


def test_any_long_number_is_refused_at_the_rule_but_an_ordinary_one_is_read(tmp_path):
    path = tmp_path / "x.yml"
    for text in ("1" * 41, "-" + "1" * 60, "1." + "5" * 60, "1e" + "9" * 50):
        path.write_text(f"v: {text}\n")
        with pytest.raises(params.ParameterError, match="line 1: a number of"):
            params.read_yaml(path)
    path.write_text("v: 123456789.123456789\nw: '" + "9" * 100 + "'\n")  # a quoted long text stays text
    assert params.read_yaml(path) == {"v": 123456789.123456789, "w": "9" * 100}


def deep_yaml(levels: int, flow: bool) -> str:
    if flow:
        return "shared: " + "[" * levels + "1" + "]" * levels + "\n"
    return "shared:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(levels)) + "  " * (levels + 1) + "x: 1\n"


@pytest.mark.parametrize("flow", [False, True], ids=["indented", "brackets"])
def test_yaml_nested_800_levels_is_named(repo, capsys, flow):
    (repo / "data" / "scenarios" / "bull.yml").write_text(deep_yaml(800, flow))
    code, err = make_check(capsys, f"YAML nested 800 levels ({'[[[' if flow else 'indented'}) in bull.yml")
    assert_named(code, err, "data/scenarios/bull.yml", f"nested more than {params.MAX_YAML_DEPTH} levels deep")


def test_the_depth_limit_leaves_room_for_every_data_file():
    def depth(x):
        return 1 + max((depth(v) for v in (x.values() if isinstance(x, dict) else x)), default=0) \
            if isinstance(x, (dict, list)) else 0

    files = sorted((ROOT / "data").rglob("*.yml"))
    assert files and max(depth(params.read_yaml(f)) for f in files) < params.MAX_YAML_DEPTH


# --- CSV fields and rule formulas -----------------------------------------------------------------

_rewrite = rewrite_rows  # one CSV rewriter for the tests (test_hardening's)


@pytest.mark.parametrize("name", ["claims.csv", "disagreement_rules.csv", "period_aliases.csv", "sources.csv"])
def test_a_csv_field_over_128_kib_is_named(repo, capsys, name):
    path = repo / "data" / name

    def change(rows):
        first = next(iter(rows[0]))
        rows[1][first] = "x" * (129 * 1024)

    _rewrite(path, change)
    code, err = make_check(capsys, f"a {name} field over 128 KiB")
    assert_named(code, err, name, "line 3", "longer than 131,072 characters")


def test_a_rule_formula_of_3000_minus_signs_is_named(repo, capsys):
    _rewrite(repo / "data" / "disagreement_rules.csv",
             lambda rows: rows[0].update(formula="-" * 3000 + "us_share_price_s004"))
    t0 = time.perf_counter()
    code, err = make_check(capsys, "rule formula of 3,000 unary minus signs")
    assert time.perf_counter() - t0 < 30
    assert_named(code, err, "disagreement_rules.csv: line 2", "column 'formula'",
                 f"expected at most {lg.MAX_FORMULA_CHARS}", "(3,019 characters)")


@pytest.mark.parametrize("formula, why", [
    ("-" * 100 + "us_share_price_s004", "nested 101 levels deep"),
    ("(" * 40 + "us_share_price_s004" + ")" * 40 + "+1", None),  # parentheses alone nest nothing
    ("max(" * 31 + "1" + ")" * 31, "nested 32 levels deep"),
])
def test_formula_depth_is_bounded_at_the_rule(ledger, formula, why):
    if why is None:
        assert ledger.evaluate(formula) == pytest.approx(ledger.value("us_share_price_s004") + 1)
    else:
        with pytest.raises(ValueError, match=why):
            ledger.names_in(formula)
        with pytest.raises(ValueError, match=why):
            ledger.evaluate(formula)


# --- shared parameters have one value per scenario -------------------------------------------------

def test_a_shared_parameter_with_two_values_is_refused_by_make_check(repo, capsys):
    bear = repo / "data" / "scenarios" / "bear.yml"
    doc = yaml.safe_load(bear.read_text())
    doc["cloud_ai"]["usd_rmb"] = {"value": 6.5, "reason": "a different rate in one chapter"}
    doc["meitu_deal"]["usd_rmb"] = {"value": 8.0, "reason": "and another in a third"}
    bear.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, err = make_check(capsys, "usd_rmb given three values in bear.yml")
    assert_named(code, err, "data/scenarios/bear.yml", "shared parameter 'usd_rmb' has 3 values",
                 "6.5 in cloud_ai", "8.0 in meitu_deal", "7.1 in policy_catalyst", "one value per scenario")


def test_a_shared_parameter_repeated_with_the_same_value_is_accepted(repo, capsys):
    bear = repo / "data" / "scenarios" / "bear.yml"
    doc = yaml.safe_load(bear.read_text())
    doc["cloud_ai"]["usd_rmb"] = {"value": 7.1, "reason": "the shared rate, written out again"}
    bear.write_text(yaml.safe_dump(doc, sort_keys=False))
    capsys.readouterr()
    assert driver.main(["check"]) == 0, capsys.readouterr().err


# --- a combination that cannot be modelled is refused by name --------------------------------------

def test_every_weight_zero_is_refused_by_name_before_anything_runs(repo, capsys):
    base = repo / "data" / "scenarios" / "base.yml"
    doc = yaml.safe_load(base.read_text())
    for s in ("bear", "base", "bull"):
        doc["valuation"][f"weight_{s}_pct"]["value"] = 0.0
    base.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, err = make_check(capsys, "every scenario weight zero in base.yml")
    assert_named(code, err, "data/scenarios/base.yml", "weight_bear_pct = 0.0", "may not all be zero")


# --- the failing cell, not the markdown before it -------------------------------------------------

def test_a_notebook_error_names_the_failing_code_cell(tmp_path):
    """papermill puts an error banner (a markdown cell) at the top of the executed notebook after
    numbering the failing cell: the message quotes the failing cell's first line, not the cell before."""
    from papermill.exceptions import PapermillExecutionError

    src = nbformat.v4.new_notebook()
    src.cells = [nbformat.v4.new_markdown_cell("# Title"),
                 nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                 nbformat.v4.new_markdown_cell("Some prose before the failing cell."),
                 nbformat.v4.new_code_cell("y = 1 / 0  # the failing cell")]
    out = nbformat.v4.new_notebook()
    injected = nbformat.v4.new_code_cell("x = 2", metadata={"tags": ["injected-parameters"]})
    banner = nbformat.v4.new_markdown_cell("An Exception was encountered at 'In [3]'.",
                                           metadata={"tags": ["papermill-error-cell-tag"]})
    out.cells = [banner, src.cells[0], src.cells[1], injected, src.cells[2], src.cells[3]]
    nbformat.write(src, tmp_path / "src.ipynb")
    nbformat.write(out, tmp_path / "out.ipynb")
    exc = PapermillExecutionError(cell_index=4, exec_count=3, source=src.cells[3].source, ename="ZeroDivisionError",
                                  evalue="division by zero", traceback=[])
    message = str(safety.notebook_failure(str(tmp_path / "src.ipynb"), str(tmp_path / "out.ipynb"), exc))
    assert "cell 3 (counting from 0" in message and "first line 'y = 1 / 0" in message, message
    assert "Some prose" not in message and "ZeroDivisionError: division by zero" in message


# --- make compare ------------------------------------------------------------------------------

@pytest.fixture
def built(tmp_path, monkeypatch):
    """Two built sites' key-figures files, as make book writes them (without building)."""
    from alibaba_report.synthesis import compare

    for part in ("data", "seeds"):
        shutil.copytree(ROOT / part, tmp_path / part)
    monkeypatch.setenv("REPORT_ROOT", str(tmp_path))
    out = {}
    for s in ("base", "bear"):
        site = compare.site_of(tmp_path, s)
        site.mkdir(parents=True)
        rows = list(compare.computed_figures(s).values())
        (site / "key-figures.json").write_text(json.dumps(rows))
        out[s] = site / "key-figures.json"
    return types.SimpleNamespace(root=tmp_path, files=out)


def run_compare(built, monkeypatch, capsys, a="base", b="bear") -> tuple[int, str, str]:
    from alibaba_report.synthesis import compare

    capsys.readouterr()
    code = compare.main([a, b])
    cap = capsys.readouterr()
    ATTACKS.append((f"make compare: {getattr(built, 'attack', 'intact files')}", code,
                    next((ln for ln in cap.err.splitlines() if ln.startswith(("error:", "warning:"))), "")[:300]))
    return code, cap.out, cap.err


def test_compare_of_intact_files_prints_both_scenarios(built, monkeypatch, capsys):
    code, out, err = run_compare(built, monkeypatch, capsys)
    assert code == 0 and "What changed from base to bear" in out and "value per ADS" in out, err


@pytest.mark.parametrize("attack, damage, words", [
    ("a value that is a string", lambda rows: rows[0].update(value="152"), "figure 0 (value_per_ads_usd): field 'value': expected a number"),
    ("a missing label", lambda rows: rows[1].pop("label") and None, "figure 1: field 'label': expected text, got nothing"),
    ("an infinite value", lambda rows: rows[2].update(value=float("inf")), "figure 2 (" + key_figures.REGISTRY[2].name + "): field 'value'"),
    ("not a list", lambda rows: {"rows": rows}, "expected a list of key figures, got an object"),
])
def test_compare_names_a_malformed_figures_file(built, monkeypatch, capsys, attack, damage, words):
    rows = json.loads(built.files["bear"].read_text())
    changed = damage(rows)
    built.files["bear"].write_text(json.dumps(changed if changed is not None else rows))
    built.attack = f"key-figures.json with {attack}"
    code, out, err = run_compare(built, monkeypatch, capsys)
    assert code == 2 and "_build/scenarios/bear/html/key-figures.json: " in err and words in err, err
    assert "Traceback" not in err and out == ""


def test_compare_names_a_deeply_nested_figures_file(built, monkeypatch, capsys):
    built.files["bear"].write_text("[" * 100_000 + "]" * 100_000)
    built.attack = "key-figures.json nested 100,000 levels"
    code, out, err = run_compare(built, monkeypatch, capsys)
    assert code == 2 and "key-figures.json: nested too deeply" in err and "Traceback" not in err, err


def test_compare_never_prints_terminal_control_characters(built, monkeypatch, capsys):
    rows = json.loads(built.files["base"].read_text())
    rows[0]["label"] = "value\x1b]0;pwned\x07 per \x1b[2J ADS\r\u202eevil\x9b"
    rows[1]["unit"] = "USD\nnext line"
    built.files["base"].write_text(json.dumps(rows))
    built.attack = "labels with terminal control characters"
    code, out, err = run_compare(built, monkeypatch, capsys)
    assert code == 0, err
    assert not any(ch in out + err for ch in "\x1b\x07\r\u202e\x9b"), repr(out)
    assert "value\\x1b]0;pwned\\x07 per" in out and "USD\\nnext line" in out


def test_compare_warns_when_a_scenario_changed_after_its_build(built, monkeypatch, capsys):
    code, _, err = run_compare(built, monkeypatch, capsys)
    assert code == 0 and "warning" not in err, err  # built after the scenario files last changed
    edited = built.root / "data" / "scenarios" / "bear.yml"
    edited.write_text(edited.read_text() + "\n")
    for f in built.files.values():  # both sites built before the edit
        os.utime(f, (edited.stat().st_mtime - 60, edited.stat().st_mtime - 60))
    built.attack = "bear.yml edited after the build"
    code, out, err = run_compare(built, monkeypatch, capsys)
    assert code == 0 and "warning: the bear figures were built before data/scenarios/" in err, err
    assert "make book SCENARIO=bear" in err and "bear.yml last changed" in err
    assert "warning: the base figures" not in err  # base.yml did not change


# --- sliders open at the page's value ---------------------------------------------------------------

def test_the_retail_slider_under_no_shrink_opens_at_zero_and_shows_the_page_value(ledger):
    from alibaba_report.chapters import retail_war as retail
    from alibaba_report.synthesis import sliders

    p = types.SimpleNamespace(**{**params.scenario_parameters("base", "retail_war"), "shrink_pct": 0.0})
    sc = sliders.retail_war(p, ledger)
    start = {s.column: s.initial for s in sc.sliders}
    assert start["shrink_pct"] == 0.0 and start["peak_loss_rmb_bn"] == p.peak_loss_rmb_bn
    page_cost = retail.run(p, ledger)["cumulative_cost_rmb_bn"]
    shown = sc.shown(**start)[0]
    assert shown == f"Total loss to {retail.quarter(p.quarters_modelled - 1).fiscal}: RMB {page_cost:,.0f}bn", shown
    assert "426" in shown  # the page's RMB 426bn, not the 356bn a 5% shrink gives


@pytest.mark.parametrize("value, start, stop", [
    (0.0, 0.0, 30.0),  # below the range: the window moves down to it
    (60.0, 30.0, 60.0),  # above it: moves up
    (15.0, 5.0, 35.0),  # on a point: unchanged
    (15.3, 5.3, 34.3),  # between points: shifted by less than a step, never past the range
])
def test_a_slider_grid_holds_the_page_value(value, start, stop):
    from alibaba_report.charts.interactive import Slider

    s = Slider.at("shrink_pct", "Shrink", "%", 5, 35, 1, value)
    assert (s.start, s.stop) == pytest.approx((start, stop)) and s.initial == pytest.approx(value)
    assert min(abs(s.values() - value)) < 1e-9 and len(s.values()) <= 31


def test_print_attack_table():
    """The table for the issue's closing note (shown with pytest -s); runs last in this module."""
    for attack, code, message in ATTACKS:
        print(f"| {attack} | {code} | {message} |")
    assert all(code in (0, 2) for _, code, _ in ATTACKS)
