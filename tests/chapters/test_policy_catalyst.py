"""The policy-catalyst model (alibaba_report.chapters.policy_catalyst) and its notebook, book/policy_catalyst.ipynb."""
from __future__ import annotations

import re
import types
from datetime import date
from pathlib import Path

import nbformat
import numpy as np
import pytest

from alibaba_report import params
from alibaba_report.chapters import cloud_ai, contract, hk_vs_us
from alibaba_report.chapters import policy_catalyst as policy

ROOT = Path(__file__).resolve().parents[2]
NB = "policy_catalyst"


def base_p(**over) -> types.SimpleNamespace:
    values = params.scenario_parameters("base", NB)
    values.update(over)
    return params.check_values(NB, values)


@pytest.fixture(scope="module")
def claims():
    from alibaba_report.evidence import ledger

    return ledger.load_claims()


# --- model arithmetic, by hand -----------------------------------------------------------------


def test_value_added_is_market_value_times_move():
    assert policy.value_added_usd_bn(350, 9) == pytest.approx(31.5)
    assert policy.value_added_usd_bn(200, -10) == pytest.approx(-20)


def test_factory_spend_converts_rmb_millions_to_usd_billions():
    # 10,000 factories × RMB 0.7m = RMB 7bn = USD 1bn at 7 RMB per USD
    assert policy.factory_spend_usd_bn(10_000, 0.7, 7.0) == pytest.approx(1.0)
    assert policy.factory_spend_usd_bn(0, 0.7, 7.0) == 0


def run_rate(p, claims) -> float:
    return cloud_ai.annual_run_rate_rmb_bn(claims.value(policy.CLAIMS["cloud_revenue_q_usd_bn"]), p.usd_rmb)


def test_plan_revenue_in_rmb_is_factories_times_spend_times_share():
    # 10,000 factories × RMB 0.7m = RMB 7bn; Alibaba's 50% = RMB 3.5bn a year
    assert policy.plan_revenue_rmb_bn(10_000, 0.7, 50) == pytest.approx(3.5)
    assert policy.plan_revenue_usd_bn(10_000, 0.7, 7.0, 50) == pytest.approx(0.5)
    grid = policy.plan_revenue_rmb_bn(np.array([[10_000], [20_000]]), np.array([[0.7, 1.4]]), 50)
    np.testing.assert_allclose(grid, [[3.5, 7.0], [7.0, 14.0]])


def test_the_plan_earns_the_clouds_cash_margin_on_what_the_servers_serve(claims):
    p = base_p()
    rr = run_rate(p, claims)
    small = policy.plan_fy(p, rr, 1.0)
    # a plan far inside the servers' room: all of it served, at the cloud's cash margin
    assert float(small["served_rmb_bn"]) == pytest.approx(float(small["demand_rmb_bn"]))
    assert float(small["profit_rmb_bn"]) == pytest.approx(float(small["demand_rmb_bn"]) * p.cash_margin_pct / 100)
    # its value: that profit after tax, in dollars, at the multiple
    assert policy.plan_value_usd_bn(p, rr, 1.0) == pytest.approx(
        float(small["profit_rmb_bn"]) * (1 - p.tax_rate_pct / 100) / p.usd_rmb * p.profit_multiple)
    # a wider cash margin is worth proportionally more; a bigger programme has more room
    wider = base_p(cash_margin_pct=2 * p.cash_margin_pct)
    assert policy.plan_value_usd_bn(wider, rr, 1.0) == pytest.approx(2 * policy.plan_value_usd_bn(p, rr, 1.0))
    assert (policy.capacity_value_usd_bn(base_p(capex_rmb_bn=2 * p.capex_rmb_bn), rr)
            > policy.capacity_value_usd_bn(p, rr))


def test_a_spend_beyond_the_servers_room_earns_nothing_more(claims):
    p = base_p()
    rr = run_rate(p, claims)
    most = policy.capacity_value_usd_bn(p, rr)
    spends = np.array([0.5, 1.0, 2.0, 5.0, 20.0, 50.0])
    values = policy.plan_value_usd_bn(p, rr, policy.plan_revenue_rmb_bn(p.factories_adopting, spends, p.alibaba_share_pct))
    assert np.all(np.diff(values) >= -1e-12) and np.all(values <= most * (1 + 1e-12))
    # past the spend that fills the servers, the value is the capacity's and no more
    out = policy.compute(p, claims)
    filling = out["filling_spend_rmb_m"]
    assert filling is not None and 0.5 < filling < 20
    for spend in (filling * 1.5, filling * 10, 50.0):
        rev = policy.plan_revenue_rmb_bn(p.factories_adopting, spend, p.alibaba_share_pct)
        assert policy.plan_value_usd_bn(p, rr, rev) == pytest.approx(most, rel=1e-9)
    assert policy.plan_value_usd_bn(p, rr, policy.plan_revenue_rmb_bn(p.factories_adopting, filling / 2,
                                                                      p.alibaba_share_pct)) < most * 0.99


