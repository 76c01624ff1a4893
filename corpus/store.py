"""The SQLite store: source of truth for documents, chunks, their embeddings, roles and competencies.

WAL mode lets readers work while one writer writes; ``busy_timeout`` makes a second writer wait, not fail.
Chunk ids come from AUTOINCREMENT, so an id is never reused: a FAISS id always means the same passage.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from corpus.chunking import chunk_document
from corpus.errors import DocumentNotFoundError
from corpus.private import connect_private_sqlite
from corpus.serialize import competency_to_dict, document_from_dict, document_to_dict, role_to_dict
from corpus.types import Chunk, Competency, Document, Role
from corpus.validation import competency_from_dict, role_from_dict
from embeddings import Vectors

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, language TEXT NOT NULL,
    department TEXT, visibility TEXT NOT NULL, content_hash TEXT NOT NULL, data TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL, context TEXT NOT NULL,
    start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, page INTEGER, content_hash TEXT NOT NULL,
    UNIQUE (doc_id, ordinal));
CREATE TABLE IF NOT EXISTS embeddings (
    chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    model_id TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (chunk_id, model_id));
CREATE TABLE IF NOT EXISTS document_competencies (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    competency_id TEXT NOT NULL, level TEXT NOT NULL, PRIMARY KEY (doc_id, competency_id));
CREATE TABLE IF NOT EXISTS competencies (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS roles (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sentence_embeddings (
    chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE, model_id TEXT NOT NULL,
    start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (chunk_id, model_id, start_offset, end_offset));
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
"""

UpsertOutcome = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True)
class StoredChunk:
    id: int
    chunk: Chunk


