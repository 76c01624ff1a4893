"""Content upload for authors: validate like the CLI ingest, check ownership, store, publish a new snapshot.

A document belongs to a department: a course to the ``department`` it names (filled in with the author's own when
it names none), a case study to its ``department``. An author (or admin) adds, replaces and deletes only their own
department's content.

Its passages and sentences are embedded first, without a lock; then one store transaction stores the document with
its vectors, and the incremental index build (with nothing left to embed) is published and swapped in. A small
upload does all of this before the call returns, so the document is searchable as soon as the caller hears back.
One that would take longer (``GYANPATH_SYNC_INDEX_CHARS``) is checked, reviewed and queued, and the same steps run
in the background (gyanpath/uploads.py): the request stays within its CPU bound whatever the document's size.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import yaml

from corpus.chunking import chunk_document
from corpus.errors import DocumentNotFoundError, Problem, ValidationError
from corpus.indexer import PreparedVectors, embedding_load
from corpus.ingest import IngestBatch, check_batch, ingest_batch
from corpus.loaders import Loaded, case_study_from_markdown, case_study_from_pdf, convert
from corpus.loaders.safe_yaml import load_yaml
from corpus.store import UpsertOutcome
from corpus.types import PUBLIC, CaseStudy, Chunk, Course, Document, HelpArticle
from corpus.validation import case_study_from_dict, course_from_dict
from embeddings import normalize_rows
from gyanpath.accounts import ApiKey, KeyNotFoundError
from gyanpath.services import IndexUpdateError, Services
from gyanpath.uploads import UploadJob
from recommender.authoring import Review

Kind = Literal["course", "case_study"]
BODY = "request body"


class ContentError(Exception):
    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class ContentPermissionError(ContentError):
    """The content belongs to another department (403)."""


class ContentConflictError(ContentError):
    """The change would break other content, or the id is taken by another kind of document (409)."""


@dataclass(frozen=True)
class Parsed:
    """One validated document from a request, and the hidden content removed from it."""

    document: Document
    sanitized: tuple[str, ...]


@dataclass(frozen=True)
class Uploaded:
    document: Document
    outcome: UpsertOutcome | Literal["queued"]
    snapshot_version: str | None
    """None while it is queued."""
    review: Review
    sanitized: tuple[str, ...]
    job: UploadJob | None = None
    """The background job that indexes it (outcome "queued")."""


# -- parsing: the same validation as `gyanpath ingest` ------------------------------------------------------------
def _one(loaded: Loaded[Course] | Loaded[CaseStudy], source: str) -> Parsed:
    if loaded.problems:
        raise ValidationError(loaded.problems)
    if len(loaded.items) != 1:
        raise ValidationError([Problem(source, None, None, f"expected one document, got {len(loaded.items)}")])
    return Parsed(loaded.items[0], tuple(str(p) for p in loaded.notices))


def _records(raw: Any) -> Iterator[tuple[str | None, Any]]:
    yield None, raw


def course_from_json(raw: Any) -> Parsed:
    return _one(convert(_records(raw), BODY, course_from_dict), BODY)


def case_study_from_json(raw: Any) -> Parsed:
    return _one(convert(_records(raw), BODY, case_study_from_dict), BODY)


def case_study_from_file(filename: str, content_type: str, data: bytes, metadata: str | None) -> Parsed:
    """A Markdown file with YAML front matter, or a PDF with its metadata (a JSON or YAML object) beside it."""
    name = filename.lower()
    if name.endswith(".pdf") or content_type == "application/pdf":
        return _one(case_study_from_pdf(data, _metadata(metadata), filename), filename)
    if name.endswith((".md", ".markdown")) or content_type in ("text/markdown", "text/x-markdown"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError([Problem(filename, None, "file", f"not UTF-8 text ({exc.reason})")]) from exc
        if metadata is not None:
            raise ValidationError([Problem(filename, None, "metadata", "a Markdown file carries its own front matter")])
        return _one(case_study_from_markdown(text, filename), filename)
    raise ValidationError([Problem(filename, None, "file", "expected a Markdown (.md) or PDF (.pdf) file")])


def _metadata(text: str | None) -> dict[str, Any]:
    if text is None or not text.strip():
        raise ValidationError([Problem("metadata", None, "metadata", "a PDF needs its metadata (a JSON/YAML object)")])
    try:
        record = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ValidationError([Problem("metadata", None, "metadata", f"not valid JSON or YAML: {exc}")]) from exc
    if not isinstance(record, dict):
        raise ValidationError(
            [Problem("metadata", None, "metadata", "expected an object with the case study's fields")]
        )
    return record


# -- ownership and changes -----------------------------------------------------------------------------------------
def owned_by(document: Document, author: ApiKey) -> Document:
    """The document as the author's department's: a course without a department gets the author's."""
    if isinstance(document, Course) and document.department is None:
        return dataclasses.replace(document, department=author.department)
    if document.department != author.department:
        raise ContentPermissionError(
            f"an author of {author.department} adds content of that department only, not {document.department}",
            "department",
        )
    if isinstance(document, CaseStudy) and document.visibility not in (PUBLIC, author.department):
        raise ContentPermissionError(
            f"a case study of {author.department} is public or private to {author.department}", "visibility"
        )
    return document


