"""The peer feed reads the store as columns (``ProgressStore.peer_columns``, ``CompletionLogBuilder``); the log and
the peer model it gives are those of the record-by-record path it replaced, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import insert

from gyanpath.peer_feed import PeerFeed
from gyanpath.progress import ProgressStore
from gyanpath.progress.models import Completion, Learner
from recommender.completions import CompletionLog, CompletionRecord, load_completions, write_completions
from recommender.peers import PeerModel
from tests.recommender.test_completion_builder import assert_same_log, assert_same_model

T0 = datetime(2026, 1, 1, tzinfo=UTC)
TRICKY_TIMES = (
    datetime(2026, 3, 5, 10, 0, 0, 999_999, tzinfo=UTC),
    datetime(2026, 3, 5, 10, 0, 0, 999_500, tzinfo=UTC),  # SQLite's strftime would round this up a second
    datetime(2026, 3, 5, 10, 0, 0, 499, tzinfo=UTC),
    datetime(2026, 3, 5, 10, 0, 1, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),  # int() truncates toward zero: 0, not -1
    datetime(1969, 12, 31, 23, 59, 58, tzinfo=UTC),
    datetime(1901, 7, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime(2100, 2, 28, 23, 59, 59, 999_999, tzinfo=UTC),
)
COURSES = [f"crs-{k:02d}" for k in range(30)] + ["CRS-UPPER", "crs-ä"]
ROLES = (None, "", "role-clerk", "role-asha-worker", "role-teacher")


@pytest.fixture
def progress(progress_url: str) -> Iterator[ProgressStore]:
    store = ProgressStore.open(progress_url)
    yield store
    store.close()


def seed(store: ProgressStore, learners: int, seed: int = 7) -> None:
    """``learners`` learners in three departments, some with a role, with 0-6 completions each at random times."""
    rng = random.Random(seed)
    learner_rows, completion_rows = [], []
    for n in range(learners):
        department = rng.choice(("health", "revenue", "school-education"))
        key = f"{department}/l-{rng.randrange(10**6)}-{n}"
        learner_rows.append(
            {
                "key": key,
                "learner_id": f"l{n}",
                "department": department,
                "role_id": rng.choice(ROLES),
                "created_at": T0,
            }
        )
        for course in rng.sample(COURSES, rng.randrange(7)):
            when = (
                rng.choice(TRICKY_TIMES) if rng.random() < 0.2 else T0 + timedelta(microseconds=rng.randrange(10**13))
            )
            completion_rows.append(
                {"learner_key": key, "course_id": course, "completed_at": when, "hours": 1.0, "recorded_at": when}
            )
    rng.shuffle(completion_rows)  # ids do not follow learners
    with store.engine.begin() as connection:
        connection.execute(insert(Learner), learner_rows)
        connection.execute(insert(Completion), completion_rows)


def record_by_record(store: ProgressStore, file: Path | None = None) -> CompletionLog:
    """The path the feed took before: the file's records, then every store record as a CompletionRecord."""
    records = list(load_completions(file).records()) if file is not None else []
    records += [
        CompletionRecord(r.learner_key, r.course_id, r.completed_at, r.role_id, r.department)
        for r in store.peer_records()
    ]
    return CompletionLog.from_records(records)


