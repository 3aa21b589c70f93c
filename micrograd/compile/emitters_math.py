"""Emitters of the functions of `ops.mathfuncs`, `ops.rounding` and `ops.more_activations`.

Each writes its op's value and local gradients as Python source performing
the same float operations as the op, in the same order (the formulas of
`micrograd.ops` evaluated on floats), so that compiled results are eager
mode's bits; a test compares them for every function. Where the op computes
a special function, the code calls the same float function
(`micrograd.ops.special`, named ``special`` in generated code) or `math`'s.
Where the float code raises (a domain error, an overflow) compiled mode
falls back to eager mode, which raises or returns what the op does.

Registered through `register_emitter`; imported by the package, so the
emitters exist whenever compiled mode does.

Imports: `micrograd.ops`; `emitters` of this package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from micrograd import ops
from micrograd.compile.emitters import register_emitter
from micrograd.ops import Op, mathfuncs, more_activations, rounding, special

__all__: list[str] = []

Forward = Callable[..., str]
Grads = Callable[..., Sequence[str]]


def _lit(value: float) -> str:
    """A float literal that evaluates to exactly `value` (bracketed when negative)."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "(-inf)"
    text = repr(float(value))
    return f"({text})" if text.startswith("-") else text


def _emit(op: Op, forward: Forward, grads: Grads) -> None:
    register_emitter(op, forward, grads)


def _sigmoid(z: str) -> str:
    """`ops.sigmoid`'s two branches (no overflow for any input)."""
    return f"(1.0 / (1.0 + math.exp(-{z})) if {z} >= 0 else math.exp({z}) / (1.0 + math.exp({z})))"


def _softplus(z: str) -> str:
    """`ops.softplus` (its NaN test returns the NaN the formula gives too)."""
    return f"(max({z}, 0.0) + math.log1p(math.exp(-abs({z}))))"


def _one_minus_square(x: str) -> str:
    """`mathfuncs._one_minus_square`."""
    return f"(1.0 - {x} * {x} if abs({x}) < 0.5 else (1.0 - {x}) * (1.0 + {x}))"


def _inverse_or_inf(numerator: float, denominator: str) -> str:
    """`mathfuncs._infinite_if_zero`: ``numerator / d``, or an infinity of its sign at 0."""
    infinity = _lit(math.copysign(math.inf, numerator))
    return f"({_lit(numerator)} / {denominator} if {denominator} != 0.0 else {infinity})"


def _pole_checked(value: str, x: str) -> str:
    """`value`, or ValueError (so eager mode runs and raises) at a pole of gamma."""
    return f"({value} if {x} > 0.0 or {x} != math.floor({x}) else math.log(-1.0))"


# -- inverse trigonometric and hyperbolic ------------------------------------------------

_emit(
    ops.asin,
    lambda op, x: f"math.asin({x})",
    lambda op, x, out: [_inverse_or_inf(1.0, f"math.sqrt({_one_minus_square(x)})")],
)
_emit(
    ops.acos,
    lambda op, x: f"math.acos({x})",
    lambda op, x, out: [_inverse_or_inf(-1.0, f"math.sqrt({_one_minus_square(x)})")],
)
_emit(ops.atan, lambda op, x: f"math.atan({x})", lambda op, x, out: [f"1.0 / (1.0 + {x} * {x})"])
_emit(
    ops.atan2,
    lambda op, y, x: f"math.atan2({y}, {x})",
    lambda op, y, x, out: [
        f"(0.0 if math.hypot({y}, {x}) == 0.0 else {x} / math.hypot({y}, {x})"
        f" / math.hypot({y}, {x}))",
        f"(0.0 if math.hypot({y}, {x}) == 0.0 else -{y} / math.hypot({y}, {x})"
        f" / math.hypot({y}, {x}))",
    ],
)
_emit(ops.sinh, lambda op, x: f"math.sinh({x})", lambda op, x, out: [f"math.cosh({x})"])
_emit(ops.cosh, lambda op, x: f"math.cosh({x})", lambda op, x, out: [f"math.sinh({x})"])
_emit(
    ops.asinh, lambda op, x: f"math.asinh({x})", lambda op, x, out: [f"1.0 / math.hypot(1.0, {x})"]
)
_emit(
    ops.acosh,
    lambda op, x: f"math.acosh({x})",
    lambda op, x, out: [_inverse_or_inf(1.0, f"(math.sqrt({x} - 1.0) * math.sqrt({x} + 1.0))")],
)
_emit(
    ops.atanh,
    lambda op, x: f"math.atanh({x})",
    lambda op, x, out: [_inverse_or_inf(1.0, _one_minus_square(x))],
)

# -- exponentials, logarithms, roots, angles ----------------------------------------

