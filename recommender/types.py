"""The recommender's data: requests, gaps, steps, schedules and paths, as frozen dataclasses.

Time is kept in whole minutes (course durations are minutes) so budgets never suffer float rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from corpus.types import Level

EvidenceSource = Literal["tag", "suggested"]
LEVELS = (Level.BEGINNER, Level.INTERMEDIATE, Level.ADVANCED)


def level_of(rank: int) -> Level | None:
    """Rank 1-3 back to a Level; 0 (nothing held) is None."""
    return LEVELS[rank - 1] if rank > 0 else None


@dataclass(frozen=True)
class Budget:
    """A time budget: plain hours, or a programme of ``days`` x ``hours_per_day`` (laid out day by day)."""

    minutes: int
    days: int | None = None
    minutes_per_day: int | None = None

    @classmethod
    def of_hours(cls, hours: float) -> Budget:
        if not (math.isfinite(hours) and hours > 0):
            raise ValueError(f"hours: expected a positive number, got {hours}")
        return cls(minutes=round(hours * 60))

    @classmethod
    def programme(cls, days: int, hours_per_day: float) -> Budget:
        if days < 1:
            raise ValueError(f"days: expected at least 1, got {days}")
        if not (math.isfinite(hours_per_day) and hours_per_day > 0):
            raise ValueError(f"hours_per_day: expected a positive number, got {hours_per_day}")
        per_day = round(hours_per_day * 60)
        return cls(minutes=days * per_day, days=days, minutes_per_day=per_day)

    @property
    def is_programme(self) -> bool:
        return self.days is not None

    @property
    def field(self) -> str:
        """The request field to blame when the budget is too small."""
        return "hours_per_day" if self.is_programme else "hours"


@dataclass(frozen=True)
class Declared:
    """A competency the learner says they already hold, at a level."""

    competency_id: str
    level: Level


@dataclass(frozen=True)
class PathRequest:
    role: str | None = None
    role_description: str | None = None
    completed: tuple[str, ...] = ()
    declared: tuple[Declared, ...] = ()
    language: str | None = None
    budget: Budget = Budget(minutes=7 * 4 * 60, days=7, minutes_per_day=4 * 60)
    level: Level | None = None
    """The learner's level for the mandatory modules; by default the next level above what they hold."""
    avoid: tuple[str, ...] = ()
    """Courses the learner marked "not relevant": planned only when nothing else does as well."""


@dataclass(frozen=True)
class Gap:
    """A required competency the learner does not yet hold at the required level."""

    competency_id: str
    name: str
    required: Level
    held: Level | None

    @property
    def levels_missing(self) -> int:
        return self.required.rank - (self.held.rank if self.held else 0)


@dataclass(frozen=True)
class CoverageEntry:
    """One competency a course builds, at a level; a suggested entry carries the tagger's confidence."""

    competency_id: str
    level: Level
    source: EvidenceSource = "tag"
    confidence: float = 1.0


@dataclass(frozen=True)
class Closure:
    """What one step does to one gap: raises the competency from ``before`` to ``after``."""

    competency_id: str
    name: str
    before: Level | None
    after: Level
    required: Level
    source: EvidenceSource
    confidence: float


@dataclass(frozen=True)
class PeerSignal:
    score: float
    """0-1, relative to the best-scored course for this learner."""
    basis: str
    """co-completion, role popularity, overall popularity or similar content (cold start)."""
    role_share: float | None
    """Share of learners in the role (in the completion records) who completed the course."""


@dataclass(frozen=True)
class PathStep:
    position: int
    course_id: str
    title: str
    level: Level
    language: str
    minutes: int
    closes: tuple[Closure, ...]
    reasons: tuple[str, ...]
    mandatory: str | None = None
    after: tuple[str, ...] = ()
    """Course ids in the path that must come first (prerequisites, lower levels of the same competency)."""
    peer: PeerSignal | None = None
    score: float = 0.0


@dataclass(frozen=True)
class OpenGap:
    gap: Gap
    reached: Level | None
    """The level the path reaches (None: untouched)."""
    reason: Literal["no_course", "no_time"]
    detail: str
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class MandatoryModule:
    tag: str
    level: Level
    status: Literal["planned", "completed", "unavailable"]
    course_id: str | None
    detail: str


@dataclass(frozen=True)
class Session:
    course_id: str
    title: str
    minutes: int
    part: int = 1
    parts: int = 1


@dataclass(frozen=True)
class Day:
    day: int
    sessions: tuple[Session, ...]
    minutes: int
    capacity_minutes: int


@dataclass(frozen=True)
class Schedule:
    days: tuple[Day, ...]
    total_minutes: int
    capacity_minutes: int


@dataclass(frozen=True)
class RoleMatch:
    role_id: str
    title: str
    similarity: float


@dataclass(frozen=True)
class SuggestedTag:
    """A competency suggested for a text; ``confidence`` is the calibrated probability a curator would tag it."""

    competency_id: str
    name: str
    similarity: float
    confidence: float


@dataclass(frozen=True)
class LearningPath:
    role_id: str
    role_title: str
    matched_roles: tuple[RoleMatch, ...]
    """For a free-text role description: the nearest roles, best first (the first one was used)."""
    matched_competencies: tuple[SuggestedTag, ...]
    """For a description: competencies it names directly, added to the role's requirements."""
    gaps: tuple[Gap, ...]
    steps: tuple[PathStep, ...]
    open_gaps: tuple[OpenGap, ...]
    mandatory: tuple[MandatoryModule, ...]
    total_minutes: int
    budget_minutes: int
    schedule: Schedule | None
    gap_coverage: float
    """Share of the missing competency-levels that the path closes (1.0 when there was no gap)."""
    peer_basis: str
