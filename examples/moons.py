"""A small neural network learns to separate two interleaving half-moons.

This is the classic micrograd demo, with this library: an MLP with two hidden
layers of 16 ReLU neurons, trained on 100 points with the SVM max-margin
(hinge) loss plus a little L2 regularisation, by full-batch SGD whose learning
rate decays linearly from 1.0 to 0.1. It reaches 100% training accuracy and
draws the decision boundary.

    python examples/moons.py                    # 100 steps, picture in a temp folder
    python examples/moons.py --out pictures     # picture in ./pictures/moons.png
    python examples/moons.py --steps 20         # a shorter run
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import micrograd as mg
from micrograd import nn, optim

Point = tuple[float, float]


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[list[Point], list[int]]:
    """`n` points on two interleaving half circles, labels -1 (upper) and +1 (lower).

    Gaussian noise of standard deviation `noise` is added to each coordinate.
    """
    rng = random.Random(seed)
    upper, lower = n // 2, n - n // 2
    points: list[Point] = []
    labels: list[int] = []
    for k in range(upper):
        angle = math.pi * k / (upper - 1)
        points.append((math.cos(angle), math.sin(angle)))
        labels.append(-1)
    for k in range(lower):
        angle = math.pi * k / (lower - 1)
        points.append((1.0 - math.cos(angle), 0.5 - math.sin(angle)))
        labels.append(1)
    noisy = [(x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)) for x, y in points]
    return noisy, labels


def loss_and_accuracy(
    model: nn.MLP, points: list[Point], labels: list[int], alpha: float = 1e-4
) -> tuple[mg.Node, float]:
    """Mean hinge loss plus ``alpha * sum(p**2)``, and the fraction classified right."""
    scores = [model(list(point))[0] for point in points]
    data_loss = nn.hinge_loss(scores, labels)
    penalty = sum((p * p for p in model.parameters()), mg.Node(0.0))
    correct = sum((score.data > 0) == (label > 0) for score, label in zip(scores, labels))
    return data_loss + alpha * penalty, correct / len(labels)


def train(
    steps: int = 100,
    seed: int = 1337,
    callback: Callable[[int, float, float], None] | None = None,
) -> tuple[nn.MLP, list[Point], list[int], list[float]]:
    """Train the demo network; returns the model, the data and the accuracy after each step.

    The learning rate is ``1.0 - 0.9 * k / 100`` at step k (k from 0), so over
    100 steps it falls from 1.0 towards 0.1. `callback(step, loss, accuracy)`
    runs after each step.
    """
    points, labels = make_moons(100, noise=0.1, seed=seed)
    model = nn.MLP(2, [16, 16, 1], seed=seed)
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    scheduler = optim.LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / 100)
    accuracies = []
    for step in range(steps):
        loss, accuracy = loss_and_accuracy(model, points, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        accuracies.append(accuracy)
        if callback is not None:
            callback(step, loss.data, accuracy)
    return model, points, labels, accuracies


def final_accuracy(model: nn.MLP, points: list[Point], labels: list[int]) -> float:
    """The fraction of points on the right side of the decision boundary now."""
    with mg.no_grad():
        scores: list[float] = [model(list(point))[0].data for point in points]
    return sum((s > 0) == (y > 0) for s, y in zip(scores, labels)) / len(labels)


def draw(
    model: nn.MLP, points: list[Point], labels: list[int], path: Path, resolution: int = 60
) -> bool:
    """Draw the decision regions and the points into `path`; False without matplotlib."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: no picture. pip install 'micrograd-plus[plot]'")
        return False
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    x_min, x_max, y_min, y_max = min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.5, max(ys) + 0.5
    grid_x = [x_min + (x_max - x_min) * i / (resolution - 1) for i in range(resolution)]
    grid_y = [y_min + (y_max - y_min) * j / (resolution - 1) for j in range(resolution)]
    with mg.no_grad():
        regions = [[float(model([x, y])[0].data > 0) for x in grid_x] for y in grid_y]
    figure = Figure(figsize=(5.5, 5.0))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.contourf(grid_x, grid_y, regions, levels=[-0.5, 0.5, 1.5], colors=["#f4c7c3", "#c6dbef"])
    for label, color in ((-1, "#c0392b"), (1, "#2166ac")):
        chosen = [p for p, y in zip(points, labels) if y == label]
        axes.scatter([x for x, _ in chosen], [y for _, y in chosen], s=25, c=color,
                     edgecolors="black", linewidths=0.5, label=f"class {label:+d}")  # fmt: skip
    axes.set_title("MLP(2, [16, 16, 1]) on two moons: decision boundary")
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    axes.legend(loc="upper right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return True


def main(argv: list[str] | None = None) -> int:
    """Train, report the accuracy and draw the decision boundary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="SGD steps (default: 100)")
    parser.add_argument("--seed", type=int, default=1337, help="data and weights seed")
    parser.add_argument("--out", type=Path, default=None, help="folder for moons.png")
    parser.add_argument("--grid", type=int, default=60, help="picture resolution (default: 60)")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    if args.grid < 2:
        parser.error("--grid must be at least 2")

    def report(step: int, loss: float, accuracy: float) -> None:
        print(f"step {step:3d}  loss {loss:.4f}  accuracy {accuracy:.0%}")

    model, points, labels, _ = train(args.steps, args.seed, report)
    accuracy = final_accuracy(model, points, labels)
    print(f"training accuracy after {args.steps} steps: {accuracy:.0%}")
    out = args.out or Path(tempfile.mkdtemp(prefix="micrograd-moons-"))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "moons.png"
    if draw(model, points, labels, path, resolution=args.grid):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
