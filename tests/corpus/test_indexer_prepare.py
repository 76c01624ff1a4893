"""Vectors embedded before a document is stored (corpus/indexer.py ``prepare`` / ``store_prepared``): the same
vectors a build would embed, stored in the document's own transaction, and refused when the passages differ."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corpus.chunking import chunk_document
from corpus.indexer import IndexBuilder, chunk_sentences, embedding_load
from corpus.store import Store
from corpus.types import CaseStudy
from embeddings import SnapshotStore
from embeddings.hashing import HashingEmbedder

BODY = (
    "## What was done\nThe block office opened a grievance register in March.\nCases were heard every Monday, "
    "and pension cases fell from 412 to 37.\n\n## Results\nThe district copied the register in 2024. "
) * 6


def case(doc_id: str, body: str = BODY) -> CaseStudy:
    return CaseStudy(
        id=doc_id, title="Grievance register", body=body, department="health", sector="social-welfare",
        year=2023, language="en", source="test",
    )  # fmt: skip


def builder(store: Store, root: Path) -> IndexBuilder:
    return IndexBuilder(store, HashingEmbedder(), SnapshotStore(root))


def stored_vectors(store: Store, model_id: str, doc_id: str) -> tuple[np.ndarray, dict[tuple[int, int], np.ndarray]]:
    """A document's passage vectors in reading order, and its sentence vectors by (passage ordinal, start)."""
    chunks = store.document_chunks(doc_id)
    ids, vectors = store.embeddings(model_id, 256)
    by_id = dict(zip(ids.tolist(), vectors, strict=True))
    sentences = {}
    for stored in chunks:
        keys = [(stored.id, start, end) for start, end, _ in chunk_sentences(stored.chunk)]
        found = store.sentence_vectors(model_id, keys)
        sentences.update({(stored.chunk.ordinal, key[1]): vector for key, vector in found.items()})
    return np.stack([by_id[c.id] for c in chunks]), sentences


def test_prepared_vectors_equal_what_a_build_embeds(empty_store: Store, tmp_path: Path) -> None:
    built_store = Store.open(tmp_path / "built.db")
    built_store.upsert_document(case("cs-a"))
    reference = builder(built_store, tmp_path / "built-index")
    reference.build()

    prepared_builder = builder(empty_store, tmp_path / "index")
    prepared = prepared_builder.prepare(case("cs-a"))
    with empty_store.transaction():
        empty_store.upsert_document(case("cs-a"))
        assert prepared_builder.store_prepared("cs-a", prepared)
    model = prepared_builder.embedder.model_id
    assert empty_store.chunks_without_embedding(model) == []
    assert prepared_builder.embed_sentences() == 0  # every sentence already there
    ours, our_sentences = stored_vectors(empty_store, model, "cs-a")
    theirs, their_sentences = stored_vectors(built_store, model, "cs-a")
    np.testing.assert_array_equal(ours, theirs)
    assert our_sentences.keys() == their_sentences.keys() and len(our_sentences) > 6
    for key, vector in our_sentences.items():
        np.testing.assert_array_equal(vector, their_sentences[key])
    built_store.close()


def test_other_passages_than_prepared_are_not_given_its_vectors(empty_store: Store, tmp_path: Path) -> None:
    prepared_builder = builder(empty_store, tmp_path / "index")
    prepared = prepared_builder.prepare(case("cs-b"))
    with empty_store.transaction():
        empty_store.upsert_document(case("cs-b", body=BODY + "One more paragraph about the register."))
        assert not prepared_builder.store_prepared("cs-b", prepared)
    assert len(empty_store.chunks_without_embedding(prepared_builder.embedder.model_id)) > 0  # the build embeds them


def test_embedding_load_counts_passages_and_sentences() -> None:
    chunks = chunk_document(case("cs-c"))
    with_sentences = embedding_load(chunks)
    without = embedding_load(chunks, sentences=False)
    assert len(BODY) < without < with_sentences < 3 * without
    assert without < embedding_load(chunks, limit=without + 10) < with_sentences  # counting stops past the limit
    assert embedding_load(chunks, limit=10) == without
