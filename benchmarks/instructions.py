"""Count the machine instructions of one repetition of a workload, under callgrind.

Instruction counts do not depend on what else a shared machine is doing, so they compare
two versions of the engine far more finely than CPU times can (they do not see cache
misses, though: the timed suite remains the measure of speed). Usage::

    python benchmarks/instructions.py W1 W4             # this tree's eager engine
    python benchmarks/instructions.py --root /tmp/old W1  # another checkout's engine

Each count is of the timed region of ``measure.py``: the run and the collection after it.
Four callgrind runs per workload: the case built, everything alive frozen, the run and a
collection, once and three times; then the same without the run. The difference of the
differences, halved, is one repetition's run, without start-up, imports, building the
case, or the full collection before the freeze (whose cost grows with everything the
package has loaded, not with the engine's work). W2 and W3 run at 20,000 steps and
terms, W1 and W4 at their full sizes. Needs ``valgrind`` (Debian: ``apt-get install
valgrind``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"W1": 100, "W2": 20_000, "W3": 20_000, "W4": 100}
"""Workload sizes counted: the suite's for W1 and W4, smaller chains and sums for W2/W3."""

_PROGRAM = """
import gc, sys
sys.path.insert(0, {root!r})
import micrograd
from benchmarks.workloads import PREPARE, ScalarOps
ops = ScalarOps(micrograd.Node)
for _ in range({reps}):
    case = PREPARE[{workload!r}](ops, {size})
    gc.collect()
    gc.freeze()
    {run}
    gc.collect()
    gc.unfreeze()
"""


def count(python: str, root: Path, workload: str, reps: int, run: bool = True) -> int:
    """Instructions callgrind counts for a whole process preparing ``reps`` repetitions.

    Each repetition is run only if `run` is true.
    """
    program = _PROGRAM.format(
        root=str(root),
        reps=reps,
        workload=workload,
        size=SIZES[workload],
        run="case.run()" if run else "pass",
    )
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        proc = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                python,
                "-c",
                program,
            ],
            capture_output=True,
            text=True,
            # A fixed hash seed: string hashing otherwise moves the count between runs.
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        raise RuntimeError(f"{workload}: the run under callgrind failed: {' / '.join(tail)}")
    match = re.search(r"Collected : (\d+)", proc.stderr)
    if match is None:
        raise RuntimeError(f"{workload}: callgrind printed no instruction count")
    return int(match.group(1))


def per_repetition(python: str, root: Path, workload: str) -> int:
    """Instructions of one repetition's run: see the module's docstring."""
    runs = [count(python, root, workload, reps, run) for run in (True, False) for reps in (3, 1)]
    return (runs[0] - runs[1] - (runs[2] - runs[3])) // 2


def main(argv: list[str] | None = None) -> int:
    """Print the instructions of one repetition of each workload asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="+", choices=sorted(SIZES))
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the checkout whose micrograd package is counted (default: this one)",
    )
    parser.add_argument("--python", default=sys.executable, help="interpreter to run")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    if not (args.root / "micrograd" / "node.py").exists():
        parser.error(f"--root {args.root}: no micrograd/node.py there")
    if not (args.root / "benchmarks" / "workloads.py").exists():
        parser.error(f"--root {args.root}: no benchmarks/workloads.py there")
    for workload in args.workloads:
        instructions = per_repetition(args.python, args.root.resolve(), workload)
        size = SIZES[workload]
        print(f"{workload} (size {size:,}): {instructions / 1e6:,.2f} million instructions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
