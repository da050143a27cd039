"""The policy-catalyst model (alibaba_report.chapters.policy_catalyst) and its notebook, book/policy_catalyst.ipynb."""
from __future__ import annotations

import ast
import json
import types
from datetime import date
from pathlib import Path

import pytest

from alibaba_report import params
from alibaba_report.chapters import policy_catalyst as policy

ROOT = Path(__file__).resolve().parents[1]
NB = "policy_catalyst"


def base_p(**over) -> types.SimpleNamespace:
    values = params.scenario_parameters("base", NB)
    values.update(over)
    return types.SimpleNamespace(**values)


# --- model arithmetic, by hand -----------------------------------------------------------------


def test_value_added_is_market_value_times_move():
    assert policy.value_added_usd_bn(350, 9) == pytest.approx(31.5)
    assert policy.value_added_usd_bn(200, -10) == pytest.approx(-20)


def test_factory_spend_converts_rmb_millions_to_usd_billions():
    # 10,000 factories × RMB 0.7m = RMB 7bn = USD 1bn at 7 RMB per USD
    assert policy.factory_spend_usd_bn(10_000, 0.7, 7.0) == pytest.approx(1.0)
    assert policy.factory_spend_usd_bn(0, 0.7, 7.0) == 0


def test_plan_value_is_revenue_times_margin_times_multiple():
    # USD 1bn of spend, 50% share -> USD 0.5bn revenue; 10% margin -> 0.05bn; × 20 -> USD 1bn
    assert policy.plan_revenue_usd_bn(10_000, 0.7, 7.0, 50) == pytest.approx(0.5)
    assert policy.plan_value_usd_bn(10_000, 0.7, 7.0, 50, 10, 20) == pytest.approx(1.0)


def test_required_revenue_inverts_margin_and_multiple():
    # USD 30bn of value at 10% margin and 20x profit needs USD 15bn of yearly revenue
    assert policy.required_revenue_usd_bn(30, 10, 20) == pytest.approx(15)


def test_break_even_spend_makes_plan_value_equal_value_added():
    args = dict(factories=50_000, usd_rmb=7.1, share_pct=33, margin_pct=9, profit_multiple=20)
    spend = policy.break_even_spend_rmb_m(31.5, **args)
    assert policy.plan_value_usd_bn(
        args["factories"], spend, args["usd_rmb"], args["share_pct"], args["margin_pct"], args["profit_multiple"]
    ) == pytest.approx(31.5)
    # by hand: 31.5 / (0.09 × 20) = USD 17.5bn revenue; / 0.33 = USD 53.03bn spend; × 7.1 × 1000 / 50,000
    assert spend == pytest.approx(31.5 / 1.8 / 0.33 * 7100 / 50_000)


def test_break_even_factories_is_the_same_equation_solved_for_factories():
    n = policy.break_even_factories(31.5, 0.5, 7.1, 33, 9, 20)
    assert policy.plan_value_usd_bn(n, 0.5, 7.1, 33, 9, 20) == pytest.approx(31.5)


def test_break_even_spend_falls_as_more_factories_share_it_and_as_share_margin_multiple_rise():
    f = lambda **kw: policy.break_even_spend_rmb_m(**{**dict(value_usd_bn=31.5, factories=50_000, usd_rmb=7.1,
                                                          share_pct=33, margin_pct=9, profit_multiple=20), **kw})
    base = f()
    assert f(factories=100_000) == pytest.approx(base / 2)
    assert f(share_pct=66) == pytest.approx(base / 2)
    assert f(margin_pct=18) < base and f(profit_multiple=40) < base
    assert f(value_usd_bn=63) == pytest.approx(base * 2)
    # a weaker renminbi (more RMB per USD) means more RMB per factory for the same dollars
    assert f(usd_rmb=7.5) > base


def test_plan_value_rises_with_every_driver():
    base = policy.plan_value_usd_bn(50_000, 0.5, 7.1, 33, 9, 20)
    assert policy.plan_value_usd_bn(60_000, 0.5, 7.1, 33, 9, 20) > base
    assert policy.plan_value_usd_bn(50_000, 0.6, 7.1, 33, 9, 20) > base
    assert policy.plan_value_usd_bn(50_000, 0.5, 7.1, 40, 9, 20) > base
    assert policy.plan_value_usd_bn(50_000, 0.5, 7.1, 33, 10, 20) > base
    assert policy.plan_value_usd_bn(50_000, 0.5, 7.1, 33, 9, 25) > base
    assert policy.plan_value_usd_bn(50_000, 0.5, 7.8, 33, 9, 20) < base


