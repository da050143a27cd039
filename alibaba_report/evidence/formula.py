"""Rule formulas: arithmetic over claim ids ("consensus_price_target_s004 / us_share_price_s004 - 1"),
parsed within bounds and evaluated by a whitelist (rule files are data: they never run code)."""
from __future__ import annotations

import ast

FUNCTIONS = {"max": max, "min": min}
MAX_FORMULA_CHARS = 500  # the longest rule formula is under 150 characters
MAX_FORMULA_DEPTH = 30  # operators and parentheses nested in one another


def parse_formula(formula: str) -> ast.Expression:
    """A rule's formula parsed, within bounds: at most :data:`MAX_FORMULA_CHARS` characters and
    :data:`MAX_FORMULA_DEPTH` levels of nesting (``- - - x`` is three), so that evaluating and
    writing it out never exhaust Python's recursion. Raises SyntaxError (not a formula) or
    ValueError (too long or too deep), each saying which."""
    if len(formula) > MAX_FORMULA_CHARS:
        raise ValueError(f"a formula of {len(formula):,} characters; expected at most {MAX_FORMULA_CHARS}")
    try:
        tree = ast.parse(formula, mode="eval")
    except (RecursionError, MemoryError):
        raise ValueError(f"a formula nested more deeply than {MAX_FORMULA_DEPTH} levels") from None
    depth, stack = 0, [(tree.body, 1)]
    while stack:
        node, d = stack.pop()
        depth = max(depth, d)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node)
                     if not isinstance(child, (ast.expr_context, ast.operator, ast.unaryop)))
    if depth > MAX_FORMULA_DEPTH:
        raise ValueError(f"a formula nested {depth} levels deep (operators within operators); "
                         f"expected at most {MAX_FORMULA_DEPTH}")
    return tree


_OPERATORS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
              ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}


def evaluate_node(node: ast.AST, ledger, formula: str) -> float:
    """The value of a parsed formula's ``node``; ``ledger`` gives claim values (``ledger.value(id)``)."""
    # A tiny whitelist evaluator: rule files are data, so they must not run arbitrary code.
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        return ledger.value(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = evaluate_node(node.left, ledger, formula), evaluate_node(node.right, ledger, formula)
        if isinstance(node.op, ast.Div) and right == 0:
            raise ValueError(f"formula {formula!r}: {ast.unparse(node.right)!r} is zero, so "
                             f"{ast.unparse(node)!r} divides by zero")
        return _OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = evaluate_node(node.operand, ledger, formula)
        return -value if isinstance(node.op, ast.USub) else value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in FUNCTIONS and not node.keywords):
        return FUNCTIONS[node.func.id](evaluate_node(a, ledger, formula) for a in node.args)
    raise ValueError(f"formula {formula!r}: {ast.unparse(node)!r} is not allowed (numbers, claim "
                     f"ids, + - * /, max(), min())")
