"""micrograd.optim: update rules pinned against hand-derived steps, state, schedulers.

Each optimizer test sets gradients by hand and checks the parameter after each
step against the documented formula evaluated in the test (written out with
the formula beside it). The comparison allows 1e-14 relative: the same
operations in possibly different grouping, so only the last bits may differ.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import pytest

import micrograd as mg
from micrograd import nn, optim
from micrograd.nn import Parameter

ROUNDING = 1e-14  # relative: same formula, operations possibly grouped differently


def close(value: float, expected: float) -> bool:
    return value == pytest.approx(expected, rel=ROUNDING, abs=0.0)


def run_steps(optimizer: optim.Optimizer, p: Parameter, grads: list[float]) -> list[float]:
    """Apply one step per gradient; return the parameter after each."""
    values = []
    for g in grads:
        p.grad = g
        optimizer.step()
        values.append(p.data)
    return values


# ---------------------------------------------------------------------------
# SGD


def test_sgd_plain() -> None:
    p = Parameter(1.0)
    # p = p - lr * g
    assert run_steps(optim.SGD([p], lr=0.1), p, [2.0, -1.0]) == [1.0 - 0.1 * 2.0, 0.8 + 0.1 * 1.0]


def test_sgd_momentum() -> None:
    p = Parameter(1.0)
    values = run_steps(optim.SGD([p], lr=0.1, momentum=0.9), p, [1.0, 2.0])
    # t=1: b = g = 1;             p = 1 - 0.1 * 1 = 0.9
    # t=2: b = 0.9 * 1 + 2 = 2.9; p = 0.9 - 0.1 * 2.9 = 0.61
    assert close(values[0], 0.9)
    assert close(values[1], 0.9 - 0.1 * 2.9)


def test_sgd_dampening() -> None:
    p = Parameter(1.0)
    values = run_steps(optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5), p, [1.0, 2.0])
    # t=1: b = g = 1 (no dampening on the first step); p = 0.9
    # t=2: b = 0.9 * 1 + (1 - 0.5) * 2 = 1.9;          p = 0.9 - 0.19
    assert close(values[0], 0.9)
    assert close(values[1], 0.9 - 0.1 * 1.9)


def test_sgd_nesterov() -> None:
    p = Parameter(1.0)
    values = run_steps(optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True), p, [1.0, 2.0])
    # t=1: b = 1;   g = 1 + 0.9 * 1 = 1.9;    p = 1 - 0.19 = 0.81
    # t=2: b = 2.9; g = 2 + 0.9 * 2.9 = 4.61; p = 0.81 - 0.461
    assert close(values[0], 1.0 - 0.1 * 1.9)
    assert close(values[1], 0.81 - 0.1 * 4.61)


def test_sgd_weight_decay() -> None:
    p = Parameter(2.0)
    values = run_steps(optim.SGD([p], lr=0.1, weight_decay=0.5), p, [1.0, 1.0])
    # g = g + wd * p: t=1: 1 + 0.5 * 2 = 2; p = 2 - 0.2 = 1.8
    #                 t=2: 1 + 0.5 * 1.8 = 1.9; p = 1.8 - 0.19 = 1.61
    assert close(values[0], 1.8)
    assert close(values[1], 1.8 - 0.1 * 1.9)


# ---------------------------------------------------------------------------
# Adam, AdamW


def adam_reference(
    p: float, grads: list[float], lr: float, b1: float, b2: float, eps: float, amsgrad: bool = False
) -> list[float]:
    """PyTorch's documented Adam, one line per formula."""
    m = v = v_max = 0.0
    out = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g  # m_t
        v = b2 * v + (1 - b2) * g * g  # v_t
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        if amsgrad:
            v_max = max(v_max, v_hat)
            v_hat = v_max
        p = p - lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(p)
    return out


