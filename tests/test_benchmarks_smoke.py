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

from benchmarks import engines, measure, report, run  # noqa: E402
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


def test_report_renders_results_and_errors() -> None:
    w1 = report.Cell("W1", 100, reps=5)
    w2 = report.Cell("W2", 1_000, reps=3)
    w2_large = report.Cell("W2", 10_000, reps=3)
    timing = {
        "times": [0.2, 0.1],
        "median": 0.15,
        "min": 0.1,
        "reps": 2,
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
            (w1.key, "karpathy"): {**timing, "median": 1.5},
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
    targets = text[text.index("## Targets") :]
    assert "| ours (eager) | W1 step time at most 0.1x micrograd's | 0.1x | yes |" in targets
    assert (
        "| ours (eager) | W2 at 1,000 steps: time at most 0.2x micrograd's | n/a | - |" in targets
    )
    assert (
        "| ours (eager) | W2 time at 10,000 steps at most 12x that at 1,000 | 10x | yes |"
        in targets
    )
    assert (
        "| ours (eager) | Bytes per graph node at most 0.4x micrograd's | 0.25x | yes |" in targets
    )
    assert "| ours (compiled) | W1 step time at most 2x the floats' | 1.5x | yes |" in targets
    assert (
        "| ours (compiled) | W1 step time at most 0.05x micrograd's (20x faster) | 0.01x | yes |"
        in targets
    )
    assert "W4" not in targets  # not run, not checked
