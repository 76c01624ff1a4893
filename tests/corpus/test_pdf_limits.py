"""A PDF costs bounded work to read: a page whose content inflates past the stream limit, a file with too many
pages and a page too slow to parse are refused with a clear problem, quickly, and nothing is stored. The text is read
in a child process under hard CPU and memory limits (``corpus.loaders.pdf_text``); whatever goes wrong there is a
problem, never an exception."""

from __future__ import annotations

import io
import random
import resource
import stat
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from bench.pdfwriter import assemble
from corpus.errors import Problem, ValidationError
from corpus.ingest import IngestSources, ingest
from corpus.loaders.case_studies import (
    PDF_MAX_MEMORY_BYTES,
    PDF_MAX_PAGES,
    PDF_MAX_SECONDS,
    PDF_MAX_STREAM_BYTES,
    PDF_MAX_TEXT_CHARS,
    _read_pdf_pages,
    case_study_from_pdf,
)
from corpus.loaders.pdf_text import extract_pages
from corpus.store import Store
from tests.pdfs import write_pdf

ROOT = Path(__file__).resolve().parents[2]

META = "id: cs-pdf-bomb\ntitle: A PDF\ndepartment: health\nsector: health\nyear: 2024\nlanguage: en\nsource: test\n"


def deflate_bomb_pdf(inflated_bytes: int) -> bytes:
    """One page whose content stream is a few kilobytes of Flate that inflate to ``inflated_bytes`` of spaces."""
    text = b"BT /F1 12 Tf 72 720 Td (Inflated.) Tj ET\n"
    return one_page_pdf(text + b" " * (inflated_bytes - len(text)))


def dense_page_pdf(megabytes: float) -> bytes:
    """One page of ``megabytes`` of text operators (under the stream limit): pypdf parses it in one long call."""
    rng, words = random.Random(7), b"district block panchayat vaccine budget audit flood school ledger".split()
    lines = [b"(" + b" ".join(rng.choices(words, k=12))[:86] + b") Tj T*\n" for _ in range(1000)]
    unit = b"".join(lines)
    body = unit * int(megabytes * 10**6 / len(unit))
    return one_page_pdf(b"BT /F1 9 Tf 11 TL 36 770 Td\n" + body + b"ET\n")


def one_page_pdf(content: bytes) -> bytes:
    """One Helvetica page whose content stream (Flate-compressed) is ``content``."""
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return assemble(objects)


