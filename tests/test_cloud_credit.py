"""What the cloud programme adds to each case's value, and what a multiple of next year's earnings does
not see of it (issue 23.3: the return on the capex reaches value, or the page says why not)."""
from __future__ import annotations

import math

import pytest

from alibaba_report.chapters import cloud_ai
from alibaba_report.chapters.contract import ModelInputError
from alibaba_report.synthesis import value_tables, valuation
from alibaba_report.synthesis.value_words import cloud_credit_sentence


def test_present_value_is_zero_at_the_programmes_own_return_and_the_plain_sum_at_zero():
    flows = [-100.0, -100.0, 60.0, 80.0, 90.0, 70.0]
    irr = cloud_ai.irr_pct(flows)
    assert abs(cloud_ai.npv_rmb_bn(flows, irr)) < 1e-6
    assert cloud_ai.npv_rmb_bn(flows, 0) == pytest.approx(sum(flows))
    assert cloud_ai.npv_rmb_bn(flows, irr + 5) < 0 < cloud_ai.npv_rmb_bn(flows, irr - 5)


def test_a_rate_at_or_below_minus_100_is_refused_by_name():
    with pytest.raises(ModelInputError, match="rate_pct"):
        cloud_ai.npv_rmb_bn([-1.0, 2.0], -100)


def test_a_case_with_the_embedded_programme_says_it_adds_nothing_and_what_the_multiple_misses(ledger):
    text = value_tables.cloud_credit("base", ledger)
    p = cloud_ai.scenario_parameters("base")
    irr = cloud_ai.key_outputs(p, ledger)["return_on_capex_pct"]
    assert "adds nothing to its value" in text and "a judgement" in text
    assert f"returns {irr:.1f}% a year on its capex, under the 10% cost of equity" in text
    assert "minus USD" in text  # at a return under the cost of equity, the present value is a loss


@pytest.mark.parametrize("case, sign", [("bear", "-"), ("bull", "+")])
def test_a_case_with_another_programme_gives_its_fy27_change_and_its_present_value(ledger, case, sign):
    r = valuation.scenario_value(case, ledger)
    text = value_tables.cloud_credit(case, ledger)
    assert f"changes FY27 cash profit by RMB {r['cloud_delta_fy27_rmb_bn']:+.1f}bn" in text
    assert f"by RMB {sign}" in text and "sees only FY27" in text
    assert "the base case" not in text  # each book's sentence names its own case


def test_a_programme_that_never_earns_back_has_no_return_in_words_not_nan():
    text = cloud_credit_sentence("mine", 0.0, 0.0, math.nan, 10.0, -40.0)
    assert "has no rate of return" in text and "nan" not in text.lower()
    assert "minus USD 40 per ADS" in text
