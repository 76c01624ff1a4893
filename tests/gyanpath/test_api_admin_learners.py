"""Admins: the department's feedback on answers and paths, and erasing a learner's records (logged)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from gyanpath.accounts import Role
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import TEST_DEPARTMENT, ClientFactory

CYBER, RTI = "crs-cyber-basics-en", "crs-rti-hi"


@pytest.fixture
def settings(settings: Settings, progress_url: str) -> Settings:
    """Every test here runs on a SQLite progress store and on PostgreSQL (a fresh schema per test)."""
    return settings.model_copy(update={"database_url": progress_url})


def learner(
    client_as: ClientFactory, services: Services, learner_id: str | None, department: str = TEST_DEPARTMENT
) -> tuple[TestClient, str]:
    key = services.users.create_key(role=Role.LEARNER, department=department, learner_id=learner_id)
    return client_as(token=key.token), key.key.id


def activity(client: TestClient, comment: str) -> str:
    """Progress, a path feedback, a conversation and a tutor feedback; returns the conversation id."""
    client.post("/me/enrolments", json={"course_id": RTI})
    client.post("/me/completions", json={"course_id": CYBER})
    client.post("/paths/feedback", json={"course_id": RTI, "relevant": False, "comment": comment})
    conversation_id = client.post("/tutor/ask", json={"question": "What is phishing?"}).json()["conversation_id"]
    client.post("/tutor/feedback", json={"conversation_id": conversation_id, "helpful": True, "comment": comment})
    return str(conversation_id)


def test_admins_list_their_departments_feedback(client_as: ClientFactory, services: Services) -> None:
    alice, _ = learner(client_as, services, "alice")
    anonymous, key_id = learner(client_as, services, None)
    foreign, _ = learner(client_as, services, "hari", "health")
    activity(alice, "from alice")
    activity(anonymous, "from a key")
    activity(foreign, "from health")
    listed = client_as(Role.ADMIN).get("/admin/feedback").json()
    assert [(f["learner_id"], f["comment"], f["helpful"]) for f in listed["tutor"]] == [
        ("alice", "from alice", True),
        (key_id, "from a key", True),
    ]
    assert [(f["learner_id"], f["course_id"], f["relevant"], f["comment"]) for f in listed["paths"]] == [
        ("alice", RTI, False, "from alice"),
        (key_id, RTI, False, "from a key"),
    ]
    assert client_as(Role.AUTHOR).get("/admin/feedback").status_code == 403


def test_erasure_removes_one_learners_records_and_is_logged(
    client_as: ClientFactory, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    alice, _ = learner(client_as, services, "alice")
    bob, _ = learner(client_as, services, "bob")
    alice_conversation = activity(alice, "alice's comment")
    bob_conversation = activity(bob, "bob's comment")
    admin = client_as(Role.ADMIN)
    with caplog.at_level(logging.INFO, logger="gyanpath.admin"):
        response = admin.delete("/admin/learners/alice")
    assert response.status_code == 200
    assert response.json() == {
        "learner_id": "alice",
        "department": TEST_DEPARTMENT,
        "erased": {"enrolments": 1, "completions": 1, "path_feedback": 1, "conversations": 1, "tutor_feedback": 1},
    }
    logged = [r.getMessage() for r in caplog.records if r.name == "gyanpath.admin"]
    assert len(logged) == 1 and "alice" in logged[0] and "comment" not in logged[0]

    assert alice.get("/me/progress").json()["completions"] == []
    assert alice.get(f"/tutor/conversations/{alice_conversation}").status_code == 404
    assert [f["learner_id"] for f in admin.get("/admin/feedback").json()["paths"]] == ["bob"]
    assert len(bob.get("/me/progress").json()["completions"]) == 1
    assert bob.get(f"/tutor/conversations/{bob_conversation}").status_code == 200
    assert services.peer_feed.progress.completion_stamp()[0] == 1

    again = admin.delete("/admin/learners/alice")
    assert again.status_code == 200  # GET /me/progress above registered alice anew: nothing else to erase
    assert again.json()["erased"] == dict.fromkeys(again.json()["erased"], 0)
    missing = admin.delete("/admin/learners/nobody")
    assert missing.status_code == 404 and missing.json()["field"] == "learner_id"


def test_erasure_is_confined_to_the_admins_department(client_as: ClientFactory, services: Services) -> None:
    hari, _ = learner(client_as, services, "hari", "health")
    activity(hari, "keep me")
    response = client_as(Role.ADMIN).delete("/admin/learners/hari")
    assert response.status_code == 404 and response.json()["field"] == "learner_id"
    assert len(hari.get("/me/progress").json()["completions"]) == 1
    assert client_as(Role.LEARNER).delete("/admin/learners/hari").status_code == 403


def test_a_learner_known_by_key_id_is_erased_by_it(client_as: ClientFactory, services: Services) -> None:
    anonymous, key_id = learner(client_as, services, None)
    activity(anonymous, "x")
    erased = client_as(Role.ADMIN).delete(f"/admin/learners/{key_id}").json()["erased"]
    assert erased == {"enrolments": 1, "completions": 1, "path_feedback": 1, "conversations": 1, "tutor_feedback": 1}
