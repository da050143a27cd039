"""The cloud and AI chapter: unit tests of alibaba_report.chapters.cloud_ai, and papermill runs of its notebook."""
from __future__ import annotations

import math
import re
import types
from pathlib import Path

import numpy as np
import pytest

from alibaba_report import params
from alibaba_report.chapters import cloud_ai as cloud
from alibaba_report.chapters.contract import CASES, ModelInputError, Signpost

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "cloud_ai"


def base_p(**changes) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{**params.scenario_parameters("base", NOTEBOOK), **changes})


# --- reported quarter ------------------------------------------------------------------------

def test_annual_run_rate_is_four_quarters_converted():
    assert cloud.annual_run_rate_rmb_bn(5.0, 7.0) == pytest.approx(140.0)


@pytest.mark.parametrize("q, fx", [(0, 7.0), (-1, 7.0), (5.0, 0), (5.0, float("nan"))])
def test_annual_run_rate_rejects_non_positive(q, fx):
    with pytest.raises(ModelInputError):
        cloud.annual_run_rate_rmb_bn(q, fx)


def test_margin_pct():
    assert cloud.margin_pct(9, 100) == pytest.approx(9.0)
    with pytest.raises(ModelInputError, match="revenue"):
        cloud.margin_pct(1, 0)


def test_incremental_margin_by_hand():
    # revenue 150 after +50 % (was 100), profit 30 after +100 % (was 15): 15 / 50 = 30 %
    assert cloud.incremental_margin_pct(150, 50, 30, 100) == pytest.approx(30.0)
    # profit growing as fast as revenue keeps the margin: incremental margin = margin
    assert cloud.incremental_margin_pct(200, 25, 20, 25) == pytest.approx(10.0)
    with pytest.raises(ModelInputError, match="revenue_growth_pct"):
        cloud.incremental_margin_pct(100, 0, 10, 5)


# --- revenue path ----------------------------------------------------------------------------

def test_growth_path_fades_and_floors_at_zero():
    np.testing.assert_allclose(cloud.growth_path_pct(10, 4, 4), [10, 6, 2, 0])
    np.testing.assert_allclose(cloud.growth_path_pct(35, 0, 3), [35, 35, 35])
    with pytest.raises(ModelInputError, match="years"):
        cloud.growth_path_pct(35, 3, 0)
    with pytest.raises(ModelInputError, match="fade_pp"):
        cloud.growth_path_pct(35, -1, 3)


def test_revenue_path_compounds():
    np.testing.assert_allclose(cloud.revenue_path(100, [10, 20]), [100, 110, 132])
    with pytest.raises(ModelInputError):
        cloud.revenue_path(100, [-100])


def test_ai_share_path_straight_line_then_flat():
    np.testing.assert_allclose(cloud.ai_share_path_pct(30, 50, 2, 4), [30, 40, 50, 50, 50])
    np.testing.assert_allclose(cloud.ai_share_path_pct(30, 50, 1, 2), [30, 50, 50])
    with pytest.raises(ModelInputError, match="target_pct"):
        cloud.ai_share_path_pct(30, 120, 1, 2)


def test_revenue_table_splits_and_converts():
    t = cloud.revenue_table(100, 50, 0, 2, 30, 50, 1, 5.0)
    np.testing.assert_allclose(t["revenue_rmb_bn"], [100, 150, 225])
    np.testing.assert_allclose(t["revenue_usd_bn"], [20, 30, 45])
    np.testing.assert_allclose(t["ai_revenue_rmb_bn"] + t["other_revenue_rmb_bn"], t["revenue_rmb_bn"])
    # AI: 30 -> 75 (+150 %); the rest: 70 -> 75 (+7.1 %)
    assert cloud.implied_growth_pct(t, "ai_revenue_rmb_bn") == pytest.approx(150.0)
    assert cloud.implied_growth_pct(t, "other_revenue_rmb_bn") == pytest.approx(100 * (75 / 70 - 1))


def test_ai_share_rising_fast_with_slower_growth_shrinks_the_rest():
    t = cloud.revenue_table(100, 20, 0, 1, 30, 50, 1, 7.0)
    assert cloud.implied_growth_pct(t, "other_revenue_rmb_bn") < 0


# --- the programme ---------------------------------------------------------------------------

def test_capex_schedule_and_in_service():
    np.testing.assert_allclose(cloud.capex_schedule(300, 3, 5), [100, 100, 100, 0, 0])
    frac = cloud.in_service(2, 3, 5)
    np.testing.assert_allclose(frac, [[0.5, 1, 1, 0.5, 0], [0, 0.5, 1, 1, 0.5]])
    np.testing.assert_allclose(frac.sum(axis=1), [3, 3])  # each tranche serves its life
    with pytest.raises(ModelInputError, match="years"):
        cloud.capex_schedule(300, 3, 2)
    with pytest.raises(ModelInputError, match="capex_years"):
        cloud.capex_schedule(300, 0, 2)
    with pytest.raises(ModelInputError, match="asset_life_years"):
        cloud.in_service(2, 2.5, 5)


