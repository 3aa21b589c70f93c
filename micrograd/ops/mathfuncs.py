"""The differentiable functions of Python's `math` module that `elementary` does not hold.

Inverse trigonometric and hyperbolic functions, ``sinh``/``cosh``, the
base-2 and base-10 exponentials and logarithms, ``log1p``/``expm1``, the
cube root, ``degrees``/``radians``, the error functions, ``hypot`` of any
number of inputs, the gamma function with its logarithm and derivatives
(digamma, polygamma), and NumPy's ``sinc``. Each is an op with analytic
local gradients written with ops (so every order is analytic), a Node method
where PyTorch has one, and a row of the function table (`catalog.describe`).

Numerical care: the textbook formula is replaced where it loses accuracy
(``1 - x*x`` is written ``(1 - x)(1 + x)``; ``1 / sqrt(1 + x*x)`` is
``1 / hypot(1, x)``, finite for any x); a value that overflows is an infinity,
not an OverflowError; at a domain edge the derivative is its limit (an
infinity), chosen on the input's value so that it is the same on Nodes.

Imports: `micrograd.ops.core`, `micrograd.ops.decorator`, `micrograd.ops.arithmetic`,
`micrograd.ops.elementary`, `micrograd.ops.powers`, `micrograd.ops.hypot`, `micrograd.ops.special`,
`micrograd.ops.catalog`, `micrograd.ops.methods`, `micrograd.node`,
`micrograd.checks`.
"""

from __future__ import annotations

import functools
import math

from micrograd import checks
from micrograd.node import Node, NodeLike
from micrograd.ops import special
from micrograd.ops.arithmetic import absolute, add, div, mul, neg, sub
from micrograd.ops.catalog import describe
from micrograd.ops.core import LocalGrads, Op, mark_trusted, value_of
from micrograd.ops.decorator import op
from micrograd.ops.elementary import cos, exp, log, sin, sqrt, tan, tanh
from micrograd.ops.hypot import hypot
from micrograd.ops.methods import install_method
from micrograd.ops.powers import power

Grad = float | Node

_LN2 = math.log(2.0)
_INV_LN2 = 1.0 / math.log(2.0)
_INV_LN10 = 1.0 / math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_DEGREES = 180.0 / math.pi  # the constants of CPython's math.degrees and math.radians
_RADIANS = math.pi / 180.0


def _infinite_if_zero(numerator: float, denominator: NodeLike) -> Grad:
    """``numerator / denominator``, or its limit ``numerator * inf`` where the denominator is 0."""
    if value_of(denominator) != 0.0:
        return numerator / denominator
    return math.copysign(math.inf, numerator)


def _outside(condition: bool, message: str) -> None:
    if condition:
        raise ValueError(message)


# -- inverse trigonometric --------------------------------------------------------


def _one_minus_square(x: NodeLike) -> Grad:
    """``1 - x**2``: as ``(1 - x)(1 + x)`` near +-1 (exact there), as ``1 - x*x`` near 0.

    Near 0 the product's derivative ``(1 - x) - (1 + x)`` would cancel.
    """
    if abs(value_of(x)) < 0.5:
        return 1.0 - x * x
    return (1.0 - x) * (1.0 + x)


@op(grad=lambda x, out: (_infinite_if_zero(1.0, sqrt.apply(_one_minus_square(x))),))
def asin(x: float) -> float:
    """Inverse sine, in ``[-pi/2, pi/2]``; ValueError outside ``[-1, 1]``.

    >>> import micrograd as mg
    >>> mg.grad(mg.asin)(0.6)  # 1 / sqrt(1 - 0.36)
    1.25
    """
    _outside(abs(x) > 1.0, "input outside [-1, 1]")
    return math.asin(x)


@op(grad=lambda x, out: (_infinite_if_zero(-1.0, sqrt.apply(_one_minus_square(x))),))
def acos(x: float) -> float:
    """Inverse cosine, in ``[0, pi]``; ValueError outside ``[-1, 1]``."""
    _outside(abs(x) > 1.0, "input outside [-1, 1]")
    return math.acos(x)


