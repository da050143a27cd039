"""The reading cases on the disagreements page: each phrase verbatim in its seeds, each claim in the
ledger, and a bad row refused by file, row and column."""
from __future__ import annotations

import pytest

from alibaba_report.evidence import ledger, readings
from alibaba_report.evidence.ledger import LedgerError


@pytest.fixture(scope="module")
def claims():
    return ledger.load_claims()


def test_the_cases_the_chapters_resolve_are_listed(claims):
    df = readings.load_readings(claims)
    assert len(df) > 0
    assert {"multiple_read_three_ways", "capex_380_vs_460", "adjusted_earnings_003_004", "meitu_bond_date",
            "ratings_16_of_17_vs_moderate_buy", "the_moves_8_9_10_15", "fy26_ebitda_vs_the_quarters"} <= set(df["case_id"])
    assert list(df["matters"]) == sorted(df["matters"])  # most important first


def _write(tmp_path, row: dict) -> str:
    base = {"case_id": "x_case", "matters": "2", "subject": "s", "says": "a", "claims": "pe_forward_s004",
            "seeds": "004", "quotes": "notable discount", "report_uses": "u"}
    base.update(row)
    path = tmp_path / "r.csv"
    path.write_text(",".join(readings.COLUMNS) + "\n" + ",".join(f'"{base[c]}"' for c in readings.COLUMNS) + "\n")
    return path


@pytest.mark.parametrize("row, message", [
    ({"quotes": "a phrase nobody wrote"}, "row 2, column 'quotes'"),
    ({"claims": "no_such_claim"}, "row 2, column 'claims': no claim 'no_such_claim'"),
    ({"seeds": "999"}, "row 2, column 'seeds': no seed '999'"),
    ({"matters": "7"}, "row 2, column 'matters'"),
    ({"case_id": "Bad Id"}, "row 2, column 'case_id'"),
    ({"report_uses": " "}, "row 2, column 'report_uses': empty"),
])
def test_a_bad_row_is_refused_by_row_and_column(tmp_path, claims, row, message):
    with pytest.raises(LedgerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        readings.load_readings(claims, _write(tmp_path, row))


def test_a_good_row_loads(tmp_path, claims):
    assert readings.load_readings(claims, _write(tmp_path, {}))["case_id"].tolist() == ["x_case"]
