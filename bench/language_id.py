"""Language identification of questions: fit the n-gram models of the shared scripts and measure the detector.

    python -m bench.language_id          # measure the shipped model on both halves of the detection sets
    python -m bench.language_id --fit    # refit corpus/models/language-id.json, then measure (make language-model)

Training data: the bundled documents of each language (corpus/data) and the *development* half of
bench/queries/regional/*-detect.jsonl. The test half is never fitted on; the table reports both halves, per
language, with what each language was most often taken for.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from corpus.language_id import MODEL_PATH, SHARED_SCRIPTS, SHARED_UNSEEN, NgramModel, detect, load_models
from corpus.languages import BY_CODE, LANGUAGES
from corpus.loaders.case_studies import load_case_studies
from corpus.loaders.courses import load_courses
from gyanpath.settings import BUNDLED_CORPUS

DETECT_SETS = Path(__file__).parent / "queries" / "regional"


def detection_set(split: str) -> list[tuple[str, str]]:
    """(text, language) of every line of the detection sets in ``split``."""
    rows = []
    for path in sorted(DETECT_SETS.glob("*-detect.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            record = json.loads(line)
            if record["lang"] not in BY_CODE:
                raise SystemExit(f"{path}:{number}: unknown language {record['lang']!r}")
            if record["split"] == split:
                rows.append((record["text"], record["lang"]))
    return rows


def bundled_texts() -> dict[str, list[str]]:
    """Language -> the text of every bundled course and case study in it."""
    texts: dict[str, list[str]] = defaultdict(list)
    for path in sorted((BUNDLED_CORPUS / "courses").glob("*.jsonl")):
        for course in load_courses(path).items:
            modules = " ".join(f"{m.title} {m.summary}" for m in course.modules)
            texts[course.language].append(f"{course.title} {course.description} {modules}")
    for case in load_case_studies(BUNDLED_CORPUS / "case_studies").items:
        texts[case.language].append(f"{case.title} {case.body}")
    return texts


def fit() -> dict[str, NgramModel]:
    documents = bundled_texts()
    dev = detection_set("dev")
    models = {}
    for script, languages in SHARED_SCRIPTS.items():
        training = {lang: documents.get(lang, []) + [t for t, lang2 in dev if lang2 == lang] for lang in languages}
        models[script] = NgramModel.fit(training, shared_unseen=SHARED_UNSEEN[script])
        sizes = ", ".join(f"{lang}: {len(items)} texts" for lang, items in training.items())
        print(f"fitted {script} ({sizes})")
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    payload = {"version": 1, "scripts": {script: model.to_json() for script, model in models.items()}}
    MODEL_PATH.write_text(json.dumps(payload, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KiB)")
    load_models.cache_clear()
    return models


def report(models: dict[str, NgramModel]) -> None:
    print("\n| language | dev accuracy | test accuracy | test errors (taken for) |")
    print("|---|---|---|---|")
    results = {}
    for split in ("dev", "test"):
        rows = detection_set(split)
        per: dict[str, list[bool]] = defaultdict(list)
        confusions: dict[str, Counter[str]] = defaultdict(Counter)
        for text, language in rows:
            found = detect(text, models).language
            per[language].append(found == language)
            if found != language:
                confusions[language][found] += 1
        results[split] = (per, confusions, rows)
    for language in LANGUAGES:
        cells = []
        for split in ("dev", "test"):
            outcomes = results[split][0].get(language, [])
            cells.append(f"{sum(outcomes) / len(outcomes):.3f} ({len(outcomes)})" if outcomes else "-")
        taken = ", ".join(f"{k} x{v}" for k, v in results["test"][1][language].most_common()) or "none"
        print(f"| {language} | {cells[0]} | {cells[1]} | {taken} |")
    for split in ("dev", "test"):
        per = results[split][0]
        total = [x for outcomes in per.values() for x in outcomes]
        print(f"{split}: overall accuracy {sum(total) / len(total):.3f} over {len(total)} questions")


def labelled_questions() -> dict[str, list[str]]:
    """Questions of the retrieval and tutor sets, by their labelled language (never fitted on): the regional
    sets' queries and questions, and every Hindi question in bench/queries/*.jsonl written in Devanagari."""
    found: dict[str, list[str]] = defaultdict(list)
    paths = [*DETECT_SETS.glob("*-retrieval.jsonl"), *DETECT_SETS.glob("*-tutor.jsonl")]
    paths += sorted(DETECT_SETS.parent.glob("*.jsonl"))
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            text = record.get("question") or record.get("query")
            if isinstance(text, str) and record.get("lang") not in (None, "en"):
                if record["lang"] == "hi" and not any("\u0900" <= c <= "\u097f" for c in text):
                    continue  # Hindi in Latin letters is read as English by design
                found[record["lang"]].append(text)
    return found


def report_questions(models: dict[str, NgramModel]) -> None:
    print("\n| language | questions of the retrieval and tutor sets | accuracy | taken for |")
    print("|---|---|---|---|")
    for language, texts in sorted(labelled_questions().items()):
        taken = Counter(detect(t, models).language for t in texts)
        wrong = ", ".join(f"{k} x{v}" for k, v in taken.most_common() if k != language) or "none"
        print(f"| {language} | {len(texts)} | {taken[language] / len(texts):.3f} | {wrong} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", action="store_true", help="refit the model before measuring")
    args = parser.parse_args()
    models = fit() if args.fit else load_models()
    report(models)
    report_questions(models)


if __name__ == "__main__":
    main()
