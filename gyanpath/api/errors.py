"""The one place where domain errors become HTTP responses, with a stable JSON shape and no stack traces."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from corpus.errors import DocumentNotFoundError, IndexNotReadyError, ValidationError
from embeddings import EmbeddingError
from gyanpath.accounts import KeyNotFoundError
from gyanpath.api.schemas import HitOut
from gyanpath.content import ContentConflictError, ContentPermissionError
from gyanpath.progress import LearnerNotFoundError
from gyanpath.services import IndexUpdateError
from recommender.errors import ImpossibleBudgetError, InvalidRequestError, UnknownIdError, UnknownRoleError
from tutor.errors import ConversationNotFoundError, GeneratorError, GeneratorTimeoutError

log = logging.getLogger("gyanpath.api")


class RequestError(Exception):
    """A request that passed schema validation but is still wrong; answered 422 naming the field."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class AuthenticationError(Exception):
    """No API key, or one that is unknown or revoked: 401."""


class PermissionDeniedError(Exception):
    """A valid key whose role or department may not do this: 403."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class RateLimitedError(Exception):
    """Too many requests from one key (or client address): 429 with Retry-After."""

    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(f"rate limit of {limit} requests exceeded; retry after {retry_after} s")
        self.retry_after = retry_after


def error_body(code: str, detail: str, field: str | None = None) -> dict[str, Any]:
    """The one error shape every endpoint answers with (extra keys may follow these three)."""
    return {"error": code, "detail": detail, "field": field}


def _error(
    status: int, code: str, detail: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(status_code=status, content=error_body(code, detail, field), headers=headers)


def generator_failure(exc: GeneratorError) -> tuple[int, dict[str, Any]]:
    """504 (timeout) or 502, still offering the passages retrieved for the question as ``results``."""
    timeout = isinstance(exc, GeneratorTimeoutError)
    body = error_body("generator_timeout" if timeout else "generator_error", str(exc))
    body["results"] = [HitOut(**asdict(hit)).model_dump() for hit in exc.hits]
    return (504 if timeout else 502), body


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(location) or None
        return _error(422, "invalid_request", f"{field}: {first.get('msg', 'invalid value')}", field)

    @app.exception_handler(AuthenticationError)
    async def unauthenticated(_: Request, exc: AuthenticationError) -> JSONResponse:
        return _error(401, "unauthenticated", str(exc), headers={"WWW-Authenticate": 'Bearer realm="gyanpath"'})

    @app.exception_handler(PermissionDeniedError)
    async def forbidden(_: Request, exc: PermissionDeniedError) -> JSONResponse:
        return _error(403, "forbidden", str(exc), exc.field)

    @app.exception_handler(KeyNotFoundError)
    async def no_key(_: Request, exc: KeyNotFoundError) -> JSONResponse:
        return _error(404, "not_found", str(exc), "key_id")

    @app.exception_handler(LearnerNotFoundError)
    async def no_learner(_: Request, exc: LearnerNotFoundError) -> JSONResponse:
        return _error(404, "not_found", str(exc), "learner_id")

    @app.exception_handler(RequestError)
    async def bad_request(_: Request, exc: RequestError) -> JSONResponse:
        return _error(422, "invalid_request", str(exc), exc.field)

    @app.exception_handler(ValidationError)
    async def invalid_document(_: Request, exc: ValidationError) -> JSONResponse:
        problem = exc.problems[0]
        return _error(422, "invalid_document", str(exc), problem.field)

    @app.exception_handler(UnknownRoleError)
    @app.exception_handler(UnknownIdError)
    async def unknown_id(_: Request, exc: UnknownRoleError | UnknownIdError) -> JSONResponse:
        return _error(404, "not_found", str(exc), exc.field)

    @app.exception_handler(ImpossibleBudgetError)
    async def impossible_budget(_: Request, exc: ImpossibleBudgetError) -> JSONResponse:
        return _error(422, "impossible_budget", str(exc), exc.field)

    @app.exception_handler(InvalidRequestError)
    async def invalid_recommender_request(_: Request, exc: InvalidRequestError) -> JSONResponse:
        return _error(422, "invalid_request", str(exc), exc.field)

    @app.exception_handler(DocumentNotFoundError)
    async def not_found(_: Request, exc: DocumentNotFoundError) -> JSONResponse:
        return _error(404, "not_found", str(exc))

    @app.exception_handler(ConversationNotFoundError)
    async def no_conversation(_: Request, exc: ConversationNotFoundError) -> JSONResponse:
        return _error(404, "not_found", str(exc), "conversation_id")

    @app.exception_handler(GeneratorError)
    async def generator_failed(_: Request, exc: GeneratorError) -> JSONResponse:
        log.error("generator error: %s", exc)
        status, body = generator_failure(exc)
        return JSONResponse(status_code=status, content=body)

    @app.exception_handler(RateLimitedError)
    async def rate_limited(_: Request, exc: RateLimitedError) -> JSONResponse:
        return _error(429, "rate_limited", str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(ContentPermissionError)
    async def content_forbidden(_: Request, exc: ContentPermissionError) -> JSONResponse:
        return _error(403, "forbidden", str(exc), exc.field)

    @app.exception_handler(ContentConflictError)
    async def content_conflict(_: Request, exc: ContentConflictError) -> JSONResponse:
        return _error(409, "conflict", str(exc), exc.field)

    @app.exception_handler(IndexUpdateError)
    async def index_update_failed(_: Request, exc: IndexUpdateError) -> JSONResponse:
        return _error(503, "index_update_failed", str(exc))

    @app.exception_handler(IndexNotReadyError)
    async def not_ready(_: Request, exc: IndexNotReadyError) -> JSONResponse:
        return _error(503, "index_not_ready", str(exc))

    @app.exception_handler(EmbeddingError)
    async def embedding_failed(_: Request, exc: EmbeddingError) -> JSONResponse:
        log.error("embedding error: %s", exc)
        return _error(503, "embedding_unavailable", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return _error(500, "internal_error", "an internal error occurred; it has been logged")
