"""The learner's own progress through the API: profile, enrolments, completions, progress, passbook, and paths
that use them; every 4xx names its field and stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from gyanpath.accounts import Role
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import TEST_DEPARTMENT, ClientFactory

CYBER, AI, RTI = "crs-cyber-basics-en", "crs-ai-basics-en", "crs-rti-hi"


@pytest.fixture
def settings(settings: Settings, progress_url: str) -> Settings:
    """Every test here runs on a SQLite progress store and on PostgreSQL (a fresh schema per test)."""
    return settings.model_copy(update={"database_url": progress_url})


def learner(
    client_as: ClientFactory, services: Services, learner_id: str, department: str = TEST_DEPARTMENT
) -> TestClient:
    key = services.users.create_key(role=Role.LEARNER, department=department, learner_id=learner_id)
    return client_as(token=key.token)


@pytest.fixture
def alice(client_as: ClientFactory, services: Services) -> TestClient:
    return learner(client_as, services, "alice")


def test_profile_sets_the_learners_role(alice: TestClient) -> None:
    assert alice.get("/me/profile").json() == {"learner_id": "alice", "department": TEST_DEPARTMENT, "role_id": None}
    assert alice.post("/me/profile", json={"role_id": "role-pio"}).json()["role_id"] == "role-pio"
    response = alice.post("/me/profile", json={"role_id": "role-nobody"})
    assert response.status_code == 404 and response.json()["field"] == "role_id"
    assert alice.get("/me/profile").json()["role_id"] == "role-pio"


def test_a_key_without_a_learner_id_is_its_own_learner(client_as: ClientFactory, services: Services) -> None:
    issued = services.users.create_key(role=Role.LEARNER, department=TEST_DEPARTMENT)
    assert client_as(token=issued.token).get("/me/profile").json()["learner_id"] == issued.key.id


def test_enrol_complete_and_read_progress(alice: TestClient) -> None:
    enrolled = alice.post("/me/enrolments", json={"course_id": AI})
    assert enrolled.status_code == 201
    assert enrolled.json()["status"] == "in_progress" and enrolled.json()["title"].startswith("Artificial")
    again = alice.post("/me/enrolments", json={"course_id": AI})
    assert again.status_code == 200 and again.json()["started_at"] == enrolled.json()["started_at"]

    done = alice.post("/me/completions", json={"course_id": CYBER, "score": 92.5})
    assert done.status_code == 201
    assert (done.json()["hours"], done.json()["score"]) == (1.5, 92.5)  # 90 minutes by default
    stamp = "2026-02-10T09:30:00+05:30"
    first = alice.post("/me/completions", json={"course_id": AI, "completed_at": stamp, "hours": 2.25})
    retry = alice.post("/me/completions", json={"course_id": AI, "completed_at": stamp, "hours": 2.25})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["completed_at"] == "2026-02-10T04:00:00Z"

    progress = alice.get("/me/progress").json()
    assert progress["learner_id"] == "alice" and progress["department"] == TEST_DEPARTMENT
    assert [(e["course_id"], e["status"]) for e in progress["enrolments"]] == [(AI, "completed")]
    assert [(c["course_id"], c["hours"], c["score"]) for c in progress["completions"]] == [
        (AI, 2.25, None),
        (CYBER, 1.5, 92.5),
    ]
    this_year = datetime.now(UTC).year
    assert progress["hours_this_year"] == (1.5 + 2.25 if this_year == 2026 else 1.5)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"course_id": "crs-unknown"}, 404, "course_id"),
        ({"course_id": CYBER, "score": 101}, 422, "score"),
        ({"course_id": CYBER, "hours": 0}, 422, "hours"),
        ({"course_id": CYBER, "completed_at": "yesterday"}, 422, "completed_at"),
        (
            {"course_id": CYBER, "completed_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()},
            422,
            "completed_at",
        ),
        ({"course_id": CYBER, "learner_id": "bob"}, 422, "learner_id"),
        ({"course_id": CYBER, "department": "health"}, 422, "department"),
    ],
)
def test_bad_completions_name_the_field_and_store_nothing(
    alice: TestClient, body: dict[str, object], status: int, field: str
) -> None:
    response = alice.post("/me/completions", json=body)
    assert response.status_code == status and response.json()["field"] == field
    assert alice.get("/me/progress").json()["completions"] == []


def test_learners_see_only_their_own_progress(client_as: ClientFactory, services: Services, alice: TestClient) -> None:
    alice.post("/me/completions", json={"course_id": CYBER})
    bob = learner(client_as, services, "bob")
    alice_elsewhere = learner(client_as, services, "alice", department="health")  # same id, other department
    assert bob.get("/me/progress").json()["completions"] == []
    assert alice_elsewhere.get("/me/progress").json()["completions"] == []
    second_key = learner(client_as, services, "alice")  # another key of the same learner
    assert [c["course_id"] for c in second_key.get("/me/progress").json()["completions"]] == [CYBER]


def test_the_passbook_lists_competencies_with_the_course_that_proved_them(alice: TestClient) -> None:
    assert alice.get("/me/competencies").json() == {"competencies": []}
    alice.post("/me/completions", json={"course_id": CYBER, "completed_at": "2026-01-05T10:00:00Z"})
    alice.post("/me/completions", json={"course_id": RTI, "completed_at": "2026-01-06T10:00:00Z"})
    alice.post("/me/completions", json={"course_id": CYBER, "completed_at": "2026-03-01T10:00:00Z"})  # a re-take
    found = alice.get("/me/competencies").json()["competencies"]
    assert [(c["competency_id"], c["level"], c["course_id"], c["completed_at"]) for c in found] == [
        ("d.cyber-security.cyber-security", "Beginner", CYBER, "2026-01-05T10:00:00Z"),
        ("f.handling-rti-matters.rti-responsiveness", "Beginner", RTI, "2026-01-06T10:00:00Z"),
    ]
    assert found[0]["name"] == "Cyber Security > Cyber Security"


def test_paths_use_stored_completions_and_the_profile_role(alice: TestClient) -> None:
    before = alice.post("/paths", json={"role": "role-pio"}).json()
    assert CYBER in [s["course_id"] for s in before["steps"]]
    alice.post("/me/completions", json={"course_id": CYBER})
    alice.post("/me/profile", json={"role_id": "role-pio"})
    after = alice.post("/paths", json={"level": "Beginner"})  # else the module is asked one level above
    assert after.status_code == 200 and after.json()["role_id"] == "role-pio"
    cyber = next(m for m in after.json()["mandatory"] if m["tag"] == "cyber-security")
    assert (cyber["status"], cyber["course_id"]) == ("completed", CYBER)
    assert CYBER not in [s["course_id"] for s in after.json()["steps"]]


def test_not_relevant_feedback_demotes_the_course_for_that_learner_only(
    client_as: ClientFactory, services: Services, alice: TestClient
) -> None:
    def rti_score(client: TestClient) -> float:
        steps = client.post("/paths", json={"role": "role-pio"}).json()["steps"]
        return float(next(s["score"] for s in steps if s["course_id"] == RTI))

    before = rti_score(alice)
    response = alice.post("/paths/feedback", json={"course_id": RTI, "relevant": False, "comment": "I am not a PIO"})
    assert response.status_code == 201 and response.json()["relevant"] is False
    assert rti_score(alice) == pytest.approx(before * 0.1, rel=1e-3)  # the only RTI course: still planned, last
    assert rti_score(learner(client_as, services, "bob")) == pytest.approx(before)
    alice.post("/paths/feedback", json={"course_id": RTI, "relevant": True})
    assert rti_score(alice) == pytest.approx(before)
    bad = alice.post("/paths/feedback", json={"course_id": "crs-nope", "relevant": False})
    assert bad.status_code == 404 and bad.json()["field"] == "course_id"
    assert alice.post("/paths/feedback", json={"course_id": RTI}).json()["field"] == "relevant"
