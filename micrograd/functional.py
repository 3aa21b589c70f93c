"""Function transformations in the style of JAX (`grad`, `value_and_grad`) and `gradcheck`.

They differentiate ordinary Python functions of numbers and Nodes. Results are
plain floats, unless a graph is asked for (``create_graph=True``) or the call is
nested inside another transformation, which then needs the graph: that is how
``grad(grad(f))`` gives a second derivative.

A transformation records its own graph whatever the caller's grad mode (as
``torch.func.grad`` does): inside ``no_grad()``, ``grad(f)(x)`` is still the
derivative. How deeply transformations are nested is per-thread state
(`micrograd._state`), so threads never see each other's nesting.

Imports: `micrograd.node`, `micrograd.numeric`, `micrograd.checks`,
`micrograd._state` (not the ops: functions are differentiated through
whatever they call).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from micrograd import checks
from micrograd._state import config
from micrograd.node import Node, NodeLike, enable_grad, gradients
from micrograd.numeric import Method, check_method, numeric_grad


def _check_argnums(argnums: object, where: str) -> None:
    numbers = (argnums,) if isinstance(argnums, int) else argnums
    if isinstance(numbers, (str, bytes)) or not isinstance(numbers, Sequence):
        raise TypeError(
            f"{where}: argnums must be an int or a sequence of ints, got {checks.shown(argnums)}"
        )
    for n in numbers:
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(
                f"{where}: argnums must be an int or a sequence of ints,"
                f" got {checks.shown(argnums)}"
            )


def _normalise_argnums(argnums: int | Sequence[int], nargs: int, where: str) -> tuple[int, ...]:
    numbers = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in numbers:
        if not -nargs <= n < nargs:
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
    to each of several (a tuple of floats, when `argnums` is a tuple). An
    argument named twice in `argnums` gets its gradient twice (as JAX).

    >>> import micrograd as mg
    >>> mg.value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 2.0)
    (6.0, (2.0, 3.0))
    """
    if not callable(f):
        raise TypeError(f"value_and_grad: f must be a function, got {checks.shown(f)}")
    _check_argnums(argnums, "value_and_grad")
    checks.switch(create_graph, "value_and_grad", "create_graph")
    name = getattr(f, "__name__", "f")

    @functools.wraps(f)
    def transformed(*args: NodeLike) -> tuple[Any, Any]:
        where = f"grad of {name}"
        numbers = _normalise_argnums(argnums, len(args), where)
        build_graph = create_graph or config.transform_depth > 0
        call_args = list(args)
        leaves: dict[int, Node] = {}
        for n in numbers:
            if n in leaves:
                continue
            arg = args[n]
            # An argument that already is a Node (from an enclosing transform)
            # is differentiated through, so the enclosing one sees the graph.
            leaf = arg if isinstance(arg, Node) else Node(checks.real(arg, where))
            call_args[n] = leaf
            leaves[n] = leaf
        wrt = list(leaves.values())
        state = config
        state.transform_depth += 1
        try:
            with enable_grad():
                out = f(*call_args)
        finally:
            state.transform_depth -= 1
        if not isinstance(out, Node):
            out = Node(checks.real(out, f"{where}: the function's result"))
        with enable_grad():
            grads = gradients(out, wrt, create_graph=build_graph)
        by_number = dict(zip(leaves, grads))
        value: float | Node = out if build_graph else out.data
        results = tuple(by_number[n] if build_graph else float(by_number[n]) for n in numbers)
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
    if not callable(f):
        raise TypeError(f"grad: f must be a function, got {checks.shown(f)}")
    value_and_gradient = value_and_grad(f, argnums, create_graph=create_graph)

    @functools.wraps(f)
    def gradient(*args: NodeLike) -> Any:
        return value_and_gradient(*args)[1]

    return gradient


def gradcheck(
    f: Callable[..., NodeLike],
    *inputs: float,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    method: Method = "richardson",
    eps: float | None = None,
) -> bool:
    """Check the gradients that `backward()` gives for `f` against finite differences.

    `f` takes Nodes and returns a Node. It is run once on Nodes made from
    `inputs` and differentiated (whatever the caller's grad mode); then each
    partial derivative is estimated numerically from the whole function.
    Each pair must satisfy ``|analytic - numeric| <= atol + rtol * |numeric|``.
    Near the edge of a function's domain the numeric step shrinks (or turns
    one-sided) so that `f` is evaluated at valid points only
    (see `micrograd.numeric.derivative`).

    Two NaNs agree (the function is undefined there, and NaN propagated), and
    so do two equal infinities. Returns True when every input agrees;
    otherwise raises AssertionError naming each disagreeing input with both
    values. This is the unit test for a custom op:

    >>> import micrograd as mg
    >>> @mg.op(grad=lambda x, out: (3 * x * x,))
    ... def cube(x):
    ...     return x ** 3
    >>> mg.gradcheck(cube, 1.5)
    True
    """
    if not callable(f):
        raise TypeError(f"gradcheck: f must be a function, got {checks.shown(f)}")
    atol = checks.setting(atol, "gradcheck", "atol", minimum=0.0)
    rtol = checks.setting(rtol, "gradcheck", "rtol", minimum=0.0)
    check_method(method, eps, "gradcheck")
    values = [checks.real(v, "gradcheck", f"input {i}") for i, v in enumerate(inputs)]
    leaves = [Node(v, label=f"input {i}") for i, v in enumerate(values)]
    with enable_grad():
        try:
            out = f(*leaves)
        except Exception as error:
            checks.note(error, f"gradcheck: while calling f at {tuple(values)!r}")
            raise
        if not isinstance(out, Node):
            raise TypeError(f"gradcheck: f must return a Node, got {checks.shown(out)}")
        analytic = [float(g) for g in gradients(out, leaves)]
    numeric = numeric_grad(f, *values, method=method, eps=eps)
    failures = [
        f"  input {i} (value {v!r}): backward gives {a!r}, numeric gives {n!r}"
        for i, (v, a, n) in enumerate(zip(values, analytic, numeric))
        if not (abs(a - n) <= atol + rtol * abs(n) or a == n or (a != a and n != n))
    ]
    if failures:
        name = getattr(f, "name", None) or getattr(f, "__name__", repr(f))
        raise AssertionError(
            f"gradcheck failed for {name} (atol={atol}, rtol={rtol}):\n" + "\n".join(failures)
        )
    return True
