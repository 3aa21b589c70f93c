"""The `Node`: a scalar that remembers how it was made, and `backward()`.

A Node holds a float (`data`), the gradient accumulated into it (`grad`), the
Nodes it was computed from (its inputs) and the `Op` that computed it. Local
gradients are not stored: the op recomputes them from the input values when
`backward()` needs them, so a forward pass that is never differentiated costs
no gradient work and a graph holds one small tuple per node.

Gradient semantics, in one place:

* `backward()` adds this pass's gradient of the root to the `.grad` of *every*
  node of the graph, leaves and intermediates alike. Calling it twice adds the
  gradient twice (as PyTorch does for leaves); call `zero_grad()` in between to
  start again.
* `backward(create_graph=True)` makes each `.grad` a Node, itself differentiable.
* Local gradients are computed from the inputs' `.data` at the time of the
  backward pass: change `.data` between forward and backward and the gradients
  follow the new values (as in Karpathy's micrograd).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from micrograd.ops import Op

#: Anything an op accepts as an argument.
NodeLike = Union["Node", float, int]


class _Config:
    """Process-wide switches read on the hot path (kept as one small object)."""

    grad_enabled: bool = True


config = _Config()


@contextmanager
def no_grad() -> Iterator[None]:
    """Within this block ops record nothing: results are leaves with no inputs.

    Use it for evaluation and parameter updates, so that no graph is kept alive.

    >>> import micrograd as mg
    >>> x = mg.Node(2.0)
    >>> with mg.no_grad():
    ...     y = x * 3
    >>> y.is_leaf
    True
    """
    previous = config.grad_enabled
    config.grad_enabled = False
    try:
        yield
    finally:
        config.grad_enabled = previous


@contextmanager
def enable_grad() -> Iterator[None]:
    """Turn graph recording back on inside a `no_grad()` block."""
    previous = config.grad_enabled
    config.grad_enabled = True
    try:
        yield
    finally:
        config.grad_enabled = previous


def is_grad_enabled() -> bool:
    """Whether ops currently record their inputs (False inside `no_grad()`)."""
    return config.grad_enabled


def as_float(value: object, where: str) -> float:
    """Convert a plain real number to float, or raise a TypeError naming `where`."""
    if type(value) is float:
        return value
    if isinstance(value, (int, float)):  # bool is an int; numpy floats are floats
        return float(value)
    if hasattr(value, "__float__") and not isinstance(value, complex):
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    raise TypeError(
        f"{where}: expected a Node or a real number, got {type(value).__name__} ({value!r})"
    )


class Node:
    """A scalar value in a computation graph.

    >>> import micrograd as mg
    >>> x, y = mg.Node(3.0, label="x"), mg.Node(2.0, label="y")
    >>> z = mg.relu(x**2 - 2 * y) * 2
    >>> z.backward()
    >>> z.data, x.grad, y.grad
    (10.0, 12.0, -4.0)

    Args:
        data: the value; ints and bools are stored as float.
        label: an optional name, shown in pictures of the graph.
    """

    __slots__ = ("__weakref__", "_inputs", "_op", "data", "grad", "label")

    data: float
    grad: float | Node
    label: str
    _inputs: tuple[Node, ...]
    _op: Op | None

    def __init__(self, data: float, label: str = "") -> None:
        self.data = as_float(data, "Node")
        self.grad = 0.0
        self.label = label
        self._inputs = ()
        self._op = None

    # -- what the node knows -------------------------------------------------

    @property
    def inputs(self) -> tuple[Node, ...]:
        """The Nodes this one was computed from (empty for a leaf)."""
        return self._inputs

    @property
    def op(self) -> Op | None:
        """The op that computed this node, or None for a leaf."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True for a node made by the user, under `no_grad()`, or by `detach()`."""
        return not self._inputs

    def local_grads(self) -> tuple[float, ...]:
        """The partial derivative of this node with respect to each input, now."""
        if self._op is None or not self._inputs:
            return ()
        grads = self._op.local_grads(*[x.data for x in self._inputs], self.data)
        return tuple(float(g) for g in grads)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Node(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

    def __bool__(self) -> bool:
        return self.data != 0.0

    # Comparisons compare values; `==` and hashing stay identity so Nodes can
    # be dict keys and set members.
    def __lt__(self, other: NodeLike) -> bool:
        return self.data < _value(other, "<")

    def __le__(self, other: NodeLike) -> bool:
        return self.data <= _value(other, "<=")

    def __gt__(self, other: NodeLike) -> bool:
        return self.data > _value(other, ">")

    def __ge__(self, other: NodeLike) -> bool:
        return self.data >= _value(other, ">=")

    # -- arithmetic: every operator is an op of micrograd.ops ------------------

    def __add__(self, other: NodeLike) -> Node:
        return _ops.add(self, other) if _operand(other) else NotImplemented

    def __radd__(self, other: NodeLike) -> Node:
        return _ops.add(other, self) if _operand(other) else NotImplemented

    def __sub__(self, other: NodeLike) -> Node:
        return _ops.sub(self, other) if _operand(other) else NotImplemented

    def __rsub__(self, other: NodeLike) -> Node:
        return _ops.sub(other, self) if _operand(other) else NotImplemented

    def __mul__(self, other: NodeLike) -> Node:
        return _ops.mul(self, other) if _operand(other) else NotImplemented

    def __rmul__(self, other: NodeLike) -> Node:
        return _ops.mul(other, self) if _operand(other) else NotImplemented

    def __truediv__(self, other: NodeLike) -> Node:
        return _ops.div(self, other) if _operand(other) else NotImplemented

    def __rtruediv__(self, other: NodeLike) -> Node:
        return _ops.div(other, self) if _operand(other) else NotImplemented

    def __pow__(self, other: NodeLike) -> Node:
        return _ops.pow(self, other) if _operand(other) else NotImplemented

    def __rpow__(self, other: NodeLike) -> Node:
        return _ops.pow(other, self) if _operand(other) else NotImplemented

    def __neg__(self) -> Node:
        return _ops.neg(self)

    def __pos__(self) -> Node:
        return self

    def __abs__(self) -> Node:
        return _ops.absolute(self)

    # -- functions as methods -------------------------------------------------

    def exp(self) -> Node:
        """`e ** self`."""
        return _ops.exp(self)

    def log(self) -> Node:
        """Natural logarithm."""
        return _ops.log(self)

    def sqrt(self) -> Node:
        """Square root."""
        return _ops.sqrt(self)

    def sin(self) -> Node:
        """Sine."""
        return _ops.sin(self)

    def cos(self) -> Node:
        """Cosine."""
        return _ops.cos(self)

    def tan(self) -> Node:
        """Tangent."""
        return _ops.tan(self)

    def tanh(self) -> Node:
        """Hyperbolic tangent."""
        return _ops.tanh(self)

    def sigmoid(self) -> Node:
        """Logistic sigmoid `1 / (1 + exp(-self))`, stable for large magnitudes."""
        return _ops.sigmoid(self)

    def relu(self) -> Node:
        """`max(self, 0)`; its derivative at 0 is taken as 0."""
        return _ops.relu(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Node:
        """`self` if positive, else `negative_slope * self`."""
        return _ops.leaky_relu(self, negative_slope)

    def softplus(self) -> Node:
        """`log(1 + exp(self))`, stable for large magnitudes."""
        return _ops.softplus(self)

    def abs(self) -> Node:
        """Absolute value; its derivative at 0 is taken as 0."""
        return _ops.absolute(self)

    # -- the graph ----------------------------------------------------------

    def detach(self) -> Node:
        """A new leaf with the same value, cut off from this node's graph."""
        return Node(self.data, self.label)

    def zero_grad(self) -> None:
        """Set `.grad` to 0 on every node of this node's graph."""
        for node in topological_order(self):
            node.grad = 0.0

    def backward(self, grad: float = 1.0, create_graph: bool = False) -> None:
        """Add the gradient of this node to `.grad` of every node of its graph.

        Args:
            grad: the seed, d(something)/d(self); 1.0 differentiates self itself.
            create_graph: make every `.grad` a Node (a graph of the gradient),
                so that it can be differentiated again.

        Nodes are visited once each in reverse topological order, computed
        without recursion, so graphs of millions of nodes work. Calling it on a
        leaf (a detached node, or one made under `no_grad()`) just adds `grad`
        to its own `.grad`.
        """
        order = topological_order(self)
        previous = [node.grad for node in order]
        backpropagate(order, grad, create_graph)
        for node, before in zip(order, previous):
            if before:
                node.grad = before + node.grad


def _operand(value: object) -> bool:
    """Whether an operator should handle `value` (else Python tries the other side)."""
    return isinstance(value, (Node, int, float))


def _value(other: NodeLike, symbol: str) -> float:
    return other.data if isinstance(other, Node) else as_float(other, symbol)


def topological_order(root: Node) -> list[Node]:
    """Every node of `root`'s graph once, each after all of its inputs.

    Iterative depth-first search: no recursion, whatever the graph's depth.
    """
    order: list[Node] = []
    expanded: set[Node] = set()
    finished: set[Node] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in finished:
            continue
        if node in expanded:
            # Every input pushed after this node's expansion has been emitted.
            finished.add(node)
            order.append(node)
            continue
        expanded.add(node)
        stack.append(node)
        for child in node._inputs:
            if child not in expanded:
                stack.append(child)
    return order


def gradients(
    root: Node, wrt: list[Node], seed: float = 1.0, create_graph: bool = False
) -> list[float | Node]:
    """d(root)/d(node) for each node of `wrt`, leaving every `.grad` as it was.

    A node of `wrt` that `root` does not depend on gets 0.0. This is the
    primitive under `micrograd.grad`; like `torch.autograd.grad`, it has no
    side effects on `.grad`.
    """
    saved_wrt = [node.grad for node in wrt]
    for node in wrt:
        node.grad = 0.0
    order = topological_order(root)
    previous = [node.grad for node in order]
    backpropagate(order, seed, create_graph)
    result = [node.grad for node in wrt]
    for node, before in zip(order, previous):
        node.grad = before
    for node, before in zip(wrt, saved_wrt):
        node.grad = before
    return result


def backpropagate(order: list[Node], seed: float, create_graph: bool = False) -> None:
    """Set `.grad` of every node in `order` to d(root)/d(node), root being last.

    `order` is a topological order ending with the root (as returned by
    `topological_order`). Previous `.grad` values are overwritten; callers that
    accumulate keep them aside.
    """
    for node in order:
        node.grad = 0.0
    root = order[-1]
    if create_graph:
        _backpropagate_graph(order, Node(seed))
        return
    root.grad = float(seed)
    for node in reversed(order):
        inputs = node._inputs
        if not inputs:
            continue
        op = node._op
        assert op is not None
        grad = node.grad
        if len(inputs) == 2:
            a, b = inputs
            da, db = op.local_grads(a.data, b.data, node.data)
            a.grad += grad * da
            b.grad += grad * db
        else:
            local = op.local_grads(*[x.data for x in inputs], node.data)
            if len(local) != len(inputs):
                raise op.wrong_grad_count(len(local))
            for x, d in zip(inputs, local):
                x.grad += grad * d


def _backpropagate_graph(order: list[Node], seed: Node) -> None:
    """`backpropagate` with Node arithmetic, so the gradients form a graph."""
    order[-1].grad = seed
    for node in reversed(order):
        inputs = node._inputs
        if not inputs:
            continue
        op = node._op
        assert op is not None
        grad = node.grad
        local = op.local_grads(*inputs, node)
        if len(local) != len(inputs):
            raise op.wrong_grad_count(len(local))
        for x, d in zip(inputs, local):
            contribution = grad if isinstance(d, float) and d == 1.0 else grad * d
            # Every .grad was reset to the float 0.0, so the first contribution
            # is stored as it is rather than added to a constant zero.
            x.grad = x.grad + contribution if isinstance(x.grad, Node) else contribution


# The operators above dispatch to the ops module, which builds on Node.
from micrograd import ops as _ops  # noqa: E402
