"""A department's report counts computed in the database (``DepartmentSummary``), so that a report reads a few
rows however many completions the department has; ``reports.summarize`` is the same arithmetic over rows in Python
and the tests hold the two equal.

One statement makes the counts in one pass over the department's completions of the year (joined to its
learners): the distinct (learner, course) pairs, folded per learner (hours, distinct courses, mandatory-tag flags)
into a totals row and per course into its distinct completers. Two small ones count the learners and those with
an enrolment still open at the year's end. A course completed twice in the year counts once, as in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, String, case, cast, func, null, select, text, union_all
from sqlalchemy.orm import Session

from gyanpath.progress.models import Completion, Enrolment, Learner
from gyanpath.progress.records import DepartmentSummary
from gyanpath.progress.reports import PROGRAMME_TOLERANCE

WORK_MEM = "256MB"
"""PostgreSQL memory for the report's hash aggregates (the server's default, 4MB, sorts on disk instead)."""


def department_summary(
    session: Session,
    department: str,
    start: datetime,
    end: datetime,
    tag_courses: Mapping[str, frozenset[str]],
    *,
    mandated_hours: float,
) -> DepartmentSummary:
    custom_plans(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))  # this transaction only
    tags = list(tag_courses)
    rows = session.execute(_counts_statement(department, start, end, tag_courses, mandated_hours)).all()
    totals = next(row for row in rows if row[0] is None)
    registered = session.scalar(select(func.count()).select_from(Learner).where(Learner.department == department))
    return DepartmentSummary(
        registered=int(registered or 0),
        completed_one_or_more=int(totals[1] or 0),
        completed_three_or_more=int(totals[2] or 0),
        in_progress=_in_progress(session, department, end),
        contributors=int(totals[3] or 0),
        learning_hours=float(totals[4] or 0.0),
        programme=int(totals[5] or 0),
        mandatory_modules={tag: int(totals[6 + n] or 0) for n, tag in enumerate(tags)},
        course_completers={str(row[0]): int(row[1]) for row in rows if row[0] is not None},
    )


def custom_plans(session: Session) -> None:
    """On PostgreSQL, plan this transaction's statements for their own parameters. psycopg prepares a statement
    run five times on a connection, and PostgreSQL may then keep one generic plan for every department: a plan
    fit for the largest (a hash join over every completion) makes the smallest take seconds instead of ms."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _counts_statement(
    department: str,
    start: datetime,
    end: datetime,
    tag_courses: Mapping[str, frozenset[str]],
    mandated_hours: float,
) -> CompoundSelect[Any]:
    """One statement, one pass over the year's completions: the distinct (learner, course) pairs with their hours
    (a CTE the two branches share), folded per learner into the totals row (course NULL) and per course into one
    row a course (its distinct completers)."""
    pairs = (
        select(Completion.learner_key, Completion.course_id, func.sum(Completion.hours).label("hours"))
        .join(Learner, Learner.key == Completion.learner_key)
        .where(Learner.department == department, Completion.completed_at >= start, Completion.completed_at < end)
        .group_by(Completion.learner_key, Completion.course_id)
        .cte("pairs")
    )
    flags = [
        func.max(case((pairs.c.course_id.in_(sorted(courses)), 1), else_=0)).label(f"tag{n}")
        for n, courses in enumerate(tag_courses.values())
    ]
    per_learner = (
        select(pairs.c.learner_key, func.sum(pairs.c.hours).label("hours"), func.count().label("courses"), *flags)
        .group_by(pairs.c.learner_key)
        .cte("per_learner")
    )
    totals = select(
        cast(null(), String).label("course_id"),
        func.count().label("learners"),
        _count_where(per_learner.c.courses >= 3),
        _count_where(per_learner.c.hours > 0),
        func.sum(per_learner.c.hours),
        _count_where(per_learner.c.hours >= mandated_hours - PROGRAMME_TOLERANCE),
        *(func.sum(per_learner.c[f"tag{n}"]) for n in range(len(tag_courses))),
    )
    empty = [null() for _ in range(4 + len(tag_courses))]
    by_course = select(pairs.c.course_id, func.count(), *empty).group_by(pairs.c.course_id)
    return union_all(totals, by_course)


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def open_enrolment_learners(department: str, end: datetime) -> Select[str]:
    """The department's learners with an enrolment started before ``end`` whose course they had not completed by
    then (each learner once): "in progress" in a report."""
    finished = (
        select(Completion.id)
        .where(
            Completion.learner_key == Enrolment.learner_key,
            Completion.course_id == Enrolment.course_id,
            Completion.completed_at < end,
        )
        .exists()
    )
    return (
        select(Enrolment.learner_key)
        .join(Learner, Learner.key == Enrolment.learner_key)
        .where(Learner.department == department, Enrolment.started_at < end, ~finished)
        .distinct()
    )


def _in_progress(session: Session, department: str, end: datetime) -> int:
    open_learners = open_enrolment_learners(department, end).subquery()
    return int(session.scalar(select(func.count()).select_from(open_learners)) or 0)
