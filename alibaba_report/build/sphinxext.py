"""A Sphinx extension for the book: escape page titles before the theme writes them.

sphinx-book-theme 1.3 puts ``pagetitle`` unescaped into the print-only ``<h1>`` of every page.
Titles of the appendix pages come from data (each seed's title in data/sources.csv), so a title
containing markup would become live HTML; the Markdown body itself is already escaped.
"""
from __future__ import annotations

import html


def _escape_titles(app, pagename, templatename, context, doctree) -> None:
    for key in ("pagetitle", "root_title"):
        if isinstance(context.get(key), str):
            context[key] = html.escape(context[key], quote=False)


def setup(app):
    app.connect("html-page-context", _escape_titles, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
