"""Vectors for competencies, roles and courses, computed once and lazily with the shared embedder.

Course vectors reuse the passage embeddings the index build already stored (the mean of a course's passage
vectors), so a catalogue of thousands of courses costs no embedding at start-up; only courses without stored
vectors are embedded. A draft is embedded as a stored course would be (same passages, same mean; from at most 8
evenly spaced passages of a long one), so a draft and a course compare like with like.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from corpus.chunking import chunk_document
from corpus.store import DocumentRow, Store
from corpus.types import Competency, Course, Document, Level, Module, Role
from embeddings import Embedder, Vectors, normalize_rows
from embeddings.text_cache import TextVectorCache
from recommender.catalog import Catalog

T = TypeVar("T")
Matrix = npt.NDArray[np.float32]


def competency_text(competency: Competency) -> str:
    indicators = " ".join(f"{level.value}: {'; '.join(items)}." for level, items in competency.levels.items())
    return f"{competency.sub_theme} ({competency.theme}). {competency.description} {indicators}"


def role_text(role: Role) -> str:
    return f"{role.title}. {role.description} {' '.join(role.activities)}"


def draft_course(title: str, description: str, modules: Sequence[Module] = (), language: str = "en") -> Course:
    """A draft as a course object, so it is chunked (and so embedded) exactly like a stored course."""
    return Course(
        id="draft",
        title=title,
        description=description,
        language=language,
        duration_minutes=60,
        level=Level.BEGINNER,
        provider="draft",
        modules=tuple(modules),
    )


SAMPLED_PASSAGES = 8
"""Passages embedded to represent a draft or an upload under review: one request must not embed a whole book (a
draft at its limits has ~100 passages, ~20 s of CPU). The mean of 8 evenly spaced passages has cosine >= 0.998
with the mean of all of them on every bundled document longer than that, far inside the duplicate threshold's
margin (0.96 for e5)."""


def evenly_spaced(items: Sequence[T], limit: int) -> list[T]:
    """``items`` when there are at most ``limit``; else ``limit`` of them spread evenly, the first and last kept."""
    if len(items) <= limit:
        return list(items)
    positions = np.unique(np.round(np.linspace(0, len(items) - 1, limit)).astype(int))
    return [items[i] for i in positions.tolist()]


def embed_documents_mean(embedder: Embedder, documents: Sequence[Document], sample: int | None = None) -> Vectors:
    """One unit vector per document (course or case study): the mean of its passage vectors, embedded now.
    A document with no passage (a draft with a title only) is represented by its title. ``sample``: embed at most
    that many passages per document, evenly spaced (see SAMPLED_PASSAGES)."""
    if not documents:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    texts = [[ch.embed_text for ch in chunk_document(d)] or [d.title] for d in documents]
    if sample is not None:
        texts = [evenly_spaced(group, sample) for group in texts]
    flat = embedder.embed_documents([text for group in texts for text in group])
    rows, start = [], 0
    for group in texts:
        rows.append(flat[start : start + len(group)].mean(axis=0))
        start += len(group)
    return normalize_rows(np.stack(rows))


class Semantic:
    """Lazily computed vector tables. Thread-safe: each table is built once, under a lock."""

    def __init__(
        self,
        embedder: Embedder,
        catalog: Catalog,
        store: Store | None = None,
        text_vectors: TextVectorCache | None = None,
    ) -> None:
        """``text_vectors``: where competency and role vectors are kept across rebuilds (embeddings/text_cache.py);
        without one they are embedded again by every new instance."""
        self.embedder = embedder
        self.catalog = catalog
        self.store = store
        self.text_vectors = text_vectors
        self.competency_ids = sorted(catalog.competencies)
        self.role_ids = sorted(catalog.roles)
        self.course_ids = sorted(catalog.courses)
        self.course_row = {course_id: row for row, course_id in enumerate(self.course_ids)}
        self._tables: dict[str, Matrix] = {}
        self._lock = threading.Lock()

    def _table(self, name: str, build: Callable[[], Matrix]) -> Matrix:
        with self._lock:
            if name not in self._tables:
                self._tables[name] = build()
            return self._tables[name]

    @property
    def competencies(self) -> Matrix:
        return self._table(
            "competencies",
            lambda: self._embed(
                [competency_text(self.catalog.competencies[i]) for i in self.competency_ids], "competencies"
            ),
        )

    @property
    def roles(self) -> Matrix:
        return self._table(
            "roles", lambda: self._embed([role_text(self.catalog.roles[i]) for i in self.role_ids], "roles")
        )

    @property
    def courses(self) -> Matrix:
        return self._table("courses", self._course_vectors)

    def set_course_vectors(self, vectors: Matrix) -> None:
        """Install precomputed course vectors (rows in ``course_ids`` order), e.g. from a benchmark."""
        if vectors.shape != (len(self.course_ids), self.embedder.dimension):
            raise ValueError(f"vectors: expected shape {(len(self.course_ids), self.embedder.dimension)}")
        with self._lock:
            self._tables["courses"] = normalize_rows(vectors)

    def _embed(self, texts: list[str], group: str) -> Matrix:
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        if self.text_vectors is not None:
            return self.text_vectors.embed(self.embedder, texts, group=group)
        return self.embedder.embed_documents(texts)

    def _course_vectors(self) -> Matrix:
        return self._document_vectors(self.course_ids, self.catalog.courses.__getitem__)

    def case_studies(self) -> tuple[list[DocumentRow], Matrix]:
        """(rows, vectors) of the stored case studies, for near-duplicate warnings on uploads. Read from the store
        each time (uploads are rare; the catalogue holds courses only)."""
        if self.store is None:
            return [], np.zeros((0, self.embedder.dimension), dtype=np.float32)
        with self.store.read_snapshot():  # one state: a case study deleted meanwhile was a 404 for the upload
            rows = [row for row in self.store.document_rows() if row.kind == "case_study"]
            return rows, self._document_vectors([row.id for row in rows], self.store.get_document)

    def _document_vectors(self, doc_ids: Sequence[str], lookup: Callable[[str], Document]) -> Matrix:
        """The mean of each document's stored passage vectors; documents without stored vectors are embedded."""
        row_of = {doc_id: row for row, doc_id in enumerate(doc_ids)}
        matrix = np.zeros((len(doc_ids), self.embedder.dimension), dtype=np.float32)
        found = np.zeros(len(doc_ids), dtype=bool)
        if self.store is not None and doc_ids:
            ids, vectors = self.store.embeddings(self.embedder.model_id, self.embedder.dimension)
            if len(ids):
                owner = {s.id: s.chunk.doc_id for s in self.store.chunks(ids.tolist())}
                for chunk_id, vector in zip(ids.tolist(), vectors, strict=True):
                    row = row_of.get(owner.get(chunk_id, ""))
                    if row is not None:
                        matrix[row] += vector
                        found[row] = True
        missing = [lookup(doc_ids[row]) for row in np.flatnonzero(~found).tolist()]
        if missing:
            matrix[~found] = embed_documents_mean(self.embedder, missing)
        return normalize_rows(matrix)

    def document_vector(self, document: Document, passages: Sequence[str] | None = None) -> Matrix:
        """A document not stored yet (an upload), embedded as it will be once stored (from at most
        SAMPLED_PASSAGES of its passages; ``passages``: their ``embed_text``, where the caller has them)."""
        if passages is None:
            return embed_documents_mean(self.embedder, [document], sample=SAMPLED_PASSAGES)
        chosen = evenly_spaced(passages, SAMPLED_PASSAGES) or [document.title]
        return normalize_rows(self.embedder.embed_documents(chosen).mean(axis=0, keepdims=True))

    def course_vector(self, course_id: str) -> Matrix:
        row: Matrix = self.courses[self.course_row[course_id]][None, :]
        return row

    def draft_vector(self, title: str, description: str, modules: Sequence[Module] = ()) -> Matrix:
        """A draft, embedded as the course it would be (from at most SAMPLED_PASSAGES of its passages)."""
        return embed_documents_mean(self.embedder, [draft_course(title, description, modules)], sample=SAMPLED_PASSAGES)

    def match_roles(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The roles nearest to a free-text description of a job, with cosine similarities."""
        if not self.role_ids:
            return []
        scores = self.roles @ self.embedder.embed_query(text)[0]
        order = np.argsort(-scores)[:k]
        return [(self.role_ids[i], float(scores[i])) for i in order]
