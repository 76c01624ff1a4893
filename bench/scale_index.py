"""The vector index at national scale: 10^5 and 10^6 chunks, exact (flat) search against HNSW and IVF.

Embedding a million real chunks with e5 would take hours on 2 cores, so the vectors are synthetic but shaped like
real ones: a few thousand passages and sentences of the bundled corpus are embedded once (cached under --cache),
and every synthetic vector is one of them moved along the difference of two others plus a little isotropic noise,
then renormalised. The cloud is therefore clustered and anisotropic like e5's, not uniform on the sphere (uniform
random vectors, as bench/search_latency.py uses, make every method look worse than it is and say nothing about
recall). Queries are the real questions of bench/queries/retrieval.jsonl embedded as queries, plus held-out
synthetic vectors (drawn the same way, never added). Recall@10 is measured against exact search over the same
vectors; the filtered rows pass an allow-list of 90% of the ids (one case study in ten is private, as the service
does for an anonymous viewer) and are scored against exact filtered search. Latency is one query at a time on one
FAISS thread (settings ``search_threads=1``, as the service runs); building uses --build-threads.

Usage: python -m bench.scale_index [--sizes 100000 1000000] [--kinds flat hnsw ivf] [--embedder e5-multilingual]
       python -m bench.scale_index --sizes 20000 --embedder hashing --real 500     # a quick smoke run
Goal: at 10^6 chunks the kind IndexKind.AUTO picks has Recall@10 >= 0.95 of exact search and query p95 under 50 ms;
build time and memory reported.
Baseline: exact search (flat) over the same vectors and queries, in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.common import print_table, scratch_home, summary, time_calls
from corpus.ingest import IngestSources, ingest
from corpus.sentences import clean_text, sentence_spans
from corpus.store import Store
from embeddings import FaissIndex, IndexKind, Vectors, create_embedder, normalize_rows
from embeddings.index import HNSW_EF_SEARCH, IVF_NPROBE, Ids
from gyanpath.settings import BUNDLED_CORPUS

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "bench" / "queries" / "retrieval.jsonl"
K = 10
RECALL_GOAL = 0.95
P95_GOAL_MS = 50.0
SPREAD = 0.35
"""How far a synthetic vector moves along the difference of two real ones (relative to their distance)."""
NOISE = 0.02
"""Isotropic noise per dimension (about 0.4 in norm at 384 dimensions, before renormalising)."""


@dataclass(frozen=True)
class Workload:
    vectors: Vectors
    ids: Ids
    queries: Vectors
    allow: Ids


@dataclass(frozen=True)
class Searched:
    recall: float
    p50: float
    p95: float
    filtered_recall: float
    filtered_p50: float
    filtered_p95: float


@dataclass(frozen=True)
class Result:
    size: int
    kind: str
    breadth: str
    build_s: float
    rss_mb: float
    file_mb: float
    search: Searched


def real_vectors(embedder_name: str, count: int, cache: Path) -> tuple[Vectors, Vectors]:
    """Passage vectors of up to ``count`` chunks and sentences of the bundled corpus, and the retrieval queries'
    vectors; embedded once per embedder and count, then read from ``cache``."""
    path = cache / f"scale-index-{embedder_name}-{count}.npz"
    if path.exists():
        saved = np.load(path)
        return saved["passages"], saved["queries"]
    store = Store.open(scratch_home("scale-real") / "gyanpath.db")
    ingest(store, IngestSources.bundle(BUNDLED_CORPUS))
    texts = [stored.chunk.embed_text for stored in store.chunks()]
    texts += [clean_text(s.chunk.text[a:b]) for s in store.chunks() for a, b in sentence_spans(s.chunk.text)]
    texts = [t for t in dict.fromkeys(texts) if t.strip()][:count]
    embedder = create_embedder(embedder_name, cache_dir=cache)
    print(f"embedding {len(texts)} real passages and sentences with {embedder.model_id} (once)", flush=True)
    passages = embedder.embed_documents(texts, batch_size=32)
    lines = [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = np.vstack([embedder.embed_query(q["query"]) for q in lines])
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, passages=passages, queries=queries)
    return passages, queries


def synthesize(real: Vectors, count: int, rng: np.random.Generator, batch: int = 100_000) -> Vectors:
    """``count`` unit vectors around the real ones (see the module docstring)."""
    out = np.empty((count, real.shape[1]), dtype=np.float32)
    for start in range(0, count, batch):
        n = min(batch, count - start)
        a, b, c = (rng.integers(0, len(real), n) for _ in range(3))
        moved = real[a] + SPREAD * rng.random((n, 1), dtype=np.float32) * (real[b] - real[c])
        moved += NOISE * rng.standard_normal((n, real.shape[1]), dtype=np.float32)
        out[start : start + n] = normalize_rows(moved)
    return out


def workload(real: Vectors, real_queries: Vectors, size: int, query_count: int, seed: int = 0) -> Workload:
    rng = np.random.default_rng(seed)
    vectors = synthesize(real, size, rng)
    held_out = synthesize(real, max(0, query_count - len(real_queries)), rng)
    queries = np.vstack([real_queries[:query_count], held_out]).astype(np.float32)
    ids = np.arange(1, size + 1, dtype=np.int64)
    return Workload(vectors=vectors, ids=ids, queries=queries, allow=ids[ids % 10 != 0])


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def truth(index: FaissIndex, queries: Vectors, allow: Ids | None) -> list[set[int]]:
    return [{i for i, _ in row} for row in index.search(queries, K, allow=allow)]


def recall(index: FaissIndex, queries: Vectors, expected: list[set[int]], allow: Ids | None) -> float:
    found = index.search(queries, K, allow=allow)
    return float(np.mean([len({i for i, _ in row} & want) / K for row, want in zip(found, expected, strict=True)]))


def latency(index: FaissIndex, queries: Vectors, allow: Ids | None, repeats: int) -> tuple[float, float]:
    """p50 and p95 of one query at a time (cycling through the queries), on one FAISS thread."""
    FaissIndex.set_threads(1)
    cycle = iter(range(10**9))
    p50, p95, _ = summary(
        time_calls(lambda: index.search(queries[next(cycle) % len(queries)], K, allow=allow), repeats)
    )
    return p50, p95


def searched(index: FaissIndex, work: Workload, expected: dict[bool, list[set[int]]], repeats: int) -> Searched:
    plain, filtered = latency(index, work.queries, None, repeats), latency(index, work.queries, work.allow, repeats)
    return Searched(
        recall=recall(index, work.queries, expected[False], None),
        p50=plain[0],
        p95=plain[1],
        filtered_recall=recall(index, work.queries, expected[True], work.allow),
        filtered_p50=filtered[0],
        filtered_p95=filtered[1],
    )


def build(kind: IndexKind, work: Workload, threads: int) -> tuple[FaissIndex, float, float]:
    FaissIndex.set_threads(threads)
    before = rss_mb()
    started = time.perf_counter()
    index = FaissIndex(work.vectors.shape[1], kind, expected_size=len(work.ids))
    index.add(work.ids, work.vectors)
    return index, time.perf_counter() - started, rss_mb() - before


def file_mb(index: FaissIndex, scratch: Path) -> float:
    path = scratch / "index.faiss"
    index.save(path)
    size = path.stat().st_size / 2**20
    path.unlink()
    return size


def breadth(kind: IndexKind) -> str:
    return {IndexKind.HNSW: f"efSearch {HNSW_EF_SEARCH}", IndexKind.IVF: f"nprobe {IVF_NPROBE}"}.get(kind, "exact")


def sweep(index: FaissIndex, work: Workload, expected: dict[bool, list[set[int]]], values: list[int],
          repeats: int, build: Result) -> list[Result]:  # fmt: skip
    """The same index searched wider and narrower than the default (the build columns are those of the build)."""
    results = []
    for value in values:
        hnsw = index.kind is IndexKind.HNSW
        index.tune(ef_search=value) if hnsw else index.tune(nprobe=value)
        name = f"{'efSearch' if hnsw else 'nprobe'} {value}"
        results.append(replace(build, breadth=name, search=searched(index, work, expected, repeats)))
        print(f"  {results[-1]}", flush=True)
    index.tune(ef_search=HNSW_EF_SEARCH, nprobe=IVF_NPROBE)
    return results


def measure(work: Workload, kinds: list[IndexKind], repeats: int, threads: int,
            sweeps: dict[IndexKind, list[int]] | None = None) -> tuple[list[Result], list[Result]]:  # fmt: skip
    """Flat first (it is the ground truth and the baseline), then each approximate kind, one index at a time;
    returns the rows at the default breadth and those of the sweeps."""
    scratch, size, results, swept = scratch_home("scale-index"), len(work.ids), [], []
    expected: dict[bool, list[set[int]]] = {}
    for kind in [IndexKind.FLAT, *(k for k in kinds if k is not IndexKind.FLAT)]:
        print(f"{size:,} vectors: building {kind.value}", flush=True)
        index, seconds, grown = build(kind, work, threads)
        if kind is IndexKind.FLAT:
            FaissIndex.set_threads(threads)  # ground truth in batches may use every core; timing below uses one
            expected = {False: truth(index, work.queries, None), True: truth(index, work.queries, work.allow)}
        results.append(
            Result(size=size, kind=kind.value, breadth=breadth(kind), build_s=seconds, rss_mb=grown,
                   file_mb=file_mb(index, scratch), search=searched(index, work, expected, repeats))
        )  # fmt: skip
        print(f"  {results[-1]}", flush=True)  # as it comes: a run at 10^6 takes a while
        swept += sweep(index, work, expected, (sweeps or {}).get(kind, []), repeats, results[-1])
        del index
    return results, swept


def rows(results: list[Result]) -> list[list[object]]:
    flat = {r.size: r for r in results if r.kind == IndexKind.FLAT.value}
    out: list[list[object]] = []
    for r in results:
        auto = FaissIndex(1, IndexKind.AUTO, expected_size=r.size).kind.value == r.kind
        q, base = r.search, flat[r.size].search
        out.append([f"{r.size:,}", r.kind + (" (auto)" if auto else ""), r.breadth, f"{r.build_s:.1f}",
                    f"{r.rss_mb:.0f}", f"{r.file_mb:.0f}", f"{q.recall:.3f}", f"{q.p50:.2f}", f"{q.p95:.2f}",
                    f"{base.p95 / q.p95:.1f}x", f"{q.filtered_recall:.3f}", f"{q.filtered_p50:.2f}",
                    f"{q.filtered_p95:.2f}"])  # fmt: skip
    return out


def goal_rows(results: list[Result]) -> list[list[object]]:
    out: list[list[object]] = []
    for size in sorted({r.size for r in results}):
        chosen = FaissIndex(1, IndexKind.AUTO, expected_size=size).kind.value
        found = next((r.search for r in results if r.size == size and r.kind == chosen), None)
        if found is None:
            continue
        met = found.recall >= RECALL_GOAL and found.p95 < P95_GOAL_MS and found.filtered_recall >= RECALL_GOAL
        met = met and found.filtered_p95 < P95_GOAL_MS
        out.append([f"{size:,}", chosen, f"{found.recall:.3f} / {found.filtered_recall:.3f}",
                    f"{found.p95:.1f} / {found.filtered_p95:.1f}", "yes" if met else "NO"])  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--kinds", nargs="+", type=IndexKind, default=[IndexKind.FLAT, IndexKind.HNSW, IndexKind.IVF])
    parser.add_argument("--embedder", default="e5-multilingual", help="embeds the real passages and queries")
    parser.add_argument("--real", type=int, default=3000, help="real passages/sentences the vectors are grown from")
    parser.add_argument("--queries", type=int, default=200, help="the real queries plus held-out synthetic ones")
    parser.add_argument("--repeats", type=int, default=400, help="timed single queries per index and mode")
    parser.add_argument("--build-threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/gyanpath-bench-models"))
    parser.add_argument("--sweep-ef", type=int, nargs="*", default=[], help="HNSW efSearch values to try too")
    parser.add_argument("--sweep-nprobe", type=int, nargs="*", default=[], help="IVF nprobe values to try too")
    args = parser.parse_args()
    if IndexKind.AUTO in args.kinds:
        parser.error("--kinds: list flat, hnsw or ivf; the kind auto picks is marked in the table")
    real, real_queries = real_vectors(args.embedder, args.real, args.cache)
    results: list[Result] = []
    swept: list[Result] = []
    sweeps = {IndexKind.HNSW: args.sweep_ef, IndexKind.IVF: args.sweep_nprobe}
    for size in args.sizes:
        done = measure(workload(real, real_queries, size, args.queries), args.kinds, args.repeats,
                       args.build_threads, sweeps)  # fmt: skip
        results += done[0]
        swept += done[1]
    print_table(
        f"Vector index, {len(real)} real {args.embedder} vectors grown to N, {args.queries} queries, k={K}, "
        f"1 search thread, {args.build_threads} build threads; filtered: allow-list of 90% of ids",
        ["N", "kind", "breadth", "build s", "RSS growth MiB", "file MiB", "recall@10", "p50 ms", "p95 ms",
         "flat p95 / p95", "filtered recall@10", "filtered p50 ms", "filtered p95 ms"],
        rows(results),
    )  # fmt: skip
    if swept:
        print_table(
            "Search breadth sweep (same indexes; build columns repeat the build)",
            ["N", "kind", "breadth", "build s", "RSS growth MiB", "file MiB", "recall@10", "p50 ms", "p95 ms",
             "flat p95 / p95", "filtered recall@10", "filtered p50 ms", "filtered p95 ms"],
            rows([r for r in results if r.kind == IndexKind.FLAT.value] + swept)[len(args.sizes):],
        )  # fmt: skip
    print_table(
        f"Goal: the automatic kind, recall@10 >= {RECALL_GOAL} and p95 < {P95_GOAL_MS:.0f} ms (plain / filtered)",
        ["N", "auto picks", "recall@10", "p95 ms", "met"],
        goal_rows(results),
    )


if __name__ == "__main__":
    main()
