"""Retrieval quality on the bundled corpus: hybrid against BM25-only and dense-only, and fusion variants.

Usage: python -m bench.retrieval_quality [--queries bench/queries/retrieval.jsonl] [--embedder e5-multilingual]
Goal: hybrid beats both single retrievers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.common import print_table, scratch_home
from corpus.evaluation import evaluate, load_queries
from corpus.ingest import IngestSources, ingest
from corpus.search import HybridRetriever, SearchMode
from corpus.types import DEPARTMENTS, Viewer
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings

DEFAULT_QUERIES = Path(__file__).parent / "queries" / "retrieval.jsonl"
EVERY_DEPARTMENT = Viewer(frozenset(DEPARTMENTS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--embedder", default="e5-multilingual")
    parser.add_argument("--corpus", type=Path, default=BUNDLED_CORPUS)
    args = parser.parse_args()

    services = Services.create(Settings(home=scratch_home("quality"), embedder=args.embedder, embed_threads=2))
    ingest(services.store, IngestSources.bundle(args.corpus))
    services.rebuild_index()
    queries = load_queries(args.queries)
    snapshot = services.retriever.model.snapshot

    variants: list[tuple[str, SearchMode, int, float]] = [
        ("bm25 only", "lexical", 60, 0.0),
        ("dense only", "dense", 60, 0.0),
        ("hybrid, plain rrf k=60", "hybrid", 60, 0.0),
        ("hybrid, coverage-weighted rrf (p=1)", "hybrid", 60, 1.0),
        ("hybrid, coverage-weighted rrf (p=2, default)", "hybrid", 60, 2.0),
        ("hybrid, coverage-weighted rrf (p=3)", "hybrid", 60, 3.0),
        ("hybrid, coverage-weighted rrf (p=2, k=20)", "hybrid", 20, 2.0),
    ]
    rows = []
    for name, mode, rrf_k, power in variants:
        retriever = HybridRetriever(services.store, services.embedder, rrf_k=rrf_k, coverage_power=power)
        retriever.refresh(snapshot)

        def rank(query: str, retriever: HybridRetriever = retriever, mode: SearchMode = mode) -> list[str]:
            hits = retriever.retrieve(query, k=10, viewer=EVERY_DEPARTMENT, mode=mode, per_document=True)
            return [h.doc_id for h in hits]

        for row in evaluate(queries, rank):
            metrics = row.as_dict()
            rows.append([name, row.group, row.queries, metrics["recall@1"], metrics["recall@5"],
                         metrics["recall@10"], metrics["mrr@10"], metrics["ndcg@10"]])  # fmt: skip
    print_table(
        f"Retrieval quality, {len(queries)} queries, {services.embedder.model_id}",
        ["retriever", "group", "queries", "R@1", "R@5", "R@10", "MRR@10", "nDCG@10"],
        rows,
    )
    services.close()


if __name__ == "__main__":
    main()
