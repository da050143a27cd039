"""`make chapter`: a new chapter in every file a chapter touches, refused by name when it cannot be one,
and, in a copy of the repository, one that passes the contract tests and builds into the book's navigation."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from alibaba_report.chapters import CHAPTERS, contract, scaffold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from bench import COPIED, make_copy  # noqa: E402
from standins import stand_in  # noqa: E402

NAME, TITLE = "scaffolded_example", "Supply chains | and <b>margins</b> `now`"


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its hash: what a refused scaffold must leave as it was."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture
def repo(tmp_path) -> Path:
    """A copy of what the book and its tests read (the tests too: the copy runs its own contract tests)."""
    return make_copy(tmp_path / "repo", COPIED + ("tests", "Makefile", "README.md", "CONTRIBUTING.md"))


def copy_env(root: Path) -> dict[str, str]:
    """The environment that makes a subprocess read the copy: its package, its data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_")}
    return env | {"REPORT_ROOT": str(root), "PYTHONPATH": str(root), "MPLBACKEND": "Agg"}


# --- refusals: by name, and nothing written ----------------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("Supply-Chain", "not a chapter name"), ("1st", "not a chapter name"), ("a__b", "not a chapter name"),
    ("", "not a chapter name"), ("class", "not a chapter name"), ("x" * 41, "not a chapter name"),
    ("../evil", "not a chapter name"), (CHAPTERS[0].notebook, "already a chapter"),
    ("contract", "clashes"), ("scaffold", "clashes"), ("index", "clashes"), ("module", "clashes"),
    ("shared", "clashes"), ("valuation", "clashes"),
])
def test_a_bad_name_is_refused_by_name_and_nothing_is_written(repo, name, message):
    before = snapshot(repo)
    with pytest.raises(scaffold.ScaffoldError, match=message) as err:
        scaffold.scaffold(name, TITLE, repo)
    assert f"NAME {name!r}" in str(err.value)
    assert snapshot(repo) == before


@pytest.mark.parametrize("title, message", [("Two\nlines", "line break"), ("", "empty"), ("   ", "empty"),
                                            ("Tab\there", "line break"), ("x" * 81, "at most 80")])
def test_a_bad_title_is_refused_by_name_and_nothing_is_written(repo, title, message):
    before = snapshot(repo)
    with pytest.raises(scaffold.ScaffoldError, match=message):
        scaffold.scaffold(NAME, title, repo)
    assert snapshot(repo) == before


def test_an_existing_file_of_the_same_name_is_refused(repo):
    (repo / "book" / f"{NAME}.md").write_text("# a page of that name\n")
    before = snapshot(repo)
    with pytest.raises(scaffold.ScaffoldError, match=rf"book/{NAME}\.md"):
        scaffold.scaffold(NAME, TITLE, repo)
    assert snapshot(repo) == before


def test_a_toc_it_cannot_extend_is_refused_before_anything_is_written(repo):
    toc = repo / "_toc.yml"
    toc.write_text(toc.read_text().replace(f"- file: book/{CHAPTERS[-1].notebook}\n", ""))
    before = snapshot(repo)
    with pytest.raises(scaffold.ScaffoldError, match=r"_toc\.yml: no line"):
        scaffold.scaffold(NAME, TITLE, repo)
    assert snapshot(repo) == before


