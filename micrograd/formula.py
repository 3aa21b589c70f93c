"""Safe formulas: text such as ``"relu(x**2 - 2*y)"`` turned into a graph of Nodes.

The text is parsed with Python's `ast` and checked against a whitelist before
anything is computed; it is never run as Python. A formula may contain

* numbers (``2``, ``0.5``, ``1e-3``); a number written in text, in a formula
  or in an assignment ``x=3``, must be a finite float (``1e999``, ``inf`` and
  ``nan`` are refused; a Node passed to `Formula.evaluate` may hold any value),
* variable names (``x``, ``y1``, ``rate``),
* the operators ``+ - * / **``, unary ``-`` and ``+``, and parentheses,
* calls of the library's functions by name: ``exp log sqrt sin cos tan tanh
  sigmoid relu leaky_relu softplus abs maximum minimum``.

Anything else (attribute access, calls of other names, subscripts, lambdas,
comparisons, strings, ...) is refused with a `FormulaError` that names what
was found.

>>> from micrograd.formula import parse_formula
>>> formula = parse_formula("relu(x**2 - 2*y)")
>>> formula.variables
('x', 'y')
>>> z = formula.evaluate({"x": 3.0, "y": 2.0})
>>> z.backward()
>>> z.data
5.0

Imports: `micrograd.node`, `micrograd.ops`.
"""

from __future__ import annotations

import ast
import math
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from micrograd import ops
from micrograd.node import Node, NodeLike, as_float

__all__ = ["FUNCTIONS", "Formula", "FormulaError", "parse_assignment", "parse_formula"]

#: The functions a formula may call, by name.
FUNCTIONS: dict[str, Callable[..., Node]] = {
    "exp": ops.exp,
    "log": ops.log,
    "sqrt": ops.sqrt,
    "sin": ops.sin,
    "cos": ops.cos,
    "tan": ops.tan,
    "tanh": ops.tanh,
    "sigmoid": ops.sigmoid,
    "relu": ops.relu,
    "leaky_relu": ops.leaky_relu,
    "softplus": ops.softplus,
    "abs": ops.absolute,
    "maximum": ops.maximum,
    "minimum": ops.minimum,
}

# How many arguments each function takes: (fewest, most).
_ARITY: dict[str, tuple[int, int]] = dict.fromkeys(FUNCTIONS, (1, 1))
_ARITY.update(maximum=(2, 2), minimum=(2, 2), leaky_relu=(1, 2))

_BINARY: dict[type[ast.operator], Callable[[Node | float, Node | float], Node]] = {
    ast.Add: ops.add,
    ast.Sub: ops.sub,
    ast.Mult: ops.mul,
    ast.Div: ops.div,
    ast.Pow: ops.pow,
}

_OPERATOR_TEXT: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}

# Friendly names for the constructs people try most often.
_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Slice: "slice",
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.Compare: "comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "conditional expression",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.JoinedStr: "f-string",
    ast.NamedExpr: "assignment expression (:=)",
    ast.Starred: "starred argument",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}

# Constants other than numbers, by the type of their value.
_CONSTANTS: dict[type, str] = {
    str: "a string",
    bytes: "a bytes string",
    bool: "True/False",
    type(None): "None",
    complex: "a complex number",
    type(...): "an ellipsis",
}

_ALLOWED_TEXT = (
    "a formula may use numbers, variable names, + - * / ** and parentheses, "
    "and the functions " + ", ".join(FUNCTIONS)
)

#: Formulas longer than this are refused before parsing.
MAX_LENGTH = 10_000


class FormulaError(ValueError):
    """A formula or an assignment that cannot be used, with the reason."""


