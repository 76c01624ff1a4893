"""The service's own records about people: API keys, conversations with the tutor and feedback (SQLite)."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from corpus.private import connect_private_sqlite
from gyanpath.accounts import (
    DISPLAY_CHARS,
    ApiKey,
    IssuedKey,
    KeyNotFoundError,
    Role,
    check_department,
    hash_token,
    new_key_id,
    new_token,
)
from tutor.errors import ConversationNotFoundError
from tutor.types import Conversation, Turn

# Applied in order, each once; the version reached is kept in ``userstore_schema``. Every step is idempotent, so two
# processes opening an old file at the same time both end up at the latest version.
MIGRATIONS = (
    """
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, owner TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversation_turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    question TEXT NOT NULL, resolved_question TEXT NOT NULL, answer TEXT NOT NULL, answered INTEGER NOT NULL,
    cited TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (conversation_id, position));
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY, target TEXT NOT NULL, conversation_id TEXT, turn INTEGER, helpful INTEGER NOT NULL,
    comment TEXT NOT NULL, owner TEXT, created_at TEXT NOT NULL);
""",
    """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('learner', 'author', 'admin')), department TEXT NOT NULL, name TEXT,
    learner_id TEXT, created_at TEXT NOT NULL, revoked_at TEXT);
CREATE INDEX IF NOT EXISTS api_keys_department ON api_keys (department);
""",
)
SCHEMA_VERSION = len(MIGRATIONS)
KEY_COLUMNS = "id, prefix, role, department, name, learner_id, created_at, revoked_at"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteUserStore:
    """Implements tutor.conversations.ConversationStore, plus feedback, over one SQLite file."""

    def __init__(self, path: Path) -> None:
        self._db = connect_private_sqlite(path)
        self._lock = threading.Lock()
        self._migrate()

    def _migrate(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS userstore_schema (version INTEGER NOT NULL)")
        row = self._db.execute("SELECT MAX(version) FROM userstore_schema").fetchone()
        version = row[0] or 0
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"the user store is at schema {version}; this gyanpath knows up to {SCHEMA_VERSION}")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self._db.executescript(
                f"BEGIN IMMEDIATE;{script}DELETE FROM userstore_schema; INSERT INTO userstore_schema VALUES ({number});"
                " COMMIT;"
            )

    @property
    def schema_version(self) -> int:
        with self._lock:
            (version,) = self._db.execute("SELECT MAX(version) FROM userstore_schema").fetchone()
        return int(version)

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

    def department_feedback(self, department: str) -> list[dict[str, object]]:
        """Feedback from the department's learners: owners ``<department>/...`` and ``key/<id>`` of its keys."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, target, conversation_id, turn, helpful, comment, owner, created_at FROM feedback"
                " WHERE substr(owner, 1, length(?) + 1) = ? || '/'"
                " OR owner IN (SELECT 'key/' || id FROM api_keys WHERE department = ?) ORDER BY created_at, rowid",
                (department, department, department),
            ).fetchall()
        keys = ("id", "target", "conversation_id", "turn", "helpful", "comment", "owner", "created_at")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def erase_owner(self, owner: str) -> tuple[int, int]:
        """Delete an owner's conversations (with their turns) and feedback in one transaction:
        (conversations, feedback) removed."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                feedback = self._db.execute(
                    "DELETE FROM feedback WHERE owner = ?"
                    " OR conversation_id IN (SELECT id FROM conversations WHERE owner = ?)",
                    (owner, owner),
                ).rowcount
                conversations = self._db.execute("DELETE FROM conversations WHERE owner = ?", (owner,)).rowcount
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return conversations, feedback

    # API keys

    def create_key(
        self, *, role: Role, department: str, name: str | None = None, learner_id: str | None = None
    ) -> IssuedKey:
        """A new key; its token is returned here once and only its hash is stored."""
        token = new_token()
        key = ApiKey(new_key_id(), token[:DISPLAY_CHARS], role, check_department(department), name, learner_id, _now())
        with self._lock:
            self._db.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    key.id,
                    hash_token(token),
                    key.prefix,
                    key.role.value,
                    key.department,
                    name,
                    learner_id,
                    key.created_at,
                ),
            )
        return IssuedKey(key, token)

    def authenticate(self, token: str) -> ApiKey | None:
        """The active key with this token, or None for an unknown or revoked one."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {KEY_COLUMNS} FROM api_keys WHERE token_sha256 = ? AND revoked_at IS NULL",
                (hash_token(token),),
            ).fetchone()
        return _key(row) if row else None

    def get_key(self, key_id: str) -> ApiKey:
        with self._lock:
            row = self._db.execute(f"SELECT {KEY_COLUMNS} FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        if row is None:
            raise KeyNotFoundError(key_id)
        return _key(row)

    def list_keys(self, *, department: str | None = None, include_revoked: bool = True) -> list[ApiKey]:
        query = f"SELECT {KEY_COLUMNS} FROM api_keys WHERE (? IS NULL OR department = ?)"
        if not include_revoked:
            query += " AND revoked_at IS NULL"
        with self._lock:
            rows = self._db.execute(query + " ORDER BY created_at, id", (department, department)).fetchall()
        return [_key(row) for row in rows]

    def revoke_key(self, key_id: str) -> ApiKey:
        """Revoke a key (idempotent: revoking twice keeps the first time)."""
        with self._lock:
            self._db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (_now(), key_id))
        return self.get_key(key_id)


def _key(row: tuple[str, ...]) -> ApiKey:
    key_id, prefix, role, department, name, learner_id, created_at, revoked_at = row
    return ApiKey(key_id, prefix, Role(role), department, name, learner_id, created_at, revoked_at)
