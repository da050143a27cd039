"""What a notebook's run can depend on, hashed by content (sha256, never a timestamp): a snapshot of
every file and folder listing a notebook could read, and the resolved parameters it asks ``params``
for.

Only what a notebook can read is hashed (``INPUT_DIRS``, ``INPUT_FILES``, the package): regular
files, read in blocks; links are followed only where they stay inside the checkout. A FIFO or a big
untracked file elsewhere is never opened. A notebook that reads a file outside that set gets a run
that is never reused (``UNHASHED``), so the cache can be slower but never stale. Hashes are taken
once, before any notebook runs: a file edited during a build is stored under its old hash, so the
next build sees the change and executes again.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

# Folders that are not inputs: build output, version control, virtual environments, caches.
SKIP_DIRS = frozenset({".git", ".venv", "venv", "_build", "__pycache__", ".ipynb_checkpoints",
                       ".pytest_cache", ".ruff_cache", "node_modules"})



def package_dir() -> Path:
    """Where the package the kernels import lives (the same sys.path as this process)."""
    return Path(__file__).resolve().parents[1]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(obj) -> str:
    return _sha(json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str).encode())


# What a notebook can read, and so all the snapshot hashes: these folders and files of the checkout
# and the package. Anything else in the checkout (an untracked file, a FIFO, a big archive) is never
# opened; a notebook that reads such a file anyway gets a run that is never reused (UNHASHED).
INPUT_DIRS = ("data", "seeds", "book")
INPUT_FILES = ("_toc.yml", "_config.yml", "requirements.txt", "pyproject.toml")
UNHASHED = "unhashed"  # an input outside the snapshot: the run it was read by is never reused


def file_sha(path: Path) -> str:
    """The sha256 of a regular file, read in blocks (a big file never sits in memory whole)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """Content hashes of every file (``f:<name>``) and folder listing (``d:<name>``) a notebook could
    read, named relative to the repository root or, for the package, as ``pkg:<path>``; and the
    resolved parameters of each notebook under each scenario (``p:<kind>:<scenario>:<notebook>``)."""

    root: Path
    package: Path
    hashes: dict[str, str]

    def name(self, path: str) -> str | None:
        """The snapshot name of an absolute path, or None if it is not a possible input."""
        p = Path(os.path.abspath(path))
        for base, prefix in ((self.package, "pkg:"), (self.root, "")):
            try:
                rel = p.relative_to(base)
            except ValueError:
                continue
            parts = rel.parts
            if "__pycache__" in parts[:-1] and p.suffix == ".pyc":  # a compiled module is its source
                parts = parts[:-2] + (p.name.split(".", 1)[0] + ".py",)
            if any(part in SKIP_DIRS for part in parts):
                return None
            return prefix + "/".join(parts)
        return None

    def value(self, dep: str) -> str:
        if dep in self.hashes:
            return self.hashes[dep]
        kind, _, name = dep.partition(":")
        if kind not in ("f", "d"):
            return "missing"
        path = self.package / name[4:] if name.startswith("pkg:") else self.root / name
        return UNHASHED if os.path.lexists(path) else "missing"


def hash_tree(base: Path, start: Path, prefix: str, hashes: dict[str, str]) -> None:
    """Hash the regular files and the folder listings under ``start`` (inside ``base``), following
    symbolic links that stay inside ``base`` and never opening anything but a regular file."""
    seen: set[str] = set()

    def visit(folder: Path) -> None:
        real = os.path.realpath(folder)
        if real in seen or not Path(real).is_relative_to(os.path.realpath(base)):
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        rel = folder.relative_to(base).as_posix()
        rel = "" if rel == "." else rel
        names = [e.name for e in entries if not (e.name in SKIP_DIRS and e.is_dir())]
        hashes[f"d:{prefix}{rel}"] = _digest(names)
        for e in entries:
            if e.name in SKIP_DIRS:
                continue
            path = Path(e.path)
            try:
                st = path.stat()
                if e.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(base)):
                    continue  # a link out of the checkout is no input (data/ refuses it by name)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                visit(path)
            elif stat.S_ISREG(st.st_mode):
                name = f"{prefix}{rel}/{e.name}" if rel else f"{prefix}{e.name}"
                try:
                    hashes[f"f:{name}"] = file_sha(path)
                except OSError:
                    continue

    if start.is_dir():
        visit(start)


