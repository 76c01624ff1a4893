"""The tutor's data: evidence, citations, answers and conversation turns (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.types import Hit


@dataclass(frozen=True)
class Evidence:
    """One sentence of a retrieved passage, located in its document's body, with the scores that chose it."""

    hit: Hit
    text: str
    start: int
    end: int
    score: float
    dense: float
    lexical: float
    features: dict[str, float] = field(default_factory=dict)
    """The ranker's inputs, kept for fitting and for explaining the choice."""


@dataclass(frozen=True)
class Citation:
    marker: int
    doc_id: str
    title: str
    kind: str
    language: str
    section: str
    quote: str
    start: int
    end: int
    page: int | None
    chunk_id: int


@dataclass(frozen=True)
class RelatedItem:
    doc_id: str
    title: str
    kind: str
    language: str
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    text: str
    citations: tuple[Citation, ...]
    reason: str | None
    related: tuple[RelatedItem, ...]
    language: str
    generator: str
    support: float
    conversation_id: str | None = None
    retrieval_query: str = ""
    dropped_citations: int = 0


@dataclass(frozen=True)
class Turn:
    question: str
    resolved_question: str
    answer: str
    answered: bool
    cited_doc_ids: tuple[str, ...]
    created_at: str


@dataclass(frozen=True)
class Conversation:
    id: str
    owner: str | None
    turns: tuple[Turn, ...] = field(default_factory=tuple)
