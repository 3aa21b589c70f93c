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
* A plain number in an expression (the 2 of ``2 * x``) is a constant: it takes
  no gradient, and shows as a `Constant` leaf among the node's `inputs`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, Union

if TYPE_CHECKING:
    from micrograd.ops import Op

#: Anything an op accepts as an argument.
NodeLike = Union["Node", float, int]


class Tracer(Protocol):
    """What `micrograd.compile` listens to while it traces a function.

    A trace fixes the graph's shape, so it must know every decision the
    traced code took on a Node's value and every constant it introduced.
    """

    def compared(self, node: Node, symbol: str, other: NodeLike, outcome: bool) -> None:
        """`node <symbol> other` (or `bool(node)`, as ``!= 0.0``) came out as `outcome`."""

    def converted(self, node: Node) -> None:
        """`float(node)` let the value leave the graph."""

    def constant(self, node: Node) -> None:
        """An op turned a plain-number operand into the leaf `node`."""


class _Config:
    """Process-wide switches read on the hot path (kept as one small object)."""

    #: Whether ops record their inputs (False inside `no_grad()`).
    grad_enabled: bool = True
    #: Told about value-dependent decisions while a function is traced, else None.
    tracer: Tracer | None = None

    def __init__(self) -> None:
        # Instance attributes from the start: Python reads those faster than
        # class attributes seen through an instance.
        self.grad_enabled = True
        self.tracer = None


