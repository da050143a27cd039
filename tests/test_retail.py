"""The instant-retail war: the loss-convergence model (alibaba_report.chapters.retail_war) and its notebook."""
from __future__ import annotations

import ast
import json
import math
import types
from pathlib import Path

import numpy as np
import pytest

from alibaba_report import params
from alibaba_report.chapters import retail_war as retail

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "book" / "retail_war.ipynb"


def base_p(**over):
    values = dict(peak_loss_rmb_bn=35.5, peak_quarters=1, shrink_pct=15.0, quarters_modelled=12,
                  converged_loss_rmb_bn=10.0, forecast_embedded_shrink_pct=15.0, convergence_deadline="FQ4 FY27")
    values.update(over)
    return types.SimpleNamespace(**values)


# --- quarters ---------------------------------------------------------------------------------

@pytest.mark.parametrize("index, label", [
    (0, "FQ3 FY26 (CY Q4 2025)"),
    (1, "FQ4 FY26 (CY Q1 2026)"),
    (2, "FQ1 FY27 (CY Q2 2026)"),
    (5, "FQ4 FY27 (CY Q1 2027)"),
    (6, "FQ1 FY28 (CY Q2 2027)"),
    (11, "FQ2 FY29 (CY Q3 2028)"),
])
def test_quarter_labels_fiscal_and_calendar(index, label):
    assert retail.quarter(index).label == label


def test_quarter_index_inverts_quarter():
    for i in range(30):
        assert retail.quarter_index(retail.quarter(i).fiscal) == i


@pytest.mark.parametrize("bad", ["FQ2 FY26", "FQ5 FY27", "Q4 2027", "", None])
def test_quarter_index_rejects_bad_labels(bad):
    with pytest.raises(retail.RetailModelError):
        retail.quarter_index(bad)


def test_quarter_rejects_negative_index():
    with pytest.raises(retail.RetailModelError, match="quarter index"):
        retail.quarter(-1)


# --- the loss path ----------------------------------------------------------------------------

def test_loss_path_by_hand():
    path = retail.loss_path(40.0, 25.0, 4)
    assert path == pytest.approx([40.0, 30.0, 22.5, 16.875])


def test_loss_path_holds_the_peak_for_peak_quarters():
    path = retail.loss_path(40.0, 50.0, 5, peak_quarters=3)
    assert path == pytest.approx([40.0, 40.0, 40.0, 20.0, 10.0])


def test_loss_path_without_shrink_is_flat_and_full_shrink_ends_the_loss():
    assert retail.loss_path(30.0, 0.0, 6) == pytest.approx([30.0] * 6)
    assert retail.loss_path(30.0, 100.0, 3) == pytest.approx([30.0, 0.0, 0.0])


@pytest.mark.parametrize("kw, match", [
    (dict(peak_loss_rmb_bn=-1.0), "peak_loss_rmb_bn"),
    (dict(shrink_pct=120.0), "shrink_pct"),
    (dict(shrink_pct=float("nan")), "shrink_pct"),
    (dict(quarters=0), "quarters"),
    (dict(quarters=2.5), "quarters"),
    (dict(peak_quarters=0), "peak_quarters"),
    (dict(peak_loss_rmb_bn="35"), "peak_loss_rmb_bn"),
])
def test_loss_path_rejects_invalid_input(kw, match):
    args = dict(peak_loss_rmb_bn=35.0, shrink_pct=15.0, quarters=8, peak_quarters=1)
    args.update(kw)
    with pytest.raises(retail.RetailModelError, match=match):
        retail.loss_path(**args)


def test_cumulative_cost_is_the_geometric_sum():
    peak, s, n = 35.5, 15.0, 12
    q = 1 - s / 100
    expected = peak * (1 - q**n) / (1 - q)
    assert retail.cumulative_cost(retail.loss_path(peak, s, n)) == pytest.approx(expected)
    assert retail.cumulative_cost(retail.loss_path(peak, s, n), 2) == pytest.approx(peak * (1 + q))


