"""Hinglish queries are searched as their English gloss; English and Indian-script queries are left alone."""

from __future__ import annotations

import pytest

from corpus.hinglish import gloss, is_hinglish


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mera training hours kahan dikhega", "my training hours where show visible"),
        ("cyber module zaroori hai kya", "cyber module mandatory compulsory what"),
        ("report me mera naam nahi", "report my name not"),
        ("Tutor jawab KYU nahi de raha?", "Tutor answer why not give ?"),
    ],
)
def test_hinglish_is_glossed_word_by_word(query: str, expected: str) -> None:
    assert is_hinglish(query)
    assert gloss(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "hours not showing after i finished",
        "is the 7 day training mandatory for promotion?",  # 'is', 'the', 'to' are Hindi only inside Hinglish
        "do i need to fill the form again",
        "मेरे घंटे क्यों नहीं दिख रहे",
        "मेरा training kab dikhega",  # mixed scripts: the embedder reads the Devanagari as it is
        "GeM bid 2023",
        "",
    ],
)
def test_other_queries_are_unchanged(query: str) -> None:
    assert not is_hinglish(query)
    assert gloss(query) == query


def test_a_query_of_only_function_words_is_kept() -> None:
    assert gloss("kya hai") == "what"
    assert gloss("hai na") == "hai na"  # nothing unmistakably Hindi: not treated as Hinglish
