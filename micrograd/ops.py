"""Ops: the one mechanism by which Nodes are made, and the built-in ops.

An op computes its output value from float inputs (`forward`) and, when asked,
the partial derivative of its output with respect to each input
(`local_grads`). An op that does not state its local gradients gets them by
finite differences. Users make ops the same two ways the built-ins are made:

* decorate a plain float function with `@op` (optionally giving `grad=`), or
* subclass `Op` and define `forward` (and optionally `local_grads`).

Local-gradient formulas are written with operators and with `Op.apply`, so the
same formula gives floats in an ordinary backward pass and Nodes (a graph of
the gradient, for higher derivatives) under ``backward(create_graph=True)``.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, overload

from micrograd.node import MANY, Constant, Node, NodeLike, as_float, config
from micrograd.numeric import Method, check_method, partial

#: What a local-gradient formula returns: one partial derivative per input.
LocalGrads = Sequence["float | Node"]
#: A local-gradient formula: called with the inputs and the output.
GradFn = Callable[..., LocalGrads]


_new = object.__new__


def _new_node(data: float, inputs: tuple[Node | float, ...], op: Op) -> Node:
    """A Node made by an op (skips the validation of user-made leaves)."""
    node = _new(Node)
    node.data = data
    node.grad = 0.0
    node.label = ""
    if len(inputs) == 1:
        node._a, node._b = inputs[0], None
    elif len(inputs) == 2:
        node._a, node._b = inputs
    elif inputs:
        node._a, node._b = inputs, MANY
    else:
        node._a = node._b = None
    node._op = op
    node._visit = 0
    return node


def _positional_arity(function: Callable[..., Any], skip: int = 0) -> int | None:
    """How many positional arguments `function` takes, or None for `*args`."""
    try:
        parameters = list(inspect.signature(function).parameters.values())[skip:]
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    return sum(
        1
        for p in parameters
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
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
            None accepts any number).
        method, eps: the finite-difference scheme used when `local_grads` is
            not defined (see `micrograd.numeric`).
    """

    #: Shown in errors and pictures.
    name: str = "op"
    #: The number of inputs, or None for any number.
    arity: int | None = None
    #: The finite-difference scheme when `local_grads` is not defined.
    method: Method = "central"
    #: A fixed finite-difference step, or None for one scaled to each input.
    eps: float | None = None
    _checked: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()
        if "arity" not in cls.__dict__ and "forward" in cls.__dict__:
            cls.arity = _positional_arity(cls.forward, skip=1)

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
        values = [as_float(a, self.name) for a in args]
        return self._evaluate(values)

    def __call__(self, *args: NodeLike) -> Node:
        """Apply the op to Nodes or plain numbers and return the resulting Node."""
        if self.arity is not None and len(args) != self.arity:
            raise self.wrong_arity(len(args))
        if len(args) == 1:
            return self.call1(args[0])
        if len(args) == 2:
            return self.call2(args[0], args[1])
        inputs = tuple([a if isinstance(a, Node) else _constant(a, self.name) for a in args])
        values = [x.data for x in inputs]
        try:
            out = self.forward(*values)
        except (ArithmeticError, ValueError) as error:
            raise self._failed(error, *values) from None
        return self._result(out, inputs, values)

    # call1 and call2 are __call__ for one and two inputs without the generic
    # argument handling: the operators and functions of Node use them directly.

    def call1(self, a: NodeLike) -> Node:
        """`self(a)` for a one-input op."""
        if not isinstance(a, Node):
            a = _constant(a, self.name)
        try:
            out = self.forward(a.data)
        except (ArithmeticError, ValueError) as error:
            raise self._failed(error, a.data) from None
        if type(out) is not float or not self._checked:
            return self._result(out, (a,), [a.data])
        node = _new(Node)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node._a = a if config.grad_enabled else None
        node._b = None
        node._op = self
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
        Anything but a Node or a real number gets NotImplemented, so that
        Python tries the other operand and then raises its TypeError.
        """
        op, forward, name = self, self.forward, self.name

        def method(node: Node, other: object) -> Any:
            # `x` and `y` are the operands' values; `a` and `b` what the new
            # node keeps as its inputs: Nodes, or a plain-number operand as a
            # float (as a leaf Node while a function is traced for compiling,
            # which must see every constant).
            a: Node | float
            b: Node | float
            if isinstance(other, Node):
                if reflected:
                    a, b = other, node
                else:
                    a, b = node, other
                x, y = a.data, b.data
            else:
                if type(other) is not float:
                    if not isinstance(other, (int, float)):
                        return NotImplemented
                    other = as_float(other, name)
                value = other
                if config.tracer is not None:
                    other = _constant(value, name)
                if reflected:
                    a, b = other, node
                    x, y = value, node.data
                else:
                    a, b = node, other
                    x, y = node.data, value
            try:
                out = forward(x, y)
            except (ArithmeticError, ValueError) as error:
                raise op._failed(error, x, y) from None
            if type(out) is not float or not op._checked:
                return op._result(out, (a, b), [x, y])
            result = _new(Node)
            result.data = out
            result.grad = 0.0
            result.label = ""
            if config.grad_enabled:
                result._a = a
                result._b = b
            else:
                result._a = result._b = None
            result._op = op
            result._visit = 0
            return result

        method.__name__ = f"__r{name}__" if reflected else f"__{name}__"
        method.__doc__ = f"The op {name}, as an operator."
        return method

    def _result(self, out: object, inputs: tuple[Node | float, ...], values: list[float]) -> Node:
        """The output Node, after checking `out` (and, once, the local gradients)."""
        out = self._as_output(out)
        if not config.grad_enabled:
            return _new_node(out, (), self)
        if not self._checked:
            self._check_local_grads(values, out)
        return _new_node(out, inputs, self)

    def _evaluate(self, values: list[float]) -> float:
        try:
            out = self.forward(*values)
        except (ArithmeticError, ValueError) as error:
            raise self._failed(error, *values) from None
        return self._as_output(out)

    def _as_output(self, out: object) -> float:
        if type(out) is float:
            return out
        if isinstance(out, (int, float)):
            return float(out)
        raise TypeError(
            f"{self.name}: forward() must return a real number, got {type(out).__name__} ({out!r})"
        )

    def _failed(self, error: Exception, *values: float) -> Exception:
        """A domain error from `forward`, restated with the op's name and inputs."""
        shown = ", ".join(repr(v) for v in values)
        return type(error)(f"{self.name}({shown}): {error}")

    def _check_local_grads(self, values: list[float], out: float) -> None:
        """Validate the local-gradient formula once, at the op's first call."""
        try:
            local = self.local_grads(*values, out)
        except (ArithmeticError, ValueError):
            return  # not differentiable at this point: check at a later call
        if not isinstance(local, (tuple, list)) or len(local) != len(values):
            found = len(local) if isinstance(local, (tuple, list)) else type(local).__name__
            raise self.wrong_grad_count(found)
        self._checked = True

    def wrong_arity(self, found: int) -> TypeError:
        """The error for a call with the wrong number of arguments."""
        return TypeError(f"{self.name}() takes {self.arity} argument(s), got {found}")

    def wrong_grad_count(self, found: object) -> ValueError:
        """The error for local gradients that do not match the inputs."""
        return ValueError(
            f"{self.name}: local_grads() must return a tuple with one value per input"
            f" ({self.arity if self.arity is not None else 'one per argument'}), got {found}"
        )

    def __repr__(self) -> str:
        return f"<op {self.name}>"


