"""``python -m micrograd``: the same as the `micrograd` command.

Imports: `micrograd.cli`.
"""

from micrograd.cli import main

raise SystemExit(main())
