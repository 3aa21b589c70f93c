"""Compiled mode: trace a function once, then run it as generated straight-line Python.

`micrograd.compile(fn)` calls `fn` once with fresh leaf Nodes, takes the graph
it builds and writes the Python a person would write by hand for it: each op's
value as a float expression, then the chain rule unrolled in reverse
topological order, one adjoint (``g_<name>``, the derivative of the output with
respect to ``<name>``) per node. The source is compiled with Python's
`compile()` once per argument structure and called with plain floats after
that::

    >>> import micrograd as mg
    >>> step = mg.compile(lambda w, x: mg.tanh(w * x))
    >>> value, (dw, dx) = step(0.5, 2.0)
    >>> round(value, 6), round(dw, 6), round(dx, 6)
    (0.761594, 0.839949, 0.209987)

`compile_loss` does the same for a model's loss, with the model's parameters as
inputs: it reads ``p.data`` and adds into ``p.grad``, so optimizers work
unchanged. A loss compiled per sample (``batched=True``) can also run a whole
epoch of per-sample SGD as one generated loop (`CompiledLoss.sgd_epoch`).

What the graph's shape fixes, and how this module deals with it:

* Python control flow on a traced value (``if x > 0:`` outside an op) runs once,
  at trace time. Comparisons and truth tests of Nodes made while tracing are
  recorded as *guards*; the generated code re-checks each guard and, when one
  comes out differently, the function is traced again for the new branch (or a
  `BranchError` is raised, if asked). Branches inside ops (`relu`, `abs`,
  `maximum`, a custom op's function) are part of the generated code and need no
  guard.
* Values that leave the graph (``float(node)``, ``node.data``) are frozen at
  trace time. ``float(node)`` is detected and warned about; ``.data`` cannot be.
  `verify` (or ``verify_every=N``) runs the eager function and compares.
* Plain numbers in the function (``x * 2``) become literals. Nodes the function
  captures from outside (a Node in a closure) are read from ``.data`` at every
  call, so changing them is seen.

While a trace runs, the engine reports each comparison, truth test and
``float()`` of a Node, and each constant an op makes, to its tracing hook
(`micrograd.node.config.tracer`); the compiler's listener records them for the
tracing thread only (traces are serialised by a lock). Node itself is unchanged.

The results equal eager mode's: the same float operations in the same order,
so in practice the same bits. Where the fast code meets an exceptional value
(an overflow, a logarithm of zero), the call is redone eagerly and returns or
raises exactly what eager mode would.

The package, one job per module, each importing only those above it here:

* `errors`: the errors of compiled mode and the graph size limit;
* `expressions`: Python expressions as text, with their precedence;
* `emitters`: each op's code (`register_emitter` for custom ops);
* `emitters_math`: the code of the `math` functions, rounding and further activations;
* `tracing`: running the function on Nodes and recording its guards;
* `arguments`: flattening arguments to floats;
* `writer`: one traced graph in, the source of one Python function out;
* `compiled`: what compiled functions and losses share (variants, fallback);
* `functions`: `compile_function` and `CompiledFunction`;
* `loss_code`: the generated code of a compiled loss (batch, samples, SGD epoch);
* `losses`: `compile_loss` and `CompiledLoss`.

Imports: `micrograd.node`, `micrograd.ops`; never `nn`, `optim`, `viz` or `cli`.
"""

from micrograd.compile import emitters_math  # noqa: F401 (registers the emitters)
from micrograd.compile.emitters import register_emitter
from micrograd.compile.errors import (
    DEFAULT_MAX_NODES,
    BranchError,
    CompileError,
    GraphTooLargeError,
    VerificationError,
)
from micrograd.compile.functions import CompiledFunction, compile_function
from micrograd.compile.losses import CompiledLoss, compile_loss
from micrograd.compile.writer import CompileStats

__all__ = [
    "DEFAULT_MAX_NODES",
    "BranchError",
    "CompileError",
    "CompileStats",
    "CompiledFunction",
    "CompiledLoss",
    "GraphTooLargeError",
    "VerificationError",
    "compile_function",
    "compile_loss",
    "register_emitter",
]
