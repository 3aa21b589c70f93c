"""Built-in and custom ops: values, gradients (gradcheck), higher derivatives, errors."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

import micrograd as mg
from micrograd import Node

# (op, points). Points avoid the exact kinks, where a finite difference
# averages the two one-sided slopes (kinks are tested separately below), and
# stay farther from a kink or singularity than the default Richardson step
# (2e-3 for |x| <= 1); closer points need a smaller `eps`, as tested below.
UNARY: dict[str, tuple[Callable[[Node], Node], list[float]]] = {
    "neg": (mg.neg, [-3.0, 0.0, 2.5, 1e6]),
    "abs": (mg.abs, [-3.0, -1e-2, 1e-2, 2.5, -1e6]),
    "exp": (mg.exp, [-20.0, -1.0, 0.0, 0.5, 30.0]),
    "log": (mg.log, [0.05, 0.5, 1.0, 7.0, 1e8]),
    "sqrt": (mg.sqrt, [0.05, 0.25, 2.0, 1e6]),
    "sin": (mg.sin, [-4.0, 0.0, 1.0, 3.0, 100.0]),
    "cos": (mg.cos, [-4.0, 0.0, 1.0, 3.0, 100.0]),
    "tan": (mg.tan, [-1.2, 0.0, 0.7, 1.4]),
    "tanh": (mg.tanh, [-5.0, -0.3, 0.0, 0.8, 4.0]),
    "sigmoid": (mg.sigmoid, [-30.0, -2.0, 0.0, 1.5, 30.0]),
    "softplus": (mg.softplus, [-30.0, -2.0, 0.0, 1.5, 30.0]),
    "relu": (mg.relu, [-2.0, -1e-2, 1e-2, 3.0, 1e6]),
    "leaky_relu": (lambda x: mg.leaky_relu(x, 0.1), [-2.0, -1e-2, 1e-2, 3.0]),
    "square": (lambda x: x**2, [-3.0, 0.0, 0.5, 1e3]),
    "cube": (lambda x: x**3, [-3.0, 0.0, 0.5, 50.0]),
    "root": (lambda x: x**0.5, [1e-2, 0.5, 9.0]),
    "inverse": (lambda x: x**-1, [-2.0, 0.3, 5.0]),
    "const_base": (lambda x: 2.0**x, [-3.0, 0.0, 2.5]),
}

BINARY: dict[str, tuple[Callable[[Node, Node], Node], list[tuple[float, float]]]] = {
    "add": (mg.add, [(1.0, 2.0), (-3.0, 1e6)]),
    "sub": (mg.sub, [(1.0, 2.0), (-3.0, 1e6)]),
    "mul": (mg.mul, [(1.5, -2.0), (1e3, 1e-3)]),
    "div": (mg.div, [(1.5, -2.0), (1e3, 7.0), (-1.0, 0.1)]),
    "pow": (mg.power, [(1.5, 2.5), (3.0, -1.0), (0.5, 0.5)]),
    "maximum": (mg.maximum, [(1.0, 2.0), (2.0, 1.0), (-1e6, 1e6)]),
    "minimum": (mg.minimum, [(1.0, 2.0), (2.0, 1.0), (-1e6, 1e6)]),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_gradcheck_unary(name: str) -> None:
    fn, points = UNARY[name]
    for x in points:
        # Tolerance: Richardson differences are good to ~1e-12 relative on
        # smooth functions; 1e-7 leaves room for large magnitudes.
        assert mg.gradcheck(fn, x, rtol=1e-7, atol=1e-9), (name, x)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_gradcheck_binary(name: str) -> None:
    fn, points = BINARY[name]
    for x, y in points:
        assert mg.gradcheck(fn, x, y, rtol=1e-7, atol=1e-9), (name, x, y)


def test_gradcheck_near_a_singularity_with_a_smaller_step() -> None:
    assert mg.gradcheck(mg.log, 1e-3, eps=1e-6, rtol=1e-6)
    assert mg.gradcheck(mg.relu, 1e-4, eps=1e-6)
    # The default step would leave the domain; it shrinks so that log is
    # evaluated at valid points only.
    assert mg.gradcheck(mg.log, 1e-3)


def test_gradcheck_reports_each_disagreeing_input() -> None:
    wrong = mg.op(lambda x, y: x * y, grad=lambda x, y, out: (y, 2 * x), name="wrongmul")
    with pytest.raises(AssertionError) as info:
        mg.gradcheck(wrong, 3.0, 2.0)
    message = str(info.value)
    assert "gradcheck failed for wrongmul" in message
    assert "input 1 (value 2.0): backward gives 6.0, numeric gives 3.0" in message
    assert "input 0" not in message


def test_values_of_the_functions() -> None:
    x = 0.3
    assert mg.exp(x).data == math.exp(x)
    assert mg.log(x).data == math.log(x)
    assert mg.sqrt(x).data == math.sqrt(x)
    assert mg.sin(x).data == math.sin(x) and mg.cos(x).data == math.cos(x)
    assert mg.tan(x).data == math.tan(x) and mg.tanh(x).data == math.tanh(x)
    assert mg.sigmoid(x).data == pytest.approx(1 / (1 + math.exp(-x)), rel=1e-15)
    assert mg.softplus(x).data == pytest.approx(math.log1p(math.exp(x)), rel=1e-15)
    assert (mg.relu(-x).data, mg.relu(x).data) == (0.0, x)
    assert mg.leaky_relu(-2.0, 0.2).data == pytest.approx(-0.4)
    assert mg.leaky_relu(-2.0).data == pytest.approx(-0.02)
    assert (mg.maximum(1, 2).data, mg.minimum(1, 2).data) == (2.0, 1.0)
    assert mg.abs(-2).data == 2.0


def test_stable_forms_at_large_magnitudes() -> None:
    assert mg.sigmoid(1000.0).data == 1.0 and mg.sigmoid(-1000.0).data == 0.0
    assert mg.softplus(1000.0).data == 1000.0 and mg.softplus(-1000.0).data == 0.0
    assert mg.tanh(1000.0).data == 1.0 and mg.tanh(-1000.0).data == -1.0
    for fn in (mg.sigmoid, mg.softplus, mg.tanh):
        for x in (1000.0, -1000.0):
            node = Node(x)
            fn(node).backward()
            assert math.isfinite(float(node.grad))


def test_kink_conventions_follow_pytorch() -> None:
    for fn, expected in [(mg.relu, 0.0), (mg.abs, 0.0), (lambda x: mg.leaky_relu(x, 0.1), 0.1)]:
        x = Node(0.0)
        fn(x).backward()
        assert x.grad == expected
    x, y = Node(1.0), Node(1.0)
    mg.maximum(x, y).backward()
    assert (x.grad, y.grad) == (0.5, 0.5)
    x, y = Node(1.0), Node(1.0)
    mg.minimum(x, y).backward()
    assert (x.grad, y.grad) == (0.5, 0.5)


def test_singular_points_of_powers() -> None:
    x = Node(0.0)
    mg.sqrt(x).backward()
    assert x.grad == math.inf
    x = Node(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf
    x, y = Node(0.0), Node(2.0)
    mg.power(x, y).backward()
    assert (x.grad, y.grad) == (0.0, 0.0)  # d/dy 0**y -> 0 as the limit from above
    x, y = Node(-2.0), Node(2.0)
    mg.power(x, y).backward()
    assert x.grad == -4.0 and math.isnan(float(y.grad))  # log of a negative base


SECOND_DERIVATIVES: dict[str, tuple[Callable[[Node], Node], Callable[[float], float]]] = {
    "exp": (mg.exp, math.exp),
    "log": (mg.log, lambda x: -1 / x**2),
    "sqrt": (mg.sqrt, lambda x: -0.25 * x**-1.5),
    "sin": (mg.sin, lambda x: -math.sin(x)),
    "cos": (mg.cos, lambda x: -math.cos(x)),
    "tan": (mg.tan, lambda x: 2 * math.tan(x) * (1 + math.tan(x) ** 2)),
    "tanh": (mg.tanh, lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2)),
    "sigmoid": (
        mg.sigmoid,
        lambda x: (s := 1 / (1 + math.exp(-x))) * (1 - s) * (1 - 2 * s),
    ),
    "softplus": (mg.softplus, lambda x: (s := 1 / (1 + math.exp(-x))) * (1 - s)),
    "cube": (lambda x: x**3, lambda x: 6 * x),
    "inverse": (lambda x: 1 / x, lambda x: 2 / x**3),
    "x_to_x": (lambda x: x**x, lambda x: x**x * ((math.log(x) + 1) ** 2 + 1 / x)),
}


@pytest.mark.parametrize("name", sorted(SECOND_DERIVATIVES))
def test_second_derivatives_match_closed_forms(name: str) -> None:
    fn, exact = SECOND_DERIVATIVES[name]
    second = mg.grad(mg.grad(fn))
    for x in (0.3, 0.9, 1.7):
        assert second(x) == pytest.approx(exact(x), rel=1e-12), (name, x)


def test_third_derivative() -> None:
    assert mg.grad(mg.grad(mg.grad(mg.sin)))(1.0) == pytest.approx(-math.cos(1.0), rel=1e-14)


# -- custom ops ------------------------------------------------------------------


def test_bare_op_decorator_gives_numeric_gradients() -> None:
    @mg.op
    def custom_relu(v: float) -> float:
        return 2 * v if v > 0 else 0.0

    assert isinstance(custom_relu, mg.Op) and custom_relu.name == "custom_relu"
    assert custom_relu.arity == 1
    assert mg.grad(lambda a: custom_relu(a) ** 2)(1.5) == pytest.approx(12.0, rel=1e-9)
    # Numeric local gradients differentiate numerically again.
    assert mg.grad(mg.grad(lambda a: custom_relu(a) ** 2))(1.5) == pytest.approx(8.0, rel=1e-5)


def test_op_with_analytic_gradients() -> None:
    @mg.op(grad=lambda x, y, out: (2 * x, -2.0))
    def f(x: float, y: float) -> float:
        return x**2 - 2 * y

    x, y = Node(3.0), Node(2.0)
    z = mg.relu(f(x, y)) * 2
    z.backward()
    assert (z.data, x.grad, y.grad) == (10.0, 12.0, -4.0)
    assert mg.gradcheck(f, 3.0, 2.0)
    # Formulas written with operators give second derivatives too.
    assert mg.grad(mg.grad(f))(3.0, 2.0) == 2.0


@pytest.mark.parametrize("method", ["central", "forward", "richardson"])
def test_numeric_methods(method: str) -> None:
    f = mg.op(math.exp, method=method)  # type: ignore[call-overload]
    tolerance = {"forward": 1e-7, "central": 1e-9, "richardson": 1e-12}[method]
    assert mg.grad(f)(1.3) == pytest.approx(math.exp(1.3), rel=tolerance)


def test_op_subclass() -> None:
    class Hypot(mg.Op):
        def forward(self, x: float, y: float) -> float:
            return math.hypot(x, y)

        def local_grads(self, x: float, y: float, out: float) -> tuple[float, float]:
            return (x / out, y / out)

    hypot = Hypot()
    assert (hypot.name, hypot.arity) == ("hypot", 2)
    assert hypot(3, 4).data == 5.0
    assert mg.gradcheck(hypot, 3.0, 4.0)


def test_op_subclass_without_local_grads_is_numeric() -> None:
    class Cube(mg.Op):
        def forward(self, x: float) -> float:
            return x**3

    assert mg.grad(Cube())(2.0) == pytest.approx(12.0, rel=1e-9)


def test_variadic_op() -> None:
    total = mg.op(lambda *xs: sum(xs), grad=lambda *args: (1.0,) * (len(args) - 1))
    assert total.arity is None
    xs = [Node(float(i)) for i in range(5)]
    out = total(*xs)
    out.backward()
    assert out.data == 10.0 and [x.grad for x in xs] == [1.0] * 5


def test_apply_returns_floats_for_numbers_and_nodes_otherwise() -> None:
    assert mg.cos.apply(0.0) == 1.0 and type(mg.cos.apply(0.0)) is float
    assert isinstance(mg.cos.apply(Node(0.0)), Node)


def test_op_repr() -> None:
    assert repr(mg.exp) == "<op exp>" and (Node(2.0) ** 2).op.name == "**2"  # type: ignore[union-attr]


# -- bad input to custom ops -------------------------------------------------------


def test_forward_returning_a_non_number_names_the_op() -> None:
    bad = mg.op(lambda x: "oops", name="bad")
    with pytest.raises(TypeError, match=r"bad: forward\(\) must return a real number, got str"):
        bad(1.0)


def test_local_grads_of_the_wrong_count_fail_at_the_call() -> None:
    bad = mg.op(lambda x, y: x * y, grad=lambda x, y, out: (y,), name="badmul")
    with pytest.raises(ValueError, match=r"badmul: local_grads\(\) must return .* got 1"):
        bad(Node(1.0), Node(2.0))

    class NotATuple(mg.Op):
        def forward(self, x: float) -> float:
            return x

        def local_grads(self, x: float, out: float) -> float:  # type: ignore[override]
            return 1.0

    with pytest.raises(ValueError, match=r"notatuple: local_grads\(\) .* got float"):
        NotATuple()(1.0)


def test_wrong_number_of_arguments_names_the_op_and_arity() -> None:
    with pytest.raises(TypeError, match=r"exp\(\) takes 1 argument\(s\), got 2"):
        mg.exp(1.0, 2.0)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"maximum\(\) takes 2 argument\(s\), got 1"):
        mg.maximum(1.0)  # type: ignore[call-arg]


def test_bad_numeric_options() -> None:
    with pytest.raises(ValueError, match="method must be one of central, forward, richardson"):
        mg.op(math.sin, method="backward")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"eps must be a finite number > 0, got float -1\.0"):
        mg.op(math.sin, eps=-1.0)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="op: expected a function, got int"):
        mg.op(3)  # type: ignore[call-overload]


def test_op_errors_inside_a_formula_name_the_op() -> None:
    user = mg.op(lambda x: math.log(x), name="mylog")
    with pytest.raises(ValueError, match=r"mylog\(-1\.0\): math domain error"):
        user(-1.0)
