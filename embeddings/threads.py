"""How many CPU threads a model session uses, set from settings rather than inherited from the library's default.

torch and ONNX Runtime both default to one thread per core inside every operation. On a 2-core office PC that
serves requests from several threads at once, that oversubscribes the cores: a torch forward pass with its default
two threads took 540-770 ms per query against 21 ms with one (issue 16). Every session gyanpath creates therefore
takes its intra-op threads (inside one matrix product) and inter-op threads (independent operations run side by
side) from :class:`Threads`, which the service builds from ``GYANPATH_INTRA_OP_THREADS`` and
``GYANPATH_INTER_OP_THREADS``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("gyanpath")


@dataclass(frozen=True)
class Threads:
    """``workers``: texts embedded side by side (None: one per core); ``intra_op`` and ``inter_op``: threads of
    each model session (1 and 1 suit a server that already runs requests in parallel)."""

    workers: int | None = None
    intra_op: int = 1
    inter_op: int = 1

    def __post_init__(self) -> None:
        for name in ("intra_op", "inter_op"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} threads must be at least 1, got {getattr(self, name)}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")


def onnx_session_options(threads: Threads) -> Any:
    """ONNX Runtime ``SessionOptions`` with the configured intra- and inter-op thread counts."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads.intra_op
    options.inter_op_num_threads = threads.inter_op
    return options


def apply_torch_threads(threads: Threads) -> None:
    """Set torch's process-wide thread counts. torch fixes its inter-op pool on first parallel use: a later,
    different request is logged (and the pool keeps its size) rather than failing the model load."""
    import torch

    torch.set_num_threads(threads.intra_op)
    if torch.get_num_interop_threads() == threads.inter_op:
        return
    try:
        torch.set_num_interop_threads(threads.inter_op)
    except RuntimeError:
        log.warning(
            "torch inter-op threads are already %d and can no longer change (asked for %d)",
            torch.get_num_interop_threads(),
            threads.inter_op,
        )
