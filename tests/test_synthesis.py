"""The book across chapters: scenarios, the summary's numbers, the valuation grid."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from alibaba_report import params
from alibaba_report.evidence import ledger
from alibaba_report.synthesis import scenarios as synthesis
from alibaba_report.synthesis import valuation

ROOT = Path(__file__).resolve().parents[1]
GLUE_ROLE = re.compile(r"\{glue:(?:text|md)\}`[^`]*`")


def _markdown(name: str) -> list[str]:
    nb = json.loads((ROOT / "book" / f"{name}.ipynb").read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def test_every_key_output_improves_from_bear_through_base_to_bull():
    """The scenarios are named for what they do: no key output may contradict the order."""
    assert synthesis.ordered_as_named() == []


def test_bear_is_strictly_worse_than_bull_on_the_headline_numbers():
    bear, bull = ({k.key: synthesis.chapter_outputs(s, k.notebook).get(k.key) for k in synthesis.KEY_OUTPUTS} for s in ("bear", "bull"))
    assert bear["cumulative_cost_rmb_bn"] > bull["cumulative_cost_rmb_bn"]
    assert bear["return_on_capex_pct"] < bull["return_on_capex_pct"]
    assert bear["value_per_ads_usd"] < bull["value_per_ads_usd"]


def test_the_comparison_covers_every_key_output_and_scenario():
    table = synthesis.comparison_table()
    assert list(table.columns) == ["unit", *synthesis.SCENARIOS]
    assert len(table) == len(synthesis.KEY_OUTPUTS)
    # a missing number shows as the chapter's words ("not within the assets' life"), never as nan/None
    shown = table[list(synthesis.SCENARIOS)].astype(str)
    assert len(shown) > 0 and not shown.apply(lambda c: c.str.fullmatch(r"nan|None|")).any().any()


def test_the_watch_list_has_signposts_from_every_chapter():
    table = synthesis.signposts_table("base").reset_index()
    assert list(table.columns) == ["chapter", "signpost", "threshold", "if better", "if worse"]
    assert set(table["chapter"]) == {ch.title for ch in synthesis.CHAPTERS}
    assert table["threshold"].str.len().gt(0).all() and table["if worse"].str.len().gt(0).all()
    for ko in synthesis.KEY_OUTPUTS:
        assert ko.key in synthesis.chapter_outputs("base", ko.notebook), f"{ko.notebook} has no key output {ko.key}"


def test_valuation_grid_is_eps_times_multiple():
    grid = synthesis.valuation_grid([8.0, 10.0], [15.0, 20.0])
    assert grid.loc[10.0, 20.0] == 200.0 and grid.loc[8.0, 15.0] == 120.0


def test_scenario_points_use_the_hk_chapter_parameters():
    points = synthesis.scenario_valuation_points()
    for scen, row in points.iterrows():
        assert row["pe"] == params.scenario_parameters(scen, "valuation")["forward_pe"]
        # the multiple goes on the earnings it is quoted on: the next twelve months', undiscounted
        assert row["eps_usd"] == pytest.approx(valuation.scenario_value(scen, ledger.load_claims())["ntm_eps_usd"])
        assert row["value_usd"] == pytest.approx(row["eps_usd"] * row["pe"])


def test_assumptions_table_lists_every_parameter_with_a_reason():
    table = synthesis.assumptions_table("bear")
    n = sum(len(params.specs(ch.notebook)) for ch in synthesis.CHAPTERS) + len(params.specs("valuation"))
    assert len(table) == n and table["reason"].str.len().min() > 10


# --- the summary page: no number typed by hand -------------------------------------------------

def test_no_number_in_the_summary_prose_is_typed():
    """Every number in the summary's prose comes from a glue role (computed or a ledger claim)."""
    for text in _markdown("index"):
        prose = GLUE_ROLE.sub("", text)
        prose = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", prose)  # link targets are file names
        prose = re.sub(r"`[^`]*`", "", prose)  # code: commands and file names
        prose = re.sub(r"\b(?:FY|FQ)\d+", "", prose)  # fiscal labels are names, not figures
        found = re.findall(r"\d[\d.,]*", prose)
        assert found == [], f"typed numbers in the summary: {found} in {text[:80]!r}"


@pytest.mark.parametrize("name", ["index", "scenarios", "methods"])
def test_every_glue_reference_is_glued(name):
    from conftest import glued

    import nbformat

    nb = nbformat.read(ROOT / "book" / f"{name}.ipynb", as_version=4)
    values = glued(nb)
    refs = {m.split(":")[0] for text in _markdown(name) for m in re.findall(r"\{glue:(?:text|md)\}`([^`]*)`", text)}
    assert refs and refs <= set(values), sorted(refs - set(values))


def test_the_summary_under_bear_shows_the_bear_figures(notebook_values):
    values = notebook_values("index", scenario="bear")
    bear = synthesis.chapter_outputs("bear", "retail_war")
    assert values["scenario_name"] == "bear"
    assert values["retail_war_cost_rmb_bn"] == pytest.approx(bear["cumulative_cost_rmb_bn"])
    assert values["retail_war_cost_rmb_bn"] > synthesis.chapter_outputs("base", "retail_war")["cumulative_cost_rmb_bn"]
    assert values["value_per_ads_usd"] == pytest.approx(values["bear__value_per_ads_usd"])
    assert values["value_per_ads_usd"] < values["base__value_per_ads_usd"]


def test_the_summary_refuses_an_unknown_scenario(notebook_values):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        notebook_values("index", scenario="rosy")
    assert "'scenario' = 'rosy'" in err.value.evalue and "one of 'base', 'bear', 'bull'" in err.value.evalue


def test_the_comparison_rounds_the_value_per_share_as_the_key_data_does():
    """One rounding per figure on a page: the summary's key data shows whole dollars, so does the table."""
    from alibaba_report.synthesis import key_figures

    label = next(k.label for k in synthesis.KEY_OUTPUTS if k.key == "value_per_ads_usd")
    table = synthesis.comparison_table().xs(label, level="key output")
    for scenario in synthesis.SCENARIOS:
        assert table[scenario].iloc[0] == f"{key_figures.figures(scenario)['value_per_ads_usd']:,.0f}"


def test_a_two_level_row_label_reads_as_one_phrase_with_a_pause():
    """A screen reader must not run a chapter's title into an output's name."""
    import pandas as pd

    from alibaba_report.charts import tables

    df = pd.DataFrame({"chapter": ["The instant-retail war"], "key output": ["Cumulative losses"], "bear": ["340"]})
    html = tables.table_html(df.set_index(["chapter", "key output"]), "Key outputs")
    assert '<th scope="row">The instant-retail war: Cumulative losses</th>' in html
    assert '<th scope="col">chapter, key output</th>' in html