def test_horizon():
    assert cloud.horizon_years(3, 5) == 8


def test_payback_table_by_hand_capacity_bound():
    # One tranche of 100, life 2: in service 0.5, 1, 0.5 over years 1..3. Demand far above
    # capacity, so revenue = capacity = 100 x 0.5 turnover x 80 % = 40 a full year.
    rev = [100, 1000, 2000, 3000]
    t = cloud.payback_table(rev, 100, 1, 2, 0.5, 80, 50)
    np.testing.assert_allclose(t["earned_rmb_bn"], [20, 40, 20])
    np.testing.assert_allclose(t["depreciation_rmb_bn"], [25, 50, 25])
    np.testing.assert_allclose(t["cash_profit_rmb_bn"], [10, 20, 10])
    np.testing.assert_allclose(t["cumulative_cash_rmb_bn"], [-90, -70, -60])
    np.testing.assert_allclose(t["utilisation_used_pct"], [80, 80, 80])
    np.testing.assert_allclose(t["needed_rmb_bn"], [50, 100, 50])  # depreciation / margin
    assert t["depreciation_rmb_bn"].sum() == pytest.approx(100)
    assert cloud.payback_year(t) is None
    assert cloud.cash_multiple(t) == pytest.approx(0.4)
    assert cloud.breakeven_margin_pct(t) == pytest.approx(125.0)  # 100 capex / 80 revenue


def test_payback_table_by_hand_demand_bound():
    # Demand: run-rate +10 a year, so the year's increment averages 5, 15, 25 -- below capacity.
    rev = [100, 110, 120, 130]
    t = cloud.payback_table(rev, 10, 1, 2, 10.0, 100, 50)
    np.testing.assert_allclose(t["demand_rmb_bn"], [5, 15, 25])
    np.testing.assert_allclose(t["earned_rmb_bn"], [5, 15, 25])
    np.testing.assert_allclose(t["cumulative_cash_rmb_bn"], [-7.5, 0, 12.5])
    assert cloud.payback_year(t) == 2
    assert cloud.payback_label(2) == "year 2"
    assert cloud.payback_label(None) == "not within the assets' life"


def test_payback_table_needs_the_whole_horizon():
    with pytest.raises(ModelInputError, match="years 0..8"):
        cloud.payback_table([100] * 5, 460, 3, 5, 0.5, 90, 40)
    with pytest.raises(ModelInputError, match="utilisation_pct"):
        cloud.payback_table([100] * 9, 460, 3, 5, 0.5, 120, 40)


def test_irr_by_hand():
    assert cloud.irr_pct([-100, 110]) == pytest.approx(10.0, abs=1e-6)
    assert cloud.irr_pct([-100, 0, 121]) == pytest.approx(10.0, abs=1e-6)
    assert cloud.irr_pct([-100, 50]) == pytest.approx(-50.0, abs=1e-6)
    assert math.isnan(cloud.irr_pct([-100, 0]))
    with pytest.raises(ModelInputError):
        cloud.irr_pct([])


def test_breakeven_utilisation_pays_back_exactly():
    p = base_p(cash_margin_pct=60.0)
    rev = cloud.revenue_table(150, p.cloud_growth_pct, p.cloud_growth_fade_pp, 8, 30, 50, 1, 7.1)["revenue_rmb_bn"]
    u = cloud.breakeven_utilisation_pct(rev, p.capex_rmb_bn, 3, 5, p.capex_turnover, 60.0)
    assert u is not None and 0 < u < 100
    m = cloud.cash_multiple(cloud.payback_table(rev, p.capex_rmb_bn, 3, 5, p.capex_turnover, u, 60.0))
    assert m == pytest.approx(1.0, abs=1e-6)
    assert cloud.breakeven_utilisation_pct(rev, p.capex_rmb_bn, 3, 5, p.capex_turnover, 5.0) is None


def test_breakeven_turnover_pays_back_exactly():
    p = base_p()
    rev = cloud.revenue_table(150, p.cloud_growth_pct, p.cloud_growth_fade_pp, 8, 30, 50, 1, 7.1)["revenue_rmb_bn"]
    k = cloud.breakeven_turnover(rev, p.capex_rmb_bn, 3, 5, p.utilisation_pct, p.cash_margin_pct)
    assert k is not None and 0 < k < 2
    m = cloud.cash_multiple(cloud.payback_table(rev, p.capex_rmb_bn, 3, 5, k, p.utilisation_pct, p.cash_margin_pct))
    assert m == pytest.approx(1.0, abs=1e-6)
    below = cloud.cash_multiple(cloud.payback_table(rev, p.capex_rmb_bn, 3, 5, 0.95 * k, p.utilisation_pct,
                                                    p.cash_margin_pct))
    assert below < 1.0
    # slow growth: demand, not capacity, caps revenue, so no turnover is enough
    slow = cloud.revenue_table(150, 5, 2, 8, 30, 50, 1, 7.1)["revenue_rmb_bn"]
    assert cloud.breakeven_turnover(slow, p.capex_rmb_bn, 3, 5, p.utilisation_pct, p.cash_margin_pct) is None


