"""Waiting for something to happen without timing assertions: poll its condition, with a generous ceiling.

A test never asserts how long something took (speed targets are checked by the benchmarks in ``bench/``); when it
must wait for another thread or process, it polls the condition it waits for. The ceiling only stops a test that
would otherwise hang, so it is far above what the slowest CI machine needs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

CEILING_S = 30.0
"""The default ceiling: generous, since a loaded two-core CI machine can be many times slower than a laptop."""


def wait_until(
    predicate: Callable[[], T],
    *,
    timeout: float = CEILING_S,
    interval: float = 0.02,
    what: str | Callable[[], str] | None = None,
) -> T:
    """Poll ``predicate`` until it returns something truthy, and return that; fail the test, saying what was awaited
    (``what``, or a function that says it as it stands then), when it has not come true within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            name = (what() if callable(what) else what) or getattr(predicate, "__name__", repr(predicate))
            raise AssertionError(f"still waiting after {timeout:g} s for: {name}")
        time.sleep(interval)