def test_the_break_even_solver_returns_the_revenue_at_which_the_value_is_the_target(claims):
    p = base_p()
    rr = run_rate(p, claims)
    most = policy.capacity_value_usd_bn(p, rr)
    for share in (0.05, 0.3, 0.9, 0.999):
        target = most * share
        revenue = policy.required_plan_revenue_rmb_bn(target, p, rr)
        assert policy.plan_value_usd_bn(p, rr, revenue) == pytest.approx(target, rel=1e-8)
        # round trip through the spend per factory and the factories
        spend = policy.break_even_spend_rmb_m(revenue, p.factories_adopting, p.alibaba_share_pct)
        back = policy.plan_revenue_rmb_bn(p.factories_adopting, spend, p.alibaba_share_pct)
        assert policy.plan_value_usd_bn(p, rr, back) == pytest.approx(target, rel=1e-8)
        n = policy.break_even_factories(revenue, p.spend_per_factory_rmb_m, p.alibaba_share_pct)
        assert policy.plan_value_usd_bn(p, rr, policy.plan_revenue_rmb_bn(n, p.spend_per_factory_rmb_m,
                                                                          p.alibaba_share_pct)) == pytest.approx(target, rel=1e-8)
    # below the servers' room the value is linear in the revenue: the solver agrees with the division
    small = policy.plan_value_usd_bn(p, rr, 1.0)
    assert policy.required_plan_revenue_rmb_bn(small / 2, p, rr) == pytest.approx(0.5, rel=1e-8)
    # no revenue reaches a value above what the servers' room is worth: None, never inf or nan
    assert policy.required_plan_revenue_rmb_bn(most * 1.01, p, rr) is None
    assert policy.break_even_spend_rmb_m(None, 50_000, 33) is None and policy.break_even_factories(None, 0.5, 33) is None
    assert policy.required_plan_revenue_rmb_bn(0.0, p, rr) == 0.0


def test_the_page_and_the_model_of_value_book_one_fy27_profit_for_the_plan(claims):
    from alibaba_report.synthesis import valuation

    for case in ("bear", "base", "bull"):
        out = policy.compute(policy.scenario_parameters(case), claims)
        r = valuation.scenario_value(case, claims)
        assert out["plan_profit_fy27_rmb_bn"] == pytest.approx(r["policy_delta_fy27_rmb_bn"], rel=1e-9, abs=1e-12), case
        # and the plan's revenue is one computation, in the same currency
        inp = valuation.scenario_inputs(case)
        assert out["plan_revenue_rmb_bn"] == pytest.approx(float(inp.policy_revenue_rmb_bn), rel=1e-12)


def test_the_plan_adds_nothing_to_a_fiscal_year_that_ended_before_it_started(claims):
    """The plan starts on 1 April 2026, the first day of FY27: FY26 (to 31 March 2026), a quarter of the
    next twelve months' earnings, gets none of its profit; FY27 and FY28 get some."""
    p = policy.scenario_parameters("base")
    run_rate = cloud_ai.reported(cloud_ai.scenario_parameters("base"), claims)["run_rate_rmb_bn"]
    by_fy = policy.plan_fiscal_years(np.asarray(8.25), run_rate, policy.cloud_programme(p), (26, 27, 28))
    assert float(by_fy["profit_rmb_bn"][26]) == 0.0 and float(by_fy["demand_rmb_bn"][26]) == 0.0
    assert float(by_fy["profit_rmb_bn"][27]) > 0 and float(by_fy["profit_rmb_bn"][28]) > 0


def test_the_plan_is_the_same_for_numbers_as_for_the_valuations_arrays(claims):
    """The servers' room is computed once for plain numbers (the page's solvers ask for it thousands of
    times); the valuation passes arrays. Both give the same plan, and the kept room cannot be changed."""
    import types

    p = policy.scenario_parameters("bull")
    run_rate = cloud_ai.reported(cloud_ai.scenario_parameters("bull"), claims)["run_rate_rmb_bn"]
    numbers = policy.cloud_programme(p)
    arrays = types.SimpleNamespace(**{k: np.asarray([getattr(numbers, k)] * 2, dtype=float) for k in policy.CLOUD_PROGRAMME})
    revenue = np.asarray([4.0, 60.0])  # the room binds for the second
    for _ in range(2):  # the second call reads the kept room
        a = policy.plan_fiscal_years(revenue, run_rate, numbers, (27, 28))
        b = policy.plan_fiscal_years(revenue, np.asarray([run_rate] * 2), arrays, (27, 28))
        for fy in (27, 28):
            assert np.array_equal(a["profit_rmb_bn"][fy], b["profit_rmb_bn"][fy]), fy
    assert a["served_rmb_bn"][27][1] < a["demand_rmb_bn"][27][1]
    from alibaba_report.chapters.policy_catalyst import cloud_plan
    from alibaba_report.synthesis.cloud_value import PROGRAMME_YEARS

    kept = cloud_plan._room(run_rate, tuple(getattr(numbers, k) for k in policy.CLOUD_PROGRAMME), PROGRAMME_YEARS)
    with pytest.raises(ValueError):
        kept[0] = 0.0


def test_the_cloud_programme_is_one_assumption_shared_with_the_cloud_page():
    for case in ("bear", "base", "bull", "consensus"):
        pol, cl = policy.scenario_parameters(case), cloud_ai.scenario_parameters(case)
        for name in policy.CLOUD_PROGRAMME:
            assert getattr(pol, name) == getattr(cl, name), (case, name)
    for name in policy.CLOUD_PROGRAMME:
        assert name in params.specs(NB) and name in params.specs("cloud_ai")
    assert "margin_pct" not in params.specs(NB)


