"""Editions: what the book said at a date, kept in ``editions/<name>.json``, and what changed since.

``make edition NAME=<name>`` writes the key figures under bear, base and bull, the signpost grades,
every assumption, the claims the model of value reads (with the values it read), the sources with
their checksums and the commit. When ``editions/`` holds one, the build adds a page "What changed
since <name>" (:func:`page_markdown`): every key figure before and now, a value bridge from the
previous base value to today's, the signposts whose grade changed and the new sources.

The bridge is computed by sequential substitution: start from the edition's inputs, replace one
changed claim or assumption at a time in a stated order (claims in the order the model reads them,
then assumptions by page and name) and value the shares after each; each step is the difference,
so the steps add up to the change exactly. A first step "the model itself" appears only when the
code values the edition's own inputs differently from what the edition recorded.

The package: :mod:`.record` writes and reads an edition and values the shares under its inputs,
:mod:`.changes` computes what changed since (key figures, the value bridge, signposts, sources),
:mod:`.page` writes the page and its chart. ``python -m alibaba_report.synthesis.editions NAME`` is
``make edition``.
"""
from alibaba_report.synthesis.editions.changes import (bridge, changed_signposts, estimate_changes,  # noqa: F401
                                                       new_sources)
from alibaba_report.synthesis.editions.page import CHART, PAGE, bridge_chart, page_markdown, stage_page  # noqa: F401
from alibaba_report.synthesis.editions.record import (BRIDGE_FIGURE, NAME, EditionError, editions_dir,  # noqa: F401
                                                      latest, load, main, snapshot, value_with, write)
