"""The OpenAPI document describes errors as the error handlers answer them, on every route.

FastAPI documents a 422 with its own body shape, which this app never sends, and nothing about the errors that come
from outside a route's code (no key, a role too low, too many requests, a body too large). ``describe_errors``
rewrites the generated document once: every error is in the ``ErrorOut`` shape, and each route lists the errors its
kind of route can answer with. Errors particular to a route (404, 409, 503, ...) are declared by its router with
``responses=error_responses(...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from gyanpath.accounts import Role
from gyanpath.api.auth import api_routes, route_role
from gyanpath.api.schemas import ErrorOut

ERROR_DESCRIPTIONS = {
    400: "The body cannot be parsed (not UTF-8, or a malformed form).",
    401: "No API key, or an unknown or revoked one.",
    403: "The key's role or department may not do this.",
    404: "Not found, or not visible to the key's department.",
    409: "Conflicts with the stored state.",
    413: "The request body is larger than the limit.",
    422: "Invalid input; `field` names the offending field.",
    429: "Too many requests for the key (or the client address); retry after `Retry-After` seconds.",
    502: "The generator backend failed; `results` holds the retrieved passages.",
    503: "The index or the embedder is not available (rebuilding, or failed to update).",
    504: "The generator backend did not answer in time; `results` holds the retrieved passages.",
}
ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "required": True, "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait.", "required": True, "schema": {"type": "integer"}}},
}
ERROR_SCHEMA_REF = {"$ref": "#/components/schemas/ErrorOut"}
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
BODY_METHODS = {"post", "put", "patch"}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route's own errors, each in the ``ErrorOut`` shape."""
    return {code: {"model": ErrorOut, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


def install_openapi(app: FastAPI) -> None:
    """Serve the generated document with its errors described (built once, on first request)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_errors(generate(), api_routes(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def describe_errors(document: dict[str, Any], routes: list[APIRoute]) -> dict[str, Any]:
    for route in routes:
        for method in route.methods or ():
            operation = document.get("paths", {}).get(route.path, {}).get(method.lower())
            if operation is not None:
                responses = operation.setdefault("responses", {})
                for code in _common_errors(route, method.lower(), operation):
                    responses[str(code)] = _error_response(code)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in FASTAPI_VALIDATION_SCHEMAS:  # FastAPI's 422 shape, replaced everywhere above
        schemas.pop(name, None)
    return document


def _common_errors(route: APIRoute, method: str, operation: dict[str, Any]) -> list[int]:
    """The errors any route like this one can answer with, whatever its own code does."""
    codes = []
    role = route_role(route)
    if role is not None:
        codes += [401, 429]
        if role is not Role.LEARNER:
            codes.append(403)
    takes_body = "requestBody" in operation or method in BODY_METHODS
    if takes_body:
        codes += [400, 413]
    if takes_body or operation.get("parameters") or "422" in operation.get("responses", {}):
        codes.append(422)
    return codes


def _error_response(code: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS[code],
        "content": {"application/json": {"schema": ERROR_SCHEMA_REF}},
    }
    if code in ERROR_HEADERS:
        response["headers"] = ERROR_HEADERS[code]
    return response