@pytest.mark.parametrize(
    "call, names",
    [
        (lambda: policy.value_added_usd_bn(0, 9), r"market_value_before_usd_bn must be a number above 0 \(USD bn\), got 0"),
        (lambda: policy.value_added_usd_bn(350, -100), r"move_pct must be a number above -100 \(%\), got -100"),
        (lambda: policy.value_added_usd_bn(350, float("nan")), "move_pct must be a finite number, got nan"),
        (lambda: policy.value_added_usd_bn(True, 9), "market_value_before_usd_bn must be a number"),
        (lambda: policy.week_value_added_usd_bn(350, 9, -100), "week_gain_pct"),
        (lambda: policy.compound_pct(5, -120), "each move must be a number above -100"),
        (lambda: policy.factory_spend_usd_bn(-1, 0.5, 7.1), "factories must be a number at least 0"),
        (lambda: policy.factory_spend_usd_bn(100, "0.5", 7.1), "spend_per_factory_rmb_m must be a number"),
        (lambda: policy.factory_spend_usd_bn(100, 0.5, 0), r"usd_rmb must be a number above 0 \(RMB per USD\)"),
        (lambda: policy.plan_revenue_usd_bn(100, 0.5, 7.1, 120), "share_pct must be a number at least 0 and at most 100"),
        (lambda: policy.plan_revenue_rmb_bn(100, -0.5, 33), "spend_per_factory_rmb_m must be a finite number at least 0"),
        (lambda: policy.plan_revenue_rmb_bn(100, 0.5, 120), "share_pct must be a finite number at least 0 and at most 100"),
        (lambda: policy.after_tax_value_usd_bn(1.0, 7.1, 0, tax_rate_pct=0), "profit_multiple must be a number above 0"),
        (lambda: policy.after_tax_value_usd_bn(1.0, 7.1, 20, tax_rate_pct=100), "tax_rate_pct must be a number"),
        (lambda: policy.break_even_spend_rmb_m(30, 0, 33), "factories must be a number above 0"),
        (lambda: policy.break_even_spend_rmb_m(30, 100, 0), "share_pct must be a number above 0"),
        (lambda: policy.break_even_factories(30, 0, 33), "spend_per_factory_rmb_m must be a number above 0"),
        (lambda: policy.sensitivity(base_p(), 160.0, [], [1], 30), "grids .* must not be empty"),
        (lambda: policy.sensitivity(base_p(), 160.0, [1], [1], 0), "value_added must be a number above 0"),
        (lambda: policy.grid_around(0), "value must be a number above 0"),
    ],
)
def test_invalid_inputs_raise_a_model_input_error_naming_the_input(call, names):
    with pytest.raises(contract.ModelInputError, match=names):
        call()


def test_sensitivity_is_plan_value_over_value_added_monotone_and_capped(claims):
    p = base_p()
    rr = run_rate(p, claims)
    t = policy.sensitivity(p, rr, [10_000, 50_000], [0.2, 0.5, 5.0, 20.0], 31.5)
    assert list(t.index) == [10_000, 50_000] and list(t.columns) == [0.2, 0.5, 5.0, 20.0]
    rev = policy.plan_revenue_rmb_bn(50_000, 0.5, p.alibaba_share_pct)
    assert t.loc[50_000, 0.5] == pytest.approx(100 * policy.plan_value_usd_bn(p, rr, rev) / 31.5)
    assert (t.diff(axis=1).iloc[:, 1:] >= -1e-9).all().all()  # more spend, never less value
    assert (t.diff(axis=0).iloc[1:] >= -1e-9).all().all()  # more factories, never less value
    # within the servers' room twice the spend is twice the value; beyond it, nothing more
    assert t.loc[10_000, 0.5] == pytest.approx(2.5 * t.loc[10_000, 0.2])
    most = 100 * policy.capacity_value_usd_bn(p, rr) / 31.5
    assert t.loc[50_000, 20.0] == pytest.approx(most) and t.loc[50_000, 5.0] == pytest.approx(most)


def test_grid_around_is_sorted_unique_and_contains_the_value():
    g = policy.grid_around(50_000)
    assert g == sorted(g) and len(g) == len(set(g)) and 50_000 in g


def test_compute_under_base_is_consistent(claims):
    p = base_p()
    out = policy.compute(p, claims)
    assert out["value_added_usd_bn"] == pytest.approx(p.market_value_before_usd_bn * p.move_pct / 100)
    assert out["plan_covers_pct"] == pytest.approx(100 * out["plan_value_usd_bn"] / out["value_added_usd_bn"])
    assert out["plan_value_usd_bn"] == pytest.approx(out["plan_profit_after_tax_usd_bn"] * p.profit_multiple)
    # the base servers have room for the whole plan in FY27, but not for what the session would need
    assert out["plan_served_pct"] == pytest.approx(100)
    assert out["break_even_spend_rmb_m"] is None and out["required_revenue_usd_bn"] is None
    assert out["most_covers_pct"] < 100 and out["needed_vs_spare_x"] > 1
    assert out["needed_served_fy27_rmb_bn"] == pytest.approx(out["needed_vs_spare_x"] * out["spare_fy27_rmb_bn"])


def test_a_reachable_break_even_makes_the_plan_worth_the_session(claims):
    # a smaller session and a bigger programme: the break-even exists, and at it the plan covers 100%
    p = base_p(move_pct=3.0, capex_rmb_bn=900.0)
    out = policy.compute(p, claims)
    be = out["break_even_spend_rmb_m"]
    assert be is not None
    at_be = policy.compute(base_p(move_pct=3.0, capex_rmb_bn=900.0, spend_per_factory_rmb_m=be), claims)
    assert at_be["plan_covers_pct"] == pytest.approx(100, rel=1e-6)
    assert out["break_even_alibaba_rmb_m"] == pytest.approx(be * p.alibaba_share_pct / 100)
    words = policy.prose(p, claims)
    assert words["break_even_text"].startswith("For it to be worth that, each of")
    assert f"RMB {be:.1f}m" in policy.headline(p, claims)["figure"]
    assert f"RMB {be:.1f}m" in policy.break_even_title(p, claims)


