"""What compiled functions and compiled losses share: tracing per argument structure,
variants with their guards, the eager fallback and verification.

Imports: `micrograd.node`; `arguments`, `errors`, `tracing` and `writer` of this package.
"""

from __future__ import annotations

import inspect
import keyword
import math
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal, NamedTuple

from micrograd import checks
from micrograd.compile.arguments import _flatten, _leaves, _Shape
from micrograd.compile.errors import BranchError, CompileError, VerificationError, _BranchChanged
from micrograd.compile.tracing import _Guard, _Recorder
from micrograd.compile.writer import CompileStats, _Variant
from micrograd.node import Node, topological_order

# ---------------------------------------------------------------------------
# Compiled functions


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _flat_floats(value: Any) -> list[float]:
    if isinstance(value, (tuple, list)):
        return [v for item in value for v in _flat_floats(item)]
    return [float(value)]


def _compare_results(
    where: str,
    compiled: list[float],
    eager: list[float],
    rtol: float,
    atol: float,
    what: str = "gradient",
) -> None:
    """Raise `VerificationError` naming each value (then each `what` i) that differs."""
    labels = ["value"] + [f"{what} {i}" for i in range(len(compiled) - 1)]
    bad = [
        f"  {label}: compiled {c!r}, eager {e!r}"
        for label, c, e in zip(labels, compiled, eager)
        if not _close(c, e, rtol, atol)
    ]
    if len(compiled) != len(eager):
        bad.append(f"  {len(compiled)} compiled results against {len(eager)} eager ones")
    if bad:
        raise VerificationError(
            f"{where}: compiled and eager results differ (rtol={rtol}, atol={atol}):\n"
            + "\n".join(bad)
            + "\nThe function's result depends on something fixed at trace time (a .data"
            " read, a float() of a Node, a global number that changed): call .retrace(),"
            " or keep that value in a Node."
        )


def _describe(guard: _Guard) -> str:
    if guard.symbol == "!=" and guard.other == 0.0 and not isinstance(guard.other, Node):
        return f"the truth value of a traced Node (at {guard.where})"
    other = "another Node" if isinstance(guard.other, Node) else repr(guard.other)
    return f"the comparison `node {guard.symbol} {other}` (at {guard.where})"


def _warn_escapes(recorder: _Recorder, sources: set[Node], origin: str) -> None:
    """Warn about float() of traced values: those values are frozen in the code."""
    places = sorted(
        {where for node, where in recorder.escapes if sources & set(topological_order(node))}
    )
    if places:
        warnings.warn(
            f"{origin}: float() of a traced Node at {', '.join(places)}: the compiled code"
            " keeps the value it had when traced. Keep values in Nodes (ops such as"
            " mg.maximum, or a custom @op), and check with .verify().",
            stacklevel=5,
        )


def _origin(fn: object) -> str:
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    code = getattr(fn, "__code__", None)
    if code is not None and os.path.isfile(code.co_filename):  # not "<stdin>" and the like
        return f"{name} ({code.co_filename.rsplit('/', 1)[-1]}:{code.co_firstlineno})"
    return str(name)


def _positional_names(fn: Callable[..., Any]) -> tuple[list[str], int | None, int]:
    """Names of fn's positional parameters, its maximum (None: *args) and minimum arity."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return [], None, 0
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    variadic = any(p.kind is p.VAR_POSITIONAL for p in parameters)
    required = sum(1 for p in positional if p.default is p.empty)
    return [p.name for p in positional], None if variadic else len(positional), required


def _function_name(fn: object) -> str:
    name = str(getattr(fn, "__name__", "compiled"))
    return name if name.isidentifier() and not keyword.iskeyword(name) else "compiled"


def _as_output(out: object, where: str, what: str) -> Node:
    if isinstance(out, Node):
        return out
    if isinstance(out, bool) or not isinstance(out, (int, float)):
        raise TypeError(
            f"{where}: {what} must return a Node or a number, got {type(out).__name__} ({out!r})"
        )
    return Node(float(out))


def _nest(shape: _Shape, indices: Iterator[int]) -> Any:
    if shape is None:
        return next(indices)
    return tuple(_nest(s, indices) for s in shape)


def _count(shape: _Shape) -> int:
    return 1 if shape is None else sum(_count(s) for s in shape)


class _Call(NamedTuple):
    """A call's arguments, checked and flattened."""

    key: Any  # which traces apply: the arity, or the structure of the arguments
    values: list[Any]  # what the generated function is called with
    flat: list[float]  # every number, in order
    shapes: tuple[_Shape, ...]  # each argument's shape (for a batch: one sample's)
    args: tuple[Any, ...]  # the arguments as given