def test_faster_shrink_costs_less_and_converges_sooner():
    costs, conv = [], []
    for s in (5.0, 10.0, 15.0, 20.0, 30.0):
        path = retail.loss_path(35.5, s, 40)
        costs.append(retail.cumulative_cost(path))
        conv.append(retail.convergence_index(path, 10.0))
    assert costs == sorted(costs, reverse=True) and len(set(costs)) == len(costs)
    assert conv == sorted(conv, reverse=True)
    assert conv[0] > conv[-1]


def test_higher_peak_costs_more_and_converges_no_sooner():
    a, b = retail.loss_path(30.0, 15.0, 24), retail.loss_path(45.0, 15.0, 24)
    assert retail.cumulative_cost(b) > retail.cumulative_cost(a)
    assert retail.convergence_index(b, 10.0) >= retail.convergence_index(a, 10.0)


def test_convergence_index_by_hand():
    # 40, 30, 22.5, 16.875, 12.66, 9.49: first at or below 10 is index 5
    assert retail.convergence_index(retail.loss_path(40.0, 25.0, 8), 10.0) == 5
    # exactly at the threshold counts as converged
    assert retail.convergence_index(retail.loss_path(40.0, 50.0, 4), 10.0) == 2
    # a peak already below the threshold converges at once
    assert retail.convergence_index(retail.loss_path(8.0, 10.0, 4), 10.0) == 0
    # never within the horizon
    assert retail.convergence_index(retail.loss_path(40.0, 0.0, 8), 10.0) is None


def test_convergence_label_names_the_horizon_when_there_is_no_convergence():
    assert retail.convergence_label(None, 12) == "not by FQ2 FY29 (CY Q3 2028)"
    assert retail.convergence_label(8, 12) == "FQ3 FY28 (CY Q4 2027)"


def test_losses_by_fiscal_year_splits_on_the_march_year_end():
    path = retail.loss_path(10.0, 0.0, 7)  # FQ3 FY26 .. FQ1 FY28
    assert retail.losses_by_fiscal_year(path) == {2026: 20.0, 2027: 40.0, 2028: 10.0}


def test_ebitda_under_path_moves_one_for_one_with_the_loss_gap():
    assert retail.ebitda_under_path(262.0, 80.0, 80.0) == 262.0
    assert retail.ebitda_under_path(262.0, 80.0, 100.0) == 242.0
    assert retail.ebitda_under_path(184.0, 60.0, 50.0) == 194.0
    with pytest.raises(retail.RetailModelError, match="forecast_rmb_bn"):
        retail.ebitda_under_path(float("inf"), 1.0, 1.0)


def test_required_shrink_reaches_the_threshold_exactly_at_the_deadline():
    need = retail.required_shrink_pct(35.5, 10.0, 5)
    assert need == pytest.approx(100 * (1 - (10 / 35.5) ** (1 / 5)))
    path = retail.loss_path(35.5, need, 8)
    assert retail.convergence_index(path, 10.0) == 5
    assert retail.convergence_index(retail.loss_path(35.5, need - 0.5, 8), 10.0) > 5


def test_required_shrink_edge_cases():
    assert retail.required_shrink_pct(8.0, 10.0, 3) == 0.0
    assert retail.required_shrink_pct(35.0, 10.0, 1, peak_quarters=2) is None  # still at the peak
    assert retail.required_shrink_pct(35.0, 10.0, 0) is None
    # a later peak needs a faster shrink for the same deadline
    assert retail.required_shrink_pct(35.0, 10.0, 5, 2) > retail.required_shrink_pct(35.0, 10.0, 5, 1)


# --- core commerce: the quarter the seeds report ----------------------------------------------

def test_margin_bridge_by_hand():
    b = retail.margin_bridge(105.0, 5.0, 20.0, 3.0)
    assert b["revenue_before_rmb_bn"] == pytest.approx(100.0)
    assert b["margin_before_pct"] == pytest.approx(20.0)
    assert b["margin_after_pct"] == pytest.approx(100 * 3 / 105)
    assert b["op_income_change_pct"] == pytest.approx(-85.0)
    assert b["shortfall_rmb_bn"] == pytest.approx(0.2 * 105 - 3)


