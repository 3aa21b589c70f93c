"""Ops: the one mechanism by which Nodes are made, and the built-in ops.

`micrograd.ops.core` holds the machinery (`Op`, `op`, `FunctionOp`); the
other modules hold the built-in functions, each made with the same `op` as a
user's: `arithmetic` (``+ - * /``, neg, abs), `elementary` (exp, log, sqrt,
trigonometric, hyperbolic), `powers` (``**``), `activations` (sigmoid,
softplus, ReLUs, maximum, minimum). Importing the package installs every
operator and function method on `Node`.

This module only re-exports. The package imports `micrograd.node`,
`micrograd.numeric`, `micrograd.checks` and `micrograd._state`; what Node
gets from it (operators, methods, which ops `backward()` writes out) it
registers on Node, which does not import it.
"""

from micrograd.ops.activations import (
    LeakyReLU,
    leaky_relu,
    maximum,
    minimum,
    relu,
    sigmoid,
    softplus,
)
from micrograd.ops.arithmetic import absolute, add, div, mul, neg, sign_of, sub
from micrograd.ops.core import (
    FunctionOp,
    GradFn,
    LocalGrads,
    NumericPartial,
    Op,
    new_node,
    op,
    value_of,
)
from micrograd.ops.elementary import cos, exp, log, sin, sqrt, tan, tanh
from micrograd.ops.powers import PowConst, pow, power

__all__ = [
    "FunctionOp",
    "GradFn",
    "LeakyReLU",
    "LocalGrads",
    "NumericPartial",
    "Op",
    "PowConst",
    "absolute",
    "add",
    "cos",
    "div",
    "exp",
    "leaky_relu",
    "log",
    "maximum",
    "minimum",
    "mul",
    "neg",
    "new_node",
    "op",
    "pow",
    "power",
    "relu",
    "sigmoid",
    "sign_of",
    "sin",
    "softplus",
    "sqrt",
    "sub",
    "tan",
    "tanh",
    "value_of",
]
