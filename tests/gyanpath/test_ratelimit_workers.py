"""Rate limits shared by several workers through Redis: a real uvicorn with two worker processes, one key.

Needs the Redis server at 127.0.0.1:6379 (GYANPATH_TEST_REDIS_URL overrides); skipped, with the reason printed,
where it cannot be reached. Each run uses its own key prefix, so runs never see each other's counters.
"""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gyanpath.accounts import Role
from gyanpath.devserver import running_service
from gyanpath.ratelimit import Rate, RedisRateLimiter
from gyanpath.userstore import SQLiteUserStore
from tests.workers import Workers

REDIS_URL = os.environ.get("GYANPATH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMIT = 7


def _redis_or_skip() -> object:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis at {REDIS_URL} is unreachable ({exc}); the cross-worker rate limit is not tested"
        print(reason)
        pytest.skip(reason)
    return client


@pytest.fixture
def prefix() -> str:
    return f"gyanpath-test-{uuid.uuid4().hex}"


def test_the_redis_limiter_counts_atomically_per_identity(prefix: str) -> None:
    client: Any = _redis_or_skip()
    limiter = RedisRateLimiter(Rate(3, 60.0), client, prefix=prefix)
    decisions = [limiter.hit("key:a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    # Retry-After is the time the counter has left in Redis, whole seconds up; read after it, so never more.
    left_ms = client.pttl(f"{prefix}:ratelimit:key:a")
    assert 0 < left_ms <= 60_000 and math.ceil(left_ms / 1000) <= decisions[-1].retry_after <= 60
    assert limiter.hit("key:b").allowed


@pytest.fixture
def two_workers(tmp_path: Path, prefix: str) -> Iterator[tuple[str, str]]:
    _redis_or_skip()
    home = tmp_path / "home"
    users = SQLiteUserStore(home / "gyanpath.db")
    token = users.create_key(role=Role.LEARNER, department="health").token
    users.close()
    env = {
        **os.environ,
        "GYANPATH_HOME": str(home),
        "GYANPATH_EMBEDDER": "hashing",
        "GYANPATH_RATE_LIMIT": f"{LIMIT}/minute",
        "GYANPATH_REDIS_URL": REDIS_URL,
        "GYANPATH_REDIS_PREFIX": prefix,
    }
    with running_service(env, tmp_path / "server.log", workers=2, timeout=60, require_index=False) as base:
        yield base, token


def test_the_limit_holds_across_two_workers(two_workers: tuple[str, str]) -> None:
    """Requests until each worker has refused one (so each answered, and 2 * LIMIT were sent at least): with a
    counter of their own, the two would let more than LIMIT through between them."""
    base, token = two_workers
    workers = Workers(base)
    statuses: list[int] = []
    retry_after: list[int] = []
    refused_by: set[str] = set()
    answered_by: set[str] = set()
    while len(refused_by) < 2 or len(statuses) < 3 * LIMIT:
        assert len(statuses) < 50 * LIMIT, f"workers {sorted(refused_by)} refused, {sorted(answered_by)} answered"
        response, worker = workers.request(  # a new connection each time, so the kernel spreads them over both workers
            "GET", "/roles", client=lambda: httpx.Client(headers={"Authorization": f"Bearer {token}"}), timeout=10
        )
        statuses.append(response.status_code)
        answered_by.add(worker)
        if response.status_code == 429:
            retry_after.append(int(response.headers["retry-after"]))
            refused_by.add(worker)
    assert len(answered_by) == 2, answered_by  # two workers, not uvicorn's supervisor
    assert statuses.count(200) == LIMIT and statuses.count(429) == len(statuses) - LIMIT, statuses
    assert all(1 <= seconds <= 60 for seconds in retry_after)
