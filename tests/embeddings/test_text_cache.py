"""The taxonomy's vectors kept across rebuilds and restarts (embeddings/text_cache.py): embedded once, the same
vectors back, a damaged or foreign file rebuilt, a group's stale entries dropped, the file private."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from embeddings.base import Vectors
from embeddings.hashing import HashingEmbedder
from embeddings.text_cache import TextVectorCache


class Counting(HashingEmbedder):
    """The hashing embedder, counting the texts it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        self.embedded += list(texts)
        return super().embed_documents(texts, batch_size=batch_size)


TEXTS = ["Noting and drafting (Office procedure).", "Cyber hygiene (Digital).", "Grievance redressal (Citizen)."]


def test_texts_are_embedded_once_and_kept_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "index" / "text-vectors.npz"
    embedder = Counting()
    first = TextVectorCache(path, embedder.model_id).embed(embedder, TEXTS, group="competencies")
    assert embedder.embedded == TEXTS
    np.testing.assert_array_equal(first, HashingEmbedder().embed_documents(TEXTS))
    again = TextVectorCache(path, embedder.model_id).embed(embedder, [TEXTS[2], TEXTS[0]], group="competencies")
    assert embedder.embedded == TEXTS  # nothing new embedded: read from the file
    np.testing.assert_array_equal(again, first[[2, 0]])
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_only_new_texts_are_embedded_and_repeats_once(tmp_path: Path) -> None:
    embedder = Counting()
    cache = TextVectorCache(tmp_path / "t.npz", embedder.model_id)
    cache.embed(embedder, TEXTS[:2], group="roles")
    vectors = cache.embed(embedder, [TEXTS[1], "Patrolling (Police).", "Patrolling (Police)."], group="roles")
    assert embedder.embedded == [*TEXTS[:2], "Patrolling (Police)."]
    np.testing.assert_array_equal(vectors[1], vectors[2])


def test_a_group_keeps_its_latest_texts_only(tmp_path: Path) -> None:
    """An edited taxonomy replaces the old entries instead of growing the file."""
    path = tmp_path / "t.npz"
    embedder = Counting()
    cache = TextVectorCache(path, embedder.model_id)
    cache.embed(embedder, TEXTS, group="competencies")
    cache.embed(embedder, ["Patrolling (Police)."], group="roles")
    cache.embed(embedder, TEXTS[:1], group="competencies")
    assert len(cache) == 2
    reopened = TextVectorCache(path, embedder.model_id)
    reopened.embed(embedder, ["Patrolling (Police).", TEXTS[0]], group="roles")
    assert embedder.embedded == [*TEXTS, "Patrolling (Police)."]


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a zip file", b"PK\x03\x04 truncated"],
    ids=["empty", "garbage", "truncated-zip"],
)
def test_a_damaged_file_is_rebuilt(tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "t.npz"
    path.write_bytes(damage)
    embedder = Counting()
    with caplog.at_level(logging.WARNING, logger="gyanpath"):
        vectors = TextVectorCache(path, embedder.model_id).embed(embedder, TEXTS, group="competencies")
    assert embedder.embedded == TEXTS and "damaged" in caplog.text
    np.testing.assert_array_equal(vectors, HashingEmbedder().embed_documents(TEXTS))
    assert TextVectorCache(path, embedder.model_id).embed(Counting(), TEXTS, group="competencies").shape == (3, 256)


def test_wrong_values_in_a_readable_file_are_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "t.npz"
    embedder = Counting()
    TextVectorCache(path, embedder.model_id).embed(embedder, TEXTS, group="competencies")
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["vectors"] = np.full_like(arrays["vectors"], np.nan)
    np.savez(path, **arrays)
    counting = Counting()
    vectors = TextVectorCache(path, embedder.model_id).embed(counting, TEXTS, group="competencies")
    assert counting.embedded == TEXTS and np.isfinite(vectors).all()


def test_a_file_of_another_model_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "t.npz"
    small = HashingEmbedder(dimension=64)
    TextVectorCache(path, small.model_id).embed(small, TEXTS, group="competencies")
    embedder = Counting()
    vectors = TextVectorCache(path, embedder.model_id).embed(embedder, TEXTS, group="competencies")
    assert embedder.embedded == TEXTS and vectors.shape == (3, 256)
    with pytest.raises(ValueError, match="cannot hold vectors"):
        TextVectorCache(path, embedder.model_id).embed(small, TEXTS, group="competencies")


def test_an_unwritable_place_still_serves(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    embedder = Counting()
    cache = TextVectorCache(blocked / "t.npz", embedder.model_id)
    assert cache.embed(embedder, TEXTS, group="roles").shape == (3, 256)
    cache.embed(embedder, TEXTS, group="roles")
    assert embedder.embedded == TEXTS  # kept in memory