@pytest.mark.parametrize(
    "call",
    [
        lambda: policy.value_added_usd_bn(0, 9),
        lambda: policy.value_added_usd_bn(350, -100),
        lambda: policy.value_added_usd_bn(350, float("nan")),
        lambda: policy.factory_spend_usd_bn(-1, 0.5, 7.1),
        lambda: policy.factory_spend_usd_bn(100, 0.5, 0),
        lambda: policy.plan_revenue_usd_bn(100, 0.5, 7.1, 120),
        lambda: policy.plan_value_usd_bn(100, 0.5, 7.1, 33, -1, 20),
        lambda: policy.plan_value_usd_bn(100, 0.5, 7.1, 33, 9, 0),
        lambda: policy.required_revenue_usd_bn(30, 0, 20),
        lambda: policy.break_even_spend_rmb_m(30, 0, 7.1, 33, 9, 20),
        lambda: policy.break_even_spend_rmb_m(30, 100, 7.1, 0, 9, 20),
        lambda: policy.break_even_factories(30, 0, 7.1, 33, 9, 20),
        lambda: policy.sensitivity([], [1], 30, 7.1, 33, 9, 20),
        lambda: policy.sensitivity([1], [1], 0, 7.1, 33, 9, 20),
        lambda: policy.grid_around(0),
        lambda: policy.value_added_usd_bn(True, 9),
    ],
)
def test_invalid_inputs_raise(call):
    with pytest.raises(ValueError):
        call()


def test_sensitivity_is_plan_value_over_value_added_and_monotone():
    t = policy.sensitivity([10_000, 50_000], [0.5, 1.0, 5.0], 31.5, 7.1, 33, 9, 20)
    assert list(t.index) == [10_000, 50_000] and list(t.columns) == [0.5, 1.0, 5.0]
    assert t.loc[50_000, 0.5] == pytest.approx(100 * policy.plan_value_usd_bn(50_000, 0.5, 7.1, 33, 9, 20) / 31.5)
    assert (t.diff(axis=1).iloc[:, 1:] > 0).all().all()  # more spend, more value
    assert (t.diff(axis=0).iloc[1:] > 0).all().all()  # more factories, more value
    # linear in both: twice the spend is twice the coverage
    assert t.loc[10_000, 1.0] == pytest.approx(2 * t.loc[10_000, 0.5])


def test_grid_around_is_sorted_unique_and_contains_the_value():
    g = policy.grid_around(50_000)
    assert g == sorted(g) and len(g) == len(set(g)) and 50_000 in g


def test_compute_under_base_is_consistent():
    p = base_p()
    out = policy.compute(p)
    assert out["value_added_usd_bn"] == pytest.approx(p.market_value_before_usd_bn * p.move_pct / 100)
    assert out["plan_covers_pct"] == pytest.approx(100 * out["plan_value_usd_bn"] / out["value_added_usd_bn"])
    # at the break-even spend the plan covers exactly 100%
    at_be = policy.compute(base_p(spend_per_factory_rmb_m=out["break_even_spend_rmb_m"]))
    assert at_be["plan_covers_pct"] == pytest.approx(100)
    # coverage is linear in spend: break-even = spend × 100 / coverage
    assert out["break_even_spend_rmb_m"] == pytest.approx(p.spend_per_factory_rmb_m * 100 / out["plan_covers_pct"])


def test_bull_covers_more_of_the_move_than_base_and_bear_less():
    cov = {s: policy.compute(types.SimpleNamespace(**params.scenario_parameters(s, NB)))["plan_covers_pct"]
           for s in ("bear", "base", "bull")}
    assert cov["bear"] < cov["base"] < cov["bull"]


def test_week_value_added_backs_out_the_week_start_from_the_value_after_the_session():
    # 100 before the session, +10% -> 110 after; a 10% week started at 100, so the week added 10
    assert policy.week_value_added_usd_bn(100, 10, 10) == pytest.approx(10)
    # a week that is only the session adds what the session added
    assert policy.week_value_added_usd_bn(350, 9, 9) == pytest.approx(policy.value_added_usd_bn(350, 9))
    assert policy.week_value_added_usd_bn(350, 9, 15) > policy.value_added_usd_bn(350, 9)
    with pytest.raises(ValueError):
        policy.week_value_added_usd_bn(350, 9, -100)


