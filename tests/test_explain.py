"""mg.explain: the recording's steps, the page's text and safety, the command line."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal, localcontext
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import micrograd as mg
from micrograd import Node
from micrograd.cli import GRAPH_SAMPLE, _network_loss, main
from micrograd.explain import DEFAULT_MAX_NODES, Explanation
from micrograd.explain.page import json_for_script
from micrograd.explain.record import TIMES, panel_number, record
from micrograd.models import TwoLayerNet

# -- random graphs over every built-in op ---------------------------------------------

# Each op is applied to earlier nodes chosen by index, so nodes are shared;
# arguments are kept in each op's domain by built-in ops too (x*x + 1 > 0).
UNARY: list[Callable[[Any], Any]] = [
    lambda a: -a,
    mg.abs,
    lambda a: mg.exp(mg.tanh(a)),
    lambda a: mg.log(a * a + 1.0),
    lambda a: mg.sqrt(a * a + 1.0),
    mg.sin,
    mg.cos,
    lambda a: mg.tan(mg.tanh(a)),
    mg.tanh,
    mg.sigmoid,
    mg.relu,
    lambda a: mg.leaky_relu(a, 0.1),
    mg.softplus,
    lambda a: a**2,
    lambda a: 2.0 ** mg.tanh(a),
    lambda a: 3.0 * a,
    lambda a: a - 0.5,
]
BINARY: list[Callable[[Any, Any], Any]] = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1.0),
    lambda a, b: mg.power(a * a + 1.0, mg.tanh(b)),
    mg.maximum,
    mg.minimum,
    lambda a, b: a * a,  # one node used twice by the same op
]

Plan = list[tuple[int, int, int, int]]  # (unary or binary, op, first input, second input)

plans: st.SearchStrategy[Plan] = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
    min_size=1,
    max_size=14,
)
values = st.floats(-2.0, 2.0, allow_nan=False)


def build(plan: Plan, inputs: list[float]) -> Node:
    """A graph from the plan over labelled leaves; every step may reuse any earlier node."""
    pool: list[Any] = [Node(v, label=f"x{i}") for i, v in enumerate(inputs)]
    for binary, which, first, second in plan:
        a = pool[first % len(pool)]
        if binary:
            b = pool[second % len(pool)]
            pool.append(BINARY[which % len(BINARY)](a, b))
        else:
            pool.append(UNARY[which % len(UNARY)](a))
    # The root sums the last few nodes, so several branches meet at the end.
    root = pool[-1] + pool[len(pool) // 2] * pool[-2]
    assert isinstance(root, Node)
    return root


def faithful(shown: str, exact: Decimal) -> bool:
    """`shown` is `exact` to the last of its 6 significant digits (within float rounding)."""
    if shown in ("nan", "inf", "-inf"):
        return False
    value = Decimal(shown)
    if exact == 0:
        return value == 0
    with localcontext() as context:
        context.prec = 80
        magnitude = abs(value) if value != 0 else abs(exact)
        unit = Decimal(10) ** (magnitude.adjusted() - 5)
        slack = abs(exact) * Decimal(2) ** -52 + Decimal(2) ** -1074  # rounding, underflow
        return abs(value - exact) <= unit / 2 + slack


def exact_product(a: float, b: float) -> Decimal:
    with localcontext() as context:
        context.prec = 80
        return Decimal(a) * Decimal(b)


def exact_sum(a: float, b: float) -> Decimal:
    with localcontext() as context:
        context.prec = 2000
        return Decimal(a) + Decimal(b)


def check_recording(root: Node) -> None:
    """Replay the recording's steps; compare with an ordinary backward() and the shown digits."""
    recording = record(root)
    nodes = recording.sources
    index = {node: i for i, node in enumerate(nodes)}
    steps = recording.steps

    # Forward: the leaves first, then each computed node after its inputs.
    assert steps[0]["kind"] == "leaves"
    known = set(steps[0]["reveal"])
    assert known == {i for i, node in enumerate(nodes) if not node.inputs}
    forward = [s for s in steps if s["kind"] == "forward"]
    assert len(forward) == len(nodes) - len(known)
    for step in forward:
        node = nodes[step["node"]]
        assert all(index[x] in known for x in node.inputs)
        known.add(step["node"])
        assert repr(node.data) == recording.nodes[step["node"]]["dataText"]

    # Backward: replayed with nothing but the recorded numbers.
    totals: dict[int, float] = {}
    finished: set[int] = set()
    seen_seed = False
    for step in steps:
        if step["kind"] == "seed":
            totals[step["node"]] = 1.0
            seen_seed = True
        elif step["kind"] == "edge":
            assert seen_seed
            i, j = step["node"], step["input"]
            finished.add(i)
            assert j not in finished, "a node passed its gradient on before it was complete"
            assert step["outGrad"] == totals[i]
            assert step["local"] == nodes[i].local_grads()[step["position"] - 1]
            assert step["contribution"] == step["outGrad"] * step["local"]
            assert step["before"] == totals.get(j, 0.0)
            after = step["before"] + step["contribution"]
            assert step["after"] == after or (math.isnan(after) and math.isnan(step["after"]))
            totals[j] = step["after"]
            shown = step["numbers"]
            for key in ("outGrad", "local", "contribution", "before", "after"):
                assert shown[key] == panel_number(step[key])
            if all(math.isfinite(step[k]) for k in ("outGrad", "local", "contribution", "after")):
                assert faithful(
                    shown["contribution"], exact_product(step["outGrad"], step["local"])
                )
                assert faithful(shown["after"], exact_sum(step["before"], step["contribution"]))
            chain = step["lines"][1]
            assert chain.endswith(
                f"= {shown['outGrad']} {TIMES} "
                + (f"({shown['local']})" if shown["local"].startswith("-") else shown["local"])
                + f" = {shown['contribution']}"
            )
    assert steps[-1]["kind"] == "end"

    # The same gradients, bit for bit, as an ordinary backward().
    root.zero_grad()
    root.backward()
    for i, node in enumerate(nodes):
        if isinstance(node, mg.Constant):
            assert recording.nodes[i]["grad"] is None
            continue
        expected = float(node.grad)
        got = totals.get(i, 0.0)
        assert got == expected or (math.isnan(got) and math.isnan(expected)), (i, got, expected)
        assert recording.nodes[i]["gradText"] == repr(expected)


