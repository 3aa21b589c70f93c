"""Tracing: run a function on Nodes and record what it did with their values.

Comparisons and truth tests of Nodes made during a trace become guards,
reported through the tracing hook of `micrograd.node`.

What is captured how: the traced function's arguments become the generated
code's variables; plain numbers become literals; a Node the function did not
make (a captured leaf such as a parameter, or a Node computed before the
call, such as ``h = p * 3`` outside it) is read live from its ``.data`` on
every call, exactly as eager mode sees it; every Node the function makes is
recomputed. `made_before` tells the last two apart.

Imports: `micrograd.node`.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from micrograd.node import Node, config, enable_grad

# ---------------------------------------------------------------------------
# Tracing: run the function on Nodes and record what it did with their values.


class _Guard(NamedTuple):
    """A comparison made on a Node while tracing, and how it came out."""

    node: Node
    symbol: str
    other: Node | float
    outcome: bool
    where: str


class _Recorder:
    """What one trace saw: constants made from plain numbers, guards, escapes."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.constants: set[Node] = set()
        self.guards: list[_Guard] = []
        self.escapes: list[tuple[Node, str]] = []
        #: Op-made Nodes of the traced graph made before the trace (see `made_before`).
        self.external: set[Node] = set()


_trace_lock = threading.RLock()
_recorders: list[_Recorder] = []


def _active() -> _Recorder | None:
    if _recorders and _recorders[-1].thread == threading.get_ident():
        return _recorders[-1]
    return None


def _caller(depth: int) -> str:
    frame = sys._getframe(depth)
    return f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_lineno}"


class _TraceListener:
    """The engine's tracer while a trace runs: hands what it hears to the recorder.

    Only the tracing thread's own decisions are recorded. Frame depths count
    from `_caller` up through this method and Node's method to user code.
    """

    def compared(self, node: Node, symbol: str, other: Any, outcome: bool) -> None:
        recorder = _active()
        if recorder is not None:
            value = other if isinstance(other, Node) else float(other)
            recorder.guards.append(_Guard(node, symbol, value, outcome, _caller(4)))

    def converted(self, node: Node) -> None:
        recorder = _active()
        if recorder is not None:
            recorder.escapes.append((node, _caller(3)))

    def constant(self, node: Node) -> None:
        recorder = _active()
        if recorder is not None:
            recorder.constants.add(node)


_listener = _TraceListener()


@contextmanager
def _recording(recorder: _Recorder) -> Iterator[None]:
    """Record guards, escapes and constants while the traced function runs.

    The engine reports comparisons, `float()` and constants to its tracer
    (`micrograd.node.config.tracer`); during a trace that is a listener which
    records them for the tracing thread only.
    """
    with _trace_lock:
        outermost = not _recorders
        previous = config.tracer
        if outermost:
            config.tracer = _listener
        _recorders.append(recorder)
        # A grad() or value_and_grad() inside the traced function must build a
        # graph of its gradient (as it does inside another transformation).
        config.transform_depth += 1
        try:
            with enable_grad():
                yield
        finally:
            config.transform_depth -= 1
            _recorders.pop()
            if outermost:
                config.tracer = previous


def made_before(
    out: Node, fresh: Iterable[Node], recorder: _Recorder, run_again: Callable[[], Node]
) -> set[Node]:
    """The op-made Nodes of `out`'s graph that the traced function did not make.

    A node that depends on none of the trace's fresh leaves (`fresh`) or
    constants may have been made before the call (eager mode then uses its
    stored value) or by the function from captured Nodes (eager mode then
    computes it anew on every call). Only when such nodes exist is the
    function run a second time: the ones that come back as the same objects
    were made before the call.
    """
    anchored: set[Node] = set(fresh) | recorder.constants
    candidates: list[Node] = []
    for node in _order(_roots(out, recorder)):
        if node in anchored:
            continue
        inputs = node.inputs
        if any(x in anchored for x in inputs):
            anchored.add(node)
        elif inputs:
            candidates.append(node)
    if not candidates:
        return set()
    second = _Recorder()
    with _recording(second):
        again = run_again()
    seen = set(_order(_roots(again, second)))
    return {node for node in candidates if node in seen}


def _order(roots: list[Node]) -> list[Node]:
    """Every node of the graphs of `roots` once, each after its inputs (one shared search)."""
    order: list[Node] = []
    done: set[Node] = set()
    expanded: set[Node] = set()
    for root in roots:
        stack = [root]
        while stack:
            node = stack.pop()
            if node in done:
                continue
            if node in expanded:  # its inputs are done: it comes next
                done.add(node)
                order.append(node)
                continue
            expanded.add(node)
            waiting = [x for x in node.inputs if x not in done]
            if waiting:
                stack.append(node)
                stack.extend(waiting)
            else:
                done.add(node)
                order.append(node)
    return order


def _roots(out: Node, recorder: _Recorder) -> list[Node]:
    """The graphs a trace depends on: the output's, and those of the values it compared."""
    roots = [out]
    for guard in recorder.guards:
        roots.append(guard.node)
        if isinstance(guard.other, Node):
            roots.append(guard.other)
    return roots


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tracing and generating.

    Both make hundreds of thousands of small objects while a large graph is
    alive, and each full collection would walk all of it; nothing made here
    forms reference cycles, so reference counting frees it all the same.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
