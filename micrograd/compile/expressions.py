"""Python expressions as text with their precedence, so generated code needs few parentheses.

An expression is a tuple ``(text, precedence, depth)``; the helpers here combine
them the way Python's grammar binds operators.

Imports nothing from micrograd.
"""

from __future__ import annotations

import math

# ---------------------------------------------------------------------------
# Python expressions with their precedence, so that generated code carries
# only the parentheses it needs (and evaluates exactly as the graph did).

_COND = 1  # a if c else b
_CMP = 5  # a > b
_ADD = 10  # a + b, a - b
_MUL = 11  # a * b, a / b
_UNARY = 12  # -a
_POW = 13  # a ** b
_ATOM = 20  # names, literals, calls, parenthesised expressions


def _comment(text: object, limit: int = 120) -> str:
    """`text` made safe to stand after ``#`` in generated source: one line, printable only.

    Everything taken from user objects (a function's qualified name, a file
    name, a label) goes through here before it reaches generated code: line
    breaks of every kind and other unprintable characters become visible
    escapes, so no text can end the comment and start a statement.
    """
    shown = str(text)
    if not shown.isprintable():
        shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in shown)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


#: An expression: (Python source, precedence, nesting depth). Plain tuples, as
#: code generation makes hundreds of thousands of them.
_Expr = tuple[str, int, int]


def _atom(text: str) -> _Expr:
    """A name or a non-negative literal."""
    return (text, _ATOM, 0)


def _operand(expr: _Expr, min_prec: int) -> str:
    return expr[0] if expr[1] >= min_prec else f"({expr[0]})"


def _binary(left: _Expr, symbol: str, right: _Expr, prec: int) -> _Expr:
    """A left-associative binary operation: `right` is bracketed at equal precedence."""
    a = left[0] if left[1] >= prec else f"({left[0]})"
    b = right[0] if right[1] > prec else f"({right[0]})"
    return (f"{a} {symbol} {b}", prec, (left[2] if left[2] > right[2] else right[2]) + 1)


def _power_expr(base: _Expr, exponent: _Expr) -> _Expr:
    text = f"{_operand(base, _POW + 1)} ** {_operand(exponent, _UNARY)}"
    return (text, _POW, max(base[2], exponent[2]) + 1)


def _negate(expr: _Expr) -> _Expr:
    # -(-x) rather than --x: valid either way, but the first reads as meant.
    return (f"-{_operand(expr, _UNARY + 1)}", _UNARY, expr[2] + 1)


def _call(function: str, *args: _Expr) -> _Expr:
    depth = max((a[2] for a in args), default=0) + 1
    return (f"{function}({', '.join(a[0] for a in args)})", _ATOM, depth)


def _choose(value: _Expr, condition: str, otherwise: _Expr, depth: int) -> _Expr:
    """``value if condition else otherwise``; the condition is already source text."""
    text = f"{_operand(value, _COND + 1)} if {condition} else {_operand(otherwise, _COND)}"
    return (text, _COND, max(value[2], otherwise[2], depth) + 1)


def _compare(left: _Expr, symbol: str, right: _Expr) -> str:
    return f"{_operand(left, _CMP + 1)} {symbol} {_operand(right, _CMP + 1)}"


def _literal(value: float) -> _Expr:
    """A float as source that evaluates to exactly the same float (depth 0: a leaf)."""
    if math.isnan(value):
        return _atom("nan")
    if math.isinf(value):
        return _atom("inf") if value > 0 else ("-inf", _UNARY, 0)
    text = repr(float(value))
    return (text, _UNARY, 0) if text.startswith("-") else _atom(text)


def _number(value: float) -> _Expr:
    """A literal written as an integer when it is one (``x ** 2``, not ``x ** 2.0``)."""
    if value == int(value) and abs(value) < 2**53:
        text = str(int(value))
        return (text, _UNARY, 0) if text.startswith("-") else _atom(text)
    return _literal(value)


_ONE = _atom("1.0")
_MINUS_ONE: _Expr = ("-1.0", _UNARY, 0)
_ZERO = _atom("0.0")
_HALF = _atom("0.5")
_INT_ZERO = _atom("0")
