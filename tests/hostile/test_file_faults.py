"""Every file the project writes, under faults: a full disk, a kill, a permission, a folder.

Checkpoints (`Module.save`), pictures (`render_graph`), pages (`explain(...).save`)
and the demo's plot are written to a temporary file in the same folder and
moved over the target, so a failure leaves the previous file whole. `load`
turns every bad file into one ValueError naming it (OSError for the file
system) and leaves the module as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import micrograd as mg
from micrograd import files, nn


def model(seed: int = 0) -> nn.MLP:
    return nn.MLP(2, [3, 1], seed=seed)


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# -- a full disk ---------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs: a real file system that fills up (needs root and mount)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tiny tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def fill(folder: Path) -> None:
    """Fill the file system of `folder` until a write fails."""
    with open(folder / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
        except OSError:
            pass


def big_model() -> nn.MLP:
    return nn.MLP(8, [64, 64, 1], seed=1)  # a checkpoint of about 130 KB


def test_a_full_disk_keeps_the_previous_checkpoint(tiny_disk: Path) -> None:
    path = tiny_disk / "model.json"
    small = model()
    small.save(path)
    before = path.read_bytes()
    fill(tiny_disk)
    with pytest.raises(OSError):
        big_model().save(path)
    assert path.read_bytes() == before
    assert leftovers(tiny_disk, {"model.json", "filler"}) == []
    restored = model(seed=5)
    restored.load(path)
    assert restored.state_dict() == small.state_dict()


def test_a_full_disk_keeps_the_previous_picture(tiny_disk: Path) -> None:
    from graphviz_check import require_dot

    require_dot()
    path = tiny_disk / "graph.svg"
    path.write_text("the previous picture")
    fill(tiny_disk)
    x = mg.Node(2.0, label="x")
    y = mg.tanh(x * x)
    for _ in range(6):
        y = y * x + mg.exp(y)
    y.backward()
    with pytest.raises(OSError):
        mg.render_graph(y, path)
    assert path.read_text() == "the previous picture"
    assert leftovers(tiny_disk, {"graph.svg", "filler"}) == []


# -- a kill in the middle ------------------------------------------------------


KILLED_SAVE = textwrap.dedent(
    """
    import os, sys
    from micrograd import nn
    # Kill the process at the moment the new file's bytes are being made durable:
    # the temporary file is half done, the target not yet replaced.
    os.fsync = lambda fd: os._exit(9)
    nn.MLP(8, [64, 64, 1], seed=1).save(sys.argv[1])
    """
)


def test_a_process_killed_mid_save_keeps_the_previous_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    small = model()
    small.save(path)
    before = path.read_bytes()
    result = subprocess.run(
        [sys.executable, "-c", KILLED_SAVE, str(path)], capture_output=True, check=False
    )
    assert result.returncode == 9
    assert path.read_bytes() == before
    restored = model(seed=5)
    restored.load(path)
    assert restored.state_dict() == small.state_dict()


def test_a_process_killed_by_a_signal_mid_save(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("SIGKILL is POSIX")
    script = textwrap.dedent(
        """
        import os, signal, sys
        from micrograd import files
        real_write = os.write
        with files.atomic_text(sys.argv[1]) as handle:
            handle.write("{" + '"w": 1.0, ' * 50_000)
            handle.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    path = tmp_path / "model.json"
    path.write_text('{"w": 0.5}\n')
    result = subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert result.returncode == -9
    assert path.read_text() == '{"w": 0.5}\n'


# -- injected failures at every step of a write ---------------------------------


WRITERS: dict[str, Callable[[Path], Any]] = {
    "Module.save": lambda path: model().save(path),
    "files.write_text": lambda path: files.write_text(path, "new"),
    "files.write_bytes": lambda path: files.write_bytes(path, b"new"),
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize("step", ["fsync", "replace", "write"])
def test_a_failure_at_any_step_leaves_the_old_file(
    writer: str, step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "target.json"
    path.write_text("old")

    def fail(*args: object, **kwargs: object) -> Any:
        raise OSError(28, "No space left on device")

    if step == "fsync":
        monkeypatch.setattr(os, "fsync", fail)
    elif step == "replace":
        monkeypatch.setattr(os, "replace", fail)
    else:
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, handle: Any) -> None:
                self.handle = handle

            def __getattr__(self, name: str) -> Any:
                return getattr(self.handle, name)

            def __enter__(self) -> Failing:
                return self

            def __exit__(self, *exc: object) -> None:
                self.handle.close()

            def write(self, data: Any) -> int:
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fdopen", lambda *a, **k: Failing(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space left"):
        WRITERS[writer](path)
    assert path.read_text() == "old"
    assert leftovers(tmp_path, {"target.json"}) == []


