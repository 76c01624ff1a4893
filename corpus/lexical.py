"""BM25 over passages, with a tokenizer for every script gyanpath reads.

Python's ``\\w`` does not match the vowel signs (matras) and viramas of Indic scripts, so a naive tokenizer cuts
"टीकाकरण" or "தடுப்பூசி" into pieces; this one takes a word as a run of one script's letters *and* marks, in the
normal form of :func:`corpus.scripts.search_form` (nukta, chandrabindu, joiner, Urdu letter and digit folds). English
and Devanagari tokens lose common inflections (a light stemmer each) so that "टीकाकरण"/"टीकाकरणों" and
"audit"/"audits" meet; Bengali, Odia, Tamil and Telugu words are cut to a prefix (see PREFIX_LENGTH), and the
other scripts are not stemmed (bench/regional_quality.py --stemming measures both).
"""

from __future__ import annotations

import functools
import math
import re
import threading
import zipfile
from collections import Counter, OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from corpus.scripts import search_form

# One alternative a script: letters, vowel signs and viramas together; danda and Arabic punctuation split words.
_TOKEN = re.compile(
    "|".join(
        (
            r"[a-z0-9]+",
            "[\u0900-\u0963\u0966-\u097f\ua8e0-\ua8ff]+",  # Devanagari (Hindi, Marathi)
            "[\u0980-\u09ff\u200d]+",  # Bengali-Assamese (ZWJ kept: ra + ya-phala)
            "[\u0a00-\u0a7f]+",  # Gurmukhi
            "[\u0a80-\u0aff]+",  # Gujarati
            "[\u0b00-\u0b7f]+",  # Odia
            "[\u0b80-\u0bff]+",  # Tamil
            "[\u0c00-\u0c7f]+",  # Telugu
            "[\u0c80-\u0cff]+",  # Kannada
            "[\u0d00-\u0d7f]+",  # Malayalam
            "[\u0621-\u064a\u066e-\u06d3\u06d5-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+",  # Arabic script (Urdu)
        )
    )
)

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


PREFIX_LENGTH = 6
"""Bengali-Assamese, Odia, Tamil and Telugu words carry case endings and postpositions inside the word
("புகார்களை" = complaints + object case), so a token keeps only its first PREFIX_LENGTH code points. Chosen on the
development halves by ``python -m bench.regional_quality --stemming`` (lexical Recall@1 within each language); Urdu
(separate postpositions) measured no gain, and scripts without bundled material to measure (Gurmukhi, Gujarati,
Kannada, Malayalam) are left whole."""
TRUNCATED_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("\u0980", "\u09ff"),
    ("\u0b00", "\u0b7f"),
    ("\u0b80", "\u0bff"),
    ("\u0c00", "\u0c7f"),
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
    return [term for token in _TOKEN.findall(search_form(text)) if (term := _term(token))]


def forget_terms() -> None:
    """Drop cached index terms (after changing PREFIX_LENGTH or TRUNCATED_SCRIPTS, as a benchmark sweep does)."""
    _term.cache_clear()


@functools.lru_cache(maxsize=1 << 18)
def _term(token: str) -> str:
    """The index term of one word ("" for a stop word). Cached: a corpus repeats its words, and stemming each
    occurrence again was most of the time an index build spends on BM25 (a cold start builds it)."""
    if token in EN_STOPWORDS or token in HI_STOPWORDS:
        return ""
    if token.isascii():
        return _stem_en(token)
    if "\u0900" <= token[0] <= "\u097f":
        return _stem_hi(token)
    if PREFIX_LENGTH and any(low <= token[0] <= high for low, high in TRUNCATED_SCRIPTS):
        return token[:PREFIX_LENGTH]
    return token


LEXICAL_FORMAT = 1
"""Version of the saved BM25 layout and of :func:`tokenize`: bump it when either changes, so old files are rebuilt."""

