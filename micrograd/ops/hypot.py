"""`hypot`, the Euclidean norm of its inputs, and its partial derivatives as ops.

The partial derivatives ``x_i / r`` are ops of their own (`HypotPartial`) so
that every order of derivative is exact to rounding: their derivatives are
written as one term each rather than left to the quotient rule, and where
``r`` is subnormal (it has lost bits there) they are computed from inputs
scaled by the largest one. `micrograd.ops.mathfuncs` lists `hypot` among the
functions (its table row and its Node method).

Imports: `micrograd.node`, `micrograd.ops.core`, `micrograd.ops.decorator`,
`micrograd.ops.arithmetic`, `micrograd.ops.special`.
"""

from __future__ import annotations

import functools
import math

from micrograd.node import NodeLike
from micrograd.ops import special
from micrograd.ops.arithmetic import absolute
from micrograd.ops.core import LocalGrads, Op, mark_trusted, value_of
from micrograd.ops.decorator import op


def _hypot_grads(*args: NodeLike) -> LocalGrads:
    *inputs, out = args
    if type(out) is float:  # the hot path: the same bits as the partial ops' values
        if out >= special.TINY:
            return tuple(x / out for x in inputs)
        values = [float(x) for x in inputs]  # floats, as out is
        return tuple(special.hypot_partial(i, out, *values) for i in range(len(inputs)))
    # On Nodes, the partial ops: NaN at the origin, and so their derivatives.
    return tuple(_hypot_partial(i).apply(*inputs) for i in range(len(inputs)))


class HypotPartial(Op):
    """``x_i / hypot(x_1, ..., x_n)``, the i-th partial derivative of `hypot`, as an op.

    Higher derivatives of `hypot` go through it. Its own derivatives,
    ``(delta_ij r**2 - x_i x_j) / r**3``, are written as one term each:
    the quotient rule on ``x_i / r`` gives ``1/r - x_i**2 / r**3``, two
    halves that cancel where the other inputs are small, and that are huge
    where r is (at ``hypot(0, 1e-300)`` each is 1e300, and any smaller
    gradient summed with them is lost to rounding).
    """

    def __init__(self, index: int) -> None:
        self.index = index
        self.name = f"hypot_partial{index}"

    def forward(self, *xs: float) -> float:
        """The partial derivative's value (NaN at the origin, as `hypot`'s gradient)."""
        return special.hypot_partial(self.index, math.hypot(*xs), *xs)

    def local_grads(self, *args: NodeLike) -> LocalGrads:
        """One term each: ``(x_k / r)**2 / r`` summed over k != i, ``-(x_i / r)(x_j / r) / r``."""
        xs = args[:-1]
        r = hypot.apply(*xs)
        if value_of(r) == 0.0:
            return tuple(math.nan for _ in xs)
        units = [_hypot_partial(k).apply(*xs) for k in range(len(xs))]
        if value_of(r) < special.TINY:
            # r has lost bits: divide by s = max |x_k| (exact) and hypot(x / s) instead.
            s = absolute.apply(max(xs, key=lambda x: abs(value_of(x))))
            rho = hypot.apply(*[x / s for x in xs])

            def over_r(term: NodeLike) -> NodeLike:
                return term / s / rho

        else:

            def over_r(term: NodeLike) -> NodeLike:
                return term / r

        return tuple(
            over_r(sum((u * u for k, u in enumerate(units) if k != self.index), 0.0))
            if j == self.index
            else over_r(-(units[self.index] * u))
            for j, u in enumerate(units)
        )


@functools.lru_cache(maxsize=64)
def _hypot_partial(index: int) -> HypotPartial:
    made = HypotPartial(index)
    mark_trusted(made)
    return made


@op(grad=_hypot_grads)
def hypot(x: float, y: float, *more: float) -> float:
    """The Euclidean norm ``sqrt(x**2 + y**2 + ...)`` of two or more inputs, without overflow.

    >>> import micrograd as mg
    >>> mg.hypot(3.0, 4.0).data, mg.hypot(1.0, 2.0, 2.0).data
    (5.0, 3.0)
    """
    return math.hypot(x, y, *more)


mark_trusted(hypot)
