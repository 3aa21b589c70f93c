"""micrograd: a scalar automatic differentiation engine.

>>> import micrograd as mg
>>> x = mg.Node(3.0)
>>> y = x * x + 1
>>> y.backward()
>>> x.grad
6.0
"""

from micrograd.functional import grad, value_and_grad
from micrograd.node import (
    Node,
    NodeLike,
    enable_grad,
    gradients,
    is_grad_enabled,
    no_grad,
    topological_order,
)
from micrograd.numeric import derivative, gradcheck, numeric_grad
from micrograd.ops import (
    FunctionOp,
    LeakyReLU,
    NumericPartial,
    Op,
    PowConst,
    add,
    cos,
    div,
    exp,
    leaky_relu,
    log,
    maximum,
    minimum,
    mul,
    neg,
    op,
    pow,
    power,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    sub,
    tan,
    tanh,
)
from micrograd.ops import absolute as abs

__version__ = "0.2.0"

__all__ = [
    "FunctionOp",
    "LeakyReLU",
    "Node",
    "NodeLike",
    "NumericPartial",
    "Op",
    "PowConst",
    "__version__",
    "abs",
    "add",
    "cos",
    "derivative",
    "div",
    "enable_grad",
    "exp",
    "grad",
    "gradcheck",
    "gradients",
    "is_grad_enabled",
    "leaky_relu",
    "log",
    "maximum",
    "minimum",
    "mul",
    "neg",
    "no_grad",
    "numeric_grad",
    "op",
    "pow",
    "power",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "sub",
    "tan",
    "tanh",
    "topological_order",
    "value_and_grad",
]
