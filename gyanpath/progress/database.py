"""Engines for the progress store and its migrations, applied in code (no alembic.ini at run time).

SQLite gets WAL, a busy timeout, foreign keys and ``synchronous=FULL`` on every connection, and every transaction
starts with ``BEGIN IMMEDIATE`` (one writer at a time, readers never blocked, no lock upgrade deadlocks).
PostgreSQL is reached with psycopg 3: ``postgresql+psycopg://user@host:5432/db``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from corpus.private import owner_only_sqlite

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
_IN_PROCESS = threading.Lock()
"""Alembic's ``context`` is process-global: two threads must never run migrations at once."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, its connections tuned for safe concurrent use."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        owner_only_sqlite(Path(parsed.database))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", f"busy_timeout={BUSY_TIMEOUT_MS}", "foreign_keys=ON", "synchronous=FULL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``. Several processes may start at once: SQLite files are migrated under a
    file lock, PostgreSQL under an advisory lock taken in the migration transaction (see migrations/env.py)."""
    database = engine.url.database
    with _IN_PROCESS:
        if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
            with FileLock(f"{database}.migrate.lock", timeout=BUSY_TIMEOUT_MS / 1000):
                command.upgrade(alembic_config(engine), revision)
        else:
            command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()
