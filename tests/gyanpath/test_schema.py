"""The API keeps the promises of its OpenAPI schema: schemathesis fuzzes every operation the schema lists.

Each operation gets ``EXAMPLES`` requests, valid and invalid ones mixed, sent with an admin key, which may call
everything, and with a learner key, which admin and author routes must refuse in a documented way. Every answer must
be a documented status code (never a 5xx), with a documented content type and headers and a body that matches the
declared schema (each event of a server-sent stream too), and invalid input must be refused with a 4xx.
The operations are read from the app's own schema at collection, so a new router is fuzzed without touching this
file, and a route missing from the schema fails ``test_schema_lists_every_route``. Rate limits are off: the fuzzer
is not a client to throttle.

(Driven per operation with ``as_strategy`` rather than ``schemathesis.pytest.from_fixture``: the latter rewrites a
private pytest attribute that pytest 9.2 no longer has.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Err
from schemathesis.python.asgi import shutdown_lifespans

from corpus.ingest import IngestSources, ingest
from gyanpath.accounts import Role
from gyanpath.api.app import create_app
from gyanpath.api.auth import audit_routes
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import MINI, TEST_DEPARTMENT

EXAMPLES = 25  # per operation and role, valid and invalid requests mixed
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]


def _settings(home: Path) -> Settings:
    return Settings(home=home, embedder="hashing", rate_limit="off")


def operation_labels(schema: schemathesis.BaseSchema) -> list[str]:
    """Every operation of a schema ("POST /paths", ...); an operation schemathesis cannot read is an error."""
    labels = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        labels.append(result.ok().label)
    return labels


# Read at collection from the app's own schema (building the app loads no model and opens no store).
OPERATIONS = operation_labels(schemathesis.openapi.from_dict(create_app(_settings(Path("unused"))).openapi()))


@pytest.fixture(scope="module")
def fuzzed_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """One service over the mini corpus for the module: the fuzzer's uploads and keys pile up in it, as they would
    in a long-running deployment."""
    built = Services.create(_settings(tmp_path_factory.mktemp("schema") / "home"))
    ingest(built.store, IngestSources.bundle(MINI))
    built.rebuild_index()
    yield built
    built.close()


@pytest.fixture(scope="module")
def served_schema(fuzzed_services: Services) -> Iterator[schemathesis.BaseSchema]:
    """The schema as the running app serves it, bound to that app (requests go to it in process)."""
    app = create_app(fuzzed_services.settings, services=fuzzed_services)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    shutdown_lifespans()


@pytest.fixture(scope="module")
def key_headers(fuzzed_services: Services) -> dict[Role, dict[str, str]]:
    keys = {role: fuzzed_services.users.create_key(role=role, department=TEST_DEPARTMENT) for role in Role}
    return {role: {"Authorization": f"Bearer {key.token}"} for role, key in keys.items()}


def test_schema_lists_every_route(served_schema: schemathesis.BaseSchema) -> None:
    routes = {f"{method} {path}" for method, path in audit_routes(served_schema.app)}
    served = set(operation_labels(served_schema))
    assert routes - served == set(), "routes missing from the OpenAPI schema"
    assert served == set(OPERATIONS)
    assert len(OPERATIONS) == len(routes)


def test_every_error_is_documented_in_the_one_error_shape() -> None:
    document = create_app(_settings(Path("unused"))).openapi()
    assert "HTTPValidationError" not in json.dumps(document)  # FastAPI's 422 shape, which the app never sends
    policy = audit_routes(create_app(_settings(Path("unused"))))
    for (method, path), role in policy.items():
        responses = document["paths"][path][method.lower()]["responses"]
        errors = {code: answer for code, answer in responses.items() if code >= "400"}
        expected = ({"401", "429"} if role else set()) | ({"403"} if role and role is not Role.LEARNER else set())
        assert expected <= errors.keys(), f"{method} {path}"
        for answer in errors.values():
            assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
        assert "Retry-After" in errors.get("429", {"headers": {"Retry-After": 0}})["headers"]


@pytest.mark.slow
@pytest.mark.filterwarnings("error::RuntimeWarning")  # NaN arithmetic in a handler is a bug even when it answers
@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEARNER], ids=lambda role: role.value)
@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_keeps_its_contract(
    label: str, role: Role, served_schema: schemathesis.BaseSchema, key_headers: dict[Role, dict[str, str]]
) -> None:
    operation = served_schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is no longer in the schema"
    # Valid and invalid requests mixed, as schemathesis does (an operation without inputs has no invalid ones).
    requests = st.one_of([operation.as_strategy(generation_mode=mode) for mode in schemathesis.GenerationMode])

    @given(case=requests)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def keeps_contract(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=key_headers[role], checks=CHECKS)

    keeps_contract()
