"""Run the real service in a subprocess on a free loopback port, as a user starts it (benchmarks and end-to-end
tests): ``gyanpath serve``, or uvicorn with several workers; wait until ``/health`` answers; stop it after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from gyanpath.api.worker import HEADER

ROOT = Path(__file__).resolve().parent.parent


class ServerError(RuntimeError):
    """The service exited, or did not become healthy in time; the message carries its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_service(
    env: Mapping[str, str], log_path: Path, *, workers: int = 1, timeout: float = 90, require_index: bool = True
) -> Iterator[str]:
    """Yield the base URL of a running service. ``require_index``: wait for ``status: ok`` (a loaded snapshot),
    not just any answer from ``/health``. Several workers run under uvicorn in their own process group."""
    port = free_port()
    command = [sys.executable, "-m", "gyanpath", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)] if workers > 1 else []
    url = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=workers > 1
        )
        try:
            _wait_until_healthy(url, process, log_path, timeout, require_index, workers)
            yield url
        finally:
            _stop(process, group=workers > 1)


def _wait_until_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float, require_index: bool, workers: int = 1
) -> None:
    """Until ``workers`` different workers (told apart by the X-Gyanpath-Worker header; each request on a new
    connection) have answered healthy."""
    deadline = time.monotonic() + timeout
    healthy: set[str] = set()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"the service exited with {process.returncode}:\n{log.read_text()}")
        try:
            response = httpx.get(f"{url}/health", timeout=2)
            if response.status_code == 200 and (not require_index or response.json().get("status") == "ok"):
                healthy.add(response.headers.get(HEADER, ""))
                if len(healthy) >= workers:
                    return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.05 if healthy else 0.2)  # once one answers, the next connection may reach another worker
    raise ServerError(f"{len(healthy)} of {workers} workers were healthy within {timeout:.0f} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes], *, group: bool) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM) if group else process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL) if group else process.kill()
        process.wait()
