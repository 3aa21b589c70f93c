"""`Parameter` and `Module`: parameters found from attributes, modes, state save and load.

Imports: `micrograd.node`, `micrograd.checks`, `micrograd.files`.
"""

from __future__ import annotations

import inspect
import json
import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from micrograd import checks, files
from micrograd.node import Node

# ---------------------------------------------------------------------------
# Parameter and Module


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; a key given twice is an error, not a silent overwrite."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears more than once")
        result[key] = value
    return result


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
            if _holds_members(item):
                _check_part(key, f"{name}[{key!r}]")
            yield from _walk_container(f"{name}.{key}", item)


def _holds_members(value: object) -> bool:
    """Whether `value` is, or contains, a Parameter or a Module."""
    return next(_walk_container("", value), None) is not None


def _check_part(part: object, where: str) -> None:
    """Refuse a name part that would make dotted names ambiguous (as PyTorch does)."""
    if not isinstance(part, str):
        raise TypeError(
            f"{where}: a key of a dict holding parameters must be a str, got {checks.shown(part)}"
        )
    if not part or "." in part:
        raise ValueError(
            f"{where}: a name of a parameter or module must be non-empty and contain no '.'"
            f" (its dotted name would collide with a nested one), got {part!r}"
        )


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


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

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute; names of parameters and modules are checked for collisions.

        A parameter's dotted name is its path of attribute names, list indices
        and dict keys. A name that contains a dot (``"a.b"``) could equal a
        nested path (``a`` then ``b``), so such names, and dict keys that are
        not strings, are refused here, when they are set.
        """
        if _holds_members(value):
            _check_part(name, f"{type(self).__name__}.{name}")
            for _ in _walk_container(name, value):  # checks the dict keys inside
                pass
        object.__setattr__(self, name, value)

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
        names: set[str] = set()
        for name, member in members:
            if isinstance(member, Parameter) and id(member) not in emitted:
                # Set after assignment (a dict filled later), a dotted key can still
                # collide with a nested name: refuse rather than lose a parameter.
                if name in names:
                    raise ValueError(
                        f"{type(self).__name__}: two different parameters are both named"
                        f" {name!r}; rename one (a name with a '.' collides with a nested one)"
                    )
                names.add(name)
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
            if isinstance(value, bool):
                raise TypeError(
                    f"{where}: value of {name!r} must be a number, "
                    f"got {type(value).__name__} ({value!r})"
                )
            number = checks.real(value, where, f"value of {name!r}")
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
        # Written to a temporary file and moved over `path`: a failure (a full
        # disk, a kill) leaves the previous checkpoint whole.
        files.write_text(path, text + "\n")

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> IncompatibleKeys:
        """Read a file written by `save` and load it with `load_state_dict`.

        A file that is not valid JSON, is not an object of names to numbers,
        or does not match the module raises an error naming the file, and the
        module keeps the values it had.
        """
        name = os.fspath(path)
        data = Path(path).read_bytes()  # OSError names the file
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(
                f"{name}: not a file written by save (not UTF-8 text: {error.reason}"
                f" at byte {error.start})"
            ) from None
        try:
            state = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as error:
            raise ValueError(f"{name}: not valid JSON ({error})") from None
        except RecursionError:
            raise ValueError(f"{name}: not valid parameter JSON (nested too deeply)") from None
        except ValueError as error:  # a number too long to read, a key given twice
            raise ValueError(f"{name}: {error}") from None
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
