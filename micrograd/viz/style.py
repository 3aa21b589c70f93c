"""How pictures look: fonts, colours, op symbols, and numbers and labels as text.

Imports: `micrograd.node`, `micrograd.ops`.
"""

from __future__ import annotations

import html
import math

from micrograd import ops
from micrograd.node import Node, OpLike

# -- how things look ----------------------------------------------------------

_FONT = "Helvetica"
_FILL = {
    "input": "#dbeafe",
    "parameter": "#fde9b6",
    "constant": "#eef0f3",
    "value": "#ffffff",
    "output": "#d9f5df",
}
_BORDER = {
    "input": "#3b6fb6",
    "parameter": "#b7791f",
    "constant": "#9aa3ad",
    "value": "#6b7280",
    "output": "#2f8a4a",
}
_GRAD_COLOUR = "#b42318"
_MUTED_COLOUR = "#6b7280"
_OP_FILL = "#ece8fb"
_OP_BORDER = "#7c6bc4"
_EDGE_COLOUR = "#5b6470"
_CLUSTER_BORDER = "#9aa3ad"

# Built-in ops are shown by their operator rather than their name. Keyed by
# the op object itself, so a user's op that happens to be called "add" keeps
# its own name.
_SYMBOLS: dict[OpLike, str] = {
    ops.add: "+",
    ops.sub: "-",
    ops.mul: "*",
    ops.div: "/",
    ops.neg: "neg",
    ops.power: "**",
}
# Ops whose inputs can be swapped freely: the others get their arrows numbered.
_SYMMETRIC: frozenset[ops.Op] = frozenset({ops.add, ops.mul, ops.maximum, ops.minimum})


def _format_number(value: float) -> str:
    """A compact, readable number: 4 significant digits, exponents when far from 1.

    Whole numbers show without a decimal point (``3``, ``-12``), so equal
    values always look equal; magnitudes from 1e-4 up to 1e4 show as plain
    decimals and the rest in exponent form (``1.5e+06`` becomes ``1.5e6``).
    """
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"  # also for -0.0
    text = format(value, ".4g")
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def _grad_value(node: Node) -> float:
    """The gradient as a number (its value, when `backward(create_graph=True)` made it a Node)."""
    grad = node.grad
    return grad.data if isinstance(grad, Node) else float(grad)


def _op_text(op: OpLike | None) -> str:
    if op is None:
        return "?"
    return _SYMBOLS.get(op, op.name)


def _printable(text: str) -> str:
    """`text` with every character Graphviz cannot take shown as a visible escape.

    Control characters, surrogates and the non-characters U+FFFE/U+FFFF are
    not allowed in the XML of HTML-like labels (dot fails on them); they are
    written as ``\\xNN`` / ``\\uNNNN`` so that the reader still sees them.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _visible(ch) for ch in text)


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape(text: str) -> str:
    """User text (a label, an op's name) for an HTML-like label: printable and never markup."""
    return html.escape(_printable(text))
