"""An immutable view of what the recommender plans with: courses, roles and the competency dictionary.

Built once from the store (``Catalog.from_store``) or from objects (tests, synthetic catalogues). Lookups that
take ids from a request raise typed errors that name the field and suggest close matches.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from corpus.store import Store
from corpus.translations import translation_groups
from corpus.types import Competency, Course, Role
from recommender.errors import UnknownIdError, UnknownRoleError


@dataclass(frozen=True)
class Catalog:
    courses: dict[str, Course]
    roles: dict[str, Role]
    competencies: dict[str, Competency]
    groups: dict[str, str] = field(default_factory=dict)
    """Course id -> translation group id (a course and its translations are the same course)."""
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Translation group id -> its course ids."""
    _primary: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)
    """Cache of ``primary_competency`` (the catalogue never changes after it is built)."""

    @classmethod
    def build(cls, courses: Iterable[Course], roles: Iterable[Role], competencies: Iterable[Competency]) -> Catalog:
        by_id = {c.id: c for c in courses}
        groups = translation_groups({c.id: c.translation_of for c in by_id.values()})
        members: dict[str, list[str]] = {}
        for course_id in sorted(groups):
            members.setdefault(groups[course_id], []).append(course_id)
        return cls(
            courses=by_id,
            roles={r.id: r for r in roles},
            competencies={c.id: c for c in competencies},
            groups=groups,
            members={g: tuple(ids) for g, ids in members.items()},
        )

    @classmethod
    def from_store(cls, store: Store) -> Catalog:
        with store.read_snapshot():
            courses = [d for d in store.documents("course") if isinstance(d, Course)]
            roles, competencies = store.roles(), store.competencies()
        return cls.build(courses, roles, competencies)

    # -- names -------------------------------------------------------------------------------------------------
    def competency_name(self, competency_id: str) -> str:
        found = self.competencies.get(competency_id)
        return f"{found.theme} > {found.sub_theme}" if found else competency_id

    def headcount(self, role_id: str) -> int | None:
        role = self.roles.get(role_id)
        return role.headcount if role else None

    # -- lookups that validate request ids ---------------------------------------------------------------------
    def role(self, role_id: str, field: str = "role") -> Role:
        found = self.roles.get(role_id)
        if found is None:
            raise UnknownRoleError(role_id, self.close_roles(role_id), field)
        return found

    def close_roles(self, text: str, n: int = 3) -> list[str]:
        """Role ids whose id or title is spelled like ``text``."""
        titles = {r.title.lower(): r.id for r in self.roles.values()}
        by_id = difflib.get_close_matches(text, list(self.roles), n=n, cutoff=0.5)
        by_title = [titles[t] for t in difflib.get_close_matches(text.lower(), list(titles), n=n, cutoff=0.5)]
        return list(dict.fromkeys([*by_id, *by_title]))[:n]

    def check_courses(self, ids: Sequence[str], field: str) -> None:
        unknown = [i for i in ids if i not in self.courses]
        if unknown:
            close = [m for i in unknown for m in difflib.get_close_matches(i, list(self.courses), n=2, cutoff=0.6)]
            raise UnknownIdError("course", unknown, field, list(dict.fromkeys(close))[:3])

    def check_competencies(self, ids: Sequence[str], field: str) -> None:
        unknown = [i for i in ids if i not in self.competencies]
        if unknown:
            close = [m for i in unknown for m in difflib.get_close_matches(i, list(self.competencies), n=2, cutoff=0.6)]
            raise UnknownIdError("competency", unknown, field, list(dict.fromkeys(close))[:3])

    # -- structure ---------------------------------------------------------------------------------------------
    def group(self, course_id: str) -> str:
        return self.groups.get(course_id, course_id)

    def translations(self, course_id: str) -> tuple[str, ...]:
        """The course and its translations."""
        return self.members.get(self.group(course_id), (course_id,))

    def tagged(self, tag: str) -> list[Course]:
        return [c for c in self.courses.values() if tag in c.tags]

    def primary_competency(self, tag: str) -> str | None:
        """The competency that courses carrying ``tag`` build most often (e.g. AI Application for ``ai``)."""
        if tag not in self._primary:
            counts = Counter(ref.id for c in self.tagged(tag) for ref in c.competencies)
            self._primary[tag] = counts.most_common(1)[0][0] if counts else None
        return self._primary[tag]
