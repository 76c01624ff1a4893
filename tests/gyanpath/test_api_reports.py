"""Department reports through the API: known answers for a department of 16, suppression below 5, CSV, access."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from gyanpath.accounts import Role
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import TEST_DEPARTMENT, ClientFactory

CYBER, AI, RTI = "crs-cyber-basics-en", "crs-ai-basics-en", "crs-rti-hi"
ALL_FIELDS = [
    "employees_registered",
    "completed_one_or_more",
    "completed_three_or_more",
    "in_progress",
    "learning_hours",
    "programme.completed",
    "programme.share",
    "mandatory_modules.ai.completed",
    "mandatory_modules.ai.share",
    "mandatory_modules.cyber-security.completed",
    "mandatory_modules.cyber-security.share",
]


@pytest.fixture
def settings(settings: Settings, progress_url: str) -> Settings:
    """Every test here runs on a SQLite progress store and on PostgreSQL (a fresh schema per test)."""
    return settings.model_copy(update={"database_url": progress_url})


def learner(client_as: ClientFactory, services: Services, learner_id: str, department: str) -> TestClient:
    key = services.users.create_key(role=Role.LEARNER, department=department, learner_id=learner_id)
    return client_as(token=key.token)


def complete(client: TestClient, course_id: str, when: str, hours: float | None = None) -> None:
    body: dict[str, object] = {"course_id": course_id, "completed_at": when}
    if hours is not None:
        body["hours"] = hours
    assert client.post("/me/completions", json=body).status_code == 201


@pytest.fixture
def department(client_as: ClientFactory, services: Services) -> None:
    """16 learners in 2026: six did all three courses (28 h: the 7-day programme), five only cyber (1.5 h), one is
    enrolled in the AI course, four only registered. Plus a completion from 2025 and one in another department."""
    people = [learner(client_as, services, f"p{n:02d}", TEST_DEPARTMENT) for n in range(16)]
    for client in people[:6]:
        complete(client, CYBER, "2026-02-01T10:00:00Z")  # 1.5 h
        complete(client, AI, "2026-03-01T10:00:00Z")  # 2 h
        complete(client, RTI, "2026-04-01T10:00:00Z", hours=24.5)  # 1.5 + 2 + 24.5 = 28
    for client in people[6:11]:
        complete(client, CYBER, "2026-05-01T10:00:00Z")
    complete(people[11], AI, "2025-12-31T10:00:00Z")  # last year: not in 2026
    assert people[11].post("/me/enrolments", json={"course_id": RTI}).status_code == 201
    for client in people[12:]:
        assert client.get("/me/progress").status_code == 200  # registered, nothing done
    complete(learner(client_as, services, "elsewhere", "health"), AI, "2026-02-01T10:00:00Z")


@pytest.mark.usefixtures("department")
def test_department_report_known_answer(client_as: ClientFactory) -> None:
    response = client_as(Role.ADMIN).get("/reports/department", params={"year": 2026})
    assert response.status_code == 200
    assert response.json() == {
        "department": TEST_DEPARTMENT,
        "year": 2026,
        "employees_registered": 16,
        "completed_one_or_more": 11,
        "completed_three_or_more": 6,
        "in_progress": None,  # one learner: suppressed
        "learning_hours": 6 * 28 + 5 * 1.5,
        "programme": {"mandated_hours": 28.0, "completed": 6, "share": 0.375},
        "mandatory_modules": {
            "ai": {"completed": 6, "share": 0.375},
            "cyber-security": {"completed": 11, "share": 0.6875},
        },
        "top_courses": [
            {"course_id": CYBER, "title": "Cyber hygiene for office staff", "completions": 11},
            {"course_id": AI, "title": "Artificial intelligence basics for public servants", "completions": 6},
            {"course_id": RTI, "title": response.json()["top_courses"][2]["title"], "completions": 6},
        ],
        "suppressed": ["in_progress"],
    }


@pytest.mark.usefixtures("department")
def test_the_csv_has_one_metric_a_row(client_as: ClientFactory) -> None:
    response = client_as(Role.ADMIN).get("/reports/department.csv", params={"year": 2026})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert f"gyanpath-{TEST_DEPARTMENT}-2026.csv" in response.headers["content-disposition"]
    rows = {r["metric"]: (r["value"], r["suppressed"]) for r in csv.DictReader(io.StringIO(response.text))}
    assert rows["employees_registered"] == ("16", "false")
    assert rows["in_progress"] == ("", "true")
    assert rows["programme.share"] == ("0.375", "false")
    assert rows["mandatory_modules.cyber-security.completed"] == ("11", "false")
    assert rows[f"top_courses.{CYBER}"] == ("11", "false")


def test_a_department_below_five_learners_is_suppressed_entirely(client_as: ClientFactory, services: Services) -> None:
    for n in range(4):
        complete(learner(client_as, services, f"h{n}", "health"), CYBER, "2026-02-01T10:00:00Z")
    admin = client_as(token=services.users.create_key(role=Role.ADMIN, department="health").token)
    report = admin.get("/reports/department", params={"year": 2026}).json()
    assert report["suppressed"] == [*ALL_FIELDS, "top_courses"]
    assert report["top_courses"] == [] and report["learning_hours"] is None
    assert report["programme"] == {"mandated_hours": 28.0, "completed": None, "share": None}
    fifth = learner(client_as, services, "h4", "health")
    complete(fifth, CYBER, "2026-02-02T10:00:00Z")
    report = admin.get("/reports/department", params={"year": 2026}).json()
    assert report["employees_registered"] == 5 and report["completed_one_or_more"] == 5
    assert report["mandatory_modules"]["cyber-security"] == {"completed": 5, "share": 1.0}
    assert report["mandatory_modules"]["ai"] == {"completed": 0, "share": 0.0}
    assert report["suppressed"] == []


def test_reports_are_for_the_admins_own_department(client_as: ClientFactory) -> None:
    admin = client_as(Role.ADMIN)
    for path in ("/reports/department", "/reports/department.csv"):
        response = admin.get(path, params={"department": "health"})
        assert response.status_code == 403 and response.json()["field"] == "department"
        assert client_as(Role.AUTHOR).get(path).status_code == 403
    response = admin.get("/reports/department", params={"year": 1999})
    assert response.status_code == 422 and response.json()["field"] == "year"
    assert admin.get("/reports/department", params={"department": TEST_DEPARTMENT}).status_code == 200
