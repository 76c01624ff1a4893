"""Uploads indexed in the background (gyanpath/uploads.py): 202 and a job to follow, checks before queueing, a bound
per department, revoked keys, deletes of queued documents, recovery after a crash, and that no other request
embeds a queued document."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corpus.ingest import IngestSources, ingest
from gyanpath.accounts import Role
from gyanpath.api.app import create_app
from gyanpath.services import Services
from gyanpath.settings import Settings
from gyanpath.uploads import MAX_ACTIVE_PER_DEPARTMENT, UploadQueue
from tests.conftest import MINI, TEST_DEPARTMENT

SMALL_LOAD = 400
"""Characters of passages and sentences indexed while the request waits, in these tests."""


def case_study(doc_id: str, words: int = 120, **extra: Any) -> dict[str, Any]:
    sentence = "Block officers held grievance camps in Koraput and pension cases fell from 412 to 37. "
    return {
        "id": doc_id,
        "title": f"Grievance camps {doc_id}",
        "body": f"The zyxwv register was opened in {doc_id}. " + sentence * (words // 14),
        "department": TEST_DEPARTMENT,
        "sector": "social-welfare",
        "year": 2023,
        "language": "en",
        "source": "test upload",
        **extra,
    }


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = Services.create(Settings(home=tmp_path / "home", embedder="hashing", sync_index_chars=SMALL_LOAD))
    ingest(built.store, IngestSources.bundle(MINI))
    built.rebuild_index()
    yield built
    built.close()


@pytest.fixture
def keys(services: Services) -> dict[str, str]:
    users = services.users
    return {
        "author": users.create_key(role=Role.AUTHOR, department=TEST_DEPARTMENT, name="a").token,
        "other": users.create_key(role=Role.AUTHOR, department="health", name="h").token,
    }


@pytest.fixture
def client(services: Services, keys: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services=services)) as made:
        made.headers["Authorization"] = f"Bearer {keys['author']}"
        yield made


def held(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep queued jobs waiting: the worker thread is not started until ``release``."""
    monkeypatch.setattr(type(services.upload_worker), "wake", lambda self: None)


