"""Calibrate the near-duplicate cosine threshold (recommender/duplicates.py) per embedder, on the bundled catalogue.

Positives: drafts rewritten from every bundled course by several deterministic strategies, each compared with the
course it was rewritten from (what ``DuplicateFinder.similar`` sees when an author submits a rework of an existing
course):

- reordered: the description's sentences shuffled and the modules in another order;
- sentence dropped: one sentence of the description and one module left out;
- synonyms: title, description and modules with words swapped for synonyms from a small table (English, Hindi);
- truncated: the first half of the description's sentences only, modules kept;
- no modules: title and description only (a draft before its modules are written);
- combined: synonyms, reordered, one sentence dropped and the last module left out.

Negatives, never in the course's own translation group (a translation is the same course, never a duplicate):

- nearest other course: each course against its most similar other course (what ``DuplicateFinder.pairs`` sees);
- draft vs nearest other course: each rewritten draft against the most similar course other than its source;
- random other course: each course against ``--random`` random other courses.

Drafts are embedded with ``Semantic.draft_vector`` and courses with ``Semantic.courses`` (the mean of passage
vectors, as the service computes them), so both sides are embedded exactly as in the service. Every threshold
from 0.30 to 0.995 in steps of 0.005 is scored (precision, recall, F1 over all pairs); the best F1 is reported,
as the middle of the range of thresholds that reach it, with per-strategy recall and per-kind false positives at
that threshold and at the current default.

An English-only embedder (minilm-en) is calibrated on the English courses only (``--languages auto``): it maps any
two Hindi texts close together, so Hindi pairs would only measure that.

Usage: python -m bench.duplicates_calibration [--embedder e5-multilingual [minilm-en hashing]] [--random 3]
       [--languages auto | en | en,hi]
"""

from __future__ import annotations

import argparse
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.common import print_table
from bench.recommender_data import MODELS_DIR, bundled_catalog, load_embedder, sentences
from corpus.types import Course, Module
from recommender.catalog import Catalog
from recommender.duplicates import duplicate_threshold
from recommender.semantic import Semantic

THRESHOLDS = np.round(np.arange(0.30, 0.9951, 0.005), 3)
SYNONYMS = {
    "introduction": "primer", "foundations": "basics", "basics": "essentials", "essentials": "fundamentals",
    "management": "administration", "managing": "running", "officers": "officials", "officials": "officers",
    "government": "public-sector", "planning": "preparing plans", "monitoring": "tracking", "handling": "dealing with",
    "using": "applying", "course": "programme", "learn": "understand", "training": "instruction",
    "data": "information", "offices": "departments", "records": "files", "quality": "standards",
    "building": "strengthening", "safe": "secure", "policy": "guidelines", "review": "assessment",
    "meetings": "sittings", "citizens": "members of the public", "services": "facilities", "employees": "staff",
    "staff": "personnel", "rules": "regulations", "practical": "hands-on", "examples": "cases", "covers": "deals with",
    "explains": "describes", "shows": "demonstrates", "session": "module", "participants": "learners",
    "important": "key", "common": "frequent", "helps": "assists", "understand": "grasp", "reporting": "filing reports",
    "प्रबंधन": "व्यवस्थापन", "योजना": "स्कीम", "सुरक्षा": "संरक्षा", "बुनियादी": "मूलभूत", "लोक": "जन",
    "अधिकारियों": "अफसरों", "कर्मचारियों": "कार्मिकों", "पाठ्यक्रम": "कोर्स", "प्रशिक्षण": "ट्रेनिंग",
    "जानकारी": "सूचना", "उदाहरण": "मिसाल", "सरकारी": "शासकीय", "नागरिकों": "जनता", "प्रक्रिया": "कार्यविधि",
    "महत्वपूर्ण": "अहम", "समझ": "बोध", "तरीके": "ढंग", "कार्य": "काम",
}  # fmt: skip
WORD = re.compile(r"[\w\u0900-\u097F-]+")

Text = tuple[str, str, tuple[Module, ...]]
Floats = npt.NDArray[np.float64]


