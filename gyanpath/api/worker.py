"""Which worker process answered: an ``X-Gyanpath-Worker`` header on every response.

With several workers (``gyanpath serve --workers N``) an operator reading logs, a load balancer's health check or a
test needs to know which process answered. The value is a random name drawn when the app is made (once per worker:
each worker makes its own app), so it says nothing about the host or its process ids.
"""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-gyanpath-worker"


class WorkerHeaderMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.name = secrets.token_hex(6).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (HEADER.encode(), self.name)]}
            await send(message)

        await self.app(scope, receive, named)
