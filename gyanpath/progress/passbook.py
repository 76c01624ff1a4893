"""The competency passbook: each competency a learner's completed courses build, at the highest level reached,
with the course (and the first completion) that proved that level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from corpus.types import Course, Level
from gyanpath.progress.records import CompletionRow


@dataclass(frozen=True)
class Acquired:
    competency_id: str
    name: str
    level: Level
    course_id: str
    completed_at: datetime


def passbook(
    completions: Sequence[CompletionRow], courses: Mapping[str, Course], names: Mapping[str, str]
) -> list[Acquired]:
    """Completions of courses no longer in the catalogue prove nothing; ties go to the earliest completion."""
    best: dict[str, Acquired] = {}
    for done in sorted(completions, key=lambda c: (c.completed_at, c.id)):
        course = courses.get(done.course_id)
        if course is None:
            continue
        for ref in course.competencies:
            held = best.get(ref.id)
            if held is None or ref.level.rank > held.level.rank:
                best[ref.id] = Acquired(ref.id, names.get(ref.id, ref.id), ref.level, course.id, done.completed_at)
    return sorted(best.values(), key=lambda a: (-a.level.rank, a.competency_id))
