"""Calibrate the tutor's abstention threshold on the plain support score, for embedder families that have no fitted
answerability model (minilm, hashing); the e5 family's model and per-language-pair thresholds come from
``make tutor-model`` (bench/tutor_quality.py).

Every question is answered once with abstention switched off; each candidate threshold is then scored on the
recorded support values: answer hit rate per language, abstention precision and recall. The chosen threshold is
the one with the best abstention F1 among those keeping the English hit rate within 0.05 of its maximum.

Usage: python -m bench.tutor_calibration [--questions bench/queries/tutor.jsonl] [--embedder e5-multilingual]
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.common import print_table, scratch_home
from corpus.ingest import IngestSources, ingest
from corpus.types import DEPARTMENTS, Viewer
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings
from tutor.evaluation import TutorRow, load_questions, score
from tutor.tutor import AskOptions

DEFAULT_QUESTIONS = Path(__file__).parent / "queries" / "tutor.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--embedder", default="e5-multilingual")
    args = parser.parse_args()

    services = Services.create(Settings(home=scratch_home("calibrate"), embedder=args.embedder, embed_threads=2))
    ingest(services.store, IngestSources.bundle(BUNDLED_CORPUS))
    services.rebuild_index()
    services.tutor.answerability = None  # the plain support score is what this calibrates
    services.tutor.threshold = -math.inf
    options = AskOptions(viewer=Viewer(frozenset(DEPARTMENTS)))
    questions = load_questions(args.questions)
    results = [(q, services.tutor.ask(q.question, options)) for q in questions]
    supports = np.array([a.support for _, a in results])

    def at(threshold: float) -> list[TutorRow]:
        return score(
            [(q, a if a.support >= threshold else replace(a, answered=False, citations=())) for q, a in results]
        )

    candidates = sorted({round(float(s), 3) for s in supports})
    table, best = [], None
    for threshold in candidates:
        rows = {r.group: r for r in at(threshold)}
        overall = rows["all"]
        p, r = overall.abstention_precision, overall.abstention_recall
        f1 = 0.0 if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)
        table.append((threshold, rows, f1))
    top_en = max(rows["en"].answer_hit_rate or 0.0 for _, rows, _ in table)
    eligible = [(t, rows, f1) for t, rows, f1 in table if (rows["en"].answer_hit_rate or 0.0) >= top_en - 0.05]
    best = max(eligible, key=lambda item: item[2])
    shown = [item for item in table if abs(item[0] - best[0]) <= 0.15][:: max(1, len(table) // 40)]
    print_table(
        f"Abstention threshold sweep ({services.embedder.model_id}, {len(questions)} questions)",
        ["threshold", "hit rate en", "hit rate hi", "abstain P", "abstain R", "F1"],
        [
            [
                t,
                rows["en"].answer_hit_rate,
                rows["hi"].answer_hit_rate,
                rows["all"].abstention_precision,
                rows["all"].abstention_recall,
                f1,
            ]
            for t, rows, f1 in [*shown, best]
        ],
    )
    print(f"chosen threshold: {best[0]:.3f}")
    for row in at(best[0]):
        print(row.as_dict())
    services.close()


if __name__ == "__main__":
    main()
