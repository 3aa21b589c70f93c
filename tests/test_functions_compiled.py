"""Compiled mode on the built-in functions, and random compositions of them.

Every new op has an emitter (generated code, no call back into the op), and
compiled mode returns eager mode's values and gradients bit for bit (NaN
and the sign of zero included), at ordinary points, edges and kinks.

A hypothesis property composes random functions: the composition's first
and second derivatives agree with finite differences, and compiled mode
gives eager mode's bits. ``MICROGRAD_HUNT`` sets its number of examples.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from functions_reference import hunt_points
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import micrograd as mg
from micrograd.compile.emitters import _emitter_for
from micrograd.ops import catalog, mathfuncs

POINTS = (0.0, -0.0, 0.3, -0.7, 1.0, -1.0, 0.5, 2.5, -3.3, 1e-9, 150.0, -150.0, 0.999, 1e300)


def same(found: float, expected: float) -> bool:
    """Equal as stored: NaN equals NaN, and 0.0 differs from -0.0."""
    return repr(float(found)) == repr(float(expected))


def test_every_new_op_has_an_emitter() -> None:
    made = [
        mg.polygamma(2, 1.5).op,
        mg.clamp(0.5, 0.0, 1.0).op,
        mg.round(0.5, 1).op,
        mg.elu(0.5, 0.3).op,
        mg.selu(0.5).op,
        mg.hardtanh(0.5).op,
        mg.log(2.0, 3.0).op,
    ]
    described = [
        getattr(mg, info.name)
        for info in catalog.catalog()
        if isinstance(getattr(mg, info.name), mg.Op)
    ]
    private = [mathfuncs._sinpi, mathfuncs._cospi]
    missing = [op.name for op in [*described, *made, *private] if _emitter_for(op) is None]
    assert not missing, f"ops without an emitter: {missing}"


ONE_INPUT: dict[str, Callable[..., Any]] = {
    "asin": mg.asin,
    "acos": mg.acos,
    "atan": mg.atan,
    "sinh": mg.sinh,
    "cosh": mg.cosh,
    "asinh": mg.asinh,
    "acosh": mg.acosh,
    "atanh": mg.atanh,
    "exp2": mg.exp2,
    "expm1": mg.expm1,
    "log2": mg.log2,
    "log10": mg.log10,
    "log1p": mg.log1p,
    "cbrt": mg.cbrt,
    "degrees": mg.degrees,
    "radians": mg.radians,
    "erf": mg.erf,
    "erfc": mg.erfc,
    "lgamma": mg.lgamma,
    "gamma": mg.gamma,
    "digamma": mg.digamma,
    "polygamma(2)": lambda x: mg.polygamma(2, x),
    "sinc": mg.sinc,
    "floor": mg.floor,
    "ceil": mg.ceil,
    "trunc": mg.trunc,
    "round": mg.round,
    "round(2)": lambda x: mg.round(x, 2),
    "sign": mg.sign,
    "clamp": lambda x: mg.clamp(x, -0.5, 0.7),
    "hardtanh": mg.hardtanh,
    "gelu": mg.gelu,
    "gelu_tanh": mg.gelu_tanh,
    "silu": mg.silu,
    "elu": mg.elu,
    "selu": mg.selu,
    "softsign": mg.softsign,
    "mish": mg.mish,
    "log_sigmoid": mg.log_sigmoid,
}
TWO_INPUTS: dict[str, Callable[..., Any]] = {
    "atan2": mg.atan2,
    "hypot": mg.hypot,
    "hypot3": lambda a, b: mg.hypot(a, b, a * b),
    "copysign": mg.copysign,
    "fmod": mg.fmod,
    "remainder": mg.remainder,
    "mod": lambda a, b: a % b,
    "floor_divide": lambda a, b: a // b,
    "log(x, base)": lambda a, b: mg.log(a, b),
    "logsumexp": mg.logsumexp,
    "logsumexp3": lambda a, b: mg.logsumexp(a, b, a - b),
    "softmax": lambda a, b: mg.softmax([a, b, 1.0])[0],
    "log_softmax": lambda a, b: mg.log_softmax([a, b])[1],
}


def compare(f: Callable[..., Any], *point: float) -> None:
    argnums = tuple(range(len(point)))
    try:
        value, grads = mg.value_and_grad(f, argnums=argnums)(*point)
    except (ValueError, ZeroDivisionError):
        with pytest.raises((ValueError, ZeroDivisionError)):
            mg.compile(f)(*point)
        return
    found, found_grads = mg.compile(f)(*point)
    grads = grads if isinstance(grads, tuple) else (grads,)
    expected = [value, *grads]
    got = [found, *found_grads]
    assert all(same(a, b) for a, b in zip(got, expected)), (point, got, expected)


@pytest.mark.parametrize("name", sorted(ONE_INPUT))
def test_compiled_equals_eager_one_input(name: str) -> None:
    for x in POINTS:
        compare(ONE_INPUT[name], x)


@pytest.mark.parametrize("name", sorted(TWO_INPUTS))
def test_compiled_equals_eager_two_inputs(name: str) -> None:
    for x in POINTS[:10]:
        for y in (0.3, -1.2, 0.0, 3.0, 0.1, x):
            compare(TWO_INPUTS[name], x, y)


def test_compiled_code_calls_no_op() -> None:
    """The generated source names math, special functions and literals, never an op."""
    compiled = mg.compile(lambda t: mg.gelu(mg.asin(t)) + mg.polygamma(2, t + 1.0) + t % 0.3)
    compiled(0.25)
    source = compiled.source
    assert "math.asin(" in source and "special.polygamma(3," in source
    assert "op_" not in source and "local_grads" not in source, source


# -- random compositions -------------------------------------------------------------

# Each maps every real number into the next function's domain, smoothly.
SMOOTH: list[tuple[str, Callable[[Any], Any]]] = [
    ("sin", mg.sin),
    ("atan", mg.atan),
    ("asinh", mg.asinh),
    ("erf", mg.erf),
    ("erfc", mg.erfc),
    ("cbrt(1+x^2)", lambda x: mg.cbrt(1.0 + x * x)),
    ("sinc", mg.sinc),
    ("gelu", mg.gelu),
    ("gelu_tanh", mg.gelu_tanh),
    ("silu", mg.silu),
    ("mish", mg.mish),
    ("log_sigmoid", mg.log_sigmoid),
    ("asin(tanh)", lambda x: mg.asin(mg.tanh(x) * 0.9)),
    ("acos(tanh)", lambda x: mg.acos(mg.tanh(x) * 0.5)),
    ("atanh(tanh)", lambda x: mg.atanh(mg.tanh(x) * 0.9)),
    ("acosh(1.5+x^2)", lambda x: mg.acosh(1.5 + x * x)),
    ("sinh/4", lambda x: mg.sinh(x * 0.25)),
    ("cosh/4", lambda x: mg.cosh(x * 0.25)),
    ("log1p(x^2)", lambda x: mg.log1p(x * x)),
    ("log2(1+x^2)", lambda x: mg.log2(1.0 + x * x)),
    ("log10(1+x^2)", lambda x: mg.log10(1.0 + x * x)),
    ("exp2(tanh)", lambda x: mg.exp2(mg.tanh(x))),
    ("expm1(tanh)", lambda x: mg.expm1(mg.tanh(x))),
    ("lgamma(1.5+x^2)", lambda x: mg.lgamma(1.5 + x * x)),
    ("gamma(1+sigmoid)", lambda x: mg.gamma(1.0 + mg.sigmoid(x))),
    ("digamma(1.5+x^2)", lambda x: mg.digamma(1.5 + x * x)),
    ("hypot(x, 1.3)", lambda x: mg.hypot(x, 1.3)),
    ("atan2(x, 1.3)", lambda x: mg.atan2(x, 1.3)),
    ("logsumexp(x, x/2, -1)", lambda x: mg.logsumexp(x, x * 0.5, -1.0)),
    ("softmax", lambda x: mg.softmax([x, 0.3])[0]),
    ("log(2+x^2, 3)", lambda x: mg.log(2.0 + x * x, 3.0)),
    ("degrees", lambda x: mg.degrees(x) * 0.01),
]


def composition(indices: list[int]) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        for i in indices:
            x = SMOOTH[i][1](x)
        return x

    f.__name__ = " o ".join(SMOOTH[i][0] for i in reversed(indices))
    return f


def central(g: Callable[[float], float], x: float) -> float:
    """Richardson-extrapolated central difference (about 1e-10 relative for smooth g)."""
    h = 1e-3 * max(1.0, abs(x))
    d1 = (g(x + h) - g(x - h)) / (2 * h)
    d2 = (g(x + h / 2) - g(x - h / 2)) / h
    return (4 * d2 - d1) / 3


@settings(
    max_examples=hunt_points(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(st.integers(0, len(SMOOTH) - 1), min_size=1, max_size=4),
    st.floats(-2.0, 2.0, allow_nan=False),
)
def test_random_compositions(indices: list[int], x: float) -> None:
    f = composition(indices)
    value = float(f(x).data) if isinstance(f(x), mg.Node) else float(f(x))

    def plain(t: float) -> float:
        return float(f(mg.Node(t)).data)

    first = mg.grad(f)(x)
    second = mg.grad(mg.grad(f))(x)
    assert math.isfinite(value) and math.isfinite(first) and math.isfinite(second)
    # finite differences of the value and of the analytic first derivative
    assert first == pytest.approx(central(plain, x), rel=1e-6, abs=1e-7), f.__name__
    assert second == pytest.approx(central(mg.grad(f), x), rel=1e-5, abs=1e-6), f.__name__
    # compiled mode: eager mode's bits
    compiled_value, (compiled_first,) = mg.compile(f)(x)
    assert same(compiled_value, value) and same(compiled_first, first), f.__name__
