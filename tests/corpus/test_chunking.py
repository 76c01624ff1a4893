from __future__ import annotations

from corpus.chunking import chunk_document, document_body
from corpus.types import CaseStudy, Course, Level, Module, PageSpan

BODY = (
    "## Context\nThe district has 14 blocks. It lies on the coast.\n\n"
    "## What was done\n" + " ".join(f"Step {n} was completed on time." for n in range(40)) + "\n\n"
    "## परिणाम\nकवरेज 86 प्रतिशत हो गया। यह एक बड़ी सफलता थी।"
)


def case(body: str = BODY, pages: tuple[PageSpan, ...] = ()) -> CaseStudy:
    return CaseStudy(
        id="cs-a",
        title="A case",
        body=body,
        department="health",
        sector="health",
        year=2020,
        language="en",
        source="test",
        pages=pages,
    )


def test_offsets_point_at_the_text_and_sections_are_kept() -> None:
    chunks = chunk_document(case(), max_chars=200)
    assert all(BODY[c.start : c.end] == c.text for c in chunks)
    assert next(c.section for c in chunks) == "Context"
    assert {"Context", "What was done", "परिणाम"} == {c.section for c in chunks}
    assert all(len(c.text) <= 200 for c in chunks)
    assert all(c.context.startswith("A case — ") for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_sentences_are_not_cut_when_they_fit() -> None:
    for chunk in chunk_document(case(), max_chars=200):
        if chunk.section == "What was done":
            assert chunk.text.startswith("Step") and chunk.text.endswith(".")


def test_hindi_danda_ends_sentences() -> None:
    hindi = [c for c in chunk_document(case(), max_chars=30) if c.section == "परिणाम"]
    assert [c.text for c in hindi] == ["कवरेज 86 प्रतिशत हो गया।", "यह एक बड़ी सफलता थी।"]


def test_a_very_long_sentence_is_split_at_spaces() -> None:
    long = "word " * 400
    chunks = chunk_document(case(body=long.strip()), max_chars=100)
    assert all(len(c.text) <= 100 for c in chunks)
    assert " ".join(c.text for c in chunks) == long.strip()


def test_pdf_chunks_carry_their_page() -> None:
    body = "Page one text.\n\nPage two text."
    chunks = chunk_document(case(body=body, pages=(PageSpan(1, 0, 14), PageSpan(2, 16, 30))))
    assert [(c.page, c.text) for c in chunks] == [(1, "Page one text."), (2, "Page two text.")]


def test_course_chunks_cover_description_and_modules() -> None:
    course = Course(
        id="crs-a",
        title="GeM basics",
        description="Buying goods on GeM.",
        language="en",
        duration_minutes=60,
        level=Level.BEGINNER,
        provider="ATI",
        modules=(Module("Bids", "How to create a bid."), Module("Payments", "PFMS payments.")),
    )
    body = document_body(course)
    chunks = chunk_document(course)
    assert chunks[0].section == "Overview" and chunks[0].text == "Buying goods on GeM."
    assert chunks[1].section == "Modules" and "2. Payments: PFMS payments." in chunks[1].text
    assert all(body[c.start : c.end] == c.text for c in chunks)
