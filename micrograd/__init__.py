"""micrograd: a scalar automatic differentiation engine.

>>> import micrograd as mg
>>> x = mg.Node(3.0)
>>> y = x * x + 1
>>> y.backward()
>>> x.grad
6.0

The public names, re-exported from the modules that define them; nothing is
defined here. Imports: everything but `micrograd.cli` (see docs/architecture.md).
"""

from micrograd import models, nn, optim
from micrograd.compile import (
    BranchError,
    CompiledFunction,
    CompiledLoss,
    CompileError,
    GraphTooLargeError,
    VerificationError,
    compile_loss,
    register_emitter,
)
from micrograd.compile import compile_function as compile
from micrograd.explain import Explanation, explain
from micrograd.functional import grad, gradcheck, value_and_grad
from micrograd.nn import Module, Parameter, manual_seed
from micrograd.node import (
    Constant,
    Node,
    NodeLike,
    enable_grad,
    gradients,
    is_grad_enabled,
    no_grad,
    topological_order,
)
from micrograd.numeric import derivative, numeric_grad
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
from micrograd.viz import GraphvizNotFoundError, draw_graph, render_graph

#: The installed version of micrograd.
__version__ = "0.2.0"

__all__ = [
    "BranchError",
    "CompileError",
    "CompiledFunction",
    "CompiledLoss",
    "Constant",
    "Explanation",
    "FunctionOp",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "LeakyReLU",
    "Module",
    "Node",
    "NodeLike",
    "NumericPartial",
    "Op",
    "Parameter",
    "PowConst",
    "VerificationError",
    "__version__",
    "abs",
    "add",
    "compile",
    "compile_loss",
    "cos",
    "derivative",
    "div",
    "draw_graph",
    "enable_grad",
    "exp",
    "explain",
    "grad",
    "gradcheck",
    "gradients",
    "is_grad_enabled",
    "leaky_relu",
    "log",
    "manual_seed",
    "maximum",
    "minimum",
    "models",
    "mul",
    "neg",
    "nn",
    "no_grad",
    "numeric_grad",
    "op",
    "optim",
    "pow",
    "power",
    "register_emitter",
    "relu",
    "render_graph",
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
