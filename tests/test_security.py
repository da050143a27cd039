"""Security of the build and of the published site.

* Text from data is never markup: a seed, a ledger quote or a register entry carrying ``<script>``,
  an event handler, a ``javascript:`` link or a MyST directive renders as text, checked end to end
  through Jupyter Book with the book's own ``_config.yml`` (tests/test_appendix.py checks the
  Markdown the appendix writes; this checks what a reader's browser gets).
* No page of the built site carries script, event handlers or frames inside its article: the
  book's content is text, tables and PNG charts; scripts belong to the theme only.
* Nothing in the build reads outside the repository: the package and notebooks name no path outside
  it, and a whole build of a copy of the repository, run with an empty HOME, a private TMPDIR and
  an audit hook (PEP 578) in every Python process it starts (driver, papermill kernels,
  jupyter-book), opens no file and lists no folder outside the copy, the Python installation and
  the system's own folders; it also connects to nothing but the loopback interface (when
  ``unshare`` is available the build runs with no network at all).
"""
from __future__ import annotations

import ast
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from alibaba_report.evidence import ledger as lg
from alibaba_report import paths
import sitecheck

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = "<script>alert(1)</script>"


# --- escaping, end to end ----------------------------------------------------------------------

SEED_NAME = "999_0badc0de0badc0de.txt"


