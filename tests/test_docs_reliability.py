"""docs/reliability.md: its table of test counts matches the suites it names."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "reliability.md"


def collected(paths: list[str]) -> dict[str, int]:
    """How many tests pytest collects from each of `paths` (one collection for all)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    ids = [line.split("::", 1)[0] for line in result.stdout.splitlines() if "::" in line]
    return {path: ids.count(path) for path in paths}


def test_the_counts_on_the_page_are_the_suites_counts() -> None:
    rows = re.findall(r"^\| `(tests/[^`]+\.py)` \| (\d+) \|$", PAGE.read_text(), re.MULTILINE)
    assert len(rows) >= 6
    counts = collected([path for path, _ in rows])
    for path, count in rows:
        assert counts[path] == int(count), (
            f"{path}: the page says {count}, pytest finds {counts[path]}"
        )


def test_every_suite_the_page_names_exists() -> None:
    for path in set(re.findall(r"`(tests/[\w/]+\.py)`", PAGE.read_text())):
        assert (ROOT / path).is_file(), path
