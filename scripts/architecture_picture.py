"""Draw micrograd's layers, as pyproject.toml's import-linter contract states them.

    python scripts/architecture_picture.py docs/images/architecture.svg

One row per layer, top to bottom; an arrow for every import between the
package's modules (read from the source), so the picture shows that every
arrow points down. Needs Graphviz's ``dot`` and the ``graphviz`` package
(both used by micrograd's own pictures).
"""

from __future__ import annotations

import ast
import itertools
import sys
from pathlib import Path

import graphviz

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "micrograd"


def layers() -> list[list[str]]:
    """The top-level layers of the contract, each a list of module names (short)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (stack,) = [c for c in contracts if c["id"] == "layers"]
    return [
        [name.strip().removeprefix("micrograd.") for name in layer.split("|")]
        for layer in stack["layers"]
    ]


def top_level(module: str) -> str:
    """``micrograd.compile.writer`` -> ``compile``."""
    return module.split(".")[1]


def imports(modules: set[str]) -> set[tuple[str, str]]:
    """(importer, imported) between the given top-level modules, from the source."""
    edges: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        source = parts[0]
        if source not in modules:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("micrograd.") and top_level(name) in modules:
                    target = top_level(name)
                    if target != source:
                        edges.add((source, target))
    return edges


def picture() -> graphviz.Digraph:
    """The layers as rows of boxes, with the imports between them as arrows."""
    stack = layers()
    modules = {name for layer in stack for name in layer}
    dot = graphviz.Digraph("layers", graph_attr={"rankdir": "TB", "nodesep": "0.3"})
    dot.attr("node", shape="box", style="rounded,filled", fillcolor="#eef2ff", fontname="Helvetica")
    dot.attr("edge", color="#8892b0", arrowsize="0.6")
    for depth, layer in enumerate(stack):
        with dot.subgraph(name=f"layer{depth}") as row:
            row.attr(rank="same")
            for name in layer:
                row.node(name, f"{name}{'/' if (PACKAGE / name).is_dir() else '.py'}")
    for source, target in sorted(imports(modules)):
        dot.edge(source, target)
    # Invisible edges keep the rows in the contract's order when no import links them.
    for upper, lower in itertools.pairwise(stack):
        dot.edge(upper[0], lower[0], style="invis")
    return dot


def main(argv: list[str]) -> int:
    """Write the picture to the file named by the one argument (its suffix is the format)."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    data = picture().pipe(format=out.suffix.lstrip("."))
    out.write_bytes(data)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
