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
* A backward pass is all or nothing: if it raises, every `.grad` is as it was.

The algorithms on the graph (the search for backward's order, the chain rule
on floats and on Nodes) live in `micrograd.backprop`, which reads Node's
slots and knows nothing else of it; this module adds what needs the class:
argument checks, the seed as a Node, putting `.grad` back after a failure.

Imports: `micrograd.backprop`, `micrograd.checks`, `micrograd._state`;
nothing above. What Node gets from the layers above is registered by them:
its operators and methods by `micrograd.ops` (`micrograd.ops.methods`, and
`micrograd.backprop.register_linear_ops` for the ops the backward loop
writes out), its notebook picture by `micrograd.viz` (`register_display`),
the tracer of compiled mode by `micrograd.compile` (`config.tracer`). Node
names the op that made it by what it asks of it (`OpLike`).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, Union

from micrograd import checks
from micrograd._state import config, current_tracer
from micrograd.backprop import (
    MANY,
    accumulated,
    full_order,
    leaves_of,
    propagate,
    propagate_graph,
    search,
)

#: Anything an op accepts as an argument.
NodeLike = Union["Node", float, int]

__all__ = [
    "Constant",
    "Node",
    "NodeLike",
    "OpLike",
    "Tracer",
    "as_float",
    "backpropagate",
    "config",
    "enable_grad",
    "gradients",
    "is_grad_enabled",
    "no_grad",
    "register_display",
    "topological_order",
]


class OpLike(Protocol):
    """What a Node asks of the op that made it: `micrograd.ops.Op` is the one kind there is.

    Node stands below the ops and does not import them; it names the op by
    this description instead (what `backward()` and `local_grads()` call).
    """

    #: Shown in errors and pictures.
    name: str

    def float_grads(self, *args: float) -> Sequence[float]:
        """The local gradients for float inputs and output, one per input."""

    def graph_grads(self, *args: Node) -> Sequence[float | Node]:
        """The local gradients for Node inputs and output (``create_graph=True``)."""

    def wrong_grad_count(self, found: object) -> ValueError:
        """The error for local gradients that do not match the inputs."""


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
    """A plain real number as a float, or a clear error naming `where` (`micrograd.checks.real`)."""
    return checks.real(value, where)


# What shows a Node in a notebook: registered by micrograd.viz when it is
# imported (node stands below viz and does not import it).
_display: list[Callable[[Node, Iterable[str] | None, Iterable[str] | None], dict[str, str]]] = []


