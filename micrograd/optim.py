"""Optimizers and learning-rate schedulers, after `torch.optim`.

An optimizer holds a list of parameters (any Nodes; usually a module's
`parameters()`). `step()` reads each parameter's `.grad` (as a float, so a
gradient built with ``create_graph=True`` works too) and writes `.data`;
`zero_grad()` resets the gradients. The update rules are the ones PyTorch
documents for its optimizers of the same names.

>>> import micrograd as mg
>>> w = mg.nn.Parameter(3.0)
>>> opt = mg.optim.SGD([w], lr=0.1)
>>> for _ in range(100):
...     opt.zero_grad()
...     loss = (w - 1) ** 2
...     loss.backward()
...     opt.step()
>>> round(w.data, 6)
1.0

Differences from PyTorch, all from micrograd's scalar world: an optimizer has
one set of hyperparameters (no parameter groups), every parameter is updated
on every step (a gradient of 0.0 is still a gradient), and schedulers'
`get_last_lr()` returns one float.

Imports: `micrograd.node`, `micrograd.nn`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from micrograd import checks
from micrograd.nn.module import _plural
from micrograd.node import Node, enable_grad

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "Optimizer",
    "RMSprop",
    "StepLR",
    "clip_grad_norm",
    "clip_grad_norm_",
]


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


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's rule).

    For gradient g of parameter p at step t::

        g = g + weight_decay * p                   (if weight_decay != 0)
        b = g at t = 1, else momentum * b + (1 - dampening) * g
        g = g + momentum * b if nesterov else b    (if momentum != 0)
        p = p - lr * g

    Nesterov momentum needs ``momentum > 0`` and ``dampening == 0``.
    """

    #: Names of the constructor arguments saved by `state_dict`.
    hyperparameters = ("lr", "momentum", "dampening", "weight_decay", "nesterov")

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        #: Momentum factor (0 for plain SGD).
        self.momentum = _non_negative(momentum, "momentum", "SGD")
        #: Dampening of momentum: after the first step, the gradient enters the
        #: buffer times ``1 - dampening``.
        self.dampening = _number(dampening, "dampening", "SGD")
        #: L2 penalty: ``weight_decay * p`` is added to the gradient (0 for none).
        self.weight_decay = _non_negative(weight_decay, "weight_decay", "SGD")
        #: Whether to use Nesterov momentum.
        self.nesterov = checks.switch(nesterov, "SGD", "nesterov")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires momentum > 0 and dampening = 0")
        super().__init__(params, lr)

    def initial_state(self) -> dict[str, float]:
        """A momentum buffer, when momentum is used."""
        return {"momentum_buffer": 0.0} if self.momentum else {}

    def update(self, param: float, grad: float, state: dict[str, float]) -> float:
        """One SGD step for one parameter."""
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        if self.momentum:
            if self.step_count == 1:
                buffer = grad
            else:
                buffer = self.momentum * state["momentum_buffer"] + (1 - self.dampening) * grad
            state["momentum_buffer"] = buffer
            grad = grad + self.momentum * buffer if self.nesterov else buffer
        return param - self.lr * grad


class Adam(Optimizer):
    """Adam (PyTorch's rule). For gradient g of parameter p at step t::

    g = g + weight_decay * p                  (if weight_decay != 0)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)
    v_hat = v_max = max(v_max, v_hat)         (if amsgrad)
    p = p - lr * m_hat / (sqrt(v_hat) + eps)
    """

    #: Names of the constructor arguments saved by `state_dict`.
    hyperparameters = ("lr", "betas", "eps", "weight_decay", "amsgrad")

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        where = type(self).__name__
        #: ``(beta1, beta2)``: decay rates of the running averages of the gradient
        #: and of its square.
        self.betas = _betas(betas, where)
        #: Added to the denominator for numerical stability.
        self.eps = _non_negative(eps, "eps", where)
        #: Weight decay (0 for none): an L2 term ``weight_decay * p`` added to the
        #: gradient in `Adam`, applied to the parameter directly in `AdamW`.
        self.weight_decay = _non_negative(weight_decay, "weight_decay", where)
        #: Whether to use the AMSGrad variant (the running maximum of `v_hat`).
        self.amsgrad = checks.switch(amsgrad, where, "amsgrad")
        super().__init__(params, lr)

    def initial_state(self) -> dict[str, float]:
        """First and second moment estimates (and their running maximum)."""
        state = {"exp_avg": 0.0, "exp_avg_sq": 0.0}
        if self.amsgrad:
            state["max_exp_avg_sq"] = 0.0
        return state

    def _adam_step(self, param: float, grad: float, state: dict[str, float]) -> float:
        beta1, beta2 = self.betas
        t = self.step_count
        m = state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
        v = state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        if self.amsgrad:
            v_hat = state["max_exp_avg_sq"] = max(state["max_exp_avg_sq"], v_hat)
        return param - self.lr * m_hat / (math.sqrt(v_hat) + self.eps)

    def update(self, param: float, grad: float, state: dict[str, float]) -> float:
        """One Adam step for one parameter (weight decay as an L2 term)."""
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        return self._adam_step(param, grad, state)


