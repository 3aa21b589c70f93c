"""A failing backward pass changes no `.grad`: hunted over random graphs and faults.

Each example builds a random graph over a few leaves (a leaf may be used many
times, by ops of one, two and many inputs, with plain-number operands that
stay floats or become `Constant` leaves), gives every node a random `.grad`
beforehand, and makes the k-th local-gradient call of the pass fail, with an
error or with KeyboardInterrupt. The pass must raise that exception and leave
every `.grad` exactly as it was (compared bit for bit, as floats); the same
pass without the fault must then give what a fresh copy of the graph gives.
Every way into the pass is tried: `backward()`, with and without
``create_graph``, the public `backpropagate` on `topological_order`'s list,
and `gradients`.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import micrograd as mg
from micrograd.node import backpropagate

from .conftest import hunt_examples


class Fault(Exception):
    """The error a faulty formula raises."""


@dataclass
class Faults:
    """Counts local-gradient calls; the call numbered `fail_at` raises `kind`."""

    fail_at: int = -1
    kind: type[BaseException] = Fault
    calls: int = 0

    def tick(self) -> None:
        self.calls += 1
        if self.calls == self.fail_at:
            raise self.kind(f"fault at local-gradient call {self.calls}")


def _ops(faults: Faults) -> dict[str, mg.Op]:
    """Custom ops whose formulas count their calls (and fail when told)."""

    def square_grad(t: float, out: float) -> tuple[float]:
        faults.tick()
        return (2 * t,)

    def scaled_grad(t: float, u: float, out: float) -> tuple[float, float]:
        faults.tick()
        return (u, t + 1.0)

    def three_grad(t: float, u: float, v: float, out: float) -> tuple[float, float, float]:
        faults.tick()
        return (1.0, 2.0, 3.0)

    return {
        "square": mg.op(lambda t: t * t, grad=square_grad, name="square"),
        "scaled": mg.op(lambda t, u: t * u + t, grad=scaled_grad, name="scaled"),
        "three": mg.op(lambda t, u, v: t + 2 * u + 3 * v, grad=three_grad, name="three"),
    }


# A graph is a list of steps; each step makes one node from earlier ones.
Step = tuple[str, int, int, int, float]

steps = st.lists(
    st.tuples(
        st.sampled_from(["add", "mul", "sub", "addc", "mulc", "tanh", "square", "scaled", "three"]),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
        st.integers(0, 10**6),
        st.floats(-2.0, 2.0, allow_nan=False),
    ),
    min_size=1,
    max_size=14,
)


def _build(
    recipe: list[Step], n_leaves: int, ops: dict[str, mg.Op], constants: bool
) -> tuple[list[mg.Node], list[mg.Node]]:
    """The leaves and every node made from them, the last node the root."""
    leaves = [mg.Node(0.1 * (k + 1), label=f"x{k}") for k in range(n_leaves)]
    nodes: list[mg.Node] = list(leaves)
    made: list[mg.Node] = []
    for name, i, j, k, c in recipe:
        a, b, d = nodes[i % len(nodes)], nodes[j % len(nodes)], nodes[k % len(nodes)]
        out: mg.Node
        if name == "add":
            out = a + b
        elif name == "mul":
            out = a * b
        elif name == "sub":
            out = a - b
        elif name == "addc":
            out = a + c
        elif name == "mulc":
            out = c * a
        elif name == "tanh":
            out = mg.tanh(a)
        elif name in ("square",):
            out = ops[name](a)
        elif name == "scaled":
            out = ops[name](a, b)
        else:
            out = ops[name](a, b, d)
        if constants:
            out.inputs  # noqa: B018  (plain-number operands become Constant leaves)
        nodes.append(out)
        made.append(out)
    return leaves, made


def _every_node(root: mg.Node) -> list[mg.Node]:
    return mg.topological_order(root)


def _grads(nodes: list[mg.Node]) -> list[float]:
    return [float(n.grad) for n in nodes]


def _same(xs: list[float], ys: list[float]) -> bool:
    return all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(xs, ys, strict=True))


Runner = Callable[[mg.Node], object]

RUNNERS: dict[str, Runner] = {
    "backward": lambda root: root.backward(),
    "backward(create_graph=True)": lambda root: root.backward(create_graph=True),
    "backpropagate": lambda root: backpropagate(
        mg.topological_order(root, leaves=False), root, 1.0
    ),
}


@pytest.mark.parametrize("how", sorted(RUNNERS))
@settings(max_examples=hunt_examples(150), deadline=None)
@given(
    recipe=steps,
    n_leaves=st.integers(1, 4),
    constants=st.booleans(),
    before=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=40, max_size=40),
    fail_at=st.integers(1, 6),
    interrupt=st.booleans(),
)
def test_a_failing_pass_changes_no_grad_and_a_retry_is_exact(
    how: str,
    recipe: list[Step],
    n_leaves: int,
    constants: bool,
    before: list[float],
    fail_at: int,
    interrupt: bool,
) -> None:
    run = RUNNERS[how]
    faults = Faults()
    _, made = _build(recipe, n_leaves, _ops(faults), constants)
    root = made[-1]
    nodes = _every_node(root)
    for node, g in zip(nodes, before * 3):
        node.grad = g
    start = _grads(nodes)

    # A clean pass on a copy of the graph, from the same starting grads.
    twin_faults = Faults()
    _, twin_made = _build(recipe, n_leaves, _ops(twin_faults), constants)
    twin_nodes = _every_node(twin_made[-1])
    for node, g in zip(twin_nodes, before * 3):
        node.grad = g
    twin_faults.calls = 0  # an op calls its formula once when first used, to check it
    run(twin_made[-1])
    calls = twin_faults.calls

    faults.calls = 0
    faults.fail_at = fail_at
    faults.kind = KeyboardInterrupt if interrupt else Fault
    if fail_at <= calls:
        with pytest.raises(faults.kind, match="fault at local-gradient call"):
            run(root)
        assert _same(_grads(nodes), start), "a failed pass changed a .grad"
    faults.fail_at, faults.calls = -1, 0
    run(root)
    assert _same(_grads(nodes), _grads(twin_nodes))


@settings(max_examples=hunt_examples(150), deadline=None)
@given(
    recipe=steps,
    n_leaves=st.integers(1, 4),
    before=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=40, max_size=40),
    fail_at=st.integers(1, 6),
    create_graph=st.booleans(),
)
def test_gradients_has_no_side_effect_whether_it_returns_or_raises(
    recipe: list[Step],
    n_leaves: int,
    before: list[float],
    fail_at: int,
    create_graph: bool,
) -> None:
    faults = Faults()
    leaves, made = _build(recipe, n_leaves, _ops(faults), constants=False)
    faults.fail_at, faults.calls = fail_at, 0
    root = made[-1]
    nodes = _every_node(root)
    for node, g in zip(nodes, before * 3):
        node.grad = g
    start = _grads(nodes)
    with contextlib.suppress(Fault):
        mg.gradients(root, leaves, create_graph=create_graph)
    assert _same(_grads(nodes), start)


def test_a_formula_that_differentiates_the_same_leaves_does_not_spoil_the_notes() -> None:
    """A formula may call `gradients` on a graph sharing the pass's leaves."""
    x = mg.Node(2.0)
    x.grad = 7.0
    inner_calls: list[float] = []

    def inner_grad(t: float, out: float) -> tuple[float]:
        # d/dx of x*x at the shared leaf, through the engine itself.
        (g,) = mg.gradients(x * x, [x])
        inner_calls.append(float(g))
        return (float(g) * t,)

    inner = mg.op(lambda t: t, grad=inner_grad, name="inner")
    boom = mg.op(lambda t: t, grad=lambda t, o: (1.0 / 0.0,), name="boom")
    # The pass runs inner's formula (at the root), adds into x, then fails at boom.
    y = inner(boom(x) * 1.5 + x)
    inner_calls.clear()  # an op calls its formula once when first used, to check it
    with pytest.raises(ZeroDivisionError):
        y.backward()
    assert inner_calls == [4.0]
    assert x.grad == 7.0


def test_notes_of_a_create_graph_pass_keep_no_gradient_graph_alive() -> None:
    import weakref

    x = mg.Node(3.0)
    (x * x).backward(create_graph=True)
    first = x.grad
    assert isinstance(first, mg.Node)
    (x * x * x).backward(create_graph=True)  # notes x.grad (a graph) before the pass
    x.grad = 0.0
    alive = weakref.ref(first)
    del first
    assert alive() is None, "a note kept the first gradient's graph alive"
