"""The instant-retail war: the loss-convergence model (alibaba_report.chapters.retail_war) and its notebook."""
from __future__ import annotations

import math
import re
import types
from pathlib import Path

import numpy as np
import pytest

from alibaba_report import params, precision
from alibaba_report.chapters import contract
from alibaba_report.chapters import retail_war as retail

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "book" / "retail_war.ipynb"


def base_p(**over):
    values = dict(peak_loss_rmb_bn=35.5, peak_quarters=1, shrink_pct=15.0, quarters_modelled=12,
                  converged_loss_rmb_bn=10.0, consensus_embedded_shrink_pct=15.0, convergence_deadline="FQ4 FY27")
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
    with pytest.raises(contract.ModelInputError):
        retail.quarter_index(bad)


def test_quarter_rejects_negative_index():
    with pytest.raises(contract.ModelInputError, match="quarter index"):
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
    with pytest.raises(contract.ModelInputError, match=match):
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
    with pytest.raises(contract.ModelInputError, match="forecast_rmb_bn"):
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
    with pytest.raises(contract.ModelInputError, match="revenue_rmb_bn"):
        retail.margin_bridge(0.0, 5.0, 1.0, 1.0)
    with pytest.raises(contract.ModelInputError, match="revenue_growth_pct"):
        retail.margin_bridge(100.0, -100.0, 1.0, 1.0)


# --- sensitivity ------------------------------------------------------------------------------

def test_sensitivity_grid_matches_the_path_and_is_monotone():
    cost, when = retail.sensitivity([30.0, 40.0], [10.0, 20.0, 0.0], 12, 10.0)
    assert cost.loc[40.0, 20.0] == pytest.approx(retail.cumulative_cost(retail.loss_path(40.0, 20.0, 12)))
    assert cost.loc[40.0, 10.0] > cost.loc[40.0, 20.0] and cost.loc[40.0, 20.0] > cost.loc[30.0, 20.0]
    assert when.loc[40.0, 20.0] == retail.quarter(retail.convergence_index(retail.loss_path(40.0, 20.0, 12), 10.0)).fiscal
    assert when.loc[30.0, 0.0] == "after FQ2 FY29"
    with pytest.raises(contract.ModelInputError):
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


def test_key_outputs_keep_the_keys_the_summary_reads():
    out = retail.key_outputs(base_p(), FakeClaims())
    assert out["convergence_quarter"] == "FQ3 FY28 (CY Q4 2027)"
    assert out["cumulative_cost_rmb_bn"] == pytest.approx(retail.cumulative_cost(retail.loss_path(35.5, 15.0, 12)))
    assert {"cumulative_cost_rmb_bn", "quarters_to_converge", "convergence_quarter", "ebitda_fy27_rmb_bn"} <= set(out)


# --- model inputs: one error type, naming the input, the value and what is expected ------------

@pytest.mark.parametrize("call, message", [
    (lambda: retail.loss_path(35.0, 120.0, 8), r"shrink_pct must be a number at least 0 and at most 100 \(% a quarter\), got 120.0"),
    (lambda: retail.loss_path(-1.0, 15.0, 8), r"peak_loss_rmb_bn must be a number at least 0 \(RMB bn a quarter\), got -1.0"),
    (lambda: retail.loss_path(35.0, 15.0, 2.5), r"quarters must be a whole number, got 2.5"),
    (lambda: retail.quarter(-1), r"quarter index must be a whole number at least 0, got -1"),
    (lambda: retail.convergence_index([1.0], float("nan")), r"converged_loss_rmb_bn must be a finite number, got nan"),
    (lambda: retail.margin_bridge(100.0, -100.0, 1.0, 1.0), r"revenue_growth_pct must be a number above -100 \(%\), got -100.0"),
    (lambda: retail.required_shrink_pct(35.0, 10.0, 3, peak_quarters=0), r"peak_quarters must be a whole number at least 1, got 0"),
    (lambda: retail.quarter_index("FQ5 FY27"), r"fiscal quarter must be FQ1 to FQ4, got 'FQ5 FY27'"),
    (lambda: retail.sensitivity([], [10.0], 12, 10.0), r"at least one peak loss and one shrink rate, got 0 peak\(s\) and 1 rate\(s\)"),
])
def test_bad_model_input_raises_model_input_error_naming_it(call, message):
    with pytest.raises(contract.ModelInputError, match=message):
        call()


