"""Layers: `Linear`, `Neuron`, `Layer`, `MLP`, `Sequential` and the tutorial's `WeightSum`.

Imports: `micrograd.node`, `micrograd.ops`, `micrograd.checks`; `activations`, `init` and
`module` of this package.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from micrograd import checks
from micrograd.nn.activations import Activation, _activation, _check_size, _dot, _features
from micrograd.nn.init import Seed, _generator
from micrograd.nn.module import Module, Parameter
from micrograd.node import Node, NodeLike
from micrograd.ops import op

# ---------------------------------------------------------------------------
# Layers


class Linear(Module):
    """``y = W x + b`` with `nout` outputs, after `torch.nn.Linear`.

    `weight` is a list of `nout` rows of `nin` Parameters and `bias` a list
    of `nout` Parameters (None without bias). Both start uniform in
    ``[-1/sqrt(nin), 1/sqrt(nin)]``, PyTorch's default. `forward` takes a
    sequence of `nin` values and returns a list of `nout` Nodes.

    >>> from micrograd import nn
    >>> layer = nn.Linear(2, 3, seed=0)
    >>> len(layer([1.0, 2.0]))
    3
    """

    def __init__(self, nin: int, nout: int, bias: bool = True, seed: Seed = None) -> None:
        super().__init__()
        #: Number of input values.
        self.nin = _check_size(nin, "nin", "Linear")
        #: Number of outputs.
        self.nout = _check_size(nout, "nout", "Linear")
        rng = _generator(seed, "Linear")
        bound = 1.0 / math.sqrt(nin)
        #: The weights: `nout` rows of `nin` Parameters (row k gives output k).
        self.weight = [
            [Parameter(rng.uniform(-bound, bound)) for _ in range(nin)] for _ in range(nout)
        ]
        #: The `nout` bias Parameters, or None when built with ``bias=False``.
        self.bias = [Parameter(rng.uniform(-bound, bound)) for _ in range(nout)] if bias else None

    def forward(self, x: Sequence[NodeLike]) -> list[Node]:
        """The `nout` outputs for an input of `nin` values."""
        values = _features(x, self.nin, self)
        if self.bias is None:
            return [_dot(row, values, None) for row in self.weight]
        return [_dot(row, values, b) for row, b in zip(self.weight, self.bias)]

    def extra_repr(self) -> str:
        """``nin=…, nout=…, bias=…``."""
        return f"nin={self.nin}, nout={self.nout}, bias={self.bias is not None}"


def _nonlin_act(act: Activation | bool, nonlin: bool | None, where: str) -> Activation:
    """The activation meant by `act` and Karpathy's `nonlin` (True: relu, False: linear)."""
    if isinstance(act, bool):  # his positional Neuron(nin, nonlin)
        if nonlin is not None:
            raise TypeError(f"{where}: nonlin given twice")
        return "relu" if act else "linear"
    if nonlin is None:
        return act
    if not isinstance(nonlin, bool):
        raise TypeError(f"{where}: nonlin must be True or False, got {type(nonlin).__name__}")
    if act != "relu":
        raise TypeError(f"{where}: give act or nonlin, not both (act={act!r}, nonlin={nonlin})")
    return "relu" if nonlin else "linear"


