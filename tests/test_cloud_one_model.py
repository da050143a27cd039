"""Issue 23, item 3: one model of the cloud. The policy plan's revenue is cloud revenue (the cloud's
cash margin, the capex's depreciation, its capacity limit), the programme's return after depreciation
reaches value against the programme the forecasts are taken to embed, the break-even margin is shown
with the formula it follows from, and Goldman Sachs' RMB 460bn is group capex."""
from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest

from alibaba_report import params, paths
from alibaba_report.chapters import cloud_ai as cloud
from alibaba_report.chapters.contract import ModelInputError
from alibaba_report.evidence import ledger
from alibaba_report.synthesis import cloud_value
from alibaba_report.synthesis import fiscal
from alibaba_report.synthesis import valuation as v


@pytest.fixture(scope="module")
def claims():
    return ledger.load_claims()


def programme(p, base, years, **kw):
    return cloud.programme_years(base, p.cloud_growth_pct, p.cloud_growth_fade_pp, p.capex_rmb_bn, p.capex_years,
                                 p.asset_life_years, p.capex_turnover, p.utilisation_pct, p.cash_margin_pct,
                                 years=years, **kw)


@pytest.mark.parametrize("case", ["bear", "base", "bull"])
def test_the_vectorised_programme_is_the_chapters_payback(case, claims):
    # the model of value and the cloud page read one model: year by year the same demand, capacity,
    # revenue earned, cash profit, depreciation and EBITA
    p = cloud.scenario_parameters(case)
    base = cloud.base_run_rate(p, claims)
    page = cloud.project(p, base)["payback"]
    n = len(page)
    fast = programme(p, base, n)
    for key, arr in fast.items():
        np.testing.assert_allclose(arr, page[key].to_numpy(), rtol=1e-12, atol=1e-9, err_msg=key)


def test_the_programme_runs_over_draws_with_different_server_lives(claims):
    p = cloud.scenario_parameters("base")
    base = cloud.base_run_rate(p, claims)
    lives, margins = np.array([4.0, 5.0, 6.0, 5.0]), np.array([30.0, 40.0, 50.0, 60.0])
    many = cloud.programme_years(base, p.cloud_growth_pct, p.cloud_growth_fade_pp, p.capex_rmb_bn, p.capex_years,
                                 lives, p.capex_turnover, p.utilisation_pct, margins, years=4)
    assert many["ebita_rmb_bn"].shape == (4, 4)
    for i, (life, m) in enumerate(zip(lives, margins)):
        one = programme(cloud.with_changes(p, asset_life_years=int(life), cash_margin_pct=m), base, 4)
        np.testing.assert_allclose(many["ebita_rmb_bn"][i], one["ebita_rmb_bn"], rtol=1e-12)
    # shorter-lived servers cost more depreciation a year
    assert many["depreciation_rmb_bn"][0, 1] > many["depreciation_rmb_bn"][1, 1] > many["depreciation_rmb_bn"][2, 1]
    with pytest.raises(ModelInputError, match="utilisation_pct must be from 0 to 100"):
        cloud.programme_years(base, 35.0, 3.0, 460.0, 3, 5, 0.5, np.array([90.0, 120.0]), 40.0)


def test_revenue_the_capex_cannot_serve_earns_nothing(claims):
    p = cloud.scenario_parameters("bull")
    base = cloud.base_run_rate(p, claims)
    without = programme(p, base, 4)
    spare = without["capacity_rmb_bn"] - without["earned_rmb_bn"]
    for revenue in (50.0, 80.0, 500.0):
        plan = cloud.plan_demand_path(revenue, 0.0, 4)
        with_plan = programme(p, base, 4, extra_demand_rmb_bn=plan)
        gained = with_plan["ebita_rmb_bn"] - without["ebita_rmb_bn"]
        # the plan earns the cloud's cash margin on what the spare capacity serves, and nothing more
        np.testing.assert_allclose(gained, np.minimum(plan, spare) * p.cash_margin_pct / 100, atol=1e-9)
        assert np.all(gained < plan * p.cash_margin_pct / 100 + 1e-9)
        # it buys no servers: the depreciation is the programme's, with or without it
        np.testing.assert_allclose(with_plan["depreciation_rmb_bn"], without["depreciation_rmb_bn"])
    # in the bull case the capacity binds: 80bn of plan revenue is worth no more than 50bn
    a, b = (programme(p, base, 4, extra_demand_rmb_bn=cloud.plan_demand_path(r, 0.0, 4))["ebita_rmb_bn"]
            for r in (50.0, 80.0))
    np.testing.assert_allclose(a, b)


