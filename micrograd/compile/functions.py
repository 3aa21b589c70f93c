"""Compiled functions: `compile_function` (``micrograd.compile``) and `CompiledFunction`.

Imports: `micrograd.node`; `arguments`, `compiled`, `errors`, `tracing` and `writer` of
this package.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from micrograd.compile.arguments import _restructure
from micrograd.compile.compiled import (
    _as_output,
    _Call,
    _compare_results,
    _Compiled,
    _flat_floats,
    _function_name,
    _nest,
    _origin,
    _positional_names,
    _traced,
    _warn_escapes,
)
from micrograd.compile.errors import DEFAULT_MAX_NODES, _BranchChanged
from micrograd.compile.tracing import _collector_paused, _Recorder, _recording, made_before
from micrograd.compile.writer import _layout, _Variant, _Writer
from micrograd.node import Node, gradients


class CompiledFunction(_Compiled):
    """A function of floats, traced once per argument structure and run as generated code.

    Made by `micrograd.compile`. Calling it returns ``(value, grads)``: the
    function's value and its gradient with respect to the requested
    arguments (see `compile_function` for the layout).

    Attributes:
        fn: the original function.
        argnums: the arguments differentiated (None: all).
        trace_count: how many times the function has been traced.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        argnums: int | Sequence[int] | None = None,
        *,
        verify_every: int = 0,
        rtol: float = 1e-9,
        atol: float = 1e-12,
        on_branch_change: Literal["retrace", "raise"] = "retrace",
        max_variants: int = 8,
        max_nodes: int | None = DEFAULT_MAX_NODES,
    ) -> None:
        if not callable(fn):
            raise TypeError(f"compile: expected a function, got {type(fn).__name__} ({fn!r})")
        self.fn = fn
        self._where = f"compiled {getattr(fn, '__name__', 'function')}"
        if isinstance(argnums, bool):
            raise TypeError(f"{self._where}: argnums must be ints, got {argnums!r}")
        if argnums is not None and not isinstance(argnums, int):
            argnums = tuple(argnums)
            if not all(isinstance(n, int) and not isinstance(n, bool) for n in argnums):
                raise TypeError(f"{self._where}: argnums must be ints, got {argnums!r}")
        self.argnums = argnums
        self._names, self._max_arity, self._min_arity = _positional_names(fn)
        super().__init__(verify_every, rtol, atol, on_branch_change, max_variants, max_nodes)
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        """``(value, grads)`` for plain-number arguments (or lists/tuples of them)."""
        if kwargs:
            raise TypeError(
                f"{self._where} takes positional arguments only, got keyword(s)"
                f" {', '.join(sorted(kwargs))}"
            )
        fast = self._fast.get(len(args))
        if fast is not None:
            for a in args:
                if type(a) is not float:
                    break
            else:
                try:
                    result: tuple[Any, Any] = fast(*args)
                    return result
                except _BranchChanged:
                    pass
                except (ArithmeticError, ValueError, TypeError):
                    return self._eager(self._prepare(args))
        outcome: tuple[Any, Any] = self._run(args)
        return outcome

    def verify(self, *args: Any) -> tuple[Any, Any]:
        """Run both the compiled and the eager function on `args` and compare.

        Returns the compiled ``(value, grads)``; raises `VerificationError`
        naming each value that differs by more than ``atol + rtol * |eager|``.
        """
        result: tuple[Any, Any] = self._check(self._prepare(args))
        return result

    def _prepare(self, args: tuple[Any, ...]) -> _Call:
        flat, shapes = self._flatten_args(args)
        key: Any = len(shapes) if all(s is None for s in shapes) else shapes
        return _Call(key, flat, flat, shapes, args)

    def _wrt(self, count: int) -> tuple[tuple[int, ...], bool]:
        """The differentiated argument positions, and whether one gradient comes alone."""
        if self.argnums is None:
            return tuple(range(count)), False
        numbers = (self.argnums,) if isinstance(self.argnums, int) else self.argnums
        for n in numbers:
            if not -count <= n < count:
                raise ValueError(
                    f"{self._where}: argnums {self.argnums!r} out of range for a call with"
                    f" {count} argument(s)"
                )
        return tuple(n % count for n in numbers), isinstance(self.argnums, int)

    def _trace(self, call: _Call) -> _Variant:
        positions, single = self._wrt(len(call.shapes))
        started = time.perf_counter()
        structured, per_argument = self._leaves(call.flat, call.shapes)
        recorder = _Recorder()
        origin = _origin(self.fn)
        with _collector_paused():
            with _recording(recorder):
                out = self._call_traced(structured)
            leaves = [leaf for group in per_argument for leaf in group]
            external = made_before(
                out,
                leaves,
                recorder,
                lambda: self._call_traced(self._leaves(call.flat, call.shapes)[0]),
            )
            traced = time.perf_counter()
            _warn_escapes(recorder, set(leaves), origin)
            writer = _Writer(origin, self.max_nodes)
            name = writer.names.claim(_function_name(self.fn))
            variables = {leaf: writer.names.claim(leaf.label) for leaf in leaves}
            wrt = [leaf for p in positions for leaf in per_argument[p]]
            section = writer.section(
                out,
                variables=variables,
                params={},
                wrt=wrt,
                constants=recorder.constants,
                guards=recorder.guards,
                external=external,
            )
            texts = [section.grads.get(leaf, "0.0") for leaf in wrt]
            indices = iter(range(len(wrt)))
            parts = [_nest(call.shapes[p], indices) for p in positions]
            layout: Any = parts[0] if single else tuple(parts)
            what = ", ".join(self._name(p) for p in positions) or "nothing"
            variant = writer.finish(
                name,
                [variables[leaf] for leaf in leaves],
                [f"# Returns (value, gradients with respect to {what})."],
                [
                    *section.prologue,
                    *section.lines,
                    f"return {section.value}, {_layout(layout, texts)}",
                ],
            )
        variant.stats.trace_seconds = traced - started
        self.trace_count += 1
        return variant

    def _call_traced(self, structured: list[Any]) -> Node:
        """The function's result on traced leaves."""
        return _traced(lambda: self.fn(*structured), self._where, "the function")

    def _eager(self, call: _Call) -> tuple[Any, Any]:
        """The eager result (or error) for these arguments, laid out as compiled results are."""
        positions, single = self._wrt(len(call.shapes))
        structured, per_argument = self._leaves(call.flat, call.shapes)
        out = _as_output(self.fn(*structured), self._where, "the function")
        wrt = [leaf for p in positions for leaf in per_argument[p]]
        grads = iter([float(g) for g in gradients(out, wrt)])
        parts = [_restructure(call.shapes[p], grads) for p in positions]
        return out.data, parts[0] if single else tuple(parts)

    def _check(self, call: _Call) -> tuple[Any, Any]:
        compiled: tuple[Any, Any] = self._run(call.args, verify=False)
        eager = self._eager(call)
        _compare_results(
            self._where, _flat_floats(compiled), _flat_floats(eager), self.rtol, self.atol
        )
        return compiled