def _constant(value: object, where: str) -> Node:
    """A `Constant` leaf for a plain-number operand (`where` names the op in errors)."""
    node = _new(Constant)
    node.data = value if type(value) is float else as_float(value, where)
    node.label = ""
    node._a = node._b = None
    node._op = None
    node._visit = 0
    if config.tracer is not None:
        config.tracer.constant(node)
    return node


class NumericPartial(Op):
    """The numeric partial derivative of another op, itself an op.

    It is what `Op.local_grads` returns under ``create_graph=True`` for ops
    without analytic local gradients, so their higher derivatives are numeric.
    """

    def __init__(self, parent: Op, index: int) -> None:
        self.parent = parent
        self.index = index
        self.name = f"d{parent.name}/dx{index}"
        self.arity = parent.arity
        self.method = parent.method
        self.eps = parent.eps

    def forward(self, *inputs: float) -> float:
        """The numeric partial derivative of the parent op at `inputs`."""
        return partial(self.parent.forward, inputs, self.index, self.method, self.eps)


class FunctionOp(Op):
    """An op made from a plain float function by `@op`."""

    def __init__(
        self,
        function: Callable[..., float],
        grad: GradFn | None = None,
        method: Method = "central",
        eps: float | None = None,
        name: str | None = None,
        doc: str | None = None,
    ) -> None:
        if not callable(function):
            raise TypeError(f"op: expected a function, got {type(function).__name__}")
        self.name = name or str(getattr(function, "__name__", "op"))
        check_method(method, eps, self.name)
        self.function = function
        self.grad = grad
        self.method = method
        self.eps = eps
        self.arity = _positional_arity(function)
        functools.update_wrapper(self, function)
        self.__name__ = self.name
        if doc is not None:
            self.__doc__ = doc
        # The function and the formula stand in for the methods themselves,
        # sparing a call per op on the hot path.
        self.forward = function  # type: ignore[method-assign]
        if grad is not None:
            self.local_grads = grad  # type: ignore[method-assign]


