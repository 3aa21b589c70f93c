"""Compiled mode: trace a function once, then run it as generated straight-line Python.

`micrograd.compile(fn)` calls `fn` once with fresh leaf Nodes, takes the graph
it builds and writes the Python a person would write by hand for it: each op's
value as a float expression, then the chain rule unrolled in reverse
topological order, one adjoint (``g_<name>``, the derivative of the output with
respect to ``<name>``) per node. The source is compiled with Python's
`compile()` once per argument structure and called with plain floats after
that::

    >>> import micrograd as mg
    >>> step = mg.compile(lambda w, x: mg.tanh(w * x))
    >>> value, (dw, dx) = step(0.5, 2.0)
    >>> round(value, 6), round(dw, 6), round(dx, 6)
    (0.761594, 0.839949, 0.209987)

`compile_loss` does the same for a model's loss, with the model's parameters as
inputs: it reads ``p.data`` and adds into ``p.grad``, so optimizers work
unchanged. A loss compiled per sample (``batched=True``) can also run a whole
epoch of per-sample SGD as one generated loop (`CompiledLoss.sgd_epoch`).

What the graph's shape fixes, and how this module deals with it:

* Python control flow on a traced value (``if x > 0:`` outside an op) runs once,
  at trace time. Comparisons and truth tests of Nodes made while tracing are
  recorded as *guards*; the generated code re-checks each guard and, when one
  comes out differently, the function is traced again for the new branch (or a
  `BranchError` is raised, if asked). Branches inside ops (`relu`, `abs`,
  `maximum`, a custom op's function) are part of the generated code and need no
  guard.
* Values that leave the graph (``float(node)``, ``node.data``) are frozen at
  trace time. ``float(node)`` is detected and warned about; ``.data`` cannot be.
  `verify` (or ``verify_every=N``) runs the eager function and compares.
* Plain numbers in the function (``x * 2``) become literals. Nodes the function
  captures from outside (a Node in a closure) are read from ``.data`` at every
  call, so changing them is seen.

While a trace runs, `Node`'s comparison methods are swapped for recording
versions that return the same results (only the tracing thread records;
traces are serialised by a lock).

The results equal eager mode's: the same float operations in the same order,
so in practice the same bits. Where the fast code meets an exceptional value
(an overflow, a logarithm of zero), the call is redone eagerly and returns or
raises exactly what eager mode would.
"""

from __future__ import annotations

import functools
import gc
import inspect
import keyword
import math
import numbers
import os
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Union

from micrograd import ops as _ops
from micrograd.node import Node, config, enable_grad, gradients, topological_order
from micrograd.ops import LeakyReLU, Op, PowConst

__all__ = [
    "DEFAULT_MAX_NODES",
    "BranchError",
    "CompileError",
    "CompileStats",
    "CompiledFunction",
    "CompiledLoss",
    "GraphTooLargeError",
    "VerificationError",
    "compile_function",
    "compile_loss",
    "register_emitter",
]

#: Graphs larger than this are refused unless ``max_nodes`` says otherwise:
#: Python's own compiler needs roughly 10 microseconds per generated statement.
DEFAULT_MAX_NODES = 500_000

# Expressions are inlined into their single consumer up to this nesting depth,
# well inside the limits of Python's parser (200 nested parentheses) and compiler.
_MAX_DEPTH = 40


# ---------------------------------------------------------------------------
# Errors


class CompileError(Exception):
    """Base class of the errors of compiled mode."""


class BranchError(CompileError):
    """Python control flow on a traced value now takes another branch than when traced."""


class VerificationError(CompileError, AssertionError):
    """The compiled function and the eager function disagree."""


class GraphTooLargeError(CompileError):
    """The traced graph is larger than the ``max_nodes`` allowed for generated code."""


class _BranchChanged(BranchError):
    """Raised by generated code when guard number `args[0]` comes out differently.

    The compiled object catches it and traces again (or raises a `BranchError`
    that names the comparison); it reaches the caller only through
    `.function`, which has no such handling.
    """

    def __str__(self) -> str:
        return (
            f"guard {self.args[0]} of the generated code (a comparison made while tracing)"
            " came out differently; call the compiled object rather than .function to"
            " trace the new branch"
        )


# ---------------------------------------------------------------------------
# Python expressions with their precedence, so that generated code carries
# only the parentheses it needs (and evaluates exactly as the graph did).

_COND = 1  # a if c else b
_CMP = 5  # a > b
_ADD = 10  # a + b, a - b
_MUL = 11  # a * b, a / b
_UNARY = 12  # -a
_POW = 13  # a ** b
_ATOM = 20  # names, literals, calls, parenthesised expressions


#: An expression: (Python source, precedence, nesting depth). Plain tuples, as
#: code generation makes hundreds of thousands of them.
_Expr = tuple[str, int, int]


def _atom(text: str) -> _Expr:
    """A name or a non-negative literal."""
    return (text, _ATOM, 0)


def _operand(expr: _Expr, min_prec: int) -> str:
    return expr[0] if expr[1] >= min_prec else f"({expr[0]})"


def _binary(left: _Expr, symbol: str, right: _Expr, prec: int) -> _Expr:
    """A left-associative binary operation: `right` is bracketed at equal precedence."""
    a = left[0] if left[1] >= prec else f"({left[0]})"
    b = right[0] if right[1] > prec else f"({right[0]})"
    return (f"{a} {symbol} {b}", prec, (left[2] if left[2] > right[2] else right[2]) + 1)


def _power_expr(base: _Expr, exponent: _Expr) -> _Expr:
    text = f"{_operand(base, _POW + 1)} ** {_operand(exponent, _UNARY)}"
    return (text, _POW, max(base[2], exponent[2]) + 1)


def _negate(expr: _Expr) -> _Expr:
    # -(-x) rather than --x: valid either way, but the first reads as meant.
    return (f"-{_operand(expr, _UNARY + 1)}", _UNARY, expr[2] + 1)


def _call(function: str, *args: _Expr) -> _Expr:
    depth = max((a[2] for a in args), default=0) + 1
    return (f"{function}({', '.join(a[0] for a in args)})", _ATOM, depth)


def _choose(value: _Expr, condition: str, otherwise: _Expr, depth: int) -> _Expr:
    """``value if condition else otherwise``; the condition is already source text."""
    text = f"{_operand(value, _COND + 1)} if {condition} else {_operand(otherwise, _COND)}"
    return (text, _COND, max(value[2], otherwise[2], depth) + 1)


def _compare(left: _Expr, symbol: str, right: _Expr) -> str:
    return f"{_operand(left, _CMP + 1)} {symbol} {_operand(right, _CMP + 1)}"


def _literal(value: float) -> _Expr:
    """A float as source that evaluates to exactly the same float (depth 0: a leaf)."""
    if math.isnan(value):
        return _atom("nan")
    if math.isinf(value):
        return _atom("inf") if value > 0 else ("-inf", _UNARY, 0)
    text = repr(float(value))
    return (text, _UNARY, 0) if text.startswith("-") else _atom(text)


def _number(value: float) -> _Expr:
    """A literal written as an integer when it is one (``x ** 2``, not ``x ** 2.0``)."""
    if value == int(value) and abs(value) < 2**53:
        text = str(int(value))
        return (text, _UNARY, 0) if text.startswith("-") else _atom(text)
    return _literal(value)


_ONE = _atom("1.0")
_MINUS_ONE: _Expr = ("-1.0", _UNARY, 0)
_ZERO = _atom("0.0")
_HALF = _atom("0.5")
_INT_ZERO = _atom("0")


# ---------------------------------------------------------------------------
# Emitters: how an op writes its forward value and its local gradients as code.

ForwardEmitter = Callable[[Op, Sequence[_Expr]], _Expr]
GradsEmitter = Callable[[Op, Sequence[_Expr], _Expr], Sequence[_Expr]]


@dataclass(frozen=True)
class _Emitter:
    forward: ForwardEmitter
    grads: GradsEmitter


_EMITTERS_BY_OP: dict[Op, _Emitter] = {}
_EMITTERS_BY_TYPE: dict[type, _Emitter] = {}


def _emitter_for(op: Op) -> _Emitter | None:
    found = _EMITTERS_BY_OP.get(op)
    return found if found is not None else _EMITTERS_BY_TYPE.get(type(op))


def register_emitter(
    target: Op | type[Op],
    forward: Callable[..., str],
    local_grads: Callable[..., Sequence[str]],
) -> None:
    """Teach compiled mode to write an op's value and local gradients inline.

    Without an emitter, compiled code calls the op's function and its
    local-gradient formula (or its numeric local gradients) as functions,
    which is correct but slower. With one, the op is written into the
    generated code like a built-in.

    Args:
        target: an op (as made by ``@op``), or an `Op` subclass, whose
            instances are all handled (exact type, not subclasses).
        forward: ``forward(op, *inputs) -> str``: the output's expression,
            given each input as a Python expression (a name, a literal or a
            bracketed expression).
        local_grads: ``local_grads(op, *inputs, out) -> [str, ...]``: one
            expression per input for the partial derivative of the output.

    The expressions may use the math module as ``math``. An input may appear
    several times; compiled mode then keeps it in a variable.

    >>> import micrograd as mg
    >>> @mg.op(grad=lambda x, out: (3 * x * x,))
    ... def cube(x):
    ...     return x * x * x
    >>> mg.register_emitter(cube, lambda op, x: f"{x} * {x} * {x}",
    ...                     lambda op, x, out: [f"3 * {x} * {x}"])
    >>> mg.compile(lambda t: cube(t))(2.0)
    (8.0, (12.0,))
    """
    if not (isinstance(target, Op) or (isinstance(target, type) and issubclass(target, Op))):
        raise TypeError(f"register_emitter: target must be an op or an Op subclass, got {target!r}")

    def emit_forward(op: Op, inputs: Sequence[_Expr]) -> _Expr:
        text = forward(op, *(_operand(x, _ATOM) for x in inputs))
        if not isinstance(text, str):
            raise TypeError(f"{op.name}: the forward emitter must return a str, got {text!r}")
        return (text, 0, max((x[2] for x in inputs), default=0) + 1)

    def emit_grads(op: Op, inputs: Sequence[_Expr], out: _Expr) -> list[_Expr]:
        texts = list(local_grads(op, *(_operand(x, _ATOM) for x in inputs), _operand(out, _ATOM)))
        if len(texts) != len(inputs) or not all(isinstance(t, str) for t in texts):
            raise TypeError(
                f"{op.name}: the local-gradient emitter must return one str per input"
                f" ({len(inputs)}), got {texts!r}"
            )
        return [(t, 0, 1) for t in texts]

    emitter = _Emitter(emit_forward, emit_grads)
    if isinstance(target, Op):
        _EMITTERS_BY_OP[target] = emitter
    else:
        _EMITTERS_BY_TYPE[target] = emitter


