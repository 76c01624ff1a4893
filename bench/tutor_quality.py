"""Tutor quality on the project's question sets, and the fit of the answerability model (``make tutor-model``).

The store holds the bundled corpus plus ``bench/material`` (foreign-style case studies: hard-wrapped Markdown in
another house style, and PDFs whose paragraphs wrap over several lines), ingested through the documented formats.
Every question of ``bench/queries/tutor*.jsonl`` is asked once with abstention switched off; the recorded
answerability features, quotes and timings are then scored at the calibrated thresholds.

``--fit`` fits the logistic answerability model on the *development* half only (fixed seed), picks one probability
threshold per (question language, evidence language) pair on the development half, writes
``tutor/models/answerability-<family>.json`` and reports both halves. Without ``--fit`` it reports the shipped model.

Usage: python -m bench.tutor_quality [--fit] [--embedder e5-multilingual] [--out var/tutor-quality.jsonl]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.common import print_table, scratch_home
from corpus.ingest import IngestSources, ingest
from corpus.store import Store
from corpus.types import DEPARTMENTS, Filters, Viewer
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings
from tutor.answerability import FEATURES, PAIRS, AnswerabilityModel, model_path
from tutor.calibration import family_of
from tutor.evaluation import (
    TutorQuestion,
    any_quote_hit,
    contains_answer,
    first_quote_hit,
    load_questions,
    roc_auc,
)
from tutor.evidence import DEFAULT_WEIGHTS, MODELS, RANKER_FEATURES, EvidenceWeights
from tutor.generators.extractive import SCORE_MARGIN
from tutor.tutor import AskOptions
from tutor.types import Answer

QUERIES = Path(__file__).parent / "queries"
MATERIAL = Path(__file__).parent / "material"
SEED = 13
RANKER_L2 = 0.01
LOGIT_MARGIN = 2.0
"""A sentence whose ranker logit is within this of the best one (e^-2: 14% as likely to hold the answer) may be
quoted beside it: the fitted ranker's scores are divided by LOGIT_MARGIN / SCORE_MARGIN (the extractive answerer's
margin) to put them on that scale."""
ANSWERABILITY_C = 0.1
"""Inverse L2 strength of the answerability model (standardised features)."""
ABSTENTION_COST = 2.0
"""How many unanswerable questions caught are worth one answerable hit lost, when a pair's threshold is chosen."""


@dataclass(frozen=True)
class Record:
    question: TutorQuestion
    answer: Answer
    features: dict[str, float]
    pair: str
    retrieved: tuple[str, ...]
    ms: float

    @property
    def first_hit(self) -> bool:
        return first_quote_hit(self.question, self.answer)

    @property
    def any_hit(self) -> bool:
        return any_quote_hit(self.question, self.answer)


def question_sets() -> list[Path]:
    return sorted(QUERIES.glob("tutor*.jsonl"))


def load_all(paths: Sequence[Path]) -> list[TutorQuestion]:
    """Every question; the original set (no split field) alternates dev/test by line like the newer sets."""
    questions = []
    for path in paths:
        for n, q in enumerate(load_questions(path)):
            split = q.split or ("dev" if n % 2 == 0 else "test")
            questions.append(
                replace(q, split=split, id=q.id if q.id and not q.id.startswith("line-") else f"{path.stem}-{n + 1}")
            )
    return questions


def prepare(embedder: str, home: Path | None = None) -> Services:
    """Services over the bundled corpus and bench/material; an existing ``home`` is brought up to date
    incrementally (only new passages and sentences are embedded)."""
    settings = Settings(home=home or scratch_home("tutorq"), embedder=embedder, embed_threads=2)
    services = Services.create(settings)
    ingest(services.store, IngestSources.bundle(BUNDLED_CORPUS))
    ingest_material(services.store)
    services.rebuild_index()
    return services


def ingest_material(store: Store) -> None:
    """bench/material as it arrives: the Markdown case studies, and each PDF with the YAML beside it."""
    ingest(store, IngestSources(case_studies=sorted(MATERIAL.glob("*.md"))))
    for pdf in sorted(MATERIAL.glob("*.pdf")):
        ingest(store, IngestSources(case_studies=[pdf], pdf_meta=pdf.with_suffix(".yaml")))


def collect(services: Services, questions: Sequence[TutorQuestion], filters: Filters | None = None) -> list[Record]:
    """Each question asked by a viewer of every department with abstention off (replayed afterwards on the
    recorded features)."""
    tutor = services.tutor
    saved, tutor.threshold = tutor.threshold, -math.inf
    options = AskOptions(viewer=Viewer(frozenset(DEPARTMENTS)), filters=filters)
    records = []
    try:
        for q in questions:
            started = time.perf_counter()
            answer = tutor.ask(q.question, options)
            ms = (time.perf_counter() - started) * 1000.0
            assessment = tutor.assess(answer.retrieval_query, options)
            retrieved = tuple(dict.fromkeys(h.doc_id for h in assessment.hits))
            records.append(Record(q, answer, assessment.features, assessment.pair, retrieved, ms))
    finally:
        tutor.threshold = saved
    return records


