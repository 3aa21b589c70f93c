"""What each built-in function is: its aliases, domain, derivative and kink convention.

Every built-in op (and the few functions over several Nodes, such as
`softmax`) carries a `FunctionInfo` as its ``info`` attribute, given where
the op is defined (`describe`). `functions_page` writes the documentation's
table of functions from these records, so the page cannot drift from the
code: a test checks that ``docs/api/functions.md`` is its output. To write
the page again after changing an op::

    python scripts/functions_page.py

Imports: only the standard library (each ops module registers its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

__all__ = ["FunctionInfo", "catalog", "describe", "functions_page"]

T = TypeVar("T")

#: The groups of the table, in the order the page shows them.
GROUPS = (
    "Arithmetic and powers",
    "Exponentials and logarithms",
    "Trigonometric and hyperbolic",
    "Special functions",
    "Rounding, signs and remainders",
    "Reductions",
    "Activations",
)


@dataclass(frozen=True)
class FunctionInfo:
    """One row of the function table.

    Attributes:
        name: the name under `micrograd` (``mg.asin``).
        group: the table's section, one of `GROUPS`.
        aliases: other names of the same function (NumPy's, Python's).
        domain: where it is defined; outside it the op raises ValueError.
        derivative: the local gradient, as a formula.
        kink: the value taken at a kink, a pole or a domain edge, and other
            conventions ("" when there is nothing to say).
        method: the Node method, as called (``x.asin()``), or "".
    """

    name: str
    group: str
    aliases: tuple[str, ...]
    domain: str
    derivative: str
    kink: str = ""
    method: str = ""


_CATALOG: dict[str, FunctionInfo] = {}


def describe(
    target: T,
    *,
    name: str,
    group: str,
    domain: str,
    derivative: str,
    kink: str = "",
    aliases: tuple[str, ...] = (),
    method: str = "",
) -> T:
    """Record `target`'s row of the table and attach it as ``target.info``; return `target`."""
    if group not in GROUPS:
        raise ValueError(f"describe: unknown group {group!r}")
    info = FunctionInfo(name, group, aliases, domain, derivative, kink, method)
    _CATALOG[name] = info
    setattr(target, "info", info)  # noqa: B010 (an attribute mypy does not know)
    return target


def catalog() -> list[FunctionInfo]:
    """Every described function, by group and then by name."""
    return sorted(_CATALOG.values(), key=lambda i: (GROUPS.index(i.group), i.name))


def _cell(text: str) -> str:
    return text.replace("|", "\\|") if text else "—"


def _code(text: str) -> str:
    return f"`{text}`" if text else "—"


def functions_page() -> str:
    """The Markdown page ``docs/api/functions.md``: one table per group."""
    lines = [
        "# Functions",
        "",
        "<!-- Written by `python scripts/functions_page.py`; a test checks it. Do not edit. -->",
        "",
        "Every built-in function of micrograd, as `mg.name(...)`, with its aliases,",
        "the Node method where PyTorch has one, where it is defined (outside its",
        "domain it raises `ValueError` naming the op and its input), its local",
        "gradient, and the value taken at kinks, poles and domain edges. Every local",
        "gradient is written with micrograd's own ops, so higher derivatives are",
        "analytic too; NaN inputs give NaN.",
        "",
    ]
    for group in GROUPS:
        rows = [i for i in catalog() if i.group == group]
        if not rows:
            continue
        lines += [
            f"## {group}",
            "",
            "| Function | Aliases | Method | Domain | Derivative | At kinks and edges |",
            "|---|---|---|---|---|---|",
        ]
        for i in rows:
            aliases = ", ".join(f"`{a}`" for a in i.aliases) or "—"
            lines.append(
                f"| `{i.name}` | {aliases} | {_code(i.method)} | {_cell(i.domain)}"
                f" | {_cell(i.derivative)} | {_cell(i.kink)} |"
            )
        lines.append("")
    return "\n".join(lines)
