"""Emitters: how each op writes its value and its local gradients as Python code.

`register_emitter` is the public way to teach compiled mode a custom op; the
built-in ops register theirs here, each the same float operations that
`micrograd.ops` performs, in the same order.

Imports: `micrograd.ops`; `expressions` of this package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from micrograd import ops as _ops
from micrograd.compile.expressions import (
    _ADD,
    _ATOM,
    _HALF,
    _INT_ZERO,
    _MINUS_ONE,
    _MUL,
    _ONE,
    _ZERO,
    _atom,
    _binary,
    _call,
    _choose,
    _compare,
    _Expr,
    _literal,
    _negate,
    _number,
    _operand,
    _power_expr,
)
from micrograd.ops import LeakyReLU, Op, PowConst

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
    # out * sigmoid(-x): 1 - out would lose every digit of a small tail to cancellation.
    lambda op, x, out: (_binary(out, "*", _sigmoid_expr(_negate(x[0])), _MUL),),
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
# relu, maximum and minimum test what eager mode tests, in its order, so that a
# NaN takes the same branch: NaN in gives NaN out, and PyTorch's gradients.
_builtin(
    _ops.relu,
    lambda op, x: _choose(_ZERO, _compare(x[0], "<", _INT_ZERO), x[0], 0),
    lambda op, x, out: (_choose(_ZERO, _compare(x[0], "<=", _INT_ZERO), _ONE, 0),),
)


def _extremum_grads(first: str, second: str) -> GradsEmitter:
    def grads(op: Op, x: Sequence[_Expr], out: _Expr) -> tuple[_Expr, _Expr]:
        wins, loses = _compare(x[0], first, x[1]), _compare(x[0], second, x[1])
        tie = _compare(x[0], "==", x[1])
        return (
            _choose(_ONE, wins, _choose(_ZERO, loses, _choose(_HALF, tie, _ONE, 0), 0), 0),
            _choose(_ZERO, wins, _choose(_ONE, loses, _choose(_HALF, tie, _ONE, 0), 0), 0),
        )

    return grads


def _extremum(keeps: str) -> ForwardEmitter:
    def forward(op: Op, x: Sequence[_Expr]) -> _Expr:
        nan_first = _compare(x[0], "!=", x[0])
        return _choose(x[0], f"{_compare(x[0], keeps, x[1])} or {nan_first}", x[1], 0)

    return forward


_builtin(_ops.maximum, _extremum(">="), _extremum_grads(">", "<"))
_builtin(_ops.minimum, _extremum("<="), _extremum_grads("<", ">"))


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
    if k in (0.0, 1.0):
        return (_literal(k),)  # ops' constant slope (see `powers._base_grad`)
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
