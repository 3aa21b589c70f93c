"""The `Optimizer` base class, and the rules its settings and state follow.

An optimizer keeps the parameters, one state dictionary per parameter and `lr`;
subclasses give the update rule (`Optimizer.update`).

Imports: `micrograd.checks`, `micrograd.node`, `micrograd.nn`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from micrograd import checks
from micrograd.nn.module import _plural
from micrograd.node import Node, enable_grad


def _number(value: object, name: str, where: str) -> float:
    # A setting: any finite real number (micrograd.checks' rule for settings).
    return checks.setting(value, where, name)


def _non_negative(value: object, name: str, where: str) -> float:
    return checks.setting(value, where, name, minimum=0.0)


def _beta(value: object, name: str, where: str) -> float:
    return checks.setting(value, where, name, minimum=0.0, below=1.0)


def _betas(value: object, where: str) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(f"{where}: betas must be a pair of numbers in [0, 1), got {value!r}")
    return _beta(value[0], "betas[0]", where), _beta(value[1], "betas[1]", where)


def _state_value(value: object, name: str, where: str) -> float:
    # A value an optimizer holds (a running average): any real number, NaN and
    # infinities included, since a step can make them so (checks' rule for values).
    if isinstance(value, bool):
        raise TypeError(f"{where}: {name} must be a real number (not a bool), got {value!r}")
    return checks.real(value, where, name)


def _gradient(param: Node, index: int, where: str) -> float:
    grad = param.grad
    if type(grad) is float:
        return grad
    return checks.real(grad, where, f"the grad of parameter {index}")


class Optimizer:
    """Base class: keeps the parameters, their per-parameter state and `lr`.

    Subclasses set their hyperparameters in `__init__` (validated), list them
    in `hyperparameters`, give each parameter's initial state in
    `initial_state` and the update of one parameter in `update`.

    Raises ValueError for an empty parameter list, a parameter given twice or
    a negative learning rate, and TypeError for anything that is not a Node.
    """

    #: Names of the constructor arguments saved by `state_dict`.
    hyperparameters: tuple[str, ...] = ("lr",)

    def __init__(self, params: Iterable[Node], lr: float) -> None:
        where = type(self).__name__
        if isinstance(params, Node) or not isinstance(params, Iterable):
            hint = " (did you mean model.parameters()?)" if hasattr(params, "parameters") else ""
            raise TypeError(
                f"{where}: params must be an iterable of Nodes, got {type(params).__name__}{hint}"
            )
        #: The parameters this optimizer updates, in the order given.
        self.params: list[Node] = list(params)
        if not self.params:
            raise ValueError(f"{where}: got an empty parameter list")
        seen: set[int] = set()
        for index, p in enumerate(self.params):
            if not isinstance(p, Node):
                raise TypeError(
                    f"{where}: parameter {index} must be a Node, got {type(p).__name__} ({p!r})"
                )
            if id(p) in seen:
                raise ValueError(f"{where}: parameter {index} appears more than once")
            seen.add(id(p))
        self.lr = lr
        #: How many times `step()` has run.
        self.step_count = 0
        #: Each parameter's state (a momentum buffer, running averages, ...): one
        #: dict per entry of `params`, in the same order, starting as `initial_state()`.
        self.state: list[dict[str, float]] = [self.initial_state() for _ in self.params]

    @property
    def lr(self) -> float:
        """The learning rate; settable (schedulers set it), must be >= 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _non_negative(value, "lr", type(self).__name__)

    def initial_state(self) -> dict[str, float]:
        """The state a parameter starts with (e.g. a zero momentum buffer)."""
        return {}

    def update(self, param: float, grad: float, state: dict[str, float]) -> float:
        """The new value of one parameter; may update its `state` in place."""
        raise NotImplementedError(f"{type(self).__name__} does not define update()")

    def step(self, closure: Callable[[], Node] | None = None) -> Node | None:
        """Update every parameter once from its current `.grad`.

        A `closure` that re-computes the loss (zeroing gradients and calling
        `backward()` itself) is called first, and its result returned.

        A step is all or nothing: every new value and state is computed
        before any is stored, so a step that raises (a gradient that is not a
        number, an update that fails) leaves every parameter, the state and
        `step_count` as they were.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        where = f"{type(self).__name__}.step"
        grads = [_gradient(p, index, where) for index, p in enumerate(self.params)]
        states = [dict(state) for state in self.state]
        self.step_count += 1
        values: list[float] = []
        try:
            for index, (p, grad, state) in enumerate(zip(self.params, grads, states)):
                value = self.update(p.data, grad, state)
                if type(value) is not float:
                    value = checks.real(value, where, f"the new value of parameter {index}")
                values.append(value)
        except BaseException as error:
            self.step_count -= 1
            if isinstance(error, Exception) and len(values) < len(self.params):
                checks.note(
                    error, f"{where}: while updating parameter {len(values)}; nothing changed"
                )
            raise
        for p, value in zip(self.params, values):
            p.data = value
        self.state = states
        return loss

    def zero_grad(self) -> None:
        """Set `.grad` of every parameter to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's settings and state as plain JSON-ready data.

        ``{"type": name, "hyperparameters": {...}, "step_count": int,
        "state": [{...} per parameter]}``.
        """
        hyperparameters = {}
        for name in self.hyperparameters:
            value = getattr(self, name)
            hyperparameters[name] = list(value) if isinstance(value, tuple) else value
        return {
            "type": type(self).__name__,
            "hyperparameters": hyperparameters,
            "step_count": self.step_count,
            "state": [dict(state) for state in self.state],
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what `state_dict()` returned, for the same parameters.

        Everything is checked first (type, hyperparameter names and values,
        the number of parameters, each parameter's state names and numbers):
        on any error the optimizer is left exactly as it was.
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{where}: expected a mapping, got {type(state_dict).__name__}")
        expected_keys = {"type", "hyperparameters", "step_count", "state"}
        if set(state_dict) != expected_keys:
            raise ValueError(
                f"{where}: expected keys {sorted(expected_keys)},"
                f" got {sorted(map(str, state_dict))}"
            )
        if state_dict["type"] != type(self).__name__:
            raise ValueError(
                f"{where}: state is for {state_dict['type']!r}, not {type(self).__name__!r}"
            )
        hyper = state_dict["hyperparameters"]
        if not isinstance(hyper, Mapping) or set(hyper) != set(self.hyperparameters):
            found = sorted(map(str, hyper)) if isinstance(hyper, Mapping) else type(hyper).__name__
            raise ValueError(
                f"{where}: hyperparameters must be {sorted(self.hyperparameters)}, got {found}"
            )
        # Building a twin checks every hyperparameter exactly as the constructor does.
        twin = type(self)(self.params, **dict(hyper))
        steps = checks.count(state_dict["step_count"], where, "step_count")
        states = state_dict["state"]
        if isinstance(states, (str, bytes)) or not isinstance(states, Sequence):
            raise TypeError(f"{where}: state must be a list, got {type(states).__name__}")
        if len(states) != len(self.params):
            raise ValueError(
                f"{where}: state has {len(states)} entries but the optimizer has"
                f" {_plural(len(self.params), 'parameter')}"
            )
        template = set(twin.initial_state())
        loaded: list[dict[str, float]] = []
        for index, entry in enumerate(states):
            if not isinstance(entry, Mapping) or set(entry) != template:
                found = sorted(map(str, entry)) if isinstance(entry, Mapping) else entry
                raise ValueError(
                    f"{where}: state of parameter {index} must have keys {sorted(template)},"
                    f" got {found!r}"
                )
            loaded.append(
                {k: _state_value(v, f"state[{index}][{k!r}]", where) for k, v in entry.items()}
            )
        for name in self.hyperparameters:
            setattr(self, name, getattr(twin, name))
        self.step_count = steps
        self.state = loaded

    def __repr__(self) -> str:
        settings = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.hyperparameters)
        return f"{type(self).__name__}({_plural(len(self.params), 'parameter')}, {settings})"