@dataclass(frozen=True)
class DocumentRow:
    """A document's searchable metadata, without its text."""

    id: str
    kind: str
    title: str
    language: str
    department: str | None
    visibility: str
    competencies: frozenset[str]
    translation_of: str | None = None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Store:
    """Thread-safe access to one SQLite database file (one connection, serialised by a lock)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self._depth = 0

    @classmethod
    def open(cls, path: Path) -> Store:
        connection = connect_private_sqlite(path)
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(SCHEMA)
        return cls(connection)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all. Nested use joins the outer transaction."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the database, even while other processes write (WAL snapshot)."""
        with self._lock:
            if self._depth:
                yield
                return
            self._db.execute("BEGIN")
            self._depth = 1
            try:
                yield
            finally:
                self._depth = 0
                self._db.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cursor = self._db.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    # -- documents ---------------------------------------------------------------------------------------------
    def upsert_document(self, document: Document) -> UpsertOutcome:
        """Insert or replace a document and its chunks; storing identical content again changes nothing."""
        data = json.dumps(document_to_dict(document), ensure_ascii=False, sort_keys=True)
        content_hash = _hash(data)
        with self.transaction():
            existing = self._rows("SELECT content_hash FROM documents WHERE id = ?", (document.id,))
            if existing and existing[0]["content_hash"] == content_hash:
                return "unchanged"
            now = datetime.now(UTC).isoformat(timespec="seconds")
            self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (document.id,))
            self._db.execute("DELETE FROM document_competencies WHERE doc_id = ?", (document.id,))
            self._db.execute(
                "INSERT INTO documents (id, kind, title, language, department, visibility, content_hash, data,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET kind=excluded.kind,"
                " title=excluded.title, language=excluded.language, department=excluded.department,"
                " visibility=excluded.visibility, content_hash=excluded.content_hash, data=excluded.data,"
                " updated_at=excluded.updated_at",
                (
                    document.id,
                    document.kind,
                    document.title,
                    document.language,
                    document.department,
                    document.visibility,
                    content_hash,
                    data,
                    now,
                ),
            )
            self._insert_chunks(chunk_document(document))
            competencies = getattr(document, "competencies", ())
            self._db.executemany(
                "INSERT OR REPLACE INTO document_competencies (doc_id, competency_id, level) VALUES (?, ?, ?)",
                [(document.id, ref.id, ref.level.value) for ref in competencies],
            )
            return "updated" if existing else "added"

    def _insert_chunks(self, chunks: list[Chunk]) -> None:
        self._db.executemany(
            "INSERT INTO chunks (doc_id, ordinal, section, text, context, start_offset, end_offset, page,"
            " content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (c.doc_id, c.ordinal, c.section, c.text, c.context, c.start, c.end, c.page, _hash(c.embed_text))
                for c in chunks
            ],
        )

    def delete_document(self, doc_id: str) -> None:
        with self.transaction():
            cursor = self._db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            if cursor.rowcount == 0:
                raise DocumentNotFoundError(doc_id)

    def get_document(self, doc_id: str) -> Document:
        rows = self._rows("SELECT kind, data FROM documents WHERE id = ?", (doc_id,))
        if not rows:
            raise DocumentNotFoundError(doc_id)
        return document_from_dict(rows[0]["kind"], json.loads(rows[0]["data"]))

    def has_document(self, doc_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM documents WHERE id = ?", (doc_id,)))

    def documents(self, kind: str | None = None) -> list[Document]:
        sql = "SELECT kind, data FROM documents" + (" WHERE kind = ?" if kind else "") + " ORDER BY id"
        return [document_from_dict(r["kind"], json.loads(r["data"])) for r in self._rows(sql, (kind,) if kind else ())]

    def document_rows(self) -> list[DocumentRow]:
        competencies: dict[str, set[str]] = {}
        for row in self._rows("SELECT doc_id, competency_id FROM document_competencies"):
            competencies.setdefault(row["doc_id"], set()).add(row["competency_id"])
        rows = self._rows(
            "SELECT id, kind, title, language, department, visibility,"
            " json_extract(data, '$.translation_of') AS translation_of FROM documents ORDER BY id"
        )
        return [
            DocumentRow(
                r["id"],
                r["kind"],
                r["title"],
                r["language"],
                r["department"],
                r["visibility"],
                frozenset(competencies.get(r["id"], ())),
                r["translation_of"],
            )
            for r in rows
        ]

    # -- chunks and embeddings ---------------------------------------------------------------------------------
    _CHUNK_COLUMNS = "SELECT id, doc_id, ordinal, section, text, context, start_offset, end_offset, page FROM chunks"

    def chunks(self, ids: Sequence[int] | None = None) -> list[StoredChunk]:
        sql = self._CHUNK_COLUMNS
        if ids is None:
            rows = self._rows(sql + " ORDER BY id")
        else:
            rows = []
            for start in range(0, len(ids), 500):
                part = list(ids[start : start + 500])
                rows += self._rows(sql + f" WHERE id IN ({','.join('?' * len(part))})", part)
        return [_stored_chunk(r) for r in rows]

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        """A document's passages in reading order (empty for an unknown id)."""
        return [
            _stored_chunk(r) for r in self._rows(self._CHUNK_COLUMNS + " WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        ]

    def chunk_refs(self) -> list[tuple[int, str]]:
        """Every passage's (chunk id, document id), in id order: what a read model needs without the text."""
        return [(int(r[0]), str(r[1])) for r in self._rows("SELECT id, doc_id FROM chunks ORDER BY id")]

    def chunk_ids(self) -> np.ndarray:
        return np.array([r["id"] for r in self._rows("SELECT id FROM chunks ORDER BY id")], dtype=np.int64)

    def chunks_without_embedding(self, model_id: str) -> list[StoredChunk]:
        rows = self._rows(
            "SELECT c.id FROM chunks c LEFT JOIN embeddings e ON e.chunk_id = c.id AND e.model_id = ?"
            " WHERE e.chunk_id IS NULL ORDER BY c.id",
            (model_id,),
        )
        return self.chunks([r["id"] for r in rows]) if rows else []

    def put_embeddings(self, model_id: str, ids: Sequence[int], vectors: Vectors) -> None:
        with self.transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings (chunk_id, model_id, vector) VALUES (?, ?, ?)",
                [
                    (int(i), model_id, np.asarray(v, dtype=np.float32).tobytes())
                    for i, v in zip(ids, vectors, strict=True)
                ],
            )

    def embeddings(self, model_id: str, dimension: int) -> tuple[np.ndarray, Vectors]:
        """All stored vectors of ``model_id`` for chunks that still exist, in chunk-id order."""
        rows = self._rows(
            "SELECT e.chunk_id, e.vector FROM embeddings e JOIN chunks c ON c.id = e.chunk_id"
            " WHERE e.model_id = ? ORDER BY e.chunk_id",
            (model_id,),
        )
        ids = np.array([r["chunk_id"] for r in rows], dtype=np.int64)
        vectors = np.frombuffer(b"".join(r["vector"] for r in rows), dtype=np.float32).reshape(len(rows), dimension)
        return ids, vectors

    def sentence_vectors(
        self, model_id: str, keys: Sequence[tuple[int, int, int]]
    ) -> dict[tuple[int, int, int], np.ndarray]:
        """Cached sentence vectors by (chunk id, start, end); sentences not cached yet are absent."""
        found: dict[tuple[int, int, int], np.ndarray] = {}
        chunk_ids = sorted({k[0] for k in keys})
        for part in range(0, len(chunk_ids), 500):
            ids = chunk_ids[part : part + 500]
            rows = self._rows(
                "SELECT chunk_id, start_offset, end_offset, vector FROM sentence_embeddings WHERE model_id = ?"
                f" AND chunk_id IN ({','.join('?' * len(ids))})",
                [model_id, *ids],
            )
            for r in rows:
                found[(r["chunk_id"], r["start_offset"], r["end_offset"])] = np.frombuffer(r["vector"], np.float32)
        wanted = set(keys)
        return {k: v for k, v in found.items() if k in wanted}

    def put_sentence_vectors(self, model_id: str, keys: Sequence[tuple[int, int, int]], vectors: Vectors) -> None:
        """Cache sentence vectors; those of a passage deleted meanwhile (a reader on an older read model) are not
        kept, and that is not an error."""
        with self.transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO sentence_embeddings (chunk_id, model_id, start_offset, end_offset, vector)"
                " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ?1)",
                [
                    (c, model_id, s, e, np.asarray(v, np.float32).tobytes())
                    for (c, s, e), v in zip(keys, vectors, strict=True)
                ],
            )

    def clear_embeddings(self, model_id: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM embeddings WHERE model_id = ?", (model_id,))
            self._db.execute("DELETE FROM sentence_embeddings WHERE model_id = ?", (model_id,))

    def corpus_hash(self) -> str:
        """A digest of every chunk's id and content: changes whenever what the index must hold changes."""
        rows = self._rows("SELECT id, content_hash FROM chunks ORDER BY id")
        return hashlib.sha256("".join(f"{row[0]}:{row[1]}\n" for row in rows).encode()).hexdigest()

    def counts(self, *, public_only: bool = False) -> dict[str, int]:
        """Documents of each kind, passages, roles and competencies; with ``public_only``, only public documents
        and their passages (what anyone may learn, e.g. from the keyless ``/health``)."""
        where = " AND visibility='public'" if public_only else ""
        chunks = (
            "SELECT COUNT(*) FROM chunks JOIN documents ON documents.id = chunks.doc_id WHERE visibility='public'"
            if public_only
            else "SELECT COUNT(*) FROM chunks"
        )
        row = self._rows(
            f"SELECT (SELECT COUNT(*) FROM documents WHERE kind='course'{where}) AS courses,"
            f" (SELECT COUNT(*) FROM documents WHERE kind='case_study'{where}) AS case_studies,"
            f" (SELECT COUNT(*) FROM documents WHERE kind='help'{where}) AS help_articles,"
            f" ({chunks}) AS chunks, (SELECT COUNT(*) FROM roles) AS roles,"
            " (SELECT COUNT(*) FROM competencies) AS competencies"
        )[0]
        return {key: int(row[key]) for key in row.keys()}  # noqa: SIM118 - sqlite3.Row iterates values

    # -- roles and competencies --------------------------------------------------------------------------------
    def upsert_competency(self, competency: Competency) -> None:
        data = json.dumps(competency_to_dict(competency), ensure_ascii=False)
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO competencies (id, data) VALUES (?, ?)", (competency.id, data))

    def upsert_role(self, role: Role) -> None:
        data = json.dumps(role_to_dict(role), ensure_ascii=False)
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO roles (id, data) VALUES (?, ?)", (role.id, data))

    def competencies(self) -> list[Competency]:
        rows = self._rows("SELECT data FROM competencies ORDER BY id")
        return [competency_from_dict(json.loads(r["data"]), "store") for r in rows]

    def competency_ids(self) -> set[str]:
        return {r["id"] for r in self._rows("SELECT id FROM competencies")}

    def roles(self) -> list[Role]:
        return [
            role_from_dict(json.loads(r["data"]), "store") for r in self._rows("SELECT data FROM roles ORDER BY id")
        ]

    def document_ids(self) -> set[str]:
        return {r["id"] for r in self._rows("SELECT id FROM documents")}


def _stored_chunk(r: sqlite3.Row) -> StoredChunk:
    chunk = Chunk(
        r["doc_id"], r["ordinal"], r["section"], r["text"], r["start_offset"], r["end_offset"], r["context"], r["page"]
    )
    return StoredChunk(r["id"], chunk)


def index_material(store: Store, model_id: str, dimension: int) -> tuple[np.ndarray, Vectors, str, int]:
    """One consistent read of what an index must hold: (ids, vectors, corpus hash, chunks still unembedded)."""
    with store.read_snapshot():
        ids, vectors = store.embeddings(model_id, dimension)
        corpus_hash = store.corpus_hash()
        missing = len(store.chunk_ids()) - len(ids)
    return ids, vectors, corpus_hash, missing
