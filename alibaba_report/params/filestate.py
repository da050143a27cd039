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


def digest(path: Path) -> str:
    """sha256 of the file at ``path`` (raises OSError as reading it would)."""
    key = str(path)
    st = os.stat(key)
    seen = _DIGESTS.get(key)
    if seen is not None and seen[0] == _signature(st) and _settled(seen[0], seen[2]):
        return seen[1]
    read_at = time.time_ns()
    data = Path(key).read_bytes()
    value = hashlib.sha256(data).hexdigest()
    after = os.stat(key)
    if _signature(after) == _signature(st):  # not changed while it was read
        _DIGESTS[key] = (_signature(st), value, read_at)
    return value


def stems(folder: Path, suffix: str) -> list[str]:
    """Sorted names, without ``suffix``, of the entries of ``folder`` ending in ``suffix`` (as
    ``sorted(p.stem for p in folder.glob("*" + suffix))``); [] when the folder does not exist."""
    key = (str(folder), suffix)
    try:
        st = os.stat(key[0])
    except OSError:
        return []
    seen = _LISTINGS.get(key)
    if seen is not None and seen[0] == _signature(st) and _settled(seen[0], seen[2]):
        # the event a listing raises, so that the build's read recorder (pipeline/recorder.py) still
        # counts the folder as read by whoever asked, as it did when every call listed it
        sys.audit("os.scandir", key[0])
        return list(seen[1])
    read_at = time.time_ns()
    names = sorted(p.stem for p in folder.glob("*" + suffix))
    try:
        if _signature(os.stat(key[0])) == _signature(st):
            _LISTINGS[key] = (_signature(st), names, read_at)
    except OSError:
        pass
    return list(names)
