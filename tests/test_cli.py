"""The `micrograd` command line: help, `demo`, and its failure paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from micrograd import cli
from micrograd.models import REFERENCE

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: micrograd" in out
    assert "demo" in out


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run([], capsys)
    assert status == 2
    assert "demo" in err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["no-such-command"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--epochs", "0"],
        ["demo", "--epochs", "ten"],
        ["demo", "--lr", "-1"],
        ["demo", "--lr", "nan"],
        ["demo", "--seed", "x"],
    ],
)
def test_demo_rejects_bad_options(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert "error: argument" in capsys.readouterr().err


def test_demo_reproduces_the_reference_and_writes_the_loss_curve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["demo", "--out", str(tmp_path / "pictures")], capsys)
    assert status == 0
    exact = REFERENCE["exact"]
    # The demo prints repr() of each number; these are bit-for-bit the
    # reference values (same operations in the same order as the reference).
    for key in ("first_loss", "last_loss", "prediction"):
        assert out.count(repr(exact[key])) == 2, key
    assert "note:" not in out  # default settings: the reference applies
    assert "training" in err and "100/100" in err  # the progress bar, on stderr
    picture = tmp_path / "pictures" / "loss.png"
    assert picture.read_bytes()[:8] == PNG_SIGNATURE
    assert f"wrote {picture}" in out


def test_demo_short_run_notes_that_the_reference_does_not_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["demo", "--epochs", "2", "--out", str(tmp_path)], capsys)
    assert status == 0
    assert repr(REFERENCE["exact"]["first_loss"]) in out
    assert "note: the reference is for 100 epochs" in out
    assert (tmp_path / "loss.png").read_bytes()[:8] == PNG_SIGNATURE


def test_demo_numeric_compares_with_the_numeric_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["demo", "--numeric", "--epochs", "1", "--out", str(tmp_path)], capsys)
    assert status == 0
    assert "reference (numeric)" in out
    assert repr(REFERENCE["numeric"]["prediction"]) in out


def test_demo_seed_starts_from_random_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run(["demo", "--seed", "3", "--epochs", "1", "--out", str(tmp_path)], capsys)[1]
    again = run(["demo", "--seed", "3", "--epochs", "1", "--out", str(tmp_path)], capsys)[1]
    assert first == again  # same seed, same run
    row = next(line for line in first.splitlines() if line.startswith("first epoch mean loss"))
    ours, reference = row.split()[4:6]
    assert reference == repr(REFERENCE["exact"]["first_loss"])
    assert float(ours) < 10.0  # small random weights: nowhere near the tutorial's 3173


def test_demo_divergence_stops_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["demo", "--lr", "10", "--out", str(tmp_path)], capsys)
    assert status == 1
    assert "micrograd demo: error: the loss became nan in epoch 1" in err
    assert "--lr" in err
    assert "Traceback" not in err + out
    assert not (tmp_path / "loss.png").exists()


def test_demo_without_matplotlib_still_trains_and_says_why_there_is_no_picture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules makes `import matplotlib...` raise ImportError.
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    status, out, err = run(["demo", "--epochs", "1", "--out", str(tmp_path)], capsys)
    assert status == 0
    assert "matplotlib is not installed" in err
    assert "pip install 'micrograd-plus[plot]'" in err
    assert not (tmp_path / "loss.png").exists()
    assert "loss.png" not in out


def test_demo_output_folder_that_is_a_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    status, _, err = run(["demo", "--epochs", "1", "--out", str(blocker / "out")], capsys)
    assert status == 1
    assert "micrograd demo: error: cannot use" in err
    assert "Traceback" not in err


def test_demo_writes_registered_extra_pictures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def extra(net: object, out: Path) -> Path:
        calls.append(net)
        path = out / "extra.txt"
        path.write_text("drawn")
        return path

    monkeypatch.setattr(cli, "DEMO_PICTURES", [extra])
    status, out, _ = run(["demo", "--epochs", "1", "--out", str(tmp_path)], capsys)
    assert status == 0
    assert len(calls) == 1
    assert f"wrote {tmp_path / 'extra.txt'}" in out


def test_python_dash_m_and_the_console_script(tmp_path: Path) -> None:
    module = subprocess.run(
        [sys.executable, "-m", "micrograd", "--help"], capture_output=True, text=True, check=False
    )
    assert module.returncode == 0
    assert "demo" in module.stdout
    script = Path(sys.executable).parent / "micrograd"
    if not script.exists():
        pytest.skip("the micrograd console script is not installed next to this Python")
    diverged = subprocess.run(
        [str(script), "demo", "--lr", "10", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert diverged.returncode == 1
    assert "training diverged" in diverged.stderr
    assert "Traceback" not in diverged.stderr
