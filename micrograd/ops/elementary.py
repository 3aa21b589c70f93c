"""Elementary functions: exponential, logarithm, square root, trigonometric, hyperbolic.

Each is an op made with `op`, with its local gradient written with
Node-aware arithmetic (operators and `Op.apply`), so higher derivatives are
exact; each is also a method of Node (``x.exp()``). Domain errors raise
ValueError naming the op and its input; NaN propagates.

Imports: `micrograd.ops.core`, `micrograd.ops.decorator`, `micrograd.ops.methods`,
`micrograd.node`.
"""

from __future__ import annotations

import math

from micrograd.node import Node, NodeLike
from micrograd.ops.core import mark_trusted
from micrograd.ops.decorator import FunctionOp, op
from micrograd.ops.methods import install_method


@op(grad=lambda x, out: (out,))
def exp(x: float) -> float:
    """`e ** x`; overflows to inf rather than raising."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _natural_log(x: float) -> float:
    """Natural logarithm; ValueError for inputs <= 0."""
    if not x > 0:
        if math.isnan(x):
            return x
        raise ValueError("logarithm of a number <= 0")
    return math.log(x)


def _log_base(x: float, base: float) -> float:
    """``log(x) / log(base)``, as `math.log` with a base."""
    if not base > 0:
        if math.isnan(base):
            return base
        raise ValueError("logarithm to a base <= 0")
    if base == 1.0:
        raise ZeroDivisionError("logarithm to base 1")
    return _natural_log(x) / math.log(base)


def _log_base_grads(x: NodeLike, base: NodeLike, out: NodeLike) -> tuple[float | Node, ...]:
    log_of_base = log.apply(base)
    return (1.0 / (x * log_of_base), -out / (base * log_of_base))


log_base = op(_log_base, grad=_log_base_grads, name="log")


class Log(FunctionOp):
    """The op `log`: ``log(x)``, or ``log(x, base)`` as Python's `math.log`."""

    def __call__(self, *args: NodeLike) -> Node:
        """``log(x)``; with a second input, ``log(x, base)`` (the op `log_base`)."""
        if len(args) == 2:
            return log_base(*args)
        return super().__call__(*args)


log = Log(_natural_log, grad=lambda x, out: (1.0 / x,), name="log")
log.__doc__ = """Natural logarithm, or ``log(x, base)``; ValueError for inputs <= 0.

>>> import micrograd as mg
>>> mg.log(8.0, 2.0).data, mg.grad(lambda b: mg.log(8.0, b))(2.0) == -3 / (2 * math.log(2))
(3.0, True)
"""


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


mark_trusted(exp, log, log_base, sqrt, sin, cos, tan, tanh)

install_method("exp", exp, "`e ** self`.")
install_method("log", log, "Natural logarithm.")
install_method("sqrt", sqrt, "Square root.")
install_method("sin", sin, "Sine.")
install_method("cos", cos, "Cosine.")
install_method("tan", tan, "Tangent.")
install_method("tanh", tanh, "Hyperbolic tangent.")
