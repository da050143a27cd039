"""Reader-grade machinery (issue 18): citations a reader can use, tables and charts in one house
style, a lighter theme. Unit tests here; the built site and the browser are checked in
tests/test_site_citations.py, the PDF in tests/test_pdf.py."""
from __future__ import annotations

import copy
import io
import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from alibaba_report.charts import style, tables
from alibaba_report.evidence import ledger as lg
from alibaba_report.pipeline import sphinxext

HOSTILE = 'He said "><script>alert(1)</script>\nnext | `code` {glue} \\ & done'


# --- the {claim} role, on a tiny Sphinx project -----------------------------------------------------

A, B = "consensus_price_target_s004", "gs_group_ebitda_yoy_fq3_fy26"


def _build(tmp_path, pages: dict[str, str], builder: str = "html") -> tuple[dict[str, BeautifulSoup], str]:
    """Build ``pages`` (name -> MyST text) with the book's citation extension; the pages' soup and
    the warnings."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    src = tmp_path / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text('extensions = ["myst_parser", "alibaba_report.pipeline.citations"]\n'
                                 'exclude_patterns = ["_build"]\n', encoding="utf-8")
    names = list(pages)
    toc = "\n```{toctree}\n" + "\n".join(names[1:]) + "\n```\n" if len(names) > 1 else ""
    for i, (name, text) in enumerate(pages.items()):
        (src / f"{name}.md").write_text(text + (toc if i == 0 else ""), encoding="utf-8")
    warnings = io.StringIO()
    out = tmp_path / "out" / builder
    with docutils_namespace():  # roles and nodes registered by one build do not leak into the next
        app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees" / builder), builder,
                     status=None, warning=warnings, freshenv=True, confoverrides={"root_doc": names[0]})
        app.build()
        _build.dependencies = {k: set(v) for k, v in app.env.dependencies.items()}
    files = {"index": out / "index.html"} if builder == "singlehtml" else {n: out / f"{n}.html" for n in names}
    return ({n: BeautifulSoup(f.read_text(encoding="utf-8"), "html.parser") for n, f in files.items()},
            warnings.getvalue())


def _shown(soup) -> str:
    body = copy.copy(soup.select_one("div.body") or soup)
    for hidden in body.select("span.cite-tip, span.cite-sr, section.cite-references, a.headerlink"):
        hidden.decompose()
    return " ".join(body.get_text().split())


def test_the_role_numbers_citations_in_order_with_tooltips_and_a_list(tmp_path, ledger):
    soups, warnings = _build(tmp_path, {"page": f"# Title\n\nTarget {{claim}}`{A}`. EBITDA {{claim}}`{B}`. "
                                                f"Again {{claim}}`{A}`.\n\nLater text.\n"})
    assert not warnings, warnings
    soup = soups["page"]
    refs = soup.select("a.cite-ref")
    assert [r.get_text() for r in refs] == ["reference [1]", "reference [2]", "reference [1]"]
    for ref in refs:  # each mark is described by its own tooltip: the sentence and its source
        tip = soup.find(id=ref["aria-describedby"])
        assert tip is not None and tip.get("role") == "tooltip" and tip.parent is ref.parent
    first = soup.find(id=refs[0]["aria-describedby"]).get_text()
    assert ledger.get(A).quote in first and "boerse-global.de, 4 Jan 2026" in first
    assert len({r["aria-describedby"] for r in refs}) == 3
    assert refs[0]["href"] == ledger.anchor(A)  # the sentence in the appendix
    # one list at the end of the page, inside its section, after its last paragraph, in number order
    section = soup.select_one("section.cite-references")
    assert section.h2.get_text() == "References" and section.find_next("p") is None
    assert section.find_previous("p").get_text() == "Later text."
    items = section.select("ol > li")
    assert [li["id"] for li in items] == ["ref-1", "ref-2"]
    assert ledger.get(B).quote in items[1].get_text() and items[1].a["href"] == ledger.anchor(B)
    assert A not in _shown(soup) and A not in section.get_text()  # no claim id for a reader


def test_marks_side_by_side_name_a_number_once_and_sit_on_their_word(tmp_path, ledger):
    """"[1], [1]" reads "[1]"; different numbers keep a comma; parentheses around marks alone go; no
    space before a mark; several ids in one role read like several roles."""
    text = (f"# T\n\nTarget {{claim}}`{A}`, {{claim}}`{A}` and EBITDA{{claim}}`{B}` {{claim}}`{A}`; "
            f"again ({{claim}}`{A},{B}`) and ({{claim}}`{A}`).\nNext\nline (\n{{claim}}`{A}`,\n{{claim}}`{B}`) end "
            f"(as said,\n{{claim}}`{B}`).\n")
    soups, warnings = _build(tmp_path, {"page": text})
    assert not warnings, warnings
    # (line breaks elsewhere in the paragraph are kept: "Next line", not "Nextline")
    assert _shown(soups["page"]).endswith("Target[1] and EBITDA[2], [1]; again[1], [2] and[1]. Next line[1], [2] end (as said, [2]).")
    # two figures of one sentence share their number
    by_quote: dict[str, list[str]] = {}
    for c in ledger.claims.values():
        if ledger.newest(c.id) == c.id:
            by_quote.setdefault(c.quote, []).append(c.id)
    same = next(ids for ids in by_quote.values() if len(ids) > 1)
    soups, _ = _build(tmp_path / "same", {"page": f"# T\n\nx {{claim}}`{same[0]}` and y {{claim}}`{same[1]}`.\n"})
    assert [r.get_text() for r in soups["page"].select("a.cite-ref")] == ["reference [1]"] * 2
    assert len(soups["page"].select("section.cite-references li")) == 1


def test_a_hostile_quote_stays_inert(tmp_path, ledger, monkeypatch):
    from alibaba_report.pipeline import citations

    real = ledger.citation
    monkeypatch.setattr(citations, "_ledger", lambda: ledger)  # this ledger, whatever else loaded one
    monkeypatch.setattr(ledger, "citation", lambda cid: {**real(cid), "quote": HOSTILE, "title": "<b>T</b>",
                                                         "source": 'x"><img src=x onerror=alert(1)>'})
    soups, _ = _build(tmp_path, {"page": f"# T\n\nx {{claim}}`{A}`.\n"})
    soup = soups["page"]
    assert soup.find("script", string=re.compile("alert")) is None
    assert soup.select_one("div.body").find(["b", "img"]) is None
    assert HOSTILE in soup.select_one("span.cite-tip").get_text()
    assert HOSTILE in soup.select_one("section.cite-references li").get_text()


def test_an_unknown_claim_fails_naming_the_page_the_id_and_the_closest(tmp_path):
    soups, warnings = _build(tmp_path, {"page": "# T\n\nx {claim}`consensus_price_target_s04`.\n"})
    assert "page page" in warnings and "'consensus_price_target_s04'" in warnings
    assert "closest ids: consensus_price_target_s004" in warnings
    assert soups["page"].select("a.cite-ref") == []


def test_a_markdown_table_carries_the_role(tmp_path):
    """The way a table cites (the signposts page, the edition page): a Markdown table, shown as MyST."""
    table = f"# T\n\n| figure | source |\n| --- | --- |\n| 205 {{claim}}`{A}` | x |\n| 80% {{claim}}`{B}` | y |\n"
    soups, warnings = _build(tmp_path, {"page": table})
    assert not warnings, warnings
    cells = soups["page"].select("td")
    assert [c.select_one("a.cite-ref").get_text() for c in (cells[0], cells[2])] == ["reference [1]", "reference [2]"]
    assert "205[1]" in _shown(soups["page"])


def test_a_page_that_cites_is_read_again_when_the_ledger_changes(tmp_path):
    from alibaba_report import paths

    _build(tmp_path, {"page": f"# T\n\nx {{claim}}`{A}`.\n", "other": "# O\n\nNo sources.\n"})
    deps = _build.dependencies
    assert {str(paths.data_dir() / "claims.csv"), str(paths.data_dir() / "sources.csv")} <= deps["page"]
    assert not deps.get("other")


def test_a_page_without_citations_has_no_reference_list(tmp_path):
    soups, warnings = _build(tmp_path, {"page": "# T\n\nNo sources here.\n"})
    assert not warnings and soups["page"].select("section.cite-references") == []


def test_the_one_page_build_numbers_each_page_on_its_own(tmp_path, ledger):
    pages = {"index": f"# Book\n\nSummary {{claim}}`{B}`.\n",
             "one": f"# One\n\nFirst {{claim}}`{A}`, then {{claim}}`{B}`.\n",
             "two": f"# Two\n\nOnly {{claim}}`{B}`.\n"}
    soups, warnings = _build(tmp_path, pages, builder="singlehtml")
    assert not warnings, warnings
    soup = soups["index"]
    lists = soup.select("section.cite-references")
    assert [len(s.select("li")) for s in lists] == [1, 2, 1]  # the summary's list before page one
    assert len({s["id"] for s in lists}) == 3
    assert [r.get_text() for r in soup.select("a.cite-ref")] == [f"reference [{n}]" for n in (1, 1, 2, 1)]
    tips = [r["aria-describedby"] for r in soup.select("a.cite-ref")]
    assert len(set(tips)) == 4 and all(soup.find(id=t) for t in tips)
    assert all(r["href"].startswith("#claim-") for r in soup.select("a.cite-ref"))


def test_package_text_writes_the_role():
    from alibaba_report.evidence import cite

    assert cite.claim(A) == f"{{claim}}`{A}`" and cite.claim(A, B) == f"{{claim}}`{A},{B}`"
    for bad in ("a`b", "x} y", "", "Upper"):
        with pytest.raises(ValueError, match="not a claim id"):
            cite.claim(bad)


def _notebook_markdown() -> dict[str, str]:
    import nbformat

    from alibaba_report import paths

    return {nb.name: "\n".join(c.source for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "markdown")
            for nb in sorted((paths.root() / "book").glob("*.ipynb"))}


def test_notebooks_cite_only_with_the_role(ledger):
    """No hand-typed anchor to the appendix and no glued citation markup: every citation in a
    notebook's prose is the {claim} role, naming claims the ledger has."""
    pages = _notebook_markdown()
    assert len(pages) >= 9
    hand = {name: re.findall(r"claim-link|<a\s[^>]*href=\"?appendix/", text) for name, text in pages.items()}
    assert not any(hand.values()), {k: len(v) for k, v in hand.items() if v}
    cited = {name: [i for ids in re.findall(r"\{claim\}`([^`]*)`", text) for i in ids.split(",")]
             for name, text in pages.items()}
    assert sum(map(len, cited.values())) > 50  # the chapters do cite
    unknown = {name: [i for i in ids if i not in ledger.claims] for name, ids in cited.items()}
    assert not any(unknown.values()), unknown


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
