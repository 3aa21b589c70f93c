"""Markdown report of a benchmark run: machine, summary, details, memory, targets."""

from __future__ import annotations

import dataclasses
import math
import os
import platform
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from .reference import CHECK_SOURCE, REL_TOL
from .workloads import WORKLOADS

Outcome = dict[str, Any]
"""A worker's JSON result: timings and checks, or an ``error`` entry."""

Stat = Literal["median", "min"]
"""Which statistic of a cell's times a ratio compares."""


@dataclass(frozen=True)
class Cell:
    """One timed workload at one size, with its repetition counts.

    ``reps`` is the total number of timed repetitions per engine. They are split into
    ``rounds`` worker runs per engine, interleaved across engines (see ``run.py``), each
    with its own warm-up; ``1 <= rounds <= reps``.
    """

    workload: str
    size: int
    reps: int
    warmup_size: int | None = None
    rounds: int = 1

    def __post_init__(self) -> None:
        if self.reps < 1:
            raise ValueError(f"reps must be at least 1, not {self.reps}")
        if not 1 <= self.rounds <= self.reps:
            raise ValueError(f"rounds must be between 1 and reps={self.reps}, not {self.rounds}")

    def with_reps(self, reps: int) -> Cell:
        """The same cell with ``reps`` repetitions in total, its rounds capped at ``reps``."""
        return dataclasses.replace(self, reps=reps, rounds=min(self.rounds, reps))

    def round_reps(self) -> list[int]:
        """Repetitions of each round: ``reps`` split as evenly as possible, larger shares first."""
        share, extra = divmod(self.reps, self.rounds)
        return [share + 1 if index < extra else share for index in range(self.rounds)]

    @property
    def key(self) -> str:
        """Short unique name, e.g. ``W2 n=100000``."""
        return f"{self.workload} n={self.size}"

    @property
    def title(self) -> str:
        """Human title, e.g. ``W2 deep chain, 100,000 steps``."""
        info = WORKLOADS[self.workload]
        return f"{self.workload} {info.short}, {self.size:,} {info.size_name}"


@dataclass(frozen=True)
class Target:
    """A performance goal of one engine, checked against the measurements of the same run.

    ``kind`` is ``"ratio"`` (the engine's median over the ``versus`` engine's, in the
    workload's smallest cell), ``"scaling"`` (the engine's median in the workload's largest
    cell over its smallest) or ``"memory"`` (the engine's bytes per node over the
    ``versus`` engine's). The report shows the timing ratios for the minimum times too, but
    judges the medians. ``versus`` None means the run's baseline. In ``text``, ``{small}``
    and ``{large}`` stand for the workload's smallest and largest size.
    """

    engine: str
    text: str
    kind: str
    limit: float
    workload: str = ""
    versus: str | None = None


TARGETS: tuple[Target, ...] = (
    Target("ours", "W1 step time at most 0.1x micrograd's", "ratio", 0.1, "W1"),
    Target("ours", "W4 epoch time at most 0.5x micrograd's", "ratio", 0.5, "W4"),
    Target("ours", "W2 at {small} steps: time at most 0.2x micrograd's", "ratio", 0.2, "W2"),
    Target("ours", "W2 time at {large} steps at most 12x that at {small}", "scaling", 12.0, "W2"),
    Target("ours", "Bytes per graph node at most 0.4x micrograd's", "memory", 0.4),
    Target("compiled", "W1 step time at most 2x the floats'", "ratio", 2.0, "W1", "floats"),
    Target("compiled", "W4 epoch time at most 2x the floats'", "ratio", 2.0, "W4", "floats"),
    Target("compiled", "W1 step time at most 0.05x micrograd's (20x faster)", "ratio", 0.05, "W1"),
)
"""The goals of the eager engine and of compiled mode."""


