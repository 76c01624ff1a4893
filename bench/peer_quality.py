"""Quality of the peer signals on synthetic completion logs of the bundled catalogue, against popularity baselines.

Logs come from the documented generator (recommender/synthetic.py; one log per seed). Each is cut in time
(``recommender.peer_eval.time_split``: train on the first 80% of completion times); every learner active after the
cut gets ten courses they have not completed, scored against what they completed after it: Recall@10 and nDCG@10
(binary relevance), overall and for new learners (no history before the cut) and returning ones. Rankers:

- popularity (the baseline): most-completed courses overall (``popularity_ranker``);
- role popularity: most-completed courses among the learner's role (overall popularity for an unknown role or one
  with fewer than ``PeerConfig.min_role_learners`` learners in training), the same fallback the peer model uses;
- peer model: ``PeerModel.fit(train, courses=every catalogue course).recommend``;
- peer model + cold start: as the service builds it (``Recommender._peers``): courses with no completions before the
  cut borrow from their nearest completed courses by content (``cold_start_neighbours``, course vectors from
  ``--embedder``; ``--embedder none`` leaves this row out).

Figures are means over ``--seeds`` (standard deviation across seeds alongside).

Usage: python -m bench.peer_quality [--learners 20000] [--seeds 0 1 2] [--embedder e5-multilingual | hashing | none]
Goal: the peer model beats popularity in Recall@10 and nDCG@10 overall and for returning learners.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.common import print_table
from bench.recommender_data import MODELS_DIR, bundled_catalog, load_embedder
from recommender.catalog import Catalog
from recommender.completions import CompletionLog
from recommender.peer_eval import PeerRow, Ranker, evaluate_rankers, popularity_ranker, time_split
from recommender.peers import PeerConfig, PeerModel
from recommender.semantic import Semantic
from recommender.service import cold_start_neighbours
from recommender.synthetic import SyntheticConfig, generate_completions

K = 10
SEGMENTS = ("all", "returning", "new")


def spread(values: Sequence[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def role_popularity_ranker(train: CompletionLog, min_learners: int = PeerConfig().min_role_learners) -> Ranker:
    """Most-completed courses among learners of the role; overall popularity when the role is thin or unknown."""
    n_courses = len(train.courses)
    overall = np.bincount(train.course, minlength=n_courses)
    known = train.role >= 0
    by_role = np.bincount(train.role[known] * n_courses + train.course[known], minlength=len(train.roles) * n_courses)
    by_role = by_role.reshape(len(train.roles), n_courses)
    learner_role = train.learner_roles()
    active = np.zeros(len(train.learners), dtype=bool)
    active[train.learner] = True
    learners = np.bincount(learner_role[active & (learner_role >= 0)], minlength=len(train.roles))

    def ordered(counts: npt.NDArray[np.int64]) -> list[str]:
        # ties broken by overall popularity, then by course id order
        order = np.lexsort((np.arange(n_courses), -overall, -counts))
        return [train.courses[i] for i in order]

    fallback = ordered(overall)
    orders = {
        role: ordered(by_role[r]) if learners[r] >= min_learners else fallback for r, role in enumerate(train.roles)
    }

    def rank(role: str | None, history: Sequence[str], k: int) -> list[str]:
        seen = set(history)
        return [c for c in orders.get(role or "", fallback) if c not in seen][:k]

    return rank


def peer_ranker(model: PeerModel) -> Ranker:
    def rank(role: str | None, history: Sequence[str], k: int) -> list[str]:
        return [c for c, _ in model.recommend(role, history, k)]

    return rank


def one_seed(catalog: Catalog, learners: int, seed: int, semantic: Semantic | None) -> tuple[list[PeerRow], str]:
    started = time.perf_counter()
    log = generate_completions(catalog, SyntheticConfig(learners=learners, seed=seed))
    generated = time.perf_counter() - started
    split = time_split(log)
    model = PeerModel.fit(split.train, PeerConfig(), courses=sorted(catalog.courses))
    rankers: dict[str, Ranker] = {
        "popularity (baseline)": popularity_ranker(split.train),
        "role popularity": role_popularity_ranker(split.train),
        "peer model": peer_ranker(model),
    }
    cold = 0
    if semantic is not None:
        neighbours = cold_start_neighbours(model, semantic)
        cold = len(neighbours)
        rankers["peer model + cold start"] = peer_ranker(model.with_cold_start(neighbours))
    trained = {log.courses[i] for i in np.unique(split.train.course).tolist()}
    truth = [c for courses in split.truth.values() for c in courses]
    unseen = sum(c not in trained for c in truth) / max(len(truth), 1)
    started = time.perf_counter()
    rows = evaluate_rankers(split, rankers, K)
    note = (
        f"seed {seed}: {len(log):,} records of {learners:,} learners generated in {generated:.1f} s; "
        f"{len(split.train):,} train records, {len(split.truth):,} test learners, {cold} courses without history "
        f"before the cut ({unseen:.1%} of test completions); evaluated in {time.perf_counter() - started:.1f} s"
    )
    return rows, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=20_000, help="synthetic learners per log")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--embedder", default="e5-multilingual", help="for cold-start neighbours; 'none' to skip")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="where converted models are kept")
    args = parser.parse_args()

    catalog = bundled_catalog()
    semantic = None
    if args.embedder != "none":
        started = time.perf_counter()
        semantic = Semantic(load_embedder(args.embedder, args.models_dir), catalog)
        semantic.courses  # noqa: B018 - embeds the catalogue now, outside the per-seed timings
        print(f"course vectors ({semantic.embedder.model_id}) in {time.perf_counter() - started:.1f} s")

    results: list[PeerRow] = []
    for seed in args.seeds:
        rows, note = one_seed(catalog, args.learners, seed, semantic)
        print(note)
        results += rows

    models = list(dict.fromkeys(r.model for r in results))
    table = []
    for segment in SEGMENTS:
        base = [r for r in results if r.segment == segment and r.model == models[0]]
        base_recall = statistics.fmean(r.recall for r in base) if base else float("nan")
        base_ndcg = statistics.fmean(r.ndcg for r in base) if base else float("nan")
        for name in models:
            found = [r for r in results if r.segment == segment and r.model == name]
            if not found:
                continue
            recall = [r.recall for r in found]
            ndcg = [r.ndcg for r in found]
            table.append(
                [segment, name, round(statistics.fmean(r.learners for r in found)), statistics.fmean(recall),
                 spread(recall), statistics.fmean(ndcg), spread(ndcg), statistics.fmean(recall) / base_recall,
                 statistics.fmean(ndcg) / base_ndcg]
            )  # fmt: skip
    print_table(
        f"Peer signals on synthetic logs of the bundled catalogue ({len(catalog.courses)} courses), time split 80/20, "
        f"@{K}, mean over seeds {' '.join(map(str, args.seeds))}",
        ["segment", "ranker", "learners", f"Recall@{K}", "sd", f"nDCG@{K}", "sd", "recall / popularity",
         "nDCG / popularity"],
        table,
    )  # fmt: skip


if __name__ == "__main__":
    main()