def test_compound_pct():
    assert policy.compound_pct(5, 9) == pytest.approx(14.45)
    assert policy.compound_pct(10, -10) == pytest.approx(-1)
    assert policy.compound_pct() == 0
    with pytest.raises(ValueError):
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
    assert list(t["only the AI-written seed?"]) == ["no", "yes", "no", "no"]
    assert t["seeds stating it"].iloc[0] == "001 (AI-written), 002"
    assert t["seeds stating it"].iloc[3] == "003 (undated)"
    assert t["claim ids"].iloc[2] == "(words, no figure)"
    with pytest.raises(KeyError, match="nope"):
        policy.reliability_frame([policy.Statement("s", "", ("nope",))], seed_of, ai_seeds={"001"})
    with pytest.raises(ValueError, match="no claim id"):
        policy.reliability_frame([policy.Statement("s", "")], seed_of, ai_seeds={"001"})


# --- against the ledger -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def claims():
    from alibaba_report.evidence import ledger

    return ledger.load_claims()


def test_every_claim_the_chapter_reads_is_in_the_ledger(claims):
    for role, cid in policy.CLAIM.items():
        assert cid in claims, f"{role}: {cid} is not in data/claims.csv"


def test_the_factory_count_comes_only_from_the_ai_written_seed(claims):
    """The chapter's central caution: if another seed ever states the count, the prose must change."""
    sources = claims.sources()
    seed_of = policy.seed_labels(claims)
    ai = policy.ai_written_seeds(sources)
    assert ai == {"001"}
    t = policy.reliability_frame(policy.reliability_statements(claims), seed_of, ai)
    row = t[t["claim ids"] == policy.CLAIM["factories"]].iloc[0]
    assert row["only the AI-written seed?"] == "yes"
    same_metric = claims.df[claims.df["metric"] == claims.get(policy.CLAIM["factories"]).metric]
    assert set(same_metric["seed"].map(lambda s: s[:3])) == {"001"}


def test_moderate_buy_is_attributed_only_to_the_seeds_that_say_it(claims):
    """Seeds 001 and 002 say "Moderate Buy"; seed 004 only counts Buy ratings and must not be listed for it."""
    t = policy.reliability_frame(policy.reliability_statements(claims), policy.seed_labels(claims),
                                 policy.ai_written_seeds(claims.sources()))
    moderate = t[t["claim"].str.contains("Moderate Buy")]
    assert len(moderate) == 1 and moderate["seeds stating it"].iloc[0] == "001 (AI-written), 002"
    count = t[t["claim ids"].str.contains(policy.CLAIM["buy_ratings"])]
    assert len(count) == 1 and count["seeds stating it"].iloc[0] == "004"
    assert "Moderate Buy" not in count["claim"].iloc[0]


def test_timeline_labels_say_how_each_weekend_or_dateline_date_is_known(claims):
    events = policy.timeline_events(claims, claims.sources())
    by_claim = lambda key: next(e for e in events if policy.CLAIM[key] in e.claim_ids)
    price = by_claim("price_jan4_usd")
    assert price.day.weekday() >= 5  # seed 004's dateline is a Sunday: the label must not read as that day's trade
    assert "as of seed 004's dateline" in price.label and "no trading that day" in price.dating
    bond = by_claim("meitu_bond_date")
    assert bond.day.weekday() == 5 and "a Saturday" in bond.dating and "doubts" in bond.dating
    us = by_claim("us_gain_jan8_pct")
    assert "latest US session before or on seed 000's" in us.dating
    # the session and seed 001's 10% are not presented as the same measure
    session = by_claim("session_gain_pct")
    assert "period not stated" in session.label and not session.label.startswith("surge")


def test_margin_parameter_is_seed_004s_segment_margin_rounded(claims):
    """The page says the base margin_pct is seed 004's segment profit over revenue, rounded."""
    assert round(policy.cloud_margin_pct(claims)) == base_p().margin_pct
    assert policy.cloud_margin_pct(claims) == pytest.approx(100 * 506 / 5_590)


def test_timeline_events_place_the_surge_between_the_rally_start_and_seed_001(claims):
    events = policy.timeline_events(claims, claims.sources())
    surge = next(e for e in events if policy.CLAIM["session_gain_pct"] in e.claim_ids)
    assert surge.day is None
    assert surge.earliest == claims.get(policy.CLAIM["rally_start"]).date
    assert surge.latest == date.fromisoformat(claims.sources().set_index("seed").loc[claims.get(policy.CLAIM["surge_ai_pct"]).seed, "date"])
    t = policy.timeline_frame(events, policy.seed_labels(claims))
    assert t["date (2026)"].iloc[-1] == "not dated"  # seed 003's spike


