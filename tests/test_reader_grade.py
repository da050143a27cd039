"""Reader-grade machinery (issue 18): citations a reader can use, tables and charts in one house
style, a lighter theme. Unit tests here; the built site and the browser are checked in
tests/test_site_citations.py, the PDF in tests/test_pdf.py."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from alibaba_report.pipeline import sphinxext
from alibaba_report.charts import style, tables
from alibaba_report.evidence import ledger as lg

HOSTILE = 'He said "><script>alert(1)</script>\nnext | `code` {glue} \\ & done'


# --- cite() --------------------------------------------------------------------------------------

def test_cite_carries_the_sentence_source_and_date(ledger):
    html = ledger.cite("consensus_price_target_s004")
    a = BeautifulSoup(html, "html.parser").a
    claim = ledger.get("consensus_price_target_s004")
    assert a["class"] == ["claim-link"]
    assert a["href"] == "appendix/004_17bc7c86aa70c97c.html#claim-consensus_price_target_s004"
    assert a["data-claim"] == "consensus_price_target_s004"
    assert a["data-quote"] == claim.quote
    assert a["data-source"] == "boerse-global.de, 4 Jan 2026"
    assert "title" not in a.attrs  # a title attribute is neither keyboard- nor touch-accessible
    assert "consensus_price_target_s004" not in a.get_text()  # no claim id in visible text


def test_attribute_escaping_keeps_a_hostile_text_inert():
    escaped = lg.attr_escape(HOSTILE)
    assert not re.search(r'[<>"\n\r|`{}\\]', escaped), escaped
    tag = BeautifulSoup(f'<a data-quote="{escaped}">x</a>', "html.parser")
    assert tag.a["data-quote"] == HOSTILE  # read back exactly
    assert tag.find("script") is None


def test_cite_escapes_a_hostile_quote(ledger, monkeypatch):
    real = ledger.citation

    def hostile(claim_id):
        return {**real(claim_id), "quote": HOSTILE, "source": 'x"><img src=x onerror=alert(1)>'}

    monkeypatch.setattr(ledger, "citation", hostile)
    html = ledger.cite("consensus_price_target_s004")
    assert "\n" not in html and "<script" not in html and "<img" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.find_all(True)) == 1 and soup.a["data-quote"] == HOSTILE


# --- numbering, tooltips, the references list ------------------------------------------------------

def _page(*links: str) -> str:
    body = " ".join(f"<p>Figure {i} {link}.</p>" for i, link in enumerate(links))
    return f'<section id="page"><h1>Title</h1>{body}</section>\n'


def test_citations_are_numbered_in_order_of_first_appearance(ledger):
    a, b = ledger.cite("consensus_price_target_s004"), ledger.cite("gs_group_ebitda_yoy_fq3_fy26")
    out = sphinxext.number_citations(_page(a, b, a))
    soup = BeautifulSoup(out, "html.parser")
    refs = soup.select("a.cite-ref")
    assert [r.get_text() for r in refs] == ["reference [1]", "reference [2]", "reference [1]"]
    # each link is described by its own tooltip, which names the sentence and the source
    for ref in refs:
        tip = soup.find(id=ref["aria-describedby"])
        assert tip is not None and tip.get("role") == "tooltip"
        assert tip.parent is ref.parent and "cite" in ref.parent["class"]
    assert ledger.get("consensus_price_target_s004").quote in soup.find(id=refs[0]["aria-describedby"]).get_text()
    assert "boerse-global.de, 4 Jan 2026" in soup.find(id=refs[0]["aria-describedby"]).get_text()
    assert len({r["aria-describedby"] for r in refs}) == 3  # ids unique on the page
    # one list at the end of the page, inside its section, one item per claim, in number order
    section = soup.select_one("section.cite-references")
    assert section is not None and section.parent["id"] == "page"
    assert section.h2.get_text() == "References"
    items = section.select("ol > li")
    assert [li["id"] for li in items] == ["ref-1", "ref-2"]
    assert ledger.get("gs_group_ebitda_yoy_fq3_fy26").quote in items[1].get_text()
    assert items[1].a["href"] == ledger.anchor("gs_group_ebitda_yoy_fq3_fy26")
    # no claim id left in what a reader sees
    visible = soup.get_text()
    assert "consensus_price_target_s004" not in visible and "[source]" not in visible


def test_parentheses_around_references_go_and_one_sentence_has_one_number(ledger):
    a, b = ledger.cite("consensus_price_target_s004"), ledger.cite("gs_group_ebitda_yoy_fq3_fy26")
    out = sphinxext.number_citations(f"<section><p>Target ({a}, {b}); EBITDA ({b}).</p></section>")
    soup = BeautifulSoup(out, "html.parser")
    for tip in soup.select("span.cite-tip"):
        tip.decompose()
    text = soup.p.get_text()
    assert "(" not in text and ")" not in text, text
    # claims quoted from the same sentence share one reference
    same = [c for c in ledger.claims.values() if c.quote == ledger.get("consensus_price_target_s004").quote]
    if len(same) > 1:
        links = " ".join(ledger.cite(c.id) for c in same)
        soup = BeautifulSoup(sphinxext.number_citations(f"<section><p>{links}</p></section>"), "html.parser")
        assert {r.get_text() for r in soup.select("a.cite-ref")} == {"reference [1]"}
        assert len(soup.select("section.cite-references li")) == 1


def _shown(out: str) -> str:
    soup = BeautifulSoup(out, "html.parser")
    for hidden in soup.select("span.cite-tip, span.cite-sr, section.cite-references"):
        hidden.decompose()
    return soup.get_text()


def test_a_number_is_never_repeated_side_by_side_and_marks_sit_on_their_word(ledger):
    """Two figures of one sentence cited together read "[1]", not "[1], [1]"; different numbers side by
    side keep a comma; whatever space the text had, every mark sits on the word before it."""
    a, b = ledger.cite("consensus_price_target_s004"), ledger.cite("gs_group_ebitda_yoy_fq3_fy26")
    out = sphinxext.number_citations(f"<section><p>Target {a}, {a} and EBITDA{b} {a}; again {a}</p></section>")
    assert _shown(out).strip() == "Target[1] and EBITDA[2], [1]; again[1]"


def test_a_link_without_data_is_completed_from_the_ledger(ledger):
    """Links written before cite() carried its data (hand-typed in a notebook) get the same tooltip."""
    old = f'<a class="claim-link" href="{ledger.anchor("pe_forward_s004")}">pe_forward_s004</a>'
    soup = BeautifulSoup(sphinxext.number_citations(_page(old)), "html.parser")
    assert soup.select_one("a.cite-ref").get_text() == "reference [1]"
    assert ledger.get("pe_forward_s004").quote in soup.select_one("span.cite-tip").get_text()


def test_a_hostile_quote_stays_inert_through_the_numbering(ledger, monkeypatch):
    real = ledger.citation
    monkeypatch.setattr(ledger, "citation", lambda cid: {**real(cid), "quote": HOSTILE, "title": "<b>T</b>"})
    soup = BeautifulSoup(sphinxext.number_citations(_page(ledger.cite("pe_forward_s004"))), "html.parser")
    assert soup.find("script") is None and soup.find("b") is None
    assert HOSTILE in soup.select_one("span.cite-tip").get_text()
    assert HOSTILE in soup.select_one("section.cite-references li").get_text()


def test_a_page_without_citations_is_left_alone():
    page = _page('<a href="other.html">a link</a>')
    assert sphinxext.number_citations(page) == page


def test_an_unknown_claim_is_reported():
    warnings = []
    sphinxext.number_citations(_page('<a class="claim-link" href="appendix/x.html#claim-no_such_claim">x</a>'),
                               warn=warnings.append)
    assert warnings and "no_such_claim" in warnings[0]


# --- reader tables -------------------------------------------------------------------------------

def _frame():
    df = pd.DataFrame({"value": [158.764, -4.931, float("nan")], "weight": [45.67, 3.0, 1234.5],
                       "note": ["a <b>", "plain", None]},
                      index=pd.Index(["bear", "base", "bull"], name="scenario"))
    return df


def test_reader_table_has_one_header_row_units_and_a_labelled_scroll_box():
    html = tables.table_html(_frame(), "Value by scenario", units={"value": "USD per ADS"})
    soup = BeautifulSoup(html, "html.parser")
    box = soup.div
    assert box["class"] == ["table-scroll"] and box["role"] == "region"
    assert box["aria-label"] == "Value by scenario" and box["tabindex"] == "0"
    assert len(soup.select("thead tr")) == 1, "pandas' empty index-name row is back"
    assert [th.get_text() for th in soup.select("thead th")] == ["scenario", "value (USD per ADS)", "weight", "note"]
    assert [th.get_text() for th in soup.select("tbody th[scope=row]")] == ["bear", "base", "bull"]
    cells = [[td.get_text() for td in tr.select("td")] for tr in soup.select("tbody tr")]
    assert cells == [["159", "45.7", "a <b>"], ["\u22124.93", "3", "plain"], ["\u2013", "1,230", "\u2013"]]
    assert soup.find("b") is None  # text from data is escaped


def test_reader_table_options():
    df = _frame().reset_index()
    soup = BeautifulSoup(tables.table_html(df, "t", decimals={"weight": 1}, caption="Caption"), "html.parser")
    assert soup.caption.get_text() == "Caption"
    assert not soup.select("tbody th"), "a default 0, 1, 2 index is not shown"
    assert [td.get_text() for td in soup.select("tbody tr")[2].select("td")][2] == "1,234.5"
    cited = pd.DataFrame({"figure": [1.0], "source": ['<a class="claim-link" href="x">[source]</a>']})
    soup = BeautifulSoup(tables.table_html(cited, "t", html=["source"]), "html.parser")
    assert soup.select_one("td a.claim-link") is not None
    with pytest.raises(ValueError, match="label"):
        tables.table_html(df, " ")
    with pytest.raises(KeyError, match="'unit_of_nothing'"):
        tables.table_html(df, "t", units={"unit_of_nothing": "x"})


def test_reader_table_is_deterministic():
    a = tables.reader_table(_frame(), "Value by scenario")
    b = tables.reader_table(_frame(), "Value by scenario")
    assert a._repr_html_() == b._repr_html_() and repr(a) == "[table] Value by scenario"
    assert not re.search(r'id="T_|uuid', a._repr_html_())


@pytest.mark.parametrize("x, text", [(158.76, "159"), (-4.93, "\u22124.93"), (45.67, "45.7"), (99.96, "100"),
                                     (0, "0"), (-0.0001, "\u22120.0001"), (3.0, "3"), (1.5, "1.5"), (12, "12"), (2_000_000, "2,000,000")])
def test_numbers_are_rounded_to_three_significant_figures(x, text):
    assert tables.format_number(x) == text


# --- the scenario palette ----------------------------------------------------------------------------

def test_one_scenario_palette_everywhere():
    from alibaba_report.synthesis import scenarios, summary

    assert summary.SCENARIO_COLOURS is style.SCENARIO_COLOURS
    assert set(style.SCENARIO_COLOURS) == {"bear", "base", "bull"}
    assert all(c in style.PALETTE for c in style.SCENARIO_COLOURS.values())
    assert len(set(style.SCENARIO_COLOURS.values())) == 3
    # the scenario charts draw with it: their source names the dict, not palette positions
    import inspect

    from alibaba_report.chapters import retail_war

    for fn in (scenarios.plot_comparison, retail_war.chart_paths):
        src = inspect.getsource(fn)
        assert "SCENARIO_COLOURS" in src and "PALETTE[" not in src, fn.__qualname__


def test_scenario_palette_reads_for_colour_blind_readers_and_in_grey():
    from test_site_a11y import cvd_collisions, grey_collisions

    colours = list(style.SCENARIO_COLOURS.values())
    assert not cvd_collisions(colours) and not grey_collisions(colours)


def test_the_comparison_chart_uses_the_scenario_colours_and_reads_on_a_phone(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import to_hex

    from alibaba_report.synthesis import scenarios

    fig = style.figure()[0]
    fig.clf()
    scenarios.plot_comparison(fig, current="base")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == len(scenarios.KEY_OUTPUTS)
    colours = {to_hex(p.get_facecolor()).upper() for ax in axes for p in ax.patches if p.get_fill()
               and p.get_facecolor()[3] > 0}
    assert colours <= {c.upper() for c in style.SCENARIO_COLOURS.values()} | {"#FFFFFF"}, colours
    # the smallest text, in CSS px, once the image is shown 360 px wide on a 390 px phone
    width_px = fig.get_size_inches()[0] * fig.dpi
    smallest = min(t.get_fontsize() for ax in axes for t in
                   [ax.title, *ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts] if t.get_text())
    on_phone = smallest * fig.dpi / 72 * 360 / width_px
    assert on_phone >= 9, f"smallest label is {on_phone:.1f} px on a phone"
    assert len({round(ax.get_position().x0, 2) for ax in axes}) == 2, "expected two columns"


def test_show_moves_the_source_line_under_the_image(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    out = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False, metadata=None: out.append(obj))
    fig, ax = style.figure()
    ax.plot([1, 2], [3, 4])
    style.finish(fig, "A line that rises", "Source: a test <b>with</b> markup")
    assert style.source_of(fig) == "Source: a test <b>with</b> markup"
    style.show(fig, alt="A line rising from 3 to 4 over two points")
    assert out[0]["text/plain"].startswith("[chart]")
    assert out[1]["text/plain"].startswith("[chart, phone layout]")
    assert out[2].data == '<p class="chart-source">Source: a test &lt;b&gt;with&lt;/b&gt; markup</p>'


# --- lighter pages -----------------------------------------------------------------------------------

def test_lighten_theme_on_a_small_site(tmp_path):
    """The fontawesome script goes from the page and the site; unused icon rules go from the CSS."""
    (tmp_path / "_static" / "scripts").mkdir(parents=True)
    (tmp_path / "_static" / "styles").mkdir(parents=True)
    (tmp_path / "_static" / "scripts" / "fontawesome.js").write_text("x" * 1000)
    (tmp_path / "_static" / "scripts" / "theme.js").write_text('el.className = "fa-solid fa-xmark"')
    page = ('<html><head>\n  <script defer src="../_static/scripts/fontawesome.js?digest=1"></script>\n'
            '</head><body><i class="fa-solid fa-bars"></i></body></html>')
    (tmp_path / "index.html").write_text(page)
    css = ('.fa-solid{font-family:x}.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}'
           '.fa-xmark:before{content:"\\f00d"}.fa-apple:before{content:"\\f179"}.other{color:red}')
    (tmp_path / "_static" / "styles" / "pydata-sphinx-theme.css").write_text(css)
    done = sphinxext.lighten_theme(tmp_path)
    assert done["pages"] == 1 and done["icons"] == 2
    assert "fontawesome" not in (tmp_path / "index.html").read_text()
    assert not (tmp_path / "_static" / "scripts" / "fontawesome.js").exists()
    new = (tmp_path / "_static" / "styles" / "pydata-sphinx-theme.css").read_text()
    assert ".fa-bars:before" in new and ".fa-xmark:before" in new and ".other{color:red}" in new
    assert ".fa-apple" not in new


def test_front_matter_names_the_sources_date_not_the_build():
    from alibaba_report import paths
    from alibaba_report.pipeline import pdf

    front = pdf.front_matter(paths.root())
    latest = max(d for d in lg.load_sources()["date"] if d != "undated")
    import datetime as dt

    day = dt.date.fromisoformat(latest)
    assert front["title"] == "Alibaba at the crossroads"
    assert f"{day.day} {day:%B %Y}" in front["date"]
    assert str(dt.date.today().year + 1) not in front["date"]


def test_sidebar_toggles_get_a_name_a_screen_reader_can_announce(tmp_path):
    """The theme's section toggle is an icon in a <summary> (axe-core: summary-name); the build names it."""
    page = tmp_path / "p.html"
    page.write_text('<details><summary><span class="toctree-toggle" role="presentation"><i class="fa-solid '
                    'fa-chevron-down"></i></span></summary><ul></ul></details>', encoding="utf-8")
    assert sphinxext.name_sidebar_toggles(tmp_path) == 1
    summary = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").summary
    assert summary["aria-label"] == sphinxext.TOGGLE_LABEL
    assert sphinxext.name_sidebar_toggles(tmp_path) == 0  # named once
