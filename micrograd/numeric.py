"""Numerical differentiation: finite differences, and `gradcheck`.

Three schemes, all on plain float functions:

* ``"central"`` (the default): ``(f(x+h) - f(x-h)) / 2h`` with the step scaled
  to the input, ``h = cbrt(machine eps) * max(1, |x|)``; about 1e-10 relative
  error on smooth functions.
* ``"forward"``: ``(f(x+h) - f(x)) / h``. With ``eps=1e-10`` this is exactly the
  scheme of the tutorial this project grew from (about 1e-6 relative error).
* ``"richardson"``: central differences at three steps combined by Richardson
  extrapolation; about 1e-13 relative error on smooth functions, at 6
  evaluations per partial derivative.

A fixed ``eps`` is used as the step exactly as given; without it the step is
chosen per input as above (and rounded so that ``x + h`` is representable).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import Literal

from micrograd.node import Node, NodeLike, as_float, gradients

#: The finite-difference schemes.
Method = Literal["central", "forward", "richardson"]
#: The names of the finite-difference schemes, as `method=` takes them.
METHODS: tuple[str, ...] = ("central", "forward", "richardson")

_EPS = sys.float_info.epsilon
# Steps that balance truncation error against rounding error for each scheme.
_FORWARD_STEP = math.sqrt(_EPS)
_CENTRAL_STEP = _EPS ** (1 / 3)
_RICHARDSON_STEP = 2e-3


def check_method(method: str, eps: float | None, where: str) -> None:
    """Raise ValueError unless `method` and `eps` are a valid scheme for `where`."""
    if method not in METHODS:
        raise ValueError(
            f"{where}: method must be one of {', '.join(METHODS)}; got {method!r}"
        )
    if eps is not None and not (isinstance(eps, (int, float)) and eps > 0):
        raise ValueError(f"{where}: eps must be a positive number or None; got {eps!r}")


def _scaled_step(x: float, base: float) -> float:
    h = base * max(1.0, abs(x))
    # Make x + h exactly representable, so the step divided by is the one taken.
    return (x + h) - x


def derivative(
    f: Callable[[float], float],
    x: float,
    method: Method = "central",
    eps: float | None = None,
) -> float:
    """The derivative of a float function of one variable at `x`.

    >>> round(derivative(lambda t: t**3, 2.0), 8)
    12.0
    """
    if method == "forward":
        h = eps if eps is not None else _scaled_step(x, _FORWARD_STEP)
        return (f(x + h) - f(x)) / h
    if method == "central":
        h = eps if eps is not None else _scaled_step(x, _CENTRAL_STEP)
        return (f(x + h) - f(x - h)) / (2 * h)
    if method == "richardson":
        h = eps if eps is not None else _scaled_step(x, _RICHARDSON_STEP)
        d1 = (f(x + h) - f(x - h)) / (2 * h)
        d2 = (f(x + h / 2) - f(x - h / 2)) / h
        d4 = (f(x + h / 4) - f(x - h / 4)) / (h / 2)
        r1 = (4 * d2 - d1) / 3
        r2 = (4 * d4 - d2) / 3
        return (16 * r2 - r1) / 15
    raise ValueError(f"derivative: method must be one of {', '.join(METHODS)}; got {method!r}")


def partial(
    f: Callable[..., float],
    args: Sequence[float],
    index: int,
    method: Method = "central",
    eps: float | None = None,
) -> float:
    """The partial derivative of `f(*args)` with respect to `args[index]`."""
    values = list(args)

    def along(t: float) -> float:
        values[index] = t
        return f(*values)

    return derivative(along, args[index], method, eps)


def numeric_grad(
    f: Callable[..., NodeLike],
    *inputs: float,
    method: Method = "richardson",
    eps: float | None = None,
) -> tuple[float, ...]:
    """All partial derivatives of a whole function, by finite differences.

    `f` may return a float or a Node (it is only evaluated, never traced).

    >>> [round(g, 9) for g in numeric_grad(lambda x, y: x * y, 3.0, 2.0)]
    [2.0, 3.0]
    """
    check_method(method, eps, "numeric_grad")
    values = [as_float(v, "numeric_grad") for v in inputs]

    def evaluate(*args: float) -> float:
        out = f(*args)
        return out.data if isinstance(out, Node) else as_float(out, "numeric_grad")

    return tuple(partial(evaluate, values, i, method, eps) for i in range(len(values)))


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
    `inputs` and differentiated with `backward()`; then each partial
    derivative is estimated numerically from the whole function. Each pair must
    satisfy ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Returns True when every input agrees; otherwise raises AssertionError
    naming each disagreeing input with both values. This is the unit test for
    a custom op:

    >>> import micrograd as mg
    >>> @mg.op(grad=lambda x, out: (3 * x * x,))
    ... def cube(x):
    ...     return x ** 3
    >>> mg.gradcheck(cube, 1.5)
    True
    """
    values = [as_float(v, "gradcheck") for v in inputs]
    leaves = [Node(v, label=f"input {i}") for i, v in enumerate(values)]
    out = f(*leaves)
    if not isinstance(out, Node):
        raise TypeError(f"gradcheck: f must return a Node, got {type(out).__name__}")
    analytic = [float(g) for g in gradients(out, leaves)]
    numeric = numeric_grad(f, *values, method=method, eps=eps)
    failures = [
        f"  input {i} (value {v!r}): backward gives {a!r}, numeric gives {n!r}"
        for i, (v, a, n) in enumerate(zip(values, analytic, numeric))
        if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if failures:
        name = getattr(f, "name", None) or getattr(f, "__name__", repr(f))
        raise AssertionError(
            f"gradcheck failed for {name} (atol={atol}, rtol={rtol}):\n" + "\n".join(failures)
        )
    return True
