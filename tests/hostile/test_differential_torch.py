"""Differential property test: micrograd against PyTorch in float64.

Hypothesis writes random straight-line programs over every built-in op: a
few leaves (some placed at the kinks and domain edges of the op that uses
them), intermediate values used several times (shared nodes), plain-number
constants on either side of binary operators (some equal to the other
operand, for ties). Each program runs in micrograd and in PyTorch; values,
first derivatives (of every node, by `backward()`, and of the leaves, by
`mg.grad`, in eager and compiled mode) and second derivatives (by
``mg.grad(mg.grad(f))`` and by ``backward(create_graph=True)``) must agree.

Tolerances. The two libraries compute the same formulas with different
elementary-function code (glibc against PyTorch's own), so results differ by
rounding: a few ulps per operation, amplified by the program's conditioning
(cancellation in ``x - y``, steep functions near a domain edge). The amount is
measured, not guessed: the PyTorch program is run twice more with every
node's output (and so, by the chain rule, every adjoint flowing back through
it) multiplied by ``1 + d`` with a random ``|d| <= 8 ulp``, and a subnormal
output (whose rounding is absolute) moved by up to 8 steps of 2**-1074
(stochastic rounding analysis); `noise` is the largest change this causes in
a quantity.
A quantity then agrees when ``|micrograd - torch| <= 1e-12 * |torch| +
4 * noise`` (plus 1e-300, so that subnormal results may differ by their last
bits). At an ill-conditioned point the perturbed runs move a lot and the
test is as loose as the point demands; at an exact kink (a node exactly 0, a
node compared with itself) multiplicative noise keeps the kink, so the kink
conventions are compared exactly. NaN must match NaN and an infinity the
same infinity. Zeros compare equal whatever their sign: PyTorch assigns a
leaf's first gradient where micrograd adds it to 0.0.

Compiled mode must return eager mode's bits, NaN and the sign of zero
included (the promise of `micrograd.compile`).

Documented conventions shared with PyTorch (compared as they are): ``relu'(0)
= 0``, ``abs'(0) = 0``, ``sqrt'(0) = inf``, ties of maximum/minimum split the
gradient evenly, ``d(x**y)/dy = 0`` at ``x = 0``. PyTorch's ``softplus`` is
replaced by ``logaddexp(x, 0)``: PyTorch returns ``x`` itself above 20,
micrograd computes ``log1p(exp(-|x|))`` exactly. PyTorch's ``sigmoid`` is
replaced by ``exp(-logaddexp(0, -x))``: its derivative ``s * (1 - s)`` keeps
only 8 digits at ``x = 20`` and is 0 at 40 (``1 - s`` cancels), where
micrograd's ``s * sigmoid(-x)`` is exact to rounding; the replacement's
derivative is the same product.

``MICROGRAD_HUNT=full`` runs 2,000 examples per property (a few hundred by
default).
"""

from __future__ import annotations

import math
import operator
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import micrograd as mg
import micrograd.ops as mg_ops

from .conftest import hunt_examples

torch = pytest.importorskip("torch", reason="PyTorch (CPU) is the reference of this test")
try:
    import mpmath
except ImportError:  # the gamma-family entries then compare with NaN and are skipped
    mpmath = None
functional = torch.nn.functional
F64 = torch.float64

# ---------------------------------------------------------------------------
# The op table: one line per op. `edges` are inputs at its kinks and domain
# edges (used as leaves and constants next to it).

PI2 = math.pi / 2
KINK = (0.0, -0.0, 1e-300, -1e-300, 1e-12, -1e-12)


@dataclass(frozen=True)
class OpSpec:
    """A built-in op, its PyTorch counterpart and its special inputs."""

    name: str
    arity: int
    mg: Callable[..., Any]
    torch: Callable[..., Any]
    edges: tuple[float, ...] = ()
    #: The names in `micrograd.ops` this entry covers.
    covers: tuple[str, ...] = field(default=())
    #: Whether the op jumps (floor, fmod, sign ...): a step whose operands are
    #: a rounding error away from a jump is skipped (see `near_jump`).
    jumps: bool = False
    #: For an op whose second derivative is a difference of larger terms (in
    #: PyTorch's formula), their magnitude at x: the reference's rounding error
    #: scales with these, not with the (possibly tiny) result.
    second_terms: Callable[[list[float]], float] | None = None


def _sigmoid_terms(x: float) -> float:
    """s(x) (1 - s(x)) = 1 / (2 + e^x + e^-x), without overflow."""
    return 1.0 / (2.0 + math.exp(-abs(x)) + math.exp(abs(x))) if abs(x) < 700 else 0.0


def _hypot_terms(values: list[float]) -> float:
    """The size of the terms PyTorch's second derivative of hypot sums: 1 / r."""
    r = math.hypot(*values)
    return math.inf if r == 0.0 else 1.0 / r


def _atan2_terms(values: list[float]) -> float:
    """The size of the terms both libraries' second derivatives of atan2 sum: 1 / r**2."""
    r = math.hypot(*values)
    return math.inf if r == 0.0 else 1.0 / r / r


def _probabilities(values: list[float]) -> list[float]:
    """The softmax of `values`, largest taken out first."""
    top = max(values)
    weights = [math.exp(v - top) for v in values]
    return [w / math.fsum(weights) for w in weights]


def _leaky(slope: float) -> tuple[Callable[..., Any], Callable[..., Any]]:
    return (lambda x: mg.leaky_relu(x, slope)), (lambda t: functional.leaky_relu(t, slope))


def _optional(
    name: str, arity: int, counterpart: Callable[..., Any], *edges: float
) -> list[OpSpec]:
    """An entry for an op that exists only in some versions of micrograd."""
    function = getattr(mg_ops, name, None)
    if function is None:
        return []
    return [OpSpec(name, arity, function, counterpart, tuple(edges), (name,))]


POWER_EDGES = (0.0, 0.5, 1.0, 2.0, 3.0, -1.0, -0.5, 1.5, 0.25)


class _Power(torch.autograd.Function):
    """PyTorch's pow with its derivative formulas written out without one mask.

    PyTorch's d(b**e)/db is ``where(e == 0, 0, e * b**(e-1))``: right as a
    value, but the constant 0 has lost its dependence on e, so PyTorch's
    d/de of d(b**e)/db at e = 0 is 0 where it is ``b**(e-1) (1 + e log b)
    = 1/b``. Here the mask applies at b = 0 only (where micrograd's
    convention, the limit, is a constant too); d/de keeps PyTorch's
    ``where(b == 0 and e >= 0, 0, b**e log b)``. The formulas are PyTorch
    operations, so they differentiate again.
    """

    @staticmethod
    def forward(ctx: Any, base: Any, exponent: Any) -> Any:
        ctx.save_for_backward(base, exponent)
        return torch.pow(base, exponent)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        base, exponent = ctx.saved_tensors
        zero = torch.zeros_like(base)
        at_zero = base == 0
        d_base = torch.where(
            at_zero & (exponent == 0), zero, exponent * torch.pow(base, exponent - 1.0)
        )
        d_exponent = torch.where(
            at_zero & (exponent >= 0), zero, torch.pow(base, exponent) * torch.log(base)
        )
        return grad * d_base, grad * d_exponent


