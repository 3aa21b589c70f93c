"""Learning-rate schedulers: `LRScheduler` and the schedules built on it.

`StepLR`, `ExponentialLR`, `CosineAnnealingLR` and `LambdaLR` set an
optimizer's `lr` from the epoch count.

Imports: `micrograd.checks`; `optimizer` of this package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from micrograd import checks
from micrograd.optim.optimizer import Optimizer, _non_negative

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
