"""Recording what a kernel reads, so the execution cache keys a run on its real inputs.

An audit hook (PEP 578) installed in the kernel before the first cell logs every file the
notebook's code opened for reading and every folder it listed, inside the repository and inside the
package (wherever it is imported from). Files under ``data/`` and ``seeds/``, the package modules it
imported (a ``.pyc`` counts as its ``.py``), ``_toc.yml`` or another notebook: whatever it read is
an input, and so is the list of names of each folder it read from. The parameters a notebook asks
``params`` for are logged by ``params`` itself (``p`` lines), and the scenario files read for them
are not. What it cannot see: a file a notebook only probes for (``Path.exists``) without reading it
or listing its folder, and files read by a subprocess of the kernel; neither happens in this book.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from alibaba_report.pipeline.snapshot import Snapshot

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
    _params = sys.modules.get("alibaba_report.params.scenarios")
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

