"""The tutor's statistics count only what the viewer may see: another department's private case study must not move
the answerability features, the evidence ranking or the decision to answer (a rare word it holds would otherwise lower
that word's idf, and make the word "known", for everyone)."""

from __future__ import annotations

import numpy as np
import pytest

from corpus.ingest import IngestSources, ingest
from corpus.lexical import BM25Index
from corpus.types import DEPARTMENTS, Viewer
from gyanpath.services import Services
from tests.conftest import MINI
from tests.tutor.test_answerability import DOCUMENT, SURVEY, evidence
from tutor.answerability import Context, features
from tutor.evidence import weighted_terms
from tutor.tutor import AskOptions, Tutor

PRIVATE = "cs-police-internal-review"  # home-police only; holds "UPI", "1930", "golden hour", "Mysuru"
HEALTH = Viewer(frozenset({"health"}))
QUESTIONS = (
    "How did the Satara treasury respond to the phishing email after the UPI fraud in Mysuru?",
    "By how much did phishing clicks fall in the Satara drill within the golden hour?",
    "Who won the UPI cricket cup in Mysuru?",
)


def _observed(tutor: Tutor, question: str, viewer: Viewer | None) -> tuple[object, ...]:
    options = AskOptions(viewer=viewer)
    assessment = tutor.assess(question, options)
    answer = tutor.ask(question, options)
    evidence = [(e.hit.doc_id, e.start, e.end, round(e.score, 9)) for e in assessment.evidence]
    return (
        {name: round(value, 9) for name, value in assessment.features.items()},
        evidence,
        round(assessment.support, 9),
        assessment.threshold,
        answer.answered,
        answer.text,
        [(c.doc_id, c.start, c.end) for c in answer.citations],
    )


@pytest.mark.parametrize("viewer", [HEALTH, None], ids=["health", "anonymous"])
def test_another_departments_private_case_study_does_not_move_the_tutor(
    tutor: Tutor, services: Services, viewer: Viewer | None
) -> None:
    assert services.retriever.model.lexical.knows("upi")  # the private case study is in the corpus-wide index
    with_private = [_observed(tutor, q, viewer) for q in QUESTIONS]
    services.store.delete_document(PRIVATE)
    services.rebuild_index()
    assert not services.retriever.model.lexical.knows("upi")
    without_private = [_observed(tutor, q, viewer) for q in QUESTIONS]
    assert with_private == without_private
    ingest(services.store, IngestSources.bundle(MINI))
    services.rebuild_index()
    assert [_observed(tutor, q, viewer) for q in QUESTIONS] == with_private


def test_a_viewer_who_sees_everything_gets_the_corpus_wide_statistics(tutor: Tutor, services: Services) -> None:
    model = services.retriever.model
    assert model.lexicon(Viewer(frozenset(DEPARTMENTS))) is model.lexical
    assert model.lexicon(Viewer(frozenset({"home-police"}))) is model.lexical  # the only private case study is theirs
    assert model.lexicon(HEALTH).knows("upi") is False
    assert model.lexicon(HEALTH) is model.lexicon(Viewer(frozenset({"health"})))  # computed once, then cached


def test_features_over_a_view_equal_features_over_the_visible_passages_alone() -> None:
    public = [SURVEY.text, DOCUMENT, "टीकाकरण अभियान में अलवर के 12 गांव शामिल थे।"]
    private = "The zorblax audit of Mysuru found 1930 UPI mule accounts and a golden hour freeze."
    everything = BM25Index([public[0], private, *public[1:]])
    view = everything.visible_to(np.array([True, False, True, True]))
    alone = BM25Index(public)
    assert view.size == alone.size and view.max_idf == alone.max_idf
    assert view.vocabulary() == alone.vocabulary()
    for term in ("zorblax", "upi", "mysuru", "survey", "अलवर", "absent"):
        assert view.idf(term) == alone.idf(term)
        assert view.knows(term) == alone.knows(term)
    hindi = evidence("टीकाकरण अभियान में अलवर के 12 गांव शामिल थे।", "hi")  # an English question's cross-script evidence
    for question in ("Did the zorblax survey in Mysuru cover UPI?", "zorblax अलवर टीकाकरण कितने गांव"):
        assert weighted_terms(question, view) == weighted_terms(question, alone)
        for found in ((SURVEY,), (hindi,)):
            assert features(Context(question, found, DOCUMENT, view)) == features(
                Context(question, found, DOCUMENT, alone)
            )
    assert everything.visible_to(np.ones(4, dtype=bool)) is everything
