"""Pictures of computation graphs, drawn with Graphviz.

`draw_graph` turns the graph behind a Node into a `graphviz.Digraph`: one box
per value (its label, data and grad) and one small oval per op, with arrows in
the direction the data flows. `render_graph` writes that picture to a PNG, SVG
or PDF file. Drawing needs only the `graphviz` Python package; rendering also
needs Graphviz's `dot` program, and when it is missing a `GraphvizNotFoundError`
says how to install it.

>>> import micrograd as mg
>>> x, y = mg.Node(3.0, label="x"), mg.Node(2.0, label="y")
>>> z = mg.relu(x**2 - 2 * y)
>>> z.backward()
>>> graph = mg.draw_graph(z)
>>> "relu" in graph.source
True

Colours, the same in every picture:

* blue: an input, a leaf with a label (`x` above);
* amber: a parameter of a model (a `Parameter`, or a node named by ``model=``);
* grey: a constant, an unlabelled leaf (the ``2`` of ``2 * y``), drawn without a grad;
* white: an intermediate value; green: the root, the value that was drawn;
* lavender ovals: the ops.

Imports: `micrograd.node`, `micrograd.ops` (operator symbols), `micrograd.nn`
(`Parameter`'s colour). It registers itself as Node's notebook picture
(`micrograd.node.register_display`) when imported.
"""

from __future__ import annotations

import ctypes
import html
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from micrograd import checks, files, ops
from micrograd.nn import Parameter
from micrograd.node import Constant, Node, OpLike, register_display, topological_order

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "DEFAULT_MAX_NODES",
    "DOT_TIMEOUT",
    "INSTALL_HINT",
    "RENDER_FORMATS",
    "GraphvizError",
    "GraphvizNotFoundError",
    "HasNamedParameters",
    "draw_graph",
    "render_graph",
    "repr_mimebundle",
]

#: The default limit on the number of value nodes `draw_graph` will draw.
DEFAULT_MAX_NODES = 500

#: File suffixes `render_graph` understands, and the Graphviz format of each.
RENDER_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

_RANKDIRS = ("LR", "RL", "TB", "BT")

#: How to install Graphviz, as error messages say it.
INSTALL_HINT = (
    "Install Graphviz: `apt-get install graphviz` (Debian, Ubuntu), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, "
    "or see https://graphviz.org/download/"
)


def _graphviz() -> ModuleType:
    """The `graphviz` package, imported when first needed: `import micrograd` stays light."""
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "pictures of graphs need the graphviz Python package: pip install graphviz"
        ) from None
    module: ModuleType = graphviz
    return module


class GraphvizError(RuntimeError):
    """Graphviz's `dot` failed, crashed or ran out of time while rendering a picture."""


