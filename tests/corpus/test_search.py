"""Hybrid retrieval over the mini corpus: known answers, filters, access control, deletes and degraded mode."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import IndexNotReadyError
from corpus.search import HybridRetriever
from corpus.types import DEPARTMENTS, Filters, Viewer
from gyanpath.services import Services

POLICE = Viewer(frozenset({"home-police"}))


def doc_ids(services: Services, query: str, **kwargs: object) -> list[str]:
    return [h.doc_id for h in services.retriever.retrieve(query, per_document=True, **kwargs)]  # type: ignore[arg-type]


def test_known_answers(services: Services) -> None:
    assert doc_ids(services, "phishing email PFMS password", k=1) == ["cs-phishing-treasury"]
    assert doc_ids(services, "टीकाकरण कवरेज अलवर", k=1) == ["cs-tika-hi"]
    assert doc_ids(services, "machine learning bias hallucination", k=1) == ["crs-ai-basics-en"]


def test_hits_carry_fused_ranks_and_offsets(services: Services) -> None:
    hit = services.retriever.retrieve("phishing PFMS helpdesk password", k=1)[0]
    assert hit.lexical_rank == 1 and hit.dense_rank is not None
    body = services.store.get_document(hit.doc_id).body  # type: ignore[union-attr]
    assert body[hit.start : hit.end] == hit.text


def test_private_case_study_fails_closed(services: Services) -> None:
    query = "UPI fraud complaint 1930 helpline golden hour"
    assert "cs-police-internal-review" not in doc_ids(services, query, k=10)
    assert "cs-police-internal-review" not in doc_ids(services, query, k=10, viewer=Viewer(frozenset({"health"})))
    assert doc_ids(services, query, k=1, viewer=POLICE) == ["cs-police-internal-review"]


def test_filters(services: Services) -> None:
    assert set(doc_ids(services, "cyber", k=10, filters=Filters(kinds=frozenset({"course"})))) <= {
        "crs-cyber-basics-en",
        "crs-ai-basics-en",
        "crs-rti-hi",
    }
    assert doc_ids(services, "सूचना का अधिकार", k=1, filters=Filters(languages=frozenset({"hi"}))) == ["crs-rti-hi"]
    assert set(doc_ids(services, "सूचना", k=10, filters=Filters(languages=frozenset({"hi"})))) <= {
        "crs-rti-hi",
        "cs-tika-hi",
    }
    only_rti = Filters(competencies=frozenset({"f.handling-rti-matters.rti-responsiveness"}))
    assert doc_ids(services, "information officer reply", k=10, filters=only_rti) == ["crs-rti-hi"]
    health_only = services.retriever.retrieve("phishing", k=10, filters=Filters(departments=frozenset({"health"})))
    assert {h.department for h in health_only} <= {"health"}


def test_delete_reaches_the_index(services: Services) -> None:
    assert "cs-phishing-treasury" in doc_ids(services, "phishing PFMS", k=3)
    services.store.delete_document("cs-phishing-treasury")
    services.rebuild_index()
    assert services.retriever.model.manifest is not None
    assert services.retriever.model.manifest.vector_count == len(services.store.chunk_ids())
    assert "cs-phishing-treasury" not in doc_ids(services, "phishing PFMS", k=10, mode="dense")
    assert "cs-phishing-treasury" not in doc_ids(services, "phishing PFMS", k=10)


def test_without_snapshot_search_is_lexical_and_health_degraded(services: Services) -> None:
    services.store.delete_document("crs-rti-hi")  # the snapshot is now stale
    assert services.load_index() is False
    assert services.health.state == "degraded" and "rebuild" in services.health.detail
    assert doc_ids(services, "phishing", k=1) == ["cs-phishing-treasury"]
    with pytest.raises(IndexNotReadyError):
        services.retriever.retrieve("phishing", mode="dense")


def test_unloaded_retriever_says_so(services: Services) -> None:
    with pytest.raises(IndexNotReadyError):
        HybridRetriever(services.store, services.embedder).retrieve("anything")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    departments=st.sets(st.sampled_from(DEPARTMENTS), max_size=3),
    query=st.sampled_from(["fraud 1930", "phishing", "टीकाकरण", "RTI", "AI bias", "helpline complaint police"]),
    k=st.integers(1, 12),
    mode=st.sampled_from(["hybrid", "lexical", "dense"]),
)
def test_a_viewer_never_sees_another_departments_private_case(
    services: Services, departments: set[str], query: str, k: int, mode: str
) -> None:
    viewer = Viewer(frozenset(departments))
    for hit in services.retriever.retrieve(query, k=k, viewer=viewer, mode=mode):  # type: ignore[arg-type]
        visibility = next(d.visibility for d in services.retriever.model.docs if d.id == hit.doc_id)
        assert visibility == "public" or visibility in departments


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_another_departments_private_case_study_does_not_move_anyones_scores(services: Services, mode: str) -> None:
    """BM25's idf and length statistics and the language centring count only what the viewer may see."""
    from corpus.ingest import IngestSources, ingest
    from tests.conftest import MINI

    query = "UPI fraud complaint helpline golden hour mule accounts"
    health = Viewer(frozenset({"health"}))

    def answer() -> list[tuple[str, float]]:
        hits = services.retriever.retrieve(query, k=10, viewer=health, mode=mode)  # type: ignore[arg-type]
        return [(h.doc_id, round(h.score, 9)) for h in hits]

    with_private = answer()
    services.store.delete_document("cs-police-internal-review")
    services.rebuild_index()
    without_private = answer()
    assert with_private == without_private and with_private
    ingest(services.store, IngestSources.bundle(MINI))
    services.rebuild_index()
    assert answer() == with_private
