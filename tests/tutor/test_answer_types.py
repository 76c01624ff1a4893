"""What a question asks for, and whether a sentence states it, in English and Hindi."""

from __future__ import annotations

import pytest

from tutor.answer_types import expected_type, focus_words, holds, section_fits


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many zero-dose children did Bahraich find?", "count"),
        ("बहराइच में कितने बच्चे मिले?", "count"),
        ("What share of staff clicked the link?", "percent"),
        ("How long did the ambulance take?", "duration"),
        ("When did the pilot start?", "date"),
        ("How much money per acre was paid?", "money"),
        ("Describe the grievance process", None),
    ],
)
def test_expected_type(question: str, kind: str | None) -> None:
    assert expected_type(question) == kind


@pytest.mark.parametrize(
    ("kind", "sentence", "stated"),
    [
        ("count", "Of these, 3,108 were zero-dose children.", True),
        ("count", "It began in 2021.", False),
        ("money", "Each family got Rs 6,000 in its bank account.", True),
        ("duration", "The ambulance arrived after 48 minutes.", True),
        ("date", "बाढ़ जुलाई 2023 में आई।", True),
    ],
)
def test_holds(kind: str, sentence: str, stated: bool) -> None:
    assert holds(kind, sentence) is stated


def test_focus_words_put_the_head_word_first() -> None:
    assert focus_words("How many sessions ran over the three rounds?")[:2] == ["sessions", "ran"]
    assert focus_words("हरदा में कितने प्रकरण आए?")[0] == "प्रकरण"


def test_sections_that_fit_the_question() -> None:
    assert section_fits("How did Mysuru police get money frozen faster?", "What was done")
    assert section_fits("हरदा में नामांतरण कैसे होता है?", "क्या किया गया")
    assert section_fits("Why had the cheques lapsed?", "The problem")
    assert not section_fits("How many sessions were held?", "Lessons")
    assert not section_fits("Why had the cheques lapsed?", "")
