"""Bad values into every public function, generated from the public API listing.

Every callable listed in the `__all__` of micrograd and of its public modules
gets a valid call (written below, or made for it when it is an op), and then
each of its arguments in turn is replaced by each of a set of hostile values.
Whatever happens, the call either works or raises one of the errors a user
can act on (TypeError, ValueError, ArithmeticError, OSError, LookupError for
a missing key), with a message that names the function, the op or the
argument, and never an internal error (AttributeError, AssertionError,
RecursionError, UnboundLocalError ...) or a bare message.

A public callable with no entry here fails `test_every_public_callable_has_a_valid_call`,
so a new name cannot skip the hunt.
"""

from __future__ import annotations

import decimal
import fractions
import importlib
import inspect
import math
import sys
from collections.abc import Callable
from typing import Any

import pytest

import micrograd as mg
from micrograd import nn, optim
from micrograd.formula import FormulaError
from micrograd.viz import GraphvizError

MODULES = [
    "micrograd",
    "micrograd.nn",
    "micrograd.optim",
    "micrograd.formula",
    "micrograd.viz",
    "micrograd.models",
    "micrograd.numeric",
    "micrograd.functional",
]

#: Errors a user can act on. Anything else escaping a public call is a defect.
USER_ERRORS = (TypeError, ValueError, ArithmeticError, OSError, LookupError)
#: The library's own error types: their type says what failed (a formula, a picture).
SELF_DESCRIBING = (FormulaError, GraphvizError)


class Weird:
    """An object with no numeric protocol and a repr that is code."""

    def __repr__(self) -> str:
        return "Weird()\nimport os; os.system('false')"


class FloatLie:
    """`__float__` that returns a str: the number protocol broken."""

    def __float__(self) -> float:
        return "3.0"  # type: ignore[return-value]


HOSTILE: list[Any] = [
    "a",
    "",
    b"1",
    None,
    [],
    [1.0, "x"],
    {},
    1j,
    Weird(),
    FloatLie(),
    math.nan,
    math.inf,
    -math.inf,
    -1,
    0,
    True,
    10**400,
    -(10**400),
    [10**400],
    decimal.Decimal("NaN"),
    fractions.Fraction(1, 3),
    (lambda: None),
]


def _node() -> mg.Node:
    return mg.Node(0.5, label="x")


def _model() -> nn.MLP:
    return nn.MLP(2, [2, 1], seed=0)


def _optimizer() -> optim.Optimizer:
    return optim.SGD([nn.Parameter(1.0)], lr=0.1)


def _train_epoch_call() -> tuple[tuple[Any, ...], dict[str, Any]]:
    net = mg.models.TwoLayerNet()
    return (net, optim.SGD(net.parameters(), lr=1e-3), mg.models.seed_samples(3)), {}


