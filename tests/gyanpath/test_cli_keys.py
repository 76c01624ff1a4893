"""``gyanpath keys``: create (token shown once), list, revoke, demo keys kept in a private file; clean errors."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from gyanpath.accounts import Role
from gyanpath.cli import app
from gyanpath.userstore import SQLiteUserStore

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout if "--json" in args else result.output


def test_create_list_and_revoke(tmp_path: Path) -> None:
    home = str(tmp_path)
    code, output = invoke("keys", "create", "--role", "admin", "--department", "revenue", "--name", "Ravi",
                          "--home", home, "--json")  # fmt: skip
    assert code == 0, output
    created = json.loads(output)
    assert (created["role"], created["department"], created["name"]) == ("admin", "revenue", "Ravi")
    assert created["token"].startswith(created["prefix"])
    users = SQLiteUserStore(tmp_path / "gyanpath.db")
    assert users.authenticate(created["token"]) is not None

    code, output = invoke("keys", "list", "--home", home, "--json")
    assert code == 0 and [k["id"] for k in json.loads(output)] == [created["id"]]
    assert created["token"] not in output

    code, output = invoke("keys", "revoke", created["id"], "--home", home, "--json")
    assert code == 0 and json.loads(output)["revoked_at"]
    assert users.authenticate(created["token"]) is None
    code, output = invoke("keys", "list", "--active", "--home", home, "--json")
    assert code == 0 and json.loads(output) == []


def test_plain_create_prints_the_token_once(tmp_path: Path) -> None:
    code, output = invoke("keys", "create", "-r", "learner", "-d", "health", "--home", str(tmp_path))
    assert code == 0 and "gp_" in output and "shown once" in output
    token = next(line for line in output.splitlines() if line.startswith("gp_"))
    code, output = invoke("keys", "list", "--home", str(tmp_path))
    assert code == 0 and "learner" in output and token[:10] in output and token not in output


def test_bad_values_are_clean_errors(tmp_path: Path) -> None:
    code, output = invoke("keys", "create", "--role", "boss", "--department", "revenue", "--home", str(tmp_path))
    assert code == 1 and "role: expected one of learner, author, admin, got 'boss'" in output
    code, output = invoke("keys", "create", "--role", "admin", "--department", "mars", "--home", str(tmp_path))
    assert code == 1 and "unknown department 'mars'" in output and "Traceback" not in output
    code, output = invoke("keys", "revoke", "nope", "--home", str(tmp_path))
    assert code == 1 and "no API key with id 'nope'" in output


def test_demo_keys_are_created_once_and_kept_private(tmp_path: Path) -> None:
    code, output = invoke("keys", "demo", "--home", str(tmp_path), "--json")
    assert code == 0, output
    first = json.loads(output)
    assert set(first) == {"learner", "author", "admin"} and {e["department"] for e in first.values()} == {"health"}
    path = tmp_path / "demo-keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == first

    assert json.loads(invoke("keys", "demo", "--home", str(tmp_path), "--json")[1]) == first  # idempotent
    users = SQLiteUserStore(tmp_path / "gyanpath.db")
    assert len(users.list_keys()) == 3
    assert {users.authenticate(e["token"]).role for e in first.values()} == set(Role)  # type: ignore[union-attr]

    users.revoke_key(first["author"]["id"])
    second = json.loads(invoke("keys", "demo", "--home", str(tmp_path), "--json")[1])
    assert second["learner"] == first["learner"] and second["author"] != first["author"]
    assert users.authenticate(second["author"]["token"]) is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
