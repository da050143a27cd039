"""What keeps a build safe to run: exit codes, the build lock, atomic publishing, execution limits
and the one top-level error handler.

Only the standard library is imported at module level, so the publishing fault test can start a
process that imports this module and kill it at any instant cheaply.

Publishing. A published site (``_build/html``, ``_build/scenarios/<name>/html``) is a symbolic
link to a complete version folder beside it (``.html.versions/<n>``). A new site is renamed into a
new version folder (one rename: complete or absent), then a new link replaces the old one with
``os.replace`` (one rename: the old site or the new one, never neither), then older versions are
renamed to ``*.trash`` and removed. A crash at any instant leaves the target pointing at a complete
site; :func:`recover`, run at the start of every build, removes what a crash left half done. A site
published by an older driver as a real folder is exchanged for the link in one ``renameat2`` call
(``RENAME_EXCHANGE``) where the system has it; elsewhere the two renames are journalled by the
version folders and :func:`recover` repoints the target if a crash fell between them.
"""
from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from pathlib import Path

EXIT_DATA = 2  # data/ or seeds/ invalid: nothing was run
EXIT_NOTEBOOK = 3  # a notebook raised, timed out, printed too much or its kernel died
EXIT_RENDER = 4  # jupyter-book reported an error or a warning
EXIT_ENV = 5  # the machine: a folder not writable, a tool or the environment missing
EXIT_BUSY = 6  # another build holds the lock of this checkout
EXIT_INTERNAL = 70  # a bug in the package (EX_SOFTWARE): rerun with --debug for the traceback
EXIT_INTERRUPTED = 130  # Ctrl-C

EXIT_MEANINGS = {
    EXIT_DATA: "invalid data, seeds or parameters",
    EXIT_NOTEBOOK: "a notebook failed",
    EXIT_RENDER: "rendering failed",
    EXIT_ENV: "the environment (files, folders, tools)",
    EXIT_BUSY: "another build is running",
    EXIT_INTERNAL: "an internal error",
    EXIT_INTERRUPTED: "interrupted",
}

# Per-cell execution limits; both can be changed with --cell-timeout / --max-output-mb or these
# variables. The slowest cell of the book took 7.9 s on a shared 2-core machine (a cloud_ai
# cell, measured with papermill under load); 120 s is fifteen times that. The largest
# output of a cell is 0.16 MB (a chart's PNG); 5 MB is thirty times that.
CELL_TIMEOUT_ENV, CELL_TIMEOUT_DEFAULT = "REPORT_CELL_TIMEOUT", 120.0
MAX_OUTPUT_ENV, MAX_OUTPUT_MB_DEFAULT = "REPORT_MAX_OUTPUT_MB", 5.0


class BuildError(RuntimeError):
    """A failure the driver reports and exits on; ``code`` is the exit status."""

    def __init__(self, message: str, code: int):
        # both in args: the error crosses from a worker process by pickle, which rebuilds it from args
        super().__init__(message, code)
        self.message, self.code = message, code

    def __str__(self) -> str:
        return self.message


