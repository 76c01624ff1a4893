"""CompletionLogBuilder: a log built column-wise, chunk by chunk, is the log ``from_records`` builds from the same
records, so the peer model fitted on it is the same model."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommender.completions import CompletionLog, CompletionLogBuilder, CompletionRecord
from recommender.peers import PeerModel

T0 = datetime(2025, 1, 1, tzinfo=UTC)
ROLES = (None, "", "role-clerk", "role-asha-worker", "role-teacher", "role-é")
DEPARTMENTS = (None, "", "health", "revenue", "school-education")


def generated(n: int, seed: int) -> list[CompletionRecord]:
    """Records with repeated learners and courses, unknown roles and departments, repeats and equal times."""
    rng = random.Random(seed)
    learners = [f"l-{rng.randrange(10**6):06d}" for _ in range(max(n // 5, 1))] + ["L-upper", "l-ü", "l-ab", "l-a"]
    courses = [f"crs-{k:03d}" for k in range(40)] + ["CRS-Z", "crs-ä"]
    role_of = {learner: rng.choice(ROLES) for learner in learners}
    department_of = {learner: rng.choice(DEPARTMENTS) for learner in learners}
    records = []
    for _ in range(n):
        learner = rng.choice(learners)
        when = T0 + timedelta(seconds=rng.randrange(-(10**9), 10**8), microseconds=rng.randrange(10**6))
        role = role_of[learner] if rng.random() < 0.9 else rng.choice(ROLES)  # a file may disagree with the store
        records.append(CompletionRecord(learner, rng.choice(courses), when, role, department_of[learner]))
    return records


def built(records: list[CompletionRecord], chunk: int) -> CompletionLog:
    builder = CompletionLogBuilder()
    for start in range(0, len(records), chunk):
        part = records[start : start + chunk]
        builder.add(
            [r.learner for r in part],
            [r.course for r in part],
            [int(r.completed_at.timestamp()) for r in part],
            [r.role for r in part],
            [r.department for r in part],
        )
    return builder.build()


def assert_same_log(got: CompletionLog, expected: CompletionLog) -> None:
    assert got.learners == expected.learners
    assert got.courses == expected.courses
    assert got.roles == expected.roles
    assert got.departments == expected.departments
    for name in ("learner", "course", "at", "role", "department"):
        got_column, expected_column = getattr(got, name), getattr(expected, name)
        assert got_column.dtype == expected_column.dtype == np.int64, name
        np.testing.assert_array_equal(got_column, expected_column, err_msg=name)


def assert_same_model(got: PeerModel, expected: PeerModel) -> None:
    assert got.courses == expected.courses and got.roles == expected.roles and got.learners == expected.learners
    assert (got.similarity != expected.similarity).nnz == 0
    np.testing.assert_array_equal(got.role_counts, expected.role_counts)
    np.testing.assert_array_equal(got.role_learners, expected.role_learners)
    np.testing.assert_array_equal(got.counts, expected.counts)


@pytest.mark.parametrize(("n", "chunk", "seed"), [(1, 1, 0), (500, 7, 1), (3000, 1000, 2), (3000, 5000, 3)])
def test_a_log_built_in_chunks_is_the_log_from_records(n: int, chunk: int, seed: int) -> None:
    records = generated(n, seed)
    assert_same_log(built(records, chunk), CompletionLog.from_records(records))


def test_a_log_added_whole_then_chunks_is_the_log_from_all_records() -> None:
    """The peer feed adds the static file's log first, then the store's records."""
    file_records, store_records = generated(800, 4), generated(2000, 5)
    builder = CompletionLogBuilder()
    builder.add_log(CompletionLog.from_records(file_records))
    builder.add_log(CompletionLog.from_records([]))
    for start in range(0, len(store_records), 300):
        part = store_records[start : start + 300]
        builder.add(
            tuple(r.learner for r in part),
            tuple(r.course for r in part),
            np.array([int(r.completed_at.timestamp()) for r in part]),
            tuple(r.role for r in part),
            tuple(r.department for r in part),
        )
    assert len(builder) == 2800
    expected = CompletionLog.from_records([*file_records, *store_records])
    got = builder.build()
    assert_same_log(got, expected)

    courses = ["crs-new", "crs-000"]
    model, reference = PeerModel.fit(got, courses=courses), PeerModel.fit(expected, courses=courses)
    assert_same_model(model, reference)
    for role in ROLES[2:]:
        for history in ([], ["crs-001"], ["crs-002", "crs-003", "CRS-Z"]):
            assert model.recommend(role, history, k=20) == reference.recommend(role, history, k=20)


def test_a_log_without_departments_adds_as_unknown() -> None:
    records = [CompletionRecord("a", "c1", T0, "r"), CompletionRecord("b", "c2", T0, None, "health")]
    old = CompletionLog.from_records(records[:1])
    old = CompletionLog(old.learners, old.courses, old.roles, old.learner, old.course, old.at, old.role)
    builder = CompletionLogBuilder()
    builder.add_log(old)
    builder.add(["b"], ["c2"], [int(T0.timestamp())], [None], ["health"])
    assert_same_log(builder.build(), CompletionLog.from_records(records))


def test_nothing_added_builds_an_empty_log() -> None:
    builder = CompletionLogBuilder()
    assert len(builder) == 0
    assert_same_log(builder.build(), CompletionLog.from_records([]))


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="length"):
        CompletionLogBuilder().add(["a", "b"], ["c"], [0], [None], [None])
