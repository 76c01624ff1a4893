"""Settings calibrated per embedder family (thresholds on scores that each model family spreads differently)."""

from __future__ import annotations

from collections.abc import Mapping


def for_family(model_id: str, values: Mapping[str, float], default: float) -> float:
    """The value of the first family (in ``values`` order) whose name occurs in ``model_id``, else ``default``."""
    lowered = model_id.lower()
    for family, value in values.items():
        if family in lowered:
            return value
    return default
