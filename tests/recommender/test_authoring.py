"""Authoring help over the mini corpus (hashing embedder): related content, near-duplicates, tags, coverage gaps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from corpus.types import Course, Level, Module
from embeddings import Vectors
from embeddings.hashing import HashingEmbedder
from gyanpath.services import Services
from recommender.authoring import Draft
from recommender.catalog import Catalog
from recommender.coverage import CourseCoverage
from recommender.errors import InvalidRequestError, UnknownIdError, UnknownRoleError
from recommender.paths import PathFinder
from recommender.planner import Planner
from recommender.semantic import (
    SAMPLED_PASSAGES,
    Semantic,
    draft_course,
    embed_documents_mean,
    evenly_spaced,
)
from recommender.tagging import TagSuggester
from recommender.types import Budget, PathRequest
from tests.recommender import toy

RTI = "f.handling-rti-matters.rti-responsiveness"


def test_related_content_goes_through_the_retriever(services: Services) -> None:
    authoring = services.recommender.authoring
    found = authoring.related(Draft("Phishing at the treasury", "A fake PFMS email asked staff for their password."))
    assert found[0].doc_id == "cs-phishing-treasury" and found[0].score > 0
    own = authoring.related(Draft(course_id="crs-cyber-basics-en"), kinds=frozenset({"course"}))
    assert "crs-cyber-basics-en" not in [r.doc_id for r in own] and all(r.kind == "course" for r in own)


def test_near_duplicates_are_flagged_above_the_threshold(services: Services) -> None:
    authoring = services.recommender.authoring
    original = services.store.get_document("crs-cyber-basics-en")
    assert isinstance(original, Course)
    copy = Draft(original.title, original.description, original.modules)
    flagged = authoring.near_duplicates(copy)
    assert [d.course_id for d in flagged] == ["crs-cyber-basics-en"] and flagged[0].similarity > 0.99
    unrelated = Draft("Answering RTI applications", "Thirty-day limit, exemptions and first appeals for PIOs.")
    assert authoring.near_duplicates(unrelated) == []
    assert authoring.near_duplicates(Draft(course_id="crs-cyber-basics-en")) == []  # not a duplicate of itself


def test_draft_input_errors_name_the_field(services: Services) -> None:
    authoring = services.recommender.authoring
    with pytest.raises(InvalidRequestError) as caught:
        authoring.related(Draft())
    assert caught.value.field == "title"
    with pytest.raises(InvalidRequestError) as caught:
        authoring.tags(Draft("x", "y", course_id="crs-cyber-basics-en"))
    assert caught.value.field == "course_id"
    with pytest.raises(UnknownIdError) as unknown:
        authoring.tags(Draft(course_id="crs-nope"))
    assert unknown.value.field == "course_id"


def test_tags_for_a_draft_rank_the_matching_competency_first() -> None:
    catalog = Catalog.build(toy.courses(), [toy.role()], toy.competencies())
    tagger = TagSuggester(Semantic(HashingEmbedder(), catalog))
    draft = Semantic(HashingEmbedder(), catalog).draft_vector(
        "Mutation of land records", "Updating land records after sale or inheritance of land."
    )
    tags = tagger.suggest(draft, k=3)
    assert tags[0].competency_id == toy.cid("land")
    assert all(0.0 <= t.confidence <= 1.0 for t in tags) and tags[0].confidence >= tags[-1].confidence
    assert tagger.calibrated


def test_a_draft_with_a_title_only_is_represented_by_its_title() -> None:
    """A title without a description has no passage; it used to average nothing into a NaN vector (no tags)."""
    catalog = Catalog.build(toy.courses(), [toy.role()], toy.competencies())
    semantic = Semantic(HashingEmbedder(), catalog)
    vector = semantic.draft_vector("Mutation of land records", "", ())
    assert np.isfinite(vector).all() and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert TagSuggester(semantic).suggest(vector, k=1)[0].competency_id == toy.cid("land")


def test_untagged_course_gets_suggested_tags_used_at_a_discount() -> None:
    untagged = toy.course(
        "land-records-clinic",
        60,
        Level.BEGINNER,
        [],
        title="Mutation of land records",
        description="Updating land records after sale or inheritance of land.",
    )
    catalog = Catalog.build([*toy.courses(), untagged], [toy.role()], toy.competencies())
    tagger = TagSuggester(Semantic(HashingEmbedder(), catalog))
    coverage = CourseCoverage(catalog, tagger)
    entries = coverage.entries["land-records-clinic"]
    assert entries and entries[0].competency_id == toy.cid("land") and entries[0].source == "suggested"
    assert coverage.weight(entries[0]) == pytest.approx(entries[0].confidence * 0.5)
    finder = PathFinder(catalog, coverage, Planner(catalog, coverage))
    path = finder.find(PathRequest(role="role-patwari", budget=Budget.of_hours(40)))
    step = next(s for s in path.steps if s.course_id == "land-records-clinic")
    assert step.closes[0].source == "suggested" and 0 < step.closes[0].confidence < 1
    assert any("suggested from its text" in reason for reason in step.reasons)


def test_coverage_gaps_known_answers(services: Services) -> None:
    recommender = services.recommender
    pio = recommender.coverage_gaps(role="role-pio")
    assert [(g.competency_id, g.level, g.people) for g in pio] == [(RTI, Level.INTERMEDIATE, 1200)]
    assert pio[0].roles[0].role_id == "role-pio" and pio[0].courses == ()
    strict = recommender.coverage_gaps(role="role-pio", min_courses=2)
    assert {(g.competency_id, g.level) for g in strict} == {
        (RTI, Level.INTERMEDIATE),
        (RTI, Level.BEGINNER),
        ("d.cyber-security.cyber-security", Level.BEGINNER),
    }
    whole = recommender.coverage_gaps()
    assert len(whole) == 9 - 3 and whole[0].competency_id == RTI and whole[0].people == 1200
    assert recommender.coverage_gaps(department="general-administration") == pio
    with pytest.raises(InvalidRequestError) as caught:
        recommender.coverage_gaps(department="health")
    assert caught.value.field == "department"
    with pytest.raises(UnknownRoleError):
        recommender.coverage_gaps(role="role-nobody")


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        self.texts += len(texts)
        return super().embed_documents(texts, batch_size=batch_size)


def test_a_long_draft_is_embedded_from_a_sample_of_its_passages() -> None:
    """A draft at its limits (~100 passages) costs 8 passages of embedding, and lands where the full mean does."""
    catalog = Catalog.build(toy.courses(), [toy.role()], toy.competencies())
    embedder = CountingEmbedder()
    modules = [Module(f"Module {n}", f"Mutation of land records after sale, step {n}. " * 40) for n in range(50)]
    sampled = Semantic(embedder, catalog).draft_vector("Mutation", "Updating land records after a sale.", modules)
    assert embedder.texts == SAMPLED_PASSAGES
    full = embed_documents_mean(
        HashingEmbedder(), [draft_course("Mutation", "Updating land records after a sale.", modules)]
    )
    assert float(sampled[0] @ full[0]) > 0.99
    assert evenly_spaced(list(range(10)), 4) == [0, 3, 6, 9] and evenly_spaced([1, 2], 8) == [1, 2]


def test_competency_and_role_vectors_outlive_the_recommender(services: Services) -> None:
    """The recommender is rebuilt after every upload; the taxonomy's vectors are not embedded again."""
    first = services.recommender.semantic
    kept = len(first.competencies) + len(first.roles)
    services.load_index()  # what an upload does: the next use builds a new recommender
    embedder = CountingEmbedder()
    second = Semantic(embedder, services.recommender.catalog, services.store, services.text_vectors)
    np.testing.assert_array_equal(second.competencies, first.competencies)
    np.testing.assert_array_equal(second.roles, first.roles)
    assert embedder.texts == 0 and services.warm_text_vectors() == kept
