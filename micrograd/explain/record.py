"""The recording behind an explanation page: every step, with numbers from the engine.

`record(root)` walks `root`'s graph as the engine does and writes down what
happens: the forward pass (each computed node in topological order, with the
value the engine computed for it) and the backward pass (each computed node
in reverse topological order, and for each of its inputs the chain-rule step
``input.grad += node.grad * ∂node/∂input``). The local derivatives come from
the engine's own ops (`Node.local_grads`); the products and running totals
are the very float operations `backward()` performs, in its order, and the
final totals are checked, bit for bit, against a real backward pass
(`micrograd.gradients`). Nothing here changes a `.grad`.

Every number meant for the page is also turned into text here, so that the
page only shows strings: it never computes.

Imports: `micrograd.node`, `micrograd.nn`, `micrograd.viz`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from micrograd.nn import Parameter
from micrograd.node import Constant, Node, gradients, topological_order
from micrograd.viz.drawing import _reading_order
from micrograd.viz.style import _format_number, _op_text

__all__ = ["LANGUAGES", "Recording", "panel_number", "record"]

#: The languages of the page's text.
LANGUAGES = ("en", "ko")

#: Significant digits of the numbers in the chain-rule panel.
PANEL_DIGITS = 6

# A name that reads as one word in the panel's formulas.
_ONE_WORD = re.compile(r"[\w.#\[\]']+\Z")

#: The multiplication sign of the panel's arithmetic.
TIMES = "\N{MULTIPLICATION SIGN}"

# Ops written between their operands (``a * b``) rather than as ``f(a, b)``.
_INFIX = {"+": "+", "-": "-", "*": TIMES, "/": "/", "**": "**"}


def panel_number(value: float) -> str:
    """A number for the panel: `PANEL_DIGITS` significant digits, correctly rounded.

    Whole numbers show without a decimal point; exponents are written
    compactly (``1.5e6``, ``2e-7``).
    """
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    text = format(value, f".{PANEL_DIGITS}g")
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def _signed(text: str) -> str:
    """A number as the right operand of an operator: negative ones in parentheses."""
    return f"({text})" if text.startswith("-") else text


# -- the words of the page ----------------------------------------------------------

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Backpropagation, step by step",
        "forward": "Forward pass",
        "backward": "Backward pass",
        "end": "The end",
        "leaves_step": (
            "The forward pass starts from the leaves: {count} given values (inputs,"
            " parameters, constants)."
        ),
        "forward_step": "Step {index} of {total} of the forward pass: compute {name}.",
        "seed_step": (
            "The backward pass starts at {name} with gradient 1: the derivative of {name}"
            " with respect to itself."
        ),
        "edge_step": (
            "At {name} ({op}): multiply the gradient that arrived by the local derivative"
            " with respect to input {position} of {count}, {input} (the chain rule)."
        ),
        "first_path": "{input} receives its first contribution.",
        "paths_meet": (
            "Paths meet at {input}: its gradient is the sum of what arrives from every path"
            " ({count} so far: {terms})."
        ),
        "end_step": (
            "Every node has its gradient: d{root}/d(node). The leaves are listed in the table."
        ),
        "running": "running total",
        "prev": "◀ Back",
        "next": "Next ▶",
        "play": "▶ Play",
        "pause": "❚❚ Pause",
        "start": "|◀ Start",
        "finish": "End ▶|",
        "speed": "Speed",
        "zoom": "Actual size",
        "step": "Step",
        "keys": "Keys: ← → step, Home/End jump, space plays. Hover or click a node for details.",
        "name": "name",
        "kind": "kind",
        "data": "value",
        "grad": "gradient",
        "op": "op",
        "local": "local derivatives",
        "leaf": "leaf",
        "input": "input",
        "parameter": "parameter",
        "constant": "constant (takes no gradient)",
        "value": "intermediate value",
        "output": "output (the root)",
        "details": "Hover or click a node to see its numbers.",
        "grad_note": "after the backward pass",
    },
    "ko": {
        "title": "역전파, 한 단계씩",
        "forward": "순전파",
        "backward": "역전파",
        "end": "끝",
        "leaves_step": "순전파는 리프에서 시작합니다: 주어진 값 {count}개(입력, 파라미터, 상수).",
        "forward_step": "순전파 {total}단계 중 {index}단계: {name}을(를) 계산합니다.",
        "seed_step": (
            "역전파는 {name}에서 그래디언트 1로 시작합니다: {name}을(를) 자기 자신으로"
            " 미분한 값입니다."
        ),
        "edge_step": (
            "{name}({op})에서: 도착한 그래디언트에 입력 {count}개 중 {position}번째인"
            " {input}에 대한 지역 미분값을 곱합니다(연쇄법칙)."
        ),
        "first_path": "{input}이(가) 첫 번째 기여를 받습니다.",
        "paths_meet": (
            "경로가 {input}에서 만납니다: 그래디언트는 모든 경로에서 도착한 값의 합입니다"
            "(지금까지 {count}개: {terms})."
        ),
        "end_step": ("모든 노드가 그래디언트 d{root}/d(노드)를 얻었습니다. 리프는 표에 있습니다."),
        "running": "누적 합",
        "prev": "◀ 이전",
        "next": "다음 ▶",
        "play": "▶ 재생",
        "pause": "❚❚ 일시정지",
        "start": "|◀ 처음",
        "finish": "끝 ▶|",
        "speed": "속도",
        "zoom": "원래 크기",
        "step": "단계",
        "keys": (
            "키: ← → 한 단계, Home/End 처음과 끝, 스페이스 재생."
            " 노드에 마우스를 올리거나 누르면 자세히 보입니다."
        ),
        "name": "이름",
        "kind": "종류",
        "data": "값",
        "grad": "그래디언트",
        "op": "연산",
        "local": "지역 미분값",
        "leaf": "리프",
        "input": "입력",
        "parameter": "파라미터",
        "constant": "상수(그래디언트를 받지 않음)",
        "value": "중간값",
        "output": "출력(루트)",
        "details": "노드에 마우스를 올리거나 누르면 숫자가 보입니다.",
        "grad_note": "역전파가 끝난 뒤",
    },
}


def words(lang: str) -> dict[str, str]:
    """The page's text in `lang` ("en" or "ko")."""
    return _WORDS[lang]


