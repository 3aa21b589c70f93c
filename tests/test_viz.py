"""Pictures of graphs: the DOT source, real PNG/SVG/PDF files, models, notebooks."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from graphviz_check import PNG_SIGNATURE, SVG_NS

import micrograd as mg
from micrograd import nn
from micrograd.models import TwoLayerNet
from micrograd.viz import (
    DEFAULT_MAX_NODES,
    GraphvizNotFoundError,
    _format_number,
    draw_graph,
    render_graph,
    repr_mimebundle,
)


def seed_formula() -> tuple[mg.Node, mg.Node, mg.Node]:
    """``relu(x**2 - 2*y)`` at x=3, y=2, after backward: z=5, dz/dx=6, dz/dy=-2."""
    x, y = mg.Node(3.0, label="x"), mg.Node(2.0, label="y")
    z = mg.relu(x**2 - 2 * y)
    z.backward()
    return x, y, z


def value_lines(source: str) -> dict[str, str]:
    """DOT node id -> its statement, for value nodes (v0, v1, ...)."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^\s*(v\d+) \[.*$", source, re.MULTILINE)}


def op_lines(source: str) -> dict[str, str]:
    """DOT node id -> its statement, for op nodes (o3, ...)."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^\s*(o\d+) \[.*$", source, re.MULTILINE)}


def edges(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)", source, re.MULTILINE)


def cell_text(line: str) -> str:
    """The visible text of a node's HTML label: tags dropped, cells separated by spaces."""
    found = re.search(r"label=<(.*?)>(?= \w+=|\]$)", line)
    assert found, line
    return " ".join(re.sub(r"<[^>]*>", " ", found.group(1)).split())


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG_NS}svg"
    return [(t.text or "").strip() for t in root.iter(f"{SVG_NS}text")]


def find_node_by_tooltip(source: str, tooltip: str) -> str:
    matches = [line for line in value_lines(source).values() if f'tooltip="{tooltip}"' in line]
    assert len(matches) == 1, (tooltip, matches)
    return matches[0]


# -- numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (-12.0, "-12"),
        (0.5, "0.5"),
        (1 / 3, "0.3333"),
        (-0.123456, "-0.1235"),
        (1234.5, "1234"),
        (123456.0, "1.235e5"),
        (1.5e6, "1.5e6"),
        (2.5e-7, "2.5e-7"),
        (0.00012, "0.00012"),
        (0.0, "0"),
        (-0.0, "0"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        (float("nan"), "nan"),
    ],
)
def test_numbers_are_compact(value: float, text: str) -> None:
    assert _format_number(value) == text


# -- the DOT source --------------------------------------------------------------


def tooltip_of(node: mg.Node, name: str = "") -> str:
    title = name or node.label
    return f"{title + ': ' if title else ''}data={node.data!r}, grad={float(node.grad)!r}"


def test_every_node_is_drawn_with_its_data_and_grad() -> None:
    _, _, z = seed_formula()
    source = draw_graph(z).source
    values = value_lines(source)
    nodes = mg.topological_order(z)
    assert len(values) == len(nodes) == 7  # x, y, 2, x**2, 2*y, x**2-2*y, relu
    drawn = Counter(re.search(r'tooltip="([^"]*)"', line).group(1) for line in values.values())
    assert drawn == Counter(tooltip_of(node) for node in nodes)
    for node in nodes:
        for line in values.values():
            if f'tooltip="{tooltip_of(node)}"' in line:
                title = f"{node.label} " if node.label else ""
                grad = (
                    ""  # a constant has no gradient to show
                    if isinstance(node, mg.Constant)
                    else f" grad {_format_number(float(node.grad))}"
                )
                assert cell_text(line) == f"{title}data {_format_number(node.data)}{grad}"
    texts = Counter(cell_text(line) for line in values.values())
    assert texts == Counter(
        {
            "x data 3 grad 6": 1,
            "y data 2 grad -2": 1,
            "data 2": 1,  # the constant 2: no gradient, none drawn
            "data 9 grad 1": 1,
            "data 4 grad -1": 1,
            "data 5 grad 1": 2,  # x**2 - 2*y and relu(...)
        }
    )


