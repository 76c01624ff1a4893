"""The service's databases (documents, keys and conversations, progress) and their WAL files are readable by the
service's user only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.ingest import IngestSources, ingest
from corpus.private import owner_only_sqlite
from gyanpath.accounts import Role
from gyanpath.progress import LearnerRef
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import MINI


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_database_file_is_owner_only(tmp_path: Path, open_umask: None) -> None:
    home = tmp_path / "home"
    services = Services.create(Settings(home=home, embedder="hashing"))
    try:
        ingest(services.store, IngestSources.bundle(MINI))
        services.users.create_key(role=Role.LEARNER, department="health", name="t")
        assert not (home / "progress.db").exists(), "opened on first use (the service opens it at start-up)"
        assert services.progress.learner(LearnerRef("health/nobody", "nobody", "health")) is None
        databases = sorted(home.glob("*.db")) + sorted(home.glob("*.db-wal")) + sorted(home.glob("*.db-shm"))
        assert {p.name for p in databases} >= {"gyanpath.db", "gyanpath.db-wal", "gyanpath.db-shm", "progress.db"}
        assert {p.name: oct(mode(p)) for p in databases} == {p.name: oct(0o600) for p in databases}
    finally:
        services.close()


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    wal = tmp_path / "old.db-wal"
    wal.write_bytes(b"")
    for file in (path, wal):
        os.chmod(file, 0o644)
    owner_only_sqlite(path)
    assert mode(path) == mode(wal) == 0o600


def test_index_directories_are_owner_only(services_umask_home: Path) -> None:
    """Snapshots hold private case studies' vectors and the BM25 cache their words: the home's ``index/`` and each
    model's snapshot root are 0700 whatever the umask, and a looser one made earlier is tightened."""
    index = services_umask_home / "index"
    roots = [index, *(p for p in index.iterdir() if p.is_dir())]
    assert len(roots) == 2 and all(mode(p) == 0o700 for p in roots), {str(p): oct(mode(p)) for p in roots}


@pytest.fixture
def services_umask_home(tmp_path: Path, open_umask: None) -> Iterator[Path]:
    home = tmp_path / "home"
    (home / "index").mkdir(parents=True)
    os.chmod(home / "index", 0o755)  # as an earlier version left it
    services = Services.create(Settings(home=home, embedder="hashing"))
    try:
        ingest(services.store, IngestSources.bundle(MINI))
        services.rebuild_index()
        yield home
    finally:
        services.close()
