"""Write docs/api/functions.md, the table of built-in functions, from the ops themselves.

Run it after adding or changing a built-in function; a test fails while the
committed page differs from what this writes.
"""

from __future__ import annotations

from pathlib import Path

from micrograd.files import write_text
from micrograd.ops.catalog import functions_page

PAGE = Path(__file__).resolve().parent.parent / "docs" / "api" / "functions.md"

if __name__ == "__main__":
    write_text(PAGE, functions_page())
    print(f"wrote {PAGE}")
