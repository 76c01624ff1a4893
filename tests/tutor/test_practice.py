"""Practice questions: built from real facts of the document, checkable, and consistent through the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from corpus.chunking import document_body
from gyanpath.accounts import Role
from gyanpath.services import Services
from tests.conftest import ClientFactory
from tutor.practice import BLANK, check_answer, key_facts, make_questions


def test_questions_blank_a_real_figure_of_the_source(services: Services) -> None:
    case = services.store.get_document("cs-phishing-treasury")
    body = document_body(case)
    questions = make_questions(case, count=10)
    assert {q.kind for q in questions} == {"cloze", "mcq"}
    for q in questions:
        assert body[q.start : q.end] == q.quote and q.answer in q.quote
        assert BLANK in q.prompt and q.answer not in q.prompt.replace(BLANK, "")
        if q.kind == "mcq":
            assert q.answer in q.options and len(set(q.options)) == len(q.options) == 4


def test_key_facts_are_sentences_with_figures(services: Services) -> None:
    case = services.store.get_document("cs-phishing-treasury")
    body = document_body(case)
    facts = [body[s:e] for s, e, *_ in key_facts(case)]
    assert "Phishing clicks in the next drill fell from 22 percent to 4 percent." in facts


@pytest.mark.parametrize(
    ("response", "correct"), [("22 percent", True), ("22%", True), ("22 per cent", True), ("4 percent", False)]
)
def test_checking_normalises_numbers_and_units(services: Services, response: str, correct: bool) -> None:
    case = services.store.get_document("cs-phishing-treasury")
    question = next(q for q in make_questions(case, count=10) if "22 percent to 4 percent" in q.quote)
    assert question.answer == "22 percent"
    assert check_answer(case, question.id, response).correct is correct


def test_hindi_document_gives_hindi_facts(services: Services) -> None:
    questions = make_questions(services.store.get_document("cs-tika-hi"), count=5)
    assert questions and all("प्रतिशत" in q.answer for q in questions)


@pytest.fixture
def client(client_as: ClientFactory) -> TestClient:
    return client_as(Role.LEARNER)


def test_practice_api_round_trip(client: TestClient) -> None:
    body = client.post("/tutor/practice", json={"doc_id": "cs-phishing-treasury", "count": 3}).json()
    question = body["questions"][0]
    check = client.post("/tutor/practice/check", json={"question_id": question["id"], "answer": question["answer"]})
    assert check.json()["correct"] is True and check.json()["quote"] == question["quote"]
    wrong = client.post("/tutor/practice/check", json={"question_id": question["id"], "answer": "999999"})
    assert wrong.json()["correct"] is False


def test_practice_api_errors(client: TestClient) -> None:
    assert client.post("/tutor/practice", json={"doc_id": "cs-none"}).status_code == 404
    assert client.post("/tutor/practice", json={"doc_id": "cs-police-internal-review"}).status_code == 404
    response = client.post("/tutor/practice/check", json={"question_id": "garbage", "answer": "1"})
    assert response.status_code == 422 and response.json()["field"] == "question_id"
    assert client.post("/tutor/practice", json={"doc_id": "cs-phishing-treasury", "count": 0}).status_code == 422
