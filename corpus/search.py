"""Hybrid retrieval: BM25 and dense search, fused by reciprocal rank, filtered before top-k.

The one retrieval path that the tutor, the recommender and authoring help all use. A :class:`ReadModel` is an
immutable, mutually consistent view (snapshot + lexical index + chunk metadata); :meth:`HybridRetriever.refresh`
swaps in a new one atomically, so readers keep the view they started with.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from corpus.errors import IndexNotReadyError
from corpus.lexical import BM25Index
from corpus.store import DocumentRow, Store
from corpus.types import PUBLIC, DocumentKind, Filters, Hit, Viewer
from embeddings import Embedder, Manifest, Snapshot, SnapshotMismatchError

SearchMode = Literal["hybrid", "lexical", "dense"]
RRF_K = 60
CANDIDATES = 50
COVERAGE_POWER = 2.0
"""Lexical hits weigh coverage**power in the fusion (1 = linear; 0 = plain RRF). Measured in docs/benchmarks.md."""


class Retriever(Protocol):
    def retrieve(
        self,
        query: str,
        *,
        k: int = 8,
        filters: Filters | None = None,
        viewer: Viewer | None = None,
        mode: SearchMode = "hybrid",
        per_document: bool = False,
    ) -> list[Hit]: ...


@dataclass(frozen=True)
class ReadModel:
    chunk_ids: npt.NDArray[np.int64]
    chunk_doc: npt.NDArray[np.int64]
    docs: list[DocumentRow]
    lexical: BM25Index
    snapshot: Snapshot | None
    doc_columns: dict[str, npt.NDArray[np.str_]]
    """Per-document kind, language, department and visibility, as arrays for vectorised filtering."""

    @classmethod
    def build(cls, store: Store, snapshot: Snapshot | None) -> ReadModel:
        with store.read_snapshot():
            chunks = store.chunks()
            docs = store.document_rows()
            corpus_hash = store.corpus_hash() if snapshot is not None else None
        if snapshot is not None and snapshot.manifest.corpus_hash != corpus_hash:
            raise SnapshotMismatchError(
                f"snapshot {snapshot.manifest.version} does not match the store: rebuild the index"
            )
        position = {doc.id: i for i, doc in enumerate(docs)}
        columns = {
            name: np.array([getattr(d, name) or "" for d in docs], dtype=str)
            for name in ("kind", "language", "department", "visibility", "id")
        }
        return cls(
            chunk_ids=np.array([c.id for c in chunks], dtype=np.int64),
            chunk_doc=np.array([position[c.chunk.doc_id] for c in chunks], dtype=np.int64),
            docs=docs,
            lexical=BM25Index([c.chunk.embed_text for c in chunks]),
            snapshot=snapshot,
            doc_columns=columns,
        )

    @property
    def manifest(self) -> Manifest | None:
        return self.snapshot.manifest if self.snapshot else None

    def mask(self, filters: Filters | None, viewer: Viewer) -> npt.NDArray[np.bool_]:
        """Which chunks this viewer may see under these filters (private documents fail closed)."""
        f = filters or Filters()
        columns = self.doc_columns
        visible = (columns["visibility"] == PUBLIC) | np.isin(columns["visibility"], sorted(viewer.departments))
        for name, wanted in (("kind", f.kinds), ("language", f.languages), ("department", f.departments),
                             ("id", f.doc_ids)):  # fmt: skip
            if wanted is not None:
                visible &= np.isin(columns[name], sorted(wanted))
        if f.competencies is not None:
            visible &= np.array([bool(d.competencies & f.competencies) for d in self.docs], dtype=bool)
        return visible[self.chunk_doc] if len(self.chunk_doc) else np.zeros(0, dtype=bool)


class HybridRetriever:
    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        rrf_k: int = RRF_K,
        candidates: int = CANDIDATES,
        coverage_power: float = COVERAGE_POWER,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.coverage_power = coverage_power
        self._model: ReadModel | None = None
        self._swap = threading.Lock()

    @property
    def model(self) -> ReadModel:
        if self._model is None:
            raise IndexNotReadyError("the retriever has not been loaded")
        return self._model

    def refresh(self, snapshot: Snapshot | None) -> ReadModel:
        """Build a new read model from the store (and ``snapshot`` for dense search) and swap it in."""
        model = ReadModel.build(self.store, snapshot)
        with self._swap:
            self._model = model
        return model

    def retrieve(
        self,
        query: str,
        *,
        k: int = 8,
        filters: Filters | None = None,
        viewer: Viewer | None = None,
        mode: SearchMode = "hybrid",
        per_document: bool = False,
    ) -> list[Hit]:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        model = self.model
        mask = model.mask(filters, viewer or Viewer.anonymous())
        if not mask.any() or not query.strip():
            return []
        depth = max(self.candidates, k * 4)
        rankings: list[tuple[str, list[int], list[float]]] = []
        if mode in ("hybrid", "lexical"):
            lexical = model.lexical.search_with_coverage(query, depth, mask=mask)
            weights = [coverage**self.coverage_power if mode == "hybrid" else 1.0 for _, _, coverage in lexical]
            rankings.append(("lexical", [pos for pos, _, _ in lexical], weights))
        if mode in ("hybrid", "dense"):
            if model.snapshot is None:
                if mode == "dense":
                    raise IndexNotReadyError("dense search needs a built index: run 'gyanpath index build'")
            else:
                dense = self._dense(model, query, depth, mask)
                rankings.append(("dense", dense, [1.0] * len(dense)))
        ranked = self._fuse(rankings)
        if per_document:
            ranked = self._best_per_document(model, ranked)
        return self._hits(model, ranked[:k], rankings)

    def _dense(self, model: ReadModel, query: str, depth: int, mask: npt.NDArray[np.bool_]) -> list[int]:
        assert model.snapshot is not None
        allow = None if mask.all() else model.chunk_ids[mask]
        vector = self.embedder.embed_query(query)
        results = model.snapshot.index.search(vector, depth, allow=allow)[0]
        ids = np.array([chunk_id for chunk_id, _ in results], dtype=np.int64)
        positions = np.searchsorted(model.chunk_ids, ids)
        valid = (positions < len(model.chunk_ids)) & (
            model.chunk_ids[np.minimum(positions, len(model.chunk_ids) - 1)] == ids
        )
        return [int(p) for p in positions[valid] if mask[p]]

    def _fuse(self, rankings: list[tuple[str, list[int], list[float]]]) -> list[tuple[int, float]]:
        """Reciprocal rank fusion; a lexical hit counts in proportion to how much of the query it matched, so a
        passage sharing only common words (typical for a Hindi query over English material) cannot outvote the
        dense retriever."""
        scores: dict[int, float] = {}
        for _, ranking, weights in rankings:
            for rank, (position, weight) in enumerate(zip(ranking, weights, strict=True), start=1):
                scores[position] = scores.get(position, 0.0) + weight / (self.rrf_k + rank)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    @staticmethod
    def _best_per_document(model: ReadModel, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        seen: set[int] = set()
        best = []
        for position, score in ranked:
            doc = int(model.chunk_doc[position])
            if doc not in seen:
                seen.add(doc)
                best.append((position, score))
        return best

    def _hits(
        self, model: ReadModel, ranked: list[tuple[int, float]], rankings: list[tuple[str, list[int], list[float]]]
    ) -> list[Hit]:
        ranks = {name: {pos: r for r, pos in enumerate(ranking, start=1)} for name, ranking, _ in rankings}
        stored = {c.id: c.chunk for c in self.store.chunks([int(model.chunk_ids[p]) for p, _ in ranked])}
        hits = []
        for position, score in ranked:
            chunk_id = int(model.chunk_ids[position])
            chunk = stored.get(chunk_id)
            if chunk is None:  # deleted since the read model was built
                continue
            doc = model.docs[int(model.chunk_doc[position])]
            kind: DocumentKind = "course" if doc.kind == "course" else "case_study"
            hits.append(
                Hit(
                    chunk_id=chunk_id,
                    doc_id=doc.id,
                    kind=kind,
                    title=doc.title,  # type: ignore[arg-type]
                    section=chunk.section,
                    text=chunk.text,
                    start=chunk.start,
                    end=chunk.end,
                    page=chunk.page,
                    language=doc.language,
                    department=doc.department,
                    score=score,
                    lexical_rank=ranks.get("lexical", {}).get(position),
                    dense_rank=ranks.get("dense", {}).get(position),
                )
            )
        return hits
