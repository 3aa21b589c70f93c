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
"""

from __future__ import annotations

import inspect
import json
import math
import os
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from micrograd.node import Node, NodeLike
from micrograd.ops import log, maximum, op, relu, sigmoid, softplus, tanh

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

# ---------------------------------------------------------------------------
# Random initialisation

#: What layers accept as `seed`: an int for a private generator, a
#: `random.Random` to share one, or None for micrograd's shared generator.
Seed = int | random.Random | None

_shared_generator = random.Random()


def manual_seed(seed: int) -> None:
    """Reset micrograd's shared random generator, as `torch.manual_seed` does.

    Layers built afterwards without a ``seed=`` argument get the same initial
    values on every run. Python's global `random` module is left alone.

    >>> import micrograd as mg
    >>> mg.manual_seed(0); a = mg.nn.Neuron(2).w[0].data
    >>> mg.manual_seed(0); b = mg.nn.Neuron(2).w[0].data
    >>> a == b
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"manual_seed: expected an int, got {type(seed).__name__} ({seed!r})")
    _shared_generator.seed(seed)


def _generator(seed: Seed, where: str) -> random.Random:
    if seed is None:
        return _shared_generator
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(
        f"{where}: seed must be an int, a random.Random or None, got {type(seed).__name__}"
    )


# ---------------------------------------------------------------------------
# Parameter and Module


class Parameter(Node):
    """A Node that a `Module` collects and an optimizer updates.

    >>> from micrograd.nn import Parameter
    >>> Parameter(0.5, label="w")
    Parameter(data=0.5, grad=0.0, label='w')
    """

    __slots__ = ()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Parameter(data={self.data!r}, grad={self.grad!r}{label})"


class IncompatibleKeys(NamedTuple):
    """What `Module.load_state_dict(strict=False)` could not match."""

    #: Names of the module's parameters that the state dict did not give.
    missing_keys: list[str]
    #: Names in the state dict that the module has no parameter for.
    unexpected_keys: list[str]


class _Signature(NamedTuple):
    """How many positional inputs a `forward` takes, for the check in `__call__`."""

    required: int
    maximum: int | None  # None: any number (*args)
    names: tuple[str, ...]


_signatures: dict[type, _Signature | None] = {}


