"""What every ``gyanpath`` command shares: the --home and --json options, clean errors, and output."""

from __future__ import annotations

import json
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
    except (CorpusError, EmbeddingError, RecommenderError, AccountError, ValueError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)  # plain text: never wrapped, so file:line stays greppable
        raise typer.Exit(1) from None


def emit(as_json: bool, data: Any, table: Callable[[], Table] | None = None) -> None:
    if as_json or table is None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        out.print(table())
