"""Abstention thresholds on the evidence support score, per embedder family, for families without a fitted
answerability model (tutor/answerability.py), which has thresholds of its own per language pair. They apply to the
hand-set sentence weights (tutor/evidence.py DEFAULT_WEIGHTS), the scale they were calibrated on.

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


FAMILIES = ("e5", "minilm", "hashing")


def family_of(model_id: str) -> str | None:
    """The embedder family whose name occurs in ``model_id`` (answerability models are fitted per family)."""
    lowered = model_id.lower()
    return next((family for family in FAMILIES if family in lowered), None)


def threshold_for(model_id: str) -> float:
    return for_family(model_id, THRESHOLDS, DEFAULT_THRESHOLD)