def test_the_plans_revenue_starts_with_fy27():
    start = fiscal.years_since_reported_quarter(fiscal.PLAN_START)
    assert 0 < start < 1  # 1 April 2026 falls in the cloud model's first year
    path = cloud.plan_demand_path(10.0, start, 3)
    np.testing.assert_allclose(path, [10.0 * (1 - start), 10.0, 10.0])
    np.testing.assert_allclose(cloud.plan_demand_path(np.array([1.0, 2.0]), 0.0, 2), [[1.0, 1.0], [2.0, 2.0]])


def test_a_year_is_read_at_its_middle():
    by_year = np.array([10.0, 20.0, 40.0])
    assert cloud.at_time(by_year, 0.5) == pytest.approx(10.0)
    assert cloud.at_time(by_year, 1.0) == pytest.approx(15.0)
    assert cloud.at_time(by_year, 2.0) == pytest.approx(30.0)
    assert cloud.at_time(by_year, 2.25) == pytest.approx(35.0)
    assert cloud.at_time(by_year, 0.0) == pytest.approx(0.0)


def test_the_consensus_cloud_adds_nothing_and_the_price_comes_back(claims):
    r = v.scenario_value("consensus", claims)
    assert abs(r["cloud_delta_fy27_rmb_bn"]) < 1e-9 and abs(r["cloud_depreciation_delta_fy27_rmb_bn"]) < 1e-9
    assert abs(r["policy_delta_fy27_rmb_bn"]) < 0.05  # the fewest factories the range allows
    assert r["value_per_ads_usd"] == pytest.approx(claims.value(v.CLAIMS["price"]), rel=0.01)


def test_the_valuation_debits_a_programme_that_earns_less_after_depreciation(claims):
    base = v.scenario_inputs("base")
    shorter = v.model(dataclasses.replace(base, asset_life_years=4), claims)
    same = v.model(base, claims)
    # four-year servers: the same cash, more depreciation, lower earnings and value
    assert float(shorter["cloud_delta_fy27_rmb_bn"]) == pytest.approx(float(same["cloud_delta_fy27_rmb_bn"]), abs=1e-9)
    assert float(shorter["cloud_depreciation_delta_fy27_rmb_bn"]) < -1.0
    assert float(shorter["value_per_ads_usd"]) < float(same["value_per_ads_usd"])
    # the bear's programme (slower growth, unsold capacity, thinner margin, shorter life) is debited
    bear = v.scenario_value("bear", claims)
    assert bear["cloud_delta_fy27_rmb_bn"] < 0 and bear["cloud_depreciation_delta_fy27_rmb_bn"] < 0


def test_the_policy_plan_is_priced_by_the_clouds_model_not_its_own_margin(claims, tmp_path, monkeypatch):
    base = v.scenario_inputs("base")
    r = v.model(base, claims)
    p = cloud.scenario_parameters("base")
    run_rate = claims.value(v.CLAIMS["cloud_revenue_q"]) * 4 * base.usd_rmb
    # the plan's FY27 revenue (its first full fiscal year: all of it) served up to the room the programme's
    # servers have left after the cloud's own growth, at the middle of FY27, earning the cloud's cash margin
    own = programme(p, run_rate, cloud_value.PROGRAMME_YEARS)
    room = cloud.at_time(own["capacity_rmb_bn"] - own["earned_rmb_bn"], fiscal.years_to_fiscal_middle(27))
    served = min(float(base.policy_revenue_rmb_bn), float(room))
    assert float(r["policy_delta_fy27_rmb_bn"]) == pytest.approx(served * p.cash_margin_pct / 100, rel=1e-12)
    # one function per quantity: the page and the value read the policy chapter's one call
    from alibaba_report.chapters import policy_catalyst as policy

    by_fy = policy.plan_fiscal_years(base.policy_revenue_rmb_bn, run_rate, p, (26, 27))
    assert float(by_fy["profit_rmb_bn"][26]) == 0.0  # FY26 ended before the plan started
    assert float(by_fy["profit_rmb_bn"][27]) == pytest.approx(float(r["policy_delta_fy27_rmb_bn"]), rel=1e-12)
    # the policy page has no margin of its own: the plan earns the cloud's cash margin, on the page and in value
    assert "margin_pct" not in params.specs("policy_catalyst")
    page = policy.compute(policy.scenario_parameters("base"), claims)
    assert page["plan_profit_fy27_rmb_bn"] == pytest.approx(float(r["policy_delta_fy27_rmb_bn"]), rel=1e-9)
    richer = v.model(dataclasses.replace(base, cash_margin_pct=50.0), claims)
    assert float(richer["policy_delta_fy27_rmb_bn"]) > float(r["policy_delta_fy27_rmb_bn"])


