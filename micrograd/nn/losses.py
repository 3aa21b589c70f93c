"""Loss functions: `mse_loss`, `hinge_loss`, the binary cross entropies and `cross_entropy`.

Imports: `micrograd.node`, `micrograd.ops`, `micrograd.checks`; `module` of this package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from micrograd import checks
from micrograd.nn.module import _plural
from micrograd.node import Node, NodeLike
from micrograd.ops import log, maximum, relu, softplus

# ---------------------------------------------------------------------------
# Losses

_REDUCTIONS = ("mean", "sum")

#: What the losses accept as `input` and `target`: one value, or a sequence of values.
Values = NodeLike | Sequence[NodeLike]


def _is_scalar(value: object) -> bool:
    # A Node, or any real number (NumPy and Decimal scalars too), as opposed to a sequence.
    if isinstance(value, (Node, int, float)):
        return True
    return hasattr(value, "__float__") and not isinstance(value, (str, bytes, Sequence))


def _value(value: object, where: str, name: str) -> NodeLike:
    """A Node as it is, any other value as a float (micrograd.checks' rule for values)."""
    return value if isinstance(value, Node) else checks.real(value, where, name)


def _pairs(input: Values, target: Values, where: str) -> list[tuple[NodeLike, NodeLike]]:
    """Pair up predictions and targets, checking that both are values or equal-length lists."""
    if _is_scalar(input) and _is_scalar(target):
        return [(_value(input, where, "input"), _value(target, where, "target"))]
    if _is_scalar(input) or _is_scalar(target):
        one, other = ("input", "target") if _is_scalar(input) else ("target", "input")
        raise TypeError(
            f"{where}: {one} is a single value but {other} is a sequence; pass both as"
            " single values or both as sequences of the same length"
        )
    for name, value in (("input", input), ("target", target)):
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeError(
                f"{where}: {name} must be a number, a Node or a sequence of them,"
                f" got {type(value).__name__}"
            )
    assert isinstance(input, Sequence) and isinstance(target, Sequence)
    if len(input) != len(target):
        raise ValueError(
            f"{where}: input has {_plural(len(input), 'value')} but target has {len(target)}"
        )
    if not input:
        raise ValueError(f"{where}: input and target are empty")
    return [
        (_value(x, where, f"input[{i}]"), _value(y, where, f"target[{i}]"))
        for i, (x, y) in enumerate(zip(input, target))
    ]


def _reduce(terms: list[Node], reduction: str) -> Node:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    if reduction == "mean" and len(terms) > 1:
        return total / len(terms)
    return total


def _check_reduction(reduction: str, where: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean' or 'sum', got {reduction!r}")


def _value_of(x: NodeLike) -> float:
    return x.data if isinstance(x, Node) else float(x)


def mse_loss(input: Values, target: Values, reduction: str = "mean") -> Node:
    """Squared error ``(input - target) ** 2``, averaged (or summed) over a list.

    >>> from micrograd import nn
    >>> nn.mse_loss([1.0, 2.0], [0.0, 0.0]).data
    2.5
    """
    _check_reduction(reduction, "mse_loss")
    pairs = _pairs(input, target, "mse_loss")
    terms = [(_as_node(x) - y) ** 2 for x, y in pairs]
    return _reduce(terms, reduction)


def _as_node(x: NodeLike) -> Node:
    return x if isinstance(x, Node) else Node(x)


def hinge_loss(input: Values, target: Values, margin: float = 1.0, reduction: str = "mean") -> Node:
    """The SVM max-margin loss ``relu(margin - target * input)`` for targets -1 or +1.

    This is the loss of Karpathy's micrograd demo (`input` is the raw score).

    >>> from micrograd import nn
    >>> nn.hinge_loss([2.0, 0.5], [1, -1]).data
    0.75
    """
    _check_reduction(reduction, "hinge_loss")
    pairs = _pairs(input, target, "hinge_loss")
    for index, (_, y) in enumerate(pairs):
        if _value_of(y) not in (-1.0, 1.0):
            raise ValueError(f"hinge_loss: target {index} must be -1 or +1, got {_value_of(y)!r}")
    terms = [relu(margin - _as_node(x) * y) for x, y in pairs]
    return _reduce(terms, reduction)


# PyTorch clamps log-probabilities at -100 so that a probability of exactly 0
# or 1 gives a large finite loss instead of inf.
_LOG_FLOOR = math.exp(-100.0)


def _clamped_log(x: Node) -> Node:
    return log(maximum(x, _LOG_FLOOR))


def binary_cross_entropy(input: Values, target: Values, reduction: str = "mean") -> Node:
    """``-(t*log(p) + (1-t)*log(1-p))`` for probabilities `p` in [0, 1].

    Each log is floored at -100, as PyTorch does, so ``p`` of exactly 0 or 1
    gives a finite loss. For raw scores use `binary_cross_entropy_with_logits`,
    which is more accurate.

    >>> from micrograd import nn
    >>> round(nn.binary_cross_entropy(0.5, 1.0).data, 6)
    0.693147
    """
    _check_reduction(reduction, "binary_cross_entropy")
    pairs = _pairs(input, target, "binary_cross_entropy")
    for index, (p, t) in enumerate(pairs):
        for name, value in (("input", _value_of(p)), ("target", _value_of(t))):
            if not 0.0 <= value <= 1.0:
                raise ValueError(
                    f"binary_cross_entropy: {name} {index} must be in [0, 1], got {value!r}"
                )
    terms = []
    for p, t in pairs:
        node = _as_node(p)
        terms.append(-(t * _clamped_log(node) + (1 - t) * _clamped_log(1 - node)))
    return _reduce(terms, reduction)


def binary_cross_entropy_with_logits(
    input: Values, target: Values, reduction: str = "mean"
) -> Node:
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits.

    Uses ``softplus(x) - x*t``, which equals
    ``-(t*log(sigmoid(x)) + (1-t)*log(1-sigmoid(x)))`` and never overflows.

    >>> from micrograd import nn
    >>> round(nn.binary_cross_entropy_with_logits(0.0, 1.0).data, 6)
    0.693147
    >>> nn.binary_cross_entropy_with_logits(-1000.0, 1.0).data
    1000.0
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    pairs = _pairs(input, target, "binary_cross_entropy_with_logits")
    for index, (_, t) in enumerate(pairs):
        if not 0.0 <= _value_of(t) <= 1.0:
            raise ValueError(
                f"binary_cross_entropy_with_logits: target {index} must be in [0, 1],"
                f" got {_value_of(t)!r}"
            )
    terms = [softplus(_as_node(x)) - x * t for x, t in pairs]
    return _reduce(terms, reduction)


def _log_sum_exp(logits: Sequence[NodeLike]) -> Node:
    # Shifting by the largest value keeps every exp <= 1; the shift is a
    # constant, so the gradient (the softmax) is unchanged.
    shift = max(_value_of(v) for v in logits)
    total: Node | None = None
    for v in logits:
        term = (_as_node(v) - shift).exp()
        total = term if total is None else total + term
    assert total is not None
    return total.log() + shift


def cross_entropy(
    logits: Sequence[NodeLike] | Sequence[Sequence[NodeLike]],
    target: int | Sequence[int],
    reduction: str = "mean",
) -> Node:
    """Softmax cross-entropy ``logsumexp(logits) - logits[target]``.

    Either one sample (a list of logits and an int class index) or a batch
    (a list of such lists and a list of ints). The log-sum-exp is shifted by
    the largest logit, so large logits do not overflow.

    >>> from micrograd import nn
    >>> round(nn.cross_entropy([0.0, 0.0], 1).data, 6)
    0.693147
    >>> nn.cross_entropy([1000.0, 0.0], 0).data
    0.0
    """
    _check_reduction(reduction, "cross_entropy")
    if _is_class_index(target):
        samples: list[Sequence[NodeLike]] = [logits]  # type: ignore[list-item]
        targets: list[int] = [target]  # type: ignore[list-item]
    else:
        if isinstance(target, (str, bytes)) or not isinstance(target, Sequence):
            raise TypeError(
                f"cross_entropy: target must be a class index or a list of them,"
                f" got {type(target).__name__}"
            )
        samples = list(logits)  # type: ignore[arg-type]
        targets = list(target)
        if len(samples) != len(targets):
            raise ValueError(
                f"cross_entropy: {_plural(len(samples), 'sample')} of logits but"
                f" {len(targets)} targets"
            )
        if not samples:
            raise ValueError("cross_entropy: no samples")
    terms = []
    for index, (row, t) in enumerate(zip(samples, targets)):
        if _is_scalar(row) or isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise TypeError(
                f"cross_entropy: sample {index} must be a list of logits, got {type(row).__name__}"
            )
        if not row:
            raise ValueError(f"cross_entropy: sample {index} has no logits")
        row = [
            _value(v, "cross_entropy", f"logit {i} of sample {index}") for i, v in enumerate(row)
        ]
        if not _is_class_index(t) or not 0 <= t < len(row):
            raise ValueError(
                f"cross_entropy: target {index} must be a class index in [0, {len(row)}), got {t!r}"
            )
        terms.append(_log_sum_exp(row) - row[t])
    return _reduce(terms, reduction)


def _is_class_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