def test_ops_are_small_nodes_with_symbols_and_edges_follow_the_data() -> None:
    x, y, z = seed_formula()
    source = draw_graph(z).source
    ops = {cell_text(line) for line in op_lines(source).values()}
    assert ops == {"*", "**2", "-", "relu"}
    values = value_lines(source)
    ids = {
        node: next(name for name, line in values.items() if f'tooltip="{node.label}:' in line)
        for node in (x, y)
    }
    ids[z] = next(name for name, line in values.items() if "#d9f5df" in line)  # the root
    graph_edges = edges(source)
    # 4 ops: one edge into each result, one per input (relu 1, ** 1, * 2, - 2).
    assert len(graph_edges) == 4 + 6
    # The root is made by relu, from the difference.
    op_of_z = ids[z].replace("v", "o")
    assert (op_of_z, ids[z]) in graph_edges
    assert "relu" in op_lines(source)[op_of_z]
    # x feeds **2, y feeds *: data-flow direction, value -> op.
    assert any(a == ids[x] and "**2" in op_lines(source)[b] for a, b in graph_edges)
    assert any(a == ids[y] and "label=<*>" in op_lines(source)[b] for a, b in graph_edges)


def test_arguments_of_non_symmetric_ops_are_numbered() -> None:
    _, _, z = seed_formula()
    source = draw_graph(z).source
    numbered = re.findall(r"-> (o\d+) \[headlabel=(\d)", source)
    sub_op = next(name for name, line in op_lines(source).items() if "label=<->" in line)
    assert sorted(n for name, n in numbered if name == sub_op) == ["1", "2"]
    mul_op = next(name for name, line in op_lines(source).items() if "label=<*>" in line)
    assert all(name != mul_op for name, _ in numbered)  # x * y == y * x: no numbers


def test_colours_tell_inputs_parameters_constants_values_and_the_root_apart() -> None:
    w = nn.Parameter(2.0, label="w")  # a parameter, even without model=
    x = mg.Node(3.0, label="x")
    out = mg.tanh(w * x + 1)
    out.backward()
    source = draw_graph(out).source
    fills = {
        cell_text(line): re.search(r'BGCOLOR="([^"]+)"', line).group(1)
        for line in value_lines(source).values()
    }
    slope = 1 - out.data**2
    assert fills[f"w data 2 grad {_format_number(3 * slope)}"] == "#fde9b6"  # amber
    assert fills[f"x data 3 grad {_format_number(2 * slope)}"] == "#dbeafe"  # blue
    assert fills["data 1"] == "#eef0f3"  # grey: the constant 1, drawn without a grad
    assert fills[f"data 6 grad {_format_number(slope)}"] == "#ffffff"  # white: w * x
    assert fills[f"data {_format_number(out.data)} grad 1"] == "#d9f5df"  # green: the root
    ops = op_lines(source).values()
    assert all('fillcolor="#ece8fb"' in line for line in ops) and len(ops) == 3


def test_user_ops_keep_their_own_names() -> None:
    @mg.op(name="add")
    def my_add(a: float, b: float) -> float:
        return a + b + 1

    @mg.op
    def blend(a: float, b: float) -> float:
        return 0.25 * a + 0.75 * b

    out = blend(my_add(mg.Node(1.0), 2.0), 3.0)
    out.backward()
    ops = sorted(cell_text(line) for line in op_lines(draw_graph(out).source).values())
    assert ops == ["add", "blend"]  # a user's "add" is not the built-in "+"


def test_gradients_made_with_create_graph_show_their_value() -> None:
    x = mg.Node(3.0, label="x")
    y = x**3
    y.backward(create_graph=True)
    assert isinstance(x.grad, mg.Node)
    line = find_node_by_tooltip(draw_graph(y).source, "x: data=3.0, grad=27.0")
    assert cell_text(line) == "x data 3 grad 27"


def test_data_and_grad_can_be_hidden() -> None:
    _, _, z = seed_formula()
    no_grad = draw_graph(z, show_grad=False).source
    assert "grad " not in " ".join(cell_text(v) for v in value_lines(no_grad).values())
    assert "x data 3" in {cell_text(v) for v in value_lines(no_grad).values()}
    bare = draw_graph(z, show_data=False, show_grad=False).source
    texts = [cell_text(v) for v in value_lines(bare).values()]
    assert sorted(t for t in texts if t) == ["x", "y"]


def test_labels_are_escaped() -> None:
    a = mg.Node(1.0, label='<b> & "c"')
    out = a * 2
    out.backward()
    source = draw_graph(out).source
    assert "&lt;b&gt; &amp;" in source


