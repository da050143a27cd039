"""The Meitu deal: conversion arithmetic, the cloud round trip, and the notebook under other parameters."""
from __future__ import annotations

import datetime as dt
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import glued

from alibaba_report import params
from alibaba_report.chapters import contract
from alibaba_report.chapters import meitu_deal as meitu

ROOT = Path(__file__).resolve().parents[2]
NB = "meitu_deal"

# The deal's terms as seed 004 states them, for the hand calculations below (the notebook reads
# them from the ledger; these tests must not depend on it).
FACE, CONV_PRICE, CLOUD_MIN, CLOUD_YEARS, CLOUD_Q = 250.0, 6.0, 560.0, 3.0, 5.59
CLOUD_EBITDA, FCF = 506.0, -21.8
GROWTH_004, GROWTH_003 = 34.0, 26.0
ISSUE = dt.date(2026, 1, 3)


class FakeClaims:
    """Stands in for the ledger: ``value(id)`` for the numeric claims, ``get(id).date`` for the date."""

    def __init__(self, **by_role):
        self._by_id = {meitu.CLAIMS[role]: v for role, v in by_role.items()}

    def value(self, cid):
        return self._by_id[cid]

    def get(self, cid):
        assert cid == meitu.CLAIMS["issue_date"], cid
        return types.SimpleNamespace(date=ISSUE)

    def seeds_of(self, ids):
        return "seed 004"  # every term of the deal is seed 004's


def fake_claims():
    return FakeClaims(face_usd_m=FACE, conversion_price_hkd=CONV_PRICE, cloud_min_rmb_m=CLOUD_MIN,
                      cloud_years=CLOUD_YEARS, cloud_quarter_revenue_usd_bn=CLOUD_Q,
                      cloud_quarter_ebitda_usd_m=CLOUD_EBITDA, quarter_fcf_rmb_bn=FCF,
                      cloud_growth_s004=GROWTH_004, cloud_growth_s003=GROWTH_003)


def base_p(**over):
    values = dict(usd_hkd=7.8, usd_rmb=7.0, meitu_share_price_hkd=7.5, meitu_shares_outstanding_m=4500.0,
                  bond_coupon_pct=1.0, bond_term_years=3.0, cloud_spend_multiple=1.0,
                  bond_yield_pct=6.0, meitu_volatility_pct=50.0, risk_free_pct=4.0)
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
    with pytest.raises(contract.ModelInputError):
        call()


def test_invalid_input_message_names_the_argument_the_value_and_the_range():
    with pytest.raises(contract.ModelInputError, match=r"conversion_price_hkd must be a number above 0, got 0"):
        meitu.conversion_shares_m(250, 7.8, 0)
    with pytest.raises(contract.ModelInputError, match=r"coupon_pct must be a number at least 0, got -1"):
        meitu.coupons_usd_m(250, -1, 3)
    with pytest.raises(contract.ModelInputError, match=r"share_price_hkd must be finite and zero or more"):
        meitu.conversion_value_usd_m(325, -1.0, 7.8)
    with pytest.raises(contract.ModelInputError, match=r"prices_hkd must be an increasing sequence.*got \[5, 4\]"):
        meitu.payoff_curve(250, 7.8, 6, [5, 4])


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
    with pytest.raises(contract.ModelInputError, match="quarter_fcf_rmb_bn must be a number"):
        meitu.investment_vs_cash_outflow(250, 7.0, "a lot")


def test_the_cloud_run_rate_and_margin_are_cloud_ais():
    """One run rate, one margin: the chapter reads them from the cloud chapter's functions."""
    from alibaba_report.chapters import cloud_ai

    trip = meitu.cloud_round_trip(560, 3, 7.0, 1.0, 250, 5.59)
    assert trip["cloud_year_run_rate_usd_m"] == pytest.approx(1000 * cloud_ai.annual_run_rate_rmb_bn(5.59, 7.0) / 7.0)
    f = meitu.figures(base_p(), fake_claims())
    assert f["cloud_ebitda_margin_pct"] == cloud_ai.margin_pct(506, 5590)
    assert meitu.cloud_ebitda_on_spend_usd_m(100, 506, 5.59) == pytest.approx(cloud_ai.margin_pct(506, 5590))


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


