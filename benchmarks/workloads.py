"""The benchmark workloads, each written once and generic over a scalar class.

A scalar class is anything with the micrograd-style API: ``V(data)``, the operators
``+ - * / **`` with plain numbers on either side, ``.relu()``, ``.backward()``, ``.grad``
and ``.data``. Gradients are reset by assigning ``.grad = 0.0`` (an engine can supply a
different ``zero_grad``).

Every workload is split into an untimed setup (``prepare_*``, which makes the data and the
long-lived leaves) and a timed :class:`Case.run`, which builds the graph, runs the backward
pass, applies any update and drops the graph before returning. Values left on the leaves
are read afterwards, untimed, by :class:`Case.collect`. The formulas themselves (the MLP,
the hinge loss, the chain, the wide sum, the seed network's loss) are plain functions of
scalars, shared with engines that run the workloads their own way (compiled mode).

All data is generated in code from fixed seeds, so every engine sees identical inputs.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Result = dict[str, float | list[float]]
"""What a workload reports: named scalars and lists of floats, compared across engines."""

MOONS_SEED = 1337
MOONS_NOISE = 0.1
MLP_SEED = 42
MLP_SIZES = (2, 16, 16, 1)
W1_ALPHA = 1e-4
W1_STEP = 0
W3_SEED = 7
W4_LR = 1e-3
CHAIN_MUL = 1.0001
CHAIN_ADD = 0.0001

LayerWeights = tuple[list[list[float]], list[float]]
"""One dense layer as plain floats: a weight row per neuron, and the biases."""


@dataclass(frozen=True)
class WorkloadInfo:
    """Name and one-line description of a workload, for reports and the command line."""

    key: str
    short: str
    title: str
    size_name: str


WORKLOADS: dict[str, WorkloadInfo] = {
    info.key: info
    for info in (
        WorkloadInfo("W1", "demo step", "MLP 2-16-16-1 training step on two moons", "points"),
        WorkloadInfo("W2", "deep chain", "y = y*1.0001 + 0.0001 repeated, then backward", "steps"),
        WorkloadInfo("W3", "wide sum", "builtin sum of a_i*b_i, then backward", "terms"),
        WorkloadInfo("W4", "seed epoch", "12-parameter seed network, per-sample SGD", "samples"),
    )
}


def assign_zero_grads(params: Sequence[Any]) -> None:
    """Reset gradients the way both micrograd-style engines allow: ``p.grad = 0.0``."""
    for p in params:
        p.grad = 0.0


@dataclass(frozen=True)
class ScalarOps:
    """How a workload creates scalars and resets gradients for one engine."""

    make: Callable[[float], Any]
    zero_grad: Callable[[Sequence[Any]], None] = assign_zero_grads


def _no_details() -> Result:
    return {}


@dataclass
class Case:
    """One prepared repetition of a workload.

    ``run`` is the timed part and returns cheap scalar results; ``collect`` reads what the
    run left on long-lived leaves (updated parameters, leaf gradients) and is not timed.
    """

    run: Callable[[], Result]
    collect: Callable[[], Result] = field(default=_no_details)

    def run_and_collect(self) -> Result:
        """Run once and return the full result (used by checks, not by timing)."""
        return {**self.run(), **self.collect()}


# --------------------------------------------------------------------------- data


def make_moons(
    n: int, noise: float = MOONS_NOISE, seed: int = MOONS_SEED
) -> tuple[list[tuple[float, float]], list[float]]:
    """Two interleaving half circles with Gaussian noise; labels -1 (upper) and +1 (lower).

    The upper moon is ``(cos t, sin t)`` and the lower one ``(1 - cos t, 0.5 - sin t)`` for
    ``t`` evenly spaced on ``[0, pi]``; points are shuffled with the same seeded generator.
    """
    rng = random.Random(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    points: list[tuple[float, float, float]] = []
    for count, label in ((n_upper, -1.0), (n_lower, 1.0)):
        for k in range(count):
            t = math.pi * k / (count - 1) if count > 1 else 0.0
            if label < 0:
                x, y = math.cos(t), math.sin(t)
            else:
                x, y = 1.0 - math.cos(t), 0.5 - math.sin(t)
            points.append((x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise), label))
    rng.shuffle(points)
    return [(x, y) for x, y, _ in points], [label for _, _, label in points]


def init_mlp(sizes: Sequence[int] = MLP_SIZES, seed: int = MLP_SEED) -> list[LayerWeights]:
    """Initial MLP parameters as floats: weights uniform in [-1, 1], biases zero."""
    rng = random.Random(seed)
    layers: list[LayerWeights] = []
    for n_in, n_out in itertools.pairwise(sizes):
        weights = [[rng.uniform(-1.0, 1.0) for _ in range(n_in)] for _ in range(n_out)]
        layers.append((weights, [0.0] * n_out))
    return layers


def w1_learning_rate(step: int = W1_STEP) -> float:
    """The demo's decaying learning rate ``1.0 - 0.9 * k / 100`` at step ``k``."""
    return 1.0 - 0.9 * step / 100


