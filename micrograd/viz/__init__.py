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

The package, one job per module, each importing only those above it here:

* `style`: fonts, colours, op symbols, numbers and labels as text;
* `dot`: the graphviz package and Graphviz's `dot` program, run with a time limit;
* `clusters`: a model's modules as clusters of the picture;
* `drawing`: `draw_graph`;
* `render`: `render_graph`, the picture in a file;
* `notebook`: the picture in a notebook, registered on Node when imported.

Imports: `micrograd.node`, `micrograd.ops` (operator symbols), `micrograd.nn`
(`Parameter`'s colour), `micrograd.files`, `micrograd.checks`.
"""

from micrograd.viz.clusters import HasNamedParameters
from micrograd.viz.dot import DOT_TIMEOUT, INSTALL_HINT, GraphvizError, GraphvizNotFoundError
from micrograd.viz.drawing import DEFAULT_MAX_NODES, draw_graph
from micrograd.viz.notebook import repr_mimebundle
from micrograd.viz.render import RENDER_FORMATS, render_graph

# Kept importable from micrograd.viz, where code written before the split finds it.
from micrograd.viz.style import _format_number as _format_number

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
