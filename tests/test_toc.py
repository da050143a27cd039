"""The one reader of _toc.yml (alibaba_report/pipeline/toc.py) and the one short() of error messages."""
from __future__ import annotations

from pathlib import Path

import pytest

from alibaba_report import messages
from alibaba_report.chapters import CHAPTERS
from alibaba_report.pipeline import driver, safety, toc

ROOT = Path(__file__).resolve().parents[1]


def write_toc(tmp_path: Path, text: str, notebooks: tuple[str, ...] = ()) -> Path:
    (tmp_path / "book").mkdir(exist_ok=True)
    for stem in notebooks:
        (tmp_path / f"{stem}.ipynb").write_text("{}")
    (tmp_path / "_toc.yml").write_text(text)
    return tmp_path


def test_the_book_reads_in_the_order_its_toc_gives():
    docs = toc.documents(ROOT)
    assert docs[0] == "book/index"
    chapters = [f"book/{c.notebook}" for c in CHAPTERS]
    assert [d for d in docs if d in chapters] == chapters, "the chapters are not in the registry's order"
    assert toc.globs(ROOT) == ["book/appendix/0*"]
    # only what exists as a notebook is executed; the generated pages (disagreements, appendix) are not
    nbs = toc.notebooks(ROOT)
    assert set(chapters) <= set(nbs) and "book/disagreements" not in nbs and "book/appendix/index" not in nbs


def test_sections_are_read_depth_first_and_globs_apart(tmp_path):
    root = write_toc(tmp_path, "format: jb-book\nroot: book/a\nparts:\n  - caption: One\n    chapters:\n"
                               "      - file: book/b\n        sections:\n          - file: book/c\n"
                               "          - glob: book/d*\n      - file: book/e\n",
                     notebooks=("book/a", "book/c", "book/e"))
    assert toc.documents(root) == ["book/a", "book/b", "book/c", "book/e"]
    assert toc.notebooks(root) == ["book/a", "book/c", "book/e"]
    assert toc.globs(root) == ["book/d*"]


@pytest.mark.parametrize("text, words", [
    ("format: jb-book\nchapters:\n  - file: book/a\n", "_toc.yml"),            # no root
    ("format: jb-book\nroot: book/a\nparts: 7\n", "_toc.yml"),                 # parts not a list
    ("a: &x [1]\nb: *x\n", "alias"),                                           # YAML alias refused
    ("format: jb-book\nroot: book/a\nroot: book/b\n", "twice"),                # duplicate key
])
def test_a_broken_toc_is_a_data_error_naming_the_file(tmp_path, text, words):
    root = write_toc(tmp_path, text, notebooks=("book/a",))
    with pytest.raises(toc.TocError, match=words):
        toc.notebooks(root)
    with pytest.raises(safety.BuildError) as err:
        driver.toc_notebooks(root)
    assert err.value.code == safety.EXIT_DATA and "_toc.yml" in str(err.value)
    code, message = safety.classify(toc.TocError("_toc.yml: broken"))
    assert code == safety.EXIT_DATA and message == "_toc.yml: broken"


def test_a_message_quotes_a_value_short_and_never_renders_a_huge_one():
    assert messages.short("abc") == "'abc'"
    long = messages.short("x" * 500, limit=20)
    assert long.startswith("'" + "x" * 20 + "'…") and "500 characters" in long and len(long) < 60
    bomb = [[0] * 1000] * 1000  # a YAML bomb's shape: described by size, never turned into text
    assert messages.short(bomb) == "a list of 1000 items"
    assert messages.short(12.5) == "12.5" and messages.short(None) == "None"
    assert safety.short is messages.short


def test_a_generated_page_is_listed_right_after_its_anchor_or_not_at_all(tmp_path):
    text = ("format: jb-book\nroot: book/index\nparts:\n- caption: Across the book\n  chapters:\n"
            "  - file: book/scenarios\n  - file: book/methods\n")
    write_toc(tmp_path, text)
    assert toc.insert_after(tmp_path, "book/scenarios", "book/what_changed")
    assert toc.documents(tmp_path) == ["book/index", "book/scenarios", "book/what_changed", "book/methods"]
    before = (tmp_path / "_toc.yml").read_text()
    assert not toc.insert_after(tmp_path, "book/signposts", "book/since_edition")  # no such anchor
    assert (tmp_path / "_toc.yml").read_text() == before