def test_adam_two_steps_by_hand() -> None:
    p = Parameter(1.0)
    values = run_steps(optim.Adam([p], lr=0.1), p, [0.5, -1.0])
    # t=1: m = 0.1*0.5 = 0.05, v = 0.001*0.25 = 0.00025
    #      m_hat = 0.05/0.1 = 0.5, v_hat = 0.00025/0.001 = 0.25
    #      p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    first = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8)
    # t=2: m = 0.9*0.05 - 0.1 = -0.055, v = 0.999*0.00025 + 0.001 = 0.00124975
    #      m_hat = -0.055/0.19, v_hat = 0.00124975/0.001999
    second = first - 0.1 * (-0.055 / 0.19) / (math.sqrt(0.00124975 / 0.001999) + 1e-8)
    assert close(values[0], first)
    assert close(values[1], second)
    assert values == pytest.approx(
        adam_reference(1.0, [0.5, -1.0], 0.1, 0.9, 0.999, 1e-8), rel=ROUNDING
    )


def test_adam_longer_run_and_custom_betas() -> None:
    grads = [0.3, -0.2, 0.7, 0.1, -0.5, 0.05]
    p = Parameter(-0.4)
    values = run_steps(optim.Adam([p], lr=0.05, betas=(0.5, 0.9), eps=1e-6), p, grads)
    assert values == pytest.approx(adam_reference(-0.4, grads, 0.05, 0.5, 0.9, 1e-6), rel=ROUNDING)


def test_adam_amsgrad_uses_the_running_maximum() -> None:
    p = Parameter(1.0)
    values = run_steps(optim.Adam([p], lr=0.1, amsgrad=True), p, [1.0, 0.0])
    # t=2: v = 0.999 * 0.001 = 0.000999, v_hat = 0.000999 / 0.001999 < 1 = v_hat at t=1,
    #      so the maximum 1.0 is used: m_hat = 0.9*0.1/0.19
    assert close(values[1], values[0] - 0.1 * (0.09 / 0.19) / (1.0 + 1e-8))
    assert values == pytest.approx(
        adam_reference(1.0, [1.0, 0.0], 0.1, 0.9, 0.999, 1e-8, amsgrad=True), rel=ROUNDING
    )
    plain = Parameter(1.0)
    assert run_steps(optim.Adam([plain], lr=0.1), plain, [1.0, 0.0])[1] != values[1]


def test_adam_weight_decay_is_added_to_the_gradient() -> None:
    p = Parameter(2.0)
    values = run_steps(optim.Adam([p], lr=0.1, weight_decay=0.5), p, [1.0])
    # g = 1 + 0.5 * 2 = 2; one Adam step with g = 2 moves p by lr * 2/(2 + eps)
    assert close(values[0], 2.0 - 0.1 * 2.0 / (2.0 + 1e-8))


def test_adamw_decouples_weight_decay() -> None:
    p = Parameter(2.0)
    values = run_steps(optim.AdamW([p], lr=0.1, weight_decay=0.5), p, [1.0, -1.0])
    # t=1: p = 2 - 0.1*0.5*2 = 1.9; then Adam with g = 1: m_hat = 1, v_hat = 1
    first = 1.9 - 0.1 * 1.0 / (1.0 + 1e-8)
    # t=2: p = first * (1 - 0.05); Adam with g = -1
    decayed = first - 0.1 * 0.5 * first
    second = adam_reference(0.0, [1.0, -1.0], 0.1, 0.9, 0.999, 1e-8)
    step2 = second[1] - second[0]  # Adam's second move, independent of p
    assert close(values[0], first)
    assert close(values[1], decayed + step2)
    assert optim.AdamW([Parameter(0.0)]).weight_decay == 0.01  # PyTorch's default


# ---------------------------------------------------------------------------
# RMSprop, Adagrad


def test_rmsprop_plain() -> None:
    p = Parameter(1.0)
    values = run_steps(optim.RMSprop([p], lr=0.01), p, [2.0, 1.0])
    # t=1: v = 0.01 * 4 = 0.04;             p = 1 - 0.01 * 2 / (0.2 + 1e-8)
    # t=2: v = 0.99 * 0.04 + 0.01 * 1 = 0.0496; p -= 0.01 * 1 / (sqrt(0.0496) + 1e-8)
    first = 1.0 - 0.01 * 2.0 / (math.sqrt(0.04) + 1e-8)
    assert close(values[0], first)
    assert close(values[1], first - 0.01 * 1.0 / (math.sqrt(0.0496) + 1e-8))


