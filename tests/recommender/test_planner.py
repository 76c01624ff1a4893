"""Plan selection under a budget, mandatory modules, levels, languages and redundancy: known answers."""

from __future__ import annotations

import pytest

from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.errors import ImpossibleBudgetError, InvalidRequestError, UnknownIdError, UnknownRoleError
from recommender.paths import PathFinder
from recommender.planner import Planner
from recommender.types import Budget, Declared, PathRequest
from tests.recommender import toy
from tests.recommender.toy import A, B, I


def find(finder: PathFinder, hours: float, **kwargs: object) -> object:
    return finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(hours), **kwargs))  # type: ignore[arg-type]


@pytest.fixture
def finder(catalog: Catalog, coverage: CourseCoverage, planner: Planner) -> PathFinder:
    return PathFinder(catalog, coverage, planner)


def test_plan_closes_the_most_important_gap_levels_per_hour_within_the_budget(finder: PathFinder) -> None:
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(8)))
    # Importance of a level: land (needed at Advanced) 1.25, grievance (Intermediate) 1, survey (Beginner) 0.75.
    # After the mandatory ai + cyber (2 h): grievance-quick (1/h), then mutation-101 (0.625/h; grievance-deep
    # is down to 1.75 in 3 h = 0.583/h once the quick one is planned), then mutation-201 (0.625/h); 1 h is left
    # and nothing else is that short.
    assert [s.course_id for s in path.steps] == [
        "ai-basics",
        "cyber-basics",
        "grievance-quick",
        "mutation-101",
        "mutation-201",
    ]
    assert path.total_minutes == 420 and path.budget_minutes == 480
    assert path.gap_coverage == pytest.approx(5 / 8)
    assert [(o.gap.competency_id, o.reached, o.reason) for o in path.open_gaps] == [
        (toy.cid("land"), I, "no_time"),
        (toy.cid("grievance"), B, "no_time"),
        (toy.cid("survey"), None, "no_time"),
    ]
    assert path.open_gaps[0].candidates == ("mutation-301",)
    assert path.open_gaps[1].candidates == ("grievance-deep",)


def test_small_budget_keeps_the_mandatory_modules_and_what_still_fits(finder: PathFinder) -> None:
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(3)))
    assert [s.course_id for s in path.steps] == ["ai-basics", "cyber-basics", "grievance-quick"]
    assert [m.status for m in path.mandatory] == ["planned", "planned"]


def test_budget_too_small_for_the_mandatory_modules_is_an_error_naming_the_field(finder: PathFinder) -> None:
    with pytest.raises(ImpossibleBudgetError, match="cyber-security") as caught:
        finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(1.5)))
    assert caught.value.field == "hours"
    with pytest.raises(ImpossibleBudgetError) as caught:
        finder.find(PathRequest(role="role-patwari", budget=Budget.programme(1, 0.5)))
    assert caught.value.field == "hours_per_day"


def test_mandatory_module_at_the_learners_level(finder: PathFinder) -> None:
    path = finder.find(PathRequest(role="role-patwari", completed=("ai-basics",), budget=Budget.of_hours(8)))
    ai = next(m for m in path.mandatory if m.tag == "ai")
    assert (ai.level, ai.status, ai.course_id) == (I, "planned", "ai-advanced")  # holds Beginner; nearest above
    assert "ai-advanced" in [s.course_id for s in path.steps] and "ai-basics" not in [s.course_id for s in path.steps]
    explicit = finder.find(
        PathRequest(role="role-patwari", completed=("cyber-basics-hi",), budget=Budget.of_hours(8), level=B)
    )
    cyber = next(m for m in explicit.mandatory if m.tag == "cyber-security")
    assert (cyber.status, cyber.course_id) == ("completed", "cyber-basics-hi")
    unavailable = finder.find(PathRequest(role="role-patwari", completed=("cyber-basics",), budget=Budget.of_hours(8)))
    cyber = next(m for m in unavailable.mandatory if m.tag == "cyber-security")
    assert (cyber.level, cyber.status) == (I, "unavailable")


def test_prerequisites_come_with_and_before_the_course(finder: PathFinder) -> None:
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(40)))
    order = [s.course_id for s in path.steps]
    assert order.index("mutation-101") < order.index("mutation-201") < order.index("mutation-301")
    step = next(s for s in path.steps if s.course_id == "mutation-201")
    assert step.after == ("mutation-101",)
    assert any("its prerequisite" in reason for reason in step.reasons)
    assert path.gap_coverage == 1.0 and not path.open_gaps


def test_completed_courses_are_skipped_and_count_as_prerequisites(finder: PathFinder) -> None:
    path = finder.find(
        PathRequest(role="role-patwari", completed=("mutation-101", "mutation-201"), budget=Budget.of_hours(9))
    )
    ids = [s.course_id for s in path.steps]
    assert "mutation-301" in ids and "mutation-101" not in ids and "mutation-201" not in ids


