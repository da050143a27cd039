"""The cloud and AI chapter: unit tests of alibaba_report.chapters.cloud_ai, and papermill runs of its notebook."""
from __future__ import annotations

import ast
import math
import types
from pathlib import Path

import numpy as np
import pytest

from alibaba_report.chapters import cloud_ai as cloud
from alibaba_report import params

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "cloud_ai"


def base_p(**changes) -> types.SimpleNamespace:
    return types.SimpleNamespace(**{**params.scenario_parameters("base", NOTEBOOK), **changes})


# --- reported quarter ------------------------------------------------------------------------

def test_annual_run_rate_is_four_quarters_converted():
    assert cloud.annual_run_rate_rmb_bn(5.0, 7.0) == pytest.approx(140.0)


@pytest.mark.parametrize("q, fx", [(0, 7.0), (-1, 7.0), (5.0, 0), (5.0, float("nan"))])
def test_annual_run_rate_rejects_non_positive(q, fx):
    with pytest.raises(cloud.CloudModelError):
        cloud.annual_run_rate_rmb_bn(q, fx)


def test_margin_pct():
    assert cloud.margin_pct(9, 100) == pytest.approx(9.0)
    with pytest.raises(cloud.CloudModelError, match="revenue"):
        cloud.margin_pct(1, 0)


def test_incremental_margin_by_hand():
    # revenue 150 after +50 % (was 100), profit 30 after +100 % (was 15): 15 / 50 = 30 %
    assert cloud.incremental_margin_pct(150, 50, 30, 100) == pytest.approx(30.0)
    # profit growing as fast as revenue keeps the margin: incremental margin = margin
    assert cloud.incremental_margin_pct(200, 25, 20, 25) == pytest.approx(10.0)
    with pytest.raises(cloud.CloudModelError, match="revenue_growth_pct"):
        cloud.incremental_margin_pct(100, 0, 10, 5)


# --- revenue path ----------------------------------------------------------------------------

def test_growth_path_fades_and_floors_at_zero():
    np.testing.assert_allclose(cloud.growth_path_pct(10, 4, 4), [10, 6, 2, 0])
    np.testing.assert_allclose(cloud.growth_path_pct(35, 0, 3), [35, 35, 35])
    with pytest.raises(cloud.CloudModelError, match="years"):
        cloud.growth_path_pct(35, 3, 0)
    with pytest.raises(cloud.CloudModelError, match="fade_pp"):
        cloud.growth_path_pct(35, -1, 3)


def test_revenue_path_compounds():
    np.testing.assert_allclose(cloud.revenue_path(100, [10, 20]), [100, 110, 132])
    with pytest.raises(cloud.CloudModelError):
        cloud.revenue_path(100, [-100])


def test_ai_share_path_straight_line_then_flat():
    np.testing.assert_allclose(cloud.ai_share_path_pct(30, 50, 2, 4), [30, 40, 50, 50, 50])
    np.testing.assert_allclose(cloud.ai_share_path_pct(30, 50, 1, 2), [30, 50, 50])
    with pytest.raises(cloud.CloudModelError, match="target_pct"):
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
    with pytest.raises(cloud.CloudModelError, match="years"):
        cloud.capex_schedule(300, 3, 2)
    with pytest.raises(cloud.CloudModelError, match="capex_years"):
        cloud.capex_schedule(300, 0, 2)
    with pytest.raises(cloud.CloudModelError, match="asset_life_years"):
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
    with pytest.raises(cloud.CloudModelError, match="years 0..8"):
        cloud.payback_table([100] * 5, 460, 3, 5, 0.5, 90, 40)
    with pytest.raises(cloud.CloudModelError, match="utilisation_pct"):
        cloud.payback_table([100] * 9, 460, 3, 5, 0.5, 120, 40)


def test_irr_by_hand():
    assert cloud.irr_pct([-100, 110]) == pytest.approx(10.0, abs=1e-6)
    assert cloud.irr_pct([-100, 0, 121]) == pytest.approx(10.0, abs=1e-6)
    assert cloud.irr_pct([-100, 50]) == pytest.approx(-50.0, abs=1e-6)
    assert math.isnan(cloud.irr_pct([-100, 0]))
    with pytest.raises(cloud.CloudModelError):
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