def test_signposts_follow_the_contract_with_thresholds_from_the_terms():
    posts = meitu.signposts(base_p(), fake_claims(), case="the base case")
    assert len(posts) == 4 and all(isinstance(s, contract.Signpost) for s in posts)
    assert posts[0].threshold == CONV_PRICE and posts[0].unit == "HKD per share"
    assert posts[1].threshold == pytest.approx(CLOUD_MIN / CLOUD_YEARS)
    assert posts[2].threshold is None and posts[2].claims == ()
    assert posts[3].threshold == pytest.approx(100 * 325 / 4825)
    assert (posts[1].better_case, posts[1].worse_case) == ("bull", "base or bear")
    words = " ".join(f"{s.name} {s.unit} {s.if_better} {s.if_worse}" for s in posts)
    for name in [*meitu.CLAIMS.values(), *vars(base_p())]:
        assert name not in words, name
    assert {c for s in posts for c in s.claims} <= set(meitu.CLAIMS.values())
    text = contract.signposts_markdown(posts)
    assert text.count("\n- **") == len(posts) - 1 and "**HKD 6 per share**" in text


# --- the page: model, sentences, charts ------------------------------------------------------

def test_figures_by_hand():
    f = meitu.figures(base_p(), fake_claims())
    assert len(f) > 30 and all(isinstance(v, float) for v in f.values())
    assert f["stake_undiluted_pct"] == pytest.approx(100 * 325 / 4500)
    assert f["meitu_mcap_usd_m"] == pytest.approx(4500 * 7.5 / 7.8)
    assert f["deal_share_of_meitu_pct"] == pytest.approx(100 * 250 / (4500 * 7.5 / 7.8))
    assert f["cloud_ebitda_margin_pct"] == pytest.approx(100 * 506 / 5590)
    assert f["quarter_fcf_outflow_rmb_bn"] == pytest.approx(21.8)
    assert f["investment_share_of_fcf_pct"] == pytest.approx(100 * 1750 / 21800)
    assert f["cloud_year_revenue_usd_m"] == pytest.approx(22360)


def test_compute_holds_the_figures_tables_and_chart_data():
    r = meitu.compute(base_p(), fake_claims())
    assert r["figures"] == meitu.figures(base_p(), fake_claims())
    assert r["conversion_table"].loc["Shares on conversion", "value"] == pytest.approx(325)
    prices = r["price_table"].index.tolist()
    assert prices == [3.0, 4.5, 6.0, 7.5, 9.0, 12.0]
    assert r["price_table"].loc[4.5, "holder's value at maturity (USD m)"] == FACE
    assert r["round_trip_table"].loc["assumed spend, whole agreement", "USD m"] == pytest.approx(80)
    assert r["round_trip_bars"]["usd_m"].tolist() == pytest.approx([250, 80, 7.5, 80 * 506 / 5590])
    assert not r["round_trip_bars"]["item"].str.contains("\n").any()
    curve = r["payoff_curve"]
    assert curve["share_price_hkd"].iloc[0] == 0.5 and curve["share_price_hkd"].iloc[-1] == pytest.approx(15.0)


def test_the_assumed_price_is_in_the_price_table_once():
    at_conversion = meitu.price_table(base_p(meitu_share_price_hkd=6.0), fake_claims())
    assert at_conversion.index.tolist() == [3.0, 4.5, 6.0, 9.0, 12.0]


def test_gain_words_both_signs():
    assert meitu.gain_words(25.2) == "25% above"
    assert meitu.gain_words(-10.4) == "10% below"
    assert meitu.gain_words(0.0) == "0% above"


def test_option_state_in_and_out_of_the_money():
    assert meitu.option_state(50.0, 375.0) == (
        "in the money: the shares alone (USD 375 million) are worth more than Alibaba paid")
    out = meitu.option_state(-25.0, 187.5)
    assert out.startswith("out of the money: the shares (USD 188 million)") and "money back" in out
    assert meitu.option_state(0.0, 250.0).startswith("out of the money")  # at the strike nothing is gained


