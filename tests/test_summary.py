"""The sentences the summary and the scenarios page glue: each branch, with the numbers it is given;
the key-figure registry and the check that pages agree with it."""
from __future__ import annotations

import json
import math

import nbformat
import pandas as pd
import pytest

from alibaba_report.evidence import ledger
from alibaba_report.synthesis import key_figures, summary, valuation


@pytest.fixture(scope="module")
def claims():
    return ledger.load_claims()


def test_view_phrase_has_three_verdicts():
    assert summary.view_phrase(152, 200).startswith("undervalued: the probability-weighted value of USD 200 is 32% above")
    assert summary.view_phrase(152, 120).startswith("overvalued: the probability-weighted value of USD 120 is 21% below")
    assert summary.view_phrase(152, 155).startswith("about fairly priced") and "(+2%)" in summary.view_phrase(152, 155)


def test_breakeven_sentence_leads_with_the_multiple_and_says_which_side():
    s = summary.breakeven_sentence(152, 19.7, 20, 14.2, 15)
    assert s.startswith("At the base case's earnings the USD 152 price pays 19.7 times")
    assert "at least 14% a quarter, slower than the 15%" in s
    assert "faster than" in summary.breakeven_sentence(152, 21, 20, 18, 15)
    assert "no pace of shrinking losses" in summary.breakeven_sentence(152, 40, 20, None, 15)


def test_target_sentence_compares_with_the_bull_case():
    assert "more than even the bull case" in summary.target_sentence(205, 20, 10.5, 10.3, 27)
    assert "within what the bull case delivers" in summary.target_sentence(205, 20, 10.0, 10.3, 27)


def test_drivers_sentence_names_the_top_three_in_reader_words():
    t = pd.DataFrame({"assumption": ["a multiple", "a shrink", "a peak", "a tax"],
                      "value_at_low": [100, 120, 140, 150], "value_at_high": [180, 170, 150, 151]})
    s = summary.drivers_sentence(t)
    assert s == "What moves the value most: a multiple (USD 100–180); a shrink (USD 120–170); a peak (USD 140–150)."
    with pytest.raises(valuation.contract.ModelInputError):
        summary.drivers_sentence(t.iloc[0:0])


def test_funding_sentence_says_covers_or_not():
    f = {"cash_after_tax_rmb_bn": 200, "capex_rmb_bn": 153, "free_cash_rmb_bn": 47, "last_quarter_fcf_rmb_bn": -21.8}
    assert " covers a year of the capex programme (RMB 153bn) with about RMB 47bn to spare" in summary.funding_sentence(f)
    short = summary.funding_sentence({**f, "free_cash_rmb_bn": -5})
    assert "does not cover" in short and "about RMB 5bn short" in short and "+" not in short


def test_key_data_table_shows_price_cases_and_weighted_value(claims):
    t = summary.key_data_table(claims)
    assert list(t.index) == ["price on 4 January 2026", "bear value", "base value", "bull value", "probability-weighted value"]
    assert t.iloc[0]["against the price"] == "—"
    assert t.loc["base value", "USD per ADS"] == f"{key_figures.figures('base')['value_per_ads_usd']:,.0f}"


def test_registry_covers_the_figures_every_page_shares():
    must = {"value_per_ads_usd", "value_per_ads_ntm_usd", "probability_weighted_value_usd", "fy27_eps_usd", "ntm_eps_usd",
            "fy27_adj_ebitda_rmb_bn", "retail_war_cost_rmb_bn", "cloud_breakeven_margin_pct"}
    for s in valuation.SCENARIOS:
        f = key_figures.figures(s)
        assert must <= set(f)
        assert all(not math.isnan(f[k]) for k in must)


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
