"""Vectors of stable texts (the taxonomy's competency and role descriptions), kept across rebuilds and restarts.

The recommender embeds every competency and role description: about 200 texts of up to 512 tokens, some 19 s of
CPU with multilingual-e5 on two cores. They change only when the taxonomy is ingested again, yet the recommender is
rebuilt after every content upload and at every start. So their vectors are kept by the SHA-256 of the text, in
memory and in one file per embedder (``index/<model>/text-vectors.npz``, mode 0600, replaced atomically).

The file is only a cache: one written for another model or dimension, or damaged in any way, is ignored (logged)
and rewritten. Each ``group`` (e.g. "competencies") keeps the entries of its latest request only, so the file
follows the taxonomy instead of growing with every edit of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embeddings.base import Embedder

log = logging.getLogger("gyanpath")
TEXT_VECTORS = "text-vectors.npz"
Matrix = npt.NDArray[np.float32]


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class TextVectorCache:
    """Thread-safe; several processes may share the file (each writes a complete one, the last write wins)."""

    def __init__(self, path: Path | None, model_id: str) -> None:
        self.path = path
        self.model_id = model_id
        self._vectors: dict[bytes, np.ndarray] = {}
        self._groups: dict[str, list[bytes]] = {}
        self._loaded = False
        self._lock = threading.Lock()

    def embed(self, embedder: Embedder, texts: Sequence[str], *, group: str) -> Matrix:
        """One unit row per text, as ``embedder.embed_documents`` gives it; only texts never seen are embedded."""
        if embedder.model_id != self.model_id:
            raise ValueError(f"a cache for {self.model_id} cannot hold vectors of {embedder.model_id}")
        if not texts:
            return np.zeros((0, embedder.dimension), dtype=np.float32)
        keys = [text_key(text) for text in texts]
        with self._lock:
            if not self._loaded:
                self._load(embedder.dimension)
            first: dict[bytes, int] = {}
            for i, key in enumerate(keys):
                if key not in self._vectors:
                    first.setdefault(key, i)
            unique = list(first.values())
            if unique:
                vectors = embedder.embed_documents([texts[i] for i in unique])
                for row, i in enumerate(unique):
                    self._vectors[keys[i]] = np.array(vectors[row], dtype=np.float32)
            changed = bool(unique) or self._groups.get(group) != keys
            self._groups[group] = keys
            if changed:
                self._save(embedder.dimension)
            return np.stack([self._vectors[key] for key in keys]).astype(np.float32, copy=False)

    def __len__(self) -> int:
        return len(self._vectors)

    # -- the file ------------------------------------------------------------------------------------------------
    def _load(self, dimension: int) -> None:
        self._loaded = True
        if self.path is None or not self.path.is_file():
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                model = str(data["model_id"][()])
                keys, vectors, groups = data["keys"], data["vectors"], data["groups"]
                if model != self.model_id or vectors.dtype != np.float32 or vectors.shape != (len(keys), dimension):
                    log.info("text vector cache %s is for another model or dimension; rebuilding it", self.path)
                    return
                if keys.dtype != np.uint8 or keys.shape != (len(groups), 32) or not np.isfinite(vectors).all():
                    raise ValueError("unexpected keys, groups or values")
                for row, vector, name in zip(keys, vectors, groups.tolist(), strict=True):
                    key = row.tobytes()
                    self._vectors[key] = np.array(vector)
                    self._groups.setdefault(str(name), []).append(key)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            log.warning("text vector cache %s is damaged (%s); rebuilding it", self.path, exc)
            self._vectors.clear()
            self._groups.clear()

    def _save(self, dimension: int) -> None:
        """Keep the latest request of each group; write the file where there is one (a read-only home only starts
        slower)."""
        kept = {key: name for name, keys in self._groups.items() for key in keys}
        self._vectors = {key: self._vectors[key] for key in kept}
        if self.path is None:
            return
        staging = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(staging, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            with open(staging, "wb") as out:
                np.savez(
                    out,
                    model_id=np.array(self.model_id),
                    keys=np.frombuffer(b"".join(kept), dtype=np.uint8).reshape(len(kept), 32),
                    groups=np.array(list(kept.values()), dtype=str).reshape(-1),
                    vectors=np.stack(list(self._vectors.values())).astype(np.float32)
                    if kept
                    else np.zeros((0, dimension), dtype=np.float32),
                )
            os.replace(staging, self.path)
        except OSError as exc:
            log.info("could not write the text vector cache %s: %s", self.path, exc)
            with contextlib.suppress(OSError):
                staging.unlink()