@op(grad=lambda x, out: (1.0 / (1.0 + x * x),))
def atan(x: float) -> float:
    """Inverse tangent, in ``(-pi/2, pi/2)``."""
    return math.atan(x)


def _atan2_grads(y: NodeLike, x: NodeLike, out: NodeLike) -> LocalGrads:
    # x / r**2 and -y / r**2, divided by r twice: no overflow for large inputs.
    r = hypot.apply(y, x)
    if value_of(r) == 0.0:
        return (0.0, 0.0)  # PyTorch's value at the origin
    return (x / r / r, -y / r / r)


@op(grad=_atan2_grads)
def atan2(y: float, x: float) -> float:
    """The angle of the point ``(x, y)``, in ``[-pi, pi]`` (note the order: `y` first)."""
    return math.atan2(y, x)


# -- hyperbolic ---------------------------------------------------------------------


def _sinh_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    return (cosh.apply(x),)


@op(grad=_sinh_grad)
def sinh(x: float) -> float:
    """Hyperbolic sine; an infinity where it overflows."""
    try:
        return math.sinh(x)
    except OverflowError:
        return math.copysign(math.inf, x)


@op(grad=lambda x, out: (sinh.apply(x),))
def cosh(x: float) -> float:
    """Hyperbolic cosine; inf where it overflows."""
    try:
        return math.cosh(x)
    except OverflowError:
        return math.inf


def _asinh_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    return (1.0 / hypot.apply(1.0, x),)


@op(grad=_asinh_grad)
def asinh(x: float) -> float:
    """Inverse hyperbolic sine (accurate near 0 and finite for every float)."""
    return math.asinh(x)


@op(grad=lambda x, out: (_infinite_if_zero(1.0, sqrt.apply(x - 1.0) * sqrt.apply(x + 1.0)),))
def acosh(x: float) -> float:
    """Inverse hyperbolic cosine; ValueError below 1."""
    _outside(x < 1.0, "input below 1")
    return math.acosh(x)


@op(grad=lambda x, out: (_infinite_if_zero(1.0, _one_minus_square(x)),))
def atanh(x: float) -> float:
    """Inverse hyperbolic tangent; ``atanh(+-1) = +-inf``; ValueError outside ``[-1, 1]``."""
    _outside(abs(x) > 1.0, "input outside [-1, 1]")
    if abs(x) == 1.0:
        return math.copysign(math.inf, x)
    return math.atanh(x)


# -- exponentials, logarithms, roots ------------------------------------------------


@op(grad=lambda x, out: (_LN2 * out,))
def exp2(x: float) -> float:
    """``2 ** x``; inf where it overflows."""
    try:
        return float(special.exp2(x))
    except OverflowError:
        return math.inf


@op(grad=lambda x, out: (exp.apply(x),))
def expm1(x: float) -> float:
    """``exp(x) - 1``, accurate near 0; inf where it overflows."""
    try:
        return math.expm1(x)
    except OverflowError:
        return math.inf


def _positive(x: float) -> None:
    _outside(not x > 0.0 and not math.isnan(x), "logarithm of a number <= 0")


@op(grad=lambda x, out: (_INV_LN2 / x,))
def log2(x: float) -> float:
    """Base-2 logarithm; ValueError for inputs <= 0."""
    _positive(x)
    return math.log2(x)


@op(grad=lambda x, out: (_INV_LN10 / x,))
def log10(x: float) -> float:
    """Base-10 logarithm; ValueError for inputs <= 0."""
    _positive(x)
    return math.log10(x)


@op(grad=lambda x, out: (1.0 / (1.0 + x),))
def log1p(x: float) -> float:
    """``log(1 + x)``, accurate near 0; ValueError for inputs <= -1."""
    _outside(x <= -1.0, "logarithm of a number <= 0 (input <= -1)")
    return math.log1p(x)


@op(grad=lambda x, out: (_infinite_if_zero(1.0, 3.0 * (out * out)),))
def cbrt(x: float) -> float:
    """The real cube root (negative for negative inputs); its derivative at 0 is inf."""
    return float(special.cbrt(x))


