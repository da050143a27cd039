"""Reader pages carry no machinery.

Every page a reader meets (all but Methods and the appendix, which explain how the book is made and so
may name files and parameters) is scanned as a browser shows it: no code cells or "Show code cell"
toggles, no file paths, no source named by its file number ("seed 000": a source is its publisher and
date), no parameter names (every name in data/parameters/*.yml), no claim ids typed outside citation
links (every id in data/claims.csv), no other snake_case label (a case id, a bound such as
"at_least"), no "this run", "make book", "papermill" or "the cell above".

Collapsed content (a closed ``<details>``, e.g. the disagreements page's "How this was found") is not
visible text and is left out of the text scan; code toggles are caught by their own test.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from alibaba_report import params
from alibaba_report.chapters import CHAPTERS

ROOT = Path(__file__).resolve().parents[1]

# Pages that explain the machinery on purpose (site-relative prefixes).
NOT_READER_PAGES = ("book/methods.html", "book/appendix/")

BUILD_TALK = ("this run", "make book", "papermill", "the cell above", "parameters cell", "this page's parameters")
PATH_RE = re.compile(
    r"(?<![\w/])(?:data|seeds|book|tests|alibaba_report|_build)/[\w./-]*"  # a repository folder
    r"|\b[\w-]+\.(?:ya?ml|csv|py|ipynb|txt)\b"  # a file name with a source extension
    r"|\balibaba_report\b"
)
FILE_NUMBER_RE = re.compile(r"\b(?:seed|source|page)s? \d{3}\b", re.IGNORECASE)  # "seed 000", "seeds 001, 004", "page 004"
# A bare file number in brackets, "(002)" or "(001, AI-written)": the numbers the seeds' files start with.
BARE_NUMBER_RE = re.compile(r"\((?:%s)(?=[,)])" % "|".join(sorted({p.name.split("_")[0] for p in (ROOT / "seeds").glob("*.txt")})))
ISO_DATE_RE = re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b")  # "2026-01-12": a reader reads "12 Jan 2026"
SNAKE_RE = re.compile(r"(?<![\w/.#-])[a-z][a-z0-9]*(?:_+[a-z0-9]+)+(?![\w/-])")  # at_least, a case id


def parameter_names() -> set[str]:
    """Every parameter name of every notebook's spec file."""
    names = set()
    for nb in params.notebooks_with_specs():
        names |= set(params.specs(nb))
    assert names, "no parameter specs found"
    return names


def claim_ids() -> set[str]:
    with (ROOT / "data" / "claims.csv").open(encoding="utf-8") as fh:
        ids = {row["id"] for row in csv.DictReader(fh)}
    assert ids, "data/claims.csv holds no claims"
    return ids