def test_price_points_convert_the_euro_close_at_the_given_rate(claims):
    t = policy.price_points(claims, 1.2)
    close = t[t["currency"] == "EUR"].iloc[0]
    assert close["in USD"] == pytest.approx(claims.value(policy.CLAIM["close_eur"]) * 1.2)
    usd = t[t["currency"] == "USD"]
    assert (usd["in USD"] == usd["as given"]).all()
    # "nearly 10% below" its high: the implied high is above the close
    assert t.iloc[-1]["as given"] > close["as given"]


def test_key_outputs_and_signposts(claims):
    p = base_p()
    k = policy.key_outputs(p, claims)
    assert k["required_revenue_vs_cloud_pct"] == pytest.approx(
        100 * k["required_revenue_usd_bn"] / (4 * claims.value(policy.CLAIM["cloud_revenue_q_usd_bn"])))
    assert k["week_value_added_usd_bn"] > k["value_added_usd_bn"]  # the week's gain is the larger move
    s = policy.signposts(p, claims)
    assert list(s.columns) == ["signpost", "threshold", "unit", "if_better", "if_worse", "basis"]
    assert s["threshold"].iloc[1] == pytest.approx(k["break_even_spend_rmb_m"])
    assert s["threshold"].iloc[4] == pytest.approx(policy.cloud_margin_pct(claims))
    assert s.notna().all().all()


def _parameters_cell(path: Path) -> dict:
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    return {n.targets[0].id: ast.literal_eval(n.value) for n in ast.parse("".join(cell["source"])).body}


def test_parameters_cell_defaults_are_the_base_scenario():
    assert _parameters_cell(ROOT / "book" / f"{NB}.ipynb") == params.scenario_parameters("base", NB)


def test_wrong_type_is_rejected_by_validation():
    values = params.scenario_parameters("base", NB)
    with pytest.raises(params.ParameterError, match="factories_adopting"):
        params.check_values(NB, {**values, "factories_adopting": "many"})


def _committed_glue() -> dict:
    import nbformat
    from conftest import glued

    return glued(nbformat.read(ROOT / "book" / f"{NB}.ipynb", as_version=4))


def test_notebook_outputs_move_coherently_with_the_parameters(notebook_runner):
    base = _committed_glue()
    # half the move, twice the spend, twice the share: the value added halves, the plan's value
    # quadruples, its coverage of the move rises eightfold and the break-even spend falls to a quarter
    _, g = notebook_runner(NB, move_pct=4.5, spend_per_factory_rmb_m=1.0, alibaba_share_pct=66.0)
    assert g["value_added"] == pytest.approx(base["value_added"] / 2)
    assert g["plan_value"] == pytest.approx(base["plan_value"] * 4)
    assert g["plan_covers"] == pytest.approx(base["plan_covers"] * 8)
    assert g["be_spend"] == pytest.approx(base["be_spend"] / 4)
    assert g["required_revenue"] == pytest.approx(base["required_revenue"] / 2)
    # Alibaba's own take per factory does not depend on the share: it follows the required revenue
    assert g["be_alibaba_rmb_m"] == pytest.approx(base["be_alibaba_rmb_m"] / 2)
    assert g["be_alibaba_rmb_m"] == pytest.approx(g["be_spend"] * 66.0 / 100)
    # the scenario spread quoted in the abstract does not move with the page's parameters
    assert (g["bear_covers"], g["bull_covers"]) == (base["bear_covers"], base["bull_covers"])
    # what does not depend on these parameters stays put
    assert g["session_gain_pct"] == base["session_gain_pct"] and g["close_usd"] == base["close_usd"]
    # the words follow the numbers: the plan now covers about half the move
    assert g["verdict_text"] != base["verdict_text"]


def test_out_of_range_parameter_stops_the_notebook(notebook_runner):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        notebook_runner(NB, margin_pct=150.0)
    assert "margin_pct" in err.value.evalue and "from 1 to 60" in err.value.evalue


def test_unknown_parameter_is_rejected(notebook_runner):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        notebook_runner(NB, factory_count=60000)
    assert "unknown parameter 'factory_count'" in err.value.evalue
