"""Peer signals from completion records: "people in your role completed ...".

Two ingredients, blended per learner:
- item co-completion: cosine similarity (with shrinkage) between courses over the learners who completed them,
  kept to each course's nearest ``neighbours``; a learner's score for a course sums its similarity to what they
  have completed;
- role popularity: the share of learners in the learner's role who completed the course (overall popularity when
  the role is unknown or has too few learners).
The weight on co-completion grows with the history, h / (h + history_half): a new recruit with no completions
gets pure role popularity (cold start). A course nobody has completed yet gets the discounted, similarity-weighted
score of its nearest known courses by content, when those neighbours are supplied (``with_cold_start``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from recommender.completions import CompletionLog
from recommender.types import PeerSignal

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PeerConfig:
    neighbours: int = 50
    shrink: float = 5.0
    history_half: float = 1.0
    min_role_learners: int = 20
    cold_start_discount: float = 0.5
    recency: float = 0.8
    """Weight of each older completion in the history relative to the next one (1: all count the same)."""


@dataclass(frozen=True, eq=False)
class PeerModel:
    courses: tuple[str, ...]
    roles: tuple[str, ...]
    similarity: sp.csr_matrix
    role_counts: Floats
    role_learners: Floats
    counts: Floats
    learners: int
    config: PeerConfig = PeerConfig()
    cold: Mapping[int, tuple[tuple[int, float], ...]] = field(default_factory=dict)

    @classmethod
    def fit(cls, log: CompletionLog, config: PeerConfig | None = None, courses: Sequence[str] = ()) -> PeerModel:
        """Fit on ``log``; ``courses`` adds course ids the log may not mention (they start with no history)."""
        config = config or PeerConfig()
        extra = sorted(set(courses) - set(log.courses))
        all_courses = (*log.courses, *extra)
        n_learners, n_courses = len(log.learners), len(all_courses)
        matrix = sp.csr_matrix(
            (np.ones(len(log), dtype=np.float32), (log.learner, log.course)), shape=(n_learners, n_courses)
        )
        matrix.data[:] = 1.0  # duplicates were summed: a course completed twice counts once
        counts = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel()
        similarity = _top_k(_cosine(matrix, counts, config.shrink), config.neighbours)
        learner_role = log.learner_roles()
        known = learner_role >= 0
        by_role = sp.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float32), (learner_role[known], np.flatnonzero(known))),
            shape=(len(log.roles), n_learners),
        )
        role_counts = np.asarray((by_role @ matrix).todense(), dtype=np.float64)
        role_learners = np.bincount(learner_role[known], minlength=len(log.roles)).astype(np.float64)
        return cls(all_courses, log.roles, similarity, role_counts, role_learners, counts, n_learners, config)

    def with_cold_start(self, neighbours: Mapping[str, Sequence[tuple[str, float]]]) -> PeerModel:
        """Give courses nobody has completed a score from similar courses (content neighbours, with similarity)."""
        index = {c: i for i, c in enumerate(self.courses)}
        cold = {
            index[course]: tuple((index[n], float(w)) for n, w in near if n in index and w > 0)
            for course, near in neighbours.items()
            if course in index and self.counts[index[course]] == 0
        }
        return PeerModel(
            self.courses,
            self.roles,
            self.similarity,
            self.role_counts,
            self.role_learners,
            self.counts,
            self.learners,
            self.config,
            cold,
        )

    def _popularity(self, role: str | None) -> tuple[Floats, str, int | None]:
        if role in self.roles:
            r = self.roles.index(role)
            if self.role_learners[r] >= self.config.min_role_learners:
                return self.role_counts[r] / self.role_learners[r], "role popularity", r
        return self.counts / max(self.learners, 1), "overall popularity", None

    def score_vector(self, role: str | None, history: Sequence[str]) -> tuple[Floats, str]:
        """A score in [0, 1] for every course in ``courses``, and the basis it rests on."""
        popularity, basis, _ = self._popularity(role)
        scores = popularity / popularity.max() if popularity.max() > 0 else popularity.copy()
        index = {c: i for i, c in enumerate(self.courses)}
        seen = [index[c] for c in dict.fromkeys(history) if c in index]
        if seen:
            recency = self.config.recency ** np.arange(len(seen) - 1, -1, -1, dtype=np.float64)
            together = np.asarray(self.similarity[seen].T @ recency, dtype=np.float64).ravel()
            if together.max() > 0:
                weight = len(seen) / (len(seen) + self.config.history_half)
                scores = weight * together / together.max() + (1 - weight) * scores
                basis = f"co-completion + {basis}"
        for course, near in self.cold.items():
            total = sum(w for _, w in near)
            if total > 0:
                scores[course] = self.config.cold_start_discount * sum(w * scores[n] for n, w in near) / total
        return scores, basis

    def recommend(self, role: str | None, history: Sequence[str], k: int = 10) -> list[tuple[str, float]]:
        scores, _ = self.score_vector(role, history)
        index = {c: i for i, c in enumerate(self.courses)}
        scores[[index[c] for c in history if c in index]] = -np.inf
        top = np.argsort(-scores, kind="stable")[:k]
        return [(self.courses[i], float(scores[i])) for i in top if np.isfinite(scores[i])]

    def signals(self, role: str | None, history: Sequence[str]) -> tuple[PeerSignals, str]:
        """Peer signals for every course with a positive score (built on lookup), and the basis of the scores."""
        scores, basis = self.score_vector(role, history)
        _, _, r = self._popularity(role)
        share = self.role_counts[r] / self.role_learners[r] if r is not None else None
        return PeerSignals(self, scores, basis, share), basis

    @cached_property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.courses)}


class PeerSignals(Mapping[str, PeerSignal]):
    """Course id -> PeerSignal, over one request's score vector. A plan looks up thousands of scores but explains
    only its steps, so signals are made on lookup rather than for every course up front."""

    def __init__(self, model: PeerModel, scores: Floats, basis: str, share: Floats | None) -> None:
        self._model, self._scores, self._basis, self._share = model, scores, basis, share
        self._positive = np.flatnonzero(scores > 0)

    @property
    def scores(self) -> Mapping[str, float]:
        """Course id -> the 0-1 score the planner weighs (a view; nothing is copied)."""
        return _ScoreView(self._model.index, self._scores)

    def __getitem__(self, course_id: str) -> PeerSignal:
        i = self._model.index.get(course_id)
        if i is None or self._scores[i] <= 0:
            raise KeyError(course_id)
        return PeerSignal(
            round(float(self._scores[i]), 4),
            "similar content (new course)" if i in self._model.cold else self._basis,
            round(float(self._share[i]), 4) if self._share is not None else None,
        )

    def __iter__(self) -> Iterator[str]:
        return (self._model.courses[i] for i in self._positive.tolist())

    def __len__(self) -> int:
        return len(self._positive)


class _ScoreView(Mapping[str, float]):
    def __init__(self, index: Mapping[str, int], scores: Floats) -> None:
        self._index, self._scores = index, scores

    def __getitem__(self, course_id: str) -> float:
        return float(self._scores[self._index[course_id]])

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def _cosine(matrix: sp.csr_matrix, counts: Floats, shrink: float) -> sp.csr_matrix:
    together = (matrix.T @ matrix).tocoo()
    off_diagonal = together.row != together.col
    rows, cols = together.row[off_diagonal], together.col[off_diagonal]
    values = together.data[off_diagonal] / (np.sqrt(counts[rows] * counts[cols]) + shrink)
    return sp.csr_matrix((values, (rows, cols)), shape=together.shape)


def _top_k(similarity: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep each row's ``k`` largest entries."""
    rows, cols, values = [], [], []
    for row in range(similarity.shape[0]):
        start, end = similarity.indptr[row], similarity.indptr[row + 1]
        data, indices = similarity.data[start:end], similarity.indices[start:end]
        if len(data) > k:
            keep = np.argpartition(-data, k)[:k]
            data, indices = data[keep], indices[keep]
        rows.append(np.full(len(data), row))
        cols.append(indices)
        values.append(data)
    if not rows:
        return similarity
    return sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=similarity.shape)