def test_margin_bridge_rejects_nonsense():
    with pytest.raises(retail.RetailModelError, match="revenue_rmb_bn"):
        retail.margin_bridge(0.0, 5.0, 1.0, 1.0)
    with pytest.raises(retail.RetailModelError, match="revenue_growth_pct"):
        retail.margin_bridge(100.0, -100.0, 1.0, 1.0)


# --- sensitivity ------------------------------------------------------------------------------

def test_sensitivity_grid_matches_the_path_and_is_monotone():
    cost, when = retail.sensitivity([30.0, 40.0], [10.0, 20.0, 0.0], 12, 10.0)
    assert cost.loc[40.0, 20.0] == pytest.approx(retail.cumulative_cost(retail.loss_path(40.0, 20.0, 12)))
    assert cost.loc[40.0, 10.0] > cost.loc[40.0, 20.0] and cost.loc[40.0, 20.0] > cost.loc[30.0, 20.0]
    assert when.loc[40.0, 20.0] == retail.quarter(retail.convergence_index(retail.loss_path(40.0, 20.0, 12), 10.0)).fiscal
    assert when.loc[30.0, 0.0] == "after FQ2 FY29"
    with pytest.raises(retail.RetailModelError):
        retail.sensitivity([], [10.0], 12, 10.0)


def test_grid_around_includes_the_value_and_stays_in_range():
    assert retail.grid_around(35.5, 5.0, 5.0, 100.0) == [25.0, 30.0, 35.0, 35.5, 40.0, 45.0]
    assert retail.grid_around(15.0, 5.0, 0.0, 60.0) == [5.0, 10.0, 15.0, 20.0, 25.0]
    assert retail.grid_around(2.0, 5.0, 0.0, 60.0) == [0.0, 2.0, 5.0, 10.0]


# --- the chapter's results under the scenarios ------------------------------------------------

def test_base_path_reproduces_the_forecasts_when_it_is_what_they_embed():
    r = retail.scenario_result(base_p(), 35.5, 184.0, 262.0)
    assert r["ebitda_fy26_rmb_bn"] == pytest.approx(184.0)
    assert r["ebitda_fy27_rmb_bn"] == pytest.approx(262.0)
    assert r["loss_fy26_h2_rmb_bn"] == pytest.approx(35.5 * 1.85)


def test_slower_convergence_lowers_fy27_ebitda():
    slow = retail.scenario_result(base_p(shrink_pct=8.0, peak_quarters=2), 35.5, 184.0, 262.0)
    fast = retail.scenario_result(base_p(shrink_pct=25.0), 35.5, 184.0, 262.0)
    assert slow["ebitda_fy27_rmb_bn"] < 262.0 < fast["ebitda_fy27_rmb_bn"]
    assert slow["ebitda_fy26_rmb_bn"] < 184.0 < fast["ebitda_fy26_rmb_bn"]
    assert fast["meets_deadline"] and not slow["meets_deadline"]


def test_scenarios_are_ordered_bull_base_bear():
    res = {s: retail.scenario_result(types.SimpleNamespace(**params.scenario_parameters(s, "retail_war")),
                                     35.5, 184.0, 262.0) for s in ("bull", "base", "bear")}
    costs = [res[s]["cumulative_cost_rmb_bn"] for s in ("bull", "base", "bear")]
    assert costs == sorted(costs)
    assert res["bull"]["ebitda_fy27_rmb_bn"] > res["base"]["ebitda_fy27_rmb_bn"] > res["bear"]["ebitda_fy27_rmb_bn"]


class FakeClaims:
    """The ledger's value() for the claims the module reads, with the seeds' figures."""

    VALUES = {
        "nomura_peak": 35.0, "ubs_loss": 36.0, "last_quarter_loss": 36.0, "gs_ebitda_drop": -80.0,
        "ebitda_fy26": 184.0, "ebitda_fy27": 262.0, "revenue_growth": 5.0, "revenue": 247.8,
        "op_income_before": 35.2, "op_income_after": 5.4, "adj_earnings_change": -71.0,
        "fcf": -21.8, "capex_growth": 80.0,
    }

    def value(self, claim_id):
        role = {v: k for k, v in retail.CLAIMS.items()}[claim_id]
        return self.VALUES[role]


