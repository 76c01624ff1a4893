"""The competency dictionary and the role profiles the recommender plans against."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from corpus.languages import REGISTRY
from corpus.types import Competency, Level, Role
from gyanpath.accounts import Role as AccessRole
from gyanpath.api.auth import requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.openapi import error_responses

router = APIRouter(tags=["taxonomy"], dependencies=[Depends(requires(AccessRole.LEARNER))])


class LanguageOut(BaseModel):
    code: str
    name: str
    autonym: str
    script: str
    direction: Literal["ltr", "rtl"]


class RoleSummaryOut(BaseModel):
    id: str
    title: str
    department: str
    cadre: str | None
    headcount: int | None
    competencies: int


class RequirementOut(BaseModel):
    competency_id: str
    type: str
    theme: str
    sub_theme: str
    level: Level


class RoleOut(BaseModel):
    id: str
    title: str
    department: str
    cadre: str | None
    headcount: int | None
    description: str
    activities: list[str]
    competencies: list[RequirementOut]

    @classmethod
    def of(cls, role: Role) -> RoleOut:
        requirements = [
            RequirementOut(competency_id=r.id, type=r.type.value, theme=r.theme, sub_theme=r.sub_theme, level=r.level)
            for r in role.competencies
        ]
        return cls(
            id=role.id,
            title=role.title,
            department=role.department,
            cadre=role.cadre,
            headcount=role.headcount,
            description=role.description,
            activities=list(role.activities),
            competencies=requirements,
        )


class CompetencyOut(BaseModel):
    id: str
    type: str
    theme: str
    sub_theme: str
    source: str
    description: str
    levels: dict[str, list[str]]

    @classmethod
    def of(cls, c: Competency) -> CompetencyOut:
        levels = {level.value: list(items) for level, items in c.levels.items()}
        return cls(
            id=c.id,
            type=c.type.value,
            theme=c.theme,
            sub_theme=c.sub_theme,
            source=c.source,
            description=c.description,
            levels=levels,
        )


@router.get("/roles", response_model=list[RoleSummaryOut])
def roles(services: ServicesDep) -> list[RoleSummaryOut]:
    """Every role profile: id, title, department, headcount and how many competencies it requires."""
    return [
        RoleSummaryOut(
            id=r.id,
            title=r.title,
            department=r.department,
            cadre=r.cadre,
            headcount=r.headcount,
            competencies=len(r.competencies),
        )
        for r in sorted(services.recommender.catalog.roles.values(), key=lambda r: r.id)
    ]


@router.get("/roles/{role_id}", response_model=RoleOut, responses=error_responses(404))
def role(role_id: Annotated[str, Path(max_length=120)], services: ServicesDep) -> RoleOut:
    """One role with its required competencies and levels; an unknown id is a 404 that suggests close ids."""
    return RoleOut.of(services.recommender.catalog.role(role_id, field="role_id"))


@router.get("/competencies", response_model=list[CompetencyOut])
def competencies(
    services: ServicesDep,
    type: Annotated[Literal["Behavioural", "Functional", "Domain"] | None, Query(description="Only this type.")] = None,
    theme: Annotated[str | None, Query(max_length=200, description="Only this theme (any letter case).")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words that the theme, sub-theme or description contain.")
    ] = None,
) -> list[CompetencyOut]:
    """The competency dictionary (Karmayogi Competency Model, plus the few domain themes gyanpath adds), filtered
    by type, theme and words (every word of ``q`` must occur, in any letter case)."""
    found = sorted(services.recommender.catalog.competencies.values(), key=lambda c: c.id)
    words = (q or "").casefold().split()

    def wanted(c: Competency) -> bool:
        text = f"{c.theme} {c.sub_theme} {c.description or ''}".casefold()
        return (
            (type is None or c.type.value == type)
            and (theme is None or c.theme.casefold() == theme.strip().casefold())
            and all(word in text for word in words)
        )

    return [CompetencyOut.of(c) for c in found if wanted(c)]


@router.get("/languages", response_model=list[LanguageOut])
def languages() -> list[LanguageOut]:
    """The languages content may be written in and questions asked in: ISO 639-1 code, English name, the name in its
    own script (for a language selector), script and writing direction (``rtl`` for Urdu)."""
    return [
        LanguageOut(code=x.code, name=x.name, autonym=x.autonym, script=x.script, direction=x.direction)
        for x in REGISTRY
    ]
