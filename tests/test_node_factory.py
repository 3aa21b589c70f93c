"""One definition of an op-made Node (`micrograd.ops.core.new_node`) and its written-out copies.

`Op.call1`, the operator methods of `Op.operator` (`_operator_method`) and
the constant leaf (`_constant`) assemble their Node inline rather than calling `new_node`, to
save a call per operation. These tests keep every copy equal to the one
definition, slot for slot, so that a slot added to `Node` and forgotten in
a copy fails here.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

import micrograd as mg
from micrograd.backprop import MANY
from micrograd.node import Constant, Node
from micrograd.ops import core
from micrograd.ops.core import new_node

#: Every field a Node stores (its slots; `__weakref__` is Python's own).
FIELDS = tuple(name for name in Node.__slots__ if name != "__weakref__")


def fields(node: Node) -> dict[str, Any]:
    """Every stored field of `node`, read from its slots (bypassing properties)."""
    return {name: _slot(node, name) for name in FIELDS}


#: What `fields` shows for a slot that was never assigned.
UNSET = "<unset>"


def _slot(node: Node, name: str) -> Any:
    # A Constant's `grad` is a property over the slot: read the slot itself.
    try:
        return Node.__dict__[name].__get__(node, Node)
    except AttributeError:
        return UNSET


def expected(data: float, a: Any, b: Any, fn: Any) -> dict[str, Any]:
    return fields(new_node(data, a, b, fn))


def test_new_node_sets_every_slot() -> None:
    node = new_node(2.5, None, None, mg.exp)
    assert fields(node) == {
        "_a": None,
        "_b": None,
        "_fn": mg.exp,
        "_visit": 0,
        "data": 2.5,
        "grad": 0.0,
        "label": "",
    }
    assert type(node) is Node


def test_call1_agrees_with_new_node() -> None:
    x = mg.Node(0.5)
    y = mg.tanh.call1(x)
    assert type(y) is Node
    assert fields(y) == expected(y.data, x, None, mg.tanh)
    with mg.no_grad():
        z = mg.exp.call1(x)
    assert fields(z) == expected(z.data, None, None, mg.exp)


@pytest.mark.parametrize("reflected", [False, True])
def test_operator_methods_agree_with_new_node(reflected: bool) -> None:
    x, y = mg.Node(3.0), mg.Node(-2.0)
    method: Callable[[Node, object], Any] = mg.mul.operator(reflected=reflected)
    a, b = (y, x) if reflected else (x, y)
    out = method(x, y)
    assert type(out) is Node
    assert fields(out) == expected(out.data, a, b, mg.mul)
    # A plain-number operand is kept as a float, on its own side.
    out = method(x, 4.0)
    a, b = (4.0, x) if reflected else (x, 4.0)
    assert fields(out) == expected(out.data, a, b, mg.mul)
    assert out.data == 12.0
    with mg.no_grad():
        out = method(x, y)
    assert fields(out) == expected(-6.0, None, None, mg.mul)


def test_the_operators_of_node_agree_with_new_node() -> None:
    x, y = mg.Node(3.0), mg.Node(2.0)
    for out, op, a, b in (
        (x + y, mg.add, x, y),
        (x - 1.0, mg.sub, x, 1.0),
        (2.0 * y, mg.mul, 2.0, y),
        (x / y, mg.div, x, y),
    ):
        assert fields(out) == expected(out.data, a, b, op)


def test_general_paths_use_new_node() -> None:
    # Three inputs, and a first call of a new op (its local gradients are
    # checked once): both go through Op._result, which calls new_node.
    three = mg.op(lambda p, q, r: p * q + r, grad=lambda p, q, r, out: (q, p, 1.0))
    x, y, z = mg.Node(1.0), mg.Node(2.0), mg.Node(3.0)
    out = three(x, y, z)
    assert fields(out) == expected(5.0, (x, y, z), MANY, three)
    square = mg.op(lambda t: t * t, grad=lambda t, out: (2 * t,))
    out = square(x)
    assert fields(out) == expected(1.0, x, None, square)


def test_constant_leaf_agrees_with_new_node() -> None:
    leaf = core._constant(7, "mul")
    assert type(leaf) is Constant
    assert leaf.grad == 0.0
    # Constant's grad is a property that reads 0.0 whatever the slot holds;
    # every other field is new_node's for a leaf.
    made = fields(leaf)
    want = expected(7.0, None, None, None)
    assert made["grad"] == UNSET
    del made["grad"], want["grad"]
    assert made == want
    assert made["data"] == 7.0


def _assigned_fields(function: Callable[..., Any], name: str) -> list[str]:
    """The attributes of the local `name` assigned in `function`'s source, in order."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found: list[str] = []
    for statement in ast.walk(tree):
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                for each in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if (
                        isinstance(each, ast.Attribute)
                        and isinstance(each.value, ast.Name)
                        and each.value.id == name
                    ):
                        found.append(each.attr)
    return found


def test_every_copy_assigns_the_fields_of_the_one_definition() -> None:
    definition = _assigned_fields(new_node, "node")
    assert sorted(definition) == sorted(FIELDS)
    assert sorted(set(_assigned_fields(core.Op.call1, "node"))) == sorted(FIELDS)
    assert sorted(set(_assigned_fields(core._operator_method, "result"))) == sorted(FIELDS)
    # The constant leaf stores every field but grad (Constant's own property).
    assert sorted(set(_assigned_fields(core._constant, "node"))) == sorted(set(FIELDS) - {"grad"})
