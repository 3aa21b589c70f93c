"""Reproducers of the engine's reliability promises: each would have caught a silent wrong answer.

Grad mode and transform nesting are per thread; transforms record their own
graph; formulas mean the same on Nodes as on floats; NaN propagates; local
gradients of a wrong type are refused; a failed backward changes no `.grad`.
"""

from __future__ import annotations

import json
import math
import threading

import pytest

import micrograd as mg


def test_transforms_record_their_own_graph_inside_no_grad() -> None:
    with mg.no_grad():
        assert mg.grad(lambda t: t * t)(3.0) == 6.0
        assert mg.value_and_grad(lambda t: t * t)(3.0) == (9.0, 6.0)
        assert mg.gradcheck(mg.tanh, 0.3)
        assert not mg.is_grad_enabled()


def test_grad_mode_is_per_thread() -> None:
    inside, release = threading.Event(), threading.Event()

    def hold_no_grad() -> None:
        with mg.no_grad():
            inside.set()
            release.wait(10)

    other = threading.Thread(target=hold_no_grad)
    other.start()
    inside.wait(10)
    try:
        x = mg.Node(3.0)
        (x * x).backward()
        assert x.grad == 6.0
        assert mg.grad(lambda v: v * v)(3.0) == 6.0
    finally:
        release.set()
        other.join()
    assert mg.is_grad_enabled()


def test_pow_at_zero_means_the_same_at_every_order() -> None:
    value, (d_base, d_exponent) = mg.value_and_grad(
        lambda b, e: b**e, argnums=(0, 1), create_graph=True
    )(0.0, 2.0)
    assert (value.data, d_base.data, d_exponent.data) == (0.0, 0.0, 0.0)
    assert mg.grad(lambda t: t**0.5, create_graph=True)(0.0).data == math.inf
    assert mg.grad(lambda t: t**0.5)(0.0) == math.inf
    assert mg.grad(mg.grad(lambda x: x**0.0))(0.0) == 0.0


@pytest.mark.parametrize(
    ("f", "args"),
    [
        (mg.relu, (math.nan,)),
        (mg.maximum, (math.nan, 1.0)),
        (mg.maximum, (1.0, math.nan)),
        (mg.minimum, (math.nan, 1.0)),
        (mg.minimum, (1.0, math.nan)),
    ],
)
def test_nan_propagates(f: mg.Op, args: tuple[float, ...]) -> None:
    assert math.isnan(f(*args).data)


def test_nan_gradients_follow_pytorch() -> None:
    # PyTorch: relu'(nan) = 1 (threshold passes it), both inputs of maximum
    # get the full gradient when one is NaN.
    assert mg.grad(mg.relu)(math.nan) == 1.0
    assert mg.grad(mg.maximum, argnums=(0, 1))(math.nan, 1.0) == (1.0, 1.0)


def test_local_gradients_of_a_wrong_type_are_refused_naming_the_op() -> None:
    complex_grad = mg.op(lambda t: t, grad=lambda t, o: (1j,), name="complexgrad")
    x = mg.Node(1.0)
    y = complex_grad(x)
    with pytest.raises(TypeError, match=r"complexgrad\(1\.0\): local gradients.*complex 1j"):
        y.backward()
    assert x.grad == 0.0
    text_grad = mg.op(lambda t: t, grad=lambda t, o: ("oops",), name="textgrad")
    with pytest.raises(TypeError, match="textgrad"):
        textgrad_out = text_grad(x)
        textgrad_out.backward()


def test_a_node_from_a_formula_counts_as_its_value() -> None:
    uses_exp = mg.op(math.exp, grad=lambda t, o: (mg.exp(t),), name="myexp")
    x = mg.Node(0.5)
    uses_exp(x).backward()
    assert type(x.grad) is float and x.grad == math.exp(0.5)


def test_optional_positional_parameters_make_a_range_of_arities() -> None:
    g = mg.op(lambda x, y=2.0: x * y, name="g")
    assert g(mg.Node(1.0), 3.0).data == 3.0
    assert g(mg.Node(1.5)).data == 3.0
    with pytest.raises(TypeError, match=r"g\(\) takes 1 to 2 argument\(s\), got 3"):
        g(1.0, 2.0, 3.0)


