"""Numerical differentiation: finite differences of plain float functions.

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

Higher and mixed partial derivatives (`mixed_partial`, which the numeric
partials of ops use for second and later orders) come from one stencil for
the whole derivative, with a step suited to its order and one Richardson
extrapolation, not from differencing a difference.

This module works on floats only and imports nothing from micrograd but
`micrograd.checks`; `gradcheck`, which differentiates Nodes, is in
`micrograd.functional`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, Literal

from micrograd import checks

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
        raise ValueError(f"{where}: method must be one of {', '.join(METHODS)}; got {method!r}")
    if eps is not None:
        checked_step(eps, where)


def check_function(f: object, where: str) -> None:
    """Raise TypeError unless `f` can be called."""
    if not callable(f):
        raise TypeError(f"{where}: f must be a function, got {checks.shown(f)}")


def checked_step(eps: object, where: str) -> float:
    """`eps` as a float, if it is a valid fixed step: a finite number > 0 (not a bool)."""
    return checks.setting(eps, where, "eps", above=0.0)


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

    With the step chosen here (no `eps`), a point near the edge of `f`'s
    domain is differentiated at valid points only: if `f` raises ValueError
    or ArithmeticError (or gives NaN where ``f(x)`` is a number) at a point
    of the stencil, the step shrinks tenfold until every point is valid, and
    then twice more (the function changes fast near an edge); at the edge
    itself (``sqrt`` at 0) the difference turns one-sided. A fixed `eps` is
    used exactly as given.
    """
    check_function(f, "derivative")
    x = checks.real(x, "derivative", "x")
    check_method(method, eps, "derivative")
    try:
        return _derivative(f, x, method, eps)
    except Exception as error:
        checks.note(error, f"derivative: while evaluating f near x = {x!r}")
        raise


def _derivative(f: Callable[[float], float], x: float, method: str, eps: float | None) -> float:
    if eps is not None:
        # A fixed step is taken as given: f's own error shows if it leaves the domain.
        return _difference(f, x, method, checked_step(eps, "derivative"), checked=False)
    base = {"forward": _FORWARD_STEP, "central": _CENTRAL_STEP}.get(method, _RICHARDSON_STEP)
    h = _scaled_step(x, base)
    shrunk = 0
    while True:
        try:
            result = _difference(f, x, method, h)
        except _OutOfDomain:
            if shrunk >= _MAX_SHRINKS:
                break
            h = _scaled_step(x, base * 10.0 ** -(shrunk + 1))
            shrunk += 1
            continue
        if shrunk == 0:
            return result
        # The first step that fits lies close to the edge: take two more.
        for extra in (2, 3):
            smaller = _scaled_step(x, base * 10.0 ** -(shrunk + extra))
            try:
                return _difference(f, x, method, smaller)
            except _OutOfDomain:
                continue
        return result
    for side in (1.0, -1.0):  # at the edge of the domain: one-sided differences
        try:
            return _one_sided(f, x, side * _scaled_step(x, _RICHARDSON_STEP))
        except _OutOfDomain:
            continue
    # Nowhere valid on either side: evaluate as asked, so f's own error shows.
    return _difference(f, x, method, _scaled_step(x, base), checked=False)


# How many tenfold shrinks of the step are tried near the edge of a domain.
_MAX_SHRINKS = 12


class _OutOfDomain(Exception):
    """A point of a stencil fell outside the function's domain."""


def _difference(
    f: Callable[[float], float], x: float, method: str, h: float, checked: bool = True
) -> float:
    g = _guarded(f, x) if checked else f
    if method == "forward":
        return (g(x + h) - g(x)) / h
    if method == "central":
        return (g(x + h) - g(x - h)) / (2 * h)
    d1 = (g(x + h) - g(x - h)) / (2 * h)
    d2 = (g(x + h / 2) - g(x - h / 2)) / h
    d4 = (g(x + h / 4) - g(x - h / 4)) / (h / 2)
    r1 = (4 * d2 - d1) / 3
    r2 = (4 * d4 - d2) / 3
    return (16 * r2 - r1) / 15


