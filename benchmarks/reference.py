"""Plain-float versions of the workloads with hand-derived gradients, and the checks.

These are the pure-Python floor of the benchmark (the "floats" engine) and the reference
every graph engine's results are compared against: W1 and W4 against the float versions
here, W2 and W3 against closed forms.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from operator import mul

from .workloads import (
    CHAIN_ADD,
    CHAIN_MUL,
    W1_ALPHA,
    W4_LR,
    Case,
    LayerWeights,
    Result,
    init_mlp,
    make_moons,
    seed_params,
    seed_samples,
    w1_learning_rate,
    wide_sum_data,
)

REL_TOL = 1e-9
"""Relative tolerance of every correctness check."""
ABS_TOL = 1e-12
"""Differences below this count as equal whatever the relative error (values near 0)."""


def _flat_params(layers: list[LayerWeights]) -> list[float]:
    """Parameters in the generic workload's order: each neuron's weights, then its bias."""
    return [
        p
        for weights, biases in layers
        for row, b in zip(weights, biases, strict=True)
        for p in (*row, b)
    ]


def float_w1(size: int) -> Case:
    """W1 in floats: forward over all points, hand-written backward, SGD update.

    Backward keeps, per layer, each point's output gradient and input; the weight
    gradients are then the sums over points of their products, as the chain rule gives.
    """
    xs, ys = make_moons(size)
    layers = init_mlp()
    lr = w1_learning_rate()
    last = len(layers) - 1

    def run() -> Result:
        inv_n = 1.0 / len(xs)
        columns = [list(zip(*weights, strict=True)) for weights, _ in layers]
        # Per layer: (gradient w.r.t. the layer's outputs, the layer's input), per point.
        records: list[list[tuple[list[float], list[float]]]] = [[] for _ in layers]
        hinge_total = 0.0
        for (x0, x1), y in zip(xs, ys, strict=True):
            inputs: list[list[float]] = []
            pre: list[list[float]] = []
            act = [x0, x1]
            for depth, (weights, biases) in enumerate(layers):
                inputs.append(act)
                z = [sum(map(mul, row, act), b) for row, b in zip(weights, biases, strict=True)]
                pre.append(z)
                act = z if depth == last else [v if v > 0 else 0.0 for v in z]
            margin = 1 - y * act[0]
            if margin <= 0:  # relu(margin) is flat here: no loss, no gradient
                continue
            hinge_total += margin
            # d loss / d score of this point's hinge term, through the mean.
            delta = [-y * inv_n]
            for depth in range(last, -1, -1):
                records[depth].append((delta, inputs[depth]))
                if depth:
                    d_in = [sum(map(mul, delta, col)) for col in columns[depth]]
                    delta = [d if z > 0 else 0.0 for d, z in zip(d_in, pre[depth - 1], strict=True)]
        reg = W1_ALPHA * sum(p * p for p in _flat_params(layers))
        loss = hinge_total * inv_n + reg
        # SGD with the L2 term's gradient d/dp (alpha * p * p) = 2 * alpha * p.
        for (weights, biases), record in zip(layers, records, strict=True):
            n_out, n_in = len(weights), len(weights[0])
            deltas = list(zip(*(d for d, _ in record), strict=True)) if record else [()] * n_out
            acts = list(zip(*(a for _, a in record), strict=True)) if record else [()] * n_in
            for j, row in enumerate(weights):
                dj = deltas[j]
                for k, w in enumerate(row):
                    row[k] = w - lr * (sum(map(mul, dj, acts[k])) + 2 * W1_ALPHA * w)
                biases[j] -= lr * (sum(dj) + 2 * W1_ALPHA * biases[j])
        return {"loss": loss}

    return Case(run, lambda: {"params": _flat_params(layers)})


def float_w2(size: int) -> Case:
    """W2 in floats: the chain forward, and d y / d x as the product of the multipliers."""
    state = {"x_grad": 0.0}

    def run() -> Result:
        y = 1.0
        for _ in range(size):
            y = y * CHAIN_MUL + CHAIN_ADD
        grad = 1.0
        for _ in range(size):
            grad *= CHAIN_MUL
        state["x_grad"] = grad
        return {"y": y}

    return Case(run, lambda: {"x_grad": state["x_grad"]})


def float_w3(size: int) -> Case:
    """W3 in floats: the sum of products; each factor's gradient is its partner."""
    a, b = wide_sum_data(size)
    state: dict[str, list[float]] = {}

    def run() -> Result:
        y = sum(ai * bi for ai, bi in zip(a, b, strict=True))
        state["a_grad"] = b[:]
        state["b_grad"] = a[:]
        return {"y": y}

    return Case(run, lambda: {"a_grad": state["a_grad"], "b_grad": state["b_grad"]})


