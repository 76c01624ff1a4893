"""Database files readable by the service's user only: documents and private case studies, conversations, feedback,
key hashes and learners' progress are nobody else's business on a shared machine."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

OWNER_ONLY = 0o600


def owner_only_sqlite(path: Path) -> None:
    """Create ``path`` (and its folder) with mode 0600 if it does not exist, and set 0600 on it and on its ``-wal``,
    ``-shm`` and ``-journal`` files where they exist. SQLite gives the files it creates later the database file's
    mode. An existing database is never opened here: closing any descriptor of a SQLite file drops every POSIX lock
    the process holds on it, which would let another connection of this process corrupt it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # created meanwhile: then it is not ours to open either
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY))
    for name in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(name, OWNER_ONLY)


def connect_private_sqlite(path: Path) -> sqlite3.Connection:
    """A connection to the SQLite file ``path`` (created 0600 if new, see ``owner_only_sqlite``) as the service's
    stores use it: usable from any thread (the caller serialises), autocommit with explicit transactions, write-ahead
    log, waiting up to 30 s for another process's write, foreign keys enforced."""
    owner_only_sqlite(path)
    connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30.0)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA busy_timeout=30000")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection
