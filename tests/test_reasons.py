"""The reasons behind the assumptions name sources as a reader knows them.

Every assumption's reason (data/scenarios/*.yml), every scenario's description and every parameter's
meaning (data/parameters/*.yml) is text a reader meets: the Methods page lists the reasons, the error
for a refused value quotes the meaning. A source in them is a publisher and a date ("boerse-global.de
(4 January)", "an article of 8 January 2026"), never its file ("seed 004", "(002"), a claim id of the
ledger or any other snake_case label (a parameter name, a case id). The Methods page as built is held
to the same rule; it may name parameters and files, since it explains how the book is made.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from test_reader_pages import BARE_NUMBER_RE, SNAKE_RE, claim_ids, parameter_names, text_problems

ROOT = Path(__file__).resolve().parents[1]
TEXT_KEYS = ("reason", "description", "meaning")
SEED_WORD_RE = re.compile(r"\bseeds?\b", re.IGNORECASE)  # "seed 000", "Seed 003's", "not from a seed"
FILE_NUMBER_RE = re.compile(r"\b(?:seeds?|sources?|pages?|articles?|posts?)\s+(?:0\d\d)\b", re.IGNORECASE)


def _texts(node, where: str):
    """(where, text) for every reason, description or meaning string under ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}: {key}" if where.endswith(".yml") else f"{where}.{key}"
            if key in TEXT_KEYS and isinstance(value, str):
                yield here, value
            else:
                yield from _texts(value, here)


def data_texts() -> list[tuple[str, str]]:
    found = []
    for path in sorted([*(ROOT / "data" / "scenarios").glob("*.yml"), *(ROOT / "data" / "parameters").glob("*.yml")]):
        found += _texts(yaml.safe_load(path.read_text(encoding="utf-8")), path.relative_to(ROOT).as_posix())
    return found


def machinery(text: str, ids: set[str]) -> list[str]:
    """What in one reason text a reader should not meet: a source by file number, a claim id, snake_case."""
    found = [f"source by file number {m.group(0)!r}" for m in FILE_NUMBER_RE.finditer(text)]
    found += [f"the word {m.group(0)!r} (a source is its publisher and date)" for m in SEED_WORD_RE.finditer(text)]
    found += [f"source by file number {m.group(0)!r}" for m in BARE_NUMBER_RE.finditer(text)]
    for m in SNAKE_RE.finditer(text):
        kind = "claim id" if m.group(0) in ids else "snake_case label"
        found.append(f"{kind} {m.group(0)!r}")
    return found


def test_the_scan_finds_what_the_old_reasons_said():
    ids = claim_ids()
    old = ("Citi keeps a 35% forecast (seed 000, claim citi_cloud_revenue_growth_annual), a point above the "
           "34% (Seed 004's figure, cloud_revenue_growth_fq2_fy26_s004); at eur_usd 1.17; (002, AI-written); "
           "its sister page 004. Assumption, not from a seed.")
    found = "\n".join(machinery(old, ids))
    for expected in ("source by file number 'seed 000'", "source by file number 'Seed 004'",
                     "claim id 'citi_cloud_revenue_growth_annual'", "claim id 'cloud_revenue_growth_fq2_fy26_s004'",
                     "snake_case label 'eur_usd'", "source by file number '(002'", "source by file number 'page 004'",
                     "the word 'seed'"):
        assert expected in found, f"{expected} not caught:\n{found}"


def test_the_scan_passes_sources_by_publisher_and_date():
    clean = ("Citi keeps a 35% annual growth forecast (an article of 8 January 2026), a point above the 34% "
             "reported for FQ2 FY26 (boerse-global.de, 4 January); AInvest (12 January), written by an AI agent, "
             "says 10%; the undated opinion post; USD 1.17 per euro; 0.85^4 = 0.52; 2026-2028.")
    assert machinery(clean, claim_ids()) == []


def test_the_data_has_reasons_to_check():
    texts = data_texts()
    where = {w.split(":")[0] for w, _ in texts}
    assert len(texts) > 80, len(texts)  # every base value has a reason, every parameter a meaning
    assert {"data/scenarios/base.yml", "data/scenarios/bull.yml", "data/parameters/cloud_ai.yml"} <= where


def test_no_reason_names_a_source_by_file_or_a_claim_by_id():
    ids = claim_ids()
    report = [f"{where}: {problem}" for where, text in data_texts() for problem in machinery(text, ids)]
    assert not report, f"{len(report)} reader text(s) name machinery:\n  " + "\n  ".join(report)


# --- the built Methods page ---------------------------------------------------------------------

def methods_problems(html: str) -> list[str]:
    """The reader-page scan of the Methods page, less what Methods may show: parameter names, file paths,
    how the book is built and the commands that re-run it (code blocks, whose file names may be snake_case)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for block in soup.select("pre"):
        block.decompose()
    # Methods shows how the book is made: parameter names, files, commands, and the source register's
    # dates as the ledger stores them
    allowed = ("parameter name", "file path", "build talk", "a date as the ledger stores it")
    return [p for p in text_problems(str(soup), parameter_names(), claim_ids()) if not p.startswith(allowed)]


def test_the_methods_scan_catches_a_source_number_but_not_a_parameter():
    page = ("<html><body><main><article class='bd-article'><p><code>peak_loss_rmb_bn</code> = 35.5 "
            "(allowed 5 to 100): the brokers (seed 000; claims nomura_ebita_loss_peak_fq3_fy26), see "
            "data/scenarios/base.yml.</p><pre>papermill book/retail_war.ipynb retail_fast.ipynb</pre>"
            "</article></main></body></html>")
    found = [p.split(":")[0] for p in methods_problems(page)]
    assert found == ["source by file number 'seed 000'", "claim id 'nomura_ebita_loss_peak_fq3_fy26'"], found


@pytest.mark.build
def test_the_built_methods_page_names_sources_by_publisher_and_date(site):
    html = (site / "book" / "methods.html").read_text(encoding="utf-8")
    assert "Every assumption, with its reason" in html
    problems = methods_problems(html)
    assert not problems, f"{len(problems)} problem(s) on the Methods page:\n  " + "\n  ".join(problems[:30])


# --- the number of sources comes from the register ----------------------------------------------

def test_the_disagreements_page_counts_the_sources_in_the_register(ledger):
    """A living report adds sources: the page's count follows data/sources.csv, not a typed "five"."""
    import pandas as pd

    from alibaba_report.evidence import disagreements
    from alibaba_report.evidence import ledger as lg
    from alibaba_report.evidence import pages

    register = ledger.sources()
    extra = register.iloc[[0]].assign(seed="999_0000000000000000.txt", title="A later source")
    more = lg.Ledger(list(ledger.claims.values()), ledger.seeds_dir, ledger.path,
                     sources=pd.concat([register, extra], ignore_index=True))
    found = disagreements.find_disagreements(ledger)
    opening = {n: next(line for line in pages.disagreements_page(led, found).splitlines() if "fit together" in line)
               for n, led in ((len(register), ledger), (len(register) + 1, more))}
    for n, line in opening.items():
        assert line.startswith(f"The book's {pages.count_words(n)} sources do not always fit together"), line
    assert len(set(opening.values())) == len(opening) > 1  # one more source, another count
