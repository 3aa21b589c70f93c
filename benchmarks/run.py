"""Run the benchmark suite: every engine on every workload, each cell in its own process.

    python benchmarks/run.py                 # full sizes, writes benchmarks/results.md
    python benchmarks/run.py --quick         # small sizes, writes benchmarks/results-quick.md
    python benchmarks/run.py --engines ours,karpathy --workloads W1,W4

Karpathy's micrograd 0.1.0 is installed from PyPI into ``benchmarks/.venv-karpathy`` on
first use (it imports as ``micrograd`` too, so it needs an environment of its own). The
other engines run with the interpreter given by ``--python`` (default: the one running
this script, normally the project's virtual environment).

Each cell's repetitions are split into rounds that alternate between the engines: round 1
runs every engine once (a worker process each, with its own warm-up), round 2 runs them all
again in reverse order, and so on. Slow changes in the machine's load then reach every
engine alike instead of one engine's whole block of repetitions. The rounds of an engine
are merged into one outcome per cell (:func:`merge_rounds`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.engines import BASELINE, ENGINES, EngineSpec
from benchmarks.measure import RESULT_PREFIX
from benchmarks.report import Cell, Outcome, RunData, fmt_ratio, fmt_time, ratio, render
from benchmarks.workloads import WORKLOADS

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
MEASURE = BENCH_DIR / "measure.py"
KARPATHY_VENV = BENCH_DIR / ".venv-karpathy"
KARPATHY_REQUIREMENT = "micrograd==0.1.0"

# Rounds are worker runs per engine, interleaved across engines; each has its own warm-up.
# Cells of a few seconds or less run one repetition per round. The 1,000,000-step chain
# (Karpathy's micrograd: about 47 s a repetition) also runs one per round: its extra
# warm-ups are 100,000-step chains, small next to the repetitions themselves.
FULL_CELLS = (
    Cell("W1", 100, reps=9, rounds=9),  # the ratio closest to its target: more rounds
    Cell("W2", 100_000, reps=9, rounds=9),  # the base of the 1,000,000-step ratio too
    Cell("W2", 1_000_000, reps=3, warmup_size=100_000, rounds=3),
    Cell("W3", 100_000, reps=5, rounds=5),
    Cell("W4", 100, reps=25, rounds=5),  # a few milliseconds a run: more runs per round
)
QUICK_CELLS = (
    Cell("W1", 20, reps=3, rounds=3),
    Cell("W2", 2_000, reps=3, rounds=3),
    Cell("W2", 20_000, reps=3, warmup_size=2_000, rounds=3),
    Cell("W3", 5_000, reps=3, rounds=3),
    Cell("W4", 100, reps=6, rounds=3),
)
FULL_NODE_TERMS = 25_000  # 4 nodes per term: about 100,000 nodes
QUICK_NODE_TERMS = 2_500
RECURSION_PROBES = (
    Cell("W2", 500, reps=1, warmup_size=0),
    Cell("W3", 1_000, reps=1, warmup_size=0),
)
EXTRA_SECTIONS = ("mem", "recursion")


def log(message: str) -> None:
    """Progress line on stderr (stdout carries the report)."""
    print(message, file=sys.stderr, flush=True)


def venv_python(venv: Path) -> Path:
    """The interpreter inside a virtual environment."""
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def _python_tag(python: str | Path) -> str:
    out = subprocess.run(
        [str(python), "-I", "-c", "import sys; print(sys.version_info[:3])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def _has_karpathy(python: Path) -> bool:
    # Isolated mode (-I), so that the project's own micrograd cannot be picked up instead.
    code = (
        "import importlib.metadata as m, micrograd.engine; assert m.version('micrograd') == '0.1.0'"
    )
    proc = subprocess.run([str(python), "-I", "-c", code], capture_output=True, cwd=BENCH_DIR)
    return proc.returncode == 0


def ensure_karpathy_venv(base_python: str) -> Path:
    """Create ``.venv-karpathy`` with micrograd 0.1.0 unless it is there already.

    The environment is rebuilt when its Python version differs from ``base_python``'s, so
    both engines always run on the same interpreter version. Raises RuntimeError on failure.
    """
    python = venv_python(KARPATHY_VENV)
    wanted = _python_tag(base_python)
    if python.exists() and _python_tag(python) == wanted and _has_karpathy(python):
        return python
    log(f"setting up {KARPATHY_VENV.relative_to(ROOT)} with {KARPATHY_REQUIREMENT} ...")
    steps = [
        [base_python, "-m", "venv", "--clear", str(KARPATHY_VENV)],
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            KARPATHY_REQUIREMENT,
        ],
    ]
    for cmd in steps:
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"`{' '.join(cmd)}` failed: {' / '.join(tail)}")
    if not _has_karpathy(python):
        raise RuntimeError("micrograd 0.1.0 is not importable from the new environment")
    return python


def run_worker(python: str | Path, args: Sequence[str], timeout: float) -> Outcome:
    """Run ``measure.py`` with ``args`` and return its result, or an error outcome."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # each engine must come from its own environment
    cmd = [str(python), str(MEASURE), *args]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=BENCH_DIR
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout (> {timeout:.0f} s)"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            return result
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return {"error": f"crashed ({name})"}
    tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
    return {"error": f"failed: {tail[0][:120]}"}


