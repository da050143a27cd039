"""``make refresh``: execute the committed notebooks in place, so nbval compares with what the base
book shows."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat

from alibaba_report import paths
from alibaba_report.pipeline import safety
from alibaba_report.pipeline.notebooks import kernel_env, lift_alt_text, notebook_stem, strip_images, strip_run_metadata, toc_notebooks


def refresh(names: list[str], root: Path | None = None) -> None:
    """Execute book notebooks in place with their own defaults (the base scenario), no timings.

    This is how a notebook's committed outputs are made, so nbval compares against what the base
    book shows. Run it after editing a notebook; commit the result. Each cell has the per-cell limits
    of ``make book`` (time and output); a notebook whose run is unchanged is not rewritten, so a
    refresh with nothing changed leaves the file byte for byte as it was.
    """
    from nbclient import NotebookClient

    from alibaba_report.pipeline import cache

    root = root or paths.root()
    stems = [notebook_stem(root, n) for n in names] or toc_notebooks(root)
    env = kernel_env(root)
    os.environ.update({k: env[k] for k in ("REPORT_ROOT", "PYTHONHASHSEED", "MPLBACKEND")})
    for stem in stems:
        path = root / f"{stem}.ipynb"
        before = path.read_text(encoding="utf-8")
        nb = nbformat.reads(before, as_version=4)
        t0 = time.perf_counter()
        client = NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                                record_timing=False, timeout=safety.cell_timeout(),  # as make book
                                kernel_manager_class=cache.kernel_manager_class())  # IPC: no TCP warning
        started: list[int] = []
        client.on_cell_start = lambda cell, cell_index: started.append(cell_index)
        try:
            client.execute()
        except Exception as exc:  # a raise, a timeout, a dead kernel: named by cell, as in make book
            if getattr(exc, "cell_index", None) is None and started:
                exc.cell_index = started[-1]
            partial = safety.real_dir(root, root / "_build" / "refresh") / path.name
            nbformat.write(nb, partial)
            raise safety.notebook_failure(str(path.relative_to(root)), str(partial), exc) from None
        after = nbformat.writes(strip_images(lift_alt_text(strip_run_metadata(nb))))
        after += "" if after.endswith("\n") else "\n"
        if after != before:
            partial = safety.real_dir(root, root / "_build" / "refresh") / path.name
            partial.write_text(after, encoding="utf-8")
            safety.output_problems(str(path.relative_to(root)), str(partial))
            path.write_text(after, encoding="utf-8")
        how = "refreshed" if after != before else "unchanged:"
        print(f"{how} {stem}.ipynb in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