def test_whole_numbers_given_as_floats_are_accepted():
    assert retail.loss_path(30.0, 0.0, 3.0, peak_quarters=1.0) == pytest.approx([30.0] * 3)
    assert retail.quarter(np.int64(2)).fiscal == "FQ1 FY27"


# --- the first quarter after the peak -----------------------------------------------------------

def test_first_shrink_losses_and_band():
    ceiling, own = retail.first_shrink_losses(35.5, 15.0, 20.0)
    assert ceiling == pytest.approx(35.5 * 0.8) and own == pytest.approx(35.5 * 0.85)
    assert own == pytest.approx(retail.loss_path(35.5, 15.0, 3)[1])
    assert retail.first_shrink_losses(35.5, 15.0, None)[0] is None
    assert retail.first_shrink_band(None, 30.2) == "out of reach"
    assert retail.first_shrink_band(27.6, 30.2) == "misses"
    assert retail.first_shrink_band(27.6, 27.6) == "on track"
    assert retail.first_shrink_band(27.6, 24.9) == "on track"


# --- signposts ----------------------------------------------------------------------------------

SPEC_NAMES = set(params.specs("retail_war"))


def _words(s: contract.Signpost) -> str:
    return " ".join((s.name, s.unit, s.if_better, s.if_worse))


@pytest.mark.parametrize("over", [{}, {"peak_quarters": 2}, {"shrink_pct": 30.0}, {"peak_quarters": 8}])
def test_signposts_follow_the_contract(over):
    posts = retail.signposts(base_p(**over), FakeClaims())
    assert len(posts) == 7 and all(isinstance(s, contract.Signpost) for s in posts)
    for s in posts:
        assert s.threshold is None or (isinstance(s.threshold, float) and math.isfinite(s.threshold))
        assert s.better_case in contract.CASES and s.worse_case in contract.CASES
        assert set(s.claims) <= set(retail.CLAIMS.values())
        assert set(s.assumptions) <= SPEC_NAMES
        named = [n for n in SPEC_NAMES if n in _words(s)]
        assert named == [], f"{s.name}: parameter names {named} in the reader's words"
    assert sum(len(s.claims) for s in posts) > 0 and sum(len(s.assumptions) for s in posts) > 0


def test_next_quarter_signpost_threshold_is_the_ceiling():
    posts = retail.signposts(base_p(), FakeClaims())
    need = retail.required_shrink_pct(35.5, 10.0, retail.quarter_index("FQ4 FY27"))
    assert posts[1].threshold == pytest.approx(round(35.5 * (1 - need / 100), 1))
    assert "FQ4 FY26" in posts[1].name
    # with two quarters at the peak the first shrinking quarter is FQ1 FY27, and its ceiling is lower
    late = retail.signposts(base_p(peak_quarters=2), FakeClaims())
    need2 = retail.required_shrink_pct(35.5, 10.0, retail.quarter_index("FQ4 FY27"), 2)
    assert "FQ1 FY27" in late[1].name
    assert late[1].threshold == pytest.approx(round(35.5 * (1 - need2 / 100), 1))
    assert late[1].threshold < posts[1].threshold


