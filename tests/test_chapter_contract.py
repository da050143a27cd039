"""Every notebook the book lists is registered, every chapter follows the one contract, and every
notebook is thin. The checks themselves are tested on a chapter and a notebook that break them."""
from __future__ import annotations

import types
from pathlib import Path

import nbformat
import papermill
import pytest

from alibaba_report import params, paths
from alibaba_report.chapters import CHAPTERS, contract, module
from alibaba_report.evidence import ledger
from alibaba_report.synthesis import PAGES
from sitecheck import toc_entries

ROOT = paths.root()
CHAPTER_NAMES = [c.notebook for c in CHAPTERS]
NOTEBOOKS = CHAPTER_NAMES + list(PAGES)


@pytest.fixture(scope="module")
def claims():
    return ledger.load_claims()


def toc_notebooks() -> list[str]:
    return [Path(entry).name for entry, is_glob in toc_entries(ROOT / "_toc.yml")
            if not is_glob and (ROOT / f"{entry}.ipynb").exists()]


def test_every_notebook_in_the_toc_is_registered():
    listed = toc_notebooks()
    assert len(listed) >= 8, listed
    unregistered = sorted(set(listed) - set(NOTEBOOKS))
    assert not unregistered, f"notebooks in _toc.yml that no registry lists: {unregistered}"
    assert set(NOTEBOOKS) <= set(listed), f"registered but not in _toc.yml: {sorted(set(NOTEBOOKS) - set(listed))}"


@pytest.mark.parametrize("notebook", CHAPTER_NAMES)
def test_chapter_module_follows_the_contract(notebook, claims):
    mod = module(notebook)
    assert contract.module_problems(mod, claims) == []
    for scenario in ("bear", "base", "bull"):
        p = params.check_values(notebook, params.scenario_parameters(scenario, notebook))
        assert contract.output_problems(mod, p, claims) == [], scenario


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_is_thin(notebook):
    nb = nbformat.read(ROOT / "book" / f"{notebook}.ipynb", as_version=4)
    assert contract.notebook_problems(nb) == []


def test_every_parameter_specification_belongs_to_a_notebook_or_the_valuation():
    specs = params.notebooks_with_specs()
    assert len(specs) >= 9
    assert sorted(set(specs) - set(NOTEBOOKS)) == ["valuation"], "a spec with no registered notebook or model"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_parameters_cell_matches_the_base_scenario(notebook):
    """papermill reads the parameters cell as a user re-running the notebook would; its defaults are
    the base scenario's values, so the committed outputs are what the base book shows."""
    found = papermill.inspect_notebook(str(ROOT / "book" / f"{notebook}.ipynb"))
    assert found, f"{notebook} has no parameters cell"
    defaults = {name: eval(p["default"]) for name, p in found.items()}  # literals only, by convention
    assert defaults == params.scenario_parameters("base", notebook)


# --- the checks catch what they are for ----------------------------------------------------------

def test_contract_check_reports_a_chapter_that_breaks_it(claims):
    broken = types.ModuleType("alibaba_report.chapters.broken")
    broken.CLAIMS = {"peak": "no_such_claim"}
    broken.compute = lambda p, c: {}
    broken.key_outputs = lambda p, c: {"x": 1.0}
    broken.signposts = lambda p, c, case=None: [{"name": "not a Signpost"}]
    problems = contract.module_problems(broken, claims)
    assert any("prose" in m for m in problems)
    broken.prose = lambda p, c: {"verdict": ""}
    problems = contract.module_problems(broken, claims)
    assert problems == ["alibaba_report.chapters.broken has no NOTEBOOK", "alibaba_report.chapters.broken has no headline"]
    broken.NOTEBOOK = "broken"
    broken.headline = lambda p, c, case=None: {"figure": "a | b", "meaning": "inf% a year"}
    problems = contract.module_problems(broken, claims)
    assert problems == ["alibaba_report.chapters.broken.CLAIMS['peak'] = 'no_such_claim' is not in the ledger"]
    out = contract.output_problems(broken, None, claims)
    assert any("compute returned dict" in m for m in out)
    assert any("list of Signpost" in m for m in out)
    assert any("'verdict'" in m for m in out)
    assert any("headline" in m and "'|'" in m for m in out) and any("without a value" in m for m in out)


def test_notebook_check_reports_a_thick_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("y = 'big' if x else 'small'"),
                nbformat.v4.new_code_cell("\n".join(f"v{i} = {i}" for i in range(85)))]
    problems = contract.notebook_problems(nb)
    assert any("cell 1 has conditional code" in m for m in problems)
    assert any("cell 2 has 85 code lines" in m for m in problems)
    assert any("86 code lines outside the parameters cell" in m for m in problems)


def test_signpost_refuses_a_bad_threshold_and_case():
    with pytest.raises(contract.ModelInputError, match="threshold"):
        contract.Signpost("Loss", float("nan"), "RMB bn", "a", "b", "bull", "bear")
    with pytest.raises(contract.ModelInputError, match="worse_case"):
        contract.Signpost("Loss", 1.0, "RMB bn", "a", "b", "bull", "terrible")


def test_signposts_render_without_ids_or_parameter_names(claims):
    s = contract.Signpost("Loss in FQ3 FY26", 35.5, "RMB bn in the quarter", "the peak holds", "a higher peak",
                          "base or bull", "bear", claims=("nomura_ebita_loss_peak_fq3_fy26",),
                          assumptions=("peak_loss_rmb_bn",))
    md = contract.signposts_markdown([s], cite=lambda cid: "[1]")
    assert "**RMB 35.5bn in the quarter**" in md and "[1]" in md
    def level(v, unit):
        return contract.threshold_text(contract.Signpost("x", v, unit, "a", "b", "bull", "bear"))
    assert level(30, "% a year, to stay above") == "30% a year, to stay above"
    assert level(6, "HKD per share") == "HKD 6 per share"
    assert level(-21.8, "RMB bn, negative for an outflow") == "RMB -21.8bn, negative for an outflow"
    assert level(8, "FQ3 FY28 (CY Q4 2027)") == "FQ3 FY28 (CY Q4 2027)"
    assert level(0.6, "RMB of yearly revenue per RMB of capex") == "0.6 RMB of yearly revenue per RMB of capex"
    assert level(5, "years") == "5 years"
    assert "nomura_ebita" not in md and "peak_loss_rmb_bn" not in md
    frame = contract.signposts_frame([s], chapter="The instant-retail war")
    assert list(frame.columns) == ["chapter", "signpost", "threshold", "if better", "if worse"]
    assert frame.loc[0, "if worse"] == "a higher peak (bear)"


def test_check_number_names_the_input_and_the_range():
    with pytest.raises(contract.ModelInputError, match=r"shrink_pct must be a number at least 0 and below 100 \(% a quarter\), got 120"):
        contract.check_number("shrink_pct", 120, low=0, high=100, high_open=True, unit="% a quarter")
    with pytest.raises(contract.ModelInputError, match="got 'x'"):
        contract.check_number("peak", "x")
    with pytest.raises(contract.ModelInputError, match="…"):
        contract.check_number("peak", "y" * 10_000)
    assert contract.check_number("quarters", 12.0, low=1, integer=True) == 12
