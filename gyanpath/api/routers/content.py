"""Content upload for authors: add, replace and delete courses and case studies of the key's department.

A small upload is published before the answer (201, or 200 for a new version): the document is searchable when
the caller hears back, and ``snapshot_version`` names the snapshot that holds it. A larger one
(``GYANPATH_SYNC_INDEX_CHARS``) is checked and reviewed, then indexed in the background: 202 with a ``job`` to
follow at ``GET /content/uploads/{job}`` (gyanpath/uploads.py).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from corpus.errors import Problem, ValidationError
from gyanpath.accounts import Role
from gyanpath.api.auth import KeyDep, requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.errors import MalformedBodyError, RequestError
from gyanpath.api.openapi import error_responses
from gyanpath.api.schemas import TagOut
from gyanpath.content import (
    ContentManager,
    Kind,
    Parsed,
    Uploaded,
    case_study_from_file,
    case_study_from_json,
    course_from_json,
)
from gyanpath.uploads import UploadJob, UploadJobNotFoundError

router = APIRouter(prefix="/content", tags=["content"], dependencies=[Depends(requires(Role.AUTHOR))])

DocId = Annotated[str, Path(min_length=1, max_length=120)]
MAX_FORM_FIELD_BYTES = 64 * 1024


class DuplicateOut(BaseModel):
    doc_id: str
    kind: str
    title: str
    similarity: float


class UploadJobOut(BaseModel):
    job: str
    id: str = Field(description="The document's id.")
    kind: str
    status: str = Field(description="queued, indexing, done, failed or cancelled.")
    outcome: str | None = Field(description="Once done: added, updated or unchanged.")
    detail: str | None = Field(description="Why it failed, or what else to know.")
    snapshot_version: str | None = Field(description="Once done: the index snapshot that serves the document.")
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, job: UploadJob) -> UploadJobOut:
        return cls(
            job=job.id,
            id=job.doc_id,
            kind=job.kind,
            status=job.status,
            outcome=job.outcome,
            detail=job.detail,
            snapshot_version=job.snapshot_version,
            created_at=job.created_at,
            updated_at=job.updated_at,
        )


class UploadOut(BaseModel):
    id: str
    kind: str
    department: str | None
    outcome: str = Field(
        description="added, updated (a new version of the department's own), unchanged, or queued (indexed in "
        "the background: follow ``job``)."
    )
    snapshot_version: str | None = Field(
        description="The published index snapshot that serves the document; null while it is queued."
    )
    job: UploadJobOut | None = Field(default=None, description="The background indexing of a queued upload.")
    duplicates: list[DuplicateOut] = Field(description="Existing documents of the same kind it nearly duplicates.")
    suggested_tags: list[TagOut] = Field(description="Competency tags suggested by the authoring help.")
    sanitized: list[str] = Field(description="Hidden content (markup, zero-width characters) removed, by field.")

    @classmethod
    def of(cls, uploaded: Uploaded) -> UploadOut:
        return cls(
            id=uploaded.document.id,
            kind=uploaded.document.kind,
            department=uploaded.document.department,
            outcome=uploaded.outcome,
            snapshot_version=uploaded.snapshot_version,
            job=UploadJobOut.of(uploaded.job) if uploaded.job is not None else None,
            duplicates=[DuplicateOut(**vars(d)) for d in uploaded.review.duplicates],
            suggested_tags=[TagOut(**vars(t)) for t in uploaded.review.tags],
            sanitized=list(uploaded.sanitized),
        )


class DeletedOut(BaseModel):
    id: str
    kind: str
    snapshot_version: str | None


def _body_schema(kind: str, multipart: bool) -> dict[str, Any]:
    content: dict[str, Any] = {
        "application/json": {"schema": {"type": "object", "description": f"One {kind} record (docs/data-formats.md)."}}
    }
    if multipart:
        content["multipart/form-data"] = {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "A .md (front matter) or .pdf."},
                    "metadata": {"type": "string", "description": "For a PDF: its fields as a JSON or YAML object."},
                },
            }
        }
    return {"requestBody": {"required": True, "content": content}}


MAX_JSON_DEPTH = 32
"""Deepest nesting of objects and lists a JSON body may have (a record needs 4); checked before parsing."""


def json_depth(text: str) -> int:
    """The deepest nesting of ``{`` and ``[`` in JSON text, brackets inside strings not counted."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "}]":
            depth -= 1
    return deepest


