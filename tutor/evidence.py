"""Evidence selection: rank the sentences of retrieved passages by meaning, by the question's words and by context.

No cross-encoder ships on the registry, so each sentence is scored by a linear ranker over signals that need no
extra model: its embedding's cosine with the question (cached per sentence in the store), the idf-weighted share of
the question's terms it contains, for a sentence in the other script the share of the question's names, loanwords
and numbers it contains (consonant skeletons, tutor/transliteration.py), the same shares in the sentences beside it
(a definition sentence often carries the question's words while the next one names the answer), the rank of the
passage it came from, whether it states the kind of answer the question asks for (tutor/answer_types.py), whether its
section is where such things are told ("What was done" for a "how" question), and its form (a lead-in ending in a
colon, a table row, a fragment). The weights are fitted pairwise on the development
questions by ``make tutor-model`` (tutor/models/evidence-<family>.json); hand-set weights serve other embedders.

Sentences come from corpus/sentences.py, so a quote is always whole sentences; a sentence that leans on the one
before it ("Of these, 3,108 were ...") is quoted with it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus.language_id import detect_language
from corpus.lexical import Lexicon, tokenize
from corpus.sentences import Sentence, clean_text, split_sentences
from corpus.store import Store
from corpus.types import Hit
from embeddings import Embedder, Vectors
from tutor.answer_types import expected_type, focus_words, holds, section_fits
from tutor.injection import looks_like_instruction
from tutor.transliteration import found_in, skeleton, skeletons
from tutor.types import Evidence

MODELS = Path(__file__).parent / "models"

_HAS_NUMBER = re.compile(r"\d")
MIN_SENTENCE_CHARS = 25
MAX_QUOTE_CHARS = 420
_LEANS_BACK = re.compile(
    r"^(of (these|them|this|those)|among (them|these)|this|these|that|those|it|they|such|in (all|total|addition)|"
    r"of whom|out of (these|them)|इनमें|इनमें से|इनमे|इसमें|इससे|यह|ये|इन|उनमें|इसके|इसी)\b",
    re.I,
)


RANKER_FEATURES = (
    "dense",
    "dense_context",
    "dense_best",
    "dense_other",
    "other_script",
    "lexical",
    "cross",
    "numbers",
    "context",
    "passage",
    "typed",
    "focus",
    "focus_number",
    "section_fits",
    "lead_in",
    "table_row",
    "short",
)
DEFAULT_WEIGHTS = {
    "dense": 1.0,
    "dense_context": 0.0,
    "dense_best": 0.0,
    "dense_other": 0.0,
    "other_script": 0.0,
    "lexical": 0.6,
    "cross": 0.4,
    "numbers": 0.2,
    "context": 0.25,
    "passage": 0.15,
    "typed": 0.3,
    "focus": 0.2,
    "focus_number": 0.2,
    "section_fits": 0.0,
    "lead_in": -0.2,
    "table_row": -0.1,
    "short": -0.05,
}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


@dataclass(frozen=True)
class EvidenceWeights:
    """Linear weights of the sentence ranker, by feature name (missing names weigh nothing)."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    temperature: float = 1.0
    """Scores are divided by this, so that a fitted ranker's logits sit on the scale the answerers' margins use."""

    def score(self, features: dict[str, float]) -> float:
        return sum(self.weights.get(name, 0.0) * value for name, value in features.items()) / self.temperature

    @classmethod
    def load(cls, family: str | None) -> EvidenceWeights:
        path = MODELS / f"evidence-{family}.json"
        if family is None or not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(data["weights"]) - set(RANKER_FEATURES)
        if unknown:
            raise ValueError(f"{path}: unknown ranker features {sorted(unknown)}")
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data.get("temperature", 1.0)))


