"""Competency gaps: what a role requires, minus what the learner holds (from completed courses and declarations)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from corpus.types import CompetencyRef, Level
from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.types import Declared, Gap, level_of

HOLDING_CONFIDENCE = 0.5
"""A completed untagged course counts as building a suggested competency only at this confidence or above."""


def requirements(refs: Iterable[CompetencyRef]) -> dict[str, Level]:
    """Competency id -> required level (the highest, if a competency is listed twice)."""
    required: dict[str, Level] = {}
    for ref in refs:
        if ref.id not in required or ref.level.rank > required[ref.id].rank:
            required[ref.id] = ref.level
    return required


def holdings(coverage: CourseCoverage, completed: Sequence[str], declared: Sequence[Declared]) -> dict[str, int]:
    """Competency id -> level rank the learner holds: the best of completed courses and declarations."""
    held: dict[str, int] = {}
    for course_id in completed:
        for entry in coverage.entries.get(course_id, ()):
            if entry.source == "tag" or entry.confidence >= HOLDING_CONFIDENCE:
                held[entry.competency_id] = max(held.get(entry.competency_id, 0), entry.level.rank)
    for item in declared:
        held[item.competency_id] = max(held.get(item.competency_id, 0), item.level.rank)
    return held


def compute_gaps(catalog: Catalog, required: Mapping[str, Level], held: Mapping[str, int]) -> list[Gap]:
    """One gap per required competency held below its level, most levels missing first, then by name."""
    gaps = [
        Gap(cid, catalog.competency_name(cid), level, level_of(held.get(cid, 0)))
        for cid, level in required.items()
        if held.get(cid, 0) < level.rank
    ]
    return sorted(gaps, key=lambda g: (-g.levels_missing, g.name))


def done_courses(catalog: Catalog, completed: Iterable[str]) -> set[str]:
    """Completed courses and their translations (a course done in one language is done in all)."""
    groups = {catalog.group(c) for c in completed}
    return {c for c in catalog.courses if catalog.group(c) in groups} | set(completed)
