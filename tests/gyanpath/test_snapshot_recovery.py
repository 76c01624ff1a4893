"""A damaged index snapshot never stops the service (issue 13, finding 7).

At start and at run time the app logs what is wrong (the file and the problem), answers ``/health`` with 200 while it
searches lexically, rebuilds from the store and serves the new snapshot. ``index status`` explains the damage and how
to fix it (exit 3, no traceback); ``index build`` replaces the damaged snapshot and its pointer.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corpus.indexer import snapshot_root
from embeddings.hashing import HashingEmbedder
from embeddings.snapshot import POINTER_FILE
from gyanpath.accounts import Role
from gyanpath.api.app import create_app
from gyanpath.cli import app
from gyanpath.services import Services
from tests.conftest import MINI, ClientFactory
from tests.snapshot_damage import ALL_DAMAGES, FILE_DAMAGES, MANIFEST_DAMAGES, POINTER_DAMAGES, Damage

runner = CliRunner()
QUERY: dict[str, str | int] = {"q": "phishing PFMS password", "k": 3}
EXPECTED_TOP = "cs-phishing-treasury"


def _name(damage: Damage) -> str:
    return damage.name


def _new_version_with(damage: Damage) -> Damage:
    """Another worker publishes a new version whose manifest is damaged in this way."""

    def apply(root: Path, version: str) -> None:
        shutil.copytree(root / version, root / "v000050")
        damage.apply(root, "v000050")
        (root / POINTER_FILE).write_text("v000050\n", encoding="utf-8")

    return Damage(f"new-version-{damage.name}", apply, damage.message)


RUN_TIME_DAMAGES = [d for d in POINTER_DAMAGES if d.name != "version-deleted"] + [
    _new_version_with(d) for d in MANIFEST_DAMAGES if d.name in ("files-null", "manifest-not-utf8", "files-a-list")
]
"""What a worker notices while it runs: a changed pointer (a deleted directory behind an unchanged pointer is only
read again at the next start, and the snapshot in memory stays sound meanwhile)."""


def _until_rebuilt(client: TestClient, damaged: str | None) -> dict[str, Any]:
    """Poll /health (always 200) until it is ok on a snapshot other than the damaged one."""
    deadline = time.monotonic() + 30
    while True:
        response = client.get("/health")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] == "ok" and body["snapshot_version"] != damaged:
            return body
        assert time.monotonic() < deadline, f"never rebuilt: {body}"
        time.sleep(0.05)


def _assert_searches(client: TestClient) -> None:
    body = client.get("/search", params=QUERY).json()
    assert body["degraded"] is False
    assert body["results"][0]["doc_id"] == EXPECTED_TOP


def _assert_pointer_is_sound(services: Services, version: str) -> None:
    assert services.snapshots.current_version() == version
    services.snapshots.load(model_id=services.embedder.model_id, dimension=services.embedder.dimension)


@pytest.mark.parametrize("damage", ALL_DAMAGES, ids=_name)
def test_the_app_starts_on_a_damaged_snapshot_and_rebuilds_it(
    services: Services, api_keys: dict[Role, str], damage: Damage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="gyanpath")
    damaged = services.snapshots.current_version()
    assert damaged is not None
    damage.apply(services.snapshots.root, damaged)
    headers = {"Authorization": f"Bearer {api_keys[Role.LEARNER]}"}
    with TestClient(create_app(services.settings), headers=headers) as client:  # its own services, as `serve` does
        assert client.get("/health").status_code == 200
        rebuilt = _until_rebuilt(client, damaged)
        _assert_searches(client)
    assert re.search(damage.message, caplog.text), caplog.text
    _assert_pointer_is_sound(services, rebuilt["snapshot_version"])


@pytest.mark.parametrize("damage", RUN_TIME_DAMAGES, ids=_name)
def test_damage_at_run_time_never_fails_health_and_is_rebuilt(
    services: Services,
    client_as: ClientFactory,
    damage: Damage,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services.settings, "snapshot_poll_seconds", 0.0)  # every request reads the pointer
    caplog.set_level(logging.WARNING, logger="gyanpath")
    client = client_as(Role.LEARNER)
    served = client.get("/health").json()["snapshot_version"]
    damage.apply(services.snapshots.root, served)
    for _ in range(5):
        assert client.get("/health").status_code == 200
    rebuilt = _until_rebuilt(client, served)
    _assert_searches(client)
    assert re.search(damage.message, caplog.text), caplog.text
    _assert_pointer_is_sound(services, rebuilt["snapshot_version"])
    assert rebuilt["snapshot_version"] not in (served, "v000050")


def test_a_refused_pointer_is_rebuilt_once_not_on_every_request(
    services: Services, client_as: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.settings, "snapshot_poll_seconds", 0.0)
    rebuilds: list[int] = []
    monkeypatch.setattr(services, "rebuild_in_background", lambda: rebuilds.append(1))  # and never repairs
    client = client_as(Role.LEARNER)
    (services.snapshots.root / POINTER_FILE).write_bytes(b"\xff\n")
    for _ in range(5):
        body = client.get("/health").json()
        assert body["status"] == "degraded" and "not valid UTF-8" in body["detail"]
    assert client.get("/search", params=QUERY).json()["results"]  # lexically
    assert rebuilds == [1]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GYANPATH_EMBEDDER", "hashing")
    path = tmp_path / "home"
    assert runner.invoke(app, ["ingest", str(MINI), "--home", str(path)]).exit_code == 0
    assert runner.invoke(app, ["index", "build", "--home", str(path)]).exit_code == 0
    return path


def _index(home: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["index", *args, "--home", str(home)])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("damage", ALL_DAMAGES, ids=_name)
def test_index_status_explains_the_damage_and_index_build_replaces_it(home: Path, damage: Damage) -> None:
    damage.apply(snapshot_root(home, HashingEmbedder().model_id), "v000001")
    code, stdout, stderr = _index(home, "status", "--json")
    assert code == 3, stdout + stderr
    status = json.loads(stdout)
    assert status["state"] == "invalid" and re.search(damage.message, status["detail"]), status
    assert "gyanpath index build" in stderr and "Traceback" not in stderr
    code, stdout, stderr = _index(home, "status")  # the table, whatever the damage holds (markup included)
    assert code == 3 and "invalid" in stdout, stdout + stderr
    code, stdout, stderr = _index(home, "build", "--json")
    assert code == 0, stdout + stderr
    built = json.loads(stdout)
    assert built["version"] != "v000001" and built["vector_count"] > 0
    if damage not in FILE_DAMAGES:  # the pointer and manifest are checked before the build, and the fix is said
        assert re.search(f"replaced a damaged snapshot with {built['version']}: .*{damage.message}", stderr), stderr
    code, stdout, stderr = _index(home, "status", "--json")
    assert code == 0, stdout + stderr
    assert json.loads(stdout)["state"] == "ready" and json.loads(stdout)["snapshot_version"] == built["version"]


def test_search_and_ask_warn_about_a_damaged_snapshot_without_crashing(home: Path) -> None:
    """The warning quotes the pointer's bytes, which must not be read as console markup (a closing tag crashed)."""
    (snapshot_root(home, HashingEmbedder().model_id) / POINTER_FILE).write_bytes(b"[/x] [bold]\n")
    search = runner.invoke(app, ["search", "phishing PFMS password", "-k", "1", "--home", str(home)])
    assert search.exit_code == 0 and "phishing" in search.stdout.lower(), search.output  # lexically
    ask = runner.invoke(app, ["ask", "What is phishing?", "--home", str(home)])  # answers as it does with no index
    for result in (search, ask):
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "warning:" in result.stderr and "'[/x] [bold]'" in result.stderr.replace("\n", "")