def test_rankdir_and_arguments_are_checked() -> None:
    _, _, z = seed_formula()
    assert "rankdir=TB" in draw_graph(z, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir must be one of LR, RL, TB, BT"):
        draw_graph(z, rankdir="sideways")
    with pytest.raises(TypeError, match="expected a Node, got float"):
        draw_graph(3.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        draw_graph(z, max_nodes=0)


def chain(length: int) -> mg.Node:
    node = mg.Node(1.0, label="start")
    for _ in range(length):
        node = node + 1.0
    return node


def test_too_many_nodes_is_a_clear_error_with_the_count_and_the_fix() -> None:
    root = chain(300)  # 1 + 300 constants + 300 sums
    with pytest.raises(ValueError) as caught:
        draw_graph(root)
    message = str(caught.value)
    assert "601 value nodes" in message
    assert f"max_nodes={DEFAULT_MAX_NODES}" in message
    assert "draw_graph(root, max_nodes=601)" in message
    graph = draw_graph(root, max_nodes=601)
    assert len(value_lines(graph.source)) == 601


def test_a_huge_graph_is_refused_before_any_drawing() -> None:
    # Counted, then refused: no Graphviz source is built for 400,001 nodes.
    root = chain(200_000)
    with pytest.raises(ValueError, match="400001 value nodes"):
        draw_graph(root)


# -- models ----------------------------------------------------------------------


def clusters_of(source: str) -> dict[str, list[str]]:
    """cluster name -> the value nodes declared directly inside it ("" for none)."""
    found: dict[str, list[str]] = {"": []}
    stack = [""]
    for line in source.splitlines():
        opened = re.match(r"\s*subgraph (cluster_\w+) \{", line)
        if opened:
            stack.append(opened.group(1))
            found.setdefault(opened.group(1), [])
        elif line.strip() == "}":
            stack.pop()
        else:
            node = re.match(r"\s*(v\d+) \[", line)
            if node:
                found[stack[-1]].append(node.group(1))
    return found


def cluster_parents(source: str) -> dict[str, str]:
    parents: dict[str, str] = {}
    stack = [""]
    for line in source.splitlines():
        opened = re.match(r"\s*subgraph (cluster_\w+) \{", line)
        if opened:
            parents[opened.group(1)] = stack[-1]
            stack.append(opened.group(1))
        elif line.strip() == "}":
            stack.pop()
    return parents


def mlp_loss() -> tuple[nn.MLP, mg.Node, mg.Node]:
    model = nn.MLP(2, [2, 1], seed=0)
    x1 = mg.Node(1.0, label="x1")
    out = model([x1, -2.0])[0]
    loss = nn.mse_loss(out, 1.0)
    loss.backward()
    return model, x1, loss


def test_parameters_are_named_after_the_model() -> None:
    model, _, loss = mlp_loss()
    source = draw_graph(loss, model=model).source
    for name, parameter in model.named_parameters():
        line = find_node_by_tooltip(
            source, f"{name}: data={parameter.data!r}, grad={parameter.grad!r}"
        )
        short = name.split(".", 4)[-1]  # "w.0" inside cluster "layers.0.neurons.1"
        assert cell_text(line).startswith(f"{short} data {_format_number(parameter.data)}")
        assert "#fde9b6" in line  # the parameter colour


def test_a_parameter_keeps_its_own_label() -> None:
    net = TwoLayerNet()
    loss = net.loss(net(0.5, 0.5), 0.5)
    loss.backward()
    texts = {cell_text(v) for v in value_lines(draw_graph(loss, model=net).source).values()}
    w1 = net.tutorial_parameters()["w1"]
    assert f"w1 data 1 grad {_format_number(w1.grad)}" in texts  # label "w1", not "f.w1"


def test_each_module_is_a_labelled_cluster_nested_like_the_model() -> None:
    model, x1, loss = mlp_loss()
    source = draw_graph(loss, model=model).source
    members = clusters_of(source)
    parents = cluster_parents(source)
    names = {c: re.search(rf"subgraph {c} \{{\s*[^\n]*label=\"([^\"]*)\"", source) for c in parents}
    labels = {c: m.group(1) for c, m in names.items() if m}
    assert sorted(labels.values()) == [
        "layers.0 · Layer",
        "layers.0.neurons.0 · Neuron",
        "layers.0.neurons.1 · Neuron",
        "layers.1 · Layer",
        "layers.1.neurons.0 · Neuron",
    ]
    by_label = {label: c for c, label in labels.items()}
    assert parents[by_label["layers.0.neurons.1 · Neuron"]] == by_label["layers.0 · Layer"]
    assert parents[by_label["layers.1 · Layer"]] == ""  # the model itself is no cluster
    assert members[by_label["layers.0 · Layer"]] == []  # a layer's nodes are in its neurons

    # Every parameter is in its neuron's cluster.
    lines = value_lines(source)
    for name, _ in model.named_parameters():
        neuron = name.split(".w.")[0].removesuffix(".b")
        vid = next(v for v, line in lines.items() if f'tooltip="{name}:' in line)
        assert vid in members[by_label[f"{neuron} · Neuron"]], name

    # A neuron's sums and activation are inside it; input, target and loss are not.
    hidden_neuron = members[by_label["layers.0.neurons.0 · Neuron"]]
    assert len(hidden_neuron) == 3 + 2 + 2 + 1  # b, w.0, w.1; 2 products; 2 sums; relu
    output_neuron = members[by_label["layers.1.neurons.0 · Neuron"]]
    assert len(output_neuron) == 3 + 2 + 2  # b, w.0, w.1; 2 products; 2 sums (a linear neuron)
    outside = {cell_text(lines[v]) for v in members[""]}
    assert f"x1 data 1 grad {_format_number(float(x1.grad))}" in outside
    assert f"data {_format_number(loss.data)} grad 1" in outside  # the loss, the root
    assert "data 1 grad" in " ".join(outside)  # the target 1.0, a constant


def test_ops_joining_two_modules_go_to_their_common_parent() -> None:
    class Branch(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.left = nn.WeightSum(1.0, 2.0, 3.0)
            self.right = nn.WeightSum(4.0, 5.0, 6.0)

        def forward(self, a: mg.Node, b: mg.Node) -> mg.Node:
            return self.left(a, b) + self.right(a, b)

    class Outer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.branch = Branch()

        def forward(self, a: mg.Node, b: mg.Node) -> mg.Node:
            return self.branch(a, b)

    model = Outer()
    out = model(mg.Node(1.0, label="a"), mg.Node(1.0, label="b"))
    out.backward()
    source = draw_graph(out, model=model).source
    members = clusters_of(source)
    parents = cluster_parents(source)
    branch = next(c for c in parents if c.endswith("_branch"))
    left = next(c for c in parents if c.endswith("_branch_left"))
    assert parents[left] == branch
    # The sum of the two halves (the root, 6 + 15 = 21) is in the branch, not in a half.
    root_id = next(v for v, line in value_lines(source).items() if "data=21.0" in line)
    assert root_id in members[branch]


def test_any_object_with_named_parameters_will_do() -> None:
    w = mg.Node(0.5)
    b = mg.Node(0.25)

    class Params:
        def named_parameters(self):  # type: ignore[no-untyped-def]
            yield "weight", w
            yield "bias", b

    x = mg.Node(2.0, label="x")
    out = w * x + b
    out.backward()
    source = draw_graph(out, model=Params()).source
    texts = {cell_text(v) for v in value_lines(source).values()}
    assert "weight data 0.5 grad 2" in texts
    assert "bias data 0.25 grad 1" in texts
    assert "subgraph" not in source  # no modules, no clusters

    class WithModules(Params):
        def named_modules(self):  # type: ignore[no-untyped-def]
            yield "", self
            yield "inner", object()

        def named_parameters(self):  # type: ignore[no-untyped-def]
            yield "inner.weight", w
            yield "bias", b

    source = draw_graph(out, model=WithModules()).source
    members = clusters_of(source)
    assert list(members) == ["", "cluster_0_inner"]
    assert 'label="inner · object"' in source
    assert len(members["cluster_0_inner"]) == 2  # the weight and w * x


# -- rendering -----------------------------------------------------------------


def test_png_is_a_real_picture(dot: None, tmp_path: Path) -> None:
    _, _, z = seed_formula()
    target = tmp_path / "nested" / "dir" / "graph.png"
    written = render_graph(z, target)
    assert written == target
    width, height = png_size(target.read_bytes())
    assert 300 < width < 3000
    assert 60 < height < 1000
    assert width > height  # left to right
    tall = render_graph(z, tmp_path / "tall.PNG", rankdir="TB")
    width, height = png_size(tall.read_bytes())
    assert height > width


def test_svg_is_xml_with_every_label(dot: None, tmp_path: Path) -> None:
    _, _, z = seed_formula()
    path = render_graph(z, str(tmp_path / "graph.svg"))
    texts = svg_texts(path)
    for expected in ("x", "y", "relu", "**2", "-", "*", "9", "6", "-2", "5"):
        assert expected in texts, expected
    assert texts.count("grad") == 6  # every value but the constant 2
    assert texts.count("data") == 7


def test_model_svg_shows_parameter_names_and_clusters(dot: None, tmp_path: Path) -> None:
    net = TwoLayerNet()
    x1, x2, y = (mg.Node(0.5, label=name) for name in ("x1", "x2", "y"))
    loss = net.loss(net(x1, x2), y)
    loss.backward()
    texts = svg_texts(render_graph(loss, tmp_path / "net.svg", model=net))
    for name in ("w1", "w8", "b1", "b4", "x1", "x2", "y", "f", "g", "h", "i", "j"):
        assert name in texts, name
    for cluster in ("f · WeightSum", "i · WeightSum"):
        assert cluster in texts
    assert _format_number(net.tutorial_parameters()["w1"].grad) in texts


def test_pdf(dot: None, tmp_path: Path) -> None:
    _, _, z = seed_formula()
    data = render_graph(z, tmp_path / "graph.pdf").read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 1000


def test_unknown_suffix_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    _, _, z = seed_formula()
    for name in ("graph.jpg", "graph"):
        with pytest.raises(ValueError, match=r"must end in one of \.png, \.svg, \.pdf"):
            render_graph(z, tmp_path / "sub" / name)
    assert not (tmp_path / "sub").exists()


def test_missing_dot_is_one_clear_error(no_dot: None, tmp_path: Path) -> None:
    _, _, z = seed_formula()
    with pytest.raises(GraphvizNotFoundError) as caught:
        render_graph(z, tmp_path / "graph.png")
    message = str(caught.value)
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert isinstance(caught.value, RuntimeError)
    assert not (tmp_path / "graph.png").exists()
    # Drawing needs no dot: the source is still there.
    assert "relu" in draw_graph(z).source


def test_missing_dot_when_it_cannot_be_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same error when `dot` is on PATH but vanishes before it starts."""

    def not_found(*args: object, **kwargs: object) -> bytes:
        raise FileNotFoundError(2, "No such file or directory", "dot")

    monkeypatch.setattr(subprocess, "Popen", not_found)
    _, _, z = seed_formula()
    with pytest.raises(GraphvizNotFoundError, match="brew install graphviz"):
        render_graph(z, tmp_path / "graph.svg")


# -- notebooks -------------------------------------------------------------------


def test_notebook_bundle_is_the_svg_picture_and_the_repr(dot: None) -> None:
    _, _, z = seed_formula()
    bundle = repr_mimebundle(z)
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert bundle["text/plain"] == repr(z)
    root = ET.fromstring(bundle["image/svg+xml"])
    texts = [(t.text or "").strip() for t in root.iter(f"{SVG_NS}text")]
    assert "relu" in texts and "x" in texts
    assert set(repr_mimebundle(z, include=["text/plain"])) == {"text/plain"}
    assert set(repr_mimebundle(z, exclude=["image/svg+xml"])) == {"text/plain"}
    assert repr_mimebundle(z, include=["image/png"]) == {}


def test_notebook_falls_back_to_text_without_dot(no_dot: None) -> None:
    _, _, z = seed_formula()
    with pytest.warns(UserWarning, match="apt-get install graphviz"):
        bundle = repr_mimebundle(z)
    assert bundle == {"text/plain": repr(z)}


def test_notebook_falls_back_to_text_for_huge_graphs() -> None:
    root = chain(DEFAULT_MAX_NODES)
    with pytest.warns(UserWarning, match="max_nodes"):
        bundle = repr_mimebundle(root)
    assert bundle == {"text/plain": repr(root)}


def test_nodes_use_the_bundle_in_notebooks(dot: None) -> None:
    _, _, z = seed_formula()
    assert set(z._repr_mimebundle_()) == {"image/svg+xml", "text/plain"}


# -- the example -------------------------------------------------------------------


def test_the_example_writes_only_into_its_out_folder(dot: None, tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "draw_graph.py"
    out = tmp_path / "pictures"
    result = subprocess.run(
        [sys.executable, str(example), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "derivative.png",
        "formula.png",
        "formula.svg",
        "mlp.png",
        "network.png",
        "network.svg",
    ]
    for name in written:
        assert f"wrote {out / name}" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pictures"]
    assert png_size((out / "network.png").read_bytes())[0] > 1000
    assert "w1" in svg_texts(out / "network.svg")
    assert "z" in svg_texts(out / "formula.svg")
    assert "max_nodes=2001" in result.stdout  # the big graph, refused with the fix
