"""The optimizers: `SGD`, `Adam`, `AdamW`, `RMSprop` and `Adagrad`, with PyTorch's update rules.

Imports: `micrograd.checks`, `micrograd.node`; `optimizer` of this package.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from micrograd import checks
from micrograd.node import Node
from micrograd.optim.optimizer import Optimizer, _betas, _non_negative, _number


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
