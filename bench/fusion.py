"""Query-adaptive fusion (corpus/fusion.py): fit on the development halves, report both halves for every query set.

Usage: python -m bench.fusion [--fit] [--embedder e5-multilingual]

Every labelled query set in bench/queries/ that names the documents answering each query is searched over the
bundled corpus: the retrieval set, the tutor's answerable questions (plain, cross-lingual, near-miss, wrapped), the
regional-language retrieval sets and the help-desk questions (English, Hindi, Hinglish). Sets without a split field
are halved by line number (even lines: development). A document and its translations count as one (the help-desk
questions name the English article; a Hindi answer is as good).

For each set and half the table gives Recall@1, Recall@5 and MRR@10 of dense only, lexical only, the fixed fusion
(lexical weight 1) and the learned fusion, the learned fusion's margin over the better single retriever, and the
same on the queries where the two retrievers disagree on the best document. ``--fit`` chooses the coefficients on
the development halves only (coordinate search from seeded random starts, every set weighted alike, a loss of
Recall below the better single retriever of a set costing three times a gain) and writes
corpus/models/fusion-<family>.json.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.common import print_table, scratch_home
from corpus.fusion import FEATURES, MAX_WEIGHT, FusionModel, family_of, model_path
from corpus.ingest import IngestSources, ingest
from corpus.search import Candidates, HybridRetriever, ReadModel, fusion_features
from corpus.translations import translation_groups
from corpus.types import DEPARTMENTS, Viewer
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings

QUERIES = Path(__file__).parent / "queries"
EVERYONE = Viewer(frozenset(DEPARTMENTS))
DEPTH = 50
GRID = np.array([0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.25, 1.6, 2.0, 2.5, MAX_WEIGHT])
SEED = 20261207
SHORTFALL_COST = 3.0


@dataclass(frozen=True)
class Query:
    set_name: str
    split: str
    text: str
    relevant: frozenset[str]


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            yield n, json.loads(line)


def _split(row: dict[str, Any], n: int) -> str:
    return str(row.get("split") or ("dev" if n % 2 == 0 else "test"))


def query_sets() -> list[Query]:
    queries: list[Query] = []
    for n, row in _lines(QUERIES / "retrieval.jsonl"):
        queries.append(Query("bundled retrieval", _split(row, n), str(row["query"]), frozenset(row["relevant"])))
    for name in ("tutor", "tutor_crosslingual", "tutor_near_miss", "tutor_near_miss_xl", "tutor_wrapped"):
        for n, row in _lines(QUERIES / f"{name}.jsonl"):
            if row.get("answers") and row.get("relevant"):
                set_name = name.replace("_", " ").replace("near miss xl", "near miss") + f" ({row['lang']})"
                queries.append(Query(set_name, _split(row, n), str(row["question"]), frozenset(row["relevant"])))
    for path in sorted((QUERIES / "regional").glob("*-retrieval.jsonl")):
        for n, row in _lines(path):
            queries.append(Query("regional", _split(row, n), str(row["query"]), frozenset(row["relevant"])))
    for path in sorted(QUERIES.glob("help*.jsonl")):
        for n, row in _lines(path):
            style = str(row.get("style") or row["lang"])
            queries.append(Query(f"help ({style})", _split(row, n), str(row["query"]), frozenset(row["relevant"])))
    return queries


@dataclass
class Measured:
    """One query's candidates and, per lexical weight on the grid, its group ranking's hit@1, hit@5 and RR@10."""

    query: Query
    features: npt.NDArray[np.float64]
    candidates: Candidates
    dense: tuple[float, float, float]
    lexical: tuple[float, float, float]
    grid: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros((len(GRID), 3)))
    disagree: bool = False


class Bench:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.retriever: HybridRetriever = services.retriever
        rows = services.store.document_rows()
        self.root = translation_groups({r.id: r.translation_of for r in rows})

    @property
    def model(self) -> ReadModel:
        return self.retriever.model

    def group_ranking(self, ranked: list[tuple[int, float]]) -> list[str]:
        groups: list[str] = []
        for position, _ in ranked:
            doc = self.model.docs[int(self.model.chunk_doc[position])].id
            group = self.root.get(doc, doc)
            if group not in groups:
                groups.append(group)
            if len(groups) == 10:
                break
        return groups

    def score(self, ranking: list[str], relevant: frozenset[str]) -> tuple[float, float, float]:
        wanted = {self.root.get(d, d) for d in relevant}
        rank = next((i for i, g in enumerate(ranking, start=1) if g in wanted), None)
        return (float(rank == 1), float(rank is not None and rank <= 5), 1.0 / rank if rank else 0.0)

    def fused(self, candidates: Candidates, weight: float) -> list[tuple[int, float]]:
        lexical, dense = candidates.lexical or [], candidates.dense or []
        power = self.retriever.coverage_power
        return self.retriever._fuse(
            [("lexical", [p for p, _, _ in lexical], [weight * c**power for _, _, c in lexical]),
             ("dense", [p for p, _ in dense], [1.0] * len(dense))]
        )  # fmt: skip

    def measure(self, query: Query) -> Measured:
        model = self.model
        mask = model.mask(None, EVERYONE)
        text = self.retriever.search_form(query.text)  # as retrieve() searches it: Hinglish glossed
        candidates = self.retriever.candidates_for(model, text, DEPTH, mask, "hybrid")
        dense_rank = self.group_ranking([(p, s) for p, s in candidates.dense or []])
        lexical_rank = self.group_ranking([(p, s) for p, s, _ in candidates.lexical or []])
        measured = Measured(
            query,
            fusion_features(model, text, candidates),
            candidates,
            self.score(dense_rank, query.relevant),
            self.score(lexical_rank, query.relevant),
            disagree=bool(dense_rank and lexical_rank and dense_rank[0] != lexical_rank[0]),
        )
        for g, weight in enumerate(GRID):
            measured.grid[g] = self.score(self.group_ranking(self.fused(candidates, float(weight))), query.relevant)
        return measured

    def learned(self, measured: Measured, fusion: FusionModel) -> tuple[float, float, float]:
        weight = fusion.lexical_weight(measured.features)
        return self.score(self.group_ranking(self.fused(measured.candidates, weight)), measured.query.relevant)


def _grid_index(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    middles = (GRID[1:] + GRID[:-1]) / 2
    return np.searchsorted(middles, weights).astype(np.int64)


def fit(dev: list[Measured]) -> FusionModel:
    """Coefficients that maximise the mean over sets of (Recall@1 + Recall@5) / 2, less three times any shortfall
    below the set's better single retriever (development halves only)."""
    features = np.stack([m.features for m in dev])
    quality = np.stack([m.grid[:, :2].mean(axis=1) for m in dev])  # queries x grid
    sets = sorted({m.query.set_name for m in dev})
    members = [np.array([m.query.set_name == s for m in dev]) for s in sets]
    best_single = [
        max(float(np.mean([(m.dense[0] + m.dense[1]) / 2 for m, i in zip(dev, mask, strict=True) if i])),
            float(np.mean([(m.lexical[0] + m.lexical[1]) / 2 for m, i in zip(dev, mask, strict=True) if i])))
        for mask in members
    ]  # fmt: skip
    rows = np.arange(len(dev))

    def objective(theta: npt.NDArray[np.float64]) -> float:
        z = np.clip(features @ theta, -50, 50)
        chosen = quality[rows, _grid_index(MAX_WEIGHT / (1 + np.exp(-z)))]
        total = 0.0
        for mask, best in zip(members, best_single, strict=True):
            value = float(chosen[mask].mean())
            total += value - SHORTFALL_COST * max(0.0, best - value)
        return total / len(members)

    rng = random.Random(SEED)
    steps = np.linspace(-4.0, 4.0, 41)
    best_theta = np.zeros(len(FEATURES))
    best_theta[0] = -np.log(MAX_WEIGHT - 1.0)  # weight 1: the fixed fusion
    best_value = objective(best_theta)
    starts = [best_theta.copy()] + [np.array([rng.gauss(0, 1.5) for _ in FEATURES]) for _ in range(7)]
    for theta in starts:
        value = objective(theta)
        for _ in range(6):
            improved = False
            for j in range(len(FEATURES)):
                for step in steps:
                    candidate = theta.copy()
                    candidate[j] += step
                    candidate_value = objective(candidate)
                    if candidate_value > value + 1e-9:
                        theta, value, improved = candidate, candidate_value, True
            if not improved:
                break
        if value > best_value + 1e-9:
            best_theta, best_value = theta, value
    print(f"development objective {best_value:.4f} (fixed fusion {objective(starts[0]):.4f})")
    return FusionModel(tuple(round(float(c), 4) for c in best_theta))


