"""One build of a fresh copy of the repository (nothing cached), run with an empty HOME, a private TMPDIR
and an audit hook (PEP 578) in every Python process it starts, offline when ``unshare`` allows. Two
tests read it: that the build reads nothing outside the repository (test_security) and that two builds
give the same notebooks and pages (test_build, against the session's own build). One build serves both."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


AUDIT_HOOK = textwrap.dedent('''
    # Installed by tests/test_security.py through PYTHONPATH: logs, from every Python process of a
    # build, each file opened, folder listed or non-loopback connection made outside the quiet
    # prefixes (the Python installation and the system's folders).
    import os, sys, threading
    _log = os.environ.get("REPORT_AUDIT_LOG")
    if _log:
        _quiet = tuple(p for p in os.environ.get("REPORT_AUDIT_QUIET", "").split(os.pathsep) if p)
        _fd = os.open(_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        _local = threading.local()
        _loopback = ("127.", "::1", "localhost", "0.0.0.0")

        def _hook(event, args):
            if getattr(_local, "busy", False):
                return
            if event not in ("open", "os.listdir", "os.scandir", "socket.connect"):
                return
            _local.busy = True
            try:
                if event == "socket.connect":
                    addr = args[1]
                    if isinstance(addr, tuple) and not str(addr[0]).startswith(_loopback):
                        os.write(_fd, f"{os.getpid()}\\tconnect\\t{addr[0]}:{addr[1]}\\n".encode())
                    return
                target = args[0] if args else None
                if target is None or isinstance(target, int):
                    return
                p = os.path.abspath(os.fsdecode(os.fspath(target)))
                if not (p + os.sep).startswith(_quiet):
                    os.write(_fd, f"{os.getpid()}\\t{event}\\t{p}\\n".encode("utf-8", "replace"))
            except Exception:
                pass
            finally:
                _local.busy = False

        sys.addaudithook(_hook)
''')

SYSTEM_PREFIXES = ("/usr/", "/lib/", "/lib64/", "/etc/", "/dev/", "/proc/", "/sys/", "/run/",
                   "/var/cache/fontconfig", "/var/lib/", "/bin/", "/sbin/")


@dataclass
class AuditedBuild:
    tmp_path: Path  # the folder holding the copy, its HOME, TMPDIR and the hook
    copy: Path
    log: Path
    offline: bool


def audited_build(tmp_path: Path) -> AuditedBuild:
    """Build a fresh copy of the repository under ``tmp_path`` with the audit hook; fail if it fails."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__",
                                                              ".ipynb_checkpoints", ".pytest_cache"))
    home, tmpd, hook = tmp_path / "home", tmp_path / "tmp", tmp_path / "hook"
    for d in (home, tmpd, hook):
        d.mkdir()
    (hook / "sitecustomize.py").write_text(AUDIT_HOOK)
    log = tmp_path / "audit.log"
    quiet = [os.path.realpath(p) + os.sep for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    quiet += list(SYSTEM_PREFIXES) + [str(hook) + os.sep, str(log)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORT_", "PYTHON", "JUPYTER", "MPL", "IPYTHON"))}
    env.update(REPORT_ROOT=str(copy), HOME=str(home), TMPDIR=str(tmpd), PYTHONPATH=f"{hook}{os.pathsep}{copy}",
               REPORT_AUDIT_LOG=str(log), REPORT_AUDIT_QUIET=os.pathsep.join(quiet))
    cmd = [sys.executable, "-m", "alibaba_report.pipeline", "book"]
    unshare, ip = shutil.which("unshare"), shutil.which("ip") or "/usr/sbin/ip"
    offline = bool(unshare) and Path(ip).exists() and subprocess.run(
        [unshare, "-n", ip, "link", "set", "lo", "up"], capture_output=True).returncode == 0
    if offline:
        cmd = [unshare, "-n", "sh", "-c", f'{ip} link set lo up && exec "$@"', "offline", *cmd]
    proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"the build of a copy failed{' offline' if offline else ''}:\n{proc.stderr[-4000:]}"

    return AuditedBuild(tmp_path, copy, log, offline)
