"""Powers: `x ** y` with a constant or a differentiable exponent.

``node ** 2`` makes a one-input `PowConst` op (the exponent is a fixed
number and takes no gradient); ``x ** y`` with a Node exponent is `power`,
differentiable on both sides. Derivative conventions follow PyTorch:
``d(x**y)/dx`` at ``x = 0`` is its limit (0, or inf below exponent 1;
``0 ** 0`` has derivative 0); ``d(x**y)/dy`` is 0 at ``x = 0`` and NaN for a
negative base.

Imports: `micrograd.ops.core`, `micrograd.ops.decorator`, `micrograd.ops.elementary`
(for `log`), `micrograd.node`, `micrograd.checks`.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from micrograd import checks
from micrograd.node import Node, NodeLike
from micrograd.ops.core import LocalGrads, Op, mark_trusted, value_of
from micrograd.ops.decorator import FunctionOp
from micrograd.ops.elementary import log


def _power(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:
        negative = x < 0 and y == math.floor(y) and int(y) % 2 == 1
        return -math.inf if negative else math.inf
    except ValueError:
        if x == 0:
            raise ZeroDivisionError("zero to a negative power") from None
        raise ValueError("negative base with a non-integer exponent") from None


def _base_grad(x: NodeLike, y: NodeLike) -> float | Node:
    """d(x**y)/dx = y * x**(y-1), with its limit at x = 0 where that is singular.

    The branch decides on values (`value_of`), so it is the same branch for
    floats and for Nodes: higher derivatives keep the first derivative's
    meaning at every point.
    """
    base, exponent = value_of(x), value_of(y)
    if not isinstance(y, Node) and exponent in (0.0, 1.0):
        # A constant exponent of 0 or 1 has the constant slope 0 or 1 (PyTorch's
        # zeros for 0, NaN included): no 0 * x**-1, which is NaN where x**-1
        # overflows (x below 5.6e-309), and no node for x**0.
        return exponent
    if base == 0.0 and exponent < 1.0:
        return 0.0 if exponent == 0.0 else math.inf
    if isinstance(x, Node) or isinstance(y, Node):
        return y * x ** (y - 1.0)
    return y * _power(base, exponent - 1.0)


class PowConst(Op):
    """`x ** exponent` for a fixed plain-number exponent (what `node ** 2` uses)."""

    arity = 1

    def __init__(self, exponent: float) -> None:
        self.exponent = checks.real(exponent, "pow", "exponent")
        self.name = f"**{self.exponent:g}"

    def forward(self, x: float) -> float:
        """`x ** exponent`."""
        try:
            return math.pow(x, self.exponent)
        except (OverflowError, ValueError):
            return _power(x, self.exponent)  # the same call, with its edge cases

    def local_grads(self, x: NodeLike, out: NodeLike) -> LocalGrads:
        """`exponent * x ** (exponent - 1)`."""
        if self.exponent == 2.0:  # the square, as common as it is simple
            return (2.0 * x,)
        return (_base_grad(x, self.exponent),)


@functools.lru_cache(maxsize=256)
def _pow_const_op(exponent: float) -> PowConst:
    made = PowConst(exponent)
    mark_trusted(made)
    return made


def _pow_grads(x: NodeLike, y: NodeLike, out: NodeLike) -> LocalGrads:
    # d/dy x**y = x**y * log(x): 0 at x = 0 (the limit), undefined (nan) below.
    base = value_of(x)
    if base > 0:
        if type(out) is float:  # the hot path: the same bits as power_log's value
            exponent_grad: float | Node = out * math.log(base)
        else:
            exponent_grad = power_log.apply(x, y)
    else:
        exponent_grad = 0.0 if base == 0.0 else math.nan
    return (_base_grad(x, y), exponent_grad)


power = FunctionOp(_power, grad=_pow_grads, name="pow")
power.__doc__ = """`x ** y` with both sides differentiable."""


def _power_log(x: float, y: float) -> float:
    return _power(x, y) * math.log(x) if x > 0 else 0.0 if x == 0 else math.nan


def _power_log_grads(x: NodeLike, y: NodeLike, out: NodeLike) -> LocalGrads:
    # d/dx = x**(y-1) (y log x + 1), with no 1/x: the product rule on
    # x**y * log(x) has log's 1/x, which overflows below 5.6e-309 where the
    # whole is finite (at x = 2e-309, y = 1 it is 1 + log x = -709.7).
    # d/dy = x**y log(x)**2.
    logarithm = log.apply(x)
    return (power.apply(x, y - 1.0) * (y * logarithm + 1.0), power_log.apply(x, y) * logarithm)


power_log = FunctionOp(_power_log, grad=_power_log_grads, name="pow_log")
power_log.__doc__ = """``x**y * log(x)``, d(x**y)/dy as an op (for higher derivatives of `pow`)."""


def pow(x: NodeLike, y: NodeLike) -> Node:
    """`x ** y`. A plain-number exponent makes a one-input op (no gradient to it)."""
    if isinstance(y, Node):
        return power(x, y)
    return _pow_const_op(y if type(y) is float else checks.real(y, "pow", "exponent")).call1(x)


mark_trusted(power, power_log)


def _node_pow(self: Node, other: object) -> Any:
    """`self ** other`."""
    if isinstance(other, Node):
        return power(self, other)
    exponent = _exponent(other)
    if exponent is None:
        return NotImplemented
    return _pow_const_op(exponent).call1(self)


def _node_rpow(self: Node, other: object) -> Any:
    """`other ** self`."""
    if _exponent(other) is None:
        return NotImplemented
    return power(other, self)  # type: ignore[arg-type]


def _exponent(value: object) -> float | None:
    # Floats and ints, the exponents of nearly every `x ** n`, go straight on.
    if type(value) is float:
        return value
    if type(value) is int:
        return checks.real(value, "pow", "exponent")
    if isinstance(value, (str, bytes, complex)) or not hasattr(value, "__float__"):
        return None
    try:
        return checks.real(value, "pow", "exponent")
    except TypeError:
        return None


Node.__pow__ = _node_pow  # type: ignore[method-assign]
Node.__rpow__ = _node_rpow  # type: ignore[method-assign]