def test_breakeven_margin_display_matches_the_model():
    p = base_p()
    tab = cloud.breakeven_margin_display(p, 160.0, [0.2, 0.5], [50.0, 90.0])
    assert tab.loc[0.2, 50.0] == "none"  # no margin up to 100 % pays back
    expected = cloud.project(base_p(capex_turnover=0.5, utilisation_pct=90.0), 160.0)["breakeven_margin_pct"]
    assert tab.loc[0.5, 90.0] == f"{expected:.1f}"
    assert float(tab.loc[0.5, 50.0]) > float(tab.loc[0.5, 90.0])  # less sold, more margin needed


# --- the whole model, as a reader cares about it ---------------------------------------------

def test_project_is_monotone_in_margin_utilisation_and_life():
    base = 160.0
    r = cloud.project(base_p(), base)
    for change in ({"cash_margin_pct": 55.0}, {"utilisation_pct": 100.0}, {"asset_life_years": 7}):
        better = cloud.project(base_p(**change), base)
        assert better["cash_multiple"] > r["cash_multiple"], change
        assert better["irr_pct"] > r["irr_pct"], change
    worse = cloud.project(base_p(cloud_growth_pct=10.0, cloud_growth_fade_pp=5.0), base)
    assert worse["cash_multiple"] < r["cash_multiple"]


def test_breakeven_margin_is_where_payback_happens():
    r = cloud.project(base_p(), 160.0)
    m = r["breakeven_margin_pct"]
    assert cloud.project(base_p(cash_margin_pct=m + 0.5), 160.0)["payback_year"] is not None
    assert cloud.project(base_p(cash_margin_pct=m - 0.5), 160.0)["payback_year"] is None


def test_capex_size_matters_less_than_its_economics_when_demand_fills_it():
    # Scaling the programme scales capacity with it: the cash multiple moves little, while the
    # peak revenue it earns moves almost in proportion.
    a = cloud.project(base_p(capex_rmb_bn=380.0), 160.0)
    b = cloud.project(base_p(capex_rmb_bn=460.0), 160.0)
    assert abs(a["cash_multiple"] - b["cash_multiple"]) < 0.1
    assert b["peak_earned_rmb_bn"] > a["peak_earned_rmb_bn"]


def test_sensitivity_table_shape_and_values():
    p = base_p()
    tab = cloud.sensitivity(p, 160.0, ("cloud_growth_pct", [20.0, 40.0]), ("cash_margin_pct", [30.0, 60.0]),
                            metric="cash_multiple")
    assert tab.shape == (2, 2)
    assert tab.loc[40.0, 60.0] == pytest.approx(cloud.project(base_p(cloud_growth_pct=40.0, cash_margin_pct=60.0), 160.0)["cash_multiple"])
    assert tab.loc[40.0, 60.0] > tab.loc[20.0, 30.0]
    with pytest.raises(ModelInputError, match="unknown parameter"):
        cloud.sensitivity(p, 160.0, ("growth", [1.0]), ("cash_margin_pct", [1.0]))
    assert cloud.grid_with([20, 30], 25) == [20.0, 25.0, 30.0]
    assert cloud.grid_with([20, 30], 30) == [20.0, 30.0]


def test_the_grids_fast_path_gives_the_detailed_model_s_numbers():
    """The sensitivity grids run the model without tables or bisections; each cell must equal the
    detailed run, to the last bit."""
    p = base_p()
    grids = cloud.sensitivity_grids(p, 160.0, ("cloud_growth_pct", [20.0, 45.0]), ("cash_margin_pct", [30.0, 60.0]),
                                    ("payback_year", "irr_pct", "breakeven_margin_pct", "cash_multiple"))
    for g in (20.0, 45.0):
        for m in (30.0, 60.0):
            full = cloud.project(base_p(cloud_growth_pct=g, cash_margin_pct=m), 160.0)
            light = cloud.project(base_p(cloud_growth_pct=g, cash_margin_pct=m), 160.0, detail=False)
            assert "payback" in full and "payback" not in light
            for metric, grid in grids.items():
                assert light[metric] == full[metric] or (light[metric] is None and full[metric] is None)
                cell = grid.loc[g, m]
                assert (cell == full[metric]) or (full[metric] is None and math.isnan(cell)), (g, m, metric)
    # a metric only the detailed run has makes the grid run it
    slow = cloud.sensitivity(p, 160.0, ("cash_margin_pct", [60.0]), ("utilisation_pct", [90.0]),
                             metric="breakeven_utilisation_pct")
    assert slow.loc[60.0, 90.0] == cloud.project(base_p(cash_margin_pct=60.0), 160.0)["breakeven_utilisation_pct"]


