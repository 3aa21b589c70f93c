"""Compiled losses: `compile_loss` and `CompiledLoss`, a model's loss with its parameters as inputs.

Imports: `micrograd.node`; `arguments`, `compiled`, `errors`, `loss_code`, `tracing`
and `writer` of this package.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal

from micrograd import checks
from micrograd.compile.arguments import _flatten, _restructure, _Shape
from micrograd.compile.compiled import (
    _as_output,
    _Call,
    _compare_results,
    _Compiled,
    _count,
    _function_name,
    _origin,
    _positional_names,
    _stored_values,
    _traced,
    _warn_escapes,
)
from micrograd.compile.errors import (
    DEFAULT_MAX_NODES,
    VerificationError,
    _BranchChanged,
)
from micrograd.compile.loss_code import _LossCode, _write_batched, _write_loss, _write_sgd
from micrograd.compile.tracing import _collector_paused, _Recorder, _recording, made_before
from micrograd.compile.writer import _Variant, _Writer
from micrograd.node import Node, enable_grad, gradients

# ---------------------------------------------------------------------------
# Compiled losses for models


def _named_parameters(model: object, parameters: Iterable[Node] | None) -> list[tuple[str, Node]]:
    named: list[tuple[str, Node]]
    if parameters is not None:
        named = [(getattr(p, "label", "") or f"p{i}", p) for i, p in enumerate(parameters)]
    elif hasattr(model, "named_parameters"):
        # A Parameter's own label (as w1..w8 in the tutorial's network) reads
        # better in generated code than its dotted name, when labels are unique.
        pairs = [(str(n), p) for n, p in model.named_parameters()]
        labels = [getattr(p, "label", "") for _, p in pairs]
        unique = all(labels) and len(set(labels)) == len(labels)
        named = [(label, p) for label, (_, p) in zip(labels, pairs)] if unique else pairs
    elif hasattr(model, "parameters"):
        named = [(p.label or f"p{i}", p) for i, p in enumerate(model.parameters())]
    else:
        raise TypeError(
            f"compile_loss: the model ({type(model).__name__}) has no parameters() method;"
            " pass parameters=[...]"
        )
    seen: set[Node] = set()
    for name, p in named:
        if not isinstance(p, Node):
            raise TypeError(f"compile_loss: parameter {name} is not a Node, got {p!r}")
        if not p.is_leaf:
            raise ValueError(f"compile_loss: parameter {name} is not a leaf Node")
        if p in seen:
            raise ValueError(f"compile_loss: parameter {name} is listed twice")
        seen.add(p)
    return named


_NO_RETRACE = "a batched loss has one trace for every sample (no parameter was changed)"


def _float_columns(columns: tuple[Any, ...]) -> bool:
    """Whether `columns` are lists or tuples of one length, holding floats only."""
    size = len(columns[0])
    for column in columns:
        if (type(column) is not list and type(column) is not tuple) or len(column) != size:
            return False
        for value in column:
            if type(value) is not float:
                return False
    return size > 0


class CompiledLoss(_Compiled):
    """A model's loss traced with the parameters as inputs, run as generated code.

    Made by `compile_loss`. Calling it with a batch returns the loss value
    (a float) and *adds* the loss's gradient into each parameter's ``.grad``,
    as ``loss.backward()`` would, so an optimizer's ``zero_grad()`` and
    ``step()`` work unchanged. A batched loss also runs a whole epoch of
    per-sample SGD in generated code: `sgd_epoch`.

    Attributes:
        model: the model.
        loss_fn: ``loss_fn(model, *inputs) -> Node``.
        parameters: the parameters read and updated, in order.
        batched: whether `loss_fn` is a per-sample loss run over each batch.
        reduction: how a batched loss combines its samples: "mean" or "sum".
        penalty: ``penalty(model) -> Node`` added to the loss, or None.
        trace_count: how many times the loss has been traced.
    """

    def __init__(
        self,
        model: Any,
        loss_fn: Callable[..., Any],
        *,
        parameters: Iterable[Node] | None = None,
        batched: bool = False,
        reduction: Literal["mean", "sum"] = "mean",
        penalty: Callable[[Any], Any] | None = None,
        verify_every: int = 0,
        rtol: float = 1e-9,
        atol: float = 1e-12,
        on_branch_change: Literal["retrace", "raise"] = "retrace",
        max_variants: int = 8,
        max_nodes: int | None = DEFAULT_MAX_NODES,
    ) -> None:
        if not callable(loss_fn):
            raise TypeError(
                f"compile_loss: loss_fn must be a function, got {type(loss_fn).__name__}"
            )
        if penalty is not None and not callable(penalty):
            raise TypeError(
                f"compile_loss: penalty must be a function of the model or None,"
                f" got {type(penalty).__name__}"
            )
        if reduction not in ("mean", "sum"):
            raise ValueError(f"compile_loss: reduction must be 'mean' or 'sum', got {reduction!r}")
        self.model = model
        self.loss_fn = loss_fn
        self.batched = bool(batched)
        self.reduction = reduction
        self.penalty = penalty
        self._where = f"compiled loss {getattr(loss_fn, '__name__', 'loss_fn')}"
        self._named = _named_parameters(model, parameters)
        self.parameters: tuple[Node, ...] = tuple(p for _, p in self._named)
        names, maximum, minimum = _positional_names(loss_fn)
        self._names = names[1:]
        self._max_arity = None if maximum is None else maximum - 1
        self._min_arity = max(minimum - 1, 0)
        self._retraces = not self.batched
        # number of argument lists -> the sgd_epoch trace, for columns of plain floats
        self._sgd_fast: dict[int, _Variant] = {}
        super().__init__(verify_every, rtol, atol, on_branch_change, max_variants, max_nodes)

    def __call__(self, *inputs: Any) -> float:
        """The loss on a batch; its gradient is added into each parameter's ``.grad``.

        Without ``batched``, `inputs` are `loss_fn`'s arguments after the
        model. With ``batched=True``, each is a list holding that argument
        for every sample.
        """
        fast = self._fast.get(len(inputs))
        if fast is not None:
            for a in inputs:
                if type(a) is not float:
                    break
            else:
                try:
                    value: float = fast(*inputs)
                    return value
                except _BranchChanged:
                    pass
                except (ArithmeticError, ValueError, TypeError):
                    return self._eager(self._prepare(inputs))
        loss: float = self._run(inputs)
        return loss

    def retrace(self) -> None:
        """Forget every trace (`sgd_epoch`'s too): the next call traces the loss again."""
        super().retrace()
        self._sgd_fast.clear()

    def verify(self, *inputs: Any) -> tuple[float, tuple[float, ...]]:
        """Compare compiled and eager loss and gradients, leaving ``.grad`` as it was.

        Returns the compiled ``(loss, gradients)``, gradients in the order of
        `parameters`; raises `VerificationError` if they differ.
        """
        return self._check(self._prepare(inputs))

    def sgd_epoch(self, *columns: Any, lr: float) -> float:
        """One epoch of per-sample SGD in generated code; returns the reduced sample losses.

        Needs ``batched=True``. The arguments are those of the batched call
        (each a list with one entry per sample) and the learning rate. It does
        what this eager loop does, with the same float operations in the same
        order, so the parameters and the result are the loop's to the bit::

            for sample in zip(*columns):
                loss = loss_fn(model, *sample)  # + penalty(model), if given
                grads = d loss / d parameters
                for p, g in zip(parameters, grads):
                    p.data -= lr * g

        It returns the mean (``reduction="mean"``) or the sum of the sample
        losses, each taken before its own update (the penalty, when given, is
        part of every sample's loss). ``.grad`` is neither read nor changed.

        >>> import micrograd as mg
        >>> model = mg.nn.WeightSum(w1=2.0, w2=0.0, b=1.0)
        >>> def sample_loss(model, x, y):
        ...     return (model(x, 0.0) - y) ** 2
        >>> step = mg.compile_loss(model, sample_loss, batched=True)
        >>> step.sgd_epoch([3.0, 1.0], [4.0, 3.0], lr=0.01)  # (9.0 + 0.0576) / 2
        4.5288
        >>> round(model.w1.data, 6), round(model.b.data, 6), model.w1.grad
        (1.8248, 0.9448, 0.0)

        The generated function reads the parameters into local variables once,
        updates them after each sample (``w = w - lr * g_w``) and writes them
        back to ``.data`` after the last sample. So when anything goes wrong
        inside the epoch, no parameter changes: a guard that comes out
        differently for some sample raises `BranchError` (a batched loss has
        one trace for every sample), and an exceptional value (an overflow, a
        logarithm of a negative number) makes the epoch run again eagerly from
        the same parameters, which returns eager mode's result or raises its
        error with every ``.data`` restored. The code is traced on the first
        call for an argument structure and kept, like the other traces; after
        a call, `source`, `function` and `stats` describe it (`function` then
        takes the argument lists and the learning rate, and writes ``.data``).
        With ``verify_every=N``, every N-th call (of the loss or of this
        method) also runs the epoch eagerly from the same parameters and
        raises `VerificationError` if the result or a parameter differs,
        leaving the parameters as they were before the call.

        Args:
            *columns: one list (or tuple) per argument of `loss_fn` after the
                model, each with one entry per sample.
            lr: the learning rate, a finite real number (keyword only).

        Raises:
            TypeError: the loss is not batched, `lr` is not a real number, or
                a column is not a list of numbers.
            ValueError: `lr` is not finite, or the columns are empty, of
                different lengths or of different structures per sample.
            BranchError: a guard came out differently for some sample.
        """
        where = f"{self._where}.sgd_epoch"
        if not self.batched:
            raise TypeError(
                f"{where} runs the per-sample loss over a batch: it needs compile_loss(...,"
                " batched=True), and this loss was compiled with batched=False"
            )
        # The same rule as SGD's learning rate (micrograd.checks' rule for settings).
        rate = checks.setting(lr, where, "lr", minimum=0.0)
        fast = self._sgd_fast.get(len(columns))
        if fast is not None and not self.verify_every and _float_columns(columns):
            try:
                loss: float = fast.function(*columns, rate)
            except _BranchChanged as error:
                raise self._branch_error(where, fast.guards[error.args[0]], _NO_RETRACE) from None
            except (ArithmeticError, ValueError, TypeError):
                pass  # redone below, through the checks and the eager fallback
            else:
                self._latest = fast
                return loss
        call = self._prepare(columns, where)
        call = call._replace(key=("sgd_epoch", call.shapes))
        if self.verify_every:
            self._calls += 1
            if self._calls % self.verify_every == 0:
                return self._check_sgd(call, rate, where)
        return self._run_sgd(call, rate, where)

    # -- the fused SGD epoch
    def _run_sgd(self, call: _Call, rate: float, where: str) -> float:
        variants = self._variants.get(call.key)
        if variants is None:
            variants = self._variants[call.key] = [self._trace(call, fused=True)]
        variant = variants[0]
        try:
            loss: float = variant.function(*call.values, rate)
        except _BranchChanged as error:
            raise self._branch_error(where, variant.guards[error.args[0]], _NO_RETRACE) from None
        except (ArithmeticError, ValueError, TypeError):
            return self._eager_sgd(call, rate)
        self._use(call.key, variants, variant)
        if all(shape is None for shape in call.shapes) and not self.verify_every:
            self._sgd_fast[len(call.shapes)] = variant
        return loss

    def _eager_sample(self, flat: Sequence[float], shapes: tuple[_Shape, ...]) -> Node:
        """One sample's loss, as eager mode computes it (the penalty added, if any)."""
        structured, _ = self._leaves(flat, shapes)
        out = _as_output(self.loss_fn(self.model, *structured), self._where, "loss_fn")
        if self.penalty is not None:
            out = out + _as_output(self.penalty(self.model), self._where, "penalty")
        return out

    def _eager_sgd(self, call: _Call, rate: float) -> float:
        """`sgd_epoch` in eager mode; on an error, every ``.data`` is restored."""
        parameters = list(self.parameters)
        saved = [p.data for p in parameters]
        total = 0.0
        count = 0
        try:
            with enable_grad():
                for sample in self._samples(call):
                    out = self._eager_sample(sample, call.shapes)
                    grads = gradients(out, parameters)
                    for p, g in zip(parameters, grads):
                        p.data -= rate * float(g)
                    total += out.data
                    count += 1
        except BaseException:
            for p, value in zip(parameters, saved):
                p.data = value
            raise
        return total / count if self.reduction == "mean" else total

    def _check_sgd(self, call: _Call, rate: float, where: str) -> float:
        """Run the epoch compiled and eagerly from the same parameters, and compare."""
        saved = [p.data for p in self.parameters]
        try:
            value = self._run_sgd(call, rate, where)
            compiled = [p.data for p in self.parameters]
        finally:
            for p, data in zip(self.parameters, saved):
                p.data = data
        eager_value = self._eager_sgd(call, rate)
        eager = [p.data for p in self.parameters]
        try:
            _compare_results(
                where, [value, *compiled], [eager_value, *eager], self.rtol, self.atol, "parameter"
            )
        except VerificationError:
            for p, data in zip(self.parameters, saved):
                p.data = data
            raise
        for p, data in zip(self.parameters, compiled):
            p.data = data
        return value

    # -- arguments
    def _prepare(self, args: tuple[Any, ...], where: str | None = None) -> _Call:
        """Check and flatten a call's arguments; errors name `where` (default: the loss)."""
        if not self.batched:
            numbers, shapes = self._flatten_args(args)
            key: Any = len(shapes) if all(s is None for s in shapes) else shapes
            return _Call(key, numbers, numbers, shapes, args)
        where = where or self._where
        self._check_arity(len(args), "argument list(s)", where)
        for i, column in enumerate(args):
            if not isinstance(column, (list, tuple)):
                raise TypeError(
                    f"{where}: with batched=True each argument is a list with one"
                    f" entry per sample; argument {i} ({self._name(i)}) is"
                    f" {type(column).__name__}"
                )
        size = len(args[0]) if args else 0
        if size == 0 or any(len(column) != size for column in args):
            lengths = ", ".join(str(len(column)) for column in args)
            raise ValueError(
                f"{where}: the batch must have at least one sample and every argument"
                f" list the same length; got lengths {lengths or 'none'}"
            )
        flat: list[float] = []
        converted: list[int] = []
        first: tuple[_Shape, ...] | None = None
        for k in range(size):
            shapes = tuple(
                _flatten(column[k], f"argument {i} ({self._name(i)})[{k}]", flat, where, converted)
                for i, column in enumerate(args)
            )
            if first is None:
                first = shapes
            elif shapes != first:
                raise ValueError(
                    f"{where}: sample {k} is not shaped like sample 0 (every sample of"
                    " a batched loss must have the same structure)"
                )
        assert first is not None
        values: list[Any] = list(args)
        if converted:  # give the generated code floats, as eager mode would have
            stream = iter(flat)
            rows = [[_restructure(shape, stream) for shape in first] for _ in range(size)]
            values = [list(column) for column in zip(*rows)]
        return _Call(("batched", first), values, flat, first, args)

    def _samples(self, call: _Call) -> Iterator[list[float]]:
        width = sum(_count(s) for s in call.shapes)
        for start in range(0, len(call.flat), width):
            yield call.flat[start : start + width]

    # -- tracing
    def _trace(self, call: _Call, fused: bool = False) -> _Variant:
        """Trace the loss for `call` and generate its code.

        `fused` asks for the per-sample SGD epoch of `sgd_epoch` instead of the
        batched loss: one sample's loss with the penalty added, as the
        unbatched loss traces it, run in a loop that updates the parameters.
        """
        started = time.perf_counter()
        sample = next(self._samples(call)) if self.batched else call.flat
        structured, per_argument = self._leaves(sample, call.shapes)
        leaves = [leaf for group in per_argument for leaf in group]
        recorder, penalty_recorder = _Recorder(), _Recorder()
        origin = _origin(self.loss_fn)
        # A batched loss computes its penalty once per batch, in a section of its own.
        separate = self.batched and not fused
        with _collector_paused():
            with _recording(recorder):
                out = self._traced_loss(structured, with_penalty=not separate)
            penalty_out: Node | None = None
            if separate and self.penalty is not None:
                with _recording(penalty_recorder):
                    penalty_out = self._traced_penalty()
            parameters = set(self.parameters)
            recorder.external = _stored_values(
                self._where,
                parameters,
                made_before(
                    out,
                    leaves,
                    recorder,
                    lambda: self._traced_loss(
                        self._leaves(sample, call.shapes)[0], with_penalty=not separate
                    ),
                ),
            )
            if penalty_out is not None:
                penalty_recorder.external = _stored_values(
                    self._where,
                    parameters,
                    made_before(penalty_out, [], penalty_recorder, self._traced_penalty),
                )
            traced = time.perf_counter()
            _warn_escapes(recorder, set(leaves) | set(self.parameters), origin)
            _warn_escapes(penalty_recorder, set(self.parameters), origin)
            writer = _Writer(origin, self.max_nodes)
            code = _LossCode(
                _function_name(self.loss_fn),
                self._named,
                [self._name(i) for i in range(len(call.shapes))],
                self.reduction,
                self.penalty is not None,
            )
            if fused:
                variant = _write_sgd(code, writer, out, leaves, call, recorder)
            elif self.batched:
                variant = _write_batched(
                    code, writer, out, penalty_out, leaves, call, recorder, penalty_recorder
                )
            else:
                variant = _write_loss(code, writer, out, leaves, recorder)
        variant.stats.trace_seconds = traced - started
        self.trace_count += 1
        return variant

    def _traced_loss(self, structured: list[Any], with_penalty: bool) -> Node:
        """One sample's loss (plus the penalty, when it is traced with it) on traced leaves."""
        out = _traced(lambda: self.loss_fn(self.model, *structured), self._where, "loss_fn")
        return out + self._traced_penalty() if with_penalty and self.penalty else out

    def _traced_penalty(self) -> Node:
        penalty = self.penalty
        assert penalty is not None
        return _traced(lambda: penalty(self.model), self._where, "penalty")

    # -- eager mode, for fallback and verification
    def _eager_loss(self, call: _Call) -> Node:
        if not self.batched:
            return self._eager_sample(call.flat, call.shapes)
        losses = []
        for sample in self._samples(call):
            structured, _ = self._leaves(sample, call.shapes)
            losses.append(_as_output(self.loss_fn(self.model, *structured), self._where, "loss_fn"))
        out = losses[0]
        for term in losses[1:]:
            out = out + term
        if self.reduction == "mean":
            out = out / len(losses)
        if self.penalty is not None:
            out = out + _as_output(self.penalty(self.model), self._where, "penalty")
        return out

    def _eager_grads(self, call: _Call) -> tuple[float, list[float]]:
        out = self._eager_loss(call)
        return out.data, [float(g) for g in gradients(out, list(self.parameters))]

    def _eager(self, call: _Call) -> float:
        value, grads = self._eager_grads(call)
        for p, g in zip(self.parameters, grads):
            p.grad += g
        return value

    def _check(self, call: _Call) -> tuple[float, tuple[float, ...]]:
        saved = [p.grad for p in self.parameters]
        try:
            for p in self.parameters:
                p.grad = 0.0
            value: float = self._run(call.args, verify=False)
            compiled = tuple(float(p.grad) for p in self.parameters)
        finally:
            for p, g in zip(self.parameters, saved):
                p.grad = g
        eager_value, eager_grads = self._eager_grads(call)
        _compare_results(
            self._where, [value, *compiled], [eager_value, *eager_grads], self.rtol, self.atol
        )
        return value, compiled


def compile_loss(
    model: Any,
    loss_fn: Callable[..., Any],
    *,
    parameters: Iterable[Node] | None = None,
    batched: bool = False,
    reduction: Literal["mean", "sum"] = "mean",
    penalty: Callable[[Any], Any] | None = None,
    verify_every: int = 0,
    rtol: float = 1e-9,
    atol: float = 1e-12,
    on_branch_change: Literal["retrace", "raise"] = "retrace",
    max_variants: int = 8,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> CompiledLoss:
    """Compile a model's loss, with the model's parameters as its inputs.

    ``loss_fn(model, *inputs)`` returns the loss as a Node. The compiled loss
    takes the inputs (numbers, or lists/tuples of numbers), reads the current
    parameter values from ``p.data``, returns the loss value and adds its
    gradient into ``p.grad``: a drop-in replacement for
    ``loss = loss_fn(model, *inputs); loss.backward()`` in a training loop.

    >>> import micrograd as mg
    >>> model = mg.nn.WeightSum(w1=2.0, w2=0.0, b=1.0)
    >>> def sample_loss(model, x, y):
    ...     return (model(x, 0.0) - y) ** 2
    >>> step = mg.compile_loss(model, sample_loss)
    >>> step(3.0, 4.0)
    9.0
    >>> model.w1.grad, model.b.grad
    (18.0, 6.0)

    With ``batched=True``, `loss_fn` is the loss of *one* sample: it is traced
    once and the generated code loops over the batch, each argument being a
    list with one entry per sample. The loss is the mean (or, with
    ``reduction="sum"``, the sum) of the sample losses, plus ``penalty(model)``
    when given. This keeps the generated code small for any batch size.

    >>> step = mg.compile_loss(model, sample_loss, batched=True, reduction="sum")
    >>> model.zero_grad()
    >>> step([3.0, 1.0], [4.0, 3.0])
    9.0
    >>> model.w1.grad, model.b.grad
    (18.0, 6.0)

    A batched loss can also train: ``step.sgd_epoch(*columns, lr=...)`` runs
    one epoch of per-sample SGD (each sample's loss and gradient, then
    ``p.data -= lr * g`` for every parameter) as one generated loop, which
    keeps the parameters in local variables and writes them to ``.data`` at
    the end. It gives the eager loop's parameters bit for bit, leaves
    ``.grad`` alone, and changes no parameter when it fails (see
    `CompiledLoss.sgd_epoch`).

    Args:
        model: passed to `loss_fn`; its ``named_parameters()`` (or
            ``parameters()``) are the inputs, unless `parameters` is given.
        loss_fn: ``loss_fn(model, *inputs) -> Node``.
        parameters: the leaf Nodes to differentiate, read and update.
        batched: trace `loss_fn` for one sample and loop over the batch.
        reduction: "mean" or "sum" of the sample losses (batched only).
        penalty: ``penalty(model) -> Node`` added to the loss (e.g. L2).
        verify_every: every N-th call also runs the loss eagerly and raises
            `VerificationError` if loss or gradients differ (0: never); for
            `CompiledLoss.sgd_epoch`, the epoch, comparing loss and parameters.
        rtol: the relative tolerance of that comparison.
        atol: its absolute tolerance.
        on_branch_change: ``"retrace"`` or ``"raise"``, as for
            `micrograd.compile`. A batched loss cannot retrace per sample: a
            guard that fails raises `BranchError` either way.
        max_variants: the number of traces kept per argument structure.
        max_nodes: the largest graph to generate code for (None: no limit).

    The parameters are fixed when traced: if the model gets new Parameter
    objects, call `CompiledLoss.retrace()`. Changing their ``.data`` (what
    optimizers do) needs nothing.
    """
    return CompiledLoss(
        model,
        loss_fn,
        parameters=parameters,
        batched=batched,
        reduction=reduction,
        penalty=penalty,
        verify_every=verify_every,
        rtol=rtol,
        atol=atol,
        on_branch_change=on_branch_change,
        max_variants=max_variants,
        max_nodes=max_nodes,
    )
