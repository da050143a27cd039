"""The theme chapters, one module (or package) per notebook of the same name, each following one contract.

``CHAPTERS`` is the registry: the book's chapters in reading order, and the one place that lists them
(the table of contents, the scenario pages and the tests read it; how many there are is never typed).
A chapter's notebook is ``book/<notebook>.ipynb``, its parameter specification
``data/parameters/<notebook>.yml`` and its module ``alibaba_report.chapters.<notebook>``. ``make chapter
NAME=x TITLE='…'`` adds one (:mod:`alibaba_report.chapters.scaffold`).
"""
from __future__ import annotations

import importlib
import types
from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    notebook: str  # book/<notebook>.ipynb, data/parameters/<notebook>.yml, chapters/<notebook>(.py or /)
    title: str


CHAPTERS = (
    Chapter("retail_war", "The instant-retail war"),
    Chapter("cloud_ai", "Cloud and AI"),
    Chapter("hk_vs_us", "Hong Kong versus US pricing"),
    Chapter("policy_catalyst", "The policy catalyst"),
    Chapter("meitu_deal", "The Meitu deal"),
)


def chapter(notebook: str) -> Chapter:
    for ch in CHAPTERS:
        if ch.notebook == notebook:
            return ch
    raise KeyError(f"no chapter {notebook!r}; chapters: {', '.join(c.notebook for c in CHAPTERS)}")


def module(notebook: str) -> types.ModuleType:
    """The chapter's module, ``alibaba_report.chapters.<notebook>``."""
    return importlib.import_module(f"{__name__}.{chapter(notebook).notebook}")