def test_a_folder_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "model.json").mkdir()
    with pytest.raises(OSError):
        model().save(tmp_path / "model.json")
    assert (tmp_path / "model.json").is_dir()
    assert leftovers(tmp_path, {"model.json"}) == []


PERMISSION_DENIED = textwrap.dedent(
    """
    import json, os, sys, tempfile
    from micrograd import nn
    if os.geteuid() == 0:  # root writes anywhere: go on as the unprivileged 'nobody'
        os.setgid(65534)
        os.setuid(65534)
    try:
        nn.MLP(2, [3, 1], seed=3).save(sys.argv[1])
    except PermissionError as error:
        print("PermissionError", error)
    """
)


def test_a_folder_without_write_permission(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    tmp_path.chmod(0o755)  # another user may enter, but not write in `locked`
    folder = tmp_path / "locked"
    folder.mkdir()
    model().save(folder / "model.json")
    before = (folder / "model.json").read_bytes()
    folder.chmod(0o555)
    (folder / "model.json").chmod(0o666)  # the file itself is writable, the folder is not
    for parent in tmp_path.parents:
        if parent.stat().st_mode & 0o001 == 0:
            parent.chmod(parent.stat().st_mode | 0o001)  # pytest's own folders: enterable
    try:
        result = subprocess.run(
            [sys.executable, "-c", PERMISSION_DENIED, str(folder / "model.json")],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(Path(mg.__file__).parents[1])},
        )
        assert result.stdout.startswith("PermissionError"), result.stderr
        assert (folder / "model.json").read_bytes() == before
        assert leftovers(folder, {"model.json"}) == []
    finally:
        folder.chmod(0o755)


def test_a_saved_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    model().save(path)
    path.chmod(0o640)
    model(seed=3).save(path)
    assert path.stat().st_mode & 0o777 == 0o640


# -- loading bad files -----------------------------------------------------------------


BAD_FILES: dict[str, bytes] = {
    "binary": bytes(range(256)),
    "utf-16": json.dumps({"layers.0.neurons.0.w.0": 1.0}).encode("utf-16"),
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "a 5000-digit number": b'{"layers.0.neurons.0.w.0": ' + b"9" * 5000 + b"}",
    "a key twice": b'{"a": 1.0, "a": 2.0}',
    "not an object": b"[1, 2, 3]",
    "empty": b"",
    "NaN": b'{"layers.0.neurons.0.w.0": NaN}',
    "truncated": b'{"layers.0.neurons.0.w.0": 1.0, "lay',
    "a string value": b'{"layers.0.neurons.0.w.0": "1.0"}',
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_every_bad_file_is_one_error_naming_it(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"{kind}.json"
    path.write_bytes(BAD_FILES[kind])
    target = model()
    before = target.state_dict()
    with pytest.raises((ValueError, TypeError)) as caught:
        target.load(path)
    assert str(path) in str(caught.value)
    assert target.state_dict() == before


def test_a_missing_file_is_an_os_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.json"):
        model().load(tmp_path / "nowhere.json")


# -- parameter names that would collide ----------------------------------------------


class Collides(nn.Module):
    def __init__(self, table: dict[Any, Any]) -> None:
        super().__init__()
        self.d = table


@pytest.mark.parametrize(
    ("table", "error", "message"),
    [
        ({"a.b": nn.Parameter(1.0), "a": {"b": nn.Parameter(2.0)}}, ValueError, "contain no '.'"),
        ({"": nn.Parameter(1.0)}, ValueError, "non-empty"),
        ({1: nn.Parameter(1.0), "1": nn.Parameter(2.0)}, TypeError, "must be a str, got int 1"),
        ({"x": [nn.Parameter(1.0), {"y.z": nn.Parameter(2.0)}]}, ValueError, "'y.z'"),
    ],
)
def test_colliding_names_are_refused_when_set(
    table: dict[Any, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        Collides(table)


def test_a_dotted_attribute_name_is_refused() -> None:
    module = nn.Module()
    with pytest.raises(ValueError, match=r"Module\.a\.b"):
        setattr(module, "a.b", nn.Parameter(1.0))


def test_a_collision_made_after_assignment_is_caught_when_listed() -> None:
    module = Collides({"a": {"b": nn.Parameter(2.0)}})
    module.d["a.b"] = nn.Parameter(1.0)  # mutated in place: not seen by __setattr__
    with pytest.raises(ValueError, match=r"d\['a\.b'\]: .* contain no '\.'"):
        module.state_dict()
    with pytest.raises(ValueError, match=r"contain no '\.'"):
        module.parameters()


def test_dotted_keys_without_parameters_are_fine() -> None:
    module = Collides({"config.x": 1.0, "p": nn.Parameter(1.0)})
    assert module.state_dict() == {"d.p": 1.0}
