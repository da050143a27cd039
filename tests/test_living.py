"""The living report: signposts graded from data, a new source registered and accepted, editions and
what changed since one. The flow runs once, in a copy of the repository, on the test fixture
(tests/fixtures/later_article.txt: a hypothetical later article, never part of the book)."""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alibaba_report import params
from alibaba_report.evidence import intake, ledger
from alibaba_report.synthesis import editions, key_figures, scenarios, signposts

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "later_article.txt"
FIXTURE_FIGURES = {"RMB 30 billion", "60%", "36%", "-5 billion yuan", "RMB 240 billion", "$8.10"}


def _clear_caches() -> None:
    # The commands run in separate processes; here one process plays them all in turn.
    key_figures._figures_cached.cache_clear()
    scenarios._outputs_cached.cache_clear()


def _copy(dest: Path) -> Path:
    for name in ("data", "seeds"):
        shutil.copytree(ROOT / name, dest / name)
    return dest


@pytest.fixture()
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORT_ROOT", str(_copy(tmp_path)))
    _clear_caches()
    yield tmp_path
    _clear_caches()


def _mark(path: Path, accept) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in rows:
        r["accept"] = "yes" if accept(r) else ""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.fixture(scope="module")
def flow(tmp_path_factory):
    """make edition -> make source -> accept (the rows with a suggested metric) in a copy."""
    tree = _copy(tmp_path_factory.mktemp("living"))
    old = os.environ.get("REPORT_ROOT")
    os.environ["REPORT_ROOT"] = str(tree)
    _clear_caches()
    try:
        edition = editions.write("january-2026")
        seed, rows = intake.register_source(FIXTURE, "Example Wire", "2026-02-20")
        raw = intake.candidates_path(seed.name).read_text(encoding="utf-8")
        _mark(intake.candidates_path(seed.name), lambda r: bool(r["metric"]))
        report = intake.accept()
        _clear_caches()
        previous = editions.load(edition)
        yield {"tree": tree, "edition": previous, "raw": raw, "seed": seed, "rows": rows, "report": report,
               "bridge": editions.bridge(previous), "changes": editions.estimate_changes(previous),
               "grades": signposts.grade(), "page": editions.page_markdown(previous)}
    finally:
        _clear_caches()
        if old is None:
            os.environ.pop("REPORT_ROOT", None)
        else:
            os.environ["REPORT_ROOT"] = old


# --- signposts ----------------------------------------------------------------------------------------

def test_every_signpost_watches_a_metric_the_ledger_has(ledger):
    watch = signposts.load()
    metrics = set(ledger.df["metric"])
    assert len(watch.signposts) >= 5
    assert all(s.metric in metrics for s in watch.signposts.values())


def test_with_the_january_sources_nothing_is_graded_yet(ledger):
    grades = signposts.grade(ledger)
    assert {g["grade"] for g in grades} == {"not yet reported"}
    assert signposts.summary_sentence(grades, previous=None).startswith("Of the six signposts")


@pytest.mark.parametrize("value, bound, direction, expected", [
    (30, "exact", "at_most", "met"), (36, "more_than", "at_most", "missed"), (40, "up_to", "at_most", "not settled"),
    (36, "exact", "at_least", "met"), (30, "more_than", "at_least", "not settled"), (30, "approx", "at_least", "missed"),
])
def test_a_bound_settles_a_signpost_only_when_it_decides_it(value, bound, direction, expected):
    s = signposts.load().signposts["cloud_growth_fq3_fy26"].model_copy(update={"threshold": 35.0, "direction": direction})
    assert signposts.outcome(s, value, bound) == expected


def test_a_wrong_signpost_field_is_named(tree):
    path = tree / "data" / "signposts.yml"
    path.write_text(path.read_text().replace("direction: at_most", "direction: below", 1))
    with pytest.raises(signposts.SignpostError, match=r"signposts\.retail_loss_fq3_fy26\.direction"):
        signposts.load()