def swap_words(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        found = SYNONYMS.get(word.lower())
        if found is None:
            return word
        return found[:1].upper() + found[1:] if word[:1].isupper() else found

    return WORD.sub(replace, text)


def _synonyms(title: str, description: str, modules: tuple[Module, ...]) -> Text:
    return swap_words(title), swap_words(description), tuple(Module(swap_words(m.title), swap_words(m.summary))
                                                             for m in modules)  # fmt: skip


def _reordered(text: Text, rng: random.Random) -> Text:
    title, description, modules = text
    parts = sentences(description)
    rng.shuffle(parts)
    shuffled = list(modules)
    rng.shuffle(shuffled)
    return title, " ".join(parts), tuple(shuffled)


def _dropped(text: Text, rng: random.Random) -> Text:
    title, description, modules = text
    parts = sentences(description)
    if len(parts) > 1:
        del parts[rng.randrange(len(parts))]
    kept = list(modules)
    if len(kept) > 1:
        del kept[rng.randrange(len(kept))]
    return title, " ".join(parts), tuple(kept)


def _truncated(text: Text, rng: random.Random) -> Text:
    title, description, modules = text
    parts = sentences(description)
    return title, " ".join(parts[: max(1, math.ceil(len(parts) / 2))]), modules


def _combined(text: Text, rng: random.Random) -> Text:
    title, description, modules = _dropped(_reordered(_synonyms(*text), rng), rng)
    return title, description, modules[:-1] if len(modules) > 1 else modules


STRATEGIES: dict[str, Callable[[Text, random.Random], Text]] = {
    "reordered": _reordered,
    "sentence dropped": _dropped,
    "synonyms": lambda text, rng: _synonyms(*text),
    "truncated": _truncated,
    "no modules": lambda text, rng: (text[0], text[1], ()),
    "combined": _combined,
}
NEGATIVE_KINDS = ("nearest other course", "draft vs nearest other course", "random other course")


@dataclass
class Pairs:
    scores: list[float]
    labels: list[bool]
    groups: list[str]
    """The strategy (positives) or the kind (negatives) of each pair."""
    examples: list[tuple[float, str, str, str]]
    """(cosine, kind, draft or course, other course) of the negatives."""


def collect(catalog: Catalog, semantic: Semantic, random_negatives: int, seed: int) -> Pairs:
    ids = semantic.course_ids
    vectors = semantic.courses
    groups = np.array([catalog.group(c) for c in ids])
    pairs = Pairs([], [], [], [])

    def other_best(vector: npt.NDArray[np.float32], course: str) -> tuple[float, str]:
        scores = vectors @ vector
        scores[groups == catalog.group(course)] = -np.inf
        best = int(np.argmax(scores))
        return float(scores[best]), ids[best]

    def add(score: float, positive: bool, group: str) -> None:
        pairs.scores.append(score)
        pairs.labels.append(positive)
        pairs.groups.append(group)

    rng = np.random.default_rng(seed)
    for row, course_id in enumerate(ids):
        course: Course = catalog.courses[course_id]
        score, other = other_best(vectors[row], course_id)
        add(score, False, NEGATIVE_KINDS[0])
        pairs.examples.append((score, NEGATIVE_KINDS[0], course_id, other))
        candidates = np.flatnonzero(groups != catalog.group(course_id))
        for col in rng.choice(candidates, size=min(random_negatives, len(candidates)), replace=False).tolist():
            add(float(vectors[row] @ vectors[col]), False, NEGATIVE_KINDS[2])
        original: Text = (course.title, course.description, course.modules)
        for name, rewrite in STRATEGIES.items():
            title, description, modules = rewrite(original, random.Random(f"{seed}-{course_id}-{name}"))
            draft = semantic.draft_vector(title, description, modules)[0]
            add(float(draft @ vectors[row]), True, name)
            score, other = other_best(draft, course_id)
            add(score, False, NEGATIVE_KINDS[1])
            pairs.examples.append((score, NEGATIVE_KINDS[1], f"{course_id} ({name})", other))
    return pairs


@dataclass(frozen=True)
class Point:
    threshold: float
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def sweep(scores: Floats, labels: npt.NDArray[np.bool_], thresholds: Floats) -> list[Point]:
    points = []
    for t in thresholds.tolist():
        flagged = scores >= t
        points.append(
            Point(t, int((flagged & labels).sum()), int((flagged & ~labels).sum()), int((~flagged & labels).sum()))
        )
    return points


def best_point(points: list[Point]) -> tuple[Point, float, float]:
    """The best F1 (the middle of the thresholds reaching it), and the range of thresholds reaching it."""
    top = max(round(p.f1, 4) for p in points)
    reaching = [p for p in points if round(p.f1, 4) == top]
    return reaching[len(reaching) // 2], reaching[0].threshold, reaching[-1].threshold


def for_embedder(catalog: Catalog, name: str, languages: str) -> Catalog:
    """The catalogue restricted to ``languages`` (comma-separated); "auto": English only for an English-only
    embedder (a name ending in "-en"), every language otherwise."""
    if languages == "auto":
        languages = "en" if name.endswith("-en") else ""
    keep = {lang.strip() for lang in languages.split(",") if lang.strip()}
    if not keep:
        return catalog
    courses = [c for c in catalog.courses.values() if c.language in keep]
    return Catalog.build(courses, catalog.roles.values(), catalog.competencies.values())


def calibrate(name: str, models_dir: Path, random_negatives: int, seed: int, catalog: Catalog) -> list[object]:
    started = time.perf_counter()
    embedder = load_embedder(name, models_dir)
    semantic = Semantic(embedder, catalog)
    pairs = collect(catalog, semantic, random_negatives, seed)
    seconds = time.perf_counter() - started
    scores = np.array(pairs.scores)
    labels = np.array(pairs.labels)
    kinds = np.array(pairs.groups)
    points = sweep(scores, labels, THRESHOLDS)
    best, low, high = best_point(points)
    current = duplicate_threshold(embedder.model_id)
    at_current = sweep(scores, labels, np.array([current]))[0]
    positives, negatives = int(labels.sum()), int((~labels).sum())
    print(
        f"\n{embedder.model_id}: {positives} positive and {negatives} negative pairs over {len(catalog.courses)} "
        f"courses ({', '.join(sorted({c.language for c in catalog.courses.values()}))}), embedded in {seconds:.1f} s"
    )

    shown = [p for p in points if best.threshold - 0.1 <= p.threshold <= best.threshold + 0.06]
    shown = [p for p in shown if abs(round(p.threshold * 100) - p.threshold * 100) < 1e-6] + [best, at_current]
    shown = sorted({p.threshold: p for p in shown}.values(), key=lambda p: p.threshold)

    def note(point: Point) -> str:
        marks = [("best F1", best.threshold), ("current default", current)]
        return ", ".join(label for label, t in marks if abs(point.threshold - t) < 1e-9)

    print_table(
        f"Near-duplicate threshold sweep ({embedder.model_id})",
        ["threshold", "TP", "FP", "FN", "precision", "recall", "F1", "note"],
        [[p.threshold, p.tp, p.fp, p.fn, p.precision, p.recall, p.f1, note(p)] for p in shown],
    )  # fmt: skip

    rows = []
    for group in [*STRATEGIES, *NEGATIVE_KINDS]:
        mask = kinds == group
        values = scores[mask]
        positive = group in STRATEGIES
        share_best = float(np.mean(values >= best.threshold))
        share_current = float(np.mean(values >= current))
        rows.append([group, "positive" if positive else "negative", int(mask.sum()), float(values.min()),
                     float(np.median(values)), float(values.max()), share_best, share_current])  # fmt: skip
    print_table(
        f"Cosines by kind of pair ({embedder.model_id}); share flagged at the best ({best.threshold:.3f}) and the "
        f"current ({current:.3f}) threshold (recall for positives, false-positive rate for negatives)",
        ["pairs", "label", "n", "min", "median", "max", f"flagged @{best.threshold:.3f}", f"flagged @{current:.3f}"],
        rows,
    )
    hardest = sorted(pairs.examples, reverse=True)[:5]
    print("hardest negatives: " + "; ".join(f"{a} ~ {b} {s:.3f}" for s, _, a, b in hardest))
    no_false = [p for p in points if p.fp == 0]
    strict = min(no_false, key=lambda p: p.threshold) if no_false else None
    return [embedder.model_id, len(catalog.courses), current, at_current.precision, at_current.recall, at_current.f1,
            best.threshold, f"{low:.3f}-{high:.3f}", best.precision, best.recall, best.f1,
            strict.threshold if strict else "-", strict.recall if strict else "-"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", nargs="+", default=["e5-multilingual"], help="e5-multilingual minilm-en hashing")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="where converted models are kept")
    parser.add_argument("--random", type=int, default=3, help="random negative courses per course")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--languages", default="auto", help="course languages, e.g. 'en' or 'en,hi'; auto: English only for *-en"
    )
    args = parser.parse_args()
    catalog = bundled_catalog()
    summary = [
        calibrate(name, args.models_dir, args.random, args.seed, for_embedder(catalog, name, args.languages))
        for name in args.embedder
    ]
    print_table(
        "Near-duplicate thresholds: current default against the best F1 on rewritten drafts",
        ["embedder", "courses", "current", "P", "R", "F1", "best", "best range", "P", "R", "F1", "lowest with no FP",
         "R there"],
        summary,
    )  # fmt: skip


if __name__ == "__main__":
    main()
