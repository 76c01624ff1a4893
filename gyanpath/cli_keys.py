"""``gyanpath keys``: create, list and revoke API keys, and the demo keys ``make run`` prints."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from gyanpath.accounts import ApiKey, Role, check_department, parse_role
from gyanpath.cli_common import HomeOption, JsonOption, clean_errors, console, emit, out, settings_for
from gyanpath.userstore import SQLiteUserStore

keys_app = typer.Typer(
    help="API keys: each has a role (learner, author, admin) and a department.", no_args_is_help=True
)

DEMO_FILE = "demo-keys.json"
DEMO_DEPARTMENT = "health"  # it has a private case study in the bundled corpus, so the demo shows the difference


def _users(home: Path | None) -> SQLiteUserStore:
    """Only the user store: key commands never load a model."""
    return SQLiteUserStore(settings_for(home).database_path)


def _row(key: ApiKey) -> dict[str, Any]:
    return {**asdict(key), "role": key.role.value}


def _keys_table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    columns = ("id", "prefix", "role", "department", "name", "learner_id", "created_at", "revoked_at")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in ("id", "prefix", "role"))
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row[c]) for c in columns))
    return table


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option("--role", "-r", help="learner, author or admin.")],
    department: Annotated[str, typer.Option("--department", "-d", help="A department slug, e.g. revenue.")],
    name: Annotated[str | None, typer.Option("--name", "-n", help="Who holds the key.")] = None,
    learner_id: Annotated[str | None, typer.Option("--learner-id", help="Joins several keys' conversations.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a key and print its token, once. Example: gyanpath keys create --role admin --department revenue"""
    with clean_errors():
        users = _users(home)
        issued = users.create_key(
            role=parse_role(role), department=check_department(department), name=name, learner_id=learner_id
        )
        users.close()
        if as_json:
            emit(True, {**_row(issued.key), "token": issued.token})
            return
        out.print(_keys_table("Created key", [_row(issued.key)]))
        typer.echo(issued.token)
        console.print("This token is shown once; only its hash is stored.")


@keys_app.command("list")
def keys_list(
    department: Annotated[str | None, typer.Option("--department", "-d", help="Only this department.")] = None,
    active: Annotated[bool, typer.Option("--active", help="Leave out revoked keys.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """List keys (never their tokens). Example: gyanpath keys list --department revenue --active"""
    with clean_errors():
        users = _users(home)
        rows = [_row(k) for k in users.list_keys(department=department, include_revoked=not active)]
        users.close()
        emit(as_json, rows, lambda: _keys_table("API keys", rows))


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see 'gyanpath keys list').")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a key: it is refused from the next request on. Revoking twice is harmless."""
    with clean_errors():
        users = _users(home)
        key = users.revoke_key(key_id)
        users.close()
        emit(as_json, _row(key), lambda: _keys_table("Revoked key", [_row(key)]))


@keys_app.command("demo")
def keys_demo(
    department: Annotated[str, typer.Option("--department", "-d", help="The demo department.")] = DEMO_DEPARTMENT,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """One key per role for local use, created once and kept in <home>/demo-keys.json (mode 0600); later runs
    print the same keys, replacing only ones that were revoked."""
    with clean_errors():
        settings = settings_for(home)
        users = _users(home)
        demo = ensure_demo_keys(users, settings.home / DEMO_FILE, check_department(department))
        users.close()

        def table() -> Table:
            t = Table(title=f"Demo API keys ({settings.home / DEMO_FILE})")
            for column in ("role", "department", "token"):
                t.add_column(column, overflow="fold")
            for role, entry in demo.items():
                t.add_row(role, entry["department"], entry["token"])
            return t

        emit(as_json, demo, table)


def ensure_demo_keys(users: SQLiteUserStore, path: Path, department: str) -> dict[str, dict[str, str]]:
    """The demo keys in ``path``, with a new key for every role whose key is missing, revoked or unreadable."""
    try:
        saved: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    demo: dict[str, dict[str, str]] = {}
    for role in Role:
        entry = saved.get(role.value)
        token = entry.get("token") if isinstance(entry, dict) else None
        key = users.authenticate(token) if isinstance(token, str) else None
        if key is None or key.role != role:
            issued = users.create_key(role=role, department=department, name=f"demo {role}", learner_id=f"demo-{role}")
            key, token = issued.key, issued.token
        demo[role.value] = {"id": key.id, "department": key.department, "token": str(token)}
    if demo != saved:
        _write_private(path, json.dumps(demo, indent=2) + "\n")
    os.chmod(path, 0o600)
    return demo


def _write_private(path: Path, text: str) -> None:
    """Written aside with mode 0600 from the start, then moved into place: never readable by others, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
