"""The sentences the summary and the scenarios page glue: each branch, with the numbers it is given;
the key-figure registry and the check that pages agree with it."""
from __future__ import annotations

import json
import math

import nbformat
import pandas as pd
import pytest

from alibaba_report.evidence import ledger
from alibaba_report.synthesis import key_figures, summary, uncertainty, valuation


@pytest.fixture(scope="module")
def claims():
    return ledger.load_claims()


def test_view_phrase_has_three_verdicts():
    assert summary.view_phrase(152, 200).startswith("undervalued: the probability-weighted value of USD 200 is 32% above")
    assert summary.view_phrase(152, 120).startswith("overvalued: the probability-weighted value of USD 120 is 21% below")
    assert summary.view_phrase(152, 155).startswith("about fairly priced") and "(+2%)" in summary.view_phrase(152, 155)


def test_breakeven_sentence_leads_with_the_multiple_and_says_which_side():
    s = summary.breakeven_sentence("base", 152, 20.9, 19.3, 19.9, 15, 20, 65, 40)
    assert s.startswith("At the base case's earnings the USD 152 price pays 20.9 times the next twelve months' earnings")
    assert "at least 20% a quarter, faster than the 15% the base case assumes" in s
    assert "cash margin of 65% (the base case assumes 40%)" in s
    assert "shrinks 20% a quarter: an assumption, which no source states" in s
    assert "slower than" in summary.breakeven_sentence("base", 152, 19, 19.3, 12, 15, 20, None, 40)
    # the sides are read as shown: 20.2% against 20% is "about as fast as", never "faster than the 20%"
    assert "at least 20% a quarter, about as fast as the 20%" in summary.breakeven_sentence("consensus", 152, 19.3, 19.3, 20.2, 20, 20, 41, 40)
    bear = summary.breakeven_sentence("bear", 152, 32, 15, None, 8, 20, None, 30)
    assert "no pace of shrinking losses alone makes the bear case worth the price" in bear
    assert "base" not in bear  # a bear book's sentence names the bear case, never "the base case"


def test_calibration_sentence_gives_back_the_price():
    s = summary.calibration_sentence(152, 19.35, 7.856, 151.62)
    assert "USD 152 price of 4 January 2026 is 19.4 times their earnings for the next twelve months (USD 7.86" in s
    assert s.endswith("worth USD 151.6.")


def test_verdict_gives_a_rating_at_each_price_with_its_horizon():
    s = summary.verdict_sentence(167, {"the US close of 4 January 2026": 152, "the euro close of 13 January 2026": 170.6}, 10, 11)
    assert s.startswith("Over twelve months: Hold at the US close of 4 January 2026 (USD 152: +10% to the target); "
                        "Sell at the euro close of 13 January 2026 (USD 171: -2% to the target).")
    assert "FY28, which no source forecasts" in s and "assumed to grow 11% (an assumption)" in s
    assert "value on 4 January 2027" in s


def test_target_sentence_compares_twelve_month_with_twelve_month():
    vals = {"bear": 78, "base": 165, "bull": 260}
    s = summary.target_sentence(167, 205, vals)
    assert "a 12-month price too" in s and "values on 4 January 2027" in s
    assert "between the base case's and the bull case's" in s and "+23% from the book's 12-month target of USD 167" in s
    assert "above even the bull case's" in summary.target_sentence(167, 300, vals)
    assert "below even the bear case's" in summary.target_sentence(167, 50, vals)
    assert "discount" not in s


def test_drivers_sentence_names_the_top_three_in_reader_words():
    t = pd.DataFrame({"assumption": ["a multiple", "a shrink", "a peak", "a tax"],
                      "value_at_low": [100, 120, 140, 150], "value_at_high": [180, 170, 150, 151]})
    s = summary.drivers_sentence(t)
    assert s == "What moves the value most: a multiple (USD 100–180); a shrink (USD 120–170); a peak (USD 140–150)."
    with pytest.raises(valuation.contract.ModelInputError):
        summary.drivers_sentence(t.iloc[0:0])


def test_funding_sentence_says_covers_or_not():
    f = {"cash_after_tax_rmb_bn": 200, "capex_rmb_bn": 153, "free_cash_rmb_bn": 47, "last_quarter_fcf_rmb_bn": -21.8}
    assert " covers a year of Goldman Sachs' forecast of group capex (RMB 153bn) with about RMB 47bn to spare" in summary.funding_sentence(f)
    short = summary.funding_sentence({**f, "free_cash_rmb_bn": -5})
    assert "does not cover" in short and "about RMB 5bn short" in short and "+" not in short


