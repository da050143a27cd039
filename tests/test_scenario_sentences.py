"""One book, one story, under every scenario (issue 23, items 6 and 8): every sentence the package writes
for a reader page, rendered under bear, base, bull, consensus and a scenario of one's own, is checked for
the faults a reader would catch: "nan", a doubled word or two labels run together ("only in not by"), a
case other than base called "the base case" on its own, a signpost that credits a source with a figure
the source does not give; and the catalyst calendar dates every event from a source or labels it."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from alibaba_report import params, paths
from alibaba_report.chapters import CHAPTERS, contract
from alibaba_report.chapters import policy_catalyst as policy
from alibaba_report.chapters import retail_war as retail
from alibaba_report.chapters.cloud_ai.text import capex_choice
from alibaba_report.evidence import ledger
from alibaba_report.synthesis import outlook, scenarios, summary
from sentences import Sentence, all_sentences, faults, notebook_sentences

ROOT = paths.root()
MINE = "mine"
SCENARIOS = ("bear", "base", "bull", "consensus", MINE)
PAGES = (*(ch.notebook for ch in CHAPTERS), "index", "scenarios")


def write_mine(root) -> None:
    """A scenario of one's own as the README makes it: bear.yml copied, values changed (a peak between
    bear's and the brokers', a faster shrink, twice bear's factories, its own weights)."""
    text = (root / "data" / "scenarios" / "bear.yml").read_text()
    for name, value in (("peak_loss_rmb_bn", 38.0), ("shrink_pct", 20.0), ("factories_adopting", 20000)):
        text, n = re.subn(rf"(  {name}:\n    value: )[0-9.]+", rf"\g<1>{value}", text, count=1)
        assert n == 1, name
    (root / "data" / "scenarios" / f"{MINE}.yml").write_text(text)


