"""`render_graph`: a picture of a graph written to a PNG, SVG or PDF file.

Imports: `micrograd.checks`, `micrograd.files`, `micrograd.node`; `dot` and `drawing`
of this package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from micrograd import checks, files
from micrograd.node import Node
from micrograd.viz.dot import _pipe
from micrograd.viz.drawing import draw_graph

#: File suffixes `render_graph` understands, and the Graphviz format of each.
RENDER_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


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
