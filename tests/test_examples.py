"""Every example runs and prints what it promises, so the examples cannot rot.

Each script runs in a fresh interpreter, from a temporary working directory,
with small sizes where it takes them; pictures go to a temporary folder through
its ``--out`` argument, never into the source tree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from graphviz_check import require_dot

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run_example(name: str, *args: str, cwd: Path | None = None, status: int = 0) -> str:
    """Run examples/<name> and return what it printed; check its exit status."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
        env=env,
    )
    assert result.returncode == status, result.stdout + result.stderr
    return result.stdout


def test_every_example_has_a_test() -> None:
    tested = set(re.findall(r'run_example\(\s*"([a-z_]+\.py)"', Path(__file__).read_text()))
    scripts = {path.name for path in EXAMPLES.glob("*.py")}
    assert scripts <= tested, f"examples without a test: {sorted(scripts - tested)}"


def test_numerical_diff(tmp_path: Path) -> None:
    out = run_example("numerical_diff.py", cwd=tmp_path)
    assert "f_tutorial    4.000000330961484" in out
    assert "slope at +1: 2.000000165480742" in out
    assert "f_exact       4.0 " in out
    assert "z = 10.0, dz/dx = 12.0, dz/dy = -4.0" in out


def test_custom_op(tmp_path: Path) -> None:
    out = run_example("custom_op.py", cwd=tmp_path)
    assert "gradcheck(gelu) passed at 5 points" in out
    assert "gradcheck(huber) passed at 4 points" in out
    assert "gradcheck failed for sin_times_x" in out
    assert "backward gives 0.4348293053720083" in out


def test_train_seed_network_reproduces_the_reference(tmp_path: Path) -> None:
    out = run_example("train_seed_network.py", "--out", str(tmp_path / "pictures"), cwd=tmp_path)
    assert re.search(r"first epoch loss\s+3173\.084014657384\s", out), out
    assert re.search(r"prediction at 1000\s+999\.9871750014445\s", out), out
    assert (tmp_path / "pictures" / "loss.png").stat().st_size > 0
    assert f"wrote {tmp_path / 'pictures' / 'loss.png'}" in out


def test_train_seed_network_numeric_layers(tmp_path: Path) -> None:
    out = run_example(
        "train_seed_network.py", "--numeric", "--epochs", "1", "--out", str(tmp_path), cwd=tmp_path
    )
    # One epoch with the tutorial's forward differences: the same first loss
    # as a full run, near (not equal to) the exact 3173.084014657384.
    assert re.search(r"first epoch loss\s+3169\.032988439793\s", out), out
    assert (tmp_path / "loss.png").exists()


def test_moons(tmp_path: Path) -> None:
    out = run_example("moons.py", "--steps", "2", "--out", str(tmp_path / "pictures"), cwd=tmp_path)
    assert "step   0  loss 0.9129  accuracy 50%" in out
    assert "training accuracy after 2 steps: 85%" in out
    assert (tmp_path / "pictures" / "moons.png").stat().st_size > 0


def test_draw_graph(tmp_path: Path) -> None:
    require_dot()
    out = run_example("draw_graph.py", "--out", str(tmp_path / "pictures"), cwd=tmp_path)
    for name in ("formula.svg", "derivative.png", "mlp.png", "network.png", "network.svg"):
        path = tmp_path / "pictures" / name
        assert f"wrote {path}" in out
        assert path.stat().st_size > 0
    assert "more than max_nodes=500" in out


def test_newton(tmp_path: Path) -> None:
    out = run_example("newton.py", cwd=tmp_path)
    assert "   1  0.0                      1.0                      3.0" in out
    assert (
        "converged: x = -0.35173371124919584, f(x) = 0.8271840261275243, a minimum"
        " (f2 = 2.7034674224983917)"
    ) in out
    polynomial = run_example("newton.py", "--formula", "x**4 - 3*x**3 + 2", "--x0", "3")
    assert "converged: x = 2.25, f(x) = -6.54296875, a minimum (f2 = 20.25)" in polynomial
    maximum = run_example("newton.py", "--formula", "cos(x)", "--x0", "0.5")
    assert "converged: x = 0.0, f(x) = 1.0, a maximum" in maximum


def test_newton_stops_after_steps(tmp_path: Path) -> None:
    out = run_example("newton.py", "--steps", "2", cwd=tmp_path, status=1)
    assert "no convergence within 2 steps; last x = -0.3333333333333333" in out


def test_examples_write_nothing_into_the_source_tree() -> None:
    # The tests above run every example from a temporary folder with --out set;
    # their default output folders are temporary folders too.
    for path in EXAMPLES.glob("*.py"):
        text = path.read_text()
        assert "Path(__file__).parent" not in text, f"{path.name} writes next to itself"


def test_compiled_training(tmp_path: Path) -> None:
    out = run_example(
        "compiled_training.py", "--steps", "3", "--out", str(tmp_path / "sources"), cwd=tmp_path
    )
    assert "prediction at x1 = x2 = 1000: 999.9871750014445 " in out
    for name in ("compiled per sample", "compiled epochs (sgd_epoch)"):
        assert f"{name}: same parameters and losses as eager training: True;" in out
    assert "loss and gradients equal eager mode's (verified)" in out
    assert re.search(r"after 3 steps \([0-9.]+ s\): loss 0\.3984, accuracy 83%", out), out
    for name in ("seed_network.py", "moons_mlp.py"):
        path = tmp_path / "sources" / name
        assert f"wrote {path} (" in out
        compile(path.read_text(), str(path), "exec")  # the generated source is valid Python