@pytest.fixture(scope="module")
def book_root(tmp_path_factory):
    """A copy of the data with the custom scenario in it, read instead of the repository's."""
    root = tmp_path_factory.mktemp("book")
    for name in ("data", "seeds", "book"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, root / name)
    write_mine(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REPORT_ROOT", str(root))
        assert MINE in params.known_scenarios()
        yield root


@pytest.fixture(scope="module")
def claims(book_root):
    return ledger.load_claims()


@pytest.fixture(scope="module")
def table(book_root, claims) -> list[Sentence]:
    """(scenario, page, where, sentence) for every sentence the package writes and every Markdown
    paragraph of the book with the package's values glued in, under every scenario."""
    sources = ledger.load_sources()
    rows = []
    for scenario in SCENARIOS:
        rows += all_sentences(scenario, claims, sources)
        for page in PAGES:
            rows += notebook_sentences(page, scenario, claims, sources)
    return rows


def failing(rows) -> str:
    return "\n".join(str(r) for r in rows[:20]) + (f"\n... and {len(rows) - 20} more" if len(rows) > 20 else "")


def test_the_table_covers_every_page_and_scenario(table):
    seen = {(r.scenario, r.page) for r in table}
    assert seen >= {(s, p) for s in SCENARIOS for p in PAGES}


def test_no_sentence_prints_nan_doubles_a_word_or_runs_two_labels_together(table):
    bad = [(r, why) for r in table for why in faults(r)]
    assert not bad, "\n".join(f"{why}: {r}" for r, why in bad[:20])


def test_the_faults_are_found_where_they_were():
    """The checks themselves: the sentences issue 23 found in the bear book are faults."""
    assert faults(Sentence("bear", "retail_war", "x", "The loss drops to RMB 4bn or less only in not by FQ2 FY29."))
    assert faults(Sentence("bear", "x", "x", "every 1% Alibaba moves moves the index"))
    assert faults(Sentence("bear", "retail_war", "x", "the war costs RMB 340bn and converges in\nnot by FQ2 FY29"))
    assert faults(Sentence("bear", "summary", "x", "the loss does not converge: not by FQ2 FY29"))
    assert faults(Sentence("bear", "x", "x", "a value of nan"))
    assert not faults(Sentence("bear", "x", "x", "information on inflation, not by FQ2 FY29"))


CASE_WORDS = re.compile(r"\b(bear|bull|consensus|every case|cases)\b", re.IGNORECASE)


def calls_another_case_base(r: Sentence) -> bool:
    """A sentence of a book that is not base's which calls a case "the base case" without naming any
    other: the book calling its own case base (a sentence naming bear or bull beside base compares)."""
    if r.scenario == params.BASE:
        return False
    return any("the base case" in s.lower() and not CASE_WORDS.search(s) and r.scenario not in s
               for s in re.split(r"(?<=[.;:])\s+", r.text))


def test_no_book_but_base_calls_its_case_the_base_case(table):
    bad = [r for r in table if calls_another_case_base(r)]
    assert not bad, "a scenario book calls its own case the base case:\n" + failing(bad)


def test_the_check_on_the_base_case_finds_the_sentence_it_was_written_for():
    wrong = Sentence("bear", "cloud_ai", "x", "The base case uses Goldman Sachs' figure, the latest; the payback is below.")
    right = Sentence("bear", "cloud_ai", "x", "The base case uses Citi's forecast, the bull case the post's faster figure.")
    assert calls_another_case_base(wrong) and not calls_another_case_base(right)
    assert capex_choice(460.0, 460.0).startswith("This page's case uses Goldman Sachs' figure")
    assert "an assumption; Goldman Sachs' figure is RMB 460 billion" in capex_choice(380.0, 460.0)


# --- a signpost that credits a source quotes the source's figure -----------------------------------

CREDITS_A_SOURCE = re.compile(r"\bconfirms\b|the brokers' peak\b|'s figure\b")


def credit_problems(s: contract.Signpost, claims) -> list[str]:
    """A signpost whose words say its level is a source's figure ("confirms AInvest's figure", "the
    brokers' peak holds") must have a level within the figures it cites."""
    words = f"{s.if_better} {s.if_worse}"
    if s.threshold is None or not s.claims or not CREDITS_A_SOURCE.search(words):
        return []
    cited = [claims.value(c) for c in s.claims]
    low, high = min(cited), max(cited)
    if low * (1 - 0.005) <= s.threshold <= high * (1 + 0.005):
        return []
    return [f"{s.name!r} at {contract.threshold_text(s)} says {CREDITS_A_SOURCE.search(words).group(0)!r}, "
            f"but the sources it cites give {', '.join(f'{x:g}' for x in cited)}"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_signpost_that_credits_a_source_has_the_sources_figure(book_root, claims, scenario):
    bad = [f"{scenario} / {title}: {why}" for title, posts in scenarios.signposts(scenario)
           for s in posts for why in credit_problems(s, claims)]
    assert not bad, "\n".join(bad)


def test_the_credit_check_catches_the_bear_books_factories(claims):
    """The bear book said 10,000 factories "confirms" AInvest's over 50,000."""
    was = contract.Signpost("Factories", 10000.0, "factories", "an official count at or above it confirms AInvest's "
                            "figure", "fewer", "base or bull", "bear", claims=(policy.CLAIMS["factories"],))
    assert credit_problems(was, claims)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_factories_signpost_confirms_the_source_only_at_its_figure(book_root, claims, scenario):
    p = scenarios.chapter_params(scenario, "policy_catalyst")
    post = policy.signposts(p, claims, case=f"the {scenario} case")[0]
    said = claims.value(policy.CLAIMS["factories"])
    assert post.threshold == p.factories_adopting
    assert ("confirms AInvest's figure" in post.if_better) == (p.factories_adopting == said)
    if p.factories_adopting != said:
        assert f"{said:,.0f}" in post.if_better and f"{p.factories_adopting:,}" in post.if_better
        assert f"the {scenario} case" in post.if_better


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_peak_signpost_calls_a_peak_the_brokers_only_within_their_forecasts(book_root, claims, scenario):
    p = scenarios.chapter_params(scenario, "retail_war")
    post = retail.signposts(p, claims, case=f"the {scenario} case")[0]
    low, high = retail.brokers_range(claims)
    assert (low, high) == (35.0, 36.0)  # Nomura and UBS, the 8 January article
    within = low <= p.peak_loss_rmb_bn <= high
    assert ("the brokers' peak" in post.if_better) == within
    assert "RMB 35–36bn" in post.if_better  # what the brokers say, always quoted
    if not within:
        assert f"RMB {p.peak_loss_rmb_bn:g}bn peak the {scenario} case assumes" in post.if_better


def test_the_bear_peak_is_an_assumption_above_both_brokers(book_root, claims):
    text = retail.peak_reading(40.0, (35.0, 36.0), "the bear case")
    assert "above both brokers' forecasts" in text and "brokers' peak" not in text


# --- when the loss converges, in words that read ----------------------------------------------------

@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_retail_page_says_when_the_loss_converges_in_one_phrase(book_root, claims, scenario):
    p = scenarios.chapter_params(scenario, "retail_war")
    r = retail.compute(p, claims)
    when = retail.prose(p, claims)["conv_when"]
    if r["convergence_index"] is None:
        assert when == f"in none of the {p.quarters_modelled} quarters modelled, to {retail.quarter(p.quarters_modelled - 1).label}"
    else:
        assert when == f"only in {r['convergence_quarter']}"
    paragraph = next(s.text for s in notebook_sentences("retail_war", scenario, claims, ledger.load_sources())
                     if "or less" in s.text and "The evidence so far" in s.text)
    assert f"bn or less {when}." in paragraph


def test_the_bear_path_never_converges_and_says_so(book_root, claims):
    p = scenarios.chapter_params("bear", "retail_war")
    assert retail.compute(p, claims)["convergence_index"] is None  # the case issue 23 read
    assert retail.prose(p, claims)["conv_when"].startswith("in none of the 12 quarters modelled, to FQ2 FY29")
    assert retail.prose(p, claims)["conv_words"].startswith("does not converge by FQ2 FY29")
    assert summary.chapter_text("bear")["retail_when"].startswith("does not converge by FQ2 FY29")
    assert summary.chapter_text("base")["retail_when"].startswith("converges in FQ")


# --- the catalyst calendar ----------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_calendar_date_is_from_a_source_or_labelled_outside(book_root, claims, scenario):
    sources = ledger.load_sources()
    t = outlook.catalyst_calendar(claims, sources, scenario)
    publishers = {p for p in sources["publisher"] if p != "not stated in the text"} | {
        f"a {k}" for k in sources["kind"]}
    dated = re.compile(r", \d{1,2} [A-Z][a-z]+ \d{4}\b")
    for date, row in t.iterrows():
        source = row["source"]
        if "expected" in date:
            assert date.endswith(f"({outlook.EXPECTED})") and source.startswith(outlook.EXPECTED), (date, source)
        elif source.startswith("this book"):
            assert row["event"] == "the 12-month target's date"
        else:  # a source: its publisher and the date it wrote
            assert any(p in source for p in publishers) and dated.search(source), (date, source)
        assert "seed" not in source and "not stated" not in source


def parse(date: str) -> dt.date:
    """A calendar date: "31 March 2026", or the first of an expected month, "February 2026 (expected...)"."""
    if "expected" in date:
        return dt.datetime.strptime(date.split(" (")[0], "%B %Y").date()
    return dt.datetime.strptime(date, "%d %B %Y").date()


def test_the_calendar_computes_each_cases_quarters_from_the_fiscal_calendar(book_root, claims):
    sources = ledger.load_sources()
    base = outlook.catalyst_calendar(claims, sources, "base")
    bear = outlook.catalyst_calendar(claims, sources, "bear")
    for t in (base, bear):
        assert [parse(d) for d in t.index] == sorted(parse(d) for d in t.index)
        # the December quarter's results come in February: the sources give no date
        assert t.loc[f"February 2026 ({outlook.EXPECTED})", "event"] == "FQ3 FY26 results"
        assert t.loc["31 December 2025", "event"].startswith("FQ3 FY26 ends")
        assert t.loc["31 March 2027", "event"].startswith("FQ4 FY27 ends")
        assert t.loc[f"May 2027 ({outlook.EXPECTED})", "event"] == "FQ4 FY27 results"
        assert t.loc["4 January 2026", "source"] == "boerse-global.de, 4 January 2026"
    # base's loss shrinks after one peak quarter, bear's after two: each calendar names its own case
    assert base.loc["31 March 2026", "event"] == "FQ4 FY26 ends: the first quarter the loss shrinks in the base case"
    assert bear.loc["30 June 2026", "event"] == "FQ1 FY27 ends: the first quarter the loss shrinks in the bear case"
    assert f"August 2026 ({outlook.EXPECTED})" in bear.index and f"August 2026 ({outlook.EXPECTED})" not in base.index


def test_results_months_are_computed_from_quarter_ends():
    assert [outlook.quarter_name(i) for i in range(5)] == ["FQ3 FY26", "FQ4 FY26", "FQ1 FY27", "FQ2 FY27", "FQ3 FY27"]
    assert [outlook.results_month(i).strftime("%b %Y") for i in range(5)] == [
        "Feb 2026", "May 2026", "Aug 2026", "Nov 2026", "Feb 2027"]


def test_the_retail_slider_names_the_quarter_the_loss_falls_below_the_level_in_words_that_read(book_root, claims):
    """The slider's figure reads "label: value"; a path that never converges shows "not by ...", so the
    label cannot end in a preposition ("... a quarter from: not by FQ2 FY29")."""
    from alibaba_report.synthesis import sliders

    chart = sliders.retail_war(scenarios.chapter_params("bear", "retail_war"), claims)
    label = next(f.label for f in chart.figures if f.column == "converged")
    for value in chart.grid["converged"].unique():
        r = Sentence("bear", "retail_war", "slider", f"{label}: {value}")
        assert not faults(r) and not re.search(r"\b(from|in|by|until):\s", r.text), r
    assert "not by FQ2 FY29" in set(chart.grid["converged"])  # the bear grid has paths that never converge


@pytest.mark.parametrize("peak_quarters", [1, 5, 8])
def test_every_allowed_peak_length_gives_a_calendar_with_one_row_a_date(claims, monkeypatch, peak_quarters):
    """A peak that ends with FY27 puts two events in one quarter: one row says both."""
    real = params.scenario_parameters
    monkeypatch.setattr(params, "scenario_parameters", lambda s, nb: {**real(s, nb), "peak_quarters": peak_quarters}
                        if nb == "retail_war" else real(s, nb))
    t = outlook.catalyst_calendar(claims, ledger.load_sources(), "base")
    assert t.index.is_unique
    shrink = outlook.quarter_end(peak_quarters)
    row = t.loc[f"{shrink.day} {shrink:%B %Y}", "event"]
    assert row.startswith(f"{outlook.quarter_name(peak_quarters)} ends") and "the first quarter the loss shrinks" in row
    if peak_quarters == 5:
        assert "the last quarter of FY27" in row


def test_the_retail_scenario_table_reads_as_label_and_cell_when_a_path_never_converges(book_root, claims):
    """Each row of the table reads "label: cell": the bear path's "not by FQ2 FY29" cannot follow
    "converged in"."""
    table = retail.compute(scenarios.chapter_params("bear", "retail_war"), claims)["scenario_table"]
    cells = [Sentence("bear", "retail_war", f"table {row}", f"{row} {value}")
             for row, values in table.iterrows() for value in values if isinstance(value, str)]
    assert any("not by FQ2 FY29" in c.text for c in cells)
    assert not [c for c in cells if faults(c)], [str(c) for c in cells if faults(c)]
