"""Optimizers, clipping and schedulers under bad values and failures.

Each step is all or nothing; norms neither overflow nor underflow; settings
follow one rule (`micrograd.checks`), whatever type the number comes in.
"""

from __future__ import annotations

import decimal
import json
import math
from collections.abc import Callable
from typing import Any

import pytest

from micrograd import nn, optim
from micrograd.node import Node

OPTIMIZERS: list[Callable[..., optim.Optimizer]] = [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: optim.Adam(ps, lr=0.1, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.1),
    lambda ps: optim.RMSprop(ps, lr=0.01, centered=True, momentum=0.5),
    lambda ps: optim.Adagrad(ps, lr=0.1),
]


def snapshot(opt: optim.Optimizer) -> tuple[list[float], str]:
    return [p.data for p in opt.params], json.dumps(opt.state_dict())


@pytest.mark.parametrize("gradient", [0.1, 1e-3, 0.3, 2.5])
def test_centered_rmsprop_survives_a_constant_gradient(gradient: float) -> None:
    # With a constant gradient the variance estimate is 0 up to rounding, and
    # rounding once made it negative (a bare "math domain error" at step 3227).
    a, b = nn.Parameter(1.0), nn.Parameter(1.0)
    opt = optim.RMSprop([a, b], lr=0.01, centered=True)
    for _ in range(5000):
        a.grad, b.grad = gradient, 3 * gradient
        opt.step()
    assert opt.step_count == 5000
    assert all(math.isfinite(v) for v in (a.data, b.data))
    assert all(state["square_avg"] >= state["grad_avg"] ** 2 * (1 - 1e-12) for state in opt.state)


@pytest.mark.parametrize("make", OPTIMIZERS)
@pytest.mark.parametrize("bad", ["x", None, 1j, [1.0]])
def test_a_bad_gradient_changes_nothing(make: Callable[..., optim.Optimizer], bad: Any) -> None:
    params = [nn.Parameter(1.0), nn.Parameter(2.0), nn.Parameter(3.0)]
    opt = make(params)
    for p in params:
        p.grad = 0.5
    opt.step()
    before = snapshot(opt)
    params[0].grad, params[1].grad, params[2].grad = 0.25, bad, 0.25
    with pytest.raises(TypeError, match=r"\.step: the grad of parameter 1 must be a real number"):
        opt.step()
    assert snapshot(opt) == before


class _FailsOnSecond(optim.SGD):
    """An optimizer whose update fails for one parameter, after updating the first."""

    def update(self, param: float, grad: float, state: dict[str, float]) -> float:
        if param == 2.0:
            raise ArithmeticError("update failed")
        return super().update(param, grad, state)


def test_an_update_that_fails_halfway_changes_nothing() -> None:
    params = [nn.Parameter(1.0), nn.Parameter(2.0), nn.Parameter(3.0)]
    opt = _FailsOnSecond(params, lr=0.1, momentum=0.9)
    for p in params:
        p.grad = 1.0
    before = snapshot(opt)
    with pytest.raises(ArithmeticError, match="update failed") as caught:
        opt.step()
    assert snapshot(opt) == before
    assert opt.step_count == 0
    assert "while updating parameter 1; nothing changed" in "".join(caught.value.__notes__)


def test_an_update_returning_a_bad_value_changes_nothing() -> None:
    class Bad(optim.SGD):
        def update(self, param: float, grad: float, state: dict[str, float]) -> float:
            return "oops"  # type: ignore[return-value]

    p = nn.Parameter(1.0)
    opt = Bad([p], lr=0.1)
    p.grad = 1.0
    with pytest.raises(TypeError, match="the new value of parameter 0 must be a real number"):
        opt.step()
    assert p.data == 1.0 and opt.step_count == 0


@pytest.mark.parametrize(
    ("norm_type", "expected"),
    [(2.0, 5.0), (1.0, 7.0), (3.0, 91 ** (1 / 3)), (math.inf, 4.0)],
)
@pytest.mark.parametrize("unit", [1e160, 1e-170])
def test_clip_norms_neither_overflow_nor_underflow(
    norm_type: float, expected: float, unit: float
) -> None:
    # 3e160 and 4e160 overflow when squared; 3e-170 and 4e-170 underflow to 0.
    a, b = Node(0.0), Node(0.0)
    a.grad, b.grad = 3 * unit, -4 * unit
    total = optim.clip_grad_norm([a, b], 1.0, norm_type)
    # Relative 1e-14: the scaled sum of powers is exact to a few roundings.
    assert total == pytest.approx(expected * unit, rel=1e-14)
    after = optim.clip_grad_norm([a, b], 1e300, norm_type)  # the norm, unclipped
    if unit > 1.0:  # clipped down to 1.0 (the tiny gradients are below max_norm)
        assert after == pytest.approx(1.0, rel=1e-12)
    else:
        assert after == pytest.approx(expected * unit, rel=1e-14)