def _one_sided(f: Callable[[float], float], x: float, h: float) -> float:
    # Forward (h > 0) or backward (h < 0) differences at h, h/2, h/4 with two
    # Richardson steps for their O(h) and O(h**2) error terms.
    g = _guarded(f, x)
    fx = g(x)
    d1 = (g(x + h) - fx) / h
    d2 = (g(x + h / 2) - fx) / (h / 2)
    d4 = (g(x + h / 4) - fx) / (h / 4)
    r1 = 2 * d2 - d1
    r2 = 2 * d4 - d2
    return (4 * r2 - r1) / 3


def _guarded(f: Callable[[float], float], x: float) -> Callable[[float], float]:
    """`f`, raising `_OutOfDomain` where it fails (or gives NaN) at a point other than `x`."""

    def g(t: float) -> float:
        try:
            value = f(t)
        except (ValueError, ArithmeticError):
            if t == x:
                raise
            raise _OutOfDomain from None
        if t != x and value != value and not math.isnan(_at(f, x)):
            raise _OutOfDomain
        return value

    return g


def _at(f: Callable[[float], float], x: float) -> float:
    try:
        return float(f(x))
    except (ValueError, ArithmeticError):
        return math.nan


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


def mixed_partial(
    f: Callable[..., float],
    args: Sequence[float],
    orders: Sequence[int],
    eps: float | None = None,
) -> float:
    """The mixed partial derivative of `f` at `args`: `orders[i]` times along input i.

    One central stencil for the whole derivative (the tensor product of each
    input's central difference of its order), evaluated at two steps and
    combined by Richardson extrapolation. Without `eps`, the step along input
    i is ``eps_machine ** (1 / (n + 4)) * max(1, |x_i|)`` for total order n,
    which balances the O(h**4) truncation error against rounding error.

    >>> round(mixed_partial(lambda x: x**3, [1.3], [3]), 6)
    6.0
    """
    values = [float(v) for v in args]
    total = sum(orders)
    if total == 0:
        return float(f(*values))
    if eps is None:
        base = _EPS ** (1.0 / (total + 4))
        steps = [_scaled_step(v, base) if k else 0.0 for v, k in zip(values, orders)]
    else:
        step = checked_step(eps, "mixed_partial")
        steps = [step if k else 0.0 for k in orders]
    coarse = _stencil(f, values, orders, steps)
    fine = _stencil(f, values, orders, [h / 2 for h in steps])
    return (4.0 * fine - coarse) / 3.0


def _stencil(
    f: Callable[..., float], values: list[float], orders: Sequence[int], steps: list[float]
) -> float:
    # The central difference of order k along one input:
    #   sum_j (-1)**j C(k, j) f(x + (k/2 - j) h) / h**k,
    # taken along every input with a nonzero order (a tensor product).
    terms: list[tuple[float, list[float]]] = [(1.0, list(values))]
    for i, k in enumerate(orders):
        if not k:
            continue
        h = steps[i]
        grown: list[tuple[float, list[float]]] = []
        for weight, point in terms:
            for j in range(k + 1):
                moved = list(point)
                moved[i] = values[i] + (k / 2 - j) * h
                grown.append((weight * (-1) ** j * math.comb(k, j) / h**k, moved))
        terms = grown
    return math.fsum(weight * f(*point) for weight, point in terms)


def numeric_grad(
    f: Callable[..., Any],
    *inputs: float,
    method: Method = "richardson",
    eps: float | None = None,
) -> tuple[float, ...]:
    """All partial derivatives of a whole function, by finite differences.

    `f` may return a float or a Node (anything with a real value: it is only
    evaluated, never traced).

    >>> [round(g, 9) for g in numeric_grad(lambda x, y: x * y, 3.0, 2.0)]
    [2.0, 3.0]
    """
    check_function(f, "numeric_grad")
    check_method(method, eps, "numeric_grad")
    values = [checks.real(v, "numeric_grad", f"input {i}") for i, v in enumerate(inputs)]

    def evaluate(*args: float) -> float:
        return checks.real(f(*args), "numeric_grad", "the function's result")

    return tuple(partial(evaluate, values, i, method, eps) for i in range(len(values)))
