"""What every ``gyanpath`` command shares: the --home and --json options, clean errors, and output."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from corpus.errors import CorpusError
from embeddings import EmbeddingError
from gyanpath.accounts import AccountError
from gyanpath.settings import Settings
from recommender.errors import RecommenderError
from tutor.errors import TutorError

console = Console(stderr=True)
out = Console()

HomeOption = Annotated[Path | None, typer.Option("--home", envvar="GYANPATH_HOME", help="Data directory.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def settings_for(home: Path | None) -> Settings:
    return Settings(home=home) if home is not None else Settings()


@contextmanager
def clean_errors() -> Iterator[None]:
    """Domain errors end the command with a message and exit code 1, never a traceback."""
    try:
        yield
    except (CorpusError, EmbeddingError, RecommenderError, AccountError, TutorError, ValueError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)  # plain text: never wrapped, so file:line stays greppable
        raise typer.Exit(1) from None


def strict_json(data: Any) -> Any:
    """``data`` with every NaN or infinite float replaced by None, so that it dumps as strict JSON."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: strict_json(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [strict_json(value) for value in data]
    return data


def json_text(data: Any, *, indent: int | None = None) -> str:
    """Strict JSON (``null``, never ``NaN`` or ``Infinity``), non-ASCII kept readable."""
    return json.dumps(strict_json(data), ensure_ascii=False, indent=indent, default=str, allow_nan=False)


def emit(as_json: bool, data: Any, table: Callable[[], Table] | None = None) -> None:
    if as_json or table is None:
        sys.stdout.write(json_text(data, indent=2) + "\n")
    else:
        out.print(table())
