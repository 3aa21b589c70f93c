"""Code in the style of Karpathy's micrograd, run on this engine.

Each test computes something the way a user of his package writes it
(``from micrograd.engine import Value``, ``.backward()``, ``._prev``,
``._op``) and compares every value and gradient with the same computation
written with micrograd's own API (`mg.value_and_grad`, `mg.relu`, ...), or
with numbers worked out by hand where they are short. The differences the
migration guide lists on purpose are pinned here too, together with the
one-line way it gives to get his behaviour.
"""

from __future__ import annotations

import doctest
import math

import pytest

import micrograd as mg
from micrograd import engine, optim
from micrograd import nn as mg_nn
from micrograd.engine import Value
from micrograd.nn import MLP, Layer, Module, Neuron

# -- the engine ----------------------------------------------------------------


def test_engine_docstring_example() -> None:
    result = doctest.testmod(engine)
    assert result.attempted > 0
    assert result.failed == 0


def test_value_is_node() -> None:
    assert Value is mg.Node
    v = Value(2.5, label="v")
    assert (v.data, v.grad, v.label) == (2.5, 0.0, "v")


def karpathy_style(a_data: float, b_data: float) -> tuple[Value, list[Value]]:
    """Every operator his engine has, reflected forms and in-place ones included."""
    a = Value(a_data)
    b = Value(b_data)
    c = a * b + b**3
    c += 1 + c - a
    d = 2 * c / 4 - (b - a).relu()
    d -= 3 / b + (-a)
    e = (d * 0.1).tanh() + (a / 8).exp() - 0.5
    f = e**2 + 10.0 / (1 + d * d) + 2 - e * b
    f.backward()
    return f, [a, b, c, d, e]


def own_api(a: mg.NodeLike, b: mg.NodeLike) -> mg.Node:
    """`karpathy_style` written with micrograd's functions."""
    c = mg.add(mg.mul(a, b), mg.power(b, 3))
    c = mg.add(c, mg.sub(mg.add(1, c), a))
    d = mg.sub(mg.div(mg.mul(2, c), 4), mg.relu(mg.sub(b, a)))
    d = mg.sub(d, mg.add(mg.div(3, b), mg.neg(a)))
    e = mg.sub(mg.add(mg.tanh(mg.mul(d, 0.1)), mg.exp(mg.div(a, 8))), 0.5)
    e_squared = mg.power(e, 2)
    return mg.sub(mg.add(mg.add(e_squared, mg.div(10.0, mg.add(1, mg.mul(d, d)))), 2), e * b)


@pytest.mark.parametrize(("a", "b"), [(-4.0, 2.0), (1.5, -0.75), (3.0, 3.0), (0.0, 0.5)])
def test_expression_values_and_gradients_match_own_api(a: float, b: float) -> None:
    f, (va, vb, *_) = karpathy_style(a, b)
    value, (grad_a, grad_b) = mg.value_and_grad(own_api, argnums=(0, 1))(a, b)
    assert f.data == value
    assert va.grad == grad_a
    assert vb.grad == grad_b
    assert f.grad == 1.0


def test_intermediate_gradients_match_own_api() -> None:
    # The .grad of the intermediates c, d and e from the graph's own backward
    # pass, against micrograd.grad of f written as a function of d, and the
    # chain rule by hand for e and c.
    _, (a, b, c, d, e) = karpathy_style(-4.0, 2.0)

    def from_d(d_: mg.NodeLike) -> mg.Node:
        e_ = mg.sub(mg.add(mg.tanh(mg.mul(d_, 0.1)), mg.exp(mg.div(a.data, 8))), 0.5)
        return e_**2 + 10.0 / (1 + d_ * d_) + 2 - e_ * b.data

    assert d.grad == pytest.approx(mg.grad(from_d)(d.data), rel=1e-14)
    assert e.grad == pytest.approx(2 * e.data - b.data, rel=1e-14)
    assert c.grad == pytest.approx(d.grad * 2 / 4, rel=1e-14)


def test_expression_against_torch() -> None:
    torch = pytest.importorskip("torch")
    f, (va, vb, *_) = karpathy_style(-4.0, 2.0)
    a = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    c = a * b + b**3
    c = c + (1 + c - a)
    d = 2 * c / 4 - (b - a).relu()
    d = d - (3 / b + (-a))
    e = (d * 0.1).tanh() + (a / 8).exp() - 0.5
    g = e**2 + 10.0 / (1 + d * d) + 2 - e * b
    g.backward()
    assert f.data == pytest.approx(g.item(), rel=1e-14)
    assert va.grad == pytest.approx(a.grad.item(), rel=1e-14)
    assert vb.grad == pytest.approx(b.grad.item(), rel=1e-14)


def test_lecture_graph_gradients() -> None:
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f
    L.label = "L"
    L.backward()
    assert L.data == -8.0
    grads = {v.label: v.grad for v in (a, b, c, d, e, f, L)}
    assert grads == {"a": 6.0, "b": -4.0, "c": -2.0, "d": -2.0, "e": -2.0, "f": 4.0, "L": 1.0}


