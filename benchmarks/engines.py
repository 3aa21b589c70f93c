"""Engine adapters: how each engine runs a workload, reports its version and its node size.

An engine is loaded inside its own worker process (two of them import as ``micrograd``).
Each adapter turns a workload key and a size into a prepared :class:`~benchmarks.workloads.Case`;
the measuring code in ``measure.py`` does the timing and memory readings, the same for all.

To add an engine, write a ``load`` function returning an :class:`Engine` and add an
:class:`EngineSpec` to :data:`ENGINES`.
"""

from __future__ import annotations

import gc
import importlib
import platform
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Protocol

from .reference import FLOAT_PREPARE
from .workloads import PREPARE, Case, ScalarOps, assign_zero_grads, wide_sum_data

DEEP_RECURSION_LIMIT = 10_000_000
"""Recursion limit set for engines whose backward pass recurses once per graph level."""


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


def load_karpathy() -> Engine:
    """Karpathy's micrograd 0.1.0 (``micrograd.engine.Value``), in its own virtual env."""
    value = importlib.import_module("micrograd.engine").Value
    return GraphEngine("micrograd (Karpathy) 0.1.0", value, "micrograd", needs_recursion_limit=True)


def load_ours() -> Engine:
    """This project's eager engine (``micrograd.Node``)."""
    node = importlib.import_module("micrograd").Node
    return GraphEngine("ours (eager)", node, "micrograd")


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
        EngineSpec("floats", "floats", "project", load_floats, builds_graph=False),
        EngineSpec("torch", "torch scalar tensors", "project", load_torch, optional=True),
    )
}
"""All engines in report order, by command-line key."""
