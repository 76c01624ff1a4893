"""Evaluation of learning paths on labelled cases: gap coverage, budget compliance, prerequisite violations,
mandatory-module compliance and whether the competencies a case must cover are closed.

Cases are JSONL lines ``{"role": ..., "completed": [...], "hours": ..., "must_cover": [competency ids]}`` with
optional ``"language"`` and ``"note"``.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus.errors import Problem, ValidationError
from corpus.loaders.base import iter_jsonl
from corpus.types import LANGUAGES
from corpus.validation import RecordReader
from recommender.catalog import Catalog
from recommender.errors import RecommenderError
from recommender.gaps import done_courses
from recommender.paths import PathFinder
from recommender.types import Budget, LearningPath, PathRequest

FIELDS = ("role", "completed", "hours", "must_cover", "language", "note")


@dataclass(frozen=True)
class PathCase:
    role: str
    completed: tuple[str, ...]
    hours: float
    must_cover: tuple[str, ...]
    language: str | None = None
    note: str = ""


@dataclass(frozen=True)
class CaseResult:
    role: str
    hours: float
    planned_hours: float
    steps: int
    gap_coverage: float
    within_budget: bool
    prerequisite_violations: int
    mandatory_ok: bool
    must_cover: float
    missed: tuple[str, ...]
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def load_cases(path: Path) -> list[PathCase]:
    cases, problems = [], []
    for line, raw in iter_jsonl(path):
        if isinstance(raw, Problem):
            problems.append(raw)
            continue
        r = RecordReader(raw, str(path), line)
        r.reject_unknown(FIELDS)
        role = r.text("role", max_len=120)
        hours = raw.get("hours") if isinstance(raw, dict) else None
        if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= 2000:
            r.fail("hours", f"expected a number of hours between 0 and 2000, got {hours!r}")
        language = r.choice("language", LANGUAGES, required=False)
        note = r.text("note", required=False, max_len=2000) or ""
        completed, must_cover = r.text_list("completed"), r.text_list("must_cover")
        problems.extend(r.problems)
        if not r.problems and role and isinstance(hours, int | float):
            cases.append(PathCase(role, completed, float(hours), must_cover, language, note))
    if problems:
        raise ValidationError(problems)
    return cases


def prerequisite_violations(catalog: Catalog, path: LearningPath, completed: Sequence[str]) -> int:
    """Steps whose prerequisite (in any language) is neither completed nor an earlier step."""
    satisfied = {catalog.group(c) for c in done_courses(catalog, completed)}
    violations = 0
    for step in path.steps:
        violations += sum(1 for p in catalog.courses[step.course_id].prerequisites if catalog.group(p) not in satisfied)
        satisfied.add(catalog.group(step.course_id))
    return violations


def mandatory_ok(path: LearningPath) -> bool:
    planned = {s.course_id for s in path.steps}
    return all(m.status == "completed" or (m.status == "planned" and m.course_id in planned) for m in path.mandatory)


def evaluate_case(finder: PathFinder, case: PathCase) -> CaseResult:
    request = PathRequest(
        role=case.role, completed=case.completed, language=case.language, budget=Budget.of_hours(case.hours)
    )
    try:
        path = finder.find(request)
    except RecommenderError as exc:
        return CaseResult(case.role, case.hours, 0.0, 0, 0.0, False, 0, False, 0.0, case.must_cover, str(exc))
    still_open = {o.gap.competency_id for o in path.open_gaps}
    required = {ref.id for ref in finder.catalog.roles[path.role_id].competencies}
    missed = tuple(c for c in case.must_cover if c in still_open or c not in required)
    return CaseResult(
        role=case.role,
        hours=case.hours,
        planned_hours=path.total_minutes / 60,
        steps=len(path.steps),
        gap_coverage=path.gap_coverage,
        within_budget=path.total_minutes <= path.budget_minutes,
        prerequisite_violations=prerequisite_violations(finder.catalog, path, case.completed),
        mandatory_ok=mandatory_ok(path),
        must_cover=1 - len(missed) / len(case.must_cover) if case.must_cover else 1.0,
        missed=missed,
    )


def summarise(results: Sequence[CaseResult]) -> dict[str, Any]:
    ok = [r for r in results if r.error is None]

    def mean(values: list[float]) -> float:
        return round(statistics.fmean(values), 4) if values else float("nan")

    return {
        "cases": len(results),
        "errors": len(results) - len(ok),
        "gap_coverage": mean([r.gap_coverage for r in ok]),
        "budget_compliance": mean([float(r.within_budget) for r in ok]),
        "prerequisite_violations": sum(r.prerequisite_violations for r in ok),
        "mandatory_compliance": mean([float(r.mandatory_ok) for r in ok]),
        "must_cover": mean([r.must_cover for r in ok]),
        "mean_planned_hours": mean([r.planned_hours for r in ok]),
    }
