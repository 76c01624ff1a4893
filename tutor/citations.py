"""Turn a generator's text and its [n] markers into citations of retrieved passages only."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.lexical import tokenize
from corpus.sentences import sentence_spans
from tutor.types import Citation, Evidence

MIN_OVERLAP = 0.5
_MARKER = re.compile(r"\s?\[(\d{1,3})\]")


@dataclass(frozen=True)
class CitedText:
    text: str
    citations: tuple[Citation, ...]
    dropped: int


def attach_citations(text: str, evidence: Sequence[Evidence]) -> CitedText:
    """Keep markers that name a passage given to the generator, renumbered in order of first use; drop (and
    count) any other marker, so a citation can never point at something that was not retrieved and permitted."""
    renumber: dict[int, int] = {}
    citations: list[Citation] = []
    dropped = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal dropped
        original = int(match.group(1))
        if not 1 <= original <= len(evidence):
            dropped += 1
            return ""
        if original not in renumber:
            renumber[original] = len(renumber) + 1
            e = evidence[original - 1]
            citations.append(
                Citation(marker=renumber[original], doc_id=e.hit.doc_id, title=e.hit.title, kind=e.hit.kind,
                         language=e.hit.language, section=e.hit.section, quote=e.text, start=e.start, end=e.end,
                         page=e.hit.page, chunk_id=e.hit.chunk_id)
            )  # fmt: skip
        return f" [{renumber[original]}]"

    cleaned = _MARKER.sub(replace, text).strip()
    if not citations and not dropped:
        return attribute_by_overlap(cleaned, evidence)
    return CitedText(cleaned, tuple(citations), dropped)


def attribute_by_overlap(text: str, evidence: Sequence[Evidence]) -> CitedText:
    """For a generator that wrote no markers: cite, per sentence, the passage that contains most of its words.

    A sentence with no passage covering at least ``MIN_OVERLAP`` of its words is removed, so unsupported
    statements never reach the learner; if nothing is left, the answer has no citations and the tutor abstains.
    """
    kept: list[str] = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        words = set(tokenize(sentence))
        if not words:
            continue
        overlaps = [len(words & set(tokenize(e.text))) / len(words) for e in evidence]
        best = max(range(len(evidence)), key=lambda i: overlaps[i], default=None)
        if best is None or overlaps[best] < MIN_OVERLAP:
            continue
        kept.append(f"{sentence} [{best + 1}]")
    if not kept:
        return CitedText(text, (), 0)
    return attach_citations(" ".join(kept), evidence)
