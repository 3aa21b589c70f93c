"""Property tests of backward's search on random graphs with shared nodes.

`backward()` orders a graph with its own depth-first search, which marks the
nodes it reaches in a slot (`_computed_order`). These tests build random
directed acyclic graphs (shared intermediates, constants on either side of an
operator, one-, two- and three-input ops) and check the order and the
gradients against plain reference implementations written here with sets and
dicts, including after earlier searches over parts of the same graph.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import micrograd as mg
from micrograd import Node

three = mg.op(
    lambda a, b, c: a * b + c,
    grad=lambda a, b, c, out: (b, a, 1.0),
    name="fma",
)

MAKERS: dict[str, Any] = {
    "add": lambda a, b, d, c: a + b,
    "sub": lambda a, b, d, c: a - b,
    "mul": lambda a, b, d, c: a * b,
    "rsub": lambda a, b, d, c: c - a,
    "cmul": lambda a, b, d, c: c * a,
    "addc": lambda a, b, d, c: a + c,
    "tanh": lambda a, b, d, c: mg.tanh(a),
    "fma": lambda a, b, d, c: three(a, b, d),
    "max": lambda a, b, d, c: mg.maximum(a, c),
}


# One step of a random graph: (kind, i, j, k, constant). The indices pick
# earlier nodes (modulo their number), so later nodes share earlier ones.
steps = st.lists(
    st.tuples(
        st.sampled_from(sorted(MAKERS)),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
        st.integers(0, 10_000),
        st.floats(-2.0, 2.0, allow_nan=False),
    ),
    min_size=1,
    max_size=40,
)


def build(program: list[tuple[str, int, int, int, float]]) -> tuple[list[Node], list[Node]]:
    """The leaves and every node made, in order of creation (the last is the root)."""
    leaves = [Node(0.5 + 0.25 * k, label=f"x{k}") for k in range(3)]
    nodes: list[Node] = list(leaves)
    for kind, i, j, k, c in program:
        a, b, d = (nodes[n % len(nodes)] for n in (i, j, k))
        nodes.append(MAKERS[kind](a, b, d, c))
    return leaves, nodes


def reference_order(root: Node) -> list[Node]:
    """Computed nodes reachable from `root`, each after its inputs (recursive, with a set)."""
    order: list[Node] = []
    seen: set[Node] = set()

    def visit(node: Node) -> None:
        if node in seen or node.is_leaf:
            return
        seen.add(node)
        for child in node.inputs:
            visit(child)
        order.append(node)

    visit(root)
    return order


def reference_gradients(root: Node, leaves: list[Node]) -> list[float]:
    """d(root)/d(leaf) by accumulating products of local gradients in a dict."""
    adjoint: dict[Node, float] = {root: 1.0}
    for node in reversed(reference_order(root)):
        for child, local in zip(node.inputs, node.local_grads(), strict=True):
            adjoint[child] = adjoint.get(child, 0.0) + adjoint.get(node, 0.0) * local
    return [adjoint.get(leaf, 0.0) for leaf in leaves]


def check_order(order: list[Node], root: Node) -> None:
    assert len(order) == len(set(order)), "a node listed twice"
    assert set(order) == set(reference_order(root))
    position = {node: k for k, node in enumerate(order)}
    for node in order:
        for child in node.inputs:
            if not child.is_leaf:
                assert position[child] < position[node]


def leaf_gradients(root: Node, nodes: list[Node], leaves: list[Node]) -> list[float]:
    """The leaves' gradients of one fresh `root.backward()`."""
    for node in nodes:
        node.grad = 0.0
    root.backward()
    return [float(leaf.grad) for leaf in leaves]


@settings(max_examples=200, deadline=None)
@given(steps, st.integers(0, 10_000))
def test_order_and_gradients_on_random_graphs(
    program: list[tuple[str, int, int, int, float]], part: int
) -> None:
    leaves, nodes = build(program)
    root = nodes[-1]
    # A search over a part of the graph first leaves its marks on shared nodes.
    inner = nodes[part % len(nodes)]
    inner_order = mg.topological_order(inner, leaves=False)
    inner.backward()
    order = mg.topological_order(root, leaves=False)
    again = mg.topological_order(root, leaves=False)
    # Constants are still floats inside the nodes here; the references below
    # ask for `inputs`, which turns them into Constant leaves.
    grads = leaf_gradients(root, nodes, leaves)

    check_order(inner_order, inner)
    check_order(order, root)
    assert again == order
    assert set(order) == {n for n in mg.topological_order(root) if not n.is_leaf}
    expected = reference_gradients(root, leaves)
    # The reference adds the same products in another order: equal to
    # rounding, relative to the size of the terms.
    for got, want in zip(grads, expected, strict=True):
        assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    # With the constants now leaves, backward gives the same gradients.
    assert leaf_gradients(root, nodes, leaves) == grads