def test_advanced_only_after_a_lower_level(catalog: Catalog, coverage: CourseCoverage) -> None:
    extra = toy.course("land-advanced-direct", 60, A, [("land", A)])
    bigger = Catalog.build([*toy.courses(), extra], [toy.role()], toy.competencies())
    finder = PathFinder(bigger, CourseCoverage(bigger), Planner(bigger, CourseCoverage(bigger)))
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(40)))
    order = [s.course_id for s in path.steps]
    assert "land-advanced-direct" in order  # 2 levels in 1 h once Beginner is there...
    assert order.index("mutation-101") < order.index("land-advanced-direct")  # ...but never before it
    lone = finder.find(
        PathRequest(role="role-patwari", budget=Budget.of_hours(40), declared=(Declared(toy.cid("land"), B),))
    )
    assert "mutation-101" not in [s.course_id for s in lone.steps]


def test_language_preference_takes_the_translation(finder: PathFinder) -> None:
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(8), language="hi"))
    ids = [s.course_id for s in path.steps]
    assert "cyber-basics-hi" in ids and "cyber-basics" not in ids


def test_redundant_courses_are_not_chosen(catalog: Catalog, coverage: CourseCoverage) -> None:
    twin = toy.course("grievance-quick-copy", 30, B, [("grievance", B)])
    bigger = Catalog.build([*toy.courses(), twin], [toy.role()], toy.competencies())
    cover = CourseCoverage(bigger)
    redundant = {
        "grievance-quick-copy": frozenset({"grievance-quick"}),
        "grievance-quick": frozenset({"grievance-quick-copy"}),
    }
    finder = PathFinder(bigger, cover, Planner(bigger, cover, redundant=redundant))
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(40), completed=("grievance-quick",)))
    ids = [s.course_id for s in path.steps]
    assert "grievance-quick-copy" not in ids  # a near-duplicate of a completed course
    # marginal value: once grievance-deep is planned, nothing else building grievance is worth adding
    assert sum(1 for s in path.steps for c in s.closes if c.competency_id == toy.cid("grievance")) == 1


@pytest.mark.parametrize(
    ("request_", "error", "field"),
    [
        (PathRequest(role="role-patwar"), UnknownRoleError, "role"),
        (PathRequest(role="role-patwari", completed=("mutation-999",)), UnknownIdError, "completed"),
        (PathRequest(role="role-patwari", declared=(Declared("d.nope", B),)), UnknownIdError, "declared"),
        (PathRequest(), InvalidRequestError, "role"),
        (PathRequest(role="role-patwari", role_description="a patwari"), InvalidRequestError, "role"),
        (PathRequest(role="role-patwari", language="fr"), InvalidRequestError, "language"),
    ],
)
def test_bad_requests_name_the_field(
    finder: PathFinder, request_: PathRequest, error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as caught:
        finder.find(request_)
    assert caught.value.field == field  # type: ignore[attr-defined]


def test_unknown_role_suggests_close_ids(finder: PathFinder) -> None:
    with pytest.raises(UnknownRoleError) as caught:
        finder.find(PathRequest(role="role-patwar"))
    assert caught.value.suggestions == ("role-patwari",)
    assert "did you mean role-patwari" in str(caught.value)


def test_open_gap_detail_counts_the_prerequisites_the_next_course_needs(finder: PathFinder) -> None:
    # Land is declared at Intermediate, so the next course is mutation-301, whose chain (101, 201) is not done.
    declared = (Declared(toy.cid("land"), I),)
    path = find(finder, 3.5, declared=declared)
    land = next(o for o in path.open_gaps if o.gap.competency_id == toy.cid("land"))  # type: ignore[attr-defined]
    assert land.reason == "no_time" and land.candidates[0] == "mutation-301"
    assert "after its prerequisite(s) mutation-101, mutation-201: 7.0 h in all" in land.detail


def test_a_course_marked_not_relevant_gives_way_to_the_next_best(finder: PathFinder) -> None:
    # Without feedback grievance-quick (1 level in 1 h) beats grievance-deep (2 grievance levels x 1 + survey
    # Beginner x 0.75 in 3 h = 0.917/h). Marked not relevant, quick scores 0.1/h, so deep takes its place and
    # mutation-201 no longer fits: 2 h mandatory + 2 h mutation-101 + 3 h deep = 7 h of 8.
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(8), avoid=("grievance-quick",)))
    assert [s.course_id for s in path.steps] == ["ai-basics", "cyber-basics", "mutation-101", "grievance-deep"]
    assert path.steps[-1].score == pytest.approx(2.75 / 3, abs=1e-3)


def test_a_mandatory_module_marked_not_relevant_is_replaced_by_another_of_its_tag(finder: PathFinder) -> None:
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(8), avoid=("ai-basics",)))
    ai = next(m for m in path.mandatory if m.tag == "ai")
    assert (ai.status, ai.course_id) == ("planned", "ai-advanced")
    assert "ai-basics" not in [s.course_id for s in path.steps]
    # the only course of a tag is still planned: the mandatory module is not given up for a preference
    only = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(8), avoid=("cyber-basics",)))
    cyber = next(m for m in only.mandatory if m.tag == "cyber-security")
    assert (cyber.status, cyber.course_id) == ("planned", "cyber-basics")