def test_in_service_matches_the_half_year_rule_cell_by_cell():
    frac = cloud.in_service(3, 4, 9)
    for s in range(3):
        for t in range(9):
            expected = 0.5 if t in (s, s + 4) else 1.0 if s < t < s + 4 else 0.0
            assert frac[s, t] == expected, (s, t)


# --- inputs are checked with the contract's check_number ---------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: cloud.annual_run_rate_rmb_bn(5.59, "7.1"), r"usd_rmb must be a number \(RMB per USD\), got '7.1'"),
    (lambda: cloud.annual_run_rate_rmb_bn(-1, 7.1), r"quarter_revenue_usd_bn must be a number above 0 \(USD bn\), got -1"),
    (lambda: cloud.margin_pct(float("nan"), 100), r"profit must be a finite number, got nan"),
    (lambda: cloud.payback_table([100] * 9, 460, 3, 5, 0.5, 120, 40),
     r"utilisation_pct must be a number at least 0 and at most 100 \(% of capacity\), got 120"),
    (lambda: cloud.horizon_years(3, 5.5), r"asset_life_years must be a whole number, got 5.5"),
    (lambda: cloud.breakeven_turnover([100] * 9, 460, 3, 5, 90, 40, highest=0),
     r"highest must be a number above 0, got 0"),
    (lambda: cloud.fiscal_years_in("2026 to 2028"), r"expected a period like 'FY2026-FY2028', got '2026 to 2028'"),
    (lambda: cloud.irr_pct([1.0, float("inf")]), r"cash_flows must be a non-empty list of finite numbers"),
])
def test_a_bad_model_input_names_itself_the_value_and_what_is_expected(call, message):
    with pytest.raises(ModelInputError, match=message):
        call()


# --- the contract: compute, key outputs, signposts, prose, charts ------------------------------

@pytest.fixture(scope="module")
def claims():
    from alibaba_report.evidence import ledger

    return ledger.load_claims()


@pytest.fixture(scope="module")
def base_result(claims):
    return cloud.compute(base_p(), claims)


def test_compute_gives_every_number_table_and_chart_s_data(base_result, claims):
    r = base_result
    assert set(r["tables"]) == {"evidence", "revenue", "payback", "breakeven_margin", "growth_margin",
                                "life_utilisation", "scenarios"}
    assert set(r["chart_data"]) == {"ai_share", "capex_vs_revenue", "cumulative_cash"}
    n = r["numbers"]
    assert len(n) > 40 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in n.values())
    # numbers glue as plain Python numbers: a numpy scalar would show as np.float64(...) on the page
    assert all(type(v) in (int, float) for v in n.values())
    assert n["run_rate_rmb_bn"] == cloud.annual_run_rate_rmb_bn(claims.value(cloud.CLAIMS["revenue_usd_bn"]), 7.1)
    assert n["capex_x_revenue"] == pytest.approx(460 / n["run_rate_rmb_bn"])
    assert n["cloud_breakeven_margin_pct"] == r["result"]["breakeven_margin_pct"]
    assert list(r["tables"]["scenarios"].columns) == list(cloud.SCENARIOS)
    # the AI chart stops a year after the later of the spending and the AI ramp, never past the horizon
    assert list(r["chart_data"]["ai_share"]["year"]) == [0, 1, 2, 3, 4]
    assert cloud.chart_years(base_p(ai_share_years=10, capex_years=1, asset_life_years=2)) == 3


def test_key_outputs_follow_the_parameters(claims):
    base = cloud.key_outputs(base_p(), claims)
    # the run-rate is the reported quarter x 4 at the shared rate
    assert base["cloud_run_rate_rmb_bn"] == pytest.approx(4 * claims.value(cloud.CLAIMS["revenue_usd_bn"]) * base_p().usd_rmb)
    richer = cloud.key_outputs(base_p(cash_margin_pct=60.0), claims)
    assert richer["return_on_capex_pct"] > base["return_on_capex_pct"]
    assert richer["payback_year"] is not None
    assert richer["breakeven_margin_pct"] == pytest.approx(base["breakeven_margin_pct"])  # margin-free
    # the scenario table of the page reads the same key outputs the summary does
    bull = cloud.key_outputs(cloud.scenario_parameters("bull"), claims)
    table = cloud.compute(base_p(), claims)["tables"]["scenarios"]
    assert table.loc["payback", "bull"] == bull["payback"]