def seed_params() -> list[float]:
    """Initial parameters of the seed network: w1..w8 = 1..8 then b1..b4 = 9..12."""
    return [float(v) for v in range(1, 13)]


def seed_samples(n: int) -> list[tuple[float, float, float]]:
    """Samples ``(x1, x2, y)`` with ``x1 = x2 = y = k / 100`` for ``k = 0 .. n-1``."""
    return [(k / 100, k / 100, k / 100) for k in range(n)]


def wide_sum_data(n: int, seed: int = W3_SEED) -> tuple[list[float], list[float]]:
    """Two lists of ``n`` positive floats (uniform in [0.5, 1.5]) for the wide sum."""
    rng = random.Random(seed)
    a = [rng.uniform(0.5, 1.5) for _ in range(n)]
    b = [rng.uniform(0.5, 1.5) for _ in range(n)]
    return a, b


# ----------------------------------------------------------- generic formulas
# The workloads' formulas, shared by the eager workloads below and the compiled engine.

ScalarLayers = list[tuple[list[list[Any]], list[Any]]]
"""An MLP's parameters as scalars: per layer, a weight row per neuron and the biases."""


def make_mlp(make: Callable[[float], Any]) -> tuple[ScalarLayers, list[Any]]:
    """The MLP's initial parameters (:func:`init_mlp`) as scalars made by ``make``.

    Returns the layers and the flat parameter list: each neuron's weights, then its bias.
    """
    layers = [
        ([[make(w) for w in row] for row in weights], [make(b) for b in biases])
        for weights, biases in init_mlp()
    ]
    params = [
        p
        for weights, biases in layers
        for row, b in zip(weights, biases, strict=True)
        for p in (*row, b)
    ]
    return layers, params


def mlp_score(layers: Sequence[tuple[list[list[Any]], list[Any]]], x: Sequence[Any]) -> Any:
    """Forward pass of the MLP for one input: ReLU on hidden layers, linear output."""
    act = list(x)
    last = len(layers) - 1
    for depth, (weights, biases) in enumerate(layers):
        out = []
        for row, bias in zip(weights, biases, strict=True):
            s = bias
            for w, a in zip(row, act, strict=True):
                s = s + w * a
            out.append(s if depth == last else s.relu())
        act = out
    return act[0]


def hinge(y: Any, score: Any) -> Any:
    """One point's hinge loss ``relu(1 - y * score)``."""
    return (1 - y * score).relu()


def l2_penalty(params: Sequence[Any]) -> Any:
    """W1's regularisation ``1e-4 * sum(p * p)``."""
    return W1_ALPHA * sum(p * p for p in params)


def chain(x: Any, steps: int) -> Any:
    """W2's chain: ``y = y * 1.0001 + 0.0001`` repeated ``steps`` times from ``x``."""
    y = x
    for _ in range(steps):
        y = y * CHAIN_MUL + CHAIN_ADD
    return y