class GraphvizNotFoundError(GraphvizError):
    """Graphviz's `dot` program, needed to render a picture, is not installed.

    `draw_graph` works without it (the DOT source is plain text); rendering to
    PNG, SVG or PDF does not.
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Graphviz's `dot` program was not found on PATH; it is needed to render "
            f"pictures of graphs. {INSTALL_HINT}."
        )


class HasNamedParameters(Protocol):
    """What ``draw_graph(..., model=...)`` needs: a model's named parameters.

    A `micrograd.nn.Module` fits. An object that also has ``named_modules()``
    (an iterator of ``(dotted name, module)``, the model itself named ``""``)
    gets its modules drawn as clusters.
    """

    def named_parameters(self) -> Iterator[tuple[str, Node]]:
        """``(dotted name, parameter)`` for every parameter of the model."""
        ...


# -- how things look ----------------------------------------------------------

_FONT = "Helvetica"
_FILL = {
    "input": "#dbeafe",
    "parameter": "#fde9b6",
    "constant": "#eef0f3",
    "value": "#ffffff",
    "output": "#d9f5df",
}
_BORDER = {
    "input": "#3b6fb6",
    "parameter": "#b7791f",
    "constant": "#9aa3ad",
    "value": "#6b7280",
    "output": "#2f8a4a",
}
_GRAD_COLOUR = "#b42318"
_MUTED_COLOUR = "#6b7280"
_OP_FILL = "#ece8fb"
_OP_BORDER = "#7c6bc4"
_EDGE_COLOUR = "#5b6470"
_CLUSTER_BORDER = "#9aa3ad"

# Built-in ops are shown by their operator rather than their name. Keyed by
# the op object itself, so a user's op that happens to be called "add" keeps
# its own name.
_SYMBOLS: dict[OpLike, str] = {
    ops.add: "+",
    ops.sub: "-",
    ops.mul: "*",
    ops.div: "/",
    ops.neg: "neg",
    ops.power: "**",
}
# Ops whose inputs can be swapped freely: the others get their arrows numbered.
_SYMMETRIC: frozenset[ops.Op] = frozenset({ops.add, ops.mul, ops.maximum, ops.minimum})


def _format_number(value: float) -> str:
    """A compact, readable number: 4 significant digits, exponents when far from 1.

    Whole numbers show without a decimal point (``3``, ``-12``), so equal
    values always look equal; magnitudes from 1e-4 up to 1e4 show as plain
    decimals and the rest in exponent form (``1.5e+06`` becomes ``1.5e6``).
    """
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"  # also for -0.0
    text = format(value, ".4g")
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def _grad_value(node: Node) -> float:
    """The gradient as a number (its value, when `backward(create_graph=True)` made it a Node)."""
    grad = node.grad
    return grad.data if isinstance(grad, Node) else float(grad)


def _op_text(op: OpLike | None) -> str:
    if op is None:
        return "?"
    return _SYMBOLS.get(op, op.name)


def _printable(text: str) -> str:
    """`text` with every character Graphviz cannot take shown as a visible escape.

    Control characters, surrogates and the non-characters U+FFFE/U+FFFF are
    not allowed in the XML of HTML-like labels (dot fails on them); they are
    written as ``\\xNN`` / ``\\uNNNN`` so that the reader still sees them.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _visible(ch) for ch in text)


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape(text: str) -> str:
    """User text (a label, an op's name) for an HTML-like label: printable and never markup."""
    return html.escape(_printable(text))


def _plain(text: str) -> str:
    """A string for a plain (non-HTML) attribute: no backslash escapes, never taken as HTML."""
    plain: str = _graphviz().nohtml(_printable(text).replace("\\", "/"))
    return plain


# -- models ------------------------------------------------------------------


@dataclass(eq=False)  # compared and hashed by identity
class _Module:
    """One module of a model, as a cluster of the picture."""

    name: str
    title: str
    depth: int = 0  # how many modules contain this one
    parent: _Module | None = None
    key: str = ""
    children: list[_Module] = field(default_factory=list)


def _model_modules(model: object) -> dict[str, _Module]:
    """The model's modules by dotted name, linked to their parents."""
    named = getattr(model, "named_modules", None)
    entries: list[tuple[str, object]] = list(named()) if callable(named) else []
    if not any(name == "" for name, _ in entries):
        entries.insert(0, ("", model))
    modules: dict[str, _Module] = {}
    for name, module in entries:
        if name in modules:
            continue
        kind = type(module).__name__
        title = kind if name == "" else f"{name} · {kind}"
        modules[name] = _Module(name, title)
    for name, module in modules.items():
        if name:
            module.parent = modules[_owner(name, modules)]
    for module in modules.values():
        walk = module.parent
        while walk is not None:
            module.depth += 1
            walk = walk.parent
    return modules


def _owner(dotted: str, modules: Mapping[str, object]) -> str:
    """The longest module name that is a proper dotted prefix of `dotted` ("" at worst)."""
    head = dotted
    while "." in head:
        head = head.rpartition(".")[0]
        if head in modules:
            return head
    return ""


def _assign_modules(order: list[Node], param_owner: Mapping[Node, _Module]) -> dict[Node, _Module]:
    """Which module each value node belongs to (see `draw_graph` for the rule)."""
    where: dict[Node, _Module] = dict(param_owner)
    for node in order:
        if node in where or not node.inputs:
            continue
        owners = [param_owner[x] for x in node.inputs if x in param_owner]
        if owners:
            where[node] = max(owners, key=lambda m: m.depth)
        elif all(x in where for x in node.inputs):
            where[node] = _innermost_common(where[x] for x in node.inputs)
    return where


