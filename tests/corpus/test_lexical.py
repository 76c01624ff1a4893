from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from corpus.lexical import BM25Index, tokenize


def test_devanagari_words_keep_their_vowel_signs() -> None:
    assert tokenize("टीकाकरण कार्यक्रम") == ["टीकाकरण", "कार्यक्रम"]


def test_hindi_inflections_meet_their_stem() -> None:
    assert tokenize("बच्चों")[0] == tokenize("बच्चे")[0]
    assert tokenize("महिलाओं")[0] == tokenize("महिला")[0]


def test_english_is_lowercased_stemmed_and_stopwords_dropped() -> None:
    assert tokenize("The Audits of the Panchayats") == ["audit", "panchayat"]


def test_mixed_script_text() -> None:
    assert tokenize("GeM पोर्टल पर बोली") == ["gem", "पोर्टल", "बोल"]


def test_bm25_ranks_by_rarity_and_frequency() -> None:
    index = BM25Index(["cold chain for vaccines", "vaccines vaccines and the cold chain", "budget circular"])
    ranking = [pos for pos, _ in index.search("vaccines", 3)]
    assert ranking == [1, 0]
    assert index.search("budget", 3)[0][0] == 2


def test_mask_is_applied_before_top_k() -> None:
    index = BM25Index(["gem bid", "gem bid gem bid", "gem"])
    mask = np.array([False, False, True])
    assert [pos for pos, _ in index.search("gem bid", 1, mask=mask)] == [2]


def test_no_match_returns_nothing() -> None:
    assert BM25Index(["alpha"]).search("zeta", 5) == []


TEXTS = [
    "cold chain for vaccines in Bahraich",
    "vaccines vaccines and the cold chain",
    "टीकाकरण में कोल्ड चेन की निगरानी",
    "",
    "budget circular budget",
]
KEY = np.array([11, 12, 15, 16, 40], dtype=np.int64)


def test_a_saved_index_scores_exactly_like_the_one_built(tmp_path: Path) -> None:
    built = BM25Index(TEXTS)
    built.save(tmp_path / "bm25.npz", key=KEY, tag="digest-1")
    loaded = BM25Index.load(tmp_path / "bm25.npz", key=KEY, tag="digest-1")
    assert loaded is not None
    assert loaded.vocabulary() == built.vocabulary() and loaded.size == built.size
    visible = np.array([True, False, True, True, True])
    for query in ("vaccines cold chain", "कोल्ड चेन", "budget", "nothing here"):
        for viewer in (None, visible):
            expected, expected_cover = built.scores_and_coverage(query, visible=viewer)
            got, got_cover = loaded.scores_and_coverage(query, visible=viewer)
            assert np.array_equal(expected, got) and np.array_equal(expected_cover, got_cover)
        assert loaded.idf(tokenize(query)[0]) == built.idf(tokenize(query)[0])


def test_a_saved_index_is_used_only_for_the_passages_it_was_built_from(tmp_path: Path) -> None:
    path = tmp_path / "bm25.npz"
    BM25Index(TEXTS).save(path, key=KEY, tag="digest-1")
    assert BM25Index.load(path, key=KEY[::-1].copy(), tag="digest-1") is None, "other passages"
    assert BM25Index.load(path, key=KEY, tag="digest-2") is None, "same ids, other content"
    assert BM25Index.load(tmp_path / "missing.npz", key=KEY, tag="digest-1") is None


def test_a_damaged_or_inconsistent_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bm25.npz"
    BM25Index(TEXTS).save(path, key=KEY, tag="digest-1")
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert BM25Index.load(path, key=KEY, tag="digest-1") is None, "truncated"
    with np.load(io.BytesIO(whole)) as saved:
        arrays = {name: saved[name] for name in saved.files}
    arrays["docs"] = arrays["docs"] + 100  # postings that point past the last passage
    with path.open("wb") as file:
        np.savez(file, **arrays)
    assert BM25Index.load(path, key=KEY, tag="digest-1") is None


def test_a_viewers_statistics_are_those_of_the_passages_they_may_see(tmp_path: Path) -> None:
    """What the tutor weighs a question by (idf, known terms, vocabulary) counts only the visible passages, exactly as
    if the others had never been indexed; a viewer who sees everything gets the index itself."""
    built = BM25Index(TEXTS)
    built.save(tmp_path / "bm25.npz", key=KEY, tag="digest-1")
    loaded = BM25Index.load(tmp_path / "bm25.npz", key=KEY, tag="digest-1")
    assert loaded is not None
    visible = np.array([False, True, True, True, False])
    alone = BM25Index([text for text, seen in zip(TEXTS, visible, strict=True) if seen])
    for index in (built, loaded):
        view = index.visible_to(visible)
        assert view is index.visible_to(visible.copy()), "kept per visibility set"
        assert view.size == alone.size and view.max_idf == alone.max_idf
        assert view.vocabulary() == alone.vocabulary() and "bahraich" in index.vocabulary()
        for term in ("bahraich", "vaccin", "chain", "budget", "कोल्ड", "absent"):
            assert view.idf(term) == alone.idf(term) and view.knows(term) == alone.knows(term)
        assert index.visible_to(np.ones(len(TEXTS), dtype=bool)) is index and index.visible_to(None) is index
    nobody = built.visible_to(np.zeros(len(TEXTS), dtype=bool))
    assert nobody.size == 0 and not nobody.knows("vaccin") and nobody.vocabulary() == frozenset()
    with pytest.raises(ValueError):
        built.visible_to(np.ones(3, dtype=bool))
