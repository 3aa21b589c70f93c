"""Shared settings of the hostile suite.

`MICROGRAD_HUNT` sets how hard the property tests search: unset (the default
of ``make test``) runs a few hundred examples per property; ``full`` runs
2,000; a number runs that many.
"""

from __future__ import annotations

import os


def hunt_examples(default: int) -> int:
    """The number of hypothesis examples per property test (see the module docstring)."""
    mode = os.environ.get("MICROGRAD_HUNT", "").strip().lower()
    if mode == "full":
        return 2000
    if mode.isdigit():
        return int(mode)
    return default
