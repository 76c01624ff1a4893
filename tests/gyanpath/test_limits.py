"""Limits and robustness through the real app: body size (413), rate limits (429 + Retry-After), generator
timeouts (504 that still offers the search results), one JSON error shape, YAML bounded before it is parsed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from corpus.ingest import IngestSources, ingest
from corpus.loaders.case_studies import FRONT_MATTER_MAX_CHARS
from corpus.loaders.safe_yaml import MAX_DEPTH
from gyanpath.accounts import Role
from gyanpath.api.app import create_app
from gyanpath.ratelimit import InMemoryRateLimiter, Rate
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import MINI, TEST_DEPARTMENT
from tests.tutor.openai_server import openai_server

QUESTION = "By how much did phishing clicks fall in the Satara drill?"


def client(services: Services, role: Role = Role.AUTHOR, **settings: object) -> TestClient:
    token = services.users.create_key(role=role, department=TEST_DEPARTMENT).token
    app = create_app(services.settings.model_copy(update=settings), services=services)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_a_body_over_the_limit_is_413_whether_declared_or_streamed(services: Services) -> None:
    with client(services, max_body_bytes=2048, max_upload_bytes=4096) as author:
        big = {"id": "crs-big", "title": "Big", "description": "x" * 3000}
        response = author.post("/content/courses", json=big)
        assert response.status_code == 413
        assert response.json() == {
            "error": "payload_too_large",
            "detail": "the request body is larger than 2048 bytes",
            "field": None,
        }
        chunks = (json.dumps(big).encode()[i : i + 500] for i in range(0, 3100, 500))  # no Content-Length
        response = author.post("/content/courses", content=chunks, headers={"content-type": "application/json"})
        assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
        files = {"file": ("big.md", b"---\nid: cs-big\n---\n" + b"y" * 5000, "text/markdown")}
        response = author.post("/content/case-studies", files=files)
        assert response.status_code == 413 and "4096 bytes" in response.json()["detail"]
        assert not services.store.has_document("crs-big") and not services.store.has_document("cs-big")
        small = author.post("/content/case-studies", files={"file": ("a.md", b"---\nid: x\n---\n", "text/markdown")})
        assert small.status_code == 422  # under the limit: validated as usual


def test_the_rate_limit_is_per_key_with_retry_after(services: Services) -> None:
    with client(services, Role.LEARNER, rate_limit="3/minute") as first:
        assert [first.get("/roles").status_code for _ in range(3)] == [200, 200, 200]
        refused = first.get("/roles")
        assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
        assert set(refused.json()) == {"error", "detail", "field"}
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        other = services.users.create_key(role=Role.LEARNER, department=TEST_DEPARTMENT).token
        assert first.get("/roles", headers={"Authorization": f"Bearer {other}"}).status_code == 200
        anonymous = [first.get("/roles", headers={"Authorization": "Bearer gp_wrong"}).status_code for _ in range(4)]
        assert anonymous == [401, 401, 401, 429]  # failed keys count against the client address
        assert first.get("/health").status_code == 200  # public routes are not counted


def test_the_in_process_limiter_opens_a_new_window_when_one_closes() -> None:
    now = [100.0]
    limiter = InMemoryRateLimiter(Rate(2, 60.0), clock=lambda: now[0])
    assert [limiter.hit("a").allowed for _ in range(3)] == [True, True, False]
    assert limiter.hit("b").allowed
    now[0] += 45.5
    refused = limiter.hit("a")
    assert not refused.allowed and refused.retry_after == 15 and refused.remaining == 0
    now[0] += 14.5
    assert limiter.hit("a").allowed and limiter.hit("a").remaining == 0


@pytest.mark.parametrize("text", ["0/minute", "5/fortnight", "many"])
def test_bad_rate_settings_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        Settings(rate_limit=text)
    assert Rate.parse("off") is None and Rate.parse("120/minute") == Rate(120, 60.0)


@pytest.fixture
def slow_tutor(tmp_path: Path) -> Iterator[Services]:
    with openai_server() as url:
        settings = Settings(
            home=tmp_path / "slow",
            embedder="hashing",
            tutor_generator="openai",
            openai_base_url=url,
            openai_model="slow",  # the fake server sleeps 3 s before answering
            generator_timeout=0.5,
        )
        built = Services.create(settings)
        ingest(built.store, IngestSources.bundle(MINI))
        built.rebuild_index()
        yield built
        built.close()


def test_a_generator_timeout_is_504_with_the_search_results(slow_tutor: Services) -> None:
    with client(slow_tutor, Role.LEARNER) as learner:
        response = learner.post("/tutor/ask", json={"question": QUESTION})
        assert response.status_code == 504
        body = response.json()
        assert body["error"] == "generator_timeout" and "0.5 s" in body["detail"] and body["field"] is None
        assert body["results"][0]["doc_id"] == "cs-phishing-treasury" and body["results"][0]["text"]
        with learner.stream("POST", "/tutor/ask", json={"question": QUESTION, "stream": True}) as streamed:
            raw = "".join(streamed.iter_text())
        name, data = raw.strip().split("\n\n")[-1].split("\n", 1)
        error = json.loads(data.removeprefix("data: "))
        assert name == "event: error" and error["status"] == 504 and error["results"]


def test_front_matter_over_its_limit_is_refused_before_it_is_parsed(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10 MB of plain front matter cost 29 s of CPU in PyYAML (python -m bench.request_cost); these 2.6 MB, 9 s.
    Refused before PyYAML reads any of it (whichever module would have parsed it)."""
    parsed: list[int] = []
    real_reader = yaml.reader.Reader.__init__

    def reader(self: yaml.reader.Reader, stream: str | bytes) -> None:
        parsed.append(len(stream))
        real_reader(self, stream)

    monkeypatch.setattr(yaml.reader.Reader, "__init__", reader)
    front = "id: cs-long\nnotes:\n" + "".join(f"  - item {n}\n" for n in range(200_000))
    files = {"file": ("long.md", f"---\n{front}---\n## Context\nText.\n".encode(), "text/markdown")}
    with client(services) as author:
        response = author.post("/content/case-studies", files=files)
    assert not [n for n in parsed if n > FRONT_MATTER_MAX_CHARS], parsed
    detail = response.json()["detail"]
    assert response.status_code == 422 and f"at most {FRONT_MATTER_MAX_CHARS:,}" in detail and "long.md" in detail
    assert not services.store.has_document("cs-long")


@pytest.mark.parametrize("where", ["front matter", "PDF metadata"])
def test_yaml_nested_past_the_limit_is_422_not_a_crash(services: Services, where: str) -> None:
    """Thousands of '[' exhausted Python's stack inside PyYAML: a RecursionError, answered 500."""
    deep = "id: cs-deep\ntags: " + "[" * 5000
    files = {"file": ("deep.md", f"---\n{deep}\n---\nText.\n".encode(), "text/markdown")}
    data = None
    if where == "PDF metadata":
        files, data = {"file": ("deep.pdf", b"%PDF-1.4\n", "application/pdf")}, {"metadata": deep}
    with client(services) as author:
        response = author.post("/content/case-studies", files=files, data=data)
    assert response.status_code == 422 and f"nested deeper than {MAX_DEPTH} levels" in response.json()["detail"]
    assert not services.store.has_document("cs-deep")
