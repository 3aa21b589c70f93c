"""Making the Nodes that ops make: `new_node`, the one definition of their fields.

The operator methods of `Op.operator` (`_operator_method`) and the constant
leaf of a plain-number operand (`_constant`) live here too, each with
`new_node`'s assignments written out for speed (see the comment below).
They name the op by `micrograd.node.OpLike`, or as `Any` where they use more
of it, so that this module stands below `micrograd.ops.core`, which imports
it.

Imports: `micrograd.node`, `micrograd.backprop` (the `MANY` marker),
`micrograd.checks`, `micrograd._state`; nothing in `micrograd.ops`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from micrograd import checks
from micrograd._state import current_tracer, grad_enabled
from micrograd.backprop import MANY
from micrograd.node import Constant, Node, OpLike

_new = object.__new__

# ---------------------------------------------------------------------------
# Making Nodes. `new_node` is the one definition of an op-made Node's fields.
# Three places write its assignments out instead of calling it, each saving a
# call per operation (a tenth of a long chain's time): the operator methods
# (`_operator_method`, just below), the one-input fast path `Op.call1` (in
# micrograd/ops/core.py), and the constant leaf (`_constant`, below).
# tests/test_node_factory.py checks each against `new_node`, slot for slot: a
# field added here must be added to them too.


def new_node(data: float, a: Any, b: Any, fn: OpLike) -> Node:
    """A Node made by an op: the one definition of its fields.

    `a` and `b` are the inputs as `Node` keeps them (see `Node.__slots__`):
    ``(None, None)`` for no recorded inputs, ``(x, None)`` for one,
    ``(x, y)`` for two (a plain-number operand as a float), and
    ``(tuple_of_inputs, MANY)`` for more. The two hottest paths
    (`Op.call1` and the operator methods of `Op.operator`) write these same
    assignments out inline, to save a call per operation; a test checks that
    every path sets every field alike.
    """
    node = _new(Node)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node._a = a
    node._b = b
    node._fn = fn
    node._visit = 0
    return node


def _input_slots(inputs: tuple[Node | float, ...]) -> tuple[Any, Any]:
    if len(inputs) == 1:
        return inputs[0], None
    if len(inputs) == 2:
        return inputs
    if inputs:
        return inputs, MANY
    return None, None


def _operator_method(op: Any, reflected: bool) -> Callable[[Node, object], Any]:
    """`op.operator(reflected)`: the method, with `new_node` written out for speed.

    `op` is a two-input `micrograd.ops.Op` (its `forward`, `name`, and the
    checks `_checked`, `_failed`, `_result`).
    """
    forward, name = op.forward, op.name

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
                other = _operand(other, name)
                if other is NotImplemented:
                    return NotImplemented
            value: float = other  # type: ignore[assignment]
            if current_tracer() is not None:
                other = _constant(value, name)
            if reflected:
                a, b = other, node  # type: ignore[assignment]
                x, y = value, node.data
            else:
                a, b = node, other  # type: ignore[assignment]
                x, y = node.data, value
        try:
            out = forward(x, y)
        except Exception as error:
            op._failed(error, x, y)
        if type(out) is not float or not op._checked:
            return op._result(out, (a, b), [x, y])
        # new_node(out, a, b, op), written out (see new_node).
        result = _new(Node)
        result.data = out
        result.grad = 0.0
        result.label = ""
        if grad_enabled():
            result._a = a
            result._b = b
        else:
            result._a = result._b = None
        result._fn = op
        result._visit = 0
        return result

    method.__name__ = f"__r{name}__" if reflected else f"__{name}__"
    method.__doc__ = f"The op {name}, as an operator."
    return method


def _operand(value: object, where: str) -> Any:
    """A plain-number operand of an operator as a float, or NotImplemented."""
    if isinstance(value, (int, float)):
        return checks.real(value, where)
    if isinstance(value, (str, bytes, complex)) or not hasattr(value, "__float__"):
        return NotImplemented
    try:
        return checks.real(value, where)
    except TypeError:
        return NotImplemented


def _constant(value: object, where: str) -> Node:
    """A `Constant` leaf for a plain-number operand (`where` names the op in errors)."""
    # new_node(value, None, None, None)'s fields, written out for a Constant,
    # whose grad is a property (always 0.0) rather than a stored field.
    node = _new(Constant)
    node.data = value if type(value) is float else checks.real(value, where)
    node.label = ""
    node._a = node._b = None
    node._fn = None
    node._visit = 0
    tracer = current_tracer()
    if tracer is not None:
        tracer.constant(node)
    return node