@overload
def op(
    function: Callable[..., float],
    /,
    *,
    grad: GradFn | None = None,
    method: Method = "central",
    eps: float | None = None,
    name: str | None = None,
    doc: str | None = None,
) -> FunctionOp: ...


@overload
def op(
    *,
    grad: GradFn | None = None,
    method: Method = "central",
    eps: float | None = None,
    name: str | None = None,
    doc: str | None = None,
) -> Callable[[Callable[..., float]], FunctionOp]: ...


def op(
    function: Callable[..., float] | None = None,
    /,
    *,
    grad: GradFn | None = None,
    method: Method = "central",
    eps: float | None = None,
    name: str | None = None,
    doc: str | None = None,
) -> FunctionOp | Callable[[Callable[..., float]], FunctionOp]:
    """Turn a plain float function into a differentiable op.

    Bare ``@op`` differentiates the function numerically; ``grad=`` states the
    local gradients, as a function of the inputs and the output returning one
    partial derivative per input.

    >>> import micrograd as mg
    >>> @mg.op
    ... def custom_relu(v):
    ...     return 2 * v if v > 0 else 0.0
    >>> round(mg.grad(lambda a: custom_relu(a) ** 2)(1.5), 6)
    12.0
    >>> @mg.op(grad=lambda x, y, out: (2 * x, -2.0))
    ... def f(x, y):
    ...     return x**2 - 2 * y

    Args:
        grad: the local-gradient formula ``(*inputs, out) -> partials``.
        method: finite-difference scheme when `grad` is not given:
            ``"central"`` (default), ``"forward"`` or ``"richardson"``.
        eps: a fixed finite-difference step; by default it is scaled to each
            input. ``method="forward", eps=1e-10`` is the tutorial's scheme.
        name: the op's name in errors and pictures (default: the function's).
        doc: the op's docstring (default: the function's).

    Called directly, ``op(function, grad=...)`` makes the op without the
    decorator syntax.
    """
    if function is not None:
        return FunctionOp(function, grad=grad, method=method, eps=eps, name=name, doc=doc)

    def decorate(inner: Callable[..., float]) -> FunctionOp:
        return FunctionOp(inner, grad=grad, method=method, eps=eps, name=name, doc=doc)

    return decorate


