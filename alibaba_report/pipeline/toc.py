"""The book's table of contents, ``_toc.yml``, read once, one way.

The file is read with the package's safe YAML reader (bounded, no aliases, every problem named)
and parsed by ``sphinx_external_toc``, the parser Jupyter Book itself uses, so the build, the PDF
and the tests see the pages Jupyter Book will render, in its reading order.
"""
from __future__ import annotations

from pathlib import Path

from sphinx_external_toc.api import SiteMap
from sphinx_external_toc.parsing import MalformedError, parse_toc_data

TOC = "_toc.yml"


class TocError(ValueError):
    """``_toc.yml`` cannot be read as a Jupyter Book table of contents; the message says why."""


def site_map(root: Path) -> SiteMap:
    """The parsed ``_toc.yml`` of the book at ``root``."""
    from alibaba_report import params

    try:
        data = params.read_yaml(Path(root) / TOC)
    except params.ParameterError as exc:
        raise TocError(str(exc)) from None
    try:
        return parse_toc_data(data)
    except MalformedError as exc:
        raise TocError(f"{TOC}: not a Jupyter Book table of contents: {exc}") from None


def documents(root: Path) -> list[str]:
    """Every page ``_toc.yml`` names (``book/retail_war``...), root first, in reading order."""
    site = site_map(root)
    order: list[str] = []

    def visit(doc: str) -> None:
        if doc in order:
            return
        order.append(doc)
        for tree in site[doc].subtrees:
            for item in tree.items:
                if isinstance(item, str) and item in site:
                    visit(item)

    visit(site.root.docname)
    return order


def globs(root: Path) -> list[str]:
    """The glob patterns ``_toc.yml`` lists (``book/appendix/0*``), sorted."""
    return sorted(site_map(root).globs())


def notebooks(root: Path) -> list[str]:
    """Stems of the notebooks ``_toc.yml`` lists (``book/retail_war``), in reading order."""
    root = Path(root)
    return [doc for doc in documents(root) if (root / f"{doc}.ipynb").exists()]


def insert_after(root: Path, anchor: str, page: str) -> bool:
    """In the (staged) ``_toc.yml`` at ``root``, list ``page`` right after ``anchor`` (both as ``_toc.yml``
    names them, "book/scenarios"). False, and the file untouched, when no part lists ``anchor``: the
    caller says what that means for it."""
    import yaml

    from alibaba_report import params

    path = Path(root) / TOC
    toc = params.read_yaml(path)
    for part in toc.get("parts", []):
        files = [c.get("file") for c in part.get("chapters", [])]
        if anchor in files:
            part["chapters"].insert(files.index(anchor) + 1, {"file": page})
            path.write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
            return True
    return False
