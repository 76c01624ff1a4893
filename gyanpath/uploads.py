"""Uploads indexed in the background: a durable queue in the service's database, and the thread that works it.

An upload too large to embed while the request waits (``GYANPATH_SYNC_INDEX_CHARS``) is validated, reviewed and
queued; the request answers 202 with a job the author can follow (``GET /content/uploads/{job}``). One thread per
process takes jobs in order, embeds the document, then stores it together with its vectors and publishes the index
in one step, so the document is searchable the moment it is stored, and no other request has to embed it.

The queue is a table beside the documents (same SQLite file, mode 0600: a queued private case study is as private
as a stored one). A job survives a restart: one left "indexing" by a process that is gone is queued again when a
process of the same host starts. Each department may have ``MAX_ACTIVE_PER_DEPARTMENT`` jobs waiting or running,
so one key cannot queue hours of work.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from corpus.private import connect_private_sqlite
from corpus.serialize import document_from_dict, document_to_dict
from corpus.types import Document

log = logging.getLogger("gyanpath")
JobStatus = Literal["queued", "indexing", "done", "failed", "cancelled"]
MAX_ACTIVE_PER_DEPARTMENT = 4
KEEP_FINISHED = timedelta(days=7)

SCHEMA = """
CREATE TABLE IF NOT EXISTS upload_jobs (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, kind TEXT NOT NULL, department TEXT NOT NULL, key_id TEXT NOT NULL,
    document TEXT, sanitized TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'indexing', 'done', 'failed', 'cancelled')),
    outcome TEXT, detail TEXT, snapshot_version TEXT, worker TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS upload_jobs_by_status ON upload_jobs (status, created_at);
CREATE INDEX IF NOT EXISTS upload_jobs_by_department ON upload_jobs (department, status);
"""
COLUMNS = (
    "id, doc_id, kind, department, key_id, document, sanitized, status, outcome, detail, snapshot_version, "
    "created_at, updated_at"
)


class UploadJobNotFoundError(Exception):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"no upload job {job_id!r}")
        self.job_id = job_id


class TooManyUploadsError(Exception):
    """The department already has as many uploads waiting to be indexed as it may (429)."""


@dataclass(frozen=True)
class UploadJob:
    id: str
    doc_id: str
    kind: str
    department: str
    key_id: str
    status: JobStatus
    outcome: str | None
    detail: str | None
    snapshot_version: str | None
    created_at: str
    updated_at: str
    document: Document | None = None
    """Until it is stored (queued or indexing); None afterwards."""
    sanitized: tuple[str, ...] = ()


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive_here(worker: str) -> bool:
    """Whether ``worker`` (host:pid) is a live process of this host; a worker of another host counts as alive."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user holds the pid: not ours, so ours is gone
        return False
    return True


