"""Help for course authors: related courses and case studies, near-duplicate warnings and competency tags for a
draft (title + description) or an existing course. Related content goes through the shared hybrid retriever."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.search import Retriever
from corpus.types import Course, Document, Filters, Module, Viewer
from recommender.catalog import Catalog
from recommender.duplicates import DuplicateFinder
from recommender.errors import InvalidRequestError
from recommender.semantic import Matrix, Semantic
from recommender.tagging import TagSuggester
from recommender.types import SuggestedTag

QUERY_CHARS = 2000
AUTHORED_KINDS = frozenset({"course", "case_study"})
"""What authoring compares a draft with by default: help articles are about the service, not teaching material."""
"""The retriever is asked with the draft's title and the start of its description."""


@dataclass(frozen=True)
class Draft:
    title: str = ""
    description: str = ""
    modules: tuple[Module, ...] = ()
    course_id: str | None = None
    """Instead of text: an existing course, which is then left out of its own results."""


@dataclass(frozen=True)
class Related:
    doc_id: str
    kind: str
    title: str
    language: str
    score: float


@dataclass(frozen=True)
class Duplicate:
    course_id: str
    title: str
    similarity: float


@dataclass(frozen=True)
class SimilarDocument:
    """An existing document an upload nearly duplicates (same kind: courses with courses, case studies with case
    studies)."""

    doc_id: str
    kind: str
    title: str
    similarity: float


@dataclass(frozen=True)
class Review:
    """What authoring help says about a document about to be stored: near-duplicates and competency tags."""

    duplicates: tuple[SimilarDocument, ...]
    tags: tuple[SuggestedTag, ...]


class Authoring:
    def __init__(
        self,
        catalog: Catalog,
        semantic: Semantic,
        tagger: TagSuggester,
        duplicates: DuplicateFinder,
        retriever: Retriever,
    ) -> None:
        self.catalog = catalog
        self.semantic = semantic
        self.tagger = tagger
        self.duplicates = duplicates
        self.retriever = retriever

    def _text(self, draft: Draft) -> tuple[str, str, tuple[Module, ...], frozenset[str]]:
        if draft.course_id is not None:
            if draft.title.strip() or draft.description.strip():
                raise InvalidRequestError("give a course id or a title and description, not both", "course_id")
            self.catalog.check_courses([draft.course_id], "course_id")
            course = self.catalog.courses[draft.course_id]
            return course.title, course.description, course.modules, frozenset({course.id})
        if not draft.title.strip() and not draft.description.strip():
            raise InvalidRequestError("give a title and description, or a course id", "title")
        return draft.title.strip(), draft.description.strip(), draft.modules, frozenset()

    def _vector(self, draft: Draft) -> tuple[Matrix, frozenset[str]]:
        title, description, modules, exclude = self._text(draft)
        if draft.course_id is not None:
            return self.semantic.course_vector(draft.course_id), exclude
        return self.semantic.draft_vector(title, description, modules), exclude

    def related(self, draft: Draft, *, k: int = 10, kinds: frozenset[str] | None = None) -> list[Related]:
        title, description, _, exclude = self._text(draft)
        query = f"{title}\n{description}"[:QUERY_CHARS]
        hits = self.retriever.retrieve(
            query,
            k=k + len(exclude),
            filters=Filters(kinds=kinds or AUTHORED_KINDS),
            viewer=Viewer.anonymous(),
            per_document=True,
        )
        found = [Related(h.doc_id, h.kind, h.title, h.language, round(h.score, 6)) for h in hits]
        return [r for r in found if r.doc_id not in exclude][:k]

    def near_duplicates(self, draft: Draft, *, k: int = 5) -> list[Duplicate]:
        vector, exclude = self._vector(draft)
        if draft.course_id is not None:
            exclude = frozenset(self.catalog.translations(draft.course_id))
        return [
            Duplicate(course_id, self.catalog.courses[course_id].title, round(similarity, 4))
            for course_id, similarity in self.duplicates.similar(vector, exclude=exclude, k=k)
        ]

    def tags(self, draft: Draft, *, k: int = 5, min_confidence: float = 0.0) -> list[SuggestedTag]:
        vector, _ = self._vector(draft)
        return self.tagger.suggest(vector, k=k, min_confidence=min_confidence)

    def review(
        self,
        document: Document,
        *,
        viewer: Viewer,
        k: int = 5,
        tags: int = 5,
        vector: Matrix | None = None,
        passages: Sequence[str] | None = None,
    ) -> Review:
        """Near-duplicates of a document about to be stored (a new one, or a new version of one: it is never its
        own duplicate, nor are its translations) and the competency tags suggested for it. Only documents
        ``viewer`` may see are compared: another department's private case study is never named, scored or
        counted. ``vector``: the document's (the mean of its passage vectors) where the caller has embedded them
        already; else it is embedded from a sample of its passages (``passages``: their texts, where the caller has
        cut the document already)."""
        if vector is None:
            vector = self.semantic.document_vector(document, passages)
        if isinstance(document, Course):
            exclude = {document.id, *self.catalog.translations(document.id)}
            if document.translation_of:
                exclude |= set(self.catalog.translations(document.translation_of))
            similar = self.duplicates.similar(vector, exclude=frozenset(exclude), k=k)
            titles = {course_id: self.catalog.courses[course_id].title for course_id, _ in similar}
        else:
            rows, vectors = self.semantic.case_studies()
            scores = vectors @ vector[0] if rows else np.zeros(0, dtype=np.float32)
            order = np.argsort(-scores, kind="stable")
            group = {document.id} | ({document.translation_of} if document.translation_of else set())
            own = group | {row.id for row in rows if row.translation_of in group}
            similar = [
                (rows[i].id, float(scores[i]))
                for i in order
                if scores[i] >= self.duplicates.threshold
                and rows[i].id not in own
                and viewer.may_see(rows[i].visibility)
            ][:k]
            titles = {row.id: row.title for row in rows}
        duplicates = tuple(
            SimilarDocument(doc_id, document.kind, titles[doc_id], round(similarity, 4))
            for doc_id, similarity in similar
        )
        return Review(duplicates, tuple(self.tagger.suggest(vector, k=tags)))
