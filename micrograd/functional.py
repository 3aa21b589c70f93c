"""Function transformations in the style of JAX: `grad` and `value_and_grad`.

They differentiate ordinary Python functions of numbers and Nodes. Results are
plain floats, unless a graph is asked for (``create_graph=True``) or the call is
nested inside another transformation, which then needs the graph: that is how
``grad(grad(f))`` gives a second derivative.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from micrograd.node import Node, NodeLike, as_float, gradients

#: How many transformations are running their function right now.
_depth = 0


def _normalise_argnums(argnums: int | Sequence[int], nargs: int, where: str) -> tuple[int, ...]:
    numbers = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in numbers:
        if not isinstance(n, int) or not -nargs <= n < nargs:
            raise ValueError(
                f"{where}: argnums {argnums!r} out of range for a call with {nargs} argument(s)"
            )
    return tuple(n % nargs for n in numbers)


def value_and_grad(
    f: Callable[..., NodeLike],
    argnums: int | Sequence[int] = 0,
    *,
    create_graph: bool = False,
) -> Callable[..., tuple[Any, Any]]:
    """Make a function returning ``(f(*args), gradient)``.

    The gradient is taken with respect to the argument `argnums` (a float), or
    to each of several (a tuple of floats, when `argnums` is a tuple).

    >>> import micrograd as mg
    >>> mg.value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 2.0)
    (6.0, (2.0, 3.0))
    """
    name = getattr(f, "__name__", "f")

    @functools.wraps(f)
    def transformed(*args: NodeLike) -> tuple[Any, Any]:
        global _depth
        numbers = _normalise_argnums(argnums, len(args), f"grad of {name}")
        build_graph = create_graph or _depth > 0
        call_args = list(args)
        wrt: list[Node] = []
        for n in numbers:
            arg = args[n]
            # An argument that already is a Node (from an enclosing transform)
            # is differentiated through, so the enclosing one sees the graph.
            leaf = arg if isinstance(arg, Node) else Node(as_float(arg, f"grad of {name}"))
            call_args[n] = leaf
            wrt.append(leaf)
        _depth += 1
        try:
            out = f(*call_args)
        finally:
            _depth -= 1
        if not isinstance(out, Node):
            out = Node(as_float(out, f"grad of {name}: the function's result"))
        grads = gradients(out, wrt, create_graph=build_graph)
        value: float | Node = out if build_graph else out.data
        results = tuple(g if build_graph else float(g) for g in grads)
        return value, results[0] if isinstance(argnums, int) else results

    return transformed


def grad(
    f: Callable[..., NodeLike],
    argnums: int | Sequence[int] = 0,
    *,
    create_graph: bool = False,
) -> Callable[..., Any]:
    """Make a function returning the gradient of `f` (see `value_and_grad`).

    >>> import micrograd as mg
    >>> mg.grad(lambda t: t**3)(2.0)
    12.0
    >>> mg.grad(mg.grad(lambda t: t**4 - 2 * t**2))(2.0)
    44.0
    """
    value_and_gradient = value_and_grad(f, argnums, create_graph=create_graph)

    @functools.wraps(f)
    def gradient(*args: NodeLike) -> Any:
        return value_and_gradient(*args)[1]

    return gradient