def short(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: an error message never quotes a huge value."""
    text = reprlib_repr(value, limit)
    return text


def cut(text: str, limit: int) -> str:
    """``text`` unquoted, cut to ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def reprlib_repr(value: object, limit: int) -> str:
    # repr of a str or a number is cheap; anything else may be huge (a YAML bomb expands to
    # lists of lists): describe it by type and size instead of building its repr.
    if isinstance(value, str):
        text = repr(value[: limit + 1])
        return text if len(value) <= limit else text[:-1] + "…'" + f" ({len(value)} characters)"
    if isinstance(value, (int, float, bool)) or value is None:
        return repr(value)[:limit]
    try:
        size = f" of {len(value)} items"  # type: ignore[arg-type]
    except TypeError:
        size = ""
    return f"a {type(value).__name__}{size}"


# --- limits ------------------------------------------------------------------------------------

def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
        if not value > 0:
            raise ValueError
    except ValueError:
        raise BuildError(f"{name}={short(raw)}: expected a positive number", EXIT_DATA) from None
    return value


def cell_timeout() -> float:
    """Seconds a notebook cell may run before the build stops it."""
    return _env_number(CELL_TIMEOUT_ENV, CELL_TIMEOUT_DEFAULT)


def max_output_bytes() -> int:
    """Bytes of output (text, HTML, images) one cell may produce."""
    return int(_env_number(MAX_OUTPUT_ENV, MAX_OUTPUT_MB_DEFAULT) * 1_000_000)


def _source_index(cells, index: int) -> int:
    """Position of executed cell ``index`` in the source notebook (papermill inserts a cell)."""
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    return index - sum(1 for i in injected if i < index)


def _first_line(source: str) -> str:
    line = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
    return short(line, 70)


def _cell_label(src: str, cells, index: int) -> str:
    return (f"{src}: cell {_source_index(cells, index)} (counting from 0 in the source notebook; "
            f"first line {_first_line(cells[index].get('source', ''))})")


PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"


def notebook_failure(src: str, dst: str, exc: BaseException) -> BuildError:
    """A BuildError naming the notebook, its cell (numbered as in the source) and what happened."""
    import nbformat

    try:
        cells = nbformat.read(dst, as_version=4).cells
    except Exception:  # noqa: BLE001 - the output may be absent if the kernel never started
        cells = []
    # papermill writes its own error banner (a markdown cell) at the top of the output after it
    # numbered the failing cell: without it the numbering is the one the error carries
    cells = [c for c in cells if PAPERMILL_ERROR_TAG not in c.get("metadata", {}).get("tags", [])]
    index = getattr(exc, "cell_index", None)
    source = getattr(exc, "source", None)
    if index is not None and source is not None and not (
            index < len(cells) and cells[index].get("source") == source):
        # the error's cell, found by its code when the numbering does not point at it
        index = next((i for i, c in enumerate(cells) if c.get("cell_type") == "code"
                      and c.get("source") == source), index)
    if index is None:  # a timeout or a dead kernel: the last cell papermill started
        started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
        index = started[-1] if started else None
    where = _cell_label(src, cells, index) if index is not None and index < len(cells) else f"{src}"
    name = type(exc).__name__
    if name == "PapermillExecutionError":
        what = f"raised {exc.ename}: {cut(str(exc.evalue), 300)}"
    elif name == "CellTimeoutError" or isinstance(exc, TimeoutError):
        what = (f"ran longer than the limit of {cell_timeout():g} s per cell and was stopped "
                f"(raise it with --cell-timeout or {CELL_TIMEOUT_ENV})")
    elif name == "DeadKernelError":
        what = ("its kernel died (out of memory, killed, or the Python environment .venv changed "
                "during the build; rerun, and if .venv was removed run `make book` to recreate it)")
    else:
        what = f"could not be executed: {name}: {cut(str(exc), 300)}"
    return BuildError(f"{where} {what}", EXIT_NOTEBOOK)


def output_problems(src: str, dst: str, limit: int | None = None) -> None:
    """Raise a BuildError for the first cell whose outputs exceed ``limit`` bytes."""
    import json

    import nbformat

    limit = max_output_bytes() if limit is None else limit
    cells = nbformat.read(dst, as_version=4).cells
    for index, cell in enumerate(cells):
        size = len(json.dumps(cell.get("outputs", []), ensure_ascii=False).encode("utf-8"))
        if size > limit:
            raise BuildError(
                f"{_cell_label(src, cells, index)} produced {size / 1e6:.1f} MB of output, "
                f"above the limit of {limit / 1e6:g} MB per cell (raise it with --max-output-mb "
                f"or {MAX_OUTPUT_ENV})", EXIT_NOTEBOOK)


# --- the build lock ------------------------------------------------------------------------------

_LOCK_FD: int | None = None  # the descriptor holding the lock in this process (closed in forked children)


def _forget_lock_in_child() -> None:
    """In a forked child (a pool worker), close the inherited lock descriptor: the lock belongs to
    the driver alone, so a worker that outlives a killed driver never keeps it."""
    global _LOCK_FD
    if _LOCK_FD is not None:
        with contextlib.suppress(OSError):
            os.close(_LOCK_FD)
        _LOCK_FD = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_lock_in_child)


