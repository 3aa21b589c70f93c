"""The code writer: one traced graph in, the source of one straight-line Python function out.

Imports: `micrograd.node`, `micrograd.ops`; `arguments`, `emitters`, `errors`,
`expressions` and `tracing` of this package.
"""

from __future__ import annotations

import keyword
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from micrograd.compile.arguments import _Shape, _target
from micrograd.compile.emitters import _Emitter, _emitter_for
from micrograd.compile.errors import GraphTooLargeError, _BranchChanged
from micrograd.compile.expressions import (
    _ADD,
    _MUL,
    _ONE,
    _ZERO,
    _atom,
    _binary,
    _call,
    _comment,
    _compare,
    _Expr,
    _literal,
    _negate,
)
from micrograd.compile.tracing import _Guard
from micrograd.node import Node, topological_order
from micrograd.ops import Op, special

# Expressions are inlined into their single consumer up to this nesting depth,
# well inside the limits of Python's parser (200 nested parentheses) and compiler.
_MAX_DEPTH = 40


#: What the generated code sees besides its own variables.
_RUNTIME: dict[str, Any] = {
    "math": math,
    "exp": math.exp,
    "log": math.log,
    "log1p": math.log1p,
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "tanh": math.tanh,
    "inf": math.inf,
    "nan": math.nan,
    "BranchChanged": _BranchChanged,
    "special": special,  # the float special functions of micrograd.ops (emitters_math)
}
_RESERVED = (
    set(_RUNTIME)
    | set(keyword.kwlist)
    | set(getattr(keyword, "softkwlist", []))
    | {"abs", "max", "min", "float", "type", "print", "params", "captured"}
)


# ---------------------------------------------------------------------------
# Code generation

_IDENTIFIER = re.compile(r"[^0-9a-zA-Z_]+")


def _sample_loop(shapes: Sequence[_Shape], leaf_names: list[str], columns: list[str]) -> str:
    """The ``for`` line of a loop over samples: each column unpacked into its leaves' names."""
    names = iter(leaf_names)
    targets = [_target(shape, names) for shape in shapes]
    if len(columns) == 1:
        return f"for {targets[0]} in {columns[0]}:"
    return f"for {', '.join(targets)} in zip({', '.join(columns)}):"


class _Names:
    """Unique Python identifiers for one generated function."""

    def __init__(self) -> None:
        self.used: set[str] = set(_RESERVED)

    def claim(self, base: str) -> str:
        name = _IDENTIFIER.sub("_", base).strip("_") or "v"
        if name[0].isdigit():
            name = f"v{name}"
        candidate, n = name, 1
        while candidate in self.used:
            n += 1
            candidate = f"{name}_{n}"
        self.used.add(candidate)
        return candidate


@dataclass
class CompileStats:
    """Sizes and timings of one traced and generated function.

    Attributes:
        nodes: the nodes of the traced graph(s), leaves included.
        ops: the nodes computed by the generated code (constants folded away).
        guards: the comparisons of traced values that the code re-checks.
        statements: the statements of the generated function.
        source_chars: the length of its source.
        trace_seconds: the time spent running the function on Nodes.
        generate_seconds: the time spent writing the source.
        compile_seconds: the time Python's `compile()` took.
    """

    nodes: int = 0
    ops: int = 0
    guards: int = 0
    statements: int = 0
    source_chars: int = 0
    trace_seconds: float = 0.0
    generate_seconds: float = 0.0
    compile_seconds: float = 0.0


_SLOT = "\x00{}\x00"


class _OpInfo(NamedTuple):
    """What code generation needs to know about an op, worked out once per op."""

    emitter: _Emitter | None
    #: How many times the forward expression uses each input.
    forward_uses: tuple[int, ...]
    #: For each input, the values its local gradient refers to (index `arity`: the output).
    grad_refs: tuple[tuple[int, ...], ...]


