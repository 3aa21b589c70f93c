"""Tests that render pictures need Graphviz's `dot`.

Locally they are skipped when it is missing; in CI (the CI variable set) they
fail instead, so that a missing install can never pass as green.
"""

from __future__ import annotations

import os
import shutil

import pytest


def require_dot() -> None:
    """Skip the calling test when `dot` is missing, or fail it when CI is set."""
    if shutil.which("dot") is not None:
        return
    message = "Graphviz's `dot` program is not installed (apt-get install graphviz)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; these tests must run in CI")
    pytest.skip(message)


#: The first bytes of every PNG file.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The XML namespace of SVG elements, as ElementTree spells it.
SVG_NS = "{http://www.w3.org/2000/svg}"
