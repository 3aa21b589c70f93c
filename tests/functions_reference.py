"""The reference cases of the function tests: each function against mpmath.

One `Case` per function: micrograd's function, the same function in mpmath
(at 40 significant digits), how to draw points across its domain (including
near its edges and at large magnitudes) and the tolerance of each derivative
order, with the reason where it is looser than the aim (1e-13 relative at
first order).

An error is measured as ``|micrograd - mpmath| / max(|mpmath|, floor)``:
relative, except where the exact derivative passes through 0 (`floor` is
then the size of the terms that cancel there, the derivative's typical
magnitude, so the tolerance is an absolute one of that size). Reference
derivatives are mpmath's numerical differentiation at 40 digits, taken in a
variable scaled to the distance from the nearest domain edge or pole (so its
steps never leave the domain and stay relative at 1e300).

``python tests/functions_reference.py`` prints the largest error found per
function and order (with ``MICROGRAD_HUNT`` points per function).
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import mpmath as mp

import micrograd as mg

mp.mp.dps = 40

Point = tuple[float, ...]


def hunt_points(default: int) -> int:
    """Points per function: `MICROGRAD_HUNT` (``full`` is 2,000; a number is that many)."""
    mode = os.environ.get("MICROGRAD_HUNT", "").strip().lower()
    if mode == "full":
        return 2000
    if mode.isdigit():
        return int(mode)
    return default


@dataclass(frozen=True)
class Case:
    """One function, its reference and its tolerances."""

    name: str
    function: Callable[..., Any]
    reference: Callable[..., Any]
    points: Callable[[random.Random], Point]
    #: Relative tolerance of orders 1, 2, 3.
    tolerance: tuple[float, float, float] = (1e-13, 1e-12, 1e-11)
    #: Errors are relative to max(|exact|, floor) (see the module docstring).
    floor: float = 0.0
    #: The distance from `x` to the nearest edge, pole or kink (the reference's step scale).
    reach: Callable[[float], float] = lambda x: max(abs(x), 1.0)
    #: Why the tolerance is what it is, where it is looser than the aim.
    why: str = ""
    #: Fixed points checked besides the random ones.
    fixed: tuple[Point, ...] = field(default=())


# -- samplers -------------------------------------------------------------------------


def uniform(lo: float, hi: float) -> Callable[[random.Random], float]:
    return lambda rng: rng.uniform(lo, hi)


def magnitude(
    lo_exp: float, hi_exp: float, signed: bool = True
) -> Callable[[random.Random], float]:
    def draw(rng: random.Random) -> float:
        value = 10.0 ** rng.uniform(lo_exp, hi_exp)
        return -value if signed and rng.random() < 0.5 else value

    return draw


def near(
    edge: float, side: float, lo_exp: float = -12, hi_exp: float = -1
) -> Callable[[random.Random], float]:
    """Points at ``edge + side * 10**e`` (side +1 above, -1 below)."""
    return lambda rng: edge + side * 10.0 ** rng.uniform(lo_exp, hi_exp)


def mixture(*draws: Callable[[random.Random], float]) -> Callable[[random.Random], Point]:
    return lambda rng: (rng.choice(draws)(rng),)


def pairs(
    first: Callable[[random.Random], float], second: Callable[[random.Random], float]
) -> Callable[[random.Random], Point]:
    return lambda rng: (first(rng), second(rng))


# -- derivatives ------------------------------------------------------------------------


def micrograd_partials(function: Callable[..., Any], point: Point, orders: Sequence[int]) -> float:
    """The mixed partial derivative of `function` at `point`, by nested `mg.grad`."""
    current: Callable[..., Any] = lambda *xs: function(*xs)  # noqa: E731
    for argnum, count in enumerate(orders):
        for _ in range(count):
            current = mg.grad(current, argnums=argnum)
    return float(current(*point))


def reference_partials(case: Case, point: Point, orders: Sequence[int]) -> Any:
    """mpmath's mixed partial at `point`, in variables scaled by `case.reach`."""
    scales = [mp.mpf(case.reach(x)) for x in point]
    origin = [mp.mpf(x) for x in point]

    def scaled(*ts: Any) -> Any:
        return case.reference(*(o + s * t for o, s, t in zip(origin, scales, ts)))

    zero = tuple(mp.mpf(0) for _ in point)
    if len(point) == 1:
        value = mp.diff(scaled, zero[0], orders[0])
    else:
        value = mp.diff(scaled, zero, tuple(orders))
    for s, count in zip(scales, orders):
        value /= s**count
    return value


