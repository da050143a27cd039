"""The one reader of the YAML data files: safe, bounded, and strict where YAML 1.1 surprises a
reader (aliases, base-60 and octal numbers, duplicate keys); every problem is a ParameterError
naming the file and the line."""
from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from alibaba_report.params.errors import ParameterError, _rel, _short


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