def _forward_signature(cls: type) -> _Signature | None:
    """The positional inputs of `cls.forward` (None when it accepts anything)."""
    if cls in _signatures:
        return _signatures[cls]
    result: _Signature | None = None
    forward = getattr(cls, "forward", None)
    if forward is not None and forward is not Module.forward:
        parameters = list(inspect.signature(forward).parameters.values())[1:]
        positional = [
            p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        variadic = any(p.kind is p.VAR_POSITIONAL for p in parameters)
        result = _Signature(
            required=sum(1 for p in positional if p.default is p.empty),
            maximum=None if variadic else len(positional),
            names=tuple(p.name for p in positional),
        )
    _signatures[cls] = result
    return result


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _walk_container(name: str, value: object) -> Iterator[tuple[str, Parameter | Module]]:
    """Parameters and Modules inside an attribute value, with dotted names."""
    if isinstance(value, (Parameter, Module)):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk_container(f"{name}.{index}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_container(f"{name}.{key}", item)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Module:
    """Base class of layers and models, after `torch.nn.Module`.

    Subclasses set Parameters and sub-Modules as attributes (directly, or in
    lists, tuples and dicts) and define `forward`. Calling the module checks
    the number of inputs against `forward`'s signature and runs it.

    >>> from micrograd.nn import Module, Parameter
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.k = Parameter(2.0)
    ...     def forward(self, x):
    ...         return self.k * x
    >>> Scale()(3.0).data
    6.0
    >>> [name for name, _ in Scale().named_parameters()]
    ['k']
    """

    #: True after `train()` (the default), False after `eval()`.
    training: bool = True

    def __init__(self) -> None:
        self.training = True

    # -- calling --------------------------------------------------------------

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; every subclass defines it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run `forward`, after checking the number of inputs it takes."""
        signature = _forward_signature(type(self))
        if signature is not None:
            if kwargs:
                self._check_bound(args, kwargs)
            elif len(args) < signature.required or (
                signature.maximum is not None and len(args) > signature.maximum
            ):
                raise self._wrong_inputs(signature, len(args))
        return self.forward(*args, **kwargs)

    def _wrong_inputs(self, signature: _Signature, found: int) -> TypeError:
        low, high = signature.required, signature.maximum
        if high is None:
            expected = f"at least {_plural(low, 'input')}"
        elif low == high:
            expected = _plural(low, "input")
        else:
            expected = f"{low} to {high} inputs"
        names = ", ".join(signature.names)
        return TypeError(f"{type(self).__name__} expects {expected} ({names}), got {found}")

    def _check_bound(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            inspect.signature(self.forward).bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{type(self).__name__}: {error}") from None

    # -- what the module holds -----------------------------------------------

    def _members(self) -> Iterator[tuple[str, Parameter | Module]]:
        """This module's own Parameters and sub-Modules, in definition order."""
        for name, value in vars(self).items():
            yield from _walk_container(name, value)

    def _walk(self, prefix: str, seen: set[int]) -> Iterator[tuple[str, Parameter | Module]]:
        """Every Parameter and Module below this one, depth first, each once."""
        for name, member in self._members():
            if id(member) in seen:
                continue
            seen.add(id(member))
            full = _join(prefix, name)
            yield full, member
            if isinstance(member, Module):
                yield from member._walk(full, seen)

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, Parameter)`` pairs in definition order, each Parameter once.

        >>> from micrograd import nn
        >>> [name for name, _ in nn.Neuron(2, seed=0).named_parameters()]
        ['w.0', 'w.1', 'b']
        """
        seen = {id(self)}
        if recurse:
            members: Iterator[tuple[str, Parameter | Module]] = self._walk(prefix, seen)
        else:
            members = ((_join(prefix, n), m) for n, m in self._members())
        emitted: set[int] = set()
        for name, member in members:
            if isinstance(member, Parameter) and id(member) not in emitted:
                emitted.add(id(member))
                yield name, member

    def parameters(self, recurse: bool = True) -> list[Parameter]:
        """Every Parameter of this module and its sub-modules, in definition order."""
        return [p for _, p in self.named_parameters(recurse=recurse)]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(dotted name, Module)`` for this module (name `prefix`) and every one below."""
        yield prefix, self
        for name, member in self._walk(prefix, {id(self)}):
            if isinstance(member, Module):
                yield name, member

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, each once."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, Module)`` for the direct sub-modules, each once."""
        seen: set[int] = set()
        for name, member in self._members():
            if isinstance(member, Module) and id(member) not in seen and member is not self:
                seen.add(id(member))
                yield name, member

    def children(self) -> Iterator[Module]:
        """The direct sub-modules, each once."""
        for _, module in self.named_children():
            yield module

    # -- training --------------------------------------------------------------

    def zero_grad(self) -> None:
        """Set `.grad` of every parameter to 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        """Set `training` on this module and every sub-module; returns self."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Same as ``train(False)``."""
        return self.train(False)

    # -- state -----------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value as a plain float, by dotted name.

        >>> from micrograd import nn
        >>> nn.WeightSum(w1=1.0, w2=2.0, b=3.0).state_dict()
        {'w1': 1.0, 'w2': 2.0, 'b': 3.0}
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(
        self, state_dict: Mapping[str, float], strict: bool = True
    ) -> IncompatibleKeys:
        """Set parameter values from a mapping of dotted names to numbers.

        Everything is checked before anything is changed, so on any error the
        module keeps exactly the values it had:

        * a name the module does not have, or (with ``strict=True``, the
          default) a parameter missing from `state_dict`: ValueError listing them;
        * a value that is not an int or float (bools included): TypeError;
        * a value that is NaN or infinite: ValueError. A model trained to a
          non-finite value is not worth restoring, and JSON cannot carry one.

        Returns the missing and unexpected names (both empty under ``strict``).
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{where}: expected a mapping of names to numbers, got {type(state_dict).__name__}"
            )
        parameters = dict(self.named_parameters())
        missing = [name for name in parameters if name not in state_dict]
        unexpected = [str(name) for name in state_dict if name not in parameters]
        if strict and (missing or unexpected):
            problems = []
            if missing:
                problems.append(f"missing key(s): {', '.join(missing)}")
            if unexpected:
                problems.append(f"unexpected key(s): {', '.join(unexpected)}")
            raise ValueError(f"{where}: {'; '.join(problems)}")
        updates: list[tuple[Parameter, float]] = []
        for name, p in parameters.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            if not _is_number(value):
                raise TypeError(
                    f"{where}: value of {name!r} must be a number, "
                    f"got {type(value).__name__} ({value!r})"
                )
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(
                    f"{where}: value of {name!r} is {number!r}; expected a finite number"
                )
            updates.append((p, number))
        for p, number in updates:
            p.data = number
        return IncompatibleKeys(missing, unexpected)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write `state_dict()` to `path` as a JSON object of names to numbers.

        Raises ValueError (and writes nothing) if a parameter is NaN or infinite.
        """
        state = self.state_dict()
        bad = [name for name, value in state.items() if not math.isfinite(value)]
        if bad:
            raise ValueError(
                f"{type(self).__name__}.save: parameter(s) {', '.join(bad)} are not finite"
                f" ({', '.join(repr(state[name]) for name in bad)}); nothing was written"
            )
        text = json.dumps(state, indent=2, allow_nan=False)
        Path(path).write_text(text + "\n", encoding="utf-8")

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> IncompatibleKeys:
        """Read a file written by `save` and load it with `load_state_dict`.

        A file that is not valid JSON, is not an object of names to numbers,
        or does not match the module raises an error naming the file, and the
        module keeps the values it had.
        """
        text = Path(path).read_text(encoding="utf-8")
        try:
            state = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"{os.fspath(path)}: not valid JSON ({error})") from None
        if not isinstance(state, dict):
            raise ValueError(
                f"{os.fspath(path)}: expected a JSON object of parameter names to numbers,"
                f" found a JSON {type(state).__name__}"
            )
        try:
            return self.load_state_dict(state, strict=strict)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{os.fspath(path)}: {error}") from None

    # -- printing --------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text inside this module's parentheses in `repr` (override to add some)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        children = _collapse([(name, repr(child)) for name, child in self.named_children()])
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}("]
        if extra:
            lines.append(f"  {extra}")
        for name, text in children:
            body = text.replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)