@dataclass(frozen=True)
class _Candidate:
    hit: Hit
    rank: int
    sentence: Sentence
    text: str
    key: tuple[int, int, int]


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
        self,
        question: str,
        hits: Sequence[Hit],
        query_vector: Vectors,
        lexicon: Lexicon | None = None,
        language_pull: Mapping[str, float] | None = None,
    ) -> list[Evidence]:
        """Every usable sentence of ``hits`` scored against ``question``, best first. ``lexicon`` weighs the
        question's words: the viewer's own statistics (:meth:`corpus.search.ReadModel.lexicon`), so that what they
        may not see does not change which sentence comes first. ``language_pull`` (sentence
        language -> cosine offset) is subtracted from the cosines of sentences in that language: how much closer the
        embedder puts the question to an average passage of that language than to one of its own. Cosines so
        corrected are on one scale whatever the sentence's language, so the ranker's allowance for the other script
        (``other_script``, ``dense_other``, learnt on English and Hindi where the pull is left in) is not applied."""
        candidates = [c for rank, hit in enumerate(hits) for c in _candidates(hit, rank)]
        if not candidates:
            return []
        vectors = self.sentence_vectors([c.key for c in candidates], [c.text for c in candidates])
        dense = vectors @ query_vector.reshape(-1)
        pull = np.array([(language_pull or {}).get(c.hit.language, 0.0) for c in candidates], dtype=np.float32)
        dense = dense - pull
        terms = weighted_terms(question, lexicon)
        wanted = expected_type(question)
        script = detect_language(question)
        words = question_skeletons(question)
        numbers = set(numbers_in(question))
        focus = Focus.of(question)
        lexical = [
            coverage(terms, c.text) if c.hit.language == script else skeleton_coverage(words, c.text)
            for c in candidates
        ]
        best_in_hit: dict[int, float] = {}
        for n, c in enumerate(candidates):
            best_in_hit[c.hit.chunk_id] = max(best_in_hit.get(c.hit.chunk_id, -1.0), float(dense[n]))
        evidence = []
        for n, c in enumerate(candidates):
            if len(c.text) < MIN_SENTENCE_CHARS and not _HAS_NUMBER.search(c.text):
                continue  # a heading or a fragment: context, not evidence
            before = n - 1 if n > 0 and _neighbours(candidates[n - 1], c) else None
            after = n + 1 if n + 1 < len(candidates) and _same_block(candidates[n + 1], c) else None
            same_script = c.hit.language == script
            around = vectors[[i for i in (before, n, after) if i is not None]].sum(axis=0)
            features = {
                "dense": float(dense[n]),
                "dense_context": float(around @ query_vector.reshape(-1) / max(1e-6, float(np.linalg.norm(around))))
                - float(pull[n]),
                "dense_best": float(dense[n] >= best_in_hit[c.hit.chunk_id]),
                "dense_other": 0.0 if same_script or language_pull is not None else float(dense[n]),
                "other_script": 0.0 if same_script or language_pull is not None else 1.0,
                "lexical": lexical[n] if same_script else 0.0,
                "cross": 0.0 if same_script else lexical[n],
                "numbers": len(numbers & set(numbers_in(c.text))) / len(numbers) if numbers else 0.0,
                "context": max([lexical[i] for i in (before, after) if i is not None], default=0.0),
                "passage": 1.0 / (1.0 + c.rank),
                "typed": float(bool(wanted and holds(wanted, c.text))),
                **focus.features(c.text, same_script),
                "section_fits": float(section_fits(question, c.hit.section)),
                "lead_in": float(c.text.endswith(":")),
                "table_row": float(c.text.startswith("|")),
                "short": float(len(c.text) < 40),
            }
            start, end, text = c.hit.start + c.sentence.start, c.hit.start + c.sentence.end, c.text
            if before is not None and _leans_on(candidates[before], c, lexical[before], lexical[n]):
                prior = candidates[before]
                start = c.hit.start + prior.sentence.start
                text = clean_text(c.hit.text[prior.sentence.start : c.sentence.end])
            elif after is not None and _answered_next(wanted, c, candidates[after]):
                following = candidates[after]
                end = c.hit.start + following.sentence.end
                text = clean_text(c.hit.text[c.sentence.start : following.sentence.end])
            evidence.append(
                Evidence(
                    c.hit,
                    text,
                    start,
                    end,
                    self.weights.score(features),
                    float(dense[n]),
                    lexical[n],
                    features=features,
                )
            )
        return sorted(evidence, key=lambda e: -e.score)


def _candidates(hit: Hit, rank: int) -> list[_Candidate]:
    found = []
    for sentence in split_sentences(hit.text):
        text = clean_text(hit.text[sentence.start : sentence.end])
        if not text or looks_like_instruction(text):
            continue  # text addressed to a model is never evidence (prompt injection)
        key = (hit.chunk_id, hit.start + sentence.start, hit.start + sentence.end)
        found.append(_Candidate(hit, rank, sentence, text, key))
    return found


def _same_block(a: _Candidate, b: _Candidate) -> bool:
    return a.hit.chunk_id == b.hit.chunk_id and a.sentence.block == b.sentence.block


def _neighbours(prior: _Candidate, sentence: _Candidate) -> bool:
    """``prior`` is context for ``sentence``: the same paragraph or item, or the lead-in of the list it is in."""
    same_chunk = prior.hit.chunk_id == sentence.hit.chunk_id
    return same_chunk and (prior.sentence.block == sentence.sentence.block or prior.text.endswith(":"))


_NUMBER_WORDS = {
    word: str(value)
    for value, words in enumerate(
        [(), ("one", "एक"), ("two", "दो"), ("three", "तीन"), ("four", "चार"), ("five", "पाँच", "पांच"),
         ("six", "छह", "छः"), ("seven", "सात"), ("eight", "आठ"), ("nine", "नौ"), ("ten", "दस"),
         ("eleven", "ग्यारह"), ("twelve", "बारह")]
    )
    for word in words
}  # fmt: skip
_NUMBER_WORD = re.compile(r"(?<![\w\u0900-\u097f])(" + "|".join(_NUMBER_WORDS) + r")(?![\w\u0900-\u097f])", re.I)