def test_calibration_phrase_says_where_the_capacity_limit_comes_from():
    near = cloud.calibration_phrase(0.50, 0.504, 4)
    assert "calibration" in near and "year 4" in near
    far = cloud.calibration_phrase(0.90, 0.504, 2)
    assert "not set at that reading" in far and "year 2" in far and "calibration" not in far
    assert "demand never fills" in cloud.calibration_phrase(0.50, 0.504, None)
    assert "demand never fills" in cloud.calibration_phrase(0.90, 0.504, None)


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
    with pytest.raises(cloud.CloudModelError, match="unknown parameter"):
        cloud.sensitivity(p, 160.0, ("growth", [1.0]), ("cash_margin_pct", [1.0]))
    assert cloud.grid_with([20, 30], 25) == [20.0, 25.0, 30.0]
    assert cloud.grid_with([20, 30], 30) == [20.0, 30.0]


def test_signposts_have_the_columns_and_thresholds_from_claims():
    from alibaba_report.evidence import ledger

    claims = ledger.load_claims()
    s = cloud.signposts(base_p(), claims)
    assert list(s.columns) == ["signpost", "threshold", "unit", "if_better", "if_worse", "basis"]
    assert s["threshold"].notna().all() and len(s) >= 5
    assert claims.value(cloud.CLAIMS["growth_bar"]) in set(s["threshold"])
    # the margin signpost: the page's one name for the profit, at the computed margin (506 / 5590 = 9.05 %)
    margin = s[s["signpost"].str.contains("segment margin")].iloc[0]
    assert cloud.PROFIT_LABEL in margin["signpost"]
    ratio = claims.value(cloud.CLAIMS["ebita_usd_m"]) / (1000 * claims.value(cloud.CLAIMS["revenue_usd_bn"]))
    assert margin["threshold"] == pytest.approx(round(100 * ratio, 2))
    for basis in s["basis"]:
        for token in basis.replace(";", ",").split(","):
            token = token.strip()
            if token.endswith(("_s000", "_s001", "_s002", "_s003", "_s004")):
                assert token in claims, token


def test_key_outputs_follow_the_parameters():
    from alibaba_report.evidence import ledger

    claims = ledger.load_claims()
    base = cloud.key_outputs(base_p(), claims)
    # the run-rate is the reported quarter x 4 at the shared rate
    assert base["cloud_run_rate_rmb_bn"] == pytest.approx(4 * claims.value(cloud.CLAIMS["revenue_usd_bn"]) * base_p().usd_rmb)
    richer = cloud.key_outputs(base_p(cash_margin_pct=60.0), claims)
    assert richer["return_on_capex_pct"] > base["return_on_capex_pct"]
    assert richer["payback_year"] is not None
    assert richer["breakeven_margin_pct"] == pytest.approx(base["breakeven_margin_pct"])  # margin-free


def test_describe_words_follow_the_numbers():
    r = cloud.project(base_p(cash_margin_pct=60.0, asset_life_years=6), 160.0)
    words = cloud.describe(r)
    assert words["payback_phrase"].startswith("pays back in year")
    assert words["irr_text"].startswith("+")
    slow = cloud.describe(cloud.project(base_p(cloud_growth_pct=5.0, cloud_growth_fade_pp=2.0), 160.0))
    assert slow["binding_phrase"].startswith("demand")
    assert cloud.compare_phrase(1.0, 1.5) == "almost the same as"
    assert cloud.compare_phrase(9.0, 1.0) == "higher than"


def test_short_lines_keeps_breaks_where_chosen():
    import textwrap

    title = "word " * 40
    lines = textwrap.wrap(cloud.short_lines(title, 50), 80)
    assert all(len(line) <= 50 for line in lines)
    assert cloud.years_text(1) == "1 year" and cloud.years_text(3) == "3 years"


# --- the notebook ----------------------------------------------------------------------------

def _notebook():
    import nbformat

    return nbformat.read(ROOT / "book" / f"{NOTEBOOK}.ipynb", as_version=4)


def test_parameters_cell_defaults_equal_the_base_scenario():
    nb = _notebook()
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    literals = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign), "the parameters cell holds assignments of literals only"
        literals[node.targets[0].id] = ast.literal_eval(node.value)
    base = params.scenario_parameters("base", NOTEBOOK)
    assert literals == base
    assert all(type(literals[k]) is type(base[k]) for k in base)


