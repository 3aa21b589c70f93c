"""Engine adapters: how each engine runs a workload, reports its version and its node size.

An engine is loaded inside its own worker process (two of them import as ``micrograd``).
Each adapter turns a workload key and a size into a prepared :class:`~benchmarks.workloads.Case`;
the measuring code in ``measure.py`` does the timing and memory readings, the same for all.

To add an engine, write a ``load`` function returning an :class:`Engine` and add an
:class:`EngineSpec` to :data:`ENGINES`. An engine that cannot run some cell at all raises
:class:`NotApplicable` from ``prepare``; the cell then reads ``n/a`` with the reason.
"""

from __future__ import annotations

import gc
import importlib
import platform
import re
import sys
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import Any, Protocol

from .reference import FLOAT_PREPARE
from .workloads import (
    PREPARE,
    W4_LR,
    Case,
    Result,
    ScalarOps,
    assign_zero_grads,
    chain,
    hinge,
    l2_penalty,
    make_mlp,
    make_moons,
    mlp_score,
    seed_loss,
    seed_params,
    seed_samples,
    w1_learning_rate,
    wide_sum,
    wide_sum_data,
)

DEEP_RECURSION_LIMIT = 10_000_000
"""Recursion limit set for engines whose backward pass recurses once per graph level."""


class NotApplicable(Exception):
    """Raised by :meth:`Engine.prepare` when the engine cannot run a cell; says why.

    The worker reports the cell as ``n/a (<reason>)`` instead of an error.
    """


@dataclass(frozen=True)
class NodeMemory:
    """Traced bytes held by a live graph of ``nodes`` nodes (after the forward pass)."""

    nodes: int
    graph_bytes: int


class Engine(Protocol):
    """What the measuring code needs from an engine adapter."""

    label: str
    needs_recursion_limit: bool

    def version(self) -> str:
        """Version string of the engine (package version, or the Python version)."""
        ...

    def location(self) -> str:
        """Where the engine's code was imported from, for the report."""
        ...

    def prepare(self, workload: str, size: int) -> Case:
        """Set up one repetition of ``workload`` at ``size`` (untimed)."""
        ...

    def node_memory(self, terms: int) -> NodeMemory | None:
        """Bytes per node of a wide-sum graph with ``terms`` products, or None if n/a."""
        ...


def count_graph_nodes(root: Any, node_type: type) -> int:
    """Count the ``node_type`` instances reachable from ``root``.

    Works for any engine whose nodes hold their inputs directly or through tuples, lists,
    sets or dicts: it follows :func:`gc.get_referents` through nodes and those containers
    only (never through functions or modules).
    """
    containers = (tuple, list, set, frozenset, dict)
    seen = {id(root)}
    stack = [root]
    count = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, node_type):
            count += 1
        for ref in gc.get_referents(obj):
            if id(ref) in seen:
                continue
            if isinstance(ref, node_type) or type(ref) in containers:
                seen.add(id(ref))
                stack.append(ref)
    return count


@dataclass
class GraphEngine:
    """An engine with a micrograd-style scalar class, driving the generic workloads.

    ``make`` creates a scalar (defaults to calling ``node_type``); ``measures_nodes`` says
    whether graph nodes can be counted by walking from the root (see
    :func:`count_graph_nodes`).
    """

    label: str
    node_type: type
    distribution: str
    needs_recursion_limit: bool = False
    make: Callable[[float], Any] | None = None
    zero_grad: Callable[[Sequence[Any]], None] = assign_zero_grads
    measures_nodes: bool = True

    def _make(self) -> Callable[[float], Any]:
        return self.node_type if self.make is None else self.make

    def version(self) -> str:
        """The installed distribution's version."""
        try:
            return metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            return "unknown"

    def location(self) -> str:
        """The file defining the scalar class."""
        module = sys.modules.get(self.node_type.__module__)
        return str(getattr(module, "__file__", "?"))

    def prepare(self, workload: str, size: int) -> Case:
        """Prepare the generic workload with this engine's scalar class."""
        return PREPARE[workload](ScalarOps(self._make(), self.zero_grad), size)

    def node_memory(self, terms: int) -> NodeMemory | None:
        """Trace the memory of a W3-style graph (leaves, products, sums) built in place.

        Only the forward pass is traced: under ``tracemalloc`` a recursive backward pass
        would take time quadratic in the graph's depth.
        """
        if not self.measures_nodes:
            return None
        make = self._make()
        a_vals, b_vals = wide_sum_data(terms)
        gc.collect()
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            root = sum(make(a) * make(b) for a, b in zip(a_vals, b_vals, strict=True))
            graph_bytes = tracemalloc.get_traced_memory()[0] - base
        finally:
            tracemalloc.stop()
        return NodeMemory(count_graph_nodes(root, self.node_type), graph_bytes)


