"""Real folders under _build, and atomic publishing (standard library only at module level).

A published site (``_build/html``, ``_build/scenarios/<name>/html``) is a symbolic link to a
complete version folder beside it (``.html.versions/<n>``). A new site is renamed into a new version
folder (one rename: complete or absent), then a new link replaces the old one with ``os.replace``
(one rename: the old site or the new one, never neither), then older versions are renamed to
``*.trash`` and removed. A crash at any instant leaves the target pointing at a complete site;
:func:`recover`, run at the start of every build, removes what a crash left half done. A site
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

from alibaba_report.pipeline.errors import EXIT_ENV, BuildError, short

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