def fit_ranker(services: Services, questions: Sequence[TutorQuestion]) -> EvidenceWeights:
    """Listwise (conditional logit) ranker on the development answerable questions: for each question the weights
    maximise the softmax probability of the candidate sentences that quote a gold answer among all candidates, with
    an L2 penalty; fitted with L-BFGS from the hand-set weights. Written to tutor/models/evidence-<family>.json."""
    from scipy.optimize import minimize  # type: ignore[import-untyped]

    options = AskOptions(viewer=Viewer(frozenset(DEPARTMENTS)))
    groups: list[tuple[np.ndarray, np.ndarray]] = []
    for q in questions:
        if q.split != "dev" or not q.answerable:
            continue
        evidence = services.tutor.assess(q.question, options).evidence
        good = np.array([contains_answer(e.text, q.answers) for e in evidence])
        if good.any() and not good.all():
            groups.append((np.array([[e.features[f] for f in RANKER_FEATURES] for e in evidence]), good))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = RANKER_L2 * float(w @ w), 2 * RANKER_L2 * w
        for x, good in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * good / max(float((p * good).sum()), 1e-12)
            total -= float(np.log(max(float((p * good).sum()), 1e-12)))
            gradient -= (q - p) @ x
        return total / len(groups), gradient / len(groups)

    start = np.array([DEFAULT_WEIGHTS[f] for f in RANKER_FEATURES])
    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    weights = EvidenceWeights(
        dict(zip(RANKER_FEATURES, map(float, result.x), strict=True)), temperature=LOGIT_MARGIN / SCORE_MARGIN
    )
    print(f"ranker fitted on {len(groups)} dev questions (loss {result.fun:.3f}): {weights.weights}")
    return weights


def probability(model: AnswerabilityModel, record: Record) -> float:
    return model.probability(record.features) if record.features else 0.0


def fit(records: Sequence[Record], model_id: str, pairs: Sequence[str] = PAIRS) -> AnswerabilityModel:
    """Logistic regression on the development half: answerable questions whose document was retrieved (1) against
    unanswerable ones (0); standardisation is folded into the weights so the model file is plain coefficients.
    Thresholds are chosen on out-of-fold probabilities (5 folds), so they are not fitted to the model's own
    optimism about the questions it was trained on."""
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.model_selection import StratifiedKFold, cross_val_predict  # type: ignore[import-untyped]

    train = [
        r
        for r in records
        if r.question.split == "dev"
        and r.features
        and (not r.question.answerable or r.question.relevant & set(r.retrieved))
    ]
    x = np.array([[r.features[name] for name in FEATURES] for r in train])
    y = np.array([int(r.question.answerable) for r in train])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0

    def classifier() -> LogisticRegression:
        return LogisticRegression(C=ANSWERABILITY_C, class_weight="balanced", max_iter=3000, random_state=SEED)

    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    held_out = cross_val_predict(classifier(), (x - mean) / scale, y, cv=folds, method="predict_proba")[:, 1]
    final = classifier().fit((x - mean) / scale, y)
    coefficients = final.coef_[0] / scale
    bias = float(final.intercept_[0] - np.sum(final.coef_[0] * mean / scale))
    weights = {name: float(c) for name, c in zip(FEATURES, coefficients, strict=True)}
    out_of_fold = dict(zip((id(r) for r in train), map(float, held_out), strict=True))
    thresholds = {pair: _pair_threshold(out_of_fold, train, pair) for pair in pairs}
    thresholds["default"] = 0.5
    return AnswerabilityModel(model_id, weights, bias, thresholds, trained_on="dev")


def _pair_threshold(scores: dict[int, float], records: Sequence[Record], pair: str) -> float:
    """The threshold that maximises (share of this pair's unanswerable questions abstained on) minus
    ABSTENTION_COST x (share of its answerable hits lost); the lowest such threshold on ties. A pair without
    unanswerable development questions is never refused on answerability alone (threshold 0). ``ta-*`` pools every
    pair of one question language."""
    mine = [r for r in records if r.pair == pair or (pair.endswith("-*") and r.pair.startswith(pair[:-1]))]
    return best_threshold([(scores[id(r)], r.question.answerable, r.any_hit) for r in mine])


def best_threshold(scored: Sequence[tuple[float, bool, bool]]) -> float:
    """Over (probability, answerable, answered with the gold) triples: the threshold that maximises (share of the
    unanswerable below it) - ABSTENTION_COST x (share of the answerable hits lost), the lowest on ties; 0 when one
    kind is missing."""
    answerable = [(p, hit) for p, is_answerable, hit in scored if is_answerable]
    unanswerable = [p for p, is_answerable, _ in scored if not is_answerable]
    if not answerable or not unanswerable:
        return 0.0
    hits = sum(hit for _, hit in answerable)
    best, chosen = -math.inf, 0.0
    for t in sorted({0.0} | {round(p, 4) for p, _, _ in scored}):
        lost = (hits - sum(hit and p >= t for p, hit in answerable)) / len(answerable)
        caught = sum(p < t for p in unanswerable) / len(unanswerable)
        if caught - ABSTENTION_COST * lost > best + 1e-9:
            best, chosen = caught - ABSTENTION_COST * lost, t
    return chosen


