"""Vectors only: embedders, the FAISS vector index and its snapshots. Knows nothing of courses.

Names are imported on first use (PEP 562), so that a command which needs one small piece (the settings need
``IndexKind``) does not pay for FAISS and the snapshot code at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from embeddings.base import Embedder, Vectors, normalize_rows
    from embeddings.errors import (
        EmbeddingError,
        SnapshotCorruptError,
        SnapshotError,
        SnapshotMismatchError,
        SnapshotMissingError,
        UnknownEmbedderError,
    )
    from embeddings.index import FaissIndex, VectorIndex
    from embeddings.kinds import IndexKind
    from embeddings.registry import KNOWN_EMBEDDERS, create_embedder, create_lazy_embedder
    from embeddings.snapshot import Manifest, Snapshot, SnapshotStore

_HOMES = {
    "embeddings.base": ("Embedder", "Vectors", "normalize_rows"),
    "embeddings.errors": (
        "EmbeddingError",
        "SnapshotCorruptError",
        "SnapshotError",
        "SnapshotMismatchError",
        "SnapshotMissingError",
        "UnknownEmbedderError",
    ),
    "embeddings.index": ("FaissIndex", "VectorIndex"),
    "embeddings.kinds": ("IndexKind",),
    "embeddings.registry": ("KNOWN_EMBEDDERS", "create_embedder", "create_lazy_embedder"),
    "embeddings.snapshot": ("Manifest", "Snapshot", "SnapshotStore"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'embeddings' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
    "create_lazy_embedder",
    "normalize_rows",
]
