"""The tutorial's numbers for the engine layer (see shared/seed/README.md).

The "seed" column is what the tutorial's scheme gives (forward difference,
step 1e-10); ops declared with ``method="forward", eps=1e-10`` compute exactly
that scheme, so those values match to the last bit or to ~1e-9 relative where
the chain rule sums in a different order. The analytic column is exact.
"""

from __future__ import annotations

import pytest

import micrograd as mg


@mg.op(method="forward", eps=1e-10)
def seed_f(x: float, y: float) -> float:
    return x**2 - 2 * y


@mg.op(method="forward", eps=1e-10)
def seed_relu(x: float) -> float:
    return 2 * x if x > 0 else 0


@mg.op(method="forward", eps=1e-10)
def weight_sum(w1: float, w2: float, b: float, x1: float, x2: float) -> float:
    return w1 * x1 + w2 * x2 + b


@mg.op(method="forward", eps=1e-10)
def summation(x1: float, x2: float) -> float:
    return x1 + 2 * x2


def test_numeric_derivatives_of_the_polynomial_match_the_tutorial_exactly() -> None:
    assert mg.grad(seed_f, 0)(2.0, 0.0) == 4.000000330961484
    assert mg.grad(seed_f, 1)(0.0, 2.0) == -2.000000165480742


def test_numeric_slopes_of_the_custom_relu_match_the_tutorial_exactly() -> None:
    assert mg.grad(seed_relu)(1.0) == 2.000000165480742
    assert mg.grad(seed_relu)(-1.0) == 0.0


def test_composite_as_one_numeric_op_matches_the_tutorial() -> None:
    composite = mg.op(
        lambda x, y: seed_relu.forward(seed_f.forward(x, y)), method="forward", eps=1e-10
    )
    assert mg.grad(composite, (0, 1))(3.0, 2.0) == (12.000000992884452, -4.000000330961484)
    assert mg.grad(composite, (0, 1))(1.0, 2.0) == (0.0, 0.0)


def test_composite_through_the_chain_rule_is_close_to_the_tutorial() -> None:
    # Chaining two numeric ops multiplies two rounded slopes instead of taking
    # one difference of the composite: same value to ~1e-7 relative.
    dx, dy = mg.grad(lambda x, y: seed_relu(seed_f(x, y)), (0, 1))(3.0, 2.0)
    assert dx == pytest.approx(12.000000992884452, rel=1e-6)
    assert dy == pytest.approx(-4.000000330961484, rel=1e-6)


def test_default_scheme_is_far_closer_to_the_exact_values() -> None:
    f = mg.op(lambda x, y: x**2 - 2 * y)
    dx, dy = mg.grad(f, (0, 1))(2.0, 0.0)
    assert abs(dx - 4.0) < 1e-9 and abs(dy + 2.0) < 1e-9
    # ... while the tutorial's scheme is off by ~8e-8 relative.
    assert abs(mg.grad(seed_f, 0)(2.0, 0.0) - 4.0) > 1e-7


def test_weight_sum_value_and_local_gradients() -> None:
    inputs = [mg.Node(v) for v in (2.0, 3.0, 4.0, 5.0, 6.0)]
    out = weight_sum(*inputs)
    assert out.data == 32.0
    assert out.local_grads() == (
        5.000018177270249,
        5.999964969305438,
        1.000017846308765,
        2.00003569261753,
        2.999982484652719,
    )
    analytic = mg.add(mg.add(inputs[0] * inputs[3], inputs[1] * inputs[4]), inputs[2])
    analytic.backward()
    assert [x.grad for x in inputs] == [5.0, 6.0, 1.0, 2.0, 3.0]


def _network(layer: mg.Op, summ: mg.Op) -> tuple[dict[str, mg.Node], dict[str, mg.Node]]:
    leaves = {
        name: mg.Node(float(value), label=name)
        for name, value in zip(
            ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2", "b3", "b4", "x1", "x2"],
            range(1, 15),
        )
    }
    v = leaves
    f = layer(v["w1"], v["w2"], v["b1"], v["x1"], v["x2"])
    g = layer(v["w3"], v["w4"], v["b2"], v["x1"], v["x2"])
    h = layer(v["w5"], v["w6"], v["b3"], f, g)
    i = layer(v["w7"], v["w8"], v["b4"], f, g)
    j = summ(h, i)
    return leaves, {"f": f, "g": g, "h": h, "i": i, "j": j}


analytic_weight_sum = mg.op(
    lambda w1, w2, b, x1, x2: w1 * x1 + w2 * x2 + b,
    grad=lambda w1, w2, b, x1, x2, out: (x1, x2, 1.0, w1, w2),
)
analytic_summation = mg.op(lambda a, b: a + 2 * b, grad=lambda a, b, out: (1.0, 2.0))

EXACT_GRADS = {
    "w1": 247.0, "w2": 266.0, "w3": 286.0, "w4": 308.0, "w5": 50.0, "w6": 105.0,
    "w7": 100.0, "w8": 210.0, "b1": 19.0, "b2": 22.0, "b3": 1.0, "b4": 2.0,
}  # fmt: skip


def test_network_forward_values() -> None:
    _, layers = _network(analytic_weight_sum, analytic_summation)
    assert {k: n.data for k, n in layers.items()} == {
        "f": 50.0, "g": 105.0, "h": 891.0, "i": 1202.0, "j": 3295.0
    }  # fmt: skip


def test_network_leaf_gradients_exact_with_analytic_ops() -> None:
    leaves, layers = _network(analytic_weight_sum, analytic_summation)
    layers["j"].backward()
    assert {k: leaves[k].grad for k in EXACT_GRADS} == EXACT_GRADS


def test_network_gradients_with_the_tutorial_scheme() -> None:
    leaves, layers = _network(weight_sum, summation)
    layers["j"].backward()
    # The tutorial sums the paths through f in another order: ~1e-15 apart.
    assert leaves["w1"].grad == pytest.approx(247.1311126871836, rel=1e-9)
    for name, exact in EXACT_GRADS.items():
        assert leaves[name].grad == pytest.approx(exact, rel=1e-3)
        assert leaves[name].grad != exact  # the forward difference's error is visible


def test_network_with_operator_syntax_matches_exact() -> None:
    leaves = {k: mg.Node(float(v)) for k, v in zip(EXACT_GRADS, range(1, 13))}
    x1, x2 = mg.Node(13.0), mg.Node(14.0)
    v = leaves
    f = v["w1"] * x1 + v["w2"] * x2 + v["b1"]
    g = v["w3"] * x1 + v["w4"] * x2 + v["b2"]
    h = v["w5"] * f + v["w6"] * g + v["b3"]
    i = v["w7"] * f + v["w8"] * g + v["b4"]
    j = h + 2 * i
    assert j.data == 3295.0
    j.backward()
    assert {k: n.grad for k, n in leaves.items()} == EXACT_GRADS
