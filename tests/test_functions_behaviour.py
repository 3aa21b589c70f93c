"""The built-in functions at their edges: domains, limits, overflow, NaN, kinks, protocols.

Derivatives at ordinary points are checked against mpmath in
`test_functions_mpmath`; this module checks what a table of random points
does not reach: the documented value at each kink and domain edge (PyTorch's
conventions), no overflow where the true value is finite, no cancellation
near 0, NaN propagation, errors naming the op and its input, Python's
numeric protocols on Node, the Node methods and aliases, `gradcheck` on
every function, and that each local-gradient formula gives the same number
on Nodes (``create_graph=True``) as on floats.
"""

from __future__ import annotations

import doctest
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import micrograd as mg
from micrograd.ops import catalog, mathfuncs, more_activations, rounding, special

INF, NAN = math.inf, math.nan

# One-input functions and a point inside their domain.
UNARY: dict[str, tuple[Callable[..., Any], float]] = {
    "asin": (mg.asin, 0.3),
    "acos": (mg.acos, -0.7),
    "atan": (mg.atan, 2.0),
    "sinh": (mg.sinh, 1.3),
    "cosh": (mg.cosh, -0.4),
    "asinh": (mg.asinh, -3.0),
    "acosh": (mg.acosh, 1.7),
    "atanh": (mg.atanh, 0.45),
    "exp2": (mg.exp2, 1.5),
    "expm1": (mg.expm1, -0.3),
    "log2": (mg.log2, 3.5),
    "log10": (mg.log10, 0.2),
    "log1p": (mg.log1p, -0.5),
    "cbrt": (mg.cbrt, -2.5),
    "degrees": (mg.degrees, 0.7),
    "radians": (mg.radians, 40.0),
    "erf": (mg.erf, 0.8),
    "erfc": (mg.erfc, 1.2),
    "lgamma": (mg.lgamma, -2.5),
    "gamma": (mg.gamma, 3.3),
    "digamma": (mg.digamma, 0.7),
    "trigamma": (lambda x: mg.polygamma(1, x), 2.2),
    "sinc": (mg.sinc, 0.37),
    "gelu": (mg.gelu, -0.8),
    "gelu_tanh": (mg.gelu_tanh, 0.9),
    "silu": (mg.silu, -1.1),
    "elu": (mg.elu, -0.6),
    "selu": (mg.selu, -0.6),
    "softsign": (mg.softsign, -2.0),
    "hardtanh": (mg.hardtanh, 0.4),
    "mish": (mg.mish, 0.6),
    "log_sigmoid": (mg.log_sigmoid, -1.5),
    "floor": (mg.floor, 2.5),
    "ceil": (mg.ceil, 2.5),
    "trunc": (mg.trunc, -2.5),
    "round": (mg.round, 2.3),
    "sign": (mg.sign, -3.0),
    "clamp": (lambda x: mg.clamp(x, -1.0, 1.0), 0.5),
}
BINARY: dict[str, tuple[Callable[..., Any], float, float]] = {
    "atan2": (mg.atan2, 0.5, -1.5),
    "hypot": (mg.hypot, -2.0, 0.7),
    "log(x, base)": (mg.log, 5.0, 3.0),
    "copysign": (mg.copysign, 2.0, -1.0),
    "fmod": (mg.fmod, 5.3, 1.5),
    "remainder": (mg.remainder, 5.3, 1.5),
    "mod": (mg.mod, -5.3, 1.5),
    "floor_divide": (mg.floor_divide, 5.3, 1.5),
    "logsumexp": (mg.logsumexp, 0.3, -1.2),
}


def derivative(f: Callable[..., Any], x: float, order: int = 1) -> float:
    g = f
    for _ in range(order):
        g = mg.grad(g)
    return float(g(x))


# -- gradcheck on every function --------------------------------------------------


