"""The package's layout: packages of small modules, each with its docstring examples run."""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import micrograd

PACKAGE_DIR = Path(micrograd.__file__).resolve().parent
MAX_LINES = 600


def submodules(package: str) -> list[ModuleType]:
    """Every module inside `package`, imported."""
    parent = importlib.import_module(package)
    return [
        importlib.import_module(f"{package}.{info.name}")
        for info in pkgutil.iter_modules(parent.__path__)
    ]


@pytest.mark.parametrize(
    "package", ["micrograd.compile", "micrograd.nn", "micrograd.optim", "micrograd.viz"]
)
def test_every_module_of_a_package_runs_its_docstring_examples(package: str) -> None:
    # The package's own doctest run sees only what __init__ defines; the
    # classes and functions live in its modules.
    attempted = 0
    for module in submodules(package):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted > 0


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("compile_function", "micrograd.compile.functions"),
        ("CompiledFunction", "micrograd.compile.functions"),
        ("compile_loss", "micrograd.compile.losses"),
        ("CompiledLoss", "micrograd.compile.losses"),
        ("register_emitter", "micrograd.compile.emitters"),
        ("CompileError", "micrograd.compile.errors"),
        ("CompileStats", "micrograd.compile.writer"),
    ],
)
def test_compile_names_live_in_their_modules(name: str, home: str) -> None:
    package = importlib.import_module("micrograd.compile")  # mg.compile is the function
    assert getattr(package, name) is getattr(importlib.import_module(home), name)
    assert getattr(package, name).__module__ == home


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("Module", "micrograd.nn.module"),
        ("Parameter", "micrograd.nn.module"),
        ("manual_seed", "micrograd.nn.init"),
        ("Linear", "micrograd.nn.layers"),
        ("MLP", "micrograd.nn.layers"),
        ("ReLU", "micrograd.nn.activations"),
        ("mse_loss", "micrograd.nn.losses"),
        ("cross_entropy", "micrograd.nn.losses"),
    ],
)
def test_nn_names_live_in_their_modules(name: str, home: str) -> None:
    assert getattr(micrograd.nn, name).__module__ == home


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("Optimizer", "micrograd.optim.optimizer"),
        ("SGD", "micrograd.optim.algorithms"),
        ("Adam", "micrograd.optim.algorithms"),
        ("clip_grad_norm", "micrograd.optim.clipping"),
        ("StepLR", "micrograd.optim.schedulers"),
    ],
)
def test_optim_names_live_in_their_modules(name: str, home: str) -> None:
    assert getattr(micrograd.optim, name).__module__ == home


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("draw_graph", "micrograd.viz.drawing"),
        ("render_graph", "micrograd.viz.render"),
        ("repr_mimebundle", "micrograd.viz.notebook"),
        ("GraphvizNotFoundError", "micrograd.viz.dot"),
        ("HasNamedParameters", "micrograd.viz.clusters"),
    ],
)
def test_viz_names_live_in_their_modules(name: str, home: str) -> None:
    assert getattr(micrograd.viz, name).__module__ == home


def test_packages_export_only_public_names() -> None:
    packages = (
        importlib.import_module("micrograd.compile"),
        micrograd.nn,
        micrograd.optim,
        micrograd.viz,
    )
    for package in packages:
        exported = package.__all__
        assert exported, package.__name__
        assert all(not name.startswith("_") for name in exported)
        for name in exported:
            assert hasattr(package, name), (package.__name__, name)



def test_every_file_is_small_and_says_what_it_is_for_and_imports() -> None:
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        name = path.relative_to(PACKAGE_DIR).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        assert lines <= MAX_LINES, f"{name} has {lines} lines"
        docstring = ast.get_docstring(ast.parse(text))
        assert docstring, f"{name} has no docstring"
        assert "imports" in docstring.lower(), f"{name}'s docstring does not say what it imports"


# ---------------------------------------------------------------------------
# The architecture page and the import contract agree

ROOT = PACKAGE_DIR.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def contract_layers() -> list[set[str]]:
    """The top-level layers of pyproject.toml's import-linter contract, top first."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (stack,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers"]
    return [
        {name.strip().removeprefix("micrograd.") for name in layer.split("|")}
        for layer in stack["layers"]
    ]


def page_table(heading: str) -> list[list[str]]:
    """The rows of the first table after `heading` on the architecture page, as cell texts."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    rows: list[str] = []
    for line in text[text.index(heading) :].splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def test_the_architecture_page_lists_the_contract_layers_in_order() -> None:
    rows = page_table("## The layers")
    page = [{name.strip(" `") for name in modules.split(",")} for _, modules in rows]
    assert page == contract_layers()


def test_every_module_is_in_a_layer_and_on_the_page() -> None:
    layered = set().union(*contract_layers())
    held = {row[0].strip("`") for row in page_table("## What each file holds")}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR)
        if relative.name in ("__init__.py", "__main__.py"):
            continue
        assert relative.parts[0].removesuffix(".py") in layered, relative
        assert relative.as_posix() in held, f"{relative} is not on docs/architecture.md"
    assert (ROOT / "docs" / "images" / "architecture.svg").is_file()
