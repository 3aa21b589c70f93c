"""Every example runs and prints what it promises, so the examples cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, *args: str) -> str:
    """Run examples/<name> in a fresh interpreter and return what it printed."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_numerical_diff() -> None:
    out = run_example("numerical_diff.py")
    assert "f_tutorial    4.000000330961484" in out
    assert "slope at +1: 2.000000165480742" in out
    assert "f_exact       4.0 " in out
    assert "z = 10.0, dz/dx = 12.0, dz/dy = -4.0" in out


def test_custom_op() -> None:
    out = run_example("custom_op.py")
    assert "gradcheck(gelu) passed at 5 points" in out
    assert "gradcheck(huber) passed at 4 points" in out
    assert "gradcheck failed for sin_times_x" in out
    assert "backward gives 0.4348293053720083" in out
