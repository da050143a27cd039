"""Notebook parameters: their specifications, the scenarios that set them, and their validation.

Three kinds of file, all under ``data/``:

``parameters/<notebook>.yml``
    What a notebook accepts: for each parameter its type, unit, range (or choices) and meaning.
    An entry that is just the word ``shared`` takes its specification from ``parameters/shared.yml``
    (FX rates and the like, which several chapters use and must agree on).
``scenarios/base.yml``
    Every parameter's base value, with the reason for it: a ``shared`` section and one section per
    notebook. The defaults typed in each notebook's parameters cell equal these (a test checks).
``scenarios/<other>.yml``
    Overrides of base, each with its reason; anything not overridden is the base value.

Papermill injects unknown parameter names with only a warning, so each notebook calls
:func:`validate` right after its parameters cell: an unknown name, a wrong type or a value out of
range stops the notebook with an error that names the parameter, the value and what is allowed.

The package: ``catalog`` (where the files are, the names), ``yamlfile`` (the safe YAML reader),
``specs`` (specifications), ``values`` (validation), ``scenarios`` (scenario files), ``errors``.
Everything is imported from here: ``from alibaba_report import params; params.validate(...)``.
"""
from __future__ import annotations

from alibaba_report import paths  # noqa: F401 - params.paths, as before
from alibaba_report.params.catalog import (  # noqa: F401
    BASE, COMPARED, SCENARIO_NAME, compared, invalid_scenario_files, known_scenarios, notebooks_with_specs,
    scenario_dir, spec_dir,
)
from alibaba_report.params.errors import ParameterError  # noqa: F401
from alibaba_report.params.scenarios import (  # noqa: F401
    READS_LOG_ENV, ScenarioValue, check_scenario, check_shared_agree, is_scenario_page, resolve_entries,
    scenario_entries, scenario_parameters, scenario_sections,
)
from alibaba_report.params.specs import ParamSpec, _specs_cached, specs  # noqa: F401
from alibaba_report.params.values import (  # noqa: F401
    COMBINATIONS, check_combinations, check_values, validate,
)
from alibaba_report.params.yamlfile import (  # noqa: F401
    MAX_NUMBER_CHARS, MAX_YAML_BYTES, MAX_YAML_DEPTH, read_yaml,
)
