"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from graphviz_check import require_dot
from hypothesis import settings

# Property tests are the same examples on every run of `make test` (and in CI),
# so a pass or a failure can be reproduced; MICROGRAD_HUNT=... (see
# tests/hostile/conftest.py) searches afresh with random examples.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("hunt", derandomize=False)
settings.load_profile("hunt" if os.environ.get("MICROGRAD_HUNT") else "repeatable")


@pytest.fixture
def dot() -> None:
    """Tests taking this fixture run Graphviz's `dot` (skip locally, fail in CI)."""
    require_dot()


@pytest.fixture
def no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `dot` impossible to find, as on a machine without Graphviz."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
