"""Fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphviz_check import require_dot


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