@pytest.mark.parametrize("name", sorted(UNARY))
def test_gradcheck_one_input(name: str) -> None:
    f, x = UNARY[name]
    assert mg.gradcheck(f, x, atol=1e-8, rtol=1e-7)

    def first_derivative(node: mg.Node) -> Any:
        if not isinstance(node, mg.Node):  # the numeric side calls it with floats
            return float(mg.grad(f)(node))
        (slope,) = mg.gradients(f(node), [node], create_graph=True)
        return slope if isinstance(slope, mg.Node) else node * 0.0 + slope

    # and the first derivative as a graph, differentiated (second order)
    assert mg.gradcheck(first_derivative, x, atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_gradcheck_two_inputs(name: str) -> None:
    f, x, y = BINARY[name]
    assert mg.gradcheck(f, x, y, atol=1e-8, rtol=1e-7)


def test_gradcheck_many_inputs() -> None:
    assert mg.gradcheck(mg.hypot, 1.0, -2.0, 0.5, 3.0, atol=1e-8, rtol=1e-7)
    assert mg.gradcheck(mg.logsumexp, 1.0, -2.0, 0.5, 3.0, atol=1e-8, rtol=1e-7)
    assert mg.gradcheck(lambda *xs: mg.softmax(xs)[1], 1.0, -2.0, 0.5, atol=1e-8, rtol=1e-7)
    assert mg.gradcheck(lambda *xs: mg.log_softmax(xs)[0], 1.0, -2.0, atol=1e-8, rtol=1e-7)


# -- the same formula on Nodes as on floats ------------------------------------------


@pytest.mark.parametrize("name", sorted(UNARY))
def test_graph_gradient_equals_float_gradient(name: str) -> None:
    """``backward(create_graph=True)`` gives the float pass's gradient, bit for bit."""
    f, x = UNARY[name]
    for point in (x, 0.0, -0.0, 1.0, -1.0, 0.5, 1e-300):
        try:
            plain = mg.grad(f)(point)
        except (ValueError, ZeroDivisionError):
            continue
        leaf = mg.Node(point)
        f(leaf).backward(create_graph=True)
        graph = float(leaf.grad)
        # Equal as numbers, NaN included (zeros of either sign are equal: a leaf's
        # gradient sums its contributions into 0.0 in one pass and not the other).
        assert graph == plain or (math.isnan(graph) and math.isnan(plain)), (name, point)


# -- domains: errors naming the op and its input ---------------------------------------


@pytest.mark.parametrize(
    ("call", "shown"),
    [
        (lambda: mg.asin(1.5), "asin(1.5)"),
        (lambda: mg.acos(-1.0000001), "acos(-1.0000001)"),
        (lambda: mg.acosh(0.5), "acosh(0.5)"),
        (lambda: mg.atanh(2.0), "atanh(2.0)"),
        (lambda: mg.log2(0.0), "log2(0.0)"),
        (lambda: mg.log10(-1.0), "log10(-1.0)"),
        (lambda: mg.log1p(-1.0), "log1p(-1.0)"),
        (lambda: mg.log(-2.0, 3.0), "log(-2.0, 3.0)"),
        (lambda: mg.log(2.0, -3.0), "log(2.0, -3.0)"),
        (lambda: mg.lgamma(0.0), "lgamma(0.0)"),
        (lambda: mg.gamma(-3.0), "gamma(-3.0)"),
        (lambda: mg.digamma(-1.0), "digamma(-1.0)"),
        (lambda: mg.polygamma(2, 0.0), "polygamma2(0.0)"),
    ],
)
def test_domain_errors_name_the_op_and_input(call: Callable[[], Any], shown: str) -> None:
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value).startswith(shown), str(caught.value)