def test_the_summary_sentence_counts_what_changed_since_the_edition():
    grades = [{"key": k, "grade": g} for k, g in (("a", "met"), ("b", "missed"), ("c", "met"), ("d", "not yet reported"))]
    previous = {"name": "january-2026", "date": dt.date(2026, 1, 14), "grades": {"a": "met", "b": "not yet reported"}}
    assert signposts.summary_sentence(grades, previous) == (
        "Since the january-2026 edition (sources to 14 Jan 2026), one of the four signposts the book watches was met "
        "and one missed; one is not yet reported.")


# --- make source: refusals ----------------------------------------------------------------------------------

def test_a_bad_date_is_refused_by_name(tree):
    for bad in ("2026-02-30", "20-02-2026", "soon"):
        with pytest.raises(intake.IntakeError, match="^DATE"):
            intake.register_source(FIXTURE, "Example Wire", bad)
    assert not (tree / "data" / "candidates").exists()


def test_a_file_that_is_not_utf8_is_refused_by_name(tree):
    bad = tree / "latin1.txt"
    bad.write_bytes("Umsatz stieg um 5 % - Café".encode("latin-1"))
    with pytest.raises(intake.IntakeError, match=r"^FILE .*latin1\.txt: line 1, column \d+ .*UTF-8"):
        intake.register_source(bad, "Example Wire", "2026-02-20")


def test_a_duplicate_of_a_seed_is_refused_by_name(tree):
    existing = sorted((tree / "seeds").glob("*.txt"))[1]
    copy = tree / "again.txt"
    shutil.copy(existing, copy)
    with pytest.raises(intake.IntakeError, match=f"same bytes as seeds/{existing.name}"):
        intake.register_source(copy, "Example Wire", "2026-02-20")
    assert len(list((tree / "seeds").glob("*.txt"))) == 5


