"""Content upload for authors: validate like the CLI ingest, check ownership, store, publish a new snapshot.

A document belongs to a department: a course to the ``department`` it names (filled in with the author's own when
it names none), a case study to its ``department``. An author (or admin) adds, replaces and deletes only their own
department's content. Every change is one store transaction followed by an incremental index build that is
published and swapped in before the call returns, so the document is searchable as soon as the caller hears back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, cast

import yaml

from corpus.errors import DocumentNotFoundError, Problem, ValidationError
from corpus.ingest import IngestBatch, ingest_batch
from corpus.loaders import Loaded, case_study_from_markdown, case_study_from_pdf, convert
from corpus.loaders.safe_yaml import load_yaml
from corpus.store import UpsertOutcome
from corpus.types import PUBLIC, CaseStudy, Course, Document, HelpArticle
from corpus.validation import case_study_from_dict, course_from_dict
from gyanpath.accounts import ApiKey
from gyanpath.services import Services
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
    outcome: UpsertOutcome
    snapshot_version: str
    review: Review
    sanitized: tuple[str, ...]


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
        # before the write, so that it is never its own duplicate
        review = self.services.recommender.authoring.review(document, viewer=author.viewer)
        outcome, manifest = self.services.publish_change(lambda: self._write(document, author))
        return Uploaded(document, outcome, manifest.version, review, parsed.sanitized)

    def delete(self, kind: Kind, doc_id: str, author: ApiKey) -> str:
        """Delete one of the author's department's documents and publish an index without it; the new version."""
        _, manifest = self.services.publish_change(lambda: self._delete(kind, doc_id, author))
        return manifest.version

    def _write(self, document: Document, author: ApiKey) -> UpsertOutcome:
        store = self.services.store
        with store.transaction():  # the ownership check and the write see the same state
            if store.has_document(document.id):
                self._check_replaceable(store.get_document(document.id), document, author)
            batch = IngestBatch()
            if isinstance(document, Course):
                batch.courses = Loaded(items=[document], origins=[(BODY, None)])
            elif isinstance(document, HelpArticle):
                batch.help_articles = Loaded(items=[document], origins=[(BODY, None)])
            else:
                batch.case_studies = Loaded(items=[document], origins=[(BODY, None)])
            # a reference (translation_of, prerequisites) to a private document the author may not see is an
            # unknown id, as if it did not exist: accepting it told the author that it exists
            unseen = frozenset(row.id for row in store.document_rows() if not author.viewer.may_see(row.visibility))
            report = ingest_batch(store, batch, unseen=unseen)
        (outcome,) = next(iter(report.outcomes.values()))
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
