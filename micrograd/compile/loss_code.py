"""The generated code of a compiled loss: one batch, a batch of samples, or an SGD epoch.

`CompiledLoss` traces the loss; the functions here lay out the function around
the traced sections (parameters read from ``.data``, gradients added into
``.grad`` or used for the SGD update).

Imports: `micrograd.node`; `compiled`, `expressions`, `tracing` and `writer` of this
package.
"""

from __future__ import annotations

from typing import NamedTuple

from micrograd.compile.compiled import _Call
from micrograd.compile.expressions import _ONE, _atom, _Expr
from micrograd.compile.tracing import _Recorder
from micrograd.compile.writer import _sample_loop, _Section, _Variant, _Writer
from micrograd.node import Node


class _LossCode(NamedTuple):
    """What the code of a compiled loss depends on besides its traced graph."""

    function: str  # the loss function's name
    named: list[tuple[str, Node]]  # the parameters, each with its name in the code
    arguments: list[str]  # the name of each argument after the model
    reduction: str  # "mean" or "sum" over a batch's samples
    with_penalty: bool  # whether a penalty on the parameters is added

    @property
    def parameters(self) -> tuple[Node, ...]:
        return tuple(p for _, p in self.named)


def _parameter_variables(code: _LossCode, writer: _Writer) -> dict[Node, str]:
    return {p: writer.names.claim(name) for name, p in code.named}


def _section(
    code: _LossCode,
    writer: _Writer,
    out: Node,
    variables: dict[Node, str],
    params: dict[Node, str],
    recorder: _Recorder,
    output_name: str,
    seed: _Expr = _ONE,
    accumulators: dict[Node, str] | None = None,
) -> _Section:
    """`writer.section` for `out`, differentiated with respect to the parameters."""
    return writer.section(
        out,
        variables=variables,
        params=params,
        wrt=code.parameters,
        constants=recorder.constants,
        guards=recorder.guards,
        output_name=output_name,
        seed=seed,
        accumulators=accumulators,
        external=recorder.external,
    )


def _write_loss(
    code: _LossCode, writer: _Writer, out: Node, leaves: list[Node], recorder: _Recorder
) -> _Variant:
    names = writer.names
    function = names.claim(code.function)
    variables = {leaf: names.claim(leaf.label) for leaf in leaves}
    params = _parameter_variables(code, writer)
    section = _section(code, writer, out, variables, params, recorder, "loss")
    handles = {
        p: writer.handle(p, f"param_{params[p]}")
        for p in code.parameters
        if p in section.used_params
    }
    body = [
        *(f"{params[p]} = {handle}.data" for p, handle in handles.items()),
        *section.prologue,
        *section.lines,
        *(
            f"{handles[p]}.grad += {section.grads[p]}"
            for p in code.parameters
            if p in section.grads
        ),
        f"return {section.value}",
    ]
    header = [
        f"# Reads {len(handles)} parameters from .data, returns the loss and adds its"
        " gradient into each parameter's .grad."
    ]
    return writer.finish(function, [variables[leaf] for leaf in leaves], header, body)


