"""The backward pass over a graph: the search for its order, and the chain rule.

Everything here works on the slots that every `micrograd.node.Node` has
(`_a` and `_b` for the inputs, `_fn` for the op, `_visit` for the search's
marks, `data`, `grad`) and never on the class itself, so this module stands
below `micrograd.node`, whose `backward()`, `zero_grad()`,
`topological_order`, `backpropagate` and `gradients` call it.

How a failing pass changes no `.grad` (`micrograd.node.backpropagate` puts
things back; this module makes it cheap). The only steps of a pass on floats
that can fail are the ops' local gradients (a custom op's formula may
raise), but a pass also stops wherever an exception such as
KeyboardInterrupt arrives. So before the pass begins:

* the search notes each leaf's `.grad` in the leaf's `_b` slot, which holds
  a second input only on op-made nodes and is free on a leaf (every reader
  of `_b` asks `_a` first, and a leaf's `_a` is None). A note costs one
  slot write per use of a leaf, no list and no allocation. On the
  benchmark's small model (W4: 12 parameters, one backward pass per
  sample) an epoch takes 17.65 million instructions, against 17.55 million
  with no bookkeeping at all and 19.12 million when the leaves were listed
  and their gradients saved in a list;
* the computed nodes need nothing: their `.grad` is 0.0 on a fresh graph,
  and `backpropagate` sets aside the ones that are not.

A leaf's `_b` keeps the note until the next pass reaches it (after a pass
with ``create_graph=True``, whose notes may be gradient graphs, the notes
are dropped). Two threads
differentiating graphs that share nodes at the same time would overwrite
each other's notes and marks; they would also race on the shared `.grad`,
so such graphs must be differentiated one at a time.

Imports: nothing from micrograd.
"""

from __future__ import annotations

import itertools
from typing import Any

__all__ = [
    "MANY",
    "accumulated",
    "full_order",
    "leaves_of",
    "propagate",
    "propagate_graph",
    "register_linear_ops",
    "search",
]

#: A `micrograd.node.Node`: typed loosely, as this module stands below it and
#: reads only the slots every Node has.
GraphNode = Any


