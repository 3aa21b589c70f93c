"""A tutorial chapter as a Jupyter notebook, made from the chapter's own Markdown.

jupytext reads the page: each ```python block becomes a code cell and the prose
between them Markdown cells. The page's ```text output blocks are left out
(running the notebook prints them), and so are the fence options the site uses.
A chapter that draws with matplotlib gets one setup cell first, which turns on
Jupyter's inline pictures.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
from pagerun import fenced_blocks, plain_fence

SETUP = "%matplotlib inline"
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def notebook(markdown: str) -> nbformat.NotebookNode:
    """The notebook of a page's Markdown."""
    lines = markdown.splitlines()
    drop: set[int] = set()
    for block in fenced_blocks(markdown):
        if block.language == "python":
            lines[block.line - 1] = plain_fence(lines[block.line - 1])
            if block.output_end is not None:
                drop.update(range(block.end, block.output_end))
    kept = [line for number, line in enumerate(lines, 1) if number not in drop]
    text = "\n".join(kept) + "\n"
    book = jupytext.reads(text, fmt="md")
    if "matplotlib" in text:
        # Jupyter shows a bare matplotlib Figure as a picture only once the
        # inline backend is on; pyplot would turn it on, a bare Figure does not.
        book.cells.insert(1, nbformat.v4.new_code_cell(SETUP))
    book.metadata = {
        "kernelspec": KERNEL,
        "language_info": {"name": "python"},
    }
    return book


def notebook_json(markdown: str) -> str:
    """The notebook of a page's Markdown as .ipynb text."""
    return nbformat.writes(notebook(markdown))


def main(argv: list[str]) -> int:
    """Write the notebook of every tutorial chapter: ``notebooks.py SOURCE_DIR OUT_DIR``."""
    if len(argv) != 2:
        print("usage: notebooks.py SOURCE_DIR OUT_DIR", file=sys.stderr)
        return 2
    source, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for page in sorted(source.glob("*.md")):
        if page.name.startswith("index"):
            continue
        target = out / (page.name.removesuffix(".md") + ".ipynb")
        target.write_text(notebook_json(page.read_text(encoding="utf-8")), encoding="utf-8")
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