def test_repeated_argnums_get_the_gradient_each_time() -> None:
    assert mg.value_and_grad(lambda a, b: a * b, argnums=(0, 0))(2.0, 3.0) == (6.0, (3.0, 3.0))


def test_numeric_third_derivative_is_accurate() -> None:
    cube = mg.op(lambda t: t**3)
    third = mg.grad(mg.grad(mg.grad(cube)))
    for x in (1.3, 3.7):
        # Measured error about 7e-8 at 3.7; 1e-6 leaves room for other machines.
        assert third(x) == pytest.approx(6.0, abs=1e-6)


def _bad_op() -> mg.Op:
    return mg.op(lambda t: 2 * t, grad=lambda t, o: ("oops",) if t > 5 else (2.0,), name="bad")


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_failed_backward_changes_no_grad(create_graph: bool) -> None:
    bad = _bad_op()
    a, b = mg.Node(1.0), mg.Node(10.0)
    y = bad(a) + bad(b) + a * 3
    a.grad, b.grad = 100.0, -1.0
    with pytest.raises(TypeError, match="bad"):
        y.backward(create_graph=create_graph)
    assert (a.grad, b.grad) == (100.0, -1.0)
    assert all(n.grad == 0.0 for n in mg.topological_order(y, leaves=False))


def test_gradients_leave_grads_as_they_were_when_they_fail() -> None:
    bad = _bad_op()
    x = mg.Node(10.0)
    x.grad = 100.0
    y = bad(x) * x
    with pytest.raises(TypeError):
        mg.gradients(y, [x])
    assert x.grad == 100.0


def test_a_retry_after_fixing_the_value_gives_the_right_answer() -> None:
    bad = _bad_op()
    a, b = mg.Node(1.0), mg.Node(10.0)
    y = bad(a) + bad(b) + a * 3
    with pytest.raises(TypeError):
        y.backward()
    b.data = 1.0  # local gradients are computed from the current values
    y.backward()
    assert (a.grad, b.grad) == (5.0, 2.0)


def test_errors_of_forward_keep_their_type_and_attributes() -> None:
    def parse(t: float) -> float:
        return float(json.loads("{"))

    op = mg.op(parse, name="parse")
    with pytest.raises(json.JSONDecodeError) as info:
        op(mg.Node(1.0))
    assert info.value.pos == 1
    assert any("parse(1.0)" in note for note in getattr(info.value, "__notes__", []))


def test_errors_of_a_formula_name_the_op() -> None:
    failing = mg.op(lambda t: t, grad=lambda t, o: (1.0 / 0.0,), name="failing")
    with pytest.raises(ZeroDivisionError, match=r"failing\(2\.0\): local gradients"):
        failing(mg.Node(2.0)).backward()


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (lambda: mg.Node(10**400), "Node: expected a real number within the range of a float"),
        (lambda: mg.Node(1.0) ** 10**400, "pow: exponent must be a real number within"),
        (lambda: mg.Node(1.0).backward("a"), "backward: grad must be a real number"),  # type: ignore[arg-type]
        (lambda: mg.Node(1.0, label=5), "Node: label must be a str, got int 5"),  # type: ignore[arg-type]
    ],
)
def test_bad_values_at_the_door_name_what_they_are(make: object, pattern: str) -> None:
    with pytest.raises((TypeError, ValueError), match=pattern):
        make()  # type: ignore[operator]


def test_decimal_works_wherever_a_number_does() -> None:
    from decimal import Decimal

    x = mg.Node(2.0)
    assert (x + Decimal("0.5")).data == 2.5
    assert (Decimal("0.5") * x).data == 1.0


def test_gradcheck_near_a_domain_edge_checks_valid_points_only() -> None:
    assert mg.gradcheck(mg.log, 1e-3)
    assert mg.gradcheck(mg.sqrt, 1e-4)


def test_separate_graphs_in_eight_threads() -> None:
    errors: list[str] = []

    def work(k: int) -> None:
        for i in range(1000):
            x = mg.Node(float(k + i % 7))
            y = mg.tanh(x * 0.1) * x + 3.0
            y.backward()
            expected = math.tanh(x.data * 0.1) + x.data * 0.1 * (1 - math.tanh(x.data * 0.1) ** 2)
            if abs(x.grad - expected) > 1e-12:
                errors.append(f"thread {k} graph {i}: {x.grad} != {expected}")
                return

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