#: A valid call of each public callable that is not an op: (args, kwargs) made fresh each time.
VALID: dict[str, Callable[[], tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "Node": lambda: ((1.0,), {"label": "x"}),
    "Constant": lambda: ((1.0,), {}),
    "Parameter": lambda: ((1.0,), {}),
    "Module": lambda: ((), {}),
    "op": lambda: ((lambda t: t * 2,), {"name": "twice"}),
    "FunctionOp": lambda: ((lambda t: t * 2,), {"name": "twice"}),
    "grad": lambda: ((lambda t: t * t,), {"argnums": 0}),
    "value_and_grad": lambda: ((lambda t: t * t,), {"argnums": 0}),
    "gradcheck": lambda: ((mg.tanh, 0.3), {}),
    "gradients": lambda: ((_node() * 2, [mg.Node(1.0)]), {}),
    "derivative": lambda: ((math.sin, 1.0), {"method": "central"}),
    "numeric_grad": lambda: ((lambda a, b: a * b, 2.0, 3.0), {}),
    "partial": lambda: ((lambda a, b: a * b, [2.0, 3.0], 0), {}),
    "mixed_partial": lambda: ((lambda a: a**3, [1.3], [2]), {}),
    "topological_order": lambda: ((_node() * 2,), {}),
    "draw_graph": lambda: ((_node() * 2,), {"rankdir": "LR", "max_nodes": 50}),
    "render_graph": lambda: ((_node() * 2, "g.svg"), {}),
    "repr_mimebundle": lambda: ((_node() * 2,), {"include": ["text/plain"]}),
    "compile": lambda: ((lambda t: t * t,), {"rtol": 1e-9, "max_nodes": 100}),
    "compile_loss": lambda: ((_model(), lambda m, x, y: (m(x)[0] - y) ** 2), {"rtol": 1e-9}),
    "CompiledFunction": lambda: ((lambda t: t * t,), {"rtol": 1e-9, "max_nodes": 100}),
    "CompiledLoss": lambda: ((_model(), lambda m, x, y: (m(x)[0] - y) ** 2), {"max_variants": 2}),
    "LeakyReLU": lambda: ((0.1,), {}),
    "PowConst": lambda: ((2.0,), {}),
    "NumericPartial": lambda: ((mg.op(lambda t: t * 2), 0), {}),
    "register_emitter": lambda: (
        (
            mg.op(lambda t: 3 * t, name="triple"),
            lambda op, x: f"3 * {x}",
            lambda op, x, out: ["3.0"],
        ),
        {},
    ),
    "manual_seed": lambda: ((0,), {}),
    "leaky_relu": lambda: ((_node(),), {"negative_slope": 0.01}),
    "pow": lambda: ((_node(), 2.0), {}),
    "power": lambda: ((_node(), 2.0), {}),
    "MLP": lambda: ((2, [2, 1]), {"seed": 0}),
    "Layer": lambda: ((2, 2), {}),
    "Linear": lambda: ((2, 2), {}),
    "Neuron": lambda: ((2,), {}),
    "WeightSum": lambda: ((2,), {}),
    "Sequential": lambda: ((nn.ReLU(),), {}),
    "ReLU": lambda: ((), {}),
    "Sigmoid": lambda: ((), {}),
    "Tanh": lambda: ((), {}),
    "mse_loss": lambda: (([_node()], [1.0]), {}),
    "hinge_loss": lambda: (([_node()], [1.0]), {}),
    "binary_cross_entropy": lambda: (([mg.sigmoid(_node())], [1.0]), {}),
    "binary_cross_entropy_with_logits": lambda: (([_node()], [1.0]), {}),
    "cross_entropy": lambda: (([_node(), _node()], 0), {}),
    "SGD": lambda: (([nn.Parameter(1.0)],), {"lr": 0.1, "momentum": 0.9}),
    "Adam": lambda: (([nn.Parameter(1.0)],), {"lr": 0.1}),
    "AdamW": lambda: (([nn.Parameter(1.0)],), {"lr": 0.1}),
    "RMSprop": lambda: (([nn.Parameter(1.0)],), {"lr": 0.1}),
    "Adagrad": lambda: (([nn.Parameter(1.0)],), {"lr": 0.1}),
    "StepLR": lambda: ((_optimizer(), 2), {"gamma": 0.5}),
    "ExponentialLR": lambda: ((_optimizer(), 0.5), {}),
    "CosineAnnealingLR": lambda: ((_optimizer(), 10), {}),
    "LambdaLR": lambda: ((_optimizer(), lambda epoch: 1.0), {}),
    "clip_grad_norm": lambda: (([nn.Parameter(1.0)], 1.0), {}),
    "clip_grad_norm_": lambda: (([nn.Parameter(1.0)], 1.0), {}),
    "parse_formula": lambda: (("x * y",), {}),
    "parse_assignment": lambda: (("x=3",), {}),
    "Formula": None,  # made by parse_formula only
    "TwoLayerNet": lambda: ((), {}),
    "explain": lambda: ((_node() * 2,), {"lang": "en"}),
    "Explanation": None,  # made by explain only
    "seed_samples": lambda: ((), {}),
    "train_epoch": lambda: _train_epoch_call(),
    "train_two_layer": lambda: ((mg.models.TwoLayerNet(),), {"epochs": 1, "samples": 2}),
    "clamp": lambda: ((_node(),), {"min": 0.0, "max": 1.0}),
    "clip": lambda: ((_node(),), {"min": 0.0, "max": 1.0}),
    "elu": lambda: ((_node(),), {"alpha": 1.0}),
    "selu": lambda: ((_node(),), {}),
    "hardtanh": lambda: ((_node(),), {"min_val": -1.0, "max_val": 1.0}),
    "round": lambda: ((_node(),), {"ndigits": 1}),
    "polygamma": lambda: ((1, _node()), {}),
    "softmax": lambda: (([_node(), _node()],), {}),
    "log_softmax": lambda: (([_node(), _node()],), {}),
    # ops whose domain excludes the usual 0.5
    "acosh": lambda: ((mg.Node(1.5, label="x"),), {}),
    "arccosh": lambda: ((mg.Node(1.5, label="x"),), {}),
}

#: Public callables that take no user values (exception types, protocols,
#: context managers with no arguments, base classes to subclass).
NOT_CALLED = {
    "enable_grad",
    "no_grad",
    "is_grad_enabled",
    "Op",
    "Optimizer",
    "LRScheduler",
    "HasNamedParameters",
    "NodeLike",
    "IncompatibleKeys",
    "Formula",
    "Explanation",
}


#: Names a message may use for a callable: the function users call to make it.
MADE_BY = {
    "CompiledFunction": ["compile"],
    "CompiledLoss": ["compile_loss"],
    "clip_grad_norm_": ["clip_grad_norm"],
    "FunctionOp": ["op"],
}


def public_callables() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj):
                continue
            if isinstance(obj, type) and issubclass(obj, BaseException):
                continue
            found.setdefault(name, obj)
    return found


PUBLIC = public_callables()


