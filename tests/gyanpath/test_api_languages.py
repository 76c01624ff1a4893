"""Every supported language through the real app: the language list, search and the tutor in a regional
language, learning paths that say when a course exists only in another language, and 4xx for an unknown code."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corpus.ingest import IngestSources, ingest
from corpus.languages import LANGUAGES
from gyanpath.accounts import Role
from gyanpath.services import Services
from tests.conftest import ClientFactory
from tutor.messages import NO_ANSWER

REGIONAL = Path(__file__).parents[1] / "data" / "regional"


@pytest.fixture
def client(services: Services, client_as: ClientFactory) -> TestClient:
    ingest(services.store, IngestSources(case_studies=sorted(REGIONAL.glob("*.md"))))
    services.rebuild_index()
    return client_as(Role.LEARNER)


def test_languages_lists_each_with_its_own_name_and_direction(client: TestClient) -> None:
    listed = client.get("/languages").json()
    assert [x["code"] for x in listed] == list(LANGUAGES)
    by_code = {x["code"]: x for x in listed}
    assert by_code["ur"] == {"code": "ur", "name": "Urdu", "autonym": "اردو", "script": "arabic", "direction": "rtl"}
    assert by_code["or"]["autonym"] == "ଓଡ଼ିଆ" and by_code["ta"]["direction"] == "ltr"


def test_search_in_tamil_returns_the_tamil_member_and_names_the_others(client: TestClient) -> None:
    body = client.get("/search", params={"q": "ஃபிஷிங் கிளிக்குகள் குறைந்தன", "k": 3}).json()
    top = body["results"][0]
    assert (top["doc_id"], top["language"], top["also_in"]) == ("cs-phishing-treasury-ta", "ta", ["en", "ur"])
    assert "cs-phishing-treasury" not in [r["doc_id"] for r in body["results"]]
    filtered = client.get("/search", params={"q": "phishing", "lang": ["ur"]}).json()["results"]
    assert [r["doc_id"] for r in filtered] == ["cs-phishing-treasury-ur"]


@pytest.mark.parametrize("value", ["xx", "EN", "hindi"])
def test_an_unknown_language_code_is_a_422_naming_the_field(client: TestClient, value: str) -> None:
    response = client.get("/search", params={"q": "phishing", "lang": [value]})
    assert response.status_code == 422 and "lang" in response.text
    response = client.post("/paths", json={"role": "role-pio", "language": value})
    assert response.status_code == 422 and "language" in response.text


def test_the_tutor_declines_in_the_question_language(client: TestClient) -> None:
    answer = client.post("/tutor/ask", json={"question": "கிரிக்கெட் போட்டியின் இறுதி ஸ்கோர் என்ன?"}).json()
    assert answer["language"] == "ta" and not answer["answered"]
    assert answer["text"] == NO_ANSWER["ta"]
    urdu = client.post("/tutor/ask", json={"question": "کرکٹ میچ کا آخری اسکور کیا تھا؟"}).json()
    assert urdu["language"] == "ur" and urdu["text"] == NO_ANSWER["ur"]


def test_a_path_in_tamil_says_the_courses_exist_only_in_other_languages(client: TestClient) -> None:
    body = client.post("/paths", json={"role": "role-pio", "programme": "7-day", "language": "ta"}).json()
    assert body["steps"], body
    for step in body["steps"]:
        assert step["language"] != "ta"
        named = {"en": "English", "hi": "Hindi (हिन्दी)"}[step["language"]]
        assert f"Not available in Tamil (தமிழ்); offered only in {named}." in step["reasons"]
    hindi = client.post("/paths", json={"role": "role-pio", "programme": "7-day", "language": "hi"}).json()
    rti = next(s for s in hindi["steps"] if s["course_id"] == "crs-rti-hi")
    assert not any(r.startswith("Not available") for r in rti["reasons"])
