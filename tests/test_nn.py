"""micrograd.nn: Parameter, Module, layers, losses."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path
from typing import Any

import pytest

import micrograd as mg
from micrograd import nn
from micrograd.nn import Module, Parameter

# ---------------------------------------------------------------------------
# Parameter


def test_parameter_is_a_slotted_node() -> None:
    p = Parameter(2, label="w")
    assert isinstance(p, mg.Node)
    assert Parameter.__slots__ == ()
    assert not hasattr(p, "__dict__")
    assert p.data == 2.0 and isinstance(p.data, float)
    assert repr(p) == "Parameter(data=2.0, grad=0.0, label='w')"
    assert mg.Parameter is Parameter and mg.Module is Module


def test_parameters_take_part_in_graphs() -> None:
    w = Parameter(3.0)
    y = w * w + 1
    y.backward()
    assert w.grad == 6.0
    assert type(y) is mg.Node


# ---------------------------------------------------------------------------
# Module: discovery


class Block(Module):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.scale = Parameter(value)

    def forward(self, x: mg.NodeLike) -> mg.Node:
        return self.scale * x


class Mixed(Module):
    """Parameters and modules directly, in lists, tuples and dicts, plus things to ignore."""

    def __init__(self) -> None:
        super().__init__()
        self.first = Parameter(1.0)
        self.blocks = [Block(2.0), Block(3.0)]
        self.table = {"a": Parameter(4.0), "b": (Parameter(5.0), Block(6.0))}
        self.plain_node = mg.Node(7.0)  # not a Parameter: not collected
        self.numbers = [1.0, 2.0]
        self.shared = self.first  # the same parameter again: collected once
        self.again = self.blocks[0]  # the same module again: collected once
        self.last = Parameter(8.0)

    def forward(self, x: mg.NodeLike) -> mg.Node:
        return self.first * x


def test_named_parameters_in_definition_order_each_once() -> None:
    model = Mixed()
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "first",
        "blocks.0.scale",
        "blocks.1.scale",
        "table.a",
        "table.b.0",
        "table.b.1.scale",
        "last",
    ]
    assert [p.data for p in model.parameters()] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0]


def test_named_parameters_prefix_and_recurse() -> None:
    model = Mixed()
    assert [n for n, _ in model.named_parameters(prefix="m")][:2] == ["m.first", "m.blocks.0.scale"]
    assert [n for n, _ in model.named_parameters(recurse=False)] == [
        "first",
        "table.a",
        "table.b.0",
        "last",
    ]


def test_named_modules_and_children() -> None:
    model = Mixed()
    assert [name for name, _ in model.named_modules()] == [
        "",
        "blocks.0",
        "blocks.1",
        "table.b.1",
    ]
    assert [name for name, _ in model.named_children()] == ["blocks.0", "blocks.1", "table.b.1"]
    assert list(model.children()) == [model.blocks[0], model.blocks[1], model.table["b"][1]]
    assert next(iter(model.modules())) is model


def test_a_module_referring_to_itself_does_not_loop() -> None:
    model = Block(1.0)
    model.me = model  # type: ignore[attr-defined]
    assert [n for n, _ in model.named_parameters()] == ["scale"]
    assert [n for n, _ in model.named_modules()] == [""]


def test_mlp_parameter_names_and_count() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    # 16 neurons of 2 weights + bias, 16 of 16 + bias, 1 of 16 + bias.
    assert len(names) == 16 * 3 + 16 * 17 + 17 == 337
    assert names[:4] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert names[-1] == "layers.2.neurons.0.b"
    assert len(set(names)) == len(names)


def test_zero_grad_train_and_eval() -> None:
    model = Mixed()
    for p in model.parameters():
        p.grad = 3.0
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert model.training and model.blocks[1].training
    assert model.eval() is model
    assert not model.training and not model.blocks[1].training
    model.train()
    assert all(m.training for m in model.modules())


# ---------------------------------------------------------------------------
# Module: calling


def test_wrong_number_of_inputs_names_the_module() -> None:
    layer = nn.WeightSum(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match=r"^WeightSum expects 2 inputs \(x1, x2\), got 1$"):
        layer(1.0)
    with pytest.raises(TypeError, match=r"^WeightSum expects 2 inputs \(x1, x2\), got 3$"):
        layer(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match=r"^MLP expects 1 input \(x\), got 2$"):
        nn.MLP(2, [1], seed=0)([1.0], [2.0])
    with pytest.raises(TypeError, match=r"^Block expects 1 input \(x\), got 0$"):
        Block(1.0)()


def test_wrong_keyword_inputs_name_the_module() -> None:
    layer = nn.WeightSum(1.0, 2.0, 3.0)
    assert layer(x1=1.0, x2=2.0).data == 8.0
    with pytest.raises(TypeError, match=r"^WeightSum: missing a required argument: 'x2'$"):
        layer(x1=1.0, x3=2.0)


def test_optional_inputs_and_ranges() -> None:
    class Optional(Module):
        def forward(self, x: float, y: float = 1.0) -> float:
            return x * y

    assert Optional()(2.0) == 2.0
    assert Optional()(2.0, 3.0) == 6.0
    with pytest.raises(TypeError, match=r"^Optional expects 1 to 2 inputs \(x, y\), got 3$"):
        Optional()(1.0, 2.0, 3.0)


def test_module_without_forward() -> None:
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        Module()(1.0)


def test_wrong_number_of_features_names_the_layer() -> None:
    with pytest.raises(ValueError, match=r"Linear\(nin=2, nout=3, bias=True\): expected 2 input"):
        nn.Linear(2, 3, seed=0)([1.0, 2.0, 3.0])
    message = "Neuron(nin=3, act='relu'): expected 3 input values, got 2"
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.Neuron(3, seed=0)([1.0, 2.0])
    message = "Layer(nin=2, nout=4, act='relu'): expected a sequence of 2 input values"
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.Layer(2, 4, seed=0)(1.0)
    with pytest.raises(TypeError, match="expected a sequence of 2 input values, got str"):
        nn.MLP(2, [3], seed=0)("ab")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: nn.Linear(0, 2), "Linear: nin must be a positive int, got 0"),
        (lambda: nn.Linear(2, 1.5), "Linear: nout must be a positive int, got 1.5"),  # type: ignore[arg-type]
        (lambda: nn.Neuron(2, act="gelu"), "Neuron: act must be one of"),
        (lambda: nn.MLP(2, []), "MLP: sizes must be a non-empty list"),
        (lambda: nn.MLP(2, [4, 0]), "MLP: every layer size must be a positive int, got 0"),
    ],
)
def test_bad_layer_arguments(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build()


def test_bad_seed_and_act_types() -> None:
    with pytest.raises(TypeError, match="Linear: seed must be an int"):
        nn.Linear(2, 2, seed="x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Neuron: act must be a name"):
        nn.Neuron(2, act=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="manual_seed: expected an int, got float"):
        mg.manual_seed(1.5)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Layers


def set_values(module: Module, values: list[float]) -> None:
    for p, value in zip(module.parameters(), values, strict=True):
        p.data = value


def test_linear_computes_w_x_plus_b() -> None:
    layer = nn.Linear(2, 2, seed=0)
    assert [n for n, _ in layer.named_parameters()] == [
        "weight.0.0",
        "weight.0.1",
        "weight.1.0",
        "weight.1.1",
        "bias.0",
        "bias.1",
    ]
    set_values(layer, [1.0, 2.0, 3.0, 4.0, 0.5, -0.5])
    out = layer([10.0, 20.0])
    assert [y.data for y in out] == [50.5, 109.5]
    out[1].backward()
    assert [p.grad for p in layer.parameters()] == [0.0, 0.0, 10.0, 20.0, 0.0, 1.0]


def test_linear_without_bias_and_initial_range() -> None:
    layer = nn.Linear(4, 3, bias=False, seed=1)
    assert layer.bias is None
    assert len(layer.parameters()) == 12
    # PyTorch's default: uniform in [-1/sqrt(nin), 1/sqrt(nin)] = [-0.5, 0.5].
    assert all(-0.5 <= p.data <= 0.5 for p in layer.parameters())
    set_values(layer, [1.0] * 12)
    assert [y.data for y in layer([1.0, 2.0, 3.0, 4.0])] == [10.0, 10.0, 10.0]
    assert nn.Linear(1, 1, seed=0)(2.0)[0].data == nn.Linear(1, 1, seed=0)([2.0])[0].data


@pytest.mark.parametrize(
    ("act", "expected"),
    [
        ("relu", 0.0),
        ("linear", -1.0),
        (None, -1.0),
        ("tanh", math.tanh(-1.0)),
        ("sigmoid", 1 / (1 + math.exp(1.0))),
    ],
)
def test_neuron_activations(act: nn.Activation, expected: float) -> None:
    neuron = nn.Neuron(2, act=act, seed=0)
    set_values(neuron, [1.0, -1.0, 0.5])  # w = (1, -1), b = 0.5
    assert neuron([0.5, 2.0]).data == pytest.approx(expected, rel=1e-15, abs=0.0)


def test_neuron_with_a_function_as_activation() -> None:
    neuron = nn.Neuron(1, act=lambda v: v * v, seed=0)
    set_values(neuron, [2.0, 1.0])
    assert neuron([3.0]).data == 49.0
    assert neuron.act == "<lambda>"


def test_neuron_initialisation_and_seeds() -> None:
    neuron = nn.Neuron(50, seed=5)
    assert all(-1.0 <= w.data <= 1.0 for w in neuron.w)
    assert neuron.b.data == 0.0
    assert [p.data for p in nn.Neuron(50, seed=5).parameters()] == [
        p.data for p in neuron.parameters()
    ]
    assert [p.data for p in nn.Neuron(50, seed=6).parameters()] != [
        p.data for p in neuron.parameters()
    ]


def test_manual_seed_reproduces_and_leaves_the_random_module_alone() -> None:
    random.seed(123)
    before = random.getstate()
    mg.manual_seed(7)
    first = [p.data for p in nn.MLP(3, [4, 2]).parameters()]
    mg.manual_seed(7)
    second = [p.data for p in nn.MLP(3, [4, 2]).parameters()]
    assert first == second
    assert random.getstate() == before


def test_seed_can_be_a_shared_generator() -> None:
    rng = random.Random(3)
    a, b = nn.Neuron(3, seed=rng), nn.Neuron(3, seed=rng)
    assert [p.data for p in a.w] != [p.data for p in b.w]
    rng = random.Random(3)
    assert [p.data for p in nn.Neuron(3, seed=rng).w] == [p.data for p in a.w]


def test_layer_and_mlp_outputs() -> None:
    layer = nn.Layer(2, 3, act="relu", seed=0)
    set_values(layer, [1.0, 1.0, 0.0, -1.0, -1.0, 0.0, 2.0, 0.0, 1.0])
    assert [y.data for y in layer([1.0, 2.0])] == [3.0, 0.0, 3.0]
    model = nn.MLP(2, [2, 1], seed=0)
    # hidden: relu(x1 - x2), relu(x2 - x1); output: 3*h1 - 2*h2 + 1, linear.
    set_values(model, [1.0, -1.0, 0.0, -1.0, 1.0, 0.0, 3.0, -2.0, 1.0])
    assert [y.data for y in model([5.0, 2.0])] == [10.0]
    assert [y.data for y in model([2.0, 5.0])] == [-5.0]  # the last layer is linear
    assert model.layers[-1].neurons[0].act == "linear"
    assert model.layers[0].neurons[0].act == "relu"


def test_sequential() -> None:
    model = nn.Sequential(nn.Linear(2, 2, seed=0), nn.ReLU(), nn.Linear(2, 1, seed=1))
    assert len(model) == 3
    assert isinstance(model[1], nn.ReLU) and model[-1] is model[2]
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    assert [n for n, _ in model.named_parameters()][:1] == ["0.weight.0.0"]
    assert [n for n, _ in model.named_parameters()][-1] == "2.bias.0"
    set_values(model, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 3.0, 0.5])
    assert [y.data for y in model([4.0, -1.0])] == [8.5]
    with pytest.raises(IndexError, match="Sequential: index 3 out of range for 3 modules"):
        model[3]
    with pytest.raises(TypeError, match="Sequential: argument 1 must be a Module, got FunctionOp"):
        nn.Sequential(nn.ReLU(), mg.relu)  # type: ignore[arg-type]


def test_activation_modules_on_values_and_lists() -> None:
    assert nn.ReLU()(-2.0).data == 0.0
    assert [y.data for y in nn.ReLU()([-1.0, 2.0])] == [0.0, 2.0]
    assert nn.Tanh()(0.5).data == math.tanh(0.5)
    assert [y.data for y in nn.Sigmoid()([0.0])] == [0.5]


def test_weight_sum_values_and_gradients() -> None:
    layer = nn.WeightSum(w1=2.0, w2=3.0, b=4.0)
    x1, x2 = mg.Node(5.0), mg.Node(6.0)
    out = layer(x1, x2)
    out.backward()
    assert out.data == 32.0
    assert (layer.w1.grad, layer.w2.grad, layer.b.grad, x1.grad, x2.grad) == (5, 6, 1, 2, 3)
    assert [n for n, _ in layer.named_parameters()] == ["w1", "w2", "b"]


def test_weight_sum_numeric_reproduces_the_tutorials_forward_differences() -> None:
    # The seed document's local gradients of w1*x1 + w2*x2 + b1 at
    # (2, 3, 4, 5, 6), by forward difference with eps = 1e-10: the same
    # floating-point operations, so the same numbers to the last bit.
    layer = nn.WeightSum(w1=2.0, w2=3.0, b=4.0, numeric=True)
    x1, x2 = mg.Node(5.0), mg.Node(6.0)
    out = layer(x1, x2)
    out.backward()
    assert out.data == 32.0
    assert layer.w1.grad == 5.000018177270249
    assert layer.w2.grad == 5.999964969305438
    assert layer.b.grad == 1.000017846308765
    assert x1.grad == 2.00003569261753
    assert x2.grad == 2.999982484652719


def test_weight_sum_random_initial_values() -> None:
    layer = nn.WeightSum(seed=4)
    assert -1.0 <= layer.w1.data <= 1.0 and -1.0 <= layer.w2.data <= 1.0
    assert layer.b.data == 0.0
    assert nn.WeightSum(w1=0.0, w2=0.0).state_dict() == {"w1": 0.0, "w2": 0.0, "b": 0.0}


# ---------------------------------------------------------------------------
# repr


def test_nested_repr() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    assert repr(model) == (
        "MLP(\n"
        "  nin=2, sizes=[16, 16, 1]\n"
        "  (layers.0): Layer(nin=2, nout=16, act='relu')\n"
        "  (layers.1): Layer(nin=16, nout=16, act='relu')\n"
        "  (layers.2): Layer(nin=16, nout=1, act='linear')\n"
        ")"
    )
    sequential = nn.Sequential(
        nn.Linear(2, 4, seed=0), nn.Tanh(), nn.Sequential(nn.ReLU(), nn.ReLU(), nn.ReLU())
    )
    assert repr(sequential) == (
        "Sequential(\n"
        "  (0): Linear(nin=2, nout=4, bias=True)\n"
        "  (1): Tanh()\n"
        "  (2): Sequential(\n"
        "    (0-2): 3 x ReLU()\n"
        "  )\n"
        ")"
    )
    neurons = Mixed()
    neurons.blocks = [nn.Neuron(2, seed=0) for _ in range(3)]
    assert "(blocks.0-2): 3 x Neuron(nin=2, act='relu')" in repr(neurons)


# ---------------------------------------------------------------------------
# state_dict / load_state_dict / save / load


def values(module: Module) -> list[float]:
    return [p.data for p in module.parameters()]


def test_state_dict_round_trip() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    state = model.state_dict()
    assert list(state) == [n for n, _ in model.named_parameters()]
    assert all(type(v) is float for v in state.values())
    other = nn.MLP(2, [3, 1], seed=1)
    assert values(other) != values(model)
    assert other.load_state_dict(state) == nn.IncompatibleKeys([], [])
    assert values(other) == values(model)


def test_load_state_dict_accepts_ints_and_returns_float_data() -> None:
    layer = nn.WeightSum(1.0, 2.0, 3.0)
    layer.load_state_dict({"w1": 4, "w2": 5.5, "b": -1})
    assert layer.state_dict() == {"w1": 4.0, "w2": 5.5, "b": -1.0}
    assert type(layer.w1.data) is float


@pytest.mark.parametrize(
    ("state", "error", "message"),
    [
        ({"w1": 9.0, "w2": 9.0}, ValueError, "missing key\\(s\\): b"),
        ({"w1": 9.0, "w2": 9.0, "b": 9.0, "c": 1.0}, ValueError, "unexpected key\\(s\\): c"),
        (
            {"w1": 9.0, "w2": 9.0, "b": "1.0"},
            TypeError,
            "value of 'b' must be a real number, got str",
        ),
        (
            {"w1": 9.0, "w2": 9.0, "b": None},
            TypeError,
            "value of 'b' must be a real number, got NoneType",
        ),
        ({"w1": 9.0, "w2": 9.0, "b": True}, TypeError, "value of 'b' must be a number, got bool"),
        (
            {"w1": 9.0, "w2": 9.0, "b": [1.0]},
            TypeError,
            "value of 'b' must be a real number, got list",
        ),
        ({"w1": 9.0, "w2": 9.0, "b": math.nan}, ValueError, "value of 'b' is nan"),
        ({"w1": 9.0, "w2": 9.0, "b": -math.inf}, ValueError, "value of 'b' is -inf"),
    ],
)
def test_bad_state_dicts_leave_the_module_unchanged(
    state: dict[str, Any], error: type[Exception], message: str
) -> None:
    layer = nn.WeightSum(1.0, 2.0, 3.0)
    with pytest.raises(error, match=f"^WeightSum.load_state_dict: {message}"):
        layer.load_state_dict(state)
    # w1 and w2 come before the bad value: they must not have been loaded either.
    assert layer.state_dict() == {"w1": 1.0, "w2": 2.0, "b": 3.0}


def test_load_state_dict_reports_missing_and_unexpected_together() -> None:
    with pytest.raises(ValueError, match="missing key\\(s\\): w2, b; unexpected key\\(s\\): x"):
        nn.WeightSum(1.0, 2.0, 3.0).load_state_dict({"w1": 1.0, "x": 2.0})


def test_load_state_dict_not_a_mapping() -> None:
    with pytest.raises(TypeError, match="expected a mapping of names to numbers, got list"):
        nn.WeightSum(1.0, 2.0, 3.0).load_state_dict([1.0, 2.0, 3.0])  # type: ignore[arg-type]


def test_load_state_dict_non_strict() -> None:
    layer = nn.WeightSum(1.0, 2.0, 3.0)
    result = layer.load_state_dict({"w2": 7.0, "extra": 1.0}, strict=False)
    assert result.missing_keys == ["w1", "b"]
    assert result.unexpected_keys == ["extra"]
    assert layer.state_dict() == {"w1": 1.0, "w2": 7.0, "b": 3.0}
    with pytest.raises(TypeError):
        layer.load_state_dict({"w1": "x"}, strict=False)
    assert layer.state_dict() == {"w1": 1.0, "w2": 7.0, "b": 3.0}


def test_save_and_load_json(tmp_path: Path) -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    path = tmp_path / "model.json"
    model.save(path)
    assert json.loads(path.read_text()) == model.state_dict()
    other = nn.MLP(2, [3, 1], seed=1)
    other.load(str(path))
    assert values(other) == values(model)


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ('{"w1": 1.0, "w2": ', ValueError, "not valid JSON"),
        ("", ValueError, "not valid JSON"),
        ("[1.0, 2.0, 3.0]", ValueError, "expected a JSON object of parameter names to numbers"),
        ('{"w1": 5.0, "w2": 5.0}', ValueError, "missing key\\(s\\): b"),
        ('{"w1": 5.0, "w2": 5.0, "b": "x"}', TypeError, "value of 'b' must be a real number"),
        ('{"w1": 5.0, "w2": 5.0, "b": NaN}', ValueError, "value of 'b' is nan"),
    ],
)
def test_loading_a_bad_file_names_it_and_changes_nothing(
    tmp_path: Path, text: str, error: type[Exception], message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    layer = nn.WeightSum(1.0, 2.0, 3.0)
    with pytest.raises(error, match=message) as info:
        layer.load(path)
    assert str(path) in str(info.value)
    assert layer.state_dict() == {"w1": 1.0, "w2": 2.0, "b": 3.0}


def test_loading_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nothing\.json"):
        nn.WeightSum(1.0, 2.0, 3.0).load(tmp_path / "nothing.json")


def test_saving_non_finite_values_writes_nothing(tmp_path: Path) -> None:
    layer = nn.WeightSum(1.0, math.nan, 3.0)
    path = tmp_path / "model.json"
    with pytest.raises(ValueError, match=r"WeightSum\.save: parameter\(s\) w2 are not finite"):
        layer.save(path)
    assert not path.exists()


# ---------------------------------------------------------------------------
# Losses


def test_mse_loss_single_and_lists() -> None:
    x = mg.Node(3.0)
    loss = nn.mse_loss(x, 1.0)
    loss.backward()
    assert (loss.data, x.grad) == (4.0, 4.0)  # (3-1)**2, 2*(3-1)
    a, b = mg.Node(1.0), mg.Node(4.0)
    mean = nn.mse_loss([a, b], [0.0, 2.0])
    mean.backward()
    assert mean.data == 2.5  # (1 + 4) / 2
    assert (a.grad, b.grad) == (1.0, 2.0)  # 2*(x - t) / 2
    assert nn.mse_loss([a, b], [0.0, 2.0], reduction="sum").data == 5.0
    assert nn.mse_loss(2.0, 5.0).data == 9.0


def test_hinge_loss() -> None:
    good, bad = mg.Node(2.0), mg.Node(0.5)
    loss = nn.hinge_loss([good, bad], [1, -1])
    loss.backward()
    # relu(1 - 2) = 0 and relu(1 + 0.5) = 1.5; mean 0.75.
    assert loss.data == 0.75
    assert (good.grad, bad.grad) == (0.0, 0.5)  # d/ds relu(1 + s) / 2 for the second
    assert nn.hinge_loss(0.5, 1.0, margin=2.0).data == 1.5
    assert nn.hinge_loss([0.0, 0.0], [1, 1], reduction="sum").data == 2.0


def test_binary_cross_entropy() -> None:
    p = mg.Node(0.8)
    loss = nn.binary_cross_entropy(p, 1.0)
    loss.backward()
    assert loss.data == pytest.approx(-math.log(0.8), rel=1e-15)
    assert p.grad == pytest.approx(-1 / 0.8, rel=1e-15)
    q = mg.Node(0.25)
    loss = nn.binary_cross_entropy(q, 0.0)
    loss.backward()
    assert loss.data == pytest.approx(-math.log(0.75), rel=1e-15)
    assert q.grad == pytest.approx(1 / 0.75, rel=1e-15)
    soft = nn.binary_cross_entropy([0.5, 0.9], [0.5, 0.2]).data
    expected = (
        -(0.5 * math.log(0.5) + 0.5 * math.log(0.5)) - (0.2 * math.log(0.9) + 0.8 * math.log(0.1))
    ) / 2
    assert soft == pytest.approx(expected, rel=1e-14)


def test_binary_cross_entropy_clamps_the_log_at_minus_100() -> None:
    # PyTorch's convention: log(0) is taken as -100, so the loss stays finite.
    assert nn.binary_cross_entropy(0.0, 1.0).data == 100.0
    assert nn.binary_cross_entropy(1.0, 0.0).data == 100.0
    assert nn.binary_cross_entropy(1.0, 1.0).data == 0.0


def test_binary_cross_entropy_with_logits_is_stable() -> None:
    x = mg.Node(0.3)
    loss = nn.binary_cross_entropy_with_logits(x, 1.0)
    loss.backward()
    sigmoid = 1 / (1 + math.exp(-0.3))
    assert loss.data == pytest.approx(-math.log(sigmoid), rel=1e-15)
    assert x.grad == pytest.approx(sigmoid - 1.0, rel=1e-14)  # sigmoid(x) - t
    # Far out in the tails the naive formula gives inf or log(0); this does not.
    assert nn.binary_cross_entropy_with_logits(1000.0, 0.0).data == 1000.0
    assert nn.binary_cross_entropy_with_logits(-1000.0, 1.0).data == 1000.0
    assert nn.binary_cross_entropy_with_logits(1000.0, 1.0).data == 0.0
    big = mg.Node(-800.0)
    nn.binary_cross_entropy_with_logits(big, 1.0).backward()
    assert big.grad == -1.0


def test_cross_entropy_single_sample() -> None:
    logits = [mg.Node(1.0), mg.Node(2.0), mg.Node(3.0)]
    loss = nn.cross_entropy(logits, 2)
    loss.backward()
    total = math.exp(1.0) + math.exp(2.0) + math.exp(3.0)
    assert loss.data == pytest.approx(math.log(total) - 3.0, rel=1e-15)
    softmax = [math.exp(v) / total for v in (1.0, 2.0, 3.0)]
    expected = [softmax[0], softmax[1], softmax[2] - 1.0]  # softmax - one-hot
    for node, value in zip(logits, expected):
        assert node.grad == pytest.approx(value, rel=1e-14)


def test_cross_entropy_large_logits_and_batches() -> None:
    assert nn.cross_entropy([1000.0, 0.0], 0).data == 0.0
    assert nn.cross_entropy([0.0, 1000.0], 0).data == 1000.0
    batch = nn.cross_entropy([[0.0, 0.0], [0.0, 1000.0]], [1, 0])
    assert batch.data == pytest.approx((math.log(2.0) + 1000.0) / 2, rel=1e-15)
    summed = nn.cross_entropy([[0.0, 0.0], [0.0, 1000.0]], [1, 0], reduction="sum")
    assert summed.data == pytest.approx(math.log(2.0) + 1000.0, rel=1e-15)


@pytest.mark.parametrize(
    "loss",
    [
        lambda a, b: nn.mse_loss([a, b], [0.5, -0.25]),
        lambda a, b: nn.hinge_loss([a, b], [1, -1]),
        lambda a, b: nn.binary_cross_entropy([mg.sigmoid(a), mg.sigmoid(b)], [0.3, 1.0]),
        lambda a, b: nn.binary_cross_entropy_with_logits([a, b], [0.3, 1.0]),
        lambda a, b: nn.cross_entropy([[a, b, 0.3], [b, a, 1.5]], [1, 0]),
    ],
)
def test_losses_pass_gradcheck(loss: Any) -> None:
    assert mg.gradcheck(loss, 0.2, -0.7)


LOSS_ERRORS: list[tuple[Any, type[Exception], str]] = [
    (lambda: nn.mse_loss([1.0, 2.0], [1.0]), ValueError,
     "mse_loss: input has 2 values but target has 1"),
    (lambda: nn.mse_loss([], []), ValueError, "mse_loss: input and target are empty"),
    (lambda: nn.mse_loss([1.0], 1.0), TypeError,
     "mse_loss: target is a single value but input is a sequence"),
    (lambda: nn.mse_loss(1.0, [1.0]), TypeError,
     "mse_loss: input is a single value but target is a sequence"),
    (lambda: nn.mse_loss("ab", "cd"), TypeError, "mse_loss: input must be a number"),
    (lambda: nn.mse_loss(1.0, 1.0, reduction="none"), ValueError,
     "mse_loss: reduction must be 'mean' or 'sum', got 'none'"),
    (lambda: nn.hinge_loss([1.0], [0]), ValueError,
     "hinge_loss: target 0 must be -1 or +1, got 0.0"),
    (lambda: nn.hinge_loss([1.0, 2.0], [1]), ValueError,
     "hinge_loss: input has 2 values but target has 1"),
    (lambda: nn.binary_cross_entropy(1.5, 1.0), ValueError,
     "binary_cross_entropy: input 0 must be in [0, 1], got 1.5"),
    (lambda: nn.binary_cross_entropy(0.5, -1.0), ValueError,
     "binary_cross_entropy: target 0 must be in [0, 1], got -1.0"),
    (lambda: nn.binary_cross_entropy_with_logits([1.0], [2.0]), ValueError,
     "binary_cross_entropy_with_logits: target 0 must be in [0, 1], got 2.0"),
    (lambda: nn.cross_entropy([1.0, 2.0], 2), ValueError,
     "cross_entropy: target 0 must be a class index in [0, 2), got 2"),
    (lambda: nn.cross_entropy([1.0, 2.0], True), TypeError,
     "cross_entropy: target must be a class index or a list of them, got bool"),
    (lambda: nn.cross_entropy([[1.0, 2.0]], [0, 1]), ValueError,
     "cross_entropy: 1 sample of logits but 2 targets"),
    (lambda: nn.cross_entropy([], []), ValueError, "cross_entropy: no samples"),
    (lambda: nn.cross_entropy([[]], [0]), ValueError, "cross_entropy: sample 0 has no logits"),
    (lambda: nn.cross_entropy([1.0, 2.0], [0, 1]), TypeError,
     "cross_entropy: sample 0 must be a list of logits, got float"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "message"), LOSS_ERRORS)
def test_loss_errors(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}"):
        call()


def test_docstring_examples() -> None:
    import doctest

    result = doctest.testmod(nn, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
