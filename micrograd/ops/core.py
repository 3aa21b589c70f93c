"""The op machinery: `Op`, the base class of every op, and its helpers.

An op computes its output value from float inputs (`forward`) and, when asked,
the partial derivative of its output with respect to each input
(`local_grads`). An op that does not state its local gradients gets them by
finite differences. Users make ops the same two ways the built-ins are made:

* decorate a plain float function with `@op` (optionally giving `grad=`;
  `micrograd.ops.decorator` holds `op` and the `FunctionOp` it makes), or
* subclass `Op` and define `forward` (and optionally `local_grads`).

Local-gradient formulas are written with operators and with `Op.apply`, so the
same formula gives floats in an ordinary backward pass and Nodes (a graph of
the gradient, for higher derivatives) under ``backward(create_graph=True)``.
A formula must mean the same on both: it may branch on values (``x > 0``
compares values on Nodes too), never on ``==`` (identity on Nodes); use
`value_of` to branch on a value exactly.

Here too: `NumericPartial` (the numeric derivative of an op, itself an op),
`mark_trusted`, `value_of`, `reraise`. The Nodes an op makes get their
fields from `micrograd.ops.nodes` (`new_node`, and the operator methods),
except on the one-input fast path `Op.call1`, which writes them out here.

Imports: `micrograd.ops.nodes`, `micrograd.node`, `micrograd.numeric`,
`micrograd.checks`, `micrograd._state`. The rest of `micrograd.ops` builds
on this module.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from micrograd import checks
from micrograd._state import grad_enabled
from micrograd.node import Node, NodeLike
from micrograd.numeric import Method, mixed_partial, partial
from micrograd.ops.nodes import _constant, _input_slots, _operator_method, new_node

#: What a local-gradient formula returns: one partial derivative per input.
LocalGrads = Sequence["float | Node"]
#: A local-gradient formula: called with the inputs and the output.
GradFn = Callable[..., LocalGrads]

_new = object.__new__

# ---------------------------------------------------------------------------
# Helpers of the op machinery


def value_of(x: NodeLike) -> float:
    """The float value of `x`, a Node or a plain number.

    For branches inside local-gradient formulas that must decide on a value
    exactly (``value_of(x) == 0.0``): ``x == 0`` is identity on Nodes.
    """
    return x.data if isinstance(x, Node) else float(x)


def _positional_arity(function: Callable[..., Any], skip: int = 0) -> tuple[int, int | None]:
    """How many positional arguments `function` takes: (fewest, most), most None for `*args`."""
    try:
        parameters = list(inspect.signature(function).parameters.values())[skip:]
    except (TypeError, ValueError):
        return 0, None
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    fewest = sum(1 for p in positional if p.default is p.empty)
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return fewest, None
    return fewest, len(positional)


def reraise(error: Exception, context: str) -> NoReturn:
    """Raise `error` again with `context` (the op's name and inputs) added, its type kept.

    Call it inside the ``except`` block that caught `error`. Python's own
    ArithmeticError, ValueError and TypeError take one message, so they are
    restated with the context in front;
    any other exception (a subclass with its own constructor, such as
    `json.JSONDecodeError`, or a user's own) is re-raised as the same object,
    attributes and cause intact, with the context as a note.
    """
    if type(error) in _RESTATABLE:
        raise type(error)(f"{context}: {error}") from None
    if hasattr(error, "add_note"):
        error.add_note(context)
    raise error


_RESTATABLE = (
    ValueError,
    ArithmeticError,
    ZeroDivisionError,
    OverflowError,
    FloatingPointError,
    TypeError,
)


class Op:
    """Base class of every operation on Nodes.

    Subclasses define `forward` on floats and, optionally, `local_grads`.
    Calling an op instance on Nodes or plain numbers returns a Node.

    >>> import micrograd as mg
    >>> class Square(mg.Op):
    ...     def forward(self, x):
    ...         return x * x
    ...     def local_grads(self, x, out):
    ...         return (2 * x,)
    >>> square = Square()
    >>> y = square(mg.Node(3.0))
    >>> y.backward()
    >>> y.data, y.inputs[0].grad
    (9.0, 6.0)

    Class attributes a subclass may set:
        name: shown in errors and pictures (default: the class name, lowercase).
        arity: the number of inputs (default: read from `forward`'s signature;
            None when it takes a range of counts, see `min_arity`/`max_arity`).
        method, eps: the finite-difference scheme used when `local_grads` is
            not defined (see `micrograd.numeric`).
    """

    #: Shown in errors and pictures.
    name: str = "op"
    #: The number of inputs, or None when a range of counts is accepted.
    arity: int | None = None
    #: The fewest inputs accepted.
    min_arity: int = 0
    #: The most inputs accepted, or None for any number.
    max_arity: int | None = None
    #: The finite-difference scheme when `local_grads` is not defined.
    method: Method = "central"
    #: A fixed finite-difference step, or None for one scaled to each input.
    eps: float | None = None
    #: Whether the local-gradient formula is known to return floats for floats
    #: (the built-in ops): the backward pass then skips checking its results.
    trusted: bool = False
    _checked: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()
        if "forward" in cls.__dict__:
            fewest, most = _positional_arity(cls.forward, skip=1)
            if "arity" in cls.__dict__ and cls.arity is not None:
                fewest = most = cls.arity
            cls.min_arity, cls.max_arity = fewest, most
            cls.arity = fewest if fewest == most else None

    # `*args: Any, **kwargs: Any` lets subclasses narrow the signature under mypy.
    def forward(self, *inputs: Any, **kwargs: Any) -> float:
        """The output value for float inputs."""
        raise NotImplementedError(f"{self.name}: an Op subclass must define forward()")

    def local_grads(self, *args: Any, **kwargs: Any) -> LocalGrads:
        """The partial derivatives of the output, one per input.

        Called as ``local_grads(*inputs, out)`` with floats in an ordinary
        backward pass and with Nodes under ``create_graph=True``. This default
        differentiates `forward` numerically (see the class attributes
        `method` and `eps`); with Nodes it returns Nodes made by ops that
        differentiate numerically again, so higher derivatives work too.
        """
        inputs = args[:-1]
        if any(isinstance(x, Node) for x in inputs):
            return tuple(self._partial_op(i)(*inputs) for i in range(len(inputs)))
        return tuple(
            partial(self.forward, inputs, i, self.method, self.eps) for i in range(len(inputs))
        )

    def float_grads(self, *args: float) -> Sequence[float]:
        """`local_grads` for float inputs, checked: one real number per input.

        The backward pass calls this. A formula that raises gets the op's name
        and inputs added to its error; a result of the wrong length or type is
        a TypeError or ValueError naming the op. A Node among the results (a
        formula that called ``mg.exp(x)`` rather than ``mg.exp.apply(x)``)
        counts as its value.
        """
        try:
            local = self.local_grads(*args)
        except Exception as error:
            reraise(error, self._where("local gradients", args[:-1]))
        if self.trusted:
            return local  # type: ignore[return-value]
        return self._checked_grads(local, args[:-1], graph=False)  # type: ignore[return-value]

    def graph_grads(self, *args: Node) -> LocalGrads:
        """`local_grads` for Node inputs (``create_graph=True``), checked like `float_grads`."""
        try:
            local = self.local_grads(*args)
        except Exception as error:
            reraise(error, self._where("local gradients", [x.data for x in args[:-1]]))
        if self.trusted:
            return local
        return self._checked_grads(local, [x.data for x in args[:-1]], graph=True)

    def _checked_grads(
        self, local: object, values: Sequence[float], graph: bool
    ) -> Sequence[float | Node]:
        if not isinstance(local, (tuple, list)) or len(local) != len(values):
            found = len(local) if isinstance(local, (tuple, list)) else type(local).__name__
            raise self.wrong_grad_count(found)
        checked: list[float | Node] = []
        for i, d in enumerate(local):
            if type(d) is float:
                checked.append(d)
            elif isinstance(d, Node):
                checked.append(d if graph else d.data)
            elif isinstance(d, (bool, str, bytes, complex)):
                raise self._wrong_grad_type(i, d, values)
            else:
                try:
                    checked.append(checks.real(d, self.name))
                except (TypeError, ValueError):
                    raise self._wrong_grad_type(i, d, values) from None
        return checked

    def _wrong_grad_type(self, index: int, value: object, values: Sequence[float]) -> TypeError:
        return TypeError(
            f"{self._where('local gradients', values)}: the partial derivative for input"
            f" {index} must be a real number, got {checks.shown(value)}"
        )

    def _where(self, what: str, values: Sequence[float]) -> str:
        shown = ", ".join(repr(v) for v in values)
        return f"{self.name}({shown}): {what}" if what else f"{self.name}({shown})"

    def _partial_op(self, index: int) -> NumericPartial:
        cache: dict[int, NumericPartial] = self.__dict__.setdefault("_partials", {})
        if index not in cache:
            cache[index] = NumericPartial(self, index)
        return cache[index]

    def apply(self, *args: NodeLike) -> float | Node:
        """Evaluate the op: a float when every argument is a plain number, else a Node.

        Use it inside local-gradient formulas, so that one formula serves both
        the ordinary backward pass (floats) and ``create_graph=True`` (Nodes):
        ``grad=lambda x, out: (mg.cos.apply(x),)``.
        """
        if any(isinstance(a, Node) for a in args):
            return self(*args)
        values = [checks.real(a, self.name) for a in args]
        return self._evaluate(values)

    def __call__(self, *args: NodeLike) -> Node:
        """Apply the op to Nodes or plain numbers and return the resulting Node."""
        count = len(args)
        if count < self.min_arity or (self.max_arity is not None and count > self.max_arity):
            raise self.wrong_arity(count)
        if count == 1:
            return self.call1(args[0])
        if count == 2:
            return self.call2(args[0], args[1])
        inputs = tuple([a if isinstance(a, Node) else _constant(a, self.name) for a in args])
        values = [x.data for x in inputs]
        return self._result(self._evaluate(values), inputs, values)

    # call1 and call2 are __call__ for one and two inputs without the generic
    # argument handling: the operators and functions of Node use them directly.

    def call1(self, a: NodeLike) -> Node:
        """`self(a)` for a one-input op."""
        if not isinstance(a, Node):
            a = _constant(a, self.name)
        try:
            out = self.forward(a.data)
        except Exception as error:
            self._failed(error, a.data)
        if type(out) is not float or not self._checked:
            return self._result(out, (a,), [a.data])
        # new_node(out, a, None, self), written out (see micrograd.ops.nodes).
        node = _new(Node)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._a = a if grad_enabled() else None
        node._b = None
        node._fn = self
        node._visit = 0
        return node

    def call2(self, a: NodeLike, b: NodeLike) -> Node:
        """`self(a, b)` for a two-input op."""
        if not isinstance(a, Node):
            a = _constant(a, self.name)
        binary = self.__dict__.get("_binary")
        if binary is None:
            binary = self._binary = self.operator()
        if not isinstance(b, (Node, int, float)):
            b = _constant(b, self.name)  # raises the TypeError naming this op
        result: Node = binary(a, b)
        return result

    def operator(self, reflected: bool = False) -> Callable[[Node, object], Any]:
        """This two-input op as a method of Node: `call2` in a single Python call.

        ``Node.__add__`` is ``add.operator()`` and ``Node.__radd__`` is
        ``add.operator(reflected=True)`` (the node is then the right operand).
        Any real number is accepted on the other side (ints, floats,
        `Decimal`, NumPy scalars: `micrograd.checks.real`); anything else gets
        NotImplemented, so that Python tries the other operand and then raises
        its TypeError.
        """
        return _operator_method(self, reflected)

    def _result(self, out: object, inputs: tuple[Node | float, ...], values: list[float]) -> Node:
        """The output Node, after checking `out` (and, once, the local gradients)."""
        out = self._as_output(out, values)
        if not grad_enabled():
            return new_node(out, None, None, self)
        if not self._checked:
            self._check_local_grads(values, out)
        a, b = _input_slots(inputs)
        return new_node(out, a, b, self)

    def _evaluate(self, values: list[float]) -> float:
        try:
            out = self.forward(*values)
        except Exception as error:
            self._failed(error, *values)
        return self._as_output(out, values)

    def _as_output(self, out: object, values: Sequence[float]) -> float:
        if type(out) is float:
            return out
        if isinstance(out, (int, float)):
            return float(out)
        if isinstance(out, (str, bytes, complex, Node)) or not hasattr(out, "__float__"):
            raise TypeError(
                f"{self.name}: forward() must return a real number, got {checks.shown(out)}"
            )
        try:
            return float(out)
        except (TypeError, ValueError, OverflowError):
            raise TypeError(
                f"{self.name}: forward() must return a real number, got {checks.shown(out)}"
            ) from None

    def _failed(self, error: Exception, *values: float) -> NoReturn:
        """Raise an error from `forward` again, with the op's name and inputs added."""
        reraise(error, self._where("", values))

    def _check_local_grads(self, values: list[float], out: float) -> None:
        """Validate the local-gradient formula's shape once, at the op's first call."""
        try:
            local = self.local_grads(*values, out)
        except Exception:
            return  # not differentiable at this point: the backward pass will say so
        if not isinstance(local, (tuple, list)) or len(local) != len(values):
            found = len(local) if isinstance(local, (tuple, list)) else type(local).__name__
            raise self.wrong_grad_count(found)
        self._checked = True

    def wrong_arity(self, found: int) -> TypeError:
        """The error for a call with the wrong number of arguments."""
        if self.max_arity == self.min_arity:
            expected = str(self.min_arity)
        elif self.max_arity is None:
            expected = f"at least {self.min_arity}"
        else:
            expected = f"{self.min_arity} to {self.max_arity}"
        return TypeError(f"{self.name}() takes {expected} argument(s), got {found}")

    def wrong_grad_count(self, found: object) -> ValueError:
        """The error for local gradients that do not match the inputs."""
        expected = self.arity if self.arity is not None else "one per argument"
        return ValueError(
            f"{self.name}: local_grads() must return a tuple with one value per input"
            f" ({expected}), got {found}"
        )

    def __repr__(self) -> str:
        return f"<op {self.name}>"


def mark_trusted(*ops: Op) -> None:
    """Mark built-in ops whose local gradients need no checking (floats for floats).

    Their checked forms are their formulas themselves: the backward pass
    calls the formula directly, without a checking call around it.
    """
    for each in ops:
        each.trusted = True
        each.float_grads = each.local_grads  # type: ignore[method-assign,assignment]
        each.graph_grads = each.local_grads  # type: ignore[method-assign]


class NumericPartial(Op):
    """A numeric partial derivative of another op, itself an op.

    It is what `Op.local_grads` returns under ``create_graph=True`` for ops
    without analytic local gradients, so their higher derivatives are numeric.
    Each order is computed from the original op's `forward` with a stencil
    for the whole mixed partial (not by differencing a difference), with a
    step suited to the order; see `micrograd.numeric.mixed_partial`.
    """

    base: Op
    orders: tuple[int, ...]

    def __init__(self, parent: Op, index: int, orders: tuple[int, ...] | None = None) -> None:
        if not isinstance(parent, Op):
            raise TypeError(f"NumericPartial: parent must be an Op, got {checks.shown(parent)}")
        index = checks.count(index, "NumericPartial", "index")
        base = parent.base if isinstance(parent, NumericPartial) else parent
        if orders is None:
            count = parent.arity if parent.arity is not None else index + 1
            previous = parent.orders if isinstance(parent, NumericPartial) else (0,) * count
            grown = list(previous) + [0] * max(0, index + 1 - len(previous))
            grown[index] += 1
            orders = tuple(grown)
        self.parent = parent
        self.base = base
        self.index = index
        self.orders = orders
        self.name = f"d{parent.name}/dx{index}"
        self.arity = parent.arity
        self.min_arity, self.max_arity = parent.min_arity, parent.max_arity
        self.method = parent.method
        self.eps = parent.eps

    def local_grads(self, *args: Any, **kwargs: Any) -> LocalGrads:
        """The next order's partials, each from the original op's `forward`.

        Not a finite difference of this op's own (numeric) values.
        """
        inputs = args[:-1]
        if any(isinstance(x, Node) for x in inputs):
            return tuple(self._partial_op(i)(*inputs) for i in range(len(inputs)))
        return tuple(self._partial_op(i).forward(*inputs) for i in range(len(inputs)))

    def forward(self, *inputs: float) -> float:
        """The numeric partial derivative of the original op at `inputs`."""
        orders = tuple(self.orders) + (0,) * (len(inputs) - len(self.orders))
        if sum(orders) == 1:
            return partial(self.base.forward, inputs, self.index, self.method, self.eps)
        return mixed_partial(self.base.forward, inputs, orders, self.eps)
