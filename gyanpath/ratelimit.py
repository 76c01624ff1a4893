"""Per-caller rate limits: fixed windows counted in process (one worker) or in Redis (shared by all workers).

A window opens with a caller's first request and lasts ``window`` seconds; up to ``limit`` requests pass in it.
With Redis, ``INCR`` and ``PEXPIRE`` run in one Lua script, so concurrent workers never lose a count or leave a
counter without an expiry. If Redis cannot be reached the request passes and the failure is logged: the limiter
protects capacity, and an outage of it must not take the service down.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("gyanpath.ratelimit")

WINDOWS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


@dataclass(frozen=True)
class Rate:
    limit: int
    window: float  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """``"120/minute"`` -> Rate(120, 60.0); ``"off"`` -> None."""
        if text.strip() == "off":
            return None
        found = re.fullmatch(r"(\d+)/(second|minute|hour|day)", text.strip())
        if found is None or int(found.group(1)) < 1:
            raise ValueError(f"rate_limit: expected 'N/second|minute|hour|day' or 'off', got {text!r}")
        return cls(int(found.group(1)), WINDOWS[found.group(2)])


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int
    """Whole seconds until the caller's window closes (at least 1)."""


class RateLimiter(Protocol):
    rate: Rate

    def hit(self, identity: str) -> Decision: ...


def _decision(rate: Rate, count: int, seconds_left: float) -> Decision:
    return Decision(count <= rate.limit, rate.limit, max(rate.limit - count, 0), max(1, math.ceil(seconds_left)))


class InMemoryRateLimiter:
    """Counts in this process only: right for one worker, and a limit per worker when there are several."""

    def __init__(self, rate: Rate, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}  # identity -> (window end, count)
        self._lock = threading.Lock()

    def hit(self, identity: str) -> Decision:
        now = self._clock()
        with self._lock:
            end, count = self._windows.get(identity, (0.0, 0))
            if now >= end:
                end, count = now + self.rate.window, 0
                if len(self._windows) > 10_000:  # forget closed windows now and then
                    self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
            count += 1
            self._windows[identity] = (end, count)
        return _decision(self.rate, count, end - now)


# KEYS[1]: the caller's counter; ARGV[1]: window in milliseconds. Returns {count, milliseconds left}.
HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""


class RedisRateLimiter:
    """One counter per caller in Redis, shared by every worker and replica that uses the same Redis and prefix."""

    def __init__(self, rate: Rate, client: Any, *, prefix: str = "gyanpath") -> None:
        self.rate = rate
        self._client = client
        self._script = client.register_script(HIT_SCRIPT)
        self._prefix = f"{prefix}:ratelimit"

    @classmethod
    def connect(cls, rate: Rate, url: str, *, prefix: str = "gyanpath") -> RedisRateLimiter:
        import redis

        return cls(rate, redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0), prefix=prefix)

    def hit(self, identity: str) -> Decision:
        import redis

        window_ms = int(self.rate.window * 1000)
        try:
            count, ttl_ms = self._script(keys=[f"{self._prefix}:{identity}"], args=[window_ms])
        except redis.RedisError as exc:
            log.error("rate limiter: Redis unavailable, letting the request through: %s", exc)
            return Decision(True, self.rate.limit, self.rate.limit, 1)
        return _decision(self.rate, int(count), int(ttl_ms) / 1000)


def create_limiter(rate_limit: str, redis_url: str | None, *, prefix: str = "gyanpath") -> RateLimiter | None:
    rate = Rate.parse(rate_limit)
    if rate is None:
        return None
    if redis_url:
        return RedisRateLimiter.connect(rate, redis_url, prefix=prefix)
    return InMemoryRateLimiter(rate)
