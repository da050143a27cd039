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
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import os
import re
import types
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from alibaba_report import paths

BASE = "base"


class ParameterError(ValueError):
    """A parameter, a parameter specification or a scenario file is wrong; the message says how."""


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


class ScenarioValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any
    reason: str = Field(min_length=3)


def _fmt(x: float | None) -> str:
    return "" if x is None else (f"{x:g}")


MAX_YAML_BYTES = 1_000_000  # the largest data file is a few kB
MAX_YAML_DEPTH = 20  # levels of nesting a data file may have (they use four)
MAX_NUMBER_CHARS = 40  # characters a number in a data file may have (a float has 17 significant digits)


class _RefusedYaml(ValueError):
    pass


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases before anything is built from them.

    An alias (``*name``) makes a node appear again wherever it is used: nested, a few lines of
    aliases describe billions of values (a "billion laughs" bomb). The data files need none.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _RefusedYaml(f"line {event.start_mark.line + 1}: an alias (*{event.anchor}) "
                               "repeats another part of the file; data files may not use aliases "
                               "(write the value out)")
        # A data file is a few levels deep (section, parameter, value/reason); hundreds of levels
        # would exhaust Python's recursion before anything could name the file.
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise _RefusedYaml(f"line {mark.line + 1}: nested more than {MAX_YAML_DEPTH} levels deep; "
                                   "a data file needs a few (section, parameter, value and reason)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_TAG_INT, _TAG_FLOAT, _TAG_STR = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:str"
_TAG_BOOL = "tag:yaml.org,2002:bool"
# YAML 1.2's reading of a plain number, which is what a reader means: 2e1 is 20, 1_000 is not.
_FLOAT_12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INT_12 = re.compile(r"[-+]?(0|[1-9][0-9]*)")


def _number_surprise(text: str) -> str | None:
    """Why YAML 1.1 (PyYAML) would read ``text`` as a number a reader does not mean, or None."""
    bare = text.lstrip("+-").replace("_", "")
    if ":" in text:
        return ("YAML 1.1 reads digits separated by ':' as a base-60 number "
                f"({text} would become {_sexagesimal(text)}); write the number itself, or quote it if it is text")
    if re.fullmatch(r"0[0-7]+", bare):
        return (f"YAML 1.1 reads a number with a leading zero as octal ({text} would become "
                f"{int(bare, 8) * (-1 if text.startswith('-') else 1)}); write it without the leading zero")
    if re.fullmatch(r"0[xob][0-9a-fA-F]+", bare):
        return "a hexadecimal, octal or binary literal; write the number in decimal"
    if "_" in text:
        return "digits separated by '_'; write the number without separators"
    return None


def _sexagesimal(text: str) -> str:
    try:
        value = 0.0
        for part in text.lstrip("+-").split(":"):
            value = value * 60 + float(part)
        return f"{value:g}"
    except ValueError:
        return "a number"


def _check_scalars(node, seen: set[int] | None = None) -> None:
    """Refuse numbers YAML 1.1 reads surprisingly, read YAML 1.2 floats (2e1) as numbers, refuse
    duplicate keys (PyYAML keeps the last silently)."""
    if isinstance(node, yaml.ScalarNode):
        if node.style is not None:  # quoted or block text: a string, as written
            return
        line = node.start_mark.line + 1
        if node.tag in (_TAG_INT, _TAG_FLOAT, _TAG_STR) and len(node.value) > MAX_NUMBER_CHARS \
                and _FLOAT_12.fullmatch(node.value.replace("_", "")):
            raise _RefusedYaml(f"line {line}: a number of {len(node.value)} characters "
                               f"({_short(node.value, 20)}); expected a number of at most "
                               f"{MAX_NUMBER_CHARS} characters")
        if node.tag in (_TAG_INT, _TAG_FLOAT) and not (_INT_12.fullmatch(node.value) or _FLOAT_12.fullmatch(node.value)
                                                       or node.value.lower() in (".inf", "-.inf", "+.inf", ".nan")):
            why = _number_surprise(node.value) or "YAML 1.1 reads it as a number a reader may not mean"
            raise _RefusedYaml(f"line {line}: {node.value!r}: {why}")
        if node.tag == _TAG_INT and re.fullmatch(r"[-+]?0[0-9]+", node.value):
            raise _RefusedYaml(f"line {line}: {node.value!r}: {_number_surprise(node.value)}")
        if node.tag == _TAG_STR and _FLOAT_12.fullmatch(node.value):
            node.tag = _TAG_FLOAT  # 2e1: YAML 1.1 needs a dot to see a float; a reader sees 20
        if node.tag == _TAG_BOOL and node.value.lower() not in ("true", "false"):
            node.tag = _TAG_STR  # yes/no/on/off stay words, as in YAML 1.2
        return
    if isinstance(node, yaml.MappingNode):
        keys: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in keys:
                    raise _RefusedYaml(f"line {key.start_mark.line + 1}: the key {key.value!r} appears "
                                       f"twice (also on line {keys[key.value]}); YAML keeps only the last")
                keys[key.value] = key.start_mark.line + 1
            _check_scalars(key)
            _check_scalars(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_scalars(item)


def read_yaml(path: Path) -> Any:
    """A YAML data file, read safely and bounded; every problem is a ParameterError naming it.

    A text is parsed once (by its bytes' digest): a page reads the scenario files for every chapter
    and every case, a hundred times or more. Each call gets its own copy."""
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ParameterError(f"{_rel(path)}: {size} bytes, above the {MAX_YAML_BYTES} bytes a "
                                 "data file may have")
        with path.open("rb") as fh:  # bounded: a file that grows (or never ends) is read no further
            data = fh.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise ParameterError(f"{_rel(path)}: file not found") from None
    return copy.deepcopy(_parse_yaml(str(path), hashlib.sha256(data).hexdigest(), data))


def _parse_yaml(path_text: str, digest: str, data: bytes) -> Any:
    key = (path_text, digest)
    if key not in _PARSED:
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = _parse_yaml_text(Path(path_text), data)
    return _PARSED[key]


_PARSED: dict[tuple[str, str], Any] = {}


def _parse_yaml_text(path: Path, data: bytes) -> Any:
    if len(data) > MAX_YAML_BYTES:
        raise ParameterError(f"{_rel(path)}: above the {MAX_YAML_BYTES} bytes a data file may have")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{_rel(path)}: byte {exc.start}: expected UTF-8 text") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_scalars(node)
        return loader.construct_document(node)
    except _RefusedYaml as exc:
        raise ParameterError(f"{_rel(path)}: {exc}") from None
    except RecursionError:  # a structure the depth limit did not catch (the scanner's own nesting)
        raise ParameterError(f"{_rel(path)}: nested too deeply to read; a data file needs a few "
                             "levels (section, parameter, value and reason)") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{_rel(path)}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()


_read_yaml = read_yaml


def _mapping(value: Any, where: str, expected: str) -> dict:
    """``value`` if it is a mapping, else a ParameterError saying what was expected."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParameterError(f"{where}: expected {expected}, got {_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return f"a list of {len(value)} items (lines starting with '-')"
    return f"{type(value).__name__} {_short(value)}"


def _short(value: Any, limit: int = 60) -> str:
    """A value for an error message: its repr cut short, or its type and size if not plain."""
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else repr(value[:limit]) + f"… ({len(value)} characters)"
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)[:limit]
    try:
        return f"a {type(value).__name__} of {len(value)} items"
    except TypeError:
        return f"a {type(value).__name__}"


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.root()))
    except ValueError:
        return str(path)


def _closest(name: str, known: list[str]) -> str:
    near = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


# --- specifications -------------------------------------------------------------------------

def spec_dir() -> Path:
    return paths.data_dir() / "parameters"


def notebooks_with_specs() -> list[str]:
    """Names of the notebooks that have a parameter specification (``shared`` excluded)."""
    return sorted(p.stem for p in spec_dir().glob("*.yml") if p.stem != "shared")


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


def _pydantic_reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


# --- validation of values -------------------------------------------------------------------

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


# --- scenarios ------------------------------------------------------------------------------

def scenario_dir() -> Path:
    return paths.data_dir() / "scenarios"


SCENARIO_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")
COMPARED = ("bear", "base", "bull")  # the cases every book compares, whichever it is built under


def known_scenarios() -> list[str]:
    """The scenario names: every data/scenarios/<name>.yml whose name is a valid scenario name."""
    return sorted(p.stem for p in scenario_dir().glob("*.yml") if SCENARIO_NAME.fullmatch(p.stem))


def invalid_scenario_files() -> list[str]:
    """Scenario files whose name cannot be a scenario's (spaces, capitals, a leading dot...)."""
    return sorted(p.name for p in scenario_dir().glob("*.yml") if not SCENARIO_NAME.fullmatch(p.stem))


def compared(scenario: str) -> tuple[str, ...]:
    """The cases a book built under ``scenario`` compares: bear, base and bull, and its own if custom."""
    return COMPARED if scenario in COMPARED else (*COMPARED, scenario)


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
        return (str(path.resolve()), hashlib.sha256(path.read_bytes()).hexdigest(), tuple(allowed))
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