def test_signposts_are_typed_and_cite_the_ledger(claims):
    posts = cloud.signposts(base_p(), claims)
    assert len(posts) == 6 and all(isinstance(s, Signpost) for s in posts)
    names = set(params.specs(NOTEBOOK))
    for s in posts:
        assert s.better_case in CASES and s.worse_case in CASES
        assert all(c in claims for c in s.claims), s.name
        assert set(s.assumptions) <= names, s.name
        words = " ".join((s.name, s.unit, s.if_better, s.if_worse))
        assert not any(n in words for n in names), s.name  # no parameter name in the sentences
        assert not any(cid in words for cid in claims.df["id"]), s.name  # no claim id either
    assert sum(1 for s in posts if s.claims) == 5  # the capacity signpost rests on a statement, not a figure
    assert posts[0].threshold == claims.value(cloud.CLAIMS["growth_bar"])
    # the margin signpost: the page's one name for the profit, at the computed margin (506 / 5590 = 9.05 %)
    margin = next(s for s in posts if "segment margin" in s.name)
    assert cloud.PROFIT_LABEL in margin.name
    ratio = claims.value(cloud.CLAIMS["ebita_usd_m"]) / (1000 * claims.value(cloud.CLAIMS["revenue_usd_bn"]))
    assert margin.threshold == pytest.approx(round(100 * ratio, 2))
    # the capacity level is the scenario's assumption, and says so
    bear = cloud.signposts(cloud.scenario_parameters("bear"), claims, case="the bear case")
    capacity = next(s for s in bear if s.name.startswith("Capacity"))
    assert capacity.threshold == 75.0 and "the bear case" in capacity.unit
    assert "years" in bear[1].unit  # the bear case's AI ramp takes 3 years


def test_signpost_words_follow_the_case_and_the_break_even():
    assert cloud.capacity_unit("the bull case").endswith("assumed in the bull case")
    assert cloud.capacity_unit(None).endswith("this page assumes")
    assert cloud.breakeven_utilisation_clause(None) == ""
    assert cloud.breakeven_utilisation_clause(73.6) == ("; below 74% of capacity sold the programme does not pay "
                                                        "back at the assumed margin")


def test_prose_has_every_sentence_and_follows_the_model(claims, base_result):
    text = cloud.prose(base_p(), claims)
    assert text == cloud.prose(base_p(), claims, base_result)  # reusing compute's result changes nothing
    assert all(isinstance(v, str) and v.strip() for v in text.values())
    res = base_result["result"]
    assert text["payback_phrase"] == cloud.payback_phrase(res["payback_year"], res["horizon_years"])
    assert text["irr_text"] == cloud.irr_text(res["irr_pct"])
    bull = cloud.project(cloud.scenario_parameters("bull"), base_result["base_rmb_bn"])
    assert text["bull_irr_text"] == cloud.irr_text(bull["irr_pct"])
    # the base case: AI replaces part of the older cloud business (it shrinks in year 1)
    assert text["other_phrase"] == "shrinks" and text["other_meaning"].startswith("AI would be replacing")
    assert text["p_ai_years_text"] == "1 year"
    assert text["c_capex_ahead_text"] == claims.get(cloud.CLAIMS["capex_ahead_years"]).value_text


def test_describe_words_follow_the_numbers():
    r = cloud.project(base_p(cash_margin_pct=60.0, asset_life_years=6), 160.0)
    words = cloud.describe(r)
    assert words["payback_phrase"].startswith("pays back in year")
    assert words["irr_text"].startswith("+")
    slow = cloud.describe(cloud.project(base_p(cloud_growth_pct=5.0, cloud_growth_fade_pp=2.0), 160.0))
    assert slow["breakeven_turnover_phrase"].startswith("more than any turnover")


def test_payback_and_return_words_both_ways():
    assert cloud.payback_label(6) == "year 6" and cloud.payback_label(None) == "not within the assets' life"
    assert cloud.payback_phrase(6, 8) == "pays back in year 6 of 8"
    assert cloud.payback_phrase(None, 8) == "does not pay back before its last servers are written off (year 8)"
    assert cloud.irr_text(4.12) == "+4.1% a year" and cloud.irr_text(-4.9) == "-4.9% a year"
    assert cloud.irr_text(math.nan) == cloud.irr_text(None) == "no positive cash flow, so no return"
    assert cloud.ebita_phrase(5).endswith("turns positive in year 5")
    assert cloud.ebita_phrase(None).endswith("is negative in every year")
    assert cloud.breakeven_utilisation_phrase(73.6) == "74% of capacity sold"
    assert cloud.breakeven_utilisation_phrase(None).startswith("none: even full use")
    assert cloud.breakeven_turnover_phrase(0.614) == "a turnover of at least 0.61 (yuan of revenue a year per yuan of capex)"
    assert cloud.breakeven_turnover_phrase(None).startswith("more than any turnover can give")
    assert cloud.years_text(1) == "1 year" and cloud.years_text(3) == "3 years"