@dataclass
class FloatEngine:
    """Hand-written plain-float workloads: the pure-Python floor."""

    label: str = "floats"
    needs_recursion_limit: bool = False

    def version(self) -> str:
        """The Python version running the floats."""
        return f"Python {platform.python_version()}"

    def location(self) -> str:
        """The module holding the float workloads."""
        return str(sys.modules[FLOAT_PREPARE["W1"].__module__].__file__)

    def prepare(self, workload: str, size: int) -> Case:
        """Prepare the float version of a workload."""
        return FLOAT_PREPARE[workload](size)

    def node_memory(self, terms: int) -> NodeMemory | None:
        """Floats build no graph."""
        return None


_TOO_LARGE = re.compile(r"has ([\d,]+) nodes, more than max_nodes=([\d,]+)")


@contextmanager
def _refused_as_not_applicable(mg: ModuleType) -> Iterator[None]:
    """Turn compiled mode's refusal of a graph (``GraphTooLargeError``) into NotApplicable."""
    try:
        yield
    except mg.GraphTooLargeError as exc:
        match = _TOO_LARGE.search(str(exc))
        detail = f": {match[1]} nodes > max_nodes={match[2]}" if match else ""
        raise NotApplicable(f"GraphTooLargeError{detail}") from exc


@dataclass
class CompiledEngine:
    """This project's compiled mode: each workload traced and compiled in ``prepare``.

    W1 and W4 compile the per-sample loss with ``mg.compile_loss(..., batched=True)`` over
    parameter Nodes initialised as the eager workload's (W1 with the L2 term as its
    penalty); W2 and W3 compile the chain and the wide sum with ``mg.compile``. The
    formulas are the workloads' own (:mod:`benchmarks.workloads`). ``prepare`` traces,
    generates and compiles the code by calling it once, untimed; ``run`` does the
    workload's work with it: W1 zeroes the gradients, calls the compiled loss and applies
    SGD; W4 runs the whole epoch of per-sample SGD as one generated loop
    (``CompiledLoss.sgd_epoch``); W2 and W3 call the compiled function for the value and
    the gradients.

    The compiled chain and wide sum depend on nothing but the size, so each is compiled
    once per size and reused by later repetitions (compiling a 100,000-step chain takes
    seconds). A graph that compiled mode refuses as too large makes the cell
    :class:`NotApplicable`. ``options`` are passed to ``mg.compile`` and
    ``mg.compile_loss`` (``max_nodes``, say).
    """

    mg: ModuleType
    label: str = "ours (compiled)"
    needs_recursion_limit: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    _compiled: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False)

    def version(self) -> str:
        """The installed distribution's version."""
        try:
            return metadata.version("micrograd")
        except metadata.PackageNotFoundError:
            return "unknown"

    def location(self) -> str:
        """The compiled-mode module."""
        return str(sys.modules[self.mg.compile_loss.__module__].__file__)

    def prepare(self, workload: str, size: int) -> Case:
        """Compile the workload (untimed) and return the run that calls the compiled code."""
        prepare = {"W1": self._w1, "W2": self._w2, "W3": self._w3, "W4": self._w4}[workload]
        with _refused_as_not_applicable(self.mg):
            return prepare(size)

    def node_memory(self, terms: int) -> NodeMemory | None:
        """Compiled code keeps no graph: n/a."""
        return None

    def _compiled_once(self, workload: str, size: int, fn: Callable[..., Any], *args: Any) -> Any:
        """``mg.compile(fn)``, traced by a first call with ``args``; cached per size."""
        key = (workload, size)
        if key not in self._compiled:
            compiled = self.mg.compile(fn, **self.options)
            compiled(*args)
            self._compiled[key] = compiled
        return self._compiled[key]

    def _w1(self, size: int) -> Case:
        xs, ys = make_moons(size)
        layers, params = make_mlp(self.mg.Node)
        lr = w1_learning_rate()

        def point_loss(_model: None, x: Sequence[Any], y: Any) -> Any:
            return hinge(y, mlp_score(layers, x))

        step = self.mg.compile_loss(
            None,
            point_loss,
            parameters=params,
            batched=True,
            penalty=lambda _model: l2_penalty(params),
            **self.options,
        )
        step(xs, ys)  # traces and compiles; run() zeroes the gradients this added

        def run() -> Result:
            assign_zero_grads(params)
            loss: float = step(xs, ys)
            for p in params:
                p.data -= lr * p.grad
            return {"loss": loss}

        return Case(run, lambda: {"params": [p.data for p in params]})

    def _w2(self, size: int) -> Case:
        def chain_of_size(x: Any) -> Any:
            return chain(x, size)

        step = self._compiled_once("W2", size, chain_of_size, 1.0)
        state: Result = {}

        def run() -> Result:
            y, (state["x_grad"],) = step(1.0)
            return {"y": y}

        return Case(run, lambda: dict(state))

    def _w3(self, size: int) -> Case:
        a, b = wide_sum_data(size)
        step = self._compiled_once("W3", size, wide_sum, a, b)
        state: Result = {}

        def run() -> Result:
            y, (a_grad, b_grad) = step(a, b)
            state["a_grad"], state["b_grad"] = list(a_grad), list(b_grad)
            return {"y": y}

        return Case(run, lambda: dict(state))

    def _w4(self, size: int) -> Case:
        params = [self.mg.Node(v) for v in seed_params()]
        samples = seed_samples(size)

        def sample_loss(_model: None, x1: Any, x2: Any, y: Any) -> Any:
            return seed_loss(params, x1, x2, y)

        step = self.mg.compile_loss(
            None, sample_loss, parameters=params, batched=True, **self.options
        )
        x1s, x2s, ys = (list(column) for column in zip(*samples, strict=True))
        step.sgd_epoch(x1s, x2s, ys, lr=W4_LR)  # traces and compiles; then reset the params
        for p, value in zip(params, seed_params(), strict=True):
            p.data = value

        def run() -> Result:
            # per sample: loss, gradients and p.data -= lr * g, as the eager loop does
            return {"mean_loss": step.sgd_epoch(x1s, x2s, ys, lr=W4_LR)}

        return Case(run, lambda: {"params": [p.data for p in params]})


