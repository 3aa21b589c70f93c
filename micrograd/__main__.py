"""``python -m micrograd``: the same as the `micrograd` command."""

from micrograd.cli import main

raise SystemExit(main())
