"""Which language a question is written in, so that it can be routed (answer messages, language-pair thresholds,
the preferred member of a translation group).

The script decides most languages outright: Tamil, Telugu, Kannada, Malayalam, Gujarati, Punjabi (Gurmukhi), Odia
and Urdu each have their own. Two scripts are shared: Devanagari (Hindi, Marathi) and Bengali-Assamese (Bengali,
Assamese). Within them a character n-gram naive Bayes model decides, fitted by ``make language-model`` on the
bundled documents and the development half of ``bench/queries/regional/*-detect.jsonl``; its test half measures it
(docs/benchmarks.md). Assamese also has two letters Bengali never uses (ৰ, ৱ), and Bengali one Assamese never uses
(র): those decide before the model does. Text mostly in Latin letters is English, as before.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpus.languages import REGISTRY
from corpus.scripts import script_counts, search_form

MODEL_PATH = Path(__file__).parent / "models" / "language-id.json"
ORDERS = (1, 2, 3, 4)
SHARED_SCRIPTS = {"devanagari": ("hi", "mr"), "bengali": ("bn", "as")}
"""The languages of each shared script; the first is the default when no model is fitted."""
SHARED_UNSEEN = {"devanagari": True, "bengali": False}
"""Hindi has ample training text and Marathi a little; Assamese has only a few dozen lines beside Bengali's
documents, so there each language's own smoothing is kept (see NgramModel.fit)."""
_SINGLE = {x.script: x.code for x in REGISTRY if x.script not in SHARED_SCRIPTS and x.script != "latin"}
LATIN_TOLERANCE = 4
"""Outside Devanagari a question is in its script's language while that script has at least a quarter as many
letters as the Latin part ("Karmayogi app ରେ login problem" is Odia); Devanagari keeps the stricter half, which
the tutor's Hindi thresholds were fitted with (a Hinglish question full of English terms is answered as English)."""
_ASSAMESE_ONLY = frozenset("\u09f0\u09f1")  # ৰ ৱ
_BENGALI_ONLY = frozenset("\u09b0")  # র


@dataclass(frozen=True)
class Detection:
    language: str
    script: str
    """The script most of the text's letters are in (``latin`` for English)."""
    decided_by: str
    """``script``, ``letters`` (a letter only one language uses) or ``model``."""


def ngrams(text: str) -> Counter[str]:
    """Character n-grams (orders 1-4) of each non-Latin word of ``text`` in search form, with word boundaries
    marked (English words mixed into a Hindi or Marathi question say nothing about which of the two it is)."""
    grams: Counter[str] = Counter()
    for word in search_form(text).split():
        if word.isascii():
            continue
        padded = f" {word} "
        for n in ORDERS:
            for i in range(max(len(padded) - n + 1, 0)):
                gram = padded[i : i + n]
                if gram.strip():
                    grams[gram] += 1
    return grams


@dataclass(frozen=True)
class NgramModel:
    """Naive Bayes over character n-grams for the languages of one shared script."""

    log_probs: dict[str, dict[str, float]]
    unseen: dict[str, float]

    def scores(self, text: str) -> dict[str, float]:
        grams = ngrams(text)
        return {
            language: sum(count * table.get(gram, self.unseen[language]) for gram, count in grams.items())
            for language, table in self.log_probs.items()
        }

    @classmethod
    def fit(
        cls, texts: dict[str, list[str]], *, alpha: float = 0.5, keep: int = 4000, shared_unseen: bool = True
    ) -> NgramModel:
        """Fit on ``texts`` (language -> training texts) with add-``alpha`` smoothing, keeping each language's
        ``keep`` most frequent n-grams (the rest score as unseen). With ``shared_unseen`` an n-gram no language
        has seen scores the same for all; otherwise each language's smoothing decides, which favours the language
        with less training text (used where that language is the rarer one and only has a few dozen lines)."""
        log_probs: dict[str, dict[str, float]] = {}
        unseen: dict[str, float] = {}
        vocabulary: set[str] = set()
        counts = {language: sum((ngrams(t) for t in items), Counter()) for language, items in texts.items()}
        for grams in counts.values():
            vocabulary |= set(grams)
        for language, grams in counts.items():
            total = sum(grams.values()) + alpha * (len(vocabulary) + 1)
            top = grams.most_common(keep)
            log_probs[language] = {gram: round(math.log((c + alpha) / total), 4) for gram, c in top}
            unseen[language] = round(math.log(alpha / total), 4)
        if shared_unseen:  # else the smaller training set would win every question full of new words
            unseen = dict.fromkeys(unseen, min(unseen.values()))
        return cls(log_probs, unseen)

    def to_json(self) -> dict[str, Any]:
        return {"log_probs": self.log_probs, "unseen": self.unseen}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NgramModel:
        return cls({k: dict(v) for k, v in data["log_probs"].items()}, dict(data["unseen"]))


@lru_cache(maxsize=1)
def load_models(path: Path = MODEL_PATH) -> dict[str, NgramModel]:
    """The fitted model of each shared script; empty when the file is missing (the first language then wins)."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {script: NgramModel.from_json(entry) for script, entry in data["scripts"].items()}


def detect(text: str, models: dict[str, NgramModel] | None = None) -> Detection:
    """The language of ``text``; English when Latin letters outnumber the main other script's letters (twice them
    for Devanagari, LATIN_TOLERANCE times for the other scripts)."""
    counts = script_counts(text)
    latin = counts.pop("latin", 0)
    if not counts:
        return Detection("en", "latin", "script")
    script, letters = counts.most_common(1)[0]
    if letters * (2 if script == "devanagari" else LATIN_TOLERANCE) < latin:
        return Detection("en", "latin", "script")
    if script in _SINGLE:
        return Detection(_SINGLE[script], script, "script")
    if script == "bengali":
        chars = set(text)
        if chars & _ASSAMESE_ONLY and not chars & _BENGALI_ONLY:
            return Detection("as", script, "letters")
        if chars & _BENGALI_ONLY and not chars & _ASSAMESE_ONLY:
            return Detection("bn", script, "letters")
    candidates = SHARED_SCRIPTS[script]
    model = (load_models() if models is None else models).get(script)
    if model is None:
        return Detection(candidates[0], script, "script")
    scores = model.scores(text)
    best = max(candidates, key=lambda language: (scores.get(language, -math.inf), -candidates.index(language)))
    return Detection(best, script, "model")


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is written in."""
    return detect(text).language
