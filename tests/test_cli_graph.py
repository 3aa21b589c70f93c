"""`micrograd graph` and the demo's network.png: real pictures, clear failures, exit codes."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from graphviz_check import PNG_SIGNATURE, SVG_NS

from micrograd import cli
from micrograd.models import TwoLayerNet


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [(t.text or "").strip() for t in root.iter(f"{SVG_NS}text")]


# -- formulas --------------------------------------------------------------------


def test_formula_png(dot: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "g.png"
    status, out, err = run(["graph", "relu(x**2 - 2*y)", "x=3", "y=2", "-o", str(target)], capsys)
    assert (status, err) == (0, "")
    assert "relu(x**2 - 2*y) = 5 at x=3, y=2; d/dx = 6, d/dy = -2" in out
    assert f"wrote {target}" in out
    width, height = png_size(target)
    assert 300 < width < 3000 and 60 < height < 1000


def test_formula_svg_names_the_variables(
    dot: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "sub" / "g.svg"
    status, _, _ = run(
        ["graph", "sigmoid(w*x + b)", "w=2", "x=0.5", "b=-1", "-o", str(target)], capsys
    )
    assert status == 0
    texts = svg_texts(target)
    for label in ("w", "x", "b", "sigmoid", "sigmoid(w*x + b)", "0.5", "0.25"):
        assert label in texts, label  # sigmoid(0) = 0.5, its slope 0.25


def test_top_to_bottom(dot: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "tall.png"
    status, _, _ = run(
        ["graph", "exp(sin(x))", "x=1", "--rankdir", "TB", "-o", str(target)], capsys
    )
    assert status == 0
    width, height = png_size(target)
    assert height > width


@pytest.mark.parametrize(
    ("formula", "found"),
    [
        ("x.__class__", "attribute access is not allowed (found `x.__class__`)"),
        ("__import__('os')", "calling __import__() is not allowed"),
        ("open('f')", "calling open() is not allowed"),
        ("x[0]", "subscript is not allowed"),
        ("(lambda: x)()", "only functions called by name are allowed"),
        ("lambda: x", "lambda is not allowed"),
        ("'x'", "a string is not allowed"),
        ("x +", "not a valid formula"),
    ],
)
def test_refused_formulas_exit_2_with_one_clear_line(
    formula: str, found: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "g.png"
    status, out, err = run(["graph", formula, "x=1", "-o", str(target)], capsys)
    assert status == 2
    assert err.startswith("micrograd graph: error: ")
    assert found in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert out == ""
    assert not target.exists()


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["x*y", "x=1", "y=abc"], "'abc' is not a number"),
        (["x*y", "x=1", "y"], "expected name=value"),
        (["x*y", "x=1"], "no value given for y"),
        (["x*y", "x=1", "y=2", "z=3"], "z: not in the formula"),
        (["log(x)", "x=0"], "cannot evaluate 'log(x)': log(0.0)"),
        (["1/x", "x=0"], "cannot evaluate '1/x'"),
        ([], "give a formula"),
        (["x", "x=1", "-o", "g.jpg"], "must end in .png, .svg, .pdf"),
        (["--model", "two-layer", "z=1"], "takes x1, x2 and y, got 'z'"),
        (["--model", "two-layer", "x1=big"], "'big' is not a number"),
    ],
)
def test_bad_input_exits_2(
    argv: list[str], found: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if "-o" not in argv:
        argv = [*argv, "-o", str(tmp_path / "g.png")]
    status, _, err = run(["graph", *argv], capsys)
    assert status == 2
    assert found in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_too_many_nodes_says_how_to_raise_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(
        ["graph", "x*x*x*x", "x=2", "--max-nodes", "3", "-o", str(tmp_path / "g.png")], capsys
    )
    assert status == 1
    assert "the graph has 4 values, more than --max-nodes 3; pass --max-nodes 4" in err


def test_missing_dot_is_one_clear_message(
    no_dot: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["graph", "x*2", "x=1", "-o", str(tmp_path / "g.png")], capsys)
    assert status == 1
    assert err.startswith("micrograd graph: error: Graphviz's `dot` program was not found")
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


# -- the tutorial's network ------------------------------------------------------------


def test_model_png_and_svg(dot: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    net = TwoLayerNet()
    expected = net.loss(net(0.5, 0.5), 0.5).data  # (531.5 - 0.5)**2
    assert expected == 281961.0

    status, out, _ = run(["graph", "--model", "two-layer", "-o", str(tmp_path / "n.png")], capsys)
    assert status == 0
    assert "loss (j - y)**2 = 281961 at x1=0.5, x2=0.5, y=0.5" in out
    width, height = png_size(tmp_path / "n.png")
    assert width > 1000 and height > 300

    status, _, _ = run(["graph", "--model", "two-layer", "-o", str(tmp_path / "n.svg")], capsys)
    assert status == 0
    texts = svg_texts(tmp_path / "n.svg")
    for name in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2", "b3", "b4"):
        assert name in texts, name
    for name in ("x1", "x2", "y", "j", "loss", "f · WeightSum", "i · WeightSum", "2.82e5"):
        assert name in texts, name


def test_model_at_another_sample(
    dot: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        ["graph", "--model", "two-layer", "x1=1", "y=0", "-o", str(tmp_path / "n.svg")], capsys
    )
    assert status == 0
    net = TwoLayerNet()
    assert f"= {net.loss(net(1.0, 0.5), 0.0).data:.6g} at x1=1, x2=0.5, y=0" in out


def test_demo_writes_network_png_beside_loss_png(
    dot: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["demo", "--epochs", "1", "--out", str(tmp_path)], capsys)
    assert status == 0
    assert f"wrote {tmp_path / 'network.png'}" in out
    width, height = png_size(tmp_path / "network.png")
    assert width > 1000 and height > 300
    assert (tmp_path / "loss.png").exists()


def test_demo_without_dot_still_trains_and_says_why(
    no_dot: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(["demo", "--epochs", "1", "--out", str(tmp_path)], capsys)
    assert status == 0
    assert "network.png was not written" in err
    assert "apt-get install graphviz" in err
    assert not (tmp_path / "network.png").exists()


def test_the_installed_command(dot: None, tmp_path: Path) -> None:
    target = tmp_path / "g.svg"
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "micrograd",
            "graph",
            "relu(x**2 - 2*y)",
            "x=3",
            "y=2",
            "-o",
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "x" in svg_texts(target)
    refused = subprocess.run(
        [sys.executable, "-m", "micrograd", "graph", "__import__('os').system('echo hacked')"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert refused.returncode == 2
    assert "hacked" not in refused.stdout
    assert "is not allowed" in refused.stderr
    assert "Traceback" not in refused.stderr
