"""A real OpenAI-compatible HTTP server for tests: /v1/chat/completions, JSON or server-sent events.

Its behaviour is chosen by the requested model name: ``cite`` answers citing passage 1, ``liar`` cites a passage
that was never given, ``none`` says NOT_IN_MATERIAL, ``slow`` sleeps past any short timeout, ``broken`` is a 500.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REQUESTS: list[dict[str, Any]] = []


def _reply(model: str, user: str) -> str:
    first = re.search(r'<passage id="1"[^>]*>\n(.*?)\n</passage>', user, re.S)
    passage = first.group(1) if first else ""
    if model == "liar":
        return f"{passage} [1] Also, salaries doubled last year [7]."
    if model == "none":
        return "NOT_IN_MATERIAL"
    return f"According to the material, {passage[0].lower() + passage[1:] if passage else ''} [1]"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        REQUESTS.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        model = body["model"]
        if self.path != "/v1/chat/completions":
            self.send_response(404)
            self.end_headers()
            return
        if model == "broken":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"error": "model crashed"}')
            return
        if model == "slow":
            time.sleep(3)
        text = _reply(model, body["messages"][1]["content"])
        self.send_response(200)
        if body.get("stream"):
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in re.findall(r"\S+\s*", text):
                event = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
        else:
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a ``slow`` answer nobody waits for any more does not hold up the shutdown

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (a timeout under test) is expected; anything else is reported as usual."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def openai_server() -> Iterator[str]:
    """Serve on a free loopback port for the duration of the block; yields the base URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