@pytest.mark.integration
def test_the_make_target_refuses_with_exit_2_and_the_name(repo):
    proc = subprocess.run([sys.executable, "-m", "alibaba_report.chapters.scaffold", "--name", "Bad Name",
                           "--title", "x"], cwd=repo, env=copy_env(repo), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "NAME 'Bad Name' is not a chapter name" in proc.stderr
    makefile = (ROOT / "Makefile").read_text()
    assert "--name $(call quote,$(NAME)) --title $(call quote,$(TITLE))" in makefile  # one quoted word each


# --- what it writes ----------------------------------------------------------------------------------

def test_the_scaffold_writes_every_file_a_chapter_touches(repo):
    written = {str(p.relative_to(repo)) for p in scaffold.scaffold(NAME, TITLE, repo)}
    assert written >= {f"alibaba_report/chapters/{NAME}/{m}.py" for m in ("__init__", "model", "text", "charts")}
    assert written >= {f"book/{NAME}.ipynb", f"data/parameters/{NAME}.yml", f"tests/chapters/test_{NAME}.py",
                       "alibaba_report/chapters/__init__.py", "_toc.yml", "data/scenarios/base.yml"}
    registry = (repo / "alibaba_report" / "chapters" / "__init__.py").read_text()
    assert f"    Chapter({NAME!r}, {TITLE!r}),\n)" in registry  # last in CHAPTERS, the title a Python literal
    toc = (repo / "_toc.yml").read_text()
    assert f"- file: book/{CHAPTERS[-1].notebook}\n      - file: book/{NAME}\n" in toc
    nb = nbformat.read(repo / "book" / f"{NAME}.ipynb", as_version=4)
    assert contract.notebook_problems(nb) == []
    heading = nb.cells[0].source.splitlines()[0]
    assert heading.startswith("# ") and "<b>" not in heading and not re.search(r"(?<!\\)[|`<]", heading)
    defaults = {k: eval(v["default"]) for k, v in papermill.inspect_notebook(str(repo / "book" / f"{NAME}.ipynb")).items()}
    assert defaults == {"move_pct": 10.0}
    assert f"\n{NAME}:\n  move_pct:\n    value: 10.0\n" in (repo / "data" / "scenarios" / "base.yml").read_text()
    assert f"\n{NAME}: {{}}\n" in (repo / "data" / "scenarios" / "consensus.yml").read_text()
    for path in (repo / "alibaba_report" / "chapters" / NAME).glob("*.py"):  # the spec's limits
        assert len(path.read_text().splitlines()) <= 400, path.name


def test_a_second_scaffold_of_the_same_name_is_refused(repo):
    scaffold.scaffold(NAME, TITLE, repo)
    with pytest.raises(scaffold.ScaffoldError, match="already a chapter"):
        scaffold.scaffold(NAME, "Another title", repo)


@pytest.mark.integration
def test_the_new_chapter_passes_the_contract_registry_and_its_own_tests_in_the_copy(repo):
    """In the copy (its package, its data): the chapter contract, the parameters cell against base, the
    registry and _toc.yml agreeing, the scenarios still valid, and the chapter's own generated tests."""
    scaffold.scaffold(NAME, TITLE, repo)
    tests = ["tests/test_chapter_contract.py", "tests/test_registry.py", f"tests/chapters/test_{NAME}.py",
             "tests/test_params.py::test_every_scenario_is_valid"]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0", "-x",
                           "-m", "not build and not browser and not notebook", *tests],
                          cwd=repo, env=copy_env(repo), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(rf"test_chapter_module_follows_the_contract\[{NAME}\]|passed", proc.stdout)
    collected = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--collect-only",
                                "tests/test_chapter_contract.py"], cwd=repo, env=copy_env(repo),
                               capture_output=True, text=True, timeout=300).stdout
    assert f"test_chapter_module_follows_the_contract[{NAME}]" in collected  # the registry reaches the tests


# --- the whole book, with the new chapter -------------------------------------------------------------

@pytest.mark.build
def test_a_scaffolded_chapter_builds_into_the_book_and_its_navigation(repo, base_cache):
    scaffold.scaffold(NAME, TITLE, repo)
    # what `make chapter` executes: the new chapter and the pages that show every chapter; the other
    # chapters stand in as the base book ran them (tests/standins.py), their pages unchanged by a scaffold
    assert stand_in(repo, base_cache, {NAME, "index", "scenarios", "methods"})
    # the build runs with this session's chart backend, as the base book's runs did (a run's key has it)
    env = {k: v for k, v in copy_env(repo).items() if k != "MPLBACKEND"} | (
        {"MPLBACKEND": os.environ["MPLBACKEND"]} if "MPLBACKEND" in os.environ else {})
    check = subprocess.run([sys.executable, "-m", "alibaba_report.pipeline", "check"], cwd=repo, env=env,
                           capture_output=True, text=True, timeout=600)
    assert check.returncode == 0, check.stderr[-3000:]
    book = subprocess.run([sys.executable, "-m", "alibaba_report.pipeline", "book"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=1800, start_new_session=True)
    assert book.returncode == 0, book.stderr[-4000:]
    assert "executed 4 of" in book.stderr, book.stderr[-3000:]
    html = repo / "_build" / "html"
    page = html / "book" / f"{NAME}.html"
    assert page.is_file()
    text = page.read_text(encoding="utf-8")
    assert "Supply chains" in text and "<b>margins</b>" not in text  # the title as text, never as markup
    nav = (html / "book" / f"{CHAPTERS[0].notebook}.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="reference internal" href="([^"#]+)"', nav)
    assert f"{NAME}.html" in links, "the new chapter is not in the navigation"
    assert links.index(f"{NAME}.html") == links.index(f"{CHAPTERS[-1].notebook}.html") + 1  # after the last chapter
    index = (html / "book" / "index.html").read_text(encoding="utf-8")
    row = re.search(rf'<tr[^>]*>\s*<td><p><a class="reference internal" href="{NAME}.html">.*?</tr>', index, re.S)
    assert row and "Supply chains" in row.group(0), "the new chapter is not on the summary's table of themes"
