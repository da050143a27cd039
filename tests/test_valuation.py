"""The book's model of value: arithmetic checked by hand, directions a reader expects, break-evens
that do what they say, and uncertainty that is seeded and bounded."""
from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from alibaba_report.chapters import contract
from alibaba_report.chapters import retail_war as retail
from alibaba_report.evidence import ledger
from alibaba_report.synthesis import uncertainty as u
from alibaba_report.synthesis import valuation as v


@pytest.fixture(scope="module")
def claims():
    return ledger.load_claims()


@pytest.fixture(scope="module")
def base():
    return v.scenario_inputs("base")


def value(inp, claims, key="value_per_ads_usd"):
    return float(v.model(inp, claims)[key])


def test_the_retail_chapters_loss_path_is_vectorised_over_draws():
    peak, pq, s = np.array([35.5, 40.0, 35.0]), np.array([1.0, 2.0, 1.0]), np.array([15.0, 8.0, 25.0])
    paths = retail.loss_path(peak, s, 8, pq)
    assert paths.shape == (3, 8)
    for row, args in zip(paths, zip(peak, s, pq)):
        np.testing.assert_allclose(row, retail.loss_path(float(args[0]), float(args[1]), 8, int(args[2])))
    with pytest.raises(contract.ModelInputError, match=r"shrink_pct\[1\] must be a number at least 0 and at most 100"):
        retail.loss_path(peak, np.array([15.0, 120.0, 25.0]), 8, pq)
    with pytest.raises(contract.ModelInputError, match=r"peak_quarters\[2\] must be a whole number, got 1.5"):
        retail.loss_path(peak, s, 8, np.array([1.0, 2.0, 1.5]))


def test_the_valuations_war_is_the_retail_chapters_paths(claims, base):
    # one rule for the loss path and one brokers' peak: the model's FY27 gain from the war is the
    # chapter's embedded path less the chapter's scenario path over FY27's quarters
    n = v.HORIZON_QUARTERS
    embedded = retail.loss_path(retail.brokers_peak(claims), base.consensus_embedded_shrink_pct, n, 1)
    scenario = retail.loss_path(base.peak_loss_rmb_bn, base.shrink_pct, n, base.peak_quarters)
    want = (embedded - scenario)[v.FY27_QUARTERS].sum()
    assert value(base, claims, "retail_delta_fy27_rmb_bn") == pytest.approx(want, rel=1e-9)


def test_when_every_driver_matches_what_the_forecasts_embed_eps_is_the_analysts(claims, base):
    peak = (claims.value(v.CLAIMS["nomura_peak"]) + claims.value(v.CLAIMS["ubs_loss"])) / 2
    neutral = dataclasses.replace(base, peak_loss_rmb_bn=peak, peak_quarters=1, shrink_pct=base.consensus_embedded_shrink_pct,
                                  cloud_growth_pct=claims.value(v.CLAIMS["cloud_growth_consensus"]),
                                  cash_margin_pct=base.consensus_cloud_margin_pct, policy_revenue_rmb_bn=0.0)
    r = {k: float(x) for k, x in v.model(neutral, claims).items()}
    assert r["ebitda_fy27_rmb_bn"] == pytest.approx(claims.value(v.CLAIMS["ebitda_fy27"]))
    assert r["eps_fy27_usd"] == pytest.approx(claims.value(v.CLAIMS["eps_fy27"]))
    # NTM from 4 January 2026 = FQ4 FY26 (a quarter of FY26's EPS, 8.57 / 1.5) and FQ1-FQ3 FY27
    assert r["ntm_eps_usd"] == pytest.approx(0.25 * 8.57 / 1.5 + 0.75 * 8.57)
    # value today: the multiple on those earnings, nothing discounted
    assert r["value_per_ads_usd"] == pytest.approx(neutral.forward_pe * r["ntm_eps_usd"])
    # a year on: FQ4 FY27 and FQ1-FQ3 FY28, FY28 grown at the stated assumption
    fy28 = 8.57 * (1 + neutral.fy28_eps_growth_pct / 100)
    assert r["ntm_eps_12m_usd"] == pytest.approx(0.25 * 8.57 + 0.75 * fy28)
    assert r["value_12m_usd"] == pytest.approx(neutral.forward_pe * r["ntm_eps_12m_usd"])


