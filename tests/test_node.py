"""Node: construction, operators, comparisons, backward semantics, no_grad."""

from __future__ import annotations

import gc
import math
import weakref
from collections.abc import Callable

import pytest

import micrograd as mg
from micrograd import Node


def test_construction_stores_floats() -> None:
    assert Node(3).data == 3.0 and type(Node(3).data) is float
    assert Node(True).data == 1.0
    n = Node(2.5, label="w")
    assert (n.grad, n.label, n.inputs, n.op, n.is_leaf) == (0.0, "w", (), None, True)


def test_repr_and_float() -> None:
    x = Node(3.0)
    x.grad = 12.0
    assert repr(x) == "Node(data=3.0, grad=12.0)"
    assert repr(Node(1.0, label="x")) == "Node(data=1.0, grad=0.0, label='x')"
    assert float(Node(-2.5)) == -2.5


def test_operators_with_numbers_on_either_side() -> None:
    x = Node(3.0)
    cases = {
        "x + 2": (x + 2, 5.0), "2 + x": (2 + x, 5.0), "x - 2": (x - 2, 1.0),
        "2 - x": (2 - x, -1.0), "x * 2": (x * 2, 6.0), "2 * x": (2 * x, 6.0),
        "x / 2": (x / 2, 1.5), "3 / x": (3 / x, 1.0), "x ** 2": (x**2, 9.0),
        "2 ** x": (2**x, 8.0), "x ** x": (x**x, 27.0), "-x": (-x, -3.0),
        "abs(-x)": (abs(-x), 3.0), "+x": (+x, 3.0),
    }  # fmt: skip
    for text, (node, value) in cases.items():
        assert isinstance(node, Node), text
        assert node.data == value, text


def test_operator_gradients() -> None:
    x, y = Node(3.0), Node(2.0)
    z = x * y + x / y - y**x + 2**x
    z.backward()
    assert x.grad == pytest.approx(2.0 + 0.5 - 8.0 * math.log(2.0) + 8.0 * math.log(2.0))
    assert y.grad == pytest.approx(3.0 - 3.0 / 4.0 - 3.0 * 4.0)


def test_comparisons_compare_values_and_equality_is_identity() -> None:
    a, b = Node(1.0), Node(1.0)
    assert a < 2 and a <= b and b >= a and Node(3.0) > a and not a > b
    assert 0.5 < a  # reflected  # noqa: SIM300
    assert a != b and a == a
    table = {a: "a", b: "b"}
    assert table[a] == "a" and len({a, b, a}) == 2


def test_bool_follows_the_value() -> None:
    assert bool(Node(0.0)) is False and bool(Node(-1.0)) is True


def test_methods_match_module_functions() -> None:
    x = Node(0.7)
    for name in ["exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu",
                 "softplus", "abs"]:  # fmt: skip
        assert getattr(x, name)().data == getattr(mg, name)(x).data, name
    assert Node(-2.0).leaky_relu(0.1).data == pytest.approx(-0.2)


def test_shared_subgraph_is_visited_once() -> None:
    a = Node(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad, c.grad) == (4.0, 2.0, 1.0)


def test_intermediate_nodes_get_their_gradients() -> None:
    x = Node(2.0)
    y = x * 3
    z = y * y
    z.backward()
    assert (z.grad, y.grad, x.grad) == (1.0, 12.0, 36.0)


def test_second_backward_accumulates_exactly_once_more() -> None:
    x = Node(2.0)
    z = (x * 3) * 2
    z.backward()
    z.backward()
    assert x.grad == 12.0
    z.zero_grad()
    assert x.grad == 0.0 and z.grad == 0.0
    z.backward()
    assert x.grad == 6.0


def test_backward_seed() -> None:
    x = Node(2.0)
    (x * x).backward(grad=0.5)
    assert x.grad == 2.0


def test_backward_on_a_leaf_or_detached_node_is_not_an_error() -> None:
    x = Node(2.0)
    x.backward()
    assert x.grad == 1.0
    y = (x * 3).detach()
    assert y.is_leaf and y.data == 6.0
    y.backward()
    assert y.grad == 1.0 and x.grad == 1.0


