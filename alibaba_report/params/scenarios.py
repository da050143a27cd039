"""Scenario files (``data/scenarios/<name>.yml``): the values each notebook runs with under a
scenario, with their reasons; base and shared values resolved, every file checked."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alibaba_report.params import filestate
from alibaba_report.params.catalog import BASE, known_scenarios, notebooks_with_specs, scenario_dir, spec_dir
from alibaba_report.params.errors import ParameterError, _closest, _mapping, _pydantic_reason, _rel, _short
from alibaba_report.params.specs import specs
from alibaba_report.params.values import check_values
from alibaba_report.params.yamlfile import MAX_YAML_BYTES, _read_yaml


class ScenarioValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any
    reason: str = Field(min_length=3)


def _scenario_file(name: str) -> Path:
    path = scenario_dir() / f"{name}.yml"
    if not path.exists():
        raise ParameterError(
            f"unknown scenario {name!r}: there is no {_rel(path)}. "
            f"Known scenarios: {', '.join(known_scenarios())}"
        )
    return path


# What the build's execution cache keys a notebook on (alibaba_report/pipeline/cache.py): not the whole
# scenario files it reads, but the resolved parameters it asks for. While the driver records a
# kernel's reads ($REPORT_READS_LOG set), each call below logs which parameters it resolved, and
# the scenario files it opens for them are read quietly (_QUIET: the recorder skips those reads).
_QUIET = 0
READS_LOG_ENV = "REPORT_READS_LOG"


def _log_parameters(kind: str, name: str, notebook: str) -> None:
    log = os.environ.get(READS_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"p\t{kind}\t{name}\t{notebook}\n")


@contextmanager
def _quietly(quiet: bool):
    global _QUIET
    _QUIET += 1 if quiet else 0
    try:
        yield
    finally:
        _QUIET -= 1 if quiet else 0


# Scenario files parsed and checked, by content: a build asks for them hundreds of times (each
# chapter under each case, the summary for all of them), and parsing YAML is slow.
_SECTIONS: dict[tuple, dict[str, dict[str, ScenarioValue]]] = {}


def _content_key(path: Path, allowed: list[str]) -> tuple | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_YAML_BYTES:
            return None  # read_yaml says what is wrong
        return (str(path.resolve()), filestate.digest(path), tuple(allowed))
    except OSError:
        return None


def _scenario_sections(name: str, quiet: bool = False) -> dict[str, dict[str, ScenarioValue]]:
    path = _scenario_file(name)
    allowed_sections = ["shared", *notebooks_with_specs()]
    with _quietly(quiet):
        key = _content_key(path, allowed_sections)
        if key in _SECTIONS:
            return {sec: dict(entries) for sec, entries in _SECTIONS[key].items()}
        data = _read_yaml(path)
        if key is not None and _content_key(path, allowed_sections) != key:
            key = None  # changed while it was read: not kept
    raw = _mapping(data, _rel(path), "a mapping of sections (description, shared, <notebook>...)")
    sections: dict[str, dict[str, ScenarioValue]] = {}
    for section, entries in raw.items():
        if section == "description":
            continue
        if section not in allowed_sections:
            raise ParameterError(
                f"{_rel(path)}: unknown section {section!r}{_closest(section, allowed_sections)}; "
                f"allowed: description, {', '.join(allowed_sections)}"
            )
        sections[section] = {}
        entries = _mapping(entries, f"{_rel(path)}: section {section!r}",
                           "a mapping of parameter name: {value, reason}")
        for pname, entry in entries.items():
            try:
                sections[section][pname] = ScenarioValue.model_validate(entry)
            except ValidationError as exc:
                raise ParameterError(
                    f"{_rel(path)}: {section}.{pname}: expected 'value:' and 'reason:' "
                    f"({_pydantic_reason(exc)})"
                ) from None
    if key is not None:
        _SECTIONS[key] = sections
        return {sec: dict(entries) for sec, entries in sections.items()}
    return sections


def scenario_sections(name: str) -> dict[str, dict[str, ScenarioValue]]:
    """The sections of scenario file ``name``, read and checked."""
    return _scenario_sections(name)


def scenario_entries(name: str, notebook: str) -> dict[str, ScenarioValue]:
    """Every parameter of ``notebook`` under scenario ``name``, with its reason.

    A scenario other than base overrides base; what it does not set is base's value and reason.
    Shared parameters come from the ``shared`` section unless the notebook's section sets them.
    """
    _log_parameters("e", name, notebook)
    return resolve_entries(name, notebook, lambda scen: _scenario_sections(scen, quiet=True))


def resolve_entries(name: str, notebook: str, sections_of) -> dict[str, ScenarioValue]:
    """``scenario_entries`` with the sections of each scenario file from ``sections_of(name)``."""
    _scenario_file(name)  # an unknown name is reported as such, before anything else
    chain = [BASE] if name == BASE else [BASE, name]
    merged: dict[str, ScenarioValue] = {}
    for scen in chain:
        sections = sections_of(scen)
        shared = sections.get("shared", {})
        own = sections.get(notebook, {})
        for pname in specs(notebook):
            if pname in own:
                merged[pname] = own[pname]
            elif pname in shared:
                merged[pname] = shared[pname]
    missing = [p for p in specs(notebook) if p not in merged]
    if missing:
        raise ParameterError(
            f"data/scenarios/base.yml: no base value for {', '.join(missing)} "
            f"(notebook {notebook!r}): add them to its '{notebook}' or 'shared' section"
        )
    return merged


def is_scenario_page(notebook: str) -> bool:
    """A page (the summary, the scenario comparison) whose one parameter is the scenario's name:
    it computes every chapter's figures under that scenario through the package."""
    return list(specs(notebook)) == ["scenario"]


