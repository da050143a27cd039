"""The Meitu deal: conversion arithmetic, the cloud round trip, and the notebook under other parameters."""
from __future__ import annotations

import ast
import json
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import glued

from alibaba_report.chapters import meitu_deal as meitu
from alibaba_report import params

ROOT = Path(__file__).resolve().parents[1]
NB = "meitu_deal"

# The deal's terms as seed 004 states them, for the hand calculations below (the notebook reads
# them from the ledger; these tests must not depend on it).
FACE, CONV_PRICE, CLOUD_MIN, CLOUD_YEARS, CLOUD_Q = 250.0, 6.0, 560.0, 3.0, 5.59
CLOUD_EBITDA, FCF = 506.0, -21.8


class FakeClaims:
    """Stands in for the ledger: ``value(id)`` for the claims the module reads."""

    def __init__(self, **by_role):
        self._by_id = {meitu.CLAIM[role]: v for role, v in by_role.items()}

    def value(self, cid):
        return self._by_id[cid]


def fake_claims():
    return FakeClaims(face_usd_m=FACE, conversion_price_hkd=CONV_PRICE, cloud_min_rmb_m=CLOUD_MIN,
                      cloud_years=CLOUD_YEARS, cloud_quarter_revenue_usd_bn=CLOUD_Q,
                      cloud_quarter_ebitda_usd_m=CLOUD_EBITDA, quarter_fcf_rmb_bn=FCF)


def base_p(**over):
    values = dict(usd_hkd=7.8, usd_rmb=7.0, meitu_share_price_hkd=7.5, meitu_shares_outstanding_m=4500.0,
                  bond_coupon_pct=1.0, bond_term_years=3.0, cloud_spend_multiple=1.0)
    values.update(over)
    return types.SimpleNamespace(**values)


# --- conversion ---------------------------------------------------------------------------------

def test_conversion_shares_by_hand():
    # USD 250m × 7.8 HKD/USD = HK$1,950m; ÷ HK$6 = 325m shares
    assert meitu.conversion_shares_m(250, 7.8, 6) == pytest.approx(325.0)


def test_a_higher_conversion_price_gives_fewer_shares():
    assert meitu.conversion_shares_m(250, 7.8, 8) < meitu.conversion_shares_m(250, 7.8, 6)


def test_stake_is_diluted_by_the_new_shares():
    # 325 new on 4,675 existing: 325 / 5,000 = 6.5%, below the undiluted 325 / 4,675 = 6.95%
    stake = meitu.stake_after_conversion(325, 4675)
    assert stake == pytest.approx(0.065)
    assert stake < 325 / 4675


def test_stake_falls_as_shares_outstanding_rise():
    stakes = [meitu.stake_after_conversion(325, n) for n in (3000, 4500, 6000)]
    assert stakes == sorted(stakes, reverse=True)


def test_conversion_value_by_hand_scalar_and_array():
    # 325m shares × HK$7.8 ÷ 7.8 = USD 325m
    assert meitu.conversion_value_usd_m(325, 7.8, 7.8) == pytest.approx(325.0)
    arr = meitu.conversion_value_usd_m(325, np.array([0.0, 6.0, 7.8]), 7.8)
    assert arr == pytest.approx([0.0, 250.0, 325.0])


def test_holder_value_is_face_below_breakeven_and_shares_above():
    assert meitu.holder_value_usd_m(250, 100) == 250
    assert meitu.holder_value_usd_m(250, 300) == 300
    assert list(meitu.holder_value_usd_m(250, np.array([100.0, 250.0, 400.0]))) == [250, 250, 400]


def test_breakeven_is_the_conversion_price():
    shares = meitu.conversion_shares_m(250, 7.78, 6)
    assert meitu.breakeven_share_price_hkd(250, 7.78, shares) == pytest.approx(6.0)
    assert meitu.conversion_value_usd_m(shares, 6.0, 7.78) == pytest.approx(250.0)


def test_payoff_curve_is_flat_then_rises():
    curve = meitu.payoff_curve(250, 7.8, 6, np.linspace(2, 12, 11))
    below = curve[curve.share_price_hkd < 6]
    above = curve[curve.share_price_hkd > 6]
    assert (below.holder_value_usd_m == 250).all()
    assert (np.diff(above.holder_value_usd_m) > 0).all()
    assert (curve.holder_value_usd_m >= curve.conversion_value_usd_m).all()
    assert (curve.holder_value_usd_m >= curve.face_usd_m).all()


def test_payoff_curve_needs_increasing_prices():
    with pytest.raises(ValueError, match="increasing"):
        meitu.payoff_curve(250, 7.8, 6, [5, 4])
    with pytest.raises(ValueError, match="increasing"):
        meitu.payoff_curve(250, 7.8, 6, [5])