def test_no_grad_records_nothing() -> None:
    x = Node(2.0)
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = x * 3 + 1
        with mg.enable_grad():
            z = x * 2
    assert mg.is_grad_enabled()
    assert y.is_leaf and y.data == 7.0
    assert z.inputs == (x, z.inputs[1])
    y.backward()
    assert x.grad == 0.0


def test_no_grad_keeps_no_graph_alive() -> None:
    x = Node(2.0)
    with mg.no_grad():
        y = x * 3
    ref = weakref.ref(x)
    del x
    assert ref() is None and y.data == 6.0


def _deep_tanh_chain(x: Node) -> tuple[Node, Node]:
    y = x
    for _ in range(100):
        y = mg.tanh(y * 1.5 + 0.1)
    return y, y.inputs[0]


def _constants_made_into_leaves(x: Node) -> tuple[Node, Node]:
    y = 2 * x + 1
    return y, y.inputs[1]  # asking for the inputs makes the constant 1 a leaf


@pytest.mark.parametrize("build", [_deep_tanh_chain, _constants_made_into_leaves])
def test_graphs_are_freed_by_reference_counting_alone(
    build: Callable[[Node], tuple[Node, Node]],
) -> None:
    gc.disable()
    try:
        y, inner = build(Node(1.0))
        y.backward()
        probe = weakref.ref(inner)
        del y, inner
        assert probe() is None
    finally:
        gc.enable()


def test_million_op_chain_forward_and_backward() -> None:
    x = Node(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad == pytest.approx(1.0000001**1_000_000, rel=1e-9)


def test_topological_order_puts_inputs_first() -> None:
    x = Node(1.0)
    a = x * 2
    b = a + x
    order = mg.topological_order(b)
    assert order[-1] is b and len(order) == 4
    for node in order:
        for child in node.inputs:
            assert order.index(child) < order.index(node)


# -- plain-number operands ------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "value", "x_grad"),
    [
        (lambda x: x + 2, 5.0, 1.0),
        (lambda x: 2 + x, 5.0, 1.0),
        (lambda x: x - 2, 1.0, 1.0),
        (lambda x: 2 - x, -1.0, -1.0),
        (lambda x: x * 2, 6.0, 2.0),
        (lambda x: 2 * x, 6.0, 2.0),
        (lambda x: x / 2, 1.5, 0.5),
        (lambda x: 3 / x, 1.0, -1.0 / 3.0),
        (lambda x: mg.maximum(x, 0.5), 3.0, 1.0),  # a two-input op, not an operator
        (lambda x: mg.maximum(0.5, x), 3.0, 1.0),
        (lambda x: mg.minimum(x, True), 1.0, 0.0),  # a bool is the number 1
    ],
)
def test_a_plain_number_operand_is_a_constant_without_gradient(
    expression: object, value: float, x_grad: float
) -> None:
    for look_first in (False, True):  # the constant made before or after backward
        x = Node(3.0, label="x")
        y = expression(x)  # type: ignore[operator]
        if look_first:
            y.inputs  # noqa: B018
        y.backward()
        assert (y.data, x.grad) == (value, x_grad)
        (constant,) = [n for n in y.inputs if n is not x]
        assert isinstance(constant, mg.Constant) and constant.is_leaf
        assert constant.grad == 0.0 and constant.label == ""
        assert y.inputs[0] is y.inputs[0]  # made once, then kept
        order = mg.topological_order(y)
        assert order[-1] is y and set(order[:-1]) == set(y.inputs) and len(order) == 3


def test_a_constant_ignores_gradients_given_to_it() -> None:
    c = mg.Constant(2.0)
    c.grad = 5.0
    c.backward()
    assert (c.data, c.grad, c.inputs) == (2.0, 0.0, ())
    assert repr(c) == "Constant(2.0)"


