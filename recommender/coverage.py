"""What each course covers: its tagged competencies at their levels, or suggested ones for untagged courses.

A suggested entry is used at a discount (its weight is confidence x discount) and only above a minimum
confidence; the evidence travels with it into explanations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.types import Course
from recommender.catalog import Catalog
from recommender.tagging import TagSuggester
from recommender.types import CoverageEntry

SUGGESTED_PER_COURSE = 3


@dataclass(frozen=True)
class CoverageConfig:
    suggested_discount: float = 0.5
    min_confidence: float = 0.3


class CourseCoverage:
    def __init__(
        self, catalog: Catalog, tagger: TagSuggester | None = None, config: CoverageConfig | None = None
    ) -> None:
        self.catalog = catalog
        self.config = config or CoverageConfig()
        self.entries: dict[str, tuple[CoverageEntry, ...]] = {}
        untagged: list[Course] = []
        for course in catalog.courses.values():
            if course.competencies:
                self.entries[course.id] = tuple(CoverageEntry(ref.id, ref.level) for ref in course.competencies)
            else:
                untagged.append(course)
                self.entries[course.id] = ()
        if untagged and tagger is not None:
            self._suggest(untagged, tagger)
        self.by_competency: dict[str, list[str]] = defaultdict(list)
        for course_id, entries in self.entries.items():
            for entry in entries:
                self.by_competency[entry.competency_id].append(course_id)

    def _suggest(self, courses: Sequence[Course], tagger: TagSuggester) -> None:
        semantic = tagger.semantic
        rows = [semantic.course_row[c.id] for c in courses]
        _, confidence = tagger.confidences(semantic.courses[rows])
        for course, row in zip(courses, confidence, strict=True):
            best = row.argsort()[::-1][:SUGGESTED_PER_COURSE]
            self.entries[course.id] = tuple(
                CoverageEntry(semantic.competency_ids[j], course.level, "suggested", round(float(row[j]), 4))
                for j in best
                if row[j] >= self.config.min_confidence
            )

    def weight(self, entry: CoverageEntry) -> float:
        """How much closing a gap level with this entry is worth (1 for a curator's tag)."""
        return 1.0 if entry.source == "tag" else entry.confidence * self.config.suggested_discount

    def courses_at(self, competency_id: str, level_rank: int) -> list[str]:
        """Courses that build ``competency_id`` at exactly this level."""
        return [
            c
            for c in self.by_competency.get(competency_id, [])
            if any(e.competency_id == competency_id and e.level.rank == level_rank for e in self.entries[c])
        ]