class UploadQueue:
    """The queue's table, over its own connection to the service's database file."""

    def __init__(self, path: Path) -> None:
        self._db = connect_private_sqlite(path)
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def submit(self, document: Document, *, key_id: str, department: str, sanitized: tuple[str, ...]) -> UploadJob:
        """Queue ``document``; TooManyUploadsError when its department already has the most it may."""
        now = _stamp(_now())
        job_id = f"up-{uuid.uuid4().hex[:16]}"
        data = json.dumps(document_to_dict(document), ensure_ascii=False, sort_keys=True)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (active,) = self._db.execute(
                    "SELECT COUNT(*) FROM upload_jobs WHERE department = ? AND status IN ('queued', 'indexing')",
                    (department,),
                ).fetchone()
                if active >= MAX_ACTIVE_PER_DEPARTMENT:
                    raise TooManyUploadsError(
                        f"{active} uploads of {department} are waiting to be indexed (at most "
                        f"{MAX_ACTIVE_PER_DEPARTMENT}); send this one when one of them is done"
                    )
                self._db.execute(
                    f"INSERT INTO upload_jobs ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', NULL, NULL, NULL,"
                    " ?, ?)",
                    (job_id, document.id, document.kind, department, key_id, data, json.dumps(sanitized), now, now),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return UploadJob(job_id, document.id, document.kind, department, key_id, "queued", None, None, None, now, now)

    def claim(self, worker: str) -> UploadJob | None:
        """The oldest queued job, now marked as indexed by ``worker``; None when none is queued."""
        with self._lock:
            row = self._db.execute(
                "UPDATE upload_jobs SET status = 'indexing', worker = ?, updated_at = ? WHERE id = (SELECT id FROM"
                " upload_jobs WHERE status = 'queued' ORDER BY created_at, id LIMIT 1) AND status = 'queued'"
                f" RETURNING {COLUMNS}",
                (worker, _stamp(_now())),
            ).fetchone()
        return _job(row) if row is not None else None

    def finish(
        self,
        job_id: str,
        status: JobStatus,
        *,
        outcome: str | None = None,
        detail: str | None = None,
        snapshot_version: str | None = None,
    ) -> None:
        """Record how a job ended; its document is dropped (stored now, or refused)."""
        with self._lock:
            self._db.execute(
                "UPDATE upload_jobs SET status = ?, outcome = ?, detail = ?, snapshot_version = ?, document = NULL,"
                " updated_at = ? WHERE id = ?",
                (status, outcome, detail, snapshot_version, _stamp(_now()), job_id),
            )

    def get(self, job_id: str) -> UploadJob:
        with self._lock:
            row = self._db.execute(f"SELECT {COLUMNS} FROM upload_jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise UploadJobNotFoundError(job_id)
        return _job(row)

    def jobs(self, department: str, limit: int = 50) -> list[UploadJob]:
        """The department's jobs, newest first (finished ones are kept KEEP_FINISHED)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {COLUMNS} FROM upload_jobs WHERE department = ? ORDER BY created_at DESC, id LIMIT ?",
                (department, limit),
            ).fetchall()
        return [_job(row) for row in rows]

    def waiting(self) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM upload_jobs WHERE status = 'queued'").fetchone()
        return int(count)

    def cancel(self, doc_id: str, department: str) -> int:
        """Cancel the queued uploads of ``doc_id`` by ``department`` (the document was deleted meanwhile)."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE upload_jobs SET status = 'cancelled', detail = 'the document was deleted before it was"
                " indexed', document = NULL, updated_at = ? WHERE doc_id = ? AND department = ? AND status = 'queued'",
                (_stamp(_now()), doc_id, department),
            )
        return cursor.rowcount

    def recover(self, alive: Callable[[str], bool] = _alive_here) -> int:
        """Queue again the jobs left "indexing" by a process that is gone, and forget finished jobs past
        KEEP_FINISHED. Returns the number queued again."""
        with self._lock:
            rows = self._db.execute("SELECT id, worker FROM upload_jobs WHERE status = 'indexing'").fetchall()
            lost = [job_id for job_id, worker in rows if not alive(worker or "")]
            now = _stamp(_now())
            self._db.executemany(
                "UPDATE upload_jobs SET status = 'queued', worker = NULL, updated_at = ? WHERE id = ?"
                " AND status = 'indexing'",
                [(now, job_id) for job_id in lost],
            )
            self._db.execute(
                "DELETE FROM upload_jobs WHERE status IN ('done', 'failed', 'cancelled') AND updated_at < ?",
                (_stamp(_now() - KEEP_FINISHED),),
            )
        return len(lost)


def _job(row: tuple[object, ...]) -> UploadJob:
    (job_id, doc_id, kind, department, key_id, document, sanitized, status, outcome, detail, version, created,
     updated) = row  # fmt: skip
    stored = json.loads(str(document)) if document is not None else None
    return UploadJob(
        id=str(job_id),
        doc_id=str(doc_id),
        kind=str(kind),
        department=str(department),
        key_id=str(key_id),
        status=str(status),  # type: ignore[arg-type]  # the table's CHECK holds it to JobStatus
        outcome=None if outcome is None else str(outcome),
        detail=None if detail is None else str(detail),
        snapshot_version=None if version is None else str(version),
        created_at=str(created),
        updated_at=str(updated),
        document=document_from_dict(str(kind), stored) if stored is not None else None,
        sanitized=tuple(json.loads(str(sanitized))),
    )


class UploadWorker:
    """One thread per process that works the queue until it is empty; ``wake`` starts it again."""

    def __init__(self, queue: UploadQueue, index: Callable[[UploadJob], None]) -> None:
        self.queue = queue
        self.index = index
        self.worker = this_worker()
        self._thread: threading.Thread | None = None
        self._more = False
        self._stopping = False
        self._lock = threading.Lock()

    def wake(self) -> None:
        with self._lock:
            self._more = True
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name="gyanpath-uploads", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._more or self._stopping:
                    self._thread = None
                    return
                self._more = False
            while not self._stopping and (job := self.queue.claim(self.worker)) is not None:
                with self._lock:
                    self._more = True  # look once more after this job: another may have come meanwhile
                try:
                    self.index(job)
                except Exception as exc:  # the job says what happened; the thread goes on with the next one
                    log.exception("indexing upload %s (%s) failed", job.id, job.doc_id)
                    try:
                        self.queue.finish(job.id, "failed", detail=f"indexing failed: {exc}")
                    except sqlite3.Error:  # shutting down: left "indexing", queued again at the next start
                        log.warning("upload %s left unfinished at shutdown", job.id)
                        return

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to finish the queue (tests, benchmarks)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def stop(self, timeout: float) -> None:
        """Take no new job, and wait up to ``timeout`` for the one in hand. One still running then is left
        "indexing" in the table: a process of this host queues it again when it starts (``recover``)."""
        with self._lock:
            self._stopping = True
        self.join(timeout)
