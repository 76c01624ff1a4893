"""``GET /me``: who the API key belongs to, so a client can show what its role may use."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from gyanpath.accounts import Role
from gyanpath.api.auth import KeyDep, requires

router = APIRouter(tags=["identity"], dependencies=[Depends(requires(Role.LEARNER))])


class MeOut(BaseModel):
    key_id: str
    prefix: str = Field(description="The first characters of the token.")
    role: Role
    department: str
    learner_id: str | None = Field(description="The learner the key acts for; conversations are theirs.")
    name: str | None


@router.get("/me", response_model=MeOut)
def me(key: KeyDep) -> MeOut:
    """The calling key's role, department, learner id and name (never its token)."""
    return MeOut(
        key_id=key.id,
        prefix=key.prefix,
        role=key.role,
        department=key.department,
        learner_id=key.learner_id,
        name=key.name,
    )
