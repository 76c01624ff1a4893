"""A learner's own progress: profile (role), enrolments, completions, progress and the competency passbook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, ConfigDict, Field

from corpus.types import Course, Level
from gyanpath.accounts import Role
from gyanpath.api.auth import requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.errors import RequestError
from gyanpath.api.learner import LearnerDep
from gyanpath.api.openapi import error_responses
from gyanpath.progress import LearnerRef, LearnerRow
from gyanpath.progress.passbook import passbook
from gyanpath.services import Services

router = APIRouter(prefix="/me", tags=["progress"], dependencies=[Depends(requires(Role.LEARNER))])

Id = Annotated[str, Field(min_length=1, max_length=120)]
CLOCK_SKEW = timedelta(minutes=5)


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role_id: Id | None = Field(description="The learner's role (GET /roles); null clears it.")


class ProfileOut(BaseModel):
    learner_id: str
    department: str
    role_id: str | None

    @classmethod
    def of(cls, row: LearnerRow) -> ProfileOut:
        return cls(learner_id=row.learner_id, department=row.department, role_id=row.role_id)


class EnrolmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: Id


class EnrolmentOut(BaseModel):
    course_id: str
    title: str
    started_at: datetime
    status: Literal["in_progress", "completed"]


class CompletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: Id
    completed_at: datetime | None = Field(default=None, description="ISO 8601; default now; no zone means UTC.")
    hours: float | None = Field(default=None, gt=0, le=1000, description="Default: the course's duration.")
    score: float | None = Field(default=None, ge=0, le=100)


class CompletionOut(BaseModel):
    course_id: str
    title: str
    completed_at: datetime
    hours: float
    score: float | None


class ProgressOut(BaseModel):
    learner_id: str
    department: str
    role_id: str | None
    enrolments: list[EnrolmentOut]
    completions: list[CompletionOut]
    hours_this_year: float


class CompetencyOut(BaseModel):
    competency_id: str
    name: str
    level: Level
    course_id: str
    completed_at: datetime


class PassbookOut(BaseModel):
    competencies: list[CompetencyOut]


def course_of(services: Services, course_id: str, field: str = "course_id") -> Course:
    catalog = services.recommender.catalog
    catalog.check_courses([course_id], field)
    return catalog.courses[course_id]


def _title(services: Services, course_id: str) -> str:
    found = services.recommender.catalog.courses.get(course_id)
    return found.title if found else course_id


@router.get("/profile", response_model=ProfileOut)
def profile(learner: LearnerDep, services: ServicesDep) -> ProfileOut:
    return ProfileOut.of(services.progress.register(learner))


@router.post("/profile", response_model=ProfileOut, responses=error_responses(404))
def set_profile(body: ProfileIn, learner: LearnerDep, services: ServicesDep) -> ProfileOut:
    """Set the learner's role: paths default to it, and peer signals compare learners of a role."""
    if body.role_id is not None:
        services.recommender.catalog.role(body.role_id, "role_id")
    return ProfileOut.of(services.progress.set_role(learner, body.role_id))


@router.post(
    "/enrolments",
    response_model=EnrolmentOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": EnrolmentOut, "description": "Already enrolled: the first enrolment."},
        **error_responses(404),
    },
)
def enrol(body: EnrolmentIn, learner: LearnerDep, services: ServicesDep, response: Response) -> EnrolmentOut:
    """Start a course; enrolling again answers 200 with the first start."""
    course = course_of(services, body.course_id)
    row, created = services.progress.enrol(learner, course.id)
    if not created:
        response.status_code = status.HTTP_200_OK
    done = any(c.course_id == course.id for c in services.progress.completions(learner))
    return EnrolmentOut(
        course_id=course.id,
        title=course.title,
        started_at=row.started_at,
        status="completed" if done else "in_progress",
    )


@router.post(
    "/completions",
    response_model=CompletionOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": CompletionOut, "description": "The same completion again: stored once."},
        **error_responses(404),
    },
)
def complete(body: CompletionIn, learner: LearnerDep, services: ServicesDep, response: Response) -> CompletionOut:
    """Record a completed course. The same course at the same ``completed_at`` is one completion: a retry answers
    200 with what was stored."""
    course = course_of(services, body.course_id)
    now = datetime.now(UTC)
    at = body.completed_at or now
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    if at > now + CLOCK_SKEW:
        raise RequestError("completed_at: a completion cannot be in the future", "completed_at")
    hours = body.hours if body.hours is not None else round(course.duration_minutes / 60, 2)
    row, created = services.progress.complete(learner, course.id, at, hours, body.score)
    if not created:
        response.status_code = status.HTTP_200_OK
    return CompletionOut(
        course_id=row.course_id, title=course.title, completed_at=row.completed_at, hours=row.hours, score=row.score
    )


@router.get("/progress", response_model=ProgressOut)
def progress(learner: LearnerDep, services: ServicesDep) -> ProgressOut:
    me = services.progress.register(learner)
    completions = services.progress.completions(learner)
    done = {c.course_id for c in completions}
    year = datetime.now(UTC).year
    return ProgressOut(
        learner_id=me.learner_id,
        department=me.department,
        role_id=me.role_id,
        enrolments=[
            EnrolmentOut(
                course_id=e.course_id,
                title=_title(services, e.course_id),
                started_at=e.started_at,
                status="completed" if e.course_id in done else "in_progress",
            )
            for e in services.progress.enrolments(learner)
        ],
        completions=[
            CompletionOut(
                course_id=c.course_id,
                title=_title(services, c.course_id),
                completed_at=c.completed_at,
                hours=c.hours,
                score=c.score,
            )
            for c in completions
        ],
        hours_this_year=round(sum(c.hours for c in completions if c.completed_at.year == year), 2),
    )


@router.get("/competencies", response_model=PassbookOut)
def competencies(learner: LearnerDep, services: ServicesDep) -> PassbookOut:
    """The competency passbook: each competency acquired, at the highest level, with the course that proved it."""
    catalog = services.recommender.catalog
    names = {cid: catalog.competency_name(cid) for cid in catalog.competencies}
    acquired = passbook(services.progress.completions(learner), catalog.courses, names)
    return PassbookOut(competencies=[CompetencyOut(**vars(a)) for a in acquired])


def stored_completed(services: Services, learner: LearnerRef) -> list[str]:
    """The learner's completed courses still in the catalogue, oldest first, once each."""
    courses = services.recommender.catalog.courses
    return list(dict.fromkeys(c.course_id for c in services.progress.completions(learner) if c.course_id in courses))
