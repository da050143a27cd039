"""The notebooks of the book: which ones (from _toc.yml), what each runs with, the kernel's
environment, and the post-processing an executed notebook gets before it is rendered or committed."""
from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat

from alibaba_report import params
from alibaba_report.pipeline import safety, toc
from alibaba_report.pipeline.safety import EXIT_DATA, BuildError


def toc_notebooks(root: Path) -> list[str]:
    """Stems of the ``book/*.ipynb`` files that _toc.yml lists, in reading order."""
    try:
        return toc.notebooks(root)
    except toc.TocError as exc:
        raise BuildError(str(exc), EXIT_DATA) from None


def notebook_stem(root: Path, name: str) -> str:
    """``retail_war``, ``retail_war.ipynb`` or ``book/retail_war.ipynb`` -> ``book/retail_war``."""
    stem = name.strip().removeprefix("./").removeprefix("book/").removesuffix(".ipynb")
    known = [s.removeprefix("book/") for s in toc_notebooks(root)]
    if stem not in known:
        raise BuildError(f"unknown notebook {safety.short(name)}: expected one of {', '.join(known)} "
                         "(with or without .ipynb)", EXIT_DATA)
    return f"book/{stem}"



def notebook_parameters(stem: str, scenario: str) -> dict:
    """What a book notebook runs with under ``scenario``: its scenario values, or the name."""
    name = Path(stem).name
    if name not in params.notebooks_with_specs():
        return {}
    return params.scenario_parameters(scenario, name)


_ASSIGN = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>.+?)(?P<comment>\s+#.*)?$")


def fold_injected_parameters(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Write the injected values into the parameters cell and drop papermill's extra cell.

    The page then shows the parameters the notebook really ran with, beside their comments,
    instead of the defaults followed by a cell of overrides.
    """
    cells = nb.cells
    inj = next((i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])), None)
    par = next((i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])), None)
    if inj is None or par is None:
        return nb
    values = {}
    for line in cells[inj].source.splitlines():
        m = _ASSIGN.match(line.strip())
        if m:
            values[m.group("name")] = m.group("value")
    lines = []
    for line in cells[par].source.splitlines():
        m = _ASSIGN.match(line)
        if m and m.group("name") in values:
            line = f"{m.group('name')} = {values[m.group('name')]}{m.group('comment') or ''}"
        lines.append(line)
    cells[par].source = "\n".join(lines)
    del cells[inj]
    return nb


def lift_alt_text(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Move each chart's alt text (set by ``style.show``) to the cell metadata MyST-NB reads."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            alt = out.get("metadata", {}).get("image/png", {}).get("alt")
            if alt:
                cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alt
    return nb


def strip_run_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timings and run metadata so two runs of the same notebook are identical."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return nb


def strip_images(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop image bytes from a notebook's outputs (after :func:`lift_alt_text`). A committed notebook
    carries what nbval compares (text, HTML, glued values, each chart's alt text as its text/plain);
    nbval skips PNGs and the build draws every chart again, so the bytes would only weigh on the diff."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for key in [k for k in out.get("data", {}) if k.startswith("image/")]:
                del out["data"][key]
                out.get("metadata", {}).pop(key, None)
    return nb


def kernel_env(root: Path) -> dict:
    env = dict(os.environ)
    env["REPORT_ROOT"] = str(root)
    env["PYTHONHASHSEED"] = "0"
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return env

