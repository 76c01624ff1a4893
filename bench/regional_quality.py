"""Regional languages: retrieval, cross-lingual retrieval, tutor answers and abstention, per language.

    python -m bench.regional_quality [--home DIR]   # measure (the e5 model over the bundled corpus)
    python -m bench.regional_quality --fit          # also choose each language pair's abstention threshold

Data: bench/queries/regional/LL-retrieval.jsonl and LL-tutor.jsonl (written for this project; a dev and a test
half each). What is measured, per language LL:

* **within**: an LL query whose answer is an LL document, over the whole corpus as the API searches it (one member
  of each translation group, the query's language preferred); Recall@5.
* **LL -> en/hi**: the same queries with the search restricted to English and Hindi (the answer is the document's
  original), plus the LL queries about documents that exist only in English or Hindi; Recall@5.
* **en/hi -> LL**: the English and Hindi queries of bench/queries/retrieval.jsonl whose answer has an LL
  translation, restricted to LL material; Recall@5.
* **tutor**: answerable LL questions asked of the tutor (extractive answerer): the gold answer (in LL or in the
  English original) in any quote, after abstention; and in the first quote.
* **tutor LL -> en**: the same questions restricted to English material (gold: the English answer).
* **abstention**: share of the near-miss and off-topic LL questions declined, and of answerable ones wrongly
  declined. ``--fit`` chooses each (question language, evidence language) pair's threshold on the dev half only,
  the same rule as the tutor's English and Hindi pairs (bench/tutor_quality.py), and writes it into
  tutor/models/answerability-e5.json (the English and Hindi thresholds are not touched).
* ``--centering``: Recall on all these sets and on bench/queries/retrieval.jsonl for several weights of the dense
  language centering (corpus.search.LANGUAGE_CENTERING); the weight is chosen on the dev halves.
* ``--stemming``: lexical Recall@1 within each language for several prefix lengths of the BM25 tokenizer
  (corpus.lexical.PREFIX_LENGTH), chosen on the dev halves.
* **tokens/word**: the BM25 tokenizer's tokens per whitespace word of each language's bundled text, against a naive
  ``\\w+`` split (which cuts Indic words at every vowel sign and virama).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench.common import print_table, scratch_home
from bench.language_id import bundled_texts
from bench.tutor_quality import Record, collect, fit, probability
from corpus import lexical
from corpus.ingest import IngestSources, ingest
from corpus.language_id import detect_language
from corpus.languages import LANGUAGES
from corpus.lexical import BM25Index, tokenize
from corpus.search import LANGUAGE_CENTERING
from corpus.translations import translation_groups
from corpus.types import DEPARTMENTS, Filters, Viewer
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings
from tutor.answerability import AnswerabilityModel, load_model, model_path
from tutor.calibration import family_of
from tutor.evaluation import TutorQuestion

QUERIES = Path(__file__).parent / "queries"
REGIONAL = QUERIES / "regional"
EVERYONE = Viewer(frozenset(DEPARTMENTS))
K = 5
CENTERING_WEIGHTS = (0.0, 0.5, 0.8, 1.0)
MIN_PAIR_QUESTIONS = 10
"""A language pair needs this many development questions, of both kinds, for a threshold of its own."""


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def regional_languages() -> list[str]:
    return [lang for lang in LANGUAGES if (REGIONAL / f"{lang}-retrieval.jsonl").exists()]


def prepare(home: Path | None) -> Services:
    services = Services.create(Settings(home=home or scratch_home("regional"), embedder="e5-multilingual"))
    ingest(services.store, IngestSources.bundle(BUNDLED_CORPUS))
    services.rebuild_index()
    return services


class Groups:
    """Translation groups of the stored documents: id -> root, root -> {language: id}."""

    def __init__(self, services: Services) -> None:
        rows = services.store.document_rows()
        self.root = translation_groups({r.id: r.translation_of for r in rows})
        self.language = {r.id: r.language for r in rows}
        self.members: dict[str, dict[str, str]] = defaultdict(dict)
        for r in rows:
            self.members[self.root[r.id]][r.language] = r.id

    def in_language(self, doc_id: str, language: str) -> str | None:
        return self.members[self.root.get(doc_id, doc_id)].get(language)


def recall(services: Services, query: str, relevant: set[str], languages: frozenset[str] | None) -> bool:
    filters = Filters(languages=languages) if languages else None
    hits = services.retriever.retrieve(
        query, k=K, filters=filters, viewer=EVERYONE, per_document=True, prefer_language=detect_language(query)
    )
    return bool({h.doc_id for h in hits} & relevant)


def retrieval(services: Services, groups: Groups, language: str) -> dict[str, dict[str, list[bool]]]:
    """split -> measure -> per-query hits."""
    out: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for row in read_jsonl(REGIONAL / f"{language}-retrieval.jsonl"):
        query, split = str(row["query"]), str(row["split"])
        relevant = {str(x) for x in row["relevant"]}  # type: ignore[attr-defined]
        if all(groups.language.get(d) == language for d in relevant):
            out[split]["within"].append(recall(services, query, relevant, None))
            originals = {o for d in relevant for o in (groups.in_language(d, "en"), groups.in_language(d, "hi")) if o}
            out[split]["to_en_hi"].append(recall(services, query, originals, frozenset({"en", "hi"})))
        else:
            out[split]["to_en_hi"].append(recall(services, query, relevant, None))
    for n, row in enumerate(read_jsonl(QUERIES / "retrieval.jsonl")):
        split = "dev" if n % 2 == 0 else "test"
        translated = {t for d in row["relevant"] if (t := groups.in_language(str(d), language))}  # type: ignore[attr-defined]
        if translated:
            out[split]["from_en_hi"].append(recall(services, str(row["query"]), translated, frozenset({language})))
    return out


def english_hindi(services: Services) -> dict[str, dict[str, list[tuple[bool, bool]]]]:
    """split -> en or hi -> (hit@1, hit@5) of bench/queries/retrieval.jsonl, searched as ``eval retrieval`` does."""
    out: dict[str, dict[str, list[tuple[bool, bool]]]] = defaultdict(lambda: defaultdict(list))
    for n, row in enumerate(read_jsonl(QUERIES / "retrieval.jsonl")):
        hits = services.retriever.retrieve(str(row["query"]), k=K, viewer=EVERYONE, per_document=True)
        ids = [h.doc_id for h in hits]
        relevant = set(row["relevant"])  # type: ignore[call-overload]
        out["dev" if n % 2 == 0 else "test"][str(row["lang"])].append(
            (ids[0] in relevant if ids else False, bool(set(ids) & relevant))
        )
    return out


def sweep_centering(services: Services, groups: Groups, languages: Sequence[str]) -> float:
    """Recall on every set for each centering weight; the weight with the best mean dev Recall@5 over the sets
    (ties: the better mean dev Recall@1 of the English and Hindi queries, then the smaller weight) is printed and
    returned (set it as corpus.search.LANGUAGE_CENTERING)."""
    rows: list[tuple[str, ...]] = []
    best, chosen = (-1.0, -1.0), 0.0
    for weight in CENTERING_WEIGHTS:
        services.retriever.language_centering = weight
        regional = {lang: retrieval(services, groups, lang) for lang in languages}
        english = english_hindi(services)
        dev_scores, dev_top = [], []
        for split in ("dev", "test"):
            cells: list[str] = [f"{weight:.1f}", split]
            for measure in ("within", "to_en_hi", "from_en_hi"):
                values = [x for lang in languages for x in regional[lang][split][measure]]
                cells.append(rate(values))
                if split == "dev":
                    dev_scores.append(sum(values) / len(values))
            for lang in ("en", "hi"):
                pairs = english[split][lang]
                cells.append(f"{rate([a for a, _ in pairs])} / {rate([b for _, b in pairs])}")
                if split == "dev":
                    dev_scores.append(sum(b for _, b in pairs) / len(pairs))
                    dev_top.append(sum(a for a, _ in pairs) / len(pairs))
            rows.append(tuple(cells))
        mean = (round(sum(dev_scores) / len(dev_scores), 6), round(sum(dev_top) / len(dev_top), 6))
        if mean > best:
            best, chosen = mean, weight
    print_table(
        "Language centering of dense scores (hybrid search; Recall@5, en/hi: Recall@1 / Recall@5)",
        ("weight", "half", "within", "LL->en/hi", "en/hi->LL", "en queries", "hi queries"),
        rows,
    )
    print(f"best mean dev Recall@5 (then Recall@1 of en/hi): weight {chosen:.1f}")
    services.retriever.language_centering = LANGUAGE_CENTERING
    return chosen


SCRIPT_RANGES = {
    "bn": ("\u0980", "\u09ff"),
    "or": ("\u0b00", "\u0b7f"),
    "ta": ("\u0b80", "\u0bff"),
    "te": ("\u0c00", "\u0c7f"),
    "ur": ("\u0600", "\u06ff"),
}
PREFIX_LENGTHS = (0, 4, 5, 6, 7, 8)


def sweep_stemming(services: Services, languages: Sequence[str]) -> None:
    """Lexical Recall@1 within each language (BM25 over that language's passages; the retrieval queries about its
    documents and its tutor questions) for each prefix length; 0 keeps words whole."""
    chunks = services.store.chunks()
    rows_by_id = {r.id: r for r in services.store.document_rows()}
    saved = (lexical.PREFIX_LENGTH, lexical.TRUNCATED_SCRIPTS)
    table: list[tuple[str, ...]] = []
    for language in languages:
        if language not in SCRIPT_RANGES:
            continue
        mine = [c for c in chunks if rows_by_id[c.chunk.doc_id].language == language]
        items = [
            (str(r["query"]), set(r["relevant"]), str(r["split"]))  # type: ignore[call-overload]
            for r in read_jsonl(REGIONAL / f"{language}-retrieval.jsonl")
            if all(rows_by_id[str(d)].language == language for d in r["relevant"])  # type: ignore[attr-defined]
        ] + [
            (str(r["question"]), set(r["relevant"]), str(r["split"]))  # type: ignore[call-overload]
            for r in read_jsonl(REGIONAL / f"{language}-tutor.jsonl")
            if r["answers"]
        ]
        cells = [language]
        for length in PREFIX_LENGTHS:
            lexical.PREFIX_LENGTH, lexical.TRUNCATED_SCRIPTS = length, (SCRIPT_RANGES[language],)
            lexical.forget_terms()
            index = BM25Index([c.chunk.embed_text for c in mine])
            found: dict[str, list[bool]] = defaultdict(list)
            for query, relevant, split in items:
                ranked = [mine[p].chunk.doc_id for p, _ in index.search(query, 1)]
                found[split].append(bool(set(ranked) & relevant))
            cells.append(f"{rate(found['dev'])} / {rate(found['test'])}")
        table.append(tuple(cells))
    lexical.PREFIX_LENGTH, lexical.TRUNCATED_SCRIPTS = saved
    lexical.forget_terms()
    print_table(
        "Prefix length of the BM25 tokenizer (lexical Recall@1 within the language, dev / test)",
        ("lang", *(f"{n}" if n else "whole words" for n in PREFIX_LENGTHS)),
        table,
    )


def tutor_questions(language: str, material: str) -> list[TutorQuestion]:
    """The language's tutor questions, for its own material (gold: the answer in the language or in the English
    original) or for English material only (gold: the English answer; answerable questions only)."""
    questions = []
    for r in read_jsonl(REGIONAL / f"{language}-tutor.jsonl"):
        answers, relevant = list(r["answers"]), list(r["relevant"])  # type: ignore[call-overload]
        if material == "en":
            if not answers:
                continue
            answers, relevant = list(r["answers_en"]), list(r["relevant_en"])  # type: ignore[call-overload]
        else:
            answers += list(r.get("answers_en", []))  # type: ignore[call-overload]
        questions.append(
            TutorQuestion(
                str(r["question"]), tuple(answers), frozenset(relevant), language,
                f"{r['id']}-{material}", str(r["split"]), str(r["kind"]),
            )
        )  # fmt: skip
    return questions


def fit_regional(records: Sequence[Record], model_id: str) -> AnswerabilityModel:
    """The answerability model for questions outside English and Hindi, fitted like the tutor's (logistic
    regression on the dev half, thresholds on out-of-fold probabilities) on the regional dev questions: a pair with
    at least MIN_PAIR_QUESTIONS dev questions of both kinds gets its own threshold, each question language a pooled
    one (``ta-*``) for its other pairs."""
    counts: dict[str, list[bool]] = defaultdict(list)
    for r in records:
        if r.question.split == "dev":
            counts[r.pair].append(r.question.answerable)
    pairs = [p for p, kinds in sorted(counts.items()) if len(kinds) >= MIN_PAIR_QUESTIONS and len(set(kinds)) == 2]
    pairs += sorted({f"{r.question.lang}-*" for r in records})
    model = fit(records, model_id, pairs=pairs)
    return replace(model, trained_on="dev (bench/queries/regional/*-tutor.jsonl)")


def tokens_per_word(texts: Sequence[str]) -> tuple[float, float]:
    words = sum(len(t.split()) for t in texts)
    ours = sum(len(tokenize(t)) for t in texts)
    naive = sum(len(re.findall(r"\w+", t)) for t in texts)
    return ours / max(words, 1), naive / max(words, 1)


def rate(values: Sequence[bool]) -> str:
    return f"{sum(values) / len(values):.3f} ({len(values)})" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="reuse this data directory (built on first use)")
    parser.add_argument("--fit", action="store_true", help="fit the regional answerability model and thresholds")
    parser.add_argument("--out", type=Path, help="write one JSON line per tutor question (probability, pair, hits)")
    parser.add_argument("--centering", action="store_true", help="sweep the dense language-centering weight")
    parser.add_argument("--stemming", action="store_true", help="sweep the BM25 tokenizer's prefix length")
    args = parser.parse_args()
    services = prepare(args.home)
    groups = Groups(services)
    languages = regional_languages()
    if args.stemming:
        sweep_stemming(services, languages)
    if args.centering:
        sweep_centering(services, groups, languages)
    if args.stemming or args.centering:
        return
    texts = bundled_texts()

    model_id = services.embedder.model_id
    english = Filters(languages=frozenset({"en"}))
    own = {lang: collect(services, tutor_questions(lang, "own")) for lang in languages}
    crossed = {lang: collect(services, tutor_questions(lang, "en"), english) for lang in languages}
    everything = [r for listed in (*own.values(), *crossed.values()) for r in listed]
    if args.fit:
        fitted = fit_regional(everything, model_id)
        path = model_path(family_of(model_id) or "default", "regional")
        path.write_text(fitted.to_json(), encoding="utf-8")
        print(f"wrote {path}; thresholds {fitted.thresholds}")
    model = load_model(family_of(model_id), "regional")
    if model is None:
        raise SystemExit(f"no regional answerability model for {model_id}: run with --fit first")
    if args.out:
        with args.out.open("w", encoding="utf-8") as out:
            for r in everything:
                line = {"id": r.question.id, "lang": r.question.lang, "split": r.question.split,
                        "kind": r.question.kind, "pair": r.pair, "probability": round(probability(model, r), 4),
                        "any_hit": r.any_hit, "first_hit": r.first_hit}  # fmt: skip
                out.write(json.dumps(line, ensure_ascii=False) + "\n")

    def answered(r: Record) -> bool:
        return probability(model, r) >= model.threshold(r.pair)

    rows: list[tuple[str, ...]] = []
    for language in languages:
        measured = retrieval(services, groups, language)
        ours, naive = tokens_per_word(texts.get(language, []))
        for split in ("dev", "test"):
            mine = [r for r in own[language] if r.question.split == split]
            answerable = [r for r in mine if r.question.answerable]
            unanswerable = [r for r in mine if not r.question.answerable]
            cross = [r for r in crossed[language] if r.question.split == split]
            rows.append(
                (
                    language,
                    split,
                    rate(measured[split]["within"]),
                    rate(measured[split]["to_en_hi"]),
                    rate(measured[split]["from_en_hi"]),
                    rate([r.any_hit for r in answerable]),
                    rate([r.any_hit and answered(r) for r in answerable]),
                    rate([r.first_hit and answered(r) for r in answerable]),
                    rate([r.any_hit and answered(r) for r in cross]),
                    rate([not answered(r) for r in unanswerable]),
                    rate([not answered(r) for r in answerable]),
                    f"{ours:.2f} / {naive:.2f}",
                )
            )
    print_table(
        f"Regional languages ({services.embedder.model_id}; Recall@{K}; tutor hits after abstention)",
        (
            "lang",
            "half",
            "within R@5",
            "LL->en/hi R@5",
            "en/hi->LL R@5",
            "tutor any-quote, no abstention",
            "tutor any-quote",
            "tutor first-quote",
            "tutor LL->en",
            "unanswerable declined",
            "answerable declined",
            "tokens/word ours / \\w+",
        ),
        rows,
    )
    for language in ("en", "hi"):
        ours, naive = tokens_per_word(texts.get(language, []))
        print(f"tokens/word {language}: ours {ours:.2f}, naive \\w+ {naive:.2f}")


if __name__ == "__main__":
    main()
