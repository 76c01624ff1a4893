"""The one place where domain errors become HTTP responses, with a stable JSON shape and no stack traces."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
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
from gyanpath.uploads import TooManyUploadsError, UploadJobNotFoundError
from recommender.errors import ImpossibleBudgetError, InvalidRequestError, UnknownIdError, UnknownRoleError
from tutor.errors import ConversationNotFoundError, GeneratorError, GeneratorTimeoutError

log = logging.getLogger("gyanpath.api")


class RequestError(Exception):
    """A request that passed schema validation but is still wrong; answered 422 naming the field."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class MalformedBodyError(Exception):
    """A body that cannot be parsed (not UTF-8, not JSON, nested too deep): 400."""


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


@dataclass(frozen=True)
class Mapped:
    """How one domain error becomes a response: status, stable code, and the field it blames."""

    status: int
    code: str
    field: Callable[[Exception], str | None] = lambda exc: getattr(exc, "field", None)
    headers: Callable[[Exception], dict[str, str] | None] = lambda exc: None


def _fixed(field: str | None) -> Callable[[Exception], str | None]:
    return lambda exc: field


_NO_FIELD = _fixed(None)


MAPPED: dict[type[Exception], Mapped] = {
    AuthenticationError: Mapped(
        401, "unauthenticated", _NO_FIELD, lambda exc: {"WWW-Authenticate": 'Bearer realm="gyanpath"'}
    ),
    PermissionDeniedError: Mapped(403, "forbidden"),
    ContentPermissionError: Mapped(403, "forbidden"),
    KeyNotFoundError: Mapped(404, "not_found", _fixed("key_id")),
    LearnerNotFoundError: Mapped(404, "not_found", _fixed("learner_id")),
    UnknownRoleError: Mapped(404, "not_found"),
    UnknownIdError: Mapped(404, "not_found"),
    DocumentNotFoundError: Mapped(404, "not_found", _NO_FIELD),
    ConversationNotFoundError: Mapped(404, "not_found", _fixed("conversation_id")),
    UploadJobNotFoundError: Mapped(404, "not_found", _fixed("job_id")),
    ContentConflictError: Mapped(409, "conflict"),
    MalformedBodyError: Mapped(400, "malformed_body", _NO_FIELD),
    RequestError: Mapped(422, "invalid_request"),
    ImpossibleBudgetError: Mapped(422, "impossible_budget"),
    InvalidRequestError: Mapped(422, "invalid_request"),
    RateLimitedError: Mapped(
        429, "rate_limited", _NO_FIELD, lambda exc: {"Retry-After": str(getattr(exc, "retry_after", 1))}
    ),
    TooManyUploadsError: Mapped(429, "too_many_uploads", _NO_FIELD, lambda exc: {"Retry-After": "30"}),
    IndexUpdateError: Mapped(503, "index_update_failed", _NO_FIELD),
    IndexNotReadyError: Mapped(503, "index_not_ready", _NO_FIELD),
}
"""Errors answered from this table; the handlers below are the ones that need more than a status and a field."""


async def _mapped(_: Request, exc: Exception) -> JSONResponse:
    mapped = next(MAPPED[kind] for kind in type(exc).__mro__ if kind in MAPPED)  # as Starlette picked the handler
    return _error(mapped.status, mapped.code, str(exc), mapped.field(exc), mapped.headers(exc))


def install_error_handlers(app: FastAPI) -> None:
    for error in MAPPED:
        app.add_exception_handler(error, _mapped)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":  # its location is a character position, not a field
            reason = first.get("ctx", {}).get("error", first.get("msg", "invalid JSON"))
            return _error(400, "malformed_body", f"the body is not valid JSON: {reason}")
        location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(location) or None
        message = first.get("msg", "invalid value")
        if field is None and first.get("type") == "missing":
            return _error(422, "invalid_request", "a JSON body is required", None)
        return _error(422, "invalid_request", f"{field}: {message}" if field else message, field)

    @app.exception_handler(ValidationError)
    async def invalid_document(_: Request, exc: ValidationError) -> JSONResponse:
        problem = exc.problems[0]
        return _error(422, "invalid_document", str(exc), problem.field)

    @app.exception_handler(GeneratorError)
    async def generator_failed(_: Request, exc: GeneratorError) -> JSONResponse:
        log.error("generator error: %s", exc)
        status, body = generator_failure(exc)
        return JSONResponse(status_code=status, content=body)

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