# ---------------------------------------------------------------------------
# The built-in ops, made with the same `op` as any user's.
# Derivative conventions follow PyTorch: relu'(0) = abs'(0) = 0, and a tie in
# maximum/minimum splits the gradient evenly.


# The arithmetic ops take Python's own operators (C functions) as their
# forward: no Python frame per operation on the hottest path of the engine.
add: FunctionOp = op(operator.add, grad=lambda x, y, out: (1.0, 1.0), name="add", doc="`x + y`.")
sub: FunctionOp = op(operator.sub, grad=lambda x, y, out: (1.0, -1.0), name="sub", doc="`x - y`.")
mul: FunctionOp = op(operator.mul, grad=lambda x, y, out: (y, x), name="mul", doc="`x * y`.")
div = op(
    operator.truediv,
    grad=lambda x, y, out: (1.0 / y, -out / y),
    name="div",
    doc="`x / y`; dividing by zero raises ZeroDivisionError naming the values.",
)
neg = op(operator.neg, grad=lambda x, out: (-1.0,), name="neg", doc="`-x`.")

for _name, _op in (("add", add), ("sub", sub), ("mul", mul), ("truediv", div)):
    setattr(Node, f"__{_name}__", _op.operator())
    setattr(Node, f"__r{_name}__", _op.operator(reflected=True))


def _sign(x: NodeLike) -> float:
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


@op(grad=lambda x, out: (_sign(x),), name="abs")
def absolute(x: float) -> float:
    """`|x|`; its derivative at 0 is taken as 0."""
    return builtins.abs(x)


@op(grad=lambda x, out: (out,))
def exp(x: float) -> float:
    """`e ** x`; overflows to inf rather than raising."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


@op(grad=lambda x, out: (1.0 / x,))
def log(x: float) -> float:
    """Natural logarithm; ValueError for inputs <= 0."""
    if not x > 0:
        if math.isnan(x):
            return x
        raise ValueError("logarithm of a number <= 0")
    return math.log(x)


@op(grad=lambda x, out: (0.5 / out if out else math.inf,))
def sqrt(x: float) -> float:
    """Square root; ValueError for negative inputs."""
    if x < 0:
        raise ValueError("square root of a negative number")
    return math.sqrt(x)


@op(grad=lambda x, out: (_cos_of(x),))
def sin(x: float) -> float:
    """Sine."""
    return math.sin(x)


@op(grad=lambda x, out: (-sin.apply(x),))
def cos(x: float) -> float:
    """Cosine."""
    return math.cos(x)


def _cos_of(x: NodeLike) -> float | Node:
    return cos.apply(x)


@op(grad=lambda x, out: (1.0 + out * out,))
def tan(x: float) -> float:
    """Tangent."""
    return math.tan(x)


@op(grad=lambda x, out: (1.0 - out * out,))
def tanh(x: float) -> float:
    """Hyperbolic tangent (1.0 at large inputs, never an overflow)."""
    return math.tanh(x)


@op(grad=lambda x, out: (out * (1.0 - out),))
def sigmoid(x: float) -> float:
    """Logistic sigmoid `1 / (1 + exp(-x))`, computed without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@op(grad=lambda x, out: (sigmoid.apply(x),))
def softplus(x: float) -> float:
    """`log(1 + exp(x))`, computed without overflow."""
    return builtins.max(x, 0.0) + math.log1p(math.exp(-builtins.abs(x)))


@op(grad=lambda x, out: (1.0 if x > 0 else 0.0,))
def relu(x: float) -> float:
    """`max(x, 0)`; its derivative at 0 is taken as 0."""
    return x if x > 0 else 0.0


def _max_grads(x: NodeLike, y: NodeLike, out: NodeLike) -> tuple[float, float]:
    return (1.0, 0.0) if x > y else (0.0, 1.0) if x < y else (0.5, 0.5)


