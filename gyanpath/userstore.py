"""The service's own records about people: conversations with the tutor and feedback on answers (SQLite)."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from tutor.errors import ConversationNotFoundError
from tutor.types import Conversation, Turn

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, owner TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversation_turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    question TEXT NOT NULL, resolved_question TEXT NOT NULL, answer TEXT NOT NULL, answered INTEGER NOT NULL,
    cited TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (conversation_id, position));
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY, target TEXT NOT NULL, conversation_id TEXT, turn INTEGER, helpful INTEGER NOT NULL,
    comment TEXT NOT NULL, owner TEXT, created_at TEXT NOT NULL);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteUserStore:
    """Implements tutor.conversations.ConversationStore, plus feedback, over one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def create(self, owner: str | None) -> str:
        conversation_id = uuid.uuid4().hex
        with self._lock:
            self._db.execute("INSERT INTO conversations VALUES (?, ?, ?)", (conversation_id, owner, _now()))
        return conversation_id

    def get(self, conversation_id: str) -> Conversation:
        with self._lock:
            row = self._db.execute("SELECT owner FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
            if row is None:
                raise ConversationNotFoundError(conversation_id)
            turns = self._db.execute(
                "SELECT question, resolved_question, answer, answered, cited, created_at FROM conversation_turns"
                " WHERE conversation_id = ? ORDER BY position",
                (conversation_id,),
            ).fetchall()
        return Conversation(
            conversation_id,
            row[0],
            tuple(Turn(q, r, a, bool(ok), tuple(json.loads(c)), at) for q, r, a, ok, c, at in turns),
        )

    def append(self, conversation_id: str, turn: Turn) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (position,) = self._db.execute(
                    "SELECT COUNT(*) FROM conversation_turns WHERE conversation_id = ?", (conversation_id,)
                ).fetchone()
                self._db.execute(
                    "INSERT INTO conversation_turns VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        conversation_id,
                        position,
                        turn.question,
                        turn.resolved_question,
                        turn.answer,
                        int(turn.answered),
                        json.dumps(list(turn.cited_doc_ids)),
                        turn.created_at,
                    ),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add_feedback(
        self,
        *,
        target: str,
        helpful: bool,
        comment: str,
        conversation_id: str | None,
        turn: int | None,
        owner: str | None,
    ) -> str:
        if conversation_id is not None:
            conversation = self.get(conversation_id)
            if turn is not None and not 0 <= turn < len(conversation.turns):
                raise ValueError(f"turn: conversation has {len(conversation.turns)} turns, got {turn}")
        feedback_id = uuid.uuid4().hex
        with self._lock:
            self._db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (feedback_id, target, conversation_id, turn, int(helpful), comment, owner, _now()),
            )
        return feedback_id

    def feedback(self) -> list[dict[str, object]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, target, conversation_id, turn, helpful, comment, owner, created_at FROM feedback"
                " ORDER BY created_at"
            ).fetchall()
        keys = ("id", "target", "conversation_id", "turn", "helpful", "comment", "owner", "created_at")
        return [dict(zip(keys, row, strict=True)) for row in rows]
