"""The build's execution cache: a notebook is executed again only when something it ran on changed.

Jupyter Book's own cache (jupyter-cache) keys a notebook on its code cells only, so an edited claim,
scenario value or package function would leave a page stale. This cache keys an executed notebook on
everything its run depended on, by content (sha256, never a timestamp):

* the **key** of a run: the notebook (cells and metadata, not its committed outputs), the parameters
  injected into it, the kernel's environment, ``requirements.txt`` and the versions of the installed
  distributions (third-party code), the Python version and the build code that executes and
  post-processes notebooks (``pipeline/``);
* the **inputs** it read, recorded while it ran: an audit hook (PEP 578) installed in the kernel
  before the first cell logs every file the notebook's code opened for reading and every folder it
  listed, inside the repository and inside the package (wherever it is imported from). Files under
  ``data/`` and ``seeds/``, the package modules it imported (a ``.pyc`` counts as its ``.py``),
  ``_toc.yml`` or another notebook: whatever it read is an input, and so is the list of names of
  each folder it read from (a new file where a notebook looks is a change too);
* the **parameters** it asked ``params`` for, instead of the scenario files they come from: each
  ``scenario_parameters(scenario, notebook)`` / ``scenario_entries`` call in the kernel is logged,
  and its input is the digest of those resolved values (with their reasons for ``scenario_entries``),
  base and shared values included. One changed value then re-runs only the notebooks that read it.

Only what a notebook can read is hashed (``INPUT_DIRS``, ``INPUT_FILES``, the package): regular
files, read in blocks; links are followed only where they stay inside the checkout. A FIFO or a big
untracked file elsewhere is never opened. A notebook that reads a file outside that set gets a run
that is never reused (``UNHASHED``), so the cache can be slower but never stale.

A stored run is reused when its key matches and every recorded input has the same content now. That
is sound because a run is deterministic (the notebooks promise it; nbval and the two-builds test
check it): with the same code, parameters and inputs it would read the same files and print the same
outputs. What it cannot see: a file a notebook only probes for (``Path.exists``) without reading it
or listing its folder, and files read by a subprocess of the kernel; neither happens in this book.

Each entry holds the executed notebook (already post-processed by the driver), the chart CSVs the
run wrote (``style.show``) and an integrity digest over all of it (a damaged or edited entry is
removed with a note and the notebook executed again), under ``_build/cache/<notebook>/<key>/<inputs>/``. Hashes of the inputs
are taken once, before any notebook runs (``snapshot``): a file edited during a build is stored
under its old hash, so the next build sees the change and executes again.

``make book FRESH=1`` (``$REPORT_FRESH=1``) ignores stored runs and executes everything (the fresh
runs are still stored). ``_build`` can be deleted at any time.

The snapshot of inputs is ``snapshot.py``, the recorder of what a kernel reads ``recorder.py``, the
kernel manager (IPC) ``kernels.py``; this module keys, stores and finds runs.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alibaba_report.pipeline.kernels import kernel_manager_class  # noqa: F401 - re-exported
from alibaba_report.pipeline.recorder import read_inputs, recorder_arguments  # noqa: F401 - re-exported
from alibaba_report.pipeline.snapshot import (  # noqa: F401 - re-exported: the cache's one import
    INPUT_DIRS, INPUT_FILES, SKIP_DIRS, UNHASHED, Snapshot, _digest, file_sha, hash_tree, installed_distributions,
    notebook_digest, package_dir, parameter_digests, snapshot,
)

FORMAT = "1"  # bump to invalidate every stored run when the layout of an entry changes
FRESH_ENV = "REPORT_FRESH"  # "1": ignore stored runs (make book FRESH=1)
KEEP_PER_NOTEBOOK = 6  # entries kept per notebook (least recently used dropped): base, bull, bear...


def fresh_requested() -> bool:
    return os.environ.get(FRESH_ENV, "") not in ("", "0")


def cache_dir(root: Path) -> Path:
    return root / "_build" / "cache"


def run_key(snap: Snapshot, notebook: Path, parameters: dict, env: dict) -> str:
    """The key of one run: what is known before it starts (its inputs are recorded while it runs)."""
    build = sorted((k, v) for k, v in snap.hashes.items() if k.startswith("f:pkg:pipeline/"))
    return _digest({
        "format": FORMAT,
        "python": sys.version,
        "requirements": snap.value("f:requirements.txt"),
        "installed": installed_distributions(),
        "build_code": build,
        "notebook": notebook_digest(notebook),
        "parameters": parameters,
        "env": env,
    })



# --- the store -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    entry: Path
    seconds: float  # what the stored run took to execute

    @property
    def notebook(self) -> Path:
        return self.entry / "notebook.ipynb"

    @property
    def chart_data(self) -> Path:
        return self.entry / "chart-data"


def _notebook_dir(root: Path, stem: str) -> Path:
    from alibaba_report.pipeline import safety

    path = cache_dir(root) / stem.replace("/", "__")
    safety.real_dir(root, path.parent)  # a planted link in _build/cache is refused, never followed
    return path


DIGEST_FILE = "digest"  # sha256 over every other file of the entry: a damaged entry is never used


def entry_digest(entry: Path) -> str:
    """The integrity digest of a cache entry: its files' names and contents. Raises ValueError for
    anything but regular files and folders (a planted link is damage, never followed)."""
    h = hashlib.sha256()
    for path in sorted(entry.rglob("*")):
        rel = path.relative_to(entry).as_posix()
        if rel == DIGEST_FILE:
            continue
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            raise ValueError(f"{rel} is a symbolic link or not a regular file")
        if path.is_file():
            h.update(rel.encode() + b"\0" + file_sha(path).encode() + b"\n")
    return h.hexdigest()


def _damage(entry: Path) -> str | None:
    """Why a stored entry cannot be used as it is (None: it is whole and well formed)."""
    if entry.is_symlink() or not entry.is_dir():
        return "it is a symbolic link or not a folder"
    try:
        recorded = (entry / DIGEST_FILE).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return "it has no integrity digest"
    try:
        actual = entry_digest(entry)
    except (OSError, ValueError) as exc:
        return str(exc)
    if actual != recorded:
        return "its files differ from its integrity digest (changed or truncated after it was stored)"
    for name in ("notebook.ipynb", "inputs.json", "run.json"):
        if not (entry / name).is_file():
            return f"{name} is missing"
    try:
        deps = json.loads((entry / "inputs.json").read_text(encoding="utf-8"))
        meta = json.loads((entry / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "inputs.json or run.json is not valid JSON"
    if not (isinstance(deps, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in deps.items())):
        return "inputs.json is not a mapping of input to hash"
    if not (isinstance(meta, dict) and isinstance(meta.get("seconds", 0.0), (int, float))):
        return "run.json is not a mapping with the run's seconds"
    return None


def lookup(root: Path, stem: str, key: str, snap: Snapshot) -> Hit | None:
    """A stored run of ``stem`` under ``key`` whose recorded inputs all still hash the same.

    An entry that is damaged or was changed after it was stored (its integrity digest differs,
    its JSON is not what the store wrote, a link was planted in it) is removed with a note and
    never used: the notebook is executed again."""
    from alibaba_report.pipeline import safety

    base = _notebook_dir(root, stem) / key
    if base.is_symlink():
        raise safety.BuildError(safety.link_message(base), safety.EXIT_ENV)
    if not base.is_dir():
        return None
    for entry in sorted(base.iterdir()):
        if entry.name.startswith(".incoming-"):
            continue  # being written (or abandoned by a killed build)
        why = _damage(entry)
        if why is not None:
            print(f"note: the stored run of {stem}.ipynb ({entry.relative_to(root)}) is damaged: {why}; "
                  "it is removed and the notebook is executed again", file=sys.stderr)
            with contextlib.suppress(OSError):
                entry.unlink() if entry.is_symlink() or not entry.is_dir() else shutil.rmtree(entry)
            continue
        deps = json.loads((entry / "inputs.json").read_text(encoding="utf-8"))
        meta = json.loads((entry / "run.json").read_text(encoding="utf-8"))
        if all(h != UNHASHED and snap.value(d) == h for d, h in deps.items()):
            os.utime(entry)  # least recently used goes first when the cache is pruned
            return Hit(entry, float(meta.get("seconds", 0.0)))
    return None


def store(root: Path, stem: str, key: str, notebook: Path, chart_data: Path | None,
          deps: dict[str, str], seconds: float) -> Path:
    """Keep an executed notebook and the chart CSVs it wrote, under its key and recorded inputs,
    with an integrity digest over all of it."""
    from alibaba_report.pipeline import safety

    base = safety.real_dir(root, _notebook_dir(root, stem) / key)
    entry = base / _digest(deps)[:32]
    tmp = Path(tempfile.mkdtemp(prefix=".incoming-", dir=base))
    shutil.copy2(notebook, tmp / "notebook.ipynb")
    if chart_data is not None and chart_data.is_dir():
        shutil.copytree(chart_data, tmp / "chart-data")
    (tmp / "inputs.json").write_text(json.dumps(deps, indent=0, sort_keys=True))
    (tmp / "run.json").write_text(json.dumps({"seconds": round(seconds, 3), "stem": stem}))
    (tmp / DIGEST_FILE).write_text(entry_digest(tmp) + "\n", encoding="ascii")
    if entry.is_symlink():
        entry.unlink()
    elif entry.exists():
        shutil.rmtree(entry)
    tmp.rename(entry)  # whole entries only: a build killed mid-store leaves a .incoming- folder
    prune(root, stem)
    return entry


def prune(root: Path, stem: str, keep: int = KEEP_PER_NOTEBOOK) -> None:
    """Drop all but the ``keep`` most recently used entries of a notebook (and abandoned temps)."""
    nbdir = _notebook_dir(root, stem)
    if nbdir.is_symlink() or not nbdir.is_dir():
        return
    entries = []
    for key_dir in nbdir.iterdir():
        if key_dir.is_symlink() or not key_dir.is_dir():
            continue
        for entry in key_dir.iterdir():
            if entry.name.startswith(".incoming-") or entry.is_symlink():
                continue
            entries.append((entry.stat().st_mtime_ns, entry))
    for _, entry in sorted(entries, reverse=True)[keep:]:
        shutil.rmtree(entry, ignore_errors=True)
    for key_dir in nbdir.iterdir():
        if key_dir.is_dir() and not key_dir.is_symlink() and \
                not any(e for e in key_dir.iterdir() if not e.name.startswith(".incoming-")):
            shutil.rmtree(key_dir, ignore_errors=True)


def restore(hit: Hit, dst: Path, chart_dir: Path) -> None:
    """Put a stored run where a fresh one would have written: the notebook and its chart CSVs."""
    shutil.copy2(hit.notebook, dst)
    if hit.chart_data.is_dir():
        chart_dir.mkdir(parents=True, exist_ok=True)
        for f in hit.chart_data.iterdir():
            shutil.copy2(f, chart_dir / f.name)


# --- the charts' JavaScript ---------------------------------------------------------------------

def vega_bundle(root: Path) -> str:
    """vl-convert's JavaScript bundle (``charts.interactive.bundle_text``), kept under
    ``_build/cache/vega/<vl-convert version>/``: making it took 1.4 s of every render. It depends on
    the installed vl-convert only; a stored copy whose digest no longer matches is made again."""
    import re

    import vl_convert

    from alibaba_report.charts import interactive
    from alibaba_report.pipeline import safety

    version = str(vl_convert.__version__)
    if not re.fullmatch(r"[0-9A-Za-z.+-]+", version):
        return interactive.bundle_text()
    folder = safety.real_dir(root, cache_dir(root) / "vega" / version)
    stored, digest = safety.real_file(root, folder / "vega-bundle.js"), safety.real_file(root, folder / "vega-bundle.sha256")
    if stored.is_file() and digest.is_file() and file_sha(stored) == digest.read_text(encoding="utf-8").strip():
        return stored.read_text(encoding="utf-8")
    text = interactive.bundle_text()
    safety.write_atomic(stored, text)
    safety.write_atomic(digest, file_sha(stored))
    return text