class Neuron(Module):
    """``act(w · x + b)``: one output, Karpathy's micrograd neuron.

    Weights start uniform in ``[-1, 1]`` and the bias at 0. His signature
    works too: ``Neuron(nin, nonlin=True)`` (ReLU) or ``nonlin=False``
    (linear), and so does a bool in `act`'s place, as in ``Neuron(3, False)``.

    >>> from micrograd import nn
    >>> nn.Neuron(3, nonlin=False, seed=0).act
    'linear'

    Args:
        nin: the number of inputs.
        act: "relu" (default), "tanh", "sigmoid", "linear"/None, or a function;
            a bool here is Karpathy's `nonlin`, given by position.
        seed: an int or `random.Random` for the initial weights.
        nonlin: Karpathy's switch: True for "relu", False for "linear"; give
            it or `act`, not both.
    """

    #: The activation's name: "relu", "tanh", "sigmoid", "linear", or the
    #: given function's name.
    act: str

    def __init__(
        self,
        nin: int,
        act: Activation | bool = "relu",
        seed: Seed = None,
        *,
        nonlin: bool | None = None,
    ) -> None:
        super().__init__()
        #: Number of input values.
        self.nin = _check_size(nin, "nin", "Neuron")
        self.act, self._act = _activation(_nonlin_act(act, nonlin, "Neuron"), "Neuron")
        rng = _generator(seed, "Neuron")
        #: The `nin` weight Parameters, one per input.
        self.w = [Parameter(rng.uniform(-1.0, 1.0)) for _ in range(nin)]
        #: The bias Parameter.
        self.b = Parameter(0.0)

    def forward(self, x: Sequence[NodeLike]) -> Node:
        """The neuron's output for `nin` input values."""
        total = _dot(self.w, _features(x, self.nin, self), self.b)
        return total if self._act is None else self._act(total)

    def extra_repr(self) -> str:
        """``nin=…, act=…``."""
        return f"nin={self.nin}, act={self.act!r}"


class Layer(Module):
    """`nout` Neurons on the same inputs, Karpathy's micrograd layer.

    `forward` takes `nin` values and returns a list of `nout` Nodes, also
    when `nout` is 1 (where Karpathy's returns the single value). His
    signature works too: ``Layer(nin, nout, nonlin=False)``.

    Args:
        nin: the number of inputs of each neuron.
        nout: the number of neurons, so of outputs.
        act: every neuron's activation, as for `Neuron`.
        seed: an int or `random.Random` for the initial weights.
        nonlin: Karpathy's switch, as for `Neuron`.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        act: Activation | bool = "relu",
        seed: Seed = None,
        *,
        nonlin: bool | None = None,
    ) -> None:
        super().__init__()
        #: Number of input values.
        self.nin = _check_size(nin, "nin", "Layer")
        #: Number of neurons, so of outputs.
        self.nout = _check_size(nout, "nout", "Layer")
        act = _nonlin_act(act, nonlin, "Layer")
        rng = _generator(seed, "Layer")
        #: The `nout` Neurons, each with its own weights and bias.
        self.neurons = [Neuron(nin, act=act, seed=rng) for _ in range(nout)]

    def forward(self, x: Sequence[NodeLike]) -> list[Node]:
        """Each neuron's output for `nin` input values."""
        values = _features(x, self.nin, self)
        return [neuron(values) for neuron in self.neurons]

    def extra_repr(self) -> str:
        """``nin=…, nout=…, act=…``."""
        return f"nin={self.nin}, nout={self.nout}, act={self.neurons[0].act!r}"

    def __repr__(self) -> str:
        # Every neuron shares the layer's settings: one line says it all.
        return f"Layer({self.extra_repr()})"


class MLP(Module):
    """A multi-layer perceptron: `Layer`s of the given sizes, the last one linear.

    ``MLP(2, [16, 16, 1])`` is Karpathy's demo network: two hidden layers of
    16 ReLU neurons and one linear output. `forward` returns a list with one
    Node per output of the last layer.

    >>> from micrograd import nn
    >>> model = nn.MLP(3, [4, 4, 1], seed=1)
    >>> len(model.parameters())
    41
    """

    def __init__(
        self, nin: int, sizes: Sequence[int], act: Activation = "relu", seed: Seed = None
    ) -> None:
        super().__init__()
        #: Number of input values.
        self.nin = _check_size(nin, "nin", "MLP")
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or not sizes:
            raise ValueError(f"MLP: sizes must be a non-empty list of layer sizes, got {sizes!r}")
        for size in sizes:
            _check_size(size, "every layer size", "MLP")
        rng = _generator(seed, "MLP")
        widths = [nin, *sizes]
        last = len(sizes) - 1
        #: The `Layer`s, first to last; the last one is linear.
        self.layers = [
            Layer(widths[k], widths[k + 1], act="linear" if k == last else act, seed=rng)
            for k in range(len(sizes))
        ]

    def forward(self, x: Sequence[NodeLike]) -> list[Node]:
        """The last layer's outputs for `nin` input values."""
        values: Sequence[NodeLike] = x
        outputs: list[Node] = []
        for layer in self.layers:
            outputs = layer(values)
            values = outputs
        return outputs

    def extra_repr(self) -> str:
        """``nin=…, sizes=[…]``."""
        return f"nin={self.nin}, sizes={[layer.nout for layer in self.layers]}"


