"""A griffe extension for the API reference: docstring examples as code blocks.

The docstrings of micrograd are plain text: interactive examples start with
``>>>`` and literal blocks follow a line ending in ``::``. Rendered as Markdown,
``>>>`` would become nested block quotes and ``::`` would be printed as is. This
extension (listed under ``extensions`` in mkdocs.yml) rewrites each docstring
before it is rendered:

* a run of top-level lines starting with ``>>>`` (with its ``...`` lines and the
  expected output, up to a blank line) becomes a fenced ``pycon`` block;
* a paragraph ending in ``::`` followed by an indented block ends in ``:`` and the
  block becomes a fenced block (``pycon`` if it starts with ``>>>``, else ``text``).

It also gives a docstring to attributes that have none but are documented
another way in the source, so that the reference shows the description:

* a ``#:`` comment on the lines right above the assignment;
* a ``doc="..."`` argument in the call that makes the value (``add = op(..., doc=...)``);
* a later ``name.__doc__ = "..."`` at module level.

It also leaves ``__slots__`` out of every class: it is storage, not API.

Only the rendered documentation changes; the docstrings, and the doctests run by
the test suite, stay as they are.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import Any

import griffe


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _fence(lines: list[str], language: str) -> list[str]:
    return [f"```{language}", *lines, "```"]


def to_markdown(text: str) -> str:
    """The docstring `text` with its examples and literal blocks fenced."""
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    in_fence = False
    while index < len(lines):
        line = lines[index]
        stripped = line.rstrip()
        if stripped.lstrip().startswith("```"):
            in_fence = not in_fence
        if in_fence or stripped.lstrip().startswith("```"):
            out.append(line)
            index += 1
            continue
        if stripped.endswith("::") and not stripped.lstrip().startswith(">>>"):
            block_start = index + 1
            while block_start < len(lines) and not lines[block_start].strip():
                block_start += 1
            base = _indent(line)
            if block_start < len(lines) and _indent(lines[block_start]) > base:
                end = block_start
                while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > base):
                    end += 1
                while end > block_start and not lines[end - 1].strip():
                    end -= 1
                block = lines[block_start:end]
                width = min(_indent(b) for b in block if b.strip())
                body = [b[width:] for b in block]
                language = "pycon" if body[0].startswith(">>>") else "text"
                head = stripped[:-1]
                if head.strip() == ":":
                    head = ""
                if head:
                    out.append(head)
                out.append("")
                out.extend(" " * base + b for b in _fence(body, language))
                index = end
                continue
        if line.startswith(">>>"):
            end = index
            while end < len(lines) and lines[end].strip():
                end += 1
            out.extend(_fence(lines[index:end], "pycon"))
            index = end
            continue
        out.append(line)
        index += 1
    return "\n".join(out)


@functools.cache
def _source(path: Path) -> tuple[list[str], ast.Module]:
    text = path.read_text(encoding="utf-8")
    return text.splitlines(), ast.parse(text)


def _comment_above(lines: list[str], lineno: int) -> str | None:
    """The ``#:`` comment block that ends on the line above `lineno` (1-based)."""
    collected: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].strip().startswith("#:"):
        collected.append(lines[index].strip()[2:].strip())
        index -= 1
    return " ".join(reversed(collected)) or None


def _doc_keyword(node: object) -> str | None:
    """The string given as ``doc=`` to the call that makes an assigned value."""
    value = getattr(node, "value", None)
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(value, ast.Call):
        for keyword in value.keywords:
            if keyword.arg == "doc" and isinstance(keyword.value, ast.Constant):
                text = keyword.value.value
                return text if isinstance(text, str) else None
    return None


def _doc_assignment(tree: ast.Module, name: str) -> str | None:
    """The string assigned to ``name.__doc__`` at module level."""
    for statement in tree.body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target = statement.targets[0]
        if (
            isinstance(target, ast.Attribute)
            and target.attr == "__doc__"
            and isinstance(target.value, ast.Name)
            and target.value.id == name
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            return statement.value.value
    return None


def _attribute_doc(attr: griffe.Attribute, node: object) -> str | None:
    doc = _doc_keyword(node)
    if doc is None and attr.lineno is not None and isinstance(attr.filepath, Path):
        lines, tree = _source(attr.filepath)
        doc = _comment_above(lines, attr.lineno)
        if doc is None and attr.parent is not None and attr.parent.is_module:
            doc = _doc_assignment(tree, attr.name)
    return doc


class DoctestBlocks(griffe.Extension):
    """Fence interactive examples and literal blocks in every docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the object's docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        """Leave ``__slots__`` out: it is how a class stores its data, not something to call."""
        if "__slots__" in cls.members:
            cls.del_member("__slots__")

    def on_attribute_instance(self, *, node: object, attr: griffe.Attribute, **kwargs: Any) -> None:
        """Give an undocumented attribute the description its source has."""
        if attr.docstring is not None:
            return
        doc = _attribute_doc(attr, node)
        if doc:
            parser = attr.parent.docstring.parser if attr.parent and attr.parent.docstring else None
            attr.docstring = griffe.Docstring(
                to_markdown(doc), lineno=attr.lineno, parent=attr, parser=parser
            )