@settings(max_examples=120, deadline=None)
@given(plans, values, values, values)
def test_recorded_steps_reproduce_backward_exactly(
    plan: Plan, a: float, b: float, c: float
) -> None:
    check_recording(build(plan, [a, b, c]))


def test_recorded_steps_on_the_tutorial_network() -> None:
    net = TwoLayerNet()
    check_recording(_network_loss(net, **GRAPH_SAMPLE))


def test_a_shared_leaf_shows_paths_meeting_as_a_sum() -> None:
    x = Node(3.0, label="x")
    y = x * x + 2 * x
    y.label = "y"
    recording = record(y)
    into_x = [s for s in recording.steps if s["kind"] == "edge" and s["input"] == 0]
    # backward() reaches x * x before 2 * x (its topological order lists 2 * x first).
    assert [s["contribution"] for s in into_x] == [3.0, 3.0, 2.0]
    assert into_x[-1]["after"] == 8.0 == mg.grad(lambda v: v * v + 2 * v)(3.0)
    assert into_x[-1]["lines"][2].endswith("x.grad: 6 + 2 = 8")
    assert "(3 so far: 3 + 3 + 2)" in into_x[-1]["lines"][3]


def test_the_issue_example_reads_as_written() -> None:
    w1 = Node(5.0, label="w1")
    f = w1 * 0.5
    f.label = "f"
    loss = f * 0.5
    loss.label = "loss"
    recording = record(loss)
    edge = next(
        s
        for s in recording.steps
        if s["kind"] == "edge" and recording.nodes[s["input"]]["name"] == "w1"
    )
    assert edge["lines"][1] == f"w1.grad += f.grad {TIMES} ∂f/∂w1 = 0.5 {TIMES} 0.5 = 0.25"


