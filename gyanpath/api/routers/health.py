from __future__ import annotations

from fastapi import APIRouter

from corpus.errors import IndexNotReadyError
from gyanpath.api.auth import public
from gyanpath.api.deps import ServicesDep
from gyanpath.api.openapi import error_responses
from gyanpath.api.schemas import HealthOut, ReadyOut

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthOut)
@public
def health(services: ServicesDep) -> HealthOut:
    """Model, snapshot and counts of public material (passages searchable by anyone when an index is loaded);
    ``degraded`` while the snapshot is missing, stale or being rebuilt."""
    model = services.retriever.model
    manifest = model.manifest
    state = services.health.state
    if services.health.rebuilding:
        state = "degraded"
    counts = services.store.counts(public_only=True)
    return HealthOut(
        status="ok" if state == "ok" else "degraded",
        detail="rebuilding the index" if services.health.rebuilding else services.health.detail,
        model_id=services.embedder.model_id,
        snapshot_version=manifest.version if manifest else None,
        rebuilding=services.health.rebuilding,
        # Anyone may call this: public documents only, so it cannot tell when a private case study comes or goes.
        counts=counts,
        vectors=counts["chunks"] if manifest else 0,
    )


@router.get("/health/ready", response_model=ReadyOut, responses=error_responses(503))
@public
def ready(services: ServicesDep) -> ReadyOut:
    """For a load balancer's readiness check: 200 once this worker serves a current snapshot with its model loaded
    (its first search will not wait for a load); 503 ``index_not_ready``, saying what it waits for, while it starts,
    rebuilds or serves lexical-only. ``/health`` answers 200 in every state, with the state in its body."""
    waiting = []
    if services.health.state != "ok" or services.health.rebuilding:
        waiting.append("rebuilding the index" if services.health.rebuilding else services.health.detail)
    if not getattr(services.embedder, "is_loaded", True):
        waiting.append("the model is loading")
    if waiting:
        raise IndexNotReadyError(f"not ready: {'; '.join(waiting)}")
    return ReadyOut(ready=True, detail="ready")
