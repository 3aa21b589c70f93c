"""How much of W2's growth from 100,000 to 1,000,000 steps is Python's cyclic collector.

W2 builds a chain of two nodes a step. A graph without ``create_graph`` has no reference
cycles, so the collector finds nothing to free; it still walks the growing graph while it
is built, and CPython 3.11 starts a full collection whenever the objects that survived
since the last one exceed a quarter of those that had survived before (at most once every
70,000 allocations). A 1,000,000-step chain therefore meets about five times as many full
passes per node as a 100,000-step one. This script times eager W2 in this process as
``measure.py`` does (CPU time, everything alive frozen first, a collection at the end),
once with the collector running and once paused during the run, and prints the ratio of
the two sizes both ways, with the full collections counted. Usage::

    python benchmarks/gc_share.py            # 100,000 and 1,000,000 steps, best of 3
    python benchmarks/gc_share.py --small 20000 --large 200000 --reps 5
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import micrograd as mg
from benchmarks.workloads import ScalarOps, prepare_w2


def time_w2(steps: int, collector: bool) -> tuple[float, int]:
    """CPU seconds of one W2 run and the number of full collections during it."""
    case = prepare_w2(ScalarOps(mg.Node), steps)
    full = [0]

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            full[0] += 1

    gc.collect()
    gc.freeze()
    gc.callbacks.append(count)
    if not collector:
        gc.disable()
    try:
        start = time.process_time()
        case.run()
        gc.collect()
        elapsed = time.process_time() - start
    finally:
        gc.enable()
        gc.callbacks.remove(count)
        gc.unfreeze()
    return elapsed, full[0] - 1  # the collection ending the run is not the build's


def main(argv: list[str] | None = None) -> int:
    """Time both sizes with the collector on and paused; print times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100_000, help="steps of the short chain")
    parser.add_argument("--large", type=int, default=1_000_000, help="steps of the long chain")
    parser.add_argument("--reps", type=int, default=3, help="runs per cell; the best counts")
    args = parser.parse_args(argv)
    time_w2(args.small // 10 or 1, True)  # warm-up
    for collector in (True, False):
        cells = []
        for steps in (args.small, args.large):
            runs = [time_w2(steps, collector) for _ in range(args.reps)]
            best = min(runs)
            cells.append(best[0])
            state = "on" if collector else "paused"
            print(
                f"collector {state:<6} {steps:>9,} steps: {best[0] * 1e3:8.0f} ms,"
                f" {best[1]} full collections"
            )
        print(f"collector {'on' if collector else 'paused':<6} ratio: {cells[1] / cells[0]:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
