"""A Sphinx extension for the book: no file inclusion, no raw directive, escaped page titles.

* The book's pages are notebooks and pages generated from data; none needs to include another file
  or to pass raw content through a directive. With docutils' ``file_insertion_enabled`` and
  ``raw_enabled`` off, an ``{include}`` or ``{raw}`` directive that reached a page (from data that
  escaped its escaping) fails the strict build instead of publishing a file of the machine or a
  script. MyST's raw HTML blocks and notebook outputs, which the book does use, are not directives
  and are not affected; text from data is escaped inside them (alibaba_report.evidence.appendix).
* sphinx-book-theme 1.3 puts ``pagetitle`` unescaped into the print-only ``<h1>`` of every page.
  Titles of the appendix pages come from data (each seed's title in data/sources.csv), so a title
  containing markup would become live HTML; the Markdown body itself is already escaped.
* The slider charts (alibaba_report.charts.interactive) load Vega from the site itself: once a
  build has succeeded, the Vega bundle is written into the output's ``_static/vega/``, for the
  HTML book and the one-page build the PDF prints alike.
* Citations a reader can use: every claim link on a page (``Ledger.cite``: ``a.claim-link`` with
  the quoted sentence, the source and its date in data attributes) becomes a numbered reference
  ``[n]``, numbered per page in order of first appearance (the same claim keeps its number). Its
  hover and keyboard focus show a tooltip (``role="tooltip"``, tied to the link by
  ``aria-describedby``; CSS in book/_static/custom.css, no script) with the sentence, the source
  and its date; the link lands on the sentence in the appendix; the page ends with its numbered
  list of references. Adjacent references name each number once ("[9], [9]" reads "[9]") and sit on
  the word before them with no space. On a touch screen the first tap opens the quote in place and a
  second follows the link (book/_static/cite-touch.js). Every text from data is escaped again here. The appendix pages keep their
  ids. In the one-page build the PDF prints, each page of the book gets its own numbering and list.
* The theme's sidebar section toggles (an icon in a ``<summary>``) get an accessible name.
* Lighter pages: the theme loads ``fontawesome.js`` (1.5 MB) on every page although its stylesheet
  already draws the same icons from a web font; the script is removed from every page and from
  the site, the icon rules the site does not use are dropped from the theme's stylesheet and the
  icon font is cut to the glyphs it does use.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

LOCKED_SETTINGS = {"file_insertion_enabled": False, "raw_enabled": False}


def _lock_down(app, env, docnames) -> None:
    env.settings.update(LOCKED_SETTINGS)


def _escape_titles(app, pagename, templatename, context, doctree) -> None:
    for key in ("pagetitle", "root_title"):
        if isinstance(context.get(key), str):
            context[key] = html.escape(context[key], quote=False)


def _ship_vega_bundle(app, exception) -> None:
    if exception is None and getattr(app.builder, "format", "") == "html":
        from pathlib import Path

        from alibaba_report.charts import interactive

        interactive.write_bundle(Path(app.outdir) / "_static")


# --- citations -----------------------------------------------------------------------------------

_CLAIM_LINK = re.compile(r'<a\s(?P<attrs>[^>]*\bclass="[^"]*\bclaim-link\b[^"]*"[^>]*)>(?P<text>.*?)</a>', re.S)
_ATTR = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)="([^"]*)"')
# A reference, or several separated by commas, alone in parentheses: the brackets are enough.
_ONE_CITE = r'<span class="cite"><a [^>]*>(?:(?!</a>).)*</a><span class="cite-tip"[^>]*>(?:(?!</span></span>).)*</span></span>(?:</span>)?'
_CITE_GROUP = re.compile(r'[ \t]*\(\s*((?:%s)(?:\s*,\s*%s)*)\s*\)' % (_ONE_CITE, _ONE_CITE), re.S)
_DOC_START = re.compile(r'(?=<span id="document-[^"]*"></span>)')
# References side by side ("[9], [9]", "[3] [4]"): one run, in which a number appears once.
_CITE_RUN = re.compile(r'(?:%s)(?:[ \t\n]*,?[ \t\n]*(?:%s))+' % (_ONE_CITE, _ONE_CITE), re.S)
_CITE_NUMBER = re.compile(r'\[(\d+)\]</a>')
# Whatever space the text had before a reference: none, so every mark sits on its word like a footnote.
_SPACE_BEFORE_CITE = re.compile(r'(?<!,)[ \t\n]+(?=<span class="cite">)')


def _one_number_per_run(m: re.Match) -> str:
    """A run of adjacent references with each number once, in order, separated by commas."""
    kept, seen = [], set()
    for cite in re.findall(_ONE_CITE, m.group(0), re.S):
        n = _CITE_NUMBER.search(cite).group(1)
        if n not in seen:
            seen.add(n)
            kept.append(cite)
    return ", ".join(kept)


def _ledger_citation(claim_id: str) -> dict[str, str] | None:
    """What the ledger says about a claim (for a link written without data attributes)."""
    from alibaba_report.evidence import ledger

    try:
        return ledger.load_claims().citation(claim_id)
    except Exception:  # noqa: BLE001 - reported by the caller as a warning naming the claim
        return None


def _esc(text: str) -> str:
    from alibaba_report.evidence.ledger import attr_escape

    return attr_escape(text)


def number_citations(body: str, prefix: str = "", warn=None) -> str:
    """``body`` with each claim link numbered and given a tooltip, and a list of references at its
    end; ``prefix`` keeps ids unique when several pages share one HTML page (the PDF's build)."""
    numbers: dict[str, int] = {}
    infos: dict[str, dict[str, str]] = {}
    count = 0

    def replace(m: re.Match) -> str:
        nonlocal count
        attrs = {k: html.unescape(v) for k, v in _ATTR.findall(m.group("attrs"))}
        href = attrs.get("href", "")
        claim_id = attrs.get("data-claim") or href.partition("#claim-")[2]
        if not claim_id:
            return m.group(0)
        if "data-quote" in attrs:
            info = {"id": claim_id, "href": href, "quote": attrs["data-quote"],
                    "source": attrs.get("data-source", ""), "title": attrs.get("data-title", "")}
        else:
            info = _ledger_citation(claim_id)
            if info is None:
                if warn:
                    warn(f"claim link to {claim_id!r}: no such claim in the ledger")
                info = {"id": claim_id, "href": href, "quote": "", "source": "", "title": ""}
            info["href"] = href or info["href"]
        # one number per sentence: two figures from the same sentence share their reference
        key = f"{info['source']}\x00{info['quote']}" if info["quote"] else claim_id
        n = numbers.setdefault(key, len(numbers) + 1)
        infos.setdefault(key, info)
        count += 1
        tip = f"cite-tip-{prefix}{count}"
        quote = f"\u201c{_esc(info['quote'])}\u201d" if info["quote"] else "The sentence in its source"
        source = f' <span class="cite-tip-source">\u2014 {_esc(info["source"])}</span>' if info["source"] else ""
        return (f'<span class="cite"><a class="claim-link cite-ref" href="{_esc(info["href"])}" '
                f'data-claim="{_esc(claim_id)}" aria-describedby="{tip}">'
                f'<span class="cite-sr">reference </span>[{n}]</a>'
                f'<span class="cite-tip" role="tooltip" id="{tip}">{quote}{source}</span></span>')

    out = _CLAIM_LINK.sub(replace, body)
    if not numbers:
        return body
    out = _CITE_GROUP.sub(lambda m: m.group(1), out)  # "figure ([3])" reads "figure[3]"
    out = _CITE_RUN.sub(_one_number_per_run, out)  # "[9], [9]" reads "[9]"
    out = _SPACE_BEFORE_CITE.sub("", out)  # "figure [3]" and "figure[3]" read alike
    items = []
    for key, n in numbers.items():
        info = infos[key]
        title = f"<cite>{_esc(info['title'])}</cite>, " if info["title"] else ""
        items.append(
            f'<li id="ref-{prefix}{n}">{title}{_esc(info["source"])}: '
            f'\u201c{_esc(info["quote"])}\u201d '
            f'<a class="cite-back" href="{_esc(info["href"])}">the sentence in its source</a></li>')
    refs = (f'<section class="cite-references" id="references{"-" + prefix.rstrip("-") if prefix else ""}">'
            f'<h2>References</h2>\n<ol class="cite-list">\n' + "\n".join(items) + "\n</ol>\n</section>\n")
    stripped = out.rstrip()
    if stripped.endswith("</section>"):  # inside the page's top section, after its last paragraph
        cut = stripped.rfind("</section>")
        return stripped[:cut] + refs + stripped[cut:] + "\n"
    return out + refs


def _number_citations(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if not isinstance(body, str) or "claim-link" not in body:
        return
    from sphinx.util import logging

    log = logging.getLogger(__name__)

    def warn(msg: str) -> None:
        log.warning(f"{pagename}: {msg}")

    if getattr(app.builder, "name", "") == "singlehtml":
        parts = _DOC_START.split(body)
        out = []
        for i, part in enumerate(parts):
            doc = re.match(r'<span id="document-([^"]*)"', part)
            if doc and "appendix/" in doc.group(1):
                out.append(part)
            else:
                out.append(number_citations(part, prefix=f"p{i}-", warn=warn))
        context["body"] = "".join(out)
    elif "appendix/" not in pagename:
        context["body"] = number_citations(body, warn=warn)


# --- lighter pages --------------------------------------------------------------------------------

_FA_SCRIPT = re.compile(r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')
_FA_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:(?:before|after),?)+)\{content:"([^"]*)"\}')
_FA_NAME = re.compile(r"\bfa-[a-z0-9-]+")