def lecture_neuron(activation: str) -> tuple[Value, list[Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    if activation == "tanh":
        o = n.tanh()
    else:  # tanh spelled out with exp, as the lecture does next
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    o.backward()
    return o, [x1, x2, w1, w2, b]


def test_lecture_neuron_tanh_and_its_exp_form() -> None:
    o, leaves = lecture_neuron("tanh")
    assert o.data == pytest.approx(math.sqrt(0.5), rel=1e-15)
    # do/dn = 1 - tanh(n)^2 = 1/2, so x1.grad = w1/2 and w1.grad = x1/2.
    expected = [-1.5, 0.5, 1.0, 0.0, 0.5]
    assert [v.grad for v in leaves] == pytest.approx(expected, rel=1e-14)
    o_exp, leaves_exp = lecture_neuron("exp")
    assert o_exp.data == pytest.approx(o.data, rel=1e-15)
    assert [v.grad for v in leaves_exp] == pytest.approx([v.grad for v in leaves], rel=1e-14)


# -- what draw_dot reads ------------------------------------------------------------


def test_op_strings_are_his() -> None:
    a, b = Value(3.0), Value(-2.0)
    assert a._op == ""
    assert (a + b)._op == "+"
    assert (a * b)._op == "*"
    assert (1 + a)._op == "+"
    assert (2 * a)._op == "*"
    assert (-a)._op == "*"
    assert (a**2)._op == "**2"
    assert (a**-1)._op == "**-1"
    assert (a**0.5)._op == "**0.5"
    assert a.relu()._op == "ReLU"
    assert a.tanh()._op == "tanh"
    assert a.exp()._op == "exp"


def test_prev_is_the_set_of_inputs() -> None:
    a, b = Value(3.0), Value(-2.0)
    assert (a * b)._prev == {a, b}
    assert (a + a)._prev == {a}
    assert a.relu()._prev == {a}
    assert a._prev == set()
    # A plain number shows as a leaf holding it, as his Value(2) would.
    (constant,) = (2 * a)._prev - {a}
    assert (constant.data, constant._prev, constant._op) == (2.0, set(), "")


def trace(root: Value) -> tuple[set[Value], set[tuple[Value, Value]]]:
    """The nodes and edges of root's graph, found through `_prev` as his notebooks do."""
    nodes: set[Value] = set()
    edges: set[tuple[Value, Value]] = set()

    def build(v: Value) -> None:
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def test_draw_dot_style_picture() -> None:
    graphviz = pytest.importorskip("graphviz")
    x = Value(1.0, label="x")
    y = (x * 2 + 1).relu()
    y.backward()
    nodes, edges = trace(y)
    assert len(nodes) == 6  # x, 2, x*2, 1, the sum and y
    assert len(edges) == 5
    assert sorted(n._op for n in nodes) == ["", "", "", "*", "+", "ReLU"]
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for n in nodes:
        dot.node(name=str(id(n)), label=f"{{ data {n.data:.4f} | grad {n.grad:.4f} }}")
        if n._op:
            dot.node(name=str(id(n)) + n._op, label=n._op)
            dot.edge(str(id(n)) + n._op, str(id(n)))
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    source = dot.source
    assert "data 3.0000 | grad 1.0000" in source  # y
    assert "data 1.0000 | grad 2.0000" in source  # x
    assert source.count("->") == 5 + 3


# -- differences on purpose, and the guide's one-liners ------------------------------


def test_constants_take_no_gradient_unless_made_values() -> None:
    x = Value(3.0)
    y = 2 * x
    y.backward()
    (constant,) = y._prev - {x}
    assert (x.grad, constant.grad) == (2.0, 0.0)
    two = Value(2.0)  # his behaviour: make the number a Value
    z = two * x
    z.backward()
    assert two.grad == 3.0


def test_second_backward_adds_to_every_node_and_zero_grad_starts_again() -> None:
    x = Value(3.0)
    y = x * x
    y.backward()
    y.backward()
    assert (y.grad, x.grad) == (2.0, 12.0)
    y.zero_grad()
    y.backward()
    assert (y.grad, x.grad) == (1.0, 6.0)


def test_data_is_stored_as_float() -> None:
    v = Value(2)
    assert type(v.data) is float
    assert int(v.data) == 2


def test_negative_base_with_fractional_exponent_raises() -> None:
    with pytest.raises(ValueError, match="negative base"):
        Value(-8.0) ** 0.5


# -- micrograd.nn with his signatures ------------------------------------------------


def test_neuron_nonlin() -> None:
    assert Neuron(3).act == "relu"
    assert Neuron(3, nonlin=True).act == "relu"
    assert Neuron(3, nonlin=False).act == "linear"
    assert Neuron(3, False).act == "linear"  # his second positional argument
    assert Neuron(3, True).act == "relu"
    n = Neuron(2, nonlin=False, seed=4)
    w0, w1 = (w.data for w in n.w)
    assert n([1.0, -2.0]).data == w0 * 1.0 + w1 * -2.0 + 0.0
    assert n([-10.0, 10.0]).data == pytest.approx(-10 * w0 + 10 * w1, rel=1e-15)


def test_layer_and_mlp_nonlin() -> None:
    layer = Layer(2, 3, nonlin=False)
    assert [n.act for n in layer.neurons] == ["linear"] * 3
    assert [n.act for n in Layer(2, 3).neurons] == ["relu"] * 3
    model = MLP(2, [16, 16, 1])
    assert [layer.neurons[0].act for layer in model.layers] == ["relu", "relu", "linear"]
    assert len(model.parameters()) == 337  # his demo's count: 16*3 + 16*17 + 17


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Neuron(2, act="tanh", nonlin=True), "Neuron: give act or nonlin, not both"),
        (lambda: Neuron(2, True, nonlin=False), "Neuron: nonlin given twice"),
        (lambda: Layer(2, 2, nonlin="yes"), "Layer: nonlin must be True or False, got str"),
    ],
)
def test_nonlin_mistakes(build: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        build()  # type: ignore[operator]


def test_one_output_network_returns_a_list() -> None:
    model = MLP(3, [4, 1], seed=2)
    out = model([Value(1.0), Value(-1.0), Value(0.5)])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    assert isinstance(Layer(3, 1, seed=2)([1.0, 2.0, 3.0]), list)
    # A hidden layer of width one feeds the next layer like any other.
    assert len(MLP(2, [1, 4], seed=0)([1.0, 2.0])) == 4


def test_numpy_rows_as_inputs() -> None:
    np = pytest.importorskip("numpy")
    model = MLP(2, [4, 1], seed=5)
    row = np.array([0.25, -1.5])
    assert model(row)[0].data == model([0.25, -1.5])[0].data
    assert model(list(map(Value, row)))[0].data == model([0.25, -1.5])[0].data


def test_his_style_module_subclass() -> None:
    class Affine(Module):
        # His pattern: no super().__init__(), own __call__ and parameters().
        def __init__(self) -> None:
            self.w = Value(0.5)
            self.b = Value(0.25)

        def __call__(self, x: float) -> Value:
            return self.w * x + self.b

        def parameters(self, recurse: bool = True) -> list[Value]:  # type: ignore[override]
            return [self.w, self.b]

    model = Affine()
    model(4.0).backward()
    assert [p.grad for p in model.parameters()] == [4.0, 1.0]
    model.zero_grad()
    assert [p.grad for p in model.parameters()] == [0.0, 0.0]


def moons(n: int) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles, labels -1 and +1 (no randomness)."""
    points, labels = [], []
    for k in range(n):
        t = math.pi * k / (n - 1)
        if k % 2:
            points.append([math.cos(t), math.sin(t)])
            labels.append(-1)
        else:
            points.append([1 - math.cos(t), 0.5 - math.sin(t)])
            labels.append(1)
    return points, labels


STEPS = 8


def train_his_way(seed: int) -> tuple[list[float], list[float]]:
    """His demo's loop: max-margin loss, L2 penalty, p.data -= lr * p.grad."""
    mg.manual_seed(seed)
    model = MLP(2, [8, 8, 1])
    X, y = moons(20)
    losses = []
    for k in range(STEPS):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = [model(x)[0] for x in inputs]
        data_loss = sum((1 + -yi * si).relu() for yi, si in zip(y, scores)) * (1.0 / len(y))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / STEPS
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(total_loss.data)
    return losses, [p.data for p in model.parameters()]


def train_own_way(seed: int) -> tuple[list[float], list[float]]:
    """The same training with micrograd's losses, optimizer and scheduler."""
    model = mg_nn.MLP(2, [8, 8, 1], seed=seed)
    opt = optim.SGD(model.parameters(), lr=1.0)
    schedule = optim.LambdaLR(opt, lambda k: 1.0 - 0.9 * k / STEPS)
    X, y = moons(20)
    losses = []
    for _ in range(STEPS):
        scores = [model(x)[0] for x in X]
        penalty = sum((p * p for p in model.parameters()), mg.Node(0.0))
        total_loss = mg_nn.hinge_loss(scores, y) + 1e-4 * penalty
        opt.zero_grad()
        total_loss.backward()
        opt.step()
        schedule.step()
        losses.append(total_loss.data)
    return losses, [p.data for p in model.parameters()]


def test_demo_style_training_matches_own_api() -> None:
    his_losses, his_params = train_his_way(seed=1337)
    own_losses, own_params = train_own_way(seed=1337)
    assert his_losses == pytest.approx(own_losses, rel=1e-14)
    assert his_params == pytest.approx(own_params, rel=1e-14)
    assert his_losses[-1] < his_losses[0]
