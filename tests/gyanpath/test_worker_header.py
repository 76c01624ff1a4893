"""Every answer names the worker that gave it (gyanpath/api/worker.py): the same name from one app, another from
another app, errors and streams included, and nothing about the host in it."""

from __future__ import annotations

import os
import socket

from fastapi.testclient import TestClient

from gyanpath.accounts import Role
from gyanpath.api.app import create_app
from gyanpath.api.worker import HEADER
from gyanpath.services import Services
from tests.conftest import ClientFactory


def test_every_answer_names_its_worker(client_as: ClientFactory) -> None:
    client = client_as(Role.LEARNER)
    answers = [
        client.get("/health"),
        client.get("/search", params={"q": "grievance"}),
        client.get("/documents/no-such-document"),
        client.post("/tutor/ask", json={"question": "grievance camps?", "stream": True}),
        client.get("/"),
    ]
    names = {answer.headers.get(HEADER) for answer in answers}
    assert len(names) == 1 and None not in names, names
    (name,) = names
    assert name is not None and len(name) == 12 and int(name, 16) >= 0
    assert str(os.getpid()) not in name and socket.gethostname() not in name


def test_two_apps_have_two_names(services: Services) -> None:
    with TestClient(create_app(services.settings, services=services)) as one:
        first = one.get("/health").headers[HEADER]
    with TestClient(create_app(services.settings, services=services)) as two:
        second = two.get("/health").headers[HEADER]
    assert first != second
