"""The explanation page: one self-contained HTML file (SVG, CSS, script and recording inline).

The picture is `micrograd.viz.draw_graph`'s, rendered to SVG by Graphviz and
then marked up for the script: each value node, op and edge gets a
``data-id`` / ``data-edge`` attribute, and the text of each node's value and
gradient a class, so the script can show them step by step. Graphviz's own
tooltips (which would give away the final numbers) and comments are removed.

Nothing from the user's objects reaches the page as markup: the SVG is
parsed and written back by ElementTree (labels are text), the recording is
JSON with ``<``, ``>`` and ``&`` written as escapes inside its script tag,
and the script shows every string with ``textContent``.

Imports nothing from micrograd.
"""

from __future__ import annotations

import html
import json
import math
import xml.etree.ElementTree as ET
from importlib import resources
from typing import Any

__all__ = ["build_page", "json_for_script", "mark_up_svg"]

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", _SVG)
ET.register_namespace("xlink", _XLINK)


def _asset(name: str) -> str:
    return resources.files("micrograd.explain").joinpath(name).read_text(encoding="utf-8")


def _finite(value: Any) -> Any:
    """`value` with NaN and infinities as strings: JSON has no word for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` are written as ``\\u003c`` etc., so no string can
    close the script element (``</script>``) or open a comment (``<!--``);
    U+2028 and U+2029 are escaped too. `JSON.parse` reads the escapes back.
    """
    text = json.dumps(_finite(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _tag(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2]


def mark_up_svg(svg: str) -> str:
    """Graphviz's SVG of `draw_graph`, ready for the page (see the module's docstring)."""
    names = _dot_names(svg)  # read before the titles that hold them are removed
    tree = ET.fromstring(svg)
    tree.attrib.pop("width", None)
    tree.attrib.pop("height", None)
    tree.set("class", "mg-svg")
    tree.set("role", "img")
    for parent in tree.iter():
        for child in list(parent):
            if _tag(child) == "title":
                parent.remove(child)
    for group in tree.iter(f"{{{_SVG}}}g"):
        for anchor in list(group):
            if _tag(anchor) == "a":
                # An <a> with only a tooltip: keep its drawing, drop the tooltip.
                position = list(group).index(anchor)
                group.remove(anchor)
                for offset, child in enumerate(list(anchor)):
                    group.insert(position + offset, child)
    groups = [g for g in tree.iter(f"{{{_SVG}}}g") if g.get("class") in ("node", "edge")]
    for group, dot_name in zip(groups, names):
        if group.get("class") == "node":
            group.set("data-id", dot_name)
            _mark_numbers(group)
        else:
            group.set("data-edge", dot_name)
        group.attrib.pop("id", None)
    for group in tree.iter(f"{{{_SVG}}}g"):
        if group.get("class") == "cluster":
            group.attrib.pop("id", None)
    return ET.tostring(tree, encoding="unicode")


def _dot_names(svg: str) -> list[str]:
    """The DOT name (``v3``, ``o3``, ``v2->o3``) of each node and edge group, in order."""
    names = []
    for group in ET.fromstring(svg).iter(f"{{{_SVG}}}g"):
        if group.get("class") in ("node", "edge"):
            title = group.find(f"{{{_SVG}}}title")
            names.append((title.text or "") if title is not None else "")
    return names


def _mark_numbers(group: ET.Element) -> None:
    """Class the value and gradient texts of a value node's table."""
    texts = list(group.iter(f"{{{_SVG}}}text"))
    for position, text in enumerate(texts):
        small = text.get("font-size", "").startswith("9")
        word = (text.text or "").strip()
        if not small or position + 1 >= len(texts):
            continue
        if word == "data":
            text.set("class", "mg-word")
            texts[position + 1].set("class", "mg-data")
        elif word == "grad":
            text.set("class", "mg-word mg-grad-word")
            texts[position + 1].set("class", "mg-grad")


def build_page(recording: dict[str, Any], svg: str, title: str) -> str:
    """The whole HTML page for a recording and its marked-up SVG."""
    ui = recording["ui"]
    lang = recording["lang"]
    template = _asset("page.html")
    replacements = {
        "{{LANG}}": html.escape(lang),
        "{{TITLE}}": html.escape(title),
        "{{HEADING}}": html.escape(ui["title"]),
        "{{CSS}}": _asset("page.css"),
        "{{SVG}}": svg,
        "{{RECORDING}}": json_for_script(recording),
        "{{SCRIPT}}": _asset("page.js"),
        "{{PREV}}": html.escape(ui["prev"]),
        "{{NEXT}}": html.escape(ui["next"]),
        "{{PLAY}}": html.escape(ui["play"]),
        "{{START}}": html.escape(ui["start"]),
        "{{FINISH}}": html.escape(ui["finish"]),
        "{{SPEED}}": html.escape(ui["speed"]),
        "{{ZOOM}}": html.escape(ui["zoom"]),
        "{{KEYS}}": html.escape(ui["keys"]),
        "{{DETAILS}}": html.escape(ui["details"]),
        "{{LAST}}": str(len(recording["steps"]) - 1),
    }
    page = template
    # One pass, in template order, so no replacement is ever searched again.
    parts: list[str] = []
    rest = page
    while "{{" in rest:
        head, _, tail = rest.partition("{{")
        key, _, rest = tail.partition("}}")
        parts.append(head)
        parts.append(replacements["{{" + key + "}}"])
    parts.append(rest)
    return "".join(parts)