def _snippet(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # unparse cannot fail on a parsed tree, but a message must not
        return type(node).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _refuse(node: ast.AST) -> FormulaError:
    """The error for a construct outside the whitelist, naming it."""
    if isinstance(node, ast.Constant):
        what = _CONSTANTS.get(type(node.value), f"a {type(node.value).__name__} constant")
        return FormulaError(f"{what} is not allowed (found `{_snippet(node)}`); {_ALLOWED_TEXT}")
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        symbol = _OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)
        return FormulaError(
            f"the operator {symbol} is not allowed (found `{_snippet(node)}`); {_ALLOWED_TEXT}"
        )
    what = _CONSTRUCTS.get(type(node), type(node).__name__)
    return FormulaError(f"{what} is not allowed (found `{_snippet(node)}`); {_ALLOWED_TEXT}")


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name):
        if isinstance(node.func, ast.Attribute):
            raise FormulaError(
                f"attribute access is not allowed (found `{_snippet(node.func)}` in "
                f"`{_snippet(node)}`); {_ALLOWED_TEXT}"
            )
        raise FormulaError(
            f"only functions called by name are allowed (found `{_snippet(node)}`); {_ALLOWED_TEXT}"
        )
    name = node.func.id
    if name not in FUNCTIONS:
        raise FormulaError(
            f"calling {name}() is not allowed (found `{_snippet(node)}`); the functions a "
            f"formula may call are {', '.join(FUNCTIONS)}"
        )
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise FormulaError(f"{name}() takes plain positional arguments (found `{_snippet(node)}`)")
    fewest, most = _ARITY[name]
    if not fewest <= len(node.args) <= most:
        wanted = str(fewest) if fewest == most else f"{fewest} or {most}"
        raise FormulaError(
            f"{name}() takes {wanted} argument(s), got {len(node.args)} (in `{_snippet(node)}`)"
        )
    if name == "leaky_relu" and len(node.args) == 2 and _number(node.args[1]) is None:
        raise FormulaError(
            f"leaky_relu's slope must be a number (found `{_snippet(node.args[1])}`)"
        )


