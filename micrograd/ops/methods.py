"""Installing ops on `Node`: its operators and its function methods.

`Node` (in `micrograd.node`) does not import the ops: each ops module
installs what it defines (``x + y``, ``x.exp()``) on the class when it is
imported, through these two functions.

Imports: `micrograd.node` and `micrograd.ops.core`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from micrograd.node import Node
from micrograd.ops.core import Op


def install_operator(name: str, op: Op) -> None:
    """Make the two-input `op` Node's operator ``__name__`` and its reflection ``__rname__``."""
    setattr(Node, f"__{name}__", op.operator())
    setattr(Node, f"__r{name}__", op.operator(reflected=True))


def install_method(name: str, function: Op | Callable[..., Any], doc: str) -> None:
    """Make ``node.name(...)`` call `function` with the node first.

    A one-input op is called through its fast path (`Op.call1`); anything
    else (an op taking settings, a plain function) is called as given.
    """
    method: Callable[..., Any]
    if isinstance(function, Op) and function.arity == 1:
        call1 = function.call1

        def unary(self: Node) -> Node:
            return call1(self)

        method = unary
    else:
        target = function

        def general(self: Node, *args: Any, **kwargs: Any) -> Any:
            return target(self, *args, **kwargs)

        method = general

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    setattr(Node, name, method)
