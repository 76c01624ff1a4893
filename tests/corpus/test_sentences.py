from __future__ import annotations

import pytest

from corpus.sentences import clean_text, sentence_spans, split_sentences

WRAPPED = """The District Immunisation Officer (DIO) knew that the micro-plans were weak. They were built on the
previous year's headcount, and the headcount itself was copied forward by ASHAs who had no reason to visit a kiln
or a riverine hamlet. Dr. A. K. Sharma, the CMO, approved approx. 30 extra sessions at Rs. 4.5 lakh, i.e. within
the budget.

- **December 2021 - fresh headcount.** ASHAs surveyed every household afresh, using a one-page format. Block
  teams added 214 hard-to-reach hamlets that had no session site.
- **January 2022 - the due list.** The survey found 7,412 children aged 0-2 years due for one or more vaccines. Of
  these, 3,108 were zero-dose children.
1) A numbered item that wraps
   over two lines without a full stop
2) Another item with a [link](https://example.org) and `code`.
"""


def sentences(text: str) -> list[str]:
    return [clean_text(text[a:b]) for a, b in sentence_spans(text)]


def test_wrapped_prose_is_reflowed_and_abbreviations_do_not_end_sentences() -> None:
    found = sentences(WRAPPED)
    assert found[:3] == [
        "The District Immunisation Officer (DIO) knew that the micro-plans were weak.",
        "They were built on the previous year's headcount, and the headcount itself was copied forward by ASHAs "
        "who had no reason to visit a kiln or a riverine hamlet.",
        "Dr. A. K. Sharma, the CMO, approved approx. 30 extra sessions at Rs. 4.5 lakh, i.e. within the budget.",
    ]


def test_list_items_keep_their_lead_in_and_lose_their_markup() -> None:
    found = sentences(WRAPPED)
    assert "December 2021 - fresh headcount. ASHAs surveyed every household afresh, using a one-page format." in found
    assert "Block teams added 214 hard-to-reach hamlets that had no session site." in found
    assert "Of these, 3,108 were zero-dose children." in found
    assert "A numbered item that wraps over two lines without a full stop" in found
    assert "Another item with a link and code." in found
    assert not any(s.startswith(("-", "*", "1)", "2)")) or "**" in s for s in found)


def test_every_span_starts_and_ends_on_text_and_blocks_number_items() -> None:
    spans = split_sentences(WRAPPED)
    for s in spans:
        raw = WRAPPED[s.start : s.end]
        assert raw == raw.strip() and raw
    items = [s for s in spans if s.in_list]
    assert len({s.block for s in items}) == 4
    assert len(items) == 6


def test_hindi_danda_and_hindi_abbreviations() -> None:
    text = "डॉ. शर्मा ने 12 शिविर लगाए। इनमें 3,400 लोगों की जाँच\nहुई। श्री राम ने रु. 500 दिए।"
    assert sentences(text) == ["डॉ. शर्मा ने 12 शिविर लगाए।", "इनमें 3,400 लोगों की जाँच हुई।", "श्री राम ने रु. 500 दिए।"]


def test_pdf_text_without_blank_lines_splits_paragraphs_and_headings() -> None:
    page = (
        "Grievance Redressal Call Centre\n"
        "The district set up a call centre in March 2021. It had 12 seats and two\n"
        "supervisors who reviewed approx. 30 calls a day. Calls rose from 400 to\n"
        "1,250 a week.\n"
        "Results\n"
        "By June, 86 percent of grievances were closed within 7 days, well within\n"
        "the limit of the citizen charter for the department.\n"
    )
    assert sentences(page) == [
        "Grievance Redressal Call Centre",
        "The district set up a call centre in March 2021.",
        "It had 12 seats and two supervisors who reviewed approx. 30 calls a day.",
        "Calls rose from 400 to 1,250 a week.",
        "Results",
        "By June, 86 percent of grievances were closed within 7 days, well within the limit of the citizen charter "
        "for the department.",
    ]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("**Bold** and __strong__ and *emphasis*", "Bold and strong and emphasis"),
        ("a well-\nknown fact", "a well-known fact"),
        ("first line\n  - second item", "first line second item"),
        ("snake_case_id stays", "snake_case_id stays"),
        ("2 * 3 * 4 = 24", "2 * 3 * 4 = 24"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_offsets_are_relative_to_the_whole_text_with_a_range() -> None:
    text = "Skip this. Keep this one. And this."
    spans = sentence_spans(text, 11, len(text))
    assert [text[a:b] for a, b in spans] == ["Keep this one.", "And this."]