def test_an_ebitda_change_reaches_eps_after_tax_per_ads(claims, base):
    # a higher cash margin changes the cloud's cash profit (the policy plan's revenue is cloud revenue
    # and earns it too), not its depreciation: FY27 EPS moves by that EBITDA change after tax, per ADS,
    # at the exchange rate
    lo, hi = (v.model(dataclasses.replace(base, cash_margin_pct=m), claims) for m in (30.0, 50.0))
    gained = float(hi["ebitda_fy27_rmb_bn"] - lo["ebitda_fy27_rmb_bn"])
    assert gained == pytest.approx(float(hi["cloud_delta_fy27_rmb_bn"] + hi["policy_delta_fy27_rmb_bn"]
                                         - lo["cloud_delta_fy27_rmb_bn"] - lo["policy_delta_fy27_rmb_bn"]))
    assert gained > 1.0
    assert float(hi["eps_fy27_usd"] - lo["eps_fy27_usd"]) == pytest.approx(
        gained * (1 - base.tax_rate_pct / 100) / (base.ads_outstanding_bn * base.usd_rmb))


@pytest.mark.parametrize("name, up", [("shrink_pct", True), ("peak_loss_rmb_bn", False), ("peak_quarters", False),
                                      ("cash_margin_pct", True), ("cloud_growth_pct", True), ("forward_pe", True),
                                      ("consensus_embedded_shrink_pct", False)])
def test_value_moves_the_way_a_reader_expects(claims, base, name, up):
    lo, hi = {"peak_quarters": (1, 2)}.get(name, (getattr(base, name) * 0.8, getattr(base, name) * 1.2))
    a = value(dataclasses.replace(base, **{name: lo}), claims)
    b = value(dataclasses.replace(base, **{name: hi}), claims)
    assert (b > a) if up else (b < a), (name, a, b)


def test_scenarios_are_ordered_and_the_weighted_value_sits_between(claims):
    vals = {s: v.scenario_value(s, claims)["value_per_ads_usd"] for s in v.SCENARIOS}
    assert vals["bear"] < vals["base"] < vals["bull"]
    w = v.scenario_weights()
    assert sum(w.values()) == pytest.approx(1.0) and min(w.values()) > 0
    pw = v.probability_weighted_value(vals, w)
    assert vals["bear"] < pw < vals["bull"]


def test_breakevens_reproduce_the_price(claims):
    price = claims.value(v.CLAIMS["price"])
    pe = v.breakeven_pe("base", claims)
    inp = v.scenario_inputs("base")
    assert value(dataclasses.replace(inp, forward_pe=pe), claims) == pytest.approx(price)
    s = v.breakeven_shrink_pct("base", claims)
    assert s is not None and 0 < s < 100
    assert value(dataclasses.replace(inp, shrink_pct=s), claims) == pytest.approx(price, abs=1e-3)
    m = v.breakeven_cloud_margin_pct("base", claims)
    assert m is not None and value(dataclasses.replace(inp, cash_margin_pct=m), claims) == pytest.approx(price, abs=1e-3)
    # a price no shrink rate can reach has no break-even
    assert v.breakeven_shrink_pct("bear", claims, price_usd=10_000.0) is None


def test_monte_carlo_is_seeded_fast_and_within_the_ranges(claims):
    t = time.perf_counter()
    a = u.monte_carlo(claims, draws=10_000)
    took = time.perf_counter() - t
    b = u.monte_carlo(claims, draws=10_000)
    assert len(a) == 10_000 and a.equals(b)
    assert took < 10  # the issue asks under 2 s; generous here so a busy machine does not fail it
    assert 0 < u.percentile_of(a["value_per_ads_usd"], claims.value(v.CLAIMS["price"])) < 100


def test_the_draws_tell_the_same_story_as_the_weights(claims):
    """Issue 23, item 4: independent draws never reached the bear or bull value while the weights gave
    each 25%. Drawn as cases then noise, each case is picked as often as its weight, the draws reach
    both ends, and their mean is the probability-weighted value."""
    a = u.monte_carlo(claims)
    w = v.scenario_weights()
    share = a["case"].value_counts(normalize=True)
    for s in v.SCENARIOS:
        assert share[s] == pytest.approx(w[s], abs=0.02)
    vals = {s: v.scenario_value(s, claims)["value_per_ads_usd"] for s in v.SCENARIOS}
    x = a["value_per_ads_usd"]
    assert x.quantile(0.01) < vals["bear"] and x.quantile(0.99) > vals["bull"]
    assert x.mean() == pytest.approx(v.weighted("value_per_ads_usd", claims), rel=0.03)
    # within a case the draws sit around that case's value
    for s in v.SCENARIOS:
        assert x[a["case"] == s].median() == pytest.approx(vals[s], rel=0.05)
    # the assumptions move together: the shrink rate and the multiple rise with the case
    assert np.corrcoef(a["shrink_pct"], a["forward_pe"])[0, 1] > 0.5


