"""Department reports counted in SQL (``ProgressStore.department_summary``) give the same report as the rows counted
in Python, on SQLite and PostgreSQL; and the national-scale benchmark runs at a small size (PostgreSQL only)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from gyanpath.progress import LearnerRef, ProgressStore
from gyanpath.progress.reports import CourseFacts, department_report, report_dict, summary_report, tag_courses

PROJECT = Path(__file__).resolve().parents[2]
COURSES = {
    "ai-1": CourseFacts("AI one", ("ai",)),
    "cy-1": CourseFacts("Cyber one", ("cyber-security",)),
    "gen-1": CourseFacts("General", ()),
}
TAGS = ("ai", "cyber-security")


@pytest.fixture
def store(progress_url: str) -> Iterator[ProgressStore]:
    """A progress store on SQLite and on a fresh PostgreSQL schema (the fixtures of tests/conftest.py; skipped,
    saying why, where PostgreSQL is unreachable)."""
    opened = ProgressStore.open(progress_url)
    yield opened
    opened.close()


def at(month: int, day: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


def fill(store: ProgressStore) -> None:
    """Twelve health learners and three in revenue, with repeats, zero hours, other years and open enrolments."""
    for n in range(12):
        learner = LearnerRef(f"health/l{n}", f"l{n}", "health")
        store.register(learner)
        for step, course in enumerate(("ai-1", "cy-1", "gen-1", "other")[: n % 5]):
            store.complete(learner, course, at(step + 2), 7.5 * (n % 4), None)
        if n % 3 == 0:
            store.complete(learner, "ai-1", at(9), 2.0, None)  # a repeat: the course counts once
            store.complete(learner, "gen-1", at(1, 5, 2027), 3.0, None)  # next year
        if n % 4 == 1:
            store.enrol(learner, "gen-1", at(11))  # never completed in 2026: in progress
    for n in range(3):
        store.complete(LearnerRef(f"revenue/r{n}", f"r{n}", "revenue"), "ai-1", at(3), 30.0, None)


@pytest.mark.parametrize(("department", "year"), [("health", 2026), ("health", 2027), ("revenue", 2026)])
def test_the_sql_summary_gives_the_report_the_rows_give(store: ProgressStore, department: str, year: int) -> None:
    fill(store)
    expected = department_report(
        department, year, store.department_activity(department, year), COURSES, mandated_hours=28, mandatory_tags=TAGS
    )
    summary = store.department_summary(department, year, tag_courses(COURSES, TAGS), mandated_hours=28)
    assert report_dict(summary_report(department, year, summary, COURSES, mandated_hours=28)) == report_dict(expected)


def test_an_empty_department_and_a_tag_no_course_carries_count_zero(store: ProgressStore) -> None:
    fill(store)
    tags = tag_courses(COURSES, (*TAGS, "no-such-tag"))
    summary = store.department_summary("nobody", 2026, tags, mandated_hours=28)
    assert (summary.registered, summary.completed_one_or_more, summary.learning_hours) == (0, 0, 0.0)
    assert summary.mandatory_modules == {"ai": 0, "cyber-security": 0, "no-such-tag": 0}
    assert summary.course_completers == {}
    health = store.department_summary("health", 2026, tags, mandated_hours=28)
    assert health.mandatory_modules["no-such-tag"] == 0 and health.mandatory_modules["ai"] > 0


@pytest.mark.slow
def test_the_benchmark_runs_small_and_drops_its_database(postgres_server: str) -> None:
    server = postgres_server
    database = f"gyanpath_scale_smoke_{secrets.token_hex(4)}"
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale_reports", "--records", "20000", "--repeats", "2",
         "--server", server, "--database", database],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )  # fmt: skip
    assert "Department reports for 2024" in done.stdout and "EXPLAIN (ANALYZE, BUFFERS)" in done.stdout
    assert "same report: NO" not in done.stdout and done.stdout.count("same report: yes") >= 10
    with create_engine(server).connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": database})
        assert left.scalar() == 0
