"""Pydantic models at the API edge only; the core speaks frozen dataclasses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HitOut(BaseModel):
    chunk_id: int
    doc_id: str
    kind: str
    title: str
    section: str
    text: str
    start: int = Field(description="Character offset of the passage in the document body.")
    end: int
    page: int | None
    language: str
    department: str | None
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    also_in: list[str] = Field(
        default_factory=list,
        description="Languages this document also exists in (its translations, folded into this result).",
    )


class SearchOut(BaseModel):
    query: str
    mode: str
    degraded: bool = Field(description="True when dense search is unavailable and results are lexical only.")
    results: list[HitOut]


class HealthOut(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    status: str = Field(description="ok, or degraded when the snapshot is missing, stale or rebuilding.")
    detail: str
    model_id: str
    snapshot_version: str | None
    rebuilding: bool
    counts: dict[str, int]
    vectors: int


class ReadyOut(BaseModel):
    ready: bool = Field(description="Always true: a worker that is not ready answers 503 index_not_ready.")
    detail: str


class ErrorOut(BaseModel):
    error: str = Field(description="A stable machine-readable code.")
    detail: str
    field: str | None = None


class TagOut(BaseModel):
    """A competency suggested for a text, with the tagger's calibrated confidence."""

    competency_id: str
    name: str
    similarity: float
    confidence: float = Field(description="Calibrated probability that a curator would tag it.")