_emit(
    ops.exp2,
    lambda op, x: f"special.exp2({x})",
    lambda op, x, out: [f"{_lit(mathfuncs._LN2)} * {out}"],
)
_emit(ops.expm1, lambda op, x: f"math.expm1({x})", lambda op, x, out: [f"math.exp({x})"])
_emit(
    ops.log2,
    lambda op, x: f"math.log2({x})",
    lambda op, x, out: [f"{_lit(mathfuncs._INV_LN2)} / {x}"],
)
_emit(
    ops.log10,
    lambda op, x: f"math.log10({x})",
    lambda op, x, out: [f"{_lit(mathfuncs._INV_LN10)} / {x}"],
)
_emit(ops.log1p, lambda op, x: f"math.log1p({x})", lambda op, x, out: [f"1.0 / (1.0 + {x})"])
_emit(
    ops.log_base,
    lambda op, x, b: f"math.log({x}) / math.log({b})",
    lambda op, x, b, out: [f"1.0 / ({x} * math.log({b}))", f"-{out} / ({b} * math.log({b}))"],
)
_emit(
    ops.cbrt,
    lambda op, x: f"special.cbrt({x})",
    lambda op, x, out: [_inverse_or_inf(1.0, f"(3.0 * ({out} * {out}))")],
)
_emit(
    ops.degrees,
    lambda op, x: f"{x} * {_lit(mathfuncs._DEGREES)}",
    lambda op, x, out: [_lit(mathfuncs._DEGREES)],
)
_emit(
    ops.radians,
    lambda op, x: f"{x} * {_lit(mathfuncs._RADIANS)}",
    lambda op, x, out: [_lit(mathfuncs._RADIANS)],
)
_emit(
    ops.hypot,
    lambda op, *xs: f"math.hypot({', '.join(xs)})",
    lambda op, *args: [
        f"({x} / {args[-1]} if {args[-1]} >= {_lit(special.TINY)}"
        f" else special.hypot_partial({i}, {args[-1]}, {', '.join(args[:-1])}))"
        for i, x in enumerate(args[:-1])
    ],
)

# -- error and gamma functions, sinc -------------------------------------------------------

_GAUSS = _lit(mathfuncs._TWO_OVER_SQRT_PI)
_MINUS_GAUSS = _lit(-mathfuncs._TWO_OVER_SQRT_PI)
_emit(
    ops.erf,
    lambda op, x: f"math.erf({x})",
    lambda op, x, out: [f"{_GAUSS} * math.exp(-({x} * {x}))"],
)
_emit(
    ops.erfc,
    lambda op, x: f"math.erfc({x})",
    lambda op, x, out: [f"{_MINUS_GAUSS} * math.exp(-({x} * {x}))"],
)
_emit(ops.lgamma, lambda op, x: f"math.lgamma({x})", lambda op, x, out: [f"special.digamma({x})"])
_emit(
    ops.gamma,
    lambda op, x: f"math.gamma({x})",
    lambda op, x, out: [f"{out} * special.digamma({x})"],
)
_emit(
    ops.digamma,
    lambda op, x: _pole_checked(f"special.digamma({x})", x),
    lambda op, x, out: [f"special.polygamma(1, {x})"],
)
register_emitter(
    ops.Polygamma,
    lambda op, x: _pole_checked(f"special.polygamma({op.order}, {x})", x),
    lambda op, x, out: [f"special.polygamma({op.order + 1}, {x})"],
)


def _sinc_grad(op: Op, x: str, out: str) -> list[str]:
    coefficients = mathfuncs._SINC_DERIVATIVE
    series = _lit(coefficients[-1])
    for coefficient in reversed(coefficients[:-1]):
        series = f"({series} * ({x} * {x}) + {_lit(coefficient)})"
    closed = f"(special.cospi({x}) - {out}) / {x}"
    return [f"({series} * {x} if abs({x}) < 1.0 else {closed})"]


_emit(
    ops.sinc,
    lambda op, x: (
        f"(1.0 if {x} == 0.0 else 0.0 if math.isinf({x})"
        f" else special.sinpi({x}) / ({_lit(math.pi)} * {x}))"
    ),
    _sinc_grad,
)
_emit(
    mathfuncs._sinpi,
    lambda op, x: f"special.sinpi({x})",
    lambda op, x, out: [f"{_lit(math.pi)} * special.cospi({x})"],
)
_emit(
    mathfuncs._cospi,
    lambda op, x: f"special.cospi({x})",
    lambda op, x, out: [f"{_lit(-math.pi)} * special.sinpi({x})"],
)

# -- rounding, signs, remainders, clamping ---------------------------------------------------


def _rounded(function: str) -> Forward:
    return lambda op, x: (
        f"(math.copysign(float(math.{function}({x})), {x}) if math.isfinite({x}) else {x})"
    )


_emit(ops.floor, _rounded("floor"), lambda op, x, out: ["0.0"])
_emit(ops.ceil, _rounded("ceil"), lambda op, x, out: ["0.0"])
_emit(ops.trunc, _rounded("trunc"), lambda op, x, out: ["0.0"])
register_emitter(
    rounding.Round,
    lambda op, x: f"special.round_half_even({x}, {op.ndigits})",
    lambda op, x, out: ["0.0"],
)
_emit(
    ops.sign,
    lambda op, x: f"(1.0 if {x} > 0 else -1.0 if {x} < 0 else {x} + 0.0)",
    lambda op, x, out: ["0.0"],
)
_emit(
    ops.copysign,
    lambda op, x, y: f"math.copysign({x}, {y})",
    lambda op, x, y, out: [
        f"(0.0 if {x} == 0.0 else nan if {x} != {x} or {y} != {y}"
        f" else 1.0 if math.copysign(1.0, {x}) == math.copysign(1.0, {y}) else -1.0)",
        "0.0",
    ],
)


