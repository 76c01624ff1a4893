"""The learner behind a key: the key's ``learner_id`` (else its id), in the key's department."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from gyanpath.accounts import ApiKey
from gyanpath.api.auth import current_key
from gyanpath.progress import LearnerRef


def learner_of(key: ApiKey) -> LearnerRef:
    return LearnerRef(key.owner, key.learner_id or key.id, key.department)


def owner_learner_id(owner: str) -> str:
    """The learner id shown for a conversation owner (``<department>/<learner>`` or ``key/<key id>``)."""
    return owner.partition("/")[2] or owner


def current_learner(key: Annotated[ApiKey, Depends(current_key)]) -> LearnerRef:
    return learner_of(key)


LearnerDep = Annotated[LearnerRef, Depends(current_learner)]
