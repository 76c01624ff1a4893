"""Answerability: does the retrieved material hold the answer, or only the question's topic?

A logistic model over features that need no extra model: how close the best sentence is in meaning, how much of the
question's content the best document contains (in the question's script, or across scripts through consonant
skeletons), numbers, years and names of the question that the document never mentions, a negation the document
does not make, whether the expected kind of answer is stated, the margin to the next sentence, and the language pair
(question language, evidence language). Its output is a probability; the answer is given when the probability
reaches the threshold calibrated for that language pair.

Fitted by ``gyanpath tutor fit`` (``make tutor-model``) on the development halves of bench/queries/tutor_*.jsonl;
the weights are a small JSON file per embedder family in tutor/models/.
"""

from __future__ import annotations

import json
import math
import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.language_id import detect_language
from corpus.lexical import Lexicon, tokenize
from tutor.answer_types import expected_type, holds
from tutor.evidence import (
    coverage,
    numbers_in,
    question_skeletons,
    question_terms,
    skeleton_coverage,
    weighted_terms,
)
from tutor.transliteration import found_in, skeleton, skeletons
from tutor.types import Evidence

MODELS = Path(__file__).parent / "models"
PAIRS = ("en-en", "en-hi", "hi-en", "hi-hi")
FEATURES = (
    "dense",
    "dense_cross",
    "score",
    "lexical",
    "doc_coverage",
    "skeleton_coverage",
    "number_missing",
    "year_missing",
    "name_missing",
    "name_any_missing",
    "rare_missing",
    "unknown_share",
    "dense_contrast",
    "dense_vs_other_script",
    "place_mismatch",
    "type_absent_from_document",
    "negation_unmatched",
    "type_stated",
    "type_missing",
    "margin",
    "pair_en_hi",
    "pair_hi_en",
    "pair_hi_hi",
)
_YEAR = re.compile(r"^(19|20)\d\d$")
_NAME = re.compile(r"(?<![\w.])[A-Z][a-zA-Z]{2,}")
_NEGATION = re.compile(r"\b(not|no|never|without|didn'?t|wasn'?t|weren'?t|failed to)\b|नहीं|बिना|न\s", re.I)
_NOT_NAMES = frozenset(
    "what how when where which who why whom whose did does do was were is are the in on of for and by with from "
    "under after before during asha anm phc chc fir dio bdo sdm ias ips ngo district state india indian government "
    "govt scheme mission block village officer hindi english".split()
)


@dataclass(frozen=True)
class Context:
    """What the features look at: the question, its evidence, and the best document's full text."""

    question: str
    evidence: Sequence[Evidence]
    document_text: str
    lexicon: Lexicon | None = None
    """Statistics of the passages the viewer may see (:meth:`corpus.search.ReadModel.lexicon`): a private case study
    of another department must not make a word known or less rare for them."""
    places: tuple[str, ...] = ()
    """The best document's district and state, where it names them (case studies)."""


def pair_of(question: str, evidence: Sequence[Evidence]) -> str:
    passage = evidence[0].hit.language if evidence else detect_language(question)
    return f"{detect_language(question)}-{passage}"


