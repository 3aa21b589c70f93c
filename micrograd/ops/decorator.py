"""The `@op` decorator: a plain float function made into an op (`FunctionOp`).

``@op`` differentiates the function numerically; ``@op(grad=...)`` takes its
local gradients from a formula. The built-in functions are made with this
same `op` as a user's. `Op`, the class every op is, and what an op does when
called are in `micrograd.ops.core`.

Imports: `micrograd.ops.core`, `micrograd.numeric`, `micrograd.checks`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import overload

from micrograd import checks
from micrograd.numeric import Method, check_method
from micrograd.ops.core import GradFn, Op, _positional_arity


class FunctionOp(Op):
    """An op made from a plain float function by `@op`."""

    def __init__(
        self,
        function: Callable[..., float],
        grad: GradFn | None = None,
        method: Method = "central",
        eps: float | None = None,
        name: str | None = None,
        doc: str | None = None,
    ) -> None:
        if not callable(function):
            raise TypeError(f"op: expected a function, got {checks.shown(function)}")
        if grad is not None and not callable(grad):
            raise TypeError(f"op: grad must be a function or None, got {checks.shown(grad)}")
        if name is not None:
            checks.text(name, "op", "name")
        if doc is not None:
            checks.text(doc, "op", "doc")
        self.name = name or str(getattr(function, "__name__", "op"))
        check_method(method, eps, self.name)
        self.function = function
        self.grad = grad
        self.method = method
        self.eps = eps
        self.min_arity, self.max_arity = _positional_arity(function)
        self.arity = self.min_arity if self.min_arity == self.max_arity else None
        functools.update_wrapper(self, function)
        self.__name__ = self.name
        if doc is not None:
            self.__doc__ = doc
        # The function and the formula stand in for the methods themselves,
        # sparing a call per op on the hot path.
        self.forward = function  # type: ignore[method-assign]
        if grad is not None:
            self.local_grads = grad  # type: ignore[method-assign]


@overload
def op(
    function: Callable[..., float],
    /,
    *,
    grad: GradFn | None = None,
    method: Method = "central",
    eps: float | None = None,
    name: str | None = None,
    doc: str | None = None,
) -> FunctionOp: ...


@overload
def op(
    *,
    grad: GradFn | None = None,
    method: Method = "central",
    eps: float | None = None,
    name: str | None = None,
    doc: str | None = None,
) -> Callable[[Callable[..., float]], FunctionOp]: ...


def op(
    function: Callable[..., float] | None = None,
    /,
    *,
    grad: GradFn | None = None,
    method: Method = "central",
    eps: float | None = None,
    name: str | None = None,
    doc: str | None = None,
) -> FunctionOp | Callable[[Callable[..., float]], FunctionOp]:
    """Turn a plain float function into a differentiable op.

    Bare ``@op`` differentiates the function numerically; ``grad=`` states the
    local gradients, as a function of the inputs and the output returning one
    partial derivative per input.

    >>> import micrograd as mg
    >>> @mg.op
    ... def custom_relu(v):
    ...     return 2 * v if v > 0 else 0.0
    >>> round(mg.grad(lambda a: custom_relu(a) ** 2)(1.5), 6)
    12.0
    >>> @mg.op(grad=lambda x, y, out: (2 * x, -2.0))
    ... def f(x, y):
    ...     return x**2 - 2 * y

    Args:
        grad: the local-gradient formula ``(*inputs, out) -> partials``.
        method: finite-difference scheme when `grad` is not given:
            ``"central"`` (default), ``"forward"`` or ``"richardson"``.
        eps: a fixed finite-difference step; by default it is scaled to each
            input. ``method="forward", eps=1e-10`` is the tutorial's scheme.
        name: the op's name in errors and pictures (default: the function's).
        doc: the op's docstring (default: the function's).

    Optional positional parameters are accepted: ``@op`` of
    ``lambda x, y=2.0: x * y`` makes an op of one or two inputs.
    Called directly, ``op(function, grad=...)`` makes the op without the
    decorator syntax.
    """
    if function is not None:
        return FunctionOp(function, grad=grad, method=method, eps=eps, name=name, doc=doc)

    def decorate(inner: Callable[..., float]) -> FunctionOp:
        return FunctionOp(inner, grad=grad, method=method, eps=eps, name=name, doc=doc)

    return decorate