VIEWS = 64
"""How many per-viewer statistics (:meth:`BM25Index.visible_to`) an index keeps: one per visibility set in use (a
department with private material and the viewers of none share theirs), so a few dozen cover every viewer."""


class Lexicon(Protocol):
    """Collection statistics of a set of passages, as the tutor reads them: idf weights, whether a term occurs at all,
    and the vocabulary. :class:`BM25Index` answers for all of its passages, :class:`VisibleLexicon` for those one
    viewer may see."""

    size: int

    @property
    def max_idf(self) -> float: ...

    def idf(self, term: str) -> float: ...

    def knows(self, term: str) -> bool: ...

    def vocabulary(self) -> frozenset[str]: ...


class BM25Index:
    """Okapi BM25 with postings in one compressed-row layout (a term's passages and term frequencies are slices of
    two flat arrays); filtering is a boolean mask applied before top-k.

    The layout costs a few bytes per (term, passage) pair instead of two numpy objects per term, and it saves to and
    loads from one ``.npz`` file (:meth:`save`, :meth:`load`), so a starting service need not tokenize every passage
    again (corpus/search.py keeps that file beside the index)."""

    def __init__(self, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        terms: dict[str, int] = {}
        term_ids: list[int] = []
        positions: list[int] = []
        frequencies: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for position, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths[position] = sum(counts.values())
            for term, tf in counts.items():
                term_ids.append(terms.setdefault(term, len(terms)))
                positions.append(position)
                frequencies.append(tf)
        order = np.argsort(np.asarray(term_ids, dtype=np.int64), kind="stable")
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(np.asarray(term_ids, dtype=np.int64), minlength=len(terms)), out=offsets[1:])
        self._setup(
            terms,
            offsets,
            np.asarray(positions, dtype=np.int32)[order],
            np.minimum(np.asarray(frequencies, dtype=np.int64), 65_535).astype(np.uint16)[order],
            lengths,
            k1,
            b,
        )

    def _setup(
        self,
        terms: dict[str, int],
        offsets: npt.NDArray[np.int64],
        docs: npt.NDArray[np.int32],
        tfs: npt.NDArray[np.uint16],
        lengths: npt.NDArray[np.float32],
        k1: float,
        b: float,
    ) -> None:
        self.size = len(lengths)
        self._k1, self._b = k1, b
        self._terms, self._offsets, self._docs, self._tfs = terms, offsets, docs, tfs
        self._lengths = lengths
        self._avg_length = float(lengths.mean()) if self.size else 0.0
        self._norm = k1 * (1.0 - b + b * lengths / max(self._avg_length, 1e-9))
        self._views: OrderedDict[bytes, VisibleLexicon] = OrderedDict()
        self._views_lock = threading.Lock()

    def save(self, path: Path, *, key: npt.NDArray[np.int64], tag: str) -> None:
        """Write the index to ``path`` (``.npz``) with ``key``, the chunk ids its positions stand for, and ``tag``
        (the corpus digest it was built from)."""
        vocabulary = "\x00".join(self._terms).encode("utf-8")
        with path.open("wb") as file:
            np.savez(file, format=np.array([LEXICAL_FORMAT]), key=key, tag=np.frombuffer(tag.encode(), np.uint8),
                     vocabulary=np.frombuffer(vocabulary, np.uint8),
                     offsets=self._offsets, docs=self._docs, tfs=self._tfs, lengths=self._lengths,
                     params=np.array([self._k1, self._b]))  # fmt: skip

    @classmethod
    def load(cls, path: Path, *, key: npt.NDArray[np.int64], tag: str) -> BM25Index | None:
        """The index saved at ``path`` if it was saved for exactly ``key`` (the same chunk ids in the same order)
        and ``tag`` by this format; None if not, or if the file is damaged (the caller rebuilds: it is a cache)."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                if (
                    int(saved["format"][0]) != LEXICAL_FORMAT
                    or saved["tag"].tobytes().decode() != tag
                    or not np.array_equal(saved["key"], key)
                ):
                    return None
                offsets, docs, tfs, lengths = saved["offsets"], saved["docs"], saved["tfs"], saved["lengths"]
                vocabulary = saved["vocabulary"].tobytes().decode("utf-8")
                k1, b = (float(v) for v in saved["params"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # UnicodeDecodeError is a ValueError
            return None
        terms = vocabulary.split("\x00") if vocabulary else []
        consistent = (
            offsets.dtype == np.int64 and docs.dtype == np.int32 and tfs.dtype == np.uint16
            and lengths.dtype == np.float32 and len(lengths) == len(key) and len(offsets) == len(terms) + 1
            and offsets[0] == 0 and offsets[-1] == len(docs) == len(tfs) and bool(np.all(np.diff(offsets) >= 0))
            and (len(docs) == 0 or (int(docs.min()) >= 0 and int(docs.max()) < len(key)))
        )  # fmt: skip
        if not consistent:
            return None
        index = cls.__new__(cls)
        index._setup({term: row for row, term in enumerate(terms)}, offsets, docs, tfs, lengths, k1, b)
        return index

    def _posting(self, term: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint16]] | None:
        row = self._terms.get(term)
        if row is None:
            return None
        start, end = self._offsets[row], self._offsets[row + 1]
        return self._docs[start:end], self._tfs[start:end]

    def vocabulary(self) -> frozenset[str]:
        """Every term some passage contains."""
        return frozenset(self._terms)

    def knows(self, term: str) -> bool:
        """Whether any passage contains ``term`` (a token as :func:`tokenize` gives it)."""
        return term in self._terms

    @property
    def max_idf(self) -> float:
        """The idf of a term no passage contains."""
        return math.log(1.0 + (self.size + 0.5) / 0.5)

    def idf(self, term: str) -> float:
        row = self._terms.get(term)
        frequency = 0 if row is None else int(self._offsets[row + 1] - self._offsets[row])
        return math.log(1.0 + (self.size - frequency + 0.5) / (frequency + 0.5))

    def visible_to(self, visible: npt.NDArray[np.bool_] | None) -> BM25Index | VisibleLexicon:
        """The statistics of the ``visible`` passages only (a mask over positions), as :meth:`scores_and_coverage`
        counts them for a viewer: the index itself where every passage is visible (or ``visible`` is None), so the
        numbers are exactly the corpus-wide ones. Built once per visibility set and kept (:data:`VIEWS` of them)."""
        if visible is None or (len(visible) == self.size and bool(visible.all())):
            return self
        if len(visible) != self.size:
            raise ValueError(f"visibility mask of {len(visible)} positions for an index of {self.size}")
        key = np.packbits(visible).tobytes()
        with self._views_lock:
            view = self._views.get(key)
            if view is not None:
                self._views.move_to_end(key)
                return view
        view = VisibleLexicon(self, visible)  # outside the lock: two threads may both build one, and one is kept
        with self._views_lock:
            view = self._views.setdefault(key, view)
            self._views.move_to_end(key)
            while len(self._views) > VIEWS:
                self._views.popitem(last=False)
        return view

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        return self.scores_and_coverage(query)[0]

    def scores_and_coverage(
        self, query: str, *, visible: npt.NDArray[np.bool_] | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """BM25 scores, and for each passage the share of the query's idf mass it contains (0..1).

        With ``visible``, the collection statistics (passage count, document frequencies, average length) are those
        of the visible passages only, so what a viewer may not see cannot shift the scores they get (a private case
        study's words would otherwise lower their idf for everyone)."""
        scores = np.zeros(self.size, dtype=np.float32)
        matched = np.zeros(self.size, dtype=np.float32)
        size, norm = self.size, self._norm
        if visible is not None and not visible.all():
            size = int(np.count_nonzero(visible))
            average = float(self._lengths[visible].mean()) if size else 0.0
            norm = self._k1 * (1.0 - self._b + self._b * self._lengths / max(average, 1e-9))
        total = 0.0
        for term, repeats in Counter(tokenize(query)).items():
            posting = self._posting(term)
            frequency = 0 if posting is None else len(posting[0])
            if posting is not None and size != self.size and visible is not None:
                frequency = int(np.count_nonzero(visible[posting[0]]))
            idf = math.log(1.0 + (size - frequency + 0.5) / (frequency + 0.5))
            total += idf * repeats
            if posting is None:
                continue
            docs, counts = posting
            tfs = counts.astype(np.float32)
            scores[docs] += idf * repeats * tfs * (self._k1 + 1.0) / (tfs + norm[docs])
            matched[docs] += idf * repeats
        return scores, matched / total if total else matched

    def search(self, query: str, k: int, *, mask: npt.NDArray[np.bool_] | None = None) -> list[tuple[int, float]]:
        """Top ``k`` (position, score) pairs with a positive score, among positions where ``mask`` is true."""
        return [(position, score) for position, score, _ in self.search_with_coverage(query, k, mask=mask)]

    def search_with_coverage(
        self,
        query: str,
        k: int,
        *,
        mask: npt.NDArray[np.bool_] | None = None,
        visible: npt.NDArray[np.bool_] | None = None,
    ) -> list[tuple[int, float, float]]:
        """Like :meth:`search`, with each passage's query coverage as a third element. ``visible``: the passages
        whose statistics count (see :meth:`scores_and_coverage`); ``mask`` then filters the results."""
        if self.size == 0 or k < 1:
            return []
        scores, coverage = self.scores_and_coverage(query, visible=visible)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(int(i), float(scores[i]), float(coverage[i])) for i in ordered]


