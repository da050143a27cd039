"""The summary's table of themes: one row per chapter of the registry, in reading order.

Each row is the chapter's own ``headline(p, claims, case)`` (the chapter contract) under the
scenario the summary is computed in, so a new chapter (``make chapter``) appears on the summary
without an edit here, and a row's figures are the chapter's own, rounded as its page rounds them.
"""
from __future__ import annotations

from alibaba_report.chapters import CHAPTERS, contract, module

HEADER = ("theme", "the key figure", "what it means for the shares")


def _title(title: str) -> str:
    """A chapter title as link text: Markdown's active characters escaped."""
    out = title
    for ch in "\\`*_[]<>|":
        out = out.replace(ch, "\\" + ch)
    return out


def rows(scenario: str, claims) -> list[tuple[str, str, str]]:
    """``(title link, key figure, meaning)`` for every chapter, under ``scenario``."""
    from alibaba_report.synthesis import scenarios

    out = []
    for ch in CHAPTERS:
        p = scenarios.chapter_params(scenario, ch.notebook)
        h = module(ch.notebook).headline(p, claims, case=scenario)
        problems = contract.headline_problems(h)  # the contract's own check of a row
        if problems:
            raise ValueError(f"{ch.notebook}: a headline row must be one line with no unescaped '|' or markup "
                             f"and a value for every number: {'; '.join(problems)}")
        out.append((f"[{_title(ch.title)}]({ch.notebook}.ipynb)", h["figure"].strip(), h["meaning"].strip()))
    return out


def table_markdown(scenario: str, claims) -> str:
    """The table of themes as a Markdown table, glued into the summary with ``{glue:md}``."""
    lines = ["| " + " | ".join(HEADER) + " |", "| " + " | ".join("---" for _ in HEADER) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows(scenario, claims)]
    return "\n".join(lines) + "\n"
