"""Smoke test of the benchmark suite: every workload at tiny sizes, correctness only.

Runs the engines in this process (ours eager and compiled, and the plain floats); no timing
is asserted and nothing here needs the network or Karpathy's micrograd.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from benchmarks import engines, instructions, measure, report, run  # noqa: E402
from benchmarks.reference import expected, matches, max_rel_error  # noqa: E402
from benchmarks.workloads import PREPARE, make_moons  # noqa: E402

TINY = {"W1": 8, "W2": 60, "W3": 40, "W4": 12}


@pytest.fixture(scope="module")
def ours() -> engines.Engine:
    return engines.load_ours()


@pytest.fixture(scope="module")
def compiled() -> engines.Engine:
    return engines.load_compiled()


@pytest.fixture(scope="module")
def floats() -> engines.Engine:
    return engines.load_floats()


def test_every_workload_has_a_tiny_size() -> None:
    assert set(TINY) == set(PREPARE)


@pytest.mark.parametrize("workload", sorted(TINY))
@pytest.mark.parametrize("engine_key", ["ours", "compiled", "floats"])
def test_workload_matches_reference(workload: str, engine_key: str) -> None:
    engine = engines.ENGINES[engine_key].load()
    size = TINY[workload]
    result = engine.prepare(workload, size).run_and_collect()
    reference = expected(workload, size)
    assert set(reference) <= set(result)
    assert matches(result, reference), max_rel_error(result, reference)


@pytest.mark.parametrize("workload", ["W1", "W2"])
def test_repetitions_are_identical(
    workload: str, ours: engines.Engine, compiled: engines.Engine
) -> None:
    for engine in (ours, compiled):
        first = engine.prepare(workload, TINY[workload]).run_and_collect()
        second = engine.prepare(workload, TINY[workload]).run_and_collect()
        assert first == second


def test_compiled_engine_agrees_with_eager_closely(
    ours: engines.Engine, compiled: engines.Engine
) -> None:
    for workload, size in TINY.items():
        eager = ours.prepare(workload, size).run_and_collect()
        fast = compiled.prepare(workload, size).run_and_collect()
        assert matches(fast, eager, rel_tol=1e-12), (workload, max_rel_error(fast, eager))


def test_compiled_engine_has_no_node_memory(compiled: engines.Engine) -> None:
    assert compiled.node_memory(10) is None


def test_reference_detects_a_wrong_gradient() -> None:
    reference = expected("W2", 10)
    wrong = {**reference, "x_grad": float(reference["x_grad"]) * (1 + 1e-6)}  # type: ignore[arg-type]
    assert not matches(wrong, reference)
    assert not matches({"y": reference["y"]}, reference)  # a missing value fails too


def test_make_moons_is_deterministic_and_balanced() -> None:
    xs, ys = make_moons(10)
    assert (xs, ys) == make_moons(10)
    assert len(xs) == 10
    assert sorted(ys) == [-1.0] * 5 + [1.0] * 5


def test_time_cell_in_process(
    ours: engines.Engine, compiled: engines.Engine, floats: engines.Engine
) -> None:
    for engine in (ours, compiled, floats):
        out = measure.time_cell(engine, "W4", TINY["W4"], reps=2)
        assert len(out["times"]) == 2
        assert out["min"] <= out["median"]
        assert out["peak_bytes"] >= 0
        assert out["peak_method"] in ("rss", "traced")
        assert out["check"] in ("ok", "reference")


def test_node_memory_counts_the_wide_sum_graph(ours: engines.Engine) -> None:
    terms = 50
    mem = ours.node_memory(terms)
    assert mem is not None
    assert 4 * terms <= mem.nodes <= 4 * terms + 2  # leaves, products, partial sums
    assert mem.graph_bytes > 0


def test_failures_are_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Deep:
        """A scalar whose backward pass always gives up, as a recursive one would."""

        def __init__(self, data: float) -> None:
            self.data, self.grad = data, 0.0

        def __mul__(self, other: Any) -> Deep:
            return Deep(self.data * float(other))

        def __add__(self, other: Any) -> Deep:
            return Deep(self.data + float(other))

        def backward(self) -> None:
            raise RecursionError("maximum recursion depth exceeded")

    spec = engines.EngineSpec(
        "deep", "deep", "project", lambda: engines.GraphEngine("deep", Deep, "none")
    )
    monkeypatch.setitem(engines.ENGINES, "ours", spec)
    measure.main(["--engine", "ours", "--workload", "W2", "--size", "5", "--reps", "1"])
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith(measure.RESULT_PREFIX)
    assert json.loads(line[len(measure.RESULT_PREFIX) :])["error"] == "RecursionError"


def test_graph_too_large_to_compile_is_reported_as_not_applicable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def load() -> engines.Engine:
        return engines.CompiledEngine(
            importlib.import_module("micrograd"), options={"max_nodes": 100}
        )

    spec = engines.EngineSpec("compiled", "ours (compiled)", "project", load)
    monkeypatch.setitem(engines.ENGINES, "compiled", spec)
    # 60 steps make 241 nodes: the leaf, and per step two constants and two ops.
    measure.main(["--engine", "compiled", "--workload", "W2", "--size", "60", "--reps", "1"])
    line = capsys.readouterr().out.strip().splitlines()[-1]
    error = json.loads(line[len(measure.RESULT_PREFIX) :])["error"]
    assert error == "n/a (GraphTooLargeError: 241 nodes > max_nodes=100)"


def test_worker_process_round_trip() -> None:
    args = [
        "--engine",
        "floats",
        "--workload",
        "W4",
        "--size",
        "5",
        "--reps",
        "1",
        "--warmup-size",
        "0",
        "--no-memory",
    ]
    out = run.run_worker(sys.executable, args, timeout=60)
    assert "error" not in out, out
    assert out["check"] == "reference"


def _timed(times: list[float], check: str = "ok", err: float | None = 0.0) -> dict[str, Any]:
    """A worker outcome for ``times``, as measure.py reports a round."""
    return {
        "engine": "ours",
        "times": times,
        "median": sorted(times)[len(times) // 2],
        "min": min(times),
        "reps": len(times),
        "peak_bytes": None,
        "peak_method": None,
        "check": check,
        "max_rel_err": err,
    }


def test_merge_rounds_pools_the_times() -> None:
    first = {**_timed([0.3, 0.1]), "peak_bytes": 4096, "peak_method": "rss"}
    merged = run.merge_rounds([first, _timed([0.5]), _timed([0.2, 0.4], err=1e-12)])
    assert merged["times"] == [0.3, 0.1, 0.5, 0.2, 0.4]
    assert merged["median"] == 0.3
    assert merged["min"] == 0.1
    assert merged["reps"] == 5
    assert merged["rounds"] == 3
    assert merged["round_medians"] == [0.3, 0.5, 0.4]
    assert (merged["peak_bytes"], merged["peak_method"]) == (4096, "rss")  # first round's
    assert merged["check"] == "ok"
    assert merged["max_rel_err"] == 1e-12
    assert first["times"] == [0.3, 0.1]  # the rounds' outcomes are left as they were


def test_merge_rounds_keeps_the_worst_check() -> None:
    rounds = [_timed([0.1]), _timed([0.1], "mismatch", 1e-3), _timed([0.1], err=1e-6)]
    merged = run.merge_rounds(rounds)
    assert (merged["check"], merged["max_rel_err"]) == ("mismatch", 1e-3)
    unbounded = run.merge_rounds([_timed([0.1], "mismatch", None), _timed([0.1])])
    assert (unbounded["check"], unbounded["max_rel_err"]) == ("mismatch", None)
    assert run.merge_rounds([_timed([0.1], "reference")])["check"] == "reference"


def test_merge_rounds_propagates_an_error() -> None:
    merged = run.merge_rounds([_timed([0.1]), {"error": "MemoryError"}, {"error": "timeout"}])
    assert merged == {"error": "MemoryError"}
    with pytest.raises(ValueError):
        run.merge_rounds([])


def test_cell_splits_its_reps_into_rounds() -> None:
    assert report.Cell("W4", 100, reps=25, rounds=5).round_reps() == [5] * 5
    assert report.Cell("W1", 100, reps=7, rounds=3).round_reps() == [3, 2, 2]
    assert report.Cell("W1", 100, reps=5).round_reps() == [5]
    assert report.Cell("W4", 100, reps=25, rounds=5).with_reps(2).round_reps() == [1, 1]
    with pytest.raises(ValueError):
        report.Cell("W1", 100, reps=2, rounds=3)
    for cell in (*run.FULL_CELLS, *run.QUICK_CELLS):
        assert sum(cell.round_reps()) == cell.reps


def test_run_cell_interleaves_the_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, list[str]]] = []

    def fake_worker(python: str, args: list[str], timeout: float) -> dict[str, Any]:
        engine = args[args.index("--engine") + 1]
        calls.append((engine, args))
        if engine == "compiled":
            return {"error": "n/a (too large)"}
        return _timed([0.1] * int(args[args.index("--reps") + 1]))

    monkeypatch.setattr(run, "run_worker", fake_worker)
    specs = [engines.ENGINES[key] for key in ("karpathy", "ours", "compiled")]
    pythons = {spec.key: "python" for spec in specs}
    cell = report.Cell("W4", 100, reps=7, rounds=3)
    merged = run.run_cell(cell, specs, pythons, timeout=1)
    # Reversed order every other round; a failed engine is not run again.
    order = [engine for engine, _ in calls]
    assert order == ["karpathy", "ours", "compiled", "ours", "karpathy", "karpathy", "ours"]
    ours_args = [args for engine, args in calls if engine == "ours"]
    assert [args[args.index("--reps") + 1] for args in ours_args] == ["3", "2", "2"]
    assert ["--no-memory" in args for args in ours_args] == [False, True, True]  # memory once
    assert merged["ours"]["reps"] == 7
    assert merged["ours"]["rounds"] == 3
    assert merged["compiled"] == {"error": "n/a (too large)"}


def test_report_renders_results_and_errors() -> None:
    w1 = report.Cell("W1", 100, reps=5)
    w2 = report.Cell("W2", 1_000, reps=3)
    w2_large = report.Cell("W2", 10_000, reps=3)
    timing = {
        "times": [0.2, 0.1],
        "median": 0.15,
        "min": 0.1,
        "reps": 2,
        "rounds": 2,
        "peak_bytes": 2048,
        "check": "ok",
        "max_rel_err": 0.0,
    }
    too_large = {"error": "n/a (GraphTooLargeError: 40,001 nodes > max_nodes=500)"}
    data = report.RunData(
        mode="quick",
        engines=[
            ("karpathy", "micrograd"),
            ("ours", "ours (eager)"),
            ("compiled", "ours (compiled)"),
            ("floats", "floats"),
        ],
        baseline="karpathy",
        probes={"karpathy": {"version": "0.1.0"}, "ours": {"version": "0.2.0"}},
        cells=[w1, w2, w2_large],
        results={
            (w1.key, "karpathy"): {**timing, "median": 1.5, "min": 0.2},
            (w1.key, "ours"): timing,
            (w1.key, "compiled"): {**timing, "median": 0.015},
            (w1.key, "floats"): {**timing, "median": 0.01},
            (w2.key, "karpathy"): {"error": "RecursionError"},
            (w2.key, "ours"): timing,
            (w2_large.key, "ours"): {**timing, "median": 1.5},
            (w2_large.key, "compiled"): too_large,
        },
        node_memory={
            "karpathy": {"node_memory": {"nodes": 4, "graph_bytes": 400}},
            "ours": {"node_memory": {"nodes": 4, "graph_bytes": 100}},
            "compiled": {"node_memory": None},
        },
        node_terms=1,
    )
    text = report.render(data, ROOT)
    assert "150 ms (0.1x)" in text
    assert "RecursionError" in text
    assert "| n/a (GraphTooLargeError: 40,001 nodes > max_nodes=500) |" in text
    assert "| ours (eager) | 4 | 100 B | 25 | 0.25x |" in text
    assert "| ours (compiled) | - | - | n/a | - |" in text
    assert "| 2.00 KiB |" in text  # peak memory
    # Median 0.15 s over 1.5 s and min 0.1 s over 0.2 s, from 2 reps in 2 rounds.
    assert "| 150 ms | 100 ms | 2 (2 rounds) | 0.1x | 0.5x |" in text
    targets = text[text.index("## Targets") :]
    assert "| ours (eager) | W1 step time at most 0.1x micrograd's | 0.1x | 0.5x | yes |" in targets
    assert (
        "| ours (eager) | W2 at 1,000 steps: time at most 0.2x micrograd's | n/a | n/a | - |"
        in targets
    )
    assert (
        "| ours (eager) | W2 time at 10,000 steps at most 12x that at 1,000 | 10x | 1x | yes |"
        in targets
    )
    assert (
        "| ours (eager) | Bytes per graph node at most 0.4x micrograd's | 0.25x | - | yes |"
        in targets
    )
    assert "| ours (compiled) | W1 step time at most 2x the floats' | 1.5x | 1x | yes |" in targets
    assert (
        "| ours (compiled) | W1 step time at most 0.05x micrograd's (20x faster) | 0.01x | 0.5x "
        "| yes |" in targets
    )
    assert "W4" not in targets  # not run, not checked


def test_instruction_counter_refuses_a_root_without_the_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if instructions.shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed; the counter refuses before reading --root")
    with pytest.raises(SystemExit) as exit_info:
        instructions.main(["--root", str(tmp_path), "W4"])
    assert exit_info.value.code == 2
    assert "no micrograd/node.py there" in capsys.readouterr().err