class Sequential(Module):
    """Modules applied one after another; each output is the next one's input.

    Sub-modules are named ``"0"``, ``"1"``, … as in PyTorch.

    >>> from micrograd import nn
    >>> model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.ReLU(), nn.Linear(4, 1, seed=1))
    >>> [name for name, _ in model.named_parameters()][:2]
    ['0.weight.0.0', '0.weight.0.1']
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: argument {index} must be a Module, got {type(module).__name__}"
                )
            setattr(self, str(index), module)
        self._length = len(modules)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> Module:
        if not -self._length <= index < self._length:
            raise IndexError(f"Sequential: index {index} out of range for {self._length} modules")
        module: Module = getattr(self, str(index % self._length))
        return module

    def __iter__(self) -> Iterator[Module]:
        for index in range(self._length):
            yield self[index]

    def forward(self, x: Any) -> Any:
        """Pass `x` through every module in order."""
        for module in self:
            x = module(x)
        return x


class WeightSum(Module):
    """``w1*x1 + w2*x2 + b``: the layer of the tutorial's two-layer network.

    Initial values may be given; those left out are drawn uniform in
    ``[-1, 1]`` (weights) or set to 0 (bias). With ``numeric=True`` the layer
    is one op whose local gradients come from the tutorial's forward
    difference (``eps = 1e-10``) instead of the exact ones.

    >>> from micrograd import nn
    >>> layer = nn.WeightSum(w1=2.0, w2=3.0, b=4.0)
    >>> layer(5.0, 6.0).data
    32.0
    """

    def __init__(
        self,
        w1: float | None = None,
        w2: float | None = None,
        b: float | None = None,
        *,
        numeric: bool = False,
        seed: Seed = None,
    ) -> None:
        super().__init__()
        rng = _generator(seed, "WeightSum")  # drawn from only for weights left out
        #: The weight of the first input, `x1`.
        self.w1 = Parameter(
            rng.uniform(-1.0, 1.0) if w1 is None else checks.real(w1, "WeightSum", "w1")
        )
        #: The weight of the second input, `x2`.
        self.w2 = Parameter(
            rng.uniform(-1.0, 1.0) if w2 is None else checks.real(w2, "WeightSum", "w2")
        )
        #: The bias.
        self.b = Parameter(0.0 if b is None else _weight(b, "b"))
        #: Whether the layer is one op with forward-difference local gradients.
        self.numeric = bool(numeric)

    def forward(self, x1: NodeLike, x2: NodeLike) -> Node:
        """``w1*x1 + w2*x2 + b``."""
        if self.numeric:
            return _weight_sum_numeric(self.w1, self.w2, self.b, x1, x2)
        return self.w1 * x1 + self.w2 * x2 + self.b

    def extra_repr(self) -> str:
        """The current values, and ``numeric=True`` when set."""
        numeric = ", numeric=True" if self.numeric else ""
        return f"w1={self.w1.data!r}, w2={self.w2.data!r}, b={self.b.data!r}{numeric}"


@op(method="forward", eps=1e-10, name="weight_sum")
def _weight_sum_numeric(w1: float, w2: float, b: float, x1: float, x2: float) -> float:
    return w1 * x1 + w2 * x2 + b


def _weight(value: object, name: str) -> float:
    return checks.real(value, "WeightSum", name)
