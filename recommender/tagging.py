"""Competency tags suggested from text, with a confidence that is a calibrated probability.

The embedder ranks the dictionary's competencies by cosine with a course (or draft); a small logistic model turns
(cosine, gap to the best cosine, rank) into the probability that a curator would tag it. The model is fitted on
the catalogue's own tagged courses, so the confidence means "how often courses with a match like this were
actually tagged with it here" for whichever embedder is in use. With too few tagged courses to fit, the cosine
itself is reported and ``calibrated`` is False.
"""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt

from recommender.semantic import Matrix, Semantic
from recommender.types import SuggestedTag

MAX_FIT_COURSES = 2000
L2 = 1.0


def _features(similarities: Matrix) -> npt.NDArray[np.float64]:
    """Per (document, competency) features, shape (docs, competencies, 3)."""
    s = similarities.astype(np.float64)
    margin = s - s.max(axis=1, keepdims=True)
    rank = np.argsort(np.argsort(-s, axis=1), axis=1)
    return np.stack([s, margin, np.log1p(rank)], axis=-1)


def fit_logistic(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], l2: float = L2) -> npt.NDArray[np.float64]:
    """L2-regularised logistic regression by Newton's method; returns weights with the bias last."""
    design = np.hstack([x, np.ones((len(x), 1))])
    weights = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(design @ weights)))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return weights


class TagSuggester:
    def __init__(self, semantic: Semantic) -> None:
        self.semantic = semantic
        self._weights: npt.NDArray[np.float64] | None = None
        self._mean = np.zeros(3)
        self._scale = np.ones(3)
        self._fitted = False
        self._lock = threading.Lock()

    @property
    def calibrated(self) -> bool:
        self._fit()
        return self._weights is not None

    def _fit(self) -> None:
        with self._lock:
            if self._fitted:
                return
            self._fitted = True
            catalog = self.semantic.catalog
            tagged = [c for c in self.semantic.course_ids if catalog.courses[c].competencies]
            if len(tagged) < 2 or len(self.semantic.competency_ids) < 2:
                return
            rng = np.random.default_rng(0)
            if len(tagged) > MAX_FIT_COURSES:
                tagged = sorted(rng.choice(tagged, MAX_FIT_COURSES, replace=False).tolist())
            self._fit_on(tagged)

    def _fit_on(self, course_ids: list[str]) -> None:
        catalog, semantic = self.semantic.catalog, self.semantic
        rows = [semantic.course_row[c] for c in course_ids]
        features = _features(semantic.courses[rows] @ semantic.competencies.T)
        column = {cid: j for j, cid in enumerate(semantic.competency_ids)}
        labels = np.zeros(features.shape[:2])
        for i, course_id in enumerate(course_ids):
            for ref in catalog.courses[course_id].competencies:
                if ref.id in column:
                    labels[i, column[ref.id]] = 1.0
        if labels.min() == labels.max():
            return
        x, y = features.reshape(-1, 3), labels.reshape(-1)
        self._mean, self._scale = x.mean(axis=0), x.std(axis=0) + 1e-9
        self._weights = fit_logistic((x - self._mean) / self._scale, y)

    def refit(self, course_ids: list[str]) -> None:
        """Fit on exactly these tagged courses (the benchmark's cross-validation uses this)."""
        with self._lock:
            self._fitted, self._weights = True, None
            self._fit_on(course_ids)

    def confidences(self, vectors: Matrix) -> tuple[Matrix, npt.NDArray[np.float64]]:
        """(cosines, confidences), each of shape (len(vectors), competencies)."""
        self._fit()
        similarities = vectors @ self.semantic.competencies.T
        if self._weights is None:
            return similarities, np.clip(similarities, 0.0, 1.0).astype(np.float64)
        x = (_features(similarities) - self._mean) / self._scale
        logits = x @ self._weights[:-1] + self._weights[-1]
        return similarities, 1.0 / (1.0 + np.exp(-logits))

    def suggest(self, vector: Matrix, *, k: int = 5, min_confidence: float = 0.0) -> list[SuggestedTag]:
        similarities, confidence = self.confidences(vector)
        order = np.argsort(-confidence[0], kind="stable")[:k]
        ids = self.semantic.competency_ids
        return [
            SuggestedTag(
                ids[j],
                self.semantic.catalog.competency_name(ids[j]),
                float(similarities[0, j]),
                float(confidence[0, j]),
            )
            for j in order
            if confidence[0, j] >= min_confidence
        ]
