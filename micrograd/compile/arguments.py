"""Arguments of compiled calls: numbers or nested lists/tuples of them, flattened to floats.

Imports: `micrograd.node`, `micrograd.checks`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Union

from micrograd import checks
from micrograd.node import Node

# ---------------------------------------------------------------------------
# Arguments: numbers, or lists/tuples of them (flattened to scalars).

#: The shape of one argument: None for a number, a tuple of shapes for a sequence.
_Shape = Union[None, tuple[Any, ...]]  # noqa: UP007 (a runtime alias on 3.10)


def _flatten(
    value: object, path: str, out: list[float], where: str, converted: list[int] | None = None
) -> _Shape:
    """Append the numbers in `value` to `out` as floats; return its shape.

    Raises TypeError naming `path` for anything but numbers and lists/tuples of
    them; counts the numbers that were not floats already into `converted`.
    """
    if type(value) is float:
        out.append(value)
        return None
    if isinstance(value, (list, tuple)):
        return tuple(
            _flatten(v, f"{path}[{i}]", out, where, converted) for i, v in enumerate(value)
        )
    if isinstance(value, Node):
        raise TypeError(
            f"{where}: {path} is a Node; compiled functions take plain numbers"
            " (pass node.data, or call the function eagerly to differentiate through it)"
        )
    if isinstance(value, (int, float)) or (
        hasattr(value, "__float__") and not isinstance(value, (complex, str, bytes))
    ):
        try:
            out.append(float(value))
        except OverflowError:
            raise ValueError(
                f"{where}: {path} must be a real number within the range of a float,"
                f" got {checks.shown(value)}"
            ) from None
        except (TypeError, ValueError):
            pass
        else:
            if converted is not None:
                converted.append(1)
            return None
    raise TypeError(
        f"{where}: {path} must be a real number or a list/tuple of them,"
        f" got {type(value).__name__} ({value!r})"
    )


def _leaves(shape: _Shape, values: Iterator[float], name: str, out: list[Node]) -> Any:
    """Nodes laid out in `shape`, labelled after the argument and their position."""
    if shape is None:
        node = Node(next(values), label=name)
        out.append(node)
        return node
    return [_leaves(s, values, f"{name}_{i}", out) for i, s in enumerate(shape)]


def _restructure(shape: _Shape, values: Iterator[Any]) -> Any:
    if shape is None:
        return next(values)
    return tuple(_restructure(s, values) for s in shape)


def _target(shape: _Shape, names: Iterator[str]) -> str:
    """An assignment target unpacking a value of `shape` into the given names."""
    if shape is None:
        return next(names)
    inner = [_target(s, names) for s in shape]
    return f"({inner[0]},)" if len(inner) == 1 else f"({', '.join(inner)})"