def _builtin(op: Op, forward: ForwardEmitter, grads: GradsEmitter) -> None:
    _EMITTERS_BY_OP[op] = _Emitter(forward, grads)


# Each formula below is the one micrograd.ops computes, operation for operation,
# so compiled results are bit-for-bit those of eager mode.
_builtin(_ops.add, lambda op, x: _binary(x[0], "+", x[1], _ADD), lambda op, x, out: (_ONE, _ONE))
_builtin(
    _ops.sub, lambda op, x: _binary(x[0], "-", x[1], _ADD), lambda op, x, out: (_ONE, _MINUS_ONE)
)
_builtin(_ops.mul, lambda op, x: _binary(x[0], "*", x[1], _MUL), lambda op, x, out: (x[1], x[0]))
_builtin(
    _ops.div,
    lambda op, x: _binary(x[0], "/", x[1], _MUL),
    lambda op, x, out: (_binary(_ONE, "/", x[1], _MUL), _binary(_negate(out), "/", x[1], _MUL)),
)
_builtin(_ops.neg, lambda op, x: _negate(x[0]), lambda op, x, out: (_MINUS_ONE,))
_builtin(
    _ops.absolute,
    lambda op, x: _call("abs", x[0]),
    lambda op, x, out: (
        _choose(
            _ONE,
            _compare(x[0], ">", _ZERO),
            _choose(_MINUS_ONE, _compare(x[0], "<", _ZERO), _ZERO, 0),
            0,
        ),
    ),
)
_builtin(_ops.exp, lambda op, x: _call("exp", x[0]), lambda op, x, out: (out,))
_builtin(
    _ops.log, lambda op, x: _call("log", x[0]), lambda op, x, out: (_binary(_ONE, "/", x[0], _MUL),)
)
_builtin(
    _ops.sqrt,
    lambda op, x: _call("sqrt", x[0]),
    lambda op, x, out: (_choose(_binary(_HALF, "/", out, _MUL), out[0], _atom("inf"), 0),),
)
_builtin(_ops.sin, lambda op, x: _call("sin", x[0]), lambda op, x, out: (_call("cos", x[0]),))
_builtin(
    _ops.cos, lambda op, x: _call("cos", x[0]), lambda op, x, out: (_negate(_call("sin", x[0])),)
)
_builtin(
    _ops.tan,
    lambda op, x: _call("tan", x[0]),
    lambda op, x, out: (_binary(_ONE, "+", _binary(out, "*", out, _MUL), _ADD),),
)
_builtin(
    _ops.tanh,
    lambda op, x: _call("tanh", x[0]),
    lambda op, x, out: (_binary(_ONE, "-", _binary(out, "*", out, _MUL), _ADD),),
)


def _sigmoid_expr(x: _Expr) -> _Expr:
    # The two branches of micrograd.ops.sigmoid: no overflow for any input.
    positive = _binary(_ONE, "/", _binary(_ONE, "+", _call("exp", _negate(x)), _ADD), _MUL)
    exp_x = _call("exp", x)
    negative = _binary(exp_x, "/", _binary(_ONE, "+", exp_x, _ADD), _MUL)
    return _choose(positive, _compare(x, ">=", _INT_ZERO), negative, 0)


_builtin(
    _ops.sigmoid,
    lambda op, x: _sigmoid_expr(x[0]),
    lambda op, x, out: (_binary(out, "*", _binary(_ONE, "-", out, _ADD), _MUL),),
)
_builtin(
    _ops.softplus,
    lambda op, x: _binary(
        _call("max", x[0], _ZERO),
        "+",
        _call("log1p", _call("exp", _negate(_call("abs", x[0])))),
        _ADD,
    ),
    lambda op, x, out: (_sigmoid_expr(x[0]),),
)
_builtin(
    _ops.relu,
    lambda op, x: _choose(x[0], _compare(x[0], ">", _INT_ZERO), _ZERO, 0),
    lambda op, x, out: (_choose(_ONE, _compare(x[0], ">", _INT_ZERO), _ZERO, 0),),
)


def _extremum_grads(first: str, second: str) -> GradsEmitter:
    def grads(op: Op, x: Sequence[_Expr], out: _Expr) -> tuple[_Expr, _Expr]:
        wins, loses = _compare(x[0], first, x[1]), _compare(x[0], second, x[1])
        return (
            _choose(_ONE, wins, _choose(_ZERO, loses, _HALF, 0), 0),
            _choose(_ZERO, wins, _choose(_ONE, loses, _HALF, 0), 0),
        )

    return grads


_builtin(
    _ops.maximum,
    lambda op, x: _choose(x[0], _compare(x[0], ">=", x[1]), x[1], 0),
    _extremum_grads(">", "<"),
)
_builtin(
    _ops.minimum,
    lambda op, x: _choose(x[0], _compare(x[0], "<=", x[1]), x[1], 0),
    _extremum_grads("<", ">"),
)


def _pow_const_forward(op: Op, x: Sequence[_Expr]) -> _Expr:
    assert isinstance(op, PowConst)
    k = op.exponent
    if k == int(k) and abs(k) <= 2**31:
        # float ** integral float is C pow(), exactly as ops uses via math.pow.
        return _power_expr(x[0], _number(k))
    # math.pow raises where ** would return a complex number (negative base).
    return _call("math.pow", x[0], _literal(k))


def _pow_const_grads(op: Op, x: Sequence[_Expr], out: _Expr) -> tuple[_Expr]:
    assert isinstance(op, PowConst)
    k = op.exponent
    slope = _binary(_literal(k), "*", _power_expr(x[0], _number(k - 1.0)), _MUL)
    if k == 2.0:
        slope = _binary(_literal(k), "*", x[0], _MUL)  # x ** 1.0 is x, exactly
    if k >= 1:
        return (slope,)
    # ops takes the limit at x = 0, where k * x ** (k - 1) is singular.
    at_zero = _ZERO if k == 0 else _atom("inf")
    return (_choose(slope, _compare(x[0], "!=", _ZERO), at_zero, 0),)


def _leaky_forward(op: Op, x: Sequence[_Expr]) -> _Expr:
    assert isinstance(op, LeakyReLU)
    scaled = _binary(_literal(op.negative_slope), "*", x[0], _MUL)
    return _choose(x[0], _compare(x[0], ">", _INT_ZERO), scaled, 0)


def _leaky_grads(op: Op, x: Sequence[_Expr], out: _Expr) -> tuple[_Expr]:
    assert isinstance(op, LeakyReLU)
    return (_choose(_ONE, _compare(x[0], ">", _INT_ZERO), _literal(op.negative_slope), 0),)


_EMITTERS_BY_TYPE[PowConst] = _Emitter(_pow_const_forward, _pow_const_grads)
_EMITTERS_BY_TYPE[LeakyReLU] = _Emitter(_leaky_forward, _leaky_grads)

#: What the generated code sees besides its own variables.
_RUNTIME: dict[str, Any] = {
    "math": math,
    "exp": math.exp,
    "log": math.log,
    "log1p": math.log1p,
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "tanh": math.tanh,
    "inf": math.inf,
    "nan": math.nan,
    "BranchChanged": _BranchChanged,
}
_RESERVED = (
    set(_RUNTIME)
    | set(keyword.kwlist)
    | set(getattr(keyword, "softkwlist", []))
    | {"abs", "max", "min", "float", "type", "print", "params", "captured"}
)


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


# ---------------------------------------------------------------------------
# Arguments: numbers, or lists/tuples of them (flattened to scalars).

#: The shape of one argument: None for a number, a tuple of shapes for a sequence.
_Shape = Union[None, tuple[Any, ...]]  # noqa: UP007 (a runtime alias on 3.10)


def _flatten(
    value: object, path: str, out: list[float], where: str, converted: list[int] | None = None
) -> _Shape:
    """Append the numbers in `value` to `out` as floats; return its shape.

    Raises TypeError naming `path` for anything but numbers and lists/tuples of
    them; counts the numbers that were not floats already into `converted`.
    """
    if type(value) is float:
        out.append(value)
        return None
    if isinstance(value, (list, tuple)):
        return tuple(
            _flatten(v, f"{path}[{i}]", out, where, converted) for i, v in enumerate(value)
        )
    if isinstance(value, Node):
        raise TypeError(
            f"{where}: {path} is a Node; compiled functions take plain numbers"
            " (pass node.data, or call the function eagerly to differentiate through it)"
        )
    if isinstance(value, (int, float)) or (
        hasattr(value, "__float__") and not isinstance(value, (complex, str, bytes))
    ):
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            pass
        else:
            if converted is not None:
                converted.append(1)
            return None
    raise TypeError(
        f"{where}: {path} must be a real number or a list/tuple of them,"
        f" got {type(value).__name__} ({value!r})"
    )


def _leaves(shape: _Shape, values: Iterator[float], name: str, out: list[Node]) -> Any:
    """Nodes laid out in `shape`, labelled after the argument and their position."""
    if shape is None:
        node = Node(next(values), label=name)
        out.append(node)
        return node
    return [_leaves(s, values, f"{name}_{i}", out) for i, s in enumerate(shape)]


def _restructure(shape: _Shape, values: Iterator[Any]) -> Any:
    if shape is None:
        return next(values)
    return tuple(_restructure(s, values) for s in shape)


def _target(shape: _Shape, names: Iterator[str]) -> str:
    """An assignment target unpacking a value of `shape` into the given names."""
    if shape is None:
        return next(names)
    inner = [_target(s, names) for s in shape]
    return f"({inner[0]},)" if len(inner) == 1 else f"({', '.join(inner)})"


# ---------------------------------------------------------------------------
# Code generation

_IDENTIFIER = re.compile(r"[^0-9a-zA-Z_]+")


def _sample_loop(shapes: Sequence[_Shape], leaf_names: list[str], columns: list[str]) -> str:
    """The ``for`` line of a loop over samples: each column unpacked into its leaves' names."""
    names = iter(leaf_names)
    targets = [_target(shape, names) for shape in shapes]
    if len(columns) == 1:
        return f"for {targets[0]} in {columns[0]}:"
    return f"for {', '.join(targets)} in zip({', '.join(columns)}):"


class _Names:
    """Unique Python identifiers for one generated function."""

    def __init__(self) -> None:
        self.used: set[str] = set(_RESERVED)

    def claim(self, base: str) -> str:
        name = _IDENTIFIER.sub("_", base).strip("_") or "v"
        if name[0].isdigit():
            name = f"v{name}"
        candidate, n = name, 1
        while candidate in self.used:
            n += 1
            candidate = f"{name}_{n}"
        self.used.add(candidate)
        return candidate


