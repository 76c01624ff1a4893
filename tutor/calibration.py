"""Abstention thresholds on the evidence support score, calibrated per embedder family.

Calibrated with ``python -m bench.tutor_calibration`` on bench/queries/tutor.jsonl (answerable against
unanswerable questions); the trade-off is recorded in docs/benchmarks.md. Override with GYANPATH_TUTOR_THRESHOLD.
"""

from __future__ import annotations

from embeddings.families import for_family

THRESHOLDS = {
    "e5": 1.10,
    "minilm": 0.55,
    "hashing": 0.45,
}
DEFAULT_THRESHOLD = 0.6


def threshold_for(model_id: str) -> float:
    return for_family(model_id, THRESHOLDS, DEFAULT_THRESHOLD)
