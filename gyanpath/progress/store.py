"""ProgressStore: the one place that reads and writes learner progress. Methods are short transactions that return
plain records; a learner is registered (idempotently) by the first thing they do."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy import ClauseElement, CursorResult, Delete, Dialect, Engine, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gyanpath.progress.database import make_engine, upgrade
from gyanpath.progress.models import Completion, Enrolment, Learner, PathFeedback
from gyanpath.progress.records import (
    CompletionRow,
    DepartmentActivity,
    DepartmentSummary,
    EnrolmentRow,
    ErasedCounts,
    LearnerRef,
    LearnerRow,
    PathFeedbackRow,
    PeerRecord,
)
from gyanpath.progress.summary import custom_plans, department_summary, open_enrolment_learners

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


PEER_CHUNK = 20_000
"""Rows ``peer_columns`` reads at a time."""
_COLUMNS = tuple(itemgetter(n) for n in range(5))


class PeerColumns(NamedTuple):
    """A chunk of ``peer_records`` as parallel columns; ``completed_at`` in whole seconds since the epoch, as
    ``int(datetime.timestamp())`` gives them (truncated toward zero)."""

    learner_keys: tuple[str, ...]
    course_ids: tuple[str, ...]
    completed_at: npt.NDArray[np.int64]
    role_ids: tuple[str | None, ...]
    departments: tuple[str, ...]


def _now() -> datetime:
    return datetime.now(UTC)


def _year(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


class ProgressStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> ProgressStore:
        """Connect and, unless told not to, bring the schema to the latest migration."""
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- learners ----------------------------------------------------------------------------------------------
    def _register(self, session: Session, learner: LearnerRef) -> None:
        """Insert the learner unless known; a no-op under concurrency too (ON CONFLICT DO NOTHING)."""
        values = {
            "key": learner.key,
            "learner_id": learner.learner_id,
            "department": learner.department,
            "created_at": _now(),
        }
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(insert(Learner).values(**values).on_conflict_do_nothing(index_elements=["key"]))

    def register(self, learner: LearnerRef) -> LearnerRow:
        with self._session() as session:
            self._register(session, learner)
            found = session.get(Learner, learner.key)
            assert found is not None  # just inserted or already there, in this transaction
            return _learner(found)

    def set_role(self, learner: LearnerRef, role_id: str | None) -> LearnerRow:
        with self._session() as session:
            self._register(session, learner)
            found = session.get(Learner, learner.key)
            assert found is not None
            found.role_id = role_id
            return _learner(found)

    def learner(self, learner: LearnerRef) -> LearnerRow | None:
        with self._session() as session:
            found = session.get(Learner, learner.key)
            return _learner(found) if found else None

    # -- enrolments and completions ----------------------------------------------------------------------------
    def enrol(
        self, learner: LearnerRef, course_id: str, started_at: datetime | None = None
    ) -> tuple[EnrolmentRow, bool]:
        """The enrolment and whether it is new: enrolling twice keeps the first start."""
        with self._session() as session:
            self._register(session, learner)
            found = session.get(Enrolment, (learner.key, course_id))
            if found is not None:
                return EnrolmentRow(found.course_id, found.started_at), False
            row = Enrolment(learner_key=learner.key, course_id=course_id, started_at=started_at or _now())
            session.add(row)
        return EnrolmentRow(row.course_id, row.started_at), True

    def complete(
        self, learner: LearnerRef, course_id: str, completed_at: datetime, hours: float, score: float | None
    ) -> tuple[CompletionRow, bool]:
        """Record a completion (committed when this returns) and whether it is new. The same course completed at
        the same instant is the same completion: a retried request does not count twice."""
        try:
            with self._session() as session:
                self._register(session, learner)
                row = Completion(
                    learner_key=learner.key,
                    course_id=course_id,
                    completed_at=completed_at,
                    hours=hours,
                    score=score,
                    recorded_at=_now(),
                )
                session.add(row)
            return _completion(row), True
        except IntegrityError:
            with self._session() as session:
                existing = session.scalars(
                    select(Completion).where(
                        Completion.learner_key == learner.key,
                        Completion.course_id == course_id,
                        Completion.completed_at == completed_at,
                    )
                ).one()
                return _completion(existing), False

    def enrolments(self, learner: LearnerRef) -> list[EnrolmentRow]:
        with self._session() as session:
            rows = session.scalars(
                select(Enrolment).where(Enrolment.learner_key == learner.key).order_by(Enrolment.started_at)
            )
            return [EnrolmentRow(r.course_id, r.started_at) for r in rows]

    def completions(self, learner: LearnerRef) -> list[CompletionRow]:
        with self._session() as session:
            rows = session.scalars(
                select(Completion)
                .where(Completion.learner_key == learner.key)
                .order_by(Completion.completed_at, Completion.id)
            )
            return [_completion(r) for r in rows]

    def completion_ids(self) -> set[int]:
        with self._session() as session:
            return set(session.scalars(select(Completion.id)))

    # -- path feedback -----------------------------------------------------------------------------------------
    def add_path_feedback(self, learner: LearnerRef, course_id: str, relevant: bool, comment: str) -> PathFeedbackRow:
        row = PathFeedback(
            id=uuid.uuid4().hex,
            learner_key=learner.key,
            course_id=course_id,
            relevant=relevant,
            comment=comment,
            created_at=_now(),
        )
        with self._session() as session:
            self._register(session, learner)
            session.add(row)
        return PathFeedbackRow(row.id, learner.learner_id, course_id, relevant, comment, row.created_at)

    def not_relevant(self, learner: LearnerRef) -> frozenset[str]:
        """Courses whose latest feedback from this learner says "not relevant" (a later "relevant" undoes it)."""
        latest: dict[str, bool] = {}
        with self._session() as session:
            rows = session.execute(
                select(PathFeedback.course_id, PathFeedback.relevant)
                .where(PathFeedback.learner_key == learner.key)
                .order_by(PathFeedback.created_at, PathFeedback.id)
            )
            for course_id, relevant in rows:
                latest[course_id] = relevant
        return frozenset(course for course, relevant in latest.items() if not relevant)

    def path_feedback(self, department: str) -> list[PathFeedbackRow]:
        with self._session() as session:
            rows = session.execute(
                select(PathFeedback, Learner.learner_id)
                .join(Learner, Learner.key == PathFeedback.learner_key)
                .where(Learner.department == department)
                .order_by(PathFeedback.created_at, PathFeedback.id)
            )
            return [
                PathFeedbackRow(f.id, learner_id, f.course_id, f.relevant, f.comment, f.created_at)
                for f, learner_id in rows
            ]

    # -- what reports and peer signals read --------------------------------------------------------------------
    def department_activity(self, department: str, year: int) -> DepartmentActivity:
        start, end = _year(year)
        with self._session() as session:
            custom_plans(session)
            learners = frozenset(session.scalars(select(Learner.key).where(Learner.department == department)))
            completions = session.execute(
                select(Completion.learner_key, Completion.course_id, Completion.hours)
                .join(Learner, Learner.key == Completion.learner_key)
                .where(
                    Learner.department == department, Completion.completed_at >= start, Completion.completed_at < end
                )
            ).all()
            open_enrolments = session.scalars(open_enrolment_learners(department, end))
            return DepartmentActivity(
                learners, tuple((k, c, float(h)) for k, c, h in completions), frozenset(open_enrolments)
            )

    def department_summary(
        self, department: str, year: int, tag_courses: Mapping[str, frozenset[str]], *, mandated_hours: float
    ) -> DepartmentSummary:
        """The report's counts, computed in the database (see summary.py): what ``department_activity`` would give
        ``reports.summarize``, without moving the department's rows out."""
        start, end = _year(year)
        with self._session() as session:
            return department_summary(session, department, start, end, tag_courses, mandated_hours=mandated_hours)

    def peer_records(self) -> list[PeerRecord]:
        with self._session() as session:
            rows = session.execute(
                select(
                    Completion.learner_key,
                    Completion.course_id,
                    Completion.completed_at,
                    Learner.role_id,
                    Learner.department,
                )
                .join(Learner, Learner.key == Completion.learner_key)
                .order_by(Completion.id)
            )
            return [PeerRecord(*row) for row in rows]

    def peer_columns(self, chunk: int = PEER_CHUNK) -> Iterator[PeerColumns]:
        """What ``peer_records`` returns, in the same order, as columns ``chunk`` rows at a time, for the peer model
        that reads every completion: plain DB-API rows (no ORM object, SQLAlchemy row or datetime per row), on
        PostgreSQL from a server-side cursor, so that memory stays flat whatever the number of completions."""
        import numpy as np

        with self._session() as session:
            connection = session.connection()
            dialect, dbapi = connection.dialect, connection.connection  # this session's connection and transaction
            if dialect.name == "postgresql":
                seconds = sa.cast(func.trunc(sa.extract("epoch", Completion.completed_at)), sa.BigInteger)
                query = (
                    select(Completion.learner_key, Completion.course_id, seconds, Learner.role_id, Learner.department)
                    .join(Learner, Learner.key == Completion.learner_key)
                    .order_by(Completion.id)
                )
                cursor = dbapi.driver_connection.cursor(name="peer_columns")  # type: ignore[union-attr]
                try:
                    for rows in _fetched(cursor, query, dialect, chunk):
                        keys, courses, times, roles, departments = (tuple(map(get, rows)) for get in _COLUMNS)
                        yield PeerColumns(keys, courses, np.asarray(times, dtype=np.int64), roles, departments)
                finally:
                    cursor.close()
                return
            # SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so both reads see the same rows; a
            # lookup of each learner's role and department costs less than SQLite's join (a B-tree search a row).
            has_completions = select(Completion.id).where(Completion.learner_key == Learner.key).exists()
            learners = select(Learner.key, Learner.role_id, Learner.department).where(has_completions)
            text = sa.type_coerce(Completion.completed_at, sa.String)  # UTC "YYYY-MM-DD HH:MM:SS.ffffff"
            completions = select(Completion.learner_key, Completion.course_id, text).order_by(Completion.id)
            cursor = dbapi.cursor()
            try:
                role_of: dict[str, str | None] = {}
                department_of: dict[str, str] = {}
                for rows in _fetched(cursor, learners, dialect, chunk):
                    role_of.update(zip(map(_COLUMNS[0], rows), map(_COLUMNS[1], rows), strict=True))
                    department_of.update(zip(map(_COLUMNS[0], rows), map(_COLUMNS[2], rows), strict=True))
                for rows in _fetched(cursor, completions, dialect, chunk):
                    keys = tuple(map(_COLUMNS[0], rows))
                    try:
                        roles = tuple(map(role_of.__getitem__, keys))
                    except KeyError:  # a learner's row gone (written with foreign keys off): the join left those out
                        rows = [row for row in rows if row[0] in role_of]
                        keys = tuple(map(_COLUMNS[0], rows))
                        roles = tuple(map(role_of.__getitem__, keys))
                    yield PeerColumns(
                        keys,
                        tuple(map(_COLUMNS[1], rows)),
                        _text_seconds(tuple(map(_COLUMNS[2], rows))),
                        roles,
                        tuple(map(department_of.__getitem__, keys)),
                    )
            finally:
                cursor.close()

    def completion_stamp(self) -> tuple[int, int]:
        """(number of completions, highest id ever given): how much completions changed since an earlier stamp."""
        with self._session() as session:
            count, top = session.execute(select(func.count(Completion.id), func.max(Completion.id))).one()
        return int(count), int(top or 0)

    # -- erasure -----------------------------------------------------------------------------------------------
    def learner_keys(self, department: str, learner_id: str) -> list[str]:
        with self._session() as session:
            return list(
                session.scalars(
                    select(Learner.key).where(Learner.department == department, Learner.learner_id == learner_id)
                )
            )

    def erase(self, learner_key: str) -> ErasedCounts:
        """Remove a learner with their enrolments, completions and path feedback, in one transaction."""
        with self._session() as session:
            counts = ErasedCounts(
                enrolments=_deleted(session, delete(Enrolment).where(Enrolment.learner_key == learner_key)),
                completions=_deleted(session, delete(Completion).where(Completion.learner_key == learner_key)),
                path_feedback=_deleted(session, delete(PathFeedback).where(PathFeedback.learner_key == learner_key)),
                learners=_deleted(session, delete(Learner).where(Learner.key == learner_key)),
            )
        return counts


