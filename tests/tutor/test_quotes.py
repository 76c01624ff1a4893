"""Every quote the tutor shows is whole sentences of the stored text, clean of Markdown, at offsets the UI can
highlight: over hard-wrapped Markdown (bundled and foreign style), bullet lists, JSONL course bodies and PDFs whose
paragraphs wrap over several lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.make_material import read_pages
from bench.pdfwriter import write_pdf
from corpus.chunking import document_body
from corpus.ingest import IngestSources, ingest
from corpus.sentences import Sentence, clean_text, split_sentences
from corpus.types import DEPARTMENTS, CaseStudy, PageSpan, Viewer
from gyanpath.services import Services
from gyanpath.settings import Settings
from tutor.tutor import AskOptions
from tutor.types import Answer

ROOT = Path(__file__).parents[2]
MATERIAL = ROOT / "bench" / "material"
BUNDLED = ROOT / "corpus" / "data"
WRAPPED_CASES = ["cs-bahraich-zero-dose-mapping.md", "cs-harda-cyber-tehsil-namantaran-hi.md"]
QUESTIONS = [
    "How many zero-dose children did the Bahraich headcount find?",
    "How many hard-to-reach hamlets were added in Bahraich?",
    "बहराइच में कितने बच्चों को पहली खुराक मिली?",
    "हरदा में साइबर तहसील से नामांतरण में औसतन कितने दिन लगे?",
    "How many handheld e-challan devices did Jodhpur have after phase two?",
    "Why were challans allowed offline in the walled city of Jodhpur?",
    "How many traffic personnel were trained in Jodhpur?",
    "What did Kalahandi do about weighing scales at anganwadi centres?",
    "How many tap water samples were tested in Vijayawada?",
    "What is taught in the cyber hygiene course?",
    "How did Dibrugarh tea gardens fix the MMU rosters?",
]


@pytest.fixture(scope="module")
def wrapped_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    home = tmp_path_factory.mktemp("quotes")
    services = Services.create(Settings(home=home / "home", embedder="hashing"))
    ingest(services.store, IngestSources(competencies=[BUNDLED / "competencies"], courses=[BUNDLED / "courses"]))
    cases = [BUNDLED / "case_studies" / name for name in WRAPPED_CASES] + sorted(MATERIAL.glob("*.md"))
    ingest(services.store, IngestSources(case_studies=cases))
    for source in sorted((MATERIAL / "src").glob("*.txt")):
        pdf = home / f"{source.stem}.pdf"
        write_pdf(pdf, read_pages(source))
        ingest(services.store, IngestSources(case_studies=[pdf], pdf_meta=MATERIAL / f"{source.stem}.yaml"))
    services.rebuild_index()
    yield services
    services.close()


def _answers(services: Services) -> Iterator[Answer]:
    services.tutor.threshold = -1e9  # quote integrity, not abstention, is under test here
    for question in QUESTIONS:
        yield services.tutor.ask(question, AskOptions(k=8, viewer=Viewer(frozenset(DEPARTMENTS))))


def _sentences(pages: tuple[PageSpan, ...], body: str) -> list[Sentence]:
    """Sentences as the chunker sees them: a PDF's pages are split one by one."""
    spans = [(p.start, p.end) for p in pages] or [(0, len(body))]
    return [s for start, end in spans for s in split_sentences(body, start, end)]


def test_every_quote_is_whole_clean_sentences_at_its_offsets(wrapped_services: Services) -> None:
    checked = 0
    kinds = set()
    for answer in _answers(wrapped_services):
        assert answer.answered and answer.citations
        for citation in answer.citations:
            document = wrapped_services.store.get_document(citation.doc_id)
            body = document_body(document)
            pages = document.pages if isinstance(document, CaseStudy) else ()
            assert citation.quote == clean_text(body[citation.start : citation.end])
            sentences = _sentences(pages, body)
            starts, ends = {s.start for s in sentences}, {s.end for s in sentences}
            assert citation.start in starts, (citation.doc_id, body[citation.start : citation.start + 60])
            assert citation.end in ends, (citation.doc_id, body[max(0, citation.end - 60) : citation.end])
            assert "**" not in citation.quote and "\n" not in citation.quote
            assert not citation.quote.startswith(("- ", "* ", "• "))
            assert citation.quote[-1] in ".!?।:;)\"'”" or citation.quote[-1].isalnum()
            kinds.add("pdf" if citation.page else document.kind)
            checked += 1
    assert checked >= len(QUESTIONS)
    assert kinds >= {"pdf", "case_study", "course"}


def test_pdf_paragraphs_wrapped_over_lines_are_single_sentences(wrapped_services: Services) -> None:
    document = wrapped_services.store.get_document("ext-jodhpur-e-challan-handheld-devices")
    body = document_body(document)
    assert "\n" in body  # the PDF text keeps its line breaks
    assert isinstance(document, CaseStudy)
    sentences = [clean_text(body[s.start : s.end]) for s in _sentences(document.pages, body)]
    assert (
        "Phase two added 85 devices on 15 April 2021, bringing the total to 145 devices, which covered all the fixed "
        "points and the 12 interceptor vehicles of the traffic wing." in sentences
    )
    fragments = [s for s in sentences if s[-1].isalpha() and s[0].islower()]
    assert fragments == []