def test_first_shrink_signpost_when_the_path_misses_the_deadline():
    need = retail.required_shrink_pct(35.5, 10.0, retail.quarter_index("FQ4 FY27"))
    s = retail.first_shrink_signpost(base_p(), need, "FQ4 FY27", "the base case")
    ceiling, own = f"{35.5 * (1 - need / 100):.1f}", f"{35.5 * 0.85:.1f}"
    assert (s.better_case, s.worse_case) == ("bull", "base or bear")
    assert f"above RMB {ceiling}bn but at or below RMB {own}bn" in s.if_worse
    assert "(the base case)" in s.if_worse and f"above RMB {own}bn: slower than modelled (bear)" in s.if_worse
    bear = retail.first_shrink_signpost(base_p(), need, "FQ4 FY27", "the bear case")
    assert bear.worse_case == "bear" and "slower than modelled (worse than the bear case)" in bear.if_worse


def test_first_shrink_signpost_when_the_path_is_on_track_or_the_deadline_out_of_reach():
    fast = base_p(shrink_pct=30.0)
    need = retail.required_shrink_pct(35.5, 10.0, retail.quarter_index("FQ4 FY27"))
    s = retail.first_shrink_signpost(fast, need, "FQ4 FY27", "the bull case")
    assert f"{35.5 * 0.7:.1f}bn there" in s.if_better and "but at or below" not in s.if_worse
    assert (s.better_case, s.worse_case) == ("bull", "base or bear")
    stuck = retail.first_shrink_signpost(base_p(peak_quarters=8), None, "FQ4 FY27", "the case these parameters model")
    assert stuck.threshold is None and "no loss in" in stuck.if_better
    md = contract.signposts_markdown([stuck])
    assert "*no level can put the deadline within reach*" in md


def test_signposts_name_the_matching_scenario_without_being_told():
    bear = params.scenario_parameters("bear", "retail_war")
    told = retail.signposts(bear, FakeClaims(), case="the bear case")
    assert retail.signposts(bear, FakeClaims()) == told
    assert "(the case these parameters model)" in retail.signposts(base_p(shrink_pct=14.0), FakeClaims())[1].if_worse


# --- the page's sentences (both sides of every condition) ---------------------------------------

def test_plural_case_name_and_run_label():
    assert retail.plural(1, "quarter") == "1 quarter" and retail.plural(2, "quarter") == "2 quarters"
    assert retail.case_name(None) == "the case these parameters model" and retail.case_name("bear") == "the bear case"
    assert retail.run_label("base", "base") == "base (this page)" and retail.run_label("bull", "base") == "bull"
    assert retail.run_label("this page", None) == "this page"


def test_horizon_label():
    assert retail.horizon_label(12) == "12 quarters to FQ2 FY29 (CY Q3 2028)"
    assert retail.horizon_label(1) == "1 quarter to FQ3 FY26 (CY Q4 2025)"


def test_required_text_and_verdict():
    assert retail.required_text(None) == "—" and retail.required_text(22.44) == "22.4%"
    assert retail.verdict(None, 15.0) == "which no shrink rate can do, because the loss is still at its peak then"
    assert retail.verdict(22.4, 25.0) == "a pace this path reaches"
    assert retail.verdict(22.4, 22.4) == "a pace this path reaches"
    assert retail.verdict(22.4, 15.0) == "faster than the 15% this path assumes"


def test_next_ceiling_text_and_path_sentence():
    assert retail.next_ceiling_text(None) == "— (no shrink rate can reach the deadline)"
    assert retail.next_ceiling_text(27.56) == "RMB 27.6bn"
    assert retail.next_path_sentence(None, 30.175) == "This page's path puts it at RMB 30.2bn."
    assert retail.next_path_sentence(27.6, 30.175).endswith("above that ceiling: a loss exactly as modelled "
                                                             "would be on the path and still miss the deadline.")
    assert retail.next_path_sentence(27.6, 24.85) == "This page's path puts it at RMB 24.9bn, within that ceiling."


def test_required_pace_sentence():
    assert retail.required_pace_sentence(None).startswith("No shrink rate can meet that deadline")
    assert retail.required_pace_sentence(0.0).startswith("The peak is already at or below the converged level")
    assert retail.required_pace_sentence(50.0) == "At 50.0% a quarter the loss halves every 1.0 quarters."
    assert "halves every 2.7 quarters" in retail.required_pace_sentence(22.4)


