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

Kernels are started over IPC (unix sockets in a private temporary folder) instead of TCP on
localhost: nothing else on the machine can connect to them, and ipykernel no longer prints its
"running over TCP without encryption" warning at every start (see ``IPCKernelManager``).
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

FORMAT = "1"  # bump to invalidate every stored run when the layout of an entry changes
FRESH_ENV = "REPORT_FRESH"  # "1": ignore stored runs (make book FRESH=1)
KEEP_PER_NOTEBOOK = 6  # entries kept per notebook (least recently used dropped): base, bull, bear...

# Folders that are not inputs: build output, version control, virtual environments, caches.
SKIP_DIRS = frozenset({".git", ".venv", "venv", "_build", "__pycache__", ".ipynb_checkpoints",
                       ".pytest_cache", ".ruff_cache", "node_modules"})


def fresh_requested() -> bool:
    return os.environ.get(FRESH_ENV, "") not in ("", "0")


def cache_dir(root: Path) -> Path:
    return root / "_build" / "cache"


def package_dir() -> Path:
    """Where the package the kernels import lives (the same sys.path as this process)."""
    return Path(__file__).resolve().parents[1]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(obj) -> str:
    return _sha(json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str).encode())


# --- what a run can depend on: a snapshot of the inputs, by content -----------------------------

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


# --- recording what a kernel reads --------------------------------------------------------------

# Runs in the kernel before the first cell (IPKernelApp.exec_lines), in a namespace of its own so
# the notebook sees none of its names. Logs "<event>\t<absolute path>" once per path under the
# watched prefixes: files opened for reading (io.open, os.open, io.open_code for imports) and
# folders listed (os.listdir, os.scandir: glob, iterdir).
_RECORDER = r'''
import os, sys
_log = open(LOG, "a", encoding="utf-8", buffering=1)
_seen = set()
_busy = [False]
def _hook(event, args):
    if _busy[0] or event not in ("open", "os.listdir", "os.scandir"):
        return
    _params = sys.modules.get("alibaba_report.params")
    if _params is not None and getattr(_params, "_QUIET", 0):
        return  # a scenario file read for a parameter: params logs the parameters instead
    _busy[0] = True
    try:
        target = args[0] if args else None
        if event == "open":
            mode, flags = args[1], args[2]
            if target is None or isinstance(target, int):
                return
            if isinstance(mode, str) and "r" not in mode and "+" not in mode:
                return  # written, not read
            if mode is None and isinstance(flags, int) and flags & os.O_ACCMODE == os.O_WRONLY:
                return
        elif target is None or isinstance(target, int):
            target = "."
        path = os.path.abspath(os.fsdecode(os.fspath(target)))
        if path.startswith(PREFIXES) and (event, path) not in _seen:
            _seen.add((event, path))
            _log.write(("f" if event == "open" else "d") + "\t" + path + "\n")
    except Exception:
        pass
    finally:
        _busy[0] = False
sys.addaudithook(_hook)
'''


def recorder_arguments(log: Path, watch: list[Path]) -> list[str]:
    """Kernel command-line arguments that install the read recorder, logging into ``log``."""
    prefixes = tuple(str(Path(p).resolve()) + os.sep for p in watch)
    code = f"LOG = {str(log)!r}\nPREFIXES = {prefixes!r}\n" + _RECORDER
    line = f"exec(compile({code!r}, '<build-cache-recorder>', 'exec'), {{}})"
    return ["--IPKernelApp.exec_lines=" + json.dumps([line])]


def _parent(name: str) -> str:
    """The folder of a snapshot name: ``pkg:chapters/x.py`` → ``pkg:chapters``, ``x.yml`` → ``""``."""
    prefix = "pkg:" if name.startswith("pkg:") else ""
    rest = name[len(prefix):]
    return prefix + (rest.rsplit("/", 1)[0] if "/" in rest else "")


def read_inputs(log: Path, snap: Snapshot) -> dict[str, str]:
    """The recorded inputs of a run (from its log), each with its hash in ``snap``.

    A file read also makes its folder's listing an input, so a file created beside it (one that
    code probes for before reading) counts as a change.
    """
    deps: dict[str, str] = {}
    if not log.exists():
        return deps
    for line in log.read_text(encoding="utf-8").splitlines():
        kind, _, path = line.partition("\t")
        if kind == "p":  # "p <kind> <scenario> <notebook>": parameters read through params
            dep = "p:" + ":".join(path.split("\t"))
            deps[dep] = snap.value(dep)
            continue
        name = snap.name(path)
        if name is None:
            continue
        deps[f"{kind}:{name}"] = snap.value(f"{kind}:{name}")
        if kind == "f":
            deps[f"d:{_parent(name)}"] = snap.value(f"d:{_parent(name)}")
    return deps


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


# --- kernels over IPC ------------------------------------------------------------------------------

def _ipc_kernel_manager():
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        """A kernel reached over unix sockets in a private temporary folder instead of TCP ports on
        localhost: no other user of the machine can connect to it, and ipykernel has no reason to
        print "Kernel is running over TCP without encryption" at every start of every notebook.
        Falls back to TCP when the temporary folder's path is too long for a unix socket."""

        _ipc_dir: str | None = None

        @default("transport")
        def _default_transport(self):
            # a unix socket path is at most 107 bytes; ours is <tmp>/kernel-XXXXXXXX/k-<n>
            return "ipc" if len(tempfile.gettempdir()) < 80 else "tcp"

        @default("ip")
        def _default_ip(self):
            if self.transport != "ipc":
                return super()._ip_default()
            self._ipc_dir = tempfile.mkdtemp(prefix="kernel-")
            return os.path.join(self._ipc_dir, "k")

        async def _async_interrupt_kernel(self):
            # jupyter_client interrupts (SIGINT) every kernel before asking it to shut down; an idle
            # kernel needs no interrupt, and one that is still answering a message logs
            # "KeyboardInterrupt caught in kernel" into the build's output. Real interrupts still work.
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart and self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)

    return IPCKernelManager


def kernel_manager_class():
    """The kernel manager class the build hands to papermill/nbclient (IPC, see above)."""
    global _KM
    if _KM is None:
        _KM = _ipc_kernel_manager()
    return _KM


_KM = None
