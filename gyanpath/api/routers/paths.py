"""Learning paths: ``POST /paths`` turns a role (id or description) into a planned, explained path."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from corpus.types import LANGUAGES, Level
from gyanpath.accounts import Role
from gyanpath.api.auth import requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.learner import LearnerDep
from gyanpath.api.openapi import error_responses
from gyanpath.api.routers.progress import course_of, stored_completed
from gyanpath.api.schemas import TagOut
from recommender.types import Declared, LearningPath, PathRequest

router = APIRouter(tags=["paths"], dependencies=[Depends(requires(Role.LEARNER))])

Id = Annotated[str, Field(min_length=1, max_length=120)]


class DeclaredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competency: Id = Field(description="A competency id (GET /competencies).")
    level: Level


class PathIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Id | None = Field(default=None, description="A role id (GET /roles).")
    role_description: str | None = Field(
        default=None, min_length=3, max_length=2000, description="Instead of a role id: the job in your own words."
    )
    completed: list[Id] = Field(default=[], max_length=500, description="Course ids already completed.")
    declared: list[DeclaredIn] = Field(default=[], max_length=200, description="Competencies already held.")
    language: Literal[LANGUAGES] | None = Field(default=None, description="Preferred course language (ISO 639-1).")  # type: ignore[valid-type]
    hours: float | None = Field(default=None, gt=0, le=2000, description="A plain time budget in hours.")
    programme: str | None = Field(
        default=None, max_length=10, description="A day-by-day programme such as '7-day' (the default)."
    )
    days: int | None = Field(default=None, ge=1, le=60, description="Programme days (default from settings).")
    hours_per_day: float | None = Field(default=None, gt=0, le=12, description="Programme hours per day.")
    level: Level | None = Field(default=None, description="Learner's level for the mandatory modules.")


class ClosureOut(BaseModel):
    competency_id: str
    name: str
    before: Level | None
    after: Level
    required: Level
    evidence: Literal["tag", "suggested"]
    confidence: float


class PeerOut(BaseModel):
    score: float
    basis: str
    role_share: float | None


class StepOut(BaseModel):
    position: int
    course_id: str
    title: str
    level: Level
    language: str
    minutes: int
    hours: float
    closes: list[ClosureOut]
    reasons: list[str]
    mandatory: str | None
    after: list[str]
    peer: PeerOut | None
    score: float


class GapOut(BaseModel):
    competency_id: str
    name: str
    required: Level
    held: Level | None


class OpenGapOut(GapOut):
    reached: Level | None
    reason: Literal["no_course", "no_time"]
    detail: str
    candidates: list[str]


class MandatoryOut(BaseModel):
    tag: str
    level: Level
    status: str
    course_id: str | None
    detail: str


class SessionOut(BaseModel):
    course_id: str
    title: str
    minutes: int
    part: int
    parts: int


class DayOut(BaseModel):
    day: int
    hours: float
    capacity_hours: float
    sessions: list[SessionOut]


class ScheduleOut(BaseModel):
    total_hours: float
    capacity_hours: float
    days: list[DayOut]


class RoleMatchOut(BaseModel):
    role_id: str
    title: str
    similarity: float


class PathOut(BaseModel):
    role_id: str
    role_title: str
    matched_roles: list[RoleMatchOut]
    matched_competencies: list[TagOut]
    total_hours: float
    budget_hours: float
    gap_coverage: float = Field(description="Share of the missing competency-levels the path closes.")
    steps: list[StepOut]
    gaps: list[GapOut]
    open_gaps: list[OpenGapOut]
    mandatory: list[MandatoryOut]
    schedule: ScheduleOut | None
    peer_basis: str

    @classmethod
    def of(cls, path: LearningPath) -> PathOut:
        def hours(minutes: int) -> float:
            return round(minutes / 60, 2)

        schedule = None
        if path.schedule is not None:
            days = [
                DayOut(
                    day=d.day,
                    hours=hours(d.minutes),
                    capacity_hours=hours(d.capacity_minutes),
                    sessions=[SessionOut(**vars(s)) for s in d.sessions],
                )
                for d in path.schedule.days
            ]
            schedule = ScheduleOut(
                total_hours=hours(path.schedule.total_minutes),
                capacity_hours=hours(path.schedule.capacity_minutes),
                days=days,
            )
        steps = [
            StepOut(
                **{k: v for k, v in vars(s).items() if k not in ("closes", "peer", "reasons", "after")},
                hours=hours(s.minutes),
                closes=[
                    ClosureOut(evidence=c.source, **{k: v for k, v in vars(c).items() if k != "source"})
                    for c in s.closes
                ],
                reasons=list(s.reasons),
                after=list(s.after),
                peer=PeerOut(**vars(s.peer)) if s.peer else None,
            )
            for s in path.steps
        ]
        return cls(
            role_id=path.role_id,
            role_title=path.role_title,
            matched_roles=[RoleMatchOut(**vars(m)) for m in path.matched_roles],
            matched_competencies=[TagOut(**vars(t)) for t in path.matched_competencies],
            total_hours=hours(path.total_minutes),
            budget_hours=hours(path.budget_minutes),
            gap_coverage=path.gap_coverage,
            steps=steps,
            gaps=[GapOut(**vars(g)) for g in path.gaps],
            open_gaps=[
                OpenGapOut(
                    **vars(o.gap), reached=o.reached, reason=o.reason, detail=o.detail, candidates=list(o.candidates)
                )
                for o in path.open_gaps
            ],
            mandatory=[MandatoryOut(**vars(m)) for m in path.mandatory],
            schedule=schedule,
            peer_basis=path.peer_basis,
        )


class PathFeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: Id = Field(description="A course of a path you were given.")
    relevant: bool = Field(description="false: plan other courses before this one in your next paths.")
    comment: str = Field(default="", max_length=2000)


class PathFeedbackOut(BaseModel):
    id: str
    course_id: str
    relevant: bool


@router.post("/paths", response_model=PathOut, responses=error_responses(404, 503))
def learning_path(body: PathIn, learner: LearnerDep, services: ServicesDep) -> PathOut:
    """A learning path for a role: its competency gaps, the courses that close them within the time budget
    (mandatory AI and cyber-security modules included), in order, explained, and laid out day by day for a
    programme. Unknown ids are a 404 naming the field; a budget too small for the mandatory modules is a 422.
    The learner's stored completions join ``completed``, their profile role is the default role, and courses they
    marked not relevant give way to others."""
    recommender = services.recommender
    budget = recommender.config.budget(body.hours, body.programme, body.days, body.hours_per_day)
    role = body.role
    if role is None and body.role_description is None:
        profile = services.progress.learner(learner)
        role = profile.role_id if profile else None
    request = PathRequest(
        role=role,
        role_description=body.role_description,
        completed=tuple(dict.fromkeys([*body.completed, *stored_completed(services, learner)])),
        declared=tuple(Declared(d.competency, d.level) for d in body.declared),
        language=body.language,
        budget=budget,
        level=body.level,
        avoid=tuple(services.progress.not_relevant(learner)),
    )
    return PathOut.of(recommender.paths.find(request))


@router.post(
    "/paths/feedback",
    response_model=PathFeedbackOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404),
)
def path_feedback(body: PathFeedbackIn, learner: LearnerDep, services: ServicesDep) -> PathFeedbackOut:
    """Whether a recommended course is relevant to you; admins read the comments (GET /admin/feedback)."""
    course = course_of(services, body.course_id)
    row = services.progress.add_path_feedback(learner, course.id, body.relevant, body.comment.strip())
    return PathFeedbackOut(id=row.id, course_id=row.course_id, relevant=row.relevant)
