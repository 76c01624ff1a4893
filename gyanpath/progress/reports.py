"""Department reports: who registered, completed, is in progress, met the programme hours and the mandatory
modules, and the most completed courses, with small cohorts suppressed.

Suppression: a count describing 1-4 learners, or leaving 1-4 learners of the department out (its complement),
is null with its share and named in ``suppressed``; below 5 registered learners everything is. A course appears in
``top_courses`` only when 5 or more learners completed it (``top_courses`` is named when one was left out).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gyanpath.progress.records import DepartmentActivity, DepartmentSummary

MIN_COHORT = 5
TOP_COURSES = 10
PROGRAMME_TOLERANCE = 1e-9
"""Hours summed in floating point may fall a hair short of the programme's."""


@dataclass(frozen=True)
class CourseFacts:
    title: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Share:
    completed: int | None
    share: float | None


@dataclass(frozen=True)
class TopCourse:
    course_id: str
    title: str
    completions: int


@dataclass(frozen=True)
class DepartmentReport:
    department: str
    year: int
    employees_registered: int | None
    completed_one_or_more: int | None
    completed_three_or_more: int | None
    in_progress: int | None
    learning_hours: float | None
    mandated_hours: float
    programme: Share
    mandatory_modules: dict[str, Share]
    top_courses: list[TopCourse]
    suppressed: list[str] = field(default_factory=list)


class _Suppressor:
    def __init__(self, cohort: int) -> None:
        self.cohort = cohort
        self.suppressed: list[str] = []

    def hidden(self, count: int) -> bool:
        small = 0 < count < MIN_COHORT or 0 < self.cohort - count < MIN_COHORT
        return self.cohort < MIN_COHORT or small

    def count(self, name: str, count: int) -> int | None:
        if self.hidden(count):
            self.suppressed.append(name)
            return None
        return count

    def share(self, name: str, count: int) -> Share:
        if self.hidden(count):
            self.suppressed += [f"{name}.completed", f"{name}.share"]
            return Share(None, None)
        return Share(count, round(count / self.cohort, 4) if self.cohort else None)


def department_report(
    department: str,
    year: int,
    activity: DepartmentActivity,
    courses: Mapping[str, CourseFacts],
    *,
    mandated_hours: float,
    mandatory_tags: Sequence[str],
) -> DepartmentReport:
    """The report from the department's rows (learners, completions, open enrolments), counted here."""
    summary = summarize(activity, tag_courses(courses, mandatory_tags), mandated_hours=mandated_hours)
    return summary_report(department, year, summary, courses, mandated_hours=mandated_hours)


def summarize(
    activity: DepartmentActivity, tag_courses: Mapping[str, frozenset[str]], *, mandated_hours: float
) -> DepartmentSummary:
    """The counts a report needs, from the rows; ``ProgressStore.department_summary`` counts the same in SQL."""
    learners = activity.learners
    hours: dict[str, float] = defaultdict(float)
    distinct: dict[str, set[str]] = defaultdict(set)  # learner -> courses completed this year
    by_course: dict[str, set[str]] = defaultdict(set)  # course -> learners who completed it
    for learner, course, spent in activity.completions:
        if learner in learners:
            hours[learner] += spent
            distinct[learner].add(course)
            by_course[course].add(learner)
    return DepartmentSummary(
        registered=len(learners),
        completed_one_or_more=sum(1 for c in distinct.values() if c),
        completed_three_or_more=sum(1 for c in distinct.values() if len(c) >= 3),
        in_progress=len(activity.in_progress & learners),
        contributors=sum(1 for h in hours.values() if h > 0),
        learning_hours=sum(hours.values()),
        programme=sum(1 for h in hours.values() if h >= mandated_hours - PROGRAMME_TOLERANCE),
        mandatory_modules={tag: sum(1 for c in distinct.values() if c & ids) for tag, ids in tag_courses.items()},
        course_completers={course: len(who) for course, who in by_course.items()},
    )


def tag_courses(courses: Mapping[str, CourseFacts], tags: Sequence[str]) -> dict[str, frozenset[str]]:
    """Each mandatory tag -> the catalogue courses carrying it."""
    return {tag: frozenset(cid for cid, facts in courses.items() if tag in facts.tags) for tag in tags}