def compile_function(
    fn: Callable[..., Any],
    argnums: int | Sequence[int] | None = None,
    *,
    verify_every: int = 0,
    rtol: float = 1e-9,
    atol: float = 1e-12,
    on_branch_change: Literal["retrace", "raise"] = "retrace",
    max_variants: int = 8,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> CompiledFunction:
    """Compile `fn` (Nodes in, one Node out) into generated Python of plain floats.

    Exported as ``micrograd.compile``. The first call with a given argument
    structure traces `fn` with fresh leaf Nodes, generates one straight-line
    function for the value and the gradients, and compiles it; later calls run
    that code on floats.

    >>> import micrograd as mg
    >>> def loss_fn(w1, w2, b, x, y):
    ...     return (w1 * x + w2 * x + b - y) ** 2
    >>> step = mg.compile(loss_fn)
    >>> step(1.0, 2.0, 3.0, 0.5, 0.5)
    (16.0, (4.0, 4.0, 8.0, 24.0, -8.0))
    >>> mg.compile(loss_fn, argnums=2)(1.0, 2.0, 3.0, 0.5, 0.5)
    (16.0, 8.0)

    Args:
        fn: a function of Nodes returning a Node (or a plain number). Arguments
            are numbers, or lists/tuples of numbers (passed to `fn` as lists of
            Nodes; their gradients come back as tuples of the same shape).
        argnums: the arguments to differentiate: None (all; a tuple of
            gradients), an int (that gradient alone) or a sequence of ints.
        verify_every: every N-th call also runs `fn` eagerly and raises
            `VerificationError` if the results differ (0: never).
        rtol: the relative tolerance of that comparison.
        atol: its absolute tolerance: values agree when
            ``|compiled - eager| <= atol + rtol * |eager|``.
        on_branch_change: when a comparison made on a traced value while
            tracing comes out differently, ``"retrace"`` (trace again for the
            new branch, keeping up to `max_variants` traces per argument
            structure) or ``"raise"`` (`BranchError`).
        max_variants: the number of traces kept per argument structure.
        max_nodes: the largest graph to generate code for (None: no limit);
            larger graphs raise `GraphTooLargeError`.

    Results equal eager mode's (`micrograd.value_and_grad`). Where the
    generated code meets an exceptional value (overflow, log of zero), the
    call is redone eagerly, so the result or the error is eager mode's.
    """
    return CompiledFunction(
        fn,
        argnums,
        verify_every=verify_every,
        rtol=rtol,
        atol=atol,
        on_branch_change=on_branch_change,
        max_variants=max_variants,
        max_nodes=max_nodes,
    )
