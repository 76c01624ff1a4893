"""VectorIndex contract for every FAISS kind, checked against brute-force search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from embeddings import FaissIndex, IndexKind, normalize_rows

DIM = 32


def random_vectors(n: int, seed: int = 0) -> np.ndarray:
    return normalize_rows(np.random.default_rng(seed).standard_normal((n, DIM)))


def brute_force(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = vectors @ query.reshape(-1)
    return [int(ids[i]) for i in np.argsort(-scores, kind="stable")[:k]]


@pytest.fixture(params=[IndexKind.FLAT, IndexKind.HNSW, IndexKind.IVF])
def kind(request: pytest.FixtureRequest) -> IndexKind:
    return request.param  # type: ignore[no-any-return]


class TestVectorIndexContract:
    def build(self, kind: IndexKind, n: int = 400) -> tuple[FaissIndex, np.ndarray, np.ndarray]:
        vectors = random_vectors(n)
        ids = np.arange(1000, 1000 + n, dtype=np.int64)
        index = FaissIndex(DIM, kind, expected_size=n)
        index.add(ids, vectors)
        return index, ids, vectors

    def test_search_agrees_with_brute_force(self, kind: IndexKind) -> None:
        index, ids, vectors = self.build(kind)
        queries = random_vectors(20, seed=1)
        found = index.search(queries, 10)
        overlap = np.mean(
            [
                len({i for i, _ in row} & set(brute_force(vectors, ids, q, 10))) / 10
                for row, q in zip(found, queries, strict=True)
            ]
        )
        assert overlap == 1.0 if kind is IndexKind.FLAT else overlap >= 0.6

    def test_scores_are_inner_products(self, kind: IndexKind) -> None:
        index, ids, vectors = self.build(kind)
        (best_id, score), *_ = index.search(vectors[:1], 1)[0]
        assert best_id == ids[0]
        assert score == pytest.approx(1.0, abs=1e-4)

    def test_remove_drops_ids(self, kind: IndexKind) -> None:
        index, ids, vectors = self.build(kind)
        index.remove(ids[:5].tolist())
        assert len(index) == len(ids) - 5
        assert not set(index.ids().tolist()) & set(ids[:5].tolist())
        assert all(i not in ids[:5] for i, _ in index.search(vectors[:5], 3)[0])

    def test_allow_list_applies_before_top_k(self, kind: IndexKind) -> None:
        index, ids, vectors = self.build(kind)
        allow = ids[-3:]
        row = index.search(vectors[:1], 10, allow=allow)[0]
        assert {i for i, _ in row} == set(allow.tolist())

    def test_empty_allow_list_returns_nothing(self, kind: IndexKind) -> None:
        index, _, vectors = self.build(kind)
        assert index.search(vectors[:1], 5, allow=np.array([], dtype=np.int64)) == [[]]

    def test_save_load_round_trip(self, kind: IndexKind, tmp_path: Path) -> None:
        index, _ids, vectors = self.build(kind)
        index.save(tmp_path / "index.faiss")
        loaded = FaissIndex.load(tmp_path / "index.faiss")
        assert loaded.kind is kind and len(loaded) == len(index)
        assert loaded.search(vectors[:3], 5) == index.search(vectors[:3], 5)

    def test_rejects_duplicate_ids_and_wrong_dimension(self, kind: IndexKind) -> None:
        index, ids, vectors = self.build(kind)
        with pytest.raises(ValueError, match="unique"):
            index.add(ids[:1], vectors[:1])
        with pytest.raises(ValueError, match="dimension"):
            index.add([1], np.ones((1, DIM + 1), dtype=np.float32))


def test_auto_picks_flat_for_small_corpora() -> None:
    assert FaissIndex(DIM, IndexKind.AUTO, expected_size=1000).kind is IndexKind.FLAT
    assert FaissIndex(DIM, IndexKind.AUTO, expected_size=10_000_000).kind is IndexKind.HNSW


FLAT_VECTORS = random_vectors(300, seed=7)
FLAT_IDS = np.arange(300, dtype=np.int64) * 3 + 11


@settings(max_examples=60, deadline=None)
@given(
    allowed=st.sets(st.integers(0, 299), max_size=40),
    query_row=st.integers(0, 299),
    k=st.integers(1, 30),
    kind=st.sampled_from([IndexKind.FLAT, IndexKind.HNSW]),
)
def test_filtered_search_never_returns_a_disallowed_id(
    allowed: set[int], query_row: int, k: int, kind: IndexKind
) -> None:
    index = FaissIndex(DIM, kind)
    index.add(FLAT_IDS, FLAT_VECTORS)
    allow = FLAT_IDS[sorted(allowed)]
    row = index.search(FLAT_VECTORS[query_row : query_row + 1], k, allow=allow)[0]
    assert {i for i, _ in row} <= set(allow.tolist())
    if kind is IndexKind.FLAT:
        assert len(row) == min(k, len(allow))