@pytest.mark.parametrize(
    ("call", "shown"),
    [
        (lambda: mg.fmod(1.0, 0.0), "fmod(1.0, 0.0)"),
        (lambda: mg.remainder(1.0, 0.0), "remainder(1.0, 0.0)"),
        (lambda: mg.Node(1.0) % 0.0, "mod(1.0, 0.0)"),
        (lambda: mg.Node(1.0) // 0.0, "floor_divide(1.0, 0.0)"),
        (lambda: mg.log(2.0, 1.0), "log(2.0, 1.0)"),
    ],
)
def test_division_by_zero_names_the_op(call: Callable[[], Any], shown: str) -> None:
    with pytest.raises(ZeroDivisionError) as caught:
        call()
    assert str(caught.value).startswith(shown), str(caught.value)


def test_polygamma_order_is_checked() -> None:
    with pytest.raises(ValueError, match="order"):
        mg.polygamma(-1, 1.0)
    with pytest.raises(ValueError, match="order"):
        mg.polygamma(1.5, 1.0)  # type: ignore[arg-type]


# -- limits at domain edges and kinks (the documented conventions) --------------------


@pytest.mark.parametrize(
    ("f", "x", "value", "slope"),
    [
        (mg.asin, 1.0, math.pi / 2, INF),
        (mg.asin, -1.0, -math.pi / 2, INF),
        (mg.acos, 1.0, 0.0, -INF),
        (mg.acos, -1.0, math.pi, -INF),
        (mg.acosh, 1.0, 0.0, INF),
        (mg.atanh, 1.0, INF, INF),
        (mg.atanh, -1.0, -INF, INF),
        (mg.cbrt, 0.0, 0.0, INF),
        (mg.sqrt, 0.0, 0.0, INF),
        (mg.sinc, 0.0, 1.0, 0.0),
        (mg.elu, 0.0, 0.0, 1.0),
        (lambda x: mg.elu(x, 0.5), 0.0, 0.0, 0.5),
        (mg.selu, 0.0, 0.0, more_activations.SELU_SCALE * more_activations.SELU_ALPHA),
        (mg.hardtanh, 1.0, 1.0, 0.0),
        (mg.hardtanh, -1.0, -1.0, 0.0),
        (lambda x: mg.clamp(x, -1.0, 1.0), 1.0, 1.0, 1.0),
        (lambda x: mg.clamp(x, -1.0, 1.0), -1.0, -1.0, 1.0),
        (lambda x: mg.clamp(x, -1.0, 1.0), 1.5, 1.0, 0.0),
        (lambda x: mg.clamp(x, min=0.0), -1.5, 0.0, 0.0),
        (mg.floor, 2.0, 2.0, 0.0),
        (mg.sign, 0.0, 0.0, 0.0),
        (mg.softsign, 0.0, 0.0, 1.0),
        (mg.gelu, 0.0, 0.0, 0.5),
        (mg.gelu_tanh, 0.0, 0.0, 0.5),
        (mg.silu, 0.0, 0.0, 0.5),
        (mg.mish, 0.0, 0.0, 0.6),
    ],
)
def test_values_and_slopes_at_edges_and_kinks(
    f: Callable[..., Any], x: float, value: float, slope: float
) -> None:
    assert f(x).data == value
    assert derivative(f, x) == pytest.approx(slope, rel=1e-15, abs=0.0)


def test_second_derivatives_at_kinks_follow_the_first_derivatives_branch() -> None:
    assert derivative(mg.softsign, 0.0, 2) == 0.0  # abs'(0) = 0 inside 1 / (1 + |x|)^2
    assert derivative(mg.elu, 0.0, 2) == 1.0  # the negative branch alpha exp(x) includes 0
    assert derivative(mg.hardtanh, 1.0, 2) == 0.0
    assert derivative(mg.sinc, 0.0, 2) == pytest.approx(-(math.pi**2) / 3, rel=1e-15)
    assert derivative(mg.sinc, 0.0, 3) == 0.0


def test_two_input_conventions() -> None:
    assert mg.grad(mg.atan2, argnums=(0, 1))(0.0, 0.0) == (0.0, 0.0)
    assert all(math.isnan(g) for g in mg.grad(mg.hypot, argnums=(0, 1, 2))(0.0, 0.0, 0.0))
    assert mg.grad(mg.copysign, argnums=(0, 1))(0.0, -1.0) == (0.0, 0.0)
    assert mg.grad(mg.copysign, argnums=(0, 1))(2.0, -1.0) == (-1.0, 0.0)
    assert mg.grad(mg.copysign, argnums=(0, 1))(-2.0, -1.0) == (1.0, 0.0)
    # fmod(1, 0.1) = 1 - 9 * 0.1 exactly (0.1 is a little above 1/10): n = 9, where
    # trunc(1 / 0.1) would say 10.
    assert mg.fmod(1.0, 0.1).data == math.fmod(1.0, 0.1)
    assert mg.grad(mg.fmod, argnums=(0, 1))(1.0, 0.1) == (1.0, -9.0)
    assert mg.grad(mg.remainder, argnums=(0, 1))(5.0, 2.0) == (1.0, -2.0)  # 5 = 2*2 + 1
    assert mg.grad(mg.remainder, argnums=(0, 1))(7.0, 2.0) == (1.0, -4.0)  # ties to even
    assert mg.grad(mg.mod, argnums=(0, 1))(-1.0, 0.3) == (1.0, 4.0)  # -1 = -4 * 0.3 + 0.2
    assert mg.grad(lambda b: mg.log(8.0, b))(2.0) == pytest.approx(-3 / (2 * math.log(2)))


# -- overflow, cancellation, NaN -------------------------------------------------------


def test_no_overflow_where_the_value_is_finite() -> None:
    assert mg.cosh(710.0).data == math.cosh(710.0)
    assert mg.sinh(-710.0).data == math.sinh(-710.0)
    assert mg.cosh(1000.0).data == INF and mg.sinh(-1000.0).data == -INF
    assert mg.exp2(1023.5).data == 2.0**1023.5 and mg.exp2(1024.0).data == INF
    assert mg.exp2(-1000.0).data == 2.0**-1000
    assert mg.expm1(1000.0).data == INF
    assert mg.gamma(171.5).data == math.gamma(171.5) and mg.gamma(172.0).data == INF
    assert mg.lgamma(1e305).data == math.lgamma(1e305) and mg.lgamma(1e308).data == INF
    assert mg.asinh(1e300).data == math.asinh(1e300)
    assert derivative(mg.asinh, 1e300) == pytest.approx(1e-300, rel=1e-15)
    assert derivative(mg.acosh, 1e300) == pytest.approx(1e-300, rel=1e-15)
    assert mg.grad(mg.atan2, argnums=(0, 1))(1e300, 1e300) == pytest.approx((5e-301, -5e-301))
    assert mg.hypot(1e300, 1e300).data == math.hypot(1e300, 1e300)


def test_hypot_second_derivatives_have_no_cancelling_halves() -> None:
    # At (0, -1e-300) the quotient rule's 1/r and -x**2/r**3 are each 1e300:
    # summed with them, log_sigmoid's -1/4 would be lost. Exact: -1/4 + 0.
    f = mg.grad(mg.grad(lambda v: mg.log_sigmoid(v) + mg.hypot(0.0, v)))
    assert f(-1e-300) == -0.25
    # The Hessian of hypot(x, y) at (3, 4) is [[16, -12], [-12, 9]] / 125,
    # within a few ulps (each entry is a product and a quotient of rounded values).
    hessian = [mg.grad(mg.grad(mg.hypot, argnums=j), argnums=(0, 1))(3.0, 4.0) for j in range(2)]
    expected = [(16 / 125, -12 / 125), (-12 / 125, 9 / 125)]
    for row, want in zip(hessian, expected):
        assert row == pytest.approx(want, rel=4e-16 * 4)
    # Along v -> hypot(v, v) = sqrt(2) |v| the second derivative is exactly 0,
    # even where v**2 underflows (PyTorch's own formula says 3e307 there).
    assert mg.grad(mg.grad(lambda v: mg.hypot(v, v)))(2.2250738585072014e-308) == 0.0
    # Where hypot is subnormal it has lost bits: the partials scale the inputs
    # first (x / r gave 1.414213562365878 here, 11 digits). Now: the sum of
    # two partials each 1/sqrt(2) rounded, so within an ulp of sqrt(2).
    tiny = 2.2250738585e-313
    assert mg.grad(lambda v: mg.hypot(v, v))(tiny) == pytest.approx(math.sqrt(2.0), rel=2.3e-16)
    compiled = mg.compile(lambda v: mg.hypot(v, v))
    assert compiled(tiny)[1] == (mg.grad(lambda v: mg.hypot(v, v))(tiny),)
    # At the origin the first derivative is NaN (PyTorch's 0/0), and so is the second.
    assert math.isnan(mg.grad(mg.grad(lambda v: mg.hypot(v, 0.0)))(0.0))
    for x in (-1000.0, 1000.0):
        for f in (mg.log_sigmoid, mg.silu, mg.gelu, mg.gelu_tanh, mg.mish, mg.elu, mg.selu):
            assert math.isfinite(f(x).data), (f, x)
            for order in (1, 2, 3):
                assert math.isfinite(derivative(f, x, order)), (f, x, order)
    assert mg.log_sigmoid(-1000.0).data == -1000.0
    assert derivative(mg.log_sigmoid, -1000.0) == 1.0
    assert mg.logsumexp(1000.0, 1000.0).data == 1000.0 + math.log(2.0)
    assert mg.logsumexp(-1000.0, -1000.0, -1000.0).data == -1000.0 + math.log(3.0)
    assert [p.data for p in mg.softmax([1000.0, 1000.0])] == [0.5, 0.5]
    assert mg.gelu_tanh(1e200).data == 1e200 and derivative(mg.gelu_tanh, 1e200) == 1.0


def test_no_cancellation_near_zero() -> None:
    x = 1e-10
    assert mg.log1p(x).data == pytest.approx(x - x * x / 2, rel=1e-16)
    assert mg.expm1(x).data == pytest.approx(x + x * x / 2, rel=1e-16)
    assert mg.asinh(x).data == pytest.approx(x, rel=1e-16)
    assert mg.atanh(x).data == pytest.approx(x, rel=1e-16)
    assert mg.sinc(x).data == pytest.approx(1 - (math.pi * x) ** 2 / 6, rel=1e-16)
    assert derivative(mg.sinc, x) == pytest.approx(-(math.pi**2) * x / 3, rel=1e-14)
    assert derivative(mg.asin, x, 2) == pytest.approx(x, rel=1e-14)  # x / (1 - x^2)^1.5
    assert derivative(mg.atanh, x, 2) == pytest.approx(2 * x, rel=1e-14)
    # sinc at large arguments: sin(pi x) reduced exactly, not sin of a rounded pi * x
    assert mg.sinc(1e6 + 1e-6).data == pytest.approx(
        special.sinpi(1e-6) / (math.pi * (1e6 + 1e-6)), rel=1e-12
    )
    assert mg.sinc(3.0).data == 0.0


@pytest.mark.parametrize("name", sorted(UNARY))
def test_nan_propagates(name: str) -> None:
    f, _ = UNARY[name]
    node = mg.Node(NAN)
    out = f(node)
    assert math.isnan(out.data), (name, out)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_nan_propagates_through_two_inputs(name: str) -> None:
    f, x, y = BINARY[name]
    assert math.isnan(f(NAN, y).data), name
    if name != "copysign":  # copysign(x, NaN) is |x| with the NaN's sign bit (IEEE 754)
        assert math.isnan(f(x, NAN).data), name


# -- Python's numeric protocols ---------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [(5.3, 1.5), (-5.3, 1.5), (5.3, -1.5), (-1.0, 0.3), (7, 2)])
def test_mod_and_floordiv_follow_python(a: float, b: float) -> None:
    x, y = mg.Node(float(a)), mg.Node(float(b))
    assert (x % y).data == float(a) % float(b)
    assert (x // y).data == float(a) // float(b)
    assert (x % b).data == float(a) % b and (a % y).data == a % float(b)
    assert (x // b).data == float(a) // b and (a // y).data == a // float(b)
    quotient, rest = divmod(x, y)
    assert (quotient.data, rest.data) == divmod(float(a), float(b))
    quotient, rest = divmod(a, y)
    assert (quotient.data, rest.data) == divmod(float(a), float(b))
    (x % y).backward()
    assert (x.grad, y.grad) == (1.0, -(float(a) // float(b)))


def test_floor_ceil_trunc_round_return_nodes() -> None:
    x = mg.Node(-2.5)
    results = {
        "floor": math.floor(x),
        "ceil": math.ceil(x),
        "trunc": math.trunc(x),
        "round": round(x),
        "round2": round(mg.Node(1.2345), 2),
    }
    assert all(isinstance(r, mg.Node) for r in results.values())
    values = {k: r.data for k, r in results.items()}
    assert values == {"floor": -3.0, "ceil": -2.0, "trunc": -2.0, "round": -2.0, "round2": 1.23}
    total = sum(results.values(), mg.Node(0.0)) + x
    total.backward()
    assert x.grad == 1.0  # only the `+ x` contributes: every rounding has gradient 0


# -- names: aliases and methods ---------------------------------------------------------


def test_aliases_are_the_same_functions() -> None:
    assert mg.arcsin is mg.asin and mg.arccos is mg.acos and mg.arctan is mg.atan
    assert mg.arctan2 is mg.atan2 and mg.arcsinh is mg.asinh
    assert mg.arccosh is mg.acosh and mg.arctanh is mg.atanh
    assert mg.deg2rad is mg.radians and mg.rad2deg is mg.degrees
    assert mg.fabs is mg.absolute and mg.clip is mg.clamp and mg.logsigmoid is mg.log_sigmoid
    assert mg.power is mg.ops.power


def test_methods() -> None:
    x = mg.Node(0.25)
    for name in [
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "asinh",
        "atanh",
        "exp2",
        "expm1",
        "log2",
        "log10",
        "log1p",
        "erf",
        "erfc",
        "lgamma",
        "digamma",
        "sinc",
        "arcsin",
        "arccos",
        "arctan",
        "arcsinh",
        "arctanh",
        "deg2rad",
        "rad2deg",
        "floor",
        "ceil",
        "trunc",
        "round",
        "sign",
        "softsign",
        "mish",
        "silu",
        "absolute",
    ]:
        got = getattr(x, name)()
        function = getattr(mg, {"deg2rad": "radians", "rad2deg": "degrees"}.get(name, name))
        assert got.data == function(0.25).data, name
    assert mg.Node(1.5).acosh().data == mg.acosh(1.5).data
    assert x.atan2(2.0).data == mg.atan2(0.25, 2.0).data
    assert x.hypot(2.0).data == mg.hypot(0.25, 2.0).data
    assert x.copysign(-1.0).data == -0.25
    assert x.fmod(0.2).data == math.fmod(0.25, 0.2)
    assert x.clamp(0.0, 0.1).data == 0.1 and x.clip(max=0.1).data == 0.1
    assert x.polygamma(1).data == mg.polygamma(1, 0.25).data


def test_ops_carry_their_names_for_pictures() -> None:
    assert mg.asin(0.5).op is mg.asin and mg.asin.name == "asin"
    assert mg.log(8.0, 2.0).op.name == "log"
    assert mg.gelu(1.0, approximate="tanh").op.name == "gelu_tanh"
    assert mg.polygamma(2, 1.0).op.name == "polygamma2"
    assert (mg.Node(1.0) % 2.0).op.name == "mod"
    with pytest.raises(ValueError, match="approximate"):
        mg.gelu(1.0, approximate="fast")


def test_softmax_and_log_softmax() -> None:
    xs = [mg.Node(v) for v in (1.0, 2.0, 3.0)]
    probabilities = mg.softmax(xs)
    # each probability is rounded once: their sum is 1 within 3 half-ulps
    assert math.fsum(p.data for p in probabilities) == pytest.approx(1.0, abs=4e-16)
    exact = [math.exp(v) / sum(math.exp(w) for w in (1.0, 2.0, 3.0)) for v in (1.0, 2.0, 3.0)]
    assert [p.data for p in probabilities] == pytest.approx(exact, rel=1e-15)
    probabilities[0].backward()
    s = exact
    assert [x.grad for x in xs] == pytest.approx([s[0] * (1 - s[0]), -s[0] * s[1], -s[0] * s[2]])
    assert [p.data for p in mg.log_softmax([0.0, math.log(3.0)])] == pytest.approx(
        [math.log(0.25), math.log(0.75)], rel=1e-15
    )
    with pytest.raises(ValueError, match="empty"):
        mg.softmax([])
    with pytest.raises(TypeError, match="list"):
        mg.softmax(mg.Node(1.0))  # type: ignore[arg-type]


# -- the special functions on floats ---------------------------------------------------


def test_digamma_and_polygamma_known_values() -> None:
    euler = 0.57721566490153286061
    assert special.digamma(1.0) == pytest.approx(-euler, rel=1e-15)
    assert special.digamma(0.5) == pytest.approx(-euler - 2 * math.log(2), rel=1e-15)
    assert abs(special.digamma(1.4616321449683622)) < 1e-16  # its root
    assert special.polygamma(1, 1.0) == pytest.approx(math.pi**2 / 6, rel=1e-15)
    assert special.polygamma(1, 0.5) == pytest.approx(math.pi**2 / 2, rel=1e-15)
    assert special.polygamma(2, 1.0) == pytest.approx(-2 * 1.2020569031595942, rel=1e-15)
    assert special.polygamma(3, 1.0) == pytest.approx(math.pi**4 / 15, rel=1e-15)
    assert math.isnan(special.digamma(-2.0)) and math.isnan(special.polygamma(1, 0.0))
    assert special.digamma(math.inf) == math.inf and special.polygamma(2, math.inf) == 0.0
    assert special.sinpi(2.0) == 0.0 and special.cospi(1.5) == 0.0
    assert special.cbrt(-27.0) == pytest.approx(-3.0, rel=2.3e-16)  # libm's, within an ulp


# -- documentation: the table and the examples ------------------------------------------

PAGE = Path(__file__).resolve().parent.parent / "docs" / "api" / "functions.md"


def test_functions_page_is_generated_from_the_ops() -> None:
    expected = catalog.functions_page()
    assert PAGE.read_text(encoding="utf-8") == expected, (
        "docs/api/functions.md is out of date: run `python scripts/functions_page.py`"
    )


def test_every_public_function_has_a_row() -> None:
    names = {info.name for info in catalog.catalog()}
    aliases = {alias for info in catalog.catalog() for alias in info.aliases}
    for name in mg.ops.__all__:
        value = getattr(mg.ops, name)
        machinery = {"op", "new_node", "value_of", "sign_of", "GradFn", "LocalGrads"}
        if isinstance(value, type) or name in machinery:
            continue
        if name in {"power", "log_base", "absolute"}:
            continue  # rows of pow, log and abs
        assert name in names or name in aliases, f"{name} has no row in the function table"


@pytest.mark.parametrize(
    "module", [special, mathfuncs, rounding, more_activations], ids=lambda m: m.__name__
)
def test_docstring_examples(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


@pytest.mark.parametrize(
    ("name", "x", "expected"),
    [
        ("floor", -0.0, "-0.0"),
        ("ceil", -0.0, "-0.0"),
        ("ceil", -0.5, "-0.0"),
        ("trunc", -0.5, "-0.0"),
        ("round", -0.4, "-0.0"),
        ("round", -0.5, "-0.0"),
        ("floor", 0.5, "0.0"),
        ("sign", -0.0, "0.0"),
        ("sign", 0.0, "0.0"),
    ],
)
def test_zeros_keep_the_sign_ieee_754_and_pytorch_give_them(
    name: str, x: float, expected: str
) -> None:
    # Python's math.floor and round(x) return ints, which have no -0; sign of
    # a zero is +0 in PyTorch and NumPy. Compiled mode gives the same bits.
    function = getattr(mg, name)
    assert repr(function(mg.Node(x)).data) == expected
    compiled = mg.compile(lambda t: function(t))
    assert repr(compiled(x)[0]) == expected


def test_constant_exponents_zero_and_one_have_constant_slopes() -> None:
    # 0 * x**-1 was NaN where x**-1 overflows (x below 5.6e-309); PyTorch's
    # slopes are 0 and 1 everywhere, NaN included, and so are ours, compiled too.
    tiny, nan = 2.225073858507203e-309, math.nan
    assert mg.grad(mg.grad(lambda v: v**1.0))(tiny) == 0.0
    assert mg.grad(lambda v: v**0.0)(tiny) == 0.0
    assert mg.grad(lambda v: v**0.0)(nan) == 0.0
    assert mg.grad(lambda v: v**1.0)(nan) == 1.0
    assert mg.compile(lambda v: v**0.0)(tiny) == (1.0, (0.0,))
    assert mg.compile(lambda v: v**1.0)(tiny) == (tiny, (1.0,))


def test_pow_second_derivatives_have_no_overflowing_one_over_x() -> None:
    # d2/dx dy x**y = x**(y-1) (y log x + 1): at x = 2.2e-309, y = 1 it is
    # 1 + log x. The product rule on x**y log(x) went through 1/x = inf.
    x, y = 2.225073858507203e-309, 1.0
    mixed = mg.grad(mg.grad(lambda b, e: b**e, argnums=1), argnums=0)(x, y)
    assert mixed == pytest.approx(1.0 + math.log(x), rel=1e-15)