def test_constants_of_ops_with_one_or_many_inputs_take_no_gradient() -> None:
    three = mg.op(lambda a, b, c: a * b * c, grad=lambda a, b, c, out: (b * c, a * c, a * b))
    x = Node(2.0)
    y = three(x, 3.0, 4)
    y.backward()
    assert (y.data, x.grad) == (24.0, 12.0)
    assert [type(n).__name__ for n in y.inputs] == ["Node", "Constant", "Constant"]
    assert [n.grad for n in y.inputs[1:]] == [0.0, 0.0]
    e = mg.exp(0.0)
    e.backward()
    assert e.inputs[0].grad == 0.0 and e.grad == 1.0


def test_second_derivatives_through_constant_operands() -> None:
    x = Node(3.0)
    y = 2 * x * x - x / 4 + 5
    y.backward(create_graph=True)
    dx = x.grad
    assert isinstance(dx, Node) and dx.data == 4 * 3.0 - 0.25
    x.grad = 0.0
    dx.backward()
    assert x.grad == 4.0


def test_constant_operands_under_no_grad_keep_nothing() -> None:
    x = Node(2.0)
    with mg.no_grad():
        y = 3 - x / 4
    assert y.is_leaf and y.inputs == () and y.data == 2.5


def test_create_graph_makes_gradient_nodes() -> None:
    x = Node(3.0)
    y = x**3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Node) and x.grad.data == 27.0
    dx = x.grad
    x.grad = 0.0
    dx.backward()
    assert x.grad == 18.0  # d2/dx2 x^3 = 6x


def test_local_grads_of_a_node() -> None:
    x, y = Node(3.0), Node(4.0)
    assert (x * y).local_grads() == (4.0, 3.0)
    assert x.local_grads() == ()


# -- bad input -------------------------------------------------------------


def test_non_numeric_operand_names_the_operator_and_type() -> None:
    with pytest.raises(TypeError, match=r"\+.*'Node' and 'str'"):
        Node(2) + "a"  # type: ignore[operator]
    with pytest.raises(TypeError, match=r"\*\*.*'Node' and 'dict'"):
        Node(2) ** {}  # type: ignore[operator]


def test_node_of_non_number_names_node_and_type() -> None:
    with pytest.raises(TypeError, match="Node: expected a Node or a real number, got NoneType"):
        Node(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got complex"):
        Node(1j)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got str"):
        Node("1.0")  # type: ignore[arg-type]


def test_function_of_non_number_names_the_op_and_type() -> None:
    with pytest.raises(TypeError, match=r"exp: expected a Node or a real number, got list"):
        mg.exp([1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"maximum: .* got str"):
        mg.maximum(Node(1.0), "2")  # type: ignore[arg-type]


def test_comparison_with_non_number() -> None:
    with pytest.raises(TypeError, match="<: expected a Node or a real number, got str"):
        _ = Node(1.0) < "a"  # type: ignore[operator]


@pytest.mark.parametrize(
    ("make", "error", "pattern"),
    [
        (lambda: mg.log(Node(-1.0)), ValueError, r"log\(-1\.0\): .*<= 0"),
        (lambda: mg.log(Node(0.0)), ValueError, r"log\(0\.0\)"),
        (lambda: mg.sqrt(Node(-4.0)), ValueError, r"sqrt\(-4\.0\): .*negative"),
        (lambda: 1 / Node(0.0), ZeroDivisionError, r"div\(1\.0, 0\.0\): float division by zero"),
        (lambda: Node(-8.0) ** 0.5, ValueError, r"\*\*0\.5\(-8\.0\): negative base"),
        (lambda: Node(0.0) ** -1, ZeroDivisionError, r"\*\*-1\(0\.0\): zero to a negative"),
        (lambda: Node(-8.0) ** Node(0.5), ValueError, r"pow\(-8\.0, 0\.5\)"),
    ],
)
def test_domain_errors_name_the_op_and_value(
    make: object, error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern):
        make()  # type: ignore[operator]


def test_nan_and_inf_are_allowed_as_data() -> None:
    assert math.isnan((Node(math.nan) * 2).data)
    assert (Node(math.inf) + 1).data == math.inf
    assert mg.exp(Node(1000.0)).data == math.inf
    assert (Node(10.0) ** 400).data == math.inf
    assert math.isnan(mg.log(Node(math.nan)).data)
