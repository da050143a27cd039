"""Validation before anything runs (``make check``, and the first step of every build): the seeds
against their checksum manifest, the files under data/, the claims ledger, the source register, the
parameter specifications and the scenario files. A problem is a BuildError (exit 2) naming the file,
row or parameter."""
from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from alibaba_report import params, paths
from alibaba_report.pipeline import safety
from alibaba_report.pipeline.safety import EXIT_DATA, BuildError

MANIFEST = "SHA256SUMS"


def seed_manifest_problems(seeds_dir: Path | None = None) -> list[str]:
    """Differences between seeds/ and its checksum manifest (seeds are kept byte for byte)."""
    seeds_dir = seeds_dir or paths.seeds_dir()
    manifest = seeds_dir / MANIFEST
    if not manifest.exists():
        return [f"seeds/{MANIFEST} is missing: it records the checksum of every seed"]
    expected = {}
    for n, line in enumerate(manifest.read_text().splitlines(), 1):
        if not line.strip():
            continue
        m = re.fullmatch(r"([0-9a-f]{64}) [ *]([A-Za-z0-9][A-Za-z0-9_.-]*\.txt)", line.strip())
        if not m:
            return [f"seeds/{MANIFEST} line {n}: expected '<sha256>  <file name>.txt' (a file name "
                    f"in seeds/, no folder), got {safety.short(line)}"]
        expected[m.group(2)] = m.group(1)
    problems = []
    present = {p.name for p in seeds_dir.glob("*.txt")}
    for name, digest in sorted(expected.items()):
        path = seeds_dir / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            problems.append(f"seeds/{name} is a symbolic link or not a regular file: seeds are "
                            "regular files inside seeds/")
        elif not path.exists():
            problems.append(f"seeds/{name} is listed in seeds/{MANIFEST} but missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(
                f"seeds/{name} differs from its checksum in seeds/{MANIFEST}: seeds are kept "
                "verbatim; restore the file (git checkout seeds/) or, for a deliberately new "
                "version of a source, add it as a new seed"
            )
    for name in sorted(present - set(expected)):
        problems.append(f"seeds/{name} is not in seeds/{MANIFEST}: add its checksum (sha256sum)")
    return problems


INPUT_FOLDERS = ("data", "book")  # what the build reads and publishes besides seeds/ (checked on its own)


def data_file_problems(root: Path | None = None) -> list[str]:
    """Files in data/ and book/ that the build must not read: a symbolic link to a place outside the
    repository, or anything that is not a regular file or a folder (a FIFO, a device). They obey the
    rule seeds do (a notebook linked to a file elsewhere would publish that file); nothing is opened,
    so the message never shows what such a file holds."""
    root = (root or paths.root()).resolve()
    problems: list[str] = []
    seen: set[Path] = set()

    def walk(folder: Path, rel: str) -> None:
        real = folder.resolve()
        if real in seen:
            return
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(f"{rel}: cannot be listed ({exc.strerror})")
            return
        for entry in entries:
            name = f"{rel}/{entry.name}"
            path = Path(entry.path)
            if entry.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    problems.append(f"{name} is a symbolic link to a place outside the repository: "
                                    f"{rel.split('/')[0]}/ holds regular files inside the repository (replace "
                                    "the link by a copy of the file)")
                    continue
            try:
                st = path.stat()
            except OSError:
                problems.append(f"{name} is a symbolic link to nothing (its target does not exist)")
                continue
            if stat.S_ISDIR(st.st_mode):
                walk(path, name)
            elif not stat.S_ISREG(st.st_mode):
                problems.append(f"{name} is not a regular file (a FIFO, a socket or a device): "
                                f"{rel.split('/')[0]}/ holds regular files; remove it")

    for top in INPUT_FOLDERS:
        folder = root / top
        if folder.is_symlink() and not folder.resolve().is_relative_to(root):
            problems.append(f"{top} is a symbolic link to a place outside the repository: {top}/ holds regular "
                            "files inside the repository")
        elif folder.is_dir():
            walk(folder, top)
    return problems


def check_data(scenarios: tuple[str, ...] | None = None) -> None:
    """Validate everything the notebooks read; raise BuildError(EXIT_DATA) naming what is wrong.

    ``scenarios``: the scenario files a build reads (its own and the cases it compares); a broken
    scenario of your own then never stops the base book. None (``make check``): every scenario file."""
    problems = data_file_problems() + seed_manifest_problems()
    if problems:
        raise BuildError("\n".join(problems), EXIT_DATA)
    from alibaba_report.evidence import disagreements, ledger

    # Only the errors that mean "the data is wrong" are data errors (each names its file and row);
    # anything else is a bug and reaches the top-level handler as one (exit 70, --debug).
    data_errors = (ledger.LedgerError, ledger.UnknownClaimError, params.ParameterError)
    try:
        led = ledger.load_claims()
        sources = ledger.load_sources()
        ledger.check_register(led, sources)
        disagreements.find_disagreements(led)
        for nb in params.notebooks_with_specs():
            params.specs(nb)
        if scenarios is None and params.invalid_scenario_files():
            raise params.ParameterError(
                f"data/scenarios/: {', '.join(params.invalid_scenario_files())}: a scenario's file name must be "
                "lower-case letters, digits, '-' or '_' (at most 41 characters), ending in .yml")
        for scen in scenarios if scenarios is not None else params.known_scenarios():
            params.check_scenario(scen)
        from alibaba_report.evidence import checks  # every data check the tests make, by file and row

        checks.check_all(led, sources, scenarios)
    except data_errors as exc:
        raise BuildError(str(exc), EXIT_DATA) from None