def report(bench: Bench, measured: list[Measured], fusion: FusionModel | None, model_id: str) -> None:
    by_set: dict[tuple[str, str], list[Measured]] = defaultdict(list)
    for m in measured:
        by_set[(m.query.split, m.query.set_name)].append(m)
    fixed_index = int(np.argmin(np.abs(GRID - 1.0)))
    rows = []
    for (split, name), items in sorted(by_set.items()):
        dense = np.mean([m.dense for m in items], axis=0)
        lexical = np.mean([m.lexical for m in items], axis=0)
        fixed = np.mean([m.grid[fixed_index] for m in items], axis=0)
        learned_each = [bench.learned(m, fusion) if fusion else tuple(m.grid[fixed_index]) for m in items]
        learned = np.mean(learned_each, axis=0)
        best = np.maximum(dense, lexical)
        disagree = [i for i, m in enumerate(items) if m.disagree]
        if disagree:
            single = max(
                np.mean([items[i].dense[0] for i in disagree]), np.mean([items[i].lexical[0] for i in disagree])
            )
            fused_r1 = np.mean([learned_each[i][0] for i in disagree])
            disagreement = f"{len(disagree)}: {fused_r1:.3f} vs {single:.3f}"
        else:
            disagreement = "0"
        rows.append([split, name, len(items), f"{dense[0]:.3f}/{dense[1]:.3f}", f"{lexical[0]:.3f}/{lexical[1]:.3f}",
                     f"{fixed[0]:.3f}/{fixed[1]:.3f}", f"{learned[0]:.3f}/{learned[1]:.3f}", f"{learned[2]:.3f}",
                     f"{learned[0] - best[0]:+.3f}/{learned[1] - best[1]:+.3f}", disagreement])  # fmt: skip
    print_table(
        f"Fusion by query set, {model_id} (R@1/R@5; dev = fitted on, test = reported only)",
        ["half", "set", "queries", "dense", "lexical", "fixed fusion", "learned fusion", "learned MRR@10",
         "learned - best single", "disagree: learned R@1 vs best single"],
        rows,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", action="store_true", help="fit on the development halves and write the model")
    parser.add_argument("--embedder", default="e5-multilingual")
    parser.add_argument("--home", type=Path, default=None, help="reuse a scratch home (its store and index)")
    parser.add_argument("--no-gloss", action="store_true", help="search Hinglish queries as typed (for comparison)")
    args = parser.parse_args()

    home = args.home or scratch_home("fusion")
    services = Services.create(Settings(home=home, embedder=args.embedder, embed_threads=2))
    if services.store.counts()["courses"] == 0:
        ingest(services.store, IngestSources.bundle(BUNDLED_CORPUS))
        services.rebuild_index()
    elif not services.load_index():
        services.rebuild_index()
    services.retriever.gloss_hinglish = not args.no_gloss
    bench = Bench(services)
    stored = services.store.document_ids()
    # Questions about material that is not bundled (the tutor's wrapped-text set reads bench/material) are left out.
    measured = [bench.measure(q) for q in query_sets() if q.relevant <= stored]
    model_id = services.embedder.model_id
    fusion = services.retriever.fusion
    if args.fit:
        fusion = fit([m for m in measured if m.query.split == "dev"])
        family = family_of(model_id) or "default"
        path = model_path(family)
        path.write_text(fusion.to_json(embedder=model_id, seed=SEED) + "\n", encoding="utf-8")
        print(f"wrote {path}: {dict(zip(FEATURES, fusion.coefficients, strict=True))}")
    report(bench, measured, fusion, model_id)


if __name__ == "__main__":
    main()
