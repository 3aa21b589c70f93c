"""Pictures of computation graphs: a formula, its second derivative, and two networks.

    python examples/draw_graph.py --out pictures/

Writes PNG and SVG files into the folder given by --out (by default a new
temporary folder) and prints each path. Needs Graphviz's `dot` program.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import micrograd as mg
from micrograd import nn
from micrograd.models import TwoLayerNet
from micrograd.viz import GraphvizNotFoundError, draw_graph, render_graph


def formula(out: Path) -> list[Path]:
    """The tutorial's formula ``relu(x**2 - 2*y)`` at x = 3, y = 2, after backward."""
    x, y = mg.Node(3.0, label="x"), mg.Node(2.0, label="y")
    z = mg.relu(x**2 - 2 * y)
    z.label = "z"
    z.backward()
    return [render_graph(z, out / "formula.png"), render_graph(z, out / "formula.svg")]


def second_derivative(out: Path) -> list[Path]:
    """With ``create_graph=True`` the gradient is itself a graph, and can be drawn."""
    x = mg.Node(2.0, label="x")
    y = x**3
    y.backward(create_graph=True)
    dy_dx = x.grad
    assert isinstance(dy_dx, mg.Node)
    dy_dx.label = "dy/dx"
    dy_dx.backward()  # gradients of the gradient: d2y/dx2 = 6x lands in x.grad
    return [render_graph(dy_dx, out / "derivative.png", rankdir="TB")]


def mlp(out: Path) -> list[Path]:
    """A small MLP and its loss: parameters named, each layer and neuron a cluster."""
    model = nn.MLP(2, [3, 1], act="tanh", seed=1)
    x1, x2 = mg.Node(0.5, label="x1"), mg.Node(-1.0, label="x2")
    loss = nn.mse_loss(model([x1, x2])[0], 1.0)
    model.zero_grad()
    loss.backward()
    return [render_graph(loss, out / "mlp.png", model=model)]


def two_layer_network(out: Path) -> list[Path]:
    """The tutorial's network at x1 = x2 = y = 0.5, its loss ``(j - y)**2`` differentiated."""
    net = TwoLayerNet()
    x1, x2, y = (mg.Node(0.5, label=name) for name in ("x1", "x2", "y"))
    loss = net.loss(net(x1, x2), y)
    loss.backward()
    return [
        render_graph(loss, out / "network.png", model=net),
        render_graph(loss, out / "network.svg", model=net),
    ]


def too_big() -> None:
    """A graph over the limit is refused with a message saying how to raise it."""
    node = mg.Node(0.0)
    for _ in range(1000):
        node = node + 1
    try:
        draw_graph(node)
    except ValueError as error:
        print(f"as expected, a big graph is refused:\n  {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for the pictures (default: a temp dir)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="micrograd-graphs-"))
    try:
        written = formula(out) + second_derivative(out) + mlp(out) + two_layer_network(out)
    except GraphvizNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    too_big()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
