"""Graphviz: its Python package imported when needed, its `dot` program run with a time limit.

And the errors when Graphviz is missing, fails or runs out of time.

Imports: `micrograd.checks`; `style` of this package.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from micrograd import checks
from micrograd.viz.style import _printable

if TYPE_CHECKING:
    import graphviz

#: How to install Graphviz, as error messages say it.
INSTALL_HINT = (
    "Install Graphviz: `apt-get install graphviz` (Debian, Ubuntu), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, "
    "or see https://graphviz.org/download/"
)


def _graphviz() -> ModuleType:
    """The `graphviz` package, imported when first needed: `import micrograd` stays light."""
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "pictures of graphs need the graphviz Python package: pip install graphviz"
        ) from None
    module: ModuleType = graphviz
    return module


class GraphvizError(RuntimeError):
    """Graphviz's `dot` failed, crashed or ran out of time while rendering a picture."""


class GraphvizNotFoundError(GraphvizError):
    """Graphviz's `dot` program, needed to render a picture, is not installed.

    `draw_graph` works without it (the DOT source is plain text); rendering to
    PNG, SVG or PDF does not.
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Graphviz's `dot` program was not found on PATH; it is needed to render "
            f"pictures of graphs. {INSTALL_HINT}."
        )


# -- rendering ---------------------------------------------------------------


#: How long `dot` may take to render one picture, in seconds, unless a call says otherwise.
DOT_TIMEOUT = 60.0


def _pipe(graph: graphviz.Digraph, fmt: str, timeout: float | None = None) -> bytes:
    """Run `dot` on the graph; one clear error when it is missing, fails or hangs.

    `dot` runs as a child process with a time limit (`DOT_TIMEOUT` by
    default): past it, the process is killed and `GraphvizError` says so. On
    Linux the child is also killed if this process dies first.
    """
    limit = (
        DOT_TIMEOUT
        if timeout is None
        else checks.setting(timeout, "render_graph", "timeout", above=0.0)
    )
    executable = shutil.which(graph.engine)
    if executable is None:
        raise GraphvizNotFoundError() from None
    try:
        finished = _run_dot([executable, f"-T{fmt}"], graph.source.encode("utf-8"), limit)
    except subprocess.TimeoutExpired:
        raise GraphvizError(
            f"Graphviz's `dot` did not finish {fmt.upper()} within {limit:g} s and was stopped;"
            " allow more time with timeout=SECONDS (micrograd graph --dot-timeout SECONDS)"
        ) from None
    except FileNotFoundError:  # gone between the lookup and the start
        raise GraphvizNotFoundError() from None
    except OSError as error:
        raise GraphvizError(f"Graphviz's `dot` could not be run: {error}") from None
    if finished.returncode != 0:
        detail = _printable(finished.stderr.decode("utf-8", errors="replace").strip())
        status = (
            f"killed by signal {-finished.returncode}"
            if finished.returncode < 0
            else f"exit status {finished.returncode}"
        )
        raise GraphvizError(
            f"Graphviz's `dot` failed to make {fmt.upper()} ({status})"
            + (f": {' '.join(detail.split())[:300]}" if detail else "")
        )
    picture: bytes = finished.stdout
    return picture


def _run_dot(command: list[str], source: bytes, limit: float) -> subprocess.CompletedProcess[bytes]:
    """Run `command` on `source`; on a timeout or any exception here, kill it and its children.

    The process gets a session of its own, so that killing it reaches every
    process it started, and nothing is left running behind an interrupted call.
    """
    posix = os.name == "posix"
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=posix,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    ) as process:
        try:
            out, err = process.communicate(source, timeout=limit)
        except BaseException:
            _kill(process, posix)
            raise
        return subprocess.CompletedProcess(command, process.returncode, out, err)


def _kill(process: subprocess.Popen[bytes], group: bool) -> None:
    try:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    # prctl(PR_SET_PDEATHSIG, SIGKILL): the kernel kills dot when its parent dies.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
