"""Watch backpropagation happen: a step-by-step page of the forward and backward pass.

>>> import micrograd as mg
>>> x, w = mg.Node(2.0, label="x"), mg.Node(0.5, label="w")
>>> f = (x * w).tanh()
>>> f.label = "f"
>>> page = mg.explain(f)                      # doctest: +SKIP
>>> page.save("backprop.html")                # doctest: +SKIP

`explain(root)` records the forward and backward pass of `root`'s graph with
the engine (see `micrograd.explain.record`) and returns an `Explanation`:
in Jupyter it shows itself as the page (`_repr_html_`), `save` writes the
page as one self-contained HTML file (no network access; it works opened
from disk), and `html` gives its text.

The page shows the graph as `micrograd.draw_graph` draws it (same colours,
a model's modules as clusters) with controls to step through:

1. the forward pass: the leaves, then each computed node in topological
   order, with the value the engine computed;
2. the backward pass, in reverse topological order: for each node and each
   of its inputs, the chain-rule step with its numbers
   (``w.grad += f.grad * ∂f/∂w = 0.5 * 2 = 1``, with a times sign) and the input's running
   total, shown as a sum where several paths meet;
3. the end: every gradient, and the leaves in a table.

Every number on the page comes from the engine; the page's script computes
nothing. Building the page needs Graphviz's `dot`, as rendering a picture
does. `explain` changes no `.grad`: it runs its backward pass with
`micrograd.gradients`, which leaves them as they were.

Imports: `micrograd.node`, `micrograd.viz`, `micrograd.files`; `page` and
`record` of this package.
"""

from __future__ import annotations

import html as _html
from pathlib import Path
from typing import Any

from micrograd.explain.page import build_page, mark_up_svg
from micrograd.explain.record import LANGUAGES, Recording, record
from micrograd.files import write_text
from micrograd.node import Node, gradients, topological_order
from micrograd.viz import HasNamedParameters, draw_graph
from micrograd.viz.dot import _pipe
from micrograd.viz.drawing import _reading_order as _drawing_order

__all__ = ["DEFAULT_MAX_NODES", "LANGUAGES", "Explanation", "Recording", "explain"]

#: The largest graph (in value nodes) `explain` makes a page of, unless told
#: otherwise. The tutorial's two-layer network and its loss have 36.
DEFAULT_MAX_NODES = 250


class Explanation:
    """A recorded forward and backward pass, and its page.

    Made by `explain`. `recording` is the data (every step, every number);
    `html()` is the page; `save(path)` writes it; in Jupyter the object shows
    itself as the page, in a frame of its own.
    """

    def __init__(self, recording: Recording, svg: str, title: str) -> None:
        self.recording = recording
        self._svg = svg
        self._title = title
        self._page: str | None = None

    @property
    def steps(self) -> list[dict[str, Any]]:
        """The page's steps, in order (the same list the page embeds as JSON)."""
        return self.recording.steps

    def html(self) -> str:
        """The whole page: one HTML document with everything inline."""
        if self._page is None:
            self._page = build_page(self.recording.to_json(), self._svg, self._title)
        return self._page

    def save(self, path: str | Path) -> Path:
        """Write the page to `path` (atomically; missing folders are created).

        Returns:
            The path written.
        """
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(target, self.html())
        return target

    def iframe(self, width: str = "100%", height: int = 720) -> str:
        """An ``<iframe>`` holding the page inline (``srcdoc``), for notebooks and docs.

        The frame keeps the page's script and styles apart from the host page.
        """
        return (
            f'<iframe title="{_html.escape(self._title)}" style="width:{_html.escape(width)};'
            f'height:{int(height)}px;border:1px solid #e5e7eb" '
            f'srcdoc="{_html.escape(self.html(), quote=True)}"></iframe>'
        )

    def _repr_html_(self) -> str:
        """Jupyter shows the page in a frame."""
        return self.iframe()

    def __repr__(self) -> str:
        return (
            f"<Explanation of {self._title!r}: {len(self.recording.nodes)} nodes,"
            f" {len(self.recording.steps)} steps>"
        )


def explain(
    root: Node,
    *,
    lang: str = "en",
    model: HasNamedParameters | None = None,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_NODES,
    title: str | None = None,
    timeout: float | None = None,
) -> Explanation:
    """Record the forward and backward pass of `root`'s graph as a step-by-step page.

    Args:
        root: the node whose graph to explain (a loss, say).
        lang: the language of the page's text: ``"en"`` or ``"ko"``.
        model: a model (anything with ``named_parameters()``, such as a
            `micrograd.nn.Module`): its parameters are named and its modules
            drawn as clusters, as in `draw_graph`.
        rankdir: the direction of the drawing (``"LR"``, ``"TB"``, ...).
        max_nodes: refuse graphs of more value nodes than this, with a
            ValueError naming the size: past a few hundred values a
            step-by-step page is too long to follow and slow to open.
        title: the page's title (default: from the root's label).
        timeout: seconds Graphviz's `dot` may take to draw the picture
            (default `micrograd.viz.DOT_TIMEOUT`).

    Returns:
        An `Explanation`: `save` it, or show it in a notebook.

    Raises:
        ValueError: an unknown `lang`, or a graph over `max_nodes` value nodes.
        GraphvizNotFoundError: Graphviz's `dot` program is not installed.
        GraphvizError: `dot` failed or took longer than `timeout`.
    """
    if not isinstance(root, Node):
        raise TypeError(f"explain: expected a Node, got {type(root).__name__}")
    if lang not in LANGUAGES:
        raise ValueError(f"explain: lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"explain: max_nodes must be a positive int, got {max_nodes!r}")
    count = len(topological_order(root))
    if count > max_nodes:
        raise ValueError(
            f"explain: the graph has {count} value nodes, more than max_nodes={max_nodes};"
            f" a step-by-step page that size is too long to follow and slow to open."
            f" Explain a smaller part of the graph, or raise the limit:"
            f" explain(root, max_nodes={count})."
        )
    parameters: dict[Node, str] = {}
    if model is not None:
        for name, parameter in model.named_parameters():
            parameters.setdefault(parameter, name)
    recording = record(root, lang, parameters)
    # The picture shows each number as the page reaches it; draw it with the
    # final gradients (the script hides what is not known yet), so that each
    # box is as wide as its final text. The graph's own `.grad`s are lent to
    # the drawing and given back.
    # Unlabelled computed nodes are lent the names the panel calls them by
    # (``#7``), so that the picture and the text name the same boxes.
    nodes = topological_order(root)
    saved = [(node.grad, node.label) for node in nodes]
    final = gradients(root, nodes)
    names = {
        node: entry["name"]
        for node, entry in zip(_drawing_order(root), recording.nodes)
        if node.inputs and not node.label
    }
    try:
        for node, grad in zip(nodes, final):
            node.grad = grad
            if node in names:
                node.label = names[node]
        drawing = draw_graph(root, rankdir=rankdir, max_nodes=max_nodes, model=model)
    finally:
        for node, (grad, label) in zip(nodes, saved):
            node.grad = grad
            node.label = label
    svg = mark_up_svg(_pipe(drawing, "svg", timeout).decode("utf-8"))
    heading = recording.to_json()["ui"]["title"]
    page_title = title if title is not None else f"{heading}: {root.label or 'graph'}"
    return Explanation(recording, svg, page_title)