# -- the recording --------------------------------------------------------------------


@dataclass
class Recording:
    """Everything the page shows, as plain data (`to_json` gives the page's JSON).

    `nodes[i]` is the value node drawn as ``v{i}``; `steps` are the page's
    steps in order; `order` is the engine's topological order of the
    computed nodes (indices into `nodes`).
    """

    lang: str
    root: int
    nodes: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    #: Each node's gradient from the engine's backward pass (None for a constant).
    grads: list[float | None] = field(default_factory=list)
    #: The Nodes themselves: `sources[i]` is the node described by `nodes[i]`.
    sources: list[Node] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The recording as JSON-ready data: what the page embeds."""
        return {
            "format": 1,
            "lang": self.lang,
            "root": self.root,
            "ui": {
                key: value
                for key, value in words(self.lang).items()
                if "{" not in value  # templates stay here; the page gets finished text
            },
            "nodes": self.nodes,
            "order": self.order,
            "steps": self.steps,
            "leaves": [i for i, node in enumerate(self.nodes) if not node["inputs"]],
        }


def _kind(node: Node, root: Node, parameters: dict[Node, str]) -> str:
    if node is root:
        return "output"
    if node in parameters or isinstance(node, Parameter):
        return "parameter"
    if node.inputs:
        return "value"
    return "input" if node.label else "constant"


def record(root: Node, lang: str = "en", parameters: dict[Node, str] | None = None) -> Recording:
    """Record the forward and backward pass of `root`'s graph (see the module's docstring).

    Args:
        root: the node whose graph to record.
        lang: the language of the text, "en" or "ko".
        parameters: names of a model's parameters, used where a node has no label.

    Raises:
        RuntimeError: the replayed chain rule did not give the engine's gradients
            bit for bit (it always should: the check guards the page's promise).
    """
    names_of_parameters = parameters or {}
    say = words(lang)
    drawn = _reading_order(root)  # the drawing's order: node i is "v{i}"
    index = {node: i for i, node in enumerate(drawn)}
    computed = topological_order(root, leaves=False)  # backward()'s own order

    def name(node: Node) -> str:
        if node.label:
            # A label that is not one word (a formula, say) is bracketed, so
            # that ``(a + b).grad`` reads as one name.
            return node.label if _ONE_WORD.match(node.label) else f"({node.label})"
        if node in names_of_parameters:
            return names_of_parameters[node]
        if isinstance(node, Constant) or not node.inputs:
            return panel_number(node.data)
        return f"#{index[node]}"

    engine_grads = gradients(root, drawn)
    recording = Recording(lang=lang, root=index[root], sources=list(drawn))
    for i, node in enumerate(drawn):
        constant = isinstance(node, Constant)
        grad = None if constant else float(engine_grads[i])
        recording.grads.append(grad)
        op = node.op
        local = list(node.local_grads()) if node.inputs else []
        recording.nodes.append(
            {
                "id": f"v{i}",
                "name": name(node),
                "label": node.label,
                "kind": _kind(node, root, names_of_parameters),
                "op": _op_text(op) if node.inputs else "",
                "opName": op.name if op is not None and node.inputs else "",
                "inputs": [index[x] for x in node.inputs],
                "data": node.data,
                "dataText": repr(node.data),
                "dataShort": _format_number(node.data),
                "grad": grad,
                "gradText": "" if grad is None else repr(grad),
                "gradShort": "" if grad is None else _format_number(grad),
                "local": local,
                "localText": [repr(d) for d in local],
            }
        )
    recording.order = [index[node] for node in computed]
    _forward_steps(recording, drawn, computed, index, name, say)
    totals = _backward_steps(recording, root, computed, index, name, say)
    for i, node in enumerate(drawn):
        expected = recording.grads[i]
        if expected is None:
            continue
        replayed = totals.get(i, 0.0)
        if not _same_float(replayed, expected):
            raise RuntimeError(
                f"explain: the recorded chain rule gives {replayed!r} for {name(node)}, but"
                f" backward() gives {expected!r}"
            )
    recording.steps.append(
        {
            "phase": "end",
            "kind": "end",
            "node": index[root],
            "lines": [say["end_step"].format(root=name(root))],
        }
    )
    return recording


def _same_float(a: float, b: float) -> bool:
    """Equal bit for bit as numbers (NaN equals NaN; 0.0 and -0.0 differ)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _forward_text(node: Node, name: Any) -> str:
    """``h = f * g = 0.5 * 2 = 1`` (with a times sign): op, inputs by name and value, result."""
    op = _op_text(node.op)
    inputs = node.inputs
    names = [name(x) for x in inputs]
    values = [panel_number(x.data) for x in inputs]
    if op in _INFIX and len(inputs) == 2:
        symbol = _INFIX[op]
        formula = f"{names[0]} {symbol} {names[1]}"
        numbers = f"{values[0]} {symbol} {_signed(values[1])}"
    elif op.startswith("**") and len(inputs) == 1:  # a constant power: x**2
        formula = f"{names[0]}{op}"
        numbers = f"{_signed(values[0])}{op}"
    elif op == "neg" and len(inputs) == 1:
        formula = f"-{names[0]}"
        numbers = f"-{_signed(values[0])}"
    else:
        formula = f"{op}({', '.join(names)})"
        numbers = f"{op}({', '.join(values)})"
    if formula == numbers or numbers == panel_number(node.data):
        return f"{name(node)} = {formula} = {panel_number(node.data)}"
    return f"{name(node)} = {formula} = {numbers} = {panel_number(node.data)}"


def _forward_steps(
    recording: Recording,
    drawn: list[Node],
    computed: list[Node],
    index: dict[Node, int],
    name: Any,
    say: dict[str, str],
) -> None:
    leaves = [i for i, node in enumerate(drawn) if not node.inputs]
    leaf_values = ", ".join(
        f"{name(drawn[i])} = {panel_number(drawn[i].data)}"
        for i in leaves
        if not isinstance(drawn[i], Constant)
    )
    recording.steps.append(
        {
            "phase": "forward",
            "kind": "leaves",
            "node": None,
            "reveal": leaves,
            "lines": [say["leaves_step"].format(count=len(leaves)), leaf_values],
        }
    )
    for position, node in enumerate(computed, start=1):
        recording.steps.append(
            {
                "phase": "forward",
                "kind": "forward",
                "node": index[node],
                "reveal": [index[node]],
                "lines": [
                    say["forward_step"].format(
                        index=position, total=len(computed), name=name(node)
                    ),
                    _forward_text(node, name),
                ],
            }
        )


def _backward_steps(
    recording: Recording,
    root: Node,
    computed: list[Node],
    index: dict[Node, int],
    name: Any,
    say: dict[str, str],
) -> dict[int, float]:
    """Append the backward steps; return every node's replayed gradient by index."""
    seed = 1.0
    root_index = index[root]
    totals: dict[int, float] = {root_index: seed}
    contributions: dict[int, list[str]] = {}
    recording.steps.append(
        {
            "phase": "backward",
            "kind": "seed",
            "node": root_index,
            "grad": {"node": root_index, "short": _format_number(seed)},
            "lines": [say["seed_step"].format(name=name(root)), f"{name(root)}.grad = 1"],
        }
    )
    for node in reversed(computed):
        i = index[node]
        inputs = node.inputs
        local = node.local_grads()
        out_grad = totals.get(i, 0.0)
        for position, (x, d) in enumerate(zip(inputs, local), start=1):
            if isinstance(x, Constant):
                continue  # a constant takes no gradient: the engine drops it too
            j = index[x]
            before = totals.get(j, 0.0)
            contribution = out_grad * d
            after = before + contribution
            totals[j] = after
            terms = contributions.setdefault(j, [])
            terms.append(panel_number(contribution))
            chain = (
                f"{name(x)}.grad += {name(node)}.grad {TIMES} ∂{name(node)}/∂{name(x)}"
                f" = {panel_number(out_grad)} {TIMES} {_signed(panel_number(d))}"
                f" = {panel_number(contribution)}"
            )
            running = (
                f"{name(x)}.grad: {panel_number(before)} + {_signed(panel_number(contribution))}"
                f" = {panel_number(after)}"
            )
            meet = (
                say["first_path"].format(input=name(x))
                if len(terms) == 1
                else say["paths_meet"].format(
                    input=name(x), count=len(terms), terms=" + ".join(_signed(t) for t in terms)
                )
            )
            recording.steps.append(
                {
                    "phase": "backward",
                    "kind": "edge",
                    "node": i,
                    "input": j,
                    "position": position,
                    "outGrad": out_grad,
                    "local": d,
                    "contribution": contribution,
                    "before": before,
                    "after": after,
                    "paths": len(terms),
                    "numbers": {
                        "outGrad": panel_number(out_grad),
                        "local": panel_number(d),
                        "contribution": panel_number(contribution),
                        "before": panel_number(before),
                        "after": panel_number(after),
                    },
                    "grad": {"node": j, "short": _format_number(after)},
                    "lines": [
                        say["edge_step"].format(
                            name=name(node),
                            op=_op_text(node.op),
                            position=position,
                            count=len(inputs),
                            input=name(x),
                        ),
                        chain,
                        f"{say['running']}: {running}",
                        meet,
                    ],
                }
            )
    return totals
