"""Property tests over random catalogues: no course before its prerequisite, the budget is kept, days are never
overfull, nothing done or duplicated is planned, and every explanation names a real gap."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.types import Level
from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.errors import ImpossibleBudgetError
from recommender.paths import PathFinder
from recommender.plan_state import PlanState
from recommender.planner import Planner
from recommender.types import Budget, PathRequest
from tests.recommender import toy

KEYS = list(toy.THEMES)
LEVELS = [Level.BEGINNER, Level.INTERMEDIATE, Level.ADVANCED]

course_spec = st.tuples(
    st.integers(15, 480),  # minutes
    st.integers(0, 2),  # level
    st.lists(st.tuples(st.sampled_from(KEYS), st.integers(0, 2)), min_size=0, max_size=3),
    st.lists(st.integers(0, 40), max_size=2),  # prerequisites (indices of earlier courses)
    st.booleans(),  # hindi
)


@st.composite
def catalogues(draw: st.DrawFn) -> Catalog:
    specs = draw(st.lists(course_spec, min_size=1, max_size=25))
    courses = []
    for n, (minutes, level, covers, prerequisites, hindi) in enumerate(specs):
        tags = ("ai",) if any(k == "ai" for k, _ in covers) else ("cyber-security",) if n % 5 == 0 else ()
        courses.append(
            toy.course(
                f"c{n:02d}",
                minutes,
                LEVELS[level],
                [(k, LEVELS[lv]) for k, lv in covers],
                tags=tags,
                prerequisites=tuple(sorted({f"c{p:02d}" for p in prerequisites if p < n})),
                language="hi" if hindi else "en",
            )
        )
    return Catalog.build(courses, [toy.role()], toy.competencies())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    catalog=catalogues(),
    hours=st.floats(0.5, 60),
    programme=st.booleans(),
    completed_share=st.floats(0, 0.5),
    language=st.sampled_from([None, "en", "hi"]),
)
def test_paths_respect_prerequisites_budget_and_days(
    catalog: Catalog, hours: float, programme: bool, completed_share: float, language: str | None
) -> None:
    ids = sorted(catalog.courses)
    completed = tuple(ids[: int(len(ids) * completed_share)])
    coverage = CourseCoverage(catalog)
    finder = PathFinder(catalog, coverage, Planner(catalog, coverage))
    budget = Budget.programme(max(1, round(hours / 4)), 4) if programme else Budget.of_hours(hours)
    try:
        path = finder.find(PathRequest(role="role-patwari", completed=completed, budget=budget, language=language))
    except ImpossibleBudgetError as exc:
        assert exc.field == budget.field
        return
    done = {catalog.group(c) for c in completed}
    satisfied = set(done)
    for step in path.steps:
        course = catalog.courses[step.course_id]
        for prerequisite in course.prerequisites:  # no course before its prerequisite
            assert catalog.group(prerequisite) in satisfied, (step.course_id, prerequisite)
        assert catalog.group(step.course_id) not in satisfied  # nothing done or planned twice
        satisfied.add(catalog.group(step.course_id))
    assert path.total_minutes == sum(s.minutes for s in path.steps) <= budget.minutes
    if path.schedule is not None:
        assert all(day.minutes <= day.capacity_minutes for day in path.schedule.days)
    gaps = {g.competency_id: g for g in path.gaps}
    reached = {cid: (g.held.rank if g.held else 0) for cid, g in gaps.items()}
    for step in path.steps:  # explanations name real gaps, and each step raises the level reached so far
        for closure in step.closes:
            gap = gaps[closure.competency_id]
            before = closure.before.rank if closure.before else 0
            assert before == reached[closure.competency_id] < closure.after.rank <= gap.required.rank
            if closure.after == Level.ADVANCED:
                assert before > 0  # Beginner before Advanced
            reached[closure.competency_id] = closure.after.rank
    for module in path.mandatory:
        assert module.status != "planned" or module.course_id in {s.course_id for s in path.steps}
    for open_gap in path.open_gaps:
        assert reached[open_gap.gap.competency_id] < open_gap.gap.required.rank


class EagerPlanner(Planner):
    """The reference greedy: every candidate re-scored before every pick (what the lazy greedy must equal)."""

    def _greedy(self, state: PlanState) -> None:
        while True:
            gaps = [c for c, level in state.problem.required.items() if state.selection.levels.get(c, 0) < level.rank]
            pool = sorted({state.preferred(c) for cid in gaps for c in self.coverage.by_competency.get(cid, [])})
            fitting = []
            for course_id in pool:
                found = self._evaluate(state, course_id)
                usable = found is not None and found.value > 0 and found.minutes <= state.remaining
                if found is not None and usable and course_id not in state.selection.did_not_fit:
                    fitting.append((found.score, -found.minutes, course_id, found))
            if not fitting:
                return
            _, _, best, chosen = max(fitting, key=lambda item: item[:3])
            if state.fits(chosen.bundle):
                state.commit(chosen.bundle, chosen.score)
            else:
                state.selection.did_not_fit.add(best)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalog=catalogues(), hours=st.floats(2, 60), programme=st.booleans(), language=st.sampled_from([None, "hi"]))
def test_lazy_greedy_picks_what_rescoring_everything_picks(
    catalog: Catalog, hours: float, programme: bool, language: str | None
) -> None:
    coverage = CourseCoverage(catalog)
    budget = Budget.programme(max(1, round(hours / 4)), 4) if programme else Budget.of_hours(hours)
    request = PathRequest(role="role-patwari", budget=budget, language=language)
    paths = []
    for planner in (Planner(catalog, coverage), EagerPlanner(catalog, coverage)):
        try:
            paths.append(PathFinder(catalog, coverage, planner).find(request))
        except ImpossibleBudgetError:
            return
    lazy, eager = paths
    assert [s.course_id for s in lazy.steps] == [s.course_id for s in eager.steps]