def _innermost_common(modules: Iterable[_Module]) -> _Module:
    """The deepest module containing all of `modules` (each contains itself)."""
    first, *others = modules
    chain: list[_Module] = []
    walk: _Module | None = first
    while walk is not None:
        chain.append(walk)
        walk = walk.parent
    common = 0
    for other in others:
        walk = other
        while walk is not None and walk not in chain:
            walk = walk.parent
        common = max(common, chain.index(walk) if walk is not None else len(chain) - 1)
    return chain[common]


# -- drawing -----------------------------------------------------------------


def _reading_order(root: Node) -> list[Node]:
    """Every node once, inputs first, and an op's first input before its second.

    `topological_order` reaches the inputs last to first; declaring the nodes
    in reading order helps Graphviz lay them out in that order.
    """
    order: list[Node] = []
    seen: set[Node] = {root}
    stack: list[tuple[Node, int]] = [(root, 0)]
    while stack:
        node, position = stack[-1]
        if position < len(node.inputs):
            stack[-1] = (node, position + 1)
            child = node.inputs[position]
            if child not in seen:
                seen.add(child)
                stack.append((child, 0))
        else:
            stack.pop()
            order.append(node)
    return order


def _kind(node: Node, root: Node, parameters: Mapping[Node, str]) -> str:
    if node is root:
        return "output"
    if node in parameters or isinstance(node, Parameter):
        return "parameter"
    if node.inputs:
        return "value"
    return "input" if node.label else "constant"


def _value_label(node: Node, title: str, kind: str, show_data: bool, show_grad: bool) -> str:
    """The HTML-like label of a value node: a small table, title above the numbers."""
    fill, border = _FILL[kind], _BORDER[kind]
    cells = []
    if show_data:
        data = html.escape(_format_number(node.data))
        cells.append(f'<TD><FONT COLOR="{_MUTED_COLOUR}" POINT-SIZE="9">data </FONT>{data}</TD>')
    if show_grad:
        grad = html.escape(_format_number(_grad_value(node)))
        side = ' SIDES="L" BORDER="1"' if cells else ""
        cells.append(
            f'<TD{side}><FONT COLOR="{_GRAD_COLOUR}" POINT-SIZE="9">grad </FONT>'
            f'<FONT COLOR="{_GRAD_COLOUR}">{grad}</FONT></TD>'
        )
    rows = []
    if title:
        span = f' COLSPAN="{len(cells)}"' if len(cells) > 1 else ""
        rows.append(f"<TR><TD{span}><B>{_escape(title)}</B></TD></TR>")
    if cells:
        rows.append("<TR>" + "".join(cells) + "</TR>")
    if not rows:
        rows.append("<TR><TD> </TD></TR>")
    return (
        f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
        f'STYLE="ROUNDED" BGCOLOR="{fill}" COLOR="{border}">' + "".join(rows) + "</TABLE>>"
    )


def _tooltip(node: Node, title: str) -> str:
    name = f"{title}: " if title else ""
    return _plain(f"{name}data={node.data!r}, grad={_grad_value(node)!r}")


