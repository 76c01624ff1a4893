"""Shared helpers for benchmarks: timing, percentiles, table printing and a scratch data directory."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console(width=160)


def time_calls(call: Callable[[], object], repeats: int, warmup: int = 3) -> list[float]:
    """Milliseconds per call over ``repeats`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000.0)
    return timings


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100.0 * (len(ordered) - 1))))]


def summary(values: Sequence[float]) -> tuple[float, float, float]:
    return percentile(values, 50), percentile(values, 95), statistics.fmean(values)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)


def scratch_home(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"gyanpath-bench-{name}-"))