def test_comparison_and_growth_words_both_ways():
    assert cloud.compare_phrase(1.0, 1.5) == "almost the same as"
    assert cloud.compare_phrase(9.0, 1.0) == "higher than"
    assert cloud.compare_phrase(1.0, 9.0) == "lower than"
    assert cloud.compare_phrase(math.nan, 1.0) == "not comparable with"
    assert cloud.ai_pace_phrase(125.0, 100.0) == "in line with the triple-digit pace the sources report"
    assert cloud.ai_pace_phrase(80.0, 100.0) == "below the triple-digit pace the sources report"
    assert cloud.other_phrase(-3.6) == "shrinks" and cloud.other_phrase(0.0) == "still grows"
    assert "replacing" in cloud.other_meaning(-3.6) and "adds to" in cloud.other_meaning(2.0)
    assert cloud.util_effect_phrase(100.0, 0.0) == "every server is already sold"
    assert cloud.util_effect_phrase(90.0, 2.85) == "selling every server rather than 90% of capacity by +2.9 points"


def test_calibration_phrase_says_where_the_capacity_limit_comes_from():
    near = cloud.calibration_phrase(0.50, 0.504, 4)
    assert "calibration" in near and "year 4" in near
    far = cloud.calibration_phrase(0.90, 0.504, 2)
    assert "not set at that reading" in far and "year 2" in far and "calibration" not in far
    assert "demand never fills" in cloud.calibration_phrase(0.50, 0.504, None)
    assert "set near that reading, yet" in cloud.calibration_phrase(0.50, 0.504, None)
    assert "not set at that reading, and" in cloud.calibration_phrase(0.90, 0.504, None)


def test_grid_cells_read_both_ways():
    assert cloud.grid_cell(6, 12.4) == "year 6, +12%"
    assert cloud.grid_cell(None, -5.2) == "none, -5%"
    assert cloud.grid_cell(math.nan, math.nan) == "none, n/a"
    assert cloud.margin_cell(57.34) == "57.3"
    assert cloud.margin_cell(125.0) == "none" and cloud.margin_cell(math.inf) == "none"


def test_chart_titles_and_alt_text_carry_the_numbers():
    p = base_p()
    assert cloud.ai_share_title(p, 125.0, -3.6) == ("AI at 50% of cloud revenue in 1 year with growth of 35% means AI "
                                                   "revenue +125% in year 1 and the rest -4%")
    alt = cloud.ai_share_alt(p, 4, 158.8, 460.2)
    assert "from year 0 to year 4" in alt and "from 159 to 460 billion" in alt
    assert cloud.capex_title(207.3, 40.0, 230.0).endswith("at a 40% cash margin, covering their depreciation takes 230bn")
    assert "peaks at 207 billion against 230 billion needed" in cloud.capex_alt(460, 207.3, 230.0)
    assert cloud.cash_title(0.876, 460, 8, "year 7", "+1.0% a year").startswith(
        "At the assumed turnover and margin, the programme earns back 88% of its RMB 460bn cost by year 8: payback year 7")
    alt = cloud.cash_alt(8, -347.2, -57.0)
    assert "falls to -347 billion" in alt and "climbs to -57 billion" in alt


def test_charts_are_drawn_in_the_house_style_with_the_prose_s_titles(claims, base_result):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    text = cloud.prose(base_p(), claims, base_result)
    for chart, key in ((cloud.chart_ai_share, "ai_share_title"), (cloud.chart_capex_vs_revenue, "capex_title"),
                       (cloud.chart_cumulative_cash, "cash_title")):
        fig = chart(base_p(), claims, base_result)
        try:
            assert isinstance(fig, Figure)
            assert fig._suptitle.get_text().replace("\n", " ") == text[key]
            footer = " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
            assert "Source: " in footer and "seed" not in footer and "assumptions:" in footer
            assert fig.axes[0].get_legend() is not None
        finally:
            plt.close(fig)


# --- the summary's row (headline) -------------------------------------------------------------

def assert_fits_a_table_row(text: str) -> None:
    """Plain words for one cell of a Markdown table: no line break, no unescaped pipe, angle bracket or
    backtick, and no number a reader cannot read ("inf", "nan")."""
    assert text.strip() and "\n" not in text and "\r" not in text, text
    assert not re.search(r"(?<!\\)[|<>`]", text), text
    assert not re.search(r"\b(inf|nan)\b", text, re.IGNORECASE), text


@pytest.mark.parametrize("case", ["bear", "base", "bull"])
def test_headline_gives_the_key_outputs_as_the_pages_show_them(case, claims):
    p = cloud.scenario_parameters(case)
    out = cloud.key_outputs(p, claims)
    row = cloud.headline(p, claims, case=case)
    assert set(row) == {"figure", "meaning"}
    margin = f"{out['breakeven_margin_pct']:.0f}%"
    # the figure, then the formula it follows from with the case's own turnover, life and utilisation
    formula = 100 / (p.capex_turnover * p.asset_life_years * p.utilisation_pct / 100)
    assert row["figure"] == (f"pays back only at a {margin} cash margin on new revenue; about 1 / (turnover × life × "
                             f"utilisation) = 1 / ({p.capex_turnover:g} × {p.asset_life_years:g} × "
                             f"{p.utilisation_pct / 100:g}) = {formula:.0f}%, which follows from those three assumptions")
    # the same rounding as the chapter page's sentence on the break-even margin
    assert f"cash margin of {margin} or more" in cloud.prose(p, claims)["breakeven_margin_round_phrase"]
    year = out["payback_year"]
    payback = f"payback in year {year}" if year is not None else "no payback within the assets' life"
    assert row["meaning"] == f"{out['return_on_capex_pct']:.0f}% a year at the {case} case's margin ({payback})"
    for text in row.values():
        assert_fits_a_table_row(text)


