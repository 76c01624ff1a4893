"""BM25 over passages, with a tokenizer for Latin and Devanagari script.

Python's ``\\w`` does not match Devanagari vowel signs (matras) and viramas, so a naive tokenizer cuts Hindi words
apart; this one keeps the whole Devanagari block together, folds nukta forms, and strips common inflections
(a light stemmer for each script) so that "टीकाकरण"/"टीकाकरणों" and "audit"/"audits" meet.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_TOKEN = re.compile(r"[a-z0-9]+|[\u0900-\u0963\u0966-\u097f\ua8e0-\ua8ff\u200c\u200d]+")
_NUKTA = str.maketrans({"\u093c": None, "\u200c": None, "\u200d": None})

EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "do",
        "does",
        "did",
        "can",
        "my",
        "our",
        "we",
        "you",
        "your",
        "about",
        "after",
        "under",
    ]
)
HI_STOPWORDS = frozenset(
    [
        "का",
        "की",
        "के",
        "को",
        "में",
        "से",
        "पर",
        "है",
        "हैं",
        "था",
        "थी",
        "थे",
        "और",
        "या",
        "एक",
        "यह",
        "वह",
        "ये",
        "वे",
        "इस",
        "उस",
        "इन",
        "उन",
        "भी",
        "तो",
        "ही",
        "कि",
        "जो",
        "लिए",
        "किया",
        "गया",
        "गई",
        "कर",
        "करने",
        "करें",
        "होता",
        "होती",
        "होते",
        "हो",
        "तक",
        "साथ",
        "द्वारा",
        "अपने",
        "अपनी",
        "क्या",
        "कैसे",
        "कब",
        "कहाँ",
        "कौन",
        "क्यों",
        "बाद",
    ]
)
_HI_SUFFIXES = sorted(
    [
        "ियों",
        "ियां",
        "ियाँ",
        "ाओं",
        "ाएं",
        "ाएँ",
        "ुओं",
        "ुएं",
        "ओं",
        "एं",
        "ों",
        "ें",
        "ाओ",
        "ाए",
        "िया",
        "ियो",
        "ता",
        "ती",
        "ते",
        "ना",
        "नी",
        "ने",
        "कर",
        "ाई",
        "ी",
        "ा",
        "े",
        "ो",
        "ि",
        "ु",
        "ू",
    ],
    key=len,
    reverse=True,
)


def _stem_en(token: str) -> str:
    if len(token) > 5 and token.endswith("ies"):
        return token[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(token) > len(suffix) + 3 and token.endswith(suffix) and not token.endswith("ss"):
            return token[: -len(suffix)]
    return token


def _stem_hi(token: str) -> str:
    for suffix in _HI_SUFFIXES:
        if len(token) > len(suffix) + 1 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def tokenize(text: str) -> list[str]:
    """Lowercased, stemmed word tokens without stop words, for either script."""
    normal = unicodedata.normalize("NFC", text).lower().translate(_NUKTA)
    tokens = []
    for token in _TOKEN.findall(normal):
        if token in EN_STOPWORDS or token in HI_STOPWORDS:
            continue
        tokens.append(_stem_en(token) if token.isascii() else _stem_hi(token))
    return tokens


class BM25Index:
    """Okapi BM25 with postings as numpy arrays; filtering is a boolean mask applied before top-k."""

    def __init__(self, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(texts)
        self._k1, self._b = k1, b
        lengths = np.zeros(self.size, dtype=np.float32)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for position, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths[position] = sum(counts.values())
            for term, tf in counts.items():
                docs, tfs = postings.setdefault(term, ([], []))
                docs.append(position)
                tfs.append(tf)
        self._avg_length = float(lengths.mean()) if self.size else 0.0
        self._norm = k1 * (1.0 - b + b * lengths / max(self._avg_length, 1e-9))
        self._postings = {
            term: (np.asarray(docs, dtype=np.int64), np.asarray(tfs, dtype=np.float32))
            for term, (docs, tfs) in postings.items()
        }

    def vocabulary(self) -> frozenset[str]:
        """Every term some passage contains."""
        return frozenset(self._postings)

    def knows(self, term: str) -> bool:
        """Whether any passage contains ``term`` (a token as :func:`tokenize` gives it)."""
        return term in self._postings

    @property
    def max_idf(self) -> float:
        """The idf of a term no passage contains."""
        return math.log(1.0 + (self.size + 0.5) / 0.5)

    def idf(self, term: str) -> float:
        frequency = len(self._postings[term][0]) if term in self._postings else 0
        return math.log(1.0 + (self.size - frequency + 0.5) / (frequency + 0.5))

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        return self.scores_and_coverage(query)[0]

    def scores_and_coverage(self, query: str) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """BM25 scores, and for each passage the share of the query's idf mass it contains (0..1)."""
        scores = np.zeros(self.size, dtype=np.float32)
        matched = np.zeros(self.size, dtype=np.float32)
        total = 0.0
        for term, repeats in Counter(tokenize(query)).items():
            idf = self.idf(term)
            total += idf * repeats
            if term not in self._postings:
                continue
            docs, tfs = self._postings[term]
            scores[docs] += idf * repeats * tfs * (self._k1 + 1.0) / (tfs + self._norm[docs])
            matched[docs] += idf * repeats
        return scores, matched / total if total else matched

    def search(self, query: str, k: int, *, mask: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (position, score) pairs with a positive score, among positions where ``mask`` is true."""
        return [(position, score) for position, score, _ in self.search_with_coverage(query, k, mask=mask)]

    def search_with_coverage(
        self, query: str, k: int, *, mask: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[int, float, float]]:
        """Like :meth:`search`, with each passage's query coverage as a third element."""
        if self.size == 0 or k < 1:
            return []
        scores, coverage = self.scores_and_coverage(query)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(int(i), float(scores[i]), float(coverage[i])) for i in ordered]