def drop_fontawesome_script(outdir: Path) -> int:
    """Remove the fontawesome.js script from every page (and the file): the theme's stylesheet
    draws the same icons from its web font. Returns how many pages had it."""
    n = 0
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _FA_SCRIPT.sub("", text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            n += 1
    for f in (outdir / "_static" / "scripts").glob("fontawesome.js*"):
        f.unlink()
    return n


def icons_used(outdir: Path) -> set[str]:
    """Every ``fa-*`` class name the site's pages and scripts mention (the theme's scripts add some
    icons at run time)."""
    used: set[str] = set()
    files = list(outdir.rglob("*.html")) + [p for p in (outdir / "_static").rglob("*.js")
                                            if "fontawesome" not in p.name and "vega" not in p.parts]
    for f in files:
        used |= set(_FA_NAME.findall(f.read_text(encoding="utf-8", errors="replace")))
    return used


def _css_codepoints(content: str) -> list[int]:
    """The characters of a CSS ``content`` string: ``\\f0c9`` (a hex escape) or literal text."""
    out = []
    for m in re.finditer(r"\\([0-9a-fA-F]{1,6}) ?|(.)", content, re.S):
        out.append(int(m.group(1), 16) if m.group(1) else ord(m.group(2)))
    return out


def prune_icon_css(css_file: Path, used: set[str]) -> list[int]:
    """Drop the icon rules (``.fa-x:before{content:"\\f0c9"}``) that name no icon in ``used``;
    return the code points of the icons kept."""
    css = css_file.read_text(encoding="utf-8")
    kept: list[int] = []

    def keep(m: re.Match) -> str:
        names = set(re.findall(r"\.(fa-[a-z0-9-]+):", m.group(1)))
        if names & used:
            kept.extend(_css_codepoints(m.group(2)))
            return m.group(0)
        return ""

    new = _FA_RULE.sub(keep, css)
    if new != css:
        css_file.write_text(new, encoding="utf-8")
    return sorted(set(kept))


def subset_icon_font(outdir: Path, css_file: Path, codepoints: list[int]) -> bool:
    """Cut the solid icon font (the one the theme's icons use) to ``codepoints``, as a WOFF file
    the stylesheet then names; the full font files stay for any other use. False if fontTools
    cannot do it (the full font is then used, as before)."""
    fonts = outdir / "_static" / "vendor" / "fontawesome" / "webfonts"
    source = fonts / "fa-solid-900.ttf"
    if not codepoints or not source.exists():
        return False
    try:
        from fontTools import subset
    except ImportError:
        return False
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.name_IDs = []
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    target = fonts / "fa-solid-900-used.woff"
    subset.save_font(font, str(target), options)
    css = css_file.read_text(encoding="utf-8")
    pattern = re.compile(r'url\(\.\./vendor/fontawesome/webfonts/fa-solid-900\.woff2\) format\("woff2"\),'
                         r'url\(\.\./vendor/fontawesome/webfonts/fa-solid-900\.ttf\) format\("truetype"\)')
    new = pattern.sub('url(../vendor/fontawesome/webfonts/fa-solid-900-used.woff) format("woff")', css)
    if new == css:
        target.unlink()
        return False
    css_file.write_text(new, encoding="utf-8")
    return True


def lighten_theme(outdir: Path) -> dict[str, int]:
    """All of the above on a finished HTML build; returns what was done (for the log)."""
    pages = drop_fontawesome_script(outdir)
    css_file = outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
    kept, subset_ok = [], False
    if css_file.exists():
        kept = prune_icon_css(css_file, icons_used(outdir))
        subset_ok = subset_icon_font(outdir, css_file, kept)
    return {"pages": pages, "icons": len(kept), "font_subset": int(subset_ok)}


# The theme's sidebar toggles are a <summary> holding only an icon: a screen reader announces nothing
# (axe-core's summary-name rule). Each gets a name saying what it does.
_BARE_TOGGLE = re.compile(r'<summary>(<span class="toctree-toggle" role="presentation">)')
TOGGLE_LABEL = "Show or hide the pages of this section"


def name_sidebar_toggles(outdir: Path) -> int:
    """Give every sidebar section toggle of the built site an accessible name; returns how many."""
    n = 0
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new, k = _BARE_TOGGLE.subn(rf'<summary aria-label="{TOGGLE_LABEL}">\1', text)
        if k:
            page.write_text(new, encoding="utf-8")
            n += k
    return n


def _name_sidebar_toggles(app, exception) -> None:
    if exception is None and getattr(app.builder, "format", "") == "html":
        name_sidebar_toggles(Path(app.outdir))


def _lighten_theme(app, exception) -> None:
    if exception is None and getattr(app.builder, "format", "") == "html":
        lighten_theme(Path(app.outdir))


def setup(app):
    app.connect("env-before-read-docs", _lock_down)
    app.setup_extension("alibaba_report.pipeline.chart_picture")  # a chart and its phone layout: one <picture>
    app.connect("html-page-context", _escape_titles, priority=900)
    app.connect("html-page-context", _number_citations, priority=800)
    app.connect("build-finished", _ship_vega_bundle)
    app.connect("build-finished", _lighten_theme)
    app.connect("build-finished", _name_sidebar_toggles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
