"""The engine's per-thread state: grad mode, the tracer, the nesting of transforms.

Every switch that a call changes for its own duration lives here, in one
`threading.local` object, so that one thread's ``no_grad()`` or trace never
changes what another thread records. It is the bottom layer of the package:
it imports nothing from micrograd.
"""

from __future__ import annotations

import threading
from typing import Any


class EngineState(threading.local):
    """Per-thread switches read on the hot path.

    Each thread sees its own attributes, set by ``__init__`` the first time
    the thread touches the object: a new thread starts with recording on,
    no tracer and no transform running, whatever other threads are doing.
    """

    #: Whether ops record their inputs (False inside `no_grad()`).
    grad_enabled: bool
    #: Told about value-dependent decisions while a function is traced, else None.
    tracer: Any
    #: How many function transforms (`grad`, `value_and_grad`) are running their function.
    transform_depth: int

    def __init__(self) -> None:
        self.grad_enabled = True
        self.tracer = None
        self.transform_depth = 0


#: The engine's switches for the current thread; use `no_grad()` and friends rather than this.
config = EngineState()
