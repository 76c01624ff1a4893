"""Department reports for admins, as JSON or CSV; small cohorts are suppressed (gyanpath/progress/reports.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from corpus.types import DEPARTMENTS
from gyanpath.accounts import ApiKey, Role
from gyanpath.api.auth import KeyDep, requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.errors import PermissionDeniedError
from gyanpath.progress.reports import (
    CourseFacts,
    DepartmentReport,
    report_csv,
    report_dict,
    summary_report,
    tag_courses,
)
from gyanpath.services import Services

router = APIRouter(prefix="/reports", tags=["reports"], dependencies=[Depends(requires(Role.ADMIN))])

Department = Literal[DEPARTMENTS]  # type: ignore[valid-type]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year (UTC); default this year.")]
DepartmentQuery = Annotated[Department | None, Query(description="Must be the admin's own (the default).")]


class ShareOut(BaseModel):
    completed: int | None
    share: float | None


class ProgrammeOut(BaseModel):
    mandated_hours: float = Field(description="Programme days x hours per day (settings).")
    completed: int | None
    share: float | None


class TopCourseOut(BaseModel):
    course_id: str
    title: str
    completions: int


class ReportOut(BaseModel):
    department: str
    year: int
    employees_registered: int | None
    completed_one_or_more: int | None
    completed_three_or_more: int | None
    in_progress: int | None
    learning_hours: float | None
    programme: ProgrammeOut
    mandatory_modules: dict[str, ShareOut]
    top_courses: list[TopCourseOut]
    suppressed: list[str]


def _report(services: Services, admin: ApiKey, year: int | None, department: str | None) -> DepartmentReport:
    if department is not None and department != admin.department:
        raise PermissionDeniedError(
            f"an admin of {admin.department} reads that department's reports only", "department"
        )
    year = year or datetime.now(UTC).year
    courses = {c.id: CourseFacts(c.title, c.tags) for c in services.courses()}
    settings = services.settings
    # Counted in the database (gyanpath/progress/summary.py): the department's rows never leave it.
    summary = services.progress.department_summary(
        admin.department,
        year,
        tag_courses(courses, settings.mandatory_tags),
        mandated_hours=settings.mandated_hours,
    )
    return summary_report(admin.department, year, summary, courses, mandated_hours=settings.mandated_hours)


@router.get("/department", response_model=ReportOut)
def department(
    admin: KeyDep, services: ServicesDep, year: YearQuery = None, department: DepartmentQuery = None
) -> dict[str, Any]:
    """Registered employees, completions, learning hours, 7-day programme compliance, AI and cyber-security
    modules and the top courses of the admin's department in a year. Counts of fewer than 5 learners are null
    and named in ``suppressed``."""
    return report_dict(_report(services, admin, year, department))


@router.get(
    "/department.csv",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "One metric per row."}},
)
def department_csv(
    admin: KeyDep, services: ServicesDep, year: YearQuery = None, department: DepartmentQuery = None
) -> PlainTextResponse:
    """The same report as CSV, one metric a row (``metric,value,suppressed``)."""
    report = _report(services, admin, year, department)
    filename = f"gyanpath-{report.department}-{report.year}.csv"
    return PlainTextResponse(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
