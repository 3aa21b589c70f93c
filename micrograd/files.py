"""Writing files atomically: a file the project writes is either the old one or the new one.

Every file a user may care about (a checkpoint, an optimizer's state, a
picture, a page) is written to a temporary file in the same folder, flushed
and synced to disk, and then moved over the target with `os.replace`, which
is atomic on POSIX and Windows. If anything fails on the way (a full disk, a
permission, a kill), the previous file is untouched and the temporary file is
removed. This module imports nothing from micrograd.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import IO, Any

PathLike = str | os.PathLike[str]


def _sync_folder(folder: str) -> None:
    # Make the rename itself durable; not every platform can open a folder.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def atomic_text(path: PathLike) -> Iterator[IO[str]]:
    """A text file (UTF-8) that replaces `path` only if the ``with`` block succeeds.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_text(os.path.join(folder, "a.txt")) as f:
    ...     _ = f.write("hello")
    >>> open(os.path.join(folder, "a.txt")).read()
    'hello'

    Raises:
        OSError: from the file system; the target is then unchanged.
    """
    with _replacing(os.fspath(path)) as (descriptor, _), _opened(descriptor, "w") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_binary(path: PathLike) -> Iterator[IO[bytes]]:
    """A binary file that replaces `path` only if the ``with`` block succeeds."""
    with _replacing(os.fspath(path)) as (descriptor, _), _opened(descriptor, "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_path(path: PathLike) -> Iterator[str]:
    """A temporary path to write (by any means) that replaces `path` on success.

    For writers that want a file name rather than a file object (a program
    such as Graphviz's ``dot -o``). The temporary file exists and is empty
    when the block starts; it is synced and moved over `path` when the
    block ends without an exception, and removed otherwise.
    """
    with _replacing(os.fspath(path)) as (descriptor, temporary):
        os.close(descriptor)
        yield temporary
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _opened(descriptor: int, mode: str) -> IO[Any]:
    # The file object owns the descriptor from here on (and closes it).
    if mode == "w":
        return os.fdopen(descriptor, "w", encoding="utf-8", newline="")
    return os.fdopen(descriptor, "wb")


@contextlib.contextmanager
def _replacing(target: str) -> Iterator[tuple[int, str]]:
    folder = os.path.dirname(os.path.abspath(target))
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder
    )
    try:
        yield descriptor, temporary
        _keep_mode(target, temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def _keep_mode(target: str, temporary: str) -> None:
    # mkstemp makes the file readable by its owner only; give the new file the
    # old one's permissions, or the usual ones for a new file.
    try:
        mode = os.stat(target).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(temporary, mode)


def write_text(path: PathLike, text: str) -> None:
    """Replace `path` with `text` (UTF-8) atomically."""
    with atomic_text(path) as handle:
        handle.write(text)


def write_bytes(path: PathLike, data: bytes) -> None:
    """Replace `path` with `data` atomically."""
    with atomic_binary(path) as handle:
        handle.write(data)