def working_digits(point: Point, order: int) -> int:
    """Digits for the reference at `point`: more where a function saturates or is tiny.

    A difference quotient of a function flattening out at ``|x| = 1e100`` (atan,
    softsign) sees changes 1e-100 of its value: the working precision grows
    with the magnitudes' exponents.
    """
    exponents = [abs(math.log10(abs(x))) for x in point if x != 0 and math.isfinite(x)]
    return 50 + 10 * order + int(1.1 * max(exponents, default=0.0))


def exact_partials(case: Case, point: Point, orders: Sequence[int]) -> Any:
    """`reference_partials` at the working precision `point` needs."""
    with mp.workdps(working_digits(point, sum(orders))):
        return +reference_partials(case, point, orders)


def orders_of(arity: int, order: int) -> list[tuple[int, ...]]:
    return [o for o in product(range(order + 1), repeat=arity) if sum(o) == order]


#: Beyond double precision's range: an exact value above it must come out as an
#: infinity of its sign, one below it as a number at most this small.
_LARGEST = mp.mpf(1.7976931348623157e308)
_SMALLEST = mp.mpf(1e-300)


def error(found: float, exact: Any, floor: float, scale: float = 0.0) -> float:
    """The error of `found` (see the module docstring); inf when they differ in kind.

    `scale` is the size of the derivative's terms at this point (the function's
    magnitude over the distance to its nearest edge, to the order's power): an
    exact 0 (a straight line's second derivative) is met within 1e-20 of it.
    """
    if mp.isnan(exact):
        return 0.0 if math.isnan(found) else math.inf
    if abs(exact) > _LARGEST:
        return 0.0 if math.isinf(found) and (found > 0) == (exact > 0) else math.inf
    if not math.isfinite(found):
        return math.inf
    if abs(exact) < _SMALLEST and abs(found) < _SMALLEST:
        return 0.0  # underflows in double precision
    denominator = max(abs(exact), mp.mpf(floor), mp.mpf(1e-20) * scale)
    return float(abs(mp.mpf(found) - exact) / (denominator if denominator else 1))


def term_scale(case: Case, point: Point, order: int) -> float:
    """The function's magnitude over the distance to its nearest edge, to the `order`."""
    value = abs(float(case.reference(*(mp.mpf(x) for x in point))))
    reach = min(case.reach(x) for x in point)
    try:
        return max(value, 1.0) / reach**order
    except (OverflowError, ZeroDivisionError):
        return math.inf


def worst_errors(
    case: Case, count: int, seed: int = 0
) -> list[tuple[float, Point, tuple[int, ...]]]:
    """For orders 1 to 3, the largest error over `count` random points and the fixed ones."""
    rng = random.Random(f"{case.name}/{seed}")
    points = list(case.fixed) + [case.points(rng) for _ in range(count)]
    arity = len(points[0])
    worst: list[tuple[float, Point, tuple[int, ...]]] = [(0.0, (), ()) for _ in range(3)]
    for point in points:
        for order in (1, 2, 3):
            for orders in orders_of(arity, order):
                found = micrograd_partials(case.function, point, orders)
                exact = exact_partials(case, point, orders)
                e = error(found, exact, case.floor, term_scale(case, point, order))
                if e > worst[order - 1][0] or math.isnan(e):
                    worst[order - 1] = (e, point, orders)
    return worst


# -- the cases --------------------------------------------------------------------------


