"""Rounding, signs, remainders and clamping, and Python's numeric protocols on Node.

`floor`, `ceil`, `trunc`, `round`, `sign` and `floor_divide` are piecewise
constant: their gradient is 0 everywhere (PyTorch's convention, also at the
jumps). `fmod`, `remainder` and `mod` are ``x - n*y`` for an integer `n`
that is constant between jumps, so their gradient is ``(1, -n)``, with `n`
the exact integer the result used (PyTorch's formula divides again and can be
one off where ``x / y`` rounds to an integer). `clamp` passes the gradient
inside its bounds, the bounds included (PyTorch's clamp); `copysign` passes
``+-1`` to its first input and 0 to the second.

Installed on Node: ``x % y`` (`mod`, Python's float semantics: the result
has the sign of `y`), ``x // y`` (`floor_divide`), ``divmod(x, y)``, and
``math.floor(x)``, ``math.ceil(x)``, ``math.trunc(x)``, ``round(x[, n])``,
which return Nodes.

Imports: `micrograd.ops.core`, `micrograd.ops.decorator`, `micrograd.ops.arithmetic`,
`micrograd.ops.special`, `micrograd.ops.catalog`, `micrograd.ops.methods`,
`micrograd.node`, `micrograd.checks`.
"""

from __future__ import annotations

import builtins
import functools
import math

from micrograd import checks
from micrograd.node import Node, NodeLike
from micrograd.ops import special
from micrograd.ops.arithmetic import absolute
from micrograd.ops.catalog import describe
from micrograd.ops.core import LocalGrads, Op, mark_trusted, value_of
from micrograd.ops.decorator import op
from micrograd.ops.methods import install_method, install_operator

_ROUNDING = "Rounding, signs and remainders"


def _flat(*args: NodeLike) -> LocalGrads:
    """A zero gradient for every input: a piecewise-constant function."""
    return tuple(0.0 for _ in args[:-1])


# Python's math.floor, ceil and trunc return ints, which have no -0: the
# results take x's sign back (a whole number they give has x's sign, or is a
# zero that IEEE 754, C and PyTorch sign as x: ceil(-0.5) is -0.0).


@op(grad=_flat)
def floor(x: float) -> float:
    """The largest integer <= x, as a float (-0.0 for -0.0); gradient 0; NaN and infinities pass."""
    return math.copysign(float(math.floor(x)), x) if math.isfinite(x) else x


@op(grad=_flat)
def ceil(x: float) -> float:
    """The smallest integer >= x, as a float (-0.0 for -0.5); gradient 0; NaN, infinities pass."""
    return math.copysign(float(math.ceil(x)), x) if math.isfinite(x) else x


@op(grad=_flat)
def trunc(x: float) -> float:
    """`x` rounded toward zero, as a float (-0.0 for -0.5); gradient 0; NaN and infinities pass."""
    return math.copysign(float(math.trunc(x)), x) if math.isfinite(x) else x


class Round(Op):
    """Rounding half to even at a fixed number of decimals (see `round`)."""

    name = "round"
    arity = 1

    def __init__(self, ndigits: int = 0) -> None:
        self.ndigits = ndigits

    def forward(self, x: float) -> float:
        """Python's ``round(x, ndigits)`` as a float."""
        return special.round_half_even(x, self.ndigits)

    def local_grads(self, x: NodeLike, out: NodeLike) -> LocalGrads:
        """0: piecewise constant."""
        return (0.0,)


@functools.lru_cache(maxsize=64)
def _round_op(ndigits: int) -> Round:
    made = Round(ndigits)
    mark_trusted(made)
    return made


def round(x: NodeLike, ndigits: int = 0) -> Node:
    """`x` rounded half to even (at `ndigits` decimals); gradient 0.

    >>> import micrograd as mg
    >>> mg.round(2.5).data, mg.round(3.5).data, mg.round(1.2345, 2).data
    (2.0, 4.0, 1.23)
    """
    if isinstance(ndigits, bool) or not isinstance(ndigits, int):
        raise TypeError(f"round: ndigits must be an int, got {checks.shown(ndigits)}")
    return _round_op(ndigits)(x)


@op(grad=_flat)
def sign(x: float) -> float:
    """1.0, -1.0 or 0.0 by the sign of x (0.0 for -0.0, as PyTorch and NumPy); NaN gives NaN."""
    return 1.0 if x > 0 else -1.0 if x < 0 else x + 0.0


def _copysign_grads(x: NodeLike, y: NodeLike, out: NodeLike) -> LocalGrads:
    a, b = value_of(x), value_of(y)
    if a == 0.0:
        return (0.0, 0.0)
    if math.isnan(a) or math.isnan(b):
        return (math.nan, 0.0)
    return (1.0 if math.copysign(1.0, a) == math.copysign(1.0, b) else -1.0, 0.0)


