"""Vectors only: embedders, the FAISS vector index and its snapshots. Knows nothing of courses."""

from __future__ import annotations

from embeddings.base import Embedder, Vectors, normalize_rows
from embeddings.errors import (
    EmbeddingError,
    SnapshotCorruptError,
    SnapshotError,
    SnapshotMismatchError,
    SnapshotMissingError,
    UnknownEmbedderError,
)
from embeddings.index import FaissIndex, IndexKind, VectorIndex
from embeddings.registry import KNOWN_EMBEDDERS, create_embedder
from embeddings.snapshot import Manifest, Snapshot, SnapshotStore

__all__ = [
    "KNOWN_EMBEDDERS",
    "Embedder",
    "EmbeddingError",
    "FaissIndex",
    "IndexKind",
    "Manifest",
    "Snapshot",
    "SnapshotCorruptError",
    "SnapshotError",
    "SnapshotMismatchError",
    "SnapshotMissingError",
    "SnapshotStore",
    "UnknownEmbedderError",
    "VectorIndex",
    "Vectors",
    "create_embedder",
    "normalize_rows",
]
