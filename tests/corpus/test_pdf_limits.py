"""A PDF costs bounded work to read: a page whose content inflates past the stream limit and a file with too many
pages are refused with a clear problem, quickly, and nothing is stored."""

from __future__ import annotations

import time
import zlib
from pathlib import Path

import pytest

from bench.pdfwriter import assemble
from corpus.errors import ValidationError
from corpus.ingest import IngestSources, ingest
from corpus.loaders.case_studies import PDF_MAX_PAGES, PDF_MAX_STREAM_BYTES
from corpus.store import Store
from tests.pdfs import write_pdf

META = "id: cs-pdf-bomb\ntitle: A PDF\ndepartment: health\nsector: health\nyear: 2024\nlanguage: en\nsource: test\n"


def deflate_bomb_pdf(inflated_bytes: int) -> bytes:
    """One page whose content stream is a few kilobytes of Flate that inflate to ``inflated_bytes`` of spaces."""
    text = b"BT /F1 12 Tf 72 720 Td (Inflated.) Tj ET\n"
    stream = zlib.compress(text + b" " * (inflated_bytes - len(text)), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return assemble(objects)


def refused(tmp_path: Path, store: Store, pdf: bytes) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    path.with_suffix(".yaml").write_text(META, encoding="utf-8")
    before = store.document_ids()
    with pytest.raises(ValidationError) as caught:
        ingest(store, IngestSources(case_studies=[path], pdf_meta=path.with_suffix(".yaml")))
    assert store.document_ids() == before
    return str(caught.value)


def test_a_stream_that_inflates_past_the_limit_is_refused_quickly(tmp_path: Path, empty_store: Store) -> None:
    bomb = deflate_bomb_pdf(70_000_000)
    assert len(bomb) < 100_000
    started = time.process_time()
    message = refused(tmp_path, empty_store, bomb)
    assert time.process_time() - started < 2.0
    assert f"over {PDF_MAX_STREAM_BYTES // 10**6} MB" in message and "report.pdf" in message


def test_a_page_within_the_limit_still_reads(tmp_path: Path, empty_store: Store) -> None:
    path = tmp_path / "ok.pdf"
    path.write_bytes(deflate_bomb_pdf(1_000_000))
    path.with_suffix(".yaml").write_text(META.replace("cs-pdf-bomb", "cs-pdf-ok"), encoding="utf-8")
    ingest(empty_store, IngestSources(case_studies=[path], pdf_meta=path.with_suffix(".yaml")))
    assert "Inflated." in empty_store.get_document("cs-pdf-ok").body  # type: ignore[union-attr]


def test_too_many_pages_are_refused_before_any_is_read(tmp_path: Path, empty_store: Store) -> None:
    path = tmp_path / "long.pdf"
    write_pdf(path, ["A page."] * (PDF_MAX_PAGES + 1))
    message = refused(tmp_path, empty_store, path.read_bytes())
    assert f"{PDF_MAX_PAGES + 1} pages; at most {PDF_MAX_PAGES}" in message
