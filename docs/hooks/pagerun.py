"""Run the Python code of a documentation page, the way a reader would.

The site build (``docs/hooks/site.py``), the notebooks and the tests all read a
page through this module, so that what a page shows is what its code does.

Rules for a page:

* The ```python blocks run in order, in one namespace, in one working
  directory (pictures and files they write land there).
* A ```text block that directly follows a ```python block (nothing but blank
  lines between) is that block's output: what the block prints must equal it,
  line by line, ignoring trailing spaces.
* As in a notebook, a block whose last statement is an expression shows that
  value when it is a picture: a Node (the picture of its graph, from its
  ``_repr_mimebundle_``) or a matplotlib figure. The fence may give the
  picture's description: ```python alt="The graph of z".
* A Markdown image whose address is a file the code wrote, such as
  ``![the graph](pictures/formula.svg)``, shows that file.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_SVG = "image/svg+xml"
# The file name code is compiled under (compiled mode prints it in guards).
FILENAME = "<docs>"


class BlockError(Exception):
    """A block of a page raised; the message says which."""


@dataclass
class Block:
    """One fenced code block of a page."""

    language: str
    code: str
    line: int  # where the block starts, 1-based
    end: int  # the line of its closing fence, 1-based
    options: dict[str, str] = field(default_factory=dict)
    output: str | None = None  # for python blocks: the text block that follows
    output_end: int | None = None  # the closing line of that text block


def parse_info(info: str) -> tuple[str, dict[str, str]]:
    """The language and the ``key="value"`` options of a fence's info string."""
    words = shlex.split(info) if info.strip() else []
    if not words:
        return "", {}
    language = words[0].lstrip(".").lower()
    options = dict(word.split("=", 1) for word in words[1:] if "=" in word)
    return language, options


def fenced_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown page, each python block with its output block."""
    lines = text.splitlines()
    blocks: list[Block] = []
    previous_end = -2
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, fence = match["indent"], match["fence"]
        language, options = parse_info(match["info"].strip())
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
        block = Block(language, "\n".join(body) + "\n", index + 1, end + 1, options)
        between = lines[previous_end + 1 : index]
        follows = blocks and previous_end >= 0 and all(not line.strip() for line in between)
        if language == "text" and follows and blocks[-1].language == "python":
            blocks[-1].output = block.code
            blocks[-1].output_end = end + 1
        blocks.append(block)
        previous_end = end
        index = end + 1
    return blocks


def plain_fence(line: str) -> str:
    """A fence line without its options: ```python alt="..." becomes ```python."""
    match = FENCE.match(line)
    if not match:
        return line
    language, _ = parse_info(match["info"].strip())
    return f"{match['indent']}{match['fence']}{language}"


def normalise(text: str) -> list[str]:
    """Lines of an output, without trailing spaces and surrounding blank lines."""
    return [line.rstrip() for line in text.strip("\n").splitlines()]


@dataclass
class Picture:
    """A picture that a block's last expression showed."""

    index: int  # which python block of the page showed it, from 0
    suffix: str  # ".svg" or ".png"
    data: bytes


@dataclass
class PageRun:
    """What running a page's code produced."""

    blocks: list[Block]
    printed: list[str]  # what each python block printed, in order
    pictures: list[Picture]
    files: dict[str, bytes]  # files the code wrote, by path relative to the working directory
    namespace: dict[str, Any]

    def mismatches(self, text: str) -> list[str]:
        """A message for each python block of the page `text` whose output differs from it.

        `text` is the page the code ran from, or a translation of it with the same code.
        """
        problems = []
        python = [block for block in fenced_blocks(text) if block.language == "python"]
        for block, actual in zip(python, self.printed):
            if block.output is None:
                continue
            if normalise(actual) != normalise(block.output):
                problems.append(
                    f"block at line {block.line}: the output differs from the page.\n"
                    f"--- page ---\n{block.output}--- actual ---\n{actual}"
                )
        return problems


def picture_of(value: object) -> tuple[str, bytes] | None:
    """The picture a notebook would show for `value`, as (suffix, bytes), or None."""
    bundle_of = getattr(value, "_repr_mimebundle_", None)
    if callable(bundle_of) and not isinstance(value, type):
        bundle = bundle_of()
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        if _SVG in bundle:
            return ".svg", str(bundle[_SVG]).encode("utf-8")
    if type(value).__module__.startswith("matplotlib") and hasattr(value, "savefig"):
        buffer = io.BytesIO()
        value.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        return ".svg", buffer.getvalue()
    return None


@contextlib.contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_blocks(text: str, name: str, workdir: Path) -> PageRun:
    """Run the python blocks of the page `text` in `workdir`; see the module's rules."""
    blocks = fenced_blocks(text)
    namespace: dict[str, Any] = {"__name__": f"docs.{name}"}
    printed: list[str] = []
    pictures: list[Picture] = []
    os.environ.setdefault("MPLBACKEND", "Agg")
    with _working_directory(workdir):
        python = [block for block in blocks if block.language == "python"]
        for index, block in enumerate(python):
            tree = ast.parse(block.code, FILENAME)
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            buffer = io.StringIO()
            try:
                with contextlib.redirect_stdout(buffer):
                    exec(compile(tree, FILENAME, "exec"), namespace)
                    value = eval(compile(last, FILENAME, "eval"), namespace) if last else None
            except Exception as error:
                raise BlockError(f"{name}, block at line {block.line}: {error!r}") from error
            printed.append(buffer.getvalue())
            picture = picture_of(value) if value is not None else None
            if picture is not None:
                pictures.append(Picture(index, *picture))
        files = {
            path.relative_to(workdir).as_posix(): path.read_bytes()
            for path in sorted(workdir.rglob("*"))
            if path.is_file()
        }
    return PageRun(blocks, printed, pictures, files, namespace)


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


def run_page_tests(run: PageRun) -> None:
    """Call the ``test_*`` functions the page's blocks defined, once per parametrize case."""
    for name, value in list(run.namespace.items()):
        if name.startswith("test_") and callable(value):
            for arguments in parametrize_cases(value):
                value(**arguments)