def die_with_parent(parent: int) -> None:
    """Run in each pool worker as it starts: ask Linux to send it SIGTERM when the driver dies
    (``prctl(PR_SET_PDEATHSIG)``), so ``kill`` or ``kill -9`` of the driver leaves no worker behind
    (its kernel stops by itself when its parent is gone: ipykernel polls its parent)."""
    import signal

    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:  # the driver died before the request was made
        os._exit(1)


def _holder_pid(text: str) -> int | None:
    m = re.match(r"pid (\d+)\b", text)
    return int(m.group(1)) if m else None


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie, dead but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _open_lock(lock: Path) -> int:
    try:
        return os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError:
        if lock.is_symlink():
            raise BuildError(link_message(lock), EXIT_ENV) from None
        raise


@contextlib.contextmanager
def build_lock(root: Path, wait: bool = False, poll: float = 0.5):
    """Hold ``_build/.lock`` for the duration of a build; refuse (or wait) if another holds it.

    The lock is ``flock`` on the file: the kernel releases it when its holder exits, however it
    ends. The driver's pool workers close their inherited copy as they start and die with the
    driver, so no leftover process keeps it. A lock still held for a process that is gone (left
    by a build of an older driver) is taken over with a note; ``--wait`` polls, so it never hangs
    on a dead holder."""
    import fcntl

    global _LOCK_FD
    build = real_dir(Path(root), Path(root) / "_build")
    lock = build / ".lock"
    said_waiting = False
    while True:
        fd = _open_lock(lock)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = os.pread(fd, 300, 0).decode("utf-8", "replace").strip() or "a process"
            pid = _holder_pid(holder)
            if pid is not None and pid != os.getpid() and not pid_alive(pid):
                # the lock is held by a leftover of a build whose driver is gone: unlink the file it
                # holds (its descriptor keeps the old file) and lock a new one
                with contextlib.suppress(OSError):
                    if os.fstat(fd).st_ino == os.lstat(lock).st_ino:
                        os.unlink(lock)
                os.close(fd)
                print(f"note: the build lock was held for pid {pid}, which is no longer running (a build "
                      "killed before it finished); taking it over", file=sys.stderr)
                continue
            os.close(fd)
            if not wait:
                raise BuildError(
                    f"another build is running in this checkout ({holder}; lock {lock}); "
                    "wait for it to finish, or run again with --wait", EXIT_BUSY) from None
            if not said_waiting:
                print(f"waiting for the other build to finish ({holder})", file=sys.stderr)
                said_waiting = True
            time.sleep(poll)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, since {time.strftime('%H:%M:%S')}".encode(), 0)
        _LOCK_FD = fd
        yield lock
    finally:
        _LOCK_FD = None
        os.close(fd)  # closing releases the lock


# --- _build: real folders only ------------------------------------------------------------------------

def shown(path: Path) -> str:
    """A path under _build as a message names it: from ``_build`` on (the build runs in the checkout)."""
    parts = Path(path).parts
    if "_build" in parts:
        return str(Path(*parts[len(parts) - 1 - parts[::-1].index("_build"):]))
    return str(path)


def link_message(path: Path) -> str:
    try:
        to = os.readlink(path)
    except OSError:
        to = "?"
    return (f"{shown(path)} is a symbolic link (to {short(to, 120)}): the build writes only into real "
            f"folders under _build/ and never follows a link it did not create; remove the link "
            f"(rm {shown(path)}) and build again")