def test_every_glue_reference_is_glued_and_every_citation_resolves():
    import re
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import glued

    from alibaba_report.evidence import ledger

    claims = ledger.load_claims()
    nb = _notebook()
    values = glued(nb)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    refs = set(re.findall(r"\{glue:text\}`([A-Za-z_0-9]+)", text))
    assert refs and refs <= set(values), sorted(refs - set(values))
    cites = re.findall(r'href="(appendix/[^"#]+\.html#claim-([A-Za-z_0-9]+))"', text)
    assert cites
    for link, cid in cites:
        assert link == claims.anchor(cid), link
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
    assert values["breakeven_margin_pct"] == pytest.approx(out["breakeven_margin_pct"])


def test_wrong_type_is_rejected_by_validation():
    values = params.scenario_parameters("base", NOTEBOOK)
    with pytest.raises(params.ParameterError, match="asset_life_years.*whole number"):
        params.check_values(NOTEBOOK, {**values, "asset_life_years": 5.5})
    with pytest.raises(params.ParameterError, match="utilisation_pct.*from 10 to 100"):
        params.check_values(NOTEBOOK, {**values, "utilisation_pct": "90"})


def test_notebook_under_better_economics_changes_coherently(notebook_runner):
    base = dict(params.scenario_parameters("base", NOTEBOOK))
    changes = {"cash_margin_pct": 60.0, "asset_life_years": 6, "cloud_growth_pct": 25.0}
    nb, g = notebook_runner(NOTEBOOK, **changes)
    p = types.SimpleNamespace(**{**base, **changes})
    run_rate = g["run_rate_rmb_bn"]
    expected = cloud.project(p, run_rate)
    words = cloud.describe(expected)
    assert g["p_margin"] == 60.0 and g["p_life"] == 6
    assert g["payback_phrase"] == words["payback_phrase"]
    assert g["payback_phrase"].startswith("pays back in year")  # the base case does not
    assert g["irr_text"] == words["irr_text"] and g["irr_text"].startswith("+")
    assert g["breakeven_turnover_phrase"] == words["breakeven_turnover_phrase"]
    assert g["calibration_phrase"] == cloud.calibration_phrase(0.5, g["implied_turnover"], expected["capacity_binds_from"])
    assert g["cash_multiple_pct"] == pytest.approx(100 * expected["cash_multiple"])
    assert g["cash_multiple_pct"] > 100
    assert g["horizon"] == 3 + 6
    # slower growth: a smaller run-rate at the end of the programme, a smaller AI jump
    assert g["rev_end_rmb_bn"] == pytest.approx(run_rate * 1.25 * 1.22 * 1.19)
    assert g["ai_growth_y1_pct"] == pytest.approx(100 * (0.5 * 1.25 / 0.3 - 1))
    # the scenario comparison comes from the files and does not move
    assert g["bull_irr_text"] == cloud.describe(cloud.project(
        types.SimpleNamespace(**params.scenario_parameters("bull", NOTEBOOK)), run_rate))["irr_text"]
    # the tables and the charts follow the run's parameters
    final = expected["payback"]["cumulative_cash_rmb_bn"].iloc[-1]
    assert g["final_cash_rmb_bn"] == pytest.approx(final) and final > 0
    texts = [o["data"].get("text/plain", "") for c in nb.cells for o in c.get("outputs", []) if "data" in o]
    assert any(t.startswith("[chart]") and f"climbs to {final:.0f} billion" in t for t in texts)
    assert any(t.startswith("[chart]") and f"peaks at {expected['peak_earned_rmb_bn']:.0f} billion" in t for t in texts)
    assert any("asset life (years)" in t and "year 7, +" in t for t in texts)


def test_notebook_rejects_a_value_out_of_range(notebook_runner):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        notebook_runner(NOTEBOOK, utilisation_pct=120.0)
    assert "utilisation_pct" in err.value.evalue and "from 10 to 100" in err.value.evalue


def test_notebook_rejects_an_unknown_parameter(notebook_runner):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        notebook_runner(NOTEBOOK, cash_margin=50.0)
    assert "unknown parameter 'cash_margin'" in err.value.evalue and "cash_margin_pct" in err.value.evalue
