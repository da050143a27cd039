"""Test-only helpers: every sentence the package writes for a reader page, under a scenario, as rows of
(scenario, page, where, sentence), and the generic faults a sentence can have. The package is called
directly (no book build): each chapter's prose(), signposts() and headline(), and the summary's and
the scenarios page's text functions."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from alibaba_report.chapters import CHAPTERS, contract, module
from alibaba_report.synthesis import outlook, scenarios, summary, themes


class Sentence(NamedTuple):
    scenario: str
    page: str
    where: str  # the glue name, or the signpost and its field
    text: str

    def __str__(self) -> str:
        return f"{self.scenario} / {self.page} / {self.where}: {self.text!r}"


def chapter_sentences(scenario: str, claims) -> Iterator[Sentence]:
    """Every chapter's computed sentences under ``scenario``, as its notebook and the summary show them."""
    case = f"the {scenario} case"
    for ch in CHAPTERS:
        mod, p = module(ch.notebook), scenarios.chapter_params(scenario, ch.notebook)
        for key, text in mod.prose(p, claims).items():
            yield Sentence(scenario, ch.notebook, key, str(text))
        for s in mod.signposts(p, claims, case=case):
            for field, text in (("name", s.name), ("level", contract.threshold_text(s)),
                                ("if better", f"{s.if_better} ({s.better_case})"),
                                ("if worse", f"{s.if_worse} ({s.worse_case})")):
                yield Sentence(scenario, ch.notebook, f"signpost {s.name!r}, {field}", text)
        for key, text in mod.headline(p, claims, case=scenario).items():
            yield Sentence(scenario, "summary", f"theme {ch.notebook}, {key}", text)


def synthesis_sentences(scenario: str, claims, sources) -> Iterator[Sentence]:
    """The summary's and the scenarios page's sentences under ``scenario``: the value's words, the
    chapters' words the summary quotes, the risks, the catalyst calendar and the table of themes."""
    for key, text in summary.summary_text(scenario, claims, sources).items():
        yield Sentence(scenario, "summary", key, str(text))
    for i, row in enumerate(themes.rows(scenario, claims)):
        yield Sentence(scenario, "summary", f"themes row {i}", " | ".join(row[1:]))
    calendar = outlook.catalyst_calendar(claims, sources, scenario)
    for date, row in calendar.iterrows():
        yield Sentence(scenario, "scenarios", f"calendar {date}", f"{date}: {row['event']} ({row['source']})")


def all_sentences(scenario: str, claims, sources) -> list[Sentence]:
    return [*chapter_sentences(scenario, claims), *synthesis_sentences(scenario, claims, sources)]


# --- generic faults ---------------------------------------------------------------------------------

_NOT_A_NUMBER = re.compile(r"(?<![\w.])-?(nan|inf|infinity)(?![\w])", re.IGNORECASE)
_DOUBLED = re.compile(r"\b([A-Za-z]+)\s+\1\b", re.IGNORECASE)
# Two words that never follow each other in a sentence a reader can parse: the trace of a label that
# already carries its preposition or negation, pasted after another one.
_BROKEN_PAIRS = re.compile(r"\b(only\s+in\s+not|in\s+not\s+by|by\s+not\s+by|converge:\s+not\s+by)\b", re.IGNORECASE)


def faults(s: Sentence) -> list[str]:
    """What is wrong with a sentence whatever its scenario (empty when nothing is)."""
    found = []
    if m := _NOT_A_NUMBER.search(s.text):
        found.append(f"prints {m.group(0)!r}")
    if m := _DOUBLED.search(s.text):
        found.append(f"doubles a word: {m.group(0)!r}")
    if m := _BROKEN_PAIRS.search(s.text):
        found.append(f"joins two labels: {m.group(0)!r}")
    return found


# --- the notebooks' Markdown, with the package's glued values in place --------------------------------

_GLUE = re.compile(r"\{glue(?::text|:md)?\}`([A-Za-z0-9_]+)(?::([^`]*))?`")
_ROLE = re.compile(r"\{(?:doc|ref|cite|numref|term)\}`[^`]*`")
PLACEHOLDER = "7"  # a number the package does not hand over here (a figure glued from elsewhere)


def glue_values(notebook: str, scenario: str, claims, sources) -> dict[str, object]:
    """What the package glues into ``notebook`` under ``scenario``, as far as the text functions give it:
    a chapter's prose() and key_outputs(); the summary's and the scenarios page's numbers and text."""
    if notebook in ("index", "scenarios"):
        return {**summary.summary_numbers(scenario, claims, sources), **summary.summary_text(scenario, claims, sources),
                **summary.scenarios_numbers(scenario, claims), **summary.valuation_text(scenario, claims)}
    mod, p = module(notebook), scenarios.chapter_params(scenario, notebook)
    return {**mod.key_outputs(p, claims), **mod.prose(p, claims)}


def render_glue(text: str, values: dict[str, object]) -> str:
    """``text`` with each ``{glue:text}`name:fmt``` replaced by its value, formatted as the book does."""
    def one(m: re.Match) -> str:
        value = values.get(m.group(1))
        if value is None:
            return PLACEHOLDER
        if isinstance(value, str):
            return value
        try:
            return format(value, m.group(2) or "")
        except (TypeError, ValueError):
            return str(value)
    return _ROLE.sub("a source", _GLUE.sub(one, text))


def notebook_sentences(notebook: str, scenario: str, claims, sources) -> Iterator[Sentence]:
    """Each Markdown paragraph of ``book/<notebook>.ipynb`` as the reader sees it under ``scenario``."""
    import nbformat

    from alibaba_report import paths

    nb = nbformat.read(paths.root() / "book" / f"{notebook}.ipynb", as_version=4)
    values = glue_values(notebook, scenario, claims, sources)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for j, para in enumerate(re.split(r"\n\s*\n", cell.source)):
            if "{glue" in para:
                yield Sentence(scenario, notebook, f"Markdown cell {i}, paragraph {j}", render_glue(para, values))
