"""The per-address rate limit cannot be dodged by sending X-Forwarded-For: the real server (``gyanpath serve``, one
worker, and uvicorn with two) trusts proxy headers only from the addresses GYANPATH_FORWARDED_ALLOW_IPS names."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from gyanpath.devserver import running_service

pytestmark = pytest.mark.slow
LIMIT = 4


def statuses(base: str, rotate: bool) -> list[int]:
    found = []
    for n in range(3 * LIMIT):  # no key: the client address is the identity
        headers = {"X-Forwarded-For": f"203.0.113.{n + 1}", "Connection": "close"} if rotate else {}
        found.append(httpx.get(f"{base}/roles", headers=headers, timeout=10).status_code)
    return found


def environment(home: Path, trusted: str) -> dict[str, str]:
    return {
        **os.environ,
        "GYANPATH_HOME": str(home),
        "GYANPATH_EMBEDDER": "hashing",
        "GYANPATH_RATE_LIMIT": f"{LIMIT}/minute",
        "GYANPATH_REDIS_URL": "",
        "GYANPATH_FORWARDED_ALLOW_IPS": trusted,
    }


def until_every_worker_is_limited(base: str, workers: int, ceiling: int = 50 * LIMIT) -> list[int]:
    """Statuses of requests with a new X-Forwarded-For each, over new connections, sent until every worker has used
    up its own limit, then ``2 * LIMIT`` more. Without Redis each worker counts on its own, so a worker answers at
    most ``LIMIT`` requests before 429: ``workers * LIMIT`` answers that are not 429 prove that each worker answered
    (at least ``LIMIT`` times), and a worker that trusted the header would answer more than ``LIMIT`` of them."""
    found: list[int] = []
    limited_at: int | None = None  # how many requests it took until every worker had answered LIMIT of them
    while limited_at is None or len(found) < limited_at + 2 * LIMIT:
        assert len(found) < ceiling, f"not every worker answered in {ceiling} requests: {found}"
        headers = {"X-Forwarded-For": f"203.0.{len(found) // 250}.{len(found) % 250 + 1}", "Connection": "close"}
        found.append(httpx.get(f"{base}/roles", headers=headers, timeout=10).status_code)
        if limited_at is None and len(found) - found.count(429) >= workers * LIMIT:
            limited_at = len(found)
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_rotating_x_forwarded_for_does_not_reset_the_limit(tmp_path: Path, workers: int) -> None:
    env = environment(tmp_path / "home", "")
    with running_service(env, tmp_path / "server.log", workers=workers, timeout=60, require_index=False) as base:
        seen = until_every_worker_is_limited(base, workers)
    print(f"{workers} worker(s) limited the address after {len(seen) - 2 * LIMIT} requests")
    assert set(seen) <= {401, 429}, seen  # no key: 401 until the address is limited
    assert len(seen) - seen.count(429) == workers * LIMIT, seen  # each worker answered, and limited the address
    assert seen[-2 * LIMIT :] == [429] * (2 * LIMIT), seen


def test_a_configured_proxy_is_trusted(tmp_path: Path) -> None:
    env = environment(tmp_path / "home", "127.0.0.1")
    with running_service(env, tmp_path / "server.log", timeout=60, require_index=False) as base:
        seen = statuses(base, rotate=True)
    assert 429 not in seen, seen  # each forwarded address is its own client behind the trusted proxy
