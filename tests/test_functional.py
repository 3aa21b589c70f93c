"""grad and value_and_grad: argnums, nesting, graphs, errors."""

from __future__ import annotations

import math

import pytest

import micrograd as mg
from micrograd import Node


def test_grad_returns_plain_floats() -> None:
    g = mg.grad(lambda x, y: x * x * y)(3.0, 2.0)
    assert g == 12.0 and type(g) is float


def test_argnums_int_and_tuple() -> None:
    f = lambda x, y, z: x * y + z  # noqa: E731
    assert mg.grad(f, argnums=1)(2.0, 3.0, 4.0) == 2.0
    assert mg.grad(f, argnums=(0, 2))(2.0, 3.0, 4.0) == (3.0, 1.0)
    assert mg.grad(f, argnums=-1)(2.0, 3.0, 4.0) == 1.0


def test_value_and_grad() -> None:
    value, grads = mg.value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 2.0)
    assert value == 6.0 and grads == (2.0, 3.0)


def test_argument_the_function_does_not_use_gets_zero() -> None:
    assert mg.grad(lambda x, y: x * 2, argnums=1)(1.0, 5.0) == 0.0


def test_function_returning_a_number_has_zero_gradient() -> None:
    assert mg.grad(lambda x: 3.0)(1.0) == 0.0


def test_nested_grad_gives_higher_derivatives() -> None:
    f = lambda t: t**4 - 2 * t**2  # noqa: E731
    assert mg.grad(mg.grad(f))(2.0) == 44.0
    assert mg.grad(mg.grad(mg.grad(f)))(2.0) == 48.0
    assert mg.grad(mg.grad(mg.exp))(0.5) == pytest.approx(math.exp(0.5), rel=1e-15)


def test_nested_grad_through_a_closed_over_variable() -> None:
    # d/dx [ d/dy (x * y**2) at y=1 ] = d/dx 2x = 2
    outer = mg.grad(lambda x: mg.grad(lambda y: x * y**2)(1.0))
    assert outer(3.0) == 2.0


def test_create_graph_returns_nodes() -> None:
    value, g = mg.value_and_grad(lambda x: x**3, create_graph=True)(2.0)
    assert isinstance(value, Node) and isinstance(g, Node)
    assert (value.data, g.data) == (8.0, 12.0)
    assert mg.grad(lambda x: x**3, create_graph=True)(Node(2.0)).data == 12.0


def test_grad_leaves_existing_gradients_alone() -> None:
    w = Node(2.0)
    w.grad = 5.0
    assert mg.grad(lambda x: x * w)(3.0) == 2.0
    assert w.grad == 5.0


def test_gradients_primitive_has_no_side_effects() -> None:
    x, y = Node(2.0), Node(3.0)
    z = x * y
    z.backward()
    assert mg.gradients(z, [x, y]) == [3.0, 2.0]
    assert (x.grad, y.grad, z.grad) == (3.0, 2.0, 1.0)


def _shared_graph() -> tuple[Node, Node, Node, Node, Node]:
    x, y, w = Node(2.0), Node(3.0), Node(-1.0)  # w: a leaf of the graph not asked about
    shared = x * y + 1
    z = mg.tanh(shared) * shared - 2 / (shared * w) + mg.maximum(x, 0.5)
    return x, y, w, shared, z


def test_gradients_of_a_fresh_graph_leave_its_leaves_and_nodes_alone() -> None:
    x, y, w, shared, z = _shared_graph()  # its constants are still floats in the nodes
    x.grad, y.grad, w.grad, shared.grad, z.grad = 1.5, 2.5, 3.5, 4.5, 5.5
    first = mg.gradients(z, [x, y])
    assert (x.grad, y.grad, w.grad, shared.grad, z.grad) == (1.5, 2.5, 3.5, 4.5, 5.5)
    assert mg.gradients(z, [x, y]) == first


def test_gradients_leave_every_node_as_it_was_with_shared_nodes_and_constants() -> None:
    x, y, _w, _shared, z = _shared_graph()
    for k, node in enumerate(mg.topological_order(z)):
        node.grad = float(k + 10)  # every node, leaves and constants included, has a grad
    before = [(node, node.grad) for node in mg.topological_order(z)]
    dx, dy = mg.gradients(z, [x, y])
    s = 7.0  # shared = x * y + 1
    ds = (1 - math.tanh(s) ** 2) * s + math.tanh(s) + 2 / (s * s * -1.0)
    assert dx == pytest.approx(ds * 3.0 + 1.0, rel=1e-12)
    assert dy == pytest.approx(ds * 2.0, rel=1e-12)
    assert [(node, node.grad) for node in mg.topological_order(z)] == before
    assert mg.gradients(z, [Node(5.0)]) == [0.0]  # a node the root does not depend on


def test_newton_method_with_second_derivatives() -> None:
    f = lambda x: x**4 - 3 * x**2 + x  # noqa: E731
    df, d2f = mg.grad(f), mg.grad(mg.grad(f))
    x = 2.0
    for _ in range(20):
        x -= df(x) / d2f(x)
    assert abs(4 * x**3 - 6 * x + 1) < 1e-12


def test_bad_argnums_names_the_function() -> None:
    def square(x: float) -> float:
        return x * x

    with pytest.raises(ValueError, match=r"grad of square: argnums 2 out of range .* 1 arg"):
        mg.grad(square, argnums=2)(1.0)


def test_non_numeric_argument() -> None:
    with pytest.raises(TypeError, match="grad of <lambda>: expected a Node or a real number"):
        mg.grad(lambda x: x)("a")


def test_function_returning_non_number() -> None:
    with pytest.raises(TypeError, match="the function's result: expected a Node or a real"):
        mg.grad(lambda x: "a")(1.0)