def test_every_claim_the_chapter_uses_is_in_the_ledger():
    from alibaba_report.evidence import ledger

    claims = ledger.load_claims()
    for role, claim_id in retail.CLAIMS.items():
        assert claim_id in claims, f"{role}: {claim_id} is not in data/claims.csv"
    assert retail.brokers_peak(claims) == pytest.approx(
        (claims.value(retail.CLAIMS["nomura_peak"]) + claims.value(retail.CLAIMS["ubs_loss"])) / 2)


def test_key_outputs_and_signposts():
    out = retail.key_outputs(base_p(), FakeClaims())
    assert out["convergence_quarter"] == "FQ3 FY28 (CY Q4 2027)"
    assert out["cumulative_cost_rmb_bn"] == pytest.approx(retail.cumulative_cost(retail.loss_path(35.5, 15.0, 12)))
    sp = retail.signposts(base_p(), FakeClaims())
    assert list(sp.columns) == ["signpost", "threshold", "unit", "if_better", "if_worse", "basis"]
    assert len(sp) >= 5 and sp["basis"].str.len().min() > 0
    # the next-quarter threshold is the loss that keeps convergence by the deadline on track
    need = retail.required_shrink_pct(35.5, 10.0, retail.quarter_index("FQ4 FY27"))
    assert sp.loc[1, "threshold"] == pytest.approx(round(35.5 * (1 - need / 100), 1))
    assert "FQ4 FY26" in sp.loc[1, "signpost"]
    # with two quarters at the peak the first shrinking quarter is FQ1 FY27, and its ceiling is lower
    late = retail.signposts(base_p(peak_quarters=2), FakeClaims())
    need2 = retail.required_shrink_pct(35.5, 10.0, retail.quarter_index("FQ4 FY27"), 2)
    assert "FQ1 FY27" in late.loc[1, "signpost"]
    assert late.loc[1, "threshold"] == pytest.approx(round(35.5 * (1 - need2 / 100), 1))
    assert late.loc[1, "threshold"] < sp.loc[1, "threshold"]


def test_next_loss_reading_is_three_way_and_a_loss_as_modelled_reads_base():
    # base: ceiling 27.6 for FQ4 FY26, the path itself puts 35.5 x 0.85 = 30.175 there
    need = retail.required_shrink_pct(35.5, 10.0, retail.quarter_index("FQ4 FY27"))
    ceiling, own = 35.5 * (1 - need / 100), 35.5 * 0.85
    assert ceiling < own
    assert retail.next_loss_reading(ceiling, ceiling, own) == "bull"
    assert retail.next_loss_reading(own, ceiling, own) == "base"
    assert retail.next_loss_reading((ceiling + own) / 2, ceiling, own) == "base"
    assert retail.next_loss_reading(own + 0.1, ceiling, own) == "bear"
    # a path that itself beats the ceiling: up to the ceiling is still on track
    assert retail.next_loss_reading(27.0, 27.2, 26.2) == "bull"
    assert retail.next_loss_reading(27.3, 27.2, 26.2) == "bear"
    with pytest.raises(retail.RetailModelError, match="loss_rmb_bn"):
        retail.next_loss_reading(float("nan"), 27.6, 30.2)


def test_next_quarter_signpost_names_both_levels_and_the_case():
    sp = retail.signposts(base_p(), FakeClaims(), case="the base case").loc[1]
    need = retail.required_shrink_pct(35.5, 10.0, retail.quarter_index("FQ4 FY27"))
    ceiling, own = f"{35.5 * (1 - need / 100):.1f}", f"{35.5 * 0.85:.1f}"
    assert "(bull)" in sp["if_better"]
    assert f"above RMB {ceiling}bn but at or below RMB {own}bn" in sp["if_worse"]
    assert "(the base case)" in sp["if_worse"] and f"above RMB {own}bn: slower than modelled (bear)" in sp["if_worse"]
    # without a case name the middle reading says what it is, not which scenario
    assert "(the case these parameters model)" in retail.signposts(base_p(), FakeClaims()).loc[1, "if_worse"]
    # a path that converges by the deadline: no middle band, the path's own loss is named on the better side
    fast = retail.signposts(base_p(shrink_pct=30.0), FakeClaims()).loc[1]
    assert f"{35.5 * 0.7:.1f}bn there" in fast["if_better"] and "but at or below" not in fast["if_worse"]
    # a deadline that falls while the loss is still at its peak: no threshold, said so in words
    stuck = retail.signposts(base_p(peak_quarters=8), FakeClaims())
    assert math.isnan(stuck.loc[1, "threshold"]) and "no loss in" in stuck.loc[1, "if_better"]
    md = retail.signposts_markdown(stuck, lambda cid: cid, set())
    assert "threshold none that can be reached" in md


