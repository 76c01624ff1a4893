"""Alembic environment for the progress store: the engine comes from ``config.attributes`` (set in code)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, text

from gyanpath.progress.models import Base

MIGRATION_LOCK = 0x6779_7061_7468  # a fixed advisory-lock key every replica of this service uses

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
