"""Parameter specifications (``data/parameters/<notebook>.yml``): what each notebook accepts, its
type, unit, range or choices, and meaning."""
from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from alibaba_report import paths
from alibaba_report.params.catalog import known_scenarios, notebooks_with_specs, spec_dir
from alibaba_report.params.errors import ParameterError, _closest, _mapping, _pydantic_reason, _rel
from alibaba_report.params.yamlfile import read_yaml as _read_yaml


class ParamSpec(BaseModel):
    """The specification of one parameter, as written in ``data/parameters/*.yml``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["float", "int", "str", "bool"]
    unit: str
    meaning: str
    min: float | None = None
    max: float | None = None
    # a list, or "scenarios": the names of the scenario files in data/scenarios/ (a scenario of your
    # own is then accepted wherever the scenario's name is a parameter)
    choices: list[str] | Literal["scenarios"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "ParamSpec":
        if self.type in ("float", "int") and (self.min is None or self.max is None):
            raise ValueError("a numeric parameter needs both min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if self.type == "str" and not self.choices:
            raise ValueError("a str parameter needs its list of choices")
        return self

    def allowed(self) -> str:
        """What is allowed, in words, for error messages."""
        if self.type == "bool":
            return "True or False"
        if self.type == "str":
            return "one of " + ", ".join(repr(c) for c in self.choices or [])
        kind = "a whole number" if self.type == "int" else "a number"
        return f"{kind} from {_fmt(self.min)} to {_fmt(self.max)} ({self.unit})"


def _fmt(x: float | None) -> str:
    return "" if x is None else (f"{x:g}")


@lru_cache(maxsize=None)
def _specs_cached(notebook: str, root: str) -> dict[str, ParamSpec]:
    path = spec_dir() / f"{notebook}.yml"
    if not path.exists():
        raise ParameterError(
            f"no parameter specification for notebook {notebook!r}: expected {_rel(path)}; "
            f"known notebooks: {', '.join(notebooks_with_specs())}"
        )
    raw = _mapping(_read_yaml(path), _rel(path), "a mapping of parameter name: specification")
    shared_raw = None
    specs: dict[str, ParamSpec] = {}
    for name, entry in raw.items():
        if entry == "shared":
            if shared_raw is None:
                shared_path = spec_dir() / "shared.yml"
                shared_raw = _mapping(_read_yaml(shared_path), _rel(shared_path),
                                      "a mapping of parameter name: specification")
            if name not in shared_raw:
                raise ParameterError(
                    f"{_rel(path)}: parameter {name!r} is marked 'shared' but "
                    f"data/parameters/shared.yml does not define it{_closest(name, list(shared_raw))}"
                )
            entry, where = shared_raw[name], "data/parameters/shared.yml"
        else:
            where = _rel(path)
        try:
            specs[name] = ParamSpec.model_validate(entry)
        except ValidationError as exc:
            raise ParameterError(f"{where}: parameter {name!r}: {_pydantic_reason(exc)}") from None
    return specs


def specs(notebook: str) -> dict[str, ParamSpec]:
    """The parameters ``notebook`` accepts, by name, in the order of its specification file.

    ``choices: scenarios`` becomes the scenario files present now (a new one is seen at once)."""
    out = dict(_specs_cached(notebook, str(paths.root())))
    for name, spec in out.items():
        if spec.choices == "scenarios":
            out[name] = spec.model_copy(update={"choices": known_scenarios()})
    return out
