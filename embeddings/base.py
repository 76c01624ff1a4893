"""The Embedder contract shared by every implementation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors: TypeAlias = npt.NDArray[np.float32]
"""A (n, dim) float32 matrix whose rows have unit L2 norm."""


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit vectors; queries and passages may be encoded differently (e5's prefixes)."""

    model_id: str
    dimension: int

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


def normalize_rows(matrix: npt.ArrayLike) -> Vectors:
    """Return a float32 copy of ``matrix`` (as 2-D) with unit-norm rows; zero rows stay zero."""
    array = np.atleast_2d(np.asarray(matrix, dtype=np.float32))
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    return np.ascontiguousarray(array / norms, dtype=np.float32)


def batched(texts: Sequence[str], batch_size: int) -> list[Sequence[str]]:
    """Split ``texts`` into consecutive batches of at most ``batch_size``."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    return [texts[i : i + batch_size] for i in range(0, len(texts), batch_size)]
