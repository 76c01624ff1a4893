"""The vector index: FAISS inner-product search over unit vectors, keyed by 64-bit integer ids."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TypeAlias

import faiss
import numpy as np
import numpy.typing as npt

from embeddings.base import Vectors
from embeddings.errors import SnapshotCorruptError
from embeddings.kinds import IndexKind as IndexKind

Ids: TypeAlias = npt.NDArray[np.int64]
SearchResult: TypeAlias = list[list[tuple[int, float]]]

HNSW_NEIGHBOURS = 32
HNSW_EF_SEARCH = 512
"""Candidates a graph walk keeps. At 10^6 vectors (bench/scale_index.py, 2 cores) efSearch 128 found only 0.91 of
the exact top 10, 256 found 0.95 and 512 found 0.97 at a p95 of about 5 ms (docs/benchmarks.md)."""
IVF_NPROBE = 32
"""Inverted lists probed per query (at most all of them). At 10^6 vectors (1000 lists) 32 found 0.99 of the exact
top 10 at a p95 under 10 ms; a quarter of the lists, the old default, cost 30-55 ms for 1.00 (docs/benchmarks.md)."""
AUTO_APPROXIMATE_ABOVE = 200_000
"""Exact search stays under 100 ms p95 up to this many vectors on 2 cores (see docs/benchmarks.md)."""
EXACT_SUBSET_MAX = 4096
"""An allow-list this small is scored exactly on HNSW indexes (a graph walk could miss it)."""
BITMAP_MAX_ID = 1 << 27
"""Allow-lists whose ids are all below this become a bitmap (at most 16 MiB) instead of a hash set: building a
hash set of a million allowed ids cost more than the search itself (bench/scale_index.py)."""


class VectorIndex(Protocol):
    dimension: int

    def __len__(self) -> int: ...

    def add(self, ids: Ids, vectors: Vectors) -> None: ...

    def search(self, queries: Vectors, k: int, *, allow: Ids | None = None) -> SearchResult: ...

    def remove(self, ids: Sequence[int]) -> None: ...

    def ids(self) -> Ids: ...

    def save(self, path: Path) -> None: ...


def _as_ids(ids: Sequence[int] | Ids) -> Ids:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def _search_defaults(inner: faiss.Index) -> None:
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = HNSW_EF_SEARCH
    elif isinstance(inner, faiss.IndexIVF):
        inner.nprobe = min(inner.nlist, IVF_NPROBE)


def _selector(allow: Ids) -> tuple[faiss.IDSelector, npt.NDArray[np.uint8] | None]:
    """An ID selector for an allow-list, and the bitmap it reads (None for a hash set, which owns its ids)."""
    if len(allow) and int(allow.min()) >= 0 and int(allow.max()) < BITMAP_MAX_ID:
        mask = np.zeros(int(allow.max()) + 1, dtype=bool)
        mask[allow] = True
        bitmap = np.packbits(mask, bitorder="little")
        return faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap)), bitmap  # n: bytes
    return faiss.IDSelectorBatch(allow), None


def _as_vectors(vectors: Vectors, dimension: int) -> Vectors:
    array = np.ascontiguousarray(np.atleast_2d(np.asarray(vectors, dtype=np.float32)))
    if array.shape[1] != dimension:
        raise ValueError(f"vectors have dimension {array.shape[1]}, the index expects {dimension}")
    return array


class FaissIndex:
    """FAISS behind a small typed surface.

    ``flat`` is exact inner product (the default); ``hnsw`` and ``ivf`` trade a little recall for speed on large
    corpora. Filtered search passes the allow-list to FAISS as an ID selector, so it applies before top-k.
    """

    def __init__(self, dimension: int, kind: IndexKind = IndexKind.FLAT, *, expected_size: int = 0) -> None:
        if dimension < 1:
            raise ValueError(f"dimension must be positive, got {dimension}")
        if kind is IndexKind.AUTO:
            kind = IndexKind.HNSW if expected_size > AUTO_APPROXIMATE_ABOVE else IndexKind.FLAT
        self.dimension = dimension
        self.kind = kind
        self._index = faiss.IndexIDMap2(self._make_inner(kind, dimension, expected_size))

    @staticmethod
    def _make_inner(kind: IndexKind, dimension: int, expected_size: int) -> faiss.Index:
        if kind is IndexKind.HNSW:
            graph = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = 80
            _search_defaults(graph)
            return graph
        if kind is IndexKind.IVF:
            lists = max(1, int(np.sqrt(max(expected_size, 1))))
            quantizer = faiss.IndexFlatIP(dimension)
            inverted = faiss.IndexIVFFlat(quantizer, dimension, lists, faiss.METRIC_INNER_PRODUCT)
            _search_defaults(inverted)
            return inverted
        return faiss.IndexFlatIP(dimension)

    def tune(self, *, ef_search: int | None = None, nprobe: int | None = None) -> None:
        """Search breadth of an approximate index: ``ef_search`` for HNSW, ``nprobe`` for IVF (capped at the
        number of lists); the other kinds ignore them. Benchmarks sweep these; the defaults are the module's."""
        inner = faiss.downcast_index(self._index.index)
        if ef_search is not None and isinstance(inner, faiss.IndexHNSW):
            inner.hnsw.efSearch = max(1, ef_search)
        if nprobe is not None and isinstance(inner, faiss.IndexIVF):
            inner.nprobe = min(inner.nlist, max(1, nprobe))

    @staticmethod
    def set_threads(count: int) -> None:
        """FAISS's OpenMP threads, process-wide. One is fastest for single queries on small machines (see
        docs/benchmarks.md); a server gets its parallelism from concurrent requests instead."""
        faiss.omp_set_num_threads(max(1, count))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> Ids:
        return np.asarray(faiss.vector_to_array(self._index.id_map), dtype=np.int64)

    def add(self, ids: Sequence[int] | Ids, vectors: Vectors) -> None:
        id_array = _as_ids(ids)
        matrix = _as_vectors(vectors, self.dimension)
        if len(id_array) != len(matrix):
            raise ValueError(f"{len(id_array)} ids for {len(matrix)} vectors")
        if len(id_array) == 0:
            return
        if len(np.unique(id_array)) != len(id_array) or np.isin(id_array, self.ids()).any():
            raise ValueError("ids must be unique and not already in the index")
        inner = faiss.downcast_index(self._index.index)
        if isinstance(inner, faiss.IndexIVF) and not inner.is_trained:
            inner.train(matrix)
        self._index.add_with_ids(matrix, id_array)

    def search(self, queries: Vectors, k: int, *, allow: Ids | None = None) -> SearchResult:
        matrix = _as_vectors(queries, self.dimension)
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        if len(self) == 0 or (allow is not None and len(allow) == 0):
            return [[] for _ in range(len(matrix))]
        if allow is not None and self.kind is IndexKind.HNSW and len(allow) <= EXACT_SUBSET_MAX:
            return self._exact_subset(matrix, k, _as_ids(allow))
        if allow is None:
            return self._search(matrix, k, None)
        allowed = _as_ids(allow)
        selector, bitmap = _selector(allowed)  # the bitmap must outlive the search: the selector only points at it
        found = self._search(matrix, k, self._search_parameters(selector, len(allowed)))
        if self.kind is IndexKind.IVF and any(len(row) < min(k, len(allowed)) for row in found):
            # The probed lists held too few allowed vectors (a clustered allow-list): probe them all.
            found = self._search(matrix, k, self._search_parameters(selector, 0))
        del bitmap
        return found

    def _search(self, matrix: Vectors, k: int, params: faiss.SearchParameters | None) -> SearchResult:
        distances, labels = self._index.search(matrix, min(k, len(self)), params=params)
        return [
            [(int(label), float(score)) for label, score in zip(row_labels, row_scores, strict=True) if label >= 0]
            for row_labels, row_scores in zip(labels, distances, strict=True)
        ]

    def mean_vectors(self, groups: dict[str, Ids], batch: int = 4096) -> dict[str, Vectors]:
        """The mean stored vector of each group of ids (ids not in the index are skipped; empty groups left out).
        Read back in batches, so the whole matrix is never copied at once."""
        present = set(self.ids().tolist())
        inner = faiss.downcast_index(self._index.index)
        lookup = isinstance(inner, faiss.IndexIVF) and not inner.direct_map.type
        if lookup:  # IVF lists need a direct map to look vectors up by id; it is dropped again (removal needs none)
            inner.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        means: dict[str, Vectors] = {}
        try:
            for name, ids in groups.items():
                kept = np.array([i for i in _as_ids(ids).tolist() if i in present], dtype=np.int64)
                if len(kept) == 0:
                    continue
                total = np.zeros(self.dimension, dtype=np.float64)
                for start in range(0, len(kept), batch):
                    total += self._index.reconstruct_batch(kept[start : start + batch]).sum(axis=0)
                means[name] = (total / len(kept)).astype(np.float32)
        finally:
            if lookup:
                inner.set_direct_map_type(faiss.DirectMap.NoMap)  # type: ignore[attr-defined]
        return means

    def _exact_subset(self, queries: Vectors, k: int, allow: Ids) -> SearchResult:
        """A graph walk can miss a small allowed set entirely; score it exactly instead (IVF probes every list)."""
        present = allow[np.isin(allow, self.ids())]
        if len(present) == 0:
            return [[] for _ in range(len(queries))]
        vectors = np.stack([self._index.reconstruct(int(i)) for i in present])
        scores = queries @ vectors.T
        results = []
        for row in scores:
            order = np.argsort(-row, kind="stable")[:k]
            results.append([(int(present[i]), float(row[i])) for i in order])
        return results

    def _search_parameters(self, selector: faiss.IDSelector, allowed: int) -> faiss.SearchParameters:
        """Filtered search keeps the index's breadth; IVF probes more lists the smaller the allowed share (about as
        many allowed vectors as an unfiltered search sees), all of them when ``allowed`` is 0 or a small share."""
        inner = faiss.downcast_index(self._index.index)
        # faiss's bundled stubs lag its SWIG classes: these keyword constructors exist at run time.
        if isinstance(inner, faiss.IndexHNSW):
            return faiss.SearchParametersHNSW(sel=selector, efSearch=inner.hnsw.efSearch)  # type: ignore[attr-defined,no-any-return]
        if isinstance(inner, faiss.IndexIVF):
            share = allowed / max(len(self), 1)
            lists = inner.nlist if share <= 0 else min(inner.nlist, math.ceil(inner.nprobe / share))
            return faiss.SearchParametersIVF(sel=selector, nprobe=lists)  # type: ignore[call-arg]
        return faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]

    def remove(self, ids: Sequence[int]) -> None:
        id_array = _as_ids(ids)
        if len(id_array) == 0:
            return
        if self.kind is not IndexKind.HNSW:
            self._index.remove_ids(faiss.IDSelectorBatch(id_array))
            return
        # HNSW graphs cannot delete nodes: rebuild from the stored vectors that remain.
        current = self.ids()
        keep = current[~np.isin(current, id_array)]
        vectors = np.stack([self._index.reconstruct(int(i)) for i in keep]) if len(keep) else None
        self._index = faiss.IndexIDMap2(self._make_inner(self.kind, self.dimension, len(keep)))
        if vectors is not None:
            self._index.add_with_ids(vectors, keep)

    def save(self, path: Path) -> None:
        """Write the index in FAISS's own binary format (no pickle). Atomicity is the snapshot's job."""
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> FaissIndex:
        try:
            raw = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise SnapshotCorruptError(f"cannot read FAISS index {path}: {exc}") from exc
        index = raw  # read_index already returns the most derived type; downcasting again would drop ownership
        if not isinstance(index, faiss.IndexIDMap2):
            raise SnapshotCorruptError(f"{path} is not an id-mapped gyanpath index")
        inner = faiss.downcast_index(index.index)
        _search_defaults(inner)  # the breadth is this code's, not that of the code that wrote the snapshot
        kind = (
            IndexKind.HNSW
            if isinstance(inner, faiss.IndexHNSW)
            else IndexKind.IVF
            if isinstance(inner, faiss.IndexIVF)
            else IndexKind.FLAT
        )
        loaded = cls.__new__(cls)
        loaded.dimension = int(index.d)
        loaded.kind = kind
        loaded._index = index
        return loaded