class _Compiled:
    """What CompiledFunction and CompiledLoss share: traces, guards, checks, fallback."""

    _where: str
    _names: list[str]
    _max_arity: int | None
    _min_arity: int
    _retraces: bool = True

    def __init__(
        self,
        verify_every: int,
        rtol: float,
        atol: float,
        on_branch_change: Literal["retrace", "raise"],
        max_variants: int,
        max_nodes: int | None,
    ) -> None:
        if on_branch_change not in ("retrace", "raise"):
            raise ValueError(
                f"{self._where}: on_branch_change must be 'retrace' or 'raise',"
                f" got {on_branch_change!r}"
            )
        # One rule per kind of argument (micrograd.checks), checked here rather
        # than failing later at a call.
        verify_every = checks.count(verify_every, self._where, "verify_every")
        max_variants = checks.count(max_variants, self._where, "max_variants", minimum=1)
        if max_nodes is not None:
            max_nodes = checks.count(max_nodes, self._where, "max_nodes", minimum=1)
        self.verify_every = verify_every
        self.rtol = checks.setting(rtol, self._where, "rtol", minimum=0.0)
        self.atol = checks.setting(atol, self._where, "atol", minimum=0.0)
        self.on_branch_change = on_branch_change
        self.max_variants = max_variants
        self.max_nodes = max_nodes
        self.trace_count = 0
        self._variants: dict[Any, list[_Variant]] = {}
        # arity -> generated function, for calls whose arguments are all floats
        self._fast: dict[int, Callable[..., Any]] = {}
        self._latest: _Variant | None = None
        self._calls = 0

    # -- what subclasses provide
    def _prepare(self, args: tuple[Any, ...]) -> _Call:
        raise NotImplementedError

    def _trace(self, call: _Call) -> _Variant:
        raise NotImplementedError

    def _eager(self, call: _Call) -> Any:
        raise NotImplementedError

    def _check(self, call: _Call) -> Any:
        raise NotImplementedError

    # -- public
    @property
    def source(self) -> str:
        """The generated Python of the most recently used trace."""
        if self._latest is None:
            raise CompileError(f"{self._where}: not traced yet; call it once first")
        return self._latest.source

    @property
    def function(self) -> Callable[..., Any]:
        """The generated function of the most recently used trace, to call directly.

        It takes the arguments flattened to floats (for a batched loss: the
        argument lists as they are; after `CompiledLoss.sgd_epoch`, the argument
        lists and the learning rate) and skips all that the compiled object does
        around it: no argument checks, no eager fallback on exceptional values,
        and a guard that fails raises `BranchError` instead of tracing again.
        Use it in the innermost loop when the arguments are floats of the traced
        structure; it saves about a microsecond per call.
        """
        if self._latest is None:
            raise CompileError(f"{self._where}: not traced yet; call it once first")
        return self._latest.function

    @property
    def stats(self) -> CompileStats:
        """Sizes and timings of the most recently used trace."""
        if self._latest is None:
            raise CompileError(f"{self._where}: not traced yet; call it once first")
        return self._latest.stats

    def retrace(self) -> None:
        """Forget every trace: the next call traces the function again."""
        self._variants.clear()
        self._fast.clear()
        self._latest = None

    # -- calling
    def _check_arity(self, count: int, what: str = "argument(s)", where: str | None = None) -> None:
        too_many = self._max_arity is not None and count > self._max_arity
        if too_many or count < self._min_arity:
            if self._max_arity == self._min_arity:
                expected = str(self._min_arity)
            elif self._max_arity is None:
                expected = f"at least {self._min_arity}"
            else:
                expected = f"{self._min_arity} to {self._max_arity}"
            shown = f" ({', '.join(self._names)})" if self._names else ""
            raise TypeError(f"{where or self._where} takes {expected} {what}{shown}, got {count}")

    def _name(self, index: int) -> str:
        return self._names[index] if index < len(self._names) else f"x{index}"

    def _flatten_args(self, args: tuple[Any, ...]) -> tuple[list[float], tuple[_Shape, ...]]:
        self._check_arity(len(args))
        flat: list[float] = []
        shapes = tuple(
            _flatten(a, f"argument {i} ({self._name(i)})", flat, self._where)
            for i, a in enumerate(args)
        )
        return flat, shapes

    def _leaves(
        self, flat: Sequence[float], shapes: tuple[_Shape, ...]
    ) -> tuple[list[Any], list[list[Node]]]:
        """Fresh leaves for each argument, laid out as given, and each argument's leaves."""
        values = iter(flat)
        structured: list[Any] = []
        per_argument: list[list[Node]] = []
        for i, shape in enumerate(shapes):
            leaves: list[Node] = []
            structured.append(_leaves(shape, values, self._name(i), leaves))
            per_argument.append(leaves)
        return structured, per_argument

    def _run(self, args: tuple[Any, ...], verify: bool = True) -> Any:
        call = self._prepare(args)
        if verify and self.verify_every:
            self._calls += 1
            if self._calls % self.verify_every == 0:
                self._check(call)
        variants = self._variants.get(call.key)
        if variants is None:
            variants = self._variants[call.key] = [self._trace(call)]
        failure: tuple[_Variant, int] | None = None
        for variant in list(variants):
            try:
                result = variant.function(*call.values)
            except _BranchChanged as error:
                failure = (variant, error.args[0])
                continue
            except (ArithmeticError, ValueError, TypeError):
                return self._eager(call)
            self._use(call.key, variants, variant)
            return result
        assert failure is not None
        guard = failure[0].guards[failure[1]]
        if (
            not self._retraces
            or self.on_branch_change == "raise"
            or len(variants) >= self.max_variants
        ):
            if not self._retraces:
                reason = "a batched loss has one trace for every sample"
            elif self.on_branch_change == "raise":
                reason = "on_branch_change='raise'"
            else:
                reason = f"it has been traced {len(variants)} times already (max_variants)"
            raise self._branch_error(self._where, guard, reason)
        variant = self._trace(call)
        variants.insert(0, variant)
        try:
            result = variant.function(*call.values)
        except (ArithmeticError, ValueError, TypeError):
            return self._eager(call)
        except _BranchChanged:
            raise BranchError(
                f"{self._where}: traced again for these arguments, the function took"
                " another branch than while tracing: its control flow is not a function"
                " of its arguments alone"
            ) from None
        self._use(call.key, variants, variant)
        return result

    @staticmethod
    def _branch_error(where: str, guard: _Guard, reason: str) -> BranchError:
        """The error for a guard that came out differently and cannot be traced again."""
        return BranchError(
            f"{where}: {_describe(guard)} came out {guard.outcome} when traced"
            f" and differently now, and {reason}. Python control flow on a traced value"
            " is fixed at trace time: keep the branch inside an op (relu, abs, maximum,"
            " minimum, or a custom @op), or run the function eagerly."
        )

    def _use(self, key: Any, variants: list[_Variant], variant: _Variant) -> None:
        if variants[0] is not variant:
            variants.remove(variant)
            variants.insert(0, variant)
        self._latest = variant
        if isinstance(key, int) and not self.verify_every:
            self._fast[key] = variant.function


def _traced(run: Callable[[], object], where: str, what: str) -> Node:
    """`run()` (the traced function) as a Node; its own errors carry a note saying so."""
    try:
        result = run()
    except Exception as error:
        checks.note(error, f"{where}: while tracing {what}")
        raise
    return _as_output(result, where, what)


def _stored_values(where: str, parameters: set[Node], external: set[Node]) -> set[Node]:
    """`external` (Nodes made before a loss's trace), unless one was computed from parameters.

    Eager mode uses such a node's stored value but sends gradients through it
    to the parameters it was computed from, which generated code that reads
    the value cannot do: the call is refused instead.
    """
    for node in external:
        used = [p for p in topological_order(node) if p in parameters]
        if used:
            raise CompileError(
                f"{where}: the loss uses a Node computed before the call from"
                f" {len(used)} of the model's parameters (value {node.data!r}); compiled"
                " code cannot send gradients through a stored value: compute it inside"
                " loss_fn (or the penalty)"
            )
    return external