def _op_info(op: Op, arity: int) -> _OpInfo:
    """Find out what an op's code refers to, by emitting it once with placeholders."""
    emitter = _emitter_for(op)
    if emitter is None:
        everything = tuple(range(arity + 1))
        return _OpInfo(None, (1,) * arity, (everything,) * arity)
    slots = [_atom(_SLOT.format(i)) for i in range(arity)]
    out = _atom(_SLOT.format(arity))
    text = emitter.forward(op, slots)[0]
    uses = tuple(text.count(slot[0]) for slot in slots)
    marks = [slot[0] for slot in (*slots, out)]
    refs = tuple(
        tuple(k for k, mark in enumerate(marks) if mark in grad[0])
        for grad in emitter.grads(op, slots, out)
    )
    return _OpInfo(emitter, uses, refs)


_PENDING: _Expr = ("", 0, -1)


def _reached(order: list[Node], root: Node, external: frozenset[Node] | set[Node]) -> list[Node]:
    """The nodes of `order` that `root` reaches without passing through an external node."""
    reached = {root}
    stack = [root]
    while stack:
        node = stack.pop()
        if node in external:
            continue
        for x in node.inputs:
            if x not in reached:
                reached.add(x)
                stack.append(x)
    return [node for node in order if node in reached]


def _program_order(
    root: Node,
    index: dict[Node, int],
    nodes: list[Node],
    inputs_of: list[tuple[int, ...]],
    external: frozenset[Node] | set[Node] = frozenset(),
) -> None:
    """Number `root`'s graph after `nodes`, each node after its inputs, left to right.

    An iterative depth-first search like `topological_order`'s, but visiting
    each node's inputs in their own order: the order in which the program
    computed them. Each node's inputs are recorded as numbers in `inputs_of`.
    A node of `external` (made before the trace) counts as a leaf: its value
    is read, not recomputed.
    """
    if root in index:
        return
    expanded: set[Node] = set()
    stack = [root]
    pop, push = stack.pop, stack.append
    number = index.__getitem__
    while stack:
        node = pop()
        if node in index:
            continue
        inputs = () if node in external else node.inputs
        if node in expanded or not inputs:
            index[node] = len(nodes)
            nodes.append(node)
            inputs_of.append(tuple(map(number, inputs)))
            continue
        expanded.add(node)
        push(node)
        for k in range(len(inputs) - 1, -1, -1):
            if inputs[k] not in expanded:
                push(inputs[k])


class _Section(NamedTuple):
    """One traced graph written as code: its forward pass, guards and backward pass."""

    prologue: list[str]  # reads of Nodes captured from outside, once per call
    lines: list[str]
    value: str  # the output's value: a name or a literal
    grads: dict[Node, str]  # differentiated leaf -> the variable holding its gradient
    used_params: set[Node]


class _Variant(NamedTuple):
    """One traced and generated version of a function."""

    function: Callable[..., Any]
    source: str
    guards: list[_Guard]
    stats: CompileStats


