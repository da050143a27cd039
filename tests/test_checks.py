"""``make check`` runs every data check the tests make (alibaba_report/evidence/checks.py): each check
catches what it is for, and ``make check`` on a copy of the data exits 2 naming the file, the row and what
was expected (before this, it passed while ``make test-fast`` failed on an exclusion hiding a claim)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alibaba_report.evidence import checks
from alibaba_report.evidence import ledger as lg
from alibaba_report.pipeline import driver

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo(data_repo):
    """A copy of what ``make check`` reads, with REPORT_ROOT pointing at it (conftest's ``data_repo``)."""
    return data_repo


def make_check(capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = driver.main(["check"])
    return code, capsys.readouterr().err


def append_csv(path: Path, row: dict[str, str]) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.concat([df, pd.DataFrame([row])], ignore_index=True).to_csv(path, index=False)


# --- each check finds what it is for -----------------------------------------------------------------

def test_an_exclusion_over_a_claimed_value_is_found(ledger):
    claim = ledger.get("us_share_price_s004")
    bad = pd.DataFrame([{"seed": claim.seed, "text": claim.value_text, "reason": "a test"}])
    problems = checks.exclusion_overlap_problems(ledger, bad)
    assert len(problems) == 1
    assert "data/ledger_exclusions.csv: row 1" in problems[0] and "us_share_price_s004" in problems[0]
    assert "remove its exclusion row" in problems[0]


def test_a_number_in_no_claim_and_no_exclusion_is_found(ledger):
    exclusions = lg.load_exclusions()
    problems = checks.coverage_problems(ledger, exclusions.iloc[1:])
    assert problems and all(p.startswith("seeds/") and "expected a row in data/claims.csv" in p for p in problems)
    assert checks.coverage_problems(ledger, exclusions) == []


def test_an_exclusion_reason_citing_no_claim_is_found(ledger):
    bad = pd.DataFrame([{"seed": "x.txt", "text": "12", "reason": "see `no_such_claim`"}])
    assert "cites `no_such_claim`" in checks.exclusion_reason_problems(ledger, bad)[0]


def test_a_register_gap_that_is_not_in_its_seed_is_found():
    sources = lg.load_sources().copy()
    sources.loc[0, "reliability"] = "a gap: “nowhere ⟨lost⟩ in the seed”"
    problems = checks.register_gap_problems(sources)
    assert len(problems) == 1 and "data/sources.csv: row 1" in problems[0] and "⟨lost⟩" in problems[0]


def test_a_stale_resolution_and_an_unresolved_case_are_found(ledger):
    from alibaba_report.evidence import disagreements as dis

    found = dis.find_disagreements(ledger)
    dropped = found.iloc[1:]
    problems = checks.resolution_problems(dropped)
    assert any("no longer find it" in p for p in problems)
    unresolved = found.copy()
    unresolved.loc[unresolved.index[0], "report_uses"] = dis.NOT_RESOLVED
    assert any("has no row" in p for p in checks.resolution_problems(unresolved))
    # a build goes on with a case nobody has decided yet (new evidence); a stale row still stops it
    assert not checks.resolution_problems(unresolved, missing_ok=True)
    assert any("no longer find it" in p for p in checks.resolution_problems(dropped, missing_ok=True))


# --- make check, on a copy of the data: exit 2, the file and the row named -----------------------------

def test_make_check_refuses_an_exclusion_that_hides_a_claim(repo, capsys):
    claim = lg.load_claims().get("us_share_price_s004")
    append_csv(repo / "data" / "ledger_exclusions.csv",
               {"seed": claim.seed, "text": claim.value_text, "reason": "left over after the number became a claim"})
    code, err = make_check(capsys)
    assert code == driver.EXIT_DATA, err
    assert "data/ledger_exclusions.csv: row" in err and "us_share_price_s004" in err and "Traceback" not in err


def test_make_check_refuses_a_number_nobody_accounted_for(repo, capsys):
    path = repo / "data" / "ledger_exclusions.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.iloc[1:].to_csv(path, index=False)
    code, err = make_check(capsys)
    assert code == driver.EXIT_DATA, err
    assert "seeds/" in err and "is in no claim's value_text and no exclusion" in err


def test_make_check_refuses_a_thin_reason_and_an_unknown_claim_id_in_a_reason(repo, capsys):
    bear = repo / "data" / "scenarios" / "bear.yml"
    bear.write_text(bear.read_text().replace(
        "\nshared:\n", "\nshared:\n  usd_hkd:\n    value: 7.8\n    reason: see no_such_claim_id here\n", 1))
    code, err = make_check(capsys)
    assert code == driver.EXIT_DATA, err
    assert "data/scenarios/bear.yml: shared.usd_hkd: 'reason' names 'no_such_claim_id'" in err
    bear.write_text(bear.read_text().replace("see no_such_claim_id here", "too thin"))
    code, err = make_check(capsys)
    assert code == driver.EXIT_DATA and "expected a sentence saying why" in err, err


def test_make_check_refuses_a_broken_signposts_file(repo, capsys):
    path = repo / "data" / "signposts.yml"
    text = path.read_text()
    assert "direction: at_least" in text
    path.write_text(text.replace("direction: at_least", "direction: sideways", 1))
    code, err = make_check(capsys)
    assert code == driver.EXIT_DATA, err
    assert "signposts.yml" in err and "direction" in err and "Traceback" not in err


def test_make_check_passes_on_the_data_as_committed(repo, capsys):
    code, err = make_check(capsys)
    assert code == 0, err