@dataclass
class RunData:
    """Everything a report is made from."""

    mode: str
    engines: list[tuple[str, str]]  # (key, label) in report order
    baseline: str
    probes: dict[str, Outcome]
    cells: list[Cell]
    results: dict[tuple[str, str], Outcome]  # (cell key, engine key) -> outcome
    node_memory: dict[str, Outcome] = field(default_factory=dict)
    node_terms: int = 0
    recursion: dict[tuple[str, str], Outcome] = field(default_factory=dict)  # (probe, engine)
    recursion_probes: list[Cell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


# ------------------------------------------------------------------ formatting


def _three_digits(x: float) -> str:
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_time(seconds: float) -> str:
    """Seconds as a short human string with three significant digits."""
    if seconds >= 1:
        return f"{_three_digits(seconds)} s"
    if seconds >= 1e-3:
        return f"{_three_digits(seconds * 1e3)} ms"
    return f"{_three_digits(seconds * 1e6)} us"


def fmt_bytes(n: float) -> str:
    """A byte count in KiB, MiB or GiB."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{_three_digits(n / scale)} {unit}"
    return f"{n:.0f} B"


def fmt_ratio(r: float | None) -> str:
    """A ratio to the baseline, like ``0.083x``."""
    if r is None or math.isnan(r):
        return "n/a"
    if r >= 100:
        return f"{r:.0f}x"
    if r >= 0.01:
        return f"{r:.3g}x"
    return f"{r:.2g}x"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# -------------------------------------------------------------------- machine


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, or what ``platform`` knows."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.machine()


def memory_total() -> str:
    """Total memory from /proc/meminfo, or ``?``."""
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return "?"
    match = re.search(r"^MemTotal:\s*(\d+) kB", text, re.MULTILINE)
    return fmt_bytes(int(match.group(1)) * 1024) if match else "?"


def git_revision(root: Path) -> str:
    """Short commit of the working tree, marked when it has uncommitted changes."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + (" (with uncommitted changes)" if dirty.strip() else "")


# ---------------------------------------------------------------------- cells


def cell_text(outcome: Outcome | None) -> str:
    """Median time of a cell, or its error."""
    if outcome is None:
        return "not run"
    if "error" in outcome:
        return str(outcome["error"])
    return fmt_time(outcome["median"])


def ratio(
    data: RunData, cell: Cell, engine: str, versus: str | None = None, stat: Stat = "median"
) -> float | None:
    """Time of ``engine`` over ``versus``'s (default: the baseline's) in one cell.

    ``stat`` picks the statistic compared: the median or the minimum of each engine's times.
    None when either engine has no such time in this run.
    """
    mine = data.results.get((cell.key, engine), {})
    base = data.results.get((cell.key, versus or data.baseline), {})
    if stat not in mine or stat not in base or base[stat] <= 0:
        return None
    return float(mine[stat]) / float(base[stat])


def reps_text(outcome: Outcome) -> str:
    """Number of timed repetitions of a cell, with the rounds they ran in when more than one."""
    rounds = int(outcome.get("rounds", 1))
    return f"{outcome['reps']} ({rounds} rounds)" if rounds > 1 else str(outcome["reps"])


def check_text(cell: Cell, outcome: Outcome) -> str:
    """Correctness verdict of a cell with the largest relative error seen."""
    check = outcome.get("check")
    if check is None:
        return "-"
    if check == "reference":
        return "reference"
    err = outcome.get("max_rel_err")
    err_text = "inf" if err is None else f"{err:.1g}"
    source = CHECK_SOURCE[cell.workload]
    if check == "ok":
        return f"ok vs {source} (max rel err {err_text})"
    return f"**MISMATCH** vs {source} (max rel err {err_text} > {REL_TOL:g})"


def peak_text(outcome: Outcome) -> str:
    """Peak memory of a cell, marked when measured by tracemalloc rather than RSS."""
    peak = outcome.get("peak_bytes")
    if peak is None:
        return "-"
    return fmt_bytes(peak) + (" *traced*" if outcome.get("peak_method") == "traced" else "")


def bytes_per_node(outcome: Outcome | None) -> float | None:
    """Bytes per graph node from a node-memory outcome, if measured."""
    if not outcome or not outcome.get("node_memory"):
        return None
    mem = outcome["node_memory"]
    return float(mem["graph_bytes"]) / mem["nodes"] if mem["nodes"] else None


# ------------------------------------------------------------------- sections


def _header(data: RunData, root: Path) -> list[str]:
    lines = [
        "# Benchmark results",
        "",
        f"Run on {data.started:%Y-%m-%d %H:%M} UTC ({data.mode} sizes) with "
        "`python benchmarks/run.py`; see `benchmarks/README.md` for the method.",
        "",
        "## Machine and versions",
        "",
        f"- CPU: {cpu_model()}; {os.cpu_count()} logical cores; memory {memory_total()}",
        f"- OS: {platform.platform()}",
    ]
    pythons = sorted(
        {
            f"{p.get('implementation', '')} {p.get('python', '?')}".strip()
            for p in data.probes.values()
            if "error" not in p
        }
    )
    lines.append(f"- Python: {', '.join(pythons) or platform.python_version()}")
    for key, label in data.engines:
        probe = data.probes.get(key, {})
        if "error" in probe:
            lines.append(f"- {label}: {probe['error']}")
        else:
            lines.append(
                f"- {label}: version {probe.get('version', '?')}, "
                f"from `{_short_path(probe.get('location', '?'), root)}`"
            )
    lines.append(f"- Project commit: {git_revision(root)}")
    lines.extend(f"- Note: {note}" for note in data.notes)
    return [*lines, ""]


def _short_path(path: str, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return path


def _summary(data: RunData) -> list[str]:
    base_label = dict(data.engines).get(data.baseline, "")
    header = ["Workload", *(label for _, label in data.engines)]
    rows = []
    for cell in data.cells:
        row = [cell.title]
        for key, _ in data.engines:
            outcome = data.results.get((cell.key, key))
            text = cell_text(outcome)
            r = ratio(data, cell, key)
            if r is not None and key != data.baseline:
                text += f" ({fmt_ratio(r)})"
            row.append(text)
        rows.append(row)
    return [
        "## Summary",
        "",
        "Median time per run, over the repetitions of all rounds; in brackets the ratio of "
        f"this median to {base_label or 'the baseline'}'s, measured in this same run "
        "(lower is faster). The ratios of the minimum times are in the details.",
        "",
        *_table(header, rows),
        "",
    ]


def _details(data: RunData) -> list[str]:
    header = [
        "Workload",
        "Engine",
        "Median",
        "Min",
        "Reps",
        "median vs baseline",
        "min vs baseline",
        "Peak memory",
        "Check",
    ]
    rows = []
    for cell in data.cells:
        for key, label in data.engines:
            outcome = data.results.get((cell.key, key))
            if outcome is None:
                continue
            if "error" in outcome:
                rows.append([cell.title, label, str(outcome["error"]), *["-"] * 6])
                continue
            rows.append(
                [
                    cell.title,
                    label,
                    fmt_time(outcome["median"]),
                    fmt_time(outcome["min"]),
                    reps_text(outcome),
                    fmt_ratio(ratio(data, cell, key)),
                    fmt_ratio(ratio(data, cell, key, stat="min")),
                    peak_text(outcome),
                    check_text(cell, outcome),
                ]
            )
    return [
        "## Details",
        "",
        "Median and min are taken over the repetitions of all rounds together; the two ratio "
        "columns divide them by the baseline's median and min in the same cell. On a shared "
        "machine the min is the least disturbed by other load.",
        "",
        "Peak memory: how far one separate, untimed run (in the first round) raised the "
        "worker's resident memory above its level at the start of that run (Linux peak RSS; "
        "marked *traced* where `tracemalloc` had to be used instead).",
        "",
        *_table(header, rows),
        "",
    ]


def _node_memory(data: RunData) -> list[str]:
    if not data.node_memory:
        return []
    base = bytes_per_node(data.node_memory.get(data.baseline))
    header = ["Engine", "Nodes", "Graph bytes", "Bytes per node", "vs baseline"]
    rows = []
    for key, label in data.engines:
        outcome = data.node_memory.get(key)
        if outcome is None:
            continue
        if "error" in outcome:
            rows.append([label, str(outcome["error"]), "-", "-", "-"])
            continue
        per_node = bytes_per_node(outcome)
        if per_node is None:
            rows.append([label, "-", "-", "n/a", "-"])
            continue
        mem = outcome["node_memory"]
        rows.append(
            [
                label,
                f"{mem['nodes']:,}",
                fmt_bytes(mem["graph_bytes"]),
                f"{per_node:.0f}",
                fmt_ratio(per_node / base if base else None),
            ]
        )
    return [
        "## Memory per graph node",
        "",
        f"Graph of `sum(a_i * b_i)` over {data.node_terms:,} pairs of leaves (leaves, "
        "products and partial sums all count as nodes), built under `tracemalloc`: traced "
        "bytes held by the live graph after the forward pass, divided by the number of nodes "
        "reachable from its root. n/a: the engine keeps no graph or cannot count its nodes.",
        "",
        *_table(header, rows),
        "",
    ]


def _recursion(data: RunData) -> list[str]:
    if not data.recursion:
        return []
    header = ["Engine", *(cell.title for cell in data.recursion_probes)]
    rows = []
    for key, label in data.engines:
        if not any((probe.key, key) in data.recursion for probe in data.recursion_probes):
            continue
        row = [label]
        for probe in data.recursion_probes:
            outcome = data.recursion.get((probe.key, key))
            if outcome is None:
                row.append("not run")
            elif "error" in outcome:
                row.append(str(outcome["error"]))
            else:
                row.append("ok" if outcome.get("check") in ("ok", "reference") else "wrong")
        rows.append(row)
    return [
        "## Without raising the recursion limit",
        "",
        "The same workloads at small sizes with Python's default recursion limit "
        "(the timed cells above raise it for engines that need it).",
        "",
        *_table(header, rows),
        "",
    ]


def target_value(data: RunData, target: Target, stat: Stat = "median") -> float | None:
    """What a target measures in this run, or None if the run lacks the numbers.

    Timing targets compare ``stat`` (the median or the minimum) of each cell's times;
    memory targets do not depend on ``stat``.
    """
    if target.kind == "memory":
        mine = bytes_per_node(data.node_memory.get(target.engine))
        base = bytes_per_node(data.node_memory.get(target.versus or data.baseline))
        return mine / base if mine is not None and base else None
    cells = sorted((c for c in data.cells if c.workload == target.workload), key=lambda c: c.size)
    if not cells:
        return None
    if target.kind == "ratio":
        return ratio(data, cells[0], target.engine, target.versus, stat)
    small = data.results.get((cells[0].key, target.engine), {})
    large = data.results.get((cells[-1].key, target.engine), {})
    if len(cells) < 2 or stat not in small or stat not in large or small[stat] <= 0:
        return None
    return float(large[stat]) / float(small[stat])


def _target_text(data: RunData, target: Target) -> str:
    sizes = sorted(c.size for c in data.cells if c.workload == target.workload) or [0]
    return target.text.format(small=f"{sizes[0]:,}", large=f"{sizes[-1]:,}")


def _targets(data: RunData) -> list[str]:
    labels = dict(data.engines)
    rows = []
    for target in TARGETS:
        if target.engine not in labels:
            continue
        if target.kind != "memory" and not any(c.workload == target.workload for c in data.cells):
            continue
        if target.kind == "memory" and not data.node_memory:
            continue
        measured = target_value(data, target)
        if measured is None:
            shown, met = "n/a", "-"
        else:
            shown, met = fmt_ratio(measured), "yes" if measured <= target.limit else "**no**"
        if target.kind == "memory":
            shown_min = "-"
        else:
            shown_min = fmt_ratio(target_value(data, target, stat="min"))
        rows.append([labels[target.engine], _target_text(data, target), shown, shown_min, met])
    if not rows:
        return []
    return [
        "## Targets",
        "",
        "The goals of the eager engine and of compiled mode, checked against the measurements "
        "of this run. *Medians* divides median times, *Minima* minimum times (bytes per node "
        "have one value only); *Met* judges the ratio of medians.",
        "",
        *_table(["Engine", "Target", "Medians", "Minima", "Met"], rows),
        "",
    ]


def render(data: RunData, root: Path) -> str:
    """The whole markdown report."""
    lines = [
        *_header(data, root),
        *_summary(data),
        *_details(data),
        *_node_memory(data),
        *_recursion(data),
        *_targets(data),
    ]
    return "\n".join(lines).rstrip() + "\n"