def draw_graph(
    root: Node,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    max_nodes: int = DEFAULT_MAX_NODES,
    model: HasNamedParameters | None = None,
) -> graphviz.Digraph:
    """Draw the graph that computed `root`, as a `graphviz.Digraph`.

    Every value node is a box with its label (if any), its data and its grad
    (the value of the grad, when `backward(create_graph=True)` made it a Node);
    every op is a small oval with its name, ``+ - * / **`` for the arithmetic
    operators. Arrows follow the data, from inputs to the op to its result;
    the arrows into an op whose inputs cannot be swapped (``-``, ``/``, a
    custom op) are numbered in argument order. Numbers show 4 significant
    digits: ``3``, ``0.5``, ``-0.1235``, ``1.5e6``.

    Args:
        root: the node whose graph to draw.
        rankdir: the direction of the flow: ``"LR"`` (left to right), ``"TB"``,
            ``"RL"`` or ``"BT"``.
        show_data: show each node's value.
        show_grad: show each node's gradient (call `root.backward()` first).
        max_nodes: refuse, with a ValueError, graphs of more value nodes than
            this: such a picture is unreadable and slow to lay out.
        model: a model (anything with ``named_parameters()``, such as a
            `micrograd.nn.Module`). Its parameters are labelled with their
            names, unless they have a label of their own, and each of its
            modules (``named_modules()``) is drawn as a labelled cluster.

    Which cluster a node is drawn in: a parameter is in the module that owns
    it. An op and its result are in the deepest module owning a parameter
    among the op's direct inputs; failing that, when every input is in a
    module, in the innermost module containing them all; otherwise in none.
    Leaves that are not parameters (data, targets, constants) are in no
    module, so a loss computed from the model's output and a target is drawn
    outside the model's clusters, and so is an op mixing a module's value with
    a constant (the ``2 * i`` of the two-layer network). The model itself is
    not a cluster: the whole picture is the model.

    In the DOT source the value nodes are ``v0, v1, ...``, inputs before the
    values computed from them, and the op that made ``vk`` is ``ok``.

    Returns:
        The graph; render it with `render_graph`, or `.source` for DOT text.
        In a notebook a `graphviz.Digraph` shows itself as the picture.

    Raises:
        ValueError: the graph has more than `max_nodes` value nodes.
    """
    if not isinstance(root, Node):
        raise TypeError(f"draw_graph: expected a Node, got {type(root).__name__}")
    if rankdir not in _RANKDIRS:
        raise ValueError(
            f"draw_graph: rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}"
        )
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int, got {max_nodes!r}")
    count = len(topological_order(root))
    if count > max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {count} value nodes, more than max_nodes="
            f"{max_nodes}; a picture that size is unreadable and slow to lay out. Draw a "
            f"smaller part of the graph, or raise the limit: "
            f"draw_graph(root, max_nodes={count})."
        )
    order = _reading_order(root)

    parameters: dict[Node, str] = {}
    short_names: dict[Node, str] = {}
    modules: dict[str, _Module] = {}
    where: dict[Node, _Module] = {}
    if model is not None:
        modules = _model_modules(model)
        param_owner: dict[Node, _Module] = {}
        for name, parameter in model.named_parameters():
            if parameter not in parameters:
                parameters[parameter] = name
                owner = _owner(name, modules)
                param_owner[parameter] = modules[owner]
                # Inside its module's cluster a parameter needs only its own name.
                short_names[parameter] = name[len(owner) + 1 :] if owner else name
        where = _assign_modules(order, param_owner)

    graph = _graphviz().Digraph(
        "micrograd",
        graph_attr={
            "rankdir": rankdir,
            "fontname": _FONT,
            "nodesep": "0.18",
            "ranksep": "0.3",
            "pad": "0.15",
            "bgcolor": "white",
            "ordering": "in",
        },
        node_attr={"fontname": _FONT, "fontsize": "11", "shape": "plain"},
        edge_attr={"color": _EDGE_COLOUR, "arrowsize": "0.6", "penwidth": "0.9"},
    )

    index = {node: i for i, node in enumerate(order)}
    statements: dict[_Module | None, list[tuple[str, str, dict[str, str]]]] = {}
    for i, node in enumerate(order):
        title = node.label or short_names.get(node, "")
        kind = _kind(node, root, parameters)
        home = where.get(node)
        if home is not None and home.parent is None:
            home = None  # the model itself: no cluster
        entries = statements.setdefault(home, [])
        # A constant takes no gradient: its grad would always read 0.
        label = _value_label(
            node, title, kind, show_data, show_grad and not isinstance(node, Constant)
        )
        entries.append(
            (f"v{i}", label, {"tooltip": _tooltip(node, node.label or parameters.get(node, ""))})
        )
        if node.inputs:
            entries.append(
                (
                    f"o{i}",
                    _escape(_op_text(node.op)).join(("<", ">")),
                    {
                        "shape": "ellipse",
                        "style": "filled",
                        "fillcolor": _OP_FILL,
                        "color": _OP_BORDER,
                        "fontsize": "10",
                        "height": "0.28",
                        "width": "0.4",
                        "margin": "0.04,0.02",
                        "tooltip": _plain(f"op {node.op.name if node.op else '?'}"),
                    },
                )
            )

    _emit(graph, statements.get(None, []))
    clusters = _clusters(modules, where)
    for position, module in enumerate(clusters):
        module.key = f"cluster_{position}_" + (re.sub(r"\W", "_", module.name) or "model")
    for module in clusters:
        if module.parent is not None and module.parent.parent is None:
            _emit_cluster(graph, module, statements)

    for i, node in enumerate(order):
        inputs = node.inputs
        if not inputs:
            continue
        graph.edge(f"o{i}", f"v{i}")
        numbered = len(inputs) > 1 and node.op not in _SYMMETRIC
        for position, x in enumerate(inputs, start=1):
            extra = (
                {"headlabel": str(position), "labelfontsize": "8", "labelfontcolor": _MUTED_COLOUR}
                if numbered
                else {}
            )
            graph.edge(f"v{index[x]}", f"o{i}", **extra)
    return graph