@dataclass
class CompileStats:
    """Sizes and timings of one traced and generated function.

    Attributes:
        nodes: the nodes of the traced graph(s), leaves included.
        ops: the nodes computed by the generated code (constants folded away).
        guards: the comparisons of traced values that the code re-checks.
        statements: the statements of the generated function.
        source_chars: the length of its source.
        trace_seconds: the time spent running the function on Nodes.
        generate_seconds: the time spent writing the source.
        compile_seconds: the time Python's `compile()` took.
    """

    nodes: int = 0
    ops: int = 0
    guards: int = 0
    statements: int = 0
    source_chars: int = 0
    trace_seconds: float = 0.0
    generate_seconds: float = 0.0
    compile_seconds: float = 0.0


_SLOT = "\x00{}\x00"


class _OpInfo(NamedTuple):
    """What code generation needs to know about an op, worked out once per op."""

    emitter: _Emitter | None
    #: How many times the forward expression uses each input.
    forward_uses: tuple[int, ...]
    #: For each input, the values its local gradient refers to (index `arity`: the output).
    grad_refs: tuple[tuple[int, ...], ...]


def _op_info(op: Op, arity: int) -> _OpInfo:
    """Find out what an op's code refers to, by emitting it once with placeholders."""
    emitter = _emitter_for(op)
    if emitter is None:
        everything = tuple(range(arity + 1))
        return _OpInfo(None, (1,) * arity, (everything,) * arity)
    slots = [_atom(_SLOT.format(i)) for i in range(arity)]
    out = _atom(_SLOT.format(arity))
    text = emitter.forward(op, slots)[0]
    uses = tuple(text.count(slot[0]) for slot in slots)
    marks = [slot[0] for slot in (*slots, out)]
    refs = tuple(
        tuple(k for k, mark in enumerate(marks) if mark in grad[0])
        for grad in emitter.grads(op, slots, out)
    )
    return _OpInfo(emitter, uses, refs)


_PENDING: _Expr = ("", 0, -1)


def _program_order(
    root: Node, index: dict[Node, int], nodes: list[Node], inputs_of: list[tuple[int, ...]]
) -> None:
    """Number `root`'s graph after `nodes`, each node after its inputs, left to right.

    An iterative depth-first search like `topological_order`'s, but visiting
    each node's inputs in their own order: the order in which the program
    computed them. Each node's inputs are recorded as numbers in `inputs_of`.
    """
    if root in index:
        return
    expanded: set[Node] = set()
    stack = [root]
    pop, push = stack.pop, stack.append
    number = index.__getitem__
    while stack:
        node = pop()
        if node in index:
            continue
        inputs = node.inputs
        if node in expanded or not inputs:
            index[node] = len(nodes)
            nodes.append(node)
            inputs_of.append(tuple(map(number, inputs)))
            continue
        expanded.add(node)
        push(node)
        for k in range(len(inputs) - 1, -1, -1):
            if inputs[k] not in expanded:
                push(inputs[k])


class _Section(NamedTuple):
    """One traced graph written as code: its forward pass, guards and backward pass."""

    prologue: list[str]  # reads of Nodes captured from outside, once per call
    lines: list[str]
    value: str  # the output's value: a name or a literal
    grads: dict[Node, str]  # differentiated leaf -> the variable holding its gradient
    used_params: set[Node]


class _Variant(NamedTuple):
    """One traced and generated version of a function."""

    function: Callable[..., Any]
    source: str
    guards: list[_Guard]
    stats: CompileStats


class _Writer:
    """Writes one generated function, from one or more traced graphs.

    The sections of a function share its names, its namespace (what the code
    can call) and the numbering of its guards.
    """

    def __init__(self, origin: str, max_nodes: int | None) -> None:
        self.origin = origin
        self.max_nodes = max_nodes
        self.names = _Names()
        self.namespace: dict[str, Any] = dict(_RUNTIME)
        self.guards: list[_Guard] = []
        self.nodes = 0
        self.ops = 0
        self.started = time.perf_counter()
        self._generic: dict[Op, tuple[str, str]] = {}
        self._infos: dict[tuple[Op, int], _OpInfo] = {}

    def handle(self, obj: object, base: str) -> str:
        """A global name under which the generated code sees `obj`."""
        name = self.names.claim(base)
        self.namespace[name] = obj
        return name

    def _generic_names(self, op: Op) -> tuple[str, str]:
        """Names under which the generated code calls an op that has no emitter."""
        if op not in self._generic:
            # Bound methods, or for ops made by @op the function and the formula.
            forward = self.handle(op.forward, op.name)
            self._generic[op] = (forward, self.handle(op.local_grads, f"{forward}_local_grads"))
        return self._generic[op]

    def section(
        self,
        output: Node,
        *,
        variables: dict[Node, str],
        params: dict[Node, str],
        wrt: Sequence[Node],
        constants: set[Node],
        guards: Sequence[_Guard],
        output_name: str = "out",
        seed: _Expr = _ONE,
        accumulators: dict[Node, str] | None = None,
    ) -> _Section:
        """Write the forward and backward pass of `output`'s graph.

        Args:
            variables: leaves held in variables already (arguments, loop variables).
            params: leaves whose values the caller reads from ``.data`` into
                these variables before the section runs.
            wrt: the leaves whose gradients are wanted.
            constants: leaves made from plain numbers: written as literals.
            guards: comparisons recorded while tracing, checked by the code.
            seed: the output's adjoint (1.0, or a name).
            accumulators: for leaves of `wrt`, variables that the gradient is
                added into (the caller initialises them), instead of new ones.

        Nodes are numbered in forward order and every analysis works on those
        numbers, so a graph of 100,000 nodes is written in well under a second.
        """
        names = self.names
        # -- the order: nodes the guards look at (in the order they were
        # compared), then the output's graph, each in the order the program
        # computed them. Backward follows the order eager backward() uses, so
        # that sums accumulate alike.
        backward_nodes = topological_order(output)
        nodes: list[Node] = []
        index: dict[Node, int] = {}
        inputs_of: list[tuple[int, ...]] = []  # each node's inputs, by number
        for guard in guards:
            for side in (guard.node, guard.other):
                if isinstance(side, Node):
                    _program_order(side, index, nodes, inputs_of)
        _program_order(output, index, nodes, inputs_of)
        n = len(nodes)
        self.nodes += n
        if self.max_nodes is not None and self.nodes > self.max_nodes:
            raise GraphTooLargeError(
                f"{self.origin}: the traced graph has {self.nodes:,} nodes, more than"
                f" max_nodes={self.max_nodes:,}. Python's compiler needs about 10"
                " microseconds per generated statement, so a graph this size is better"
                " run eagerly (backward()), or compiled for one sample and run over the"
                " batch (compile_loss(..., batched=True)); pass max_nodes=None to compile"
                " it anyway."
            )
        ops_of = [node.op for node in nodes]
        root = index[output]
        back_ids = [index[node] for node in backward_nodes]
        wrt_ids = {index[node] for node in wrt if node in index}

        # -- what each node is: a variable, a literal, a captured Node, or computed
        static = [False] * n  # depends on plain numbers only: becomes a literal
        captured: list[int] = []  # Nodes from outside the function: read live
        for i, ins in enumerate(inputs_of):
            if not ins:
                node = nodes[i]
                if node in variables or node in params:
                    continue
                if node in constants:
                    static[i] = True
                else:
                    captured.append(i)
            else:
                for j in ins:
                    if not static[j]:
                        break
                else:
                    static[i] = True
        needs = [False] * n  # leads to a differentiated leaf
        for i in wrt_ids:
            needs[i] = True
        for i, ins in enumerate(inputs_of):
            if ins and not static[i]:
                for j in ins:
                    if needs[j]:
                        needs[i] = True
                        break
        reached = [False] * n  # in the output's graph (not only in a guard's)
        for i in back_ids:
            reached[i] = True

        # -- which values live in variables: used more than once, used by a
        # local gradient or a guard, labelled, or the output; others are inlined.
        def info_of(i: int) -> _OpInfo:
            op = ops_of[i]
            assert op is not None
            key = (op, len(inputs_of[i]))
            found = self._infos.get(key)
            if found is None:
                found = self._infos[key] = _op_info(op, key[1])
            return found

        uses = [0] * n
        named = [False] * n
        named[root] = True
        for guard in guards:
            named[index[guard.node]] = True
            if isinstance(guard.other, Node):
                named[index[guard.other]] = True
        for i, ins in enumerate(inputs_of):
            if not ins or static[i]:
                continue
            if nodes[i].label:
                named[i] = True
            info = info_of(i)
            for j, count in zip(ins, info.forward_uses):
                uses[j] += count
                if count > 1:
                    named[j] = True
            if needs[i] and reached[i]:
                for j, refs in zip(ins, info.grad_refs):
                    if needs[j]:
                        for k in refs:
                            named[ins[k] if k < len(ins) else i] = True

        # -- the values the section starts from
        value_names: list[str] = [""] * n
        expr: list[_Expr] = [_PENDING] * n
        used_params: set[Node] = set()
        literals: dict[float, _Expr] = {}
        for i, node in enumerate(nodes):
            if static[i]:
                data = node.data
                if not data:  # 0.0 and -0.0 are equal as keys, not as literals
                    expr[i] = _literal(data)
                    continue
                if data not in literals:  # (nan is never found: each gets its own)
                    literals[data] = _literal(data)
                expr[i] = literals[data]
            elif node in variables or node in params:
                value_names[i] = variables[node] if node in variables else params[node]
                expr[i] = _atom(value_names[i])
                if node in params:
                    used_params.add(node)
        prologue: list[str] = []
        for k, i in enumerate(captured):
            value_names[i] = names.claim(nodes[i].label or f"captured{k}")
            handle = self.handle(nodes[i], f"node_{value_names[i]}")
            prologue.append(f"{value_names[i]} = {handle}.data")
            expr[i] = _atom(value_names[i])

        def value_name(i: int) -> str:
            if not value_names[i]:
                label = nodes[i].label or (output_name if i == root else f"v{i}")
                value_names[i] = names.claim(label)
            return value_names[i]

        def adjoint_name(i: int) -> str:
            return names.claim(f"g_{value_names[i] or f'v{i}'}")

        lines: list[str] = []

        # -- guards: each checked as soon as both of its sides are computed
        guards_at: dict[int, list[tuple[int, _Guard]]] = {}
        for guard in guards:
            left = index[guard.node]
            right = index[guard.other] if isinstance(guard.other, Node) else left
            if static[left] and static[right]:
                continue  # compares plain numbers: always comes out the same
            guards_at.setdefault(max(left, right), []).append((len(self.guards), guard))
            self.guards.append(guard)

        def emit_guards(at: int) -> None:
            for k, guard in guards_at[at]:
                other = guard.other
                right = expr[index[other]] if isinstance(other, Node) else _literal(other)
                test = _compare(expr[index[guard.node]], guard.symbol, right)
                lines.append(f"if {f'not ({test})' if guard.outcome else test}:  # {guard.where}")
                lines.append(f"    raise BranchChanged({k})")

        # -- forward
        lines.append("# forward: each op's value")
        for i in range(n):
            if expr[i] is _PENDING:
                op = ops_of[i]
                assert op is not None
                arguments = [expr[j] for j in inputs_of[i]]
                emitter = info_of(i).emitter
                if emitter is None:
                    value = _call("float", _call(self._generic_names(op)[0], *arguments))
                else:
                    value = emitter.forward(op, arguments)
                if not named[i] and uses[i] == 1 and value[2] < _MAX_DEPTH:
                    expr[i] = value  # written into its one consumer
                else:
                    name = value_name(i)
                    lines.append(f"{name} = {value[0]}")
                    expr[i] = _atom(name)
            if i in guards_at:
                emit_guards(i)
        self.ops += sum(1 for i in range(n) if inputs_of[i] and not static[i])

        # -- backward: the chain rule in reverse topological order. A node's
        # adjoint is the sum of its consumers' contributions, added in the
        # order eager backward() adds them.
        terms: dict[int, list[_Expr]] = {}
        grads: dict[Node, str] = {}

        def sum_terms(i: int, parts: list[_Expr], var: str | None) -> tuple[_Expr, str | None]:
            """The terms added left to right; a long sum goes through a variable in pieces."""
            if len(parts) == 1:
                return parts[0], var
            first = parts[0]
            pieces = [first[0] if first[1] >= _ADD else f"({first[0]})"]
            depth = first[2]
            for part in parts[1:]:
                depth = max(depth, part[2]) + 1
                if depth >= _MAX_DEPTH:
                    var = var or adjoint_name(i)
                    lines.append(f"{var} = {' + '.join(pieces)}")
                    pieces = [var]
                    depth = part[2] + 1
                pieces.append(part[0] if part[1] > _ADD else f"({part[0]})")
            return (" + ".join(pieces), _ADD, depth), var

        if any(reached[i] for i in wrt_ids):
            lines.append("# backward: g_<name> is d(output)/d(<name>), by the chain rule")
        # `g_b = g_v9` reads well, but costs a statement per gradient: named
        # only while there are few of them.
        readable_aliases = len(wrt_ids) <= 100
        for i in reversed(back_ids):
            if not needs[i]:
                continue
            var: str | None = None
            node = nodes[i]
            if i == root:
                adjoint = seed
            else:
                parts = terms.pop(i, None)
                if not parts:
                    continue
                if accumulators is not None and node in accumulators:
                    var = accumulators[node]
                    parts = [_atom(var), *parts]
                adjoint, var = sum_terms(i, parts, var)
            ins = inputs_of[i]
            if not ins:
                if i in wrt_ids:
                    if var is None and adjoint[2] == 0 and not readable_aliases:
                        grads[node] = adjoint[0]  # a name or a literal already
                        continue
                    name = var or adjoint_name(i)
                    if adjoint[0] != name:
                        lines.append(f"{name} = {adjoint[0]}")
                    grads[node] = name
                continue
            targets = [k for k, j in enumerate(ins) if needs[j]]
            if adjoint[2] > 0 and (len(targets) > 1 or adjoint[2] >= _MAX_DEPTH):
                var = var or adjoint_name(i)
                lines.append(f"{var} = {adjoint[0]}")
                adjoint = _atom(var)
            op = ops_of[i]
            assert op is not None
            arguments = [expr[j] for j in ins]
            emitter = info_of(i).emitter
            local: Sequence[_Expr]
            if emitter is None:
                unpacked = [
                    names.claim(f"d{i}_{k}") if k in targets else "_" for k in range(len(ins))
                ]
                call = _call(self._generic_names(op)[1], *arguments, expr[i])[0]
                lines.append(f"{', '.join(unpacked)}, = {call}")
                local = [_atom(u) for u in unpacked]
            else:
                local = emitter.grads(op, arguments, expr[i])
            for k in targets:
                factor = local[k]
                if factor[0] == "1.0":
                    contribution = adjoint
                elif adjoint[0] == "1.0":
                    contribution = factor
                elif factor[0] == "-1.0":
                    contribution = _negate(adjoint)
                elif adjoint[0] == "-1.0":
                    contribution = _negate(factor)
                else:
                    contribution = _binary(adjoint, "*", factor, _MUL)
                terms.setdefault(ins[k], []).append(contribution)
        return _Section(prologue, lines, expr[root][0], grads, used_params)

    def finish(
        self, name: str, signature: Sequence[str], header: list[str], body: list[str]
    ) -> _Variant:
        """Compile the function and load it into its own namespace."""
        source = "\n".join(
            [
                f"# Generated by micrograd's compiled mode from {self.origin}.",
                f"# {self.nodes} nodes traced, {self.ops} ops computed,"
                f" {len(self.guards)} guard(s).",
                *header,
                f"def {name}({', '.join(signature)}):",
                *["    " + line for line in body],
            ]
        )
        source += "\n"
        generated_at = time.perf_counter()
        code = compile(source, f"<micrograd compiled {self.origin}>", "exec")
        exec(code, self.namespace)
        done = time.perf_counter()
        stats = CompileStats(
            nodes=self.nodes,
            ops=self.ops,
            guards=len(self.guards),
            statements=sum(1 for line in body if not line.lstrip().startswith(("#", "raise"))),
            source_chars=len(source),
            generate_seconds=generated_at - self.started,
            compile_seconds=done - generated_at,
        )
        return _Variant(self.namespace[name], source, list(self.guards), stats)


