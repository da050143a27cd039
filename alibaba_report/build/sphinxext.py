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
"""
from __future__ import annotations

import html

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


def setup(app):
    app.connect("env-before-read-docs", _lock_down)
    app.connect("html-page-context", _escape_titles, priority=900)
    app.connect("build-finished", _ship_vega_bundle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
