"""The build lock of a checkout (``_build/.lock``), and the pool workers' tie to the driver, so a
killed build leaves no process holding anything (standard library only at module level)."""
from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from pathlib import Path

from alibaba_report.pipeline.errors import EXIT_BUSY, EXIT_ENV, BuildError
from alibaba_report.pipeline.publishing import link_message, real_dir

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