def test_rmsprop_centered_with_momentum() -> None:
    p = Parameter(1.0)
    opt = optim.RMSprop([p], lr=0.01, alpha=0.9, momentum=0.5, centered=True)
    values = run_steps(opt, p, [2.0, 1.0])
    # t=1: v = 0.1*4 = 0.4; g_avg = 0.1*2 = 0.2; v~ = 0.4 - 0.04 = 0.36
    #      b = 2 / (0.6 + 1e-8); p = 1 - 0.01 * b
    b1 = 2.0 / (math.sqrt(0.4 - 0.2**2) + 1e-8)
    # t=2: v = 0.9*0.4 + 0.1*1 = 0.46; g_avg = 0.9*0.2 + 0.1*1 = 0.28; v~ = 0.46 - 0.0784
    #      b = 0.5*b1 + 1/(sqrt(v~) + 1e-8)
    b2 = 0.5 * b1 + 1.0 / (math.sqrt(0.46 - 0.28**2) + 1e-8)
    assert close(values[0], 1.0 - 0.01 * b1)
    assert close(values[1], values[0] - 0.01 * b2)


def test_adagrad() -> None:
    p = Parameter(1.0)
    opt = optim.Adagrad([p], lr=0.1, lr_decay=0.5, initial_accumulator_value=0.1)
    values = run_steps(opt, p, [1.0, 2.0])
    # t=1: lr_t = 0.1; s = 0.1 + 1 = 1.1;             p = 1 - 0.1 * 1 / (sqrt(1.1) + 1e-10)
    # t=2: lr_t = 0.1 / (1 + 0.5) ; s = 1.1 + 4 = 5.1; p -= lr_t * 2 / (sqrt(5.1) + 1e-10)
    first = 1.0 - 0.1 * 1.0 / (math.sqrt(1.1) + 1e-10)
    assert close(values[0], first)
    assert close(values[1], first - (0.1 / 1.5) * 2.0 / (math.sqrt(5.1) + 1e-10))


def test_adagrad_weight_decay() -> None:
    p = Parameter(2.0)
    values = run_steps(optim.Adagrad([p], lr=0.1, weight_decay=0.5), p, [1.0])
    # g = 1 + 0.5 * 2 = 2; s = 4; p = 2 - 0.1 * 2 / (2 + 1e-10)
    assert close(values[0], 2.0 - 0.1 * 2.0 / (2.0 + 1e-10))


# ---------------------------------------------------------------------------
# Common behaviour

ALL_OPTIMIZERS: list[Callable[..., optim.Optimizer]] = [
    optim.SGD,
    optim.Adam,
    optim.AdamW,
    optim.RMSprop,
    optim.Adagrad,
]


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_every_optimizer_minimises_a_quadratic(make: Callable[..., optim.Optimizer]) -> None:
    w = Parameter(3.0)
    # Adagrad's steps shrink as squared gradients add up: it needs a larger rate.
    opt = make([w], lr=0.5 if make is optim.Adagrad else 0.05)
    for _ in range(2000):
        opt.zero_grad()
        loss = (w - 1.0) ** 2
        loss.backward()
        opt.step()
    # AdamW keeps pulling towards 0, so it settles slightly below 1.
    assert abs(w.data - 1.0) < (2e-3 if make is optim.AdamW else 1e-3)


def test_zero_grad_and_step_read_node_gradients() -> None:
    p = Parameter(3.0)
    opt = optim.SGD([p], lr=0.01)
    (p**3).backward(create_graph=True)
    assert isinstance(p.grad, mg.Node)  # a gradient graph
    opt.step()
    assert p.data == 3.0 - 0.01 * 27.0  # d/dp p**3 = 3 p**2 = 27
    opt.zero_grad()
    assert p.grad == 0.0


def test_step_with_a_closure_returns_its_loss() -> None:
    p = Parameter(2.0)
    opt = optim.SGD([p], lr=0.25)

    def closure() -> mg.Node:
        opt.zero_grad()
        loss = p * p
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss is not None and loss.data == 4.0
    assert p.data == 2.0 - 0.25 * 4.0
    with mg.no_grad():
        assert opt.step(closure) is not None  # the closure still records a graph
    assert p.data == 1.0 - 0.25 * 2.0