class _Many:
    """The marker in `Node._b` for an op with more than two inputs."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MANY"


#: The marker in `Node._b` for an op with more than two inputs.
MANY = _Many()


def full_order(root: GraphNode) -> list[GraphNode]:
    """Every node of root's graph once, leaves included, each after all of its inputs.

    Iterative depth-first search over `inputs` (so plain-number operands
    show as `Constant` leaves): no recursion, whatever the graph's depth.
    """
    order: list[GraphNode] = []
    expanded: set[GraphNode] = set()
    finished: set[GraphNode] = set()
    stack = [root]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if node in finished:
            continue
        if node in expanded:
            # Every input pushed after this node's expansion has been emitted.
            finished.add(node)
            order.append(node)
            continue
        expanded.add(node)
        # In a graph without cycles an input already expanded is finished, so
        # a node with no input left to visit is finished at once.
        children = [x for x in node.inputs if x not in expanded]
        if children:
            push(node)
            stack.extend(children)
        else:
            finished.add(node)
            order.append(node)
    return order


# Numbers for the searches of `search`, increasing through the process
# (`next` on a count is atomic, so threads never share a number).
_searches = itertools.count(1)


def search(root: GraphNode, leaves: list[GraphNode] | None = None) -> list[GraphNode]:
    """Root's op-made nodes in topological order: the search behind `backward()`.

    With a list for `leaves`, each leaf of the graph is appended to it once;
    without one, each leaf's `.grad` is noted in its `_b` slot instead, for
    a failing backward pass to put back (see the module's docstring).
    Plain-number operands (floats) are neither. A root that is a leaf gives
    an empty list.

    The depth-first search of `full_order`, reading the input slots
    directly. Instead of sets of nodes it marks each node it reaches in its
    `_visit` slot with two numbers of its own, larger than any earlier
    search's: `entered` (its inputs are being visited, or, for a leaf, it
    has been listed among the leaves) and `entered + 1` (listed). Nodes made
    by ops are always exactly of class Node.
    """
    order: list[GraphNode] = []
    if root._a is None:
        return order
    found = None if leaves is None else leaves.append
    entered = 2 * next(_searches)
    listed = entered + 1
    stack = [root]
    pop, push, emit = stack.pop, stack.append, order.append
    while stack:
        node = pop()
        seen = node._visit
        if seen == listed:
            continue
        if seen == entered:
            # Every input pushed after this node was entered has been listed.
            node._visit = listed
            emit(node)
            continue
        # Enter the node, then go straight on into an input that needs a
        # visit (the others wait on the stack), until one has none.
        while True:
            node._visit = entered
            a, b = node._a, node._b
            if b is MANY:
                push(node)
                for child in a:
                    if child._a is not None:
                        if child._visit < entered:
                            push(child)
                    elif found is None:
                        child._b = child.grad
                    elif child._visit != entered:
                        child._visit = entered
                        found(child)
                break
            # An input entered already is listed already (a graph has no
            # cycles), so a node with no input left to visit is listed at once.
            visit_a = visit_b = False
            if type(a) is not float:
                if a._a is not None:
                    visit_a = a._visit < entered
                elif found is None:
                    a._b = a.grad
                elif a._visit != entered:
                    a._visit = entered
                    found(a)
            if b is not None and type(b) is not float:
                if b._a is not None:
                    visit_b = b._visit < entered
                elif found is None:
                    b._b = b.grad
                elif b._visit != entered:
                    b._visit = entered
                    found(b)
            if visit_b:
                push(node)
                if visit_a:
                    push(a)
                node = b
            elif visit_a:
                push(node)
                node = a
            else:
                node._visit = listed
                emit(node)
                break
    return order


def leaves_of(computed: list[GraphNode]) -> list[GraphNode]:
    """The leaves that the nodes of `computed` use, each once, in the order first met.

    Plain-number operands are left as they are, not made into leaves.
    """
    leaves: dict[GraphNode, None] = {}
    for node in computed:
        a, b = node._a, node._b
        for x in a if b is MANY else (a, b):
            if x is not None and type(x) is not float and x._a is None:
                leaves[x] = None
    return list(leaves)


def propagate(computed: list[GraphNode], root: GraphNode, seed: float) -> None:
    """The chain rule in reverse topological order, on floats.

    `computed` is `search(root)`; root's `.grad` becomes `seed` and every
    other node's gradient is added into its `.grad`. The local gradients of
    add, sub and mul are written out here rather than asked of the op: they
    are most of any graph, and their partials are the constants 1 and -1 or
    the other input's value. A float input is a plain-number operand: it
    takes part in the local gradients but receives none. Every other op's
    local gradients come checked (`Op.float_grads`).
    """
    root.grad = seed
    for node in reversed(computed):
        op = node._fn
        a = node._a
        b = node._b
        grad = node.grad
        if op is _ADD:
            if type(a) is not float:
                a.grad += grad
            if type(b) is not float:
                b.grad += grad
        elif op is _MUL:
            if type(a) is float:
                b.grad += grad * a
            elif type(b) is float:
                a.grad += grad * b
            else:
                a.grad += grad * b.data
                b.grad += grad * a.data
        elif op is _SUB:
            if type(a) is not float:
                a.grad += grad
            if type(b) is not float:
                b.grad -= grad
        elif b is None:
            (da,) = op.float_grads(a.data, node.data)
            a.grad += grad * da
        elif b is MANY:
            local = op.float_grads(*[x.data for x in a], node.data)
            for x, d in zip(a, local):
                x.grad += grad * d
        elif type(a) is float:
            b.grad += grad * op.float_grads(a, b.data, node.data)[1]
        elif type(b) is float:
            a.grad += grad * op.float_grads(a.data, b, node.data)[0]
        else:
            da, db = op.float_grads(a.data, b.data, node.data)
            a.grad += grad * da
            b.grad += grad * db


def propagate_graph(computed: list[GraphNode], root: GraphNode, seed: GraphNode) -> None:
    """The chain rule with Node arithmetic, so the gradients form a graph (`seed` is a Node)."""
    root.grad = seed
    for node in reversed(computed):
        inputs = node.inputs
        op = node._fn
        grad = node.grad
        local = op.graph_grads(*inputs, node)
        if len(local) != len(inputs):
            raise op.wrong_grad_count(len(local))
        for x, d in zip(inputs, local):
            x.grad = accumulated(x.grad, grad if isinstance(d, float) and d == 1.0 else grad * d)


def accumulated(total: Any, contribution: Any) -> Any:
    """``total + contribution`` for gradients (floats or Nodes), dropping a zero total.

    A zero total is dropped rather than added, so that graphs of gradients
    carry no ``0 + ...`` nodes.
    """
    if not isinstance(total, (int, float)) or total:
        return total + contribution
    return contribution


# The ops whose local gradients `propagate` writes out; micrograd.ops
# registers them when it makes them (this module stands below ops).
_ADD: Any = object()
_SUB: Any = object()
_MUL: Any = object()


def register_linear_ops(add: Any, sub: Any, mul: Any) -> None:
    """Tell the backward loop which ops are `+`, `-` and `*` (called by `micrograd.ops`)."""
    global _ADD, _SUB, _MUL
    _ADD, _SUB, _MUL = add, sub, mul