def cell_args(
    engine: str,
    cell: Cell,
    memory: bool = True,
    default_limit: bool = False,
    reps: int | None = None,
) -> list[str]:
    """Worker arguments that time one cell, with ``reps`` repetitions (default: the cell's)."""
    args = [
        "--engine",
        engine,
        "--workload",
        cell.workload,
        "--size",
        str(cell.size),
        "--reps",
        str(cell.reps if reps is None else reps),
    ]
    if cell.warmup_size is not None:
        args += ["--warmup-size", str(cell.warmup_size)]
    if not memory:
        args.append("--no-memory")
    if default_limit:
        args.append("--default-recursion-limit")
    return args


def merge_rounds(outcomes: Sequence[Outcome]) -> Outcome:
    """One engine's outcome for a cell from the outcomes of its rounds, in the order run.

    The first error, if any round has one, is the cell's outcome. Otherwise the times of
    all rounds are pooled (``times``, ``median``, ``min``, ``reps``); peak memory and the
    other fields come from the first round (the only one that measures memory); the check
    is the worst seen (any "mismatch" wins, and ``max_rel_err`` is the largest, None
    standing for an infinite error). ``rounds`` counts the rounds and ``round_medians``
    lists their medians. Raises ValueError when ``outcomes`` is empty.
    """
    if not outcomes:
        raise ValueError("no rounds to merge")
    for outcome in outcomes:
        if "error" in outcome:
            return dict(outcome)
    times = [float(t) for outcome in outcomes for t in outcome["times"]]
    checks = [outcome.get("check") for outcome in outcomes]
    errors = [float(e) for e in (o.get("max_rel_err") for o in outcomes) if e is not None]
    merged = dict(outcomes[0])
    merged.update(
        times=times,
        median=statistics.median(times),
        min=min(times),
        reps=len(times),
        rounds=len(outcomes),
        round_medians=[outcome["median"] for outcome in outcomes],
        check="mismatch" if "mismatch" in checks else checks[0],
        max_rel_err=max(errors) if len(errors) == len(outcomes) else None,
    )
    return merged


def run_cell(
    cell: Cell, engines: Sequence[EngineSpec], pythons: dict[str, str], timeout: float
) -> dict[str, Outcome]:
    """Time one cell on ``engines`` in interleaved rounds; the merged outcome per engine key.

    Round ``i`` runs each engine's worker for its share of the repetitions, in the given
    order for even ``i`` and reversed for odd ``i``. Only the first round measures peak
    memory. An engine whose worker fails is not run again in later rounds of the cell.
    """
    done: dict[str, list[Outcome]] = {spec.key: [] for spec in engines}
    shares = cell.round_reps()
    for index, reps in enumerate(shares):
        order = list(engines) if index % 2 == 0 else list(reversed(engines))
        for spec in order:
            previous = done[spec.key]
            if previous and "error" in previous[-1]:
                continue
            args = cell_args(spec.key, cell, memory=index == 0, reps=reps)
            outcome = run_worker(pythons[spec.key], args, timeout)
            previous.append(outcome)
            shown = outcome.get("error") or (
                f"median {fmt_time(outcome['median'])}, min {fmt_time(outcome['min'])}, "
                f"check {outcome.get('check')}"
            )
            stage = f"round {index + 1}/{len(shares)}"
            plural = "rep" if reps == 1 else "reps"
            log(f"{cell.title:<36} {stage:<11} {spec.label:<28} {reps} {plural}: {shown}")
    return {key: merge_rounds(outcomes) for key, outcomes in done.items()}