def test_coupons_by_hand():
    # 1% of USD 250m for 3 years = USD 7.5m; a zero coupon pays nothing
    assert meitu.coupons_usd_m(250, 1.0, 3) == pytest.approx(7.5)
    assert meitu.coupons_usd_m(250, 0.0, 3) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: meitu.conversion_shares_m(0, 7.8, 6),
        lambda: meitu.conversion_shares_m(250, -7.8, 6),
        lambda: meitu.conversion_shares_m(250, 7.8, float("nan")),
        lambda: meitu.conversion_shares_m("250", 7.8, None),
        lambda: meitu.stake_after_conversion(325, 0),
        lambda: meitu.conversion_value_usd_m(325, -1.0, 7.8),
        lambda: meitu.conversion_value_usd_m(325, [6.0, float("inf")], 7.8),
        lambda: meitu.holder_value_usd_m(-250, 100),
        lambda: meitu.coupons_usd_m(250, -1, 3),
        lambda: meitu.cloud_round_trip(560, 0, 7.1, 1, 250, 5.59),
        lambda: meitu.cloud_round_trip(560, 3, 7.1, 1, 250, 0),
    ],
)
def test_invalid_inputs_raise(call):
    with pytest.raises(ValueError):
        call()


def test_invalid_input_message_names_the_argument():
    with pytest.raises(ValueError, match="conversion_price_hkd"):
        meitu.conversion_shares_m(250, 7.8, 0)


# --- the round trip ------------------------------------------------------------------------------

def test_cloud_round_trip_by_hand():
    # RMB 560m over 3 years at 7 RMB/USD = USD 80m, 26.67m a year, 6.67m a quarter;
    # 80 / 250 = 32% of the investment; 80 / 5,590 of one quarter; 26.67 / 22,360 of a year
    trip = meitu.cloud_round_trip(560, 3, 7.0, 1.0, 250, 5.59)
    assert trip["total_usd_m"] == pytest.approx(80.0)
    assert trip["per_year_rmb_m"] == pytest.approx(560 / 3)
    assert trip["per_year_usd_m"] == pytest.approx(80 / 3)
    assert trip["per_quarter_usd_m"] == pytest.approx(80 / 12)
    assert trip["share_of_investment_pct"] == pytest.approx(32.0)
    assert trip["total_share_of_one_quarter_pct"] == pytest.approx(100 * 80 / 5590)
    assert trip["per_year_share_of_year_pct"] == pytest.approx(100 * (80 / 3) / 22360)
    assert trip["cloud_year_run_rate_usd_m"] == pytest.approx(22360)


def test_spending_above_the_floor_scales_spend_but_not_the_minimum():
    floor = meitu.cloud_round_trip(560, 3, 7.0, 1.0, 250, 5.59)
    more = meitu.cloud_round_trip(560, 3, 7.0, 2.0, 250, 5.59)
    assert more["total_usd_m"] == pytest.approx(2 * floor["total_usd_m"])
    assert more["min_total_usd_m"] == floor["min_total_usd_m"]


def test_a_weaker_renminbi_shrinks_the_dollar_value_of_the_agreement():
    assert (meitu.cloud_round_trip(560, 3, 7.5, 1, 250, 5.59)["total_usd_m"]
            < meitu.cloud_round_trip(560, 3, 7.0, 1, 250, 5.59)["total_usd_m"])


def test_round_trip_table_by_hand():
    trip = meitu.cloud_round_trip(560, 3, 7.0, 1.5, 250, 5.59)
    table = meitu.round_trip_table(trip, 250, 5.59).set_index("Meitu's cloud purchases")
    # 1.5 × RMB 560m = 840m = USD 120m over 3 years: 48% of 250; 40m a year, 10m a quarter
    assert table.loc["contractual minimum, whole agreement", "USD m"] == pytest.approx(80)
    assert table.loc["assumed spend, whole agreement", "% of the investment"] == pytest.approx(48)
    assert table.loc["assumed spend, per year", "RMB m"] == pytest.approx(280)
    assert table.loc["assumed spend, per quarter", "% of one quarter of Alibaba Cloud revenue"] == pytest.approx(
        100 * 10 / 5590)
    assert table.loc["assumed spend, per year", "% of a year of Alibaba Cloud revenue"] == pytest.approx(
        table.loc["assumed spend, per quarter", "% of one quarter of Alibaba Cloud revenue"])


def test_cloud_ebitda_on_spend_by_hand():
    # USD 26m a year at a 506 / 5,590 margin
    assert meitu.cloud_ebitda_on_spend_usd_m(26, 506, 5.59) == pytest.approx(26 * 506 / 5590)
    assert meitu.cloud_ebitda_on_spend_usd_m(0, 506, 5.59) == 0


def test_investment_vs_cash_outflow_by_hand():
    # USD 250m × 7 = RMB 1,750m; against an outflow of RMB 21.8bn = 8.03%
    out = meitu.investment_vs_cash_outflow(250, 7.0, -21.8)
    assert out["investment_rmb_m"] == pytest.approx(1750)
    assert out["share_of_quarter_outflow_pct"] == pytest.approx(100 * 1750 / 21800)
    assert np.isnan(meitu.investment_vs_cash_outflow(250, 7.0, 5.0)["share_of_quarter_outflow_pct"])
    with pytest.raises(ValueError, match="quarter_fcf_rmb_bn"):
        meitu.investment_vs_cash_outflow(250, 7.0, "a lot")