def scenario_parameters(name: str, notebook: str) -> dict[str, Any]:
    """The validated values ``notebook`` runs with under scenario ``name``."""
    if is_scenario_page(notebook):
        _scenario_file(name)
        return check_values(notebook, {"scenario": name}, origin=f"scenario {name!r}").__dict__
    _log_parameters("v", name, notebook)
    entries = resolve_entries(name, notebook, lambda scen: _scenario_sections(scen, quiet=True))
    values = {k: v.value for k, v in entries.items()}
    check_values(notebook, values, origin=f"data/scenarios/{name}.yml")
    return values


def check_scenario(name: str) -> None:
    """Every value of scenario ``name`` is valid, and it names no unknown parameter."""
    sections = _scenario_sections(name)
    shared_path = spec_dir() / "shared.yml"
    shared_known = set(_mapping(_read_yaml(shared_path), _rel(shared_path), "a mapping of parameter "
                                "name: specification")) if shared_path.exists() else set()
    for section, entries in sections.items():
        known = shared_known if section == "shared" else set(specs(section))
        for pname in entries:
            if pname not in known:
                raise ParameterError(
                    f"data/scenarios/{name}.yml: {section}.{pname} is not a parameter of "
                    f"{'any shared specification' if section == 'shared' else 'notebook ' + repr(section)}"
                    f"{_closest(pname, sorted(known))}"
                )
    for notebook in notebooks_with_specs():
        scenario_parameters(name, notebook)  # a scenario page rejects a name its choices lack
    check_shared_agree(name, shared_known)


def check_shared_agree(name: str, shared_names: set[str]) -> None:
    """A shared parameter (an exchange rate, the tax rate...) has one value per scenario: a
    notebook's section that sets it to another value than the other chapters use is refused,
    naming the file, the parameter and the values."""
    for pname in sorted(shared_names):
        seen: dict[Any, list[str]] = {}
        for notebook in notebooks_with_specs():
            if is_scenario_page(notebook) or pname not in specs(notebook):
                continue
            value = scenario_entries(name, notebook)[pname].value
            seen.setdefault(value, []).append(notebook)
        if len(seen) > 1:
            files = [f"data/scenarios/{s}.yml" for s in ([BASE] if name == BASE else [name, BASE])
                     if any(pname in v for k, v in _scenario_sections(s).items() if k != "shared")]
            said = "; ".join(f"{_short(v)} in {', '.join(nbs)}" for v, nbs in seen.items())
            raise ParameterError(
                f"{files[0] if files else f'data/scenarios/{name}.yml'}: shared parameter {pname!r} has "
                f"{len(seen)} values in scenario {name!r} ({said}); a shared parameter has one value per "
                f"scenario: set it once, in the 'shared' section")