def test_draw_bands_stay_between_the_cases_and_above_zero():
    for name in ("shrink_pct", "forward_pe", "policy_revenue_rmb_bn", "peak_loss_rmb_bn"):
        bands = u.draw_bands(name)
        for s, (lo, mode, hi) in bands.items():
            assert lo <= mode <= hi and lo >= 0, (name, s)
    assert u.draw_bands("tax_rate_pct") is None  # the cases hold it equal


def test_a_scenarios_weights_drive_its_draws(claims, tmp_path, monkeypatch):
    import shutil

    from alibaba_report import paths

    for name in ("data", "seeds"):
        shutil.copytree(paths.root() / name, tmp_path / name)
    (tmp_path / "data" / "scenarios" / "gloomy.yml").write_text(
        "description: all weight on the bear case\nvaluation:\n"
        "  weight_base_pct:\n    value: 0\n    reason: test\n"
        "  weight_bull_pct:\n    value: 0\n    reason: test\n", encoding="utf-8")
    monkeypatch.setenv("REPORT_ROOT", str(tmp_path))
    a = u.monte_carlo(claims, draws=2_000, scenario="gloomy")
    assert set(a["case"]) == {"bear"}


def test_tornado_ranks_by_swing_and_every_input_has_reader_words(claims):
    t = u.tornado(claims)
    assert len(t) > 0
    assert list(t["swing"]) == sorted(t["swing"], reverse=True)
    assert t["swing"].iloc[0] > 0
    assert set(t["input"]) <= set(v.LABELS)
    assert not t["assumption"].str.contains("_").any()


def test_funding_check_uses_the_scenario_ebitda(claims):
    f = v.funding_check("bear", claims)
    g = v.funding_check("bull", claims)
    assert f["capex_rmb_bn"] == pytest.approx(460 / 3)
    assert f["free_cash_rmb_bn"] < g["free_cash_rmb_bn"]
    assert f["last_quarter_fcf_rmb_bn"] == pytest.approx(-21.8)


def test_percentile_of_refuses_nothing():
    with pytest.raises(v.contract.ModelInputError):
        u.percentile_of(np.array([]), 1.0)


# --- issue 23: a calibrated model, a matched basis, a dated verdict -------------------------------

def test_the_consensus_case_gives_back_the_quoted_price(claims):
    """Fed the forecasts' own inputs and the multiple the sources state, the model returns the price
    of 4 January 2026 within 1%."""
    from alibaba_report import params

    price = claims.value(v.CLAIMS["price"])
    r = v.scenario_value("consensus", claims)
    assert r["value_per_ads_usd"] == pytest.approx(price, rel=0.01)
    # every driver at what the forecasts embed: their own EBITDA and EPS
    assert r["ebitda_fy27_rmb_bn"] == pytest.approx(claims.value(v.CLAIMS["ebitda_fy27"]), abs=0.05)
    assert r["eps_fy27_usd"] == pytest.approx(claims.value(v.CLAIMS["eps_fy27"]), abs=0.005)
    # the multiple is one the sources state: seed 004's "roughly 20" and seed 001's "near 19"
    pe = params.scenario_parameters("consensus", "valuation")["forward_pe"]
    assert claims.value(v.CLAIMS["pe_near"]) <= pe <= claims.value(v.CLAIMS["pe_forward"])


def test_the_multiple_goes_on_the_earnings_it_was_quoted_on(claims):
    """A forward P/E is price over next-twelve-months earnings: the market's multiple is the price over
    the forecasts' NTM EPS, and the base case applies that multiple, not 20 on FY27."""
    from alibaba_report import params

    cons = v.scenario_value("consensus", claims)
    market = claims.value(v.CLAIMS["price"]) / cons["ntm_eps_usd"]
    assert params.scenario_parameters("base", "valuation")["forward_pe"] == pytest.approx(market, abs=0.05)
    # 20 times FY27 EPS would put the forecasts' own earnings about 10% above the price they were quoted beside
    assert 20 * claims.value(v.CLAIMS["eps_fy27"]) / claims.value(v.CLAIMS["price"]) > 1.1


