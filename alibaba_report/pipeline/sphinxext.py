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
* Citations: the MyST role ``{claim}`id``` (alibaba_report.pipeline.citations) checks the id at
  build time, numbers each page's citations on the doctree and renders them with their tooltips.
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

from alibaba_report.pipeline import citations

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

        from alibaba_report import paths
        from alibaba_report.charts import interactive
        from alibaba_report.pipeline import cache

        interactive.write_bundle(Path(app.outdir) / "_static", cache.vega_bundle(paths.root()))


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
    citations.setup(app)
    app.connect("build-finished", _ship_vega_bundle)
    app.connect("build-finished", _lighten_theme)
    app.connect("build-finished", _name_sidebar_toggles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
