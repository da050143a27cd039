"""The seeds are kept byte for byte: a checksum manifest guards them."""
from __future__ import annotations

import shutil
from pathlib import Path

from alibaba_report.pipeline.driver import seed_manifest_problems

ROOT = Path(__file__).resolve().parents[1]


def test_every_seed_matches_its_checksum():
    assert seed_manifest_problems() == []


def test_five_seeds_are_under_the_manifest():
    listed = [ln.split()[1] for ln in (ROOT / "seeds" / "SHA256SUMS").read_text().splitlines() if ln.strip()]
    assert len(listed) == 5 and all((ROOT / "seeds" / n).exists() for n in listed)


def test_an_edited_seed_is_named(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    victim = sorted(seeds.glob("*.txt"))[2]
    victim.write_bytes(victim.read_bytes().replace(b"9%", b"19%", 1))
    problems = seed_manifest_problems(seeds)
    assert len(problems) == 1 and victim.name in problems[0] and "differs from its checksum" in problems[0]


def test_a_seed_added_without_checksum_is_named(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    (seeds / "005_new.txt").write_text("A sixth source.")
    assert seed_manifest_problems(seeds) == ["seeds/005_new.txt is not in seeds/SHA256SUMS: add its checksum (sha256sum)"]


def test_a_deleted_seed_is_named(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    gone = sorted(seeds.glob("*.txt"))[0]
    gone.unlink()
    assert any(gone.name in p and "missing" in p for p in seed_manifest_problems(seeds))
