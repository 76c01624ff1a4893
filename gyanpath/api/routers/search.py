from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from corpus.language_id import detect_language
from corpus.types import DEPARTMENTS, LANGUAGES, Filters
from gyanpath.accounts import Role
from gyanpath.api.auth import KeyDep, requires
from gyanpath.api.deps import ServicesDep
from gyanpath.api.openapi import error_responses
from gyanpath.api.schemas import HitOut, SearchOut

router = APIRouter(tags=["search"], dependencies=[Depends(requires(Role.LEARNER))])

Kind = Literal["course", "case_study", "help"]
Language = Literal[LANGUAGES]  # type: ignore[valid-type]
Department = Literal[DEPARTMENTS]  # type: ignore[valid-type]


@router.get("/search", response_model=SearchOut, responses=error_responses(503))
def search(
    services: ServicesDep,
    key: KeyDep,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="The query, in any supported language.")],
    k: Annotated[int, Query(ge=1, le=50, description="How many results.")] = 10,
    kind: Annotated[list[Kind] | None, Query(description="Only these kinds.")] = None,
    lang: Annotated[list[Language] | None, Query(description="Only these languages.")] = None,
    department: Annotated[list[Department] | None, Query(description="Only these departments.")] = None,
    competency: Annotated[list[str] | None, Query(max_length=20, description="Competency ids.")] = None,
    mode: Annotated[Literal["hybrid", "lexical", "dense"], Query()] = "hybrid",
    passages: Annotated[bool, Query(description="All passages instead of the best one per document.")] = False,
) -> SearchOut:
    """Hybrid lexical + dense search, filtered before top-k. Runs in the thread pool (a sync endpoint).

    A document and its translations are one result: the version in the query's language where it exists, with the
    languages of the others in ``also_in``.

    Private case studies of the key's department are included; ``department`` only narrows the results."""
    filters = Filters(
        kinds=frozenset(kind) if kind else None,
        languages=frozenset(lang) if lang else None,
        departments=frozenset(department) if department else None,
        competencies=frozenset(competency) if competency else None,
    )
    k = min(k, services.settings.search_max_k)
    hits = services.retriever.retrieve(
        q,
        k=k,
        filters=filters,
        viewer=key.viewer,
        mode=mode,
        per_document=not passages,
        prefer_language=detect_language(q),
    )
    degraded = services.retriever.model.snapshot is None
    return SearchOut(
        query=q, mode="lexical" if degraded else mode, degraded=degraded, results=[HitOut(**asdict(h)) for h in hits]
    )