def _layout(layout: Any, texts: list[str]) -> str:
    """Source of a (nested) tuple of gradient names, as laid out by `layout`."""
    if isinstance(layout, int):
        return texts[layout]
    inner = [_layout(item, texts) for item in layout]
    return f"({inner[0]},)" if len(inner) == 1 else f"({', '.join(inner)})"


# ---------------------------------------------------------------------------
# Compiled functions


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _flat_floats(value: Any) -> list[float]:
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in _flat_floats(item)]
    return [float(value)]


def _compare_results(
    where: str,
    compiled: list[float],
    eager: list[float],
    rtol: float,
    atol: float,
    what: str = "gradient",
) -> None:
    """Raise `VerificationError` naming each value (then each `what` i) that differs."""
    labels = ["value"] + [f"{what} {i}" for i in range(len(compiled) - 1)]
    bad = [
        f"  {label}: compiled {c!r}, eager {e!r}"
        for label, c, e in zip(labels, compiled, eager)
        if not _close(c, e, rtol, atol)
    ]
    if len(compiled) != len(eager):
        bad.append(f"  {len(compiled)} compiled results against {len(eager)} eager ones")
    if bad:
        raise VerificationError(
            f"{where}: compiled and eager results differ (rtol={rtol}, atol={atol}):\n"
            + "\n".join(bad)
            + "\nThe function's result depends on something fixed at trace time (a .data"
            " read, a float() of a Node, a global number that changed): call .retrace(),"
            " or keep that value in a Node."
        )


def _describe(guard: _Guard) -> str:
    if guard.symbol == "!=" and guard.other == 0.0 and not isinstance(guard.other, Node):
        return f"the truth value of a traced Node (at {guard.where})"
    other = "another Node" if isinstance(guard.other, Node) else repr(guard.other)
    return f"the comparison `node {guard.symbol} {other}` (at {guard.where})"


def _warn_escapes(recorder: _Recorder, sources: set[Node], origin: str) -> None:
    """Warn about float() of traced values: those values are frozen in the code."""
    places = sorted(
        {where for node, where in recorder.escapes if sources & set(topological_order(node))}
    )
    if places:
        warnings.warn(
            f"{origin}: float() of a traced Node at {', '.join(places)}: the compiled code"
            " keeps the value it had when traced. Keep values in Nodes (ops such as"
            " mg.maximum, or a custom @op), and check with .verify().",
            stacklevel=5,
        )


def _origin(fn: object) -> str:
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    code = getattr(fn, "__code__", None)
    if code is not None and os.path.isfile(code.co_filename):  # not "<stdin>" and the like
        return f"{name} ({code.co_filename.rsplit('/', 1)[-1]}:{code.co_firstlineno})"
    return str(name)


def _positional_names(fn: Callable[..., Any]) -> tuple[list[str], int | None, int]:
    """Names of fn's positional parameters, its maximum (None: *args) and minimum arity."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return [], None, 0
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    variadic = any(p.kind is p.VAR_POSITIONAL for p in parameters)
    required = sum(1 for p in positional if p.default is p.empty)
    return [p.name for p in positional], None if variadic else len(positional), required


def _function_name(fn: object) -> str:
    name = str(getattr(fn, "__name__", "compiled"))
    return name if name.isidentifier() and not keyword.iskeyword(name) else "compiled"


def _as_output(out: object, where: str, what: str) -> Node:
    if isinstance(out, Node):
        return out
    if isinstance(out, bool) or not isinstance(out, (int, float)):
        raise TypeError(
            f"{where}: {what} must return a Node or a number, got {type(out).__name__} ({out!r})"
        )
    return Node(float(out))


def _nest(shape: _Shape, indices: Iterator[int]) -> Any:
    if shape is None:
        return next(indices)
    return tuple(_nest(s, indices) for s in shape)


def _count(shape: _Shape) -> int:
    return 1 if shape is None else sum(_count(s) for s in shape)


class _Call(NamedTuple):
    """A call's arguments, checked and flattened."""

    key: Any  # which traces apply: the arity, or the structure of the arguments
    values: list[Any]  # what the generated function is called with
    flat: list[float]  # every number, in order
    shapes: tuple[_Shape, ...]  # each argument's shape (for a batch: one sample's)
    args: tuple[Any, ...]  # the arguments as given


