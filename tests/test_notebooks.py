"""Each tutorial chapter, in English and in Korean, runs as a Jupyter notebook.

The notebooks are made from the chapters' Markdown by ``docs/hooks/notebooks.py``
(the same code that publishes them with the site) and executed with nbclient
in a real kernel. Each code cell must print what the page shows after the
block, and a block that shows a picture on the page must show one inline.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from graphviz_check import require_dot

DOCS = Path(__file__).resolve().parent.parent / "docs"
sys.path.insert(0, str(DOCS / "hooks"))

nbclient = pytest.importorskip("nbclient", reason="nbclient is in the docs extra")
pytest.importorskip("ipykernel", reason="ipykernel is in the docs extra")

import notebooks  # noqa: E402
from pagerun import fenced_blocks, normalise  # noqa: E402

CHAPTERS = sorted(
    page for page in (DOCS / "tutorial").glob("*.md") if not page.name.startswith("index")
)
PICTURES = {"image/svg+xml", "image/png"}


def _printed(cell: dict) -> str:
    return "".join(
        output.get("text", "")
        for output in cell.get("outputs", [])
        if output["output_type"] == "stream" and output["name"] == "stdout"
    )


def _shows_picture(cell: dict) -> bool:
    return any(
        output["output_type"] in ("display_data", "execute_result")
        and PICTURES & set(output.get("data", {}))
        for output in cell.get("outputs", [])
    )


def test_notebook_leaves_out_outputs_and_fence_options() -> None:
    text = '# Title\n\n```python alt="a picture"\nx = 1\nprint(x)\n```\n\n```text\n1\n```\n\nEnd.\n'
    book = notebooks.notebook(text)
    kinds = [cell.cell_type for cell in book.cells]
    assert kinds == ["markdown", "code", "markdown"]
    assert book.cells[1].source == "x = 1\nprint(x)"
    assert "```text" not in book.cells[2].source and "End." in book.cells[2].source
    assert book.metadata["kernelspec"]["name"] == "python3"


async def _execute_all(workdir: Path) -> dict[str, object]:
    """Run every chapter's notebook, as many at once as there are cores."""
    limit = asyncio.Semaphore(os.cpu_count() or 1)

    async def run(page: Path) -> tuple[str, object]:
        book = notebooks.notebook(page.read_text(encoding="utf-8"))
        folder = workdir / page.stem
        folder.mkdir()
        client = nbclient.NotebookClient(
            book,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
        )
        async with limit:
            try:
                await client.async_execute()
            except Exception as error:  # reported by the chapter's own test
                return page.name, error
        return page.name, book

    return dict(await asyncio.gather(*(run(page) for page in CHAPTERS)))


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    require_dot()
    return asyncio.run(_execute_all(tmp_path_factory.mktemp("notebooks")))


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda p: p.name)
def test_chapter_runs_as_a_notebook(page: Path, executed: dict[str, object]) -> None:
    book = executed[page.name]
    if isinstance(book, Exception):
        raise book
    text = page.read_text(encoding="utf-8")
    cells = [
        cell for cell in book.cells if cell.cell_type == "code" and cell.source != notebooks.SETUP
    ]
    blocks = [block for block in fenced_blocks(text) if block.language == "python"]
    assert len(cells) == len(blocks) > 0
    for cell, block in zip(cells, blocks):
        assert cell.source.rstrip("\n") == block.code.rstrip("\n")
        if block.output is not None:
            assert normalise(_printed(cell)) == normalise(block.output), (
                f"{page.name}, block at line {block.line}: the notebook printed\n{_printed(cell)}"
            )
        assert _shows_picture(cell) == ("alt" in block.options), (
            f"{page.name}, block at line {block.line}: picture shown inline "
            f"{_shows_picture(cell)}, on the page {'alt' in block.options}"
        )
