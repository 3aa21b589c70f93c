"""The engine's per-thread state: grad mode, the tracer, the nesting of transforms.

Every switch that a call changes for its own duration lives here, each in a
`contextvars.ContextVar`, so that one thread's ``no_grad()`` or trace never
changes what another thread records: a new thread starts from the defaults
(recording on, no tracer, no transform running), whatever other threads are
doing. (An asyncio task gets a copy of its creator's switches, as it does of
every context variable.)

Context variables rather than a `threading.local` because the hot path reads
grad mode once per op: ``ContextVar.get`` costs about what a plain attribute
does, a `threading.local` attribute about four times as much (about a tenth
of a whole `x * 1.0001 + 0.0001`).

It is the bottom layer of the package: it imports nothing from micrograd.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_GRAD_ENABLED: ContextVar[bool] = ContextVar("micrograd_grad_enabled", default=True)
_TRACER: ContextVar[Any] = ContextVar("micrograd_tracer", default=None)
_TRANSFORM_DEPTH: ContextVar[int] = ContextVar("micrograd_transform_depth", default=0)

#: Whether ops record their inputs in this thread (False inside `no_grad()`); the hot path's read.
grad_enabled = _GRAD_ENABLED.get
#: The tracer of this thread's running trace (see `micrograd.node.Tracer`), or None.
current_tracer = _TRACER.get


class EngineState:
    """This thread's switches as attributes, for the code that changes them.

    Reading or setting an attribute reads or sets the current thread's
    context variable; the hot path reads the variables directly
    (`grad_enabled`, `current_tracer`).
    """

    @property
    def grad_enabled(self) -> bool:
        """Whether ops record their inputs (False inside `no_grad()`)."""
        return _GRAD_ENABLED.get()

    @grad_enabled.setter
    def grad_enabled(self, value: bool) -> None:
        _GRAD_ENABLED.set(value)

    @property
    def tracer(self) -> Any:
        """Told about value-dependent decisions while a function is traced, else None."""
        return _TRACER.get()

    @tracer.setter
    def tracer(self, value: Any) -> None:
        _TRACER.set(value)

    @property
    def transform_depth(self) -> int:
        """How many function transforms (`grad`, `value_and_grad`) are running their function."""
        return _TRANSFORM_DEPTH.get()

    @transform_depth.setter
    def transform_depth(self, value: int) -> None:
        _TRANSFORM_DEPTH.set(value)


#: The engine's switches for the current thread; use `no_grad()` and friends rather than this.
config = EngineState()
