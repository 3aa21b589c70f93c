"""Newton's method with second derivatives: a minimum of a function of one variable.

Newton's method looks for a point where the derivative f' is zero by following
the tangent of f' down to zero, again and again:

    x  <-  x - f'(x) / f''(x)

Near a minimum (or a maximum) it doubles the number of correct digits at every
step, and the sign of f'' at the end says which of the two it found. Both
derivatives come from micrograd, with no formula written by hand: f' is
``mg.grad(f)`` and f'' is ``mg.grad(mg.grad(f))``.

    python examples/newton.py                                   # exp(x) + x**2 from x = 1
    python examples/newton.py --formula "x**4 - 3*x**3 + 2" --x0 3
    python examples/newton.py --steps 3                         # stop after three steps

The function is a formula in x (see ``micrograd graph --help`` for what a
formula may contain). Prints every iteration and the point found; writes no
files. Exits with status 1 if it does not converge within --steps.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import micrograd as mg
from micrograd.formula import FormulaError, parse_formula


def newton_minimum(
    f: Callable[[mg.Node], mg.Node],
    x0: float,
    steps: int = 50,
    tol: float = 1e-15,
    report: Callable[[int, float, float, float], None] | None = None,
) -> tuple[float, bool]:
    """Newton's method on f' from `x0`; returns the last x and whether it converged.

    It has converged when f'(x) is exactly 0 or a step moves x by at most
    ``tol * max(1, |x|)``. `report(step, x, f'(x), f''(x))` sees each iterate.
    """
    first = mg.grad(f)
    second = mg.grad(first)
    x = x0
    for step in range(steps + 1):
        slope, curvature = first(x), second(x)
        if report is not None:
            report(step, x, slope, curvature)
        if slope == 0.0:
            return x, True
        if step == steps:
            break
        if curvature == 0.0:
            raise ZeroDivisionError(f"f''({x!r}) is 0: the tangent of f' never reaches zero")
        new_x = x - slope / curvature
        if abs(new_x - x) <= tol * max(1.0, abs(x)):
            if report is not None:
                report(step + 1, new_x, first(new_x), second(new_x))
            return new_x, True
        x = new_x
    return x, False


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run Newton's method and print the iterations."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--formula", default="exp(x) + x**2", help='f as a formula in x (default: "exp(x) + x**2")'
    )
    parser.add_argument("--x0", type=float, default=1.0, help="the starting point (default: 1)")
    parser.add_argument(
        "--steps", type=int, default=50, help="at most this many steps (default: 50)"
    )
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    try:
        formula = parse_formula(args.formula)
    except FormulaError as error:
        parser.error(str(error))
    if set(formula.variables) - {"x"}:
        parser.error(f"the formula may use only the variable x, found {formula.variables}")

    def f(x: mg.Node) -> mg.Node:
        return formula.evaluate({"x": x})

    print(f"Newton's method for a stationary point of f(x) = {args.formula}, from x = {args.x0:g}")
    print(f"{'step':>4}  {'x':<24} {'f1 = df/dx':<24} f2 = d2f/dx2")

    def report(step: int, x: float, slope: float, curvature: float) -> None:
        print(f"{step:4d}  {x!r:<24} {slope!r:<24} {curvature!r}")

    try:
        x, converged = newton_minimum(f, args.x0, steps=args.steps, report=report)
    except (ArithmeticError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not converged:
        print(f"no convergence within {args.steps} steps; last x = {x!r}")
        return 1
    curvature = mg.grad(mg.grad(f))(x)
    kind = "a minimum" if curvature > 0 else "a maximum" if curvature < 0 else "a flat point"
    print(f"converged: x = {x!r}, f(x) = {f(mg.Node(x)).data!r}, {kind} (f2 = {curvature!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