@op(grad=lambda x, out: (_DEGREES,))
def degrees(x: float) -> float:
    """Radians to degrees (`math.degrees`)."""
    return x * _DEGREES


@op(grad=lambda x, out: (_RADIANS,))
def radians(x: float) -> float:
    """Degrees to radians (`math.radians`)."""
    return x * _RADIANS


# -- error and gamma functions ------------------------------------------------------


@op(grad=lambda x, out: (_TWO_OVER_SQRT_PI * exp.apply(-(x * x)),))
def erf(x: float) -> float:
    """The error function."""
    return math.erf(x)


@op(grad=lambda x, out: (-_TWO_OVER_SQRT_PI * exp.apply(-(x * x)),))
def erfc(x: float) -> float:
    """The complementary error function ``1 - erf(x)``, accurate for large x."""
    return math.erfc(x)


def _not_a_pole(x: float) -> None:
    _outside(x <= 0.0 and x == math.floor(x), "pole at a non-positive integer")


def _lgamma_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    return (digamma.apply(x),)


@op(grad=_lgamma_grad)
def lgamma(x: float) -> float:
    """``log|gamma(x)|``; inf where it overflows; ValueError at the poles (0, -1, -2, ...)."""
    _not_a_pole(x)
    try:
        return math.lgamma(x)
    except OverflowError:
        return math.inf


def _gamma_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    return (out * digamma.apply(x),)


@op(grad=_gamma_grad)
def gamma(x: float) -> float:
    """The gamma function; +-inf where it overflows; ValueError at the poles (0, -1, -2, ...)."""
    _not_a_pole(x)
    try:
        return math.gamma(x)
    except OverflowError:
        # Above 171.6, or just beside a pole, where the sign alternates.
        negative = x < 0 and math.floor(x) % 2 == 1
        return -math.inf if negative else math.inf


def _digamma_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    return (_polygamma_op(1).apply(x),)


@op(grad=_digamma_grad)
def digamma(x: float) -> float:
    """The digamma function ``d lgamma(x) / dx`` (about 1e-15 relative); ValueError at poles."""
    _not_a_pole(x)
    return special.digamma(x)


#: The highest order `polygamma` computes (its factorials stay within floats).
MAX_POLYGAMMA_ORDER = 100


class Polygamma(Op):
    """The n-th derivative of digamma, for a fixed order ``n >= 1`` (see `polygamma`)."""

    arity = 1

    def __init__(self, order: int) -> None:
        self.order = order
        self.name = f"polygamma{order}"

    def forward(self, x: float) -> float:
        """``psi^(n)(x)``; ValueError at the poles."""
        _not_a_pole(x)
        return special.polygamma(self.order, x)

    def local_grads(self, x: NodeLike, out: NodeLike) -> LocalGrads:
        """The next order, ``psi^(n+1)(x)``."""
        return (_polygamma_op(self.order + 1).apply(x),)


@functools.lru_cache(maxsize=64)
def _polygamma_op(order: int) -> Polygamma:
    made = Polygamma(order)
    mark_trusted(made)
    return made


