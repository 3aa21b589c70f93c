"""Every built-in function against mpmath: derivatives of orders 1 to 3.

The cases, their tolerances and the reasons for each are in
`functions_reference` (one `Case` per function). Each test draws fresh
random points for its function (seeded by the function's name, so a failure
repeats) across its domain, near its edges and at large magnitudes, plus the
case's fixed points. ``MICROGRAD_HUNT`` sets the number of points per
function: 25 by default (the whole module then takes about 15 s); ``full``
is 2,000; a number is that many. ``python tests/functions_reference.py``
prints the largest errors found.
"""

from __future__ import annotations

import pytest

pytest.importorskip("mpmath", reason="mpmath is the reference of these tests")

from functions_reference import CASES, Case, hunt_points, worst_errors

POINTS = hunt_points(25)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_derivatives_agree_with_mpmath(case: Case) -> None:
    worst = worst_errors(case, POINTS)
    for order, ((found, point, partial), limit) in enumerate(zip(worst, case.tolerance), 1):
        assert found <= limit, (
            f"{case.name}: order {order} error {found:.3g} > {limit:g} at {point!r}"
            f" (partial {partial})"
        )
