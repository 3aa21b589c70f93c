"""A model's modules as clusters: which module owns each value of the graph.

Imports: `micrograd.node`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from micrograd.node import Node


class HasNamedParameters(Protocol):
    """What ``draw_graph(..., model=...)`` needs: a model's named parameters.

    A `micrograd.nn.Module` fits. An object that also has ``named_modules()``
    (an iterator of ``(dotted name, module)``, the model itself named ``""``)
    gets its modules drawn as clusters.
    """

    def named_parameters(self) -> Iterator[tuple[str, Node]]:
        """``(dotted name, parameter)`` for every parameter of the model."""
        ...


# -- models ------------------------------------------------------------------


@dataclass(eq=False)  # compared and hashed by identity
class _Module:
    """One module of a model, as a cluster of the picture."""

    name: str
    title: str
    depth: int = 0  # how many modules contain this one
    parent: _Module | None = None
    key: str = ""
    children: list[_Module] = field(default_factory=list)


def _model_modules(model: object) -> dict[str, _Module]:
    """The model's modules by dotted name, linked to their parents."""
    named = getattr(model, "named_modules", None)
    entries: list[tuple[str, object]] = list(named()) if callable(named) else []
    if not any(name == "" for name, _ in entries):
        entries.insert(0, ("", model))
    modules: dict[str, _Module] = {}
    for name, module in entries:
        if name in modules:
            continue
        kind = type(module).__name__
        title = kind if name == "" else f"{name} · {kind}"
        modules[name] = _Module(name, title)
    for name, module in modules.items():
        if name:
            module.parent = modules[_owner(name, modules)]
    for module in modules.values():
        walk = module.parent
        while walk is not None:
            module.depth += 1
            walk = walk.parent
    return modules


def _owner(dotted: str, modules: Mapping[str, object]) -> str:
    """The longest module name that is a proper dotted prefix of `dotted` ("" at worst)."""
    head = dotted
    while "." in head:
        head = head.rpartition(".")[0]
        if head in modules:
            return head
    return ""


def _assign_modules(order: list[Node], param_owner: Mapping[Node, _Module]) -> dict[Node, _Module]:
    """Which module each value node belongs to (see `draw_graph` for the rule)."""
    where: dict[Node, _Module] = dict(param_owner)
    for node in order:
        if node in where or not node.inputs:
            continue
        owners = [param_owner[x] for x in node.inputs if x in param_owner]
        if owners:
            where[node] = max(owners, key=lambda m: m.depth)
        elif all(x in where for x in node.inputs):
            where[node] = _innermost_common(where[x] for x in node.inputs)
    return where


def _innermost_common(modules: Iterable[_Module]) -> _Module:
    """The deepest module containing all of `modules` (each contains itself)."""
    first, *others = modules
    chain: list[_Module] = []
    walk: _Module | None = first
    while walk is not None:
        chain.append(walk)
        walk = walk.parent
    common = 0
    for other in others:
        walk = other
        while walk is not None and walk not in chain:
            walk = walk.parent
        common = max(common, chain.index(walk) if walk is not None else len(chain) - 1)
    return chain[common]