#: The engine's switches; use `no_grad()` and `enable_grad()` rather than this.
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

    # The inputs live in two slots rather than a tuple: one container object
    # per node instead of two, which halves the work of Python's garbage
    # collector while a graph is built. `_a` is the first input (None for a
    # leaf), `_b` the second (None for one input); an op with more inputs
    # keeps them all as a tuple in `_a` and the marker MANY in `_b`. A
    # plain-number operand of a two-input op (the 2 of `2 * x`) is stored in
    # `_a` or `_b` as a float, not as a leaf Node: it needs no gradient, and
    # `inputs` makes the leaf only if somebody asks for it.
    __slots__ = ("__weakref__", "_a", "_b", "_op", "_visit", "data", "grad", "label")

    #: The value.
    data: float
    #: The gradient accumulated by `backward()`: a float, or a Node after
    #: ``backward(create_graph=True)``.
    grad: float | Node
    #: A name shown in pictures and reprs ("" for none).
    label: str
    # Typed loosely: which of its three forms `_a` has is decided by `_b`.
    _a: Any
    _b: Any
    _op: Op | None
    # Where `backward()`'s search last saw this node (see `_computed_order`).
    _visit: int

    def __init__(self, data: float, label: str = "") -> None:
        self.data = as_float(data, "Node")
        self.grad = 0.0
        self.label = label
        self._a = None
        self._b = None
        self._op = None
        self._visit = 0

    # -- what the node knows -------------------------------------------------

    @property
    def inputs(self) -> tuple[Node, ...]:
        """The Nodes this one was computed from (empty for a leaf).

        A plain-number operand of a two-input op is kept in the node as a
        float; asking for the inputs turns it into a `Constant` leaf, once.
        """
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is None:
            return (a,)
        if b is MANY:
            inputs: tuple[Node, ...] = a
            return inputs
        if type(a) is float:
            a = self._a = Constant(a)
        if type(b) is float:
            b = self._b = Constant(b)
        return (a, b)

    @property
    def op(self) -> Op | None:
        """The op that computed this node, or None for a leaf."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True for a node made by the user, under `no_grad()`, or by `detach()`."""
        return self._a is None

    def local_grads(self) -> tuple[float, ...]:
        """The partial derivative of this node with respect to each input, now."""
        if self._op is None or self._a is None:
            return ()
        grads = self._op.local_grads(*[x.data for x in self.inputs], self.data)
        return tuple(float(g) for g in grads)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Node(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        if config.tracer is not None:
            config.tracer.converted(self)
        return self.data

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """Jupyter shows a Node as the picture of its graph (its repr without Graphviz)."""
        from micrograd.viz import repr_mimebundle  # viz builds on node: import when used

        return repr_mimebundle(self, include, exclude)

    def __bool__(self) -> bool:
        return _decided(self, "!=", 0.0, self.data != 0.0)

    # Comparisons compare values; `==` and hashing stay identity so Nodes can
    # be dict keys and set members.
    def __lt__(self, other: NodeLike) -> bool:
        return _decided(self, "<", other, self.data < _value(other, "<"))

    def __le__(self, other: NodeLike) -> bool:
        return _decided(self, "<=", other, self.data <= _value(other, "<="))

    def __gt__(self, other: NodeLike) -> bool:
        return _decided(self, ">", other, self.data > _value(other, ">"))

    def __ge__(self, other: NodeLike) -> bool:
        return _decided(self, ">=", other, self.data >= _value(other, ">="))

    # -- arithmetic: every operator is an op of micrograd.ops ------------------

    # + - * / and their reflections are the ops' own operator methods
    # (`Op.operator`), which micrograd.ops installs on the class once it has
    # made them: one Python call per operation, on the engine's hottest path.
    if TYPE_CHECKING:

        def __add__(self, other: NodeLike) -> Node: ...
        def __radd__(self, other: NodeLike) -> Node: ...
        def __sub__(self, other: NodeLike) -> Node: ...
        def __rsub__(self, other: NodeLike) -> Node: ...
        def __mul__(self, other: NodeLike) -> Node: ...
        def __rmul__(self, other: NodeLike) -> Node: ...
        def __truediv__(self, other: NodeLike) -> Node: ...
        def __rtruediv__(self, other: NodeLike) -> Node: ...

    def __pow__(self, other: NodeLike) -> Node:
        return _ops.pow(self, other) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __rpow__(self, other: NodeLike) -> Node:
        return _ops.pow(other, self) if isinstance(other, _OPERAND_TYPES) else NotImplemented

    def __neg__(self) -> Node:
        return _ops.neg.call1(self)

    def __pos__(self) -> Node:
        return self

    def __abs__(self) -> Node:
        return _ops.absolute.call1(self)

    # -- functions as methods -------------------------------------------------

    def exp(self) -> Node:
        """`e ** self`."""
        return _ops.exp.call1(self)

    def log(self) -> Node:
        """Natural logarithm."""
        return _ops.log.call1(self)

    def sqrt(self) -> Node:
        """Square root."""
        return _ops.sqrt.call1(self)

    def sin(self) -> Node:
        """Sine."""
        return _ops.sin.call1(self)

    def cos(self) -> Node:
        """Cosine."""
        return _ops.cos.call1(self)

    def tan(self) -> Node:
        """Tangent."""
        return _ops.tan.call1(self)

    def tanh(self) -> Node:
        """Hyperbolic tangent."""
        return _ops.tanh.call1(self)

    def sigmoid(self) -> Node:
        """Logistic sigmoid `1 / (1 + exp(-self))`, stable for large magnitudes."""
        return _ops.sigmoid.call1(self)

    def relu(self) -> Node:
        """`max(self, 0)`; its derivative at 0 is taken as 0."""
        return _ops.relu.call1(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Node:
        """`self` if positive, else `negative_slope * self`."""
        return _ops.leaky_relu(self, negative_slope)

    def softplus(self) -> Node:
        """`log(1 + exp(self))`, stable for large magnitudes."""
        return _ops.softplus.call1(self)

    def abs(self) -> Node:
        """Absolute value; its derivative at 0 is taken as 0."""
        return _ops.absolute(self)

    # -- the graph ----------------------------------------------------------

    def detach(self) -> Node:
        """A new leaf with the same value, cut off from this node's graph."""
        return Node(self.data, self.label)

    def zero_grad(self) -> None:
        """Set `.grad` to 0 on every node of this node's graph."""
        for node in _graph_nodes(_computed_order(self), self):
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
        backpropagate(_computed_order(self), self, grad, create_graph)


class Constant(Node):
    """A plain-number operand as a leaf: a fixed value that takes no gradient.

    ``2 * x`` keeps the 2 inside the new node as a float; it becomes a
    Constant only when something asks for the node's `inputs` (a picture of
    the graph, say), or when an op with one or many inputs is given a plain
    number. Its `.grad` is always 0.0, whenever it is read: gradients
    arriving at it are dropped, as they would be for the float itself.
    """

    __slots__ = ()

    @property
    def grad(self) -> float:
        """Always 0.0: a constant has no gradient."""
        return 0.0

    @grad.setter
    def grad(self, value: float | Node) -> None:
        pass

    def __repr__(self) -> str:
        return f"Constant({self.data!r})"


class _Many:
    """The marker in `Node._b` for an op with more than two inputs."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MANY"


#: The marker in `Node._b` for an op with more than two inputs.
MANY = _Many()

# What the operators take on the other side; for anything else they return
# NotImplemented, so Python tries the other operand and then raises TypeError.
_OPERAND_TYPES = (Node, int, float)


def _decided(node: Node, symbol: str, other: NodeLike, outcome: bool) -> bool:
    """Return `outcome`, telling the tracer (if any) that the code decided on it."""
    if config.tracer is not None:
        config.tracer.compared(node, symbol, other, outcome)
    return outcome


def _value(other: NodeLike, symbol: str) -> float:
    return other.data if isinstance(other, Node) else as_float(other, symbol)


def topological_order(root: Node, leaves: bool = True) -> list[Node]:
    """Every node of `root`'s graph once, each after all of its inputs.

    Iterative depth-first search: no recursion, whatever the graph's depth.
    With ``leaves=False`` only the nodes computed by ops are listed.
    """
    if not leaves:
        return _computed_order(root)
    order: list[Node] = []
    expanded: set[Node] = set()
    finished: set[Node] = set()
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


# Numbers for `_computed_order`'s searches, increasing through the process.
_searches = itertools.count(1)


def _computed_order(root: Node) -> list[Node]:
    """`topological_order(root, leaves=False)`: the search behind `backward()`.

    The same depth-first search, reading the input slots directly. Instead
    of sets of nodes it marks each node it reaches in its `_visit` slot with
    two numbers of its own, larger than any earlier search's: `entered`
    (its inputs are being visited) and `entered + 1` (listed). Leaves, which
    have no inputs, and plain-number operands (floats) are never visited;
    nodes made by ops are always exactly of class Node.

    Two threads differentiating graphs that share nodes at the same time
    would overwrite each other's marks; they would also race on the shared
    `.grad` attributes, so such graphs must be differentiated one at a time.
    """
    order: list[Node] = []
    if root._a is None:
        return order
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
                    if child._a is not None and child._visit < entered:
                        push(child)
                break
            # An input entered already is listed already (a graph has no
            # cycles), so a node with no input left to visit is listed at once.
            visit_a = type(a) is Node and a._a is not None and a._visit < entered
            visit_b = type(b) is Node and b._a is not None and b._visit < entered
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


def gradients(
    root: Node, wrt: list[Node], seed: float = 1.0, create_graph: bool = False
) -> list[float | Node]:
    """d(root)/d(node) for each node of `wrt`, leaving every `.grad` as it was.

    A node of `wrt` that `root` does not depend on gets 0.0. This is the
    primitive under `micrograd.grad`; like `torch.autograd.grad`, it has no
    side effects on `.grad`.
    """
    computed = _computed_order(root)
    everything = _graph_nodes(computed, root)
    saved = [node.grad for node in everything]
    saved_wrt = [node.grad for node in wrt]
    for node in everything:
        node.grad = 0.0
    for node in wrt:
        node.grad = 0.0
    backpropagate(computed, root, seed, create_graph)
    result = [node.grad for node in wrt]
    for node, before in zip(everything, saved):
        node.grad = before
    for node, before in zip(wrt, saved_wrt):
        node.grad = before
    return result


def _graph_nodes(computed: list[Node], root: Node) -> list[Node]:
    """`computed` (root's graph, as `_computed_order` lists it) and the leaves they use.

    Plain-number operands are left as they are, not made into leaves.
    """
    if not computed:
        return [root]
    leaves: dict[Node, None] = {}
    for node in computed:
        a, b = node._a, node._b
        for x in a if b is MANY else (a, b):
            if x is not None and type(x) is not float and x._a is None:
                leaves[x] = None
    return [*computed, *leaves]


def backpropagate(
    computed: list[Node], root: Node, seed: float = 1.0, create_graph: bool = False
) -> None:
    """Add ``seed * d(root)/d(node)`` to `.grad` of every node of root's graph.

    `computed` lists the graph's op-made nodes in topological order (as
    ``topological_order(root, leaves=False)`` does). Leaves accumulate directly;
    each computed node's own `.grad` is set aside during the pass, so that only
    this pass's gradient flows through it, and added back at the end.
    """
    if not computed:  # the root is a leaf
        root.grad = _accumulated(root.grad, Node(seed) if create_graph else float(seed))
        return
    previous = [node.grad for node in computed]
    # A fresh graph has nothing to set aside: skip two loops over it.
    carried = any(previous)
    if carried:
        for node in computed:
            node.grad = 0.0
    if create_graph:
        _propagate_graph(computed, root, Node(seed))
    else:
        _propagate(computed, root, float(seed))
    if carried:
        for node, before in zip(computed, previous):
            if before:
                node.grad = before + node.grad


def _propagate(computed: list[Node], root: Node, seed: float) -> None:
    """The chain rule in reverse topological order, on floats.

    The local gradients of add, sub and mul are written out here rather than
    asked of the op: they are most of any graph, and their partials are the
    constants 1 and -1 or the other input's value. A float input is a
    plain-number operand: it takes part in the local gradients but receives
    none.
    """
    root.grad = seed
    for node in reversed(computed):
        op = node._op
        a = node._a
        b = node._b
        grad = node.grad
        assert op is not None  # a computed node has its op
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
            (da,) = op.local_grads(a.data, node.data)
            a.grad += grad * da
        elif b is MANY:
            local = op.local_grads(*[x.data for x in a], node.data)
            if len(local) != len(a):
                raise op.wrong_grad_count(len(local))
            for x, d in zip(a, local):
                x.grad += grad * d
        elif type(a) is float:
            b.grad += grad * op.local_grads(a, b.data, node.data)[1]
        elif type(b) is float:
            a.grad += grad * op.local_grads(a.data, b, node.data)[0]
        else:
            da, db = op.local_grads(a.data, b.data, node.data)
            a.grad += grad * da
            b.grad += grad * db


def _propagate_graph(computed: list[Node], root: Node, seed: Node) -> None:
    """The chain rule with Node arithmetic, so the gradients form a graph."""
    root.grad = seed
    for node in reversed(computed):
        inputs = node.inputs
        op = node._op
        assert op is not None
        grad = node.grad
        local = op.local_grads(*inputs, node)
        if len(local) != len(inputs):
            raise op.wrong_grad_count(len(local))
        for x, d in zip(inputs, local):
            x.grad = _accumulated(x.grad, grad if isinstance(d, float) and d == 1.0 else grad * d)


def _accumulated(total: float | Node, contribution: float | Node) -> float | Node:
    # A zero total is dropped rather than added, so that graphs of gradients
    # carry no `0 + ...` nodes.
    if isinstance(total, Node) or total:
        return total + contribution
    return contribution


# The operators dispatch to the ops module, which builds on Node (and
# installs + - * / on it when it is imported, just below).
from micrograd import ops as _ops  # noqa: E402

# The ops whose local gradients `_propagate` writes out.
_ADD: Op = _ops.add
_SUB: Op = _ops.sub
_MUL: Op = _ops.mul
