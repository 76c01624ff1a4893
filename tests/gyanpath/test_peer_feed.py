"""Peer signals from stored completions: when the feed refits, and paths that then carry a peer basis."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gyanpath.peer_feed import CHECK_EVERY_S, PeerFeed
from gyanpath.progress import LearnerRef, ProgressStore
from gyanpath.services import Services


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def add(store: ProgressStore, n: int, course: str = "crs-cyber-basics-en") -> None:
    learner = LearnerRef(f"health/l{n}", f"l{n}", "health")
    store.complete(learner, course, datetime(2026, 1, 1 + n % 28, tzinfo=UTC), 1.0, None)


@pytest.fixture
def progress(tmp_path: Path) -> Iterator[ProgressStore]:
    store = ProgressStore.open(f"sqlite:///{tmp_path / 'p.db'}")
    yield store
    store.close()


def test_the_feed_refits_after_enough_changes_or_enough_time(progress: ProgressStore) -> None:
    clock = Clock()
    feed = PeerFeed(progress, None, min_changes=3, max_age_s=600, clock=clock)
    assert feed.load() is None  # nothing stored yet
    add(progress, 1)
    add(progress, 2)
    clock.now += CHECK_EVERY_S
    assert not feed.stale()  # 2 changes, fresh
    add(progress, 3)
    assert not feed.stale()  # checked less than CHECK_EVERY_S ago
    clock.now += CHECK_EVERY_S
    assert feed.stale()
    log = feed.load()
    assert log is not None and len(log) == 3 and log.departments == ("health",)
    progress.erase("health/l1")  # an erasure is a change too
    clock.now += CHECK_EVERY_S
    assert feed.changes() == 1 and not feed.stale()
    clock.now += 600
    assert feed.stale()


def test_the_file_records_and_the_store_are_merged(progress: ProgressStore, tmp_path: Path) -> None:
    file = tmp_path / "completions.jsonl"
    file.write_text('{"learner": "x", "course": "crs-ai-basics-en", "completed_at": "2025-01-01"}\n')
    add(progress, 1)
    log = PeerFeed(progress, file, min_changes=1, max_age_s=1).load()
    assert log is not None and sorted(r.course for r in log.records()) == ["crs-ai-basics-en", "crs-cyber-basics-en"]


def test_paths_gain_peer_signals_once_completions_are_stored(services: Services) -> None:
    assert services.recommender.peers is None
    services.peer_feed.min_changes = 5
    for n in range(6):
        add(services.progress, n, "crs-cyber-basics-en")
        add(services.progress, n, "crs-ai-basics-en")
    later = time.monotonic() + CHECK_EVERY_S
    services.peer_feed.clock = lambda: later  # the next look at the store is due
    assert services.recommender.peers is not None