def test_key_data_table_shows_price_cases_and_weighted_value(claims):
    t = summary.key_data_table(claims)
    assert list(t.index) == ["bear case", "base case", "bull case", "probability-weighted"]
    # a book of another scenario shows its own case beside the three
    assert list(summary.key_data_table(claims, "consensus").index) == ["bear case", "base case", "bull case",
                                                                      "consensus case", "probability-weighted"]
    assert t.loc["base case", "value on 4 Jan 2026, USD per ADS"] == f"{key_figures.figures('base')['value_per_ads_usd']:,.0f}"
    assert t.loc["probability-weighted", "value on 4 Jan 2027, USD per ADS"] == f"{key_figures.figures('base')['target_price_12m_usd']:,.0f}"


def test_registry_covers_the_figures_every_page_shares():
    must = {"value_per_ads_usd", "probability_weighted_value_usd", "fy27_eps_usd", "ntm_eps_usd",
            "fy27_adj_ebitda_rmb_bn", "retail_war_cost_rmb_bn", "cloud_breakeven_margin_pct",
            "target_price_12m_usd", "implied_shrink_pct", "upside_pct_4jan", "upside_pct_13jan"}
    for s in valuation.SCENARIOS:
        f = key_figures.figures(s)
        assert must <= set(f)
        # a break-even no value reaches (the bear case's shrink) is "none", not a number
        assert all(not math.isnan(f[k]) for k in must - {"implied_shrink_pct"})
    assert not math.isnan(key_figures.figures("base")["implied_shrink_pct"])


def _executed(tmp_path, values: dict[str, float]):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("")]
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"application/papermill.record/text/plain": repr(v)},
                                                  metadata={"scrapbook": {"name": k, "mime_prefix": ""}})
                           for k, v in values.items()]
    path = tmp_path / "page.ipynb"
    nbformat.write(nb, path)
    return path


def test_page_report_finds_the_pages_and_flags_a_page_that_disagrees(tmp_path):
    good = key_figures.figures("base")["value_per_ads_usd"]
    bull = key_figures.figures("bull")["fy27_eps_usd"]
    path = _executed(tmp_path, {"value_per_ads_usd": good, "bull__fy27_eps_usd": bull, "other": 1.0})
    rows, problems = key_figures.page_report({"index": path}, "base")
    assert problems == []
    row = next(r for r in rows if r["name"] == "value_per_ads_usd" and r["scenario"] == "base")
    assert row["pages"] == ["index"]
    assert next(r for r in rows if r["name"] == "fy27_eps_usd" and r["scenario"] == "bull")["pages"] == ["index"]
    bad = _executed(tmp_path, {"value_per_ads_usd": good + 1})
    _, problems = key_figures.page_report({"index": bad}, "base")
    assert len(problems) == 1 and "page 'index' shows value_per_ads_usd (base)" in problems[0]


def test_write_json_lists_every_scenario(tmp_path):
    path = _executed(tmp_path, {"value_per_ads_usd": key_figures.figures("base")["value_per_ads_usd"]})
    assert key_figures.write_json(tmp_path, {"index": path}, "base") == []
    rows = json.loads((tmp_path / "key-figures.json").read_text())
    assert {r["scenario"] for r in rows} == set(valuation.SCENARIOS)
    assert len(rows) == 3 * len(key_figures.REGISTRY) and all({"name", "value", "unit", "scenario", "pages"} <= set(r) for r in rows)


def test_the_verdict_figures_agree_with_the_prices_and_the_target(claims):
    """key-figures.json carries the verdict at both quoted prices: the return to the 12-month target."""
    f = key_figures.figures("base")
    price = claims.value(valuation.CLAIMS["price"])
    eur = summary.price_13jan_usd(claims)
    assert 165 < eur < 175  # seed 002's EUR 145.80 at about 1.17 dollars a euro
    assert f["upside_pct_4jan"] == pytest.approx((f["target_price_12m_usd"] / price - 1) * 100)
    assert f["upside_pct_13jan"] == pytest.approx((f["target_price_12m_usd"] / eur - 1) * 100)
    assert f["upside_pct_13jan"] < f["upside_pct_4jan"]  # the later close is higher
    # the target is the weighted value a year on, between the bear and bull cases' values then
    ends = [key_figures.figures(s)["value_12m_usd"] for s in ("bear", "bull")]
    assert ends[0] < f["target_price_12m_usd"] < ends[1]


def test_the_summary_leads_with_what_the_price_implies(claims):
    from alibaba_report.evidence import ledger as lg

    t = summary.summary_text("base", claims, lg.load_sources())
    assert "the price is worth paying if the instant-retail loss shrinks at least" in t["breakeven"]
    assert "an assumption, which no source states" in t["breakeven"]
    assert t["verdict"].startswith("Over twelve months: ")
    assert "4 January 2027" in t["target_sentence"]