def test_payoff_title_above_and_below_the_conversion_price():
    assert meitu.payoff_title(6, 7.5, 312.5, 25.0, 250) == (
        "Above HK$6 a share the bond is worth more as Meitu shares: at HK$7.50 it is worth USD 312m as shares, "
        "25% over face")
    assert meitu.payoff_title(6, 4.5, 187.5, -25.0, 250).endswith("at HK$4.50 it is worth only its USD 250m face")


def test_day_month_year():
    assert meitu.day_month_year(dt.date(2026, 1, 3)) == "3 January 2026"
    assert meitu.day_month_year(dt.date(2025, 12, 25)) == "25 December 2025"


def test_prose_and_alt_texts_carry_the_numbers():
    t = meitu.prose(base_p(), fake_claims())
    assert t["issue_date"] == "3 January 2026"
    assert t["conversion_gain_text"] == "25% above" and t["option_state_text"].startswith("in the money")
    assert "HK$7.50 it is worth USD 312 million" in t["payoff_alt"]
    assert "over 3 years (80)" in t["round_trip_alt"] and "USD 22.4 billion" in t["round_trip_alt"]
    low = meitu.prose(base_p(meitu_share_price_hkd=4.0), fake_claims())
    assert low["conversion_gain_text"].endswith("below") and low["option_state_text"].startswith("out of")
    f = meitu.figures(base_p(), fake_claims())
    assert meitu.round_trip_title(f) == (
        "The cloud deal returns USD 80m, 32% of what Alibaba put in, and a year of it is 0.12% of Alibaba "
        "Cloud's revenue")


def test_charts_are_drawn_through_the_house_style(ledger):
    import matplotlib.pyplot as plt

    p = params.check_values(NB, params.scenario_parameters("base", NB))
    for draw in (meitu.payoff_figure, meitu.round_trip_figure):
        fig = draw(p, ledger)
        assert fig._suptitle is not None and fig._suptitle.get_text().startswith(("Above", "The cloud deal"))
        source = [t.get_text() for t in fig.texts if t.get_text().startswith("Source: ")]
        assert len(source) == 1, draw.__name__
        assert not any(name in source[0] for name in vars(p)), source[0]  # no parameter names
        plt.close(fig)


def test_terms_table_from_the_ledger(ledger):
    table = meitu.terms_table(ledger)
    assert len(table) == 5 and "issue date" in table.index  # the terms in words, no claim ids


# --- the notebook ----------------------------------------------------------------------------

def test_notebook_under_bear_prices_and_more_cloud_spend(notebook_values):
    """A share price below HK$6 leaves the holder at face; more cloud spend raises the round trip."""
    base = glued(nbformat.read(ROOT / "book" / f"{NB}.ipynb", as_version=4))  # the committed base run
    other = notebook_values(NB, meitu_share_price_hkd=4.5, cloud_spend_multiple=2.0,
                               meitu_shares_outstanding_m=5500.0)
    assert base["conversion_gain_pct"] > 0
    assert other["conversion_gain_pct"] < 0
    assert other["holder_value_usd_m"] == pytest.approx(base["face_usd_m"])
    assert other["conversion_shares_m"] == pytest.approx(base["conversion_shares_m"])
    assert other["stake_pct"] < base["stake_pct"]
    assert other["cloud_total_usd_m"] == pytest.approx(2 * base["cloud_total_usd_m"])
    assert other["cloud_share_of_investment_pct"] == pytest.approx(2 * base["cloud_share_of_investment_pct"])
    assert other["cloud_min_total_usd_m"] == pytest.approx(base["cloud_min_total_usd_m"])


def test_notebook_rejects_a_bad_or_unknown_parameter(notebook_values):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError) as bad:
        notebook_values(NB, meitu_share_price_hkd=-3.0)
    assert "meitu_share_price_hkd" in bad.value.evalue and "0.5 to 50" in bad.value.evalue
    with pytest.raises(pm.PapermillExecutionError) as unknown:
        notebook_values(NB, meitu_share_prise_hkd=7.0)
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