def test_lr_is_readable_and_settable() -> None:
    opt = optim.SGD([Parameter(0.0)], lr=0.1)
    assert opt.lr == 0.1
    opt.lr = 0.5
    assert opt.lr == 0.5
    with pytest.raises(ValueError, match="SGD: lr must be a finite number >= 0, got int -1"):
        opt.lr = -1
    assert opt.lr == 0.5
    opt.lr = 0  # a learning rate of zero is allowed, as in PyTorch
    assert opt.lr == 0.0


def test_model_parameters_and_generators_are_accepted() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    opt = optim.Adam(model.parameters())
    assert len(opt.params) == 13
    assert len(optim.SGD(p for p in model.parameters()).params) == 13
    assert "Adam(13 parameters, lr=0.001" in repr(opt)


# ---------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_empty_parameter_list(make: Callable[..., optim.Optimizer]) -> None:
    with pytest.raises(ValueError, match=f"^{make.__name__}: got an empty parameter list$"):
        make([])


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
@pytest.mark.parametrize("lr", [-0.1, -1, math.nan, math.inf])
def test_bad_learning_rate(make: Callable[..., optim.Optimizer], lr: float) -> None:
    with pytest.raises(ValueError, match=f"^{make.__name__}: lr must be a finite number >= 0"):
        make([Parameter(0.0)], lr=lr)


@pytest.mark.parametrize("make", [optim.Adam, optim.AdamW])
@pytest.mark.parametrize(
    ("betas", "message"),
    [
        ((1.0, 0.999), "betas[0] must be a finite number >= 0 and < 1, got float 1.0"),
        ((-0.1, 0.999), "betas[0] must be a finite number >= 0 and < 1, got float -0.1"),
        ((0.9, 1.0), "betas[1] must be a finite number >= 0 and < 1, got float 1.0"),
        ((0.9, 1.5), "betas[1] must be a finite number >= 0 and < 1, got float 1.5"),
        ((0.9, math.nan), "betas[1] must be a finite number >= 0 and < 1, got float nan"),
        ((0.9,), "betas must be a pair of numbers in [0, 1), got (0.9,)"),
    ],
)
def test_bad_betas(make: Callable[..., optim.Optimizer], betas: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{make.__name__}: {re.escape(message)}$"):
        make([Parameter(0.0)], betas=betas)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: optim.SGD([Parameter(0.0)], momentum=-0.1), ValueError,
         "SGD: momentum must be a finite number >= 0, got float -0.1"),
        (lambda: optim.SGD([Parameter(0.0)], nesterov=True), ValueError,
         "SGD: Nesterov momentum requires momentum > 0 and dampening = 0"),
        (lambda: optim.SGD([Parameter(0.0)], momentum=0.9, dampening=0.1, nesterov=True),
         ValueError, "SGD: Nesterov momentum requires momentum > 0 and dampening = 0"),
        (lambda: optim.SGD([Parameter(0.0)], weight_decay=-1), ValueError,
         "SGD: weight_decay must be a finite number >= 0, got int -1"),
        (lambda: optim.Adam([Parameter(0.0)], eps=-1e-8), ValueError,
         "Adam: eps must be a finite number >= 0, got float -1e-08"),
        (lambda: optim.RMSprop([Parameter(0.0)], alpha=-0.5), ValueError,
         "RMSprop: alpha must be a finite number >= 0, got float -0.5"),
        (lambda: optim.Adagrad([Parameter(0.0)], lr_decay=-1), ValueError,
         "Adagrad: lr_decay must be a finite number >= 0, got int -1"),
        (lambda: optim.SGD([Parameter(0.0)], lr="0.1"), TypeError,
         "SGD: lr must be a real number, got str '0.1'"),
        (lambda: optim.SGD([1.0]), TypeError, "SGD: parameter 0 must be a Node, got float (1.0)"),
        (lambda: optim.SGD(nn.MLP(2, [1], seed=0)), TypeError,
         "SGD: params must be an iterable of Nodes, got MLP (did you mean model.parameters()?)"),
        (lambda: optim.SGD(Parameter(0.0)), TypeError,
         "SGD: params must be an iterable of Nodes, got Parameter"),
        (lambda: optim.SGD([p := Parameter(0.0), p]), ValueError,
         "SGD: parameter 1 appears more than once"),
    ],
)  # fmt: skip
def test_bad_hyperparameters_and_parameters(
    call: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        call()


# ---------------------------------------------------------------------------
# state_dict


def test_state_dict_round_trip_continues_identically() -> None:
    grads = [0.5, -1.0, 0.25, 0.75]
    p = Parameter(1.0)
    opt = optim.Adam([p], lr=0.1, amsgrad=True)
    run_steps(opt, p, grads[:2])
    saved = json.loads(json.dumps(opt.state_dict()))  # plain JSON-ready data
    assert saved["type"] == "Adam"
    assert saved["step_count"] == 2
    assert saved["hyperparameters"]["betas"] == [0.9, 0.999]
    continued = run_steps(opt, p, grads[2:])

    replay = Parameter(1.0)
    first = optim.Adam([replay], lr=0.1, amsgrad=True)
    run_steps(first, replay, grads[:2])
    fresh = optim.Adam([replay], lr=0.5)  # different settings, overwritten by the load
    fresh.load_state_dict(saved)
    assert fresh.lr == 0.1 and fresh.amsgrad and fresh.betas == (0.9, 0.999)
    assert run_steps(fresh, replay, grads[2:]) == continued


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda s: s.update(type="SGD"), ValueError, "state is for 'SGD', not 'Adam'"),
        (lambda s: s.pop("step_count"), ValueError, "expected keys"),
        (lambda s: s["hyperparameters"].pop("eps"), ValueError, "hyperparameters must be"),
        (lambda s: s["hyperparameters"].update(lr=-1.0), ValueError, "Adam: lr must be"),
        (lambda s: s["hyperparameters"].update(betas=[0.9, 1.0]), ValueError, "betas[1]"),
        (lambda s: s.update(step_count=-1), ValueError,
         "step_count must be a whole number >= 0, got int -1"),
        (lambda s: s["state"].append(s["state"][0]), ValueError,
         "state has 2 entries but the optimizer has 1 parameter"),
        (lambda s: s["state"][0].pop("exp_avg"), ValueError, "state of parameter 0 must have keys"),
        (lambda s: s["state"][0].update(exp_avg="x"), TypeError,
         "state[0]['exp_avg'] must be a real number, got str 'x'"),
        (lambda s: s.update(state="x"), TypeError, "state must be a list, got str"),
    ],
)  # fmt: skip
def test_bad_optimizer_state_leaves_it_unchanged(
    change: Callable[[dict[str, Any]], object], error: type[Exception], message: str
) -> None:
    p = Parameter(1.0)
    opt = optim.Adam([p], lr=0.1)
    run_steps(opt, p, [0.5])
    before = opt.state_dict()
    bad = json.loads(json.dumps(before))
    change(bad)
    with pytest.raises(error, match=re.escape(message)):
        opt.load_state_dict(bad)
    assert opt.state_dict() == before


