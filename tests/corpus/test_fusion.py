"""Query-adaptive fusion: features with known values, the weight's effect on the ranking, and the shipped model."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from corpus.fusion import FEATURES, MAX_WEIGHT, FusionModel, RankedSide, load_fusion, model_path, query_features
from corpus.search import HybridRetriever, fusion_features
from corpus.types import DEPARTMENTS, Viewer
from gyanpath.services import Services

EVERYONE = Viewer(frozenset(DEPARTMENTS))


def test_features_have_hand_computed_values() -> None:
    features = query_features(
        terms=4,
        known_terms=3,
        lexical=RankedSide([7, 2, 7, 3, 9], [10.0, 8.0, 6.0, 5.0, 4.0]),
        lexical_coverage=[0.5, 0.25, 0.25, 0.1, 0.1],
        dense=RankedSide([7, 1], [0.90, 0.85]),
        latin_script=True,
    )
    expected = {
        "bias": 1.0,
        "log_terms": math.log(5),
        "known_share": 0.75,
        "lexical_top_coverage": 0.5,
        "lexical_gap": (10.0 - 4.0) / 10.0,  # best against the fifth
        "dense_top": 0.90,
        "dense_gap": (0.90 - 0.85) * 10,  # with fewer than five, against the last
        "agreement": 1.0,  # both put document 7 first
        "latin_script": 1.0,
    }
    assert dict(zip(FEATURES, features.tolist(), strict=True)) == pytest.approx(expected)


def test_no_candidates_give_zero_features_not_errors() -> None:
    empty = RankedSide([], [])
    features = query_features(terms=0, known_terms=0, lexical=empty, lexical_coverage=[], dense=empty,
                              latin_script=False)  # fmt: skip
    assert features[0] == 1.0 and not features[1:].any()


def test_weight_is_a_bounded_logistic() -> None:
    model = FusionModel((1.0, -2.0) + (0.0,) * (len(FEATURES) - 2))
    features = np.zeros(len(FEATURES))
    features[0], features[1] = 1.0, 0.5
    assert model.lexical_weight(features) == pytest.approx(MAX_WEIGHT / 2)  # 1 - 2 * 0.5 = 0
    features[1] = 1000.0
    assert model.lexical_weight(features) == pytest.approx(0.0, abs=1e-12)


def test_the_weight_moves_the_ranking_between_the_two_retrievers(services: Services) -> None:
    query = "phishing PFMS helpdesk password"
    dense = [h.doc_id for h in services.retriever.retrieve(query, k=5, mode="dense", per_document=True)]
    lexical = [h.doc_id for h in services.retriever.retrieve(query, k=5, mode="lexical", per_document=True)]

    def fused(bias: float) -> list[str]:
        retriever = HybridRetriever(services.store, services.embedder,
                                    fusion=FusionModel((bias,) + (0.0,) * (len(FEATURES) - 1)))  # fmt: skip
        retriever.refresh(services.retriever.model.snapshot)
        return [h.doc_id for h in retriever.retrieve(query, k=5, per_document=True)]

    assert fused(-60.0) == dense  # weight ~0: the dense ranking
    assert fused(60.0)[0] == lexical[0]  # weight 3: BM25's best comes first


def test_retriever_features_come_from_what_it_retrieved(services: Services) -> None:
    retriever = services.retriever
    model = retriever.model
    mask = model.mask(None, EVERYONE)
    candidates = retriever.candidates_for(model, "phishing PFMS password", 20, mask, "hybrid")
    features = dict(zip(FEATURES, fusion_features(model, "phishing PFMS password", candidates), strict=True))
    assert features["known_share"] == 1.0 and features["latin_script"] == 1.0
    assert 0.0 < features["lexical_top_coverage"] <= 1.0
    hindi = retriever.candidates_for(model, "टीकाकरण कवरेज", 20, mask, "hybrid")
    assert dict(zip(FEATURES, fusion_features(model, "टीकाकरण कवरेज", hindi), strict=True))["latin_script"] == 0.0


def test_a_model_file_for_other_features_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("corpus.fusion.MODELS", tmp_path)
    (tmp_path / "fusion-e5.json").write_text(json.dumps({"features": ["bias"], "coefficients": [1.0]}))
    assert load_fusion("multilingual-e5-small/onnx") is None
    assert load_fusion("some-other-model") is None
    model = FusionModel(tuple(float(i) for i in range(len(FEATURES))))
    (tmp_path / "fusion-e5.json").write_text(model.to_json())
    assert load_fusion("multilingual-e5-small/onnx") == model


def test_the_shipped_e5_model_names_this_codes_features() -> None:
    path = model_path("e5")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURES and len(data["coefficients"]) == len(FEATURES)
    assert data["seed"] and data["embedder"].startswith("multilingual-e5-small")
