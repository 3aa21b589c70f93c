"""Compiled mode against hostile names, captured Nodes, signed zeros and threads.

Nothing taken from a user object reaches generated source except as one
printable comment line; a compiled call gives eager mode's bits or refuses;
traces in several threads at once never mix.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import pytest

import micrograd as mg
from micrograd import nn

INJECTED = "\nraise SystemExit(99)\n"
LINE_BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"]


def assert_only_in_comments(source: str, text: str) -> None:
    """`text` appears in `source` only after a ``#`` on its line."""
    for line in source.splitlines():
        if text in line:
            assert "#" in line and line.index("#") < line.index(text), line


class Callable:
    """A callable object whose repr, name and qualified name carry code."""

    def __init__(self, text: str) -> None:
        self.__qualname__ = f"q{text}q"
        self.__name__ = f"n{text}n"
        self.text = text

    def __repr__(self) -> str:
        return f"r{self.text}r"

    def __call__(self, x: Any) -> Any:
        return mg.relu(x) * 2 if x > 0 else x * 3


@pytest.mark.parametrize("brk", LINE_BREAKS)
def test_names_of_a_callable_object_never_become_code(brk: str) -> None:
    f = Callable(INJECTED.replace("\n", brk))
    compiled = mg.compile(f)
    assert compiled(2.0) == (4.0, (2.0,))
    assert_only_in_comments(compiled.source, "SystemExit")
    # Python sees the lines Python sees: no line of the source is a statement of the name.
    assert all(
        not line.strip().startswith("raise SystemExit") for line in compiled.source.splitlines()
    )


def test_a_callable_without_names_uses_its_repr_safely() -> None:
    class Bare:
        def __repr__(self) -> str:
            return "Bare()\nimport os; os._exit(3)"

        def __call__(self, x: Any) -> Any:
            return x * x

    compiled = mg.compile(Bare())
    assert compiled(3.0) == (9.0, (6.0,))
    assert_only_in_comments(compiled.source, "os._exit")


@pytest.mark.parametrize("brk", LINE_BREAKS)
def test_a_hostile_file_name_in_a_guard_stays_a_comment(brk: str) -> None:
    # The guard's comment names the file and line of the comparison.
    filename = f"evil{brk}raise SystemExit(99){brk}#.py"
    namespace: dict[str, Any] = {"mg": mg}
    code = compile("def f(x):\n    return x * 2 if x > 1 else x * 3\n", filename, "exec")
    exec(code, namespace)
    compiled = mg.compile(namespace["f"])
    assert compiled(2.0) == (4.0, (2.0,))
    assert compiled(0.5) == (1.5, (3.0,))  # the other branch: traced again
    assert_only_in_comments(compiled.source, "SystemExit")


def test_labels_become_identifiers_only() -> None:
    def f(x: Any) -> Any:
        y = x * 2
        y.label = "a = 1\nraise SystemExit(99)#"
        return y * y

    compiled = mg.compile(f)
    assert compiled(1.5) == (9.0, (12.0,))
    assert "a_1_raise_SystemExit_99 = x * 2.0" in compiled.source  # a name, nothing more
    assert "raise SystemExit" not in compiled.source


def test_a_compiled_loss_with_hostile_names() -> None:
    def loss(model: nn.Module, x: Any) -> Any:
        return (model(x, 0.0) - 1.0) ** 2

    loss.__qualname__ = INJECTED
    compiled = mg.compile_loss(nn.WeightSum(w1=2.0, w2=0.0, b=1.0), loss)
    assert compiled(1.0) == 4.0
    assert_only_in_comments(compiled.source, "SystemExit")


# -- what is captured how ----------------------------------------------------------


def both(f: Any, *args: float) -> tuple[Any, Any]:
    return mg.compile(f)(*args), mg.value_and_grad(f)(*args)


def test_a_node_made_before_the_call_is_read_not_recomputed() -> None:
    p = mg.Node(2.0)
    h = p * 3  # made before: eager mode uses its stored value
    compiled = mg.compile(lambda x: h * x)
    assert compiled(1.0) == (6.0, (6.0,))
    p.data = 10.0
    eager = mg.value_and_grad(lambda x: h * x)(1.0)
    assert eager == (6.0, 6.0)
    assert compiled(1.0) == (eager[0], (eager[1],))
    h.data = 7.0  # and a change of the stored value is seen by both
    assert compiled(1.0) == (7.0, (7.0,)) == (mg.value_and_grad(lambda x: h * x)(1.0)[0], (7.0,))


def test_a_node_made_inside_from_captured_leaves_is_recomputed() -> None:
    p = mg.Node(2.0)
    compiled = mg.compile(lambda x: mg.exp(p * p) * x)
    assert compiled(1.0)[0] == math.exp(4.0)
    p.data = 1.0
    assert (
        compiled(1.0)
        == (math.e, (math.e,))
        == (math.e, (mg.grad(lambda x: mg.exp(p * p) * x)(1.0),))
    )


def test_chains_and_mixtures_of_both() -> None:
    p, q = mg.Node(2.0), mg.Node(3.0)
    before = mg.tanh(p * q) + p  # a chain made before the call
    f = lambda x: (before * x + p * q) * mg.sin(x + before)  # noqa: E731
    compiled = mg.compile(f)
    for values in [(2.0, 3.0), (0.5, -1.0), (4.0, 0.25)]:
        p.data, q.data = values
        value, grad = mg.value_and_grad(f)(0.7)
        assert compiled(0.7) == (value, (grad,))


