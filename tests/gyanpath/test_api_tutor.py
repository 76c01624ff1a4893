"""The tutor API: ask (JSON and server-sent events), conversations, feedback, and 4xx for bad input."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from gyanpath.accounts import Role
from gyanpath.services import Services
from tests.conftest import ClientFactory

QUESTION = "By how much did phishing clicks fall in the Satara drill?"


@pytest.fixture
def client(client_as: ClientFactory) -> TestClient:
    return client_as(Role.LEARNER)


def test_ask_returns_answer_with_citations(client: TestClient) -> None:
    body = client.post("/tutor/ask", json={"question": QUESTION}).json()
    assert body["answered"] is True and "4 percent" in body["text"]
    citation = body["citations"][0]
    assert citation["doc_id"] == "cs-phishing-treasury" and citation["quote"] in body["text"]
    assert citation["end"] > citation["start"]


def test_conversation_follow_up_and_history(client: TestClient) -> None:
    first = client.post("/tutor/ask", json={"question": "How fast must a CERT-In report be sent?"}).json()
    conversation_id = first["conversation_id"]
    second = client.post(
        "/tutor/ask", json={"question": "and what about passwords?", "conversation_id": conversation_id}
    )
    assert second.status_code == 200 and second.json()["retrieval_query"].startswith("How fast")
    history = client.get(f"/tutor/conversations/{conversation_id}").json()
    assert [t["question"] for t in history["turns"]] == [
        "How fast must a CERT-In report be sent?",
        "and what about passwords?",
    ]


def test_unanswerable_question(client: TestClient) -> None:
    body = client.post("/tutor/ask", json={"question": "Who won the cricket world cup?"}).json()
    assert body["answered"] is False and body["citations"] == [] and body["reason"]


def test_streaming_sends_tokens_then_the_answer(client: TestClient) -> None:
    with client.stream("POST", "/tutor/ask", json={"question": QUESTION, "stream": True}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = "".join(response.iter_text())
    events = [block.split("\n", 1) for block in raw.strip().split("\n\n")]
    names = [e[0].removeprefix("event: ") for e in events]
    assert names[0] == "token" and names[-1] == "answer"
    final = json.loads(events[-1][1].removeprefix("data: "))
    assert final["answered"] is True and final["citations"]


def test_feedback_is_stored(client: TestClient, services: Services) -> None:
    conversation_id = client.post("/tutor/ask", json={"question": QUESTION}).json()["conversation_id"]
    response = client.post(
        "/tutor/feedback",
        json={"conversation_id": conversation_id, "helpful": False, "comment": "needs the drill date"},
    )
    assert response.status_code == 201
    stored = services.users.feedback()
    assert stored[-1]["helpful"] == 0 and stored[-1]["comment"] == "needs the drill date" and stored[-1]["turn"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "x" * 1001}, "question"),
        ({"question": "gem", "k": 0}, "k"),
        ({"question": "gem", "k": 21}, "k"),
        ({"question": "gem", "owner": "someone"}, "owner"),
        ({"question": "gem", "language": "fr"}, "language"),
        ({}, "question"),
        ({"question": "gem", "filters": {"kind": ["video"]}}, "filters.kind.0"),
        ({"question": "   \n\t "}, "question"),
        ({"question": " ", "stream": True}, "question"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, body: dict[str, object], field: str) -> None:
    response = client.post("/tutor/ask", json=body)
    assert response.status_code == 422 and response.json()["field"] == field


def test_feedback_on_a_turn_the_conversation_does_not_have_is_422(client: TestClient, services: Services) -> None:
    conversation_id = client.post("/tutor/ask", json={"question": QUESTION}).json()["conversation_id"]
    before = len(services.users.feedback())
    for turn in (1, 10_000):
        response = client.post(
            "/tutor/feedback", json={"conversation_id": conversation_id, "turn": turn, "helpful": True}
        )
        assert response.status_code == 422 and response.json()["field"] == "turn", response.text
        assert "0 to 0" in response.json()["detail"]
    assert len(services.users.feedback()) == before  # nothing stored
    ok = client.post("/tutor/feedback", json={"conversation_id": conversation_id, "turn": 0, "helpful": True})
    assert ok.status_code == 201


def test_unknown_conversation_is_404(client: TestClient) -> None:
    assert client.get("/tutor/conversations/nope").status_code == 404
    response = client.post("/tutor/ask", json={"question": "gem", "conversation_id": "nope"})
    assert response.status_code == 404 and response.json()["field"] == "conversation_id"
    response = client.post("/tutor/feedback", json={"conversation_id": "nope", "helpful": True})
    assert response.status_code == 404