def _remainder_grads(op: Op, x: str, y: str, out: str) -> list[str]:
    return ["1.0", f"0.0 - special.remainder_quotient({x}, {y}, {out})"]


_emit(ops.fmod, lambda op, x, y: f"math.fmod({x}, {y})", _remainder_grads)
_emit(ops.remainder, lambda op, x, y: f"math.remainder({x}, {y})", _remainder_grads)
_emit(ops.mod, lambda op, x, y: f"{x} % {y}", _remainder_grads)
_emit(ops.floor_divide, lambda op, x, y: f"{x} // {y}", lambda op, x, y, out: ["0.0", "0.0"])
register_emitter(
    rounding.Clamp,
    lambda op, x: f"({x} if {x} != {x} else min(max({x}, {_lit(op.lower)}), {_lit(op.upper)}))",
    lambda op, x, out: [f"(1.0 if {_lit(op.lower)} <= {x} <= {_lit(op.upper)} else 0.0)"],
)
register_emitter(
    more_activations.Hardtanh,
    lambda op, x: f"({x} if {x} != {x} else min(max({x}, {_lit(op.min_val)}), {_lit(op.max_val)}))",
    lambda op, x, out: [
        f"(0.0 if {x} <= {_lit(op.min_val)} or {x} >= {_lit(op.max_val)} else 1.0)"
    ],
)

# -- activations and reductions ------------------------------------------------------------


def _gelu_grad(op: Op, x: str, out: str) -> list[str]:
    a = _lit(more_activations._INV_SQRT2)
    b = _lit(more_activations._INV_SQRT_2PI)
    return [f"0.5 * math.erfc(-{x} * {a}) + {x} * {b} * math.exp(-0.5 * ({x} * {x}))"]


_emit(
    ops.gelu,
    lambda op, x: f"{x} * (0.5 * math.erfc(-{x} * {_lit(more_activations._INV_SQRT2)}))",
    _gelu_grad,
)

_C = more_activations._GELU_C
_A = more_activations._GELU_A


def _gelu_tanh_forward(op: Op, x: str) -> str:
    u = f"({_lit(_C)} * ({x} + {_lit(_A)} * ({x} * {x} * {x})))"
    return f"{x} * {_sigmoid(f'(2.0 * {u})')}"


def _gelu_tanh_grad(op: Op, x: str, out: str) -> list[str]:
    twice_u = f"({_lit(2.0 * _C)} * ({x} + {_lit(_A)} * ({x} * {x} * {x})))"
    slope = f"({_lit(2.0 * _C)} * (1.0 + {_lit(3.0 * _A)} * ({x} * {x})))"
    s = _sigmoid(twice_u)
    inner = f"{s} + {x} * {slope} * ({s} * {_sigmoid(f'(-{twice_u})')})"
    return [f"((1.0 if {x} > 0 else 0.0) if abs({x}) > 100.0 else {inner})"]


_emit(ops.gelu_tanh, _gelu_tanh_forward, _gelu_tanh_grad)
_emit(
    ops.silu,
    lambda op, x: f"{x} * {_sigmoid(x)}",
    lambda op, x, out: [f"{_sigmoid(x)} * (1.0 + {x} * {_sigmoid(f'(-{x})')})"],
)
register_emitter(
    more_activations.Elu,
    lambda op, x: (
        f"({_lit(op.scale)} * {x} if {x} > 0"
        f" else {_lit(op.scale)} * ({_lit(op.alpha)} * math.expm1({x})))"
    ),
    lambda op, x, out: [
        f"({_lit(op.scale)} if {x} > 0 else {_lit(op.scale)} * ({_lit(op.alpha)} * math.exp({x})))"
    ],
)
_emit(
    ops.softsign,
    lambda op, x: f"{x} / (1.0 + abs({x}))",
    lambda op, x, out: [f"1.0 / ((1.0 + abs({x})) * (1.0 + abs({x})))"],
)


def _mish_grad(op: Op, x: str, out: str) -> list[str]:
    t = f"math.tanh({_softplus(x)})"
    return [f"{t} + {x} * (1.0 - {t} * {t}) * {_sigmoid(x)}"]


_emit(ops.mish, lambda op, x: f"{x} * math.tanh({_softplus(x)})", _mish_grad)
_emit(
    ops.log_sigmoid,
    lambda op, x: f"-{_softplus(f'(-{x})')}",
    lambda op, x, out: [_sigmoid(f"(-{x})")],
)
_emit(
    ops.logsumexp,
    lambda op, *xs: f"special.logsumexp(({', '.join(xs)},))",
    lambda op, *args: [
        f"special.softmax(({', '.join(args[:-1])},))[{i}]" for i in range(len(args) - 1)
    ],
)