class _Writer:
    """Writes one generated function, from one or more traced graphs.

    The sections of a function share its names, its namespace (what the code
    can call) and the numbering of its guards.
    """

    def __init__(self, origin: str, max_nodes: int | None) -> None:
        self.origin = origin
        self.max_nodes = max_nodes
        self.names = _Names()
        self.namespace: dict[str, Any] = dict(_RUNTIME)
        self.guards: list[_Guard] = []
        self.nodes = 0
        self.ops = 0
        self.started = time.perf_counter()
        self._generic: dict[Op, tuple[str, str]] = {}
        self._infos: dict[tuple[Op, int], _OpInfo] = {}

    def handle(self, obj: object, base: str) -> str:
        """A global name under which the generated code sees `obj`."""
        name = self.names.claim(base)
        self.namespace[name] = obj
        return name

    def _generic_names(self, op: Op) -> tuple[str, str]:
        """Names under which the generated code calls an op that has no emitter."""
        if op not in self._generic:
            # Bound methods, or for ops made by @op the function and the formula.
            forward = self.handle(op.forward, op.name)
            # float_grads: the formula checked as eager backward() checks it.
            self._generic[op] = (forward, self.handle(op.float_grads, f"{forward}_local_grads"))
        return self._generic[op]

    def section(
        self,
        output: Node,
        *,
        variables: dict[Node, str],
        params: dict[Node, str],
        wrt: Sequence[Node],
        constants: set[Node],
        guards: Sequence[_Guard],
        output_name: str = "out",
        seed: _Expr = _ONE,
        accumulators: dict[Node, str] | None = None,
        external: frozenset[Node] | set[Node] = frozenset(),
    ) -> _Section:
        """Write the forward and backward pass of `output`'s graph.

        Args:
            variables: leaves held in variables already (arguments, loop variables).
            params: leaves whose values the caller reads from ``.data`` into
                these variables before the section runs.
            wrt: the leaves whose gradients are wanted.
            constants: leaves made from plain numbers: written as literals.
            guards: comparisons recorded while tracing, checked by the code.
            seed: the output's adjoint (1.0, or a name).
            accumulators: for leaves of `wrt`, variables that the gradient is
                added into (the caller initialises them), instead of new ones.
            external: Nodes made before the trace (`micrograd.compile.tracing`):
                read live from ``.data`` like captured leaves, never recomputed.

        Nodes are numbered in forward order and every analysis works on those
        numbers, so a graph of 100,000 nodes is written in well under a second.
        """
        names = self.names
        # -- the order: nodes the guards look at (in the order they were
        # compared), then the output's graph, each in the order the program
        # computed them. Backward follows the order eager backward() uses, so
        # that sums accumulate alike.
        backward_nodes = topological_order(output)
        if external:  # what lies only below an external node is not computed here
            backward_nodes = _reached(backward_nodes, output, external)
        nodes: list[Node] = []
        index: dict[Node, int] = {}
        inputs_of: list[tuple[int, ...]] = []  # each node's inputs, by number
        for guard in guards:
            for side in (guard.node, guard.other):
                if isinstance(side, Node):
                    _program_order(side, index, nodes, inputs_of, external)
        _program_order(output, index, nodes, inputs_of, external)
        n = len(nodes)
        self.nodes += n
        if self.max_nodes is not None and self.nodes > self.max_nodes:
            raise GraphTooLargeError(
                f"{self.origin}: the traced graph has {self.nodes:,} nodes, more than"
                f" max_nodes={self.max_nodes:,}. Python's compiler needs about 10"
                " microseconds per generated statement, so a graph this size is better"
                " run eagerly (backward()), or compiled for one sample and run over the"
                " batch (compile_loss(..., batched=True)); pass max_nodes=None to compile"
                " it anyway."
            )
        ops_of = cast("list[Op | None]", [node.op for node in nodes])
        root = index[output]
        back_ids = [index[node] for node in backward_nodes]
        wrt_ids = {index[node] for node in wrt if node in index}

        # -- what each node is: a variable, a literal, a captured Node, or computed
        static = [False] * n  # depends on plain numbers only: becomes a literal
        captured: list[int] = []  # Nodes from outside the function: read live
        for i, ins in enumerate(inputs_of):
            if not ins:
                node = nodes[i]
                if node in variables or node in params:
                    continue
                if node in constants:
                    static[i] = True
                else:
                    captured.append(i)
            else:
                for j in ins:
                    if not static[j]:
                        break
                else:
                    static[i] = True
        needs = [False] * n  # leads to a differentiated leaf
        for i in wrt_ids:
            needs[i] = True
        for i, ins in enumerate(inputs_of):
            if ins and not static[i]:
                for j in ins:
                    if needs[j]:
                        needs[i] = True
                        break
        reached = [False] * n  # in the output's graph (not only in a guard's)
        for i in back_ids:
            reached[i] = True

        # -- which values live in variables: used more than once, used by a
        # local gradient or a guard, labelled, or the output; others are inlined.
        def info_of(i: int) -> _OpInfo:
            op = ops_of[i]
            assert op is not None
            key = (op, len(inputs_of[i]))
            found = self._infos.get(key)
            if found is None:
                found = self._infos[key] = _op_info(op, key[1])
            return found

        uses = [0] * n
        named = [False] * n
        named[root] = True
        for guard in guards:
            named[index[guard.node]] = True
            if isinstance(guard.other, Node):
                named[index[guard.other]] = True
        for i, ins in enumerate(inputs_of):
            if not ins or static[i]:
                continue
            if nodes[i].label:
                named[i] = True
            info = info_of(i)
            for j, count in zip(ins, info.forward_uses):
                uses[j] += count
                if count > 1:
                    named[j] = True
            if needs[i] and reached[i]:
                for j, refs in zip(ins, info.grad_refs):
                    if needs[j]:
                        for k in refs:
                            named[ins[k] if k < len(ins) else i] = True

        # -- the values the section starts from
        value_names: list[str] = [""] * n
        expr: list[_Expr] = [_PENDING] * n
        used_params: set[Node] = set()
        literals: dict[float, _Expr] = {}
        for i, node in enumerate(nodes):
            if static[i]:
                data = node.data
                if not data:  # 0.0 and -0.0 are equal as keys, not as literals
                    expr[i] = _literal(data)
                    continue
                if data not in literals:  # (nan is never found: each gets its own)
                    literals[data] = _literal(data)
                expr[i] = literals[data]
            elif node in variables or node in params:
                value_names[i] = variables[node] if node in variables else params[node]
                expr[i] = _atom(value_names[i])
                if node in params:
                    used_params.add(node)
        prologue: list[str] = []
        for k, i in enumerate(captured):
            value_names[i] = names.claim(nodes[i].label or f"captured{k}")
            handle = self.handle(nodes[i], f"node_{value_names[i]}")
            prologue.append(f"{value_names[i]} = {handle}.data")
            expr[i] = _atom(value_names[i])

        def value_name(i: int) -> str:
            if not value_names[i]:
                label = nodes[i].label or (output_name if i == root else f"v{i}")
                value_names[i] = names.claim(label)
            return value_names[i]

        def adjoint_name(i: int) -> str:
            return names.claim(f"g_{value_names[i] or f'v{i}'}")

        lines: list[str] = []

        # -- guards: each checked as soon as both of its sides are computed
        guards_at: dict[int, list[tuple[int, _Guard]]] = {}
        for guard in guards:
            left = index[guard.node]
            right = index[guard.other] if isinstance(guard.other, Node) else left
            if static[left] and static[right]:
                continue  # compares plain numbers: always comes out the same
            guards_at.setdefault(max(left, right), []).append((len(self.guards), guard))
            self.guards.append(guard)

        def emit_guards(at: int) -> None:
            for k, guard in guards_at[at]:
                other = guard.other
                right = expr[index[other]] if isinstance(other, Node) else _literal(other)
                test = _compare(expr[index[guard.node]], guard.symbol, right)
                where = _comment(guard.where)
                lines.append(f"if {f'not ({test})' if guard.outcome else test}:  # {where}")
                lines.append(f"    raise BranchChanged({k})")

        # -- forward
        lines.append("# forward: each op's value")
        for i in range(n):
            if expr[i] is _PENDING:
                op = ops_of[i]
                assert op is not None
                arguments = [expr[j] for j in inputs_of[i]]
                emitter = info_of(i).emitter
                if emitter is None:
                    value = _call("float", _call(self._generic_names(op)[0], *arguments))
                else:
                    value = emitter.forward(op, arguments)
                if not named[i] and uses[i] == 1 and value[2] < _MAX_DEPTH:
                    expr[i] = value  # written into its one consumer
                else:
                    name = value_name(i)
                    lines.append(f"{name} = {value[0]}")
                    expr[i] = _atom(name)
            if i in guards_at:
                emit_guards(i)
        self.ops += sum(1 for i in range(n) if inputs_of[i] and not static[i])

        # -- backward: the chain rule in reverse topological order. A node's
        # adjoint is the sum of its consumers' contributions, added in the
        # order eager backward() adds them.
        terms: dict[int, list[_Expr]] = {}
        grads: dict[Node, str] = {}

        def sum_terms(i: int, parts: list[_Expr], var: str | None) -> tuple[_Expr, str | None]:
            """The terms added left to right; a long sum goes through a variable in pieces."""
            if len(parts) == 1:
                return parts[0], var
            first = parts[0]
            pieces = [first[0] if first[1] >= _ADD else f"({first[0]})"]
            depth = first[2]
            for part in parts[1:]:
                depth = max(depth, part[2]) + 1
                if depth >= _MAX_DEPTH:
                    var = var or adjoint_name(i)
                    lines.append(f"{var} = {' + '.join(pieces)}")
                    pieces = [var]
                    depth = part[2] + 1
                pieces.append(part[0] if part[1] > _ADD else f"({part[0]})")
            return (" + ".join(pieces), _ADD, depth), var

        if any(reached[i] for i in wrt_ids):
            lines.append("# backward: g_<name> is d(output)/d(<name>), by the chain rule")
        # `g_b = g_v9` reads well, but costs a statement per gradient: named
        # only while there are few of them.
        readable_aliases = len(wrt_ids) <= 100
        for i in reversed(back_ids):
            if not needs[i]:
                continue
            var: str | None = None
            node = nodes[i]
            if i == root:
                adjoint = seed
            else:
                parts = terms.pop(i, None)
                if not parts:
                    continue
                if accumulators is not None and node in accumulators:
                    var = accumulators[node]
                    parts = [_atom(var), *parts]
                elif i in wrt_ids and not inputs_of[i]:
                    # Eager backward() adds into a .grad that starts at 0.0, which
                    # turns a sum of -0.0 into 0.0: the same first term here.
                    parts = [_ZERO, *parts]
                adjoint, var = sum_terms(i, parts, var)
            ins = inputs_of[i]
            if not ins:
                if i in wrt_ids:
                    if var is None and adjoint[2] == 0 and not readable_aliases:
                        grads[node] = adjoint[0]  # a name or a literal already
                        continue
                    name = var or adjoint_name(i)
                    if adjoint[0] != name:
                        lines.append(f"{name} = {adjoint[0]}")
                    grads[node] = name
                continue
            targets = [k for k, j in enumerate(ins) if needs[j]]
            if adjoint[2] > 0 and (len(targets) > 1 or adjoint[2] >= _MAX_DEPTH):
                var = var or adjoint_name(i)
                lines.append(f"{var} = {adjoint[0]}")
                adjoint = _atom(var)
            op = ops_of[i]
            assert op is not None
            arguments = [expr[j] for j in ins]
            emitter = info_of(i).emitter
            local: Sequence[_Expr]
            if emitter is None:
                unpacked = [
                    names.claim(f"d{i}_{k}") if k in targets else "_" for k in range(len(ins))
                ]
                call = _call(self._generic_names(op)[1], *arguments, expr[i])[0]
                lines.append(f"{', '.join(unpacked)}, = {call}")
                local = [_atom(u) for u in unpacked]
            else:
                local = emitter.grads(op, arguments, expr[i])
            for k in targets:
                factor = local[k]
                if factor[0] == "1.0":
                    contribution = adjoint
                elif adjoint[0] == "1.0":
                    contribution = factor
                elif factor[0] == "-1.0":
                    contribution = _negate(adjoint)
                elif adjoint[0] == "-1.0":
                    contribution = _negate(factor)
                else:
                    contribution = _binary(adjoint, "*", factor, _MUL)
                terms.setdefault(ins[k], []).append(contribution)
        return _Section(prologue, lines, expr[root][0], grads, used_params)

    def finish(
        self, name: str, signature: Sequence[str], header: list[str], body: list[str]
    ) -> _Variant:
        """Compile the function and load it into its own namespace."""
        source = "\n".join(
            [
                f"# Generated by micrograd's compiled mode from {_comment(self.origin)}.",
                f"# {self.nodes} nodes traced, {self.ops} ops computed,"
                f" {len(self.guards)} guard(s).",
                *header,
                f"def {name}({', '.join(signature)}):",
                *["    " + line for line in body],
            ]
        )
        source += "\n"
        generated_at = time.perf_counter()
        code = compile(source, f"<micrograd compiled {_comment(self.origin)}>", "exec")
        exec(code, self.namespace)
        done = time.perf_counter()
        stats = CompileStats(
            nodes=self.nodes,
            ops=self.ops,
            guards=len(self.guards),
            statements=sum(1 for line in body if not line.lstrip().startswith(("#", "raise"))),
            source_chars=len(source),
            generate_seconds=generated_at - self.started,
            compile_seconds=done - generated_at,
        )
        return _Variant(self.namespace[name], source, list(self.guards), stats)


def _layout(layout: Any, texts: list[str]) -> str:
    """Source of a (nested) tuple of gradient names, as laid out by `layout`."""
    if isinstance(layout, int):
        return texts[layout]
    inner = [_layout(item, texts) for item in layout]
    return f"({inner[0]},)" if len(inner) == 1 else f"({', '.join(inner)})"
