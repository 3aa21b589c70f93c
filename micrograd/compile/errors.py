"""The errors of compiled mode, and the default limit on a traced graph's size.

Imports nothing from micrograd.
"""

from __future__ import annotations

#: Graphs larger than this are refused unless ``max_nodes`` says otherwise:
#: Python's own compiler needs roughly 10 microseconds per generated statement.
DEFAULT_MAX_NODES = 500_000

# ---------------------------------------------------------------------------
# Errors


class CompileError(Exception):
    """Base class of the errors of compiled mode."""


class BranchError(CompileError):
    """Python control flow on a traced value now takes another branch than when traced."""


class VerificationError(CompileError, AssertionError):
    """The compiled function and the eager function disagree."""


class GraphTooLargeError(CompileError):
    """The traced graph is larger than the ``max_nodes`` allowed for generated code."""


class _BranchChanged(BranchError):
    """Raised by generated code when guard number `args[0]` comes out differently.

    The compiled object catches it and traces again (or raises a `BranchError`
    that names the comparison); it reaches the caller only through
    `.function`, which has no such handling.
    """

    def __str__(self) -> str:
        return (
            f"guard {self.args[0]} of the generated code (a comparison made while tracing)"
            " came out differently; call the compiled object rather than .function to"
            " trace the new branch"
        )