def _article(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    for el in soup.select(".onlyprint"):  # the theme's print-only title block
        el.decompose()
    return soup.select_one("article.bd-article") or soup.select_one("main") or soup.body or soup


def code_problems(html: str) -> list[str]:
    """Code cells or code toggles a reader would see."""
    art = _article(html)
    found = []
    if art.select(".cell_input"):
        found.append(f"{len(art.select('.cell_input'))} code cell input(s) in the page")
    text = art.get_text(" ")
    for toggle in ("Show code cell", "Hide code cell"):
        if toggle in text:
            found.append(f"a '{toggle}' toggle")
    return found


def visible_text(html: str) -> str:
    """The article's text as a reader sees it: code cells, collapsed details and citation links left out."""
    art = _article(html)
    for sel in (".cell_input", "details:not([open])", "a.claim-link", "script", "style"):
        for el in art.select(sel):
            el.decompose()
    return re.sub(r"\s+", " ", art.get_text(" ")).strip()


def text_problems(html: str, names: set[str], ids: set[str]) -> list[str]:
    """File paths, parameter names, claim ids and build talk in the page's visible text."""
    text = visible_text(html)
    found = []

    def at(m):
        return text[max(0, m.start() - 40): m.end() + 40]

    for m in PATH_RE.finditer(text):
        found.append(f"file path {m.group(0)!r}: …{at(m)}…")
    for phrase in BUILD_TALK:
        for m in re.finditer(re.escape(phrase), text, flags=re.IGNORECASE):
            found.append(f"build talk {phrase!r}: …{at(m)}…")
    for m in [*FILE_NUMBER_RE.finditer(text), *BARE_NUMBER_RE.finditer(text)]:
        found.append(f"source by file number {m.group(0)!r}: …{at(m)}…")
    for m in ISO_DATE_RE.finditer(text):
        found.append(f"a date as the ledger stores it {m.group(0)!r}: …{at(m)}…")
    known = names | ids
    for m in SNAKE_RE.finditer(text):
        if m.group(0) not in known:  # those are reported by name below
            found.append(f"snake_case label {m.group(0)!r}: …{at(m)}…")
    for name in sorted(names):
        if "_" in name:  # a plain word ("scenario") is English; only code-like names are machinery
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                found.append(f"parameter name {name!r}: …{at(m)}…")
    art = _article(html)
    for code in art.select("code"):
        if code.find_parent("details", attrs={"open": False}) is None and code.get_text().strip() in names:
            found.append(f"parameter name in code font {code.get_text().strip()!r}")
    for cid in sorted(ids):
        for m in re.finditer(rf"(?<![\w-]){re.escape(cid)}(?![\w-])", text):
            found.append(f"claim id {cid!r}: …{at(m)}…")
    return found


def reader_pages(site: Path) -> list[str]:
    import sitecheck

    found = [rel for rel in sitecheck.content_pages(site) if not rel.startswith(NOT_READER_PAGES)]
    return found


# --- the test of the test: a planted page ------------------------------------------------------

PLANTED = """<html><body><main><article class="bd-article">
<p>This page runs with the parameters in the cell above (data/scenarios/base.yml);
run make book SCENARIO=bear, or papermill. In this run <code>scenario</code> is base.</p>
<p>Basis: nomura_ebita_loss_peak_fq3_fy26, peak_loss_rmb_bn = 35.</p>
<p>One sentence of seed 000 says so (see china_commerce__revenue_growth_yoy__fy26q2_cy25q3); bound at_least.</p>
<p>The session: more than 9% (002); period not stated (001, AI-written); as of 2026-01-12.</p>
<p>Cited properly: <a class="claim-link" href="appendix/000.html#c-ubs_commerce_loss_fq3_fy26">ubs_commerce_loss_fq3_fy26</a>.</p>
<details class="admonition hide above-input"><summary>Show code cell source</summary>
<div class="cell_input"><pre>x = 1</pre></div></details>
<details><summary>How this was found</summary><p>cloud_revenue_growth_s003 reads as 37.5 to 38.5</p></details>
</article></main></body></html>"""

CLEAN = """<html><body><main><article class="bd-article">
<p>A loss that shrinks 15% a quarter costs RMB 203 billion over twelve quarters, in the base scenario, as of 12 Jan 2026.
See <a href="methods.html">Methods</a> to re-run.</p>
<p>Nomura <a class="claim-link" href="appendix/000.html#c-x">nomura_ebita_loss_peak_fq3_fy26</a>.</p>
</article></main></body></html>"""


def test_the_scan_catches_a_planted_page():
    names, ids = parameter_names(), claim_ids()
    problems = text_problems(PLANTED, names, ids)
    joined = "\n".join(problems)
    for expected in ("file path 'data/scenarios/base.yml'", "build talk 'this run'", "build talk 'make book'",
                     "build talk 'papermill'", "build talk 'the cell above'",
                     "parameter name 'peak_loss_rmb_bn'", "parameter name in code font 'scenario'",
                     "claim id 'nomura_ebita_loss_peak_fq3_fy26'", "source by file number 'seed 000'",
                     "source by file number '(002'", "source by file number '(001'",
                     "snake_case label 'china_commerce__revenue_growth_yoy__fy26q2_cy25q3'",
                     "snake_case label 'at_least'", "a date as the ledger stores it '2026-01-12'"):
        assert expected in joined, f"{expected} not caught:\n{joined}"
    # the cited claim (inside a citation link) and the folded mechanics are not reader text
    assert "ubs_commerce_loss_fq3_fy26" not in joined
    assert "cloud_revenue_growth_s003" not in joined
    assert code_problems(PLANTED) == ["1 code cell input(s) in the page", "a 'Show code cell' toggle"]


def test_the_scan_passes_a_clean_page():
    assert text_problems(CLEAN, parameter_names(), claim_ids()) == []
    assert code_problems(CLEAN) == []


def test_name_lists_are_not_empty():
    assert len(parameter_names()) > 10
    assert len(claim_ids()) > 10


# --- the built site ----------------------------------------------------------------------------

@pytest.mark.build
def test_reader_pages_carry_no_machinery_text(built_site):
    pages = reader_pages(built_site)
    assert {f"book/{c.notebook}.html" for c in CHAPTERS} <= set(pages), pages  # every chapter, however many
    assert len(pages) >= len(CHAPTERS) + 3, pages  # and the summary, scenarios, the glossary (and disagreements)
    assert "book/glossary.html" in pages and "book/disagreements.html" in pages
    names, ids = parameter_names(), claim_ids()
    report = {}
    for rel in pages:
        problems = text_problems((built_site / rel).read_text(encoding="utf-8"), names, ids)
        if problems:
            report[rel] = problems
    assert not report, "machinery on reader pages:\n" + "\n".join(
        f"{rel}: {len(p)} problem(s)\n  " + "\n  ".join(p[:15]) for rel, p in report.items())


@pytest.mark.build
def test_reader_pages_show_no_code(built_site):
    """Code cells are hidden from readers by tagging them remove-input (the notebooks stay
    downloadable from each page's header)."""
    pages = reader_pages(built_site)
    assert len(pages) >= 7, pages
    report = {rel: p for rel in pages if (p := code_problems((built_site / rel).read_text(encoding="utf-8")))}
    assert not report, "code on reader pages:\n" + "\n".join(f"{rel}: {'; '.join(p)}" for rel, p in report.items())


def test_disagreement_headings_name_the_metric_in_reader_words():
    from alibaba_report.evidence import pages

    assert pages.metric_words("revenue_growth_yoy") == "revenue growth, year on year"
    assert pages.metric_words("pe_ratio") == "P/E ratio"
    assert pages.metric_words("quarterly_loss") == "quarterly loss"


SUMMARY_WORDS_MAX = 900
# What is not prose: tables, the references, chart sources and data links, slider notes, tooltips.
NOT_PROSE = ("table", "section.cite-references", ".chart-source", ".chart-data", ".slider-chart-note",
             ".slider-chart", ".cite-tip", ".cite-sr", "script", "style", "details")


def prose_words(html: str) -> int:
    """Words of a page's paragraphs and list items, outside what is not prose (``NOT_PROSE``)."""
    art = _article(html)
    for sel in NOT_PROSE:
        for el in art.select(sel):
            el.decompose()
    blocks = [el for el in art.find_all(["p", "li"]) if not el.find_parent(["p", "li"])]
    return sum(len(re.findall(r"[A-Za-z0-9$€¥][^\s]*", el.get_text(" "))) for el in blocks)


def test_prose_words_counts_paragraphs_and_lists_but_not_tables_or_references():
    page = ("<html><body><article class='bd-article'><p>One two three.</p><ul><li>four <p>five</p></li></ul>"
            "<table><tr><td>not prose</td></tr></table><p class='chart-source'>Source: x y</p>"
            "<section class='cite-references'><ol><li>a reference</li></ol></section></article></body></html>")
    assert prose_words(page) == 5


@pytest.mark.build
def test_the_summary_reads_in_at_most_900_words(built_site):
    """A reader gets the argument of the summary in a few minutes."""
    words = prose_words((built_site / "book" / "index.html").read_text(encoding="utf-8"))
    assert 300 < words <= SUMMARY_WORDS_MAX, f"the summary has {words} words of prose"
