"""Neural networks: `Parameter`, `Module`, layers and losses.

A `Module` holds `Parameter`s (Nodes that an optimizer updates) and other
Modules as ordinary attributes, lists, tuples or dicts; `parameters()` finds
them in definition order. Calling a module runs its `forward`.

>>> import micrograd as mg
>>> from micrograd import nn
>>> model = nn.MLP(2, [4, 1], seed=0)
>>> out = model([1.0, -2.0])[0]
>>> loss = nn.mse_loss(out, 1.0)
>>> model.zero_grad()
>>> loss.backward()
>>> len(model.parameters())
17

Random initialisation draws from a generator that belongs to micrograd (the
global `random` module is never touched): pass ``seed=`` to a layer for a
private generator, or call `manual_seed(n)` to reset the shared one.

The package, one job per module, each importing only those above it here:

* `init`: micrograd's random generator, `manual_seed`;
* `module`: `Parameter`, `Module`, state dictionaries, saving and loading;
* `activations`: `ReLU`, `Tanh`, `Sigmoid`, and activations named by a string;
* `layers`: `Linear`, `Neuron`, `Layer`, `MLP`, `Sequential`, `WeightSum`;
* `losses`: `mse_loss`, `hinge_loss`, the cross entropies.

Imports: `micrograd.node`, `micrograd.ops`; never `optim`, `compile`, `viz` or `cli`.
"""

from micrograd.nn.activations import Activation, ReLU, Sigmoid, Tanh
from micrograd.nn.init import manual_seed
from micrograd.nn.layers import MLP, Layer, Linear, Neuron, Sequential, WeightSum
from micrograd.nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
)
from micrograd.nn.module import IncompatibleKeys, Module, Parameter

__all__ = [
    "MLP",
    "Activation",
    "IncompatibleKeys",
    "Layer",
    "Linear",
    "Module",
    "Neuron",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "WeightSum",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_loss",
    "manual_seed",
    "mse_loss",
]