def test_bull_covers_more_of_the_move_than_base_and_bear_less(claims):
    cov = {s: policy.compute(policy.scenario_parameters(s), claims)["plan_covers_pct"]
           for s in ("bear", "base", "bull")}
    assert cov["bear"] < cov["base"] < cov["bull"]


def test_week_value_added_backs_out_the_week_start_from_the_value_after_the_session():
    # 100 before the session, +10% -> 110 after; a 10% week started at 100, so the week added 10
    assert policy.week_value_added_usd_bn(100, 10, 10) == pytest.approx(10)
    # a week that is only the session adds what the session added
    assert policy.week_value_added_usd_bn(350, 9, 9) == pytest.approx(policy.value_added_usd_bn(350, 9))
    assert policy.week_value_added_usd_bn(350, 9, 15) > policy.value_added_usd_bn(350, 9)
    with pytest.raises(contract.ModelInputError, match="week_gain_pct"):
        policy.week_value_added_usd_bn(350, 9, -100)


def test_compound_pct():
    assert policy.compound_pct(5, 9) == pytest.approx(14.45)
    assert policy.compound_pct(10, -10) == pytest.approx(-1)
    assert policy.compound_pct() == 0
    with pytest.raises(contract.ModelInputError, match="each move"):
        policy.compound_pct(5, -120)


# --- timeline and reliability tables ----------------------------------------------------------


def test_timeline_frame_sorts_by_date_windows_before_their_last_day_undated_last():
    seed_of = {"a": "004", "b": "001", "c": "002"}
    events = [
        policy.Event(date(2026, 1, 12), "article", "AI article", "dateline", seeds=("001",)),
        policy.Event(None, "market", "surge", "window", ("b", "c"), earliest=date(2026, 1, 9), latest=date(2026, 1, 12)),
        policy.Event(None, "market", "spike", "not dated", ("a",)),
        policy.Event(date(2026, 1, 3), "company and policy", "bond", "stated", ("a",)),
    ]
    t = policy.timeline_frame(events, seed_of)
    assert list(t["event"]) == ["bond", "surge", "AI article", "spike"]
    assert list(t["date (2026)"]) == ["Sat 03 Jan", "between 09 and 12 Jan", "Mon 12 Jan", "not dated"]
    assert t["seeds"].iloc[1] == "001, 002" and t["claims"].iloc[2] == "(dateline)"
    with pytest.raises(KeyError, match="zz"):
        policy.timeline_frame([policy.Event(None, "market", "x", "", ("zz",))], seed_of)


def test_reliability_frame_flags_claims_only_the_ai_seed_makes():
    seed_of = {"x1": "001", "x2": "002", "y1": "001", "z": "003"}
    st = [
        policy.Statement("surge", "used", ("x1", "x2")),
        policy.Statement("50,000 factories", "caution", ("y1",)),
        policy.Statement("MIIT plan", "fact", seeds=("001", "002")),
        policy.Statement("spike", "not this event", ("z",)),
    ]
    t = policy.reliability_frame(st, seed_of, ai_seeds={"001"}, undated_seeds={"003"})
    assert list(t["only the AI-written source?"]) == ["no", "yes", "no", "no"]
    assert t["seeds stating it"].iloc[0] == "001 (AI-written), 002"
    assert t["seeds stating it"].iloc[3] == "003 (undated)"
    assert t["claim ids"].iloc[2] == "(words, no figure)"
    with pytest.raises(KeyError, match="nope"):
        policy.reliability_frame([policy.Statement("s", "", ("nope",))], seed_of, ai_seeds={"001"})
    with pytest.raises(contract.ModelInputError, match="no claim id"):
        policy.reliability_frame([policy.Statement("s", "")], seed_of, ai_seeds={"001"})


# --- against the ledger -----------------------------------------------------------------------


def test_every_claim_the_chapter_reads_is_in_the_ledger(claims):
    for role, cid in policy.CLAIMS.items():
        assert cid in claims, f"{role}: {cid} is not in data/claims.csv"


def test_the_factory_count_comes_only_from_the_ai_written_seed(claims):
    """The chapter's central caution: if another seed ever states the count, the prose must change."""
    sources = claims.sources()
    seed_of = policy.seed_labels(claims)
    ai = policy.ai_written_seeds(sources)
    assert ai == {"001"}
    t = policy.reliability_frame(policy.reliability_statements(claims), seed_of, ai)
    row = t[t["claim ids"] == policy.CLAIMS["factories"]].iloc[0]
    assert row["only the AI-written source?"] == "yes"
    same_metric = claims.df[claims.df["metric"] == claims.get(policy.CLAIMS["factories"]).metric]
    assert set(same_metric["seed"].map(lambda s: s[:3])) == {"001"}


