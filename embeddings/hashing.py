"""A deterministic feature-hashing embedder: no model, no randomness, for fast tests and tiny machines."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from embeddings.base import Vectors, normalize_rows

_TOKEN = re.compile(r"[0-9a-z\u0900-\u097f\ua8e0-\ua8ff]+")


class HashingEmbedder:
    """Hashes words and character trigrams into a fixed number of signed buckets.

    Texts that share words land near each other, which is all the fast tests need; it knows no synonyms.
    """

    def __init__(self, dimension: int = 256) -> None:
        if dimension < 8:
            raise ValueError(f"dimension must be at least 8, got {dimension}")
        self.dimension = dimension
        self.model_id = f"hashing-{dimension}"

    def _features(self, text: str) -> list[str]:
        words = _TOKEN.findall(unicodedata.normalize("NFC", text).lower())
        grams = [f"#{w[i : i + 3]}" for w in words for i in range(max(1, len(w) - 2))]
        return words + grams

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for feature in self._features(text):
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            sign = 1.0 if value & 1 else -1.0
            weight = 1.0 if not feature.startswith("#") else 0.5
            vector[(value >> 1) % self.dimension] += sign * weight
        return vector

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return normalize_rows(np.stack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> Vectors:
        return normalize_rows(self._vector(text))
