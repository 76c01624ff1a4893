"""Split documents into passages that keep their title and section, with exact character offsets.

Offsets index the document's body text (``document_body``), so a citation can quote ``body[start:end]`` and a PDF
passage knows its page. Passages never cross a section or page boundary, and start and end on sentence boundaries
(corpus/sentences.py: wrapped lines reflowed, list items whole).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from corpus.sentences import sentence_spans
from corpus.types import CaseStudy, Chunk, Course, Document, HelpArticle

MAX_CHARS = 700
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class _Segment:
    section: str
    start: int
    end: int
    page: int | None = None


def document_body(document: Document) -> str:
    """The text that chunks and citations refer to. For a course: description, then a numbered module list."""
    if isinstance(document, CaseStudy | HelpArticle):
        return document.body
    lines = [document.description]
    if document.modules:
        lines.append("")
        lines.append("Modules:")
        lines.extend(f"{n}. {m.title}: {m.summary}".rstrip(": ") for n, m in enumerate(document.modules, 1))
    return "\n".join(lines)


def chunk_document(document: Document, *, max_chars: int = MAX_CHARS) -> list[Chunk]:
    body = document_body(document)
    segments = _course_segments(document, body) if isinstance(document, Course) else _case_segments(document, body)
    chunks: list[Chunk] = []
    for segment in segments:
        context = f"{document.title} — {segment.section}" if segment.section else document.title
        for start, end in _pack(body, segment.start, segment.end, max_chars):
            chunks.append(
                Chunk(
                    doc_id=document.id,
                    ordinal=len(chunks),
                    section=segment.section,
                    text=body[start:end],
                    start=start,
                    end=end,
                    context=context,
                    page=segment.page,
                )
            )
    return chunks


def _course_segments(course: Course, body: str) -> list[_Segment]:
    overview_end = len(course.description)
    segments = [_Segment("Overview", 0, overview_end)]
    if course.modules:
        segments.append(_Segment("Modules", overview_end, len(body)))
    return segments


def _case_segments(case: CaseStudy | HelpArticle, body: str) -> list[_Segment]:
    segments: list[_Segment] = []
    for page, page_start, page_end in _pages(case, body):
        section, cursor = "", page_start
        for match in _HEADING.finditer(body, page_start, page_end):
            segments.append(_Segment(section, cursor, match.start(), page))
            section, cursor = match.group(1).strip(), match.end()
        segments.append(_Segment(section, cursor, page_end, page))
    return [s for s in segments if body[s.start : s.end].strip()]


def _pages(case: CaseStudy | HelpArticle, body: str) -> Iterator[tuple[int | None, int, int]]:
    if isinstance(case, HelpArticle) or not case.pages:
        yield None, 0, len(body)
        return
    for span in case.pages:
        yield span.page, span.start, span.end


def _pack(body: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Greedily join consecutive sentences into passages of at most ``max_chars`` (a longer sentence is cut)."""
    current: tuple[int, int] | None = None
    for s_start, s_end in sentence_spans(body, start, end):
        while s_end - s_start > max_chars:
            if current is not None:
                yield current
                current = None
            cut = body.rfind(" ", s_start, s_start + max_chars)
            cut = cut if cut > s_start else s_start + max_chars
            yield s_start, cut
            s_start = cut + 1 if body[cut : cut + 1] == " " else cut
        if current is None:
            current = (s_start, s_end)
        elif s_end - current[0] <= max_chars:
            current = (current[0], s_end)
        else:
            yield current
            current = (s_start, s_end)
    if current is not None:
        yield current
