"""Measure one engine on one benchmark cell; run as a worker process by ``run.py``.

Usage (one JSON line prefixed with ``@@bench-result`` goes to stdout)::

    python benchmarks/measure.py --engine ours --probe
    python benchmarks/measure.py --engine ours --workload W2 --size 100000 --reps 5
    python benchmarks/measure.py --engine ours --node-memory 25000

Timing protocol for a cell: one warm-up run, then ``reps`` repetitions, each prepared
afresh (untimed). Before a repetition the collector runs and every object alive is frozen
(``gc.freeze``), so collections during the timed region see only that repetition's own
objects. The timed region is the run itself plus a final ``gc.collect()``: freeing the
graph is part of the cost, whether reference counting or the cycle collector does it. Time
is the worker's CPU time (``time.process_time``), so that other processes on a shared
machine do not count towards a cell; the worker runs nothing else meanwhile.
Peak memory comes from a separate, untimed run made first (see :func:`peak_memory`).

Failures (``RecursionError``, ``MemoryError``, anything) are reported in the result, not
raised; the worker exits 0 unless the interpreter itself dies. A cell the engine cannot run
(:class:`~benchmarks.engines.NotApplicable`) is reported as ``n/a (<reason>)``.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import re
import statistics
import sys
import threading
import time
import traceback
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

if __package__ in (None, ""):
    # Run as a script: make the ``benchmarks`` package importable. The project root goes
    # last on the path so that an installed ``micrograd`` always wins over the source tree.
    sys.path.append(str(Path(__file__).resolve().parent.parent))

from benchmarks.engines import DEEP_RECURSION_LIMIT, ENGINES, Engine, FloatEngine, NotApplicable
from benchmarks.reference import CHECK_SOURCE, REL_TOL, expected, max_rel_error
from benchmarks.workloads import Result

RESULT_PREFIX = "@@bench-result "
"""Marks the worker's result line on stdout."""
THREAD_STACK_BYTES = 1 << 30
"""Stack of the thread a cell runs in, so deep recursion in an engine fails as a
RecursionError (or not at all) rather than overflowing the C stack."""

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")

T = TypeVar("T")


def run_with_big_stack(fn: Callable[[], T]) -> T:
    """Call ``fn`` in a thread with a :data:`THREAD_STACK_BYTES` stack; re-raise its error."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed back to the calling thread
            outcome["error"] = exc

    previous = threading.stack_size(THREAD_STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name="bench-cell")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def _time_once(engine: Engine, workload: str, size: int) -> tuple[float, Result]:
    case = engine.prepare(workload, size)
    gc.collect()
    gc.freeze()
    try:
        start = time.process_time()
        out = case.run()
        gc.collect()
        elapsed = time.process_time() - start
    finally:
        gc.unfreeze()
    return elapsed, {**out, **case.collect()}


def _status_kib(field: str) -> int | None:
    """A ``kB`` field of /proc/self/status (Linux), or None."""
    try:
        text = _STATUS.read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s*(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def _reset_peak_rss() -> bool:
    """Reset the process's peak resident set size (VmHWM); False where not supported."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_memory(engine: Engine, workload: str, size: int) -> tuple[int, str]:
    """Peak memory used by one untimed run of a cell above its starting level (setup excluded).

    Returns the bytes and the method. On Linux ("rss"): the peak resident set size, reset
    just before the run, minus the resident set at its start; call this before anything
    else in a fresh process, so that no memory freed earlier is waiting to be reused.
    Elsewhere ("traced"): the peak of ``tracemalloc``. (tracemalloc is not the first
    choice because on CPython 3.11 each traced allocation walks the whole stack, which
    makes engines with a recursive backward pass quadratic under it.)
    """
    case = engine.prepare(workload, size)
    gc.collect()
    start_kib = _status_kib("VmRSS")
    if start_kib is not None and _reset_peak_rss():
        case.run()
        peak_kib = _status_kib("VmHWM") or start_kib
        method, peak = "rss", max(0, peak_kib - start_kib) * 1024
    else:
        tracemalloc.start()
        try:
            case.run()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        method = "traced"
    del case
    gc.collect()
    return peak, method


