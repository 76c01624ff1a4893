"""Answers across languages: a short lead in the question's language says where the quotes come from, and a Hindi
translation of an English course is quoted before the English original."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corpus.store import Store
from corpus.types import Course, Filters
from gyanpath.services import Services
from tutor.messages import SOURCE_LEAD
from tutor.tutor import AskOptions, Tutor


@pytest.fixture
def answering(tutor: Tutor) -> Tutor:
    tutor.threshold = -1e9  # presentation, not abstention, is under test
    return tutor


def _translate(store: Store) -> Course:
    english = store.get_document("crs-cyber-basics-en")
    assert isinstance(english, Course)
    hindi = replace(
        english,
        id="crs-cyber-basics-hi",
        title="कार्यालय कर्मचारियों के लिए साइबर स्वच्छता",
        description="फ़िशिंग ईमेल पहचानें, मज़बूत पासवर्ड और बहु-कारक प्रमाणीकरण अपनाएँ, और किसी भी घटना की "
        "सूचना नोडल अधिकारी और CERT-In को छह घंटे के भीतर दें।",
        language="hi",
        modules=(),
        translation_of="crs-cyber-basics-en",
    )
    store.upsert_document(hindi)
    return hindi


def test_hindi_question_over_english_material_gets_a_hindi_lead(answering: Tutor) -> None:
    answer = answering.ask("Satara treasury में phishing drill के बाद clicks कितने प्रतिशत रह गए?")
    assert answer.answered and answer.language == "hi"
    assert {c.language for c in answer.citations} == {"en"}
    assert answer.text.startswith(SOURCE_LEAD[("hi", "en")])
    assert answer.citations[0].quote in answer.text


def test_english_question_over_hindi_material_gets_an_english_lead(answering: Tutor) -> None:
    answer = answering.ask("What was the full immunisation coverage (टीकाकरण कवरेज) in Alwar in 2019?")
    if {c.language for c in answer.citations} == {"hi"}:
        assert answer.text.startswith(SOURCE_LEAD[("en", "hi")])
    else:  # the English question may be answered from English passages: then no lead
        assert not answer.text.startswith(SOURCE_LEAD[("en", "hi")])


def test_same_language_answers_have_no_lead(answering: Tutor) -> None:
    answer = answering.ask("By how much did phishing clicks fall in the Satara drill?")
    assert answer.answered and not any(answer.text.startswith(lead) for lead in SOURCE_LEAD.values())


def test_hindi_translation_is_quoted_before_the_english_original(services: Services) -> None:
    _translate(services.store)
    services.rebuild_index()
    services.tutor.threshold = -1e9
    answer = services.tutor.ask("CERT-In को phishing incident की report कितने घंटे में भेजनी है?")
    assert answer.answered
    assert answer.citations[0].doc_id == "crs-cyber-basics-hi"
    assert "छह घंटे" in answer.citations[0].quote
    assert not answer.text.startswith(SOURCE_LEAD[("hi", "en")])


def test_without_a_translation_the_english_course_is_quoted(services: Services) -> None:
    services.tutor.threshold = -1e9
    answer = services.tutor.ask("CERT-In को phishing incident की report कितने घंटे में भेजनी है?")
    assert answer.answered and answer.citations[0].doc_id == "crs-cyber-basics-en"
    assert answer.text.startswith(SOURCE_LEAD[("hi", "en")])


def test_english_question_also_searches_hindi_passages_by_meaning(answering: Tutor) -> None:
    hits = answering.assess("What was the immunisation coverage in Alwar?", AskOptions()).hits
    assert {h.language for h in hits} == {"en", "hi"}
    english_only = AskOptions(filters=Filters(languages=frozenset({"en"})))
    assert {h.language for h in answering.assess("What was the coverage in Alwar?", english_only).hits} == {"en"}