def test_scenario_summary_says_quarter_or_quarters():
    text = retail.scenario_summary({"bull": dict(peak_loss_rmb_bn=35.0, peak_quarters=1, shrink_pct=25.0),
                                    "bear": dict(peak_loss_rmb_bn=40.0, peak_quarters=2, shrink_pct=8.0)})
    assert text == ("bull: peak RMB 35bn for 1 quarter, shrinking 25% a quarter; "
                    "bear: peak RMB 40bn for 2 quarters, shrinking 8% a quarter")


def test_cost_to_convergence_sentence():
    r = retail.scenario_result(base_p(), 35.5, 184.0, 262.0)
    assert retail.cost_to_convergence_sentence(r) == (
        f"By the time the loss reaches the converged level, in FQ3 FY28 (CY Q4 2027), the war has cost "
        f"RMB {r['cost_to_convergence_rmb_bn']:.0f}bn.")
    never = retail.scenario_result(base_p(shrink_pct=0.0), 35.5, 184.0, 262.0)
    assert retail.cost_to_convergence_sentence(never) == (
        "The loss does not reach the converged level within the horizon: the cost keeps growing beyond RMB 426bn.")


def test_ebitda27_sentence_and_range():
    assert retail.ebitda27_sentence(262.2, 262.0).startswith("RMB 262bn, the analysts' forecast itself")
    # the chapter's FY27 EBITDA is the war's driver alone, and says so: the summary's (every driver) differs
    assert retail.ebitda27_sentence(213.3, 262.0).startswith(
        "RMB 213bn with the war's path alone, RMB 49bn below the analysts' RMB 262bn forecast")
    assert retail.ebitda27_sentence(289.9, 262.0).startswith("RMB 290bn with the war's path alone, RMB 28bn above")
    assert retail.ebitda27_range(213.3, 289.9) == "the war alone, bear case: RMB 213bn; bull case: RMB 290bn"


def test_next_reading_sentence_three_ways_two_ways_or_none():
    first, deadline = "FQ4 FY26 (CY Q1 2026)", "FQ4 FY27 (CY Q1 2027)"
    three = retail.next_reading_sentence(first, deadline, 27.6, 30.175, "base")
    assert "at or below RMB 27.6bn would put convergence" in three and "(the bull case)" in three
    assert "at or below RMB 30.2bn" in three and "(the base case)" in three and three.endswith("(the bear case).")
    bear = retail.next_reading_sentence(first, deadline, 27.6, 32.0, "bear")
    assert "(the bear case)" in bear and bear.endswith("(worse than the bear case).")
    odd = retail.next_reading_sentence(first, deadline, 27.6, 30.175, None)
    assert "(the case these parameters model)" in odd
    two = retail.next_reading_sentence(first, deadline, 27.6, 24.85, "bull")
    assert "would keep convergence" in two and "this path puts RMB 24.9bn there" in two and "base case" not in two
    none = retail.next_reading_sentence(first, deadline, None, 35.5, None)
    assert none == f"no loss in {first} can put convergence by {deadline} on track: the loss is still at its peak then."


V = {"nomura_peak": 35.0, "ubs_loss": 36.0, "hundreds_of_billions": 100.0, "last_quarter_loss": 36.0,
     "tens_of_billions": 10.0, "revenue_growth": 5.0, "adj_earnings_change": -71.0, "capex_growth": 80.0, "fcf": -21.8}


