"""The user store's API keys: hashed at rest, revocable, per department; and the schema migration of old files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from gyanpath.accounts import Role
from gyanpath.userstore import MIGRATIONS, SCHEMA_VERSION, SQLiteUserStore


@pytest.fixture
def users(tmp_path: Path) -> SQLiteUserStore:
    return SQLiteUserStore(tmp_path / "users.db")


def test_keys_are_stored_hashed_with_a_display_prefix(users: SQLiteUserStore, tmp_path: Path) -> None:
    issued = users.create_key(role=Role.AUTHOR, department="revenue", name="Ravi", learner_id="ravi")
    key = issued.key
    assert issued.token.startswith("gp_") and key.prefix == issued.token[:10]
    assert (key.role, key.department, key.name, key.learner_id, key.active) == (
        Role.AUTHOR,
        "revenue",
        "Ravi",
        "ravi",
        True,
    )
    users.close()
    db = sqlite3.connect(tmp_path / "users.db")
    rows = db.execute("SELECT * FROM api_keys").fetchall()
    assert issued.token not in repr(rows)
    assert rows[0][1] == hashlib.sha256(issued.token.encode()).hexdigest()


def test_authenticate_list_and_revoke(users: SQLiteUserStore) -> None:
    first = users.create_key(role=Role.LEARNER, department="revenue")
    second = users.create_key(role=Role.ADMIN, department="health")
    assert users.authenticate(first.token) == first.key
    assert users.authenticate("gp_unknown") is None
    assert [k.id for k in users.list_keys(department="health")] == [second.key.id]
    assert len(users.list_keys()) == 2
    revoked = users.revoke_key(first.key.id)
    assert revoked.revoked_at is not None and not revoked.active
    assert users.authenticate(first.token) is None
    assert users.revoke_key(first.key.id).revoked_at == revoked.revoked_at
    assert [k.id for k in users.list_keys(include_revoked=False)] == [second.key.id]


def test_bad_department_and_unknown_key_are_errors(users: SQLiteUserStore) -> None:
    with pytest.raises(ValueError, match="department: unknown department 'mars'"):
        users.create_key(role=Role.LEARNER, department="mars")
    with pytest.raises(LookupError, match="no API key with id 'nope'"):
        users.revoke_key("nope")


def test_a_file_from_before_keys_is_migrated_and_keeps_its_conversations(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0])  # what the store created before it had versions
    old.execute("INSERT INTO conversations VALUES ('c1', 'someone', '2024-01-01T00:00:00+00:00')")
    old.commit()
    old.close()
    users = SQLiteUserStore(path)
    assert users.schema_version == SCHEMA_VERSION == 2
    assert users.get("c1").owner == "someone"
    assert users.authenticate(users.create_key(role=Role.ADMIN, department="finance").token) is not None
    users.close()
    assert SQLiteUserStore(path).schema_version == SCHEMA_VERSION  # reopening changes nothing


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    SQLiteUserStore(tmp_path / "u.db").close()
    db = sqlite3.connect(tmp_path / "u.db")
    db.execute("UPDATE userstore_schema SET version = 99")
    db.commit()
    with pytest.raises(RuntimeError, match="schema 99"):
        SQLiteUserStore(tmp_path / "u.db")