def test_the_bond_is_valued_as_a_loan_plus_an_option():
    # a zero-coupon bond at a 10% yield over two years: face / 1.1^2
    assert meitu.bond_floor_usd_m(100, 0, 2, 10) == pytest.approx(100 / 1.21)
    # coupons are discounted year by year
    assert meitu.bond_floor_usd_m(100, 5, 2, 5) == pytest.approx(100)
    # the option is worth at least its intrinsic value and more with volatility and time
    deep = meitu.conversion_option_usd_m(100, 12.0, 6.0, 3, 50, 4, 7.8)
    assert deep > 100 * (12.0 - 6.0) / 7.8
    low, high = (meitu.conversion_option_usd_m(100, 6.0, 6.0, 3, v, 4, 7.8) for v in (20, 80))
    assert 0 < low < high
    with pytest.raises(meitu.ModelInputError, match="volatility_pct"):
        meitu.conversion_option_usd_m(100, 6.0, 6.0, 3, 0, 4, 7.8)


def test_bond_value_is_floor_plus_option_and_rises_with_meitu(ledger):
    claims = ledger
    import types

    from alibaba_report import params

    vals = {}
    for s in ("bear", "base", "bull"):
        k = meitu.key_outputs(types.SimpleNamespace(**params.scenario_parameters(s, "meitu_deal")), claims)
        assert k["bond_value_usd_m"] == pytest.approx(k["bond_floor_usd_m"] + k["option_value_usd_m"])
        # worth more than the larger of face and shares at today's price would say only through time value
        assert k["option_value_usd_m"] > max(0.0, k["conversion_value_usd_m"] - k["bond_floor_usd_m"]) - 1e-9
        vals[s] = k["bond_value_usd_m"]
    assert vals["bear"] < vals["base"] < vals["bull"]


# --- the summary's row ----------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", ["bear", "base", "bull"])
def test_headline_shows_the_bond_and_the_cloud_share_as_the_page_rounds_them(ledger, scenario):
    p = types.SimpleNamespace(**params.scenario_parameters(scenario, NB))
    k, row = meitu.key_outputs(p, ledger), meitu.headline(p, ledger)
    assert contract.headline_problems(row) == []
    face = ledger.value(meitu.CLAIMS["face_usd_m"])
    assert row["figure"] == f"the bond is worth about USD {k['bond_value_usd_m']:.0f}m to Alibaba for USD {face:.0f}m lent"
    assert row["meaning"] == (f"the cloud contract is {k['cloud_share_of_cloud_year_pct']:.2f}% of a year's cloud revenue: "
                              "strategic, not material")


def test_headline_names_the_case_whose_share_price_values_the_bond():
    row = meitu.headline(base_p(), fake_claims(), case="base")
    assert row["figure"].endswith("lent (at the base case's Meitu share price)")
    assert contract.headline_problems(row) == []


def test_headline_calls_the_contract_material_from_five_percent_of_a_year():
    assert meitu.materiality_words(meitu.MATERIAL_SHARE_PCT - 0.01) == "strategic, not material"
    assert meitu.materiality_words(meitu.MATERIAL_SHARE_PCT) == "material to the cloud's revenue"
    # a (fictional) quarter of cloud revenue small enough that the contract's floor is material
    claims = fake_claims()
    claims._by_id[meitu.CLAIMS["cloud_quarter_revenue_usd_bn"]] = 0.05
    share = meitu.key_outputs(base_p(), claims)["cloud_share_of_cloud_year_pct"]
    assert share > 5 and meitu.headline(base_p(), claims)["meaning"].endswith(": material to the cloud's revenue")


@pytest.mark.parametrize("over", [dict(meitu_share_price_hkd=0.5, meitu_volatility_pct=1.0),
                                  dict(meitu_share_price_hkd=50.0, cloud_spend_multiple=5.0, bond_yield_pct=0.0)])
def test_headline_at_the_ends_of_the_ranges_has_numbers_only(over):
    assert contract.headline_problems(meitu.headline(base_p(**over), fake_claims(), case="a|b")) == []