def test_a_memoised_node_is_read_as_eager_mode_reads_it() -> None:
    p = mg.Node(2.0)
    cache: dict[str, mg.Node] = {}

    def f(x: Any) -> Any:
        if "h" not in cache:
            cache["h"] = p * p
        return cache["h"] * x

    compiled = mg.compile(f)
    assert compiled(1.0) == (4.0, (4.0,))
    p.data = 5.0
    assert compiled(1.0) == (4.0, (4.0,)) == ((v := mg.value_and_grad(f)(1.0))[0], (v[1],))


def test_a_guard_on_a_node_made_before_the_call() -> None:
    p = mg.Node(2.0)
    h = p * 3
    f = lambda x: x * 2 if h > 5 else x * 3  # noqa: E731
    compiled = mg.compile(f)
    assert compiled(1.0) == (2.0, (2.0,))
    h.data = 1.0
    assert compiled(1.0) == (3.0, (3.0,))


def test_a_loss_through_a_stored_value_of_parameters_is_refused() -> None:
    model = nn.WeightSum(w1=2.0, w2=0.0, b=1.0)
    stored = model.w1 * 2  # made from a parameter before the call
    compiled = mg.compile_loss(model, lambda m, x: (m(x, 0.0) - stored) ** 2)
    with pytest.raises(mg.CompileError, match="computed before the call from 1 of the model's"):
        compiled(1.0)


def test_a_loss_may_use_a_stored_value_of_other_nodes() -> None:
    model = nn.WeightSum(w1=2.0, w2=0.0, b=1.0)
    target = mg.Node(0.5) * 2  # made before the call, from no parameter
    compiled = mg.compile_loss(model, lambda m, x: (m(x, 0.0) - target) ** 2)
    assert compiled(1.0) == 4.0
    target.data = 3.0
    assert compiled(1.0) == 0.0


# -- signed zeros --------------------------------------------------------------------


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x * -0.0,
        lambda x: -(x * 0.0),
        lambda x: (-x) * 0.0 + x * -0.0,
        lambda x: mg.relu(-x) * x,
        lambda x: mg.neg(-x) + abs(-x),
    ],
)
@pytest.mark.parametrize("x", [1.0, -1.0, 0.0, -0.0])
def test_gradients_have_eager_signs_of_zero(f: Any, x: float) -> None:
    value, grad = mg.value_and_grad(f)(x)
    compiled_value, (compiled_grad,) = mg.compile(f)(x)
    assert repr((compiled_value, compiled_grad)) == repr((value, grad))


# -- threads -------------------------------------------------------------------------


def test_traces_in_several_threads_at_once_never_mix() -> None:
    results: dict[int, list[tuple[float, float]]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(k: int) -> None:
        try:
            start.wait(10)
            scale = float(k + 1)

            def f(x: Any) -> Any:
                y = x * scale
                for _ in range(3):  # decisions on values: guards of this thread's trace
                    y = y * 0.5 if y > 0 else y - 1
                return y * y

            compiled = mg.compile(f, max_variants=16)
            mine = []
            for i in range(30):
                x = 0.1 * i - 1.0
                value, (grad,) = compiled(x)
                mine.append((value, grad))
                eager = mg.value_and_grad(f)(x)
                assert (value, grad) == eager, (k, x)
            results[k] = mine
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(results) == list(range(8))


# -- NaN and bad local gradients, as eager mode has them ---------------------------------

NAN_CASES = [(math.nan, 1.0), (1.0, math.nan), (math.nan, math.nan), (1.0, 1.0), (2.0, -1.0)]


@pytest.mark.parametrize("op", [mg.maximum, mg.minimum])
@pytest.mark.parametrize(("a", "b"), NAN_CASES)
def test_extremes_propagate_nan_compiled_as_eager(op: mg.Op, a: float, b: float) -> None:
    f = lambda x, y: op(x, y) * 2  # noqa: E731
    value, grads = mg.value_and_grad(f, argnums=(0, 1))(a, b)
    assert repr(mg.compile(f)(a, b)) == repr((value, grads))
    if math.isnan(a) or math.isnan(b):
        assert math.isnan(value)


@pytest.mark.parametrize("x", [math.nan, 0.0, -0.0, 2.0, -2.0, math.inf])
def test_relu_propagates_nan_compiled_as_eager(x: float) -> None:
    value, grad = mg.value_and_grad(mg.relu)(x)
    assert repr(mg.compile(mg.relu)(x)) == repr((value, (grad,)))


def test_a_local_gradient_of_a_wrong_type_is_refused_compiled_as_eager() -> None:
    bad = mg.op(lambda t: t, grad=lambda t, o: (1j,), name="bad")
    message = r"bad\(1\.0\): local gradients: the partial derivative for input 0 must be"
    with pytest.raises(TypeError, match=message):
        mg.compile(lambda x: bad(x) * 2)(1.0)
    with pytest.raises(TypeError, match=message):
        mg.value_and_grad(lambda x: bad(x) * 2)(1.0)


def test_a_node_from_a_formula_counts_as_its_value_compiled_as_eager() -> None:
    nodey = mg.op(lambda t: 2 * t, grad=lambda t, o: (mg.exp(mg.Node(0.0)) * 2,), name="nodey")
    compiled = mg.compile(lambda x: nodey(x) * 2)(1.0)
    assert compiled == (4.0, (4.0,)) and type(compiled[1][0]) is float
    assert mg.value_and_grad(lambda x: nodey(x) * 2)(1.0) == (4.0, 4.0)
