"""Safe formulas: what is accepted, what it computes, and what is refused."""

from __future__ import annotations

import ast
import builtins
import math
from pathlib import Path

import pytest

import micrograd as mg
from micrograd import formula as formula_module
from micrograd.formula import FUNCTIONS, FormulaError, parse_assignment, parse_formula


def test_the_issue_example_value_and_gradients() -> None:
    formula = parse_formula("relu(x**2 - 2*y)")
    assert formula.variables == ("x", "y")
    z = formula.evaluate({"x": 3.0, "y": 2.0})
    z.backward()
    leaves = {n.label: n for n in mg.topological_order(z) if n.label}
    assert z.data == 5.0
    assert leaves["x"].grad == 6.0
    assert leaves["y"].grad == -2.0
    assert set(leaves) == {"x", "y"}  # variables are labelled leaves


def test_each_variable_is_one_node_however_often_it_appears() -> None:
    z = parse_formula("x * x + x")(x=3)
    z.backward()
    xs = {n for n in mg.topological_order(z) if n.label == "x"}
    assert len(xs) == 1
    assert xs.pop().grad == 7.0  # 2x + 1


def test_given_nodes_are_used_as_they_are() -> None:
    x = mg.Node(2.0, label="mine")
    z = parse_formula("3 * x")(x=x)
    z.backward()
    assert x.grad == 3.0


def test_variables_in_reading_order() -> None:
    assert parse_formula("sigmoid(w*x + b)").variables == ("w", "x", "b")
    assert parse_formula("b + a * b").variables == ("b", "a")
    assert parse_formula("2 + 3").variables == ()


@pytest.mark.parametrize(
    ("text", "x", "expected", "slope"),
    [
        ("exp(x)", 0.5, math.exp(0.5), math.exp(0.5)),
        ("log(x)", 2.0, math.log(2.0), 0.5),
        ("sqrt(x)", 4.0, 2.0, 0.25),
        ("sin(x)", 0.3, math.sin(0.3), math.cos(0.3)),
        ("cos(x)", 0.3, math.cos(0.3), -math.sin(0.3)),
        ("tan(x)", 0.3, math.tan(0.3), 1 + math.tan(0.3) ** 2),
        ("tanh(x)", 0.3, math.tanh(0.3), 1 - math.tanh(0.3) ** 2),
        ("sigmoid(x)", 0.0, 0.5, 0.25),
        ("relu(x)", -1.0, 0.0, 0.0),
        ("leaky_relu(x)", -2.0, -0.02, 0.01),
        ("leaky_relu(x, 0.2)", -2.0, -0.4, 0.2),
        ("leaky_relu(x, -0.5)", -2.0, 1.0, -0.5),
        ("softplus(x)", 0.0, math.log(2.0), 0.5),
        ("abs(x)", -3.0, 3.0, -1.0),
        ("maximum(x, 1)", 3.0, 3.0, 1.0),
        ("minimum(x, 1)", 3.0, 1.0, 0.0),
        ("-x", 3.0, -3.0, -1.0),
        ("+x", 3.0, 3.0, 1.0),
        ("x / 4", 2.0, 0.5, 0.25),
        ("2 ** x", 3.0, 8.0, 8.0 * math.log(2.0)),
        ("x ** -1", 2.0, 0.5, -0.25),
        ("1e-3 * x - 0.5", 2.0, -0.498, 1e-3),
    ],
)
def test_every_function_and_operator(text: str, x: float, expected: float, slope: float) -> None:
    leaf = mg.Node(x, label="x")
    z = parse_formula(text)(x=leaf)
    z.backward()
    assert z.data == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert leaf.grad == pytest.approx(slope, rel=1e-12, abs=1e-15)


def test_every_listed_function_is_the_library_function() -> None:
    assert set(FUNCTIONS) == {
        "exp",
        "log",
        "sqrt",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "relu",
        "leaky_relu",
        "softplus",
        "abs",
        "maximum",
        "minimum",
    }
    assert FUNCTIONS["abs"] is mg.abs
    assert FUNCTIONS["tanh"] is mg.tanh