def polygamma(n: int, x: NodeLike) -> Node:
    """The n-th derivative of the digamma function (``polygamma(0, x)`` is `digamma`).

    >>> import micrograd as mg
    >>> round(mg.polygamma(1, 1.0).data, 12)  # pi**2 / 6
    1.644934066848
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_POLYGAMMA_ORDER:
        raise ValueError(
            f"polygamma: the order must be an integer from 0 to {MAX_POLYGAMMA_ORDER},"
            f" got {checks.shown(n)}"
        )
    if n == 0:
        return digamma(x)
    return _polygamma_op(n)(x)


# -- sinc ---------------------------------------------------------------------------

# sinc(x) = sum_k a_k x^(2k), a_k = (-1)^k pi^(2k) / (2k+1)!; below |x| = 1 its
# derivative is this series differentiated (19 terms reach rounding at |x| = 1),
# where the closed form (cos(pi x) - sinc(x)) / x would cancel.
_SINC_DERIVATIVE = tuple(
    (-1) ** k * 2 * k * math.pi ** (2 * k) / math.factorial(2 * k + 1) for k in range(1, 20)
)


def _sinpi_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    return (math.pi * _cospi.apply(x),)


@op(grad=_sinpi_grad, name="sinpi")
def _sinpi(x: float) -> float:
    return special.sinpi(x)


@op(grad=lambda x, out: (-math.pi * _sinpi.apply(x),), name="cospi")
def _cospi(x: float) -> float:
    return special.cospi(x)


def _sinc_grad(x: NodeLike, out: NodeLike) -> LocalGrads:
    if abs(value_of(x)) < 1.0:
        square = x * x
        series: Grad = _SINC_DERIVATIVE[-1]
        for coefficient in reversed(_SINC_DERIVATIVE[:-1]):
            series = series * square + coefficient
        return (series * x,)
    return ((_cospi.apply(x) - sinc.apply(x)) / x,)


@op(grad=_sinc_grad)
def sinc(x: float) -> float:
    """NumPy's normalised sinc, ``sin(pi x) / (pi x)``, and 1 at 0.

    >>> import micrograd as mg
    >>> mg.sinc(0.0).data, mg.sinc(1.0).data, mg.sinc(0.5).data == 2 / 3.141592653589793
    (1.0, 0.0, True)
    """
    if x == 0.0:
        return 1.0
    if math.isinf(x):
        return 0.0
    return special.sinpi(x) / (math.pi * x)


mark_trusted(asin, acos, atan, atan2, sinh, cosh, asinh, acosh, atanh, exp2, expm1)
mark_trusted(log2, log10, log1p, cbrt, degrees, radians, erf, erfc)
mark_trusted(lgamma, gamma, digamma, _sinpi, _cospi, sinc)

# -- methods (where PyTorch's Tensor has one) ------------------------------------

for _name, _op, _doc in (
    ("asin", asin, "Inverse sine."),
    ("arcsin", asin, "Inverse sine (NumPy's name)."),
    ("acos", acos, "Inverse cosine."),
    ("arccos", acos, "Inverse cosine (NumPy's name)."),
    ("atan", atan, "Inverse tangent."),
    ("arctan", atan, "Inverse tangent (NumPy's name)."),
    ("atan2", atan2, "`atan2(self, other)`: the angle of the point (other, self)."),
    ("arctan2", atan2, "`atan2(self, other)` (NumPy's name)."),
    ("sinh", sinh, "Hyperbolic sine."),
    ("cosh", cosh, "Hyperbolic cosine."),
    ("asinh", asinh, "Inverse hyperbolic sine."),
    ("arcsinh", asinh, "Inverse hyperbolic sine (NumPy's name)."),
    ("acosh", acosh, "Inverse hyperbolic cosine."),
    ("arccosh", acosh, "Inverse hyperbolic cosine (NumPy's name)."),
    ("atanh", atanh, "Inverse hyperbolic tangent."),
    ("arctanh", atanh, "Inverse hyperbolic tangent (NumPy's name)."),
    ("exp2", exp2, "`2 ** self`."),
    ("expm1", expm1, "`exp(self) - 1`, accurate near 0."),
    ("log2", log2, "Base-2 logarithm."),
    ("log10", log10, "Base-10 logarithm."),
    ("log1p", log1p, "`log(1 + self)`, accurate near 0."),
    ("deg2rad", radians, "Degrees to radians."),
    ("rad2deg", degrees, "Radians to degrees."),
    ("hypot", hypot, "`hypot(self, other, ...)`."),
    ("erf", erf, "The error function."),
    ("erfc", erfc, "The complementary error function."),
    ("lgamma", lgamma, "`log|gamma(self)|`."),
    ("digamma", digamma, "The digamma function."),
    ("sinc", sinc, "Normalised sinc, `sin(pi self) / (pi self)`."),
):
    install_method(_name, _op, _doc)


def _node_polygamma(self: Node, n: int) -> Node:
    """`polygamma(n, self)` (PyTorch's ``x.polygamma(n)``)."""
    return polygamma(n, self)


Node.polygamma = _node_polygamma  # type: ignore[method-assign]

# -- the function table -----------------------------------------------------------------

_TRIG = "Trigonometric and hyperbolic"
_EXP = "Exponentials and logarithms"
_SPECIAL = "Special functions"

describe(asin, name="asin", group=_TRIG, aliases=("arcsin",), method="x.asin()",
         domain="[-1, 1]", derivative="1 / sqrt((1 - x)(1 + x))",
         kink="inf at x = +-1")  # fmt: skip
describe(acos, name="acos", group=_TRIG, aliases=("arccos",), method="x.acos()",
         domain="[-1, 1]", derivative="-1 / sqrt((1 - x)(1 + x))",
         kink="-inf at x = +-1")  # fmt: skip
describe(atan, name="atan", group=_TRIG, aliases=("arctan",), method="x.atan()",
         domain="all reals", derivative="1 / (1 + x^2)")  # fmt: skip
describe(atan2, name="atan2", group=_TRIG, aliases=("arctan2",), method="y.atan2(x)",
         domain="all reals (y, x)", derivative="d/dy = x / r^2, d/dx = -y / r^2, r = hypot(y, x)",
         kink="0 for both at the origin (PyTorch's)")  # fmt: skip
describe(sinh, name="sinh", group=_TRIG, method="x.sinh()", domain="all reals",
         derivative="cosh(x)", kink="+-inf where it overflows (|x| > 710.47)")  # fmt: skip
describe(cosh, name="cosh", group=_TRIG, method="x.cosh()", domain="all reals",
         derivative="sinh(x)", kink="inf where it overflows (|x| > 710.47)")  # fmt: skip
describe(asinh, name="asinh", group=_TRIG, aliases=("arcsinh",), method="x.asinh()",
         domain="all reals", derivative="1 / hypot(1, x)")  # fmt: skip
describe(acosh, name="acosh", group=_TRIG, aliases=("arccosh",), method="x.acosh()",
         domain="[1, inf)", derivative="1 / (sqrt(x - 1) sqrt(x + 1))",
         kink="inf at x = 1")  # fmt: skip
describe(atanh, name="atanh", group=_TRIG, aliases=("arctanh",), method="x.atanh()",
         domain="[-1, 1]", derivative="1 / ((1 - x)(1 + x))",
         kink="atanh(+-1) = +-inf, derivative inf there")  # fmt: skip
describe(degrees, name="degrees", group=_TRIG, aliases=("rad2deg",), method="x.rad2deg()",
         domain="all reals", derivative="180 / pi")  # fmt: skip
describe(radians, name="radians", group=_TRIG, aliases=("deg2rad",), method="x.deg2rad()",
         domain="all reals", derivative="pi / 180")  # fmt: skip
describe(hypot, name="hypot", group=_TRIG, method="x.hypot(y, ...)",
         domain="all reals, two or more inputs", derivative="x_i / hypot(...)",
         kink="NaN for every input at the origin (PyTorch's 0 / 0)")  # fmt: skip
describe(sinc, name="sinc", group=_TRIG, method="x.sinc()", domain="all reals",
         derivative="(cos(pi x) - sinc(x)) / x; its Taylor series for |x| < 1",
         kink="sinc(0) = 1, sinc'(0) = 0")  # fmt: skip
describe(exp2, name="exp2", group=_EXP, method="x.exp2()", domain="all reals",
         derivative="log(2) 2^x", kink="inf where it overflows")  # fmt: skip
describe(expm1, name="expm1", group=_EXP, method="x.expm1()", domain="all reals",
         derivative="exp(x)", kink="inf where it overflows")  # fmt: skip
describe(log2, name="log2", group=_EXP, method="x.log2()", domain="(0, inf)",
         derivative="1 / (x log 2)")  # fmt: skip
describe(log10, name="log10", group=_EXP, method="x.log10()", domain="(0, inf)",
         derivative="1 / (x log 10)")  # fmt: skip
describe(log1p, name="log1p", group=_EXP, method="x.log1p()", domain="(-1, inf)",
         derivative="1 / (1 + x)")  # fmt: skip
describe(cbrt, name="cbrt", group=_EXP, domain="all reals",
         derivative="1 / (3 cbrt(x)^2)", kink="inf at 0")  # fmt: skip
describe(erf, name="erf", group=_SPECIAL, method="x.erf()", domain="all reals",
         derivative="2 / sqrt(pi) exp(-x^2)")  # fmt: skip
describe(erfc, name="erfc", group=_SPECIAL, method="x.erfc()", domain="all reals",
         derivative="-2 / sqrt(pi) exp(-x^2)")  # fmt: skip
describe(lgamma, name="lgamma", group=_SPECIAL, method="x.lgamma()",
         domain="reals except 0, -1, -2, ...", derivative="digamma(x)",
         kink="inf where it overflows")  # fmt: skip
describe(gamma, name="gamma", group=_SPECIAL, domain="reals except 0, -1, -2, ...",
         derivative="gamma(x) digamma(x)", kink="+-inf where it overflows")  # fmt: skip
describe(digamma, name="digamma", group=_SPECIAL, method="x.digamma()",
         domain="reals except 0, -1, -2, ...", derivative="polygamma(1, x)")  # fmt: skip
describe(polygamma, name="polygamma", group=_SPECIAL, method="x.polygamma(n)",
         domain="n >= 0; reals except 0, -1, -2, ...",
         derivative="polygamma(n + 1, x)")  # fmt: skip

# The functions of `arithmetic`, `powers` and `elementary`, in the same table.
_ARITHMETIC = "Arithmetic and powers"
describe(add, name="add", group=_ARITHMETIC, method="x + y", domain="all reals",
         derivative="(1, 1)")  # fmt: skip
describe(sub, name="sub", group=_ARITHMETIC, method="x - y", domain="all reals",
         derivative="(1, -1)")  # fmt: skip
describe(mul, name="mul", group=_ARITHMETIC, method="x * y", domain="all reals",
         derivative="(y, x)")  # fmt: skip
describe(div, name="div", group=_ARITHMETIC, method="x / y", domain="y != 0",
         derivative="(1 / y, -x / y^2)")  # fmt: skip
describe(neg, name="neg", group=_ARITHMETIC, method="-x", domain="all reals",
         derivative="-1")  # fmt: skip
describe(absolute, name="abs", group=_ARITHMETIC, aliases=("absolute", "fabs"),
         method="abs(x), x.abs(), x.absolute()", domain="all reals", derivative="sign(x)",
         kink="0 at 0 and at NaN (PyTorch's)")  # fmt: skip
describe(power, name="pow", group=_ARITHMETIC, aliases=("power",), method="x ** y",
         domain="x > 0, or x <= 0 with y an integer (x = 0: y >= 0)",
         derivative="d/dx = y x^(y-1), d/dy = x^y log x",
         kink="d/dx at x = 0 is its limit (0; inf for y < 1; 0 for y = 0); d/dy is 0 at x = 0,"
         " NaN for x < 0")  # fmt: skip
describe(sqrt, name="sqrt", group=_EXP, method="x.sqrt()", domain="[0, inf)",
         derivative="1 / (2 sqrt(x))", kink="inf at 0")  # fmt: skip
describe(exp, name="exp", group=_EXP, method="x.exp()", domain="all reals",
         derivative="exp(x)", kink="inf where it overflows")  # fmt: skip
describe(log, name="log", group=_EXP, method="x.log()", domain="(0, inf); base > 0, != 1",
         derivative="1 / x; log(x, base): d/dx = 1 / (x log b), d/db = -log_b(x) / (b log b)"
         )  # fmt: skip
describe(sin, name="sin", group=_TRIG, method="x.sin()", domain="all reals",
         derivative="cos(x)")  # fmt: skip
describe(cos, name="cos", group=_TRIG, method="x.cos()", domain="all reals",
         derivative="-sin(x)")  # fmt: skip
describe(tan, name="tan", group=_TRIG, method="x.tan()", domain="all reals",
         derivative="1 + tan(x)^2")  # fmt: skip
describe(tanh, name="tanh", group=_TRIG, method="x.tanh()", domain="all reals",
         derivative="1 - tanh(x)^2")  # fmt: skip