def numbers_in(text: str) -> list[str]:
    """The numbers a text states, as digits without separators; number words up to twelve count ("two" = 2)."""
    text = text.translate(_DEVANAGARI_DIGITS)
    spelled = [_NUMBER_WORDS[m.group().lower()] for m in _NUMBER_WORD.finditer(text)]
    return [m.group().replace(",", "") for m in _NUMBER.finditer(text)] + spelled


def question_skeletons(question: str) -> set[str]:
    """Consonant skeletons of the question's content words (stop words dropped), for matching across scripts."""
    return {
        s for w in re.findall(r"[A-Za-z]+|[\u0900-\u097f]+", question) if tokenize(w) and len(s := skeleton(w)) >= 3
    }


def skeleton_coverage(words: set[str], text: str) -> float:
    """Share of the question's content words (as skeletons) found in ``text``, whatever its script."""
    if not words:
        return 0.0
    pool = skeletons(text)
    return sum(found_in(w, pool) for w in words) / len(words)


def _leans_on(prior: _Candidate, sentence: _Candidate, prior_lexical: float, lexical: float) -> bool:
    """Quote the sentence before as well when this one refers back to it or the question's words are there."""
    if len(prior.text) + len(sentence.text) + 1 > MAX_QUOTE_CHARS:
        return False
    return bool(_LEANS_BACK.match(sentence.text)) or prior_lexical >= lexical + 0.25


def _answered_next(wanted: str | None, sentence: _Candidate, following: _Candidate) -> bool:
    """Quote the next sentence as well when the question asks for a figure that only the next one states."""
    if wanted is None or len(sentence.text) + len(following.text) + 1 > MAX_QUOTE_CHARS:
        return False
    return not holds(wanted, sentence.text) and holds(wanted, following.text)


@dataclass(frozen=True)
class Focus:
    """The words the answer must be about (tutor/answer_types.focus_words), as stems and as skeletons."""

    stems: frozenset[str]
    shapes: frozenset[str]
    head: str | None = None
    """The first focus word (stem), the one a figure in the answer stands next to ("2,146 sessions")."""

    @classmethod
    def of(cls, question: str) -> Focus:
        words = [w for w in focus_words(question) if tokenize(w)]
        stems = frozenset(t for w in words for t in tokenize(w))
        shapes = frozenset(s for w in words if len(s := skeleton(w)) >= 3)
        return cls(stems, shapes, tokenize(words[0])[0] if words else None)

    def features(self, text: str, same_script: bool) -> dict[str, float]:
        """``focus``: share of focus words in the sentence; ``focus_number``: a number within four words of one."""
        wanted = self.stems if same_script else self.shapes
        if not wanted:
            return {"focus": 0.0, "focus_number": 0.0}
        words = _WORDS.findall(text)
        marks = [self._matches(w, same_script) for w in words]
        found = {m for m in marks if m}
        numbers = [i for i, w in enumerate(words) if _HAS_NUMBER.search(w) or w.lower() in _NUMBER_WORDS]
        heads = [i for i, w in enumerate(words) if self.head in tokenize(w)] if same_script else []
        near = any(0 < i - j <= 3 for i in heads for j in numbers)  # "2,146 sessions", "3,108 were zero-dose"
        return {"focus": min(1.0, len(found) / len(wanted)), "focus_number": float(near)}

    def _matches(self, word: str, same_script: bool) -> str | None:
        if same_script:
            return next((t for t in tokenize(word) if t in self.stems), None)
        shape = skeleton(word)
        return shape if len(shape) >= 3 and found_in(shape, set(self.shapes)) else None


_WORDS = re.compile(r"[\w\u0900-\u097f,.-]+")


_QUESTION_WORDS = frozenset(
    "many much long often far big tell explain give list kitne kitna kitni kya kab kaise kaun kahan kyon kyun hai "
    "hain tha thi the ka ki ke ko se mein me par aur ya bhi nahi kar karna karne diya gaya mila mile milta".split()
)


def question_terms(question: str) -> list[str]:
    """The question's content terms: tokens without stop words, question words or Latin-script Hindi particles."""
    return [t for t in tokenize(question) if t not in _QUESTION_WORDS]


def weighted_terms(question: str, lexicon: Lexicon | None) -> dict[str, float]:
    """The question's content terms, each weighted by its idf in the lexicon (the passages the viewer may see; 1.0
    without a lexicon)."""
    terms = set(question_terms(question))
    if lexicon is None:
        return dict.fromkeys(terms, 1.0)
    return {t: lexicon.idf(t) for t in terms}


def coverage(terms: dict[str, float], text: str) -> float:
    """Share of the question's idf mass that ``text`` contains (0..1)."""
    total = sum(terms.values())
    if not total:
        return 0.0
    present = set(tokenize(text))
    return sum(weight for term, weight in terms.items() if term in present) / total


def support_score(evidence: Sequence[Evidence]) -> float:
    """How well the best evidence supports an answer (the score the answerability model starts from)."""
    return evidence[0].score if evidence else -math.inf
