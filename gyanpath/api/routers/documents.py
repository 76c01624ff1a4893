"""A document's passages by id, so a citation or a search hit can be opened at its source."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from corpus.types import CaseStudy, Course, Document
from gyanpath.accounts import Role
from gyanpath.api.auth import KeyDep, requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.openapi import error_responses
from gyanpath.api.visibility import visible_document

router = APIRouter(tags=["documents"], dependencies=[Depends(requires(Role.LEARNER))])


class PassageOut(BaseModel):
    chunk_id: int
    ordinal: int
    section: str
    text: str
    start: int = Field(description="Character offset in the document body, as in citations and search hits.")
    end: int
    page: int | None = Field(description="PDF page, for case studies ingested from a PDF.")


class DocumentOut(BaseModel):
    doc_id: str
    kind: str
    title: str
    language: str
    department: str | None
    source: str = Field(description="A case study's source, or a course's provider.")
    passages: list[PassageOut]


@router.get("/documents/{doc_id}", response_model=DocumentOut, responses=error_responses(404))
def document(
    doc_id: Annotated[str, Path(min_length=1, max_length=120)], key: KeyDep, services: ServicesDep
) -> DocumentOut:
    """A course, case study or help article with its passages in reading order. A private case study of another
    department is a 404, exactly like an unknown id."""
    found = visible_document(services, key, doc_id)
    passages = [
        PassageOut(
            chunk_id=stored.id,
            ordinal=stored.chunk.ordinal,
            section=stored.chunk.section,
            text=stored.chunk.text,
            start=stored.chunk.start,
            end=stored.chunk.end,
            page=stored.chunk.page,
        )
        for stored in services.store.document_chunks(found.id)
    ]
    return DocumentOut(
        doc_id=found.id,
        kind=found.kind,
        title=found.title,
        language=found.language,
        department=found.department,
        source=_source(found),
        passages=passages,
    )


def _source(document: Document) -> str:
    if isinstance(document, CaseStudy):
        return document.source
    if isinstance(document, Course):
        return document.provider
    return "gyanpath help desk"
