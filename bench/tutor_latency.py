"""Latency of POST /tutor/ask with the extractive answerer, through the real API (TestClient), on the bundled
corpus and on the bundled corpus plus synthetic passages up to 100k chunks, asking the questions of every
bench/queries/tutor*.jsonl set.

Usage: python -m bench.tutor_latency [--scale 100000] [--embedder e5-multilingual]
Goals: p95 under 150 ms on the bundled corpus and under 300 ms at 100k chunks (2 cores). Baseline in the same
run: the retrieval step alone.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from bench.common import print_table, scratch_home, summary, time_calls
from bench.search_latency import populate
from corpus.ingest import IngestSources, ingest
from embeddings import normalize_rows
from gyanpath.accounts import Role
from gyanpath.api.app import create_app
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings

QUESTIONS = sorted((Path(__file__).parent / "queries").glob("tutor*.jsonl"))


def measure(services: Services, label: str, repeats: int) -> list[list[object]]:
    """Cycles through every tutor question (English, Hindi, cross-lingual, near misses, off-topic), shuffled."""
    questions = [json.loads(line)["question"] for path in QUESTIONS for line in path.read_text("utf-8").splitlines()]
    random.Random(7).shuffle(questions)
    cycle = iter(range(10**9))
    rows = []
    key = services.users.create_key(role=Role.LEARNER, department="general-administration", name="bench")
    headers = {"Authorization": f"Bearer {key.token}"}
    with TestClient(create_app(services.settings, services=services), headers=headers) as client:

        def ask() -> None:
            response = client.post("/tutor/ask", json={"question": questions[next(cycle) % len(questions)]})
            assert response.status_code == 200

        def retrieve() -> None:
            services.retriever.retrieve(questions[next(cycle) % len(questions)], k=8)

        chunks = len(services.store.chunk_ids())
        for name, call in (("retrieval only (baseline)", retrieve), ("POST /tutor/ask (extractive)", ask)):
            p50, p95, mean = summary(time_calls(call, repeats, warmup=5))
            rows.append([label, chunks, name, p50, p95, mean])
    return rows


def add_sentence_vectors(services: Services) -> None:
    """Random vectors for synthetic passages' sentences (scale, not quality, is measured)."""
    builder = services.builder
    generator = np.random.default_rng(0)
    keys = []
    from corpus.sentences import sentence_spans

    for stored in services.store.chunks():
        keys += [
            (stored.id, stored.chunk.start + s, stored.chunk.start + e) for s, e in sentence_spans(stored.chunk.text)
        ]
    cached = services.store.sentence_vectors(builder.embedder.model_id, keys)
    missing = [k for k in keys if k not in cached]
    for start in range(0, len(missing), 50_000):
        part = missing[start : start + 50_000]
        vectors = normalize_rows(generator.standard_normal((len(part), builder.embedder.dimension)))
        services.store.put_sentence_vectors(builder.embedder.model_id, part, vectors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedder", default="e5-multilingual")
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=100)
    args = parser.parse_args()
    services = Services.create(Settings(home=scratch_home("tutor"), embedder=args.embedder, embed_threads=2))
    ingest(services.store, IngestSources.bundle(BUNDLED_CORPUS))
    services.rebuild_index()
    rows = measure(services, "bundled corpus", args.repeats)
    if args.scale:
        services.builder.sentences = False
        populate(services, args.scale - len(services.store.chunk_ids()), random.Random(1))
        services.rebuild_index()
        add_sentence_vectors(services)
        rows += measure(services, "scaled (synthetic)", args.repeats)
    print_table(
        f"Tutor latency ({services.embedder.model_id}), milliseconds",
        ["corpus", "chunks", "path", "p50 ms", "p95 ms", "mean ms"],
        rows,
    )
    services.close()


if __name__ == "__main__":
    main()
