"""The tutor's error hierarchy."""

from __future__ import annotations

from corpus.types import Hit


class TutorError(Exception):
    """Base class for tutor errors."""


class ConversationNotFoundError(TutorError, KeyError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(conversation_id)
        self.conversation_id = conversation_id

    def __str__(self) -> str:
        return f"no conversation with id {self.conversation_id!r}"


class GeneratorError(TutorError):
    """A generator backend failed (HTTP error, bad response, model missing).

    ``hits`` are the passages retrieved for the question before the backend failed, so a caller can still offer
    the search results."""

    hits: tuple[Hit, ...] = ()


class GeneratorTimeoutError(GeneratorError):
    """A generator backend did not answer in time."""


class UnknownGeneratorError(TutorError, ValueError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown generator {name!r}; known generators: {', '.join(sorted(known))}")
