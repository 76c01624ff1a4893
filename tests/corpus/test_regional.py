"""Regional-language documents through the normal ingest path, and search that treats a document and its
translations as one result in the reader's language."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus.errors import ValidationError
from corpus.ingest import IngestSources, ingest
from corpus.sentences import clean_text, sentence_spans
from corpus.store import Store
from corpus.types import CaseStudy, Filters
from gyanpath.services import Services

REGIONAL = Path(__file__).parents[1] / "data" / "regional"


@pytest.fixture
def with_translations(services: Services) -> Services:
    ingest(services.store, IngestSources(case_studies=sorted(REGIONAL.glob("*.md"))))
    services.rebuild_index()
    return services


def test_translations_are_stored_with_their_link_and_language(with_translations: Services) -> None:
    tamil = with_translations.store.get_document("cs-phishing-treasury-ta")
    assert isinstance(tamil, CaseStudy)
    assert (tamil.language, tamil.translation_of, tamil.district) == ("ta", "cs-phishing-treasury", "சதாரா")
    rows = {r.id: r for r in with_translations.store.document_rows()}
    assert rows["cs-phishing-treasury-ur"].translation_of == "cs-phishing-treasury"


def test_wrapped_urdu_body_splits_at_urdu_sentence_marks(with_translations: Services) -> None:
    urdu = with_translations.store.get_document("cs-phishing-treasury-ur")
    assert isinstance(urdu, CaseStudy)
    found = [clean_text(urdu.body[a:b]) for a, b in sentence_spans(urdu.body)]
    assert "ستارا کا ضلعی خزانہ ضلع کے 14,000 سرکاری ملازمین کی ماہانہ تنخواہیں اور پنشن ادا کرتا ہے۔" in found
    assert "کیا رقم بچ گئی؟" in found


def test_translation_of_an_unknown_case_study_is_refused(tmp_path: Path, empty_store: Store) -> None:
    text = (REGIONAL / "cs-phishing-treasury-ta.md").read_text(encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text(text.replace("translation_of: cs-phishing-treasury", "translation_of: cs-nowhere"), "utf-8")
    with pytest.raises(ValidationError) as caught:
        ingest(empty_store, IngestSources(case_studies=[bad]))
    problem = caught.value.problems[0]
    assert problem.field == "translation_of" and "cs-nowhere" in problem.message and str(bad) in problem.source
    assert empty_store.document_ids() == set()


def test_a_question_gets_the_member_in_its_own_language(with_translations: Services) -> None:
    retriever = with_translations.retriever
    tamil = retriever.retrieve("ஃபிஷிங் கிளிக்குகள் எவ்வளவு குறைந்தன", k=5, per_document=True, prefer_language="ta")
    ids = [h.doc_id for h in tamil]
    assert ids[0] == "cs-phishing-treasury-ta" and "cs-phishing-treasury" not in ids
    assert tamil[0].also_in == ("en", "ur")
    english = retriever.retrieve("phishing clicks in the drill", k=5, per_document=True, prefer_language="en")
    ids = [h.doc_id for h in english]
    assert ids[0] == "cs-phishing-treasury" and not {"cs-phishing-treasury-ta", "cs-phishing-treasury-ur"} & set(ids)
    assert english[0].also_in == ("ta", "ur")


def test_without_a_preference_every_member_is_a_result(with_translations: Services) -> None:
    hits = with_translations.retriever.retrieve("phishing PFMS 2022", k=10, per_document=True)
    assert {"cs-phishing-treasury", "cs-phishing-treasury-ta", "cs-phishing-treasury-ur"} <= {h.doc_id for h in hits}
    assert all(h.also_in == () for h in hits)


def test_a_member_outside_the_filters_is_not_named(with_translations: Services) -> None:
    hits = with_translations.retriever.retrieve(
        "phishing", k=5, per_document=True, prefer_language="en", filters=Filters(languages=frozenset({"en", "ta"}))
    )
    top = next(h for h in hits if h.doc_id == "cs-phishing-treasury")
    assert top.also_in == ("ta",)


def test_language_centering_keeps_the_order_within_one_language(with_translations: Services) -> None:
    retriever = with_translations.retriever
    model = retriever.model
    assert model.language_means is not None and {"en", "hi", "ta", "ur"} <= set(model.language_means)
    english_only = Filters(languages=frozenset({"en"}))
    orders = []
    for weight in (0.0, 1.0):
        retriever.language_centering = weight
        orders.append([h.chunk_id for h in retriever.retrieve("treasury password", k=8, filters=english_only)])
    assert orders[0] == orders[1]


def test_english_questions_are_not_centred(with_translations: Services) -> None:
    retriever = with_translations.retriever
    orders = []
    for weight in (0.0, 1.0):
        retriever.language_centering = weight
        orders.append([h.chunk_id for h in retriever.retrieve("phishing drill clicks", k=10)])
    assert orders[0] == orders[1]


def test_language_means_are_the_mean_vectors_of_each_language(with_translations: Services) -> None:
    model = with_translations.retriever.model
    store, embedder = with_translations.store, with_translations.embedder
    ids, vectors = store.embeddings(embedder.model_id, embedder.dimension)
    doc_language = {d.id: d.language for d in model.docs}
    language = {c.id: doc_language[c.chunk.doc_id] for c in store.chunks()}
    tamil = np.array([language[int(i)] == "ta" for i in ids])
    assert model.language_means is not None
    np.testing.assert_allclose(model.language_means["ta"], vectors[tamil].mean(axis=0), atol=1e-5)


def test_without_a_member_in_the_question_language_the_original_is_shown(with_translations: Services) -> None:
    # Urdu words rank the Urdu member first; a Hindi reader is shown the original instead
    retriever = with_translations.retriever
    plain = retriever.retrieve("فشنگ کلکس", k=5, per_document=True)
    assert plain[0].doc_id == "cs-phishing-treasury-ur"
    hindi = retriever.retrieve("فشنگ کلکس", k=5, per_document=True, prefer_language="hi")
    assert hindi[0].doc_id == "cs-phishing-treasury" and hindi[0].also_in == ("ta", "ur")
