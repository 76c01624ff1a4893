"""Learner progress: learners and their role, enrolments, completions and path feedback (SQLAlchemy 2).

SQLite (WAL) by default, PostgreSQL by URL; the schema is migrated with Alembic at open.
"""

from __future__ import annotations

from gyanpath.progress.errors import LearnerNotFoundError, ProgressError
from gyanpath.progress.records import (
    CompletionRow,
    EnrolmentRow,
    ErasedCounts,
    LearnerRef,
    LearnerRow,
    PathFeedbackRow,
)
from gyanpath.progress.store import ProgressStore

__all__ = [
    "CompletionRow",
    "EnrolmentRow",
    "ErasedCounts",
    "LearnerNotFoundError",
    "LearnerRef",
    "LearnerRow",
    "PathFeedbackRow",
    "ProgressError",
    "ProgressStore",
]