def test_moderate_buy_is_attributed_only_to_the_seeds_that_say_it(claims):
    """Seeds 001 and 002 say "Moderate Buy"; seed 004 only counts Buy ratings and must not be listed for it."""
    t = policy.reliability_frame(policy.reliability_statements(claims), policy.seed_labels(claims),
                                 policy.ai_written_seeds(claims.sources()))
    moderate = t[t["claim"].str.contains("Moderate Buy")]
    assert len(moderate) == 1 and moderate["seeds stating it"].iloc[0] == "001 (AI-written), 002"
    count = t[t["claim ids"].str.contains(policy.CLAIMS["buy_ratings"])]
    assert len(count) == 1 and count["seeds stating it"].iloc[0] == "004"
    assert "Moderate Buy" not in count["claim"].iloc[0]


def test_timeline_labels_say_how_each_weekend_or_dateline_date_is_known(claims):
    events = policy.timeline_events(claims, claims.sources())
    by_claim = lambda key: next(e for e in events if policy.CLAIMS[key] in e.claim_ids)
    price = by_claim("price_jan4_usd")
    assert price.day.weekday() >= 5  # seed 004's dateline is a Sunday: the label must not read as that day's trade
    assert "as of boerse-global.de's dateline" in price.label and "no trading that day" in price.dating
    bond = by_claim("meitu_bond_date")
    assert bond.day.weekday() == 5 and "a Saturday" in bond.dating and "doubts" in bond.dating
    us = by_claim("us_gain_jan8_pct")
    assert "latest US session before or on the 8 January article's" in us.dating
    # the session and seed 001's 10% are not presented as the same measure
    session = by_claim("session_gain_pct")
    assert "period not stated" in session.label and not session.label.startswith("surge")


def test_timeline_events_place_the_surge_between_the_rally_start_and_seed_001(claims):
    events = policy.timeline_events(claims, claims.sources())
    surge = next(e for e in events if policy.CLAIMS["session_gain_pct"] in e.claim_ids)
    assert surge.day is None
    assert surge.earliest == claims.get(policy.CLAIMS["rally_start"]).date
    assert surge.latest == date.fromisoformat(claims.sources().set_index("seed").loc[claims.get(policy.CLAIMS["surge_ai_pct"]).seed, "date"])
    t = policy.timeline_frame(events, policy.seed_labels(claims))
    assert t["date (2026)"].iloc[-1] == "not dated"  # seed 003's spike


def test_price_points_convert_the_euro_close_at_the_given_rate(claims):
    t = policy.price_points(base_p(eur_usd=1.2), claims)
    close = t[t["currency"] == "EUR"].iloc[0]
    assert close["in USD"] == pytest.approx(claims.value(policy.CLAIMS["close_eur"]) * 1.2)
    usd = t[t["currency"] == "USD"]
    assert len(usd) == 3 and (usd["in USD"] == usd["as given"]).all()
    # "nearly 10% below" its high: the implied high is above the close, and it is the Hong Kong chapter's
    assert t.iloc[-1]["as given"] > close["as given"]
    assert t.iloc[-1]["as given"] == hk_vs_us.high_52w_eur(claims)


# --- shared arithmetic: computed once, in the chapter that owns it --------------------------------


def test_cloud_run_rate_and_margin_are_the_cloud_chapters(claims):
    p = base_p()
    q = claims.value(policy.CLAIMS["cloud_revenue_q_usd_bn"])
    assert policy.cloud_run_rate_usd_bn(p, claims) == pytest.approx(cloud_ai.annual_run_rate_rmb_bn(q, p.usd_rmb) / p.usd_rmb)
    assert policy.cloud_run_rate_usd_bn(p, claims) == pytest.approx(4 * q)  # the exchange rate cancels
    assert policy.cloud_margin_pct(claims) == pytest.approx(
        cloud_ai.margin_pct(claims.value(policy.CLAIMS["cloud_ebitda_q_usd_m"]), 1_000 * q))
    for name in ("_check_positive", "_check_pct", "CLAIM", "draw_break_even", "draw_revenue_bars"):
        assert not hasattr(policy, name), f"{name} should be gone"


# --- the contract: key outputs, signposts, prose ----------------------------------------------------


def test_key_outputs_keep_their_keys_and_agree_with_compute(claims):
    p = base_p()
    k = policy.key_outputs(p, claims)
    assert set(k) == {"value_added_usd_bn", "plan_value_usd_bn", "plan_covers_pct", "break_even_spend_rmb_m",
                      "required_revenue_usd_bn", "required_revenue_vs_cloud_pct", "week_value_added_usd_bn"}
    assert k["week_value_added_usd_bn"] > k["value_added_usd_bn"]  # the week's gain is the larger move
    out = policy.compute(p, claims)
    assert all(out[key] == value for key, value in k.items())
    reach = policy.key_outputs(base_p(move_pct=3.0, capex_rmb_bn=900.0), claims)
    assert reach["required_revenue_vs_cloud_pct"] == pytest.approx(
        100 * reach["required_revenue_usd_bn"] / (4 * claims.value(policy.CLAIMS["cloud_revenue_q_usd_bn"])))
    assert out["close_usd"] == pytest.approx(hk_vs_us.eur_to_usd(claims.value(policy.CLAIMS["close_eur"]), p.eur_usd))