def real_dir(root: Path, path: Path, create: bool = True) -> Path:
    """``path``, a folder under ``root``, with every part of it from ``root`` down a real folder:
    never a symbolic link (the build does not follow links planted in _build/, so it never writes
    or deletes outside it) and never a file. Created when missing (``create``)."""
    root, path = Path(root), Path(root) / Path(path).relative_to(root)
    cur = root
    for part in path.relative_to(root).parts:
        cur = cur / part
        if cur.is_symlink():
            raise BuildError(link_message(cur), EXIT_ENV)
        if cur.exists() and not cur.is_dir():
            raise BuildError(f"{shown(cur)} is a file, not a folder: the build needs a folder there; remove "
                             f"it (rm {shown(cur)}) and build again", EXIT_ENV)
        if create and not cur.exists():
            with contextlib.suppress(FileExistsError):
                cur.mkdir()
    return path


def real_file(root: Path, path: Path) -> Path:
    """``path`` (a file the build writes or reads back under _build/) in real folders, and not
    itself a symbolic link or a folder."""
    real_dir(root, Path(path).parent)
    path = Path(path)
    if path.is_symlink():
        raise BuildError(link_message(path), EXIT_ENV)
    if path.exists() and not path.is_file():
        raise BuildError(f"{shown(path)} is not a regular file: remove it (rm -r {shown(path)}) and build again",
                         EXIT_ENV)
    return path


def check_published_link(target: Path) -> None:
    """A published site is a link the build made, to a version folder beside it, or a real folder
    (older drivers); anything else (a planted link) is refused before the build touches it."""
    versions = _versions(target)
    if versions.is_symlink():
        raise BuildError(link_message(versions), EXIT_ENV)
    if target.is_symlink():
        dest = os.readlink(target)
        if not re.fullmatch(re.escape(versions.name) + r"/\d+", dest):
            raise BuildError(link_message(target), EXIT_ENV)


# --- publishing ----------------------------------------------------------------------------------

def _versions(target: Path) -> Path:
    return target.parent / f".{target.name}.versions"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), rename_exchange) == 0


def _exchange_supported(folder: Path) -> bool:
    """Whether ``folder``'s file system swaps two paths in one step (tests use it)."""
    a, b = folder / f".exchange-probe-a-{os.getpid()}", folder / f".exchange-probe-b-{os.getpid()}"
    a.mkdir(exist_ok=True)
    b.mkdir(exist_ok=True)
    try:
        return _exchange(a, b)
    finally:
        a.rmdir()
        b.rmdir()


def _link_to(version: Path, target: Path) -> None:
    """Point ``target`` at ``version`` with one atomic rename of a fresh link over it."""
    tmp = target.parent / f".{target.name}.link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(os.path.relpath(version, target.parent), tmp)
    if target.is_symlink() or not target.exists():
        os.replace(tmp, target)
        return
    # a real folder published by an older driver
    legacy = _versions(target) / f"{time.time_ns()}-legacy"
    if _exchange(tmp, target):
        os.rename(tmp, legacy)  # tmp is now the old folder
    else:
        os.rename(target, legacy)  # a crash here leaves no target: recover() repoints it
        os.replace(tmp, target)


def _version_key(p: Path) -> int:
    m = re.match(r"(\d+)", p.name)
    return int(m.group(1)) if m else -1


def current_version(target: Path) -> Path | None:
    """The version folder ``target`` points to, or None (a real folder or nothing)."""
    if not target.is_symlink():
        return None
    dest = (target.parent / os.readlink(target)).resolve()
    return dest if dest.is_dir() else None


def recover(target: Path) -> None:
    """Finish or undo what a crash left half done, so ``target`` names a complete site if any."""
    import shutil

    check_published_link(target)
    parent, versions = target.parent, _versions(target)
    if parent.is_dir():
        for tmp in parent.glob(f".{target.name}.link-*"):
            with contextlib.suppress(OSError):
                # a link not yet swapped in, or the old folder an exchange left under its name
                shutil.rmtree(tmp) if tmp.is_dir() and not tmp.is_symlink() else tmp.unlink()
    if not versions.is_dir():
        return
    candidates = sorted((p for p in versions.iterdir() if p.is_dir() and not p.name.endswith(".trash")),
                        key=_version_key)
    if (target.is_symlink() and current_version(target) is None) or (not target.is_symlink() and not target.exists()):
        if candidates:  # a crash between the two renames of a legacy swap, or a lost version
            _link_to(candidates[-1], target)
    keep = current_version(target)
    for p in list(versions.iterdir()):
        if keep is not None and p.resolve() == keep:
            continue
        if not target.exists() and not p.name.endswith(".trash"):
            continue  # nothing published: keep every complete version
        trash = p if p.name.endswith(".trash") else p.with_name(p.name + ".trash")
        with contextlib.suppress(OSError):
            if trash != p:
                os.rename(p, trash)
            shutil.rmtree(trash) if trash.is_dir() and not trash.is_symlink() else trash.unlink()


