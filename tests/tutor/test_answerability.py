"""Answerability features on hand-made evidence with known right values, and the model file's contract."""

from __future__ import annotations

import json

import pytest

from corpus.lexical import BM25Index
from corpus.types import Hit
from tutor.answerability import (
    FEATURES,
    PAIRS,
    AnswerabilityModel,
    Context,
    features,
    load_model,
    pair_of,
)
from tutor.types import Evidence

DOCUMENT = (
    "Bhubaneswar vending survey\nThe survey of July-September 2020 counted 8,974 street vendors in Bhubaneswar. "
    "Vendors were allotted slots by a draw of lots."
)
LEXICON = BM25Index([DOCUMENT, "Cyber hygiene for office staff and CERT-In reporting.", "टीकाकरण कवरेज 86 प्रतिशत"])


def evidence(text: str, language: str = "en", dense: float = 0.85, score: float = 1.0) -> Evidence:
    hit = Hit(1, "cs-bbsr", "case_study", "Bhubaneswar vending survey", "", text, 0, len(text), None, language,
              None, 1.0)  # fmt: skip
    return Evidence(hit, text, 0, len(text), score, dense, 0.5)


SURVEY = evidence("The survey of July-September 2020 counted 8,974 street vendors in Bhubaneswar.")


def values(question: str, *found: Evidence) -> dict[str, float]:
    return features(Context(question, found or (SURVEY,), DOCUMENT, LEXICON))


def test_answerable_question_has_nothing_missing() -> None:
    v = values("How many street vendors were counted in Bhubaneswar in 2020?")
    assert set(v) == set(FEATURES)
    assert v["year_missing"] == v["number_missing"] == v["name_missing"] == 0.0
    assert v["type_stated"] == 1.0 and v["doc_coverage"] > 0.9


def test_a_changed_place_year_and_number_are_missing() -> None:
    assert values("How many street vendors were counted in Cuttack in 2020?")["name_any_missing"] == 1.0
    assert values("How many street vendors were counted in Bhubaneswar in 2019?")["year_missing"] == 1.0
    assert values("How many of the 9,500 vendors got a slot?")["number_missing"] == 1.0
    assert values("How many street vendors were counted in Cuttack?")["rare_missing"] == pytest.approx(1.0)


def test_a_negation_the_evidence_does_not_make() -> None:
    assert values("How many vendors did not get a slot in Bhubaneswar?")["negation_unmatched"] == 1.0
    assert values("How many vendors got a slot in Bhubaneswar?")["negation_unmatched"] == 0.0


def test_words_the_material_never_uses() -> None:
    assert values("What is the pension commutation factor?")["unknown_share"] == 1.0
    assert values("How many street vendors in Bhubaneswar?")["unknown_share"] == 0.0


def test_cross_script_question_uses_skeletons_not_words() -> None:
    v = values("भुवनेश्वर में 2020 के survey में कितने street vendors गिने गए?")
    assert v["pair_hi_en"] == 1.0 and v["dense_cross"] == 0.85
    assert v["lexical"] == v["doc_coverage"] == 0.0
    assert v["skeleton_coverage"] > 0.5
    assert pair_of("भुवनेश्वर में कितने vendors?", [SURVEY]) == "hi-en"


def test_dense_against_the_other_script() -> None:
    hindi = evidence("भुवनेश्वर में 8,974 विक्रेता गिने गए।", "hi", dense=0.80)
    assert values("How many vendors?", SURVEY, hindi)["dense_vs_other_script"] == pytest.approx(0.05)
    assert values("How many vendors?", SURVEY)["dense_vs_other_script"] == 0.0


def test_model_round_trips_and_refuses_unknown_features() -> None:
    model = AnswerabilityModel("m", {"dense": 2.0, "number_missing": -3.0}, -1.0, {"en-en": 0.4, "default": 0.5})
    again = AnswerabilityModel.from_json(model.to_json())
    assert again.weights == model.weights and again.threshold("en-en") == 0.4 and again.threshold("hi-en") == 0.5
    assert model.probability({"dense": 1.0}) == pytest.approx(0.7310585786)
    assert model.probability({"dense": 1.0, "number_missing": 1.0}) < model.probability({"dense": 1.0})
    broken = json.loads(model.to_json())
    broken["weights"]["shoe_size"] = 1.0
    with pytest.raises(ValueError, match="shoe_size"):
        AnswerabilityModel.from_json(json.dumps(broken))


def test_the_shipped_e5_model_covers_every_feature_and_pair() -> None:
    model = load_model("e5")
    assert model is not None and set(model.weights) == set(FEATURES)
    assert set(PAIRS) <= set(model.thresholds)
    assert all(0.0 <= t <= 1.0 for t in model.thresholds.values())
    assert model.trained_on == "dev" and {"dev", "test"} <= set(model.metrics)
    assert load_model("hashing") is None and load_model(None) is None
