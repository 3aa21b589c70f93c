"""One rule per kind of argument, applied everywhere.

Every public function validates its arguments with these helpers, so that a
bad value gets the same clear error wherever it is passed: the error names
the function (`where`) and the argument, says what was expected and shows
what was found. This module imports nothing from micrograd.

The kinds:

* **values** (`real`): the data of a Node, an operand, a sample. Any real
  number: `int`, `float`, `bool`, and anything else with a `__float__` that
  is not complex or text (`decimal.Decimal`, `fractions.Fraction`, NumPy
  scalars). NaN and infinities are allowed. An int too large for a float is
  a ValueError.
* **settings** (`setting`): a learning rate, a step, a tolerance, a slope. A
  real number as above but not a bool, never NaN, finite unless the caller
  allows infinity, and inside the stated range.
* **counts** (`count`): a number of steps, nodes, epochs. An `int` (or
  anything with `__index__`), not a bool, at least `minimum`.
* **switches** (`switch`): a `bool`, nothing else.
* **text** (`text`): a `str`, nothing else (labels, names).
"""

from __future__ import annotations

import math
import operator
from typing import NoReturn


def shown(value: object, limit: int = 60) -> str:
    """`value`'s type and a short repr, for error messages."""
    try:
        text = repr(value)
    except Exception:  # a repr that fails must not hide the real error
        text = "<unprintable>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{type(value).__name__} {text}"


def _refuse(where: str, name: str, expected: str, value: object, kind: type[Exception]) -> NoReturn:
    if name:
        raise kind(f"{where}: {name} must be {expected}, got {shown(value)}")
    raise kind(f"{where}: expected {expected}, got {shown(value)}")


def real(value: object, where: str, name: str = "") -> float:
    """`value` as a float, if it is a real number (see the module's rules for values).

    >>> real(3, "Node")
    3.0
    >>> real("a", "Node")
    Traceback (most recent call last):
    ...
    TypeError: Node: expected a Node or a real number, got str 'a'
    """
    if type(value) is float:
        return value
    if type(value) is not int and (
        isinstance(value, (str, bytes, complex)) or not hasattr(value, "__float__")
    ):
        _refuse(where, name, _A_NUMBER if name else "a Node or a real number", value, TypeError)
    try:
        return float(value)
    except OverflowError:
        _refuse(where, name, "a real number within the range of a float", value, ValueError)
    except (TypeError, ValueError):
        _refuse(where, name, _A_NUMBER if name else "a Node or a real number", value, TypeError)


_A_NUMBER = "a real number"


def setting(
    value: object,
    where: str,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: float | None = None,
    infinite: bool = False,
) -> float:
    """`value` as a float, if it is a valid setting (see the module's rules for settings).

    `minimum`/`maximum` are inclusive bounds, `above`/`below` exclusive ones.

    >>> setting(0.1, "SGD", "lr", minimum=0.0)
    0.1
    >>> setting(True, "SGD", "lr", minimum=0.0)
    Traceback (most recent call last):
    ...
    TypeError: SGD: lr must be a real number (not a bool), got bool True
    """
    if isinstance(value, bool):
        _refuse(where, name, "a real number (not a bool)", value, TypeError)
    number = real(value, where, name)
    wanted = [f">= {minimum:g}"] if minimum is not None else []
    wanted += [f"> {above:g}"] if above is not None else []
    wanted += [f"<= {maximum:g}"] if maximum is not None else []
    wanted += [f"< {below:g}"] if below is not None else []
    inside = (
        (minimum is None or number >= minimum)
        and (above is None or number > above)
        and (maximum is None or number <= maximum)
        and (below is None or number < below)
    )
    if math.isnan(number) or (math.isinf(number) and not infinite) or not inside:
        # One message for every way of missing: it states the whole rule.
        expected = " ".join(["a number" if infinite else "a finite number", *wanted[:1]])
        expected += "".join(f" and {bound}" for bound in wanted[1:])
        _refuse(where, name, expected + (" (not NaN)" if infinite else ""), value, ValueError)
    return number


def count(value: object, where: str, name: str, *, minimum: int = 0) -> int:
    """`value` as an int, if it is a whole number (not a bool) of at least `minimum`.

    >>> count(3, "compile", "max_nodes", minimum=1)
    3
    >>> count(-5, "compile", "max_nodes", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: compile: max_nodes must be a whole number >= 1, got int -5
    """
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        _refuse(where, name, "a whole number (int)", value, TypeError)
    number = operator.index(value)
    if number < minimum:
        _refuse(where, name, f"a whole number >= {minimum}", value, ValueError)
    return number


def switch(value: object, where: str, name: str) -> bool:
    """`value` itself, if it is a bool."""
    if not isinstance(value, bool):
        _refuse(where, name, "True or False", value, TypeError)
    return value


def text(value: object, where: str, name: str) -> str:
    """`value` itself, if it is a str."""
    if not isinstance(value, str):
        _refuse(where, name, "a str", value, TypeError)
    return value


def note(error: BaseException, context: str) -> None:
    """Add `context` to `error` as a note (Python 3.11+; on 3.10 the error stays as it is)."""
    add_note = getattr(error, "add_note", None)
    if add_note is not None:
        add_note(context)