def _number(node: ast.AST) -> float | None:
    """The value of a number literal, possibly signed, else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        assert isinstance(value, (int, float))
        return sign * float(value)
    return None


def _validate(tree: ast.Expression, text: str = "") -> tuple[str, ...]:
    """Check every node of the tree against the whitelist; return the variable names."""
    variables: dict[str, None] = {}
    called: set[int] = set()
    for node in ast.walk(tree):  # breadth first, without recursion
        if isinstance(node, (ast.Expression, ast.Load)):
            continue
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float)) or isinstance(node.value, bool):
                raise _refuse(node)
            # A number written in text must denote a finite float, in a formula
            # as in an assignment (x=1e999 is refused the same way).
            try:
                finite = math.isfinite(float(node.value))
            except OverflowError:
                finite = False
            if not finite:
                written = ast.get_source_segment(text, node) or _snippet(node)
                raise FormulaError(f"the number `{written}` is too large") from None
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise _refuse(node)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise _refuse(node)
        elif isinstance(node, ast.operator | ast.unaryop):
            continue  # the operator of a BinOp/UnaryOp, checked there
        elif isinstance(node, ast.Call):
            _check_call(node)
            called.add(id(node.func))
        elif isinstance(node, ast.Name):
            if id(node) in called:
                continue
            if node.id in FUNCTIONS:
                raise FormulaError(
                    f"{node.id} is a function: call it, as in {node.id}(x), rather than "
                    f"using it as a value"
                )
            variables.setdefault(node.id, None)
        else:
            raise _refuse(node)
    return _in_reading_order(tree, variables)


def _in_reading_order(tree: ast.Expression, names: Mapping[str, None]) -> tuple[str, ...]:
    """The variable names, in the order they first appear in the text."""
    first: dict[str, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            where = (node.lineno, node.col_offset)
            if node.id not in first or where < first[node.id]:
                first[node.id] = where
    return tuple(sorted(first, key=first.__getitem__))


@dataclass(frozen=True)
class Formula:
    """A checked formula, ready to be evaluated on Nodes."""

    #: The formula as written.
    text: str
    #: Its variable names, in the order they first appear.
    variables: tuple[str, ...]
    #: The checked syntax tree that `evaluate` walks.
    tree: ast.Expression

    def evaluate(self, values: Mapping[str, NodeLike]) -> Node:
        """The formula's value as a Node, its graph built from the given variables.

        Each variable is a Node: a given Node is used as it is, a number
        becomes a leaf labelled with the variable's name (so pictures of the
        graph name it). Every occurrence of a variable is the same Node.

        Raises:
            FormulaError: a variable is missing, or a value is given for a
                name the formula does not use.
            ValueError, ArithmeticError: the math is undefined at these values
                (``log(0)``, ``1/0``), with the op and the values in the message.
        """
        missing = [name for name in self.variables if name not in values]
        if missing:
            raise FormulaError(f"no value given for {', '.join(missing)} (in {self.text!r})")
        unknown = [name for name in values if name not in self.variables]
        if unknown:
            uses = ", ".join(self.variables) or "no variables"
            raise FormulaError(
                f"{', '.join(unknown)}: not in the formula {self.text!r}, which uses {uses}"
            )
        leaves = {
            name: value if isinstance(value, Node) else Node(as_float(value, name), label=name)
            for name, value in values.items()
        }
        result = _evaluate(self.tree.body, leaves)
        return result if isinstance(result, Node) else Node(result)

    def __call__(self, **values: NodeLike) -> Node:
        """``formula(x=3, y=2)`` is ``formula.evaluate({"x": 3, "y": 2})``."""
        return self.evaluate(values)


def _evaluate(root: ast.expr, leaves: Mapping[str, Node]) -> Node | float:
    """Evaluate a checked tree without recursion (a formula may be a long chain)."""
    results: dict[int, Node | float] = {}
    stack: list[tuple[ast.expr, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        children = _children(node)
        if not ready and children:
            stack.append((node, True))
            stack.extend((child, False) for child in children)
            continue
        results[id(node)] = _apply(node, [results[id(c)] for c in children], leaves)
    return results[id(root)]


def _children(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _apply(node: ast.expr, args: list[Node | float], leaves: Mapping[str, Node]) -> Node | float:
    if isinstance(node, ast.Constant):
        value = node.value
        assert isinstance(value, (int, float))  # checked by _validate
        return float(value)
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](args[0], args[1])
    if isinstance(node, ast.UnaryOp):
        (operand,) = args
        if isinstance(node.op, ast.UAdd):
            return operand
        return ops.neg(operand) if isinstance(operand, Node) else -operand
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "leaky_relu" and len(args) == 2:
            return ops.leaky_relu(args[0], float(args[1]))
        return FUNCTIONS[node.func.id](*args)
    raise _refuse(node)  # unreachable after _validate


# A formula of MAX_LENGTH characters is at most about MAX_LENGTH / 2 operations
# deep (a flat sum ``x+x+...`` is a left-leaning chain of additions); Python's
# default recursion limit of 1,000 would refuse a 1,000-term sum as too deep.
_PARSE_DEPTH = MAX_LENGTH + 1_000
_PARSE_LOCK = threading.Lock()


def _parse(text: str) -> ast.Expression:
    """`ast.parse` with room for any flat chain that fits in `MAX_LENGTH`.

    Parsing only: the text is never compiled to code or run. Truly deep
    nesting (thousands of unary minuses, a tower of powers) still exceeds
    the parser's own stack and raises RecursionError or MemoryError.
    """
    with _PARSE_LOCK:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _PARSE_DEPTH))
        try:
            return ast.parse(text, mode="eval")
        finally:
            sys.setrecursionlimit(limit)


def parse_formula(text: str) -> Formula:
    """Parse and check a formula (see the module's docstring for what it may contain).

    >>> parse_formula("sigmoid(w*x + b)").variables
    ('w', 'x', 'b')

    Raises:
        FormulaError: the text is not a formula, or uses something outside
            the whitelist; the message names what was found.
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, got {type(text).__name__}")
    if not text.strip():
        raise FormulaError("the formula is empty")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    try:
        tree = _parse(text.strip())
    except SyntaxError as error:
        raise FormulaError(f"not a valid formula: {error.msg} (in {text!r})") from None
    except (RecursionError, MemoryError):
        raise FormulaError("the formula is nested too deeply") from None
    return Formula(text, _validate(tree, text.strip()), tree)


def parse_assignment(text: str) -> tuple[str, float]:
    """Split ``"name=value"`` into the name and the number.

    >>> parse_assignment("x=3")
    ('x', 3.0)

    Raises:
        FormulaError: no ``=``, a name that is not an identifier, or a value
            that is not a finite number.
    """
    if not isinstance(text, str):
        raise FormulaError(f"an assignment is text such as x=3, got {type(text).__name__}")
    name, equals, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not equals:
        raise FormulaError(f"expected name=value, such as x=3, got {text!r}")
    if not name.isidentifier():
        raise FormulaError(f"{name!r} is not a variable name (in {text!r})")
    if name in FUNCTIONS:
        raise FormulaError(f"{name} is a function name, not a variable (in {text!r})")
    try:
        number = float(value)
    except ValueError:
        raise FormulaError(f"{value!r} is not a number (in {text!r})") from None
    if not math.isfinite(number):
        raise FormulaError(f"the value of {name} must be a finite number, got {value!r}")
    return name, number
