"""Help articles through the API: searched by kind, opened as documents, cited by the tutor."""

from __future__ import annotations

import pytest

from corpus.ingest import IngestSources, ingest
from gyanpath.accounts import Role
from gyanpath.services import Services
from tests.conftest import DATA, ClientFactory


@pytest.fixture
def with_help(services: Services) -> Services:
    ingest(services.store, IngestSources(help_articles=[DATA / "help"]))
    services.rebuild_index()
    return services


def test_search_by_kind_returns_only_help(client_as: ClientFactory, with_help: Services) -> None:
    client = client_as(Role.LEARNER)
    found = client.get("/search", params={"q": "learning hours not showing", "kind": "help"}).json()
    assert found["results"] and {r["kind"] for r in found["results"]} == {"help"}
    assert found["results"][0]["doc_id"].startswith("help-progress-hours-missing")
    assert client.get("/search", params={"q": "hours", "kind": "faq"}).status_code == 422


def test_a_help_article_opens_as_a_document(client_as: ClientFactory, with_help: Services) -> None:
    document = client_as(Role.LEARNER).get("/documents/help-access-api-keys").json()
    assert (document["kind"], document["source"], document["department"]) == ("help", "gyanpath help desk", None)
    assert "private case studies are visible only" in document["passages"][0]["text"].lower()


def test_the_tutor_answers_from_help_with_a_citation(client_as: ClientFactory, with_help: Services) -> None:
    answer = client_as(Role.LEARNER).post(
        "/tutor/ask", json={"question": "Who can see private case studies?", "filters": {"kind": ["help"]}}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["citations"] and body["citations"][0]["doc_id"] == "help-access-api-keys"
    assert body["citations"][0]["kind"] == "help"
