"""The appendix: each seed shown exactly as written, every claim highlighted and anchored, pages
that a strict Sphinx build accepts, and nothing from data rendered as markup."""
from __future__ import annotations

import csv
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from alibaba_report.evidence import appendix
from conftest import write_rows

from alibaba_report.evidence import ledger as lg
from alibaba_report import paths




class SeedTextReader(HTMLParser):
    """Reads a seed-text block back: the text, the highlighted offsets, the anchor offsets."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.marked: set[int] = set()
        self.anchors: dict[str, int] = {}
        self.in_mark = self.in_line = False

    @property
    def pos(self) -> int:
        return sum(len(line) + 1 for line in self.lines[:-1]) + len(self.lines[-1])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p":
            self.lines.append("")
            self.in_line = True
        elif tag == "mark":
            self.in_mark = True
        elif tag == "span" and attrs.get("id", "").startswith("claim-"):
            self.anchors[attrs["id"].removeprefix("claim-")] = self.pos

    def handle_endtag(self, tag):
        if tag == "mark":
            self.in_mark = False
        elif tag == "p":
            self.in_line = False

    def handle_data(self, data):
        if self.in_line:  # the newlines between <p> elements are not seed text
            if self.in_mark:
                self.marked.update(range(self.pos, self.pos + len(data)))
            self.lines[-1] += data


def read_seed_block(page: str) -> SeedTextReader:
    block = re.search(r'<div class="seed-text">\n.*?\n</div>', page, re.S).group()
    reader = SeedTextReader()
    reader.feed(block)
    return reader


@pytest.fixture(scope="module")
def pages(tmp_path_factory, ledger):
    out = tmp_path_factory.mktemp("book") / "appendix"
    written = appendix.write_appendix(out, ledger=ledger)
    return {p.name: p.read_text(encoding="utf-8") for p in written}


def test_one_page_per_seed_plus_register_and_index(pages):
    seeds = {p.stem + ".md" for p in paths.seeds_dir().glob("*.txt")}
    assert set(pages) == seeds | {"index.md", "sources.md"}


def test_every_page_has_exactly_one_title(pages):
    for name, page in pages.items():
        assert len(re.findall(r"^# ", page, re.M)) == 1, name
        assert page.startswith("# "), name


def test_raw_html_blocks_have_no_blank_line_inside(pages):
    for name, page in pages.items():
        for match in re.finditer(r"^<(div|table)\b.*?^</(div|table)>", page, re.M | re.S):
            assert "\n\n" not in match.group(), f"{name}: blank line inside a raw HTML block"


def test_seed_text_is_reproduced_exactly(ledger, pages):
    for seed in ledger.seed_files():
        reader = read_seed_block(pages[Path(seed).stem + ".md"])
        text = ledger.seed_text(seed)
        assert "\n".join(reader.lines) == text.removesuffix("\n"), seed


def test_highlights_are_the_union_of_quotes_and_every_claim_is_anchored(ledger, pages):
    for seed in ledger.seed_files():
        reader = read_seed_block(pages[Path(seed).stem + ".md"])
        ids = [i for i, c in ledger.claims.items() if c.seed == seed]
        quoted = set()
        for claim_id in ids:
            start, end = ledger.quote_span(claim_id)
            quoted.update(range(start, end))
            assert reader.anchors.get(claim_id) == start, f"{claim_id}: anchor not at its quote"
        assert reader.marked == quoted, seed
        assert set(reader.anchors) == set(ids)


def test_claims_table_links_every_claim_to_its_anchor(ledger, pages):
    for claim_id, claim in ledger.claims.items():
        page = pages[Path(claim.seed).stem + ".md"]
        assert page.count(f'id="claim-{claim_id}"') == 1
        assert f'<a href="#claim-{claim_id}">{claim_id}</a>' in page


def test_register_and_index_link_every_seed_page(pages):
    for name in pages:
        if name not in ("index.md", "sources.md"):
            assert f"]({name})" in pages["index.md"] and f"]({name})" in pages["sources.md"]


def test_pages_pass_a_strict_sphinx_build(tmp_path, pages):
    from sphinx.cmd.build import build_main

    src = tmp_path / "src"
    (src / "appendix").mkdir(parents=True)
    for name, page in pages.items():
        (src / "appendix" / name).write_text(page, encoding="utf-8")
    # The extensions Jupyter Book 1 enables by default, so escaping is tested against them.
    (src / "conf.py").write_text(
        'extensions = ["myst_parser"]\nmyst_heading_anchors = 3\nmyst_enable_extensions = '
        '["colon_fence", "dollarmath", "linkify", "substitution", "tasklist"]\n')
    (src / "index.md").write_text("# Test\n\n```{toctree}\n:glob:\nappendix/*\n```\n")
    status = build_main(["-W", "-n", "--keep-going", "-q", "-b", "html", str(src),
                         str(tmp_path / "out")])
    assert status == 0, "the appendix pages raise warnings under a strict build"
    html = (tmp_path / "out" / "appendix" / "004_17bc7c86aa70c97c.html").read_text()
    assert 'id="claim-consensus_price_target_s004"' in html and "<mark" in html


# --- synthetic seeds: escaping, overlapping quotes, a sixth seed -------------------------------

def tiny_project(tmp_path: Path, text: str, claims: list[dict], title: str = "A <b>test</b>"):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001_test.txt").write_text(text, encoding="utf-8")
    base = dict(theme="context", subject="Alibaba group", metric="revenue_growth_yoy", unit="%",
                bound="exact", kind="reported", modality="reported", period="FY26Q2 (CY25Q3)", as_of="2026-01-04",
                said_by="article author", seed="001_test.txt", note="")
    ledger = lg.load_claims(write_rows(tmp_path / "claims.csv", lg.COLUMNS,
                                       [dict(base, **c) for c in claims]), seeds)
    sources = lg.load_sources(write_rows(tmp_path / "sources.csv", lg.SOURCE_COLUMNS, [dict(
        seed="001_test.txt", title=title, publisher="<i>pub</i>", date="2026-01-04",
        kind="news article", also="", language_notes="", reliability="x & y", url_or_origin="")]))
    return ledger, sources


def test_markup_in_a_seed_is_shown_as_text(tmp_path):
    text = "<script>alert('x')</script> Revenue grew 5% & more.\n"
    ledger, sources = tiny_project(tmp_path, text, [dict(
        id="g", value="5", value_text="5%", quote="Revenue grew 5% & more.")])
    written = appendix.write_appendix(tmp_path / "out", ledger=ledger, sources=sources)
    page = next(p for p in written if p.name == "001_test.md").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<b>test</b>" not in page and "<i>pub</i>" not in page and "x &amp; y" in page
    assert "# A \\<b\\>test\\<\\/b\\>" in page  # the title is Markdown-escaped
    assert "\n".join(read_seed_block(page).lines) == text.removesuffix("\n")


def test_overlapping_and_identical_quotes_get_one_highlight_and_all_anchors(tmp_path):
    text = "Sales rose 5% to 10 billion yuan, then costs fell 3% in the quarter."
    ledger, sources = tiny_project(tmp_path, text, [
        dict(id="rise", value="5", value_text="5%", quote="Sales rose 5% to 10 billion yuan"),
        dict(id="level", value="10", value_text="10 billion", unit="RMB bn",
             quote="Sales rose 5% to 10 billion yuan"),
        dict(id="costs", value="-3", value_text="3%", note="a fall",
             quote="10 billion yuan, then costs fell 3%"),
    ])
    written = appendix.write_appendix(tmp_path / "out", ledger=ledger, sources=sources)
    page = next(p for p in written if p.name == "001_test.md").read_text()
    reader = read_seed_block(page)
    assert reader.anchors == {"rise": 0, "level": 0, "costs": text.index("10 billion")}
    assert reader.marked == set(range(0, text.index("3%") + 2))
    assert page.count("<mark") == 1


def test_a_sixth_seed_needs_no_code_change(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(paths.seeds_dir(), seeds)
    new_seed = "005_0123456789abcdef.txt"
    (seeds / new_seed).write_text("Alibaba Cloud revenue grew 34% in the quarter.\n")
    rows = list(csv.DictReader((paths.data_dir() / "claims.csv").open(encoding="utf-8")))
    rows.append(dict(rows[0], id="cloud_growth_s005", value="34", value_text="34%", unit="%",
                     bound="exact", seed=new_seed, note="",
                     quote="Alibaba Cloud revenue grew 34% in the quarter."))
    ledger = lg.load_claims(write_rows(tmp_path / "claims.csv", lg.COLUMNS, rows), seeds)
    sources = lg.load_sources()
    sources.loc[len(sources)] = dict(sources.iloc[0], seed=new_seed, title="A sixth source")
    written = appendix.write_appendix(tmp_path / "out", ledger=ledger, sources=sources)
    assert tmp_path / "out" / "005_0123456789abcdef.md" in written
    assert ledger.anchor("cloud_growth_s005") == \
        "appendix/005_0123456789abcdef.html#claim-cloud_growth_s005"


def test_a_seed_without_a_register_row_is_an_error(tmp_path, ledger):
    sources = lg.load_sources().iloc[1:]
    with pytest.raises(lg.LedgerError, match="000_e600a636a5ca45e2.txt"):
        appendix.write_appendix(tmp_path, ledger=ledger, sources=sources)