class _Compiled:
    """What CompiledFunction and CompiledLoss share: traces, guards, checks, fallback."""

    _where: str
    _names: list[str]
    _max_arity: int | None
    _min_arity: int
    _retraces: bool = True

    def __init__(
        self,
        verify_every: int,
        rtol: float,
        atol: float,
        on_branch_change: Literal["retrace", "raise"],
        max_variants: int,
        max_nodes: int | None,
    ) -> None:
        if on_branch_change not in ("retrace", "raise"):
            raise ValueError(
                f"{self._where}: on_branch_change must be 'retrace' or 'raise',"
                f" got {on_branch_change!r}"
            )
        if isinstance(verify_every, bool) or not isinstance(verify_every, int) or verify_every < 0:
            raise ValueError(
                f"{self._where}: verify_every must be an int >= 0, got {verify_every!r}"
            )
        if isinstance(max_variants, bool) or not isinstance(max_variants, int) or max_variants < 1:
            raise ValueError(
                f"{self._where}: max_variants must be an int >= 1, got {max_variants!r}"
            )
        if max_nodes is not None and (
            isinstance(max_nodes, bool) or not isinstance(max_nodes, int)
        ):
            raise ValueError(f"{self._where}: max_nodes must be an int or None, got {max_nodes!r}")
        self.verify_every = verify_every
        self.rtol = rtol
        self.atol = atol
        self.on_branch_change = on_branch_change
        self.max_variants = max_variants
        self.max_nodes = max_nodes
        self.trace_count = 0
        self._variants: dict[Any, list[_Variant]] = {}
        # arity -> generated function, for calls whose arguments are all floats
        self._fast: dict[int, Callable[..., Any]] = {}
        self._latest: _Variant | None = None
        self._calls = 0

    # -- what subclasses provide
    def _prepare(self, args: tuple[Any, ...]) -> _Call:
        raise NotImplementedError

    def _trace(self, call: _Call) -> _Variant:
        raise NotImplementedError

    def _eager(self, call: _Call) -> Any:
        raise NotImplementedError

    def _check(self, call: _Call) -> Any:
        raise NotImplementedError

    # -- public
    @property
    def source(self) -> str:
        """The generated Python of the most recently used trace."""
        if self._latest is None:
            raise CompileError(f"{self._where}: not traced yet; call it once first")
        return self._latest.source

    @property
    def function(self) -> Callable[..., Any]:
        """The generated function of the most recently used trace, to call directly.

        It takes the arguments flattened to floats (for a batched loss: the
        argument lists as they are; after `CompiledLoss.sgd_epoch`, the argument
        lists and the learning rate) and skips all that the compiled object does
        around it: no argument checks, no eager fallback on exceptional values,
        and a guard that fails raises `BranchError` instead of tracing again.
        Use it in the innermost loop when the arguments are floats of the traced
        structure; it saves about a microsecond per call.
        """
        if self._latest is None:
            raise CompileError(f"{self._where}: not traced yet; call it once first")
        return self._latest.function

    @property
    def stats(self) -> CompileStats:
        """Sizes and timings of the most recently used trace."""
        if self._latest is None:
            raise CompileError(f"{self._where}: not traced yet; call it once first")
        return self._latest.stats

    def retrace(self) -> None:
        """Forget every trace: the next call traces the function again."""
        self._variants.clear()
        self._fast.clear()
        self._latest = None

    # -- calling
    def _check_arity(self, count: int, what: str = "argument(s)", where: str | None = None) -> None:
        too_many = self._max_arity is not None and count > self._max_arity
        if too_many or count < self._min_arity:
            if self._max_arity == self._min_arity:
                expected = str(self._min_arity)
            elif self._max_arity is None:
                expected = f"at least {self._min_arity}"
            else:
                expected = f"{self._min_arity} to {self._max_arity}"
            shown = f" ({', '.join(self._names)})" if self._names else ""
            raise TypeError(f"{where or self._where} takes {expected} {what}{shown}, got {count}")

    def _name(self, index: int) -> str:
        return self._names[index] if index < len(self._names) else f"x{index}"

    def _flatten_args(self, args: tuple[Any, ...]) -> tuple[list[float], tuple[_Shape, ...]]:
        self._check_arity(len(args))
        flat: list[float] = []
        shapes = tuple(
            _flatten(a, f"argument {i} ({self._name(i)})", flat, self._where)
            for i, a in enumerate(args)
        )
        return flat, shapes

    def _leaves(
        self, flat: Sequence[float], shapes: tuple[_Shape, ...]
    ) -> tuple[list[Any], list[list[Node]]]:
        """Fresh leaves for each argument, laid out as given, and each argument's leaves."""
        values = iter(flat)
        structured: list[Any] = []
        per_argument: list[list[Node]] = []
        for i, shape in enumerate(shapes):
            leaves: list[Node] = []
            structured.append(_leaves(shape, values, self._name(i), leaves))
            per_argument.append(leaves)
        return structured, per_argument

    def _run(self, args: tuple[Any, ...], verify: bool = True) -> Any:
        call = self._prepare(args)
        if verify and self.verify_every:
            self._calls += 1
            if self._calls % self.verify_every == 0:
                self._check(call)
        variants = self._variants.get(call.key)
        if variants is None:
            variants = self._variants[call.key] = [self._trace(call)]
        failure: tuple[_Variant, int] | None = None
        for variant in list(variants):
            try:
                result = variant.function(*call.values)
            except _BranchChanged as error:
                failure = (variant, error.args[0])
                continue
            except (ArithmeticError, ValueError, TypeError):
                return self._eager(call)
            self._use(call.key, variants, variant)
            return result
        assert failure is not None
        guard = failure[0].guards[failure[1]]
        if (
            not self._retraces
            or self.on_branch_change == "raise"
            or len(variants) >= self.max_variants
        ):
            if not self._retraces:
                reason = "a batched loss has one trace for every sample"
            elif self.on_branch_change == "raise":
                reason = "on_branch_change='raise'"
            else:
                reason = f"it has been traced {len(variants)} times already (max_variants)"
            raise self._branch_error(self._where, guard, reason)
        variant = self._trace(call)
        variants.insert(0, variant)
        try:
            result = variant.function(*call.values)
        except (ArithmeticError, ValueError, TypeError):
            return self._eager(call)
        except _BranchChanged:
            raise BranchError(
                f"{self._where}: traced again for these arguments, the function took"
                " another branch than while tracing: its control flow is not a function"
                " of its arguments alone"
            ) from None
        self._use(call.key, variants, variant)
        return result

    @staticmethod
    def _branch_error(where: str, guard: _Guard, reason: str) -> BranchError:
        """The error for a guard that came out differently and cannot be traced again."""
        return BranchError(
            f"{where}: {_describe(guard)} came out {guard.outcome} when traced"
            f" and differently now, and {reason}. Python control flow on a traced value"
            " is fixed at trace time: keep the branch inside an op (relu, abs, maximum,"
            " minimum, or a custom @op), or run the function eagerly."
        )

    def _use(self, key: Any, variants: list[_Variant], variant: _Variant) -> None:
        if variants[0] is not variant:
            variants.remove(variant)
            variants.insert(0, variant)
        self._latest = variant
        if isinstance(key, int) and not self.verify_every:
            self._fast[key] = variant.function


