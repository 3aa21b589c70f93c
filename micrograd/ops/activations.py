"""Activation functions and elementwise extremes: sigmoid, softplus, ReLUs, maximum, minimum.

Conventions follow PyTorch: ``relu'(0) = 0``; a tie in `maximum`/`minimum`
splits the gradient evenly; NaN propagates through every one of them (a NaN
input gives a NaN output; its gradient is PyTorch's: ``relu'(nan) = 1``, and
both inputs of `maximum`/`minimum` get the full gradient when one is NaN).

Imports: `micrograd.ops.core`, `micrograd.ops.decorator`, `micrograd.ops.elementary`,
`micrograd.ops.methods`, `micrograd.node`, `micrograd.checks`.
"""

from __future__ import annotations

import builtins
import functools
import math

from micrograd import checks
from micrograd.node import Node, NodeLike
from micrograd.ops.core import LocalGrads, Op, mark_trusted, value_of
from micrograd.ops.decorator import op
from micrograd.ops.elementary import tanh
from micrograd.ops.methods import install_method


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _sigmoid_grad(x: NodeLike, out: NodeLike) -> tuple[NodeLike]:
    # sigmoid' = sigmoid(x) * sigmoid(-x). The textbook out * (1 - out) cancels
    # where out is near 1: at x = 20 it keeps only 8 of 16 digits.
    if type(x) is float:  # the hot path: the same bits as sigmoid_derivative(x)
        return (out * _logistic(-x),)
    return (sigmoid_derivative(x),)


def _sigmoid_derivative_grad(x: NodeLike, out: NodeLike) -> tuple[NodeLike]:
    # d/dx [s(x) s(-x)] = s(x) s(-x) (s(-x) - s(x)) = out * -tanh(x / 2): one
    # term, so no two large halves of a product rule cancel (at x = 0 they
    # would be +-1/8, swamping every smaller gradient summed with them).
    return (out * -tanh.apply(x * 0.5),)


@op(grad=_sigmoid_derivative_grad, name="dsigmoid")
def sigmoid_derivative(x: float) -> float:
    """The derivative of `sigmoid`, ``sigmoid(x) * sigmoid(-x)``: what higher derivatives use."""
    return _logistic(x) * _logistic(-x)


@op(grad=_sigmoid_grad)
def sigmoid(x: float) -> float:
    """Logistic sigmoid `1 / (1 + exp(-x))`, computed without overflow."""
    return _logistic(x)


@op(grad=lambda x, out: (sigmoid.apply(x),))
def softplus(x: float) -> float:
    """`log(1 + exp(x))`, computed without overflow."""
    if math.isnan(x):
        return x
    return builtins.max(x, 0.0) + math.log1p(math.exp(-builtins.abs(x)))


def _relu_grad(x: NodeLike, out: NodeLike) -> tuple[float]:
    # PyTorch's threshold: the gradient passes unless x <= 0 (so it passes at NaN).
    return (0.0 if value_of(x) <= 0.0 else 1.0,)


@op(grad=_relu_grad)
def relu(x: float) -> float:
    """`max(x, 0)`; its derivative at 0 is taken as 0; NaN gives NaN; -0.0 stays -0.0."""
    return 0.0 if x < 0.0 else x


def _max_grads(x: NodeLike, y: NodeLike, out: NodeLike) -> tuple[float, float]:
    a, b = value_of(x), value_of(y)
    if a > b:
        return (1.0, 0.0)
    if a < b:
        return (0.0, 1.0)
    if a == b:
        return (0.5, 0.5)
    return (1.0, 1.0)  # a NaN: PyTorch passes the gradient to both


def _min_grads(x: NodeLike, y: NodeLike, out: NodeLike) -> tuple[float, float]:
    a, b = value_of(x), value_of(y)
    if a < b:
        return (1.0, 0.0)
    if a > b:
        return (0.0, 1.0)
    if a == b:
        return (0.5, 0.5)
    return (1.0, 1.0)


@op(grad=_max_grads)
def maximum(x: float, y: float) -> float:
    """The larger of `x` and `y`; a tie splits the gradient evenly; NaN if either is NaN."""
    if x != x:
        return x
    return x if x >= y else y


@op(grad=_min_grads)
def minimum(x: float, y: float) -> float:
    """The smaller of `x` and `y`; a tie splits the gradient evenly; NaN if either is NaN."""
    if x != x:
        return x
    return x if x <= y else y


class LeakyReLU(Op):
    """`x` if positive, else `negative_slope * x`."""

    name = "leaky_relu"
    arity = 1

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = checks.setting(negative_slope, "leaky_relu", "negative_slope")

    def forward(self, x: float) -> float:
        """The function itself."""
        return x if x > 0 else self.negative_slope * x

    def local_grads(self, x: NodeLike, out: NodeLike) -> LocalGrads:
        """1 for positive inputs, the slope otherwise (at NaN too, as PyTorch)."""
        return (1.0 if value_of(x) > 0 else self.negative_slope,)


@functools.lru_cache(maxsize=64)
def _leaky_relu_op(negative_slope: float) -> LeakyReLU:
    made = LeakyReLU(negative_slope)
    mark_trusted(made)
    return made


def leaky_relu(x: NodeLike, negative_slope: float = 0.01) -> Node:
    """`x` if positive, else `negative_slope * x`."""
    return _leaky_relu_op(checks.setting(negative_slope, "leaky_relu", "negative_slope"))(x)


mark_trusted(sigmoid, sigmoid_derivative, softplus, relu, maximum, minimum)

install_method("sigmoid", sigmoid, "Logistic sigmoid `1 / (1 + exp(-self))`, stable.")
install_method("softplus", softplus, "`log(1 + exp(self))`, stable for large magnitudes.")
install_method("relu", relu, "`max(self, 0)`; its derivative at 0 is taken as 0.")
install_method("leaky_relu", leaky_relu, "`self` if positive, else `negative_slope * self`.")
