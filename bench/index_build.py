"""Index build throughput: our pipeline (store -> embed -> commit -> FAISS -> publish) against the raw embedder.

Usage: python -m bench.index_build [--embedder e5-multilingual] [--corpus corpus/data]
Goal: the pipeline within 10% of the embedder's own throughput on the same texts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import print_table, scratch_home
from corpus.ingest import IngestSources, ingest
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedder", default="e5-multilingual")
    parser.add_argument("--corpus", type=Path, default=BUNDLED_CORPUS)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    services = Services.create(Settings(home=scratch_home("build"), embedder=args.embedder, embed_threads=args.threads))
    ingest(services.store, IngestSources.bundle(args.corpus))
    texts = [c.chunk.embed_text for c in services.store.chunks()]
    embedder = services.embedder

    embedder.embed_documents(texts[:32])  # warm-up, untimed, for both
    started = time.perf_counter()
    embedder.embed_documents(texts, batch_size=services.settings.embed_batch_size)
    raw_seconds = time.perf_counter() - started

    services.builder.sentences = False  # like for like: passages only; sentence vectors are timed separately
    started = time.perf_counter()
    manifest = services.builder.build(full=True)
    pipeline_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sentences = services.builder.embed_sentences()
    sentence_seconds = time.perf_counter() - started
    assert manifest.vector_count == len(texts)

    raw_rate, pipeline_rate = len(texts) / raw_seconds, len(texts) / pipeline_seconds
    print_table(
        f"Index build, {len(texts)} chunks, {embedder.model_id}, {args.threads} threads",
        ["path", "seconds", "chunks/s", "ratio to raw"],
        [
            ["raw embedder (embed_documents)", raw_seconds, raw_rate, 1.0],
            ["gyanpath index build (full)", pipeline_seconds, pipeline_rate, pipeline_rate / raw_rate],
            [
                f"+ sentence vectors for the tutor ({sentences} sentences)",
                sentence_seconds,
                sentences / sentence_seconds,
                float("nan"),
            ],
        ],
    )
    services.close()


if __name__ == "__main__":
    main()
