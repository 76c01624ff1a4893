"""Who is calling: the API key from ``Authorization: Bearer`` or ``X-API-Key``, and the least role a route needs.

Every router declares its role with ``dependencies=[Depends(requires(Role.X))]`` (or marks a route ``public``);
``audit_routes`` refuses to build an app with a route that has neither, so no endpoint is open by omission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from gyanpath.accounts import ApiKey, Role
from gyanpath.api.deps import get_services
from gyanpath.api.errors import AuthenticationError, PermissionDeniedError, RateLimitedError
from gyanpath.ratelimit import RateLimiter

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <token>`.")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key, as a header.")


def current_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header_key: Annotated[str | None, Depends(api_key_header)],
) -> ApiKey:
    token = credentials.credentials if credentials else header_key
    if not token:
        _count(request, _client(request))
        raise AuthenticationError("an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key'")
    key = get_services(request).users.authenticate(token)
    if key is None:
        _count(request, _client(request))  # guessing keys is limited by address, whatever the guesses
        raise AuthenticationError("the API key is unknown or revoked")
    _count(request, f"key:{key.id}")
    return key


def _client(request: Request) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


def _count(request: Request, identity: str) -> None:
    """One request against the caller's rate limit (``app.state.limiter``; None when limits are off)."""
    limiter: RateLimiter | None = getattr(request.app.state, "limiter", None)
    if limiter is None:
        return
    decision = limiter.hit(identity)
    if not decision.allowed:
        raise RateLimitedError(decision.retry_after, decision.limit)


class RoleCheck:
    """A dependency that lets through keys whose role includes ``role``; ``audit_routes`` looks for it."""

    def __init__(self, role: Role) -> None:
        self.role = role

    def __call__(self, key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        if not key.role.includes(self.role):
            raise PermissionDeniedError(f"this needs the {self.role.value} role; the key has {key.role.value}")
        return key


def requires(role: Role) -> RoleCheck:
    return RoleCheck(role)


def public(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Marks an endpoint that needs no key (health)."""
    endpoint.__gyanpath_public__ = True  # type: ignore[attr-defined]
    return endpoint


KeyDep = Annotated[ApiKey, Depends(current_key)]


def route_role(route: APIRoute) -> Role | None:
    """The least role a route needs, or None for a public one. Raises if it declares neither."""
    roles = [d.call.role for d in _walk(route.dependant) if isinstance(d.call, RoleCheck)]
    if roles:
        return max(roles, key=lambda r: r.rank)
    if getattr(route.endpoint, "__gyanpath_public__", False):
        return None
    raise RuntimeError(f"{sorted(route.methods or ())} {route.path} declares no access policy")


def audit_routes(app: FastAPI) -> dict[tuple[str, str], Role | None]:
    """Every API route's policy, keyed by (method, path); fails on a route without one."""
    policy: dict[tuple[str, str], Role | None] = {}
    for route in api_routes(app):
        role = route_role(route)
        for method in route.methods or ():
            policy[(method, route.path)] = role
    return policy


def api_routes(app: FastAPI) -> list[APIRoute]:
    """The app's API routes with their full paths. FastAPI 0.16x keeps included routers as lazy branches of
    ``app.routes``; ``iter_route_contexts`` flattens them (older versions list the routes directly)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - FastAPI before the lazy included routers
        candidates = list(app.routes)
    else:
        candidates = [context.route for context in iter_route_contexts(app.routes)]
    return [route for route in candidates if isinstance(route, APIRoute)]


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    for child in dependant.dependencies:
        yield child
        yield from _walk(child)