class ContentManager:
    def __init__(self, services: Services) -> None:
        self.services = services

    def upload(self, parsed: Parsed, author: ApiKey) -> Uploaded:
        document = owned_by(parsed.document, author)
        services = self.services
        unchanged = self._stored_as_is(document)
        chunks = chunk_document(document)
        limit = services.settings.sync_index_chars
        load = embedding_load(chunks, sentences=services.settings.precompute_sentences, limit=limit)
        if not unchanged and load > limit:
            return self._queue(document, chunks, author, parsed.sanitized)
        prepared = None if unchanged else services.builder.prepare(document, chunks)
        # before the write, so that it is never its own duplicate
        review = services.recommender.authoring.review(
            document, viewer=author.viewer, vector=_mean_vector(prepared) if prepared is not None else None
        )
        outcome, manifest = services.publish_change(lambda: self._write(document, author, prepared))
        return Uploaded(document, outcome, manifest.version, review, parsed.sanitized)

    def _queue(
        self, document: Document, chunks: Sequence[Chunk], author: ApiKey, sanitized: tuple[str, ...]
    ) -> Uploaded:
        """Check now what the write will check again, review, and queue the document for the background."""
        store = self.services.store
        with store.read_snapshot():
            if store.has_document(document.id):
                self._check_replaceable(store.get_document(document.id), document, author)
            check_batch(store, _batch(document), unseen=self._unseen(author))
        passages = [c.embed_text for c in chunks]
        review = self.services.recommender.authoring.review(document, viewer=author.viewer, passages=passages)
        job = self.services.upload_queue.submit(
            document, key_id=author.id, department=author.department, sanitized=sanitized
        )
        self.services.upload_worker.wake()
        return Uploaded(document, "queued", None, review, sanitized, job)

    def index_queued(self, job: UploadJob) -> None:
        """Index and store a queued upload (the upload worker's thread), and record how it ended."""
        queue = self.services.upload_queue
        document = job.document
        if document is None:
            queue.finish(job.id, "failed", detail="the queued document was lost")
            return
        try:
            author = self.services.users.get_key(job.key_id)
        except KeyNotFoundError:
            author = None
        if author is None or not author.active:
            queue.finish(job.id, "failed", detail="the key that sent it was revoked before it was indexed")
            return
        prepared = self.services.builder.prepare(document)
        try:
            outcome, manifest = self.services.publish_change(lambda: self._write(document, author, prepared))
        except (ValidationError, ContentError) as exc:
            queue.finish(job.id, "failed", detail=str(exc))
        except IndexUpdateError as exc:
            queue.finish(job.id, "done", outcome="stored", detail=str(exc))
        else:
            queue.finish(job.id, "done", outcome=outcome, snapshot_version=manifest.version)

    def _stored_as_is(self, document: Document) -> bool:
        store = self.services.store
        try:
            return store.get_document(document.id) == document
        except DocumentNotFoundError:
            return False

    def delete(self, kind: Kind, doc_id: str, author: ApiKey) -> str | None:
        """Delete one of the author's department's documents and publish an index without it; the new version.
        Uploads of it still waiting to be indexed are cancelled (then, if it was never stored, the version served)."""
        cancelled = self.services.upload_queue.cancel(doc_id, author.department)
        try:
            _, manifest = self.services.publish_change(lambda: self._delete(kind, doc_id, author))
        except DocumentNotFoundError:
            if cancelled:
                return self.services.served_version
            raise
        return manifest.version

    def _unseen(self, author: ApiKey) -> frozenset[str]:
        """Stored ids the author may not refer to: to them, another department's private document does not exist."""
        rows = self.services.store.document_rows()
        return frozenset(row.id for row in rows if not author.viewer.may_see(row.visibility))

    def _write(self, document: Document, author: ApiKey, prepared: PreparedVectors | None = None) -> UpsertOutcome:
        store = self.services.store
        with store.transaction():  # the ownership check and the write see the same state
            if store.has_document(document.id):
                self._check_replaceable(store.get_document(document.id), document, author)
            # a reference (translation_of, prerequisites) to a private document the author may not see is an
            # unknown id, as if it did not exist: accepting it told the author that it exists
            report = ingest_batch(store, _batch(document), unseen=self._unseen(author))
            (outcome,) = next(iter(report.outcomes.values()))
            if prepared is not None and outcome != "unchanged":
                self.services.builder.store_prepared(document.id, prepared)
        return cast(UpsertOutcome, outcome)

    @staticmethod
    def _check_replaceable(existing: Document, document: Document, author: ApiKey) -> None:
        """An author may replace their department's document of the same kind. Any other taken id gets one answer,
        whatever holds it (another kind, another department's document, a private one the author cannot see): ids
        are global, so that a taken id is refused is unavoidable, but nothing else about its holder is told."""
        if existing.kind != document.kind or existing.department != author.department:
            raise ContentConflictError(
                f"id {document.id!r} is already taken by content your department does not own; choose another id",
                "id",
            )

    def _delete(self, kind: Kind, doc_id: str, author: ApiKey) -> None:
        store = self.services.store
        with store.transaction():
            document = store.get_document(doc_id)
            if document.kind != kind or not author.viewer.may_see(document.visibility):
                raise DocumentNotFoundError(doc_id)  # another kind, or private elsewhere: as if it did not exist
            if document.department != author.department:
                raise ContentPermissionError(f"{doc_id!r} belongs to another department's content", "id")
            if isinstance(document, Course):
                dependants = [
                    c.id
                    for c in store.documents("course")
                    if isinstance(c, Course) and (doc_id in c.prerequisites or c.translation_of == doc_id)
                ]
                if dependants:
                    raise ContentConflictError(
                        f"{doc_id!r} is a prerequisite or the original of {', '.join(dependants)}; change those first",
                        "id",
                    )
            store.delete_document(doc_id)


def _batch(document: Document) -> IngestBatch:
    batch = IngestBatch()
    if isinstance(document, Course):
        batch.courses = Loaded(items=[document], origins=[(BODY, None)])
    elif isinstance(document, HelpArticle):
        batch.help_articles = Loaded(items=[document], origins=[(BODY, None)])
    else:
        batch.case_studies = Loaded(items=[document], origins=[(BODY, None)])
    return batch


def _mean_vector(prepared: PreparedVectors) -> np.ndarray | None:
    """The document's vector as the recommender computes it for a stored one: the mean of its passage vectors."""
    if not len(prepared.passages):
        return None
    return normalize_rows(np.asarray(prepared.passage_vectors, dtype=np.float32).mean(axis=0, keepdims=True))
