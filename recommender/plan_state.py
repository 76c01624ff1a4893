"""The state of one planning run: what is held and planned, what a bundle of courses is worth, and committing.

A bundle is a course preceded by its missing prerequisites (recursively; a prerequisite done or planned in any
language counts). A course's value is the gap levels it closes given what is held or already planned, each
weighted by its evidence (1 for a tag, confidence x discount for a suggested tag) and by the gap's importance
(Functional and Domain 1, Behavioural ``behavioural_weight``; times 0.75/1/1.25 as the role needs it at
Beginner/Intermediate/Advanced). An Advanced entry counts only
once the competency is held or planned at some level: Beginner before Advanced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from corpus.types import CompetencyType, Level
from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.schedule import lay_out, topological_order
from recommender.types import Budget, CoverageEntry, MandatoryModule, Schedule

REQUIRED_LEVEL_WEIGHT = {1: 0.75, 2: 1.0, 3: 1.25}
Gain = tuple[str, int, int, CoverageEntry]
"""(competency id, rank before, rank after, the entry that raised it)."""


@dataclass(frozen=True)
class PlannerConfig:
    mandatory_tags: tuple[str, ...] = ("ai", "cyber-security")
    other_language_factor: float = 0.5
    peer_weight: float = 0.5
    behavioural_weight: float = 0.5
    """Importance of a Behavioural gap level relative to a Functional or Domain one: the role-specific
    competencies are what makes someone ready for the job, so they count fully."""
    avoided_factor: float = 0.1
    """Score factor of a course the learner marked "not relevant": it is chosen only when nothing else closes
    as much, and a mandatory module takes any other course of its tag first."""


@dataclass(frozen=True)
class PlanInput:
    required: Mapping[str, Level]
    held: Mapping[str, int]
    done: frozenset[str]
    budget: Budget
    language: str | None = None
    level: Level | None = None
    peer: Mapping[str, float] = field(default_factory=dict)
    completed: frozenset[str] = frozenset()
    """What the learner listed as completed (``done`` adds their translations)."""
    avoid: frozenset[str] = frozenset()
    """Courses the learner marked "not relevant" (with their translations: a group is avoided as a whole)."""


@dataclass
class Selection:
    picked: list[str] = field(default_factory=list)
    gains: dict[str, list[Gain]] = field(default_factory=dict)
    after: dict[str, set[str]] = field(default_factory=dict)
    needed_by: dict[str, str] = field(default_factory=dict)
    """Course -> the course it was added as a prerequisite of."""
    mandatory: list[MandatoryModule] = field(default_factory=list)
    mandatory_of: dict[str, str] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    minutes: int = 0
    order: list[str] = field(default_factory=list)
    schedule: Schedule | None = None
    did_not_fit: set[str] = field(default_factory=set)


class PlanState:
    def __init__(
        self,
        catalog: Catalog,
        coverage: CourseCoverage,
        config: PlannerConfig,
        redundant: Mapping[str, frozenset[str]],
        problem: PlanInput,
    ) -> None:
        self.catalog, self.coverage, self.config, self.redundant = catalog, coverage, config, redundant
        self.problem = problem
        self.selection = Selection(levels=dict(problem.held))
        self.taken_groups = {catalog.group(c) for c in problem.done}
        self.raised_by: dict[str, list[str]] = {}
        self.picked: set[str] = set()
        self._importance: dict[str, float] = {}
        self._avoided_groups: set[str] | None = None

    def minutes(self, bundle: list[str]) -> int:
        return sum(self.catalog.courses[c].duration_minutes for c in bundle)

    @property
    def remaining(self) -> int:
        return self.problem.budget.minutes - self.selection.minutes

    # -- bundles and their value -------------------------------------------------------------------------------
    def available(self, course_id: str) -> bool:
        """Not done, not a translation of a done or planned course, not a near-duplicate of one."""
        if course_id in self.problem.done or self.catalog.group(course_id) in self.taken_groups:
            return False
        twins = self.redundant.get(course_id)
        return not twins or not (twins & self.problem.done or twins & self.picked)

    def preferred(self, course_id: str) -> str:
        """The member of a course's translation group in the learner's language, if there is one."""
        language = self.problem.language
        if language is None or self.catalog.courses[course_id].language == language:
            return course_id
        same = [c for c in self.catalog.translations(course_id) if self.catalog.courses[c].language == language]
        return same[0] if same else course_id

    def bundle(self, course_id: str, trail: tuple[str, ...] = ()) -> list[str] | None:
        """``course_id`` preceded by its missing prerequisites; None on a cycle or an unavailable course."""
        if course_id in trail or not self.available(course_id):
            return None
        items: list[str] = []
        for prerequisite in self.catalog.courses[course_id].prerequisites:
            if prerequisite not in self.catalog.courses or self.catalog.group(prerequisite) in self.taken_groups:
                continue
            inner = self.bundle(self.preferred(prerequisite), (*trail, course_id))
            if inner is None:
                return None
            items += [c for c in inner if c not in items]
        return [*items, course_id]

    def value(self, bundle: list[str]) -> tuple[float, dict[str, list[Gain]]]:
        levels: dict[str, int] = {}
        total = 0.0
        gains: dict[str, list[Gain]] = {}
        for course_id in bundle:
            gains[course_id] = []
            for entry in self.coverage.entries[course_id]:
                cid = entry.competency_id
                required = self.problem.required.get(cid)
                if required is None:
                    continue
                current = levels.get(cid, self.selection.levels.get(cid, 0))
                target = min(entry.level.rank, required.rank)
                if target <= current or (entry.level.rank == 3 and current == 0):
                    continue
                importance = self._importance.get(cid)
                if importance is None:
                    importance = self._importance[cid] = self.importance(cid)
                total += (target - current) * self.coverage.weight(entry) * importance
                levels[cid] = target
                gains[course_id].append((cid, current, target, entry))
        return total, gains

    def importance(self, competency_id: str) -> float:
        """How much one level of this gap matters: role-specific (Functional, Domain) over Behavioural, and a
        competency the role needs at Advanced (its core) over one it needs at Beginner."""
        found = self.catalog.competencies.get(competency_id)
        kind = self.config.behavioural_weight if found and found.type == CompetencyType.BEHAVIOURAL else 1.0
        required = self.problem.required.get(competency_id)
        return kind * REQUIRED_LEVEL_WEIGHT[required.rank if required else 2]

    def score(self, course_id: str, value: float, minutes: int) -> float:
        """Gap levels per hour, times the language factor and the peer boost."""
        course = self.catalog.courses[course_id]
        language = self.problem.language
        factor = 1.0 if language is None or course.language == language else self.config.other_language_factor
        peer = 1.0 + self.config.peer_weight * self.problem.peer.get(course_id, 0.0)
        if self.is_avoided(course_id):
            factor *= self.config.avoided_factor
        return value / max(minutes / 60.0, 1 / 60) * factor * peer

    def is_avoided(self, course_id: str) -> bool:
        return bool(self.problem.avoid) and self.catalog.group(course_id) in self.avoided_groups

    @property
    def avoided_groups(self) -> set[str]:
        if self._avoided_groups is None:
            self._avoided_groups = {self.catalog.group(c) for c in self.problem.avoid if c in self.catalog.courses}
        return self._avoided_groups

    # -- ordering, fitting, committing -------------------------------------------------------------------------
    def after_for(self, bundle: list[str], gains: dict[str, list[Gain]]) -> dict[str, set[str]]:
        """What each course of ``bundle`` must follow: its prerequisites (any language) and earlier courses that
        raised a competency it raises further."""
        after: dict[str, set[str]] = {}
        raised = {cid: list(courses) for cid, courses in self.raised_by.items()}
        pool = [*self.selection.picked, *bundle]
        for course_id in bundle:
            groups = {self.catalog.group(p) for p in self.catalog.courses[course_id].prerequisites}
            needs = {c for c in pool if c != course_id and self.catalog.group(c) in groups}
            for cid, _, _, _ in gains.get(course_id, []):
                needs |= set(raised.get(cid, []))
                raised.setdefault(cid, []).append(course_id)
            after[course_id] = needs - {course_id}
        return after

    def arrange(self, extra: list[str] | None = None) -> tuple[list[str], Schedule | None] | None:
        """Order the plan (plus ``extra``) and, for a programme, lay it out; None if it does not fit the days."""
        picked = [*self.selection.picked, *(extra or [])]
        after = dict(self.selection.after)
        if extra:
            after.update(self.after_for(extra, self.value(extra)[1]))
        # Level first; among courses (and days) of one level, the earlier-chosen (mandatory, most valuable) first.
        rank = {c: self.catalog.courses[c].level.rank + n / (10 * len(picked)) for n, c in enumerate(picked)}
        order = topological_order(picked, after, rank)
        budget = self.problem.budget
        if budget.days is None or budget.minutes_per_day is None:
            return order, None
        minutes = {c: self.catalog.courses[c].duration_minutes for c in picked}
        titles = {c: self.catalog.courses[c].title for c in picked}
        schedule = lay_out(order, after, minutes, titles, budget.days, budget.minutes_per_day, rank)
        if schedule is None:  # second try: longest first (still never before a predecessor) packs days tighter
            longest_first = topological_order(picked, after, {c: -minutes[c] for c in picked})
            schedule = lay_out(longest_first, after, minutes, titles, budget.days, budget.minutes_per_day, rank)
        return None if schedule is None else (order, schedule)

    def fits(self, bundle: list[str]) -> bool:
        if self.minutes(bundle) > self.remaining:
            return False
        return not self.problem.budget.is_programme or self.arrange(bundle) is not None

    def commit(self, bundle: list[str], score: float, mandatory: str | None = None) -> None:
        _, gains = self.value(bundle)
        self.selection.after.update(self.after_for(bundle, gains))
        for course_id in bundle:
            self.selection.picked.append(course_id)
            self.picked.add(course_id)
            self.selection.minutes += self.catalog.courses[course_id].duration_minutes
            self.selection.gains[course_id] = gains[course_id]
            self.selection.scores[course_id] = score
            self.taken_groups.add(self.catalog.group(course_id))
            if course_id != bundle[-1]:
                self.selection.needed_by.setdefault(course_id, bundle[-1])
            for cid, _, after, _ in gains[course_id]:
                self.selection.levels[cid] = after
                self.raised_by.setdefault(cid, []).append(course_id)
        if mandatory:
            self.selection.mandatory_of[bundle[-1]] = mandatory
        arranged = self.arrange()
        if arranged is None:  # fits() was checked first; reaching this is a bug, not a user error
            raise RuntimeError("a committed bundle no longer fits the schedule")
        self.selection.order, self.selection.schedule = arranged
