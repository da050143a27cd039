"""The package stays readable: no module over 400 lines, no function over 50 (issue 22's limits)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


def _modules() -> list[Path]:
    found = sorted((ROOT / "alibaba_report").rglob("*.py"))
    assert len(found) > 0
    return found


def long_modules(paths: list[Path]) -> list[str]:
    return [f"{p.name}: {n} lines" for p in paths
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]


def long_functions(paths: list[Path]) -> list[str]:
    long = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.name}:{node.lineno} {node.name}: {length} lines")
    return long


def test_no_module_is_over_the_limit():
    long = long_modules(_modules())
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split by responsibility):\n" + "\n".join(long)


def test_no_function_is_over_the_limit():
    long = long_functions(_modules())
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(long)


def test_the_checks_catch_a_long_module_and_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    fine = tmp_path / "fine.py"
    fine.write_text("def g():\n    return 1\n")
    bad = tmp_path / "bad.py"
    bad.write_text(f"async def f():\n{body}\n" + "\n" * MAX_MODULE_LINES)
    assert long_functions([fine, bad]) == [f"bad.py:1 f: {MAX_FUNCTION_LINES + 1} lines"]
    assert long_modules([fine, bad]) == [f"bad.py: {MAX_FUNCTION_LINES + 1 + MAX_MODULE_LINES} lines"]
