"""The embeddings package's error hierarchy; gyanpath maps these to HTTP and CLI messages in one place."""

from __future__ import annotations


class EmbeddingError(Exception):
    """Base class for every error raised by the embeddings package."""


class UnknownEmbedderError(EmbeddingError, ValueError):
    """An embedder name that is not registered."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown embedder {name!r}; known embedders: {', '.join(sorted(known))}")
        self.name = name
        self.known = sorted(known)


class SnapshotError(EmbeddingError):
    """Base class for index-snapshot problems."""


class SnapshotMissingError(SnapshotError):
    """No published snapshot exists yet."""


class SnapshotCorruptError(SnapshotError):
    """A snapshot file is missing, truncated or does not match its recorded checksum, or the CURRENT pointer or a
    manifest is unreadable or malformed (bad bytes, wrong types, a path where a name belongs)."""


class SnapshotMismatchError(SnapshotError):
    """A snapshot was built by another embedder, or for another corpus, than the one configured."""