def _hostile_project(tmp: Path) -> tuple[lg.Ledger, "object", str]:
    """A seed, a claim and a register row full of markup, in the ledger's own formats."""
    rows = list(csv.DictReader((paths.data_dir() / "claims.csv").open(encoding="utf-8", newline="")))
    real = rows[0]
    quote = f"{PAYLOAD} {real['quote']}"
    seed_text = "\n".join([
        f"A headline {PAYLOAD} & <b>bold</b> <img src=x onerror=alert(2)>",
        "```{raw} html",
        "<script>alert(3)</script>",
        "```",
        "[click me](javascript:alert(4)) {raw}`html <script>alert(5)</script>`",
        '<a href="javascript:alert(6)" onclick="alert(7)">link</a>',
        quote,
        "",
    ])
    seeds = tmp / "seeds"
    seeds.mkdir()
    (seeds / SEED_NAME).write_text(seed_text, encoding="utf-8")
    # a blank line inside a field once ended the raw HTML block: the rest was read as MyST directives
    breakout = "\n\n```{include} /etc/passwd\n```\n\n```{raw} html\n<script>alert(12)</script>\n```\n"
    claim = dict(real, seed=SEED_NAME, quote=quote, period=f"{real['period']} <i onmouseover=alert(8)>{breakout}",
                 subject=f"{real['subject']} <img src=x onerror=alert(9)>")
    claims_csv = tmp / "claims.csv"
    with claims_csv.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(lg.COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerow(claim)
    sources = lg.load_sources()
    src_row = dict(sources.iloc[0])
    src_row.update(seed=SEED_NAME, title=f"A title {PAYLOAD} with [a link](javascript:alert(10)) and *stars*",
                   publisher="<img src=x onerror=alert(11)>", reliability=f"{PAYLOAD} & more{breakout}")
    sources_csv = tmp / "sources.csv"
    with sources_csv.open("w", encoding="utf-8", newline="") as fh:
        cols = [c for c in lg.SOURCE_COLUMNS if c in src_row]
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerow({c: src_row[c] for c in cols})
    return lg.load_claims(claims_csv, seeds), lg.load_sources(sources_csv), real["id"]


def _hostile_markup(soup: BeautifulSoup) -> list[str]:
    """Elements or attributes that would run code in a reader's browser, outside the theme's own."""
    # Every payload calls alert(N), so anything live that contains "alert(" came from the data
    # (the theme's own buttons have onclick handlers too, which are not ours to judge here).
    found = []
    for el in soup.find_all("script"):
        if "alert(" in (el.string or "") + el.get("src", ""):
            found.append(f"<script> element: {str(el)[:80]} (in {el.parent.name}#{el.parent.get('id', '')})")
    for el in soup.find_all(True):
        for attr, value in el.attrs.items():
            live = attr.lower().startswith("on") or (
                attr in ("href", "src", "action") and str(value).strip().lower().startswith("javascript:"))
            if live and "alert(" in str(value):
                found.append(f"<{el.name} {attr}={value!r}>")
        if el.name == "img" and el.get("src") == "x":
            found.append(f"<img src=x> element: {str(el)[:80]}")
    return found


@pytest.mark.build  # renders a small book with jupyter-book
def test_hostile_seed_text_and_quotes_render_as_text(tmp_path):
    from alibaba_report.evidence import appendix

    led, sources, claim_id = _hostile_project(tmp_path)
    proj = tmp_path / "book"
    written = appendix.write_appendix(proj / "appendix", ledger=led, sources=sources)
    assert written, "write_appendix wrote no page"
    shutil.copy2(ROOT / "_config.yml", proj / "_config.yml")
    (proj / "intro.md").write_text("# Escaping test\n\nA book of one appendix.\n")
    (proj / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - glob: appendix/*\n")
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(proj), "--builder", "html"], capture_output=True, text=True)
    assert proc.returncode == 0, f"the hostile appendix did not build:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    html_dir = proj / "_build" / "html"
    seed_page = html_dir / "appendix" / f"{Path(SEED_NAME).stem}.html"
    assert seed_page.exists(), f"no page for the seed: {sorted(p.name for p in (html_dir / 'appendix').glob('*'))}"

    problems, shown = [], ""
    for page in sorted((html_dir / "appendix").glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        problems += [f"{page.name}: {p}" for p in _hostile_markup(soup)]
        if "root:x:0:0" in page.read_text(encoding="utf-8"):
            problems.append(f"{page.name}: /etc/passwd was included")
        if page == seed_page:
            shown = soup.get_text(" ")
            assert soup.find(id=f"claim-{claim_id}") is not None, "the claim anchor is missing"
    assert not problems, "markup from data became live HTML:\n" + "\n".join(problems)
    # ...and the reader sees it, as text, where the seed has it
    for text in (PAYLOAD, "<img src=x onerror=alert(2)>", "```{raw} html", "javascript:alert(4)",
                 "{include} /etc/passwd"):
        assert text in shown, f"{text!r} is not shown as text on the seed's page"


def test_ledger_quotes_in_chapter_tables_are_escaped(tmp_path):
    """Chapters show ledger rows with Ledger.table(); its HTML (what MyST-NB puts on the page) escapes
    the quote, the subject and the period."""
    led, _, claim_id = _hostile_project(tmp_path)
    html = led.table([claim_id], columns=("id", "subject", "period", "quote"))._repr_html_()
    soup = BeautifulSoup(html, "html.parser")
    assert not _hostile_markup(soup), _hostile_markup(soup)
    assert PAYLOAD in soup.get_text(), "the quote is not shown as text"


JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}


@pytest.mark.build  # reads the built site
def test_no_page_of_the_site_carries_script_in_its_content(built_site):
    """The book's content is prose, tables and PNG charts: no <script>, no event handler, no frame
    inside any page's article. Only the theme's own scripts run, and the book's slider charts: the
    site's own Vega bundle and, per chart, exactly the embedding script the package writes."""
    from alibaba_report.charts import interactive

    bad, sliders = [], 0
    for rel in sitecheck.content_pages(built_site):
        soup = BeautifulSoup((built_site / rel).read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article.bd-article") or soup.body
        for el in article.find_all(["script", "iframe", "object", "embed", "frame", "form"]):
            if el.name == "script" and el.get("type", "text/javascript").lower() not in JS_TYPES:
                continue  # a data block (e.g. JSON config): the browser does not run it
            if el.name == "script" and el.get("src") == interactive.BUNDLE_URL and not (el.string or "").strip():
                continue
            chart = el.find_previous("div", class_="slider-chart")
            if el.name == "script" and chart and el.string == interactive.embed_script(chart.get("id", "")):
                sliders += 1
                continue
            bad.append(f"{rel}: " + " ".join(str(el).split())[:100])
        for el in article.find_all(True):
            for attr, value in el.attrs.items():
                if attr.lower().startswith("on"):
                    bad.append(f"{rel}: <{el.name} {attr}=...>")
                if attr in ("href", "src") and str(value).strip().lower().startswith("javascript:"):
                    bad.append(f"{rel}: <{el.name} {attr}={value!r}>")
    assert not bad, "\n".join(bad)
    assert sliders > 0  # the allowance is used, so it is tested


# --- nothing outside the repository ----------------------------------------------------------

# Strings that name a place outside the repository: an absolute path into a user's or the
# machine's folders, a home directory, or a way up out of the tree.
OUTSIDE = re.compile(r"^(/(home|root|tmp|work|mnt|opt|srv|var|Users)\b|~[/\\]|\.\.[/\\])|[/\\]\.\.[/\\]|\bshared[/\\]seeds")
# Strings the code may hold although they match, per file, with why: none is a place data is read.
ALLOWED = {
    ("sitecheck.py", "/usr/bin/chromium"): "Debian's Chromium, the browser for the tests and the PDF",
    ("sitecheck.py", "../"): "recognises a link that would leave the site, to report it as broken",
    ("style.py", "../_static/chart-data"): "a URL relative to a page in book/, where chart CSVs are published",
}


def _python_strings(source: str) -> list[tuple[int, str]]:
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_code_names_no_path_outside_the_repository():
    bad = []
    for path in sorted((ROOT / "alibaba_report").glob("*.py")):
        for line, s in _python_strings(path.read_text(encoding="utf-8")):
            if (path.name, s) in ALLOWED:
                continue
            for piece in re.split(r"[\s\"'`,;()]+", s):
                if OUTSIDE.search(piece):
                    bad.append(f"{path.relative_to(ROOT)}:{line}: {piece!r}")
    for nb in sorted((ROOT / "book").rglob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            try:
                strings = _python_strings(source)
            except SyntaxError:  # IPython magics: read the raw text instead
                strings = [(0, source)]
            for _, s in strings:
                for piece in re.split(r"[\s\"'`,;()]+", s):
                    if OUTSIDE.search(piece):
                        bad.append(f"{nb.relative_to(ROOT)} cell {i}: {piece!r}")
    assert not bad, "paths outside the repository named in code:\n" + "\n".join(bad)


def test_the_path_check_can_fail():
    for s in ("/srv/shared/seeds/000.txt", "../shared/seeds", "~/data.csv", "/home/me/x", "data/../../x"):
        assert OUTSIDE.search(s), s
    for s in ("data/claims.csv", "seeds/000_e600a636a5ca45e2.txt", "_build/html", "appendix/x.html#claim-a"):
        assert not OUTSIDE.search(s), s


@pytest.mark.build
def test_a_build_reads_nothing_outside_the_repository(site, fresh_copy_build):
    """``site`` only schedules this test with the session's site tests: the fresh build it reads is
    shared with test_build's comparison of two builds (conftest's ``fresh_copy_build``)."""
    b = fresh_copy_build
    tmp_path, copy, log, offline = b.tmp_path, b.copy, b.log, b.offline
    home, tmpd = tmp_path / "home", tmp_path / "tmp"
    inside = tuple(os.path.realpath(p) + os.sep for p in (copy, home, tmpd)) + tuple(str(p) + os.sep for p in (copy, home, tmpd))
    pids, outside, reads_inside = set(), [], 0
    for line in log.read_text(encoding="utf-8").splitlines():
        pid, event, what = line.split("\t", 2)
        pids.add(pid)
        if event == "connect":
            outside.append(f"connect to {what}")
        elif (what + os.sep).startswith(inside) or what in ("/", str(tmp_path)):
            reads_inside += 1
        else:
            outside.append(f"{event} {what}")
    # the hook must have run in the driver, the kernels and jupyter-book, and seen the repo read
    assert len(pids) >= 3 and reads_inside > 50, f"the audit hook saw too little ({len(pids)} processes, {reads_inside} reads)"
    assert (copy / "_build" / "html" / "index.html").exists()
    distinct = sorted(set(outside))
    assert not distinct, (f"the build{' (offline)' if offline else ''} touched {len(distinct)} places outside the "
                          f"repository (HOME and TMPDIR were private folders):\n" + "\n".join(distinct[:60]))
