"""The BM25 cache beside the snapshots: a starting process loads it instead of tokenizing every passage, and only
when it matches what the store holds (issue 16, cold start)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from corpus import search
from corpus.ingest import IngestSources, ingest
from corpus.lexical import BM25Index
from corpus.search import LEXICAL_CACHE
from gyanpath.services import Services
from tests.conftest import MINI


def _cache(services: Services) -> Path:
    return next(services.settings.home.joinpath("index").rglob(LEXICAL_CACHE))


def test_a_restart_loads_the_cache_instead_of_tokenizing(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = _cache(services)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600, "private case studies' words are in it"
    before = [h.doc_id for h in services.retriever.retrieve("phishing email treasury", k=5, mode="lexical")]

    class NoTokenizing(BM25Index):
        def __init__(self, texts: list[str], **kwargs: float) -> None:
            raise AssertionError("the cache should have been used")

    monkeypatch.setattr(search, "BM25Index", NoTokenizing)
    restarted = Services.create(services.settings, embedder=services.embedder)
    assert restarted.load_index()
    after = [h.doc_id for h in restarted.retriever.retrieve("phishing email treasury", k=5, mode="lexical")]
    assert after == before and before
    restarted.close()


def test_a_content_change_rebuilds_the_cache(services: Services, tmp_path: Path) -> None:
    cache = _cache(services)
    first = cache.read_bytes()
    study = tmp_path / "cs-new.md"
    study.write_text(
        "---\nid: cs-zzyzx-ferry\ntitle: Zzyzx ferry permits\ndepartment: revenue\nsector: e-governance\nyear: 2024\n"
        "language: en\nsource: test\n---\n\n## What was done\n\nThe zzyzx ferry permits were issued online.\n",
        encoding="utf-8",
    )
    ingest(services.store, IngestSources(case_studies=[study]))
    services.rebuild_index()
    assert cache.read_bytes() != first
    hits = services.retriever.retrieve("zzyzx ferry", k=3, mode="lexical")
    assert hits and hits[0].doc_id == "cs-zzyzx-ferry"


def test_a_damaged_cache_is_rebuilt(services: Services) -> None:
    cache = _cache(services)
    cache.write_bytes(b"not a numpy file")
    restarted = Services.create(services.settings, embedder=services.embedder)
    assert restarted.load_index()
    assert restarted.retriever.retrieve("phishing email treasury", k=3, mode="lexical")
    assert cache.read_bytes().startswith(b"PK"), "rewritten as an npz archive"
    restarted.close()


def test_the_bundle_used_here_exists() -> None:
    assert MINI.is_dir()
