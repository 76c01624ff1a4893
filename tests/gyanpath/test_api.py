"""The API through TestClient: health, search, bounded inputs with clear 422s, degraded mode."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from embeddings import Embedder
from embeddings.lazy import LazyEmbedder
from gyanpath.accounts import Role
from gyanpath.services import Services
from tests.conftest import ClientFactory


@pytest.fixture
def client(client_as: ClientFactory) -> TestClient:
    return client_as(Role.LEARNER)


def test_health_reports_model_snapshot_and_counts(client: TestClient, services: Services) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["model_id"] == services.embedder.model_id
    assert body["snapshot_version"] == "v000001"
    assert body["counts"]["courses"] == 3 and body["vectors"] == body["counts"]["chunks"]


def test_search_returns_best_passage_per_document(client: TestClient) -> None:
    body = client.get("/search", params={"q": "phishing PFMS password", "k": 3}).json()
    assert body["degraded"] is False
    assert body["results"][0]["doc_id"] == "cs-phishing-treasury"
    assert len({r["doc_id"] for r in body["results"]}) == len(body["results"])


def test_search_filters_and_hides_private_documents(client: TestClient) -> None:
    body = client.get("/search", params={"q": "UPI fraud 1930 helpline", "k": 10}).json()
    assert "cs-police-internal-review" not in {r["doc_id"] for r in body["results"]}
    body = client.get("/search", params=[("q", "सूचना"), ("lang", "hi"), ("kind", "course")]).json()
    assert {r["doc_id"] for r in body["results"]} == {"crs-rti-hi"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "x" * 1001}, "q"),
        ({"q": "gem", "k": 0}, "k"),
        ({"q": "gem", "k": 51}, "k"),
        ({"q": "gem", "lang": "fr"}, "lang.0"),
        ({"q": "gem", "mode": "magic"}, "mode"),
        ({}, "q"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client: TestClient, params: dict[str, str | int], field: str) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request" and response.json()["field"] == field


def test_stale_index_is_degraded_but_still_searches(client: TestClient, services: Services) -> None:
    services.store.delete_document("crs-ai-basics-en")
    services.load_index()
    assert client.get("/health").json()["status"] == "degraded"
    body = client.get("/search", params={"q": "phishing"}).json()
    assert body["degraded"] is True and body["results"]


def test_docs_and_ui_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/search" in client.get("/openapi.json").json()["paths"]
    page = client.get("/")
    assert page.status_code == 200 and "gyanpath" in page.text


def test_unknown_path_is_json_404(client: TestClient) -> None:
    response = client.get("/no-such-thing")
    assert response.status_code == 404 and response.json()["error"] == "http_error"


def test_malformed_json_is_400_without_a_character_position_as_field(client: TestClient) -> None:
    response = client.post("/tutor/ask", content=b'{"question": "gem",', headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "malformed_body" and response.json()["field"] is None
    assert "not valid JSON" in response.json()["detail"]


def test_a_missing_body_says_so_plainly(client: TestClient) -> None:
    response = client.post("/tutor/ask", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"] == "a JSON body is required"
    assert "None" not in response.text


def test_competencies_filter_by_type_theme_and_words(client: TestClient) -> None:
    everything = client.get("/competencies").json()
    assert everything
    theme = everything[0]["theme"]
    by_theme = client.get("/competencies", params={"theme": theme.upper()}).json()
    assert by_theme and {c["theme"] for c in by_theme} == {theme}
    word = everything[0]["sub_theme"].split()[0]
    found = client.get("/competencies", params={"q": word.lower()}).json()
    assert found and all(word.lower() in f"{c['theme']} {c['sub_theme']} {c['description']}".lower() for c in found)
    assert client.get("/competencies", params={"q": "no-such-competency-word"}).json() == []


def test_readiness_waits_for_the_snapshot_and_the_model(client: TestClient, services: Services) -> None:
    assert client.get("/health/ready").json() == {"ready": True, "detail": "ready"}
    hashing = services.embedder
    calls: list[int] = []

    def load() -> Embedder:
        calls.append(1)
        return hashing

    lazy = LazyEmbedder(hashing.model_id, hashing.dimension, load)
    services.embedder = lazy
    try:
        waiting = client.get("/health/ready")
        assert waiting.status_code == 503 and not calls
        assert waiting.json() == {
            "error": "index_not_ready",
            "detail": "not ready: the model is loading",
            "field": None,
        }
        lazy.model()
        assert client.get("/health/ready").status_code == 200
        services.health.rebuilding = True
        assert client.get("/health/ready").json()["detail"] == "not ready: rebuilding the index"
    finally:
        services.health.rebuilding = False
        services.embedder = hashing