def _clusters(modules: Mapping[str, _Module], where: Mapping[Node, _Module]) -> list[_Module]:
    """The modules drawn as clusters, each linked to its parent's.

    Those holding a drawn node, with their ancestors; never the model itself,
    since the whole picture is the model.
    """
    used: set[str] = set()
    for module in set(where.values()):
        walk: _Module | None = module
        while walk is not None and walk.name and walk.name not in used:
            used.add(walk.name)
            walk = walk.parent
    clusters = [m for name, m in modules.items() if name in used]
    for module in modules.values():
        module.children.clear()
    for module in clusters:
        if module.parent is not None:
            module.parent.children.append(module)
    return clusters


def _emit(graph: graphviz.Digraph, entries: list[tuple[str, str, dict[str, str]]]) -> None:
    for name, label, attrs in entries:
        graph.node(name, label, **attrs)


def _emit_cluster(
    graph: graphviz.Digraph,
    module: _Module,
    statements: Mapping[_Module | None, list[tuple[str, str, dict[str, str]]]],
) -> None:
    # Recursion as deep as the model's modules nest, which is shallow.
    with graph.subgraph(name=module.key) as cluster:
        cluster.attr(
            label=_plain(module.title),
            labeljust="l",
            fontsize="10",
            fontcolor=_MUTED_COLOUR,
            style="rounded,dashed",
            color=_CLUSTER_BORDER,
            margin="8",
        )
        _emit(cluster, statements.get(module, []))
        for child in module.children:
            _emit_cluster(cluster, child, statements)


# -- rendering ---------------------------------------------------------------


#: How long `dot` may take to render one picture, in seconds, unless a call says otherwise.
DOT_TIMEOUT = 60.0


def _pipe(graph: graphviz.Digraph, fmt: str, timeout: float | None = None) -> bytes:
    """Run `dot` on the graph; one clear error when it is missing, fails or hangs.

    `dot` runs as a child process with a time limit (`DOT_TIMEOUT` by
    default): past it, the process is killed and `GraphvizError` says so. On
    Linux the child is also killed if this process dies first.
    """
    limit = (
        DOT_TIMEOUT
        if timeout is None
        else checks.setting(timeout, "render_graph", "timeout", above=0.0)
    )
    executable = shutil.which(graph.engine)
    if executable is None:
        raise GraphvizNotFoundError() from None
    try:
        finished = _run_dot([executable, f"-T{fmt}"], graph.source.encode("utf-8"), limit)
    except subprocess.TimeoutExpired:
        raise GraphvizError(
            f"Graphviz's `dot` did not finish {fmt.upper()} within {limit:g} s and was stopped;"
            " allow more time with timeout=SECONDS (micrograd graph --dot-timeout SECONDS)"
        ) from None
    except FileNotFoundError:  # gone between the lookup and the start
        raise GraphvizNotFoundError() from None
    except OSError as error:
        raise GraphvizError(f"Graphviz's `dot` could not be run: {error}") from None
    if finished.returncode != 0:
        detail = _printable(finished.stderr.decode("utf-8", errors="replace").strip())
        status = (
            f"killed by signal {-finished.returncode}"
            if finished.returncode < 0
            else f"exit status {finished.returncode}"
        )
        raise GraphvizError(
            f"Graphviz's `dot` failed to make {fmt.upper()} ({status})"
            + (f": {' '.join(detail.split())[:300]}" if detail else "")
        )
    picture: bytes = finished.stdout
    return picture


