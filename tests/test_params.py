"""Parameter specifications, scenarios and the validation every notebook calls."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from alibaba_report import params

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A scratch copy of data/ that the package reads instead of the real one."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.setenv("REPORT_ROOT", str(tmp_path))
    params._specs_cached.cache_clear()
    yield tmp_path / "data"
    params._specs_cached.cache_clear()


def test_every_scenario_is_valid():
    assert {"base", "bull", "bear"} <= set(params.known_scenarios())
    for name in params.known_scenarios():
        params.check_scenario(name)  # raises on any unknown name or value out of range


def test_bull_and_bear_differ_from_base_where_they_say_they_do():
    for scen in ("bull", "bear"):
        changed = 0
        for nb in params.notebooks_with_specs():
            if params.is_scenario_page(nb):
                continue
            base = params.scenario_parameters("base", nb)
            other = params.scenario_parameters(scen, nb)
            changed += sum(base[k] != other[k] for k in base)
        assert changed > 0, f"scenario {scen} changes nothing"


def test_every_scenario_value_has_a_reason():
    from alibaba_report.evidence import checks, ledger

    problems = checks.scenario_reason_problems(ledger.load_claims())  # as make check
    assert not [p for p in problems if "expected a sentence" in p], problems


def test_unknown_scenario_lists_the_known_ones():
    with pytest.raises(params.ParameterError) as err:
        params.scenario_parameters("optimistic", "index")
    msg = str(err.value)
    assert "unknown scenario 'optimistic'" in msg and "base" in msg and "bear" in msg


# --- validate(): the call at the top of every notebook ----------------------------------------

def _index_ns(**kw):
    ns = {"scenario": "base", "__name__": "__main__", "In": [], "params": params}
    ns.update(kw)
    return ns


def test_validate_accepts_the_defaults_and_ignores_modules_and_functions():
    p = params.validate("index", _index_ns(glue=print))
    assert p.scenario == "base"


def test_validate_rejects_an_unknown_name_and_suggests_the_close_one():
    with pytest.raises(params.ParameterError) as err:
        params.validate("index", _index_ns(scenari="bull"))
    msg = str(err.value)
    assert "unknown parameter 'scenari'" in msg and "did you mean 'scenario'" in msg


def test_validate_rejects_a_value_outside_the_choices():
    with pytest.raises(params.ParameterError) as err:
        params.validate("index", _index_ns(scenario="rosy"))
    msg = str(err.value)
    # the choices are the scenario files there are (yours included), named in the message
    assert "'scenario' = 'rosy'" in msg and "one of 'base', 'bear', 'bull'" in msg


def test_numeric_range_and_type_errors_name_parameter_value_and_range(data_copy):
    (data_copy / "parameters" / "toy.yml").write_text(
        "rate_pct:\n  type: float\n  unit: '%'\n  min: 0\n  max: 100\n  meaning: a rate\n"
        "quarters:\n  type: int\n  unit: quarters\n  min: 1\n  max: 20\n  meaning: horizon\n"
    )
    ok = params.check_values("toy", {"rate_pct": 5, "quarters": 8})  # an int is fine for a float
    assert ok.rate_pct == 5.0
    with pytest.raises(params.ParameterError, match=r"'rate_pct' = 150 .* from 0 to 100 \(%\)"):
        params.check_values("toy", {"rate_pct": 150, "quarters": 8})
    with pytest.raises(params.ParameterError, match=r"'rate_pct' = '5' .*a number"):
        params.check_values("toy", {"rate_pct": "5", "quarters": 8})
    with pytest.raises(params.ParameterError, match=r"'quarters' = 2.5 .*a whole number"):
        params.check_values("toy", {"rate_pct": 5, "quarters": 2.5})
    with pytest.raises(params.ParameterError, match=r"'quarters' = True"):
        params.check_values("toy", {"rate_pct": 5, "quarters": True})
    with pytest.raises(params.ParameterError, match="missing parameter"):
        params.check_values("toy", {"rate_pct": 5})


def test_a_malformed_spec_names_the_file_and_the_parameter(data_copy):
    (data_copy / "parameters" / "toy.yml").write_text("rate_pct:\n  type: float\n  unit: '%'\n  meaning: m\n")
    with pytest.raises(params.ParameterError, match=r"data/parameters/toy.yml: parameter 'rate_pct': .*min and max"):
        params.specs("toy")


def test_a_scenario_value_out_of_range_names_the_scenario_file(data_copy):
    bear = data_copy / "scenarios" / "bear.yml"
    bear.write_text(bear.read_text().replace("\nshared:\n", "\nshared:\n  usd_hkd: {value: 75, reason: a typo for 7.5}\n"))
    with pytest.raises(params.ParameterError, match=r"data/scenarios/bear.yml \(notebook '\w+'\): parameter 'usd_hkd' = 75"):
        params.check_scenario("bear")


def test_a_scenario_naming_an_unknown_parameter_is_an_error(data_copy):
    bear = data_copy / "scenarios" / "bear.yml"
    bear.write_text(bear.read_text().replace("\nshared:\n", "\nshared:\n  usd_hdk: {value: 7.8, reason: misspelt name}\n"))
    with pytest.raises(params.ParameterError, match=r"shared.usd_hdk is not a parameter.*did you mean 'usd_hkd'"):
        params.check_scenario("bear")


def test_a_scenario_value_without_reason_is_an_error(data_copy):
    bear = data_copy / "scenarios" / "bear.yml"
    bear.write_text(bear.read_text().replace("\nshared:\n", "\nshared:\n  usd_hkd: {value: 7.8}\n"))
    with pytest.raises(params.ParameterError, match=r"shared.usd_hkd: expected 'value:' and 'reason:'"):
        params.check_scenario("bear")


def test_every_claim_id_a_reason_names_exists():
    """A reason that cites a claim id must cite a real one: ids are how a reader traces a value.
    (make check runs the same function.)"""
    from alibaba_report.evidence import checks, ledger

    problems = checks.scenario_reason_problems(ledger.load_claims())
    assert not [p for p in problems if " names " in p], problems