def _min_grads(x: NodeLike, y: NodeLike, out: NodeLike) -> tuple[float, float]:
    return (1.0, 0.0) if x < y else (0.0, 1.0) if x > y else (0.5, 0.5)


@op(grad=_max_grads)
def maximum(x: float, y: float) -> float:
    """The larger of `x` and `y`; a tie splits the gradient evenly."""
    return x if x >= y else y


@op(grad=_min_grads)
def minimum(x: float, y: float) -> float:
    """The smaller of `x` and `y`; a tie splits the gradient evenly."""
    return x if x <= y else y


class LeakyReLU(Op):
    """`x` if positive, else `negative_slope * x`."""

    name = "leaky_relu"
    arity = 1

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = as_float(negative_slope, "leaky_relu")

    def forward(self, x: float) -> float:
        """The function itself."""
        return x if x > 0 else self.negative_slope * x

    def local_grads(self, x: NodeLike, out: NodeLike) -> LocalGrads:
        """1 for positive inputs, the slope otherwise."""
        return (1.0 if x > 0 else self.negative_slope,)


@functools.lru_cache(maxsize=64)
def _leaky_relu_op(negative_slope: float) -> LeakyReLU:
    return LeakyReLU(negative_slope)


def leaky_relu(x: NodeLike, negative_slope: float = 0.01) -> Node:
    """`x` if positive, else `negative_slope * x`."""
    return _leaky_relu_op(as_float(negative_slope, "leaky_relu"))(x)


def _power(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:
        negative = x < 0 and y == math.floor(y) and int(y) % 2 == 1
        return -math.inf if negative else math.inf
    except ValueError:
        if x == 0:
            raise ZeroDivisionError("zero to a negative power") from None
        raise ValueError("negative base with a non-integer exponent") from None


def _base_grad(x: NodeLike, y: NodeLike) -> float | Node:
    """d(x**y)/dx = y * x**(y-1), with the limit at x = 0 where that is singular."""
    if x == 0 and y < 1:
        return 0.0 if y == 0 else math.inf
    if isinstance(x, Node) or isinstance(y, Node):
        return y * x ** (y - 1.0)
    return y * _power(x, y - 1.0)


class PowConst(Op):
    """`x ** exponent` for a fixed plain-number exponent (what `node ** 2` uses)."""

    arity = 1

    def __init__(self, exponent: float) -> None:
        self.exponent = as_float(exponent, "pow")
        self.name = f"**{self.exponent:g}"

    def forward(self, x: float) -> float:
        """`x ** exponent`."""
        try:
            return math.pow(x, self.exponent)
        except (OverflowError, ValueError):
            return _power(x, self.exponent)  # the same call, with its edge cases

    def local_grads(self, x: NodeLike, out: NodeLike) -> LocalGrads:
        """`exponent * x ** (exponent - 1)`."""
        if self.exponent == 2.0:  # the square, as common as it is simple
            return (2.0 * x,)
        return (_base_grad(x, self.exponent),)


@functools.lru_cache(maxsize=256)
def _pow_const_op(exponent: float) -> PowConst:
    return PowConst(exponent)


def _pow_grads(x: NodeLike, y: NodeLike, out: NodeLike) -> LocalGrads:
    # d/dy x**y = x**y * log(x): 0 at x = 0 (the limit), undefined (nan) below.
    if x > 0:
        exponent_grad: float | Node = out * log.apply(x)
    else:
        exponent_grad = 0.0 if x == 0 else math.nan
    return (_base_grad(x, y), exponent_grad)


power = FunctionOp(_power, grad=_pow_grads, name="pow")
power.__doc__ = """`x ** y` with both sides differentiable."""


def pow(x: NodeLike, y: NodeLike) -> Node:
    """`x ** y`. A plain-number exponent makes a one-input op (no gradient to it)."""
    if isinstance(y, Node):
        return power(x, y)
    return _pow_const_op(y if type(y) is float else as_float(y, "pow")).call1(x)