def test_load_state_dict_not_a_mapping() -> None:
    with pytest.raises(TypeError, match=r"SGD\.load_state_dict: expected a mapping, got list"):
        optim.SGD([Parameter(0.0)]).load_state_dict([])  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# clip_grad_norm


def test_clip_grad_norm_scales_down_large_gradients() -> None:
    a, b = Parameter(0.0), Parameter(0.0)
    a.grad, b.grad = 3.0, 4.0
    total = optim.clip_grad_norm([a, b], 1.0)
    assert total == 5.0  # sqrt(3**2 + 4**2)
    coefficient = 1.0 / (5.0 + 1e-6)  # max_norm / (total + 1e-6), as PyTorch
    assert (a.grad, b.grad) == (3.0 * coefficient, 4.0 * coefficient)


def test_clip_grad_norm_leaves_small_gradients_alone() -> None:
    a, b = Parameter(0.0), Parameter(0.0)
    a.grad, b.grad = 0.3, -0.4
    assert optim.clip_grad_norm([a, b], 1.0) == pytest.approx(0.5, rel=1e-15)
    assert (a.grad, b.grad) == (0.3, -0.4)


def test_clip_grad_norm_other_norms_and_node_gradients() -> None:
    a, b = Parameter(0.0), Parameter(0.0)
    a.grad, b.grad = 3.0, -4.0
    assert optim.clip_grad_norm([a, b], 10.0, norm_type=math.inf) == 4.0
    assert optim.clip_grad_norm([a, b], 10.0, norm_type=1) == 7.0
    x = Parameter(2.0)
    (x**3).backward(create_graph=True)  # x.grad = 3 x**2 = 12, as a Node
    assert optim.clip_grad_norm([x], 6.0) == 12.0
    assert isinstance(x.grad, mg.Node)
    assert float(x.grad) == 12.0 * (6.0 / (12.0 + 1e-6))
    assert optim.clip_grad_norm([], 1.0) == 0.0
    assert optim.clip_grad_norm_ is optim.clip_grad_norm


