"""The recommender's endpoints through the real app over the mini corpus: known answers and clear 4xx errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from gyanpath.accounts import Role
from gyanpath.services import Services
from tests.conftest import ClientFactory

RTI = "f.handling-rti-matters.rti-responsiveness"


@pytest.fixture
def client(client_as: ClientFactory) -> TestClient:
    return client_as(Role.AUTHOR)


def test_seven_day_path_for_a_role(client: TestClient) -> None:
    body = client.post("/paths", json={"role": "role-pio", "programme": "7-day"}).json()
    assert [s["course_id"] for s in body["steps"]] == ["crs-ai-basics-en", "crs-cyber-basics-en", "crs-rti-hi"]
    assert [m["status"] for m in body["mandatory"]] == ["planned", "planned"]
    assert body["total_hours"] == 6.5 and body["budget_hours"] == 28.0
    assert len(body["schedule"]["days"]) == 7 and body["schedule"]["total_hours"] == 6.5
    assert all(day["hours"] <= day["capacity_hours"] == 4.0 for day in body["schedule"]["days"])
    rti = body["steps"][2]
    assert rti["closes"] == [
        {
            "competency_id": RTI,
            "name": "Handling RTI Matters > RTI Responsiveness",
            "before": None,
            "after": "Beginner",
            "required": "Intermediate",
            "evidence": "tag",
            "confidence": 1.0,
        }
    ]
    assert body["open_gaps"] == [
        {
            "competency_id": RTI,
            "name": "Handling RTI Matters > RTI Responsiveness",
            "required": "Intermediate",
            "held": None,
            "reached": "Beginner",
            "reason": "no_course",
            "detail": "no course in the catalogue builds it above Beginner",
            "candidates": [],
        }
    ]
    assert body["gap_coverage"] == pytest.approx(2 / 3, abs=1e-4)


def test_completed_courses_and_hours(client: TestClient) -> None:
    body = client.post(
        "/paths", json={"role": "role-pio", "completed": ["crs-cyber-basics-en"], "hours": 3, "level": "Beginner"}
    ).json()
    assert [s["course_id"] for s in body["steps"]] == ["crs-ai-basics-en"]
    assert body["schedule"] is None and body["total_hours"] == 2.0
    assert {m["tag"]: m["status"] for m in body["mandatory"]} == {"ai": "planned", "cyber-security": "completed"}
    assert body["open_gaps"][0]["reason"] == "no_time"  # the 3 h RTI course does not fit the 1 h left


@pytest.mark.parametrize(
    ("payload", "status", "error", "field"),
    [
        ({"role": "role-pi"}, 404, "not_found", "role"),
        ({"role": "role-pio", "completed": ["crs-nope"]}, 404, "not_found", "completed"),
        (
            {"role": "role-pio", "declared": [{"competency": "d.nope", "level": "Beginner"}]},
            404,
            "not_found",
            "declared",
        ),
        ({"role": "role-pio", "hours": 2}, 422, "impossible_budget", "hours"),
        ({"role": "role-pio", "programme": "1-day", "hours_per_day": 1}, 422, "impossible_budget", "hours_per_day"),
        ({"role": "role-pio", "hours": 5, "programme": "7-day"}, 422, "invalid_request", "hours"),
        ({"role": "role-pio", "programme": "a week"}, 422, "invalid_request", "programme"),
        ({"role": "role-pio", "programme": "7-day", "days": 5}, 422, "invalid_request", "days"),
        ({"role": "role-pio", "hours": 0}, 422, "invalid_request", "hours"),
        ({"role": "role-pio", "language": "fr"}, 422, "invalid_request", "language"),
        ({"role": "role-pio", "colour": "red"}, 422, "invalid_request", "colour"),
        ({}, 422, "invalid_request", "role"),
    ],
)
def test_bad_path_requests_are_4xx_naming_the_field(
    client: TestClient, payload: dict[str, Any], status: int, error: str, field: str
) -> None:
    response = client.post("/paths", json=payload)
    assert response.status_code == status, response.json()
    assert response.json()["error"] == error and response.json()["field"] == field


def test_unknown_role_suggests_close_ids(client: TestClient) -> None:
    detail = client.post("/paths", json={"role": "role-pi"}).json()["detail"]
    assert "did you mean role-pio" in detail
    response = client.get("/roles/role-po")
    assert response.status_code == 404 and response.json()["field"] == "role_id"


def test_roles_and_competencies(client: TestClient) -> None:
    assert client.get("/roles").json() == [
        {
            "id": "role-pio",
            "title": "Public Information Officer",
            "department": "general-administration",
            "cadre": None,
            "headcount": 1200,
            "competencies": 2,
        }
    ]
    role = client.get("/roles/role-pio").json()
    assert [(c["competency_id"], c["level"]) for c in role["competencies"]] == [
        (RTI, "Intermediate"),
        ("d.cyber-security.cyber-security", "Beginner"),
    ]
    assert len(client.get("/competencies").json()) == 3
    assert [c["id"] for c in client.get("/competencies", params={"type": "Functional"}).json()] == [RTI]
    assert client.get("/competencies", params={"type": "Magic"}).status_code == 422


def test_authoring_endpoints(client: TestClient) -> None:
    draft = {
        "title": "Cyber hygiene for office staff",
        "description": "Spot phishing emails, use strong passwords"
        " and multi-factor authentication, and report incidents to the nodal officer and CERT-In within six"
        " hours.",
        "modules": [
            {"title": "Phishing", "summary": "How fake emails and SMS trick staff."},
            {"title": "Passwords", "summary": "Pass-phrases and MFA."},
        ],
    }
    body = client.post("/authoring/related", json={**draft, "k": 3}).json()
    assert body["related"][0]["doc_id"] == "crs-cyber-basics-en" and len(body["related"]) == 3
    assert [d["course_id"] for d in body["duplicates"]] == ["crs-cyber-basics-en"]
    tags = client.post("/authoring/tags", json={"course_id": "crs-rti-hi", "k": 2}).json()
    assert len(tags["tags"]) == 2 and isinstance(tags["calibrated"], bool)
    assert client.post("/authoring/tags", json={}).json()["field"] == "title"
    assert client.post("/authoring/related", json={"course_id": "crs-x"}).status_code == 404
    assert client.post("/authoring/related", json={"title": "x", "k": 99}).json()["field"] == "k"
    coverage = client.get("/authoring/coverage", params={"role": "role-pio"}).json()
    assert coverage["scope"] == "role role-pio" and coverage["total"] == 1
    assert coverage["gaps"][0]["competency_id"] == RTI and coverage["gaps"][0]["people"] == 1200
    assert client.get("/authoring/coverage", params={"department": "mars"}).json()["field"] == "department"
    assert client.get("/authoring/coverage", params={"department": "health"}).json()["field"] == "department"


def test_recommender_follows_the_store_after_a_reload(client: TestClient, services: Services) -> None:
    assert "crs-ai-basics-en" in [
        s["course_id"] for s in client.post("/paths", json={"role": "role-pio"}).json()["steps"]
    ]
    services.store.delete_document("crs-ai-basics-en")
    services.rebuild_index()
    body = client.post("/paths", json={"role": "role-pio"}).json()
    assert {m["tag"]: m["status"] for m in body["mandatory"]}["ai"] == "unavailable"