def valid_call(name: str, obj: Any) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    if name in NOT_CALLED:
        return None
    make = VALID.get(name)
    if isinstance(obj, mg.Op) and make is None:
        return tuple(_node() for _ in range(max(obj.min_arity, 1))), {}
    return None if make is None else make()


def test_every_public_callable_has_a_valid_call() -> None:
    missing = [
        name
        for name, obj in PUBLIC.items()
        if name not in NOT_CALLED and not isinstance(obj, mg.Op) and name not in VALID
    ]
    assert not missing, f"give these public names a valid call in VALID: {missing}"


def cases() -> list[Any]:
    out = []
    for name, obj in sorted(PUBLIC.items()):
        call = valid_call(name, obj)
        if call is None:
            continue
        args, kwargs = call
        slots = [("arg", i) for i in range(len(args))] + [("kw", k) for k in kwargs]
        for slot in slots:
            out.append(pytest.param(name, slot, id=f"{name}-{slot[1]}"))
    return out


def names_for(name: str, obj: Any, slot: tuple[str, Any]) -> list[str]:
    """What a good error message may name: the function, the op, the argument."""
    names = {name, getattr(obj, "__name__", name), getattr(obj, "name", name)}
    names |= set(MADE_BY.get(name, ()))
    if isinstance(obj, type) and issubclass(obj, mg.Node):
        names.add("Node")  # a Parameter or a Constant is made as a Node
    if slot[0] == "kw":
        names.add(slot[1])
    else:
        try:
            parameters = list(inspect.signature(obj).parameters)
            if slot[1] < len(parameters):
                names.add(parameters[slot[1]])
        except (TypeError, ValueError):
            pass
    return [n for n in names if isinstance(n, str)]


@pytest.mark.parametrize(("name", "slot"), cases())
def test_hostile_values_get_clear_errors(
    name: str, slot: tuple[str, Any], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # anything a call writes lands here
    obj = PUBLIC[name]
    base = valid_call(name, obj)
    assert base is not None
    _call(obj, *base)  # the valid call itself must work
    valid_value = base[0][slot[1]] if slot[0] == "arg" else base[1][slot[1]]
    for value in HOSTILE:
        if _is_count(valid_value) and _is_count(value) and _largest(value) > 10**6:
            continue  # a huge count is a valid request for a huge amount of work
        args, kwargs = valid_call(name, obj)  # type: ignore[misc]
        if slot[0] == "arg":
            args = (*args[: slot[1]], value, *args[slot[1] + 1 :])
        else:
            kwargs = {**kwargs, slot[1]: value}
        try:
            _call(obj, args, kwargs)
        except SELF_DESCRIBING:
            pass  # the library's own error types say what they are about
        except AssertionError as error:
            # gradcheck's documented answer for a mismatch; anything else is a defect.
            assert name == "gradcheck" and str(error).startswith("gradcheck failed"), error
        except USER_ERRORS as error:
            message = str(error)
            assert message.strip(), f"{name}({slot[1]}={value!r}): an error with no message"
            named = names_for(name, obj, slot)
            message += " ".join(getattr(error, "__notes__", ()))
            assert any(n in message for n in named), (
                f"{name} with {slot[1]}={value!r}: {type(error).__name__}: {message!r}"
                f" names none of {named}"
            )
        except Exception as error:
            pytest.fail(
                f"{name} with {slot[1]}={value!r} raised an internal error"
                f" {type(error).__name__}: {error}"
            )


def _is_count(value: object) -> bool:
    return type(value) is int or (
        isinstance(value, list) and bool(value) and all(type(v) is int for v in value)
    )


def _largest(value: Any) -> int:
    return max(value) if isinstance(value, list) else int(value)


def _call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    result = obj(*args, **kwargs)
    if isinstance(result, mg.Node):
        result.backward()  # the gradient must come out (or fail clearly) too
    return result


#: Transforms whose result is a function of numbers: hostile values go into it as well.
TRANSFORMS = ["grad", "value_and_grad", "compile"]


@pytest.mark.parametrize("name", TRANSFORMS)
def test_hostile_values_into_transformed_functions(name: str) -> None:
    args, kwargs = VALID[name]()
    transformed = PUBLIC[name](*args, **kwargs)
    assert transformed(1.5) is not None
    for value in HOSTILE:
        try:
            transformed(value)
        except USER_ERRORS as error:
            message = str(error) + " ".join(getattr(error, "__notes__", ()))
            assert name in message or "<lambda>" in message or "argument" in message, (
                f"{name}(f)({value!r}): {type(error).__name__}: {message!r}"
            )
        except Exception as error:
            pytest.fail(f"{name}(f)({value!r}) raised an internal error {type(error).__name__}")


def test_the_hunt_covers_every_module() -> None:
    homes = {getattr(obj, "__module__", "") for obj in PUBLIC.values()}
    for module in ("micrograd.nn", "micrograd.optim", "micrograd.node", "micrograd.viz"):
        assert any(home.startswith(module) for home in homes), module
    assert sys.modules["micrograd"] is mg
