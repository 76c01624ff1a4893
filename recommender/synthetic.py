"""A documented generator of synthetic but realistic completion logs over a catalogue.

Nobody's real training records are available offline, so evaluation of the peer signals runs on logs generated
from the catalogue with these behaviours (each a parameter of ``SyntheticConfig``):

- learners hold roles in proportion to the roles' headcounts and work in the role's department;
- a share of learners prefers Hindi; they mostly take the Hindi version of a course where one exists;
- each course has a latent appeal (log-normal), so popularity is skewed as on real platforms;
- courses building the role's required competencies are much more likely (``role_boost`` x share of the
  course's competencies the role requires);
- each learner has a couple of interest themes (competency themes) that lift matching courses (``interest_boost``);
- the first courses are mostly Beginner; Intermediate and Advanced ones become likely as the learner progresses;
- after a course, its follow-ons (courses listing it as a prerequisite, or building one of its competencies at the
  next level) are likely next (``follow_on_boost``): the sequential pattern a peer model can learn and a
  popularity ranking cannot;
- new recruits take the mandatory AI and cyber-security modules early;
- a course whose prerequisite is not done is replaced by that prerequisite (people do the prerequisite first);
- learners join at random times, complete a Poisson number of courses at exponential intervals; a share of
  courses is launched late in the period (new courses, with no history before their launch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from corpus.types import CompetencyRef, Course
from recommender.catalog import Catalog
from recommender.completions import CompletionLog

DAY = 86_400
LEVEL_FACTORS = {0: (1.0, 0.25, 0.03), 2: (1.0, 0.8, 0.15), 5: (0.7, 1.0, 0.6)}
"""Completed-course count -> weight of (Beginner, Intermediate, Advanced) courses from then on."""


@dataclass(frozen=True)
class SyntheticConfig:
    learners: int = 20_000
    start: datetime = datetime(2023, 1, 1, tzinfo=UTC)
    days: int = 730
    mean_courses: float = 8.0
    mean_gap_days: float = 20.0
    hindi_share: float = 0.35
    interests: int = 2
    interest_boost: float = 4.0
    role_boost: float = 8.0
    follow_on_boost: float = 12.0
    mandatory_boost: float = 6.0
    mandatory_tags: tuple[str, ...] = ("ai", "cyber-security")
    late_course_share: float = 0.1
    seed: int = 0


class _Tables:
    """Per-course arrays the sampler needs, built once per catalogue."""

    def __init__(self, catalog: Catalog, config: SyntheticConfig, rng: np.random.Generator) -> None:
        self.ids = sorted(catalog.courses)
        index = {c: i for i, c in enumerate(self.ids)}
        courses = [catalog.courses[c] for c in self.ids]
        self.group = np.array([index.get(catalog.group(c), i) for i, c in enumerate(self.ids)])
        self.hindi = np.array([c.language == "hi" for c in courses])
        has_hindi = {catalog.group(c.id) for c in courses if c.language == "hi"}
        self.has_hindi = np.array([catalog.group(c) in has_hindi for c in self.ids])
        self.level = np.array([c.level.rank - 1 for c in courses])
        self.appeal = rng.lognormal(0.0, 0.8, len(courses))
        self.mandatory = np.array([any(t in c.tags for t in config.mandatory_tags) for c in courses])
        themes = sorted({ref.theme for c in courses for ref in c.competencies})
        self.themes = themes
        position = {t: n for n, t in enumerate(themes)}
        self.theme_matrix = np.zeros((len(courses), max(len(themes), 1)), dtype=bool)
        for i, course in enumerate(courses):
            self.theme_matrix[i, [position[ref.theme] for ref in course.competencies]] = True
        self.theme_weight = self.theme_matrix.sum(axis=0).astype(float)
        self.prerequisites = [[index[p] for p in c.prerequisites if p in index] for c in courses]
        self.follow_ons = self._follow_ons(courses, index)
        start = config.start.timestamp()
        late = rng.random(len(courses)) < config.late_course_share
        self.launch = np.where(late, start + rng.uniform(0.6, 0.9, len(courses)) * config.days * DAY, start)
        self.competencies = [{ref.id for ref in c.competencies} for c in courses]

    @staticmethod
    def _follow_ons(courses: list[Course], index: dict[str, int]) -> list[npt.NDArray[np.int64]]:
        builds: dict[tuple[str, int], list[int]] = {}
        needed_by: dict[str, set[int]] = {}
        for i, course in enumerate(courses):
            for ref in course.competencies:
                builds.setdefault((ref.id, ref.level.rank), []).append(i)
            for prerequisite in course.prerequisites:
                needed_by.setdefault(prerequisite, set()).add(i)
        result = []
        for i, course in enumerate(courses):
            nxt = set(needed_by.get(course.id, set()))
            for ref in course.competencies:
                nxt.update(builds.get((ref.id, ref.level.rank + 1), []))
            result.append(np.array(sorted(nxt - {i}), dtype=np.int64))
        return result


def generate_completions(catalog: Catalog, config: SyntheticConfig | None = None) -> CompletionLog:
    config = config or SyntheticConfig()
    rng = np.random.default_rng(config.seed)
    tables = _Tables(catalog, config, rng)
    roles = sorted(catalog.roles)
    known = [float(h) for r in roles if (h := catalog.roles[r].headcount)]
    fallback = float(np.median(known)) if known else 1.0
    role_weight = np.array([catalog.roles[r].headcount or fallback for r in roles], dtype=float)
    role_base = [_role_base(tables, catalog.roles[r].competencies, config) for r in roles]
    learner_role = rng.choice(len(roles), size=config.learners, p=role_weight / role_weight.sum())
    columns: dict[str, list[int]] = {"learner": [], "course": [], "at": []}
    end = config.start.timestamp() + config.days * DAY
    for learner in range(config.learners):
        _one_learner(learner, role_base[learner_role[learner]], tables, config, rng, end, columns)
    departments = sorted({catalog.roles[r].department for r in roles})
    learner_arr = np.array(columns["learner"], dtype=np.int64)
    role = learner_role[learner_arr].astype(np.int64)
    department_of_role = np.array([departments.index(catalog.roles[r].department) for r in roles], dtype=np.int64)
    return CompletionLog(
        learners=tuple(f"l-{n:07d}" for n in range(config.learners)),
        courses=tuple(tables.ids),
        roles=tuple(roles),
        learner=learner_arr,
        course=np.array(columns["course"], dtype=np.int64),
        at=np.array(columns["at"], dtype=np.int64),
        role=role,
        departments=tuple(departments),
        department=department_of_role[role],
    )


def _role_base(tables: _Tables, refs: tuple[CompetencyRef, ...], config: SyntheticConfig) -> npt.NDArray[np.float64]:
    required = {ref.id for ref in refs}
    relevance = np.array([len(c & required) / len(c) if c else 0.0 for c in tables.competencies])
    return tables.appeal * (1.0 + config.role_boost * relevance)


def _one_learner(
    learner: int,
    base: npt.NDArray[np.float64],
    tables: _Tables,
    config: SyntheticConfig,
    rng: np.random.Generator,
    end: float,
    columns: dict[str, list[int]],
) -> None:
    hindi = rng.random() < config.hindi_share
    language = np.where(tables.hindi == hindi, 1.0, np.where(tables.has_hindi, 0.03, 0.25) if hindi else 0.05)
    count = min(config.interests, int((tables.theme_weight > 0).sum()))
    liked: npt.NDArray[np.bool_] = np.zeros(len(base), dtype=bool)
    if count:
        share = tables.theme_weight / tables.theme_weight.sum()
        interests = rng.choice(len(tables.theme_weight), size=count, replace=False, p=share)
        liked = np.asarray(tables.theme_matrix[:, interests].any(axis=1), dtype=bool)
    weights = base * language * np.where(liked, 1.0 + config.interest_boost, 1.0)
    groups_done: set[int] = set()
    at = config.start.timestamp() + rng.uniform(0.0, 0.9) * config.days * DAY
    last: int | None = None
    for step in range(1 + rng.poisson(max(config.mean_courses - 1, 0.0))):
        at += rng.exponential(config.mean_gap_days) * DAY
        if at >= end:
            break
        stage = max(k for k in LEVEL_FACTORS if k <= step)
        w = weights * np.asarray(LEVEL_FACTORS[stage])[tables.level] * (tables.launch <= at)
        if step < 3:
            w = np.where(tables.mandatory, w * config.mandatory_boost, w)
        if last is not None and len(tables.follow_ons[last]):
            w[tables.follow_ons[last]] *= config.follow_on_boost
        if groups_done:
            w[np.isin(tables.group, list(groups_done))] = 0.0
        total = w.sum()
        if total <= 0:
            break
        course = int(np.searchsorted(np.cumsum(w), rng.random() * total, side="right"))
        course = _first_missing_prerequisite(min(course, len(w) - 1), tables, groups_done)
        groups_done.add(int(tables.group[course]))
        columns["learner"].append(learner)
        columns["course"].append(course)
        columns["at"].append(int(at))
        last = course


def _first_missing_prerequisite(course: int, tables: _Tables, groups_done: set[int], depth: int = 0) -> int:
    for prerequisite in tables.prerequisites[course]:
        if int(tables.group[prerequisite]) not in groups_done and depth < 5:
            return _first_missing_prerequisite(prerequisite, tables, groups_done, depth + 1)
    return course