def test_chart_titles_and_alt_texts_carry_the_numbers():
    assert retail.estimates_title(V, 35.5).startswith("Brokers put the peak-quarter loss at RMB 35–36bn")
    assert "at least 2.8 times as much" in retail.estimates_title(V, 35.5)
    alt = retail.estimates_alt(V, 35.5)
    assert "Nomura 35 and UBS 36" in alt and "at least 100 billion" in alt and alt.endswith("peak of 35.5 billion.")
    bridge = retail.margin_bridge(247.8, 5.0, 35.2, 5.4)
    assert retail.bridge_title(V, bridge) == ("Group revenue grew 5% but operating income fell 85%: "
                                              "the group operating margin went from 14.9% to 2.2%")
    assert "operating income -85%" in retail.bridge_alt(V, bridge) and "free cash flow -21.8" in retail.bridge_alt(V, bridge)


def test_paths_title_and_alt_both_ways():
    r = retail.scenario_result(base_p(), 35.5, 184.0, 262.0)
    never = retail.scenario_result(base_p(shrink_pct=0.0), 35.5, 184.0, 262.0)
    assert retail.paths_title(r, 10.0, 12) == ("On this page's path the loss falls to RMB 10bn or less in "
                                               "FQ3 FY28 (CY Q4 2027), after costing RMB 203bn over 12 quarters")
    assert "is still above RMB 10bn at the end of the horizon" in retail.paths_title(never, 10.0, 12)
    assert retail.converges_text(r) == "in FQ3 FY28" and retail.converges_text(never) == "not within the horizon"
    runs = {"base": r, "this page": never}
    on_scenario = retail.paths_alt({"base": r}, {"base": "base (this page)"}, "base", 10.0, 12)
    assert "scenarios, with a dotted line" in on_scenario and "base (this page) costs 203 billion and converges in FQ3 FY28" in on_scenario
    off = retail.paths_alt(runs, {"base": "base", "this page": "this page"}, None, 10.0, 12)
    assert "scenarios and the path modelled here" in off and "this page costs 426 billion and converges not within the horizon" in off


# --- the page as a whole: compute, figures, prose, charts ----------------------------------------

def _glue_names_in_markdown() -> set[str]:
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return set(re.findall(r"\{glue:text\}`([a-z0-9_]+)", text))


def test_every_number_and_sentence_the_page_glues_comes_from_the_module(ledger):
    p = params.check_values("retail_war", params.scenario_parameters("base", "retail_war"))
    r = retail.compute(p, ledger)
    numbers, text = retail.figures(r), retail.prose(p, ledger)
    names = _glue_names_in_markdown()
    assert len(names) > 40
    assert names <= set(numbers) | set(text), sorted(names - set(numbers) - set(text))
    assert not set(numbers) & set(text)
    assert all(isinstance(v, float) for v in numbers.values())
    assert all(isinstance(v, str) and v.strip() for v in text.values())


def test_compute_adds_this_page_only_when_it_is_no_scenario(ledger):
    base = retail.compute(params.scenario_parameters("base", "retail_war"), ledger)
    assert base["match"] == "base" and list(base["runs"]) == ["bull", "base", "bear"]
    assert base["labels"]["base"] == "base (this page)" and "base (this page)" in base["scenario_table"].columns
    own = retail.compute(base_p(shrink_pct=20.0), ledger)
    assert own["match"] is None and list(own["runs"]) == ["bull", "base", "bear", "this page"]
    assert own["runs"]["this page"]["cumulative_cost_rmb_bn"] == pytest.approx(own["cumulative_cost_rmb_bn"])
    assert "this page" in retail.prose(base_p(shrink_pct=20.0), ledger)["paths_alt"]
    # the sensitivity grid holds the page's own peak and shrink
    assert 20.0 in own["cost_grid"].columns and 35.5 in own["cost_grid"].index
    assert len(own["deadline_table"]) == len(params.specs("retail_war")["convergence_deadline"].choices)