def snapshot(root: Path, package: Path | None = None, parameters: dict[str, str] | None = None) -> Snapshot:
    """Hash what a notebook can read: the files under INPUT_DIRS, the INPUT_FILES, the root's list
    of names, every file of the package (skipping SKIP_DIRS); plus ``parameters``
    (``parameter_digests``: what each notebook reads of the scenarios, resolved)."""
    root, package = Path(root).resolve(), Path(package or package_dir()).resolve()
    hashes: dict[str, str] = {}
    with contextlib.suppress(OSError):
        hashes["d:"] = _digest(sorted(n for n in os.listdir(root) if n not in SKIP_DIRS))
    for name in INPUT_FILES:
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.stat(root / name).st_mode):
                hashes[f"f:{name}"] = file_sha(root / name)
    for name in INPUT_DIRS:
        hash_tree(root, root / name, "", hashes)
    hash_tree(package, package, "pkg:", hashes)
    hashes.update(parameters or {})
    return Snapshot(root, package, hashes)


def parameter_digests() -> dict[str, str]:
    """For every scenario file and every notebook with parameters, the digest of what the notebook
    reads of it through ``params``: its values (``p:v:<scenario>:<notebook>``) and its values with
    their reasons (``p:e:...``), base and shared values resolved. A run is keyed on these, not on
    whole scenario files, so a changed value re-runs only the notebooks that read it."""
    from alibaba_report import params

    sections = functools.cache(params.scenario_sections)
    out: dict[str, str] = {}
    for scen in params.known_scenarios():
        for nb in params.notebooks_with_specs():
            try:
                entries = params.resolve_entries(scen, nb, sections)
            except params.ParameterError as exc:
                out[f"p:v:{scen}:{nb}"] = out[f"p:e:{scen}:{nb}"] = "invalid:" + _sha(str(exc).encode())
                continue
            out[f"p:v:{scen}:{nb}"] = _digest({k: v.value for k, v in entries.items()})
            out[f"p:e:{scen}:{nb}"] = _digest({k: [v.value, v.reason] for k, v in entries.items()})
    return out


# Metadata a run writes into a notebook (refresh commits it): derived, so never part of a key.
_DERIVED_NB_METADATA = ("language_info", "papermill", "widgets")
_DERIVED_CELL_METADATA = ("execution", "papermill")


def notebook_digest(path: Path) -> str:
    """The notebook without its outputs, execution counts and derived metadata (timings, the chart
    alt text lifted from outputs, the kernel's language version): what a run executes."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for key in _DERIVED_NB_METADATA:
        nb.get("metadata", {}).pop(key, None)
    for cell in nb.get("cells", []):
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
        meta = cell.get("metadata", {})
        for key in _DERIVED_CELL_METADATA:
            meta.pop(key, None)
        image = meta.get("mystnb", {}).get("image", {})
        image.pop("alt", None)
        if "mystnb" in meta and not image:
            meta["mystnb"].pop("image", None)
        if meta.get("mystnb") == {}:
            meta.pop("mystnb")
    return _digest(nb)


@functools.lru_cache(maxsize=1)  # read once per process: about 0.1 s
def installed_distributions() -> tuple[str, ...]:
    """``name==version`` of every distribution installed where the kernels run (this interpreter):
    the third-party code a notebook runs, as installed, which requirements.txt pins."""
    from importlib import metadata

    return tuple(sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions() if d.metadata["Name"]}))