def publish(new_html: Path, target: Path) -> None:
    """Make ``new_html`` (a complete rendered site) the published ``target``, atomically."""
    check_published_link(target)
    versions = _versions(target)
    versions.mkdir(parents=True, exist_ok=True)
    recover(target)
    version = versions / str(time.time_ns())
    os.rename(new_html, version)  # complete or absent
    _fsync_dir(versions)
    _link_to(version, target)  # the old site or the new one, never neither
    _fsync_dir(target.parent)
    recover(target)  # removes the old versions


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` (never written through: a link there is replaced, not followed)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # a leftover (or a planted link) is removed, never written through
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def site_state(target: Path, root: Path) -> str:
    """A sentence for a failed build: what is published now."""
    try:
        rel = target.relative_to(root)
    except ValueError:
        rel = target
    if target.is_symlink():
        try:
            check_published_link(target)
        except BuildError:
            return f"nothing was published: {rel} or the folder it points into is a link the build did not make (left as it is)"
    if (target / "index.html").exists():
        return f"the last good site, {rel}, was left in place"
    return f"no site was published: {rel} does not exist yet (any other site was left in place)"


# --- the top-level handler -------------------------------------------------------------------------

def _os_message(exc: OSError) -> str:
    what = exc.filename or "a file"
    if isinstance(exc, FileNotFoundError) and str(what).startswith((sys.prefix, sys.exec_prefix)):
        return (f"{what}: missing from the Python environment ({sys.prefix}); was .venv removed or "
                "changed during the build? Run `make book` to recreate it, then build again")
    extra = f" -> {exc.filename2}" if exc.filename2 else ""
    return (f"{what}{extra}: {exc.strerror or exc} (errno {exc.errno}): the build writes only under "
            "_build/ and reads the repository; check that these exist and are writable, then run again")


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code and message for any exception that reaches the top."""
    from alibaba_report.evidence.ledger import LedgerError, UnknownClaimError
    from alibaba_report.params import ParameterError

    if isinstance(exc, BuildError):
        return exc.code, exc.message
    if isinstance(exc, (LedgerError, ParameterError, UnknownClaimError)):
        return EXIT_DATA, str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return EXIT_DATA, f"a file is not valid UTF-8: {exc}"
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED, "interrupted"
    if isinstance(exc, MemoryError):
        return EXIT_ENV, "out of memory"
    if isinstance(exc, OSError):
        return EXIT_ENV, _os_message(exc)
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    at = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}" if tb else ""
    return EXIT_INTERNAL, (f"internal error{at}: {type(exc).__name__}: {cut(str(exc), 300)}. "
                           "This is a bug, not bad input; rerun with --debug for the traceback")


def run_guarded(fn, debug: bool = False, after_failure=None) -> int:
    """Run ``fn()``; on any failure print one message and return its kind's exit code."""
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the one place every failure is reported
        if isinstance(exc, SystemExit):
            raise
        code, message = classify(exc)
        if debug:
            import traceback

            traceback.print_exc()
        print(f"error: {message}", file=sys.stderr)
        if after_failure is not None:
            with contextlib.suppress(Exception):
                note = after_failure()
                if note:
                    print(note, file=sys.stderr)
        print(f"(exit code {code}: {EXIT_MEANINGS.get(code, 'failure')})", file=sys.stderr)
        return code
    return 0
