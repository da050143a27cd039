"""A scenario of your own, as the README describes it: copy bear.yml, change values with reasons,
build; compare two built scenarios; and a broken scenario of yours never stops the base book."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from alibaba_report import params, paths, precision
from alibaba_report.pipeline import driver
from alibaba_report.synthesis import compare, key_figures
from conftest import copy_book

ROOT = paths.root()


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ and seeds/ the package reads instead of the repository's."""
    for name in ("data", "seeds"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    monkeypatch.setenv("REPORT_ROOT", str(tmp_path))
    return tmp_path


def write_mine(root: Path, shrink: float = 20.0, pe: float = 18.0) -> Path:
    """The README's steps: copy bear.yml to mine.yml and change two values, each with a reason."""
    text = (root / "data" / "scenarios" / "bear.yml").read_text()
    text = re.sub(r"(  shrink_pct:\n    value: )[0-9.]+", rf"\g<1>{shrink}", text, count=1)
    text = re.sub(r"(  forward_pe:\n    value: )[0-9.]+", rf"\g<1>{pe}", text, count=1)
    path = root / "data" / "scenarios" / "mine.yml"
    path.write_text(text)
    return path


def test_a_scenario_of_your_own_is_a_valid_scenario_name(data_copy):
    write_mine(data_copy)
    assert "mine" in params.known_scenarios()
    assert params.scenario_parameters("mine", "index") == {"scenario": "mine"}
    assert params.scenario_parameters("mine", "retail_war")["shrink_pct"] == 20.0
    assert params.scenario_parameters("mine", "valuation")["forward_pe"] == 18.0
    # what it does not set, it inherits from bear's overrides and then from base
    assert params.scenario_parameters("mine", "retail_war")["peak_quarters"] == params.scenario_parameters("bear", "retail_war")["peak_quarters"]
    assert params.compared("mine") == ("bear", "base", "bull", "mine")
    assert params.compared("bear") == ("bear", "base", "bull")


def test_a_broken_scenario_of_yours_never_stops_the_base_book_but_make_check_names_it(data_copy):
    path = write_mine(data_copy)
    path.write_text(path.read_text().replace("value: 20.0", "value: 500.0", 1))
    driver.check_data(params.compared("base"))  # the base build reads bear, base and bull only
    with pytest.raises(driver.BuildError) as err:
        driver.check_data()  # make check: every scenario
    assert "mine.yml" in str(err.value) and "shrink_pct" in str(err.value)
    with pytest.raises(driver.BuildError) as err:
        driver.check_data(params.compared("mine"))
    assert "mine.yml" in str(err.value)


def test_a_scenario_file_whose_name_cannot_be_a_scenario_is_named_by_make_check(data_copy):
    shutil.copy2(data_copy / "data" / "scenarios" / "bear.yml", data_copy / "data" / "scenarios" / "My Case.yml")
    assert "My Case" not in params.known_scenarios()
    driver.check_data(params.compared("base"))
    with pytest.raises(driver.BuildError, match=r"My Case\.yml: a scenario's file name must be"):
        driver.check_data()


def test_the_what_changed_page_lists_figures_and_the_assumptions_you_changed(data_copy):
    write_mine(data_copy)
    page = compare.page_for("mine")
    assert page.startswith("# What changed: mine against base")
    assert "forward\\_pe" in page or "forward_pe" in page
    base, mine = key_figures.figures("base"), key_figures.figures("mine")
    assert mine["value_per_ads_usd"] != base["value_per_ads_usd"]
    assert f"{mine['value_per_ads_usd'] - base['value_per_ads_usd']:,.2f}" in page.replace("\\", "")


def _fake_site(root: Path, scenario: str) -> None:
    site = compare.site_of(root, scenario)
    site.mkdir(parents=True)
    key_figures.write_json(site, {}, scenario)


def test_compare_reads_two_built_books_and_refuses_an_unbuilt_one(data_copy, capsys):
    with pytest.raises(compare.CompareError, match=r"'bear' has not been built.*make book SCENARIO=bear"):
        compare.built_figures(data_copy, "bear")
    with pytest.raises(compare.CompareError, match="unknown scenario 'nope'"):
        compare.built_figures(data_copy, "nope")
    _fake_site(data_copy, "base")
    _fake_site(data_copy, "bear")
    assert compare.main(["base", "bear"]) == 0
    out = capsys.readouterr().out
    assert "What changed from base to bear" in out and "Assumptions that differ" in out and "forward_pe" in out
    figs = json.loads((compare.site_of(data_copy, "bear") / "key-figures.json").read_text())
    assert len(figs) > 0
    written = data_copy / "_build" / "compare"
    assert (written / "base-vs-bear.txt").read_text() == out
    assert (written / "base-vs-bear-figures.csv").exists() and (written / "base-vs-bear-assumptions.csv").exists()
    assert compare.main(["base", "nope"]) == 2


@pytest.mark.parametrize("planted", ["folder", "file"])
def test_compare_never_writes_through_a_planted_link(data_copy, tmp_path_factory, capsys, planted):
    """A link planted at _build/compare (or at one of its files) is refused by name; nothing outside changes."""
    _fake_site(data_copy, "base")
    _fake_site(data_copy, "bear")
    outside = tmp_path_factory.mktemp("outside")
    (outside / "base-vs-bear.txt").write_text("mine")
    written = data_copy / "_build" / "compare"
    if planted == "folder":
        written.symlink_to(outside, target_is_directory=True)
    else:
        written.mkdir(parents=True)
        (written / "base-vs-bear.txt").symlink_to(outside / "base-vs-bear.txt")
    assert compare.main(["base", "bear"]) == 5
    err = capsys.readouterr().err
    assert "is a symbolic link" in err and "_build/compare" in err
    assert (outside / "base-vs-bear.txt").read_text() == "mine"
    assert sorted(p.name for p in outside.iterdir()) == ["base-vs-bear.txt"]


@pytest.mark.build
def test_the_readme_steps_build_a_book_of_your_own(tmp_path, base_cache, monkeypatch):
    """The one build of a scenario other than base in the suite (it serves what a bear book's build did):
    the README's steps give a book whose pages glue that scenario's figures, whose chapters show the
    values they ran with, with a What changed page and every scenario in key-figures.json."""
    import nbformat

    from conftest import glued
    from test_build import run_build

    copy_book(tmp_path, cache=base_cache)
    write_mine(tmp_path)
    proc = run_build(tmp_path, "--scenario", "mine")
    assert proc.returncode == 0, proc.stderr[-3000:]
    site = tmp_path / "_build" / "scenarios" / "mine" / "html"
    changed = (site / "book" / "what_changed.html").read_text(encoding="utf-8")
    assert "What changed: mine against base" in changed and "shrink_pct" in changed
    summary = (site / "book" / "index.html").read_text(encoding="utf-8")
    assert ">mine<" in summary  # the comparison table has a column for your scenario
    figures = json.loads((site / "key-figures.json").read_text())
    assert {f["scenario"] for f in figures} == {"bear", "base", "bull", "mine"}
    # the summary glues the scenario's own figures, as the model computes them for this copy
    stage = tmp_path / "_build" / "staging" / "mine" / "book"
    values = glued(nbformat.read(stage / "index.ipynb", as_version=4))
    monkeypatch.setenv("REPORT_ROOT", str(tmp_path))
    mine, base = key_figures.figures("mine"), key_figures.figures("base")
    assert values["scenario_name"] == "mine"
    for name in ("value_per_ads_usd", "retail_war_cost_rmb_bn"):
        assert precision.same(values[name], mine[name]) and precision.same(values[f"base__{name}"], base[name])
    assert f"{values['retail_war_cost_rmb_bn']:.0f}" in summary
    # a chapter page shows the values it ran with, folded into its parameters cell
    retail = nbformat.read(stage / "retail_war.ipynb", as_version=4)
    par = next(c for c in retail.cells if "parameters" in c.metadata.get("tags", []))
    assert "shrink_pct = 20.0" in par.source
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in retail.cells)


