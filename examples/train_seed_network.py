"""Train the tutorial's two-layer network and compare with its reference numbers.

The network (w1..w8 = 1..8, b1..b4 = 9..12 to start with):

    f = w1*x1 + w2*x2 + b1      g = w3*x1 + w4*x2 + b2
    h = w5*f  + w6*g  + b3      i = w7*f  + w8*g  + b4
    j = h + 2*i

is trained to predict y from x1 = x2 = y = k/100 (k = 0..99): 100 epochs, one
SGD update (lr = 1e-3) per sample, the squared error as the loss. Afterwards
it should predict about 1000 at x1 = x2 = 1000.

    python examples/train_seed_network.py                 # exact gradients
    python examples/train_seed_network.py --numeric       # the tutorial's numeric layers
    python examples/train_seed_network.py --out pictures  # loss.png into ./pictures
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from micrograd import models, optim


def train(numeric: bool, epochs: int, lr: float) -> tuple[models.TwoLayerNet, list[float]]:
    """The training loop, written out: forward, loss, zero_grad, backward, step."""
    net = models.TwoLayerNet(numeric=numeric)
    optimizer = optim.SGD(net.parameters(), lr=lr)
    samples = models.seed_samples()
    losses = []
    for _ in range(epochs):
        total = 0.0
        for x1, x2, y in samples:
            loss = net.loss(net(x1, x2), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.data  # recorded before the update, as the tutorial does
        losses.append(total / len(samples))
    return net, losses


def plot(losses: list[float], path: Path, title: str) -> bool:
    """Draw the loss curve on a log scale; False when matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed: no picture. pip install 'micrograd-plus[plot]'")
        return False
    figure = Figure(figsize=(6.4, 4.0))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(range(1, len(losses) + 1), losses)
    axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("mean squared error")
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    return True


def main(argv: list[str] | None = None) -> int:
    """Train, print the numbers beside the reference, and plot the loss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numeric", action="store_true", help="the tutorial's numeric layers")
    parser.add_argument("--epochs", type=int, default=100, help="epochs (default: 100)")
    parser.add_argument("--lr", type=float, default=1e-3, help="learning rate (default: 1e-3)")
    parser.add_argument("--out", type=Path, default=None, help="folder for loss.png")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")

    net, losses = train(args.numeric, args.epochs, args.lr)
    prediction = net.predict(1000.0, 1000.0)
    mode = "numeric" if args.numeric else "exact"
    reference = models.REFERENCE[mode]
    print(f"{'':22}{'this run':<26}reference ({mode}, 100 epochs)")
    for name, value, key in (
        ("first epoch loss", losses[0], "first_loss"),
        ("last epoch loss", losses[-1], "last_loss"),
        ("prediction at 1000", prediction, "prediction"),
    ):
        print(f"{name:22}{value!r:<26}{reference[key]!r}")
    print("trained parameters:")
    for name, p in net.tutorial_parameters().items():
        print(f"  {name:3} = {p.data!r}")

    out = args.out or Path(tempfile.mkdtemp(prefix="micrograd-seed-"))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "loss.png"
    gradients = "numeric" if args.numeric else "exact"
    if plot(losses, path, f"The tutorial's two-layer network ({gradients} gradients)"):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
