"""Coverage gaps for course authors: competency levels that too few courses build, with the roles that need them.

A role needs a competency at every level up to the one it requires (a learner climbs through them). Gaps are
ranked by how many people hold the roles that need them (headcount, where known), then by how many roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.types import Level, Role
from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.errors import InvalidRequestError
from recommender.gaps import HOLDING_CONFIDENCE
from recommender.types import LEVELS


@dataclass(frozen=True)
class RoleNeed:
    role_id: str
    title: str
    headcount: int | None
    required: Level


@dataclass(frozen=True)
class CoverageGap:
    competency_id: str
    name: str
    level: Level
    courses: tuple[str, ...]
    roles: tuple[RoleNeed, ...]
    people: int
    """Total headcount of the roles that need it (roles without a headcount add nothing)."""


def scope_roles(catalog: Catalog, role: str | None, department: str | None) -> list[Role] | None:
    """The roles in scope; None means the whole dictionary."""
    if role is not None and department is not None:
        raise InvalidRequestError("give a role or a department, not both", "department")
    if role is not None:
        return [catalog.role(role)]
    if department is not None:
        roles = [r for r in catalog.roles.values() if r.department == department]
        if not roles:
            known = sorted({r.department for r in catalog.roles.values()})
            raise InvalidRequestError(
                f"no roles in department {department!r} (departments with roles: {', '.join(known)})", "department"
            )
        return roles
    return None


def coverage_gaps(
    catalog: Catalog,
    coverage: CourseCoverage,
    *,
    role: str | None = None,
    department: str | None = None,
    min_courses: int = 1,
) -> list[CoverageGap]:
    if min_courses < 1:
        raise InvalidRequestError(f"expected at least 1, got {min_courses}", "min_courses")
    scoped = scope_roles(catalog, role, department)
    roles = scoped if scoped is not None else list(catalog.roles.values())
    needs: dict[tuple[str, int], list[RoleNeed]] = {}
    for r in sorted(roles, key=lambda r: r.id):
        for ref in r.competencies:
            for rank in range(1, ref.level.rank + 1):
                needs.setdefault((ref.id, rank), []).append(RoleNeed(r.id, r.title, r.headcount, ref.level))
    pairs = set(needs) if scoped is not None else {(c, rank) for c in catalog.competencies for rank in (1, 2, 3)}
    courses: dict[tuple[str, int], list[str]] = {}
    for course_id, entries in coverage.entries.items():
        for entry in entries:
            if entry.source == "tag" or entry.confidence >= HOLDING_CONFIDENCE:
                courses.setdefault((entry.competency_id, entry.level.rank), []).append(course_id)
    gaps = []
    for cid, rank in pairs:
        found = sorted(set(courses.get((cid, rank), [])))
        if len(found) < min_courses:
            who = tuple(needs.get((cid, rank), []))
            people = sum(n.headcount or 0 for n in who)
            gaps.append(CoverageGap(cid, catalog.competency_name(cid), LEVELS[rank - 1], tuple(found), who, people))
    return sorted(gaps, key=lambda g: (-g.people, -len(g.roles), g.level.rank, g.name))
