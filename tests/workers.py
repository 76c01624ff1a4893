"""Which worker process answered a request: every response names it in ``X-Gyanpath-Worker`` (gyanpath/api/worker.py).
Every request goes over a new connection (a new client), so the kernel spreads them over the workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from gyanpath.api.worker import HEADER


class Workers:
    """A service's workers, told apart by the name each response carries."""

    def __init__(self, base: str) -> None:
        self.base = base

    def request(
        self, method: str, path: str, *, client: Callable[[], httpx.Client] = httpx.Client, **options: Any
    ) -> tuple[httpx.Response, str]:
        """Send one request over a new connection; the answer, and the name of the worker that answered it."""
        with client() as session:
            response = session.request(method, f"{self.base}{path}", **options)
        worker = response.headers.get(HEADER)
        assert worker, f"{method} {path}: no {HEADER} header in the answer"
        return response, worker

    def from_each(
        self, count: int, method: str, path: str, *, ceiling: int = 200, **options: Any
    ) -> dict[str, httpx.Response]:
        """Send the same request over new connections until ``count`` different workers answered it (failing after
        ``ceiling`` requests); each worker's first answer, by name."""
        answers: dict[str, httpx.Response] = {}
        for _ in range(ceiling):
            response, worker = self.request(method, path, **options)
            answers.setdefault(worker, response)
            if len(answers) == count:
                return answers
        raise AssertionError(f"{len(answers)} of {count} workers answered {method} {path} in {ceiling} requests")
