"""Train two networks with compiled mode, and check every number against eager mode.

Compiled mode traces a loss once and runs it as generated Python over plain
floats: the code a person would write by hand for that network, forward pass
and chain rule. This script

1. trains the tutorial's two-layer network (100 epochs, one SGD step per
   sample) with a compiled loss called per sample, and again with each epoch
   run as one generated loop (`CompiledLoss.sgd_epoch`), checks that both end
   exactly where eager training ends (prediction 999.9871750014445 at
   x1 = x2 = 1000), and times all three;
2. trains Karpathy's two-moons MLP(2, [16, 16, 1]) (hinge loss + 1e-4 L2, full
   batch of 100 points, SGD with a decaying learning rate) with a batched
   compiled loss, after checking its loss and gradients against eager mode;
3. writes the generated source of both into --out (a temporary folder by
   default), so you can read the chain rule as Python.

    python examples/compiled_training.py                 # everything
    python examples/compiled_training.py --steps 20      # a shorter moons run
    python examples/compiled_training.py --out compiled  # sources into ./compiled
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import micrograd as mg
from micrograd import models, nn, optim

Point = list[float]


# -- the tutorial's network ---------------------------------------------------


def seed_loss(net: models.TwoLayerNet, x1: mg.Node, x2: mg.Node, y: mg.Node) -> mg.Node:
    """The tutorial's per-sample loss: the squared error of the network's output."""
    return net.loss(net(x1, x2), y)


def train_seed(compiled: bool, epochs: int = 100) -> tuple[models.TwoLayerNet, list[float]]:
    """The tutorial's training loop; with `compiled`, the loss runs as generated code."""
    net = models.TwoLayerNet()
    optimizer = optim.SGD(net.parameters(), lr=1e-3)
    step = mg.compile_loss(net, seed_loss) if compiled else None
    losses = []
    for _ in range(epochs):
        total = 0.0
        for x1, x2, y in models.seed_samples():
            optimizer.zero_grad()
            if step is not None:
                total += step(x1, x2, y)  # the loss value; gradients added into p.grad
            else:
                loss = seed_loss(net, x1, x2, y)  # type: ignore[arg-type]
                loss.backward()
                total += loss.data
            optimizer.step()
        losses.append(total / 100)
    return net, losses


def train_seed_by_epoch(epochs: int = 100) -> tuple[models.TwoLayerNet, list[float]]:
    """The same training, each epoch one generated loop that updates the parameters."""
    net = models.TwoLayerNet()
    step = mg.compile_loss(net, seed_loss, batched=True)
    x1s, x2s, ys = (list(column) for column in zip(*models.seed_samples()))
    losses = [step.sgd_epoch(x1s, x2s, ys, lr=1e-3) for _ in range(epochs)]
    return net, losses


def seed_source() -> str:
    """The generated source of the tutorial network's compiled loss."""
    step = mg.compile_loss(models.TwoLayerNet(), seed_loss)
    step(0.5, 0.5, 0.5)
    return step.source


# -- Karpathy's two moons -------------------------------------------------------


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int = 1337
) -> tuple[list[Point], list[float]]:
    """`n` points on two interleaving half circles, labels -1 (upper) and +1 (lower)."""
    rng = random.Random(seed)
    upper, lower = n // 2, n - n // 2
    points: list[Point] = []
    labels: list[float] = []
    for count, label in ((upper, -1.0), (lower, 1.0)):
        for k in range(count):
            t = math.pi * k / (count - 1)
            x, y = (math.cos(t), math.sin(t)) if label < 0 else (1 - math.cos(t), 0.5 - math.sin(t))
            points.append([x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)])
            labels.append(label)
    return points, labels


def hinge(model: nn.MLP, x: list[mg.Node], y: mg.Node) -> mg.Node:
    """One point's max-margin loss: relu(1 - y * score)."""
    return mg.relu(1 - y * model(x)[0])


