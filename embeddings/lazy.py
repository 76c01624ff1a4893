"""An embedder whose model loads on first use, or in the background while the rest of the service starts.

Loading the e5 model (ONNX session and tokenizer) is the slowest part of a cold start, and some commands never
embed anything (``gyanpath index status`` reads the model id only). :class:`LazyEmbedder` knows its model id and
dimension before the model loads, so the store, the snapshot and the retriever can be set up around it; the model
loads on the first call that embeds, or from :meth:`LazyEmbedder.preload` on a background thread, so that a
service's index and BM25 statistics load on one core while the model loads on the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from embeddings.base import Embedder, Vectors
from embeddings.errors import EmbeddingError


class LazyEmbedder:
    def __init__(self, model_id: str, dimension: int, load: Callable[[], Embedder]) -> None:
        self.model_id = model_id
        self.dimension = dimension
        self._load = load
        self._model: Embedder | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def is_loaded(self) -> bool:
        return self._model is not None

    def preload(self) -> None:
        """Start loading the model on a background thread (once); the first embedding call waits for it.

        Not a daemon thread: the interpreter waits for it at exit, because a process that exits while ONNX Runtime
        is still building its session is aborted by the C++ runtime (a command that never embedded, such as
        ``gyanpath paths`` with a role id, would end with "terminate called" and a failure status)."""
        with self._lock:
            if self._model is not None or self._thread is not None:
                return
            self._thread = threading.Thread(target=self._load_quietly, name="embedder-load")
            self._thread.start()

    def _load_quietly(self) -> None:
        try:
            self._loaded()
        except BaseException:  # kept in self._error by _loaded and raised to the first caller
            return

    def _loaded(self) -> Embedder:
        with self._lock:
            if self._model is not None:
                return self._model
            if self._error is not None:
                raise self._error
            try:
                model = self._load()
            except BaseException as exc:
                self._error = exc
                raise
            if model.model_id != self.model_id or model.dimension != self.dimension:
                self._error = EmbeddingError(
                    f"the embedder loaded as {model.model_id} ({model.dimension} dimensions), "
                    f"expected {self.model_id} ({self.dimension})"
                )
                raise self._error
            self._model = model
            return model

    def model(self) -> Embedder:
        """The loaded model (loading it now, or waiting for the background load)."""
        thread = self._thread
        if thread is not None and self._model is None:
            thread.join()
        return self._loaded()

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        return self.model().embed_documents(texts, batch_size=batch_size)

    def embed_query(self, text: str) -> Vectors:
        return self.model().embed_query(text)
