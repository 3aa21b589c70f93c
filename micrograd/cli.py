"""The `micrograd` command line (also ``python -m micrograd``).

Each subcommand is registered by a small ``_add_<name>(subparsers)`` function
listed in `COMMANDS`; it builds its argument parser and sets ``run`` to the
function that carries it out. A run function returns the exit status, or
raises `CommandError` for a failure that deserves one clear line rather than
a traceback.

The top layer. Imports: `micrograd` (its version), `micrograd.models`,
`micrograd.optim`, `micrograd.node`, and, when a command needs them,
`micrograd.viz` and `micrograd.formula`.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from micrograd import __version__, files
from micrograd.models import REFERENCE, TwoLayerNet, seed_samples, train_epoch
from micrograd.node import Node, topological_order
from micrograd.optim import SGD

__all__ = ["COMMANDS", "DEMO_PICTURES", "CommandError", "build_parser", "main"]

#: What `argparse.ArgumentParser.add_subparsers` returns.
Subparsers = Any


class CommandError(Exception):
    """A failure reported as ``micrograd <command>: error: <message>``, exit status 1."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return 2
    previous = _stop_on_sigterm()
    try:
        return run(args)
    except CommandError as error:
        print(f"micrograd {args.command}: error: {_one_line(str(error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"micrograd {args.command}: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print(f"micrograd {args.command}: terminated", file=sys.stderr)
        return 143
    except Exception as error:  # anything else a user can cause: one line, no traceback
        if os.environ.get("MICROGRAD_DEBUG"):
            raise
        print(
            f"micrograd {args.command}: error: {type(error).__name__}: {_one_line(str(error))}"
            " (set MICROGRAD_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(BaseException):
    """SIGTERM arrived: raised so that child processes (`dot`) are stopped on the way out."""


def _stop_on_sigterm() -> Any:
    """Turn SIGTERM into `_Terminated` in the main thread; return the previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def terminate(signum: int, frame: object) -> None:
        raise _Terminated

    return signal.signal(signal.SIGTERM, terminate)


def _one_line(text: str) -> str:
    """`text` on one line: newlines and runs of spaces become single spaces."""
    return " ".join(text.split())


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand of `COMMANDS` registered."""
    parser = argparse.ArgumentParser(
        prog="micrograd",
        description="A scalar automatic differentiation engine: demos and tools.",
    )
    parser.add_argument("--version", action="version", version=f"micrograd {__version__}")
    subparsers = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


# ---------------------------------------------------------------------------
# Argument types


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _output_folder(path: Path) -> Path:
    """Create `path` if needed; CommandError if it cannot be a folder."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot use {str(path)!r} as the output folder: {error}") from None
    return path


# ---------------------------------------------------------------------------
# micrograd demo

#: Extra pictures `micrograd demo` writes after training. Each is called with
#: the trained network and the output folder, and returns the file it wrote,
#: or None when it could not (having said why on stderr).
DEMO_PICTURES: list[Callable[[TwoLayerNet, Path], Path | None]] = []

_DEFAULT_EPOCHS = 100
_DEFAULT_LR = 1e-3


def _add_demo(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="train the tutorial's two-layer network and compare with its reference numbers",
        description=(
            "Train the tutorial's two-layer network (100 epochs of 100 samples"
            " x1 = x2 = y = k/100, plain SGD), print the first and last epoch's mean loss"
            " and the prediction at x1 = x2 = 1000 beside the reference values, and"
            " write loss.png (the loss curve) into the output folder."
        ),
    )
    parser.add_argument(
        "--epochs", type=_positive_int, default=_DEFAULT_EPOCHS, help="epochs (default: 100)"
    )
    parser.add_argument(
        "--lr", type=_positive_float, default=_DEFAULT_LR, help="learning rate (default: 1e-3)"
    )
    parser.add_argument(
        "--numeric",
        action="store_true",
        help="use the tutorial's numeric layers (forward difference, eps = 1e-10)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="start from random weights drawn with this seed instead of the tutorial's values",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("micrograd-out"),
        metavar="DIR",
        help="folder for the pictures (default: micrograd-out/)",
    )
    parser.set_defaults(run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    out = _output_folder(args.out)
    mode = "numeric" if args.numeric else "exact"
    net = TwoLayerNet(numeric=args.numeric, seed=args.seed)
    optimizer = SGD(net.parameters(), lr=args.lr)
    samples = seed_samples()
    gradients = "the tutorial's numeric gradients" if args.numeric else "exact gradients"
    print(
        f"Training the tutorial's two-layer network: {args.epochs} epochs of"
        f" {len(samples)} samples, lr {args.lr:g}, {gradients}."
    )
    losses: list[float] = []
    with tqdm(range(args.epochs), desc="training", unit="epoch", file=sys.stderr) as bar:
        for epoch in bar:
            try:
                loss = train_epoch(net, optimizer, samples)
            except ArithmeticError as error:
                raise CommandError(
                    f"training failed in epoch {epoch + 1}: {error}. {_LR_HINT}"
                ) from None
            losses.append(loss)
            if not math.isfinite(loss):
                raise CommandError(
                    f"the loss became {loss} in epoch {epoch + 1}: training diverged. {_LR_HINT}"
                )
            bar.set_postfix_str(f"loss {loss:.4g}", refresh=False)
    prediction = net.predict(1000.0, 1000.0)
    if not math.isfinite(prediction):
        raise CommandError(f"the prediction at 1000 is {prediction}. {_LR_HINT}")

    reference = REFERENCE[mode]
    print()
    _print_comparison(
        [
            ("first epoch mean loss", losses[0], reference["first_loss"]),
            ("last epoch mean loss", losses[-1], reference["last_loss"]),
            ("prediction at x1 = x2 = 1000", prediction, reference["prediction"]),
        ],
        f"reference ({mode})",
    )
    if (args.epochs, args.lr, args.seed) != (_DEFAULT_EPOCHS, _DEFAULT_LR, None):
        print(
            "note: the reference is for 100 epochs at lr 1e-3 from the tutorial's initial"
            " values; with other settings the numbers are expected to differ."
        )
    print()
    written = [_plot_losses(losses, out / "loss.png", args.numeric)]
    written += [picture(net, out) for picture in DEMO_PICTURES]
    for path in written:
        if path is not None:
            print(f"wrote {path}")
    return 0


_LR_HINT = "The learning rate is probably too large; try --lr 1e-3 (the default)."


def _print_comparison(rows: list[tuple[str, float, float]], reference_title: str) -> None:
    width = max(len(name) for name, _, _ in rows)
    print(f"{'':{width}}  {'micrograd':<24}  {reference_title:<24}  relative difference")
    for name, value, expected in rows:
        difference = abs(value - expected) / abs(expected)
        print(f"{name:{width}}  {value!r:<24}  {expected!r:<24}  {difference:.1e}")


def _plot_losses(losses: list[float], path: Path, numeric: bool) -> Path | None:
    """Draw the loss curve (log scale) into `path`; None if matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        print(
            f"note: matplotlib is not installed, so {path} was not written."
            " Install it with: pip install 'micrograd-plus[plot]'",
            file=sys.stderr,
        )
        return None
    figure = Figure(figsize=(6.4, 4.0))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(range(1, len(losses) + 1), losses, marker="." if len(losses) < 30 else None)
    axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel("mean squared error (log scale)")
    gradients = "numeric" if numeric else "exact"
    axes.set_title(f"Two-layer network: training loss ({gradients} gradients)")
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    try:
        with files.atomic_binary(path) as handle:
            figure.savefig(handle, dpi=120, format="png")
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error}") from None
    return path


# ---------------------------------------------------------------------------
# micrograd graph

#: The sample at which `micrograd graph --model two-layer` (and the demo's
#: network.png) evaluates the tutorial's loss: x1 = x2 = y = 0.5.
GRAPH_SAMPLE = {"x1": 0.5, "x2": 0.5, "y": 0.5}

_GRAPH_MODELS = ("two-layer",)


class _BadGraphInput(Exception):
    """A formula, assignment or option `micrograd graph` cannot use: exit status 2."""


def _add_graph(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="draw the computation graph of a formula, or of the tutorial's network",
        description=(
            "Draw a computation graph, every value with its gradient, into a PNG, SVG or\n"
            "PDF file: either a formula over named variables, given their values as\n"
            "NAME=VALUE, or --model two-layer, the tutorial's network and its loss\n"
            "(j - y)**2 at x1 = x2 = y = 0.5 (change them with x1=... x2=... y=...)."
        ),
        epilog=(
            "examples:\n"
            '  micrograd graph "relu(x**2 - 2*y)" x=3 y=2 -o g.png\n'
            "  micrograd graph --model two-layer -o network.svg\n"
            '  micrograd graph "tanh(w*x + b)" w=0.5 x=2 b=1 --html backprop.html\n'
            '  micrograd graph -o neg.png -- "-x**2" x=1    (a formula starting with -)\n'
            "\n"
            "A formula may use numbers, variables, + - * / ** and parentheses, and the\n"
            "functions exp log sqrt sin cos tan tanh sigmoid relu leaky_relu softplus abs\n"
            "maximum minimum. It is parsed and checked, never run as Python."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("formula", nargs="?", help='the formula, such as "relu(x**2 - 2*y)"')
    parser.add_argument(
        "assignments", nargs="*", metavar="NAME=VALUE", help="the value of each variable"
    )
    parser.add_argument(
        "--model", choices=_GRAPH_MODELS, help="draw a built-in model's loss instead of a formula"
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="the picture to write: .png, .svg or .pdf (default: graph.png, none with --html)",
    )
    parser.add_argument(
        "--html",
        type=Path,
        default=None,
        metavar="FILE",
        help="also (or, without -o, only) write the step-by-step page of the forward and"
        " backward pass (see mg.explain) into FILE, a single .html file",
    )
    parser.add_argument(
        "--lang",
        choices=_PAGE_LANGUAGES,
        default="en",
        help="the language of the --html page's text: en (default) or ko",
    )
    parser.add_argument(
        "--rankdir",
        choices=("LR", "TB", "RL", "BT"),
        default="LR",
        help="direction of the flow: LR (left to right, default) or TB (top to bottom)",
    )
    parser.add_argument(
        "--max-nodes",
        type=_positive_int,
        default=500,
        metavar="N",
        help="refuse graphs of more than N values (default: 500)",
    )
    parser.add_argument(
        "--dot-timeout",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="stop Graphviz's dot after this many seconds (default: 60)",
    )
    parser.set_defaults(run=_run_graph)


def _run_graph(args: argparse.Namespace) -> int:
    from micrograd.viz import RENDER_FORMATS, GraphvizError, render_graph

    if args.output is None and args.html is None:
        args.output = Path("graph.png")
    try:
        if args.html is not None and args.html.suffix.lower() not in _PAGE_SUFFIXES:
            raise _BadGraphInput(
                f"cannot write {str(args.html)!r}: the page's file name must end in .html"
            )
        if args.output is None:
            pass
        elif args.output.suffix.lower() not in RENDER_FORMATS:
            raise _BadGraphInput(
                f"cannot write {str(args.output)!r}: the file name must end in"
                f" {', '.join(RENDER_FORMATS)}"
            )
        if args.model is not None:
            root, model, summary = _graph_of_model(args)
        else:
            root, model, summary = _graph_of_formula(args)
    except _BadGraphInput as error:
        print(f"micrograd graph: error: {error}", file=sys.stderr)
        return 2
    count = len(topological_order(root))
    if count > args.max_nodes:
        raise CommandError(
            f"the graph has {count} values, more than --max-nodes {args.max_nodes};"
            f" pass --max-nodes {count} to draw it anyway"
        )
    if args.html is not None:
        page = _write_page(root, model, args)
        if args.output is None:
            print(summary)
            print(f"wrote {page}")
            return 0
        print(f"wrote {page}")
    try:
        path = render_graph(
            root,
            args.output,
            rankdir=args.rankdir,
            max_nodes=args.max_nodes,
            model=model,
            timeout=args.dot_timeout,
        )
    except GraphvizError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {str(args.output)!r}: {error}") from None
    print(summary)
    print(f"wrote {path}")
    return 0


_PAGE_SUFFIXES = (".html", ".htm")
_PAGE_LANGUAGES = ("en", "ko")


def _write_page(root: Node, model: TwoLayerNet | None, args: argparse.Namespace) -> Path:
    """The step-by-step page of `root` (`mg.explain`) written to ``args.html``."""
    from micrograd.explain import explain
    from micrograd.viz import GraphvizError

    try:
        return explain(
            root,
            model=model,
            lang=args.lang,
            rankdir=args.rankdir,
            max_nodes=args.max_nodes,
            timeout=args.dot_timeout,
        ).save(args.html)
    except GraphvizError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"cannot write {str(args.html)!r}: {error}") from None


def _graph_of_formula(args: argparse.Namespace) -> tuple[Node, TwoLayerNet | None, str]:
    """The differentiated graph of the formula in `args`, and a line saying its results."""
    from micrograd.formula import FormulaError, parse_assignment, parse_formula

    if args.formula is None:
        raise _BadGraphInput('give a formula, such as "relu(x**2 - 2*y)" x=3 y=2, or --model')
    try:
        formula = parse_formula(args.formula)
        values = dict(parse_assignment(text) for text in args.assignments)
        root = formula.evaluate(values)
    except FormulaError as error:
        raise _BadGraphInput(str(error)) from None
    except (ArithmeticError, ValueError) as error:
        raise _BadGraphInput(f"cannot evaluate {args.formula!r}: {error}") from None
    if not root.label:
        root.label = args.formula if len(args.formula) <= 40 else "result"
    root.backward()
    leaves = {node.label: node for node in topological_order(root) if node.label in values}
    at = ", ".join(f"{name}={value:g}" for name, value in values.items())
    slopes = ", ".join(f"d/d{name} = {float(leaves[name].grad):.6g}" for name in values)
    summary = f"{args.formula} = {root.data:.6g}" + (f" at {at}; {slopes}" if values else "")
    return root, None, summary


def _graph_of_model(args: argparse.Namespace) -> tuple[Node, TwoLayerNet | None, str]:
    """The tutorial network's differentiated loss at the sample in `args`."""
    from micrograd.formula import FormulaError, parse_assignment

    if args.formula is not None:  # with --model, every positional is an assignment
        args.assignments = [args.formula, *args.assignments]
    sample = dict(GRAPH_SAMPLE)
    for text in args.assignments:
        try:
            name, value = parse_assignment(text)
        except FormulaError as error:
            raise _BadGraphInput(str(error)) from None
        if name not in sample:
            raise _BadGraphInput(
                f"--model {args.model} takes x1, x2 and y, got {name!r} (in {text!r})"
            )
        sample[name] = value
    net = TwoLayerNet()
    loss = _network_loss(net, **sample)
    at = ", ".join(f"{name}={value:g}" for name, value in sample.items())
    return loss, net, f"two-layer network: loss (j - y)**2 = {loss.data:.6g} at {at}"


def _network_loss(net: TwoLayerNet, x1: float, x2: float, y: float) -> Node:
    """The network's loss ``(j - y)**2`` at one sample, after `backward()`.

    The inputs and the target are labelled leaves, so pictures name them.
    """
    inputs = [Node(value, label=name) for name, value in (("x1", x1), ("x2", x2), ("y", y))]
    loss = net.loss(net(inputs[0], inputs[1]), inputs[2])
    loss.label = "loss"
    loss.backward()
    return loss


def _demo_network_picture(net: TwoLayerNet, out: Path) -> Path | None:
    """network.png: the trained network's loss graph at the graph command's sample."""
    from micrograd.viz import GraphvizError, render_graph

    path = out / "network.png"
    try:
        return render_graph(_network_loss(net, **GRAPH_SAMPLE), path, model=net)
    except GraphvizError as error:
        print(f"note: {path} was not written: {_one_line(str(error))}", file=sys.stderr)
        return None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error}") from None


DEMO_PICTURES.append(_demo_network_picture)


def _demo_network_page(net: TwoLayerNet, out: Path) -> Path | None:
    """network.html: the step-by-step page (`mg.explain`) of the loss drawn in network.png."""
    from micrograd.explain import explain
    from micrograd.viz import GraphvizError

    path = out / "network.html"
    try:
        return explain(_network_loss(net, **GRAPH_SAMPLE), model=net).save(path)
    except GraphvizError as error:
        print(f"note: {path} was not written: {_one_line(str(error))}", file=sys.stderr)
        return None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error}") from None


DEMO_PICTURES.append(_demo_network_page)


#: The subcommands, each registered by a function of the subparsers object.
COMMANDS: list[Callable[[Subparsers], None]] = [_add_demo, _add_graph]