def load_karpathy() -> Engine:
    """Karpathy's micrograd 0.1.0 (``micrograd.engine.Value``), in its own virtual env."""
    value = importlib.import_module("micrograd.engine").Value
    return GraphEngine("micrograd (Karpathy) 0.1.0", value, "micrograd", needs_recursion_limit=True)


def load_ours() -> Engine:
    """This project's eager engine (``micrograd.Node``)."""
    node = importlib.import_module("micrograd").Node
    return GraphEngine("ours (eager)", node, "micrograd")


def load_compiled() -> Engine:
    """This project's compiled mode (``micrograd.compile``, ``micrograd.compile_loss``)."""
    return CompiledEngine(importlib.import_module("micrograd"))


def load_floats() -> Engine:
    """The plain-float workloads."""
    return FloatEngine()


def _torch_zero_grad(params: Sequence[Any]) -> None:
    for p in params:
        p.grad = None


def load_torch() -> Engine:
    """PyTorch 0-d float64 tensors used as scalars (only when torch is importable)."""
    torch = importlib.import_module("torch")
    torch.set_num_threads(1)

    def make(data: float) -> Any:
        return torch.tensor(float(data), dtype=torch.float64, requires_grad=True)

    return GraphEngine(
        "torch scalar tensors",
        torch.Tensor,
        "torch",
        make=make,
        zero_grad=_torch_zero_grad,
        measures_nodes=False,
    )


@dataclass(frozen=True)
class EngineSpec:
    """An engine as the runner sees it: which interpreter runs it and how to load it.

    ``interpreter`` is ``"project"`` (the Python given to the runner, normally the
    project's virtual environment) or ``"karpathy"`` (the suite's own virtual environment
    holding micrograd 0.1.0 from PyPI). ``optional`` engines are skipped quietly when
    they cannot be imported. ``builds_graph`` engines also get the bytes-per-node and
    recursion-limit sections.
    """

    key: str
    label: str
    interpreter: str
    load: Callable[[], Engine]
    optional: bool = False
    builds_graph: bool = True


BASELINE = "karpathy"
"""Key of the engine every ratio is taken against."""

ENGINES: dict[str, EngineSpec] = {
    spec.key: spec
    for spec in (
        EngineSpec("karpathy", "micrograd (Karpathy) 0.1.0", "karpathy", load_karpathy),
        EngineSpec("ours", "ours (eager)", "project", load_ours),
        EngineSpec("compiled", "ours (compiled)", "project", load_compiled),
        EngineSpec("floats", "floats", "project", load_floats, builds_graph=False),
        EngineSpec("torch", "torch scalar tensors", "project", load_torch, optional=True),
    )
}
"""All engines in report order, by command-line key."""
