"""``make chapter NAME=x TITLE='…'``: a new chapter that builds, in every file a chapter touches.

What it writes (CONTRIBUTING.md, "Add a chapter"): the package ``alibaba_report/chapters/<name>/``
(``__init__``, ``model``, ``text``, ``charts``), the notebook ``book/<name>.ipynb``, the parameter
specification ``data/parameters/<name>.yml``, the chapter's section in ``data/scenarios/base.yml`` (and an
empty one in each scenario file that lists every chapter's section), the registry entry in
``alibaba_report/chapters/__init__.py``, the page in ``_toc.yml`` after the last chapter, and
``tests/chapters/test_<name>.py``.

A name that is not snake_case, that a chapter, a module, a page, a parameter file or a scenario section
already uses, or a title with a line break is refused by name before anything is written; everything is
then written beside its target and moved into place, so a failure leaves the repository as it was.
"""
from __future__ import annotations

import json
import keyword
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml

from alibaba_report import paths
from alibaba_report.chapters.scaffold import templates

NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_NAME = 40  # characters: the name is a file name, a module name and a URL
MAX_TITLE = 80  # characters: a page title and a row of the summary's table
# names that are something else already: the contract and this scaffold, the pages that are not chapters,
# the sections of a scenario file and the parameter files that are not a notebook's
RESERVED = {"contract", "scaffold", "index", "scenarios", "methods", "signposts", "glossary", "disagreements",
            "appendix", "description", "shared", "valuation", "context"}
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")

EXIT_REFUSED = 2  # the driver's code for bad input (data)


class ScaffoldError(ValueError):
    """The chapter cannot be made as asked; the message names the value and what is expected."""


def check_request(name: str, title: str, root: Path) -> None:
    """Refuse a name or title that cannot be a chapter, naming it; nothing has been written yet."""
    from alibaba_report import chapters

    if not NAME.fullmatch(name or "") or len(name) > MAX_NAME or keyword.iskeyword(name):
        raise ScaffoldError(f"NAME {name!r} is not a chapter name: expected a Python identifier in snake_case "
                            f"(lower-case letters, digits and single underscores, starting with a letter, at most "
                            f"{MAX_NAME} characters), e.g. NAME=supply_chain")
    taken = set(registered(root))
    if name in taken:
        raise ScaffoldError(f"NAME {name!r} is already a chapter (chapters: {', '.join(sorted(taken))})")
    if name in RESERVED or hasattr(chapters, name):
        raise ScaffoldError(f"NAME {name!r} clashes with an existing name of the package or the book; choose another")
    existing = [p for p in _targets(name, root) if p.exists()]
    existing += [p for p in (root / "alibaba_report" / "chapters" / f"{name}.py", root / "book" / f"{name}.md")
                 if p.exists()]
    if existing:
        raise ScaffoldError(f"NAME {name!r} clashes with an existing module or file: "
                            f"{', '.join(str(p.relative_to(root)) for p in existing)}")
    if not title or not title.strip():
        raise ScaffoldError("TITLE is empty: expected the chapter's title in reader words, e.g. TITLE='Supply chains'")
    if _BREAKS.search(title):
        raise ScaffoldError(f"TITLE {title[:MAX_TITLE]!r} has a line break or a control character: expected one line")
    if len(title) > MAX_TITLE:
        raise ScaffoldError(f"TITLE has {len(title)} characters: expected at most {MAX_TITLE} (one line of the "
                            "summary's table)")


def registered(root: Path) -> list[str]:
    """The chapters ``CHAPTERS`` lists in the repository at ``root`` (read from its file, not imported:
    ``root`` may be a copy), in order."""
    text = (root / "alibaba_report" / "chapters" / "__init__.py").read_text(encoding="utf-8")
    return [m.group(2) for m in re.finditer(r"^    Chapter\((['\"])([a-z0-9_]+)\1", text, re.M)]


def _targets(name: str, root: Path) -> list[Path]:
    """The files and folder the chapter adds (not the existing files it extends)."""
    return [root / "alibaba_report" / "chapters" / name, root / "book" / f"{name}.ipynb",
            root / "data" / "parameters" / f"{name}.yml", root / "tests" / "chapters" / f"test_{name}.py"]


def _notebook(values: dict[str, str]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    for kind, tags, text in templates.NOTEBOOK_CELLS:
        source = text.substitute(values)
        meta = {"tags": list(tags)} if tags else {}
        cell = nbformat.v4.new_markdown_cell(source, metadata=meta) if kind == "markdown" \
            else nbformat.v4.new_code_cell(source, metadata=meta)
        nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):  # stable ids: a scaffold made twice is byte for byte the same
        cell.id = f"cell-{i}"
    return nbformat.writes(nb) + "\n"


def _insert_registry(text: str, name: str, title: str) -> str:
    """``alibaba_report/chapters/__init__.py`` with ``Chapter(name, title)`` last in ``CHAPTERS``."""
    m = re.search(r"^CHAPTERS = \(\n(?:    .*\n)*?\)\n", text, re.M)
    if not m:
        raise ScaffoldError("alibaba_report/chapters/__init__.py: no 'CHAPTERS = (' tuple, one Chapter a line, "
                            "to add the chapter to")
    entry = f"    Chapter({name!r}, {title!r}),\n"
    return text[: m.end() - 2] + entry + text[m.end() - 2:]