def test_headline_says_when_the_programme_pays_back_and_when_it_does_not(claims):
    rich, thin = base_p(cash_margin_pct=90.0), base_p(cash_margin_pct=5.0)
    year = cloud.key_outputs(rich, claims)["payback_year"]
    assert year is not None and cloud.headline(rich, claims)["meaning"].endswith(f"(payback in year {year})")
    assert cloud.key_outputs(thin, claims)["payback_year"] is None
    assert cloud.headline(thin, claims)["meaning"].endswith("(no payback within the assets' life)")


def test_headline_follows_the_case_and_the_parameters(claims):
    assert "the margin assumed" in cloud.headline(base_p(), claims)["meaning"]
    assert "the bear case's margin" in cloud.headline(cloud.scenario_parameters("bear"), claims, case="bear")["meaning"]
    low, high = (cloud.key_outputs(base_p(cash_margin_pct=m), claims)["return_on_capex_pct"] for m in (30.0, 60.0))
    assert f"{high:.0f}% a year" in cloud.headline(base_p(cash_margin_pct=60.0), claims)["meaning"]
    assert f"{low:.0f}% a year" in cloud.headline(base_p(cash_margin_pct=30.0), claims)["meaning"]


def test_headline_says_in_words_when_there_is_no_break_even_or_no_return(claims):
    # no growth: the programme adds no revenue, so no margin pays back and there is no return
    out = cloud.key_outputs(base_p(cloud_growth_pct=0.0), claims)
    assert math.isinf(out["breakeven_margin_pct"]) and math.isnan(out["return_on_capex_pct"])
    row = cloud.headline(base_p(cloud_growth_pct=0.0), claims, case="base")
    assert row["figure"] == "never pays back, whatever the cash margin: it adds no revenue"
    assert row["meaning"].startswith("no return at the base case's margin")
    assert "no payback within the assets' life" in row["meaning"]
    # servers that earn little: a margin above 100% would be needed
    thin = base_p(capex_turnover=0.1, utilisation_pct=10.0)
    assert cloud.key_outputs(thin, claims)["breakeven_margin_pct"] > 100
    assert cloud.headline(thin, claims)["figure"] == "does not pay back even at a 100% cash margin on new revenue"
    for row in (row, cloud.headline(thin, claims)):
        for text in row.values():
            assert_fits_a_table_row(text)


def test_headline_rounds_a_small_loss_to_zero_not_minus_zero():
    assert cloud.headline_meaning(-0.3, None, "base").startswith("0% a year")
    assert cloud.headline_meaning(-1.6, 9, "base").startswith("-2% a year")


@pytest.mark.parametrize("name", [n for n, s in params.specs(NOTEBOOK).items() if s.min is not None])
def test_headline_fits_a_table_row_at_every_bound_of_the_specification(name, claims):
    spec = params.specs(NOTEBOOK)[name]
    for value in (spec.min, spec.max):
        value = int(value) if spec.type == "int" else float(value)
        row = cloud.headline(base_p(**{name: value}), claims, case="base")
        for text in row.values():
            assert_fits_a_table_row(text)


def test_headline_escapes_a_case_name_for_markdown(claims):
    row = cloud.headline(base_p(), claims, case="a|b<c>`d_e\nf")
    assert_fits_a_table_row(row["meaning"])
    assert r"a\|b\<c\>\`d\_e f case's margin" in row["meaning"]


# --- the notebook ----------------------------------------------------------------------------

def _notebook():
    import nbformat

    return nbformat.read(ROOT / "book" / f"{NOTEBOOK}.ipynb", as_version=4)