class AdamW(Adam):
    """Adam with decoupled weight decay (PyTorch's rule)::

        p = p - lr * weight_decay * p
        then Adam's update of p, without weight decay in the gradient.

    The default weight decay is 0.01, as in PyTorch.
    """

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)

    def update(self, param: float, grad: float, state: dict[str, float]) -> float:
        """Decay the parameter, then one Adam step."""
        param = param - self.lr * self.weight_decay * param
        return self._adam_step(param, grad, state)


class RMSprop(Optimizer):
    """RMSprop (PyTorch's rule). For gradient g of parameter p::

    g = g + weight_decay * p                     (if weight_decay != 0)
    v = alpha * v + (1 - alpha) * g**2
    if centered: g_avg = alpha * g_avg + (1 - alpha) * g;  v~ = v - g_avg**2
    else:        v~ = v
    if momentum > 0: b = momentum * b + g / (sqrt(v~) + eps);  p = p - lr * b
    else:            p = p - lr * g / (sqrt(v~) + eps)
    """

    #: Names of the constructor arguments saved by `state_dict`.
    hyperparameters = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        #: Smoothing constant of the running average of squared gradients.
        self.alpha = _non_negative(alpha, "alpha", "RMSprop")
        #: Added to the denominator for numerical stability.
        self.eps = _non_negative(eps, "eps", "RMSprop")
        #: L2 penalty: ``weight_decay * p`` is added to the gradient (0 for none).
        self.weight_decay = _non_negative(weight_decay, "weight_decay", "RMSprop")
        #: Momentum factor (0 for none).
        self.momentum = _non_negative(momentum, "momentum", "RMSprop")
        #: Whether to normalise by an estimate of the gradient's variance
        #: (``square_avg - grad_avg**2``) instead of by ``square_avg``.
        self.centered = checks.switch(centered, "RMSprop", "centered")
        super().__init__(params, lr)

    def initial_state(self) -> dict[str, float]:
        """The running square average (plus gradient average and momentum buffer)."""
        state = {"square_avg": 0.0}
        if self.centered:
            state["grad_avg"] = 0.0
        if self.momentum:
            state["momentum_buffer"] = 0.0
        return state

    def update(self, param: float, grad: float, state: dict[str, float]) -> float:
        """One RMSprop step for one parameter."""
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        alpha = self.alpha
        v = state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * grad * grad
        if self.centered:
            g_avg = state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * grad
            v = v - g_avg * g_avg
            if v < 0.0:  # rounding can make the variance estimate a hair negative
                v = 0.0
        if self.momentum:
            buffer = self.momentum * state["momentum_buffer"] + grad / (math.sqrt(v) + self.eps)
            state["momentum_buffer"] = buffer
            return param - self.lr * buffer
        return param - self.lr * grad / (math.sqrt(v) + self.eps)


