"""Authoring help: related content and near-duplicate warnings, competency tags, and coverage gaps."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from corpus.types import DEPARTMENTS, Level, Module
from gyanpath.accounts import Role
from gyanpath.api.auth import requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.openapi import error_responses
from gyanpath.api.schemas import TagOut
from recommender.authoring import Draft

router = APIRouter(prefix="/authoring", tags=["authoring"], dependencies=[Depends(requires(Role.AUTHOR))])

Department = Literal[DEPARTMENTS]  # type: ignore[valid-type]


class ModuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=2000)


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=10_000)
    modules: list[ModuleIn] = Field(default=[], max_length=50)
    course_id: str | None = Field(default=None, min_length=1, max_length=120, description="Instead of a draft.")

    def draft(self) -> Draft:
        modules = tuple(Module(m.title, m.summary) for m in self.modules)
        return Draft(self.title, self.description, modules, self.course_id)


class RelatedIn(DraftIn):
    k: int = Field(default=10, ge=1, le=50)
    kind: list[Literal["course", "case_study"]] | None = Field(default=None, max_length=2)


class RelatedOut(BaseModel):
    doc_id: str
    kind: str
    title: str
    language: str
    score: float


class DuplicateOut(BaseModel):
    course_id: str
    title: str
    similarity: float


class RelatedResponse(BaseModel):
    related: list[RelatedOut]
    duplicates: list[DuplicateOut] = Field(description="Courses the draft nearly duplicates (above the threshold).")
    duplicate_threshold: float


class TagsIn(DraftIn):
    k: int = Field(default=5, ge=1, le=20)
    min_confidence: float = Field(default=0.0, ge=0, le=1)


class TagsResponse(BaseModel):
    tags: list[TagOut]
    calibrated: bool


class RoleNeedOut(BaseModel):
    role_id: str
    title: str
    headcount: int | None
    required: Level


class CoverageGapOut(BaseModel):
    competency_id: str
    name: str
    level: Level
    courses: list[str]
    roles: list[RoleNeedOut]
    people: int


class CoverageResponse(BaseModel):
    scope: str
    min_courses: int
    total: int
    gaps: list[CoverageGapOut]


@router.post("/related", response_model=RelatedResponse, responses=error_responses(404, 503))
def related(body: RelatedIn, services: ServicesDep) -> RelatedResponse:
    """The courses and case studies most related to a draft (or an existing course), through the shared hybrid
    retriever, and the existing courses it nearly duplicates."""
    authoring = services.recommender.authoring
    draft = body.draft()
    found = authoring.related(draft, k=body.k, kinds=frozenset(body.kind) if body.kind else None)
    duplicates = authoring.near_duplicates(draft)
    return RelatedResponse(
        related=[RelatedOut(**vars(r)) for r in found],
        duplicates=[DuplicateOut(**vars(d)) for d in duplicates],
        duplicate_threshold=authoring.duplicates.threshold,
    )


@router.post("/tags", response_model=TagsResponse, responses=error_responses(404, 503))
def tags(body: TagsIn, services: ServicesDep) -> TagsResponse:
    """Competency tags from the dictionary suggested for a draft, with a calibrated confidence."""
    authoring = services.recommender.authoring
    found = authoring.tags(body.draft(), k=body.k, min_confidence=body.min_confidence)
    return TagsResponse(tags=[TagOut(**vars(t)) for t in found], calibrated=authoring.tagger.calibrated)


@router.get("/coverage", response_model=CoverageResponse, responses=error_responses(404))
def coverage(
    services: ServicesDep,
    role: Annotated[str | None, Query(max_length=120, description="One role's needs.")] = None,
    department: Annotated[Department | None, Query(description="The needs of a department's roles.")] = None,
    min_courses: Annotated[int, Query(ge=1, le=50, description="Fewer courses than this at a level is a gap.")] = 1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> CoverageResponse:
    """Competency levels with no course (or fewer than ``min_courses``), for a role, a department's roles or the
    whole dictionary, with the roles that need them, ranked by how many people hold those roles."""
    gaps = services.recommender.coverage_gaps(role=role, department=department, min_courses=min_courses)
    scope = f"role {role}" if role else f"department {department}" if department else "dictionary"
    out = [
        CoverageGapOut(
            **{k: v for k, v in vars(g).items() if k not in ("courses", "roles")},
            courses=list(g.courses),
            roles=[RoleNeedOut(**vars(r)) for r in g.roles],
        )
        for g in gaps[:limit]
    ]
    return CoverageResponse(scope=scope, min_courses=min_courses, total=len(gaps), gaps=out)