def test_every_glue_reference_is_glued_and_every_citation_resolves(claims):
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import glued

    nb = _notebook()
    values = glued(nb)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    refs = set(re.findall(r"\{glue:(?:text|md)\}`([A-Za-z_0-9]+)", text)) | set(re.findall(r"\{glue:md\} (\w+)", text))
    assert refs and refs <= set(values), sorted(refs - set(values))
    # nothing computed for nothing: every number and sentence is on the page (chart titles are drawn)
    p = base_p()
    from alibaba_report.synthesis import key_figures

    # a key figure is glued for the registry's check even where the page says it in words
    used = refs | set(re.findall(r'text\["(\w+)"\]', code)) | {k for k in cloud.prose(p, claims) if k.endswith("_title")} \
        | set(key_figures.BY_NAME)
    unused = (set(cloud.compute(p, claims)["numbers"]) | set(cloud.prose(p, claims))) - used
    assert not unused, sorted(unused)
    cites = [i for ids in re.findall(r"\{claim\}`([^`]+)`", text) for i in ids.split(",")]
    assert cites  # the page cites with the {claim} role, ids the ledger has
    for cid in cites:
        assert cid in claims.claims, cid
    # one name for the segment profit, and its margin never rounded to a whole number (9.05 %, not 9)
    assert cloud.PROFIT_LABEL in nb.cells[0].source and text.count(cloud.PROFIT_LABEL) >= 3
    assert set(re.findall(r"`margin_pct:\.(\d)f", text)) <= {"1", "2"}
    assert values["margin_pct"] == pytest.approx(100 * claims.value(cloud.CLAIMS["ebita_usd_m"])
                                                 / (1000 * claims.value(cloud.CLAIMS["revenue_usd_bn"])))
    # seed 003's 2-to-3 years is a condition ("if capex outruns..."), quoted as the ledger holds it
    assert values["c_capex_ahead_text"] == claims.get(cloud.CLAIMS["capex_ahead_years"]).value_text
    assert "c_capex_ahead_years" not in text
    # the committed outputs are the base case
    out = cloud.key_outputs(base_p(), claims)
    assert values["run_rate_rmb_bn"] == pytest.approx(out["cloud_run_rate_rmb_bn"])
    assert values["cloud_breakeven_margin_pct"] == pytest.approx(out["breakeven_margin_pct"])


def test_wrong_type_is_rejected_by_validation():
    values = params.scenario_parameters("base", NOTEBOOK)
    with pytest.raises(params.ParameterError, match="asset_life_years.*whole number"):
        params.check_values(NOTEBOOK, {**values, "asset_life_years": 5.5})
    with pytest.raises(params.ParameterError, match="utilisation_pct.*from 10 to 100"):
        params.check_values(NOTEBOOK, {**values, "utilisation_pct": "90"})


def test_notebook_under_better_economics_changes_coherently(notebook_runner, claims):
    base = dict(params.scenario_parameters("base", NOTEBOOK))
    changes = {"cash_margin_pct": 60.0, "asset_life_years": 6, "cloud_growth_pct": 25.0}
    nb, g = notebook_runner(NOTEBOOK, **changes)
    p = types.SimpleNamespace(**{**base, **changes})
    expected = cloud.compute(p, claims)
    words = cloud.prose(p, claims, expected)
    run_rate = g["run_rate_rmb_bn"]
    assert g["p_margin"] == 60.0 and g["p_life"] == 6
    for key in ("payback_phrase", "irr_text", "breakeven_turnover_phrase", "calibration_phrase", "bull_irr_text"):
        assert g[key] == words[key], key
    assert g["payback_phrase"].startswith("pays back in year")  # the base case does not
    assert g["irr_text"].startswith("+")
    assert g["cash_multiple_pct"] == pytest.approx(100 * expected["result"]["cash_multiple"])
    assert g["cash_multiple_pct"] > 100
    assert g["horizon"] == 3 + 6
    # slower growth: a smaller run-rate at the end of the programme, a smaller AI jump
    assert g["rev_end_rmb_bn"] == pytest.approx(run_rate * 1.25 * 1.22 * 1.19)
    assert g["ai_growth_y1_pct"] == pytest.approx(100 * (0.5 * 1.25 / 0.3 - 1))
    # the scenario comparison comes from the scenarios' own assumptions and does not move
    assert g["bull_irr_text"] == cloud.irr_text(cloud.project(cloud.scenario_parameters("bull"), run_rate)["irr_pct"])
    # the tables and the charts follow the run's parameters
    final = expected["payback"]["cumulative_cash_rmb_bn"].iloc[-1]
    assert g["final_cash_rmb_bn"] == pytest.approx(final) and final > 0
    texts = [o["data"].get("text/plain", "") for c in nb.cells for o in c.get("outputs", []) if "data" in o]
    assert any(t.startswith("[chart]") and f"climbs to {final:.0f} billion" in t for t in texts)
    peak = expected["result"]["peak_earned_rmb_bn"]
    assert any(t.startswith("[chart]") and f"peaks at {peak:.0f} billion" in t for t in texts)
    assert any("asset life (years)" in t and "year 7, +" in t for t in texts)


def test_notebook_rejects_a_value_out_of_range(notebook_values):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        notebook_values(NOTEBOOK, utilisation_pct=120.0)
    assert "utilisation_pct" in err.value.evalue and "from 10 to 100" in err.value.evalue


def test_notebook_rejects_an_unknown_parameter(notebook_values):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        notebook_values(NOTEBOOK, cash_margin=50.0)
    assert "unknown parameter 'cash_margin'" in err.value.evalue and "cash_margin_pct" in err.value.evalue