def _write_batched(
    code: _LossCode,
    writer: _Writer,
    out: Node,
    penalty_out: Node | None,
    leaves: list[Node],
    call: _Call,
    recorder: _Recorder,
    penalty_recorder: _Recorder,
) -> _Variant:
    names = writer.names
    function = names.claim(code.function)
    columns = [names.claim(f"{code.arguments[i]}s") for i in range(len(call.shapes))]
    variables = {leaf: names.claim(leaf.label) for leaf in leaves}
    params = _parameter_variables(code, writer)
    accumulators = {p: names.claim(f"g_{params[p]}") for p in code.parameters}
    count, total, loss = names.claim("count"), names.claim("total"), names.claim("loss")
    seed = names.claim("seed") if code.reduction == "mean" else "1.0"
    sample = _section(
        code, writer, out, variables, params, recorder, "sample_loss", _atom(seed), accumulators
    )
    extra: _Section | None = None
    if penalty_out is not None:
        extra = _section(
            code, writer, penalty_out, {}, params, penalty_recorder, "penalty", _ONE, accumulators
        )
    used = sample.used_params | (extra.used_params if extra else set())
    grads = set(sample.grads) | set(extra.grads if extra else ())
    handles = {p: writer.handle(p, f"param_{params[p]}") for p in code.parameters if p in used}
    loop = _sample_loop(call.shapes, [variables[leaf] for leaf in leaves], columns)
    body = [
        *(f"{params[p]} = {handle}.data" for p, handle in handles.items()),
        *sample.prologue,
        *(extra.prologue if extra else []),
        f"{count} = len({columns[0]})",
        *([f"{seed} = 1.0 / {count}"] if code.reduction == "mean" else []),
        *(f"{accumulators[p]} = 0.0" for p in code.parameters if p in grads),
        f"{total} = 0.0",
        f"# each sample in turn; its loss counts 1/{count} (mean) or 1 (sum)",
        loop,
        *("    " + line for line in sample.lines),
        f"    {total} += {sample.value}",
        f"{loss} = {total} / {count}" if code.reduction == "mean" else f"{loss} = {total}",
    ]
    if extra is not None:
        body += ["# the penalty on the parameters", *extra.lines]
        body.append(f"{loss} = {loss} + {extra.value}")
    body += [f"{handles[p]}.grad += {accumulators[p]}" for p in code.parameters if p in grads]
    body.append(f"return {loss}")
    header = [
        f"# Runs the per-sample loss over a batch ({code.reduction}), reads"
        f" {len(handles)} parameters from .data and adds the gradient into .grad."
    ]
    return writer.finish(function, columns, header, body)


def _write_sgd(
    code: _LossCode,
    writer: _Writer,
    out: Node,
    leaves: list[Node],
    call: _Call,
    recorder: _Recorder,
) -> _Variant:
    """The generated function of `sgd_epoch`: per-sample SGD over the batch.

    Its arguments are the argument lists and the learning rate. The
    parameters are read into local variables once; after each sample's
    loss and gradients (the section of the unbatched loss), each is
    updated as ``w = w - lr * g_w``, which is ``p.data -= lr * g`` in
    floats, and they are written back to ``.data`` after the last sample.
    """
    names = writer.names
    function = names.claim(f"{code.function}_sgd_epoch")
    columns = [names.claim(f"{code.arguments[i]}s") for i in range(len(call.shapes))]
    variables = {leaf: names.claim(leaf.label) for leaf in leaves}
    params = _parameter_variables(code, writer)
    rate = names.claim("lr")
    count, total, loss = names.claim("count"), names.claim("total"), names.claim("loss")
    sample = _section(code, writer, out, variables, params, recorder, "sample_loss")
    handles = {p: writer.handle(p, f"param_{params[p]}") for p in code.parameters}
    # A gradient may be held in another parameter's variable (an alias the
    # section writes for large graphs): copy it before that one is updated.
    locals_of_params = set(params.values())
    copies: list[str] = []
    updates: list[str] = []
    for p in code.parameters:
        grad = sample.grads.get(p, "0.0")  # a parameter the loss does not use: 0.0
        if grad in locals_of_params and grad != params[p]:
            copy = names.claim(f"g_{params[p]}")
            copies.append(f"{copy} = {grad}")
            grad = copy
        updates.append(f"{params[p]} = {params[p]} - {rate} * {grad}")
    loop = _sample_loop(call.shapes, [variables[leaf] for leaf in leaves], columns)
    body = [
        *(f"{params[p]} = {handle}.data" for p, handle in handles.items()),
        *sample.prologue,
        f"{count} = len({columns[0]})",
        f"{total} = 0.0",
        "# each sample in turn: its loss and gradients, then the SGD step",
        loop,
        *("    " + line for line in sample.lines),
        f"    {total} += {sample.value}",
        *("    " + line for line in copies),
        *("    " + line for line in updates),
        f"{loss} = {total} / {count}" if code.reduction == "mean" else f"{loss} = {total}",
        "# every sample done: the parameters are written back",
        *(f"{handle}.data = {params[p]}" for p, handle in handles.items()),
        f"return {loss}",
    ]
    what = "loss_fn + penalty" if code.with_penalty else "loss_fn"
    header = [
        f"# One epoch of per-sample SGD on {what}, returning the {code.reduction} of the"
        " sample losses.",
        f"# Reads {len(handles)} parameters from .data, updates them per sample and writes"
        " them back; .grad is untouched.",
    ]
    return writer.finish(function, [*columns, rate], header, body)
