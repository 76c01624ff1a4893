"""Build the FAISS snapshot from the store: embed what is missing, add/remove the difference, publish atomically."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from corpus.chunking import chunk_document
from corpus.sentences import clean_text, sentence_spans
from corpus.store import Store, index_material
from corpus.types import Chunk, Document
from embeddings import (
    Embedder,
    FaissIndex,
    IndexKind,
    Manifest,
    SnapshotError,
    SnapshotMissingError,
    SnapshotStore,
)

Progress = Callable[[int, int], None]
"""Called with (done, total) while embedding."""

EMBED_COMMIT_EVERY = 256


def chunk_sentences(chunk: Chunk) -> list[tuple[int, int, str]]:
    """Each sentence of a passage: (start, end) in document-body offsets and its clean text, as the tutor keys and
    embeds it."""
    return [
        (chunk.start + start, chunk.start + end, clean_text(chunk.text[start:end]))
        for start, end in sentence_spans(chunk.text)
    ]


@dataclass(frozen=True)
class PreparedVectors:
    """The vectors a document will need once stored, embedded before it is stored (so no lock is held while the
    embedder works, and no other request's index update has to embed it)."""

    model_id: str
    passages: tuple[str, ...]
    """Each passage's ``embed_text``, in reading order: checked against the stored passages before use."""
    passage_vectors: Any
    sentences: tuple[tuple[int, int, int], ...]
    """(passage ordinal, start, end) of each sentence, in document-body offsets."""
    sentence_vectors: Any


def embedding_load(chunks: Sequence[Chunk], *, sentences: bool = True, limit: int | None = None) -> int:
    """Characters the embedder reads to index a document cut into ``chunks``: its passages and, with ``sentences``,
    every sentence again. CPU time grows with it (about linearly at these lengths), so it decides whether an upload
    is indexed while the request waits. Counting stops once past ``limit`` (splitting a long document into sentences
    costs a second or more)."""
    total = sum(len(c.embed_text) for c in chunks)
    if sentences:
        for chunk in chunks:
            if limit is not None and total > limit:
                break
            total += sum(len(text) for _, _, text in chunk_sentences(chunk))
    return total


@dataclass(frozen=True)
class IndexStatus:
    state: str  # ready | stale | missing | invalid
    detail: str
    snapshot_version: str | None
    vectors: int
    store_chunks: int
    model_id: str


class IndexBuilder:
    """The one writer of snapshots (a file lock makes a second builder wait)."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        snapshots: SnapshotStore,
        *,
        kind: IndexKind = IndexKind.AUTO,
        batch_size: int = 32,
        sentences: bool = True,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.snapshots = snapshots
        self.kind = kind
        self.batch_size = batch_size
        self.sentences = sentences

    def _lock(self) -> FileLock:
        self.snapshots.ensure_root()
        return FileLock(str(self.snapshots.root / ".build.lock"))

    def embed_missing(self, progress: Progress | None = None) -> int:
        """Embed every chunk that has no vector from this embedder yet; commits in slices so work is kept."""
        pending = self.store.chunks_without_embedding(self.embedder.model_id)
        for start in range(0, len(pending), EMBED_COMMIT_EVERY):
            part = pending[start : start + EMBED_COMMIT_EVERY]
            vectors = self.embedder.embed_documents([c.chunk.embed_text for c in part], batch_size=self.batch_size)
            self.store.put_embeddings(self.embedder.model_id, [c.id for c in part], vectors)
            if progress is not None:
                progress(start + len(part), len(pending))
        return len(pending)

    def embed_sentences(self, progress: Progress | None = None) -> int:
        """Embed every sentence of every passage not cached yet, so the tutor's evidence selection never waits
        for the embedder on a question (keys are (chunk id, start, end) in document-body offsets)."""
        model_id = self.embedder.model_id
        keys, texts = [], []
        for stored in self.store.chunks():
            for start, end, text in chunk_sentences(stored.chunk):
                keys.append((stored.id, start, end))
                texts.append(text)
        cached = self.store.sentence_vectors(model_id, keys)
        missing = [i for i, key in enumerate(keys) if key not in cached]
        for start in range(0, len(missing), EMBED_COMMIT_EVERY):
            part = missing[start : start + EMBED_COMMIT_EVERY]
            vectors = self.embedder.embed_documents([texts[i] for i in part], batch_size=self.batch_size)
            self.store.put_sentence_vectors(model_id, [keys[i] for i in part], vectors)
            if progress is not None:
                progress(start + len(part), len(missing))
        return len(missing)

    def prepare(self, document: Document, chunks: Sequence[Chunk] | None = None) -> PreparedVectors:
        """Embed a document's passages (and sentences) before it is stored; see ``store_prepared``. ``chunks``:
        ``chunk_document(document)`` where the caller has it already."""
        chunks = chunk_document(document) if chunks is None else chunks
        passages = tuple(c.embed_text for c in chunks)
        keyed = [(c.ordinal, start, end, text) for c in chunks for start, end, text in chunk_sentences(c)]
        dimension = self.embedder.dimension
        return PreparedVectors(
            self.embedder.model_id,
            passages,
            self.embedder.embed_documents(list(passages), batch_size=self.batch_size)
            if passages
            else np.zeros((0, dimension), np.float32),
            tuple((o, s, e) for o, s, e, _ in keyed) if self.sentences else (),
            self.embedder.embed_documents([t for *_, t in keyed], batch_size=self.batch_size)
            if self.sentences and keyed
            else np.zeros((0, dimension), np.float32),
        )

    def store_prepared(self, doc_id: str, prepared: PreparedVectors) -> bool:
        """Store prepared vectors for the document's stored passages, inside the caller's transaction (the one that
        stored the document). Nothing is stored, and False returned, when the stored passages are not the ones
        prepared (the next build embeds them then)."""
        if prepared.model_id != self.embedder.model_id:
            return False
        stored = self.store.document_chunks(doc_id)
        if tuple(s.chunk.embed_text for s in stored) != prepared.passages:
            return False
        with self.store.transaction():
            self.store.put_embeddings(prepared.model_id, [s.id for s in stored], prepared.passage_vectors)
            if prepared.sentences:
                chunk_id = {s.chunk.ordinal: s.id for s in stored}
                keys = [(chunk_id[o], start, end) for o, start, end in prepared.sentences]
                self.store.put_sentence_vectors(prepared.model_id, keys, prepared.sentence_vectors)
        return True

    def build(self, *, full: bool = False, progress: Progress | None = None) -> Manifest:
        """Bring the index up to the store's state and publish it. ``full`` starts from an empty index."""
        with self._lock():
            for _ in range(5):
                self.embed_missing(progress)
                ids, vectors, corpus_hash, missing = index_material(
                    self.store, self.embedder.model_id, self.embedder.dimension
                )
                if missing == 0:
                    break
            else:  # pragma: no cover - only under a constant stream of concurrent ingests
                raise SnapshotError("the corpus kept changing while the index was built; try again")
            index = None if full else self._current_index()
            index = self._updated(index, ids, vectors)
            manifest = self.snapshots.publish(
                index, model_id=self.embedder.model_id, corpus_hash=corpus_hash, extra={"kind": index.kind.value}
            )
        if self.sentences:
            self.embed_sentences(progress)
        return manifest

    def _current_index(self) -> FaissIndex | None:
        try:
            return self.snapshots.load(model_id=self.embedder.model_id, dimension=self.embedder.dimension).index
        except SnapshotError:
            return None

    def _updated(self, index: FaissIndex | None, ids: np.ndarray, vectors: np.ndarray) -> FaissIndex:
        if index is None:
            index = FaissIndex(self.embedder.dimension, self.kind, expected_size=len(ids))
            index.add(ids, vectors)
            return index
        present = index.ids()
        index.remove(present[~np.isin(present, ids)].tolist())
        new = ~np.isin(ids, present)
        index.add(ids[new], vectors[new])
        return index

    def status(self) -> IndexStatus:
        chunks = len(self.store.chunk_ids())
        model_id = self.embedder.model_id
        try:
            manifest = self.snapshots.read_manifest()
            self.snapshots.load(model_id=model_id, dimension=self.embedder.dimension)
        except SnapshotMissingError as exc:
            return IndexStatus("missing", str(exc), None, 0, chunks, model_id)
        except SnapshotError as exc:
            return IndexStatus("invalid", str(exc), self._named_version(), 0, chunks, model_id)
        if manifest.corpus_hash != self.store.corpus_hash():
            detail = "the store changed since this snapshot was built: run 'gyanpath index build'"
            return IndexStatus("stale", detail, manifest.version, manifest.vector_count, chunks, model_id)
        return IndexStatus("ready", "up to date", manifest.version, manifest.vector_count, chunks, model_id)

    def _named_version(self) -> str | None:
        try:
            return self.snapshots.current_version()
        except SnapshotError:  # the pointer itself is what is wrong, and the status detail says so
            return None


def snapshot_root(home: Path, model_id: str) -> Path:
    """Each embedder gets its own snapshot directory, so one model's index is never searched with another's."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model_id)
    return home / "index" / safe
