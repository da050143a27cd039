"""Validation of the values a notebook runs with against its specification, and the combinations
of allowed values that the models cannot compute with."""
from __future__ import annotations

import types
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from alibaba_report.params.errors import ParameterError, _closest, _short
from alibaba_report.params.specs import ParamSpec, specs


_PY_TYPES = {"float": float, "int": int, "str": str, "bool": bool}


_MODELS: dict[tuple, type[BaseModel]] = {}  # one pydantic model per specification (building one is slow)


def _model_for(notebook: str) -> type[BaseModel]:
    found = specs(notebook)
    key = (notebook, tuple((name, spec.type, spec.min, spec.max,
                            tuple(spec.choices) if isinstance(spec.choices, list) else spec.choices)
                           for name, spec in found.items()))
    if key not in _MODELS:
        _MODELS[key] = _build_model(notebook, found)
    return _MODELS[key]


def _build_model(notebook: str, found: dict[str, ParamSpec]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, spec in found.items():
        kw: dict[str, Any] = {}
        if spec.min is not None:
            kw["ge"] = spec.min
        if spec.max is not None:
            kw["le"] = spec.max
        typ: Any = Literal[tuple(spec.choices)] if spec.choices else _PY_TYPES[spec.type]
        fields[name] = (typ, Field(**kw))
    # strict: "7" is not a number and True is not 1; an int is still accepted for a float.
    return create_model(f"Parameters_{notebook}", __config__=ConfigDict(extra="forbid", strict=True), **fields)


def check_values(notebook: str, values: dict[str, Any], origin: str = "parameters") -> types.SimpleNamespace:
    """Validate ``values`` against the notebook's specification; return them as attributes.

    Raises :class:`ParameterError` naming the parameter, the value given and what is allowed.
    ``origin`` says where the values came from (the notebook, a scenario file) for the message.
    """
    spec = specs(notebook)
    known = list(spec)
    unknown = [n for n in values if n not in spec]
    if unknown:
        name = unknown[0]
        raise ParameterError(
            f"{origin}: unknown parameter {name!r} = {_short(values[name])} for notebook {notebook!r}"
            f"{_closest(name, known)}. Allowed parameters: {', '.join(known)}"
        )
    missing = [n for n in known if n not in values]
    if missing:
        raise ParameterError(
            f"{origin}: notebook {notebook!r} is missing parameter(s) {', '.join(missing)}"
        )
    try:
        model = _model_for(notebook).model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0])
        ps = spec[name]
        where = origin if repr(notebook) in origin else f"{origin} (notebook {notebook!r})"
        raise ParameterError(
            f"{where}: parameter {name!r} = {_short(values[name])} is not allowed: "
            f"expected {ps.allowed()} — {ps.meaning}"
        ) from None
    checked = model.model_dump()
    check_combinations(notebook, checked, origin if repr(notebook) in origin else f"{origin} (notebook {notebook!r})")
    return types.SimpleNamespace(**checked)


# Combinations of allowed values that the models cannot compute with, by notebook: the parameters,
# the test the values must pass, and the words (which the specification's meanings also say).
COMBINATIONS: dict[str, list[tuple[tuple[str, ...], Any, str]]] = {
    "valuation": [(("weight_bear_pct", "weight_base_pct", "weight_bull_pct"),
                   lambda v: v["weight_bear_pct"] + v["weight_base_pct"] + v["weight_bull_pct"] > 0,
                   "the three weights may not all be zero")],
}


def check_combinations(notebook: str, values: dict[str, Any], where: str) -> None:
    """Refuse, by name, a combination of allowed values that the model cannot compute with."""
    for names, test, words in COMBINATIONS.get(notebook, []):
        if all(n in values for n in names) and not test(values):
            given = ", ".join(f"{n} = {_short(values[n])}" for n in names)
            raise ParameterError(f"{where}: {given}: {words} (data/parameters/{notebook}.yml)")


_IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


def validate(notebook: str, namespace: dict[str, Any]) -> types.SimpleNamespace:
    """Validate the parameters a notebook was run with; call it right after the parameters cell.

    ``namespace`` is the notebook's ``globals()``: every public name that is not a module, a
    function, a class or an IPython builtin is taken as a parameter, so a name that papermill
    injected but the notebook does not know is caught here.
    """
    values = {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_")
        and k not in _IPYTHON_NAMES
        and not isinstance(v, (types.ModuleType, type))
        and not callable(v)
    }
    return check_values(notebook, values, origin=f"notebook {notebook!r}")