def test_signposts_are_typed_with_float_thresholds_and_no_parameter_names(claims):
    p = base_p()
    k = policy.key_outputs(p, claims)
    s = policy.signposts(p, claims)
    assert len(s) == 5 and all(isinstance(x, contract.Signpost) for x in s)
    # no spend reaches the break-even in the base case: the spend to watch is the one that fills the servers
    assert k["break_even_spend_rmb_m"] is None
    assert s[1].threshold == pytest.approx(policy.compute(p, claims)["filling_spend_rmb_m"])
    assert s[4].threshold == pytest.approx(policy.cloud_margin_pct(claims))
    assert all(isinstance(x.threshold, float) for x in s)
    names = set(params.specs(NB))
    for x in s:
        words = " ".join((x.name, x.unit, x.if_better, x.if_worse))
        assert not [n for n in names if n in words], x.name
        assert not [c for c in policy.CLAIMS.values() if c in words], x.name
        assert set(x.claims) <= set(policy.CLAIMS.values()) and set(x.assumptions) <= names
    assert "assumed in the bear case" in policy.signposts(p, claims, case="the bear case")[1].if_worse
    assert "assumed here" in s[1].if_worse
    reach = base_p(move_pct=3.0, capex_rmb_bn=900.0)
    assert policy.signposts(reach, claims)[1].threshold == pytest.approx(policy.key_outputs(reach, claims)["break_even_spend_rmb_m"])


def assert_fits_a_table_row(text: str) -> None:
    """Plain words for one cell of a Markdown table: no line break, no unescaped pipe, angle bracket or
    backtick, and no number a reader cannot read ("inf", "nan")."""
    assert text.strip() and "\n" not in text and "\r" not in text, text
    assert not re.search(r"(?<!\\)[|<>`]", text), text
    assert not re.search(r"\b(inf|nan)\b", text, re.IGNORECASE), text


def test_headline_gives_the_key_outputs_as_the_page_shows_them(claims):
    p = policy.scenario_parameters("base")
    out = policy.compute(p, claims)
    row = policy.headline(p, claims, case="base")
    assert set(row) == {"figure", "meaning"}
    # no spend reaches the break-even: the row says so, with the servers' room, at the page's precision
    assert row["figure"] == (f"no spend per factory makes the plan worth the USD {out['value_added_usd_bn']:.0f}bn the surge "
                             f"added: the cloud's servers can serve at most RMB {out['spare_fy27_rmb_bn']:.1f}bn of its FY27 revenue")
    assert row["meaning"] == (f"at the base case's spend the plan is worth {out['plan_covers_pct']:.0f}% of it (at most "
                              f"{out['most_covers_pct']:.0f}% with the servers full)")
    for text in row.values():
        assert_fits_a_table_row(text)


def test_headline_follows_the_case_and_the_parameters(claims):
    assert policy.headline(base_p(), claims)["meaning"].startswith("at the spend assumed ")
    bull = policy.scenario_parameters("bull")
    assert f"{policy.key_outputs(bull, claims)['plan_covers_pct']:.0f}% of it (its most: the servers are full)" in \
        policy.headline(bull, claims, "bull")["meaning"]
    doubled = policy.headline(base_p(market_value_before_usd_bn=700.0), claims)["figure"]
    assert f"USD {policy.key_outputs(base_p(market_value_before_usd_bn=700.0), claims)['value_added_usd_bn']:.0f}bn" in doubled


@pytest.mark.parametrize("name", [n for n, s in params.specs(NB).items() if s.min is not None])
def test_headline_fits_a_table_row_at_every_bound_of_the_specification(name, claims):
    spec = params.specs(NB)[name]
    for value in (spec.min, spec.max):
        value = int(value) if spec.type == "int" else float(value)
        row = policy.headline(base_p(**{name: value}), claims, case="base")
        for text in row.values():
            assert_fits_a_table_row(text)


def test_headline_escapes_a_case_name_for_markdown(claims):
    row = policy.headline(base_p(), claims, case="a|b<c>`d_e\nf")
    assert_fits_a_table_row(row["meaning"])
    assert r"a\|b\<c\>\`d\_e f case's spend" in row["meaning"]


def test_weekend_price_note():
    assert "no market trades" in policy.weekend_price_note(date(2026, 1, 4))  # a Sunday
    assert policy.weekend_price_note(date(2026, 1, 5)) == ""  # a Monday


def test_compound_vs_week():
    assert policy.compound_vs_week(14.45, 15).startswith("close to the \"approximately 15%\"")
    assert policy.compound_vs_week(14.45, 25).startswith("far from the \"approximately 25%\"")


def test_high_agreement():
    assert "agree on where the stock stood" in policy.high_agreement(189.5, 192)
    assert policy.high_agreement(150, 192).startswith("22% apart")


def test_resistance_vs_close():
    assert policy.resistance_vs_close(170.6, 163.43).startswith("below the dollar value")
    assert policy.resistance_vs_close(160.0, 163.43).startswith("above the dollar value")


def test_factories_text():
    assert policy.factories_text(50_000, 50_000.0) == \
        "the 50,000 factories that only the AI-written source says the plan will compel"
    assert policy.factories_text(60_000, 50_000.0) == \
        "60,000 adopting factories (an assumption; the AI-written source says over 50,000)"


def test_share_source():
    assert policy.share_source(33.0, 33.0).startswith("about a third")
    assert policy.share_source(50.0, 33.0) == "an assumption; no source gives it"


def test_served_text_says_how_much_of_the_plan_the_servers_serve():
    assert policy.served_text(100.0, 6.3, 11.1) == ("all of it: after the cloud's own growth they have room for RMB 11.1 "
                                                   "billion of new revenue that year")
    assert policy.served_text(31.1, 11.9, 11.9).startswith("RMB 11.9 billion of it (31%), all the room they have")
    assert "earns nothing" in policy.served_text(0.0, 0.0, 0.0)


