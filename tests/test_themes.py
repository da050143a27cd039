"""The summary's table of themes comes from the registry: every chapter, in order, from its headline()."""
from __future__ import annotations

import types

import pytest

from alibaba_report import chapters
from alibaba_report.evidence import ledger
from alibaba_report.synthesis import themes


@pytest.fixture(scope="module")
def claims():
    return ledger.load_claims()


@pytest.mark.parametrize("scenario", ["base", "bear", "bull"])
def test_every_chapter_has_one_row_in_reading_order(claims, scenario):
    table = themes.table_markdown(scenario, claims)
    lines = table.strip().splitlines()
    assert len(lines) == 2 + len(chapters.CHAPTERS) > 2
    for line, ch in zip(lines[2:], chapters.CHAPTERS):
        assert line.startswith(f"| [{ch.title}]({ch.notebook}.ipynb) |"), line
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        assert len(cells) == 3 and all(cells), line
        assert not any(bad in line for bad in ("inf%", "nan", "None")), line


def test_a_new_chapter_appears_without_an_edit_here(claims, monkeypatch):
    extra = chapters.Chapter("new_theme", "A new | theme")
    fake = types.SimpleNamespace(headline=lambda p, c, case=None: {"figure": "RMB 1bn", "meaning": f"in the {case} case"})
    monkeypatch.setattr(themes, "CHAPTERS", (*chapters.CHAPTERS, extra))
    real_module = themes.module
    monkeypatch.setattr(themes, "module", lambda nb: fake if nb == "new_theme" else real_module(nb))
    from alibaba_report.synthesis import scenarios

    real_params = scenarios.chapter_params
    monkeypatch.setattr(scenarios, "chapter_params", lambda s, nb: None if nb == "new_theme" else real_params(s, nb))
    last = themes.table_markdown("base", claims).strip().splitlines()[-1]
    assert last == r"| [A new \| theme](new_theme.ipynb) | RMB 1bn | in the base case |"


@pytest.mark.parametrize("bad", ["two\nlines", "a | b"])
def test_a_headline_that_would_break_the_table_is_refused(claims, monkeypatch, bad):
    fake = types.SimpleNamespace(headline=lambda p, c, case=None: {"figure": bad, "meaning": "m"})
    monkeypatch.setattr(themes, "CHAPTERS", (chapters.Chapter("x", "X"),))
    monkeypatch.setattr(themes, "module", lambda nb: fake)
    from alibaba_report.synthesis import scenarios

    monkeypatch.setattr(scenarios, "chapter_params", lambda s, nb: None)
    with pytest.raises(ValueError, match="one line"):
        themes.table_markdown("base", claims)
