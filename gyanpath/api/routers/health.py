from __future__ import annotations

from fastapi import APIRouter

from gyanpath.api.auth import public
from gyanpath.api.deps import ServicesDep
from gyanpath.api.schemas import HealthOut

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