def test_break_even_vs_assumption():
    assert policy.break_even_vs_assumption(15.06, 0.5) == "15 times the RMB 0.5 million assumed here"
    assert policy.break_even_vs_assumption(1.5, 0.5).startswith("2 times")  # the boundary reads as a multiple
    assert policy.break_even_vs_assumption(1.0, 0.5) == "about the RMB 0.5 million assumed here"
    assert policy.break_even_vs_assumption(2 / 3, 0.5) == "less than the RMB 0.5 million assumed here"


def test_verdict_and_rest_sentence():
    assert "fall far short" in policy.verdict(6.6)
    assert "cover part" in policy.verdict(50)
    assert policy.verdict(100) == "it alone would be worth the session's value"
    assert "bet on the wider AI-cloud story, on more servers" in policy.rest_sentence(99.9)
    assert "underpriced the plan" in policy.rest_sentence(100)


def test_sensitivity_sentence_both_ways(claims):
    p = base_p()
    rr = run_rate(p, claims)
    low = policy.sensitivity(p, rr, [10_000, 50_000], [0.5, 1.0], 31.5)
    text = policy.sensitivity_sentence(low, 0.5, 31.7)
    assert text.startswith("None of the 4 combinations reaches 100: even 50,000 factories")
    assert text.endswith("caps every cell at 31.7%.")
    capped = policy.sensitivity(p, rr, [50_000], [0.5, 20.0], 31.5)
    most = 100 * policy.capacity_value_usd_bn(p, rr) / 31.5
    assert policy.sensitivity_sentence(capped, 0.5, most).startswith(f"None of the 2 combinations reaches 100: the cells "
                                                                    f"stop at {most:.1f}%")
    reach = base_p(move_pct=0.5)
    high = policy.sensitivity(reach, rr, [10_000, 50_000], [0.2, 10.0], 1.75)
    assert high.loc[50_000, 0.2] >= 100 and high.loc[10_000, 0.2] < 100
    assert policy.sensitivity_sentence(high, 0.5, 500) == ("3 of the 4 combinations reach 100; the lowest spend that gets there is RMB 0.2 million a year "
                                                              "per factory (0.4 times the assumed spend).")


def test_chart_titles_and_alt_text_follow_the_numbers(claims):
    p = base_p()
    out = policy.compute(p, claims)
    assert policy.break_even_title(p, claims).startswith("No spend per factory makes the plan worth")
    assert f"USD {out['most_value_usd_bn']:.1f}bn" in policy.break_even_title(p, claims)
    assert "above every line: no spend reaches it" in policy.break_even_alt(p, claims)
    reach = base_p(move_pct=3.0, capex_rmb_bn=900.0)
    assert "far to the left" in policy.break_even_alt(reach, claims)
    cheap = base_p(move_pct=3.0, capex_rmb_bn=900.0, spend_per_factory_rmb_m=20.0)  # above the break-even
    assert "assumed spend of RMB 20m is to the right" in policy.break_even_alt(cheap, claims)
    assert f"RMB {out['needed_served_fy27_rmb_bn']:.0f}bn" in policy.revenue_title(p, claims)
    assert f"room for RMB {out['spare_fy27_rmb_bn']:.0f}bn" in policy.revenue_title(p, claims)
    assert f"serve {out['plan_served_fy27_rmb_bn']:.1f} of it" in policy.revenue_alt(p, claims)
    for text in (policy.break_even_title(p, claims), policy.break_even_alt(p, claims), policy.revenue_title(p, claims)):
        assert not re.search(r"\b(inf|nan|None)\b", text)
    assert "between 9 and 12 January" in policy.timeline_title(claims)
    assert policy.timeline_alt(claims).startswith("Timeline of 3 to 14 January 2026")


def test_prose_follows_the_parameters(claims):
    base = policy.prose(base_p(), claims)
    rich = policy.prose(base_p(spend_per_factory_rmb_m=20.0, alibaba_share_pct=50.0, move_pct=1.0), claims)
    assert base["verdict_text"] != rich["verdict_text"] and rich["rest_text"].endswith("underpriced the plan.")
    assert base["share_source_text"] != rich["share_source_text"]
    assert base["date_004"] == "Sunday 4 January" and base["date_004_note"].startswith("; no market trades")
    names = set(params.specs(NB))
    assert not [(k, n) for k, v in base.items() for n in names if n in v]


