"""Search latency at 1k, 10k and 100k chunks, against plain FAISS flat search over the same vectors.

Texts are synthetic (a bilingual word bank) and passage vectors are random unit vectors stored under the real
embedder's model id: scale is what is measured here, not quality. One case study in ten is private to a department,
so an anonymous search computes BM25's statistics over the passages it may see (the costlier path). Queries are
embedded by the real model, so the hybrid figure includes query embedding, BM25, the FAISS search and reading the
passages from SQLite.

Usage: python -m bench.search_latency [--sizes 1000 10000 100000] [--embedder e5-multilingual]
Goal: hybrid p95 at 100k chunks under 100 ms.
"""

from __future__ import annotations

import argparse
import random

import numpy as np

from bench.common import print_table, scratch_home, summary, time_calls
from corpus.types import CaseStudy
from embeddings import FaissIndex, normalize_rows
from gyanpath.services import Services
from gyanpath.settings import Settings

WORDS = (
    "district block panchayat vaccine budget audit tender grievance portal flood cyclone school teacher pension "
    "scheme survey mutation ration ledger training officer टीकाकरण पंचायत बजट शिकायत पेंशन विद्यालय प्रशिक्षण "
    "अभियान जिला योजना सर्वेक्षण बाढ़ राहत"
).split()
QUERIES = [
    "vaccine cold chain audit in the district",
    "पंचायत बजट योजना",
    "grievance portal pension delays",
    "flood relief survey for teachers",
    "टीकाकरण अभियान जिला",
]
CHUNKS_PER_CASE = 4


def populate(services: Services, size: int, rng: random.Random) -> None:
    """Insert ``size`` chunks (as case studies of 4 sections) and a random vector for each."""
    with services.store.transaction():
        for n in range(size // CHUNKS_PER_CASE):
            body = "\n\n".join(
                f"## Section {s}\n" + " ".join(rng.choices(WORDS, k=60)) + "." for s in range(CHUNKS_PER_CASE)
            )
            # One case in ten is private: the anonymous searches below then take the per-viewer statistics path.
            case = CaseStudy(id=f"cs-bench-{n}", title=f"Case {n}", body=body, department="health",
                             sector="health", year=2020, language="en", source="benchmark",
                             visibility="health" if n % 10 == 0 else "public")  # fmt: skip
            services.store.upsert_document(case)
    ids = services.store.chunk_ids()
    generator = np.random.default_rng(size)
    for start in range(0, len(ids), 20_000):
        part = ids[start : start + 20_000]
        vectors = normalize_rows(generator.standard_normal((len(part), services.embedder.dimension)))
        services.store.put_embeddings(services.embedder.model_id, part.tolist(), vectors)


def measure(size: int, embedder_name: str, repeats: int) -> list[list[object]]:
    services = Services.create(Settings(home=scratch_home(f"latency-{size}"), embedder=embedder_name, embed_threads=2))
    populate(services, size, random.Random(size))
    services.rebuild_index(full=True)
    chunks = len(services.store.chunk_ids())
    ids, vectors = services.store.embeddings(services.embedder.model_id, services.embedder.dimension)
    plain = FaissIndex(services.embedder.dimension)
    plain.add(ids, vectors)
    query_vectors = [services.embedder.embed_query(q) for q in QUERIES]
    cycle = iter(range(10**9))

    def plain_search() -> None:
        plain.search(query_vectors[next(cycle) % len(QUERIES)], 10)

    def embed_query() -> None:
        services.embedder.embed_query(QUERIES[next(cycle) % len(QUERIES)])

    def hybrid() -> None:
        services.retriever.retrieve(QUERIES[next(cycle) % len(QUERIES)], k=10)

    def lexical() -> None:
        services.retriever.retrieve(QUERIES[next(cycle) % len(QUERIES)], k=10, mode="lexical")

    baseline_p95 = summary(time_calls(plain_search, repeats))[1]
    rows = []
    for name, call in (("faiss flat (vectors given)", plain_search), ("query embedding only", embed_query),
                       ("gyanpath lexical", lexical), ("gyanpath hybrid (incl. embedding)", hybrid)):  # fmt: skip
        p50, p95, mean = summary(time_calls(call, repeats))
        rows.append([chunks, name, p50, p95, mean, p95 / baseline_p95])
    services.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--embedder", default="e5-multilingual")
    parser.add_argument("--repeats", type=int, default=100)
    args = parser.parse_args()
    rows = [row for size in args.sizes for row in measure(size, args.embedder, args.repeats)]
    print_table(
        f"Search latency, k=10 ({args.embedder}), milliseconds",
        ["chunks", "path", "p50 ms", "p95 ms", "mean ms", "p95 / faiss flat"],
        rows,
    )


if __name__ == "__main__":
    main()
