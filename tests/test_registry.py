"""Everything per chapter comes from the registry (``CHAPTERS``): the book's table of contents lists
exactly the registered chapters, in order, under a caption that types no count, and nothing the package
or the configuration says types how many themes there are."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from alibaba_report.chapters import CHAPTERS

ROOT = Path(__file__).resolve().parents[1]
NAMES = [c.notebook for c in CHAPTERS]
# a count typed beside the word for a chapter: "five themes", "the 5 chapters", "six theme chapters"
COUNT_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+"
TYPED_COUNT = re.compile(rf"\b({COUNT_WORDS})\s+(?:theme\s+)?(themes|chapters)\b", re.I)


def chapter_part(toc: dict) -> dict:
    """The part of _toc.yml that lists the chapters (the one whose entries are registered chapters)."""
    parts = [p for p in toc.get("parts", [])
             if any(str(e.get("file", "")).removeprefix("book/") in NAMES for e in p.get("chapters", []))]
    assert len(parts) == 1, f"the chapters are spread over {len(parts)} parts of _toc.yml; keep them in one"
    return parts[0]


def test_the_toc_lists_exactly_the_registered_chapters_in_order():
    part = chapter_part(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
    listed = [str(e.get("file", "")).removeprefix("book/") for e in part["chapters"]]
    assert listed == NAMES, "the chapters' part of _toc.yml must list CHAPTERS' notebooks, in CHAPTERS' order"


def test_the_chapters_caption_types_no_count():
    part = chapter_part(yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8")))
    assert part["caption"].strip()
    assert not re.search(rf"\b({COUNT_WORDS})\b", part["caption"], re.I), part["caption"]


def test_a_typed_count_of_themes_is_found():
    assert TYPED_COUNT.search("The five themes in one line each")
    assert TYPED_COUNT.search("the 6 chapters' models")
    assert not TYPED_COUNT.search("the five sources agree; the themes differ")


def test_no_count_of_themes_is_typed_in_the_package_or_the_configuration():
    """A sixth chapter must not leave "five" behind. Known exceptions, owned elsewhere and listed for the
    lead: the index notebook's section title and the summary's chart source line."""
    owned_elsewhere = {"alibaba_report/synthesis/summary.py"}
    files = [ROOT / "_toc.yml", ROOT / "_config.yml", ROOT / "CONTRIBUTING.md", ROOT / "README.md",
             *sorted((ROOT / "alibaba_report").rglob("*.py"))]
    found = []
    for path in files:
        rel = str(path.relative_to(ROOT))
        if rel in owned_elsewhere:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TYPED_COUNT.search(line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "a count of themes typed by hand (derive it from CHAPTERS):\n" + "\n".join(found)
