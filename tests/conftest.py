"""Shared fixtures: the tiny corpus in tests/data/mini, the hashing embedder, and real models once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.ingest import IngestSources, ingest
from corpus.store import Store
from embeddings import Embedder, create_embedder
from embeddings.hashing import HashingEmbedder
from gyanpath.services import Services
from gyanpath.settings import Settings

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"


@pytest.fixture
def hashing() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "gyanpath.db")
    ingest(opened, IngestSources.bundle(MINI))
    yield opened
    opened.close()


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "empty.db")
    yield opened
    opened.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", embedder="hashing")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Services over the mini corpus with the hashing embedder and a built, loaded index."""
    built = Services.create(settings)
    ingest(built.store, IngestSources.bundle(MINI))
    built.rebuild_index()
    yield built
    built.close()


@pytest.fixture(scope="session")
def e5() -> Embedder:
    return create_embedder("e5-multilingual", num_threads=2)


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    return create_embedder("minilm-en")
