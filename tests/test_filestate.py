"""The scenario files' digests and the parameter folder's listing are kept between calls, and never
when the file or folder may have changed (alibaba_report/params/filestate.py)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from alibaba_report.params import filestate


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """Every file read through ``Path.read_bytes`` (what ``filestate.digest`` reads with), in order."""
    seen: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: seen.append(self) or real(self))
    return seen

def test_a_file_rewritten_with_the_same_size_and_time_is_read_again(tmp_path):
    f = tmp_path / "base.yml"
    f.write_text("a: 1\n")
    before = f.stat()
    assert filestate.digest(f) == hashlib.sha256(b"a: 1\n").hexdigest()
    f.write_text("a: 2\n")  # same size; the old modification time put back, as `cp -p` would
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert filestate.digest(f) == hashlib.sha256(b"a: 2\n").hexdigest()


def test_a_settled_file_is_not_read_again_until_it_changes(tmp_path, monkeypatch, reads):
    f = tmp_path / "base.yml"
    f.write_text("a: 1\n")
    # the file last changed long before it was read: kept (a change time cannot be set back, so the
    # test moves the moment of reading forward instead)
    monkeypatch.setattr(filestate.time, "time_ns", lambda: f.stat().st_ctime_ns + 3 * filestate.SETTLE_NS)
    first = filestate.digest(f)
    assert filestate.digest(f) == first and len(reads) == 1
    f.write_text("a: 22\n")
    assert filestate.digest(f) == hashlib.sha256(b"a: 22\n").hexdigest() and len(reads) == 2


def test_a_file_changed_just_before_it_was_read_is_never_kept(tmp_path, reads):
    f = tmp_path / "base.yml"
    f.write_text("a: 1\n")
    filestate.digest(f)
    filestate.digest(f)
    assert len(reads) == 2  # changed within the settling time of each read: read each time


def test_a_new_or_removed_entry_is_in_the_next_listing(tmp_path):
    (tmp_path / "retail_war.yml").write_text("x: 1\n")
    (tmp_path / "notes.txt").write_text("")
    assert filestate.stems(tmp_path, ".yml") == ["retail_war"]
    (tmp_path / "cloud_ai.yml").write_text("x: 1\n")
    assert filestate.stems(tmp_path, ".yml") == ["cloud_ai", "retail_war"]
    (tmp_path / "retail_war.yml").unlink()
    assert filestate.stems(tmp_path, ".yml") == ["cloud_ai"]
    assert filestate.stems(tmp_path / "missing", ".yml") == []