def test_clip_grad_norm_bad_arguments() -> None:
    with pytest.raises(ValueError, match="clip_grad_norm: max_norm must be a finite number >= 0"):
        optim.clip_grad_norm([Parameter(0.0)], -1.0)
    with pytest.raises(ValueError, match=r"norm_type must be >= 1 or inf, got 0\.5"):
        optim.clip_grad_norm([Parameter(0.0)], 1.0, norm_type=0.5)


# ---------------------------------------------------------------------------
# Schedulers


def lrs(scheduler: optim.LRScheduler, steps: int) -> list[float]:
    out = []
    for _ in range(steps):
        scheduler.step()
        assert scheduler.get_last_lr() == scheduler.optimizer.lr
        out.append(scheduler.optimizer.lr)
    return out


def sgd(lr: float) -> optim.SGD:
    return optim.SGD([Parameter(0.0)], lr=lr)


def test_step_lr() -> None:
    scheduler = optim.StepLR(sgd(1.0), step_size=2, gamma=0.5)
    assert scheduler.get_last_lr() == 1.0
    # lr = 1.0 * 0.5 ** (epoch // 2) for epochs 1..5
    assert lrs(scheduler, 5) == [1.0, 0.5, 0.5, 0.25, 0.25]


def test_exponential_lr() -> None:
    assert lrs(optim.ExponentialLR(sgd(2.0), gamma=0.5), 3) == [1.0, 0.5, 0.25]


def test_cosine_annealing_lr() -> None:
    values = lrs(optim.CosineAnnealingLR(sgd(1.1), T_max=4, eta_min=0.1), 4)
    # eta_min + (base - eta_min) * (1 + cos(pi * t / 4)) / 2
    expected = [0.1 + 1.0 * (1 + math.cos(math.pi * t / 4)) / 2 for t in (1, 2, 3, 4)]
    assert values == expected
    assert close(values[1], 0.6) and values[3] == 0.1


def test_lambda_lr_and_decay_from_1_to_0_1() -> None:
    opt = sgd(1.0)
    scheduler = optim.LambdaLR(opt, lambda epoch: 1.0 - 0.9 * epoch / 100)
    values = lrs(scheduler, 100)
    assert close(values[0], 0.991) and close(values[-1], 0.1)


def test_scheduler_state_dict_and_errors() -> None:
    scheduler = optim.StepLR(sgd(1.0), step_size=1, gamma=0.5)
    lrs(scheduler, 2)
    state = scheduler.state_dict()
    assert state == {"base_lr": 1.0, "last_epoch": 2, "last_lr": 0.25}
    other = optim.StepLR(sgd(1.0), step_size=1, gamma=0.5)
    other.load_state_dict(state)
    assert lrs(other, 1) == [0.125]
    with pytest.raises(ValueError, match="last_epoch must be a whole number >= 0, got int -1"):
        other.load_state_dict({"base_lr": 1.0, "last_epoch": -1, "last_lr": 1.0})
    assert other.last_epoch == 3
    with pytest.raises(
        ValueError, match="StepLR: step_size must be a whole number >= 1, got int 0"
    ):
        optim.StepLR(sgd(1.0), step_size=0)
    with pytest.raises(ValueError, match="CosineAnnealingLR: T_max must be a whole number >= 1"):
        optim.CosineAnnealingLR(sgd(1.0), T_max=0)
    with pytest.raises(TypeError, match="ExponentialLR: expected an Optimizer, got list"):
        optim.ExponentialLR([], gamma=0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="LambdaLR: lr_lambda must be a function, got float"):
        optim.LambdaLR(sgd(1.0), 0.5)  # type: ignore[arg-type]


def test_docstring_examples() -> None:
    import doctest

    result = doctest.testmod(optim, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