def test_the_price_implies_the_embedded_shrink(claims):
    """With every other driver at the forecasts', the price implies the shrink the forecasts are taken to embed."""
    inp = v.scenario_inputs("consensus")
    s = v.breakeven_shrink_pct("consensus", claims)
    assert s == pytest.approx(float(inp.consensus_embedded_shrink_pct), abs=1.0)


def test_dates_come_from_dates():
    import datetime as dt

    assert v.fiscal_year(dt.date(2026, 3, 31)) == 26 and v.fiscal_year(dt.date(2026, 4, 1)) == 27
    assert v.ntm_quarters(v.PRICING_DATE) == [1, 2, 3, 4]  # FQ4 FY26 .. FQ3 FY27
    assert v.ntm_quarters(v.TARGET_DATE) == [5, 6, 7, 8]  # FQ4 FY27 .. FQ3 FY28
    assert v.FY27_QUARTERS == [2, 3, 4, 5]
    assert (v.TARGET_DATE - v.PRICING_DATE).days == 365
    assert v.day(v.PRICING_DATE) == "4 January 2026"
    with pytest.raises(v.contract.ModelInputError):
        v.ntm_quarters(dt.date(2025, 6, 30))


def test_the_12_month_value_uses_the_following_years_earnings(claims, base):
    """A year on, the value rises with the earnings the next twelve months then hold, and the FY28
    assumption moves only the 12-month value, never today's."""
    lo = v.model(dataclasses.replace(base, fy28_eps_growth_pct=0.0), claims)
    hi = v.model(dataclasses.replace(base, fy28_eps_growth_pct=20.0), claims)
    assert float(lo["value_per_ads_usd"]) == pytest.approx(float(hi["value_per_ads_usd"]))
    assert float(hi["value_12m_usd"]) > float(lo["value_12m_usd"])


@pytest.mark.parametrize("ret, coe, want", [(30.0, 10.0, "Buy"), (15.1, 10.0, "Buy"), (10.0, 10.0, "Hold"),
                                            (5.0, 10.0, "Hold"), (4.9, 10.0, "Sell"), (-20.0, 10.0, "Sell")])
def test_the_rating_is_relative_to_the_return_shareholders_require(ret, coe, want):
    assert v.rating(ret, coe) == want


def test_a_scenarios_own_weights_decide_its_weighted_value(claims, tmp_path, monkeypatch):
    """A scenario of your own that changes the weights changes its weighted value (issue 23, item 6)."""
    import shutil

    from alibaba_report import paths

    for name in ("data", "seeds"):
        shutil.copytree(paths.root() / name, tmp_path / name)
    (tmp_path / "data" / "scenarios" / "allbull.yml").write_text(
        "description: all weight on the bull case\nvaluation:\n"
        "  weight_bear_pct:\n    value: 0\n    reason: test\n"
        "  weight_base_pct:\n    value: 0\n    reason: test\n", encoding="utf-8")
    monkeypatch.setenv("REPORT_ROOT", str(tmp_path))
    w = v.scenario_weights("allbull")
    assert w == {"bear": 0.0, "base": 0.0, "bull": 1.0}
    assert v.weighted("value_per_ads_usd", claims, "allbull") == pytest.approx(v.scenario_value("bull", claims)["value_per_ads_usd"])
    assert v.weighted("value_per_ads_usd", claims, "allbull") > v.weighted("value_per_ads_usd", claims, "base")


def test_no_scenario_reason_reads_seed_001s_loss_as_reported():
    """Issue 23, item 7: seed 001's "exceeding RMB 36 billion" last quarter restates the brokers'
    forecast; a scenario's reason that leans on it must not call it reported."""
    import re

    from alibaba_report import params

    for name in params.known_scenarios():
        text = (params.scenario_dir() / f"{name}.yml").read_text(encoding="utf-8")
        for reason in re.split(r"\n  \w+:\n", text):
            if "exceeding RMB 36 billion" in reason:
                flat = " ".join(reason.split())
                assert not re.search(r"\b(already reports|reports losses)\b", flat), (name, flat)
                assert "not a reported figure" in flat, (name, flat)
