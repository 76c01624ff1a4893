"""Conversation storage behind a protocol; the service's store implements it, this in-process one serves tests."""

from __future__ import annotations

import threading
import uuid
from typing import Protocol

from tutor.errors import ConversationNotFoundError
from tutor.types import Conversation, Turn


class ConversationStore(Protocol):
    def create(self, owner: str | None) -> str: ...

    def get(self, conversation_id: str) -> Conversation: ...

    def append(self, conversation_id: str, turn: Turn) -> None: ...


class InMemoryConversationStore:
    def __init__(self) -> None:
        self._conversations: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def create(self, owner: str | None) -> str:
        conversation_id = uuid.uuid4().hex
        with self._lock:
            self._conversations[conversation_id] = Conversation(conversation_id, owner)
        return conversation_id

    def get(self, conversation_id: str) -> Conversation:
        try:
            return self._conversations[conversation_id]
        except KeyError:
            raise ConversationNotFoundError(conversation_id) from None

    def append(self, conversation_id: str, turn: Turn) -> None:
        with self._lock:
            current = self.get(conversation_id)
            self._conversations[conversation_id] = Conversation(current.id, current.owner, (*current.turns, turn))
