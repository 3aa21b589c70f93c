"""The tutorial's two-layer network, and its training loop.

The network has four `WeightSum` layers and a weighted sum of two of them::

    f = w1*x1 + w2*x2 + b1        g = w3*x1 + w4*x2 + b2
    h = w5*f  + w6*g  + b3        i = w7*f  + w8*g  + b4
    j = h + 2*i

with ``w1..w8 = 1..8`` and ``b1..b4 = 9..12`` to start with, trained on
``x1 = x2 = y = k/100`` to predict ``y`` with the squared error.

>>> from micrograd.models import TwoLayerNet
>>> net = TwoLayerNet()
>>> net(13.0, 14.0).data
3295.0
>>> net(13.0, 14.0).backward()
>>> net.tutorial_parameters()["w1"].grad
247.0

Imports: `micrograd.nn`, `micrograd.optim`, `micrograd.ops`, `micrograd.node`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from micrograd import checks
from micrograd.nn import Module, Parameter, WeightSum
from micrograd.nn.init import Seed, _generator
from micrograd.node import Node, NodeLike, no_grad
from micrograd.ops import op
from micrograd.optim import SGD, Optimizer

__all__ = [
    "REFERENCE",
    "TwoLayerNet",
    "seed_samples",
    "train_epoch",
    "train_two_layer",
]

#: The tutorial's reference numbers after 100 epochs at lr = 1e-3: "exact"
#: from exact gradients, "numeric" from the tutorial's own forward-difference
#: gradients (eps = 1e-10).
REFERENCE: dict[str, dict[str, float]] = {
    "exact": {
        "first_loss": 3173.084014657384,
        "last_loss": 2.8734167208895087e-12,
        "prediction": 999.9871750014445,
    },
    "numeric": {
        "first_loss": 3168.8210899716673,
        "last_loss": 2.823282168476737e-12,
        "prediction": 999.9872897758287,
    },
}

# The tutorial's names for the parameters, layer by layer.
_TUTORIAL_NAMES = {
    "f": ("w1", "w2", "b1"),
    "g": ("w3", "w4", "b2"),
    "h": ("w5", "w6", "b3"),
    "i": ("w7", "w8", "b4"),
}


# The tutorial computes the last layer and the loss as layers whose local
# gradients are forward differences too; numeric mode does the same.
@op(method="forward", eps=1e-10, name="summation")
def _summation_numeric(h: float, i: float) -> float:
    return h + 2 * i


@op(method="forward", eps=1e-10, name="mse")
def _squared_error_numeric(prediction: float, target: float) -> float:
    return (prediction - target) ** 2


class TwoLayerNet(Module):
    """The tutorial's network: `WeightSum` layers f, g, h, i and ``j = h + 2*i``.

    Args:
        numeric: build every layer (and the loss) as one op differentiated by
            the tutorial's forward difference with ``eps = 1e-10``, instead of
            with exact local gradients.
        seed: None (default) starts from the tutorial's values
            ``w1..w8 = 1..8, b1..b4 = 9..12``; an int or `random.Random`
            draws the weights uniform in [-1, 1] instead, biases 0.

    Parameter names are ``f.w1, f.w2, f.b, g.w1, …`` in `state_dict()`; the
    tutorial's names ``w1..w8, b1..b4`` are the Parameters' labels and the
    keys of `tutorial_parameters()`.
    """

    def __init__(self, numeric: bool = False, seed: Seed = None) -> None:
        super().__init__()
        #: Whether the layers and the loss use the tutorial's forward-difference
        #: gradients instead of exact ones.
        self.numeric = bool(numeric)
        if seed is None:
            #: The `WeightSum` ``f = w1*x1 + w2*x2 + b1`` (first layer).
            self.f = WeightSum(1.0, 2.0, 9.0, numeric=numeric)
            #: The `WeightSum` ``g = w3*x1 + w4*x2 + b2`` (first layer).
            self.g = WeightSum(3.0, 4.0, 10.0, numeric=numeric)
            #: The `WeightSum` ``h = w5*f + w6*g + b3`` (second layer).
            self.h = WeightSum(5.0, 6.0, 11.0, numeric=numeric)
            #: The `WeightSum` ``i = w7*f + w8*g + b4`` (second layer).
            self.i = WeightSum(7.0, 8.0, 12.0, numeric=numeric)
        else:
            rng = _generator(seed, "TwoLayerNet")
            self.f = WeightSum(numeric=numeric, seed=rng)
            self.g = WeightSum(numeric=numeric, seed=rng)
            self.h = WeightSum(numeric=numeric, seed=rng)
            self.i = WeightSum(numeric=numeric, seed=rng)
        for name, p in self.tutorial_parameters().items():
            p.label = name

    def layer_outputs(self, x1: NodeLike, x2: NodeLike) -> dict[str, Node]:
        """Every layer's output, labelled ``f, g, h, i, j``, in computation order."""
        f = self.f(x1, x2)
        g = self.g(x1, x2)
        h = self.h(f, g)
        i = self.i(f, g)
        j = _summation_numeric(h, i) if self.numeric else h + 2 * i
        outputs = {"f": f, "g": g, "h": h, "i": i, "j": j}
        for name, node in outputs.items():
            node.label = name
        return outputs

    def forward(self, x1: NodeLike, x2: NodeLike) -> Node:
        """The network's output j."""
        return self.layer_outputs(x1, x2)["j"]

    def loss(self, prediction: NodeLike, target: NodeLike) -> Node:
        """The tutorial's loss ``(prediction - target) ** 2`` (one numeric op in numeric mode)."""
        if self.numeric:
            return _squared_error_numeric(prediction, target)
        prediction = prediction if isinstance(prediction, Node) else Node(prediction)
        return (prediction - target) ** 2

    def predict(self, x1: float, x2: float) -> float:
        """The output j as a float, without recording a graph."""
        with no_grad():
            output: Node = self(x1, x2)
        return output.data

    def tutorial_parameters(self) -> dict[str, Parameter]:
        """The parameters under the tutorial's names ``w1..w8, b1..b4``, in that order."""
        named: dict[str, Parameter] = {}
        layers = {"f": self.f, "g": self.g, "h": self.h, "i": self.i}
        for layer, (w1, w2, _) in _TUTORIAL_NAMES.items():
            named[w1] = layers[layer].w1
            named[w2] = layers[layer].w2
        for layer, (_, _, b) in _TUTORIAL_NAMES.items():
            named[b] = layers[layer].b
        return named

    def extra_repr(self) -> str:
        """``numeric=True`` when set."""
        return "numeric=True" if self.numeric else ""