@op(grad=_copysign_grads)
def copysign(x: float, y: float) -> float:
    """``|x|`` with the sign of `y`; gradient ``(+-1, 0)``, and 0 at x = 0 (PyTorch's)."""
    return math.copysign(x, y)


def _quotient(x: NodeLike, y: NodeLike, out: NodeLike) -> float:
    """The integer `n` with ``out = x - n*y`` (exact for quotients below 2**53)."""
    return special.remainder_quotient(value_of(x), value_of(y), value_of(out))


def _remainder_grads(x: NodeLike, y: NodeLike, out: NodeLike) -> LocalGrads:
    return (1.0, 0.0 - _quotient(x, y, out))  # 0.0, not -0.0, for a zero quotient


def _nonzero_divisor(y: float) -> None:
    if y == 0.0:
        raise ZeroDivisionError("remainder of a division by zero")


@op(grad=_remainder_grads)
def fmod(x: float, y: float) -> float:
    """C's remainder ``x - trunc(x/y) y`` (the sign of `x`); ZeroDivisionError for y = 0."""
    _nonzero_divisor(y)
    if math.isinf(x):
        return math.nan
    return math.fmod(x, y)


@op(grad=_remainder_grads)
def remainder(x: float, y: float) -> float:
    """IEEE 754's remainder ``x - n y``, `n` the nearest integer to ``x/y`` (ties to even).

    This is `math.remainder`; NumPy's and PyTorch's ``remainder`` are Python's
    ``%``, which is `mod` here.
    """
    _nonzero_divisor(y)
    if math.isinf(x):
        return math.nan
    return math.remainder(x, y)


@op(grad=_remainder_grads)
def mod(x: float, y: float) -> float:
    """Python's ``x % y`` for floats (the sign of `y`); ZeroDivisionError for y = 0.

    >>> import micrograd as mg
    >>> (mg.Node(-1.0) % 0.75).data
    0.5
    """
    return x % y


@op(grad=_flat)
def floor_divide(x: float, y: float) -> float:
    """Python's ``x // y`` for floats; gradient 0; ZeroDivisionError for y = 0."""
    return x // y


class Clamp(Op):
    """`x` limited to ``[lower, upper]`` (see `clamp`)."""

    name = "clamp"
    arity = 1

    def __init__(self, lower: float, upper: float) -> None:
        self.lower = lower
        self.upper = upper

    def forward(self, x: float) -> float:
        """``min(max(x, lower), upper)``; NaN gives NaN."""
        if math.isnan(x):
            return x
        return builtins.min(builtins.max(x, self.lower), self.upper)

    def local_grads(self, x: NodeLike, out: NodeLike) -> LocalGrads:
        """1 inside the bounds, the bounds included; 0 outside (and at NaN)."""
        value = value_of(x)
        return (1.0 if self.lower <= value <= self.upper else 0.0,)


@functools.lru_cache(maxsize=64)
def _clamp_op(lower: float, upper: float) -> Clamp:
    made = Clamp(lower, upper)
    mark_trusted(made)
    return made


def clamp(x: NodeLike, min: float | None = None, max: float | None = None) -> Node:
    """`x` limited to ``[min, max]`` (either may be None); gradient 1 inside, bounds included.

    PyTorch's convention: where ``min > max`` the result is `max`.

    >>> import micrograd as mg
    >>> mg.clamp(5.0, 0.0, 1.0).data, mg.grad(lambda t: mg.clamp(t, 0.0, 1.0))(1.0)
    (1.0, 1.0)
    """
    lower = -math.inf if min is None else checks.real(min, "clamp", "min")
    upper = math.inf if max is None else checks.real(max, "clamp", "max")
    return _clamp_op(lower, upper)(x)


#: NumPy's name for `clamp`.
clip = clamp

mark_trusted(floor, ceil, trunc, sign, copysign, fmod, remainder, mod, floor_divide)

# -- Python's numeric protocols and methods ---------------------------------------

install_operator("mod", mod)
install_operator("floordiv", floor_divide)


def _node_divmod(self: Node, other: NodeLike) -> tuple[Node, Node]:
    """``divmod(self, other)``: ``(self // other, self % other)``."""
    return floor_divide(self, other), mod(self, other)


def _node_rdivmod(self: Node, other: NodeLike) -> tuple[Node, Node]:
    """``divmod(other, self)``."""
    return floor_divide(other, self), mod(other, self)


def _node_round(self: Node, ndigits: int | None = None) -> Node:
    """``round(self[, ndigits])``: a Node (half to even), gradient 0."""
    return round(self, 0 if ndigits is None else ndigits)


