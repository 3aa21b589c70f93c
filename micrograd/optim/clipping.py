"""Gradient clipping: `clip_grad_norm` (also as `clip_grad_norm_`).

Imports: `micrograd.checks`, `micrograd.node`; `optimizer` of this package (its
rules for settings and gradients).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from micrograd import checks
from micrograd.node import Node
from micrograd.optim.optimizer import _gradient, _non_negative


def clip_grad_norm(params: Iterable[Node], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale the gradients so that their norm is at most `max_norm`; return the norm before.

    As in PyTorch: the total norm is taken over all gradients together, and
    when it exceeds `max_norm` every gradient is multiplied by
    ``max_norm / (total_norm + 1e-6)``. `norm_type` may be any p >= 1 or
    ``math.inf``.

    >>> import micrograd as mg
    >>> a, b = mg.Node(0.0), mg.Node(0.0)
    >>> a.grad, b.grad = 3.0, 4.0
    >>> mg.optim.clip_grad_norm([a, b], 1.0)
    5.0
    >>> round(a.grad, 6), round(b.grad, 6)
    (0.6, 0.8)
    """
    where = "clip_grad_norm"
    if isinstance(params, (Node, str, bytes)) or not isinstance(params, Iterable):
        raise TypeError(f"{where}: params must be an iterable of Nodes, got {checks.shown(params)}")
    nodes = list(params)
    max_norm = _non_negative(max_norm, "max_norm", where)
    norm_type = checks.setting(norm_type, where, "norm_type", infinite=True)
    if not norm_type >= 1.0:
        raise ValueError(f"clip_grad_norm: norm_type must be >= 1 or inf, got {norm_type!r}")
    for index, p in enumerate(nodes):
        if not isinstance(p, Node):
            raise TypeError(f"{where}: parameter {index} must be a Node, got {checks.shown(p)}")
    grads = [abs(_gradient(p, index, where)) for index, p in enumerate(nodes)]
    total = _norm(grads, norm_type)
    coefficient = max_norm / (total + 1e-6)
    if not coefficient >= 1.0:  # a NaN norm makes every gradient NaN, as in PyTorch
        for p in nodes:
            p.grad = p.grad * coefficient
    return total


def _norm(magnitudes: list[float], norm_type: float) -> float:
    """The p-norm of non-negative numbers, scaled so that no power overflows or underflows."""
    if not magnitudes:
        return 0.0
    if any(math.isnan(g) for g in magnitudes):
        return math.nan
    largest = max(magnitudes)
    if norm_type == math.inf or largest == 0.0 or largest == math.inf:
        return largest
    if norm_type == 2.0:
        return math.hypot(*magnitudes)
    total: float = math.fsum((g / largest) ** norm_type for g in magnitudes)
    root: float = total ** (1.0 / norm_type)
    return largest * root


#: PyTorch's name for `clip_grad_norm` (the trailing underscore marks in-place).
clip_grad_norm_ = clip_grad_norm