# --- one notebook re-run with your values, as a page ----------------------------------------------

def test_settings_are_read_as_a_reader_means_them():
    assert driver.parse_settings(["shrink_pct=25", "peak_quarters=2", "convergence_deadline=FQ2 FY28", "x=true"]) == {
        "shrink_pct": 25, "peak_quarters": 2, "convergence_deadline": "FQ2 FY28", "x": True}
    with pytest.raises(driver.BuildError, match="expected name=value"):
        driver.parse_settings(["shrink_pct"])


@pytest.mark.parametrize("setting, message", [
    ("shrink_pct=250", "parameter 'shrink_pct' = 250 is not allowed"),
    ("shrink_rate=25", "shrink_rate"),
    ("peak_quarters=two", "peak_quarters"),
])
def test_a_bad_value_for_a_page_is_refused_by_name_before_anything_runs(setting, message, tmp_path):
    with pytest.raises(driver.BuildError, match=message) as err:
        driver.build_page("retail_war", [setting])
    assert err.value.code == driver.EXIT_DATA


@pytest.mark.build
def test_a_page_with_your_values_is_a_page_of_a_whole_book(tmp_path, base_cache):
    copy_book(tmp_path, cache=base_cache)  # the other pages come from the base book's cache, as for a user
    import os
    import subprocess
    import sys

    env = dict(os.environ, REPORT_ROOT=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "alibaba_report.pipeline", "page", "retail_war", "--set", "shrink_pct=25"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = tmp_path / "_build" / "page" / "retail_war" / "html" / "book" / "retail_war.html"
    html = page.read_text(encoding="utf-8")
    assert "Re-run with your values" in html and "shrink_pct = 25" in html
    # its links lead into the rest of the book, which is there
    for target in re.findall(r'href="([a-z_]+\.html)"', html):
        assert (page.parent / target).exists(), target
    assert not (tmp_path / "_build" / "html").exists()  # nothing published elsewhere
