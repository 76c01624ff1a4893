"""Every Embedder implementation honours the same contract; the real packaged models are exercised too."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings import KNOWN_EMBEDDERS, Embedder, UnknownEmbedderError, create_embedder

TEXTS = [
    "Report phishing emails to the IT nodal officer at once.",
    "Immunisation sessions are held at the anganwadi centre every Wednesday.",
    "The RTI Act 2005 requires a reply within thirty days.",
]


@pytest.fixture(
    params=["hashing", pytest.param("minilm", marks=pytest.mark.slow), pytest.param("e5", marks=pytest.mark.slow)]
)
def embedder(request: pytest.FixtureRequest) -> Embedder:
    if request.param == "hashing":
        return create_embedder("hashing")
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


class TestEmbedderContract:
    def test_identity(self, embedder: Embedder) -> None:
        assert isinstance(embedder, Embedder)
        assert embedder.model_id and embedder.dimension > 0

    def test_documents_are_unit_float32_rows(self, embedder: Embedder) -> None:
        vectors = embedder.embed_documents(TEXTS, batch_size=2)
        assert vectors.shape == (3, embedder.dimension)
        assert vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    def test_empty_input_gives_empty_matrix(self, embedder: Embedder) -> None:
        assert embedder.embed_documents([]).shape == (0, embedder.dimension)

    def test_query_is_one_row(self, embedder: Embedder) -> None:
        query = embedder.embed_query("how to report a phishing email")
        assert query.shape == (1, embedder.dimension)
        np.testing.assert_allclose(np.linalg.norm(query), 1.0, atol=1e-5)

    def test_batching_does_not_change_results(self, embedder: Embedder) -> None:
        one_by_one = np.vstack([embedder.embed_documents([t]) for t in TEXTS])
        together = embedder.embed_documents(TEXTS, batch_size=3)
        np.testing.assert_allclose(one_by_one, together, atol=1e-4)

    def test_query_is_closest_to_its_passage(self, embedder: Embedder) -> None:
        scores = embedder.embed_documents(TEXTS) @ embedder.embed_query("phishing emails report nodal officer").T
        assert int(np.argmax(scores)) == 0


@pytest.mark.slow
def test_e5_matches_hindi_question_to_english_passage(e5: Embedder) -> None:
    passages = e5.embed_documents(TEXTS)
    query = e5.embed_query("सूचना के अधिकार के आवेदन का उत्तर कितने दिनों में देना होता है?")
    assert int(np.argmax(passages @ query.T)) == 2


@pytest.mark.slow
def test_e5_distinguishes_query_and_passage_prefixes(e5: Embedder) -> None:
    text = "cold chain for vaccines"
    assert not np.allclose(e5.embed_query(text), e5.embed_documents([text]))


def test_unknown_embedder_lists_the_known_ones() -> None:
    with pytest.raises(UnknownEmbedderError) as info:
        create_embedder("bert-large")
    message = str(info.value)
    assert "bert-large" in message
    for name in KNOWN_EMBEDDERS:
        assert name in message


def test_hashing_is_deterministic_across_instances() -> None:
    a, b = create_embedder("hashing"), create_embedder("hashing")
    np.testing.assert_array_equal(a.embed_documents(TEXTS), b.embed_documents(TEXTS))
