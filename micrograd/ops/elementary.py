"""Elementary functions: exponential, logarithm, square root, trigonometric, hyperbolic.

Each is an op made with `op`, with its local gradient written with
Node-aware arithmetic (operators and `Op.apply`), so higher derivatives are
exact; each is also a method of Node (``x.exp()``). Domain errors raise
ValueError naming the op and its input; NaN propagates.

Imports: `micrograd.ops.core`, `micrograd.ops.methods`, `micrograd.node`.
"""

from __future__ import annotations

import math

from micrograd.node import Node, NodeLike
from micrograd.ops.core import mark_trusted, op
from micrograd.ops.methods import install_method


@op(grad=lambda x, out: (out,))
def exp(x: float) -> float:
    """`e ** x`; overflows to inf rather than raising."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


@op(grad=lambda x, out: (1.0 / x,))
def log(x: float) -> float:
    """Natural logarithm; ValueError for inputs <= 0."""
    if not x > 0:
        if math.isnan(x):
            return x
        raise ValueError("logarithm of a number <= 0")
    return math.log(x)


def _sqrt_grad(x: NodeLike, out: NodeLike) -> tuple[float | Node]:
    # 1 / (2 sqrt(x)), and its limit inf at 0 (decided on the value, so the
    # same on Nodes).
    value = out.data if isinstance(out, Node) else out
    return (0.5 / out if value != 0.0 else math.inf,)


@op(grad=_sqrt_grad)
def sqrt(x: float) -> float:
    """Square root; ValueError for negative inputs."""
    if x < 0:
        raise ValueError("square root of a negative number")
    return math.sqrt(x)


@op(grad=lambda x, out: (_cosine(x),))
def sin(x: float) -> float:
    """Sine."""
    return math.sin(x)


@op(grad=lambda x, out: (-sin.apply(x),))
def cos(x: float) -> float:
    """Cosine."""
    return math.cos(x)


def _cosine(x: NodeLike) -> float | Node:
    return cos.apply(x)


@op(grad=lambda x, out: (1.0 + out * out,))
def tan(x: float) -> float:
    """Tangent."""
    return math.tan(x)


@op(grad=lambda x, out: (1.0 - out * out,))
def tanh(x: float) -> float:
    """Hyperbolic tangent (1.0 at large inputs, never an overflow)."""
    return math.tanh(x)


mark_trusted(exp, log, sqrt, sin, cos, tan, tanh)

install_method("exp", exp, "`e ** self`.")
install_method("log", log, "Natural logarithm.")
install_method("sqrt", sqrt, "Square root.")
install_method("sin", sin, "Sine.")
install_method("cos", cos, "Cosine.")
install_method("tan", tan, "Tangent.")
install_method("tanh", tanh, "Hyperbolic tangent.")