def report(model: AnswerabilityModel, records: Sequence[Record]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    groups: dict[str, list[Record]] = {}
    for r in records:
        q = r.question
        for name in ("all", f"lang={q.lang}", f"kind={q.kind}", f"pair={r.pair}", f"kind={q.kind} lang={q.lang}"):
            groups.setdefault(f"{q.split} {name}", []).append(r)
    for name in sorted(groups):
        rows.append({"group": name, **_measures(model, groups[name])})
    return rows


def _measures(model: AnswerabilityModel, records: Sequence[Record]) -> dict[str, object]:
    answered = [r for r in records if probability(model, r) >= model.threshold(r.pair)]
    answerable = [r for r in records if r.question.answerable]
    unanswerable = [r for r in records if not r.question.answerable]
    kept = {id(r) for r in answered}
    abstained = [r for r in records if id(r) not in kept]

    def rate(values: Sequence[bool]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    ms = sorted(r.ms for r in records)
    return {
        "n": len(records),
        "answerable": len(answerable),
        "first_quote_hit": rate([r.first_hit and id(r) in kept for r in answerable]),
        "any_quote_hit": rate([r.any_hit and id(r) in kept for r in answerable]),
        "any_quote_hit_no_abstention": rate([r.any_hit for r in answerable]),
        "abstention_precision": rate([not r.question.answerable for r in abstained]),
        "abstention_recall": rate([id(r) not in kept for r in unanswerable]),
        "auc": roc_auc([probability(model, r) for r in answerable], [probability(model, r) for r in unanswerable]),
        "p50_ms": round(ms[len(ms) // 2], 1) if ms else None,
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1) if ms else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", action="store_true", help="fit the answerability model on the dev half and save it")
    parser.add_argument("--embedder", default="e5-multilingual")
    parser.add_argument("--out", type=Path, help="write one JSON line per question")
    parser.add_argument("--home", type=Path, help="reuse this data directory between runs (default: a scratch one)")
    args = parser.parse_args()

    questions = load_all(question_sets())
    if args.fit:  # this command writes them anew; stale ones (other features) must not stop it
        for stale in MODELS.glob(f"*-{family_of(args.embedder)}.json"):
            stale.unlink()
    services = prepare(args.embedder, args.home)
    model_id = services.embedder.model_id
    family = family_of(model_id) or "default"
    if args.fit:
        weights = fit_ranker(services, questions)
        path = MODELS / f"evidence-{family}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"model_id": model_id, "trained_on": "dev", "seed": SEED, "temperature": round(weights.temperature, 4),
                "weights": {k: round(v, 6) for k, v in weights.weights.items()}}  # fmt: skip
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        services.tutor.selector.weights = weights
        print(f"wrote {path}")
    records = collect(services, questions)
    if args.fit:
        model = fit(records, model_id)
        dev = {"dev": _measures(model, [r for r in records if r.question.split == "dev"])}
        test = {"test": _measures(model, [r for r in records if r.question.split == "test"])}
        model = replace(model, metrics={**dev, **test})
        model_path(family).parent.mkdir(parents=True, exist_ok=True)
        model_path(family).write_text(model.to_json(), encoding="utf-8")
        print(f"wrote {model_path(family)}")
    else:
        shipped = services.tutor.answerability
        if shipped is None:
            raise SystemExit(f"no answerability model for {model_id}: run `make tutor-model` first")
        model = shipped
    rows = report(model, records)
    columns = ["group", "n", "first_quote_hit", "any_quote_hit", "abstention_precision", "abstention_recall", "auc",
               "p50_ms", "p95_ms"]  # fmt: skip
    print_table(
        f"Tutor quality ({model_id}; answerability fitted on the dev half; thresholds {model.thresholds})",
        columns,
        [[row[c] if row[c] is not None else "-" for c in columns] for row in rows],
    )
    if args.out:
        with args.out.open("w", encoding="utf-8") as out:
            for r in records:
                p = probability(model, r)
                out.write(json.dumps({
                    "id": r.question.id, "split": r.question.split, "kind": r.question.kind, "lang": r.question.lang,
                    "pair": r.pair, "question": r.question.question, "gold": list(r.question.answers),
                    "answered": p >= model.threshold(r.pair), "probability": round(p, 4),
                    "first_hit": r.first_hit, "any_hit": r.any_hit, "relevant": sorted(r.question.relevant),
                    "retrieved": list(r.retrieved), "quotes": [c.quote for c in r.answer.citations],
                    "features": {k: round(v, 4) for k, v in r.features.items()}, "ms": round(r.ms, 1),
                }, ensure_ascii=False) + "\n")  # fmt: skip
    services.close()


if __name__ == "__main__":
    main()