async def _json(request: Request) -> Any:
    if not request.headers.get("content-type", "").lower().startswith("application/json"):
        raise RequestError("expected an application/json body", "content-type")
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedBodyError(f"the body is not UTF-8: {exc}") from exc
    if json_depth(text) > MAX_JSON_DEPTH:
        raise MalformedBodyError(f"the body nests objects and lists deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedBodyError(f"the body is not valid JSON: {exc}") from exc


async def _parse_case_study(request: Request) -> Parsed:
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return case_study_from_json(await _json(request))
    form = await request.form(max_files=1, max_fields=2, max_part_size=MAX_FORM_FIELD_BYTES)
    unknown = [name for name in form if name not in ("file", "metadata")]
    if unknown:
        raise RequestError("unexpected form field (known: file, metadata)", unknown[0])
    upload, metadata = form.get("file"), form.get("metadata")
    if not isinstance(upload, UploadFile):
        raise RequestError("expected a file in the 'file' form field", "file")
    if metadata is not None and not isinstance(metadata, str):
        raise RequestError("expected text (a JSON or YAML object) in the 'metadata' form field", "metadata")
    data = await upload.read()
    if not data:
        raise ValidationError([Problem(upload.filename or "file", None, "file", "the file is empty")])
    name, content_type = upload.filename or "upload", upload.content_type or ""
    return await run_in_threadpool(case_study_from_file, name, content_type, data, metadata)


async def _publish(services: ServicesDep, parsed: Parsed, key: KeyDep, response: Response) -> UploadOut:
    uploaded = await run_in_threadpool(ContentManager(services).upload, parsed, key)
    if uploaded.outcome == "queued":
        response.status_code = status.HTTP_202_ACCEPTED
        assert uploaded.job is not None
        response.headers["Location"] = f"/content/uploads/{uploaded.job.id}"
    elif uploaded.outcome != "added":
        response.status_code = status.HTTP_200_OK
    return UploadOut.of(uploaded)


UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": UploadOut, "description": "A new version of one of the department's own, or unchanged."},
    202: {"model": UploadOut, "description": "Too large to index while you wait: queued, follow ``job``."},
    **error_responses(409, 429, 503),
}


@router.post(
    "/courses",
    response_model=UploadOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_body_schema("course", False),
    responses=UPLOAD_RESPONSES,
)
async def upload_course(request: Request, key: KeyDep, services: ServicesDep, response: Response) -> UploadOut:
    """Add a course (JSON, the fields of a line of courses.jsonl) to the key's department, or replace one of its
    own (200). It is validated like ``gyanpath ingest``, stored and searchable when this answers."""
    return await _publish(services, course_from_json(await _json(request)), key, response)


@router.post(
    "/case-studies",
    response_model=UploadOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_body_schema("case study", True),
    responses=UPLOAD_RESPONSES,
)
async def upload_case_study(request: Request, key: KeyDep, services: ServicesDep, response: Response) -> UploadOut:
    """Add a case study of the key's department: JSON, a Markdown file with YAML front matter, or a PDF with its
    metadata (multipart ``file`` and ``metadata``). Private ones may be private to the key's department only."""
    return await _publish(services, await _parse_case_study(request), key, response)


JobId = Annotated[str, Path(min_length=1, max_length=40)]


@router.get("/uploads", response_model=list[UploadJobOut])
def upload_jobs(key: KeyDep, services: ServicesDep) -> list[UploadJobOut]:
    """The key's department's uploads indexed in the background, newest first (the last 50; finished ones are kept
    for 7 days)."""
    return [UploadJobOut.of(job) for job in services.upload_queue.jobs(key.department)]


@router.get("/uploads/{job_id}", response_model=UploadJobOut, responses=error_responses(404))
def upload_job(job_id: JobId, key: KeyDep, services: ServicesDep) -> UploadJobOut:
    """How a queued upload of the key's department is doing (another department's job is a 404 like an unknown
    one). Finished jobs are kept for 7 days."""
    job = services.upload_queue.get(job_id)
    if job.department != key.department:
        raise UploadJobNotFoundError(job_id)
    return UploadJobOut.of(job)


def _delete(services: ServicesDep, kind: Kind, doc_id: str, key: KeyDep) -> DeletedOut:
    version = ContentManager(services).delete(kind, doc_id, key)
    return DeletedOut(id=doc_id, kind=kind, snapshot_version=version)


@router.delete("/courses/{doc_id}", response_model=DeletedOut, responses=error_responses(404, 409, 503))
def delete_course(doc_id: DocId, key: KeyDep, services: ServicesDep) -> DeletedOut:
    """Delete a course of the key's department (403 for another's; 409 while other courses build on it)."""
    return _delete(services, "course", doc_id, key)


@router.delete("/case-studies/{doc_id}", response_model=DeletedOut, responses=error_responses(404, 409, 503))
def delete_case_study(doc_id: DocId, key: KeyDep, services: ServicesDep) -> DeletedOut:
    """Delete a case study of the key's department (403 for another's; 404 for one private to another)."""
    return _delete(services, "case_study", doc_id, key)