def wide_sum(a: Sequence[Any], b: Sequence[Any]) -> Any:
    """W3's ``sum(a_i * b_i)`` with the builtin ``sum``."""
    return sum(ai * bi for ai, bi in zip(a, b, strict=True))


def seed_loss(params: Sequence[Any], x1: Any, x2: Any, y: Any) -> Any:
    """W4's per-sample loss of the seed network (parameters w1..w8, b1..b4)."""
    w1, w2, w3, w4, w5, w6, w7, w8, b1, b2, b3, b4 = params
    f = w1 * x1 + w2 * x2 + b1
    g = w3 * x1 + w4 * x2 + b2
    h = w5 * f + w6 * g + b3
    i = w7 * f + w8 * g + b4
    j = h + 2 * i
    return (j - y) ** 2


# ---------------------------------------------------------------- generic workloads


def prepare_w1(ops: ScalarOps, size: int) -> Case:
    """W1: one training step of the micrograd demo over ``size`` two-moons points.

    Loss is the mean hinge loss ``relu(1 - y * score)`` plus ``1e-4 * sum(p * p)``; the step
    zeroes gradients, runs backward and applies SGD with the demo's step-0 learning rate.
    """
    xs, ys = make_moons(size)
    layers, params = make_mlp(ops.make)
    lr = w1_learning_rate()

    def run() -> Result:
        inputs = [[ops.make(x0), ops.make(x1)] for x0, x1 in xs]
        scores = [mlp_score(layers, x) for x in inputs]
        losses = [hinge(y, s) for y, s in zip(ys, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = l2_penalty(params)
        loss = data_loss + reg_loss
        ops.zero_grad(params)
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return {"loss": float(loss.data)}

    return Case(run, lambda: {"params": [float(p.data) for p in params]})


def prepare_w2(ops: ScalarOps, size: int) -> Case:
    """W2: a chain of ``size`` steps ``y = y * 1.0001 + 0.0001`` from a leaf, then backward."""
    x = ops.make(1.0)

    def run() -> Result:
        y = chain(x, size)
        y.backward()
        return {"y": float(y.data)}

    return Case(run, lambda: {"x_grad": float(x.grad)})


def prepare_w3(ops: ScalarOps, size: int) -> Case:
    """W3: ``sum(a_i * b_i)`` over ``size`` pairs of leaves with the builtin ``sum``."""
    a_vals, b_vals = wide_sum_data(size)
    a = [ops.make(v) for v in a_vals]
    b = [ops.make(v) for v in b_vals]

    def run() -> Result:
        y = wide_sum(a, b)
        y.backward()
        return {"y": float(y.data)}

    def collect() -> Result:
        return {"a_grad": [float(v.grad) for v in a], "b_grad": [float(v.grad) for v in b]}

    return Case(run, collect)


def prepare_w4(ops: ScalarOps, size: int) -> Case:
    """W4: one epoch of per-sample SGD (lr 1e-3) on the seed network over ``size`` samples.

    ``f = w1*x1 + w2*x2 + b1``, ``g = w3*x1 + w4*x2 + b2``, ``h = w5*f + w6*g + b3``,
    ``i = w7*f + w8*g + b4``, ``j = h + 2*i``, ``loss = (j - y)**2``.
    """
    params = [ops.make(v) for v in seed_params()]
    samples = seed_samples(size)

    def run() -> Result:
        total = 0.0
        for x1, x2, y in samples:
            loss = seed_loss(params, x1, x2, y)
            ops.zero_grad(params)
            loss.backward()
            for p in params:
                p.data -= W4_LR * p.grad
            total += float(loss.data)
        return {"mean_loss": total / len(samples)}

    return Case(run, lambda: {"params": [float(p.data) for p in params]})


PREPARE: dict[str, Callable[[ScalarOps, int], Case]] = {
    "W1": prepare_w1,
    "W2": prepare_w2,
    "W3": prepare_w3,
    "W4": prepare_w4,
}
"""Generic workloads by key."""