def features(context: Context) -> dict[str, float]:
    evidence, question = context.evidence, context.question
    pair = pair_of(question, evidence)
    cross = pair[:2] != pair[3:]
    top = evidence[0] if evidence else None
    document = context.document_text
    numbers = numbers_in(question)
    present = set(numbers_in(document))
    years = [n for n in numbers if _YEAR.match(n)]
    counts = [n for n in numbers if not _YEAR.match(n)]
    wanted = expected_type(question)
    terms = weighted_terms(question, context.lexicon)
    names_missing = _names_missing(question, document)
    return {
        "dense": top.dense if top else 0.0,
        "dense_cross": top.dense if top and cross else 0.0,
        "score": top.score if top else 0.0,
        "lexical": 0.0 if cross or top is None else top.lexical,
        "doc_coverage": 0.0 if cross else coverage(terms, document),
        "skeleton_coverage": _transferable_coverage(question, document, context.lexicon, pair[3:] if cross else None),
        "number_missing": float(any(n not in present for n in counts)),
        "year_missing": float(any(y not in present for y in years)),
        "name_missing": names_missing,
        "name_any_missing": float(names_missing > 0),
        "rare_missing": 0.0 if cross else _rarest_missing(question, document, context.lexicon),
        "unknown_share": _unknown_share(question, context.lexicon),
        "dense_contrast": top.dense - sum(e.dense for e in evidence) / len(evidence) if top else 0.0,
        "dense_vs_other_script": _against_other_script(evidence),
        "negation_unmatched": float(
            bool(_NEGATION.search(question)) and not any(_NEGATION.search(e.text) for e in evidence[:3])
        ),
        "type_stated": float(bool(wanted and top and holds(wanted, top.text))),
        "type_missing": float(bool(wanted) and not any(holds(wanted or "", e.text) for e in evidence[:3])),
        "type_absent_from_document": float(bool(wanted) and not holds(wanted or "", document)),
        "place_mismatch": _place_mismatch(question, document, context.places),
        "margin": top.score - evidence[1].score if len(evidence) > 1 and top else 0.0,
        "pair_en_hi": float(pair == "en-hi"),
        "pair_hi_en": float(pair == "hi-en"),
        "pair_hi_hi": float(pair == "hi-hi"),
    }


_SHAPES: weakref.WeakKeyDictionary[Lexicon, tuple[frozenset[str], frozenset[str]]] = weakref.WeakKeyDictionary()
_SHAPES_LOCK = threading.Lock()


def _shapes_by_script(lexicon: Lexicon) -> tuple[frozenset[str], frozenset[str]]:
    """Skeletons of every Latin-script and every Devanagari term of the material (the passages the lexicon counts),
    kept while the lexicon lives: one per snapshot and visibility set (a new snapshot brings a new lexicon)."""
    with _SHAPES_LOCK:
        shapes = _SHAPES.get(lexicon)
    if shapes is None:
        terms = lexicon.vocabulary()
        latin = frozenset(skeleton(t) for t in terms if t.isascii() and t.isalpha())
        devanagari = frozenset(skeleton(t) for t in terms if not t.isascii())
        shapes = (latin, devanagari)
        with _SHAPES_LOCK:
            _SHAPES[lexicon] = shapes
    return shapes


def _transferable_coverage(question: str, document: str, lexicon: Lexicon | None, other: str | None) -> float:
    """Share of the question's content words whose consonant skeleton occurs in the document, counting only words
    that can occur there at all: a word of the question's own script always, a word of the other script (a native
    Hindi verb for an English document) only when some term of the material in the document's script has its
    skeleton. Names, numbers' units and loanwords carry across scripts; the rest is not held against the answer."""
    words = question_skeletons(question)
    if lexicon is not None and other is not None:  # ``other``: the document's language, unlike the question's
        latin, devanagari = _shapes_by_script(lexicon)
        pool = latin if other == "en" else devanagari
        words = {w for w in words if w in pool}
    return skeleton_coverage(words, document) if words else 0.5


def _rarest_missing(question: str, document: str, lexicon: Lexicon | None) -> float:
    """The idf (as a share of the largest possible) of the rarest question term that the document lacks: a place,
    scheme or year swapped for one the material does not cover is rare and missing."""
    if lexicon is None:
        return 0.0
    present = set(tokenize(document))
    missing = [lexicon.idf(t) for t in set(question_terms(question)) if t not in present]
    return max(missing, default=0.0) / lexicon.max_idf


def _unknown_share(question: str, lexicon: Lexicon | None) -> float:
    """Share of the question's content words that occur nowhere in the material (off-topic questions use words
    the corpus never does)."""
    terms = [t for t in set(question_terms(question)) if not t.isdigit()]
    if lexicon is None or not terms:
        return 0.0
    return sum(not lexicon.knows(t) for t in terms) / len(terms)