def summary_report(
    department: str,
    year: int,
    summary: DepartmentSummary,
    courses: Mapping[str, CourseFacts],
    *,
    mandated_hours: float,
) -> DepartmentReport:
    """The report, suppression applied, from the counts (made in Python by ``summarize`` or in SQL by the store)."""
    cohort = summary.registered
    gate = _Suppressor(cohort)
    registered = cohort if cohort >= MIN_COHORT else None
    if registered is None:
        gate.suppressed.append("employees_registered")
    one = gate.count("completed_one_or_more", summary.completed_one_or_more)
    three = gate.count("completed_three_or_more", summary.completed_three_or_more)
    in_progress = gate.count("in_progress", summary.in_progress)
    learning_hours: float | None = round(summary.learning_hours, 2)
    if cohort < MIN_COHORT or 0 < summary.contributors < MIN_COHORT:
        gate.suppressed.append("learning_hours")
        learning_hours = None
    programme = gate.share("programme", summary.programme)
    modules = {tag: gate.share(f"mandatory_modules.{tag}", done) for tag, done in summary.mandatory_modules.items()}
    top = _top_courses(summary.course_completers, courses, gate)
    return DepartmentReport(
        department,
        year,
        registered,
        one,
        three,
        in_progress,
        learning_hours,
        mandated_hours,
        programme,
        modules,
        top,
        gate.suppressed,
    )


def _top_courses(
    completers: Mapping[str, int], courses: Mapping[str, CourseFacts], gate: _Suppressor
) -> list[TopCourse]:
    ranked = sorted(completers.items(), key=lambda item: (-item[1], item[0]))
    shown = [(course, count) for course, count in ranked if count >= MIN_COHORT and gate.cohort >= MIN_COHORT]
    if len(shown) < len(ranked):
        gate.suppressed.append("top_courses")
    return [
        TopCourse(course, courses[course].title if course in courses else course, count)
        for course, count in shown[:TOP_COURSES]
    ]


def report_dict(report: DepartmentReport) -> dict[str, object]:
    """The report in the API's JSON shape."""

    def share(value: object) -> dict[str, object]:
        assert isinstance(value, Share)
        return {"completed": value.completed, "share": value.share}

    return {
        "department": report.department,
        "year": report.year,
        "employees_registered": report.employees_registered,
        "completed_one_or_more": report.completed_one_or_more,
        "completed_three_or_more": report.completed_three_or_more,
        "in_progress": report.in_progress,
        "learning_hours": report.learning_hours,
        "programme": {"mandated_hours": report.mandated_hours, **share(report.programme)},
        "mandatory_modules": {tag: share(value) for tag, value in report.mandatory_modules.items()},
        "top_courses": [vars(course) for course in report.top_courses],
        "suppressed": list(report.suppressed),
    }


def report_csv(report: DepartmentReport) -> str:
    """One metric a row: ``metric,value,suppressed`` (a suppressed value is empty)."""
    suppressed = set(report.suppressed)
    rows: list[tuple[str, object]] = [
        ("department", report.department),
        ("year", report.year),
        ("employees_registered", report.employees_registered),
        ("completed_one_or_more", report.completed_one_or_more),
        ("completed_three_or_more", report.completed_three_or_more),
        ("in_progress", report.in_progress),
        ("learning_hours", report.learning_hours),
        ("programme.mandated_hours", report.mandated_hours),
        ("programme.completed", report.programme.completed),
        ("programme.share", report.programme.share),
    ]
    for tag, value in report.mandatory_modules.items():
        rows += [
            (f"mandatory_modules.{tag}.completed", value.completed),
            (f"mandatory_modules.{tag}.share", value.share),
        ]
    rows += [(f"top_courses.{course.course_id}", course.completions) for course in report.top_courses]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("metric", "value", "suppressed"))
    for metric, cell in rows:
        writer.writerow((metric, "" if cell is None else cell, "true" if metric in suppressed else "false"))
    if "top_courses" in suppressed:
        writer.writerow(("top_courses", "", "true"))
    return buffer.getvalue()
