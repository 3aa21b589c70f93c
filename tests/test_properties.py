"""Property tests: backward() against finite differences on random expression trees."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import micrograd as mg
from micrograd import Node

# Smooth, total ops on bounded inputs, so finite differences are reliable and
# nothing overflows: unary ops squash or stay mild, binary ops stay polynomial.
UNARY: list[Callable[[Any], Any]] = [
    mg.tanh, mg.sin, mg.cos, mg.sigmoid, mg.softplus, lambda a: a * a,
    lambda a: -a, lambda a: mg.exp(mg.tanh(a)), lambda a: mg.sqrt(a * a + 1.0),
    lambda a: mg.log(a * a + 1.0), lambda a: 1.0 / (a * a + 1.0),
]  # fmt: skip
BINARY: list[Callable[[Any, Any], Any]] = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
    lambda a, b: a / (b * b + 1.0), lambda a, b: mg.maximum(a, b) + mg.minimum(a, b),
    lambda a, b: (a * a + 1.0) ** mg.tanh(b),
]  # fmt: skip

Tree = Any  # ("var", i) | ("unary", k, tree) | ("binary", k, tree, tree)

trees: st.SearchStrategy[Tree] = st.recursive(
    st.tuples(st.just("var"), st.integers(0, 2)),
    lambda sub: st.one_of(
        st.tuples(st.just("unary"), st.integers(0, len(UNARY) - 1), sub),
        st.tuples(st.just("binary"), st.integers(0, len(BINARY) - 1), sub, sub),
    ),
    max_leaves=12,
)


def evaluate(tree: Tree, xs: tuple[Any, ...]) -> Any:
    kind = tree[0]
    if kind == "var":
        return xs[tree[1]]
    if kind == "unary":
        return UNARY[tree[1]](evaluate(tree[2], xs))
    return BINARY[tree[1]](evaluate(tree[2], xs), evaluate(tree[3], xs))


values = st.floats(-2.0, 2.0, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=150, deadline=None)
@given(trees, values, values, values)
def test_backward_matches_finite_differences(tree: Tree, a: float, b: float, c: float) -> None:
    # maximum/minimum enter only as their sum (a + b), which is smooth, so
    # ties do not break the comparison.
    def f(*xs: Any) -> Node:
        out = evaluate(tree, xs)
        return out if isinstance(out, Node) else Node(out)

    # Richardson differences are good to ~1e-12 relative on smooth functions;
    # nested compositions have larger higher derivatives, hence 1e-6.
    assert mg.gradcheck(f, a, b, c, rtol=1e-6, atol=1e-8)


@settings(max_examples=60, deadline=None)
@given(trees, values, values, values)
def test_second_derivative_matches_finite_differences_of_the_first(
    tree: Tree, a: float, b: float, c: float
) -> None:
    first = mg.grad(lambda x, y, z: evaluate(tree, (x, y, z)))
    second = mg.grad(first)(a, b, c)
    numeric = mg.numeric_grad(lambda x: first(x, b, c), a)[0]
    assert abs(second - numeric) <= 1e-5 + 1e-5 * abs(numeric)
