"""The command line and `render_graph` against a misbehaving `dot` and hostile arguments.

A fake `dot` (a shell script put first on PATH) crashes, fails with garbage
on stderr, hangs, or is missing. Whatever happens, the command prints one
clear line and no traceback, exits non-zero, leaves no `dot` running and no
half-written picture behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import micrograd as mg
from micrograd.viz import GraphvizError, GraphvizNotFoundError, render_graph

FAKE_DOTS = {
    "crashing": "kill -SEGV $$\n",
    "failing": "printf 'Error: <syntax>\\001 bad\\nline two\\n' >&2\nexit 3\n",
    "silent": "exit 1\n",
}

posix_only = pytest.mark.skipif(os.name != "posix", reason="fake dot programs are shell scripts")


def fake_dot(folder: Path, body: str) -> dict[str, str]:
    """An environment whose PATH finds a `dot` running `body` (a shell script) first."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "dot"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}


def cli(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "micrograd", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("micrograd graph: error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@posix_only
@pytest.mark.parametrize("kind", sorted(FAKE_DOTS))
def test_a_failing_dot_is_one_line(kind: str, tmp_path: Path) -> None:
    env = fake_dot(tmp_path / "bin", FAKE_DOTS[kind])
    target = tmp_path / "g.png"
    target.write_bytes(b"the previous picture")
    result = cli(["graph", "x*y", "x=1", "y=2", "-o", str(target)], env, tmp_path)
    expected = {
        "crashing": "killed by signal 11",
        "failing": "exit status 3",
        "silent": "exit status 1",
    }
    assert_one_clear_line(result, "Graphviz's `dot` failed to make PNG", expected[kind])
    assert target.read_bytes() == b"the previous picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "g.png"]  # no temporary left


@posix_only
def test_a_missing_dot_is_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path / "empty")}
    result = cli(["graph", "x*y", "x=1", "y=2", "-o", "g.svg"], env, tmp_path)
    assert_one_clear_line(result, "`dot` program was not found", "apt-get install graphviz")


@posix_only
def test_a_hanging_dot_is_stopped_after_the_timeout(tmp_path: Path) -> None:
    pid_file = tmp_path / "dot.pid"
    env = fake_dot(tmp_path / "bin", f"echo $$ > {pid_file}\nexec sleep 600\n")
    started = time.monotonic()
    result = cli(["graph", "x", "x=1", "--dot-timeout", "1", "-o", "g.png"], env, tmp_path)
    assert time.monotonic() - started < 30  # far below the fake dot's 600 s
    assert_one_clear_line(result, "did not finish PNG within 1 s", "--dot-timeout")
    assert not alive(int(pid_file.read_text()))


@posix_only
def test_render_graph_times_out_and_kills_what_dot_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fake dot starts a grandchild: the whole group is stopped, not only dot.
    pid_file = tmp_path / "child.pid"
    env = fake_dot(tmp_path / "bin", f"sleep 600 &\necho $! > {pid_file}\nwait\n")
    monkeypatch.setenv("PATH", env["PATH"])
    with pytest.raises(GraphvizError, match=r"within 0\.5 s and was stopped"):
        render_graph(mg.Node(1.0) * 2, tmp_path / "g.svg", timeout=0.5)
    assert wait_until(lambda: pid_file.exists() and not alive(int(pid_file.read_text())))
    assert not (tmp_path / "g.svg").exists()


@posix_only
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_killing_the_command_leaves_no_dot_running(sig: signal.Signals, tmp_path: Path) -> None:
    if sig == signal.SIGKILL and not sys.platform.startswith("linux"):
        pytest.skip("a child outliving a SIGKILLed parent is stopped only on Linux (prctl)")
    pid_file = tmp_path / "dot.pid"
    env = fake_dot(tmp_path / "bin", f"echo $$ > {pid_file}\nexec sleep 600\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "micrograd", "graph", "x", "x=1", "-o", "g.png"],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_until(pid_file.exists)
        time.sleep(0.2)  # the pid is written before exec: let exec happen
        process.send_signal(sig)
        process.wait(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert wait_until(lambda: not alive(int(pid_file.read_text())))
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    assert not (tmp_path / "g.png").exists()


def test_render_graph_refuses_a_bad_timeout() -> None:
    with pytest.raises(ValueError, match="render_graph: timeout must be a finite number > 0"):
        render_graph(mg.Node(1.0), "never.png", timeout=0)


@posix_only
def test_missing_dot_from_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GraphvizNotFoundError):
        render_graph(mg.Node(1.0), tmp_path / "g.png")
    assert list(tmp_path.iterdir()) == []


HOSTILE_LABELS = [
    "\x01\x02 control",
    "tab\tand\nnewline",
    "<script>alert(1)</script>",
    '"quoted" & <b>bold</b>',
    "\ud800 lone surrogate",
    "\ufffe\uffff non-characters",
    "back\\slash \\N{x}",
    "]] > <!-- -->",
]


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_any_label_renders(label: str, tmp_path: Path, dot_available: None) -> None:
    x = mg.Node(2.0, label=label)
    y = mg.exp(x * 3)
    y.label = label
    y.backward()
    svg = render_graph(y, tmp_path / "g.svg").read_text(encoding="utf-8")
    assert "<script>" not in svg and "<b>" not in svg


@pytest.mark.parametrize(
    "formula",
    ["x*1 #\x01", "x\x7f", "x + \u202e1", "x" + " " * 5000, "x**10**400", "(" * 300 + "x"],
)
def test_hostile_formulas_never_show_a_traceback(
    formula: str, tmp_path: Path, dot_available: None
) -> None:
    result = cli(["graph", formula, "x=1", "-o", "g.png"], dict(os.environ), tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1, 2)
    if result.returncode:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["graph", "x", "x=1e999"],
        ["graph", "x", "x=nan"],
        ["graph", "x", "x=", "-o", "g.png"],
        ["graph", "x", "=1"],
        ["graph", "x", "x=1", "-o", "/dev/null/g.png"],
        ["graph", "x", "x=1", "-o", "g.gif"],
        ["graph", "x", "x=1", "--max-nodes", "-5"],
        ["graph", "x", "x=1", "--dot-timeout", "inf"],
        ["graph", "--model", "two-layer", "q=1"],
        ["demo", "--epochs", "0"],
        ["demo", "--out", "/dev/null/folder", "--epochs", "1"],
    ],
)
def test_hostile_arguments_never_show_a_traceback(
    args: list[str], tmp_path: Path, dot_available: None
) -> None:
    result = cli(args, dict(os.environ), tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode in (1, 2), result.stderr
    assert result.stderr.strip(), "a failure says why"


def alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state != "Z"


def wait_until(condition: object, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def dot_available() -> Iterator[None]:
    from graphviz_check import require_dot

    require_dot()
    yield