def test_the_breakeven_margin_follows_from_turnover_life_and_utilisation(claims):
    assert cloud.breakeven_margin_formula_pct(0.5, 5, 90.0) == pytest.approx(100 / 2.25)
    # when demand outruns capacity in every year, the model's break-even is the formula exactly
    p = cloud.with_changes(cloud.scenario_parameters("base"), cloud_growth_pct=400.0, cloud_growth_fade_pp=0.0)
    res = cloud.project(p, cloud.base_run_rate(p, claims))
    assert res["breakeven_margin_pct"] == pytest.approx(
        cloud.breakeven_margin_formula_pct(p.capex_turnover, p.asset_life_years, p.utilisation_pct), rel=1e-9)
    # otherwise demand limits the early years and the model needs more
    base = cloud.scenario_parameters("base")
    assert cloud.key_outputs(base, claims)["breakeven_margin_pct"] > cloud.breakeven_margin_formula_pct(
        base.capex_turnover, base.asset_life_years, base.utilisation_pct)
    text = cloud.prose(base, claims)["breakeven_formula_phrase"]
    assert "1 / (turnover × life × utilisation) = 1 / (0.5 × 5 × 0.9) = 44%" in text
    assert "follows from those three assumptions" in text
    with pytest.raises(ModelInputError, match="utilisation_pct"):
        cloud.breakeven_margin_formula_pct(0.5, 5, 0.0)


def test_the_executives_80_pct_is_a_share_of_market_growth_not_of_the_plans_spend(claims):
    target = claims.get("exec_ai_cloud_incremental_share_target_s002")
    assert target.value == 80 and "incremental market growth" in target.quote
    for scenario in ("bear", "base", "bull", "consensus"):
        share = params.scenario_parameters(scenario, "policy_catalyst")["alibaba_share_pct"]
        assert share != target.value, scenario
    bull = (paths.root() / "data" / "scenarios" / "bull.yml").read_text(encoding="utf-8")
    assert "not of the plan's spend" in bull


def _markdown(notebook: str) -> str:
    nb = json.loads((paths.root() / "book" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_goldman_sachs_460bn_is_called_group_capex_not_a_cloud_programme(claims):
    gs = claims.get(v.CLAIMS["capex_gs"])
    assert gs.subject == "Alibaba group"  # the ledger's reading of the 8 January article
    cloud_page = _markdown("cloud_ai")
    # the page never calls Goldman Sachs' figure the cloud's own programme or budget
    assert not re.search(r"c_gs_capex:\.0f`\s+billion\s+(capex|cloud)\s+programme", cloud_page)
    assert "Goldman Sachs' RMB {glue:text}`c_gs_capex:.0f` billion forecast of the group's capex" in cloud_page
    from alibaba_report.synthesis import sliders, value_words

    chart = sliders.cloud_ai(cloud.scenario_parameters("base"), claims)
    assert "AI and cloud programme" not in str(chart)
    f = {"cash_after_tax_rmb_bn": 200, "capex_rmb_bn": 153, "free_cash_rmb_bn": 47, "last_quarter_fcf_rmb_bn": -21.8}
    assert "Goldman Sachs' forecast of group capex" in value_words.funding_sentence(f)
