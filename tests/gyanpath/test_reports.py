"""Report arithmetic and suppression rules on hand-made activity (known answers)."""

from __future__ import annotations

from gyanpath.progress.records import DepartmentActivity
from gyanpath.progress.reports import CourseFacts, DepartmentReport, department_report, report_csv

COURSES = {"ai-1": CourseFacts("AI one", ("ai",)), "cy-1": CourseFacts("Cyber one", ("cyber-security",))}


def report(
    learners: int, completions: list[tuple[str, str, float]], in_progress: frozenset[str] = frozenset()
) -> DepartmentReport:
    activity = DepartmentActivity(
        frozenset(f"l{n}" for n in range(learners)), tuple(completions), frozenset(in_progress)
    )
    return department_report(
        "revenue", 2026, activity, COURSES, mandated_hours=28, mandatory_tags=("ai", "cyber-security")
    )


def test_counts_leaving_fewer_than_five_out_are_suppressed_too() -> None:
    # 8 learners, 6 completed cyber: "the other 2" would be identifiable, so the count and its share are null.
    found = report(8, [(f"l{n}", "cy-1", 1.0) for n in range(6)])
    assert found.completed_one_or_more is None and found.mandatory_modules["cyber-security"].completed is None
    assert found.completed_three_or_more == 0 and found.mandatory_modules["ai"].share == 0.0
    assert found.learning_hours == 6.0  # six learners contributed: shown
    assert found.suppressed == [
        "completed_one_or_more",
        "mandatory_modules.cyber-security.completed",
        "mandatory_modules.cyber-security.share",
    ]


def test_hours_of_fewer_than_five_learners_are_suppressed_and_unknown_learners_ignored() -> None:
    found = report(10, [("l0", "ai-1", 30.0), ("l1", "ai-1", 2.0), ("stranger", "ai-1", 99.0)])
    assert found.learning_hours is None and "learning_hours" in found.suppressed
    assert found.programme.completed is None  # one learner met the 28 h
    assert found.top_courses == [] and "top_courses" in found.suppressed


def test_everyone_completing_is_reported_and_the_csv_says_what_is_suppressed() -> None:
    found = report(5, [(f"l{n}", course, 14.0) for n in range(5) for course in ("ai-1", "cy-1")], frozenset({"l0"}))
    assert (found.completed_one_or_more, found.programme.completed, found.programme.share) == (5, 5, 1.0)
    assert [(c.course_id, c.completions) for c in found.top_courses] == [("ai-1", 5), ("cy-1", 5)]
    assert found.in_progress is None and found.suppressed == ["in_progress"]
    lines = report_csv(found).splitlines()
    assert lines[0] == "metric,value,suppressed"
    assert "in_progress,,true" in lines and "programme.share,1.0,false" in lines and "top_courses.ai-1,5,false" in lines
