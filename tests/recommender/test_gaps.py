"""Gap computation: the role's requirements minus completed courses' and declared competencies, known answers."""

from __future__ import annotations

from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.gaps import compute_gaps, done_courses, holdings, requirements
from recommender.types import Declared
from tests.recommender import toy
from tests.recommender.toy import A, B, I


def test_new_recruit_has_every_requirement_as_a_gap(catalog: Catalog, coverage: CourseCoverage) -> None:
    required = requirements(catalog.roles["role-patwari"].competencies)
    gaps = compute_gaps(catalog, required, holdings(coverage, [], []))
    assert {(g.competency_id, g.required, g.held) for g in gaps} == {
        (toy.cid("land"), A, None),
        (toy.cid("survey"), B, None),
        (toy.cid("grievance"), I, None),
        (toy.cid("ai"), B, None),
        (toy.cid("cyber"), B, None),
    }
    assert gaps[0].competency_id == toy.cid("land") and gaps[0].levels_missing == 3  # most levels missing first
    assert sum(g.levels_missing for g in gaps) == 8


def test_completed_courses_and_declarations_reduce_gaps(catalog: Catalog, coverage: CourseCoverage) -> None:
    held = holdings(
        coverage,
        ["mutation-201", "grievance-quick"],
        [Declared(toy.cid("survey"), B), Declared(toy.cid("grievance"), I), Declared(toy.cid("ai"), B)],
    )
    assert held == {toy.cid("land"): 2, toy.cid("grievance"): 2, toy.cid("survey"): 1, toy.cid("ai"): 1}
    gaps = compute_gaps(catalog, requirements(catalog.roles["role-patwari"].competencies), held)
    assert [(g.competency_id, g.held, g.required) for g in gaps] == [  # one level each: by name
        (toy.cid("cyber"), None, B),
        (toy.cid("land"), I, A),
    ]


def test_a_lower_declaration_never_lowers_what_a_course_gave(coverage: CourseCoverage) -> None:
    assert holdings(coverage, ["mutation-301"], [Declared(toy.cid("land"), B)]) == {toy.cid("land"): 3}


def test_a_course_done_in_one_language_is_done_in_all(catalog: Catalog) -> None:
    assert done_courses(catalog, ["cyber-basics-hi"]) == {"cyber-basics", "cyber-basics-hi"}
    assert catalog.translations("cyber-basics") == ("cyber-basics", "cyber-basics-hi")
