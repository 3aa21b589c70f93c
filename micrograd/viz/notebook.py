"""Node's picture in a notebook: `repr_mimebundle`, registered on Node when imported.

Imports: `micrograd.checks`, `micrograd.node`; `dot` and `drawing` of this package.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from micrograd import checks
from micrograd.node import Node, register_display
from micrograd.viz.dot import _pipe
from micrograd.viz.drawing import draw_graph

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
