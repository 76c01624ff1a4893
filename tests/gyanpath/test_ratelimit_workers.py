"""Rate limits shared by several workers through Redis: a real uvicorn with two worker processes, one key.

Needs the Redis server at 127.0.0.1:6379 (GYANPATH_TEST_REDIS_URL overrides); skipped, with the reason printed,
where it cannot be reached. Each run uses its own key prefix, so runs never see each other's counters.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gyanpath.accounts import Role
from gyanpath.devserver import running_service
from gyanpath.ratelimit import Rate, RedisRateLimiter
from gyanpath.userstore import SQLiteUserStore

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
    limiter = RedisRateLimiter(Rate(3, 60.0), _redis_or_skip(), prefix=prefix)
    decisions = [limiter.hit("key:a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0] and 59 <= decisions[-1].retry_after <= 60
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
    base, token = two_workers
    statuses, retry_after = [], []
    for _ in range(3 * LIMIT):  # a new connection each time, so the kernel spreads them over both workers
        with httpx.Client(headers={"Authorization": f"Bearer {token}", "Connection": "close"}) as session:
            response = session.get(f"{base}/roles", timeout=10)
        statuses.append(response.status_code)
        if response.status_code == 429:
            retry_after.append(int(response.headers["retry-after"]))
    assert statuses.count(200) == LIMIT and statuses.count(429) == 2 * LIMIT, statuses
    assert all(1 <= seconds <= 60 for seconds in retry_after)