def float_w4(size: int) -> Case:
    """W4 in floats: the seed network's epoch with its gradient written out by hand."""
    params = seed_params()
    samples = seed_samples(size)

    def run() -> Result:
        total = 0.0
        for x1, x2, y in samples:
            w1, w2, w3, w4, w5, w6, w7, w8, b1, b2, b3, b4 = params
            f = w1 * x1 + w2 * x2 + b1
            g = w3 * x1 + w4 * x2 + b2
            h = w5 * f + w6 * g + b3
            i = w7 * f + w8 * g + b4
            j = h + 2 * i
            total += (j - y) ** 2
            dj = 2 * (j - y)
            dh = dj
            di = 2 * dj
            df = dh * w5 + di * w7
            dg = dh * w6 + di * w8
            grads = (
                df * x1,
                df * x2,
                dg * x1,
                dg * x2,
                dh * f,
                dh * g,
                di * f,
                di * g,
                df,
                dg,
                dh,
                di,
            )
            for k, d in enumerate(grads):
                params[k] -= W4_LR * d
        return {"mean_loss": total / len(samples)}

    return Case(run, lambda: {"params": list(params)})


FLOAT_PREPARE: dict[str, Callable[[int], Case]] = {
    "W1": float_w1,
    "W2": float_w2,
    "W3": float_w3,
    "W4": float_w4,
}
"""Plain-float workloads by key."""

CHECK_SOURCE: dict[str, str] = {
    "W1": "floats",
    "W2": "closed form",
    "W3": "closed form",
    "W4": "floats",
}
"""What each workload's results are checked against."""


def expected(workload: str, size: int) -> Result:
    """The reference result of a workload at a size (float version or closed form)."""
    if workload == "W2":
        power = CHAIN_MUL**size
        y = power + CHAIN_ADD * (power - 1.0) / (CHAIN_MUL - 1.0)
        return {"y": y, "x_grad": power}
    if workload == "W3":
        a, b = wide_sum_data(size)
        return {
            "y": math.fsum(ai * bi for ai, bi in zip(a, b, strict=True)),
            "a_grad": b,
            "b_grad": a,
        }
    return FLOAT_PREPARE[workload](size).run_and_collect()


def _rel_error(got: float, want: float) -> float:
    if math.isnan(got) or math.isnan(want):
        return math.inf
    diff = abs(got - want)
    if diff <= ABS_TOL:
        return 0.0
    return diff / max(abs(got), abs(want))


def max_rel_error(result: Result, reference: Result) -> float:
    """Largest relative error over every value of ``reference``; inf if anything is missing."""
    worst = 0.0
    for key, want in reference.items():
        got = result.get(key)
        if got is None:
            return math.inf
        got_list: Sequence[float] = got if isinstance(got, list) else [got]
        want_list: Sequence[float] = want if isinstance(want, list) else [want]
        if len(got_list) != len(want_list):
            return math.inf
        for g, w in zip(got_list, want_list, strict=True):
            worst = max(worst, _rel_error(g, w))
    return worst


def matches(result: Result, reference: Result, rel_tol: float = REL_TOL) -> bool:
    """True when every value agrees with the reference within ``rel_tol``."""
    return max_rel_error(result, reference) <= rel_tol