def test_clip_of_a_nan_gradient_makes_every_gradient_nan() -> None:
    a, b = Node(0.0), Node(0.0)
    a.grad, b.grad = math.nan, 1.0
    assert math.isnan(optim.clip_grad_norm([a, b], 1.0))
    assert math.isnan(float(a.grad)) and math.isnan(float(b.grad))


def test_clip_of_a_non_node_names_it() -> None:
    with pytest.raises(TypeError, match="clip_grad_norm: parameter 1 must be a Node, got float"):
        optim.clip_grad_norm([Node(0.0), 1.0], 1.0)


@pytest.mark.parametrize("factor", ["bad", -1.0, math.nan])
def test_a_failing_lambda_leaves_the_scheduler_and_the_rate(factor: object) -> None:
    opt = optim.SGD([nn.Parameter(0.0)], lr=0.5)
    scheduler = optim.LambdaLR(opt, lambda epoch: 1.0 if epoch < 2 else factor)
    scheduler.step()
    with pytest.raises((TypeError, ValueError), match=r"LambdaLR|SGD: lr must be"):
        scheduler.step()
    assert (scheduler.last_epoch, opt.lr, scheduler.get_last_lr()) == (1, 0.5, 0.5)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: optim.SGD([nn.Parameter(0.0)], lr=0.1, dampening=math.nan), ValueError,
         "SGD: dampening must be a finite number, got float nan"),
        (lambda: optim.SGD([nn.Parameter(0.0)], lr=True), TypeError,
         "SGD: lr must be a real number (not a bool), got bool True"),
        (lambda: optim.Adam([nn.Parameter(0.0)], eps=math.inf), ValueError,
         "Adam: eps must be a finite number >= 0, got float inf"),
        (lambda: optim.SGD([nn.Parameter(0.0)], lr=0.1, nesterov="yes"), TypeError,
         "SGD: nesterov must be True or False, got str 'yes'"),
        (lambda: optim.clip_grad_norm([Node(0.0)], 1.0, norm_type=math.nan), ValueError,
         "clip_grad_norm: norm_type must be a number (not NaN), got float nan"),
        (lambda: optim.StepLR(optim.SGD([nn.Parameter(0.0)]), step_size=2.5), TypeError,
         "StepLR: step_size must be a whole number (int), got float 2.5"),
    ],
)  # fmt: skip
def test_settings_follow_one_rule(make: Callable[[], object], error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        make()
    assert str(caught.value) == message


def test_any_real_number_type_is_a_setting() -> None:
    np = pytest.importorskip("numpy", reason="NumPy scalars are one of the number types")
    for lr in (np.float32(0.25), np.float64(0.25), decimal.Decimal("0.25"), 1):
        opt = optim.SGD([nn.Parameter(0.0)], lr=lr)
        assert type(opt.lr) is float and opt.lr == float(lr)


def test_nan_state_round_trips() -> None:
    # A NaN gradient makes NaN state; the state it makes must load back.
    p = nn.Parameter(1.0)
    opt = optim.Adam([p], lr=0.1)
    p.grad = math.nan
    opt.step()
    saved = opt.state_dict()
    assert math.isnan(saved["state"][0]["exp_avg"])
    twin = optim.Adam([nn.Parameter(1.0)], lr=0.1)
    twin.load_state_dict(json.loads(json.dumps(saved)))
    assert math.isnan(twin.state[0]["exp_avg"]) and twin.step_count == 1


def test_state_numbers_of_any_real_type_load() -> None:
    np = pytest.importorskip("numpy", reason="NumPy scalars are one of the number types")
    p = nn.Parameter(1.0)
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    state = opt.state_dict()
    state["state"][0]["momentum_buffer"] = np.float32(0.5)
    state["hyperparameters"]["lr"] = np.float64(0.2)
    opt.load_state_dict(state)
    assert opt.state[0]["momentum_buffer"] == 0.5 and opt.lr == 0.2
