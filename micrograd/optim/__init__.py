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

The package, one job per module, each importing only those above it here:

* `optimizer`: the `Optimizer` base class and the rules for its settings;
* `algorithms`: `SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`;
* `clipping`: `clip_grad_norm`;
* `schedulers`: `LRScheduler` and the schedules built on it.

Imports: `micrograd.checks`, `micrograd.node`, `micrograd.nn`.
"""

from micrograd.optim.algorithms import SGD, Adagrad, Adam, AdamW, RMSprop
from micrograd.optim.clipping import clip_grad_norm, clip_grad_norm_
from micrograd.optim.optimizer import Optimizer
from micrograd.optim.schedulers import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LRScheduler,
    StepLR,
)

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