def seed_samples(count: int = 100) -> list[tuple[float, float, float]]:
    """The tutorial's training set: ``(x1, x2, y)`` with ``x1 = x2 = y = k/count``."""
    return [(k / count, k / count, k / count) for k in range(count)]


def train_epoch(
    net: TwoLayerNet, optimizer: Optimizer, samples: Sequence[tuple[float, float, float]]
) -> float:
    """One pass over `samples`, one update per sample; returns the mean loss.

    Each sample's loss is recorded before its update, as the tutorial does.
    """
    _check_net(net, "train_epoch")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"train_epoch: optimizer must be an Optimizer, got {checks.shown(optimizer)}"
        )
    samples = _checked_samples(samples, "train_epoch")
    total = 0.0
    for x1, x2, y in samples:
        loss = net.loss(net(x1, x2), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.data
    return total / len(samples)


def _check_net(net: object, where: str) -> None:
    if not isinstance(net, TwoLayerNet):
        raise TypeError(f"{where}: net must be a TwoLayerNet, got {checks.shown(net)}")


def _checked_samples(samples: object, where: str) -> list[tuple[float, float, float]]:
    """`samples` as a list of ``(x1, x2, y)`` floats, or a clear error naming the bad one."""
    if isinstance(samples, (str, bytes)) or not isinstance(samples, Sequence) or not samples:
        raise ValueError(
            f"{where}: samples must be a non-empty list of (x1, x2, y), got {checks.shown(samples)}"
        )
    checked = []
    for index, sample in enumerate(samples):
        if isinstance(sample, (str, bytes)) or not isinstance(sample, Sequence) or len(sample) != 3:
            raise ValueError(
                f"{where}: samples[{index}] must be (x1, x2, y), got {checks.shown(sample)}"
            )
        x1, x2, y = (checks.real(v, where, f"samples[{index}]") for v in sample)
        checked.append((x1, x2, y))
    return checked


def train_two_layer(
    net: TwoLayerNet,
    epochs: int = 100,
    lr: float = 1e-3,
    samples: int = 100,
    callback: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Train as the tutorial does: plain SGD, one update per sample; returns each epoch's mean loss.

    `callback(epoch, mean_loss)` runs after every epoch (epochs count from
    0); raise from it to stop early.

    >>> from micrograd import models
    >>> net = models.TwoLayerNet()
    >>> losses = models.train_two_layer(net, epochs=2)
    >>> round(losses[0], 6)
    3173.084015
    """
    _check_net(net, "train_two_layer")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"train_two_layer: epochs must be an int >= 0, got {epochs!r}")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"train_two_layer: samples must be a positive int, got {samples!r}")
    optimizer = SGD(net.parameters(), lr=lr)
    data = seed_samples(samples)
    losses: list[float] = []
    for epoch in range(epochs):
        mean = train_epoch(net, optimizer, data)
        losses.append(mean)
        if callback is not None:
            callback(epoch, mean)
    return losses
