"""The one way the book cites a claim: the MyST role ``{claim}`id``` (or ``{claim}`id_a,id_b```).

Package text that cites (a chapter's sentences, the summary, the signposts and disagreements pages)
writes the role with :func:`claim` and is shown as MyST (a Markdown cell, a page written from data,
``glue(name, Markdown(text))`` shown with the ``{glue:md}`` directive or ``{glue:md}`name:myst```).
The book's Sphinx extension (alibaba_report.pipeline.citations) checks each id against the ledger at
build time and renders the numbered citation with its tooltip.
"""
from __future__ import annotations

import re

_ID = re.compile(r"[a-z0-9][a-z0-9_]*\Z")


def claim(*ids: str) -> str:
    """The role citing ``ids``: ``claim("a", "b")`` is ``{claim}`a,b```. An id that is not a
    snake_case claim id (it could break out of the role) is refused, naming it."""
    if not ids:
        raise ValueError("claim(): expected at least one claim id")
    for claim_id in ids:
        if not isinstance(claim_id, str) or not _ID.match(claim_id):
            raise ValueError(f"claim(): {claim_id!r} is not a claim id (expected lower-case letters, "
                             "digits and underscores)")
    return "{claim}`" + ",".join(ids) + "`"