def torch_power(base: Any, exponent: Any) -> Any:
    """`_Power` (PyTorch's pow, see there)."""
    return _Power.apply(base, exponent)


UNIT_EDGES = (0.0, 0.999999, -0.999999, 1e-12)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _polygamma_function(order: int) -> Any:
    """``psi^(order)`` as a PyTorch function with mpmath's values, differentiable to any order.

    PyTorch's own polygamma is accurate to about 1e-9 (``polygamma(1, 1)`` is
    1.6449340676 where pi**2 / 6 is 1.6449340668): too coarse a reference for
    lgamma's and digamma's derivatives. mpmath gives the values; each
    derivative is the next order.
    """
    if order in _POLYGAMMA:
        return _POLYGAMMA[order]

    class Polygamma(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            try:
                with mpmath.workdps(40):  # near digamma's root 15 digits are not enough
                    value = float(mpmath.psi(order, x.item())) if mpmath else math.nan
            except (ValueError, ZeroDivisionError):
                value = math.nan  # a pole: the program skips the step
            return torch.tensor(value, dtype=x.dtype)

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            (x,) = ctx.saved_tensors
            return grad * _polygamma_function(order + 1).apply(x)

    _POLYGAMMA[order] = Polygamma
    return Polygamma


_POLYGAMMA: dict[int, Any] = {}


class _Lgamma(torch.autograd.Function):
    """PyTorch's lgamma, with digamma (mpmath's) as its derivative."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return torch.lgamma(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _polygamma_function(0).apply(x)


def torch_lgamma(t: Any) -> Any:
    """`_Lgamma`."""
    return _Lgamma.apply(t)


def torch_polygamma(order: int) -> Callable[[Any], Any]:
    """``psi^(order)`` with mpmath's values (see `_polygamma_function`)."""
    return lambda t: _polygamma_function(order).apply(t)


def torch_gamma(t: Any) -> Any:
    """The gamma function: ``+-exp(lgamma(t))``, signed by the interval between poles."""
    negative = (t < 0) & (torch.remainder(torch.floor(t), 2.0) == 1.0)
    sign = torch.where(negative, -torch.ones_like(t), torch.ones_like(t))
    return sign * torch.exp(torch_lgamma(t))


class _Atan2(torch.autograd.Function):
    """PyTorch's atan2 with its derivatives divided by ``r = hypot(y, x)`` twice.

    PyTorch computes ``x / (x*x + y*y)``, whose denominator underflows below
    1e-154 and is then masked to 0 (its value at the origin): at
    ``(1e-246, 1e-246)`` it says 0 where the derivative is 2e245. Here the
    mask applies at the origin only.
    """

    @staticmethod
    def forward(ctx: Any, y: Any, x: Any) -> Any:
        ctx.save_for_backward(y, x)
        return torch.atan2(y, x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        y, x = ctx.saved_tensors
        origin = (y == 0) & (x == 0)
        # hypot's own derivative is 0/0 at the origin: take r at a stand-in there
        safe = torch.hypot(torch.where(origin, torch.ones_like(y), y), x)
        zero = torch.zeros_like(safe)
        d_y = torch.where(origin, zero, x / safe / safe)
        d_x = torch.where(origin, zero, -y / safe / safe)
        return grad * d_y, grad * d_x


def torch_atan2(y: Any, x: Any) -> Any:
    """`_Atan2` (PyTorch's atan2, see there)."""
    return _Atan2.apply(y, x)


class _Hypot(torch.autograd.Function):
    """PyTorch's hypot with its derivatives taken in coordinates scaled by max(|a|, |b|).

    The same derivatives (hypot is homogeneous of degree 1), without
    underflow: PyTorch's second derivative of hypot subtracts ``x**2 / r**3``,
    and ``x**2`` is 0 below 1e-154, so at ``hypot(v, v)`` with ``v = 2e-308``
    it says ``1 / r`` (3e307) where the exact value along that line is 0.
    """

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return torch.hypot(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        scale = torch.maximum(a.abs(), b.abs()).detach()
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        u, w = a / scale, b / scale
        r = torch.hypot(u, w)  # 0 at the origin only, where u / r is 0/0 = NaN
        return grad * (u / r), grad * (w / r)


def torch_hypot(a: Any, b: Any) -> Any:
    """`_Hypot` (PyTorch's hypot, see there)."""
    return _Hypot.apply(a, b)


def torch_gelu(t: Any) -> Any:
    """GELU as ``x erfc(-x / sqrt 2) / 2``: PyTorch's ``1 + erf`` form is 0 below x = -8."""
    return t * 0.5 * torch.erfc(-t / math.sqrt(2.0))


def torch_gelu_tanh(t: Any) -> Any:
    """GELU's tanh form as ``x sigmoid(2u)``: PyTorch's ``1 + tanh(u)`` is 0 below x = -7."""
    u = math.sqrt(2.0 / math.pi) * (t + 0.044715 * t * t * t)
    return t * _Logistic.apply(2.0 * u)


class _Expm1(torch.autograd.Function):
    """PyTorch's expm1 with ``exp(x)`` as its derivative.

    PyTorch's is ``result + 1``: 0 below x = -37, where exp(x) is still 1e-17.
    """

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return torch.expm1(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * torch.exp(x)


def torch_expm1(t: Any) -> Any:
    """`_Expm1` (PyTorch's expm1, see there)."""
    return _Expm1.apply(t)


class _Copysign(torch.autograd.Function):
    """PyTorch's copysign with its derivative as a constant: ``copysign(x, y) / x``, 0 at x = 0.

    PyTorch's formula ``result / self`` masked at 0 differentiates to NaN
    there (0 / 0 under the mask); the derivative is piecewise constant, so
    its own derivative is 0.
    """

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        out = torch.copysign(x, y)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        x, out = ctx.saved_tensors
        safe = torch.where(x == 0, torch.ones_like(x), x)
        factor = torch.where(x == 0, torch.zeros_like(x), out / safe).detach()
        return grad * factor, grad * 0.0


def torch_copysign(x: Any, y: Any) -> Any:
    """`_Copysign` (PyTorch's copysign, see there)."""
    return _Copysign.apply(x, y)


def torch_elu(alpha: float = 1.0, scale: float = 1.0) -> Callable[[Any], Any]:
    """ELU (SELU with its constants) whose second derivative at 0 follows its first.

    PyTorch takes the first derivative at 0 from the negative branch
    (``alpha``) but the second from the positive one (0); micrograd's
    formula keeps the negative branch for both (``alpha``). Written with
    `where` (its unselected branch clamped, so it never overflows).
    """

    def elu(t: Any) -> Any:
        negative = alpha * torch_expm1(torch.clamp(t, max=0.0))
        return scale * torch.where(t > 0, t, negative)

    return elu


class _LogAddExp(torch.autograd.Function):
    """``log(exp(a) + exp(b))`` as ``max + log1p(exp(-|a - b|))``, gradients ``sigmoid(a - b)``.

    PyTorch's logsumexp adds 1 to the smaller exponential before its log
    (``log(1 + 1e-300)`` is 0) and differentiates through max, whose second
    derivative at a tie is 0 where logsumexp's is 1/4.
    """

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return torch.maximum(a, b) + torch.log1p(torch.exp(-torch.abs(a - b)))

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        a, b = ctx.saved_tensors
        return grad * torch.sigmoid(a - b), grad * torch.sigmoid(b - a)


def torch_logsumexp(a: Any, b: Any) -> Any:
    """`_LogAddExp` (see there)."""
    return _LogAddExp.apply(a, b)


def with_slope(forward: Callable[[Any], Any], slope: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """PyTorch's `forward` with the derivative `slope` (PyTorch operations, so it differentiates).

    For the inverse functions whose PyTorch derivatives cancel near the edge
    of the domain: ``1 / sqrt(1 - x*x)`` at x = 0.999999 keeps 10 digits,
    ``1 / sqrt((1 - x)(1 + x))`` all of them.
    """

    class WithSlope(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return forward(x)

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            (x,) = ctx.saved_tensors
            return grad * slope(x)

    return WithSlope.apply


def _one_minus_square(x: Any) -> Any:
    return torch.where(torch.abs(x) < 0.5, 1.0 - x * x, (1.0 - x) * (1.0 + x))


torch_asin = with_slope(torch.asin, lambda x: 1.0 / torch.sqrt(_one_minus_square(x)))
torch_acos = with_slope(torch.acos, lambda x: -1.0 / torch.sqrt(_one_minus_square(x)))
torch_atanh = with_slope(torch.atanh, lambda x: 1.0 / _one_minus_square(x))
torch_acosh = with_slope(torch.acosh, lambda x: 1.0 / (torch.sqrt(x - 1.0) * torch.sqrt(x + 1.0)))


class _Logistic(torch.autograd.Function):
    """The sigmoid with derivative ``sigmoid(x) sigmoid(-x)`` (PyTorch's ``s (1 - s)`` cancels)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return torch.sigmoid(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _Logistic.apply(x) * _Logistic.apply(-x)


class _LogSigmoid(torch.autograd.Function):
    """PyTorch's logsigmoid with derivative `_Logistic` of ``-x`` (no ``1 - s`` inside)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return functional.logsigmoid(x)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _Logistic.apply(-x)


torch_softsign = with_slope(
    functional.softsign,
    # PyTorch differentiates x / (1 + |x|) as a quotient, which cancels at large |x|
    lambda x: 1.0 / ((1.0 + torch.abs(x)) * (1.0 + torch.abs(x))),
)


class _Sinc(torch.autograd.Function):
    """PyTorch's sinc with a derivative that differentiates again at 0.

    PyTorch's sinc backward masks x = 0 with a constant 0 (right as a value),
    so its second derivative there is 0 where it is -pi**2 / 3. Here the
    derivative is ``(cos(pi x) - sinc(x)) / x``, with its Taylor polynomial
    for |x| < 1e-3 (at a safe stand-in input for the other branch, so no NaN
    reaches `where`'s backward).
    """

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        if mpmath is None:
            return torch.sinc(x)
        # mpmath's value: PyTorch's sin(pi x) / (pi x) is 4e-17, not 0, at x = 1
        with mpmath.workdps(40):
            return torch.tensor(float(mpmath.sincpi(x.item())), dtype=x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return grad * _sinc_slope(x)


def _trigonometric_pi(which: str) -> Any:
    """``cos(pi x)`` or ``sin(pi x)`` with mpmath's values, differentiable to any order.

    PyTorch's ``cos(math.pi * x)`` rounds ``pi x`` first: at x = 1e8 its
    absolute error is 1e-8, more than the sinc derivatives it enters.
    """
    if which in _TRIGONOMETRIC_PI:
        return _TRIGONOMETRIC_PI[which]

    class TrigonometricPi(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            if mpmath is None:
                value = torch.cos(math.pi * x) if which == "cos" else torch.sin(math.pi * x)
                return value
            function = mpmath.cospi if which == "cos" else mpmath.sinpi
            with mpmath.workdps(40):
                return torch.tensor(float(function(x.item())), dtype=x.dtype)

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            (x,) = ctx.saved_tensors
            if which == "cos":
                return grad * -math.pi * _trigonometric_pi("sin").apply(x)
            return grad * math.pi * _trigonometric_pi("cos").apply(x)

    _TRIGONOMETRIC_PI[which] = TrigonometricPi
    return TrigonometricPi


_TRIGONOMETRIC_PI: dict[str, Any] = {}


def _sinc_slope(x: Any) -> Any:
    small = torch.abs(x) < 1e-3
    safe = torch.where(small, torch.ones_like(x), x)
    closed = (_trigonometric_pi("cos").apply(safe) - _Sinc.apply(safe)) / safe
    p2 = math.pi**2
    series = x * (-p2 / 3 + x * x * (p2 * p2 / 30 - x * x * p2**3 / 840))
    return torch.where(small, series, closed)


def torch_sinc(t: Any) -> Any:
    """`_Sinc` (PyTorch's sinc, see there)."""
    return _Sinc.apply(t)


def remainder_like(kind: str) -> Callable[..., Any]:
    """A remainder ``x - n y`` (or the quotient ``n``) for PyTorch, with the exact `n`.

    PyTorch's fmod and remainder give y the gradient ``-trunc(x / y)`` or
    ``-floor(x / y)``, a rounded quotient: one off where ``x / y`` rounds up
    to an integer (``fmod(1, 0.1)`` is ``1 - 9 * 0.1``; ``1 / 0.1`` is 10.0).
    micrograd takes the integer the result used; so does this reference. The
    IEEE remainder (`math.remainder`) has no PyTorch function: its value is
    taken from Python on the 0-d tensors.
    """

    class Remainder(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any, y: Any) -> Any:
            a, b = x.item(), y.item()
            try:
                if kind == "fmod":
                    value = math.fmod(a, b)
                elif kind == "ieee":
                    value = math.remainder(a, b)
                elif kind == "python":
                    value = a % b
                else:
                    value = a // b
            except (ValueError, ZeroDivisionError):
                value = math.nan  # outside the domain: the program skips the step
            ctx.save_for_backward(x, y, torch.tensor(value, dtype=x.dtype))
            return torch.tensor(value, dtype=x.dtype)

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            x, y, out = ctx.saved_tensors
            if kind == "floor":
                return grad * 0.0, grad * 0.0
            quotient = torch.round((x - out) / y).detach()  # constant between jumps
            return grad * 1.0, -grad * quotient

    return Remainder.apply


OPS: list[OpSpec] = [
    OpSpec("+", 2, operator.add, operator.add, (0.0, -0.0, 1e300), ("add",)),
    OpSpec("-", 2, operator.sub, operator.sub, (0.0, -0.0), ("sub",)),
    OpSpec("*", 2, operator.mul, operator.mul, (0.0, -0.0, 1e-300, -1.0), ("mul",)),
    OpSpec("/", 2, operator.truediv, operator.truediv, (1e-300, -1.0, 3.0), ("div",)),
    OpSpec("**", 2, operator.pow, torch_power, POWER_EDGES, ("pow", "power", "PowConst")),
    OpSpec("mg.pow", 2, mg.pow, torch_power, POWER_EDGES, ("pow",)),
    OpSpec("neg", 1, operator.neg, operator.neg, (0.0,), ("neg",)),
    OpSpec("abs", 1, mg.abs, torch.abs, KINK, ("absolute", "fabs")),
    OpSpec("exp", 1, mg.exp, torch.exp, (0.0, -745.0, 700.0), ("exp",)),
    OpSpec("log", 1, mg.log, torch.log, (1e-300, 1e-12, 1.0, 5e-324), ("log",)),
    # sqrt'(0) is +inf in micrograd at either zero (its documented limit);
    # PyTorch's 1 / (2 * sqrt(-0.0)) is -inf: adding +0.0 (exact, with
    # derivative 1) turns -0.0 into +0.0 for PyTorch alone.
    OpSpec(
        "sqrt", 1, mg.sqrt, lambda t: torch.sqrt(t + 0.0), (0.0, -0.0, 1e-300, 5e-324), ("sqrt",)
    ),
    OpSpec("sin", 1, mg.sin, torch.sin, (0.0, PI2, math.pi), ("sin",)),
    OpSpec("cos", 1, mg.cos, torch.cos, (0.0, PI2, math.pi), ("cos",)),
    OpSpec("tan", 1, mg.tan, torch.tan, (0.0, PI2 - 1e-9, 1.5), ("tan",)),
    OpSpec("tanh", 1, mg.tanh, torch.tanh, (0.0, 20.0, -20.0), ("tanh",)),
    OpSpec(
        "sigmoid",
        1,
        mg.sigmoid,
        lambda t: torch.exp(-torch.logaddexp(torch.zeros_like(t), -t)),
        (0.0, 20.0, 40.0, -40.0, 800.0),
        ("sigmoid",),
        # s (1 - s) (1 - 2 s): near 0 the last factor cancels, in PyTorch's terms
        # of size s (1 - s) = 1/4, where micrograd's -s (1 - s) tanh(x / 2) does not.
        second_terms=lambda values: _sigmoid_terms(values[0]),
    ),
    OpSpec(
        "softplus",
        1,
        mg.softplus,
        lambda t: torch.logaddexp(t, torch.zeros_like(t)),
        (0.0, 20.0, 21.0, -40.0, 800.0),
        ("softplus",),
    ),
    OpSpec("relu", 1, mg.relu, torch.relu, KINK, ("relu",)),
    OpSpec("leaky_relu", 1, *_leaky(0.01), KINK, ("leaky_relu", "LeakyReLU")),
    OpSpec("leaky_relu(0.2)", 1, *_leaky(0.2), KINK, ("leaky_relu",)),
    OpSpec("leaky_relu(-1.5)", 1, *_leaky(-1.5), KINK, ("leaky_relu",)),
    OpSpec("maximum", 2, mg.maximum, torch.maximum, (0.0, -0.0, 1.0), ("maximum",)),
    OpSpec("minimum", 2, mg.minimum, torch.minimum, (0.0, -0.0, 1.0), ("minimum",)),
    # Ops that only some versions have: an entry appears when the op does.
    # The math module, NumPy's names, rounding and PyTorch's activations.
    OpSpec("asin", 1, mg.asin, torch_asin, UNIT_EDGES, ("asin", "arcsin")),
    OpSpec("acos", 1, mg.acos, torch_acos, UNIT_EDGES, ("acos", "arccos")),
    OpSpec("atan", 1, mg.atan, torch.atan, (0.0, 1e8, -3.0), ("atan", "arctan")),
    OpSpec(
        "atan2",
        2,
        mg.atan2,
        torch_atan2,
        (0.0, 1.0, -1.0),
        ("atan2", "arctan2"),
        # Both libraries differentiate x / r**2 and -y / r**2 by the quotient
        # rule: terms of size 1/r**2 that cancel where |x| = |y| (the mixed
        # partial (y**2 - x**2) / r**4 is 0 there, and each side keeps a
        # rounding-sized remainder of its own).
        second_terms=_atan2_terms,
    ),
    OpSpec("sinh", 1, mg.sinh, torch.sinh, (0.0, 10.0), ("sinh",)),
    OpSpec("cosh", 1, mg.cosh, torch.cosh, (0.0, 10.0), ("cosh",)),
    OpSpec("asinh", 1, mg.asinh, torch.asinh, (0.0, 1e8, 1e-12), ("asinh", "arcsinh")),
    OpSpec("acosh", 1, mg.acosh, torch_acosh, (1.000001, 2.0, 1e8), ("acosh", "arccosh")),
    OpSpec("atanh", 1, mg.atanh, torch_atanh, UNIT_EDGES, ("atanh", "arctanh")),
    OpSpec("log1p", 1, mg.log1p, torch.log1p, (0.0, -0.999999, 1e-300), ("log1p",)),
    OpSpec("expm1", 1, mg.expm1, torch_expm1, (0.0, 1e-300, -40.0), ("expm1",)),
    OpSpec("log2", 1, mg.log2, torch.log2, (1.0, 1e-300), ("log2",)),
    OpSpec("log10", 1, mg.log10, torch.log10, (1.0, 1e-300), ("log10",)),
    OpSpec(
        "log(x, base)",
        2,
        mg.log,
        # Outside micrograd's domain (a base <= 0 or 1, a ValueError there)
        # PyTorch still gives numbers (log(1) / log(0) = -0.0): NaN skips the step.
        lambda t, b: torch.where(
            (b > 0) & (b != 1), torch.log(t) / torch.log(b), torch.full_like(t, math.nan)
        ),
        (2.0, 10.0, 0.5),
        ("Log", "log_base"),
    ),
    OpSpec("exp2", 1, mg.exp2, torch.exp2, (0.0, -1000.0, 10.5), ("exp2",)),
    OpSpec(
        "cbrt",
        1,
        mg.cbrt,
        lambda t: torch.copysign(torch.abs(t) ** (1 / 3), t),
        (1.0, 8.0),
        ("cbrt",),
    ),
    OpSpec("degrees", 1, mg.degrees, torch.rad2deg, (0.0, 1.0), ("degrees", "rad2deg")),
    OpSpec("radians", 1, mg.radians, torch.deg2rad, (0.0, 90.0), ("radians", "deg2rad")),
    OpSpec(
        "hypot",
        2,
        mg.hypot,
        torch_hypot,
        (0.0, 1.0, 1e200),
        ("hypot",),
        # PyTorch differentiates its x / r by the quotient rule: 1/r - x**2/r**3,
        # terms of size 1/r that cancel where the other input is small (at
        # (0, 1e-300) each is 1e300, and the reference loses every smaller
        # gradient summed with them). micrograd's partials are one term each.
        second_terms=_hypot_terms,
    ),
    OpSpec("erf", 1, mg.erf, torch.erf, (0.0, 6.0, -1e-12), ("erf",)),
    OpSpec("erfc", 1, mg.erfc, torch.erfc, (0.0, 6.0, 20.0), ("erfc",)),
    OpSpec("lgamma", 1, mg.lgamma, torch_lgamma, (1.0, 2.0, 0.5, -0.5, 1e-8), ("lgamma",)),
    OpSpec("gamma", 1, mg.gamma, torch_gamma, (1.0, 2.0, 0.5, -0.5, -2.5), ("gamma",)),
    OpSpec(
        "digamma", 1, mg.digamma, torch_polygamma(0), (1.0, 1.4616321449683622, -0.5), ("digamma",)
    ),
    OpSpec(
        "polygamma(1)",
        1,
        lambda x: mg.polygamma(1, x),
        torch_polygamma(1),
        (1.0, 0.5, -1.5),
        ("polygamma", "Polygamma"),
    ),
    OpSpec("sinc", 1, mg.sinc, torch_sinc, (0.0, 1.0, 0.5, -2.0, 1e-9), ("sinc",)),
    OpSpec("floor", 1, mg.floor, torch.floor, (0.0, 1.0, -1.5), ("floor",), jumps=True),
    OpSpec("ceil", 1, mg.ceil, torch.ceil, (0.0, 1.0, -1.5), ("ceil",), jumps=True),
    OpSpec("trunc", 1, mg.trunc, torch.trunc, (0.0, 1.0, -1.5), ("trunc",), jumps=True),
    OpSpec("round", 1, mg.round, torch.round, (0.5, 1.5, -2.5), ("round", "Round"), jumps=True),
    OpSpec("sign", 1, mg.sign, torch.sign, KINK, ("sign",), jumps=True),
    OpSpec("copysign", 2, mg.copysign, torch_copysign, (0.0, -1.0, 2.0), ("copysign",), jumps=True),
    OpSpec("fmod", 2, mg.fmod, remainder_like("fmod"), (1.5, -2.0, 0.1), ("fmod",), jumps=True),
    OpSpec(
        "remainder",
        2,
        mg.remainder,
        remainder_like("ieee"),
        (1.5, -2.0, 0.1),
        ("remainder",),
        jumps=True,
    ),
    OpSpec("%", 2, operator.mod, remainder_like("python"), (1.5, -2.0, 0.1), ("mod",), jumps=True),
    OpSpec(
        "//",
        2,
        operator.floordiv,
        remainder_like("floor"),
        (1.5, -2.0, 0.1),
        ("floor_divide",),
        jumps=True,
    ),
    OpSpec(
        "clamp",
        1,
        lambda x: mg.clamp(x, -1.0, 2.0),
        lambda t: torch.clamp(t, -1.0, 2.0),
        (-1.0, 2.0, 0.0),
        ("clamp", "clip", "Clamp"),
    ),
    OpSpec(
        "hardtanh", 1, mg.hardtanh, functional.hardtanh, (-1.0, 1.0, 0.0), ("hardtanh", "Hardtanh")
    ),
    OpSpec("gelu", 1, mg.gelu, torch_gelu, (0.0, -10.0, 10.0), ("gelu", "Gelu")),
    OpSpec(
        "gelu_tanh",
        1,
        mg.gelu_tanh,
        torch_gelu_tanh,
        (0.0, -10.0, 10.0),
        ("gelu_tanh",),
    ),
    OpSpec("silu", 1, mg.silu, lambda t: t * _Logistic.apply(t), (0.0, -40.0, 40.0), ("silu",)),
    OpSpec("elu", 1, mg.elu, torch_elu(), (0.0, -0.0, 1e-300, -1e-300), ("elu", "Elu")),
    OpSpec(
        "selu",
        1,
        mg.selu,
        torch_elu(SELU_ALPHA, SELU_SCALE),
        (0.0, -0.0, 1e-300, -1e-300),
        ("selu",),
    ),
    OpSpec("mish", 1, mg.mish, functional.mish, (0.0, -20.0), ("mish",)),
    OpSpec("softsign", 1, mg.softsign, torch_softsign, (0.0,), ("softsign",)),
    OpSpec(
        "log_sigmoid",
        1,
        mg.log_sigmoid,
        _LogSigmoid.apply,
        (0.0, -800.0, 40.0),
        ("log_sigmoid", "logsigmoid"),
    ),
    OpSpec(
        "logsumexp",
        2,
        mg.logsumexp,
        torch_logsumexp,
        (0.0, 700.0, -700.0),
        ("logsumexp",),
        # micrograd differentiates exp(x_i - logsumexp) again: p_i (1 - p_i)
        # is formed as p_i times a sum of 1 and -p_i, terms of size p_i, and
        # keeps absolute (not relative) accuracy where p_i is near 1.
        second_terms=lambda values: max(_probabilities(values)),
    ),
    OpSpec(
        "softmax[0]",
        2,
        lambda a, b: mg.softmax([a, b])[0],
        lambda a, b: _Logistic.apply(a - b),  # softmax of two, without a rounded sum
        (0.0, 30.0, -30.0),
        ("softmax",),
        # micrograd's exp(log_softmax) second derivative is a sum of terms of
        # size p (1 - p): near a tie (p = 1/2) they cancel to rounding.
        second_terms=lambda values: _sigmoid_terms(values[0] - values[1]),
    ),
    OpSpec(
        "log_softmax[1]",
        2,
        lambda a, b: mg.log_softmax([a, b])[1],
        lambda a, b: _LogSigmoid.apply(b - a),  # PyTorch's log_softmax cancels
        (0.0, 30.0, -30.0),
        ("log_softmax",),
    ),
    *_optional("square", 1, torch.square, 0.0),
    *_optional("reciprocal", 1, torch.reciprocal, 1e-300, -1.0),
    *_optional("rsqrt", 1, torch.rsqrt, 1e-300, 1.0),
]
BY_NAME = {spec.name: spec for spec in OPS}
ADD = BY_NAME["+"]

#: Names in `micrograd.ops` that are the machinery, not built-in ops.
MACHINERY = {
    "FunctionOp",
    "GradFn",
    "LocalGrads",
    "NumericPartial",
    "Op",
    "new_node",
    "op",
    "sign_of",
    "value_of",
}


def test_every_builtin_op_has_an_entry() -> None:
    """A new built-in op must be added to the table (one line) to be tested here."""
    covered = {name for spec in OPS for name in spec.covers}
    builtins = set()
    for name in mg_ops.__all__:
        value = getattr(mg_ops, name)
        if name in MACHINERY:
            continue
        if isinstance(value, mg.Op) or callable(value):
            builtins.add(name)
    missing = sorted(builtins - covered)
    assert not missing, f"ops without an entry in the differential table: {missing}"


# ---------------------------------------------------------------------------
# Programs


Arg = tuple[str, Any]  # ("slot", index) | ("const", value)
Instruction = tuple[Any, ...]  # ("leaf", value) | ("op", name, args)


@dataclass
class Program:
    """Straight-line code: leaves and op applications, each making one slot."""

    instructions: list[Instruction]

    @property
    def leaf_values(self) -> list[float]:
        return [ins[1] for ins in self.instructions if ins[0] == "leaf"]

    def sinks(self) -> list[int]:
        """The slots no later instruction uses: their sum is the program's output."""
        used = {
            arg[1]
            for ins in self.instructions
            if ins[0] == "op"
            for arg in ins[2]
            if arg[0] == "slot"
        }
        return [i for i in range(len(self.instructions)) if i not in used]

    def __repr__(self) -> str:
        lines = []
        for i, ins in enumerate(self.instructions):
            if ins[0] == "leaf":
                lines.append(f"v{i} = leaf({ins[1]!r})")
            else:
                args = ", ".join(f"v{a[1]}" if a[0] == "slot" else repr(a[1]) for a in ins[2])
                lines.append(f"v{i} = {ins[1]}({args})")
        lines.append("out = " + " + ".join(f"v{i}" for i in self.sinks()))
        return "\n".join(lines)


def run(
    program: Program,
    leaves: Sequence[Any],
    call: Callable[[OpSpec, list[Any]], Any],
    constant: Callable[[float], Any] = lambda c: c,
) -> tuple[Any, list[Any]]:
    """The program's output and its slots, with `leaves` as its leaves and `call` applying ops."""
    slots: list[Any] = []
    supply = iter(leaves)
    for ins in program.instructions:
        if ins[0] == "leaf":
            slots.append(next(supply))
            continue
        args = [slots[a[1]] if a[0] == "slot" else constant(a[1]) for a in ins[2]]
        slots.append(call(BY_NAME[ins[1]], args))
    sinks = program.sinks()
    out = slots[sinks[0]]
    for i in sinks[1:]:
        out = call(ADD, [out, slots[i]])
    return out, slots


def _tensor(value: float, dtype: Any = F64) -> Any:
    return torch.tensor(value, dtype=dtype)


def _torch_call(spec: OpSpec, args: list[Any]) -> Any:
    return spec.torch(*args)


ordinary = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)
special = st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, -1e-300, 1e-8, 3.0, 10.0])
values = st.one_of(ordinary, ordinary, special)
MAX_LEAVES = 4
MAX_MAGNITUDE = 1e8


@st.composite
def programs(draw: st.DrawFn, max_steps: int = 10, second_order: bool = False) -> Program:
    """A program whose every value is finite and at most 1e8 in magnitude (so also in torch)."""
    leaf_count = draw(st.integers(1, 3))
    instructions: list[Instruction] = [("leaf", draw(values)) for _ in range(leaf_count)]
    computed: list[float] = [ins[1] for ins in instructions]
    steps = draw(st.integers(1, max_steps))
    for _ in range(steps):
        spec = draw(st.sampled_from(OPS))
        edge_values = st.sampled_from(spec.edges) if spec.edges else values
        args: list[Arg] = []
        new_leaves: list[float] = []

        def value_at(index: int, new_leaves: list[float] = new_leaves) -> float:
            return computed[index] if index < len(computed) else new_leaves[index - len(computed)]

        for position in range(spec.arity):
            kinds = ["slot", "slot", "slot", "const", "edge-const"]
            if spec.arity == 1 or position == 1:
                kinds.append("edge-leaf")
            if position == 1:
                kinds.append("tie")
            kind = draw(st.sampled_from(kinds))
            leaves_now = sum(1 for ins in instructions if ins[0] == "leaf") + len(new_leaves)
            if kind == "edge-leaf" and leaves_now >= MAX_LEAVES:
                kind = "slot"
            if kind == "tie" and args[0][0] != "slot":
                kind = "slot"
            if position == 1 and args[0][0] == "const" and kind in ("const", "edge-const"):
                kind = "slot"  # at least one operand is a node
            if spec.arity == 1 and kind in ("const", "edge-const"):
                kind = "slot"
            if kind == "slot":
                args.append(("slot", draw(st.integers(0, len(instructions) - 1))))
            elif kind == "const":
                args.append(("const", draw(values)))
            elif kind == "edge-const":
                args.append(("const", draw(edge_values)))
            elif kind == "tie":
                args.append(("const", value_at(args[0][1])))
            else:
                value = draw(edge_values)
                new_leaves.append(value)
                args.append(("slot", len(instructions) + len(new_leaves) - 1))
        operands = [
            _tensor(value_at(a[1])).requires_grad_() if a[0] == "slot" else _tensor(a[1])
            for a in args
        ]
        with torch.no_grad():
            result = float(spec.torch(*operands))
        if not math.isfinite(result) or abs(result) > MAX_MAGNITUDE:
            continue  # outside the domain, or too steep to compare: skip the step
        if spec.jumps and near_jump(spec, operands, result):
            continue
        first, second = _local_derivatives(spec, operands, second_order=second_order)
        if not all(math.isfinite(d) for d in [*first, *(h for row in second for h in row)]):
            # A singular point (sqrt at 0, x**y at a negative base): its
            # conventions are tested in test_formulas_on_nodes and below. For
            # second derivatives also a point where the op's own second
            # derivative overflows (log at 1e-300): there 0 * inf makes any
            # float answer arbitrary (PyTorch's 0 and micrograd's NaN alike).
            continue
        for value in new_leaves:
            instructions.append(("leaf", value))
            computed.append(value)
        instructions.append(("op", spec.name, tuple(args)))
        computed.append(result)
    if all(ins[0] == "leaf" for ins in instructions):
        instructions.append(("op", "+", (("slot", 0), ("const", 1.0))))
    return Program(instructions)


def near_jump(spec: OpSpec, operands: list[Any], result: float) -> bool:
    """Whether moving an operand by a rounding error makes the op jump.

    micrograd and PyTorch compute an operand with different rounding (a few
    ulps), so at ``floor(2.9999999999999996)`` or ``fmod(x, y)`` with x a
    multiple of y up to rounding, their results may lie on either side of
    the jump: the step is not comparable. Exact jumps (a leaf at 2.0, x = y)
    stay: both libraries see the same operands there.
    """
    values = [float(o.detach()) for o in operands]
    for index, value in enumerate(values):
        moved = [value * (1.0 + 1e-12), value * (1.0 - 1e-12)]
        if 0.0 < abs(value) < 1e-9:
            moved.append(-value)
        for other in moved:
            trial = list(values)
            trial[index] = other
            with torch.no_grad():
                found = float(spec.torch(*(_tensor(v) for v in trial)))
            if not math.isclose(found, result, rel_tol=1e-6, abs_tol=1e-6):
                return True
    return False


# ---------------------------------------------------------------------------
# The reference and its noise


@dataclass
class Reference:
    """PyTorch's results for a program: output, d(out)/d(slot), Hessian of the leaves."""

    value: float
    slot_grads: list[float]
    hessian: list[list[float]]
    slot_values: list[float] = field(default_factory=list)


ULP = 2.0**-52
TINY = 2.0**-1022  # the smallest normal float
SUBNORMAL_STEP = 2.0**-1074  # the spacing of subnormal floats


def torch_reference(
    program: Program, perturb: random.Random | None = None, dtype: Any = F64
) -> Reference:
    """The program in PyTorch; with `perturb`, each node's output times ``1 + d``, |d| <= 8 ulp."""
    leaves = [_tensor(v, dtype).requires_grad_() for v in program.leaf_values]

    def call(spec: OpSpec, args: list[Any]) -> Any:
        out = spec.torch(*args)
        if perturb is not None:
            out = out * (1.0 + perturb.uniform(-8.0, 8.0) * ULP)
            # Below the normal range rounding is absolute (steps of 2**-1074),
            # not relative: a subnormal result moves by up to 8 such steps.
            # Exact zeros stay, so kinks are kept.
            subnormal = (out != 0) & (out.abs() < TINY)
            step = perturb.uniform(-8.0, 8.0) * SUBNORMAL_STEP
            out = torch.where(subnormal, out + step, out)
        return out

    out, slots = run(program, leaves, call, constant=lambda c: _tensor(c, dtype))
    grads = torch.autograd.grad(out, slots, create_graph=True, allow_unused=True)
    slot_grads = [0.0 if g is None else g.item() for g in grads]
    leaf_slots = [i for i, ins in enumerate(program.instructions) if ins[0] == "leaf"]
    hessian = []
    for i in leaf_slots:
        g = grads[i]
        if g is None or not g.requires_grad:
            hessian.append([0.0] * len(leaves))
            continue
        row = torch.autograd.grad(g, leaves, retain_graph=True, allow_unused=True)
        hessian.append([0.0 if h is None else h.item() for h in row])
    slot_values = [s.detach().item() for s in slots]
    return Reference(out.detach().item(), slot_grads, hessian, slot_values)


def _flat(reference: Reference) -> list[float]:
    return [reference.value, *reference.slot_grads, *(h for row in reference.hessian for h in row)]


def noise_of(program: Program, reference: Reference, runs: int = 2) -> Reference:
    """How far rounding-sized perturbations move each quantity of `reference` (see above)."""
    rng = random.Random(repr(program))
    base = _flat(reference)
    worst = [0.0] * len(base)
    for _ in range(runs):
        moved = _flat(torch_reference(program, rng))
        for i, (a, b) in enumerate(zip(base, moved)):
            if math.isfinite(a) and math.isfinite(b):
                change = abs(a - b)
            elif a == b or (math.isnan(a) and math.isnan(b)):
                change = 0.0
            else:
                change = math.inf
            worst[i] = max(worst[i], change)
    # Single precision runs the same formulas with 2**29 times coarser
    # rounding: its distance from double precision, scaled down by 2**29,
    # is double precision's own error, cancellation in a local-gradient
    # formula included (which the perturbations above, applied after each
    # op, cannot reach). Where single precision leaves its range, it says
    # nothing and is ignored.
    single = _flat(torch_reference(program, dtype=torch.float32))
    for i, (a, b) in enumerate(zip(base, single)):
        if math.isfinite(a) and math.isfinite(b):
            worst[i] = max(worst[i], abs(a - b) * 2.0**-29)
    # Sums of gradient contributions that cancel (1/y - x/y**2 with x = y
    # tiny) lose everything rounding-sized perturbations keep: bound them
    # by the sums of the contributions' magnitudes.
    absolute = magnitudes(program, reference)
    # An infinite bound means the terms overflowed: inf - inf is NaN in one
    # order of summation and inf in another, and nothing is compared.
    for i, bound in enumerate(_flat(absolute)):
        if i > 0:
            worst[i] = max(worst[i], 16.0 * ULP * bound)
    n = len(reference.slot_grads)
    h = len(reference.hessian)
    rows = [worst[1 + n + r * h : 1 + n + (r + 1) * h] for r in range(h)]
    return Reference(worst[0], worst[1 : 1 + n], rows)


def _local_derivatives(
    spec: OpSpec, operands: list[Any], second_order: bool = True
) -> tuple[list[float], list[list[float]]]:
    """The magnitudes of an op's first and second partial derivatives by its node operands."""
    variables = [o for o in operands if o.requires_grad]
    out = spec.torch(*operands)
    firsts = torch.autograd.grad(out, variables, create_graph=True, allow_unused=True)
    first = [0.0 if g is None else abs(g.item()) for g in firsts]
    second: list[list[float]] = []
    for g in firsts if second_order else ():
        if g is None or not g.requires_grad:
            second.append([0.0] * len(variables))
            continue
        row = torch.autograd.grad(g, variables, retain_graph=True, allow_unused=True)
        second.append([0.0 if h is None else abs(h.item()) for h in row])
    if spec.second_terms is not None and second:
        bound = spec.second_terms([float(o.detach()) for o in operands])
        second = [[max(h, bound) for h in row] for row in second]
    return first, second


def magnitudes(program: Program, reference: Reference) -> Reference:
    """The chain rule with every local derivative replaced by its magnitude.

    For each slot, the sum of the magnitudes of the gradient contributions
    reaching it (reverse mode); for the leaves, the same for the Hessian
    (forward mode, second order). A sum computed in floats is off by at most
    a few ulps of these.
    """
    slots = len(program.instructions)
    leaf_slots = _leaf_slots(program)
    n = len(leaf_slots)
    gradient: list[list[float]] = [[0.0] * n for _ in range(slots)]  # |d slot / d leaf|
    hessian: list[list[list[float]]] = [[[0.0] * n for _ in range(n)] for _ in range(slots)]
    local: dict[int, tuple[list[int], list[float], list[list[float]]]] = {}
    for k, ins in enumerate(program.instructions):
        if ins[0] == "leaf":
            gradient[k][leaf_slots.index(k)] = 1.0
            continue
        spec = BY_NAME[ins[1]]
        operands = []
        sources = []
        for a in ins[2]:
            if a[0] == "slot":
                operands.append(_tensor(reference.slot_values[a[1]]).requires_grad_())
                sources.append(a[1])
            else:
                operands.append(_tensor(a[1]))
        first, second = _local_derivatives(spec, operands)
        local[k] = (sources, first, second)
        for i, d in zip(sources, first):
            for j in range(n):
                gradient[k][j] += d * gradient[i][j]
                for m in range(n):
                    hessian[k][j][m] += d * hessian[i][j][m]
        for p, i in enumerate(sources):
            for q, i2 in enumerate(sources):
                for j in range(n):
                    for m in range(n):
                        hessian[k][j][m] += second[p][q] * gradient[i][j] * gradient[i2][m]
    adjoint = [0.0] * slots
    for k in program.sinks():
        adjoint[k] = 1.0
    for k in reversed(range(slots)):
        if k in local:
            sources, first, _ = local[k]
            for i, d in zip(sources, first):
                adjoint[i] += adjoint[k] * d
    root = [[0.0] * n for _ in range(n)]
    for k in program.sinks():
        for j in range(n):
            for m in range(n):
                root[j][m] += hessian[k][j][m]
    return Reference(0.0, adjoint, root)


def agree(found: float, expected: float, noise: float) -> bool:
    """Whether micrograd's `found` matches PyTorch's `expected` (the module docstring's rule)."""
    if math.isinf(noise):
        return True  # overflowed on the way (see `noise_of`)
    if math.isnan(expected):
        return math.isnan(found)
    if math.isinf(expected):
        return found == expected or math.isinf(noise)
    if not math.isfinite(found):
        return math.isinf(noise)
    return abs(found - expected) <= 1e-12 * abs(expected) + 4.0 * noise + 1e-300


def check(
    what: str, found: Sequence[float], expected: Sequence[float], noise: Sequence[float]
) -> None:
    bad = [
        f"  {what}[{i}]: micrograd {f!r}, torch {e!r} (noise {n:.3g})"
        for i, (f, e, n) in enumerate(zip(found, expected, noise))
        if not agree(float(f), e, n)
    ]
    assert len(found) == len(expected), (what, found, expected)
    assert not bad, "\n".join([f"{what} differs from PyTorch:", *bad])


def same_bits(a: float, b: float) -> bool:
    """Equal as floats are stored: NaN equals NaN, and 0.0 differs from -0.0."""
    return repr(float(a)) == repr(float(b))


def mg_function(program: Program) -> Callable[..., Any]:
    def f(*xs: Any) -> Any:
        return run(program, xs, lambda spec, args: spec.mg(*args))[0]

    f.__name__ = "program"
    return f


SETTINGS = settings(
    max_examples=hunt_examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=not os.environ.get("MICROGRAD_HUNT"),
)


def zero_base_power(program: Program, reference: Reference) -> bool:
    """Whether the program raises a node to a power at base exactly 0 (or a constant 0 base)."""
    for ins in program.instructions:
        if ins[0] == "op" and ins[1] in ("**", "mg.pow"):
            base = ins[2][0]
            value = reference.slot_values[base[1]] if base[0] == "slot" else base[1]
            if value == 0.0:
                return True
    return False


def _leaf_slots(program: Program) -> list[int]:
    return [i for i, ins in enumerate(program.instructions) if ins[0] == "leaf"]


@SETTINGS
@given(programs())
def test_eager_values_and_first_derivatives(program: Program) -> None:
    note(repr(program))
    reference = torch_reference(program)
    noise = noise_of(program, reference)
    leaf_slots = _leaf_slots(program)
    values = program.leaf_values

    # The value, and backward() into every node of the graph.
    leaves = [mg.Node(v) for v in values]
    out, slots = run(program, leaves, lambda spec, args: spec.mg(*args))
    found = [out.data]
    expected = [reference.value]
    tolerance = [noise.value]
    out.backward()
    found += [s.grad for s in slots]
    expected += reference.slot_grads
    tolerance += noise.slot_grads
    # mg.grad with respect to every leaf: plain floats.
    by_grad = mg.grad(mg_function(program), argnums=tuple(range(len(values))))(*values)
    assert all(type(g) is float for g in by_grad), by_grad
    found += list(by_grad)
    expected += [reference.slot_grads[i] for i in leaf_slots]
    tolerance += [noise.slot_grads[i] for i in leaf_slots]
    check("[value, backward .grad of each slot, mg.grad of each leaf]", found, expected, tolerance)


@SETTINGS
@given(programs())
def test_compiled_mode_gives_eager_bits(program: Program) -> None:
    note(repr(program))
    values = program.leaf_values
    f = mg_function(program)
    eager_value, eager_grads = mg.value_and_grad(f, argnums=tuple(range(len(values))))(*values)
    compiled_value, compiled_grads = mg.compile(f)(*values)
    eager = [eager_value, *eager_grads]
    compiled = [compiled_value, *compiled_grads]
    assert all(same_bits(c, e) for c, e in zip(compiled, eager)), (
        f"compiled {compiled!r} differs from eager {eager!r}"
    )


@SETTINGS
@given(programs(max_steps=7, second_order=True))
def test_second_derivatives(program: Program) -> None:
    note(repr(program))
    reference = torch_reference(program)
    noise = noise_of(program, reference)
    values = program.leaf_values
    f = mg_function(program)
    n = len(values)
    argnums = tuple(range(n))
    leaf_slots = _leaf_slots(program)
    hessian = [h for row in reference.hessian for h in row]
    hessian_noise = [h for row in noise.hessian for h in row]

    # mg.grad(mg.grad(f)): one row per leaf.
    nested = []
    for j in range(n):
        nested.extend(mg.grad(mg.grad(f, argnums=j), argnums=argnums)(*values))

    # backward(create_graph=True), then the gradient of each leaf's Node-valued .grad.
    leaves = [mg.Node(v) for v in values]
    out = f(*leaves)
    out.backward(create_graph=True)
    firsts = [leaf.grad for leaf in leaves]
    rows = []
    for g in firsts:
        if isinstance(g, mg.Node):
            rows.extend(float(h) for h in mg.gradients(g, leaves))
        else:
            rows.extend([0.0] * n)
    if zero_base_power(program, reference):
        # PyTorch's second derivatives of x**y at x = 0 are NaN: its
        # first-derivative formula masks the singular branch with `where`,
        # whose own derivative lets that branch's NaN through (0 * nan).
        # micrograd's first derivative there is a constant (the limit 0 or
        # inf, documented), so its second derivative through it is 0; the
        # entries PyTorch makes NaN are not compared.
        keep = [i for i, h in enumerate(hessian) if not math.isnan(h)]
        hessian = [hessian[i] for i in keep]
        hessian_noise = [hessian_noise[i] for i in keep]
        nested = [nested[i] for i in keep]
        rows = [rows[i] for i in keep]
    check(
        "[mg.grad(mg.grad) Hessian, create_graph Hessian, create_graph first derivatives]",
        [*nested, *rows, *(float(g) for g in firsts)],
        [*hessian, *hessian, *(reference.slot_grads[i] for i in leaf_slots)],
        [*hessian_noise, *hessian_noise, *(noise.slot_grads[i] for i in leaf_slots)],
    )
