"""The corpus package's error hierarchy."""

from __future__ import annotations

from dataclasses import dataclass


class CorpusError(Exception):
    """Base class for corpus errors."""


@dataclass(frozen=True)
class Problem:
    """One validation problem, located precisely enough to fix it."""

    source: str
    location: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.location}" if self.location else self.source
        what = f"field {self.field!r}: " if self.field else ""
        return f"{where}: {what}{self.message}"


class ValidationError(CorpusError, ValueError):
    """One or more records are invalid; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(shown + more)


class DocumentNotFoundError(CorpusError, KeyError):
    def __init__(self, doc_id: str) -> None:
        super().__init__(doc_id)
        self.doc_id = doc_id

    def __str__(self) -> str:
        return f"no document with id {self.doc_id!r}"


class IndexNotReadyError(CorpusError):
    """Dense search was asked for while no valid snapshot is loaded."""
