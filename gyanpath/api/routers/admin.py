"""Key management for admins, confined to the admin's own department."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, ConfigDict, Field

from corpus.types import DEPARTMENTS
from gyanpath.accounts import ApiKey, KeyNotFoundError, Role
from gyanpath.api.auth import KeyDep, requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.errors import PermissionDeniedError
from gyanpath.api.openapi import error_responses

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(requires(Role.ADMIN))])

Department = Literal[DEPARTMENTS]  # type: ignore[valid-type]
Label = Annotated[str, Field(min_length=1, max_length=120)]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    department: Department | None = Field(default=None, description="Must be the admin's own (the default).")
    name: Label | None = Field(default=None, description="Who holds the key, for people reading the list.")
    learner_id: Label | None = Field(default=None, description="Ties the conversations of several keys together.")


class KeyOut(BaseModel):
    id: str
    prefix: str = Field(description="The first characters of the token, to tell keys apart.")
    role: Role
    department: str
    name: str | None
    learner_id: str | None
    created_at: str
    revoked_at: str | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyOut:
        return cls(**{name: getattr(key, name) for name in cls.model_fields})


class KeyCreated(KeyOut):
    token: str = Field(description="Shown once; only its hash is stored.")


@router.post("/keys", response_model=KeyCreated, status_code=status.HTTP_201_CREATED)
def create_key(body: KeyCreate, admin: KeyDep, services: ServicesDep) -> KeyCreated:
    """Create a key in the admin's department. The token is in this answer only."""
    if body.department is not None and body.department != admin.department:
        raise PermissionDeniedError(
            f"an admin of {admin.department} manages keys of that department only", "department"
        )
    issued = services.users.create_key(
        role=body.role, department=admin.department, name=body.name, learner_id=body.learner_id
    )
    return KeyCreated(**KeyOut.of(issued.key).model_dump(), token=issued.token)


@router.get("/keys", response_model=list[KeyOut])
def list_keys(admin: KeyDep, services: ServicesDep) -> list[KeyOut]:
    """The keys of the admin's department, revoked ones included."""
    return [KeyOut.of(k) for k in services.users.list_keys(department=admin.department)]


@router.delete("/keys/{key_id}", response_model=KeyOut, responses=error_responses(404))
def revoke_key(key_id: Annotated[str, Path(max_length=64)], admin: KeyDep, services: ServicesDep) -> KeyOut:
    """Revoke a key of the admin's department; another department's key is a 404, as if it did not exist."""
    if services.users.get_key(key_id).department != admin.department:
        raise KeyNotFoundError(key_id)
    return KeyOut.of(services.users.revoke_key(key_id))