def register_display(
    show: Callable[[Node, Iterable[str] | None, Iterable[str] | None], dict[str, str]],
) -> None:
    """Make `show(node, include, exclude)` Jupyter's picture of a Node (`_repr_mimebundle_`)."""
    _display[:] = [show]


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
    # `inputs` makes the leaf only if somebody asks for it. A leaf's `_b`
    # holds no input: `backward()` notes there the leaf's `.grad` from
    # before the pass, to put back if the pass fails (`micrograd.backprop`).
    __slots__ = ("__weakref__", "_a", "_b", "_fn", "_visit", "data", "grad", "label")

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
    # The op that made the node (None for a leaf). Named `_fn` so that
    # `_op` can be Karpathy's string (see `_op` below).
    _fn: OpLike | None
    # Where `backward()`'s search last saw this node (see `micrograd.backprop.search`).
    _visit: int

    def __init__(self, data: float, label: str = "") -> None:
        self.data = checks.real(data, "Node")
        self.grad = 0.0
        self.label = checks.text(label, "Node", "label")
        self._a = None
        self._b = None
        self._fn = None
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
    def op(self) -> OpLike | None:
        """The op (a `micrograd.ops.Op`) that computed this node, or None for a leaf."""
        return self._fn

    @property
    def _prev(self) -> set[Node]:
        """The set of this node's inputs (Karpathy's micrograd's name; see `inputs`)."""
        return set(self.inputs)

    @property
    def _op(self) -> str:
        """The op that made this node as Karpathy's micrograd names it ('' for a leaf).

        His strings where he has the op (``'+'``, ``'*'``, ``'**2'``,
        ``'ReLU'``, ``'tanh'``, ``'exp'``), the op's own name otherwise.
        """
        fn = self._fn
        if fn is None or self._a is None:
            return ""
        name: str = fn.name
        return _KARPATHY_NAMES.get(name, name)

    @property
    def is_leaf(self) -> bool:
        """True for a node made by the user, under `no_grad()`, or by `detach()`."""
        return self._a is None

    def local_grads(self) -> tuple[float, ...]:
        """The partial derivative of this node with respect to each input, now."""
        if self._fn is None or self._a is None:
            return ()
        return tuple(self._fn.float_grads(*[x.data for x in self.inputs], self.data))

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Node(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        tracer = current_tracer()
        if tracer is not None:
            tracer.converted(self)
        return self.data

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        """Jupyter shows a Node as the picture of its graph (its repr without Graphviz)."""
        if not _display:
            return {"text/plain": repr(self)}
        return _display[0](self, include, exclude)

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

    # -- arithmetic and functions: installed by micrograd.ops ------------------

    # Every operator (+ - * / ** neg abs) and function method (x.exp() ...)
    # is an op of micrograd.ops, which installs it on the class when it is
    # imported (node stands below ops): + - * / are the ops' own operator
    # methods (`Op.operator`), one Python call per operation on the engine's
    # hottest path. These declarations are for type checkers only.
    if TYPE_CHECKING:

        def __add__(self, other: NodeLike) -> Node: ...
        def __radd__(self, other: NodeLike) -> Node: ...
        def __sub__(self, other: NodeLike) -> Node: ...
        def __rsub__(self, other: NodeLike) -> Node: ...
        def __mul__(self, other: NodeLike) -> Node: ...
        def __rmul__(self, other: NodeLike) -> Node: ...
        def __truediv__(self, other: NodeLike) -> Node: ...
        def __rtruediv__(self, other: NodeLike) -> Node: ...
        def __pow__(self, other: NodeLike) -> Node: ...
        def __rpow__(self, other: NodeLike) -> Node: ...
        def __neg__(self) -> Node: ...
        def __pos__(self) -> Node: ...
        def __abs__(self) -> Node: ...
        def exp(self) -> Node: ...
        def log(self) -> Node: ...
        def sqrt(self) -> Node: ...
        def sin(self) -> Node: ...
        def cos(self) -> Node: ...
        def tan(self) -> Node: ...
        def tanh(self) -> Node: ...
        def sigmoid(self) -> Node: ...
        def relu(self) -> Node: ...
        def leaky_relu(self, negative_slope: float = 0.01) -> Node: ...
        def softplus(self) -> Node: ...
        def abs(self) -> Node: ...
        def asin(self) -> Node: ...
        def arcsin(self) -> Node: ...
        def acos(self) -> Node: ...
        def arccos(self) -> Node: ...
        def atan(self) -> Node: ...
        def arctan(self) -> Node: ...
        def sinh(self) -> Node: ...
        def cosh(self) -> Node: ...
        def asinh(self) -> Node: ...
        def arcsinh(self) -> Node: ...
        def acosh(self) -> Node: ...
        def arccosh(self) -> Node: ...
        def atanh(self) -> Node: ...
        def arctanh(self) -> Node: ...
        def exp2(self) -> Node: ...
        def expm1(self) -> Node: ...
        def log2(self) -> Node: ...
        def log10(self) -> Node: ...
        def log1p(self) -> Node: ...
        def deg2rad(self) -> Node: ...
        def rad2deg(self) -> Node: ...
        def erf(self) -> Node: ...
        def erfc(self) -> Node: ...
        def lgamma(self) -> Node: ...
        def digamma(self) -> Node: ...
        def sinc(self) -> Node: ...
        def floor(self) -> Node: ...
        def ceil(self) -> Node: ...
        def trunc(self) -> Node: ...
        def sign(self) -> Node: ...
        def softsign(self) -> Node: ...
        def mish(self) -> Node: ...
        def silu(self) -> Node: ...
        def absolute(self) -> Node: ...
        def atan2(self, other: NodeLike) -> Node: ...
        def arctan2(self, other: NodeLike) -> Node: ...
        def hypot(self, other: NodeLike, *more: NodeLike) -> Node: ...
        def copysign(self, other: NodeLike) -> Node: ...
        def fmod(self, other: NodeLike) -> Node: ...
        def polygamma(self, n: int) -> Node: ...
        def round(self, ndigits: int = 0) -> Node: ...
        def clamp(self, min: float | None = None, max: float | None = None) -> Node: ...
        def clip(self, min: float | None = None, max: float | None = None) -> Node: ...
        def __mod__(self, other: NodeLike) -> Node: ...
        def __rmod__(self, other: NodeLike) -> Node: ...
        def __floordiv__(self, other: NodeLike) -> Node: ...
        def __rfloordiv__(self, other: NodeLike) -> Node: ...
        def __divmod__(self, other: NodeLike) -> tuple[Node, Node]: ...
        def __rdivmod__(self, other: NodeLike) -> tuple[Node, Node]: ...
        def __floor__(self) -> Node: ...
        def __ceil__(self) -> Node: ...
        def __trunc__(self) -> Node: ...
        def __round__(self, ndigits: int | None = None) -> Node: ...

    # -- the graph ----------------------------------------------------------

    def detach(self) -> Node:
        """A new leaf with the same value, cut off from this node's graph."""
        return Node(self.data, self.label)

    def zero_grad(self) -> None:
        """Set `.grad` to 0 on every node of this node's graph."""
        leaves: list[Node] = []
        for node in search(self, leaves) or [self]:
            node.grad = 0.0
        for node in leaves:
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

        The pass is all or nothing: if it raises (a custom op's local
        gradient fails, say), every `.grad` of the graph is as it was before.
        """
        seed = grad if type(grad) is float else checks.real(grad, "backward", "grad")
        if create_graph is not False and create_graph is not True:
            checks.switch(create_graph, "backward", "create_graph")
        _backward_pass(search(self), self, seed, create_graph)


# Karpathy's micrograd's strings for the ops he has (his `Value._op`).
_KARPATHY_NAMES = {
    "add": "+",
    "mul": "*",
    "sub": "-",
    "div": "/",
    "neg": "*",
    "relu": "ReLU",
    "tanh": "tanh",
    "exp": "exp",
}


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


def _decided(node: Node, symbol: str, other: NodeLike, outcome: bool) -> bool:
    """Return `outcome`, telling the tracer (if any) that the code decided on it."""
    tracer = current_tracer()
    if tracer is not None:
        tracer.compared(node, symbol, other, outcome)
    return outcome


def _value(other: NodeLike, symbol: str) -> float:
    return other.data if isinstance(other, Node) else as_float(other, symbol)


# -- the graph: what Node's methods and the functions below ask of micrograd.backprop


def topological_order(root: Node, leaves: bool = True) -> list[Node]:
    """Every node of `root`'s graph once, each after all of its inputs.

    Iterative depth-first search: no recursion, whatever the graph's depth.
    With ``leaves=False`` only the nodes computed by ops are listed.
    """
    _check_root(root, "topological_order")
    if not leaves:
        return search(root, [])
    return full_order(root)


def _check_root(root: object, where: str) -> None:
    if not isinstance(root, Node):
        raise TypeError(f"{where}: root must be a Node, got {checks.shown(root)}")


def gradients(
    root: Node, wrt: list[Node], seed: float = 1.0, create_graph: bool = False
) -> list[float | Node]:
    """d(root)/d(node) for each node of `wrt`, leaving every `.grad` as it was.

    A node of `wrt` that `root` does not depend on gets 0.0. This is the
    primitive under `micrograd.grad`; like `torch.autograd.grad`, it has no
    side effects on `.grad`, whether it returns or raises.
    """
    seed = checks.real(seed, "gradients", "seed")
    checks.switch(create_graph, "gradients", "create_graph")
    _check_root(root, "gradients")
    if isinstance(wrt, (Node, str, bytes)) or not isinstance(wrt, Iterable):
        raise TypeError(f"gradients: wrt must be a list of Nodes, got {checks.shown(wrt)}")
    wrt = list(wrt)
    for i, node in enumerate(wrt):
        if not isinstance(node, Node):
            raise TypeError(f"gradients: wrt[{i}] must be a Node, got {checks.shown(node)}")
    leaves: list[Node] = []
    computed = search(root, leaves)
    everything = [*(computed or [root]), *leaves, *wrt]
    saved = [node.grad for node in everything]
    try:
        for node in everything:
            node.grad = 0.0
        _chain_rule(computed, root, seed, create_graph)
        return [node.grad for node in wrt]
    finally:
        # Restored in reverse, so that a node listed twice (a leaf also in
        # `wrt`) ends with the value it had first.
        for node, before in zip(reversed(everything), reversed(saved)):
            node.grad = before


def backpropagate(
    computed: list[Node], root: Node, seed: float = 1.0, create_graph: bool = False
) -> None:
    """Add ``seed * d(root)/d(node)`` to `.grad` of every node of root's graph.

    `computed` lists the graph's op-made nodes in topological order, as
    ``topological_order(root, leaves=False)`` does. Leaves accumulate
    directly; each computed node's own `.grad` is set aside during the
    pass, so that only this pass's gradient flows through it, and added back
    at the end.

    All or nothing: if the pass raises, every `.grad` is put back as it was.
    """
    for leaf in leaves_of(computed):
        leaf._b = leaf.grad
    _backward_pass(computed, root, seed, create_graph)


_grad_of = operator.attrgetter("grad")


def _backward_pass(computed: list[Node], root: Node, seed: float, create_graph: bool) -> None:
    """`backpropagate`, once each leaf's `.grad` is noted in its `_b` (as `search` does)."""
    # What a failure must put back besides the leaves' noted gradients: the
    # computed nodes', only when some is not 0.0 (a fresh graph's are all 0.0).
    previous = list(map(_grad_of, computed)) if any(map(_grad_of, computed)) else None
    if previous is not None:
        for node in computed:
            node.grad = 0.0
    try:
        _chain_rule(computed, root, seed, create_graph)
    except BaseException:
        for node, before in zip(computed, previous or itertools.repeat(0.0)):
            node.grad = before
        for leaf in leaves_of(computed):
            leaf.grad = leaf._b
        raise
    if previous is not None:
        for node, before in zip(computed, previous):
            if before:
                node.grad = before + node.grad
    if create_graph:
        # Notes may hold gradient graphs (Nodes) here: drop them, so that
        # they keep nothing alive (a pass on floats leaves floats, its notes).
        for leaf in leaves_of(computed):
            leaf._b = None


def _chain_rule(computed: list[Node], root: Node, seed: float, create_graph: bool) -> None:
    """One pass of the chain rule from `root` (a leaf root just adds the seed)."""
    if not computed:
        root.grad = accumulated(root.grad, Node(seed) if create_graph else float(seed))
    elif create_graph:
        propagate_graph(computed, root, Node(seed))
    else:
        propagate(computed, root, float(seed))
