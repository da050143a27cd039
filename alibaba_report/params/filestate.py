"""What a data file holds and what a folder lists, without reading them again when they cannot have
changed: a page asks for the scenario files' parameters thousands of times (the summary: about 800
calls, each once hashed the file and listed data/parameters/).

A file's digest is kept with its ``stat`` signature (size, inode, modification and change times) and
trusted again only when the signature is the same *and* the file's last change is at least
``SETTLE_NS`` older than the moment its content was read: a file changed within the same clock
tick as that read could keep its signature with other bytes, so it is read again ("racily clean",
as git calls it). Any write changes the change time (ctime), which no program can set back.
A folder's listing is kept the same way, on the folder's own signature (adding, removing or
renaming an entry changes it). A kept listing still raises the audit event of a listing, so the
build's read recorder sees every caller read the folder.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

SETTLE_NS = 2_000_000_000  # 2 s: far above any file system's timestamp granularity

_DIGESTS: dict[str, tuple[tuple, str, int]] = {}
_LISTINGS: dict[tuple[str, str], tuple[tuple, list[str], int]] = {}


def _signature(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns)


def _settled(sig: tuple, read_at_ns: int) -> bool:
    return max(sig[3], sig[4]) < read_at_ns - SETTLE_NS


def _kept(store: dict, key, path: str, read):
    """``read()``, or what it returned before for ``key`` while ``path`` (stat'ed, following links) kept
    its signature and had settled; the second item says which. Raises OSError if ``path`` is gone. A
    result is kept only if ``path`` did not change while it was read."""
    st = os.stat(path)
    seen = store.get(key)
    if seen is not None and seen[0] == _signature(st) and _settled(seen[0], seen[2]):
        return seen[1], True
    read_at = time.time_ns()
    value = read()
    try:
        if _signature(os.stat(path)) == _signature(st):
            store[key] = (_signature(st), value, read_at)
    except OSError:
        pass  # gone since it was read: nothing kept
    return value, False


def digest(path: Path) -> str:
    """sha256 of the file at ``path`` (raises OSError as reading it would)."""
    key = str(path)
    return _kept(_DIGESTS, key, key, lambda: hashlib.sha256(Path(key).read_bytes()).hexdigest())[0]


def stems(folder: Path, suffix: str) -> list[str]:
    """Sorted names, without ``suffix``, of the entries of ``folder`` ending in ``suffix`` (as
    ``sorted(p.stem for p in folder.glob("*" + suffix))``); [] when the folder does not exist."""
    try:
        names, kept = _kept(_LISTINGS, (str(folder), suffix), str(folder),
                            lambda: sorted(p.stem for p in folder.glob("*" + suffix)))
    except OSError:
        return []
    if kept:
        # the event a listing raises, so that the build's read recorder (pipeline/recorder.py) still
        # counts the folder as read by whoever asked, as it did when every call listed it
        sys.audit("os.scandir", str(folder))
    return list(names)