def _node_floor(self: Node) -> Node:
    """``math.floor(self)``: a Node, gradient 0."""
    return floor.call1(self)


def _node_ceil(self: Node) -> Node:
    """``math.ceil(self)``: a Node, gradient 0."""
    return ceil.call1(self)


def _node_trunc(self: Node) -> Node:
    """``math.trunc(self)``: a Node, gradient 0."""
    return trunc.call1(self)


Node.__divmod__ = _node_divmod  # type: ignore[method-assign]
Node.__rdivmod__ = _node_rdivmod  # type: ignore[method-assign]
Node.__round__ = _node_round  # type: ignore[method-assign]
Node.__floor__ = _node_floor  # type: ignore[method-assign]
Node.__ceil__ = _node_ceil  # type: ignore[method-assign]
Node.__trunc__ = _node_trunc  # type: ignore[method-assign]

for _name, _function, _doc in (
    ("floor", floor, "The largest integer <= self; gradient 0."),
    ("ceil", ceil, "The smallest integer >= self; gradient 0."),
    ("trunc", trunc, "`self` rounded toward zero; gradient 0."),
    ("round", round, "`self` rounded half to even; gradient 0."),
    ("sign", sign, "1, -1 or 0 by the sign of self; gradient 0."),
    ("copysign", copysign, "`|self|` with the sign of `other`."),
    ("fmod", fmod, "C's remainder `self - trunc(self / other) other`."),
    ("clamp", clamp, "`self` limited to `[min, max]`."),
    ("clip", clamp, "`self` limited to `[min, max]` (NumPy's name)."),
    ("absolute", absolute, "Absolute value (NumPy's name)."),
):
    install_method(_name, _function, _doc)

# -- the function table -----------------------------------------------------------------

_GRADIENT_ZERO = "0 (piecewise constant)"
describe(floor, name="floor", group=_ROUNDING, method="math.floor(x), x.floor()",
         domain="all reals", derivative=_GRADIENT_ZERO,
         kink="a zero result has x's sign (IEEE 754's, PyTorch's)")  # fmt: skip
describe(ceil, name="ceil", group=_ROUNDING, method="math.ceil(x), x.ceil()",
         domain="all reals", derivative=_GRADIENT_ZERO,
         kink="a zero result has x's sign (IEEE 754's, PyTorch's)")  # fmt: skip
describe(trunc, name="trunc", group=_ROUNDING, method="math.trunc(x), x.trunc()",
         domain="all reals", derivative=_GRADIENT_ZERO,
         kink="a zero result has x's sign (IEEE 754's, PyTorch's)")  # fmt: skip
describe(round, name="round", group=_ROUNDING, method="round(x[, n]), x.round()",
         domain="all reals", derivative=_GRADIENT_ZERO,
         kink="half to even, as Python's round; a zero result has x's sign")  # fmt: skip
describe(sign, name="sign", group=_ROUNDING, method="x.sign()", domain="all reals",
         derivative=_GRADIENT_ZERO,
         kink="sign(+-0) = 0 (PyTorch's); sign(NaN) = NaN (PyTorch gives 0)")  # fmt: skip
describe(copysign, name="copysign", group=_ROUNDING, method="x.copysign(y)",
         domain="all reals (x, y)", derivative="d/dx = copysign(x, y) / x, d/dy = 0",
         kink="d/dx = 0 at x = 0 (PyTorch's)")  # fmt: skip
describe(fmod, name="fmod", group=_ROUNDING, method="x.fmod(y)",
         domain="y != 0", derivative="d/dx = 1, d/dy = -n, fmod = x - n y",
         kink="n is the integer the result used (PyTorch's trunc(x / y) can be one off)"
         )  # fmt: skip
describe(remainder, name="remainder", group=_ROUNDING, domain="y != 0",
         derivative="d/dx = 1, d/dy = -n, n = x / y rounded half to even",
         kink="IEEE remainder, as math.remainder; NumPy's remainder is mod")  # fmt: skip
describe(mod, name="mod", group=_ROUNDING, method="x % y, divmod(x, y)",
         domain="y != 0", derivative="d/dx = 1, d/dy = -floor(x / y)",
         kink="Python's float %: the sign of y")  # fmt: skip
describe(floor_divide, name="floor_divide", group=_ROUNDING, method="x // y",
         domain="y != 0", derivative=_GRADIENT_ZERO)  # fmt: skip
describe(clamp, name="clamp", aliases=("clip",), group=_ROUNDING,
         method="x.clamp(min, max), x.clip(min, max)", domain="all reals",
         derivative="1 inside [min, max], else 0",
         kink="1 at the bounds, 0 at NaN (PyTorch's); min > max gives max")  # fmt: skip