class CompiledFunction(_Compiled):
    """A function of floats, traced once per argument structure and run as generated code.

    Made by `micrograd.compile`. Calling it returns ``(value, grads)``: the
    function's value and its gradient with respect to the requested
    arguments (see `compile_function` for the layout).

    Attributes:
        fn: the original function.
        argnums: the arguments differentiated (None: all).
        trace_count: how many times the function has been traced.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        argnums: int | Sequence[int] | None = None,
        *,
        verify_every: int = 0,
        rtol: float = 1e-9,
        atol: float = 1e-12,
        on_branch_change: Literal["retrace", "raise"] = "retrace",
        max_variants: int = 8,
        max_nodes: int | None = DEFAULT_MAX_NODES,
    ) -> None:
        if not callable(fn):
            raise TypeError(f"compile: expected a function, got {type(fn).__name__} ({fn!r})")
        self.fn = fn
        self._where = f"compiled {getattr(fn, '__name__', 'function')}"
        if isinstance(argnums, bool):
            raise TypeError(f"{self._where}: argnums must be ints, got {argnums!r}")
        if argnums is not None and not isinstance(argnums, int):
            argnums = tuple(argnums)
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in argnums):
                raise TypeError(f"{self._where}: argnums must be ints, got {argnums!r}")
        self.argnums = argnums
        self._names, self._max_arity, self._min_arity = _positional_names(fn)
        super().__init__(verify_every, rtol, atol, on_branch_change, max_variants, max_nodes)
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        """``(value, grads)`` for plain-number arguments (or lists/tuples of them)."""
        if kwargs:
            raise TypeError(
                f"{self._where} takes positional arguments only, got keyword(s)"
                f" {', '.join(sorted(kwargs))}"
            )
        fast = self._fast.get(len(args))
        if fast is not None:
            for a in args:
                if type(a) is not float:
                    break
            else:
                try:
                    result: tuple[Any, Any] = fast(*args)
                    return result
                except _BranchChanged:
                    pass
                except (ArithmeticError, ValueError, TypeError):
                    return self._eager(self._prepare(args))
        outcome: tuple[Any, Any] = self._run(args)
        return outcome

    def verify(self, *args: Any) -> tuple[Any, Any]:
        """Run both the compiled and the eager function on `args` and compare.

        Returns the compiled ``(value, grads)``; raises `VerificationError`
        naming each value that differs by more than ``atol + rtol * |eager|``.
        """
        result: tuple[Any, Any] = self._check(self._prepare(args))
        return result

    def _prepare(self, args: tuple[Any, ...]) -> _Call:
        flat, shapes = self._flatten_args(args)
        key: Any = len(shapes) if all(s is None for s in shapes) else shapes
        return _Call(key, flat, flat, shapes, args)

    def _wrt(self, count: int) -> tuple[tuple[int, ...], bool]:
        """The differentiated argument positions, and whether one gradient comes alone."""
        if self.argnums is None:
            return tuple(range(count)), False
        numbers = (self.argnums,) if isinstance(self.argnums, int) else self.argnums
        for n in numbers:
            if not -count <= n < count:
                raise ValueError(
                    f"{self._where}: argnums {self.argnums!r} out of range for a call with"
                    f" {count} argument(s)"
                )
        return tuple(n % count for n in numbers), isinstance(self.argnums, int)

    def _trace(self, call: _Call) -> _Variant:
        positions, single = self._wrt(len(call.shapes))
        started = time.perf_counter()
        structured, per_argument = self._leaves(call.flat, call.shapes)
        recorder = _Recorder()
        origin = _origin(self.fn)
        with _collector_paused():
            with _recording(recorder):
                out = _as_output(self.fn(*structured), self._where, "the function")
            traced = time.perf_counter()
            leaves = [leaf for group in per_argument for leaf in group]
            _warn_escapes(recorder, set(leaves), origin)
            writer = _Writer(origin, self.max_nodes)
            name = writer.names.claim(_function_name(self.fn))
            variables = {leaf: writer.names.claim(leaf.label) for leaf in leaves}
            wrt = [leaf for p in positions for leaf in per_argument[p]]
            section = writer.section(
                out,
                variables=variables,
                params={},
                wrt=wrt,
                constants=recorder.constants,
                guards=recorder.guards,
            )
            texts = [section.grads.get(leaf, "0.0") for leaf in wrt]
            indices = iter(range(len(wrt)))
            parts = [_nest(call.shapes[p], indices) for p in positions]
            layout: Any = parts[0] if single else tuple(parts)
            what = ", ".join(self._name(p) for p in positions) or "nothing"
            variant = writer.finish(
                name,
                [variables[leaf] for leaf in leaves],
                [f"# Returns (value, gradients with respect to {what})."],
                [
                    *section.prologue,
                    *section.lines,
                    f"return {section.value}, {_layout(layout, texts)}",
                ],
            )
        variant.stats.trace_seconds = traced - started
        self.trace_count += 1
        return variant

    def _eager(self, call: _Call) -> tuple[Any, Any]:
        """The eager result (or error) for these arguments, laid out as compiled results are."""
        positions, single = self._wrt(len(call.shapes))
        structured, per_argument = self._leaves(call.flat, call.shapes)
        out = _as_output(self.fn(*structured), self._where, "the function")
        wrt = [leaf for p in positions for leaf in per_argument[p]]
        grads = iter([float(g) for g in gradients(out, wrt)])
        parts = [_restructure(call.shapes[p], grads) for p in positions]
        return out.data, parts[0] if single else tuple(parts)

    def _check(self, call: _Call) -> tuple[Any, Any]:
        compiled: tuple[Any, Any] = self._run(call.args, verify=False)
        eager = self._eager(call)
        _compare_results(
            self._where, _flat_floats(compiled), _flat_floats(eager), self.rtol, self.atol
        )
        return compiled


def compile_function(
    fn: Callable[..., Any],
    argnums: int | Sequence[int] | None = None,
    *,
    verify_every: int = 0,
    rtol: float = 1e-9,
    atol: float = 1e-12,
    on_branch_change: Literal["retrace", "raise"] = "retrace",
    max_variants: int = 8,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> CompiledFunction:
    """Compile `fn` (Nodes in, one Node out) into generated Python of plain floats.

    Exported as ``micrograd.compile``. The first call with a given argument
    structure traces `fn` with fresh leaf Nodes, generates one straight-line
    function for the value and the gradients, and compiles it; later calls run
    that code on floats.

    >>> import micrograd as mg
    >>> def loss_fn(w1, w2, b, x, y):
    ...     return (w1 * x + w2 * x + b - y) ** 2
    >>> step = mg.compile(loss_fn)
    >>> step(1.0, 2.0, 3.0, 0.5, 0.5)
    (16.0, (4.0, 4.0, 8.0, 24.0, -8.0))
    >>> mg.compile(loss_fn, argnums=2)(1.0, 2.0, 3.0, 0.5, 0.5)
    (16.0, 8.0)

    Args:
        fn: a function of Nodes returning a Node (or a plain number). Arguments
            are numbers, or lists/tuples of numbers (passed to `fn` as lists of
            Nodes; their gradients come back as tuples of the same shape).
        argnums: the arguments to differentiate: None (all; a tuple of
            gradients), an int (that gradient alone) or a sequence of ints.
        verify_every: every N-th call also runs `fn` eagerly and raises
            `VerificationError` if the results differ (0: never).
        rtol: the relative tolerance of that comparison.
        atol: its absolute tolerance: values agree when
            ``|compiled - eager| <= atol + rtol * |eager|``.
        on_branch_change: when a comparison made on a traced value while
            tracing comes out differently, ``"retrace"`` (trace again for the
            new branch, keeping up to `max_variants` traces per argument
            structure) or ``"raise"`` (`BranchError`).
        max_variants: the number of traces kept per argument structure.
        max_nodes: the largest graph to generate code for (None: no limit);
            larger graphs raise `GraphTooLargeError`.

    Results equal eager mode's (`micrograd.value_and_grad`). Where the
    generated code meets an exceptional value (overflow, log of zero), the
    call is redone eagerly, so the result or the error is eager mode's.
    """
    return CompiledFunction(
        fn,
        argnums,
        verify_every=verify_every,
        rtol=rtol,
        atol=atol,
        on_branch_change=on_branch_change,
        max_variants=max_variants,
        max_nodes=max_nodes,
    )


# ---------------------------------------------------------------------------
# Compiled losses for models


def _named_parameters(model: object, parameters: Iterable[Node] | None) -> list[tuple[str, Node]]:
    named: list[tuple[str, Node]]
    if parameters is not None:
        named = [(getattr(p, "label", "") or f"p{i}", p) for i, p in enumerate(parameters)]
    elif hasattr(model, "named_parameters"):
        # A Parameter's own label (as w1..w8 in the tutorial's network) reads
        # better in generated code than its dotted name, when labels are unique.
        pairs = [(str(n), p) for n, p in model.named_parameters()]
        labels = [getattr(p, "label", "") for _, p in pairs]
        unique = all(labels) and len(set(labels)) == len(labels)
        named = [(label, p) for label, (_, p) in zip(labels, pairs)] if unique else pairs
    elif hasattr(model, "parameters"):
        named = [(p.label or f"p{i}", p) for i, p in enumerate(model.parameters())]
    else:
        raise TypeError(
            f"compile_loss: the model ({type(model).__name__}) has no parameters() method;"
            " pass parameters=[...]"
        )
    seen: set[Node] = set()
    for name, p in named:
        if not isinstance(p, Node):
            raise TypeError(f"compile_loss: parameter {name} is not a Node, got {p!r}")
        if not p.is_leaf:
            raise ValueError(f"compile_loss: parameter {name} is not a leaf Node")
        if p in seen:
            raise ValueError(f"compile_loss: parameter {name} is listed twice")
        seen.add(p)
    return named


_NO_RETRACE = "a batched loss has one trace for every sample (no parameter was changed)"


def _float_columns(columns: tuple[Any, ...]) -> bool:
    """Whether `columns` are lists or tuples of one length, holding floats only."""
    size = len(columns[0])
    for column in columns:
        if (type(column) is not list and type(column) is not tuple) or len(column) != size:
            return False
        for value in column:
            if type(value) is not float:
                return False
    return size > 0


class CompiledLoss(_Compiled):
    """A model's loss traced with the parameters as inputs, run as generated code.

    Made by `compile_loss`. Calling it with a batch returns the loss value
    (a float) and *adds* the loss's gradient into each parameter's ``.grad``,
    as ``loss.backward()`` would, so an optimizer's ``zero_grad()`` and
    ``step()`` work unchanged. A batched loss also runs a whole epoch of
    per-sample SGD in generated code: `sgd_epoch`.

    Attributes:
        model: the model.
        loss_fn: ``loss_fn(model, *inputs) -> Node``.
        parameters: the parameters read and updated, in order.
        batched: whether `loss_fn` is a per-sample loss run over each batch.
        reduction: how a batched loss combines its samples: "mean" or "sum".
        penalty: ``penalty(model) -> Node`` added to the loss, or None.
        trace_count: how many times the loss has been traced.
    """

    def __init__(
        self,
        model: Any,
        loss_fn: Callable[..., Any],
        *,
        parameters: Iterable[Node] | None = None,
        batched: bool = False,
        reduction: Literal["mean", "sum"] = "mean",
        penalty: Callable[[Any], Any] | None = None,
        verify_every: int = 0,
        rtol: float = 1e-9,
        atol: float = 1e-12,
        on_branch_change: Literal["retrace", "raise"] = "retrace",
        max_variants: int = 8,
        max_nodes: int | None = DEFAULT_MAX_NODES,
    ) -> None:
        if not callable(loss_fn):
            raise TypeError(
                f"compile_loss: loss_fn must be a function, got {type(loss_fn).__name__}"
            )
        if penalty is not None and not callable(penalty):
            raise TypeError(
                f"compile_loss: penalty must be a function of the model or None,"
                f" got {type(penalty).__name__}"
            )
        if reduction not in ("mean", "sum"):
            raise ValueError(f"compile_loss: reduction must be 'mean' or 'sum', got {reduction!r}")
        self.model = model
        self.loss_fn = loss_fn
        self.batched = bool(batched)
        self.reduction = reduction
        self.penalty = penalty
        self._where = f"compiled loss {getattr(loss_fn, '__name__', 'loss_fn')}"
        self._named = _named_parameters(model, parameters)
        self.parameters: tuple[Node, ...] = tuple(p for _, p in self._named)
        names, maximum, minimum = _positional_names(loss_fn)
        self._names = names[1:]
        self._max_arity = None if maximum is None else maximum - 1
        self._min_arity = max(minimum - 1, 0)
        self._retraces = not self.batched
        # number of argument lists -> the sgd_epoch trace, for columns of plain floats
        self._sgd_fast: dict[int, _Variant] = {}
        super().__init__(verify_every, rtol, atol, on_branch_change, max_variants, max_nodes)

    def __call__(self, *inputs: Any) -> float:
        """The loss on a batch; its gradient is added into each parameter's ``.grad``.

        Without ``batched``, `inputs` are `loss_fn`'s arguments after the
        model. With ``batched=True``, each is a list holding that argument
        for every sample.
        """
        fast = self._fast.get(len(inputs))
        if fast is not None:
            for a in inputs:
                if type(a) is not float:
                    break
            else:
                try:
                    value: float = fast(*inputs)
                    return value
                except _BranchChanged:
                    pass
                except (ArithmeticError, ValueError, TypeError):
                    return self._eager(self._prepare(inputs))
        loss: float = self._run(inputs)
        return loss

    def retrace(self) -> None:
        """Forget every trace (`sgd_epoch`'s too): the next call traces the loss again."""
        super().retrace()
        self._sgd_fast.clear()

    def verify(self, *inputs: Any) -> tuple[float, tuple[float, ...]]:
        """Compare compiled and eager loss and gradients, leaving ``.grad`` as it was.

        Returns the compiled ``(loss, gradients)``, gradients in the order of
        `parameters`; raises `VerificationError` if they differ.
        """
        return self._check(self._prepare(inputs))

    def sgd_epoch(self, *columns: Any, lr: float) -> float:
        """One epoch of per-sample SGD in generated code; returns the reduced sample losses.

        Needs ``batched=True``. The arguments are those of the batched call
        (each a list with one entry per sample) and the learning rate. It does
        what this eager loop does, with the same float operations in the same
        order, so the parameters and the result are the loop's to the bit::

            for sample in zip(*columns):
                loss = loss_fn(model, *sample)  # + penalty(model), if given
                grads = d loss / d parameters
                for p, g in zip(parameters, grads):
                    p.data -= lr * g

        It returns the mean (``reduction="mean"``) or the sum of the sample
        losses, each taken before its own update (the penalty, when given, is
        part of every sample's loss). ``.grad`` is neither read nor changed.

        >>> import micrograd as mg
        >>> model = mg.nn.WeightSum(w1=2.0, w2=0.0, b=1.0)
        >>> def sample_loss(model, x, y):
        ...     return (model(x, 0.0) - y) ** 2
        >>> step = mg.compile_loss(model, sample_loss, batched=True)
        >>> step.sgd_epoch([3.0, 1.0], [4.0, 3.0], lr=0.01)  # (9.0 + 0.0576) / 2
        4.5288
        >>> round(model.w1.data, 6), round(model.b.data, 6), model.w1.grad
        (1.8248, 0.9448, 0.0)

        The generated function reads the parameters into local variables once,
        updates them after each sample (``w = w - lr * g_w``) and writes them
        back to ``.data`` after the last sample. So when anything goes wrong
        inside the epoch, no parameter changes: a guard that comes out
        differently for some sample raises `BranchError` (a batched loss has
        one trace for every sample), and an exceptional value (an overflow, a
        logarithm of a negative number) makes the epoch run again eagerly from
        the same parameters, which returns eager mode's result or raises its
        error with every ``.data`` restored. The code is traced on the first
        call for an argument structure and kept, like the other traces; after
        a call, `source`, `function` and `stats` describe it (`function` then
        takes the argument lists and the learning rate, and writes ``.data``).
        With ``verify_every=N``, every N-th call (of the loss or of this
        method) also runs the epoch eagerly from the same parameters and
        raises `VerificationError` if the result or a parameter differs,
        leaving the parameters as they were before the call.

        Args:
            *columns: one list (or tuple) per argument of `loss_fn` after the
                model, each with one entry per sample.
            lr: the learning rate, a finite real number (keyword only).

        Raises:
            TypeError: the loss is not batched, `lr` is not a real number, or
                a column is not a list of numbers.
            ValueError: `lr` is not finite, or the columns are empty, of
                different lengths or of different structures per sample.
            BranchError: a guard came out differently for some sample.
        """
        where = f"{self._where}.sgd_epoch"
        if not self.batched:
            raise TypeError(
                f"{where} runs the per-sample loss over a batch: it needs compile_loss(...,"
                " batched=True), and this loss was compiled with batched=False"
            )
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
            raise TypeError(f"{where}: lr must be a real number, got {type(lr).__name__} ({lr!r})")
        rate = float(lr)
        if not math.isfinite(rate):
            raise ValueError(f"{where}: lr must be finite, got {rate!r}")
        fast = self._sgd_fast.get(len(columns))
        if fast is not None and not self.verify_every and _float_columns(columns):
            try:
                loss: float = fast.function(*columns, rate)
            except _BranchChanged as error:
                raise self._branch_error(where, fast.guards[error.args[0]], _NO_RETRACE) from None
            except (ArithmeticError, ValueError, TypeError):
                pass  # redone below, through the checks and the eager fallback
            else:
                self._latest = fast
                return loss
        call = self._prepare(columns, where)
        call = call._replace(key=("sgd_epoch", call.shapes))
        if self.verify_every:
            self._calls += 1
            if self._calls % self.verify_every == 0:
                return self._check_sgd(call, rate, where)
        return self._run_sgd(call, rate, where)

    # -- the fused SGD epoch
    def _run_sgd(self, call: _Call, rate: float, where: str) -> float:
        variants = self._variants.get(call.key)
        if variants is None:
            variants = self._variants[call.key] = [self._trace(call, fused=True)]
        variant = variants[0]
        try:
            loss: float = variant.function(*call.values, rate)
        except _BranchChanged as error:
            raise self._branch_error(where, variant.guards[error.args[0]], _NO_RETRACE) from None
        except (ArithmeticError, ValueError, TypeError):
            return self._eager_sgd(call, rate)
        self._use(call.key, variants, variant)
        if all(shape is None for shape in call.shapes) and not self.verify_every:
            self._sgd_fast[len(call.shapes)] = variant
        return loss

    def _eager_sample(self, flat: Sequence[float], shapes: tuple[_Shape, ...]) -> Node:
        """One sample's loss, as eager mode computes it (the penalty added, if any)."""
        structured, _ = self._leaves(flat, shapes)
        out = _as_output(self.loss_fn(self.model, *structured), self._where, "loss_fn")
        if self.penalty is not None:
            out = out + _as_output(self.penalty(self.model), self._where, "penalty")
        return out

    def _eager_sgd(self, call: _Call, rate: float) -> float:
        """`sgd_epoch` in eager mode; on an error, every ``.data`` is restored."""
        parameters = list(self.parameters)
        saved = [p.data for p in parameters]
        total = 0.0
        count = 0
        try:
            with enable_grad():
                for sample in self._samples(call):
                    out = self._eager_sample(sample, call.shapes)
                    grads = gradients(out, parameters)
                    for p, g in zip(parameters, grads):
                        p.data -= rate * float(g)
                    total += out.data
                    count += 1
        except BaseException:
            for p, value in zip(parameters, saved):
                p.data = value
            raise
        return total / count if self.reduction == "mean" else total

    def _check_sgd(self, call: _Call, rate: float, where: str) -> float:
        """Run the epoch compiled and eagerly from the same parameters, and compare."""
        saved = [p.data for p in self.parameters]
        try:
            value = self._run_sgd(call, rate, where)
            compiled = [p.data for p in self.parameters]
        finally:
            for p, data in zip(self.parameters, saved):
                p.data = data
        eager_value = self._eager_sgd(call, rate)
        eager = [p.data for p in self.parameters]
        try:
            _compare_results(
                where, [value, *compiled], [eager_value, *eager], self.rtol, self.atol, "parameter"
            )
        except VerificationError:
            for p, data in zip(self.parameters, saved):
                p.data = data
            raise
        for p, data in zip(self.parameters, compiled):
            p.data = data
        return value

    # -- arguments
    def _prepare(self, args: tuple[Any, ...], where: str | None = None) -> _Call:
        """Check and flatten a call's arguments; errors name `where` (default: the loss)."""
        if not self.batched:
            numbers, shapes = self._flatten_args(args)
            key: Any = len(shapes) if all(s is None for s in shapes) else shapes
            return _Call(key, numbers, numbers, shapes, args)
        where = where or self._where
        self._check_arity(len(args), "argument list(s)", where)
        for i, column in enumerate(args):
            if not isinstance(column, (list, tuple)):
                raise TypeError(
                    f"{where}: with batched=True each argument is a list with one"
                    f" entry per sample; argument {i} ({self._name(i)}) is"
                    f" {type(column).__name__}"
                )
        size = len(args[0]) if args else 0
        if size == 0 or any(len(column) != size for column in args):
            lengths = ", ".join(str(len(column)) for column in args)
            raise ValueError(
                f"{where}: the batch must have at least one sample and every argument"
                f" list the same length; got lengths {lengths or 'none'}"
            )
        flat: list[float] = []
        converted: list[int] = []
        first: tuple[_Shape, ...] | None = None
        for k in range(size):
            shapes = tuple(
                _flatten(column[k], f"argument {i} ({self._name(i)})[{k}]", flat, where, converted)
                for i, column in enumerate(args)
            )
            if first is None:
                first = shapes
            elif shapes != first:
                raise ValueError(
                    f"{where}: sample {k} is not shaped like sample 0 (every sample of"
                    " a batched loss must have the same structure)"
                )
        assert first is not None
        values: list[Any] = list(args)
        if converted:  # give the generated code floats, as eager mode would have
            stream = iter(flat)
            rows = [[_restructure(shape, stream) for shape in first] for _ in range(size)]
            values = [list(column) for column in zip(*rows)]
        return _Call(("batched", first), values, flat, first, args)

    def _samples(self, call: _Call) -> Iterator[list[float]]:
        width = sum(_count(s) for s in call.shapes)
        for start in range(0, len(call.flat), width):
            yield call.flat[start : start + width]

    # -- tracing
    def _trace(self, call: _Call, fused: bool = False) -> _Variant:
        """Trace the loss for `call` and generate its code.

        `fused` asks for the per-sample SGD epoch of `sgd_epoch` instead of the
        batched loss: one sample's loss with the penalty added, as the
        unbatched loss traces it, run in a loop that updates the parameters.
        """
        started = time.perf_counter()
        sample = next(self._samples(call)) if self.batched else call.flat
        structured, per_argument = self._leaves(sample, call.shapes)
        leaves = [leaf for group in per_argument for leaf in group]
        recorder, penalty_recorder = _Recorder(), _Recorder()
        origin = _origin(self.loss_fn)
        # A batched loss computes its penalty once per batch, in a section of its own.
        separate = self.batched and not fused
        with _collector_paused():
            with _recording(recorder):
                out = _as_output(self.loss_fn(self.model, *structured), self._where, "loss_fn")
            penalty_out: Node | None = None
            if self.penalty is not None:
                with _recording(penalty_recorder if separate else recorder):
                    penalty_out = _as_output(self.penalty(self.model), self._where, "penalty")
                    if not separate:
                        out = out + penalty_out
            traced = time.perf_counter()
            _warn_escapes(recorder, set(leaves) | set(self.parameters), origin)
            _warn_escapes(penalty_recorder, set(self.parameters), origin)
            writer = _Writer(origin, self.max_nodes)
            if fused:
                variant = self._write_sgd(writer, out, leaves, call, recorder)
            elif self.batched:
                variant = self._write_batched(
                    writer, out, penalty_out, leaves, call, recorder, penalty_recorder
                )
            else:
                variant = self._write(writer, out, leaves, recorder)
        variant.stats.trace_seconds = traced - started
        self.trace_count += 1
        return variant

    def _parameter_variables(self, writer: _Writer) -> dict[Node, str]:
        return {p: writer.names.claim(name) for name, p in self._named}

    def _section(
        self,
        writer: _Writer,
        out: Node,
        variables: dict[Node, str],
        params: dict[Node, str],
        recorder: _Recorder,
        output_name: str,
        seed: _Expr = _ONE,
        accumulators: dict[Node, str] | None = None,
    ) -> _Section:
        """`writer.section` for `out`, differentiated with respect to the parameters."""
        return writer.section(
            out,
            variables=variables,
            params=params,
            wrt=self.parameters,
            constants=recorder.constants,
            guards=recorder.guards,
            output_name=output_name,
            seed=seed,
            accumulators=accumulators,
        )

    def _write(
        self, writer: _Writer, out: Node, leaves: list[Node], recorder: _Recorder
    ) -> _Variant:
        names = writer.names
        function = names.claim(_function_name(self.loss_fn))
        variables = {leaf: names.claim(leaf.label) for leaf in leaves}
        params = self._parameter_variables(writer)
        section = self._section(writer, out, variables, params, recorder, "loss")
        handles = {
            p: writer.handle(p, f"param_{params[p]}")
            for p in self.parameters
            if p in section.used_params
        }
        body = [
            *(f"{params[p]} = {handle}.data" for p, handle in handles.items()),
            *section.prologue,
            *section.lines,
            *(
                f"{handles[p]}.grad += {section.grads[p]}"
                for p in self.parameters
                if p in section.grads
            ),
            f"return {section.value}",
        ]
        header = [
            f"# Reads {len(handles)} parameters from .data, returns the loss and adds its"
            " gradient into each parameter's .grad."
        ]
        return writer.finish(function, [variables[leaf] for leaf in leaves], header, body)

    def _write_batched(
        self,
        writer: _Writer,
        out: Node,
        penalty_out: Node | None,
        leaves: list[Node],
        call: _Call,
        recorder: _Recorder,
        penalty_recorder: _Recorder,
    ) -> _Variant:
        names = writer.names
        function = names.claim(_function_name(self.loss_fn))
        columns = [names.claim(f"{self._name(i)}s") for i in range(len(call.shapes))]
        variables = {leaf: names.claim(leaf.label) for leaf in leaves}
        params = self._parameter_variables(writer)
        accumulators = {p: names.claim(f"g_{params[p]}") for p in self.parameters}
        count, total, loss = names.claim("count"), names.claim("total"), names.claim("loss")
        seed = names.claim("seed") if self.reduction == "mean" else "1.0"
        sample = self._section(
            writer, out, variables, params, recorder, "sample_loss", _atom(seed), accumulators
        )
        extra: _Section | None = None
        if penalty_out is not None:
            extra = self._section(
                writer, penalty_out, {}, params, penalty_recorder, "penalty", _ONE, accumulators
            )
        used = sample.used_params | (extra.used_params if extra else set())
        grads = set(sample.grads) | set(extra.grads if extra else ())
        handles = {p: writer.handle(p, f"param_{params[p]}") for p in self.parameters if p in used}
        loop = _sample_loop(call.shapes, [variables[leaf] for leaf in leaves], columns)
        body = [
            *(f"{params[p]} = {handle}.data" for p, handle in handles.items()),
            *sample.prologue,
            *(extra.prologue if extra else []),
            f"{count} = len({columns[0]})",
            *([f"{seed} = 1.0 / {count}"] if self.reduction == "mean" else []),
            *(f"{accumulators[p]} = 0.0" for p in self.parameters if p in grads),
            f"{total} = 0.0",
            f"# each sample in turn; its loss counts 1/{count} (mean) or 1 (sum)",
            loop,
            *("    " + line for line in sample.lines),
            f"    {total} += {sample.value}",
            f"{loss} = {total} / {count}" if self.reduction == "mean" else f"{loss} = {total}",
        ]
        if extra is not None:
            body += ["# the penalty on the parameters", *extra.lines]
            body.append(f"{loss} = {loss} + {extra.value}")
        body += [f"{handles[p]}.grad += {accumulators[p]}" for p in self.parameters if p in grads]
        body.append(f"return {loss}")
        header = [
            f"# Runs the per-sample loss over a batch ({self.reduction}), reads"
            f" {len(handles)} parameters from .data and adds the gradient into .grad."
        ]
        return writer.finish(function, columns, header, body)

    def _write_sgd(
        self, writer: _Writer, out: Node, leaves: list[Node], call: _Call, recorder: _Recorder
    ) -> _Variant:
        """The generated function of `sgd_epoch`: per-sample SGD over the batch.

        Its arguments are the argument lists and the learning rate. The
        parameters are read into local variables once; after each sample's
        loss and gradients (the section of the unbatched loss), each is
        updated as ``w = w - lr * g_w``, which is ``p.data -= lr * g`` in
        floats, and they are written back to ``.data`` after the last sample.
        """
        names = writer.names
        function = names.claim(f"{_function_name(self.loss_fn)}_sgd_epoch")
        columns = [names.claim(f"{self._name(i)}s") for i in range(len(call.shapes))]
        variables = {leaf: names.claim(leaf.label) for leaf in leaves}
        params = self._parameter_variables(writer)
        rate = names.claim("lr")
        count, total, loss = names.claim("count"), names.claim("total"), names.claim("loss")
        sample = self._section(writer, out, variables, params, recorder, "sample_loss")
        handles = {p: writer.handle(p, f"param_{params[p]}") for p in self.parameters}
        # A gradient may be held in another parameter's variable (an alias the
        # section writes for large graphs): copy it before that one is updated.
        locals_of_params = set(params.values())
        copies: list[str] = []
        updates: list[str] = []
        for p in self.parameters:
            grad = sample.grads.get(p, "0.0")  # a parameter the loss does not use: 0.0
            if grad in locals_of_params and grad != params[p]:
                copy = names.claim(f"g_{params[p]}")
                copies.append(f"{copy} = {grad}")
                grad = copy
            updates.append(f"{params[p]} = {params[p]} - {rate} * {grad}")
        loop = _sample_loop(call.shapes, [variables[leaf] for leaf in leaves], columns)
        body = [
            *(f"{params[p]} = {handle}.data" for p, handle in handles.items()),
            *sample.prologue,
            f"{count} = len({columns[0]})",
            f"{total} = 0.0",
            "# each sample in turn: its loss and gradients, then the SGD step",
            loop,
            *("    " + line for line in sample.lines),
            f"    {total} += {sample.value}",
            *("    " + line for line in copies),
            *("    " + line for line in updates),
            f"{loss} = {total} / {count}" if self.reduction == "mean" else f"{loss} = {total}",
            "# every sample done: the parameters are written back",
            *(f"{handle}.data = {params[p]}" for p, handle in handles.items()),
            f"return {loss}",
        ]
        what = "loss_fn + penalty" if self.penalty is not None else "loss_fn"
        header = [
            f"# One epoch of per-sample SGD on {what}, returning the {self.reduction} of the"
            " sample losses.",
            f"# Reads {len(handles)} parameters from .data, updates them per sample and writes"
            " them back; .grad is untouched.",
        ]
        return writer.finish(function, [*columns, rate], header, body)

    # -- eager mode, for fallback and verification
    def _eager_loss(self, call: _Call) -> Node:
        if not self.batched:
            return self._eager_sample(call.flat, call.shapes)
        losses = []
        for sample in self._samples(call):
            structured, _ = self._leaves(sample, call.shapes)
            losses.append(_as_output(self.loss_fn(self.model, *structured), self._where, "loss_fn"))
        out = losses[0]
        for term in losses[1:]:
            out = out + term
        if self.reduction == "mean":
            out = out / len(losses)
        if self.penalty is not None:
            out = out + _as_output(self.penalty(self.model), self._where, "penalty")
        return out

    def _eager_grads(self, call: _Call) -> tuple[float, list[float]]:
        out = self._eager_loss(call)
        return out.data, [float(g) for g in gradients(out, list(self.parameters))]

    def _eager(self, call: _Call) -> float:
        value, grads = self._eager_grads(call)
        for p, g in zip(self.parameters, grads):
            p.grad += g
        return value

    def _check(self, call: _Call) -> tuple[float, tuple[float, ...]]:
        saved = [p.grad for p in self.parameters]
        try:
            for p in self.parameters:
                p.grad = 0.0
            value: float = self._run(call.args, verify=False)
            compiled = tuple(float(p.grad) for p in self.parameters)
        finally:
            for p, g in zip(self.parameters, saved):
                p.grad = g
        eager_value, eager_grads = self._eager_grads(call)
        _compare_results(
            self._where, [value, *compiled], [eager_value, *eager_grads], self.rtol, self.atol
        )
        return value, compiled


def compile_loss(
    model: Any,
    loss_fn: Callable[..., Any],
    *,
    parameters: Iterable[Node] | None = None,
    batched: bool = False,
    reduction: Literal["mean", "sum"] = "mean",
    penalty: Callable[[Any], Any] | None = None,
    verify_every: int = 0,
    rtol: float = 1e-9,
    atol: float = 1e-12,
    on_branch_change: Literal["retrace", "raise"] = "retrace",
    max_variants: int = 8,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> CompiledLoss:
    """Compile a model's loss, with the model's parameters as its inputs.

    ``loss_fn(model, *inputs)`` returns the loss as a Node. The compiled loss
    takes the inputs (numbers, or lists/tuples of numbers), reads the current
    parameter values from ``p.data``, returns the loss value and adds its
    gradient into ``p.grad``: a drop-in replacement for
    ``loss = loss_fn(model, *inputs); loss.backward()`` in a training loop.

    >>> import micrograd as mg
    >>> model = mg.nn.WeightSum(w1=2.0, w2=0.0, b=1.0)
    >>> def sample_loss(model, x, y):
    ...     return (model(x, 0.0) - y) ** 2
    >>> step = mg.compile_loss(model, sample_loss)
    >>> step(3.0, 4.0)
    9.0
    >>> model.w1.grad, model.b.grad
    (18.0, 6.0)

    With ``batched=True``, `loss_fn` is the loss of *one* sample: it is traced
    once and the generated code loops over the batch, each argument being a
    list with one entry per sample. The loss is the mean (or, with
    ``reduction="sum"``, the sum) of the sample losses, plus ``penalty(model)``
    when given. This keeps the generated code small for any batch size.

    >>> step = mg.compile_loss(model, sample_loss, batched=True, reduction="sum")
    >>> model.zero_grad()
    >>> step([3.0, 1.0], [4.0, 3.0])
    9.0
    >>> model.w1.grad, model.b.grad
    (18.0, 6.0)

    A batched loss can also train: ``step.sgd_epoch(*columns, lr=...)`` runs
    one epoch of per-sample SGD (each sample's loss and gradient, then
    ``p.data -= lr * g`` for every parameter) as one generated loop, which
    keeps the parameters in local variables and writes them to ``.data`` at
    the end. It gives the eager loop's parameters bit for bit, leaves
    ``.grad`` alone, and changes no parameter when it fails (see
    `CompiledLoss.sgd_epoch`).

    Args:
        model: passed to `loss_fn`; its ``named_parameters()`` (or
            ``parameters()``) are the inputs, unless `parameters` is given.
        loss_fn: ``loss_fn(model, *inputs) -> Node``.
        parameters: the leaf Nodes to differentiate, read and update.
        batched: trace `loss_fn` for one sample and loop over the batch.
        reduction: "mean" or "sum" of the sample losses (batched only).
        penalty: ``penalty(model) -> Node`` added to the loss (e.g. L2).
        verify_every: every N-th call also runs the loss eagerly and raises
            `VerificationError` if loss or gradients differ (0: never); for
            `CompiledLoss.sgd_epoch`, the epoch, comparing loss and parameters.
        rtol: the relative tolerance of that comparison.
        atol: its absolute tolerance.
        on_branch_change: ``"retrace"`` or ``"raise"``, as for
            `micrograd.compile`. A batched loss cannot retrace per sample: a
            guard that fails raises `BranchError` either way.
        max_variants: the number of traces kept per argument structure.
        max_nodes: the largest graph to generate code for (None: no limit).

    The parameters are fixed when traced: if the model gets new Parameter
    objects, call `CompiledLoss.retrace()`. Changing their ``.data`` (what
    optimizers do) needs nothing.
    """
    return CompiledLoss(
        model,
        loss_fn,
        parameters=parameters,
        batched=batched,
        reduction=reduction,
        penalty=penalty,
        verify_every=verify_every,
        rtol=rtol,
        atol=atol,
        on_branch_change=on_branch_change,
        max_variants=max_variants,
        max_nodes=max_nodes,
    )
