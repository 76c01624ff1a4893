"""Access control through the real app: the role x endpoint matrix, 401s, object-level checks, departments."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from gyanpath.accounts import Role
from gyanpath.api.app import create_app
from gyanpath.api.auth import api_routes, audit_routes
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import TEST_DEPARTMENT, ClientFactory

L, A, M = Role.LEARNER, Role.AUTHOR, Role.ADMIN
PUBLIC = None
# The policy, written out: the least role each endpoint needs. A new endpoint must be added here, or the matrix fails.
EXPECTED: dict[tuple[str, str], Role | None] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/me"): L,
    ("GET", "/search"): L,
    ("GET", "/documents/{doc_id}"): L,
    ("POST", "/tutor/ask"): L,
    ("GET", "/tutor/conversations/{conversation_id}"): L,
    ("POST", "/tutor/feedback"): L,
    ("POST", "/tutor/practice"): L,
    ("POST", "/tutor/practice/check"): L,
    ("POST", "/paths"): L,
    ("GET", "/roles"): L,
    ("GET", "/roles/{role_id}"): L,
    ("GET", "/competencies"): L,
    ("GET", "/languages"): L,
    ("POST", "/authoring/related"): A,
    ("POST", "/authoring/tags"): A,
    ("GET", "/authoring/coverage"): A,
    ("POST", "/content/courses"): A,
    ("POST", "/content/case-studies"): A,
    ("DELETE", "/content/courses/{doc_id}"): A,
    ("DELETE", "/content/case-studies/{doc_id}"): A,
    ("GET", "/content/uploads"): A,
    ("GET", "/content/uploads/{job_id}"): A,
    ("POST", "/admin/keys"): M,
    ("GET", "/admin/keys"): M,
    ("DELETE", "/admin/keys/{key_id}"): M,
    ("POST", "/paths/feedback"): L,
    ("GET", "/me/profile"): L,
    ("POST", "/me/profile"): L,
    ("POST", "/me/enrolments"): L,
    ("POST", "/me/completions"): L,
    ("GET", "/me/progress"): L,
    ("GET", "/me/competencies"): L,
    ("GET", "/reports/department"): M,
    ("GET", "/reports/department.csv"): M,
    ("GET", "/admin/feedback"): M,
    ("DELETE", "/admin/learners/{learner_id}"): M,
}
ROUTES = sorted(
    (method, route.path)
    for route in api_routes(create_app(Settings(home=Path("unused"), embedder="hashing")))
    for method in route.methods or ()
)
PRIVATE_POLICE_CASE = "cs-police-internal-review"


def test_every_route_has_an_expected_policy() -> None:
    assert set(ROUTES) == set(EXPECTED)


@pytest.mark.parametrize("caller", [None, *Role], ids=["no-key", *(r.value for r in Role)])
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_role_endpoint_matrix(client_as: ClientFactory, method: str, path: str, caller: Role | None) -> None:
    """Each cell: the endpoint answers 401 without a key, 403 to a role below its policy, and otherwise gets past
    access control (an empty body or a made-up id then fails validation or lookup, which is fine here)."""
    assert (method, path) in EXPECTED, f"{method} {path} has no expected policy in this test"
    needed = EXPECTED[(method, path)]
    response = client_as(caller).request(
        method,
        path.replace("{conversation_id}", "x")
        .replace("{doc_id}", "x")
        .replace("{key_id}", "x")
        .replace("{learner_id}", "x")
        .replace("{role_id}", "role-pio"),
    )
    if needed is None:
        assert response.status_code == 200
    elif caller is None:
        assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    elif caller.includes(needed):
        assert response.status_code not in (401, 403), response.json()
    else:
        assert response.status_code == 403
        assert response.json() == {
            "error": "forbidden",
            "detail": f"this needs the {needed.value} role; the key has {caller.value}",
            "field": None,
        }


def test_an_endpoint_without_a_policy_is_refused() -> None:
    app = create_app(Settings(home=Path("unused"), embedder="hashing"))
    router = APIRouter()

    @router.get("/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    app.include_router(router)
    with pytest.raises(RuntimeError, match=r"\['GET'\] /forgotten declares no access policy"):
        audit_routes(app)


@pytest.mark.parametrize("path", ["/health", "/health/ready", "/docs", "/redoc", "/openapi.json", "/"])
def test_health_docs_and_ui_need_no_key(client_as: ClientFactory, path: str) -> None:
    assert client_as(None).get(path).status_code == 200


def test_unknown_bad_and_revoked_keys_are_401(client_as: ClientFactory, services: Services) -> None:
    issued = services.users.create_key(role=Role.ADMIN, department=TEST_DEPARTMENT)
    for response in (
        client_as(None).get("/roles"),
        client_as(token="gp_not-a-real-key").get("/roles"),
        client_as(None).get("/roles", headers={"Authorization": "Basic dXNlcjpwYXNz"}),
    ):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert set(response.json()) == {"error", "detail", "field"}
    assert client_as(token=issued.token).get("/roles").status_code == 200
    assert client_as(None).get("/roles", headers={"X-API-Key": issued.token}).status_code == 200
    services.users.revoke_key(issued.key.id)
    response = client_as(token=issued.token).get("/roles")
    assert response.status_code == 401 and response.json()["detail"] == "the API key is unknown or revoked"


def test_a_learner_reads_and_rates_only_their_own_conversations(client_as: ClientFactory, services: Services) -> None:
    alice = client_as(token=services.users.create_key(role=L, department=TEST_DEPARTMENT, learner_id="alice").token)
    bob = client_as(Role.LEARNER)
    conversation_id = alice.post("/tutor/ask", json={"question": "How fast must a CERT-In report be sent?"}).json()[
        "conversation_id"
    ]
    assert alice.get(f"/tutor/conversations/{conversation_id}").status_code == 200
    for response in (
        bob.get(f"/tutor/conversations/{conversation_id}"),
        bob.post("/tutor/feedback", json={"conversation_id": conversation_id, "helpful": False}),
        bob.post("/tutor/ask", json={"question": "and passwords?", "conversation_id": conversation_id}),
        client_as(Role.ADMIN).get(f"/tutor/conversations/{conversation_id}"),
    ):
        assert response.status_code == 404 and response.json()["field"] == "conversation_id"
    assert len(services.users.get(conversation_id).turns) == 1  # bob's follow-up was not appended
    assert alice.post("/tutor/feedback", json={"conversation_id": conversation_id, "helpful": True}).status_code == 201
    assert services.users.feedback()[-1]["owner"] == f"{TEST_DEPARTMENT}/alice"


def test_a_learner_id_joins_keys_within_a_department_only(client_as: ClientFactory, services: Services) -> None:
    def key(department: str) -> TestClient:
        token = services.users.create_key(role=L, department=department, learner_id="asha").token
        return client_as(token=token)

    first, second, elsewhere = key(TEST_DEPARTMENT), key(TEST_DEPARTMENT), key("health")
    conversation_id = first.post("/tutor/ask", json={"question": "What is phishing?"}).json()["conversation_id"]
    assert second.get(f"/tutor/conversations/{conversation_id}").status_code == 200
    assert elsewhere.get(f"/tutor/conversations/{conversation_id}").status_code == 404


def test_private_case_studies_follow_the_keys_department(client_as: ClientFactory, services: Services) -> None:
    police = client_as(token=services.users.create_key(role=L, department="home-police").token)
    other = client_as(Role.ADMIN)  # even an admin of another department
    params: dict[str, str | int] = {"q": "internal review custody", "k": 10, "kind": "case_study"}

    def found(client: TestClient, **extra: str) -> set[str]:
        return {r["doc_id"] for r in client.get("/search", params={**params, **extra}).json()["results"]}

    assert PRIVATE_POLICE_CASE in found(police)
    assert PRIVATE_POLICE_CASE not in found(other)
    assert PRIVATE_POLICE_CASE not in found(other, department="home-police")  # a filter narrows, never widens
    assert police.post("/tutor/practice", json={"doc_id": PRIVATE_POLICE_CASE}).status_code == 200
    assert other.post("/tutor/practice", json={"doc_id": PRIVATE_POLICE_CASE}).status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/tutor/ask", {"question": "x", "department": "home-police"}, "department"),
        ("/tutor/ask", {"question": "x", "viewer": {"departments": ["home-police"]}}, "viewer"),
        ("/tutor/ask", {"question": "x", "role": "admin"}, "role"),
        ("/tutor/feedback", {"conversation_id": "x", "helpful": True, "owner": "bob"}, "owner"),
        ("/admin/keys", {"role": "learner", "token": "gp_chosen"}, "token"),
        ("/admin/keys", {"role": "superuser"}, "role"),
    ],
)
def test_bodies_cannot_carry_identity(client_as: ClientFactory, path: str, body: dict[str, object], field: str) -> None:
    response = client_as(Role.ADMIN).post(path, json=body)
    assert response.status_code == 422 and response.json()["field"] == field


def test_admins_manage_keys_of_their_own_department(client_as: ClientFactory, services: Services) -> None:
    admin = client_as(Role.ADMIN)
    foreign = services.users.create_key(role=L, department="health", name="health learner")
    created = admin.post("/admin/keys", json={"role": "author", "name": "Meena", "learner_id": "meena"})
    assert created.status_code == 201
    body = created.json()
    assert body["department"] == TEST_DEPARTMENT and body["role"] == "author" and body["revoked_at"] is None
    assert body["token"].startswith(body["prefix"]) and len(body["token"]) > 40
    assert client_as(token=body["token"]).get("/authoring/coverage").status_code == 200

    listed = admin.get("/admin/keys").json()
    assert {k["department"] for k in listed} == {TEST_DEPARTMENT}
    assert body["id"] in {k["id"] for k in listed} and foreign.key.id not in {k["id"] for k in listed}
    assert all("token" not in k for k in listed)

    response = admin.post("/admin/keys", json={"role": "learner", "department": "health"})
    assert response.status_code == 403 and response.json()["field"] == "department"
    response = admin.delete(f"/admin/keys/{foreign.key.id}")
    assert response.status_code == 404 and response.json()["field"] == "key_id"
    assert services.users.authenticate(foreign.token) is not None

    revoked = admin.delete(f"/admin/keys/{body['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client_as(token=body["token"]).get("/authoring/coverage").status_code == 401
    assert admin.delete(f"/admin/keys/{body['id']}").json()["revoked_at"] == revoked.json()["revoked_at"]