def test_a_formula_of_numbers_alone_is_a_node() -> None:
    z = parse_formula("2 * 3 + 1")()
    assert isinstance(z, mg.Node)
    assert z.data == 7.0
    assert parse_formula("-4")().data == -4.0


def test_precedence_follows_python() -> None:
    assert parse_formula("-x ** 2")(x=3).data == -9.0
    assert parse_formula("2 ** 3 ** 2")().data == 512.0
    assert parse_formula("(1 + 2) * 3 - 4 / 2")().data == 7.0


def test_long_chains_evaluate_without_recursion() -> None:
    text = "+".join(["x"] * 400)
    z = parse_formula(text)(x=1.5)
    z.backward()
    assert z.data == 600.0
    assert next(n for n in mg.topological_order(z) if n.label == "x").grad == 400.0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("x.__class__", "attribute access is not allowed (found `x.__class__`)"),
        ("x.__class__.__bases__[0]", "is not allowed"),
        ("exp(x).data", "attribute access is not allowed"),
        ("math.exp(x)", "attribute access is not allowed (found `math.exp`"),
        ("__import__('os')", "calling __import__() is not allowed"),
        ("__import__('os').system('echo hi')", "is not allowed"),
        ("open('f')", "calling open() is not allowed (found `open('f')`)"),
        ("eval('1')", "calling eval() is not allowed"),
        ("print(x)", "calling print() is not allowed"),
        ("x[0]", "subscript is not allowed (found `x[0]`)"),
        ("lambda: 1", "lambda is not allowed (found `lambda: 1`)"),
        ("(lambda: 1)()", "only functions called by name are allowed"),
        ("'abc'", "a string is not allowed (found `'abc'`)"),
        ("exp('1')", "a string is not allowed"),
        ("b'abc'", "a bytes string is not allowed"),
        ("f'{x}'", "f-string is not allowed"),
        ("[i for i in x]", "list comprehension is not allowed"),
        ("(i for i in x)", "generator expression is not allowed"),
        ("[x, y]", "list is not allowed"),
        ("(x, y)", "tuple is not allowed"),
        ("{x: y}", "dict is not allowed"),
        ("x < y", "comparison is not allowed"),
        ("x and y", "and/or is not allowed"),
        ("x if y else 1", "conditional expression is not allowed"),
        ("(x := 3)", "assignment expression (:=) is not allowed"),
        ("x // 2", "the operator // is not allowed"),
        ("x % 2", "the operator % is not allowed"),
        ("x @ y", "the operator @ is not allowed"),
        ("~x", "the operator ~ is not allowed"),
        ("not x", "the operator not is not allowed"),
        ("True", "True/False is not allowed"),
        ("None", "None is not allowed"),
        ("1j", "a complex number is not allowed (found `1j`)"),
        ("...", "an ellipsis is not allowed"),
    ],
)
def test_anything_outside_the_whitelist_is_refused_by_name(text: str, found: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert found in str(caught.value)


def test_refusals_say_what_is_allowed() -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula("x.__class__")
    message = str(caught.value)
    assert "numbers, variable names, + - * / **" in message
    assert "exp, log, sqrt" in message
    with pytest.raises(FormulaError, match="the functions a formula may call are exp, log"):
        parse_formula("open('f')")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("", "the formula is empty"),
        ("   ", "the formula is empty"),
        ("x +", "not a valid formula"),
        ("import os", "not a valid formula"),
        ("x = 3", "not a valid formula"),
        ("x; y", "not a valid formula"),
        ("exp", "exp is a function: call it"),
        ("exp + 1", "exp is a function"),
        ("exp()", "exp() takes 1 argument(s), got 0"),
        ("exp(x, y)", "exp() takes 1 argument(s), got 2"),
        ("maximum(x)", "maximum() takes 2 argument(s), got 1"),
        ("leaky_relu(x, 0.1, 2)", "leaky_relu() takes 1 or 2 argument(s), got 3"),
        ("leaky_relu(x, y)", "leaky_relu's slope must be a number (found `y`)"),
        ("exp(x=1)", "exp() takes plain positional arguments"),
        ("exp(*x)", "plain positional arguments"),
        ("1" + "0" * 400, "is too large"),
        ("-" * 9_998 + "x", "nested too deeply"),
        ("**".join(["x"] * 3_000), "nested too deeply"),
        ("x + 1e999", "the number `1e999` is too large"),
        ("x" * 10_001, "the limit is 10000"),
    ],
)
def test_malformed_formulas(text: str, found: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert found in str(caught.value)


@pytest.mark.parametrize("symbol", ["+", "*", "-", "/"])
def test_a_flat_chain_as_long_as_the_limit_allows_is_not_too_deep(symbol: str) -> None:
    # A flat chain is a left-leaning tree as deep as it is long: 5,000 terms
    # (9,999 characters) must parse, evaluate and differentiate.
    formula = parse_formula(symbol.join(["x"] * 5_000))
    root = formula.evaluate({"x": 1.0})
    root.backward()
    expected = {"+": (5000.0, 5000.0), "*": (1.0, 5000.0), "-": (-4998.0, -4998.0)}
    expected["/"] = (1.0, -4998.0)
    assert (root.data, formula_leaf(root).grad) == expected[symbol]


def formula_leaf(root: mg.Node) -> mg.Node:
    return next(node for node in mg.topological_order(root) if node.label == "x")


def test_formula_errors_are_value_errors() -> None:
    assert issubclass(FormulaError, ValueError)
    with pytest.raises(FormulaError, match="a formula is text, got int"):
        parse_formula(3)  # type: ignore[arg-type]


def test_variables_must_match_the_values() -> None:
    formula = parse_formula("x * y")
    with pytest.raises(FormulaError, match="no value given for y"):
        formula(x=1)
    with pytest.raises(FormulaError, match="z: not in the formula 'x \\* y', which uses x, y"):
        formula(x=1, y=2, z=3)
    with pytest.raises(TypeError, match="expected a Node or a real number"):
        formula(x=1, y="2")  # type: ignore[arg-type]


def test_math_errors_name_the_op_and_value() -> None:
    with pytest.raises(ValueError, match="log"):
        parse_formula("log(x)")(x=0)
    with pytest.raises(ZeroDivisionError):
        parse_formula("1 / x")(x=0)


def test_nothing_is_ever_evaluated_as_python(monkeypatch: pytest.MonkeyPatch) -> None:
    # The module's source calls none of eval, exec or compile ...
    source = Path(formula_module.__file__).read_text(encoding="utf-8")
    called = {
        node.func.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"eval", "exec", "compile", "__import__", "getattr"}

    # ... and parsing and evaluating work with eval and exec gone.
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    assert parse_formula("relu(x**2 - 2*y)")(x=3, y=2).data == 5.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x=3", ("x", 3.0)),
        (" y = -2.5 ", ("y", -2.5)),
        ("rate=1e-3", ("rate", 1e-3)),
        ("x1=0", ("x1", 0.0)),
    ],
)
def test_assignments(text: str, expected: tuple[str, float]) -> None:
    assert parse_assignment(text) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("x", "expected name=value, such as x=3"),
        ("x=", "'' is not a number"),
        ("x=abc", "'abc' is not a number"),
        ("x=nan", "must be a finite number"),
        ("x=inf", "must be a finite number"),
        ("1x=2", "'1x' is not a variable name"),
        ("x.y=2", "'x.y' is not a variable name"),
        ("=2", "'' is not a variable name"),
        ("exp=2", "exp is a function name"),
    ],
)
def test_bad_assignments(text: str, found: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_assignment(text)
    assert found in str(caught.value)