def test_the_command_exits_2_naming_the_argument(tree):
    env = {**os.environ, "REPORT_ROOT": str(tree)}
    proc = subprocess.run([sys.executable, "-m", "alibaba_report.evidence.intake", "source", "--file", str(FIXTURE),
                           "--publisher", "Example Wire", "--date", "2026-13-01"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("error: DATE '2026-13-01'")


# --- make source and make accept --------------------------------------------------------------------------

def test_the_new_source_is_registered_under_the_next_number(flow):
    seed = flow["seed"]
    assert seed.name.startswith("005_") and seed.read_bytes() == FIXTURE.read_bytes()
    from alibaba_report.pipeline.driver import seed_manifest_problems

    assert seed_manifest_problems(flow["tree"] / "seeds") == []
    row = ledger.load_sources().set_index("seed").loc[seed.name]
    assert (row["publisher"], row["date"]) == ("Example Wire", "2026-02-20")


def test_one_candidate_per_number_with_its_figure_unit_and_period(flow):
    rows = flow["rows"]
    assert len(rows) == len(ledger.numeric_mentions(FIXTURE.read_text(encoding="utf-8")))
    by_text = {r["value_text"]: r for r in rows}
    assert FIXTURE_FIGURES <= set(by_text)
    cloud = by_text["36%"]
    assert (cloud["subject"], cloud["metric"], cloud["unit"], cloud["period"]) == (
        "Alibaba Cloud", "revenue_growth_yoy", "%", "FY26Q3 (CY25Q4)")
    assert by_text["60%"]["value"] == "-60" and by_text["-5 billion yuan"]["unit"] == "RMB bn"
    assert by_text["RMB 30 billion"]["signposts"] == "Instant-retail loss in the December quarter (FQ3 FY26)"
    assert by_text["$8.10"]["metric"] == "eps" and by_text["$8.10"]["period"] == "FY2027"


def test_accept_moves_the_accepted_rows_and_covers_every_number(flow):
    assert flow["report"] == [(flow["seed"].stem, 6, 9)]
    led = ledger.load_claims()
    new = led.df[led.df["seed"] == flow["seed"].name]
    assert set(new["value_text"]) == FIXTURE_FIGURES
    excl = ledger.load_exclusions()
    assert set(excl[excl["seed"] == flow["seed"].name]["reason"]) == {"not used"}
    assert [m for m in ledger.uncovered_mentions(led, excl) if m[0] == flow["seed"].name] == []
    assert not intake.candidates_path(flow["seed"].name).exists()


def test_a_newer_restatement_replaces_the_figure_the_book_reads(flow):
    led = ledger.load_claims()
    assert led.value("consensus_eps_fy27_s004") == 8.1
    assert led.citation("consensus_eps_fy27_s004")["source"] == "Example Wire, 20 Feb 2026"
    assert led.get("consensus_eps_fy27_s004").value == 8.57  # the appendix keeps the January sentence


def _accept_one(tree: Path, **changes) -> Path:
    seed, _ = intake.register_source(FIXTURE, "Example Wire", "2026-02-20")
    path = intake.candidates_path(seed.name)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    target = next(i for i, r in enumerate(rows) if r["value_text"] == "RMB 30 billion")
    rows[target].update(accept="yes", **changes)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize("changes, column", [
    ({"value": "31"}, "value"),
    ({"quote": "The loss narrowed to RMB 30 billion."}, "quote"),
    ({"unit": "USD bn"}, "unit"),
    ({"unit": "RMB"}, "unit"),
    ({"id": "nomura_ebita_loss_peak_fq3_fy26"}, "id"),
])
def test_accept_refuses_a_row_that_does_not_verify_by_line_and_column(tree, changes, column):
    path = _accept_one(tree, **changes)
    before = (tree / "data" / "claims.csv").read_bytes()
    with pytest.raises(intake.IntakeError, match=rf"candidates/005_\w+\.csv: line \d+ .*column '{column}'"):
        intake.accept()
    assert (tree / "data" / "claims.csv").read_bytes() == before and path.exists()


def test_accept_keeps_the_source_modality(tree):
    seed, _ = intake.register_source(FIXTURE, "Example Wire", "2026-02-20")
    text = (tree / "seeds" / seed.name).read_text(encoding="utf-8")
    assert "could" not in text  # the check is exercised on a row whose quote is edited below
    path = intake.candidates_path(seed.name)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    claim = ledger._row_to_claim(Path("x"), 2, {**{k: rows[3][k] for k in ledger.COLUMNS},
                                                "quote": "The loss could reach RMB 30 billion."})
    with pytest.raises(intake.IntakeError, match="column 'kind'.*may, might, could"):
        intake._modality("row 5", claim)


# --- editions -----------------------------------------------------------------------------------------

def test_an_edition_records_what_the_book_said(flow):
    e = flow["edition"]
    assert set(e["key_figures"]) == {"bear", "base", "bull"}
    assert e["date"] == "2026-01-14" and len(e["sources"]) == 5 and all(len(s["sha256"]) == 64 for s in e["sources"])
    assert e["model_inputs"]["claims"]["consensus_eps_fy27_s004"] == 8.57
    assert e["assumptions"]["base"]["retail_war"]["peak_loss_rmb_bn"] == 35.5


def test_an_edition_is_never_overwritten_and_its_name_is_checked(tree):
    editions.write("first")
    with pytest.raises(editions.EditionError, match="exists already"):
        editions.write("first")
    for bad in ("../x", "Upper", ""):
        with pytest.raises(editions.EditionError, match="^NAME"):
            editions.write(bad)


def test_the_bridge_adds_up_from_the_edition_value_to_today(flow):
    steps, e = flow["bridge"], flow["edition"]
    assert steps[0]["change"] == e["key_figures"]["base"][editions.BRIDGE_FIGURE]
    now = key_figures.figures(params.BASE)[editions.BRIDGE_FIGURE]
    assert math.isclose(steps[-1]["change"], now, rel_tol=1e-12)
    assert math.isclose(steps[0]["change"] + sum(s["change"] for s in steps[1:-1]), now, rel_tol=1e-9)
    middle = steps[1:-1]
    assert [(s["before"], s["after"]) for s in middle] == [(8.57, 8.1), (262.0, 240.0)]
    assert middle[0]["change"] < -5  # a lower EPS forecast lowers the value; the EBITDA forecast alone does not move it
    assert abs(middle[1]["change"]) < 1e-9


def test_the_value_under_an_editions_inputs_uses_them_and_leaves_the_book_alone():
    # the bridge values the shares with an edition's claims and assumptions in place of today's; it
    # reads them through the model's own inputs, without replacing how the rest of the book reads
    # its parameters or its ledger
    today, claims_read, assumptions_read = editions.value_with({}, {})
    assert math.isclose(today, key_figures.figures(params.BASE)[editions.BRIDGE_FIGURE], rel_tol=1e-12)
    assert set(assumptions_read) == {"retail_war", "cloud_ai", "policy_catalyst", "valuation"}
    pe = assumptions_read["valuation"]["forward_pe"]
    doubled, _, read = editions.value_with({}, {"valuation": {"forward_pe": 2 * pe}})
    assert math.isclose(doubled, 2 * today, rel_tol=1e-9)  # value = multiple x next twelve months' earnings
    assert read["valuation"]["forward_pe"] == 2 * pe
    eps = claims_read["consensus_eps_fy27_s004"]
    lower, read_claims, _ = editions.value_with({"consensus_eps_fy27_s004": eps - 1.0}, {})
    assert lower < today and read_claims["consensus_eps_fy27_s004"] == eps - 1.0
    assert params.scenario_parameters(params.BASE, "valuation")["forward_pe"] == pe
    assert ledger.load_claims().value("consensus_eps_fy27_s004") == eps


def test_the_estimate_changes_show_the_fixture_figures(flow):
    rows = {(r["scenario"], r["figure"]): r for r in flow["changes"]}
    ebitda = rows[("base", "fy27_adj_ebitda_rmb_bn")]
    assert math.isclose(ebitda["change"], -22.0, rel_tol=1e-9)  # RMB 262bn -> 240bn, the rest of the model unchanged
    value = rows[("base", "value_per_ads_usd")]
    assert value["change"] < 0 and math.isclose(value["pct"], 100 * value["change"] / value["previous"])
    assert len(flow["changes"]) == 3 * len(key_figures.REGISTRY)


def test_the_graded_signposts_show_the_fixture_figures(flow):
    grades = {g["key"]: (g["grade"], g["value_text"], g["supports"]) for g in flow["grades"]}
    assert grades == {
        "retail_loss_fq3_fy26": ("met", "RMB 30 billion", "base or bull"),
        "group_ebitda_fq3_fy26": ("met", "60%", "base or bull"),
        "cloud_growth_fq3_fy26": ("met", "36%", "bull"),
        "group_free_cash_flow_fq3_fy26": ("missed", "-5 billion yuan", "base or bear"),
        "ebitda_fy27_forecast": ("missed", "RMB 240 billion", "bear"),
        "commerce_growth_fq3_fy26": ("not yet reported", "", "—"),
    }


def test_the_page_names_the_edition_the_changes_and_the_new_source(flow):
    page = flow["page"]
    assert page.startswith("# What changed since january\\-2026")
    assert "Example Wire, 20 Feb 2026" in page.replace("\\", "") and "Alibaba\\'s December quarter" not in page.split("## New sources")[0]
    assert f"| base | {key_figures.BY_NAME['value_per_ads_usd'].label}" in page.replace("\\", "")  # text is escaped
    assert "| step 1 |" in page and "| 8\\.57 |" not in page  # numbers are not escaped, text is
    assert "| 8.57 | 8.10 |" in page
    assert "{claim}`quarterly_loss_fq3_fy26_s005`" in page  # the new figures are cited (the build numbers the role)
    text = re.sub(r"\{claim\}`[^`]*`", "", page)
    assert "005" not in text and "consensus_eps" not in text and "_s005" not in text  # no file numbers, no ids


def test_no_edition_no_page(tree):
    stage = tree / "stage"
    (stage / "book").mkdir(parents=True)
    shutil.copy(ROOT / "_toc.yml", stage / "_toc.yml")
    assert editions.stage_page(stage) is False
    assert "since_edition" not in (stage / "_toc.yml").read_text()


def test_an_edition_file_that_is_not_json_is_named(tree):
    (tree / "editions").mkdir()
    (tree / "editions" / "broken.json").write_text("{not json")
    with pytest.raises(editions.EditionError, match="broken.json: expected a JSON edition"):
        editions.latest()


def test_the_edition_file_is_plain_json_with_the_commit(flow):
    data = json.loads((flow["tree"] / "editions" / "january-2026.json").read_text(encoding="utf-8"))
    assert data["commit"] == "unknown"  # the copy is not a git checkout; in one it is HEAD's hash
    assert re.fullmatch(r"[0-9a-f]{40}(\+uncommitted changes)?", editions.record._commit(ROOT))


def test_a_broken_signposts_file_stops_the_build_before_anything_runs(tree):
    from alibaba_report.pipeline import driver

    path = tree / "data" / "signposts.yml"
    path.write_text(path.read_text().replace("known_by: 2026-02-28", "known_by: end of February", 1))
    stage = tree / "stage"
    (stage / "book").mkdir(parents=True)
    with pytest.raises(driver.BuildError) as err:
        driver.add_living_pages(stage)
    assert err.value.code == driver.EXIT_DATA and "signposts.retail_loss_fq3_fy26.known_by" in str(err.value)


def test_the_candidates_file_opens_safely_in_a_spreadsheet(flow):
    cells = [c for row in csv.reader(flow["raw"].splitlines()) for c in row]
    assert "'-5 billion yuan" in cells and "-5 billion yuan" not in cells  # and accept took it as written (above)


def test_an_unknown_kind_of_source_is_refused_by_name(tree):
    with pytest.raises(intake.IntakeError, match="^KIND 'blog'"):
        intake.register_source(FIXTURE, "Example Wire", "2026-02-20", kind="blog")


def test_a_changed_assumption_is_a_step_of_the_bridge(tree):
    previous = editions.load(editions.write("before"))
    base = tree / "data" / "scenarios" / "base.yml"
    text = base.read_text(encoding="utf-8")
    start = text.index("valuation:")
    at = text.index("forward_pe:", start)
    old = text[at:text.index("reason", at)]
    pe = float(re.search(r"value: ([0-9.]+)", old).group(1))
    base.write_text(text[:at] + re.sub(r"value: [0-9.]+", "value: 18.0", old, count=1)
                    + text[at + len(old):], encoding="utf-8")
    _clear_caches()
    steps = editions.bridge(previous)
    assert [(s["step"], s["before"], s["after"]) for s in steps[1:-1]] == [("assumption: forward P/E multiple", pe, 18.0)]
    assert math.isclose(steps[1]["change"], steps[0]["change"] * (18 / pe - 1), rel_tol=1e-9)  # the value is P/E times EPS
    assert math.isclose(steps[0]["change"] + steps[1]["change"], steps[-1]["change"], rel_tol=1e-12)


def test_every_assumption_a_bridge_step_can_name_reads_in_reader_words():
    names = {(nb, p) for nb in params.notebooks_with_specs() if not params.is_scenario_page(nb) for p in params.specs(nb)}
    assert len(names) > 20
    labels = {editions.changes._assumption_label(nb, p) for nb, p in names}
    assert not [label for label in labels if "_" in label or label == "assumption: an assumption"]


def test_the_bridge_chart_is_drawn_with_alt_text_that_gives_every_step(tmp_path):
    steps = [{"step": "value at the edition", "change": 154.5, "total": True}, {"step": "EPS", "change": -9.19},
             {"step": "EBITDA", "change": 0.0}, {"step": "value now", "change": 145.31, "total": True}]
    alt = editions.bridge_chart(steps, tmp_path / "bridge.png")
    assert (tmp_path / "bridge.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert alt == "Waterfall from USD 154.50 at the edition to USD 145.31 now per ADS. step 1: -9.19; step 2: +0.00."
