"""Special functions on plain floats: digamma, polygamma, sinpi, cospi, cube root.

These are the derivatives of `lgamma` and `gamma` (digamma and its
derivatives, the polygamma functions) and the helpers of `sinc`, computed to
about 1e-15 relative in double precision. Nothing here knows about Nodes:
`micrograd.ops.mathfuncs` wraps them as ops.

Methods:

* digamma: the recurrence ``psi(x) = psi(x + 1) - 1/x`` lifts `x` to 12 or
  more, where the asymptotic expansion ``log x - 1/(2x) - sum B_2k / (2k x^2k)``
  converges to rounding; negative `x` use the reflection formula
  ``psi(x) = psi(1 - x) - pi cot(pi x)``. Near the positive root
  ``x0 = 1.4616...``, where the recurrence would cancel, a Taylor series about
  the root (its coefficients are polygamma values at `x0`) keeps the relative
  accuracy.
* polygamma(n, x), n >= 1: the same recurrence (all its terms have one sign
  for positive `x`, so nothing cancels) and asymptotic expansion; negative `x`
  use the n-th derivative of the reflection formula, with the n-th
  derivative of ``cot`` as a polynomial in ``cot``.

Poles (non-positive integers) give NaN here; the ops raise there.

Imports: only the standard library.
"""

from __future__ import annotations

import math

__all__ = [
    "cbrt",
    "cospi",
    "digamma",
    "exp2",
    "logsumexp",
    "polygamma",
    "remainder_quotient",
    "round_half_even",
    "sinpi",
    "softmax",
]

#: B_2, B_4, ..., B_20, the Bernoulli numbers of the asymptotic expansions.
_BERNOULLI = (
    1.0 / 6.0,
    -1.0 / 30.0,
    1.0 / 42.0,
    -1.0 / 30.0,
    5.0 / 66.0,
    -691.0 / 2730.0,
    7.0 / 6.0,
    -3617.0 / 510.0,
    43867.0 / 798.0,
    -174611.0 / 330.0,
)

#: Where the asymptotic expansions take over from the recurrence.
_ASYMPTOTIC_FROM = 12.0


def sinpi(x: float) -> float:
    """``sin(pi * x)``, with `x` reduced exactly first (exact zeros at the integers).

    >>> sinpi(1.0), sinpi(0.5), sinpi(1e300)
    (0.0, 1.0, 0.0)
    """
    if not math.isfinite(x):
        return math.nan
    sign = 1.0
    if x < 0:
        x, sign = -x, -1.0
    r = math.fmod(x, 2.0)  # exact
    if r == 0.0 or r == 1.0:
        return sign * 0.0  # the zeros at the integers, with the sign of x as sin's
    if r > 1.0:
        r, sign = r - 1.0, -sign  # exact (Sterbenz)
    if r > 0.5:
        r = 1.0 - r  # exact: sin(pi (1 - r)) = sin(pi r)
    if r <= 0.25:
        return sign * math.sin(math.pi * r)
    return sign * math.cos(math.pi * (0.5 - r))


def cospi(x: float) -> float:
    """``cos(pi * x)``, with `x` reduced exactly first (exact zeros at the half-integers).

    >>> cospi(0.5), cospi(1.0)
    (0.0, -1.0)
    """
    if not math.isfinite(x):
        return math.nan
    r = math.fmod(abs(x), 2.0)  # exact
    if r > 1.0:
        r = 2.0 - r  # exact: cos is even about 1
    sign = 1.0
    if r > 0.5:
        r, sign = 1.0 - r, -1.0  # exact: cos(pi (1 - r)) = -cos(pi r)
    if r <= 0.25:
        return sign * math.cos(math.pi * r)
    return sign * math.sin(math.pi * (0.5 - r))


def _cbrt_fallback(x: float) -> float:
    """Cube root for Python versions without `math.cbrt`: a power, then one Newton step."""
    if x == 0.0 or not math.isfinite(x):
        return x
    y = math.copysign(abs(x) ** (1.0 / 3.0), x)
    return y - (y - x / (y * y)) / 3.0


#: The real cube root (negative for negative inputs).
cbrt = getattr(math, "cbrt", _cbrt_fallback)


def _exp2_fallback(x: float) -> float:
    """``2 ** x`` for Python versions without `math.exp2`."""
    return math.pow(2.0, x)


#: ``2 ** x`` (OverflowError where it overflows, as `math.exp`).
exp2 = getattr(math, "exp2", _exp2_fallback)


def round_half_even(x: float, ndigits: int) -> float:
    """Python's ``round(x, ndigits)`` as a float; NaN and infinities unchanged."""
    if not math.isfinite(x):
        return x
    # round(x, n) on a float keeps the sign of a zero result (round(-0.4)
    # is -0.0, as in C and PyTorch); round(x) alone returns an int, which cannot.
    return round(x, ndigits)


def remainder_quotient(x: float, y: float, rest: float) -> float:
    """The integer `n` with ``rest = x - n y`` (exact for quotients below 2**53), NaN if none."""
    quotient = (x - rest) / y
    return float(round(quotient)) if math.isfinite(quotient) else math.nan


def logsumexp(values: tuple[float, ...]) -> float:
    """``log(sum(exp(v)))``: the largest value taken out, the rest summed exactly, ``log1p``."""
    if any(math.isnan(v) for v in values):
        return math.nan
    largest = max(values)
    if math.isinf(largest):
        return largest
    index = values.index(largest)
    rest = math.fsum(math.exp(v - largest) for i, v in enumerate(values) if i != index)
    return largest + math.log1p(rest)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def softmax(values: tuple[float, ...]) -> list[float]:
    """``exp(log softmax)`` of `values`, operation for operation as `more_activations` on floats."""
    top = max(range(len(values)), key=lambda i: (values[i], -i))
    if any(math.isnan(v) for v in values):
        top = next(i for i, v in enumerate(values) if math.isnan(v))
    pivot = values[top]
    rest = 0.0
    for i, v in enumerate(values):
        if i != top:
            rest = rest + _exp(v - pivot)
    if rest <= -1.0:
        raise ValueError("logarithm of a number <= 0")
    log_total = math.log1p(rest)
    return [
        _exp(0.0 - log_total if i == top else (v - pivot) - log_total) for i, v in enumerate(values)
    ]


