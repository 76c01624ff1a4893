"""Case studies from JSONL, Markdown (YAML front matter) files or folders, and PDFs with a metadata sidecar."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from corpus.errors import Problem
from corpus.loaders.base import Loaded, convert, files_in, iter_jsonl, read_text, unsupported
from corpus.loaders.safe_yaml import load_yaml
from corpus.types import CaseStudy
from corpus.validation import case_study_from_dict

SUFFIXES = (".jsonl", ".md", ".markdown", ".pdf")

PDF_MAX_PAGES = 500
"""Pages read from one PDF."""
PDF_MAX_STREAM_BYTES = 8_000_000
"""Largest decompressed stream (a page's content, an image...): a few kilobytes of Flate can inflate to gigabytes."""
PDF_MAX_SECONDS = 1.5
"""CPU seconds one uploaded PDF's text extraction may take, all of it: the child process that reads it (see
``corpus.loaders.pdf_text``) is stopped there, its start (about 0.1 s: Python and pypdf's import) included, so that
the upload request stays under 2 s of CPU."""
PDF_INGEST_MAX_SECONDS = 30.0
"""The same for ``gyanpath ingest`` (``load_case_studies``): an administrator's own files, read offline."""
PDF_MAX_MEMORY_BYTES = 200 * 2**20
"""Address space of the child process that reads a PDF, so its resident memory too stays within the per-request bound
of docs/security.md (200 MB): Python with pypdf imported takes 32 MB of it; a one-page PDF peaked at 35 MB resident,
the bench's hostile ones (request_cost, pdf-*) at up to 146 MB before their other limits stopped them. Past it, the
reader stops with a MemoryError: a 422 naming the limit."""
PDF_MAX_TEXT_CHARS = 4_000_000
"""Characters of text read from one PDF, all pages (twice a case study's body limit: past it, reading stops)."""


def load_case_studies(
    path: Path, *, meta: Path | None = None, pdf_cpu_seconds: float = PDF_INGEST_MAX_SECONDS
) -> Loaded[CaseStudy]:
    """Load every case study under ``path``. A PDF takes its metadata from ``meta`` or ``<name>.yaml`` beside it,
    and its text may take ``pdf_cpu_seconds`` of CPU to read (an administrator's files: more than an upload's)."""
    loaded: Loaded[CaseStudy] = Loaded()
    for file in files_in(path, SUFFIXES):
        suffix = file.suffix.lower()
        if suffix == ".jsonl":
            loaded.extend(convert(iter_jsonl(file), str(file), case_study_from_dict))
        elif suffix in (".md", ".markdown"):
            loaded.extend(convert(iter_markdown(read_text(file), str(file)), str(file), case_study_from_dict))
        elif suffix == ".pdf":
            loaded.extend(convert(_iter_pdf_file(file, meta, pdf_cpu_seconds), str(file), case_study_from_dict))
        else:
            loaded.extend(unsupported(file, "a folder, .jsonl, .md or .pdf"))
    return loaded


def case_study_from_markdown(text: str, source: str) -> Loaded[CaseStudy]:
    """One case study from a Markdown text with YAML front matter (an uploaded file), validated like a file's."""
    return convert(iter_markdown(text, source), source, case_study_from_dict)


def case_study_from_pdf(
    data: bytes, metadata: Any, source: str, *, cpu_seconds: float = PDF_MAX_SECONDS
) -> Loaded[CaseStudy]:
    """One case study from a PDF's bytes and its metadata record (an uploaded file), validated like a file's. Reading
    its text may take ``cpu_seconds`` of CPU (an upload's strict budget by default)."""
    return convert(_iter_pdf(data, metadata, source, cpu_seconds), source, case_study_from_dict)


FRONT_MATTER_MAX_CHARS = 64 * 1024
"""Largest YAML front matter, checked before parsing: PyYAML's pure-Python parser takes about 3 s of CPU per MB (a
10 MB upload of front matter cost 29 s), while a case study's fields at their limits take about 32 KB. The same
bound as a PDF's metadata form field."""


def split_front_matter(text: str) -> tuple[str, str] | None:
    """Return (front matter, body) of a Markdown text that starts with a ``---`` block, else None."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "".join(lines[1:end]), "".join(lines[end + 1 :])
    return None


def iter_markdown(text: str, source: str) -> Iterator[tuple[str | None, Any]]:
    parts = split_front_matter(text)
    if parts is None:
        yield None, Problem(source, "1", None, "expected YAML front matter between '---' lines at the top")
        return
    front, body = parts
    if len(front) > FRONT_MATTER_MAX_CHARS:
        message = f"the front matter has {len(front):,} characters; at most {FRONT_MATTER_MAX_CHARS:,}"
        yield None, Problem(source, "1", None, message + " (the text goes below the closing '---')")
        return
    try:
        record = load_yaml(front) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = str(mark.line + 2) if mark is not None else None
        yield None, Problem(source, line, None, f"front matter is not valid YAML: {exc}")
        return
    if isinstance(record, dict):
        record = {**record, "body": body.strip()}
    yield None, record


def _iter_pdf_file(path: Path, meta: Path | None, cpu_seconds: float) -> Iterator[tuple[str | None, Any]]:
    meta_path = meta or path.with_suffix(".yaml")
    if not meta_path.exists():
        yield (
            None,
            Problem(str(path), None, None, f"a PDF needs its metadata in {meta_path} (see docs/data-formats.md)"),
        )
        return
    try:
        record = load_yaml(read_text(meta_path)) or {}
    except yaml.YAMLError as exc:
        yield None, Problem(str(meta_path), None, None, f"metadata is not valid YAML: {exc}")
        return
    yield from _iter_pdf(path, record, str(path), cpu_seconds)


def _read_pdf_pages(pdf: Path | bytes, source: str, cpu_seconds: float = PDF_MAX_SECONDS) -> list[str] | Problem:
    """The text of each page, read in a child process within the limits above; a Problem saying which limit
    stopped it otherwise."""
    from corpus.loaders.pdf_text import extract_pages

    if isinstance(pdf, Path):
        try:
            pdf = pdf.read_bytes()
        except OSError as exc:
            return Problem(source, None, None, f"cannot read PDF: {exc}")
    return extract_pages(
        pdf,
        source,
        cpu_seconds=cpu_seconds,
        max_pages=PDF_MAX_PAGES,
        max_stream_bytes=PDF_MAX_STREAM_BYTES,
        memory_bytes=PDF_MAX_MEMORY_BYTES,
        max_chars=PDF_MAX_TEXT_CHARS,
    )


def _iter_pdf(pdf: Path | bytes, record: Any, source: str, cpu_seconds: float) -> Iterator[tuple[str | None, Any]]:
    pages = _read_pdf_pages(pdf, source, cpu_seconds)
    if isinstance(pages, Problem):
        yield None, pages
        return
    body, spans = "", []
    for number, text in enumerate(pages, start=1):
        text = unicodedata.normalize("NFC", text).strip()
        if not text:
            continue
        if body:
            body += "\n\n"
        spans.append({"page": number, "start": len(body), "end": len(body) + len(text)})
        body += text
    if isinstance(record, dict):
        record = {**record, "body": body, "pages": spans}
    yield None, record
