"""bench.scale_index at a small size: the synthetic vectors look like real ones, the exact baseline is exact, and
every approximate kind finds the exact top 10, with and without an allow-list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.scale_index import (
    RECALL_GOAL,
    goal_rows,
    measure,
    real_vectors,
    rows,
    synthesize,
    workload,
)
from embeddings import IndexKind


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, np.ndarray]:
    return real_vectors("hashing", 400, tmp_path_factory.mktemp("cache"))


def test_real_vectors_are_cached(real: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    passages, queries = real
    assert passages.shape == (400, 256) and queries.shape[1] == 256
    again = real_vectors("hashing", 400, tmp_path)
    assert (tmp_path / "scale-index-hashing-400.npz").exists()
    np.testing.assert_allclose(real_vectors("hashing", 400, tmp_path)[0], again[0])


def test_synthetic_vectors_are_unit_and_stay_near_the_real_ones(real: tuple[np.ndarray, np.ndarray]) -> None:
    passages, _ = real
    grown = synthesize(passages, 2000, np.random.default_rng(0), batch=700)
    np.testing.assert_allclose(np.linalg.norm(grown, axis=1), 1.0, atol=1e-5)
    nearest_real = (grown @ passages.T).max(axis=1)
    random_unit = np.random.default_rng(1).standard_normal(grown.shape)
    random_unit /= np.linalg.norm(random_unit, axis=1, keepdims=True)
    assert nearest_real.mean() > 0.6 > (random_unit @ passages.T).max(axis=1).mean()


def test_approximate_kinds_find_the_exact_top_ten(real: tuple[np.ndarray, np.ndarray]) -> None:
    work = workload(*real, size=5000, query_count=40)
    assert len(work.queries) == 40 and len(work.allow) == 4500
    sweeps = {IndexKind.HNSW: [16, 64], IndexKind.IVF: [2]}
    results, swept = measure(work, [IndexKind.FLAT, IndexKind.HNSW, IndexKind.IVF], 20, 1, sweeps)
    by_kind = {r.kind: r for r in results}
    assert by_kind["flat"].search.recall == by_kind["flat"].search.filtered_recall == 1.0
    for kind in ("hnsw", "ivf"):
        assert by_kind[kind].search.recall >= RECALL_GOAL and by_kind[kind].search.filtered_recall >= RECALL_GOAL
        assert by_kind[kind].build_s > 0 and by_kind[kind].file_mb > 0
    assert [r.breadth for r in swept] == ["efSearch 16", "efSearch 64", "nprobe 2"]
    narrow, wide = swept[0].search, swept[1].search
    assert narrow.recall <= wide.recall
    assert [row[1] for row in rows(results)] == ["flat (auto)", "hnsw", "ivf"]
    assert [row[:3] + row[4:] for row in goal_rows(results)] == [["5,000", "flat", "1.000 / 1.000", "yes"]]