class VisibleLexicon:
    """An index's collection statistics over the passages one viewer may see (see :meth:`BM25Index.visible_to`):
    passage count, document frequencies, and hence idf, which terms occur and the vocabulary, the same numbers that
    :meth:`BM25Index.scores_and_coverage` uses with ``visible``. Another department's private case study therefore
    moves nothing here: its words are neither known nor less rare for a viewer who may not read it.

    A term's frequency is counted when first asked for (a question names a few terms); the whole vocabulary only when
    :meth:`vocabulary` is called (cross-script features), in one pass over the postings."""

    def __init__(self, index: BM25Index, visible: npt.NDArray[np.bool_]) -> None:
        self._index = index
        self._visible = visible.copy()
        self.size = int(np.count_nonzero(visible))
        self._counted: dict[str, int] = {}
        self._vocabulary: frozenset[str] | None = None

    def _frequency(self, term: str) -> int:
        frequency = self._counted.get(term)
        if frequency is None:
            posting = self._index._posting(term)
            if posting is None:
                return 0  # not kept: only the index's own terms are, so the memo is bounded by its vocabulary
            frequency = self._counted[term] = int(np.count_nonzero(self._visible[posting[0]]))
        return frequency

    def vocabulary(self) -> frozenset[str]:
        """Every term some visible passage contains."""
        if self._vocabulary is None:
            index = self._index
            # Visible postings of each term: a running count over the flat postings, read at the rows' offsets.
            running = np.zeros(len(index._docs) + 1, dtype=np.int64)
            np.cumsum(self._visible[index._docs], out=running[1:])
            counts = (running[index._offsets[1:]] - running[index._offsets[:-1]]).tolist()
            self._vocabulary = frozenset(term for term, row in index._terms.items() if counts[row])
        return self._vocabulary

    def knows(self, term: str) -> bool:
        """Whether any visible passage contains ``term``."""
        return self._frequency(term) > 0

    @property
    def max_idf(self) -> float:
        """The idf of a term no visible passage contains."""
        return math.log(1.0 + (self.size + 0.5) / 0.5)

    def idf(self, term: str) -> float:
        frequency = self._frequency(term)
        return math.log(1.0 + (self.size - frequency + 0.5) / (frequency + 0.5))