def test_peer_columns_are_the_peer_records(progress: ProgressStore) -> None:
    seed(progress, 60)
    records = progress.peer_records()
    chunks = list(progress.peer_columns(chunk=7))
    assert len(chunks) == -(-len(records) // 7) and all(len(c.learner_keys) <= 7 for c in chunks)
    assert [k for c in chunks for k in c.learner_keys] == [r.learner_key for r in records]
    assert [k for c in chunks for k in c.course_ids] == [r.course_id for r in records]
    assert [k for c in chunks for k in c.role_ids] == [r.role_id for r in records]
    assert [k for c in chunks for k in c.departments] == [r.department for r in records]
    seconds = np.concatenate([c.completed_at for c in chunks])
    assert seconds.dtype == np.int64
    assert seconds.tolist() == [int(r.completed_at.timestamp()) for r in records]


def test_every_tricky_time_converts_as_python_does(progress: ProgressStore) -> None:
    rows = [
        {"key": f"health/t{n}", "learner_id": f"t{n}", "department": "health", "created_at": T0}
        for n in range(len(TRICKY_TIMES))
    ]
    completions = [
        {"learner_key": f"health/t{n}", "course_id": "crs-a", "completed_at": when, "hours": 1.0, "recorded_at": T0}
        for n, when in enumerate(TRICKY_TIMES)
    ]
    with progress.engine.begin() as connection:
        connection.execute(insert(Learner), rows)
        connection.execute(insert(Completion), completions)
    (chunk,) = progress.peer_columns()
    assert chunk.completed_at.tolist() == [int(when.timestamp()) for when in TRICKY_TIMES]


def test_the_feed_gives_the_log_and_model_of_the_record_by_record_path(progress: ProgressStore, tmp_path: Path) -> None:
    seed(progress, 400)
    progress.erase(progress.peer_records()[0].learner_key)  # gaps in the ids
    file = tmp_path / "completions.jsonl"
    in_file = [
        CompletionRecord("file-learner", "crs-01", T0, "role-clerk", "health"),
        CompletionRecord("file-learner", "crs-99", T0 - timedelta(days=400), None, None),
        CompletionRecord(progress.peer_records()[0].learner_key, "crs-02", T0 + timedelta(days=9999), "role-x"),
    ]
    write_completions(file, CompletionLog.from_records(in_file))
    for path in (None, file):
        feed = PeerFeed(progress, path, min_changes=1, max_age_s=1)
        log = feed.load()
        assert log is not None
        expected = record_by_record(progress, path)
        assert_same_log(log, expected)
        assert_same_log(feed.load() or CompletionLog.from_records([]), expected)  # the file is read once, kept
        courses = [*COURSES, "crs-new"]
        model, reference = PeerModel.fit(log, courses=courses), PeerModel.fit(expected, courses=courses)
        assert_same_model(model, reference)
        for role in (None, "role-clerk", "role-teacher", "role-x"):
            for history in ([], ["crs-01"], ["crs-03", "crs-04", "crs-ä"]):
                assert model.recommend(role, history, k=40) == reference.recommend(role, history, k=40)


def test_a_bad_file_is_left_out_and_the_store_still_read(progress: ProgressStore, tmp_path: Path) -> None:
    seed(progress, 20)
    file = tmp_path / "completions.jsonl"
    file.write_text('{"learner": "x"}\n')
    log = PeerFeed(progress, file, min_changes=1, max_age_s=1).load()
    assert log is not None
    assert_same_log(log, record_by_record(progress))


def test_a_completion_whose_learner_is_gone_is_left_out_as_the_join_leaves_it(tmp_path: Path) -> None:
    """SQLite enforces foreign keys only when told to: a row written without them may name no learner."""
    path = tmp_path / "p.db"
    store = ProgressStore.open(f"sqlite:///{path}")
    try:
        seed(store, 30)
        with sqlite3.connect(path) as raw:
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute(
                "INSERT INTO completions (learner_key, course_id, completed_at, hours, recorded_at) "
                "VALUES ('health/nobody', 'crs-01', '2026-02-01 00:00:00.000000', 1, '2026-02-01 00:00:00.000000')"
            )
        records = store.peer_records()
        for chunk_size in (1, 3, 1000):
            chunks = list(store.peer_columns(chunk=chunk_size))
            assert [k for c in chunks for k in c.learner_keys] == [r.learner_key for r in records]
            assert [k for c in chunks for k in c.role_ids] == [r.role_id for r in records]
        assert_same_log(
            PeerFeed(store, None, min_changes=1, max_age_s=1).load() or CompletionLog.from_records([]),
            record_by_record(store),
        )
    finally:
        store.close()