class Adagrad(Optimizer):
    """Adagrad (PyTorch's rule). For gradient g of parameter p at step t::

    lr_t = lr / (1 + (t - 1) * lr_decay)
    g = g + weight_decay * p                  (if weight_decay != 0)
    s = s + g**2                              (s starts at initial_accumulator_value)
    p = p - lr_t * g / (sqrt(s) + eps)
    """

    #: Names of the constructor arguments saved by `state_dict`.
    hyperparameters = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(
        self,
        params: Iterable[Node],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        #: Learning-rate decay: step t uses ``lr / (1 + (t - 1) * lr_decay)``.
        self.lr_decay = _non_negative(lr_decay, "lr_decay", "Adagrad")
        #: L2 penalty: ``weight_decay * p`` is added to the gradient (0 for none).
        self.weight_decay = _non_negative(weight_decay, "weight_decay", "Adagrad")
        #: Starting value of each parameter's sum of squared gradients.
        self.initial_accumulator_value = _non_negative(
            initial_accumulator_value, "initial_accumulator_value", "Adagrad"
        )
        #: Added to the denominator for numerical stability.
        self.eps = _non_negative(eps, "eps", "Adagrad")
        super().__init__(params, lr)

    def initial_state(self) -> dict[str, float]:
        """The running sum of squared gradients."""
        return {"sum": self.initial_accumulator_value}

    def update(self, param: float, grad: float, state: dict[str, float]) -> float:
        """One Adagrad step for one parameter."""
        lr = self.lr / (1 + (self.step_count - 1) * self.lr_decay)
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        total = state["sum"] = state["sum"] + grad * grad
        return param - lr * grad / (math.sqrt(total) + self.eps)


def clip_grad_norm(params: Iterable[Node], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale the gradients so that their norm is at most `max_norm`; return the norm before.

    As in PyTorch: the total norm is taken over all gradients together, and
    when it exceeds `max_norm` every gradient is multiplied by
    ``max_norm / (total_norm + 1e-6)``. `norm_type` may be any p >= 1 or
    ``math.inf``.

    >>> import micrograd as mg
    >>> a, b = mg.Node(0.0), mg.Node(0.0)
    >>> a.grad, b.grad = 3.0, 4.0
    >>> mg.optim.clip_grad_norm([a, b], 1.0)
    5.0
    >>> round(a.grad, 6), round(b.grad, 6)
    (0.6, 0.8)
    """
    where = "clip_grad_norm"
    if isinstance(params, (Node, str, bytes)) or not isinstance(params, Iterable):
        raise TypeError(f"{where}: params must be an iterable of Nodes, got {checks.shown(params)}")
    nodes = list(params)
    max_norm = _non_negative(max_norm, "max_norm", where)
    norm_type = checks.setting(norm_type, where, "norm_type", infinite=True)
    if not norm_type >= 1.0:
        raise ValueError(f"clip_grad_norm: norm_type must be >= 1 or inf, got {norm_type!r}")
    for index, p in enumerate(nodes):
        if not isinstance(p, Node):
            raise TypeError(f"{where}: parameter {index} must be a Node, got {checks.shown(p)}")
    grads = [abs(_gradient(p, index, where)) for index, p in enumerate(nodes)]
    total = _norm(grads, norm_type)
    coefficient = max_norm / (total + 1e-6)
    if not coefficient >= 1.0:  # a NaN norm makes every gradient NaN, as in PyTorch
        for p in nodes:
            p.grad = p.grad * coefficient
    return total


def _norm(magnitudes: list[float], norm_type: float) -> float:
    """The p-norm of non-negative numbers, scaled so that no power overflows or underflows."""
    if not magnitudes:
        return 0.0
    if any(math.isnan(g) for g in magnitudes):
        return math.nan
    largest = max(magnitudes)
    if norm_type == math.inf or largest == 0.0 or largest == math.inf:
        return largest
    if norm_type == 2.0:
        return math.hypot(*magnitudes)
    total: float = math.fsum((g / largest) ** norm_type for g in magnitudes)
    root: float = total ** (1.0 / norm_type)
    return largest * root


#: PyTorch's name for `clip_grad_norm` (the trailing underscore marks in-place).
clip_grad_norm_ = clip_grad_norm


# ---------------------------------------------------------------------------
# Learning-rate schedulers


class LRScheduler:
    """Base class: sets ``optimizer.lr`` from the epoch count on each `step()`.

    The learning rate at construction is the base rate (epoch 0). Each
    `step()` advances one epoch and sets ``optimizer.lr = get_lr()``, the
    closed form of the schedule at that epoch (so a rate set by hand is
    overwritten at the next step).
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        #: The optimizer whose `lr` this scheduler sets.
        self.optimizer = optimizer
        #: The optimizer's learning rate when the scheduler was made (epoch 0).
        self.base_lr = optimizer.lr
        #: How many times `step()` has run: the epoch of the current rate.
        self.last_epoch = 0
        self._last_lr = optimizer.lr

    def get_lr(self) -> float:
        """The learning rate at epoch `last_epoch`."""
        raise NotImplementedError(f"{type(self).__name__} does not define get_lr()")

    def step(self) -> None:
        """Advance one epoch and set the optimizer's learning rate.

        If the new rate cannot be computed or set (a `LambdaLR` function that
        fails or gives a negative rate), nothing changes: not the epoch, not
        the optimizer's rate.
        """
        self.last_epoch += 1
        try:
            self.optimizer.lr = self.get_lr()
        except BaseException:
            self.last_epoch -= 1
            raise
        self._last_lr = self.optimizer.lr

    def get_last_lr(self) -> float:
        """The learning rate set by the last `step()` (the base rate before any)."""
        return self._last_lr

    def state_dict(self) -> dict[str, Any]:
        """The base rate and epoch count (a `LambdaLR`'s function is not saved)."""
        return {"base_lr": self.base_lr, "last_epoch": self.last_epoch, "last_lr": self._last_lr}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what `state_dict()` returned; checked fully before anything changes."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping) or set(state_dict) != {
            "base_lr",
            "last_epoch",
            "last_lr",
        }:
            raise ValueError(f"{where}: expected a mapping with base_lr, last_epoch and last_lr")
        base_lr = _non_negative(state_dict["base_lr"], "base_lr", where)
        last_lr = _non_negative(state_dict["last_lr"], "last_lr", where)
        epoch = checks.count(state_dict["last_epoch"], where, "last_epoch")
        self.base_lr, self.last_epoch, self._last_lr = base_lr, epoch, last_lr


def _positive_int(value: object, name: str, where: str) -> int:
    return checks.count(value, where, name, minimum=1)


class StepLR(LRScheduler):
    """``lr = base_lr * gamma ** (epoch // step_size)``: decay every `step_size` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        #: Number of epochs between two decays.
        self.step_size = _positive_int(step_size, "step_size", "StepLR")
        #: Factor the rate is multiplied by every `step_size` epochs.
        self.gamma = _non_negative(gamma, "gamma", "StepLR")
        super().__init__(optimizer)

    def get_lr(self) -> float:
        """The decayed rate."""
        return self.base_lr * self.gamma ** (self.last_epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """``lr = base_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        #: Factor the rate is multiplied by every epoch.
        self.gamma = _non_negative(gamma, "gamma", "ExponentialLR")
        super().__init__(optimizer)

    def get_lr(self) -> float:
        """The decayed rate."""
        return self.base_lr * self.gamma**self.last_epoch


class CosineAnnealingLR(LRScheduler):
    """``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``.

    Falls from the base rate to `eta_min` over `T_max` epochs (and, past
    `T_max`, follows the cosine back up, as PyTorch's does).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        #: Number of epochs from the base rate down to `eta_min` (half a cosine period).
        self.T_max = _positive_int(T_max, "T_max", "CosineAnnealingLR")
        #: The lowest learning rate, reached at epoch `T_max`.
        self.eta_min = _non_negative(eta_min, "eta_min", "CosineAnnealingLR")
        super().__init__(optimizer)

    def get_lr(self) -> float:
        """The annealed rate."""
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return self.eta_min + (self.base_lr - self.eta_min) * cosine


class LambdaLR(LRScheduler):
    """``lr = base_lr * lr_lambda(epoch)`` for a function of the epoch number.

    >>> import micrograd as mg
    >>> opt = mg.optim.SGD([mg.nn.Parameter(0.0)], lr=1.0)
    >>> scheduler = mg.optim.LambdaLR(opt, lambda epoch: 1 / (1 + epoch))
    >>> scheduler.step(); opt.lr
    0.5
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        if not callable(lr_lambda):
            raise TypeError(
                f"LambdaLR: lr_lambda must be a function, got {type(lr_lambda).__name__}"
            )
        #: Function of the epoch number giving the factor applied to `base_lr`.
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def get_lr(self) -> float:
        """The base rate times the function's factor."""
        factor: object = self.lr_lambda(self.last_epoch)
        return self.base_lr * checks.setting(factor, "LambdaLR", "the factor lr_lambda returned")
