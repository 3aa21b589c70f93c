"""Every Python code block of the documentation runs, and prints what the page shows.

Rules for the pages checked here (docs/index.md, the tutorial in English and in
Korean, and the guides):

* The ```python blocks of a page run in order, in one namespace, in a fresh
  temporary working directory (so pictures and files they write land there).
* A ```text block that directly follows a ```python block (nothing but blank
  lines between) is that block's output: what the block prints must equal it,
  line by line, ignoring trailing spaces.
* Functions named ``test_*`` that the blocks define (a pytest example, say) are
  called at the end of the page, once per case of their
  ``@pytest.mark.parametrize`` marks.
* Blocks that are not meant to run use another fence: ```pycon, ```console,
  ```sh, ```text.

The English and Korean tutorials are the same tutorial, so their pages must
hold the same Python code and the same outputs.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from graphviz_check import require_dot

DOCS = Path(__file__).resolve().parent.parent / "docs"

PAGES = sorted(
    [
        DOCS / "index.md",
        *(DOCS / "tutorial").glob("*.md"),
        *(DOCS / "ko").glob("*.md"),
        *(DOCS / "guides").glob("*.md"),
    ]
)

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")


@dataclass
class Block:
    """One fenced code block of a page."""

    language: str
    code: str
    line: int  # where the block starts, 1-based
    output: str | None = None  # for python blocks: the text block that follows


def fenced_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown page, each python block with its output block."""
    lines = text.splitlines()
    blocks: list[Block] = []
    previous_end = -2
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, fence = match["indent"], match["fence"]
        info = match["info"].strip()
        language = info.split()[0].lstrip(".").lower() if info else ""
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not (
            lines[end].strip().startswith(fence) and lines[end].strip().strip(fence[0]) == ""
        ):
            line = lines[end]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            end += 1
        if end >= len(lines):
            raise ValueError(f"unclosed code fence at line {index + 1}")
        block = Block(language, "\n".join(body) + "\n", index + 1)
        between = lines[previous_end + 1 : index]
        follows = blocks and previous_end >= 0 and all(not line.strip() for line in between)
        if language == "text" and follows and blocks[-1].language == "python":
            blocks[-1].output = block.code
        blocks.append(block)
        previous_end = end
        index = end + 1
    return blocks


def _normalise(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    return lines


def run_page(page: Path) -> None:
    """Run a page's python blocks in order and compare each output with the page."""
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for block in fenced_blocks(page.read_text(encoding="utf-8")):
        if block.language != "python":
            continue
        where = f"{page.relative_to(DOCS)}, block at line {block.line}"
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block.code, where, "exec"), namespace)
        if block.output is not None:
            assert _normalise(printed.getvalue()) == _normalise(block.output), (
                f"{where}: the output differs from the page.\n"
                f"--- page ---\n{block.output}--- actual ---\n{printed.getvalue()}"
            )
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            for arguments in parametrize_cases(value):
                value(**arguments)


def parametrize_cases(function: object) -> list[dict[str, object]]:
    """The keyword arguments of each case of a test's parametrize marks ([{}] if none)."""
    cases: list[dict[str, object]] = [{}]
    for mark in getattr(function, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        argnames, values = mark.args[0], mark.args[1]
        names = [n.strip() for n in argnames.split(",")] if isinstance(argnames, str) else argnames
        rows = [dict(zip(names, v if len(names) > 1 else (v,))) for v in values]
        cases = [{**case, **row} for case in cases for row in rows]
    return cases


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if "render_graph(" in page.read_text(encoding="utf-8"):
        require_dot()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    run_page(page)


def _code_and_outputs(page: Path) -> list[tuple[str, str | None]]:
    return [(b.code, b.output) for b in fenced_blocks(page.read_text()) if b.language == "python"]


@pytest.mark.parametrize("name", sorted(p.name for p in (DOCS / "tutorial").glob("*.md")), ids=str)
def test_korean_tutorial_has_the_same_code(name: str) -> None:
    korean = DOCS / "ko" / name
    assert korean.exists(), f"docs/ko/{name} is missing"
    assert _code_and_outputs(korean) == _code_and_outputs(DOCS / "tutorial" / name)


def test_fenced_blocks_pairs_output_with_code() -> None:
    text = "\n".join(
        [
            "intro",
            "```python",
            "print(1)",
            "```",
            "",
            "```text",
            "1",
            "```",
            "",
            "    ```python",
            "    x = 2",
            "    ```",
            "words",
            "```text",
            "not an output: text comes between",
            "```",
        ]
    )
    blocks = fenced_blocks(text)
    assert [b.language for b in blocks] == ["python", "text", "python", "text"]
    assert blocks[0].output == "1\n"
    assert blocks[2].code == "x = 2\n" and blocks[2].output is None


def test_api_reference_covers_every_module_and_top_level_name() -> None:
    import pkgutil

    import micrograd

    for module in pkgutil.iter_modules(micrograd.__path__):
        if module.name.startswith("_"):
            continue
        page = DOCS / "api" / f"{module.name}.md"
        assert page.exists(), f"no API page for micrograd.{module.name}"
        assert f"::: micrograd.{module.name}" in page.read_text(encoding="utf-8")
    index = (DOCS / "api" / "index.md").read_text(encoding="utf-8")
    for name in micrograd.__all__:
        assert f"`mg.{name}`" in index, f"mg.{name} is missing from docs/api/index.md"


def test_every_page_is_in_the_navigation() -> None:
    config = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.rglob("*.md"):
        relative = page.relative_to(DOCS).as_posix()
        assert relative in config, f"{relative} is not in the nav of mkdocs.yml"


def test_readme_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's python blocks run, and the first prints what its comments say."""
    readme = DOCS.parent / "README.md"
    text = readme.read_text(encoding="utf-8")
    blocks = [b for b in fenced_blocks(text) if b.language == "python"]
    assert blocks, "the README has no python example"
    if any("render_graph(" in b.code for b in blocks):
        require_dot()
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block.code, f"README.md, line {block.line}", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert lines[0] == "10.0 12.0 -4.0"
    assert abs(float(lines[1]) - 12.0) < 1e-9 and lines[2] == "44.0"
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
