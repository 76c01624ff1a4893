"""Admins of a department: the feedback its learners gave, and erasing a learner's personal records."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from gyanpath.accounts import ApiKey, KeyNotFoundError, Role
from gyanpath.api.auth import KeyDep, requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.learner import owner_learner_id
from gyanpath.api.openapi import error_responses
from gyanpath.progress import LearnerNotFoundError
from gyanpath.services import Services

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(requires(Role.ADMIN))])
log = logging.getLogger("gyanpath.admin")


class TutorFeedbackOut(BaseModel):
    id: str
    learner_id: str | None
    target: str
    conversation_id: str | None
    turn: int | None
    helpful: bool
    comment: str
    created_at: str


class PathFeedbackOut(BaseModel):
    id: str
    learner_id: str
    course_id: str
    relevant: bool
    comment: str
    created_at: datetime


class FeedbackOut(BaseModel):
    tutor: list[TutorFeedbackOut]
    paths: list[PathFeedbackOut]


class ErasedOut(BaseModel):
    enrolments: int
    completions: int
    path_feedback: int
    conversations: int
    tutor_feedback: int


class ErasureOut(BaseModel):
    learner_id: str
    department: str
    erased: ErasedOut


@router.get("/feedback", response_model=FeedbackOut)
def feedback(admin: KeyDep, services: ServicesDep) -> FeedbackOut:
    """Feedback on tutor answers and on recommended courses from the admin's department, oldest first."""
    tutor = [
        TutorFeedbackOut.model_validate(
            {
                **row,
                "helpful": bool(row["helpful"]),
                "learner_id": owner_learner_id(str(row["owner"])) if row["owner"] else None,
            }
        )
        for row in services.users.department_feedback(admin.department)
    ]
    paths = [PathFeedbackOut(**vars(row)) for row in services.progress.path_feedback(admin.department)]
    return FeedbackOut(tutor=tutor, paths=paths)


def _owners(services: Services, admin: ApiKey, learner_id: str) -> list[str]:
    """Every owner the id can name in the admin's department: a learner id, or the id of a key without one."""
    owners = [f"{admin.department}/{learner_id}", *services.progress.learner_keys(admin.department, learner_id)]
    try:
        key = services.users.get_key(learner_id)
    except KeyNotFoundError:
        pass
    else:
        if key.department == admin.department and key.learner_id is None:
            owners.append(key.owner)
    return list(dict.fromkeys(owners))


@router.delete("/learners/{learner_id}", response_model=ErasureOut, responses=error_responses(404))
def erase_learner(
    learner_id: Annotated[str, Path(min_length=1, max_length=120)], admin: KeyDep, services: ServicesDep
) -> ErasureOut:
    """Erase a learner of the admin's department: progress, path feedback, tutor conversations and feedback.
    Their API keys stay (revoke them with DELETE /admin/keys/{id}). A learner with nothing stored is a 404."""
    totals = dict.fromkeys(ErasedOut.model_fields, 0)
    found = 0
    for owner in _owners(services, admin, learner_id):
        progress = services.progress.erase(owner)
        conversations, tutor_feedback = services.users.erase_owner(owner)
        totals["enrolments"] += progress.enrolments
        totals["completions"] += progress.completions
        totals["path_feedback"] += progress.path_feedback
        totals["conversations"] += conversations
        totals["tutor_feedback"] += tutor_feedback
        found += progress.learners + conversations + tutor_feedback
    if not found:
        raise LearnerNotFoundError(learner_id)
    log.info("erased learner %s of %s by admin key %s: %s", learner_id, admin.department, admin.id, totals)
    return ErasureOut(learner_id=learner_id, department=admin.department, erased=ErasedOut(**totals))