def _run_dot(command: list[str], source: bytes, limit: float) -> subprocess.CompletedProcess[bytes]:
    """Run `command` on `source`; on a timeout or any exception here, kill it and its children.

    The process gets a session of its own, so that killing it reaches every
    process it started, and nothing is left running behind an interrupted call.
    """
    posix = os.name == "posix"
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=posix,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    ) as process:
        try:
            out, err = process.communicate(source, timeout=limit)
        except BaseException:
            _kill(process, posix)
            raise
        return subprocess.CompletedProcess(command, process.returncode, out, err)


def _kill(process: subprocess.Popen[bytes], group: bool) -> None:
    try:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    # prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills dot when its parent dies.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def render_graph(
    root: Node, path: str | Path, *, timeout: float | None = None, **draw_kwargs: Any
) -> Path:
    """Draw `root`'s graph (see `draw_graph`) into a PNG, SVG or PDF file.

    The format is chosen by the file's suffix; missing parent folders are
    created.

    >>> import micrograd as mg
    >>> x = mg.Node(2.0, label="x")
    >>> y = x * x
    >>> y.backward()
    >>> mg.render_graph(y, "out/square.svg")  # doctest: +SKIP
    PosixPath('out/square.svg')

    Args:
        root: the node whose graph to draw.
        path: where to write; its suffix is ``.png``, ``.svg`` or ``.pdf``. The
            file is replaced atomically: a failure leaves the old file as it was.
        timeout: seconds `dot` may take (default `DOT_TIMEOUT`, 60 s).
        **draw_kwargs: passed to `draw_graph` (``rankdir``, ``model``, ...).

    Returns:
        The path written, as a `pathlib.Path`.

    Raises:
        ValueError: an unsupported suffix, or a graph over ``max_nodes``.
        GraphvizNotFoundError: Graphviz's `dot` program is not installed.
        GraphvizError: `dot` failed, crashed or took longer than `timeout`.
        OSError: the file could not be written.
    """
    if not isinstance(root, Node):
        raise TypeError(f"render_graph: root must be a Node, got {checks.shown(root)}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"render_graph: path must be a str or a Path, got {checks.shown(path)}")
    target = Path(path)
    fmt = RENDER_FORMATS.get(target.suffix.lower())
    if fmt is None:
        allowed = ", ".join(RENDER_FORMATS)
        raise ValueError(
            f"render_graph: cannot write {str(target)!r}: the file name must end in one of "
            f"{allowed}, got {target.suffix or 'no suffix'!r}"
        )
    data = _pipe(draw_graph(root, **draw_kwargs), fmt, timeout)
    target.parent.mkdir(parents=True, exist_ok=True)
    files.write_bytes(target, data)
    return target


# -- notebooks ---------------------------------------------------------------

_SVG = "image/svg+xml"
_TEXT = "text/plain"


def repr_mimebundle(
    node: Node,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, str]:
    """How a Node shows itself in Jupyter: the picture of its graph, and its repr.

    This is what `Node._repr_mimebundle_` returns. The picture is SVG drawn by
    `draw_graph`. When it cannot be made (`dot` is not installed, or the graph
    is over `DEFAULT_MAX_NODES` value nodes) the notebook shows the text alone,
    with a warning saying why, instead of failing.

    Args:
        node: the node to show.
        include: the MIME types wanted (default: SVG and plain text).
        exclude: MIME types not wanted; they win over `include`.
    """
    wanted = _mime_types(include, "include") if include is not None else {_SVG, _TEXT}
    wanted -= _mime_types(exclude or (), "exclude")
    bundle: dict[str, str] = {}
    if _TEXT in wanted:
        bundle[_TEXT] = repr(node)
    if _SVG in wanted:
        try:
            bundle[_SVG] = _pipe(draw_graph(node), "svg").decode("utf-8")
        except (ValueError, RuntimeError) as error:
            warnings.warn(f"micrograd: showing the Node as text: {error}", stacklevel=2)
            bundle.setdefault(_TEXT, repr(node))
    return bundle


def _mime_types(types: object, name: str) -> set[str]:
    if isinstance(types, (str, bytes)) or not isinstance(types, Iterable):
        raise TypeError(
            f"repr_mimebundle: {name} must be a list of MIME types, got {checks.shown(types)}"
        )
    found = set(types)
    for item in found:
        checks.text(item, "repr_mimebundle", f"each of {name}")
    return found


# Jupyter shows a Node as the picture of its graph.
register_display(repr_mimebundle)
