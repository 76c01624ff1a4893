"""The progress store against SQLite and a real PostgreSQL server: schema from the migrations, known answers."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gyanpath.progress import ErasedCounts, LearnerRef, ProgressStore
from gyanpath.progress.database import alembic_config, current_revision, head_revision, upgrade
from gyanpath.progress.models import Base

PROJECT = Path(__file__).resolve().parents[2]
ASHA = LearnerRef("health/asha", "asha", "health")
RAVI = LearnerRef("health/ravi", "ravi", "health")
MEENA = LearnerRef("revenue/meena", "meena", "revenue")


def at(month: int, day: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(progress_url: str) -> Iterator[ProgressStore]:
    opened = ProgressStore.open(progress_url)
    yield opened
    opened.close()


def test_the_migrated_schema_is_the_models_schema(store: ProgressStore) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert current_revision(store.engine) == head_revision() == "0001"
    upgrade(store.engine)  # a second upgrade is a no-op
    assert current_revision(store.engine) == "0001"


def test_downgrade_and_upgrade_again(store: ProgressStore) -> None:
    store.complete(ASHA, "crs-a", at(1), 1.0, None)
    command.downgrade(alembic_config(store.engine), "base")
    assert current_revision(store.engine) is None
    upgrade(store.engine)
    assert store.completion_stamp() == (0, 0)
    assert store.complete(ASHA, "crs-a", at(1), 1.0, None)[1] is True


def test_learners_register_once_and_keep_their_role(store: ProgressStore) -> None:
    first = store.register(ASHA)
    assert (first.learner_id, first.department, first.role_id) == ("asha", "health", None)
    assert store.set_role(ASHA, "role-asha-worker").role_id == "role-asha-worker"
    again = store.register(ASHA)
    assert again.role_id == "role-asha-worker" and again.created_at == first.created_at
    assert store.learner(MEENA) is None


def test_concurrent_first_writes_register_the_learner_once(store: ProgressStore) -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: store.complete(ASHA, f"crs-{n}", at(2), 1.0, None), range(16)))
    assert all(created for _, created in results)
    assert len(store.completions(ASHA)) == 16
    assert store.department_activity("health", 2026).learners == {"health/asha"}


def test_enrolments_and_completions_round_trip(store: ProgressStore) -> None:
    row, created = store.enrol(ASHA, "crs-b", at(1))
    assert created and row.started_at == at(1)
    again, created = store.enrol(ASHA, "crs-b", at(3))
    assert not created and again.started_at == at(1)
    ist = timezone(timedelta(hours=5, minutes=30))
    local = datetime(2026, 3, 5, 15, 30, tzinfo=ist)
    done, created = store.complete(ASHA, "crs-b", local, 2.5, 88.0)
    assert created and done.completed_at == datetime(2026, 3, 5, 10, 0, tzinfo=UTC) and done.completed_at.tzinfo
    retry, created = store.complete(ASHA, "crs-b", local, 2.5, 88.0)
    assert not created and retry.id == done.id
    store.complete(ASHA, "crs-a", at(1), 1.0, None)
    assert [(c.course_id, c.hours, c.score) for c in store.completions(ASHA)] == [
        ("crs-a", 1.0, None),
        ("crs-b", 2.5, 88.0),
    ]
    assert [e.course_id for e in store.enrolments(ASHA)] == ["crs-b"]
    assert store.completions(RAVI) == []


def test_a_naive_time_is_refused_before_anything_is_written(store: ProgressStore) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        store.complete(ASHA, "crs-a", datetime(2026, 1, 1), 1.0, None)
    assert store.completion_stamp() == (0, 0) and store.learner(ASHA) is None


def test_not_relevant_follows_the_latest_feedback(store: ProgressStore) -> None:
    store.add_path_feedback(ASHA, "crs-a", False, "not my job")
    store.add_path_feedback(ASHA, "crs-b", False, "")
    store.add_path_feedback(ASHA, "crs-b", True, "changed my mind")
    store.add_path_feedback(MEENA, "crs-c", False, "")
    assert store.not_relevant(ASHA) == {"crs-a"}
    listed = store.path_feedback("health")
    assert [(f.learner_id, f.course_id, f.relevant, f.comment) for f in listed] == [
        ("asha", "crs-a", False, "not my job"),
        ("asha", "crs-b", False, ""),
        ("asha", "crs-b", True, "changed my mind"),
    ]
    assert [f.learner_id for f in store.path_feedback("revenue")] == ["meena"]


def test_department_activity_known_answer(store: ProgressStore) -> None:
    store.complete(ASHA, "crs-a", at(2), 1.5, None)
    store.complete(ASHA, "crs-old", at(12, 31, 2025), 9.0, None)  # last year: not counted
    store.enrol(ASHA, "crs-b", at(3))  # never completed: in progress
    store.enrol(RAVI, "crs-a", at(4))
    store.complete(RAVI, "crs-a", at(5), 1.5, None)  # completed: not in progress
    store.enrol(RAVI, "crs-late", at(12, 20))
    store.complete(RAVI, "crs-late", at(1, 5, 2027), 2.0, None)  # finished next year: in progress in 2026
    store.complete(MEENA, "crs-a", at(2), 1.5, None)  # another department
    activity = store.department_activity("health", 2026)
    assert activity.learners == {"health/asha", "health/ravi"}
    assert sorted(activity.completions) == [("health/asha", "crs-a", 1.5), ("health/ravi", "crs-a", 1.5)]
    assert activity.in_progress == {"health/asha", "health/ravi"}
    assert store.department_activity("health", 2027).in_progress == {"health/asha"}


def test_peer_records_and_the_change_stamp(store: ProgressStore) -> None:
    store.set_role(ASHA, "role-asha-worker")
    store.complete(ASHA, "crs-a", at(1), 1.0, None)
    store.complete(MEENA, "crs-b", at(2), 1.0, None)
    records = store.peer_records()
    assert [(r.learner_key, r.course_id, r.role_id, r.department) for r in records] == [
        ("health/asha", "crs-a", "role-asha-worker", "health"),
        ("revenue/meena", "crs-b", None, "revenue"),
    ]
    assert store.completion_stamp() == (2, 2)
    store.erase("health/asha")
    store.complete(RAVI, "crs-c", at(3), 1.0, None)
    assert store.completion_stamp() == (2, 3)  # ids are never reused


def test_erase_removes_one_learner_and_everything_theirs(store: ProgressStore) -> None:
    for learner in (ASHA, RAVI):
        store.enrol(learner, "crs-a", at(1))
        store.complete(learner, "crs-a", at(2), 1.0, 50.0)
        store.complete(learner, "crs-b", at(3), 1.0, None)
        store.add_path_feedback(learner, "crs-c", False, "no")
    assert store.erase("health/asha") == ErasedCounts(learners=1, enrolments=1, completions=2, path_feedback=1)
    assert store.learner(ASHA) is None and store.completions(ASHA) == [] and store.not_relevant(ASHA) == frozenset()
    assert [f.learner_id for f in store.path_feedback("health")] == ["ravi"]
    assert len(store.completions(RAVI)) == 2 and store.learner_keys("health", "ravi") == ["health/ravi"]
    assert store.erase("health/asha").total == 0


OPEN_AND_REPORT = """
import sys
from gyanpath.progress import ProgressStore
from gyanpath.progress.database import current_revision
store = ProgressStore.open(sys.argv[1])
print(current_revision(store.engine))
"""


def test_replicas_starting_together_migrate_once(progress_url: str) -> None:
    """Four processes opening a fresh database at once: one migrates (under a file or advisory lock), the others
    wait and find it done; threads of one process take turns too."""
    children = [
        subprocess.Popen([sys.executable, "-c", OPEN_AND_REPORT, progress_url], cwd=PROJECT, stdout=subprocess.PIPE)
        for _ in range(4)
    ]
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: ProgressStore.open(progress_url), range(4)))
    outputs = [child.communicate(timeout=120)[0].decode().strip() for child in children]
    try:
        assert [child.returncode for child in children] == [0] * 4
        assert outputs == [head_revision()] * 4
        assert {current_revision(s.engine) for s in stores} == {head_revision()}
        stores[0].complete(ASHA, "crs-a", at(1), 1.0, None)
        assert stores[3].completion_stamp() == (1, 1)
    finally:
        for opened in stores:
            opened.close()
