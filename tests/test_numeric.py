"""Finite differences: accuracy of each scheme, and the tutorial's scheme exactly."""

from __future__ import annotations

import math

import pytest

from micrograd import numeric_grad
from micrograd.numeric import derivative, partial

SMOOTH = [
    (math.exp, math.exp, [-2.0, 0.3, 1.7, 5.0]),
    (math.sin, math.cos, [0.3, 1.7, 5.0]),
    (math.log, lambda x: 1 / x, [0.3, 1.7, 50.0]),
    (lambda x: x**3, lambda x: 3 * x * x, [-2.2, 0.3, 50.0]),
]


@pytest.mark.parametrize(
    ("method", "bound"),
    # The documented accuracy of each scheme on smooth functions, with a
    # factor of a few of headroom over the worst case measured here.
    [("forward", 3e-7), ("central", 5e-10), ("richardson", 5e-12)],
)
def test_relative_error_of_each_scheme(method: str, bound: float) -> None:
    worst = 0.0
    for f, df, points in SMOOTH:
        for x in points:
            exact = df(x)
            worst = max(worst, abs(derivative(f, x, method) - exact) / abs(exact))  # type: ignore[arg-type]
    assert worst < bound


def test_central_is_far_better_than_the_tutorials_forward_difference() -> None:
    f = lambda x: x**2  # noqa: E731
    seed = derivative(f, 2.0, "forward", 1e-10)
    assert seed == 4.000000330961484  # the tutorial's printed value
    assert abs(derivative(f, 2.0) - 4.0) < 1e-9
    assert abs(derivative(f, 2.0, "richardson") - 4.0) < 1e-12  # ~1e-13 relative


def test_partial_and_numeric_grad() -> None:
    f = lambda x, y: x * x * y  # noqa: E731
    assert partial(f, [3.0, 2.0], 0) == pytest.approx(12.0, rel=1e-10)
    gx, gy = numeric_grad(f, 3.0, 2.0)
    assert gx == pytest.approx(12.0, rel=1e-12) and gy == pytest.approx(9.0, rel=1e-12)


def test_bad_method() -> None:
    with pytest.raises(ValueError, match="numeric_grad: method must be one of"):
        numeric_grad(lambda x: x, 1.0, method="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="derivative: method must be one of"):
        derivative(math.sin, 1.0, "sideways")  # type: ignore[arg-type]