def test_charts_are_finished_in_the_house_style(ledger):
    import matplotlib.pyplot as plt

    r = retail.compute(params.scenario_parameters("base", "retail_war"), ledger)
    titles = {"estimates": retail.estimates_title(r["ledger"], r["brokers_peak_rmb_bn"]),
              "bridge": retail.bridge_title(r["ledger"], r["bridge"]),
              "paths": retail.paths_title(r, 10.0, 12)}
    for name, chart in (("estimates", retail.chart_estimates), ("bridge", retail.chart_bridge), ("paths", retail.chart_paths)):
        fig = chart(r, ledger)
        try:
            assert fig._suptitle.get_text().replace("\n", " ") == titles[name]
            source = next(t.get_text() for t in fig.texts if t.get_text().startswith("Source:"))
            assert "data/" not in source and not [n for n in SPEC_NAMES if n in source.replace("\n", "")]
        finally:
            plt.close(fig)
    assert list(retail.paths_data(r).columns) == ["bull", "base (this page)", "bear"]
    assert "margin_after_pct" in retail.bridge_data(r).index

# --- the notebook -----------------------------------------------------------------------------

def test_committed_outputs_match_the_model_under_base():
    from alibaba_report.evidence import ledger
    from conftest import glued
    import nbformat

    g = glued(nbformat.read(NOTEBOOK, as_version=4))
    out = retail.key_outputs(types.SimpleNamespace(**params.scenario_parameters("base", "retail_war")), ledger.load_claims())
    assert g["cum_cost"] == precision.stated(out["cumulative_cost_rmb_bn"])  # glued at the stated precision
    assert g["conv_quarter"] == out["convergence_quarter"]
    assert g["ebitda27"] == precision.stated(out["ebitda_fy27_rmb_bn"])


def test_wrong_type_is_rejected_with_what_is_allowed():
    values = params.scenario_parameters("base", "retail_war") | {"convergence_deadline": "end of 2027"}
    with pytest.raises(params.ParameterError, match=r"convergence_deadline.*one of 'FQ4 FY26'"):
        params.check_values("retail_war", values)
    values = params.scenario_parameters("base", "retail_war") | {"quarters_modelled": 12.5}
    with pytest.raises(params.ParameterError, match="quarters_modelled.*whole number"):
        params.check_values("retail_war", values)


def test_notebook_under_faster_convergence_changes_coherently(notebook_values):
    import nbformat
    from conftest import glued

    base = glued(nbformat.read(NOTEBOOK, as_version=4))
    fast = notebook_values("retail_war", shrink_pct=30.0, peak_loss_rmb_bn=30.0)
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


def test_notebook_rejects_a_parameter_out_of_range(notebook_values):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as exc:
        notebook_values("retail_war", shrink_pct=75.0)
    assert "shrink_pct" in exc.value.evalue and "from 0 to 60" in exc.value.evalue


def test_notebook_rejects_an_unknown_parameter(notebook_values):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as exc:
        notebook_values("retail_war", shrink_rate=20.0)
    assert "unknown parameter 'shrink_rate'" in exc.value.evalue and "shrink_pct" in exc.value.evalue


# --- the vectorised loss path (the model of value's too) ----------------------------------------

def test_loss_path_broadcasts_one_path_per_element_equal_to_the_scalar_paths():
    peaks, shrinks, held = np.array([20.0, 35.5, 60.0]), np.array([0.0, 15.0, 40.0]), np.array([1, 2, 3])
    paths = retail.loss_path(peaks, shrinks, 8, held)
    assert paths.shape == (3, 8)
    for i in range(3):
        np.testing.assert_allclose(paths[i], retail.loss_path(float(peaks[i]), float(shrinks[i]), 8, int(held[i])),
                                   rtol=1e-12)
    grid = retail.loss_path(peaks[:, None], shrinks[None, :], 5)  # every peak against every shrink
    assert grid.shape == (3, 3, 5)
    np.testing.assert_allclose(grid[2, 1], retail.loss_path(60.0, 15.0, 5), rtol=1e-12)


