"""The FastAPI app factory. Models and the index load once, in the lifespan, never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

import gyanpath
from gyanpath.api.auth import audit_routes
from gyanpath.api.errors import install_error_handlers
from gyanpath.api.limits import BodySizeLimitMiddleware
from gyanpath.api.openapi import install_openapi
from gyanpath.api.routers import (
    admin,
    admin_learners,
    authoring,
    content,
    documents,
    health,
    identity,
    paths,
    progress,
    reports,
    search,
    taxonomy,
    tutor,
)
from gyanpath.api.worker import WorkerHeaderMiddleware
from gyanpath.ratelimit import create_limiter
from gyanpath.services import Services
from gyanpath.settings import Settings

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> FastAPI:
    """Build the app. Tests pass ready ``services`` (e.g. with the hashing embedder) to skip model loading."""
    config = settings or (services.settings if services is not None else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        app.state.services = services or Services.create(config)
        _ = app.state.services.progress  # opened and migrated at start-up, not by the first request that needs it
        if not app.state.services.load_index():
            app.state.services.rebuild_in_background()
        app.state.services.resume_uploads()
        try:
            yield
        finally:
            if owned:
                app.state.services.close()

    app = FastAPI(
        title="gyanpath",
        version=gyanpath.__version__,
        lifespan=lifespan,
        description="Offline AI tutor and course recommender for civil-service capacity building.",
    )
    app.state.limiter = create_limiter(config.rate_limit, config.redis_url, prefix=config.redis_prefix)
    app.add_middleware(
        BodySizeLimitMiddleware, max_body_bytes=config.max_body_bytes, max_upload_bytes=config.max_upload_bytes
    )
    install_error_handlers(app)
    # Small pages for slow connections: JSON and the UI's files travel compressed (server-sent events never are).
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(WorkerHeaderMiddleware)
    app.include_router(health.router)
    app.include_router(identity.router)
    app.include_router(search.router)
    app.include_router(documents.router)
    app.include_router(tutor.router)
    app.include_router(paths.router)
    app.include_router(taxonomy.router)
    app.include_router(authoring.router)
    app.include_router(content.router)
    app.include_router(progress.router)
    app.include_router(reports.router)
    app.include_router(admin.router)
    app.include_router(admin_learners.router)
    audit_routes(app)  # refuses to build an app with an endpoint that declares no access policy
    install_openapi(app)  # errors documented as the handlers answer them, on every route
    app.mount("/", StaticFiles(directory=WEB_ROOT, html=True), name="web")
    return app
