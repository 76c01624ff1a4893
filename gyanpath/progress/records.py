"""Plain frozen records the progress store hands out: callers never hold ORM objects or sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class LearnerRef:
    """Who a learner is: ``key`` is unique across departments (the API key's owner, e.g. ``health/asha`` or
    ``key/<key id>``); ``learner_id`` is what people see and admins name; ``department`` scopes both."""

    key: str
    learner_id: str
    department: str


@dataclass(frozen=True)
class LearnerRow:
    key: str
    learner_id: str
    department: str
    role_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class EnrolmentRow:
    course_id: str
    started_at: datetime


@dataclass(frozen=True)
class CompletionRow:
    id: int
    course_id: str
    completed_at: datetime
    hours: float
    score: float | None


@dataclass(frozen=True)
class PathFeedbackRow:
    id: str
    learner_id: str
    course_id: str
    relevant: bool
    comment: str
    created_at: datetime


@dataclass(frozen=True)
class PeerRecord:
    """One completion with what peer signals need about its learner."""

    learner_key: str
    course_id: str
    completed_at: datetime
    role_id: str | None
    department: str


@dataclass(frozen=True)
class DepartmentActivity:
    """What a department report is computed from: the department's learners, their completions of the year
    (learner key, course, hours) and the learners with an enrolment still open at the year's end."""

    learners: frozenset[str]
    completions: tuple[tuple[str, str, float], ...]
    in_progress: frozenset[str]


@dataclass(frozen=True)
class DepartmentSummary:
    """The counts behind a department report for one year, before suppression: learners registered; learners who
    completed one or more / three or more distinct courses; learners with an open enrolment at the year's end;
    learners whose hours are positive (``contributors``) and the hours summed; learners whose hours meet the
    programme; per mandatory tag, learners who completed a course carrying it; per course, its distinct completers."""

    registered: int
    completed_one_or_more: int
    completed_three_or_more: int
    in_progress: int
    contributors: int
    learning_hours: float
    programme: int
    mandatory_modules: dict[str, int]
    course_completers: dict[str, int]


@dataclass(frozen=True)
class ErasedCounts:
    learners: int = 0
    enrolments: int = 0
    completions: int = 0
    path_feedback: int = 0

    @property
    def total(self) -> int:
        return self.learners + self.enrolments + self.completions + self.path_feedback
