"""Every Python code block of the documentation runs, and prints what the page shows.

The rules for a page are those of ``docs/hooks/pagerun.py``, which the site
build follows too (docs/index.md, the tutorial in English and in Korean, and
the guides are checked here):

* The ```python blocks of a page run in order, in one namespace, in a fresh
  temporary working directory (so pictures and files they write land there).
* A ```text block that directly follows a ```python block (nothing but blank
  lines between) is that block's output: what the block prints must equal it,
  line by line, ignoring trailing spaces.
* A block whose last statement is an expression shows that value when it is a
  picture (a Node's graph, a matplotlib figure); its fence's ``alt="..."``
  describes the picture, and a block with ``alt`` must show one.
* A Markdown image (or raw HTML ``src=``/``href=``) with a relative address
  inside the page's folder shows a file that the page's code wrote.
* Functions named ``test_*`` that the blocks define (a pytest example, say) are
  called at the end of the page, once per case of their
  ``@pytest.mark.parametrize`` marks.
* Blocks that are not meant to run use another fence: ```pycon, ```console,
  ```sh, ```text.

The English and Korean tutorials are the same tutorial (``x.md`` and
``x.ko.md``), so their pages must hold the same Python code and the same outputs.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import pytest
from graphviz_check import require_dot

DOCS = Path(__file__).resolve().parent.parent / "docs"
sys.path.insert(0, str(DOCS / "hooks"))

import pagerun  # noqa: E402
from pagerun import fenced_blocks  # noqa: E402

PAGES = sorted(
    [
        *DOCS.glob("index*.md"),
        *(DOCS / "tutorial").glob("*.md"),
        *(DOCS / "guides").glob("*.md"),
    ]
)
KOREAN_TUTORIAL = sorted((DOCS / "tutorial").glob("*.ko.md"))
ENGLISH_TUTORIAL = sorted(set((DOCS / "tutorial").glob("*.md")) - set(KOREAN_TUTORIAL))
_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<src>[^)\s]+)\)")
_HTML_LINK = re.compile(r'(?:src|href)="(?P<src>[^"#]+)"')


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = page.read_text(encoding="utf-8")
    if "render_graph(" in text or "alt=" in text:
        require_dot()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    run = pagerun.run_blocks(text, str(page.relative_to(DOCS)), tmp_path)
    assert not run.mismatches(text), "\n".join(run.mismatches(text))
    python = [b for b in fenced_blocks(text) if b.language == "python"]
    shown = {picture.index for picture in run.pictures}
    for index, block in enumerate(python):
        if "alt" in block.options:
            assert index in shown, f"block at line {block.line} has alt= but shows no picture"
            assert block.options["alt"].strip(), f"block at line {block.line}: empty alt"
        else:
            assert index not in shown, f"block at line {block.line} shows a picture without alt="
    for picture in run.pictures:
        assert picture.suffix == ".svg" and picture.data.lstrip().startswith((b"<?xml", b"<svg"))
    prose = _prose(text)
    for match in [*_IMAGE.finditer(prose), *_HTML_LINK.finditer(prose)]:
        src = match["src"]
        if "://" in src or src.startswith(("/", "..", "mailto:")):
            continue
        assert src in run.files, f"{src} is shown but is not a file the page's code wrote"
    pagerun.run_page_tests(run)


def _prose(text: str) -> str:
    """The page without its code blocks."""
    lines = text.splitlines()
    inside: set[int] = set()
    for block in fenced_blocks(text):
        inside.update(range(block.line - 1, block.end))
    return "\n".join(line for number, line in enumerate(lines) if number not in inside)


def _code_and_outputs(page: Path) -> list[tuple[str, str | None, bool]]:
    blocks = fenced_blocks(page.read_text(encoding="utf-8"))
    return [(b.code, b.output, "alt" in b.options) for b in blocks if b.language == "python"]


@pytest.mark.parametrize("page", ENGLISH_TUTORIAL, ids=lambda p: p.name)
def test_korean_tutorial_has_the_same_code(page: Path) -> None:
    korean = page.with_name(page.name.removesuffix(".md") + ".ko.md")
    assert korean.exists(), f"docs/tutorial/{korean.name} is missing"
    assert _code_and_outputs(korean) == _code_and_outputs(page)


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


def test_fence_options_and_shown_pictures(tmp_path: Path) -> None:
    require_dot()
    text = "\n".join(
        [
            '```python alt="the graph of y"',
            "import micrograd as mg",
            "x = mg.Node(2.0, label='x')",
            "y = x * x",
            "print(y.data)",
            "y",
            "```",
            "",
            "```text",
            "4.0",
            "```",
            "```python",
            "y.data",
            "```",
        ]
    )
    blocks = fenced_blocks(text)
    assert blocks[0].language == "python" and blocks[0].options == {"alt": "the graph of y"}
    assert pagerun.plain_fence('```python alt="the graph of y"') == "```python"
    run = pagerun.run_blocks(text, "example", tmp_path)
    assert run.printed == ["4.0\n", ""] and not run.mismatches(text)
    assert [p.index for p in run.pictures] == [0]
    assert b"<svg" in run.pictures[0].data
    wrong = text.replace("4.0\n```", "5.0\n```")
    assert len(run.mismatches(wrong)) == 1


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


def test_api_pages_that_list_their_members_list_them_all() -> None:
    """A page that documents a module name by name (``members: false``) misses none."""
    import importlib
    import inspect

    for page in sorted((DOCS / "api").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        module_name = f"micrograd.{page.stem}"
        if f"::: {module_name}\n" not in text or "members: false" not in text:
            continue
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None)
        if names is None:
            names = [
                name
                for name, value in vars(module).items()
                if not name.startswith("_")
                and (inspect.isfunction(value) or inspect.isclass(value))
                and value.__module__ == module_name
            ]
        missing = [name for name in names if f"::: {module_name}.{name}\n" not in text]
        assert not missing, f"{page.name} leaves out {missing}"


def test_every_page_is_in_the_navigation() -> None:
    """Each page is in the nav; a Korean page ``x.ko.md`` is there as ``x.md``."""
    config = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.rglob("*.md"):
        relative = page.relative_to(DOCS).as_posix()
        if relative.endswith(".ko.md"):
            relative = relative.removesuffix(".ko.md") + ".md"
            assert (DOCS / relative).exists(), f"{page.name} translates no English page"
        assert f" {relative}" in config, f"{relative} is not in the nav of mkdocs.yml"


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