def release(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    services.upload_worker.wake()
    services.upload_worker.join(timeout=60)


def searchable(client: TestClient, doc_id: str) -> bool:
    response = client.get("/search", params={"q": f"zyxwv register {doc_id}", "k": 10})
    assert response.status_code == 200, response.json()
    return doc_id in [r["doc_id"] for r in response.json()["results"]]


def test_a_large_upload_is_queued_then_searchable(client: TestClient, services: Services) -> None:
    response = client.post("/content/case-studies", json=case_study("cs-large-one"))
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["outcome"] == "queued" and body["snapshot_version"] is None
    job = body["job"]
    assert response.headers["location"] == f"/content/uploads/{job['job']}"
    assert job["id"] == "cs-large-one" and job["status"] in ("queued", "indexing", "done")
    assert "suggested_tags" in body and "duplicates" in body  # reviewed before it was queued
    services.upload_worker.join(timeout=60)
    status = client.get(f"/content/uploads/{job['job']}").json()
    assert status["status"] == "done" and status["outcome"] == "added", status
    assert status["snapshot_version"] == services.served_version
    assert searchable(client, "cs-large-one")
    assert services.builder.status().state == "ready"
    assert services.store.chunks_without_embedding(services.embedder.model_id) == []


def test_a_small_upload_is_published_before_the_answer(client: TestClient, services: Services) -> None:
    response = client.post("/content/case-studies", json=case_study("cs-small-one", words=14))
    assert response.status_code == 201, response.json()
    assert response.json()["job"] is None and response.json()["snapshot_version"] == services.served_version
    assert searchable(client, "cs-small-one")


def test_another_departments_job_is_an_unknown_job(
    client: TestClient, services: Services, keys: dict[str, str]
) -> None:
    job = client.post("/content/case-studies", json=case_study("cs-large-two")).json()["job"]["job"]
    services.upload_worker.join(timeout=60)
    other = {"Authorization": f"Bearer {keys['other']}"}
    theirs = client.get(f"/content/uploads/{job}", headers=other)
    unknown = client.get("/content/uploads/up-0000000000000000", headers=other)
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["error"] == unknown.json()["error"] == "not_found"
    assert theirs.json()["field"] == unknown.json()["field"] == "job_id"
    assert client.get("/content/uploads", headers=other).json() == []
    assert [j["job"] for j in client.get("/content/uploads").json()] == [job]


def test_what_the_write_would_refuse_is_refused_before_queueing(client: TestClient, services: Services) -> None:
    response = client.post("/content/case-studies", json=case_study("cs-large-bad", translation_of="cs-nowhere"))
    assert response.status_code == 422 and response.json()["field"] == "translation_of", response.json()
    assert services.upload_queue.waiting() == 0 and not services.store.has_document("cs-large-bad")


def test_a_department_may_queue_only_so_many(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    held(services, monkeypatch)
    for n in range(MAX_ACTIVE_PER_DEPARTMENT):
        assert client.post("/content/case-studies", json=case_study(f"cs-q-{n}")).status_code == 202
    refused = client.post("/content/case-studies", json=case_study("cs-q-over"))
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_uploads", refused.json()
    assert refused.headers["retry-after"]
    release(services, monkeypatch)
    assert all(services.store.has_document(f"cs-q-{n}") for n in range(MAX_ACTIVE_PER_DEPARTMENT))
    assert not services.store.has_document("cs-q-over")


def test_no_other_request_embeds_a_queued_document(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queued document is stored with its vectors in one step: a small upload published meanwhile neither sees
    nor embeds it."""
    held(services, monkeypatch)
    assert client.post("/content/case-studies", json=case_study("cs-waiting")).status_code == 202
    assert client.post("/content/case-studies", json=case_study("cs-quick", words=14)).status_code == 201
    assert not services.store.has_document("cs-waiting") and not searchable(client, "cs-waiting")
    release(services, monkeypatch)
    assert searchable(client, "cs-waiting") and searchable(client, "cs-quick")


def test_a_key_revoked_before_indexing_fails_the_job(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    held(services, monkeypatch)
    job = client.post("/content/case-studies", json=case_study("cs-revoked")).json()["job"]["job"]
    author = next(k for k in services.users.list_keys() if k.name == "a")
    services.users.revoke_key(author.id)
    release(services, monkeypatch)
    status = services.upload_queue.get(job)
    assert status.status == "failed" and "revoked" in (status.detail or "")
    assert status.document is None and not services.store.has_document("cs-revoked")


def test_deleting_a_queued_document_cancels_it(
    client: TestClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    held(services, monkeypatch)
    job = client.post("/content/case-studies", json=case_study("cs-regret")).json()["job"]["job"]
    deleted = client.delete("/content/case-studies/cs-regret")
    assert deleted.status_code == 200, deleted.json()
    release(services, monkeypatch)
    assert client.get(f"/content/uploads/{job}").json()["status"] == "cancelled"
    assert not services.store.has_document("cs-regret")
    assert client.delete("/content/case-studies/cs-regret").status_code == 404  # nothing left to delete


def test_a_job_left_by_a_dead_process_is_indexed_after_a_restart(services: Services) -> None:
    """The process that claimed it died mid-way (its pid is gone): the next start queues it again and indexes it."""
    from corpus.validation import case_study_from_dict

    author = services.users.create_key(role=Role.AUTHOR, department=TEST_DEPARTMENT, name="crashed")
    document = case_study_from_dict(case_study("cs-orphan"), "test")
    queue = services.upload_queue
    job = queue.submit(document, key_id=author.key.id, department=TEST_DEPARTMENT, sanitized=())
    dead = dead_pid()
    assert queue.claim(f"{socket.gethostname()}:{dead}") is not None
    assert queue.get(job.id).status == "indexing"
    assert queue.claim("elsewhere:1") is None  # claimed once only
    assert services.resume_uploads() == 1
    services.upload_worker.join(timeout=60)
    assert queue.get(job.id).status == "done" and services.store.has_document("cs-orphan")


def test_a_job_of_a_live_process_is_left_alone(tmp_path: Path) -> None:
    from corpus.validation import case_study_from_dict

    queue = UploadQueue(tmp_path / "jobs.db")
    job = queue.submit(
        case_study_from_dict(case_study("cs-busy"), "test"), key_id="k", department="health", sanitized=()
    )
    queue.claim(f"{socket.gethostname()}:{os.getpid()}")
    assert queue.recover() == 0 and queue.get(job.id).status == "indexing"
    assert oct((tmp_path / "jobs.db").stat().st_mode & 0o777) == "0o600"  # a queued private case study
    queue.close()


def dead_pid() -> int:
    """A pid that no process of this machine holds now."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1
