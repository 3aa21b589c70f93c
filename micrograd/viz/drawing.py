"""`draw_graph`: the graph behind a Node as a `graphviz.Digraph`.

Imports: `micrograd.node`, `micrograd.nn`; `clusters`, `dot` and `style` of this
package.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from micrograd.nn import Parameter
from micrograd.node import Constant, Node, topological_order
from micrograd.viz.clusters import (
    HasNamedParameters,
    _assign_modules,
    _model_modules,
    _Module,
    _owner,
)
from micrograd.viz.dot import _graphviz
from micrograd.viz.style import (
    _BORDER,
    _CLUSTER_BORDER,
    _EDGE_COLOUR,
    _FILL,
    _FONT,
    _GRAD_COLOUR,
    _MUTED_COLOUR,
    _OP_BORDER,
    _OP_FILL,
    _SYMMETRIC,
    _escape,
    _format_number,
    _grad_value,
    _op_text,
    _printable,
)

if TYPE_CHECKING:
    import graphviz


def _plain(text: str) -> str:
    """A string for a plain (non-HTML) attribute: no backslash escapes, never taken as HTML."""
    plain: str = _graphviz().nohtml(_printable(text).replace("\\", "/"))
    return plain


#: The default limit on the number of value nodes `draw_graph` will draw.
DEFAULT_MAX_NODES = 500

_RANKDIRS = ("LR", "RL", "TB", "BT")

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