def _glue_names_in_markdown() -> set[str]:
    nb = nbformat.read(ROOT / "book" / f"{NB}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return {m.split(":")[0] for m in re.findall(r"\{glue:(?:text|md)\}`([^`]+)`", text)}


def test_every_glue_the_page_uses_is_produced_by_the_module(claims):
    used = _glue_names_in_markdown()
    assert len(used) > 50
    p = base_p()
    made = {**policy.page_values(p, claims), **policy.prose(p, claims)}
    assert used - set(made) == set()
    counts = policy.page_values(p, claims)
    assert all(isinstance(counts[k], int) and counts[k] > 0
               for k in ("window_trading_days", "n_statements", "n_only_ai", "n_disagreements"))


def test_charts_are_finished_figures_with_the_computed_titles(claims):
    import matplotlib.pyplot as plt

    p = base_p()
    for fig, title in [(policy.timeline_chart(claims), policy.timeline_title(claims)),
                       (policy.break_even_chart(p, claims), policy.break_even_title(p, claims)),
                       (policy.revenue_chart(p, claims), policy.revenue_title(p, claims))]:
        assert fig._suptitle.get_text().replace("\n", " ") == title
        assert any(t.get_text().startswith("Source: ") for t in fig.texts)
        plt.close(fig)
    assert len(policy.break_even_data(p)) == 30 and len(policy.revenue_data(p, claims)) == 4


def test_tables_for_reading(claims):
    p = base_p()
    shown = policy.sensitivity_table(p, claims)
    assert shown.shape == (5, 7) and shown.index[2] == "50,000 factories"
    scen = policy.scenario_table(claims)
    assert list(scen.index) == ["bear", "base", "bull"]
    assert scen.loc["base", "plan value (USD bn)"] == pytest.approx(policy.compute(p, claims)["plan_value_usd_bn"])
    assert len(policy.disagreements_table(claims)) == policy.page_values(p, claims)["n_disagreements"]


def test_wrong_type_is_rejected_by_validation():
    values = params.scenario_parameters("base", NB)
    with pytest.raises(params.ParameterError, match="factories_adopting"):
        params.check_values(NB, {**values, "factories_adopting": "many"})


def _committed_glue() -> dict:
    import nbformat
    from conftest import glued

    return glued(nbformat.read(ROOT / "book" / f"{NB}.ipynb", as_version=4))


def test_notebook_outputs_move_coherently_with_the_parameters(notebook_values):
    base = _committed_glue()
    # half the move, a fifth of the spend, twice the multiple: the value added halves; the plan, inside the
    # servers' room, is worth two-fifths as much and covers four-fifths as much of the move
    g = notebook_values(NB, move_pct=4.5, spend_per_factory_rmb_m=0.1, profit_multiple=40.0)
    assert g["value_added"] == pytest.approx(base["value_added"] / 2)
    assert g["plan_value"] == pytest.approx(base["plan_value"] * 0.4)
    assert g["plan_covers"] == pytest.approx(base["plan_covers"] * 0.8)
    assert g["most_value"] == pytest.approx(base["most_value"] * 2)  # the servers' room, at twice the multiple
    # the scenario spread quoted in the abstract does not move with the page's parameters
    assert (g["bear_covers"], g["bull_covers"]) == (base["bear_covers"], base["bull_covers"])
    # what does not depend on these parameters stays put
    assert g["session_gain_pct"] == base["session_gain_pct"] and g["close_usd"] == base["close_usd"]
    # the cloud's programme is a parameter of the page: a bigger one has more room for the plan
    big = notebook_values(NB, capex_rmb_bn=900.0, move_pct=3.0)
    assert big["spare_fy27"] > base["spare_fy27"]
    assert big["break_even_text"].startswith("For it to be worth that") and base["break_even_text"].startswith("No spend")


def test_out_of_range_parameter_stops_the_notebook(notebook_values):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        notebook_values(NB, cash_margin_pct=150.0)
    assert "cash_margin_pct" in err.value.evalue and "from 1 to 90" in err.value.evalue


def test_unknown_parameter_is_rejected(notebook_values):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        notebook_values(NB, factory_count=60000)
    assert "unknown parameter 'factory_count'" in err.value.evalue


def test_the_plans_profit_is_taxed_on_the_page_before_the_multiple(claims):
    """Issue 23, item 7: the page showed "0.105 x 20 = 1.7", a 20% tax applied silently. The after-tax
    profit is now a figure of its own, and the multiple goes on it."""
    p = base_p()
    v = policy.page_values(p, claims)
    assert v["plan_profit_after_tax"] == pytest.approx(v["plan_profit"] * (1 - p.tax_rate_pct / 100))
    assert v["plan_value"] == pytest.approx(v["plan_profit_after_tax"] * v["multiple"])
    assert v["plan_profit"] == pytest.approx(v["plan_profit_fy27"] / p.usd_rmb)
    text = "".join("".join(c.source) for c in nbformat.read(ROOT / "book" / f"{NB}.ipynb", as_version=4).cells
                   if c.cell_type == "markdown")
    assert "times profit after tax" in text and "{glue:text}`plan_profit_after_tax" in text
    assert "to a segment profit struck before tax" not in text  # the caveat the model no longer needs


def test_the_page_explains_the_clouds_cash_margin_not_a_margin_of_its_own():
    """Issue 23, item 3: the page priced the plan at the segment's 9% margin; it now earns the cloud's cash
    margin within the programme's capacity, and the page says so and how much of the plan the servers serve."""
    text = "".join("".join(c.source) for c in nbformat.read(ROOT / "book" / f"{NB}.ipynb", as_version=4).cells
                   if c.cell_type == "markdown")
    assert "{glue:text}`served_text`" in text and "{glue:text}`cash_margin:.0f`% cash margin" in text
    assert "margin_rounding" not in text and "{glue:text}`margin:" not in text
    assert "steady-state sum" not in text


def test_the_page_tables_name_sources_by_publisher_and_date(claims):
    """A reader knows a source by its publisher and date, never by a file number."""
    rel = policy.reliability_table(claims)
    moderate = rel[rel["statement"].str.contains("Moderate Buy")]
    assert moderate["sources stating it"].iloc[0] == "AInvest, 12 Jan 2026 (AI-written); unsigned article, 14 Jan 2026"
    timeline = policy.timeline_table(claims)
    assert timeline["sources"].str.len().gt(0).all()
    assert not timeline["sources"].str.contains(r"\b00\d\b").any()
