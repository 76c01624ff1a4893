"""The kinds of vector index, in a module of their own: settings name them without loading FAISS."""

from __future__ import annotations

from enum import StrEnum


class IndexKind(StrEnum):
    FLAT = "flat"
    HNSW = "hnsw"
    IVF = "ivf"
    AUTO = "auto"