def _log_cell(data: RunData, cell: Cell, engines: Sequence[EngineSpec]) -> None:
    """Log one cell's merged times and their ratios to the baseline."""
    for spec in engines:
        outcome = data.results[(cell.key, spec.key)]
        if "error" in outcome:
            shown = str(outcome["error"])
        else:
            shown = (
                f"median {fmt_time(outcome['median'])} "
                f"({fmt_ratio(ratio(data, cell, spec.key))}), "
                f"min {fmt_time(outcome['min'])} "
                f"({fmt_ratio(ratio(data, cell, spec.key, stat='min'))}), "
                f"{outcome['reps']} reps in {outcome['rounds']} rounds"
            )
        log(f"{cell.title:<36} {'merged':<11} {spec.label:<28} {shown}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description="Run the micrograd benchmark suite.")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a fast check")
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help=f"comma-separated engine keys (default: all of {','.join(ENGINES)})",
    )
    parser.add_argument(
        "--workloads",
        default=",".join([*WORKLOADS, *EXTRA_SECTIONS]),
        help="comma-separated: W1,W2,W3,W4 and the sections mem (bytes per "
        "node) and recursion (default recursion limit); default: all",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter for the project's engines (default: this one)",
    )
    parser.add_argument(
        "--reps",
        type=int,
        default=None,
        help="override every cell's total reps (its rounds are capped at this number)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600.0,
        help="seconds allowed per worker process (default: 3600)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="markdown file to write (default: benchmarks/results.md, or "
        "benchmarks/results-quick.md with --quick)",
    )
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    args.workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    if args.reps is not None and args.reps < 1:
        parser.error("--reps must be at least 1")
    for key in args.engines:
        if key not in ENGINES:
            parser.error(f"unknown engine {key!r}; known: {', '.join(ENGINES)}")
    for key in args.workloads:
        if key not in WORKLOADS and key not in EXTRA_SECTIONS:
            parser.error(
                f"unknown workload {key!r}; known: {', '.join([*WORKLOADS, *EXTRA_SECTIONS])}"
            )
    if args.output is None:
        args.output = BENCH_DIR / ("results-quick.md" if args.quick else "results.md")
    return args


def _interpreters(specs: list[EngineSpec], python: str, notes: list[str]) -> dict[str, str]:
    """Interpreter per engine; engines whose interpreter cannot be had are left out."""
    found: dict[str, str] = {}
    for spec in specs:
        if spec.interpreter == "karpathy":
            try:
                found[spec.key] = str(ensure_karpathy_venv(python))
            except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
                notes.append(f"{spec.label} could not be installed: {exc}")
                log(f"{spec.label}: {exc}")
        else:
            found[spec.key] = python
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected cells and write the report."""
    args = parse_args(argv)
    notes: list[str] = []
    specs = [ENGINES[key] for key in ENGINES if key in args.engines]
    pythons = _interpreters(specs, args.python, notes)

    probes: dict[str, Outcome] = {}
    engines: list[EngineSpec] = []
    for spec in specs:
        if spec.key not in pythons:
            probes[spec.key] = {"error": "not installed"}
            continue
        probe = run_worker(pythons[spec.key], ["--engine", spec.key, "--probe"], 120)
        if "error" in probe and spec.optional:
            notes.append(f"{spec.label} skipped: {probe['error']}")
            log(f"{spec.label}: skipped ({probe['error']})")
            continue
        if spec.interpreter == "karpathy" and ".venv-karpathy" not in probe.get("location", ""):
            probe = {"error": f"wrong micrograd imported: {probe.get('location')}"}
        probes[spec.key] = probe
        engines.append(spec)
        log(f"{spec.label}: {probe.get('error') or 'version ' + str(probe.get('version'))}")
    runnable = [spec for spec in engines if "error" not in probes[spec.key]]

    cells = [c for c in (QUICK_CELLS if args.quick else FULL_CELLS) if c.workload in args.workloads]
    if args.reps is not None:
        cells = [c.with_reps(args.reps) for c in cells]
    data = RunData(
        mode="quick" if args.quick else "full",
        engines=[(spec.key, spec.label) for spec in engines],
        baseline=BASELINE,
        probes=probes,
        cells=cells,
        results={},
        notes=notes,
    )
    for spec in engines:
        if spec not in runnable:
            for cell in cells:
                data.results[(cell.key, spec.key)] = {"error": "unavailable"}

    started = time.perf_counter()
    for cell in cells:
        for key, outcome in run_cell(cell, runnable, pythons, args.timeout).items():
            data.results[(cell.key, key)] = outcome
        _log_cell(data, cell, runnable)

    graph_engines = [spec for spec in runnable if spec.builds_graph]
    if "mem" in args.workloads:
        data.node_terms = QUICK_NODE_TERMS if args.quick else FULL_NODE_TERMS
        for spec in graph_engines:
            outcome = run_worker(
                pythons[spec.key],
                ["--engine", spec.key, "--node-memory", str(data.node_terms)],
                args.timeout,
            )
            data.node_memory[spec.key] = outcome
            log(
                f"{'bytes per node':<40} {spec.label:<28} "
                f"{outcome.get('error') or outcome['node_memory'] or 'n/a'}"
            )
    if "recursion" in args.workloads:
        data.recursion_probes = list(RECURSION_PROBES)
        for probe_cell in RECURSION_PROBES:
            for spec in graph_engines:
                outcome = run_worker(
                    pythons[spec.key],
                    cell_args(spec.key, probe_cell, memory=False, default_limit=True),
                    args.timeout,
                )
                data.recursion[(probe_cell.key, spec.key)] = outcome
                log(
                    f"{probe_cell.title + ' (default limit)':<40} {spec.label:<28} "
                    f"{outcome.get('error') or 'ok'}"
                )
    log(f"suite finished in {time.perf_counter() - started:.0f} s")

    report = render(data, ROOT)
    args.output.write_text(report)
    print(report)
    log(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
