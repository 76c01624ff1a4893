"""Near-duplicate courses: cosine between course vectors (the mean of passage vectors) above a threshold.

Thresholds are calibrated per embedder family with ``python -m bench.duplicates_calibration`` (rewritten drafts
of real courses against every other course of the bundled catalogue); the figures are in docs/benchmarks.md.
A course and its translations are one course (``translation_of``) and are never reported as duplicates of
each other by ``pairs``; a draft, which has no translation link, is compared with every course.
"""

from __future__ import annotations

import numpy as np

from embeddings.families import for_family
from recommender.catalog import Catalog
from recommender.semantic import Matrix, Semantic

THRESHOLDS = {"e5": 0.96, "minilm": 0.85, "hashing": 0.83}
DEFAULT_THRESHOLD = 0.9
BLOCK = 1024


def duplicate_threshold(model_id: str) -> float:
    return for_family(model_id, THRESHOLDS, DEFAULT_THRESHOLD)


class DuplicateFinder:
    def __init__(self, semantic: Semantic, threshold: float | None = None) -> None:
        self.semantic = semantic
        self.threshold = threshold if threshold is not None else duplicate_threshold(semantic.embedder.model_id)

    @property
    def catalog(self) -> Catalog:
        return self.semantic.catalog

    def similar(self, vector: Matrix, *, exclude: frozenset[str] = frozenset(), k: int = 5) -> list[tuple[str, float]]:
        """Courses above the threshold, most similar first."""
        if not self.semantic.course_ids:
            return []
        scores = self.semantic.courses @ vector[0]
        order = np.argsort(-scores, kind="stable")
        ids = self.semantic.course_ids
        found = [(ids[i], float(scores[i])) for i in order[: k + len(exclude)] if scores[i] >= self.threshold]
        return [(c, s) for c, s in found if c not in exclude][:k]

    def pairs(self) -> dict[str, frozenset[str]]:
        """Every course -> the other courses (not its translations) it nearly duplicates."""
        vectors, ids = self.semantic.courses, self.semantic.course_ids
        found: dict[str, set[str]] = {}
        for start in range(0, len(ids), BLOCK):
            block = vectors[start : start + BLOCK] @ vectors.T
            rows, cols = np.nonzero(block >= self.threshold)
            for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
                a, b = ids[start + row], ids[col]
                if a != b and self.catalog.group(a) != self.catalog.group(b):
                    found.setdefault(a, set()).add(b)
        return {course: frozenset(twins) for course, twins in found.items()}