def _is_pole(x: float) -> bool:
    return x <= 0.0 and x == math.floor(x)


def _digamma_asymptotic(x: float) -> float:
    inverse_square = 1.0 / (x * x)
    series = 0.0
    for k in range(len(_BERNOULLI) - 2, -1, -1):  # B_2 .. B_18 by Horner
        series = series * inverse_square + _BERNOULLI[k] / (2 * (k + 1))
    return math.log(x) - 0.5 / x - series * inverse_square


# The positive root of digamma, as a sum of two floats.
_ROOT_HIGH = 1.4616321449683622
_ROOT_LOW = 9.549995429965697e-17
_ROOT_RADIUS = 0.5
_ROOT_TERMS = 40


def digamma(x: float) -> float:
    """The digamma function ``psi(x) = d lgamma(x) / dx``; NaN at its poles.

    >>> round(digamma(1.0), 15)  # -Euler's constant
    -0.577215664901533
    """
    if math.isnan(x) or x == math.inf:
        return x
    if x == -math.inf or _is_pole(x):
        return math.nan
    if x < 0.0:
        return digamma(1.0 - x) - math.pi * cospi(x) / sinpi(x)
    if abs(x - _ROOT_HIGH) < _ROOT_RADIUS:
        h = (x - _ROOT_HIGH) - _ROOT_LOW
        total = 0.0
        for coefficient in reversed(_root_series()):
            total = (total + coefficient) * h
        return total
    shift = 0.0
    while x < _ASYMPTOTIC_FROM:
        shift += 1.0 / x
        x += 1.0
    return _digamma_asymptotic(x) - shift


def _polygamma_asymptotic(n: int, x: float) -> float:
    """``(-1)^(n+1) psi^(n)(x)`` for large `x`: every term positive in this form."""
    inverse = 1.0 / x
    leading = math.factorial(n - 1) * inverse**n * (1.0 + 0.5 * n * inverse)
    series = 0.0
    power = inverse ** (n + 2)
    inverse_square = inverse * inverse
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        term = bernoulli * math.factorial(2 * k + n - 1) / math.factorial(2 * k) * power
        series += term
        power *= inverse_square
    return leading + series


def _cot_derivative_polynomial(n: int) -> list[float]:
    """Coefficients (lowest first) of P_n with ``d^n/dt^n cot(t) = P_n(cot t)``."""
    coefficients = [0.0, 1.0]  # P_0(c) = c
    for _ in range(n):
        derivative = [k * coefficients[k] for k in range(1, len(coefficients))]
        # P_{k+1}(c) = -(1 + c^2) P_k'(c)
        grown = [0.0] * (len(derivative) + 2)
        for k, a in enumerate(derivative):
            grown[k] -= a
            grown[k + 2] -= a
        coefficients = grown
    return coefficients


def polygamma(n: int, x: float) -> float:
    """The n-th derivative of digamma (n >= 1); NaN at its poles.

    >>> round(polygamma(1, 1.0), 15)  # pi**2 / 6
    1.644934066848226
    """
    if n == 0:
        return digamma(x)
    if n < 0:
        raise ValueError(f"polygamma: the order must be >= 0, got {n}")
    if math.isnan(x):
        return x
    if x == math.inf:
        return 0.0
    if x == -math.inf or _is_pole(x):
        return math.nan
    sign = 1.0 if n % 2 == 1 else -1.0  # (-1)^(n+1)
    if x < 0.0:
        reflected = polygamma(n, 1.0 - x)
        cot = cospi(x) / sinpi(x)
        polynomial = 0.0
        for a in reversed(_cot_derivative_polynomial(n)):
            polynomial = polynomial * cot + a
        try:
            cot_term = math.pi ** (n + 1) * polynomial
        except OverflowError:
            return math.nan
        return (-sign) * reflected - cot_term
    factorial = float(math.factorial(n))
    shift = 0.0
    try:
        while x < _ASYMPTOTIC_FROM + n:
            shift += factorial * math.pow(x, -(n + 1))
            x += 1.0
    except OverflowError:
        return sign * math.inf
    return sign * (_polygamma_asymptotic(n, x) + shift)


_ROOT_SERIES: list[float] = []


def _root_series() -> list[float]:
    """Taylor coefficients of digamma about its positive root, ``psi^(k)(x0) / k!``."""
    if not _ROOT_SERIES:
        _ROOT_SERIES.extend(
            polygamma(k, _ROOT_HIGH) / math.factorial(k) for k in range(1, _ROOT_TERMS + 1)
        )
    return _ROOT_SERIES


#: The smallest normal float: below it a result has lost bits (it is subnormal).
TINY = 2.0**-1022


def hypot_partial(index: int, r: float, *xs: float) -> float:
    """``xs[index] / r`` with ``r = hypot(*xs)``: NaN at the origin (0 / 0, PyTorch's).

    Where r is subnormal it has lost bits, so the quotient is taken of the
    inputs scaled by the largest one, whose hypot is between 1 and sqrt(n).
    """
    if r == 0.0:
        return math.nan
    if not r < TINY:
        return xs[index] / r
    largest = max(abs(x) for x in xs)
    scaled = [x / largest for x in xs]
    return scaled[index] / math.hypot(*scaled)