@pytest.mark.parametrize("kwargs, named", [
    (dict(peak_loss_rmb_bn=np.array([30.0, -1.0]), shrink_pct=10.0), r"peak_loss_rmb_bn\[1\]"),
    (dict(peak_loss_rmb_bn=30.0, shrink_pct=np.array([10.0, np.nan])), r"shrink_pct\[1\]"),
    (dict(peak_loss_rmb_bn=30.0, shrink_pct=np.array([[10.0], [120.0]])), r"shrink_pct\[1, 0\]"),
    (dict(peak_loss_rmb_bn=30.0, shrink_pct=10.0, peak_quarters=np.array([1, 1.5])), r"peak_quarters\[1\]"),
    (dict(peak_loss_rmb_bn=np.array([]), shrink_pct=10.0), "at least one number"),
    (dict(peak_loss_rmb_bn=np.array([30.0, True], dtype=object), shrink_pct=10.0), r"peak_loss_rmb_bn\[1\]"),
])
def test_loss_path_names_the_bad_element_of_an_array(kwargs, named):
    with pytest.raises(contract.ModelInputError, match=named):
        retail.loss_path(quarters=6, **kwargs)


# --- the summary's row --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def claims():
    from alibaba_report.evidence import ledger

    return ledger.load_claims()


@pytest.mark.parametrize("scenario", ["bear", "base", "bull"])
def test_headline_shows_the_chapters_cost_and_convergence_as_the_page_rounds_them(claims, scenario):
    p = types.SimpleNamespace(**params.scenario_parameters(scenario, "retail_war"))
    out, row = retail.key_outputs(p, claims), retail.headline(p, claims)
    assert contract.headline_problems(row) == []
    assert row["figure"].startswith(f"RMB {out['cumulative_cost_rmb_bn']:.0f} billion of losses over ")
    assert f"over {retail.count_words(p.quarters_modelled)} quarters" in row["figure"]
    when = (f"does not converge by {retail.quarter(p.quarters_modelled - 1).label}"
            if out["quarters_to_converge"] is None else f"converges in {out['convergence_quarter']}")
    assert row["figure"].endswith(f"; the loss {when}")
    assert row["meaning"] == "the cost turns on how fast the loss shrinks"


def test_headline_reproduces_the_summarys_base_row(claims):
    p = types.SimpleNamespace(**params.scenario_parameters("base", "retail_war"))
    cost = retail.key_outputs(p, claims)["cumulative_cost_rmb_bn"]
    row = retail.headline(p, claims, case="base")
    assert re.fullmatch(rf"RMB {cost:.0f} billion of losses over twelve quarters; the loss converges in "
                        r"FQ\d FY\d\d \(CY Q\d 20\d\d\)", row["figure"]), row
    assert row["meaning"] == f"the cost turns on how fast the loss shrinks ({p.shrink_pct:g}% a quarter in the base case)"


def test_headline_says_in_words_when_the_loss_never_converges(claims):
    p = base_p(shrink_pct=0.0, quarters_modelled=24)
    row = retail.headline(p, claims)
    assert contract.headline_problems(row) == []
    assert row["figure"].endswith(f"the loss does not converge by {retail.quarter(23).label}")
    assert "twenty-four quarters" in row["figure"]
    assert f"RMB {35.5 * 24:.0f} billion" in row["figure"]


@pytest.mark.parametrize("case, shown", [("bear", "the bear case"), ("the bull case", "the bull case"),
                                         ("my_case", r"the my\_case case")])
def test_headline_names_the_case_it_is_given(claims, case, shown):
    assert f"in {shown})" in retail.headline(base_p(), claims, case=case)["meaning"]


def test_headline_escapes_a_hostile_case_name_for_the_table(claims):
    row = retail.headline(base_p(), claims, case="x|y<script>`\nz")
    assert contract.headline_problems(row) == [], row
    assert r"x\|y\<script\>\` z" in row["meaning"]


@pytest.mark.parametrize("n, words", [(6, "six"), (12, "twelve"), (21, "twenty-one"), (24, "twenty-four"), (25, "25")])
def test_count_words(n, words):
    assert retail.count_words(n) == words
