"""The tutor's fixed sentences in every language: "not in the material" and the lead before quotes from another
language's material."""

from __future__ import annotations

import pytest

from corpus.language_id import detect_language
from corpus.languages import BY_CODE, LANGUAGES
from tutor.messages import NO_ANSWER, SOURCE_LEAD, no_answer, source_lead


@pytest.mark.parametrize("code", LANGUAGES)
def test_not_in_the_material_is_written_in_each_language(code: str) -> None:
    assert detect_language(no_answer(code)) == code


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_lead_is_in_the_question_language_and_names_the_source(code: str) -> None:
    for source in LANGUAGES:
        lead = source_lead(code, source)
        if source == code:
            assert lead is None
            continue
        assert lead is not None and detect_language(lead) == code, (code, source, lead)
        entry = BY_CODE[source]
        named = entry.name if code == "en" else ("अंग्रेज़ी" if (code, source) == ("hi", "en") else entry.autonym)
        assert named in lead
        assert SOURCE_LEAD[(code, source)] == lead


def test_english_and_hindi_sentences_are_the_ones_the_tutor_always_used() -> None:
    assert NO_ANSWER["en"] == "The course material and case studies available to you do not answer this question."
    assert SOURCE_LEAD[("en", "hi")] == "This is covered in Hindi material; the relevant passages are quoted below:"
    assert SOURCE_LEAD[("hi", "en")] == "यह जानकारी अंग्रेज़ी सामग्री में है; संबंधित अंश नीचे उद्धृत हैं:"


def test_an_unknown_language_falls_back_to_english() -> None:
    assert no_answer("xx") == NO_ANSWER["en"] and source_lead("en", "xx") is None