def _edge_distance(*edges: float) -> Callable[[float], float]:
    def reach(x: float) -> float:
        return min([abs(x - e) for e in edges] + [max(abs(x), 1.0)]) / 2

    return reach


def _pole_reach(x: float) -> float:
    """Half the distance to the nearest pole of gamma (0, -1, -2, ...), at most |x| / 2."""
    if x > 0:
        return x / 2
    return abs(x - round(x)) / 2


def _gelu_tanh(x: Any) -> Any:
    u = mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)
    return x / 2 * (1 + mp.tanh(u))


def _softplus(x: Any) -> Any:
    return mp.log1p(mp.exp(x))


_SELU_ALPHA = mp.mpf("1.6732632423543772848170429916717")
_SELU_SCALE = mp.mpf("1.0507009873554804934193349852946")

_TYPICAL = mixture(uniform(-5, 5), magnitude(-8, 1))
_ANY = mixture(uniform(-5, 5), magnitude(-10, 2), magnitude(2, 300))
_UNIT = mixture(uniform(-1, 1), near(1, -1), near(-1, 1), magnitude(-10, 0))
_POSITIVE = mixture(uniform(0, 5), magnitude(-300, 300, signed=False), near(0, 1, -15, 0))


CASES: list[Case] = [
    Case(
        "asin",
        mg.asin,
        mp.asin,
        _UNIT,
        reach=_edge_distance(1.0, -1.0),
        tolerance=(1e-13, 1e-12, 1e-12),
    ),
    Case(
        "acos",
        mg.acos,
        mp.acos,
        _UNIT,
        reach=_edge_distance(1.0, -1.0),
        tolerance=(1e-13, 1e-12, 1e-12),
    ),
    Case("atan", mg.atan, mp.atan, _ANY),
    Case("atan2", mg.atan2, mp.atan2, pairs(uniform(-5, 5), uniform(-5, 5))),
    Case("sinh", mg.sinh, mp.sinh, mixture(uniform(-5, 5), magnitude(-10, 2.85))),
    Case("cosh", mg.cosh, mp.cosh, mixture(uniform(-5, 5), magnitude(-10, 2.85))),
    Case("asinh", mg.asinh, mp.asinh, _ANY),
    Case(
        "acosh",
        mg.acosh,
        mp.acosh,
        mixture(uniform(1, 5), near(1, 1), magnitude(0.1, 300, signed=False)),
        reach=_edge_distance(1.0),
    ),
    Case("atanh", mg.atanh, mp.atanh, _UNIT, reach=_edge_distance(1.0, -1.0)),
    Case("exp2", mg.exp2, lambda x: mp.power(2, x), mixture(uniform(-5, 5), uniform(-1000, 1020))),
    Case("expm1", mg.expm1, mp.expm1, mixture(uniform(-5, 5), magnitude(-300, 2.8))),
    Case(
        "log2",
        mg.log2,
        mp.log2 if hasattr(mp, "log2") else (lambda x: mp.log(x, 2)),
        _POSITIVE,
        reach=lambda x: x / 2,
    ),
    Case("log10", mg.log10, mp.log10, _POSITIVE, reach=lambda x: x / 2),
    Case(
        "log1p",
        mg.log1p,
        mp.log1p,
        mixture(uniform(-0.9, 5), magnitude(-300, 300, signed=False), near(-1, 1), near(0, -1)),
        reach=_edge_distance(-1.0),
    ),
    Case(
        "log(x, base)",
        mg.log,
        lambda x, b: mp.log(x) / mp.log(b),
        pairs(
            uniform(0.1, 10), lambda rng: rng.choice([rng.uniform(1.5, 10), rng.uniform(0.1, 0.7)])
        ),
        reach=lambda x: x / 2,
        floor=1.0,
        why="d/dx log_b(x) passes through 0 nowhere, but d/db mixes log x and log b terms: "
        "near x = 1 they cancel (floor 1)",
    ),
    Case("cbrt", mg.cbrt, lambda x: mp.sign(x) * mp.cbrt(abs(x)), _ANY, reach=lambda x: abs(x) / 2),
    Case("degrees", mg.degrees, mp.degrees, _ANY),
    Case("radians", mg.radians, mp.radians, _ANY),
    Case(
        "hypot",
        mg.hypot,
        lambda x, y: mp.sqrt(x * x + y * y),
        pairs(uniform(-5, 5), uniform(-5, 5)),
        floor=0.1,
        why="second and third partials are differences of terms (y^2 - ...) / r^3 that vanish"
        " on lines: absolute tolerance at the scale 0.1 of the terms",
    ),
    Case("erf", mg.erf, mp.erf, mixture(uniform(-6, 6), magnitude(-10, 0.5))),
    Case("erfc", mg.erfc, mp.erfc, mixture(uniform(-6, 26), magnitude(-10, 0.5))),
    Case(
        "lgamma",
        mg.lgamma,
        lambda x: mp.log(abs(mp.gamma(x))),
        mixture(uniform(0.01, 30), magnitude(-10, 10, signed=False), uniform(-20, 0)),
        reach=_pole_reach,
        floor=1.0,
        why="digamma has zeros (x0 = 1.4616 and one between each pair of negative poles): "
        "absolute tolerance there, at the scale 1 of its terms",
    ),
    Case(
        "gamma",
        mg.gamma,
        mp.gamma,
        mixture(uniform(0.01, 30), uniform(-20, 0), uniform(100, 171)),
        reach=_pole_reach,
        tolerance=(1e-12, 1e-11, 1e-10),
        why="gamma' = gamma digamma: digamma's error is relative to |digamma| >= 1 scale only "
        "away from its zeros; near 1e2 the derivative of x * log x amplifies rounding",
    ),
    Case(
        "digamma",
        mg.digamma,
        mp.digamma,
        mixture(uniform(0.01, 30), magnitude(-10, 10, signed=False), uniform(-20, 0)),
        reach=_pole_reach,
        tolerance=(1e-12, 1e-12, 1e-12),
        why="reflection for x < 0 subtracts pi^n P(cot(pi x)) from psi^(n)(1 - x): "
        "cancellation of a few digits at negative x",
    ),
    Case(
        "sinc",
        mg.sinc,
        mp.sincpi,
        mixture(uniform(-5, 5), magnitude(-12, 0), magnitude(0, 6)),
        floor=1.0,
        reach=lambda x: 0.25,
        why="sinc' and sinc'' pass through 0 between the integers: absolute tolerance at "
        "the scale 1 of the terms (cos(pi x) - sinc(x)) / x",
    ),
    Case(
        "gelu",
        mg.gelu,
        lambda x: x / 2 * mp.erfc(-x / mp.sqrt(2)),
        mixture(uniform(-8, 8), magnitude(-10, 1.5)),
        floor=1e-2,
        why="gelu' has a zero at x = -0.75 and gelu'' one at x = +-1.41: absolute "
        "tolerance at 1e-2 (the terms Phi and x phi there are 0.2)",
    ),
    Case(
        "gelu_tanh",
        mg.gelu_tanh,
        _gelu_tanh,
        mixture(uniform(-8, 8), magnitude(-10, 1.5)),
        floor=1e-2,
        why="as gelu",
    ),
    Case(
        "silu",
        mg.silu,
        lambda x: x / (1 + mp.exp(-x)),
        mixture(uniform(-8, 8), magnitude(-10, 2.5)),
        floor=1e-2,
        why="silu' is 0 at x = -1.28, silu''' at +-2.4: absolute tolerance there",
    ),
    Case(
        "elu",
        mg.elu,
        lambda x: x if x > 0 else mp.expm1(x),
        mixture(uniform(-8, 8), magnitude(-10, 2.5)),
        reach=lambda x: abs(x) / 2,
    ),
    Case(
        "selu",
        mg.selu,
        lambda x: _SELU_SCALE * (x if x > 0 else _SELU_ALPHA * mp.expm1(x)),
        mixture(uniform(-8, 8), magnitude(-10, 2.5)),
        reach=lambda x: abs(x) / 2,
        tolerance=(2e-13, 1e-12, 1e-11),
        why="two rounded constants (scale, alpha) multiply: 3 ulps",
    ),
    Case("softsign", mg.softsign, lambda x: x / (1 + abs(x)), _ANY, reach=lambda x: abs(x) / 2),
    Case(
        "mish",
        mg.mish,
        lambda x: x * mp.tanh(_softplus(x)),
        mixture(uniform(-8, 8), magnitude(-10, 1.7)),
        floor=1e-2,
        why="mish' is 0 at x = -1.19, mish'' at -2.2 and 0.4: absolute tolerance there",
    ),
    Case(
        "log_sigmoid",
        mg.log_sigmoid,
        lambda x: -_softplus(-x),
        mixture(uniform(-8, 8), magnitude(-10, 2.8)),
        floor=0.1,
        why="the third derivative -s(x)s(-x)(s(-x) - s(x)) vanishes at 0, a difference of "
        "terms of size 1/8: absolute tolerance at that scale",
    ),
    Case(
        "logsumexp",
        mg.logsumexp,
        lambda x, y: mp.log(mp.exp(x) + mp.exp(y)),
        pairs(uniform(-20, 20), uniform(-20, 20)),
        floor=1.0,
        why="the partials are softmax probabilities s and products of s and 1 - s: "
        "where s is near 1, 1 - s = exp(y - out) keeps an absolute error of rounding "
        "size (floor 1, the size of the probabilities)",
    ),
    Case(
        "fmod",
        mg.fmod,
        lambda x, y: x - mp.floor(abs(x / y)) * mp.sign(x / y) * y,
        pairs(uniform(-10, 10), lambda rng: rng.choice([-1, 1]) * rng.uniform(0.1, 3)),
        reach=lambda x: 1e-6,
    ),
    Case(
        "remainder",
        mg.remainder,
        lambda x, y: x - mp.nint(x / y) * y,
        pairs(uniform(-10, 10), lambda rng: rng.choice([-1, 1]) * rng.uniform(0.1, 3)),
        reach=lambda x: 1e-6,
    ),
    Case(
        "mod",
        mg.mod,
        lambda x, y: x - mp.floor(x / y) * y,
        pairs(uniform(-10, 10), lambda rng: rng.choice([-1, 1]) * rng.uniform(0.1, 3)),
        reach=lambda x: 1e-6,
    ),
    Case(
        "polygamma(1, x)",
        lambda x: mg.polygamma(1, x),
        lambda x: mp.psi(1, x),
        mixture(uniform(0.01, 30), magnitude(-10, 10, signed=False), uniform(-20, 0)),
        reach=_pole_reach,
        tolerance=(1e-12, 1e-12, 1e-12),
        floor=1.0,
        why="as digamma: the reflection at negative x cancels a few digits",
    ),
    Case(
        "polygamma(2, x)",
        lambda x: mg.polygamma(2, x),
        lambda x: mp.psi(2, x),
        mixture(uniform(0.01, 30), magnitude(-5, 10, signed=False), uniform(-20, 0)),
        reach=_pole_reach,
        tolerance=(1e-12, 1e-12, 1e-12),
        floor=1.0,
        why="as digamma",
    ),
    Case(
        "copysign",
        mg.copysign,
        lambda x, y: abs(x) * mp.sign(y),
        pairs(uniform(-5, 5), uniform(-5, 5)),
        reach=lambda x: abs(x) / 2,
    ),
    Case(
        "clamp",
        lambda x: mg.clamp(x, -1.0, 2.0),
        lambda x: min(max(x, -1), 2),
        mixture(uniform(-4, 4)),
        reach=lambda x: min(abs(x + 1), abs(x - 2)) / 2,
    ),
    Case(
        "hardtanh",
        mg.hardtanh,
        lambda x: min(max(x, -1), 1),
        mixture(uniform(-4, 4)),
        reach=lambda x: min(abs(x + 1), abs(x - 1)) / 2,
    ),
    Case("floor", mg.floor, mp.floor, mixture(uniform(-50, 50)), reach=lambda x: 1e-6),
    Case("ceil", mg.ceil, mp.ceil, mixture(uniform(-50, 50)), reach=lambda x: 1e-6),
    Case(
        "trunc",
        mg.trunc,
        lambda x: mp.floor(x) if x > 0 else mp.ceil(x),
        mixture(uniform(-50, 50)),
        reach=lambda x: 1e-6,
    ),
    Case("round", mg.round, mp.nint, mixture(uniform(-50, 50)), reach=lambda x: 1e-6),
    Case("sign", mg.sign, mp.sign, mixture(uniform(-50, 50)), reach=lambda x: abs(x) / 2),
    Case(
        "floor_divide",
        mg.floor_divide,
        lambda x, y: mp.floor(x / y),
        pairs(uniform(-10, 10), lambda rng: rng.choice([-1, 1]) * rng.uniform(0.1, 3)),
        reach=lambda x: 1e-6,
    ),
    Case("exp", mg.exp, mp.exp, mixture(uniform(-5, 5), uniform(-745, 709))),
    Case("log", mg.log, mp.log, _POSITIVE, reach=lambda x: x / 2),
    Case("sqrt", mg.sqrt, mp.sqrt, _POSITIVE, reach=lambda x: x / 2),
    Case(
        "sin",
        mg.sin,
        mp.sin,
        mixture(uniform(-7, 7), magnitude(-10, 5)),
        floor=1.0,
        why="sin and its derivatives pass through 0: absolute tolerance at their scale 1",
    ),
    Case(
        "cos", mg.cos, mp.cos, mixture(uniform(-7, 7), magnitude(-10, 5)), floor=1.0, why="as sin"
    ),
    Case(
        "tan",
        mg.tan,
        mp.tan,
        mixture(uniform(-1.5, 1.5), magnitude(-10, 0)),
        floor=1.0,
        why="the second and third derivatives of tan pass through 0 at 0: absolute there",
    ),
    Case(
        "tanh",
        mg.tanh,
        mp.tanh,
        mixture(uniform(-5, 5), magnitude(-10, 1.2)),
        floor=1.0,
        why="1 - tanh^2 cancels where tanh is near 1 (the existing formula): absolute at "
        "the scale 1 of its terms",
    ),
    Case(
        "sigmoid",
        mg.sigmoid,
        lambda x: 1 / (1 + mp.exp(-x)),
        mixture(uniform(-8, 8), magnitude(-10, 2.5)),
    ),
    Case(
        "softplus",
        mg.softplus,
        _softplus,
        mixture(uniform(-8, 8), magnitude(-10, 2.5)),
    ),
    Case(
        "pow",
        mg.pow,
        lambda x, y: mp.power(x, y),
        pairs(uniform(0.1, 5), uniform(-3, 3)),
        floor=1.0,
        reach=lambda x: max(abs(x), 0.2) / 2,
        why="d/dy x^y log x and its mixed partials cancel near x = 1 (floor 1)",
    ),
]

BY_NAME = {case.name: case for case in CASES}


def main() -> None:
    count = hunt_points(200)
    for case in CASES:
        worst = worst_errors(case, count)
        shown = "  ".join(f"{w[0]:.2e}" for w in worst)
        limits = "  ".join(f"{t:.0e}" for t in case.tolerance)
        flag = "" if all(w[0] <= t for w, t in zip(worst, case.tolerance)) else "  <-- over"
        print(f"{case.name:14s} {shown}   (tolerances {limits}){flag}")
        for order, w in enumerate(worst, start=1):
            if w[0] > case.tolerance[order - 1]:
                print(f"    order {order}: at {w[1]!r} partial {w[2]}")


if __name__ == "__main__":
    main()
