"""Offline evaluation of peer signals on a time-based split: train on everything before a cut-off time, then for
each learner active after it, rank courses they have not completed yet and compare with what they completed
after the cut-off. Recall@k and nDCG@k (binary relevance), overall and for new and returning learners.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.completions import CompletionLog

Ranker = Callable[[str | None, Sequence[str], int], list[str]]
"""(role, history, k) -> course ids, best first, none of them in the history."""


@dataclass(frozen=True)
class Split:
    train: CompletionLog
    history: dict[str, list[str]]
    truth: dict[str, set[str]]
    role: dict[str, str | None]
    cutoff: int


def time_split(log: CompletionLog, train_share: float = 0.8) -> Split:
    """Cut at the ``train_share`` quantile of completion times."""
    cutoff = int(np.quantile(log.at, train_share))
    before = log.at < cutoff
    train = log.subset(before)
    history: dict[str, list[str]] = {}
    order = np.argsort(train.at, kind="stable")
    for n in order:
        history.setdefault(log.learners[train.learner[n]], []).append(log.courses[train.course[n]])
    truth: dict[str, set[str]] = {}
    role: dict[str, str | None] = {}
    for n in np.flatnonzero(~before):
        learner, course = log.learners[log.learner[n]], log.courses[log.course[n]]
        if course not in history.get(learner, []):
            truth.setdefault(learner, set()).add(course)
        role[learner] = log.roles[log.role[n]] if log.role[n] >= 0 else None
    return Split(train, history, truth, role, cutoff)


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    gain = sum(1 / math.log2(n + 2) for n, c in enumerate(ranked[:k]) if c in relevant)
    ideal = sum(1 / math.log2(n + 2) for n in range(min(k, len(relevant))))
    return gain / ideal


@dataclass(frozen=True)
class PeerRow:
    model: str
    segment: str
    learners: int
    recall: float
    ndcg: float


def evaluate_rankers(split: Split, rankers: dict[str, Ranker], k: int = 10) -> list[PeerRow]:
    rows = []
    for name, rank in rankers.items():
        scores: dict[str, list[tuple[float, float]]] = {"all": [], "returning": [], "new": []}
        for learner, relevant in split.truth.items():
            history = split.history.get(learner, [])
            ranked = rank(split.role.get(learner), history, k)
            pair = (recall_at(ranked, relevant, k), ndcg_at(ranked, relevant, k))
            scores["all"].append(pair)
            scores["returning" if history else "new"].append(pair)
        for segment, pairs in scores.items():
            if pairs:
                recall, ndcg = (float(np.mean(column)) for column in zip(*pairs, strict=True))
                rows.append(PeerRow(name, segment, len(pairs), round(recall, 4), round(ndcg, 4)))
    return rows


def popularity_ranker(train: CompletionLog) -> Ranker:
    """The baseline: most-completed courses overall."""
    counts = np.bincount(train.course, minlength=len(train.courses))
    order = [train.courses[i] for i in np.argsort(-counts, kind="stable")]

    def rank(role: str | None, history: Sequence[str], k: int) -> list[str]:
        seen = set(history)
        return [c for c in order if c not in seen][:k]

    return rank
