"""Staging and rendering: the copy of the book a build works on, the pages generated into it, the
strict Jupyter Book render, and the atomic publish of the rendered site."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from alibaba_report import params
from alibaba_report.pipeline import safety, toc
from alibaba_report.pipeline.safety import EXIT_DATA, EXIT_RENDER, BuildError


def clear(root: Path, folder: Path) -> None:
    """Remove ``folder`` (under _build) if it exists; its parents become real folders. A symbolic
    link on the way is refused (safety.real_dir): the build deletes only inside _build."""
    safety.real_dir(root, folder.parent)
    if folder.is_symlink() or folder.exists():
        safety.real_dir(root, folder, create=False)
        shutil.rmtree(folder)


def site_dir(root: Path, scenario: str) -> Path:
    return root / "_build" / ("html" if scenario == params.BASE else f"scenarios/{scenario}/html")


def stage_sources(root: Path, stage: Path) -> None:
    """Copy what Jupyter Book reads into a fresh staging folder; generate the data pages."""
    clear(root, stage)
    stage.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, stage / name)
    shutil.copytree(root / "book", stage / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    from alibaba_report.evidence import pages

    pages.write_generated_pages(stage / "book")


WHAT_CHANGED = "book/what_changed"  # a custom scenario's book: its key figures and assumptions against base


def add_what_changed(stage: Path, scenario: str) -> None:
    """In the book of a scenario of your own, a page comparing it with base (after the scenarios page)."""
    if scenario in params.COMPARED:
        return
    from alibaba_report.synthesis import compare

    (stage / f"{WHAT_CHANGED}.md").write_text(compare.page_for(scenario), encoding="utf-8")
    if not toc.insert_after(stage, "book/scenarios", WHAT_CHANGED):
        raise BuildError("_toc.yml lists no book/scenarios page to put the comparison after", EXIT_DATA)


def add_living_pages(stage: Path) -> None:
    """The signposts file checked before anything runs, and, when editions/ holds one, the page
    "What changed since <edition>" (alibaba_report/synthesis/editions.py) in the staging copy."""
    from alibaba_report.synthesis import editions, signposts

    try:
        signposts.load()
        editions.stage_page(stage)
    except (signposts.SignpostError, editions.EditionError) as exc:
        raise BuildError(str(exc), EXIT_DATA) from None


def render(stage: Path, out: Path) -> None:
    """Jupyter Book 1, strict: -W turns every warning (a broken link, a missing glue key) into
    a failure, -n reports unresolved references, --keep-going lists all of them at once."""
    from alibaba_report import paths
    from alibaba_report.pipeline import cache

    cache.vega_bundle(paths.root())  # made (or checked) here, where a planted link is refused by name
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(stage), "--path-output", str(out), "-W", "-n", "--keep-going", "--builder", "html"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if re.search(r"WARNING|ERROR|Error|Exception", ln)]
        raise BuildError("jupyter-book build failed:\n" + "\n".join(lines[-40:] or (proc.stdout + proc.stderr).splitlines()[-40:]), EXIT_RENDER)


def publish(new_html: Path, target: Path) -> None:
    """Swap the new site in atomically; a crash at any instant leaves the old or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    safety.publish(new_html, target)

