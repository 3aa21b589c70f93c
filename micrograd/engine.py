"""Karpathy's micrograd engine API: ``from micrograd.engine import Value``.

`Value` is `micrograd.Node` under the name Karpathy's micrograd gives it, so
code written for his package runs on this engine unchanged and every result
is an ordinary Node (it works with `micrograd.grad`, `micrograd.nn`, the
optimizers and the pictures of `micrograd.viz`).

What his code uses is all there: ``Value(data, label='')``, ``.data``,
``.grad``, ``.backward()``, ``.relu()``, ``.tanh()``, ``.exp()``, ``**`` with
a number, every operator and its reflected form, and the two attributes his
``draw_dot`` reads: ``._prev`` (the set of inputs) and ``._op`` (his string
for the op: ``'+'``, ``'*'``, ``'**2'``, ``'ReLU'``, ``'tanh'``, ``'exp'``).

>>> from micrograd.engine import Value
>>> a, b = Value(-4.0), Value(2.0)
>>> c = (a * b + b**3).relu()
>>> c.backward()
>>> c.data, a.grad, b.grad, c._op
(0.0, 0.0, 0.0, 'ReLU')

The few places where the two engines mean different things on purpose are
listed in the migration guide, ``docs/guides/coming-from.md``.

Imports: `micrograd.node` (the operators come from `micrograd.ops`, which
the package imports before this module).
"""

from __future__ import annotations

from micrograd.node import Node

#: Karpathy's name for `micrograd.Node`: the same class, not a copy.
Value = Node

__all__ = ["Value"]
