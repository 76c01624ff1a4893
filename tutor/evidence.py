"""Evidence selection: rerank the sentences of retrieved passages by meaning and by the question's words.

No cross-encoder ships on the registry, so each sentence is scored from four signals: its embedding's cosine with
the question (cached per sentence in the store), the idf-weighted share of the question's terms it contains, the
rank of the passage it came from, and a bonus when it states the kind of figure the question asks for (tutor/
answer_types.py). Cross-lingual questions lean on the embedding; exact facts lean on the words and the figure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.chunking import sentence_spans
from corpus.lexical import BM25Index, tokenize
from corpus.store import Store
from corpus.types import Hit
from embeddings import Embedder, Vectors
from tutor.answer_types import expected_type, holds
from tutor.injection import looks_like_instruction
from tutor.types import Evidence

_HAS_NUMBER = re.compile(r"\d")
MIN_SENTENCE_CHARS = 25


@dataclass(frozen=True)
class EvidenceWeights:
    dense: float = 1.0
    lexical: float = 0.6
    passage: float = 0.15
    answer_type: float = 0.3


class EvidenceSelector:
    def __init__(self, store: Store, embedder: Embedder, weights: EvidenceWeights | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.weights = weights or EvidenceWeights()

    def sentence_vectors(self, keys: list[tuple[int, int, int]], texts: list[str]) -> Vectors:
        """Vectors for sentences, from the store's cache, embedding (and caching) only the missing ones."""
        model_id = self.embedder.model_id
        cached = self.store.sentence_vectors(model_id, keys)
        missing = [i for i, key in enumerate(keys) if key not in cached]
        if missing:
            fresh = self.embedder.embed_documents([texts[i] for i in missing])
            self.store.put_sentence_vectors(model_id, [keys[i] for i in missing], fresh)
            cached.update({keys[i]: fresh[n] for n, i in enumerate(missing)})
        return np.stack([cached[key] for key in keys]) if keys else np.zeros((0, self.embedder.dimension), np.float32)

    def select(
        self, question: str, hits: Sequence[Hit], query_vector: Vectors, lexicon: BM25Index | None = None
    ) -> list[Evidence]:
        """Every sentence of ``hits`` scored against ``question``, best first."""
        candidates: list[tuple[Hit, int, int, str]] = []
        for hit in hits:
            for start, end in sentence_spans(hit.text):
                text = hit.text[start:end]
                if looks_like_instruction(text):
                    continue  # text addressed to a model is never evidence (prompt injection)
                if len(text) >= MIN_SENTENCE_CHARS or _HAS_NUMBER.search(text):
                    candidates.append((hit, hit.start + start, hit.start + end, text))
        if not candidates:
            return []
        keys = [(hit.chunk_id, start, end) for hit, start, end, _ in candidates]
        vectors = self.sentence_vectors(keys, [text for *_, text in candidates])
        dense = vectors @ query_vector.reshape(-1)
        terms = self._weighted_terms(question, lexicon)
        wanted = expected_type(question)
        passage_rank = {hit.chunk_id: rank for rank, hit in enumerate(hits)}
        evidence = []
        for (hit, start, end, text), cosine in zip(candidates, dense, strict=True):
            lexical = self._coverage(terms, text)
            passage = 1.0 / (1.0 + passage_rank[hit.chunk_id])
            typed = 1.0 if wanted and holds(wanted, text) else 0.0
            w = self.weights
            score = w.dense * float(cosine) + w.lexical * lexical + w.passage * passage + w.answer_type * typed
            evidence.append(Evidence(hit, text, start, end, score, float(cosine), lexical))
        return sorted(evidence, key=lambda e: -e.score)

    @staticmethod
    def _weighted_terms(question: str, lexicon: BM25Index | None) -> dict[str, float]:
        terms = set(tokenize(question))
        if lexicon is None:
            return dict.fromkeys(terms, 1.0)
        return {t: lexicon.idf(t) for t in terms}

    @staticmethod
    def _coverage(terms: dict[str, float], text: str) -> float:
        """Share of the question's idf mass that the sentence contains (0..1)."""
        total = sum(terms.values())
        if not total:
            return 0.0
        present = set(tokenize(text))
        return sum(weight for term, weight in terms.items() if term in present) / total


def support_score(evidence: Sequence[Evidence]) -> float:
    """How well the best evidence supports an answer; the abstention threshold is calibrated on this."""
    return evidence[0].score if evidence else -math.inf