def _fetched(cursor: Any, query: ClauseElement, dialect: Dialect, chunk: int) -> Iterator[list[tuple[Any, ...]]]:
    """``query``'s rows, ``chunk`` at a time, from a DB-API cursor: plain tuples, nothing converted."""
    compiled = query.compile(dialect=dialect)
    assert not compiled.params, "peer_columns' queries take no parameters: they run as plain SQL"
    cursor.execute(str(compiled))
    while rows := cursor.fetchmany(chunk):
        yield rows


def _text_seconds(times: tuple[str, ...]) -> npt.NDArray[np.int64]:
    """SQLite's UTC text as whole seconds since the epoch, as ``int(datetime.timestamp())`` gives them (truncated
    toward zero); numpy parses them all at once."""
    import numpy as np

    micros = np.asarray(times, dtype="datetime64[us]").astype(np.int64)
    return np.where(micros < 0, -(-micros // 1_000_000), micros // 1_000_000)


def _deleted(session: Session, statement: Delete) -> int:
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def _learner(row: Learner) -> LearnerRow:
    return LearnerRow(row.key, row.learner_id, row.department, row.role_id, row.created_at)


def _completion(row: Completion) -> CompletionRow:
    return CompletionRow(
        row.id, row.course_id, row.completed_at, float(row.hours), None if row.score is None else float(row.score)
    )
