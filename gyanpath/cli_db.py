"""``gyanpath db``: the progress database's schema (Alembic migrations shipped in the package)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from gyanpath.cli_common import HomeOption, JsonOption, clean_errors, emit, settings_for

db_app = typer.Typer(help="The progress database (GYANPATH_DATABASE_URL): schema migrations.", no_args_is_help=True)
UrlOption = Annotated[
    str | None,
    typer.Option("--url", envvar="GYANPATH_DATABASE_URL", help="Database URL; default sqlite:///<home>/progress.db."),
]


def _url(url: str | None, home: HomeOption) -> str:
    return url or settings_for(home).progress_url


@contextmanager
def _database_errors() -> Iterator[None]:
    """A wrong revision or an unreachable database ends the command with one line, never a traceback.

    SQLAlchemy and Alembic are imported here, when a ``db`` command runs, not when the CLI starts."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    with clean_errors():
        try:
            yield
        except (CommandError, SQLAlchemyError) as exc:
            raise ValueError(str(exc).splitlines()[0]) from None


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option("--revision", "-r", help="Target revision.")] = "head",
    url: UrlOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply migrations up to a revision (the service does this itself at start). Example: gyanpath db upgrade"""
    with _database_errors():
        from gyanpath.progress.database import current_revision, head_revision, make_engine, upgrade

        engine = make_engine(_url(url, home))
        try:
            before = current_revision(engine)
            upgrade(engine, revision)
            after = current_revision(engine)
        finally:
            engine.dispose()
    emit(as_json, {"before": before, "after": after, "head": head_revision()})


@db_app.command("current")
def db_current(url: UrlOption = None, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """The schema revision the database is at, and the latest this gyanpath knows."""
    with _database_errors():
        from gyanpath.progress.database import current_revision, head_revision, make_engine

        engine = make_engine(_url(url, home))
        try:
            current = current_revision(engine)
        finally:
            engine.dispose()
    emit(as_json, {"current": current, "head": head_revision()})