@pytest.mark.parametrize("scenario", ["bear", "bull", "consensus"])
def test_a_scenario_book_names_its_own_case(claims, scenario):
    """Issue 23, item 6: in a bear or bull book, no sentence calls that book's case "the base case"; the
    summary's hand-written prose names the page's case through a glued name."""
    import re

    from alibaba_report import paths
    from alibaba_report.evidence import ledger as lg

    t = summary.summary_text(scenario, claims, lg.load_sources())
    for key in ("breakeven", "verdict", "calibration", "view"):
        assert "base case" not in t[key], (key, t[key])
    assert f"the {scenario} case" in t["breakeven"]
    nb = nbformat.read(paths.root() / "book" / "index.ipynb", as_version=4)
    prose = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not re.search(r"\bthe base (case|margin|spend)\b", prose)


def test_the_page_states_every_range_and_the_weights():
    """Issue 23, item 4: the draws' ranges, how they move together and the weights are on the page."""
    t = summary.uncertainty_table("base")
    assert "probability of the case" in t.index and list(t.loc["probability of the case", ["bear", "base", "bull"]]) == ["25", "50", "25"]
    for name in uncertainty.FIXED_RANGES:
        assert valuation.LABELS[name][0] in t.index
    assert "how fast the loss shrinks" in t.index and "peaking at 15" in t.loc["how fast the loss shrinks", "base"]
    s = summary.uncertainty_sentence(valuation.scenario_weights())
    assert "(bear 25%, base 50%, bull 25%)" in s and "move together" in s
    nb = nbformat.read(valuation.params.paths.root() / "book" / "scenarios.ipynb", as_version=4)
    src = "".join(c.source for c in nb.cells)
    assert "{glue:text}`uncertainty`" in src and "summary.uncertainty_table(P.scenario)" in src


def test_the_catalyst_calendar_is_dated_from_dates_and_labels_what_is_outside(claims):
    """Issue 23, item 8: a dated calendar, in date order, with the sources' dates from the ledger and the
    quarter ends from the fiscal calendar (31 March year end); what the sources do not date is labelled."""
    import datetime as dt

    from alibaba_report.evidence import ledger as lg

    t = summary.catalyst_calendar(claims, lg.load_sources(), "base")
    dates = [dt.datetime.strptime(d.split(" (")[0], "%B %Y" if "expected" in d else "%d %B %Y").date() for d in t.index]
    assert dates == sorted(dates)
    assert "31 December 2025" in t.index and "31 March 2027" in t.index and "8 January 2026" in t.index
    assert t.loc["31 March 2026", "event"].startswith("FQ4 FY26 ends")
    assert all(d.endswith(f"(expected, {summary.OUTSIDE})") and summary.OUTSIDE in s
               for d, e, s in zip(t.index, t["event"], t["source"]) if e.endswith("results"))
    assert not t["source"].str.contains("seed|not stated").any()  # a source is its publisher and date


def test_china_risks_are_labelled_as_outside_the_sources():
    risks = summary.outside_risks()
    assert len(risks) == 4
    for r in risks[:3]:
        assert f"({summary.OUTSIDE})" in r
    assert any("export controls" in r.lower() for r in risks) and any("ADR" in r for r in risks)
    assert "do not say" in risks[3]


def test_the_cloud_breakeven_is_shown_as_the_formula_its_assumptions_give():
    """Issue 23, item 3 (in part): the break-even margin follows from turnover, life and utilisation,
    about one over their product, and the summary shows it so."""
    from alibaba_report.synthesis import scenarios

    t = summary.cloud_breakeven_terms(scenarios.chapter_params("base", "cloud_ai"))
    assert t["cloud_be_formula_pct"] == pytest.approx(100 / (t["cloud_turnover"] * t["cloud_life"] * t["cloud_util"] / 100))
    # the chapter's model, with its ramp-up, lands near the formula
    assert key_figures.figures("base")["cloud_breakeven_margin_pct"] == pytest.approx(t["cloud_be_formula_pct"], rel=0.1)
    nb = nbformat.read(valuation.params.paths.root() / "book" / "index.ipynb", as_version=4)
    src = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "{glue:text}`cloud_be_formula_pct" in src and "not a finding" in src and "group capex" in src


@pytest.mark.parametrize("breakeven, says", [
    (46.2, "46% with the ramp-up"), (float("inf"), "adds no revenue"), (140.0, "even a 100% margin")])
def test_the_cloud_break_even_is_a_margin_or_words_never_inf(breakeven, says):
    words = summary.cloud_breakeven_words(breakeven, 40.0, "bear")
    assert says in words["cloud_be_model"]
    assert all("inf" not in w and "nan" not in w for w in words.values())
    assert "bear case" in words["cloud_be_risk"]
