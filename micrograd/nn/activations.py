"""Activation functions as modules (`ReLU`, `Tanh`, `Sigmoid`) and by name for layers.

Imports: `micrograd.node`, `micrograd.ops`; `module` of this package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from micrograd.nn.module import Module, _plural
from micrograd.node import Node, NodeLike
from micrograd.ops import relu, sigmoid, tanh

# ---------------------------------------------------------------------------
# Activations

#: What layers accept as `act`: a name ("relu", "tanh", "sigmoid", "linear"),
#: None (same as "linear"), or a function of one Node.
Activation = str | Callable[[Node], Node] | None

_ACTIVATIONS: dict[str, Callable[[NodeLike], Node] | None] = {
    "relu": relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "linear": None,
}


def _activation(act: Activation, where: str) -> tuple[str, Callable[[Node], Node] | None]:
    """The name shown in `repr` and the function applied (None for linear)."""
    if act is None:
        return "linear", None
    if isinstance(act, str):
        if act not in _ACTIVATIONS:
            raise ValueError(
                f"{where}: act must be one of {', '.join(map(repr, _ACTIVATIONS))},"
                f" None or a function; got {act!r}"
            )
        return act, _ACTIVATIONS[act]
    if callable(act):
        return getattr(act, "__name__", type(act).__name__), act
    raise TypeError(f"{where}: act must be a name, None or a function; got {type(act).__name__}")


def _features(x: NodeLike | Sequence[NodeLike], nin: int, owner: Module) -> Sequence[NodeLike]:
    """The input vector of a layer, checked against its number of input features."""
    if isinstance(x, (list, tuple)) and len(x) == nin:
        return x  # the common case, kept cheap: layers call this for every neuron
    where = repr(owner)
    if isinstance(x, (Node, int, float)):
        if nin == 1:
            return (x,)
        raise ValueError(f"{where}: expected a sequence of {nin} input values, got a single value")
    if not isinstance(x, Sequence) and _array_like(x):
        x = tuple(x)  # a NumPy array row, say, as Karpathy's micrograd accepts
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(
            f"{where}: expected a sequence of {nin} input values, got {type(x).__name__}"
        )
    if len(x) != nin:
        raise ValueError(f"{where}: expected {_plural(nin, 'input value')}, got {len(x)}")
    return x


def _array_like(x: object) -> bool:
    """Indexable with a length, like a sequence, though not registered as one (a NumPy array)."""
    kind = type(x)
    return hasattr(kind, "__len__") and hasattr(kind, "__getitem__") and not isinstance(x, Mapping)


def _dot(weights: Sequence[Node], x: Sequence[NodeLike], bias: Node | None) -> Node:
    """``bias + sum(w * x)``, built left to right."""
    if bias is not None:
        total = bias
        start = 0
    else:
        total = weights[0] * x[0]
        start = 1
    for w, value in zip(weights[start:], x[start:]):
        total = total + w * value
    return total


def _check_size(value: object, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive int, got {value!r}")
    return value


class _Elementwise(Module):
    """An activation applied to one value or to each value of a sequence."""

    function: Callable[[NodeLike], Node]

    def forward(self, x: NodeLike | Sequence[NodeLike]) -> Node | list[Node]:
        """The activation of `x`, or of each element when `x` is a sequence."""
        if isinstance(x, (Node, int, float)):
            return type(self).function(x)
        return [type(self).function(v) for v in x]


class ReLU(_Elementwise):
    """``max(x, 0)`` as a module, for `Sequential`; works on a value or a list."""

    #: The op applied to each value: `micrograd.ops.relu`.
    function = relu


class Tanh(_Elementwise):
    """``tanh(x)`` as a module, for `Sequential`; works on a value or a list."""

    #: The op applied to each value: `micrograd.ops.tanh`.
    function = tanh


class Sigmoid(_Elementwise):
    """``sigmoid(x)`` as a module, for `Sequential`; works on a value or a list."""

    #: The op applied to each value: `micrograd.ops.sigmoid`.
    function = sigmoid
