"""Query-adaptive fusion: how much the lexical ranking counts against the dense one, read from the query itself.

Fixed-weight fusion helps long, specific questions (names, schemes and numbers that BM25 matches exactly) and hurts
short colloquial ones ("hours not showing"), where BM25 ranks whatever shares a common word. So the weight of the
lexical ranking in the reciprocal-rank fusion is predicted per query from what both retrievers return:

- how many terms the query has and how many of them the index knows (Hinglish words in Latin script are unknown);
- how much of the query's idf mass the best lexical passage covers, and how peaked each side's scores are;
- whether the two retrievers agree on the best document;
- whether the query is in a Latin script (the lexical side cannot bridge scripts).

``weight = MAX_WEIGHT * sigmoid(coefficients . features)``; ``python -m bench.fusion --fit`` fits the coefficients
per embedder family on the development halves of the query sets in bench/queries/ (fixed seed) and writes
corpus/models/fusion-<family>.json. Without a fitted model the weight is 1 (plain coverage-weighted RRF).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

MODELS = Path(__file__).parent / "models"
FAMILIES = ("e5", "minilm", "hashing")
FEATURES = (
    "bias",
    "log_terms",
    "known_share",
    "lexical_top_coverage",
    "lexical_gap",
    "dense_top",
    "dense_gap",
    "agreement",
    "latin_script",
)
MAX_WEIGHT = 3.0


@dataclass(frozen=True)
class RankedSide:
    """One retriever's answer for a query: document of each ranked passage (best first) and its score."""

    docs: list[int]
    scores: list[float]


def query_features(
    *,
    terms: int,
    known_terms: int,
    lexical: RankedSide,
    lexical_coverage: list[float],
    dense: RankedSide,
    latin_script: bool,
) -> npt.NDArray[np.float64]:
    """The feature vector, in :data:`FEATURES` order (every value roughly in 0..1 or a small log)."""
    top_coverage = lexical_coverage[0] if lexical_coverage else 0.0
    lexical_gap = _gap(lexical.scores, relative=True)
    dense_top = dense.scores[0] if dense.scores else 0.0
    dense_gap = _gap(dense.scores, relative=False) * 10.0  # cosine gaps are a few hundredths
    agreement = 1.0 if lexical.docs and dense.docs and lexical.docs[0] == dense.docs[0] else 0.0
    return np.array(
        [
            1.0,
            math.log1p(terms),
            known_terms / terms if terms else 0.0,
            top_coverage,
            lexical_gap,
            dense_top,
            dense_gap,
            agreement,
            1.0 if latin_script else 0.0,
        ],
        dtype=np.float64,
    )


def _gap(scores: list[float], *, relative: bool) -> float:
    """How far the best score stands above the fifth (or the last, with fewer)."""
    if len(scores) < 2:
        return 1.0 if scores else 0.0
    top, other = scores[0], scores[min(4, len(scores) - 1)]
    if relative:
        return (top - other) / top if top > 0 else 0.0
    return top - other


@dataclass(frozen=True)
class FusionModel:
    coefficients: tuple[float, ...]
    max_weight: float = MAX_WEIGHT

    def lexical_weight(self, features: npt.NDArray[np.float64]) -> float:
        z = float(np.dot(np.asarray(self.coefficients), features))
        return self.max_weight / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_json(self, **extra: object) -> str:
        return json.dumps(
            {"features": list(FEATURES), "coefficients": list(self.coefficients), "max_weight": self.max_weight,
             **extra},
            indent=2,
        )  # fmt: skip


def family_of(model_id: str) -> str | None:
    lowered = model_id.lower()
    return next((family for family in FAMILIES if family in lowered), None)


def model_path(family: str) -> Path:
    return MODELS / f"fusion-{family}.json"


def load_fusion(model_id: str) -> FusionModel | None:
    """The fusion fitted for this embedder's family, or None (fixed weight 1) when none was fitted or the file
    names other features than this code computes."""
    family = family_of(model_id)
    if family is None:
        return None
    path = model_path(family)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data.get("features", ())) != FEATURES:
        return None
    return FusionModel(tuple(float(c) for c in data["coefficients"]), float(data.get("max_weight", MAX_WEIGHT)))