def _against_other_script(evidence: Sequence[Evidence]) -> float:
    """How much closer in meaning the best sentence is than the best sentence in the other script: a Hindi passage
    that truly answers an English question stands out from the English ones, while for an off-topic question every
    passage is about as (un)related."""
    if not evidence:
        return 0.0
    top = evidence[0]
    rivals = [e.dense for e in evidence[1:] if e.hit.language != top.hit.language]
    return top.dense - max(rivals) if rivals else 0.0


def _place_mismatch(question: str, document: str, places: tuple[str, ...]) -> float:
    """1.0 when the document is about a named district or state that the question never mentions, while the
    question does name something the document lacks (another district, most likely: "Cuttack" for Bhubaneswar)."""
    if not places:
        return 0.0
    asked = skeletons(question, min_length=2)
    if any(found_in(skeleton(word), asked) for place in places for word in place.split() if len(word) > 2):
        return 0.0
    lowered = document.lower()
    pool = skeletons(document, min_length=2)
    names = [m.group() for m in _NAME.finditer(question) if m.group().lower() not in _NOT_NAMES]
    devanagari = re.findall(r"[\u0900-\u097f]{3,}", question)
    strange = [w for w in names + devanagari if w.lower() not in lowered and not found_in(skeleton(w), pool)]
    return float(bool(strange))


def _names_missing(question: str, document: str) -> float:
    """Share of capitalised names in the question (not its first word) that the document never mentions."""
    names = [m.group() for m in _NAME.finditer(question) if m.start() > 0 and m.group().lower() not in _NOT_NAMES]
    if not names:
        return 0.0
    lowered = document.lower()
    pool = skeletons(document, min_length=2)
    missing = [n for n in names if n.lower() not in lowered and not found_in(skeleton(n), pool)]
    return len(missing) / len(names)


@dataclass(frozen=True)
class AnswerabilityModel:
    """Logistic weights over :data:`FEATURES` and a probability threshold per language pair."""

    model_id: str
    weights: dict[str, float]
    bias: float
    thresholds: dict[str, float]
    trained_on: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * values.get(name, 0.0) for name in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def threshold(self, pair: str) -> float:
        """The pair's threshold; else the question language's over all evidence languages (``ta-*``); else the
        default (pairs with too few development questions to fit have no threshold of their own)."""
        for key in (pair, f"{pair.split('-')[0]}-*", "default"):
            if key in self.thresholds:
                return self.thresholds[key]
        return 0.5

    def to_json(self) -> str:
        data = {
            "model_id": self.model_id,
            "features": list(FEATURES),
            "weights": {k: round(v, 6) for k, v in self.weights.items()},
            "bias": round(self.bias, 6),
            "thresholds": {k: round(v, 4) for k, v in self.thresholds.items()},
            "trained_on": self.trained_on,
            "metrics": self.metrics,
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> AnswerabilityModel:
        data = json.loads(text)
        unknown = set(data["weights"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"answerability model names unknown features: {sorted(unknown)}")
        return cls(
            model_id=str(data["model_id"]),
            weights={k: float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            thresholds={k: float(v) for k, v in data["thresholds"].items()},
            trained_on=str(data.get("trained_on", "")),
            metrics=dict(data.get("metrics", {})),
        )


def model_path(family: str, variant: str = "") -> Path:
    """``answerability-e5.json``; with a variant (``regional``: questions outside English and Hindi),
    ``answerability-regional-e5.json``."""
    return MODELS / f"answerability-{variant + '-' if variant else ''}{family}.json"


def load_model(family: str | None, variant: str = "") -> AnswerabilityModel | None:
    """The fitted model for an embedder family (and variant), or None when none was fitted for it."""
    if family is None:
        return None
    path = model_path(family, variant)
    return AnswerabilityModel.from_json(path.read_text(encoding="utf-8")) if path.exists() else None
