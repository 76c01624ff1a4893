"""The store is the source of truth: idempotent upserts, cascading deletes, all-or-nothing ingest runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from corpus.errors import DocumentNotFoundError, ValidationError
from corpus.ingest import IngestSources, ingest
from corpus.loaders import load_courses
from corpus.store import Store
from corpus.types import Course
from tests.conftest import MINI


def test_reingesting_is_idempotent(store: Store) -> None:
    before = (store.counts(), store.corpus_hash(), store.chunk_ids().tolist())
    report = ingest(store, IngestSources.bundle(MINI))
    assert report.outcomes["courses"] == {"unchanged": 3}
    assert (store.counts(), store.corpus_hash(), store.chunk_ids().tolist()) == before


def test_changed_document_replaces_its_chunks_with_new_ids(store: Store) -> None:
    course = store.get_document("crs-ai-basics-en")
    assert isinstance(course, Course)
    old_ids = set(store.chunk_ids().tolist())
    old_hash = store.corpus_hash()
    changed = Course(**{**course.__dict__, "description": course.description + " Includes a lab on chatbots."})  # type: ignore[arg-type]
    assert store.upsert_document(changed) == "updated"
    new_ids = set(store.chunk_ids().tolist())
    assert new_ids - old_ids, "new passages get fresh ids"
    assert store.corpus_hash() != old_hash
    assert "chatbots" in store.get_document("crs-ai-basics-en").description  # type: ignore[union-attr]


def test_delete_cascades_to_chunks_and_embeddings(store: Store) -> None:
    doc_chunks = [c.id for c in store.chunks() if c.chunk.doc_id == "cs-tika-hi"]
    store.put_embeddings("m", doc_chunks, __import__("numpy").ones((len(doc_chunks), 4), dtype="float32"))
    store.delete_document("cs-tika-hi")
    assert not set(doc_chunks) & set(store.chunk_ids().tolist())
    assert len(store.embeddings("m", 4)[0]) == 0
    with pytest.raises(DocumentNotFoundError):
        store.delete_document("cs-tika-hi")


def test_transaction_rolls_back_everything(store: Store) -> None:
    before = store.counts()
    course = load_courses(MINI / "courses").items[0]
    with pytest.raises(RuntimeError), store.transaction():
        store.delete_document("crs-ai-basics-en")
        store.upsert_document(Course(**{**course.__dict__, "id": "crs-new"}))  # type: ignore[arg-type]
        raise RuntimeError("crash in the middle")
    assert store.counts() == before
    assert store.has_document("crs-ai-basics-en") and not store.has_document("crs-new")


def _bad_batch(tmp_path: Path) -> Path:
    good = json.loads((MINI / "courses" / "mini.jsonl").read_text(encoding="utf-8").splitlines()[0])
    records = [
        {**good, "id": "crs-fine"},
        {**good, "id": "crs-bad-prereq", "prerequisites": ["crs-does-not-exist"]},
        {**good, "id": "crs-bad-level", "level": "Expert"},
        {
            **good,
            "id": "crs-bad-tag",
            "competencies": [{"type": "Domain", "theme": "Astrology", "sub_theme": "Astrology", "level": "Beginner"}],
        },
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    return path


def test_one_bad_record_writes_nothing(store: Store, tmp_path: Path) -> None:
    before = (store.counts(), store.corpus_hash())
    with pytest.raises(ValidationError) as info:
        ingest(store, IngestSources(courses=[_bad_batch(tmp_path)]))
    message = str(info.value)
    assert "batch.jsonl:2: field 'prerequisites': unknown course id 'crs-does-not-exist'" in message
    assert "batch.jsonl:3: field 'level'" in message
    assert "batch.jsonl:4: field 'competencies[1]': unknown competency Domain > Astrology" in message
    assert (store.counts(), store.corpus_hash()) == before


def test_skip_invalid_keeps_the_good_records(store: Store, tmp_path: Path) -> None:
    report = ingest(store, IngestSources(courses=[_bad_batch(tmp_path)]), skip_invalid=True)
    assert report.outcomes["courses"] == {"added": 1}
    assert len(report.skipped) == 3
    assert store.has_document("crs-fine") and not store.has_document("crs-bad-prereq")


def test_duplicate_ids_in_one_run_are_rejected(empty_store: Store, tmp_path: Path) -> None:
    line = (MINI / "courses" / "mini.jsonl").read_text(encoding="utf-8").splitlines()[1]
    path = tmp_path / "dup.jsonl"
    path.write_text(f"{line}\n{line}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="duplicate id 'crs-ai-basics-en'"):
        ingest(empty_store, IngestSources(courses=[path]), skip_invalid=False)


def test_sentence_vectors_of_a_deleted_passage_are_dropped_not_an_error(store: Store) -> None:
    """A reader still on the read model from before a delete may embed the deleted passages' sentences: caching
    them must not fail (it was a 500, FOREIGN KEY constraint failed, during concurrent deletes)."""
    chunk = store.chunks()[0]
    store.put_sentence_vectors("m", [(chunk.id, 0, 5), (10**9, 0, 5)], np.ones((2, 4), dtype=np.float32))
    kept = store.sentence_vectors("m", [(chunk.id, 0, 5), (10**9, 0, 5)])
    assert set(kept) == {(chunk.id, 0, 5)}