def time_cell(
    engine: Engine,
    workload: str,
    size: int,
    reps: int,
    warmup_size: int | None = None,
    memory: bool = True,
) -> dict[str, Any]:
    """Measure peak memory (optionally), warm up, time ``reps`` repetitions, check the result.

    Returns a JSON-ready dict: ``times`` (seconds), ``median``, ``min``, ``reps``,
    ``peak_bytes`` and ``peak_method`` (see :func:`peak_memory`), ``check`` ("ok",
    "mismatch" or "reference") and ``max_rel_err``.
    """
    peak, peak_method = peak_memory(engine, workload, size) if memory else (None, None)
    reference = expected(workload, size)
    if warmup_size != 0:
        _time_once(engine, workload, warmup_size or size)
    times: list[float] = []
    first: Result | None = None
    for _ in range(reps):
        elapsed, result = _time_once(engine, workload, size)
        times.append(elapsed)
        if first is None:
            first = result
        del result
    assert first is not None, "reps must be at least 1"
    err = max_rel_error(first, reference)
    if isinstance(engine, FloatEngine) and CHECK_SOURCE[workload] == "floats":
        check = "reference"
    else:
        check = "ok" if err <= REL_TOL else "mismatch"
    gc.collect()
    return {
        "times": times,
        "median": statistics.median(times),
        "min": min(times),
        "reps": reps,
        "peak_bytes": peak,
        "peak_method": peak_method,
        "check": check,
        "max_rel_err": err if err != float("inf") else None,
    }


def probe(engine: Engine) -> dict[str, Any]:
    """What the report says about an engine and the interpreter running it."""
    return {
        "label": engine.label,
        "version": engine.version(),
        "location": engine.location(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
    }


def _error_text(exc: BaseException) -> str:
    return type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the requested measurement, print one result line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", required=True, choices=sorted(ENGINES))
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--probe", action="store_true", help="report version and location")
    action.add_argument("--workload", help="workload key (W1..W4) to time")
    action.add_argument(
        "--node-memory",
        type=int,
        metavar="TERMS",
        help="bytes per node of a wide-sum graph with TERMS products",
    )
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument(
        "--warmup-size",
        type=int,
        default=None,
        help="size of the warm-up run (default: --size; 0: no warm-up)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory run")
    parser.add_argument(
        "--default-recursion-limit",
        action="store_true",
        help="keep Python's default recursion limit even for engines that need it raised",
    )
    args = parser.parse_args(argv)

    out: dict[str, Any] = {"engine": args.engine}
    try:
        engine = ENGINES[args.engine].load()
    except Exception as exc:
        out["error"] = f"unavailable ({_error_text(exc)}: {exc})"
        print(RESULT_PREFIX + json.dumps(out), flush=True)
        return 0
    if engine.needs_recursion_limit and not args.default_recursion_limit:
        sys.setrecursionlimit(DEEP_RECURSION_LIMIT)
    out["recursion_limit"] = sys.getrecursionlimit()

    def work() -> dict[str, Any]:
        if args.probe:
            return probe(engine)
        if args.node_memory is not None:
            mem = engine.node_memory(args.node_memory)
            return {"node_memory": None if mem is None else vars(mem)}
        return time_cell(
            engine, args.workload, args.size, args.reps, args.warmup_size, memory=not args.no_memory
        )

    try:
        out.update(run_with_big_stack(work))
    except NotApplicable as exc:
        out["error"] = f"n/a ({exc})"
    except Exception as exc:
        traceback.print_exc(limit=5)
        out["error"] = _error_text(exc)
    print(RESULT_PREFIX + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