# --- the notebook -----------------------------------------------------------------------------

def _parameters_cell_literals() -> dict:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    tree = ast.parse("".join(cells[0]["source"]))
    values = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, "the parameters cell holds assignments only"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def test_parameters_cell_defaults_equal_the_base_scenario():
    literals = _parameters_cell_literals()
    base = params.scenario_parameters("base", "retail_war")
    assert literals == base
    assert {k: type(v) for k, v in literals.items()} == {k: type(v) for k, v in base.items()}


def test_committed_outputs_match_the_model_under_base():
    from alibaba_report.evidence import ledger
    from conftest import glued
    import nbformat

    g = glued(nbformat.read(NOTEBOOK, as_version=4))
    out = retail.key_outputs(types.SimpleNamespace(**params.scenario_parameters("base", "retail_war")), ledger.load_claims())
    assert g["cum_cost"] == pytest.approx(out["cumulative_cost_rmb_bn"])
    assert g["conv_quarter"] == out["convergence_quarter"]
    assert g["ebitda27"] == pytest.approx(out["ebitda_fy27_rmb_bn"])


def test_wrong_type_is_rejected_with_what_is_allowed():
    values = params.scenario_parameters("base", "retail_war") | {"convergence_deadline": "end of 2027"}
    with pytest.raises(params.ParameterError, match=r"convergence_deadline.*one of 'FQ4 FY26'"):
        params.check_values("retail_war", values)
    values = params.scenario_parameters("base", "retail_war") | {"quarters_modelled": 12.5}
    with pytest.raises(params.ParameterError, match="quarters_modelled.*whole number"):
        params.check_values("retail_war", values)


def test_notebook_under_faster_convergence_changes_coherently(notebook_runner):
    import nbformat
    from conftest import glued

    base = glued(nbformat.read(NOTEBOOK, as_version=4))
    _, fast = notebook_runner("retail_war", shrink_pct=30.0, peak_loss_rmb_bn=30.0)
    assert fast["shrink"] == 30.0 and fast["peak"] == 30.0
    assert fast["cum_cost"] < base["cum_cost"]
    assert retail.quarter_index(fast["conv_quarter"].split(" (")[0]) < retail.quarter_index(base["conv_quarter"].split(" (")[0])
    assert fast["ebitda27"] > base["ebitda27"]
    assert "below" not in fast["ebitda27_sentence"] and "above" in fast["ebitda27_sentence"]
    assert fast["verdict"] == "a pace this path reaches"
    # the conclusion's reading of the next quarter: three-way under base, two-way when the path itself is on track
    assert "(the base case)" in base["next_reading_sentence"] and "(the bull case)" in base["next_reading_sentence"]
    assert "would keep convergence" in fast["next_reading_sentence"] and "base case" not in fast["next_reading_sentence"]
    # what the forecasts embed and the ledger figures do not move with the path
    assert fast["emb27"] == pytest.approx(base["emb27"]) and fast["fc27"] == base["fc27"]


def test_notebook_rejects_a_parameter_out_of_range(notebook_runner):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as exc:
        notebook_runner("retail_war", shrink_pct=75.0)
    assert "shrink_pct" in exc.value.evalue and "from 0 to 60" in exc.value.evalue


def test_notebook_rejects_an_unknown_parameter(notebook_runner):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as exc:
        notebook_runner("retail_war", shrink_rate=20.0)
    assert "unknown parameter 'shrink_rate'" in exc.value.evalue and "shrink_pct" in exc.value.evalue
