"""The arithmetic ops: `+ - * /`, negation and absolute value.

They are made with the same `op` as any user's, and installed on `Node` as
its operators (``x + y`` is ``add.operator()(x, y)``) when this module is
imported. Derivative conventions follow PyTorch: ``abs'(0) = 0``
(and 0 at NaN, as PyTorch's sign).

Imports: `micrograd.ops.core`, `micrograd.ops.decorator`, `micrograd.ops.methods`,
`micrograd.node`.
"""

from __future__ import annotations

import builtins
import operator

from micrograd.backprop import register_linear_ops
from micrograd.node import Node, NodeLike
from micrograd.ops.core import mark_trusted, value_of
from micrograd.ops.decorator import FunctionOp, op
from micrograd.ops.methods import install_method, install_operator

# The arithmetic ops take Python's own operators (C functions) as their
# forward: no Python frame per operation on the hottest path of the engine.
add: FunctionOp = op(operator.add, grad=lambda x, y, out: (1.0, 1.0), name="add", doc="`x + y`.")
sub: FunctionOp = op(operator.sub, grad=lambda x, y, out: (1.0, -1.0), name="sub", doc="`x - y`.")
mul: FunctionOp = op(operator.mul, grad=lambda x, y, out: (y, x), name="mul", doc="`x * y`.")
div = op(
    operator.truediv,
    grad=lambda x, y, out: (1.0 / y, -out / y),
    name="div",
    doc="`x / y`; dividing by zero raises ZeroDivisionError naming the values.",
)
neg = op(operator.neg, grad=lambda x, out: (-1.0,), name="neg", doc="`-x`.")


def sign_of(x: NodeLike) -> float:
    """1.0, -1.0 or 0.0 by the sign of `x`'s value (0.0 for zero and NaN, as PyTorch's sign)."""
    value = value_of(x)
    return 1.0 if value > 0 else -1.0 if value < 0 else 0.0


@op(grad=lambda x, out: (sign_of(x),), name="abs")
def absolute(x: float) -> float:
    """`|x|`; its derivative at 0 is taken as 0."""
    return builtins.abs(x)


mark_trusted(add, sub, mul, div, neg, absolute)
register_linear_ops(add, sub, mul)

for _name, _op in (("add", add), ("sub", sub), ("mul", mul), ("truediv", div)):
    install_operator(_name, _op)


def _node_neg(self: Node) -> Node:
    """`-self`."""
    return neg.call1(self)


def _node_pos(self: Node) -> Node:
    """`+self` is `self`."""
    return self


def _node_abs(self: Node) -> Node:
    """`abs(self)`; its derivative at 0 is taken as 0."""
    return absolute.call1(self)


Node.__neg__ = _node_neg  # type: ignore[method-assign]
Node.__pos__ = _node_pos  # type: ignore[method-assign]
Node.__abs__ = _node_abs  # type: ignore[method-assign]
install_method("abs", absolute, "Absolute value; its derivative at 0 is taken as 0.")
