from __future__ import annotations

import numpy as np

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