def test_constants_take_no_gradient_steps() -> None:
    x = Node(2.0, label="x")
    y = 3 * x
    recording = record(y)
    targets = [s["input"] for s in recording.steps if s["kind"] == "edge"]
    assert [recording.nodes[j]["name"] for j in targets] == ["x"]
    constant = next(n for n in recording.nodes if n["kind"] == "constant")
    assert constant["name"] == "3" and constant["grad"] is None


def test_a_leaf_root() -> None:
    x = Node(2.0, label="x")
    recording = record(x)
    assert [s["kind"] for s in recording.steps] == ["leaves", "seed", "end"]


def test_explain_leaves_grads_and_labels_as_they_were(dot: None) -> None:
    x = Node(2.0, label="x")
    y = (x * 3).tanh()
    x.grad = 7.0
    mg.explain(y)
    assert x.grad == 7.0 and y.grad == 0.0
    labels = [n.label for n in mg.topological_order(y) if not isinstance(n, mg.Constant)]
    assert labels == ["x", "", ""]


# -- the page ----------------------------------------------------------------------------


class _Scripts(HTMLParser):
    """Counts the page's elements and collects the recording's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.recording = ""
        self._in_recording = False
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        self._in_recording = tag == "script" and found.get("id") == "mg-recording"
        for name in ("src", "href", "xlink:href", "action"):
            if found.get(name):
                self.urls.append(str(found[name]))

    def handle_data(self, data: str) -> None:
        if self._in_recording:
            self.recording += data

    def handle_endtag(self, tag: str) -> None:
        self._in_recording = False


def parse_page(page: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(page)
    return parser


def tutorial_page(tmp_path: Path, lang: str = "en") -> tuple[Explanation, Path]:
    net = TwoLayerNet()
    loss = _network_loss(net, **GRAPH_SAMPLE)
    explanation = mg.explain(loss, model=net, lang=lang)
    return explanation, explanation.save(tmp_path / f"network-{lang}.html")


def test_page_is_self_contained_and_embeds_the_recording(tmp_path: Path, dot: None) -> None:
    explanation, path = tutorial_page(tmp_path)
    page = path.read_text(encoding="utf-8")
    parsed = parse_page(page)
    assert parsed.tags.count("script") == 2
    assert parsed.urls == []
    assert not re.search(r"(src|href)\s*=", page)
    # Outside the SVG's namespace names, no address anywhere.
    assert re.findall(r"https?://[^\"' )]+", page) == ["http://www.w3.org/2000/svg"]
    embedded = json.loads(parsed.recording)
    assert embedded == json.loads(json.dumps(explanation.recording.to_json()))
    assert len(embedded["steps"]) == 1 + 20 + 1 + 39 - 1 + 1  # leaves, forward, seed, edges, end
    for testid in ("next", "prev", "play", "slider", "step-text"):
        assert f'data-testid="{testid}"' in page
    assert [p.name for p in tmp_path.iterdir()] == ["network-en.html"]  # no temporary left


def test_tutorial_page_is_under_300_kb(tmp_path: Path, dot: None) -> None:
    _, path = tutorial_page(tmp_path)
    assert path.stat().st_size < 300_000


def test_korean_page(tmp_path: Path, dot: None) -> None:
    explanation, path = tutorial_page(tmp_path, "ko")
    page = path.read_text(encoding="utf-8")
    assert '<html lang="ko">' in page
    assert "역전파, 한 단계씩" in page
    edge = next(s for s in explanation.steps if s["kind"] == "edge")
    assert "연쇄법칙" in edge["lines"][0]
    assert "지역 미분값" in edge["lines"][0]


def test_hostile_labels_stay_text(tmp_path: Path, dot: None) -> None:
    hostile = "</script><script>alert(1)</script><!--"
    x = Node(1.5, label=hostile)
    y = mg.tanh(x * 2)
    y.label = '<img src=x onerror="alert(2)">'
    explanation = mg.explain(y, title="<b>title</b>")
    page = explanation.save(tmp_path / "p.html").read_text(encoding="utf-8")
    parsed = parse_page(page)
    assert parsed.tags.count("script") == 2
    assert "img" not in parsed.tags and "b" not in parsed.tags
    assert "<script>alert" not in page and "<img" not in page
    embedded = json.loads(parsed.recording)
    assert embedded["nodes"][0]["label"] == hostile
    assert embedded["nodes"][0]["name"] == f"({hostile})"  # not one word: bracketed
    frame = explanation._repr_html_()
    assert frame.startswith("<iframe ") and frame.count("<") == 2  # the page is all escaped


def test_json_for_script_escapes_what_could_end_the_script() -> None:
    text = json_for_script({"a": "</script><!-- & \u2028", "n": math.nan})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028", "n": "nan"}


def test_explain_refuses_large_graphs_naming_size_and_option() -> None:
    x = Node(0.5, label="x")
    y = x
    for _ in range(DEFAULT_MAX_NODES):
        y = y * 1.0001
    count = len(mg.topological_order(y))
    with pytest.raises(ValueError) as error:
        mg.explain(y)
    message = str(error.value)
    assert f"{count} value nodes" in message
    assert f"max_nodes={DEFAULT_MAX_NODES}" in message
    assert f"explain(root, max_nodes={count})" in message


def test_explain_bad_arguments() -> None:
    with pytest.raises(TypeError, match="explain: expected a Node, got float"):
        mg.explain(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="explain: lang must be one of en, ko, got 'fr'"):
        mg.explain(Node(1.0), lang="fr")
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        mg.explain(Node(1.0), max_nodes=0)


# -- the command line ----------------------------------------------------------------------


def test_graph_command_writes_a_page(tmp_path: Path, dot: None) -> None:
    out = tmp_path / "out.html"
    assert main(["graph", "relu(x**2 - 2*y)", "x=3", "y=2", "--html", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    embedded = json.loads(parse_page(page).recording)
    grads = {n["name"]: n["grad"] for n in embedded["nodes"]}
    assert grads["x"] == 6.0 and grads["y"] == -2.0
    assert not (tmp_path / "graph.png").exists()


def test_graph_command_page_in_korean_with_a_picture(
    tmp_path: Path, dot: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(
        ["graph", "--model", "two-layer", "-o", "n.svg", "--html", "n.html", "--lang", "ko"]
    )
    assert code == 0
    assert (tmp_path / "n.svg").exists()
    assert '<html lang="ko">' in (tmp_path / "n.html").read_text(encoding="utf-8")


def test_graph_command_rejects_a_page_without_html_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", "x*2", "x=1", "--html", str(tmp_path / "page.txt")]) == 2
    assert "must end in .html" in capsys.readouterr().err


def test_demo_writes_the_network_page(tmp_path: Path, dot: None) -> None:
    assert main(["demo", "--epochs", "1", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "network.html").read_text(encoding="utf-8")
    assert (tmp_path / "network.png").exists()
    embedded = json.loads(parse_page(page).recording)
    assert embedded["nodes"][embedded["root"]]["name"] == "loss"


def test_page_without_dot_is_one_clear_error(
    no_dot: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.html"
    assert main(["graph", "x*2", "x=1", "--html", str(out)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("micrograd graph: error: Graphviz's `dot` program was not found")
    assert "apt-get install graphviz" in error
    assert not out.exists()
    with pytest.raises(mg.GraphvizNotFoundError):
        mg.explain(Node(1.0) * 2)
