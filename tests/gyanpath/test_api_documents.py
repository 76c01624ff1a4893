"""``GET /me`` and ``GET /documents/{doc_id}``: who a key is, and a cited passage opened at its source."""

from __future__ import annotations

from corpus.chunking import document_body
from gyanpath.accounts import Role
from gyanpath.services import Services
from tests.conftest import TEST_DEPARTMENT, ClientFactory

PRIVATE_POLICE_CASE = "cs-police-internal-review"


def test_me_names_the_keys_role_department_and_learner(client_as: ClientFactory, services: Services) -> None:
    issued = services.users.create_key(role=Role.AUTHOR, department="health", name="Dr. Meena", learner_id="meena")
    body = client_as(token=issued.token).get("/me").json()
    assert body == {
        "key_id": issued.key.id,
        "prefix": issued.key.prefix,
        "role": "author",
        "department": "health",
        "learner_id": "meena",
        "name": "Dr. Meena",
    }
    assert issued.token not in str(body)
    assert client_as(Role.ADMIN).get("/me").json()["role"] == "admin"


def test_a_cited_quote_lies_inside_a_returned_passage(client_as: ClientFactory, services: Services) -> None:
    client = client_as(Role.LEARNER)
    answer = client.post("/tutor/ask", json={"question": "By how much did phishing clicks fall in the Satara drill?"})
    citation = answer.json()["citations"][0]
    document = client.get(f"/documents/{citation['doc_id']}").json()
    assert document["doc_id"] == "cs-phishing-treasury" and document["kind"] == "case_study"
    assert document["title"] == citation["title"] and document["language"] == "en"
    body = document_body(services.store.get_document(citation["doc_id"]))
    assert [p["ordinal"] for p in document["passages"]] == list(range(len(document["passages"])))
    for passage in document["passages"]:
        assert body[passage["start"] : passage["end"]] == passage["text"]
    holding = [p for p in document["passages"] if p["start"] <= citation["start"] < citation["end"] <= p["end"]]
    assert len(holding) == 1
    passage = holding[0]
    quoted = passage["text"][citation["start"] - passage["start"] : citation["end"] - passage["start"]]
    assert quoted == citation["quote"]


def test_a_course_opens_with_its_provider_and_module_list(client_as: ClientFactory) -> None:
    document = client_as(Role.LEARNER).get("/documents/crs-cyber-basics-en").json()
    assert document["kind"] == "course" and document["source"] == "State IT Academy"
    assert document["department"] == "it-egov"
    assert "1. Phishing" in " ".join(p["text"] for p in document["passages"])


def test_private_case_studies_open_for_their_department_only(client_as: ClientFactory, services: Services) -> None:
    police = client_as(token=services.users.create_key(role=Role.LEARNER, department="home-police").token)
    assert police.get(f"/documents/{PRIVATE_POLICE_CASE}").status_code == 200
    for client in (client_as(Role.LEARNER), client_as(Role.ADMIN)):  # TEST_DEPARTMENT, even its admin
        hidden = client.get(f"/documents/{PRIVATE_POLICE_CASE}")
        unknown = client.get("/documents/cs-no-such-case")
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json()["error"] == unknown.json()["error"] == "not_found"
    assert TEST_DEPARTMENT != "home-police"


def test_an_overlong_document_id_is_a_422_naming_it(client_as: ClientFactory) -> None:
    response = client_as(Role.LEARNER).get("/documents/" + "x" * 121)
    assert response.status_code == 422 and response.json()["field"] == "doc_id"