def _collapse(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge runs like ``(layers.0)``, ``(layers.1)`` with equal text into ``(layers.0-1)``."""
    result: list[tuple[str, str]] = []
    index = 0
    while index < len(entries):
        name, text = entries[index]
        stem, _, number = name.rpartition(".")
        end = index + 1
        if number.isdigit():
            while end < len(entries):
                other_stem, _, other_number = entries[end][0].rpartition(".")
                expected = str(int(number) + (end - index))
                if other_stem != stem or other_number != expected or entries[end][1] != text:
                    break
                end += 1
        count = end - index
        if count > 1:
            span = f"{number}-{int(number) + count - 1}"
            result.append((_join(stem, span), f"{count} x {text}"))
        else:
            result.append((name, text))
        index = end
    return result


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
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(
            f"{where}: expected a sequence of {nin} input values, got {type(x).__name__}"
        )
    if len(x) != nin:
        raise ValueError(f"{where}: expected {_plural(nin, 'input value')}, got {len(x)}")
    return x


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


class Neuron(Module):
    """``act(w · x + b)``: one output, Karpathy's micrograd neuron.

    Weights start uniform in ``[-1, 1]`` and the bias at 0.

    Args:
        nin: the number of inputs.
        act: "relu" (default), "tanh", "sigmoid", "linear"/None, or a function.
        seed: an int or `random.Random` for the initial weights.
    """

    #: The activation's name: "relu", "tanh", "sigmoid", "linear", or the
    #: given function's name.
    act: str

    def __init__(self, nin: int, act: Activation = "relu", seed: Seed = None) -> None:
        super().__init__()
        #: Number of input values.
        self.nin = _check_size(nin, "nin", "Neuron")
        self.act, self._act = _activation(act, "Neuron")
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

    `forward` takes `nin` values and returns a list of `nout` Nodes.
    """

    def __init__(self, nin: int, nout: int, act: Activation = "relu", seed: Seed = None) -> None:
        super().__init__()
        #: Number of input values.
        self.nin = _check_size(nin, "nin", "Layer")
        #: Number of neurons, so of outputs.
        self.nout = _check_size(nout, "nout", "Layer")
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
        self.w1 = Parameter(rng.uniform(-1.0, 1.0) if w1 is None else w1)
        #: The weight of the second input, `x2`.
        self.w2 = Parameter(rng.uniform(-1.0, 1.0) if w2 is None else w2)
        #: The bias.
        self.b = Parameter(0.0 if b is None else b)
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


# ---------------------------------------------------------------------------
# Losses

_REDUCTIONS = ("mean", "sum")

#: What the losses accept as `input` and `target`: one value, or a sequence of values.
Values = NodeLike | Sequence[NodeLike]


def _is_scalar(value: object) -> bool:
    return isinstance(value, (Node, int, float))


def _pairs(input: Values, target: Values, where: str) -> list[tuple[NodeLike, NodeLike]]:
    """Pair up predictions and targets, checking that both are values or equal-length lists."""
    if _is_scalar(input) and _is_scalar(target):
        return [(input, target)]  # type: ignore[list-item]
    if _is_scalar(input) or _is_scalar(target):
        one, other = ("input", "target") if _is_scalar(input) else ("target", "input")
        raise TypeError(
            f"{where}: {one} is a single value but {other} is a sequence; pass both as"
            " single values or both as sequences of the same length"
        )
    for name, value in (("input", input), ("target", target)):
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeError(
                f"{where}: {name} must be a number, a Node or a sequence of them,"
                f" got {type(value).__name__}"
            )
    assert isinstance(input, Sequence) and isinstance(target, Sequence)
    if len(input) != len(target):
        raise ValueError(
            f"{where}: input has {_plural(len(input), 'value')} but target has {len(target)}"
        )
    if not input:
        raise ValueError(f"{where}: input and target are empty")
    return list(zip(input, target))


def _reduce(terms: list[Node], reduction: str) -> Node:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    if reduction == "mean" and len(terms) > 1:
        return total / len(terms)
    return total


def _check_reduction(reduction: str, where: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean' or 'sum', got {reduction!r}")


def _value_of(x: NodeLike) -> float:
    return x.data if isinstance(x, Node) else float(x)


def mse_loss(input: Values, target: Values, reduction: str = "mean") -> Node:
    """Squared error ``(input - target) ** 2``, averaged (or summed) over a list.

    >>> from micrograd import nn
    >>> nn.mse_loss([1.0, 2.0], [0.0, 0.0]).data
    2.5
    """
    _check_reduction(reduction, "mse_loss")
    pairs = _pairs(input, target, "mse_loss")
    terms = [(_as_node(x) - y) ** 2 for x, y in pairs]
    return _reduce(terms, reduction)


def _as_node(x: NodeLike) -> Node:
    return x if isinstance(x, Node) else Node(x)


def hinge_loss(input: Values, target: Values, margin: float = 1.0, reduction: str = "mean") -> Node:
    """The SVM max-margin loss ``relu(margin - target * input)`` for targets -1 or +1.

    This is the loss of Karpathy's micrograd demo (`input` is the raw score).

    >>> from micrograd import nn
    >>> nn.hinge_loss([2.0, 0.5], [1, -1]).data
    0.75
    """
    _check_reduction(reduction, "hinge_loss")
    pairs = _pairs(input, target, "hinge_loss")
    for index, (_, y) in enumerate(pairs):
        if _value_of(y) not in (-1.0, 1.0):
            raise ValueError(f"hinge_loss: target {index} must be -1 or +1, got {_value_of(y)!r}")
    terms = [relu(margin - _as_node(x) * y) for x, y in pairs]
    return _reduce(terms, reduction)


# PyTorch clamps log-probabilities at -100 so that a probability of exactly 0
# or 1 gives a large finite loss instead of inf.
_LOG_FLOOR = math.exp(-100.0)


def _clamped_log(x: Node) -> Node:
    return log(maximum(x, _LOG_FLOOR))


def binary_cross_entropy(input: Values, target: Values, reduction: str = "mean") -> Node:
    """``-(t*log(p) + (1-t)*log(1-p))`` for probabilities `p` in [0, 1].

    Each log is floored at -100, as PyTorch does, so ``p`` of exactly 0 or 1
    gives a finite loss. For raw scores use `binary_cross_entropy_with_logits`,
    which is more accurate.

    >>> from micrograd import nn
    >>> round(nn.binary_cross_entropy(0.5, 1.0).data, 6)
    0.693147
    """
    _check_reduction(reduction, "binary_cross_entropy")
    pairs = _pairs(input, target, "binary_cross_entropy")
    for index, (p, t) in enumerate(pairs):
        for name, value in (("input", _value_of(p)), ("target", _value_of(t))):
            if not 0.0 <= value <= 1.0:
                raise ValueError(
                    f"binary_cross_entropy: {name} {index} must be in [0, 1], got {value!r}"
                )
    terms = []
    for p, t in pairs:
        node = _as_node(p)
        terms.append(-(t * _clamped_log(node) + (1 - t) * _clamped_log(1 - node)))
    return _reduce(terms, reduction)


def binary_cross_entropy_with_logits(
    input: Values, target: Values, reduction: str = "mean"
) -> Node:
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits.

    Uses ``softplus(x) - x*t``, which equals
    ``-(t*log(sigmoid(x)) + (1-t)*log(1-sigmoid(x)))`` and never overflows.

    >>> from micrograd import nn
    >>> round(nn.binary_cross_entropy_with_logits(0.0, 1.0).data, 6)
    0.693147
    >>> nn.binary_cross_entropy_with_logits(-1000.0, 1.0).data
    1000.0
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    pairs = _pairs(input, target, "binary_cross_entropy_with_logits")
    for index, (_, t) in enumerate(pairs):
        if not 0.0 <= _value_of(t) <= 1.0:
            raise ValueError(
                f"binary_cross_entropy_with_logits: target {index} must be in [0, 1],"
                f" got {_value_of(t)!r}"
            )
    terms = [softplus(_as_node(x)) - x * t for x, t in pairs]
    return _reduce(terms, reduction)


def _log_sum_exp(logits: Sequence[NodeLike]) -> Node:
    # Shifting by the largest value keeps every exp <= 1; the shift is a
    # constant, so the gradient (the softmax) is unchanged.
    shift = max(_value_of(v) for v in logits)
    total: Node | None = None
    for v in logits:
        term = (_as_node(v) - shift).exp()
        total = term if total is None else total + term
    assert total is not None
    return total.log() + shift


def cross_entropy(
    logits: Sequence[NodeLike] | Sequence[Sequence[NodeLike]],
    target: int | Sequence[int],
    reduction: str = "mean",
) -> Node:
    """Softmax cross-entropy ``logsumexp(logits) - logits[target]``.

    Either one sample (a list of logits and an int class index) or a batch
    (a list of such lists and a list of ints). The log-sum-exp is shifted by
    the largest logit, so large logits do not overflow.

    >>> from micrograd import nn
    >>> round(nn.cross_entropy([0.0, 0.0], 1).data, 6)
    0.693147
    >>> nn.cross_entropy([1000.0, 0.0], 0).data
    0.0
    """
    _check_reduction(reduction, "cross_entropy")
    if _is_class_index(target):
        samples: list[Sequence[NodeLike]] = [logits]  # type: ignore[list-item]
        targets: list[int] = [target]  # type: ignore[list-item]
    else:
        if isinstance(target, (str, bytes)) or not isinstance(target, Sequence):
            raise TypeError(
                f"cross_entropy: target must be a class index or a list of them,"
                f" got {type(target).__name__}"
            )
        samples = list(logits)  # type: ignore[arg-type]
        targets = list(target)
        if len(samples) != len(targets):
            raise ValueError(
                f"cross_entropy: {_plural(len(samples), 'sample')} of logits but"
                f" {len(targets)} targets"
            )
        if not samples:
            raise ValueError("cross_entropy: no samples")
    terms = []
    for index, (row, t) in enumerate(zip(samples, targets)):
        if _is_scalar(row) or isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise TypeError(
                f"cross_entropy: sample {index} must be a list of logits, got {type(row).__name__}"
            )
        if not row:
            raise ValueError(f"cross_entropy: sample {index} has no logits")
        if not _is_class_index(t) or not 0 <= t < len(row):
            raise ValueError(
                f"cross_entropy: target {index} must be a class index in [0, {len(row)}), got {t!r}"
            )
        terms.append(_log_sum_exp(row) - row[t])
    return _reduce(terms, reduction)


def _is_class_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