def children_cpu() -> float:
    """CPU seconds of this process's reaped children: the PDF readers."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
    started, child = time.process_time(), children_cpu()
    message = refused(tmp_path, empty_store, bomb)
    assert time.process_time() - started < 2.0 and children_cpu() - child < 2.0
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


# -- the child process: its CPU and memory limits, and every way it can fail ----------------------------------------
def test_a_page_too_slow_to_parse_is_refused_within_the_cpu_budget() -> None:
    dense = dense_page_pdf(5.0)  # about 30 s of CPU to parse whole, in one uninterruptible call to pypdf
    before, started = children_cpu(), time.process_time()
    loaded = case_study_from_pdf(dense, {"id": "cs-dense"}, "dense.pdf")
    child, parent = children_cpu() - before, time.process_time() - started
    assert not loaded.items and len(loaded.problems) == 1
    message = str(loaded.problems[0])
    assert f"reading the PDF's text took over {PDF_MAX_SECONDS:g} s of CPU (stopped at page 1)" in message
    assert message.startswith("dense.pdf: field 'file': ") and "send its text as Markdown" in message
    assert PDF_MAX_SECONDS * 0.8 < child < 3.0, child  # the child's whole CPU, its start included, is counted
    assert parent < 0.5, parent


def test_the_cli_budget_is_a_parameter() -> None:
    before = children_cpu()
    problem = _read_pdf_pages(dense_page_pdf(5.0), "dense.pdf", cpu_seconds=0.5)
    assert isinstance(problem, Problem) and "took over 0.5 s of CPU" in problem.message
    assert children_cpu() - before < 2.0


PAGES = [
    "Flood relief reached 3,400 families in Darbhanga.\n\nBoats were pre-positioned before June; 64 villages "
    "were reached within a day, and the district control room ran around the clock for nine days.",
    "Lessons:\n\n- Map the shelters before the monsoon.\n- Keep a list of boat owners.\n1. Train the volunteers.",
    "",
    "Rs. 4.2 crore was spent; the audit found no irregularity.",
]


def pdfs_to_compare(tmp_path: Path) -> Iterator[tuple[str, bytes]]:
    path = tmp_path / "written.pdf"
    write_pdf(path, PAGES)
    yield "written.pdf", path.read_bytes()
    for material in sorted((ROOT / "bench" / "material").glob("*.pdf")):
        yield material.name, material.read_bytes()


def test_the_child_reads_the_same_text_as_pypdf_in_process(tmp_path: Path) -> None:
    compared = 0
    for name, data in pdfs_to_compare(tmp_path):
        expected = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
        assert _read_pdf_pages(data, name) == expected, name
        compared += 1
    assert compared >= 2


def test_an_unreadable_pdf_is_a_problem_not_an_exception() -> None:
    problem = _read_pdf_pages(b"%PDF-1.4 broken", "broken.pdf")
    assert isinstance(problem, Problem) and problem.message.startswith("cannot read PDF")


def test_the_memory_limit_is_a_problem() -> None:
    problem = extract_pages(
        dense_page_pdf(5.0), "big.pdf", cpu_seconds=10, max_pages=PDF_MAX_PAGES,
        max_stream_bytes=PDF_MAX_STREAM_BYTES, memory_bytes=48 * 2**20, max_chars=PDF_MAX_TEXT_CHARS,
    )  # fmt: skip
    assert isinstance(problem, Problem) and problem.field == "file"
    assert "reading the PDF's text needed over 48 MB of memory" in problem.message


def test_too_much_text_is_a_problem() -> None:
    problem = extract_pages(
        deflate_bomb_pdf(100_000), "long.pdf", cpu_seconds=PDF_MAX_SECONDS, max_pages=PDF_MAX_PAGES,
        max_stream_bytes=PDF_MAX_STREAM_BYTES, memory_bytes=PDF_MAX_MEMORY_BYTES, max_chars=5,
    )  # fmt: skip
    assert isinstance(problem, Problem) and "the PDF's text has over 5 characters (at page 1)" in problem.message


def fake_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """Run ``script`` (sh) instead of the Python that would read the PDF."""
    fake = tmp_path / "fake-python"
    fake.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(sys, "executable", str(fake))


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("cat >/dev/null; echo 'not json'", "the PDF reader gave no answer that could be read"),
        ("""cat >/dev/null; echo '{"pages": [1, 2]}'""", "the PDF reader gave no answer that could be read"),
        ('cat >/dev/null; echo \'{"pages": ["a"\'', "the PDF reader gave no answer that could be read"),
        ("cat >/dev/null; exit 3", "the PDF reader exited with status 3"),
        ("kill -SEGV $$", "the PDF reader was stopped by signal 11"),
        ("kill -KILL $$", "the PDF reader was killed (out of memory?)"),
        ("cat >/dev/null; kill -XCPU $$", f"reading the PDF's text took over {PDF_MAX_SECONDS:g} s of CPU: split it"),
        ("""cat >/dev/null; printf '{"page": 3}'; exit 75""", "took over 1.5 s of CPU (stopped at page 3)"),
        ("cat >/dev/null; exit 76", f"needed over {PDF_MAX_MEMORY_BYTES // 2**20:,} MB of memory"),
        ("cat >/dev/null; echo 'no pypdf' >&2; exit 77", "the server's PDF reader could not start"),
    ],
)
def test_a_child_that_fails_gives_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, expected: str
) -> None:
    fake_reader(tmp_path, monkeypatch, script)
    problem = _read_pdf_pages(b"%PDF-1.4\n", "odd.pdf")
    assert isinstance(problem, Problem) and problem.source == "odd.pdf" and problem.field == "file"
    assert expected in problem.message, problem.message


def test_a_child_past_the_wall_clock_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_reader(tmp_path, monkeypatch, "exec sleep 60")
    started = time.perf_counter()
    problem = extract_pages(
        b"%PDF-1.4\n", "slow.pdf", cpu_seconds=PDF_MAX_SECONDS, max_pages=PDF_MAX_PAGES,
        max_stream_bytes=PDF_MAX_STREAM_BYTES, memory_bytes=PDF_MAX_MEMORY_BYTES, max_chars=PDF_MAX_TEXT_CHARS,
        wall_seconds=0.5,
    )  # fmt: skip
    assert time.perf_counter() - started < 10
    assert isinstance(problem, Problem) and "reading the PDF's text took over 0.5 s:" in problem.message


def test_a_reader_that_cannot_start_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    problem = _read_pdf_pages(b"%PDF-1.4\n", "odd.pdf")
    assert isinstance(problem, Problem) and "could not start its PDF reader" in problem.message
