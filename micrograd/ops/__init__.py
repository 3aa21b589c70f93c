"""Ops: the one mechanism by which Nodes are made, and the built-in ops.

The machinery is in three modules: `core` (`Op`, the base class of every
op, and `NumericPartial`), `decorator` (`op` and the `FunctionOp` it makes)
and `nodes` (`new_node`, the one definition of an op-made Node, and the
operator methods); `methods` installs ops on `Node`. The other modules hold
the built-in functions, each made with the same `op` as a user's:
`arithmetic` (``+ - * /``, neg, abs), `elementary` (exp, log, sqrt,
trigonometric, hyperbolic), `powers` (``**``), `activations` (sigmoid,
softplus, ReLUs, maximum, minimum), `mathfuncs` (the rest of Python's `math`
module: inverse trigonometric and hyperbolic, exp2/log2/log10/log1p/expm1,
erf, gamma and its derivatives, hypot (made in `hypot`), sinc), `rounding` (floor, ceil,
trunc, round, sign, remainders, clamp and Python's ``% // divmod``),
`more_activations` (gelu, silu, elu, selu, softsign, hardtanh, mish,
log_sigmoid, logsumexp, softmax). `special` holds the float special functions
behind them and `catalog` the function table of the documentation.
Importing the package installs every operator and function method on `Node`.

This module only re-exports. The package imports `micrograd.node`,
`micrograd.backprop`, `micrograd.numeric`, `micrograd.checks` and
`micrograd._state`; what Node gets from it (operators, methods, which ops
`backward()` writes out) it registers, as Node and the backward pass do not
import it.
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
from micrograd.ops.core import GradFn, LocalGrads, NumericPartial, Op, value_of
from micrograd.ops.decorator import FunctionOp, op
from micrograd.ops.elementary import Log, cos, exp, log, log_base, sin, sqrt, tan, tanh
from micrograd.ops.hypot import hypot
from micrograd.ops.mathfuncs import (
    Polygamma,
    acos,
    acosh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cbrt,
    cosh,
    degrees,
    digamma,
    erf,
    erfc,
    exp2,
    expm1,
    gamma,
    lgamma,
    log1p,
    log2,
    log10,
    polygamma,
    radians,
    sinc,
    sinh,
)
from micrograd.ops.more_activations import (
    Elu,
    Gelu,
    Hardtanh,
    elu,
    gelu,
    gelu_tanh,
    hardtanh,
    log_sigmoid,
    log_softmax,
    logsigmoid,
    logsumexp,
    mish,
    selu,
    silu,
    softmax,
    softsign,
)
from micrograd.ops.nodes import new_node
from micrograd.ops.powers import PowConst, pow, power
from micrograd.ops.rounding import (
    Clamp,
    Round,
    ceil,
    clamp,
    clip,
    copysign,
    floor,
    floor_divide,
    fmod,
    mod,
    remainder,
    round,
    sign,
    trunc,
)

#: NumPy's name for `asin`.
arcsin = asin
#: NumPy's name for `acos`.
arccos = acos
#: NumPy's name for `atan`.
arctan = atan
#: NumPy's name for `atan2`.
arctan2 = atan2
#: NumPy's name for `asinh`.
arcsinh = asinh
#: NumPy's name for `acosh`.
arccosh = acosh
#: NumPy's name for `atanh`.
arctanh = atanh
#: NumPy's name for `radians`.
deg2rad = radians
#: NumPy's name for `degrees`.
rad2deg = degrees
#: Python's name for `absolute`.
fabs = absolute

__all__ = [
    "Clamp",
    "Elu",
    "FunctionOp",
    "Gelu",
    "GradFn",
    "Hardtanh",
    "LeakyReLU",
    "LocalGrads",
    "Log",
    "NumericPartial",
    "Op",
    "Polygamma",
    "PowConst",
    "Round",
    "absolute",
    "acos",
    "acosh",
    "add",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "cbrt",
    "ceil",
    "clamp",
    "clip",
    "copysign",
    "cos",
    "cosh",
    "deg2rad",
    "degrees",
    "digamma",
    "div",
    "elu",
    "erf",
    "erfc",
    "exp",
    "exp2",
    "expm1",
    "fabs",
    "floor",
    "floor_divide",
    "fmod",
    "gamma",
    "gelu",
    "gelu_tanh",
    "hardtanh",
    "hypot",
    "leaky_relu",
    "lgamma",
    "log",
    "log1p",
    "log2",
    "log10",
    "log_base",
    "log_sigmoid",
    "log_softmax",
    "logsigmoid",
    "logsumexp",
    "maximum",
    "minimum",
    "mish",
    "mod",
    "mul",
    "neg",
    "new_node",
    "op",
    "polygamma",
    "pow",
    "power",
    "rad2deg",
    "radians",
    "relu",
    "remainder",
    "round",
    "selu",
    "sigmoid",
    "sign",
    "sign_of",
    "silu",
    "sin",
    "sinc",
    "sinh",
    "softmax",
    "softplus",
    "softsign",
    "sqrt",
    "sub",
    "tan",
    "tanh",
    "trunc",
    "value_of",
]