# --- key outputs and signposts -------------------------------------------------------------------

def test_key_outputs_by_hand():
    out = meitu.key_outputs(base_p(), fake_claims())
    assert out["conversion_shares_m"] == pytest.approx(325.0)
    assert out["stake_after_conversion_pct"] == pytest.approx(100 * 325 / 4825)
    assert out["conversion_value_usd_m"] == pytest.approx(325 * 7.5 / 7.8)
    assert out["conversion_gain_pct"] == pytest.approx(100 * (325 * 7.5 / 7.8 / 250 - 1))
    assert out["breakeven_share_price_hkd"] == pytest.approx(6.0)
    assert out["coupons_usd_m"] == pytest.approx(7.5)
    assert out["cloud_total_usd_m"] == pytest.approx(80.0)
    assert out["cloud_share_of_investment_pct"] == pytest.approx(32.0)
    assert out["cloud_ebitda_per_year_usd_m"] == pytest.approx(80 / 3 * 506 / 5590)


def test_key_outputs_below_the_conversion_price_hold_face():
    out = meitu.key_outputs(base_p(meitu_share_price_hkd=4.0), fake_claims())
    assert out["conversion_gain_pct"] < 0
    assert out["holder_value_usd_m"] == FACE


def test_signposts_have_the_columns_and_thresholds_from_the_terms():
    sp = meitu.signposts(base_p(), fake_claims())
    assert list(sp.columns) == ["signpost", "threshold", "unit", "if_better", "if_worse", "basis"]
    assert len(sp) >= 3
    assert sp.loc[0, "threshold"] == CONV_PRICE
    assert sp.loc[1, "threshold"] == round(CLOUD_MIN / CLOUD_YEARS)
    assert sp.notna().all().all()
    text = meitu.signposts_markdown(sp)
    assert text.count("\n- **") == len(sp) - 1 and "threshold 6.0 (HKD per share)" in text


# --- the notebook ----------------------------------------------------------------------------

def _parameters_cell(path: Path) -> dict:
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}


def test_notebook_defaults_equal_the_base_scenario():
    assert _parameters_cell(ROOT / "book" / f"{NB}.ipynb") == params.scenario_parameters("base", NB)


def test_notebook_under_bear_prices_and_more_cloud_spend(notebook_runner):
    """A share price below HK$6 leaves the holder at face; more cloud spend raises the round trip."""
    base = glued(nbformat.read(ROOT / "book" / f"{NB}.ipynb", as_version=4))  # the committed base run
    _, other = notebook_runner(NB, meitu_share_price_hkd=4.5, cloud_spend_multiple=2.0,
                               meitu_shares_outstanding_m=5500.0)
    assert base["conversion_gain_pct"] > 0
    assert other["conversion_gain_pct"] < 0
    assert other["holder_value_usd_m"] == pytest.approx(base["face_usd_m"])
    assert other["conversion_shares_m"] == pytest.approx(base["conversion_shares_m"])
    assert other["stake_pct"] < base["stake_pct"]
    assert other["cloud_total_usd_m"] == pytest.approx(2 * base["cloud_total_usd_m"])
    assert other["cloud_share_of_investment_pct"] == pytest.approx(2 * base["cloud_share_of_investment_pct"])
    assert other["cloud_min_total_usd_m"] == pytest.approx(base["cloud_min_total_usd_m"])


def test_notebook_rejects_a_bad_or_unknown_parameter(notebook_runner):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError) as bad:
        notebook_runner(NB, meitu_share_price_hkd=-3.0)
    assert "meitu_share_price_hkd" in bad.value.evalue and "0.5 to 50" in bad.value.evalue
    with pytest.raises(pm.PapermillExecutionError) as unknown:
        notebook_runner(NB, meitu_share_prise_hkd=7.0)
    assert "unknown parameter 'meitu_share_prise_hkd'" in unknown.value.evalue


def test_scenarios_order_the_outcomes_bear_base_bull():
    """Bull converts at a gain and buys more cloud; bear sits below the conversion price at face."""
    out = {s: meitu.key_outputs(types.SimpleNamespace(**params.scenario_parameters(s, NB)), fake_claims())
           for s in ("bear", "base", "bull")}
    assert out["bear"]["holder_value_usd_m"] == FACE < out["base"]["holder_value_usd_m"] < out["bull"]["holder_value_usd_m"]
    assert out["bear"]["conversion_gain_pct"] < 0 < out["base"]["conversion_gain_pct"]
    assert out["bull"]["cloud_total_usd_m"] > out["base"]["cloud_total_usd_m"]


def test_a_wrong_type_is_rejected_with_the_parameter_named():
    values = dict(params.scenario_parameters("base", NB), meitu_share_price_hkd="7.5")
    with pytest.raises(params.ParameterError, match="meitu_share_price_hkd.*a number from 0.5 to 50"):
        params.check_values(NB, values)
