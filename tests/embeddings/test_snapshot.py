"""Snapshots: round trips, atomic publication, and refusal of corrupt or mismatched files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from embeddings import (
    FaissIndex,
    SnapshotCorruptError,
    SnapshotMismatchError,
    SnapshotMissingError,
    SnapshotStore,
    normalize_rows,
)
from embeddings.snapshot import INDEX_FILE, KEEP_VERSIONS, MANIFEST_FILE
from tests.snapshot_damage import ALL_DAMAGES, UNREADABLE_POINTERS, Damage

DIM = 16


def small_index(n: int = 50, seed: int = 0) -> FaissIndex:
    index = FaissIndex(DIM)
    index.add(np.arange(n, dtype=np.int64), normalize_rows(np.random.default_rng(seed).standard_normal((n, DIM))))
    return index


@pytest.fixture
def snapshots(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore(tmp_path / "snapshots")


def test_round_trip_with_manifest(snapshots: SnapshotStore) -> None:
    index = small_index()
    manifest = snapshots.publish(index, model_id="m1", corpus_hash="abc")
    loaded = snapshots.load(model_id="m1", dimension=DIM, corpus_hash="abc")
    assert loaded.manifest == manifest
    assert manifest.vector_count == 50 and manifest.dimension == DIM and manifest.model_id == "m1"
    assert {"faiss", "numpy", "python"} <= set(manifest.libraries)
    assert manifest.created_at
    query = normalize_rows(np.ones((1, DIM)))
    assert loaded.index.search(query, 5) == index.search(query, 5)


def test_missing_snapshot_is_reported(snapshots: SnapshotStore) -> None:
    with pytest.raises(SnapshotMissingError):
        snapshots.load(model_id="m1", dimension=DIM)


@pytest.mark.parametrize(
    ("model_id", "dimension", "corpus_hash", "message"),
    [("other-model", DIM, "abc", "built by m1"), ("m1", DIM * 2, "abc", "built by m1"), ("m1", DIM, "zzz", "corpus")],
)
def test_mismatches_are_refused(
    snapshots: SnapshotStore, model_id: str, dimension: int, corpus_hash: str, message: str
) -> None:
    snapshots.publish(small_index(), model_id="m1", corpus_hash="abc")
    with pytest.raises(SnapshotMismatchError, match=message):
        snapshots.load(model_id=model_id, dimension=dimension, corpus_hash=corpus_hash)


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete", "manifest"])
def test_corruption_is_detected(snapshots: SnapshotStore, damage: str) -> None:
    manifest = snapshots.publish(small_index(), model_id="m1", corpus_hash="abc")
    directory = snapshots.root / manifest.version
    index_file = directory / INDEX_FILE
    if damage == "truncate":
        index_file.write_bytes(index_file.read_bytes()[:100])
    elif damage == "flip":
        data = bytearray(index_file.read_bytes())
        data[len(data) // 2] ^= 0xFF
        index_file.write_bytes(bytes(data))
    elif damage == "delete":
        index_file.unlink()
    else:
        (directory / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(SnapshotCorruptError):
        snapshots.load(model_id="m1", dimension=DIM)


@pytest.mark.parametrize("damage", ALL_DAMAGES, ids=lambda d: d.name)
def test_every_damage_is_a_corrupt_error_naming_the_file_and_the_problem(
    snapshots: SnapshotStore, damage: Damage
) -> None:
    """Issue 13, finding 7: bad bytes, wrong types or paths in CURRENT or manifest.json were tracebacks."""
    manifest = snapshots.publish(small_index(), model_id="m1", corpus_hash="abc")
    damage.apply(snapshots.root, manifest.version)
    with pytest.raises(SnapshotCorruptError, match=damage.message):
        snapshots.load(model_id="m1", dimension=DIM)


@pytest.mark.parametrize("damage", UNREADABLE_POINTERS, ids=lambda d: d.name)
def test_a_pointer_that_names_no_version_is_refused_when_read(snapshots: SnapshotStore, damage: Damage) -> None:
    manifest = snapshots.publish(small_index(), model_id="m1", corpus_hash="abc")
    damage.apply(snapshots.root, manifest.version)
    with pytest.raises(SnapshotCorruptError, match=damage.message):
        snapshots.current_version()


@pytest.mark.parametrize("damage", ALL_DAMAGES, ids=lambda d: d.name)
def test_publishing_replaces_a_damaged_snapshot(snapshots: SnapshotStore, damage: Damage) -> None:
    manifest = snapshots.publish(small_index(), model_id="m1", corpus_hash="abc")
    damage.apply(snapshots.root, manifest.version)
    republished = snapshots.publish(small_index(60, seed=1), model_id="m1", corpus_hash="new")
    assert snapshots.current_version() == republished.version != manifest.version
    assert snapshots.load(model_id="m1", dimension=DIM, corpus_hash="new").manifest == republished


def test_a_reader_keeps_its_snapshot_while_a_new_one_is_published(snapshots: SnapshotStore) -> None:
    snapshots.publish(small_index(50), model_id="m1", corpus_hash="one")
    held = snapshots.load(model_id="m1", dimension=DIM)
    snapshots.publish(small_index(80, seed=3), model_id="m1", corpus_hash="two")
    assert len(held.index) == 50
    assert snapshots.load(model_id="m1", dimension=DIM).manifest.vector_count == 80


def test_old_versions_are_pruned_and_leftovers_removed(snapshots: SnapshotStore) -> None:
    snapshots.publish(small_index(), model_id="m1", corpus_hash="a")
    leftover = snapshots.root / ".tmp-crashed"
    leftover.mkdir()
    for n in range(KEEP_VERSIONS + 2):
        snapshots.publish(small_index(), model_id="m1", corpus_hash=str(n))
    assert len(snapshots.versions()) == KEEP_VERSIONS
    assert not leftover.exists()
    assert snapshots.current_version() == snapshots.versions()[-1]


def test_manifest_is_json_not_pickle(snapshots: SnapshotStore) -> None:
    manifest = snapshots.publish(small_index(), model_id="m1", corpus_hash="a")
    data = json.loads((snapshots.root / manifest.version / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert data["files"][INDEX_FILE]["sha256"]
    assert not list(snapshots.root.rglob("*.pkl")) and not list(snapshots.root.rglob("*.pickle"))