def _insert_toc(text: str, name: str, last: str) -> str:
    """``_toc.yml`` with the chapter's page right after the last chapter's."""
    m = re.search(rf"^( *)- file: book/{re.escape(last)}[ \t]*\n", text, re.M)
    if not m:
        raise ScaffoldError(f"_toc.yml: no line '- file: book/{last}' (the last chapter) to put the new chapter after")
    return text[: m.end()] + f"{m.group(1)}- file: book/{name}\n" + text[m.end():]


def _scenario_texts(root: Path, name: str, values: dict[str, str]) -> dict[Path, str]:
    """base.yml with the chapter's section; each other scenario file that lists the chapters it leaves at
    base as empty sections (``cloud_ai: {}``, the consensus case) with an empty one for the new chapter."""
    chapters = registered(root)
    out = {}
    for path in sorted((root / "data" / "scenarios").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if path.stem == "base":
            out[path] = text.rstrip("\n") + "\n" + templates.BASE_SECTION.substitute(values)
            continue
        if any(re.search(rf"^{c}: {{}}[ \t]*$", text, re.M) for c in chapters):
            m = re.search(r"^valuation:", text, re.M)
            line = f"{name}: {{}}\n\n"
            out[path] = text[: m.start()] + line + text[m.start():] if m else text.rstrip("\n") + "\n\n" + line
    return out


def planned_files(name: str, title: str, root: Path | None = None) -> dict[Path, str]:
    """Every file the chapter writes or changes, with its new text (nothing is written)."""
    from alibaba_report.evidence.appendix import md_escape

    root = Path(root or paths.root())
    check_request(name, title, root)
    values = {"name": name, "title_repr": repr(title), "title_md": md_escape(title),
              "claim": templates.TEMPLATE_CLAIM}
    package = root / "alibaba_report" / "chapters" / name
    files = {
        package / "__init__.py": templates.INIT.substitute(values),
        package / "model.py": templates.MODEL.substitute(values),
        package / "text.py": templates.TEXT.substitute(values),
        package / "charts.py": templates.CHARTS.substitute(values),
        root / "book" / f"{name}.ipynb": _notebook(values),
        root / "data" / "parameters" / f"{name}.yml": templates.PARAMETERS.substitute(values),
        root / "tests" / "chapters" / f"test_{name}.py": templates.TEST.substitute(values),
    }
    registry = root / "alibaba_report" / "chapters" / "__init__.py"
    files[registry] = _insert_registry(registry.read_text(encoding="utf-8"), name, title)
    toc = root / "_toc.yml"
    files[toc] = _insert_toc(toc.read_text(encoding="utf-8"), name, registered(root)[-1])
    files.update(_scenario_texts(root, name, values))
    for path, text in files.items():  # what is generated parses, or nothing is written
        if path.suffix == ".py":
            compile(text, str(path), "exec")
        elif path.suffix == ".yml":
            yaml.safe_load(text)
        elif path.suffix == ".ipynb":
            nbformat.validate(nbformat.reads(text, as_version=4))
    return files


def scaffold(name: str, title: str, root: Path | None = None) -> list[Path]:
    """Write the chapter ``name`` titled ``title`` into the repository at ``root``; returns the paths written.

    Every text is first written to a temporary file beside its target (the new package to a temporary
    folder), then all are moved into place; if anything fails before the moves, the temporaries go and
    nothing has changed."""
    root = Path(root or paths.root())
    files = planned_files(name, title, root)
    package = root / "alibaba_report" / "chapters" / name
    staged: list[tuple[Path, Path]] = []
    stage_dir = Path(tempfile.mkdtemp(prefix=f".scaffold-{name}-", dir=package.parent))
    try:
        for path, text in files.items():
            if path.parent == package:
                tmp = stage_dir / path.name
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
                os.close(fd)
                tmp = Path(tmp_name)
                staged.append((tmp, path))
            tmp.write_text(text, encoding="utf-8")
    except BaseException:
        shutil.rmtree(stage_dir, ignore_errors=True)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    os.replace(stage_dir, package)
    for tmp, path in staged:
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    os.chmod(package, 0o755)
    return sorted(files)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="make chapter", description="Scaffold a new chapter that builds.")
    ap.add_argument("--name", required=True, help="the chapter's snake_case name (its notebook's stem)")
    ap.add_argument("--title", required=True, help="the chapter's title in reader words")
    args = ap.parse_args(argv)
    root = paths.root()
    try:
        written = scaffold(args.name, args.title, root)
    except ScaffoldError as exc:
        print(f"make chapter: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(json.dumps([str(p.relative_to(root)) for p in written], indent=1))
    print(f"make chapter: chapter {args.name!r} written. Next: replace its template model, words, notebook and "
          f"test with the chapter's own (CONTRIBUTING.md, 'Add a chapter'); then `make refresh NB='{args.name} index "
          "scenarios methods'`, `make test-fast`, `make book`")
    return 0
