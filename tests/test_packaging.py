"""The package as a user gets it: built, installed (not editable) into a new venv, and run.

The sources are copied to a temporary folder and built there (an sdist, and a
wheel from that sdist, as `python -m build` does), so the repository is left
untouched. The wheel goes into a new virtual environment with ``--no-deps``;
its runtime dependencies (tqdm, graphviz) are made visible from this test's
own environment by a path entry, so nothing is downloaded. The installed
package must then run the README's first example, ``micrograd demo``,
``micrograd graph`` and ``python -m micrograd --version`` from a folder away
from the sources.

The build uses this environment's setuptools (``--no-isolation``) when it is
recent enough (the dev extra installs it); otherwise `build` fetches it, and
without a network the tests are skipped with that reason. Deselect them all
with ``-m "not install"``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from graphviz_check import PNG_SIGNATURE, require_dot

import micrograd

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "micrograd-plus"
# What a build needs from the repository (the rest of it is never packaged).
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "micrograd"]
# What a failed download looks like in pip's output, when `build` fetches setuptools.
OFFLINE = re.compile(
    r"No matching distribution|Could not find a version|Failed to establish|"
    r"Network is unreachable|Temporary failure in name resolution|ConnectionError",
)


@dataclass
class Build:
    """The built distributions and what the build printed."""

    sdist: Path
    wheel: Path
    output: str


@dataclass
class Installed:
    """A venv holding the installed wheel, and a folder to run it from."""

    python: Path
    script: Path
    workdir: Path

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """Run a command of the venv in `workdir`; it must succeed."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["MPLBACKEND"] = "Agg"
        result = subprocess.run(
            [str(a) for a in args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
        return result


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


def _setuptools_is_recent() -> bool:
    try:
        return _version_tuple(importlib.metadata.version("setuptools")) >= (77,)
    except importlib.metadata.PackageNotFoundError:
        return False


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """An sdist and a wheel built from a copy of the sources."""
    if importlib.util.find_spec("build") is None:
        pytest.skip("needs the `build` package (the dev extra installs it)")
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--outdir", str(dist)]
    if _setuptools_is_recent():
        command.append("--no-isolation")
    result = subprocess.run(
        [*command, str(source)], capture_output=True, text=True, timeout=300, check=False
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 and "--no-isolation" not in command and OFFLINE.search(output):
        pytest.skip("offline: `build` could not download setuptools for an isolated build")
    assert result.returncode == 0, output
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    return Build(sdist, wheel, output)


@pytest.fixture(scope="module")
def installed(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A new venv with the wheel installed in it, not in editable mode."""
    import graphviz
    import tqdm

    venv = tmp_path_factory.mktemp("venv")
    python = venv / "bin" / "python"
    # This environment's pip installs into the new venv (pip >= 22.3 has
    # --python): much faster than bootstrapping a pip inside it.
    if _version_tuple(importlib.metadata.version("pip")) >= (22, 3):
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
        pip = [sys.executable, "-m", "pip", "--python", str(python)]
    else:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
        pip = [str(python), "-m", "pip"]
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--no-index", build.wheel],
        check=True,
        timeout=120,
    )
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Plain path lines: the .pth files of those folders (this environment's
    # editable install of micrograd among them) are not processed.
    folders = {str(Path(m.__file__).resolve().parent.parent) for m in (tqdm, graphviz)}
    Path(purelib, "runtime_dependencies.pth").write_text("\n".join(sorted(folders)) + "\n")
    workdir = tmp_path_factory.mktemp("work")
    return Installed(python, venv / "bin" / "micrograd", workdir)


def test_wheel_and_sdist_names_and_license(build: Build) -> None:
    version = micrograd.__version__
    assert build.wheel.name == f"micrograd_plus-{version}-py3-none-any.whl"
    assert build.sdist.name == f"micrograd_plus-{version}.tar.gz"
    with zipfile.ZipFile(build.wheel) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(f"micrograd_plus-{version}.dist-info/METADATA").decode()
    assert f"micrograd_plus-{version}.dist-info/licenses/LICENSE" in names
    assert "micrograd/engine.py" in names and "micrograd/py.typed" in names
    assert f"Name: {DISTRIBUTION}" in metadata.splitlines()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "Classifier: Programming Language :: Python :: 3.10" in metadata.splitlines()
    with tarfile.open(build.sdist) as sdist:
        members = sdist.getnames()
    top = f"micrograd_plus-{version}"
    assert f"{top}/LICENSE" in members
    # The test suite needs the whole repository, so the sdist ships none of it.
    assert not [m for m in members if m.startswith(f"{top}/tests")]


def test_build_prints_no_deprecation_warning(build: Build) -> None:
    assert not re.search(r"deprecat", build.output, re.IGNORECASE), build.output


def test_installed_package_is_the_wheel(installed: Installed) -> None:
    where = installed.run(
        installed.python,
        "-c",
        "import importlib.metadata as m, micrograd; "
        f"print(micrograd.__file__); print(m.version({DISTRIBUTION!r}))",
    ).stdout.splitlines()
    assert Path(where[0]).is_relative_to(installed.python.parent.parent)
    assert where[1] == micrograd.__version__


def test_version(installed: Installed) -> None:
    result = installed.run(installed.python, "-m", "micrograd", "--version")
    assert result.stdout.strip() == f"micrograd {micrograd.__version__}"


def test_readme_first_example(installed: Installed) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert first is not None
    lines = installed.run(installed.python, "-c", first.group(1)).stdout.splitlines()
    assert lines[0] == "10.0 12.0 -4.0"
    assert float(lines[1]) == pytest.approx(12.0, abs=1e-9)
    assert lines[2] == "44.0"


def test_karpathy_engine_import(installed: Installed) -> None:
    code = (
        "from micrograd.engine import Value\n"
        "x = Value(3.0)\n"
        "y = (2 * x + 2 + x).relu() * x\n"
        "y.backward()\n"
        "print(y.data, x.grad, y._op)\n"
    )
    # y = 3x^2 + 2x for x > -2/3: 33 at 3, and dy/dx = 6x + 2 = 20.
    assert installed.run(installed.python, "-c", code).stdout.split() == ["33.0", "20.0", "*"]


def test_demo(installed: Installed) -> None:
    require_dot()
    out = installed.workdir / "demo"
    result = installed.run(installed.script, "demo", "--epochs", "3", "--out", out)
    assert "last epoch mean loss" in result.stdout
    assert (out / "network.png").read_bytes()[:8] == PNG_SIGNATURE
    if importlib.util.find_spec("matplotlib") is not None:
        assert (out / "loss.png").read_bytes()[:8] == PNG_SIGNATURE
    else:
        assert "pip install 'micrograd-plus[plot]'" in result.stderr


def test_graph(installed: Installed) -> None:
    require_dot()
    picture = installed.workdir / "g.svg"
    installed.run(installed.script, "graph", "relu(x**2 - 2*y)", "x=3", "y=2", "-o", picture)
    assert picture.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