def l2(model: nn.MLP) -> mg.Node:
    """The L2 penalty 1e-4 * sum(p^2) of Karpathy's demo."""
    return 1e-4 * sum((p * p for p in model.parameters()), mg.Node(0.0))


def eager_loss(model: nn.MLP, points: list[Point], labels: list[float]) -> mg.Node:
    """The same loss in eager mode: mean hinge loss over the batch, plus the penalty."""
    return nn.hinge_loss([model(point)[0] for point in points], labels) + l2(model)


def accuracy(model: nn.MLP, points: list[Point], labels: list[float]) -> float:
    """The fraction of points on the right side of the decision boundary."""
    with mg.no_grad():
        scores: list[float] = [model(point)[0].data for point in points]
    return sum((s > 0) == (y > 0) for s, y in zip(scores, labels)) / len(labels)


def seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the three parts and print what each shows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="moons SGD steps (default 100)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the generated sources")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    out = args.out or Path(tempfile.mkdtemp(prefix="micrograd-compiled-"))
    out.mkdir(parents=True, exist_ok=True)

    print("1. The tutorial's network, 100 epochs of per-sample SGD")
    trainings: dict[str, Callable[[], tuple[models.TwoLayerNet, list[float]]]] = {
        "eager": lambda: train_seed(compiled=False),
        "compiled per sample": lambda: train_seed(compiled=True),
        "compiled epochs (sgd_epoch)": train_seed_by_epoch,
    }
    results: dict[str, tuple[models.TwoLayerNet, list[float]]] = {}
    times: dict[str, float] = {}
    for name, train in trainings.items():
        start = time.perf_counter()
        results[name] = train()
        times[name] = time.perf_counter() - start
    eager_net, eager_losses = results["eager"]
    prediction = results["compiled per sample"][0].predict(1000.0, 1000.0)
    print(f"   prediction at x1 = x2 = 1000: {prediction!r} (the tutorial's: 999.9871750014445)")
    print(f"   mean loss, first and last epoch: {eager_losses[0]:.6f}, {eager_losses[-1]:.3e}")
    for name in list(trainings)[1:]:
        net, losses = results[name]
        same = net.state_dict() == eager_net.state_dict() and losses == eager_losses
        print(f"   {name}: same parameters and losses as eager training: {same};"
              f" {times[name]:.2f} s against {times['eager']:.2f} s"
              f" ({times['eager'] / times[name]:.0f}x faster)")  # fmt: skip
    (out / "seed_network.py").write_text(seed_source())

    print(f"2. Two moons, MLP(2, [16, 16, 1]), {args.steps} full-batch SGD steps")
    points, labels = make_moons(100)
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    step = mg.compile_loss(model, hinge, batched=True, penalty=l2)
    first = seconds(lambda: step.verify(points, labels))
    stats = step.stats
    print(f"   traced one sample ({stats.nodes} nodes) and compiled it in {first:.3f} s;"
          " loss and gradients equal eager mode's (verified)")  # fmt: skip
    model.zero_grad()
    eager_time = seconds(lambda: eager_loss(model, points, labels).backward())
    model.zero_grad()
    compiled_time = seconds(lambda: step(points, labels))
    print(
        f"   one step's loss and gradients: eager {eager_time * 1e3:.1f} ms,"
        f" compiled {compiled_time * 1e3:.2f} ms ({eager_time / compiled_time:.0f}x faster)"
    )
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    scheduler = optim.LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / 100)
    loss = math.nan
    training = time.perf_counter()
    for _ in range(args.steps):
        optimizer.zero_grad()
        loss = step(points, labels)
        optimizer.step()
        scheduler.step()
    training = time.perf_counter() - training
    print(
        f"   after {args.steps} steps ({training:.2f} s): loss {loss:.4f},"
        f" accuracy {accuracy(model, points, labels):.0%}"
    )
    (out / "moons_mlp.py").write_text(step.source)

    print("3. The generated sources")
    for name in ("seed_network.py", "moons_mlp.py"):
        path = out / name
        print(f"   wrote {path} ({len(path.read_text().splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
