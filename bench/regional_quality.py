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
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.common import print_table, scratch_home
from bench.language_id import bundled_texts
from bench.tutor_quality import best_threshold
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
from tutor.answerability import MODELS
from tutor.evaluation import contains_answer
from tutor.tutor import AskOptions

QUERIES = Path(__file__).parent / "queries"
REGIONAL = QUERIES / "regional"
EVERYONE = Viewer(frozenset(DEPARTMENTS))
K = 5
CENTERING_WEIGHTS = (0.0, 0.5, 0.8, 1.0)
MIN_PAIR_QUESTIONS = 10
"""A language pair needs this many development questions, of both kinds, for a threshold of its own."""


@dataclass(frozen=True)
class TutorCase:
    id: str
    question: str
    answers: tuple[str, ...]
    answers_en: tuple[str, ...]
    lang: str
    split: str
    kind: str


@dataclass(frozen=True)
class TutorResult:
    case: TutorCase
    pair: str
    support: float
    any_hit: bool
    first_hit: bool


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
            index = BM25Index([c.chunk.embed_text for c in mine])
            found: dict[str, list[bool]] = defaultdict(list)
            for query, relevant, split in items:
                ranked = [mine[p].chunk.doc_id for p, _ in index.search(query, 1)]
                found[split].append(bool(set(ranked) & relevant))
            cells.append(f"{rate(found['dev'])} / {rate(found['test'])}")
        table.append(tuple(cells))
    lexical.PREFIX_LENGTH, lexical.TRUNCATED_SCRIPTS = saved
    print_table(
        "Prefix length of the BM25 tokenizer (lexical Recall@1 within the language, dev / test)",
        ("lang", *(f"{n}" if n else "whole words" for n in PREFIX_LENGTHS)),
        table,
    )


def tutor_cases(language: str) -> list[TutorCase]:
    return [
        TutorCase(
            str(r["id"]),
            str(r["question"]),
            tuple(r["answers"]),  # type: ignore[arg-type]
            tuple(r.get("answers_en", ())),  # type: ignore[arg-type]
            language,
            str(r["split"]),
            str(r["kind"]),
        )
        for r in read_jsonl(REGIONAL / f"{language}-tutor.jsonl")
    ]


def ask(services: Services, case: TutorCase, languages: frozenset[str] | None) -> TutorResult:
    tutor = services.tutor
    options = AskOptions(viewer=EVERYONE, filters=Filters(languages=languages) if languages else None)
    answer = tutor.ask(case.question, options)
    assessment = tutor.assess(answer.retrieval_query, options)
    gold = case.answers_en if languages == frozenset({"en"}) else case.answers + case.answers_en
    quotes = [c.quote for c in answer.citations]
    any_hit = answer.answered and any(contains_answer(t, gold) for t in (answer.text, *quotes)) if gold else False
    first_hit = bool(gold and answer.answered and quotes and contains_answer(quotes[0], gold))
    return TutorResult(case, assessment.pair, assessment.support, any_hit, first_hit)


def choose_threshold(results: Sequence[TutorResult]) -> float:
    """The tutor's rule (bench.tutor_quality.best_threshold) over these questions; dev only."""
    return best_threshold([(r.support, bool(r.case.answers), r.any_hit) for r in results])


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
    parser.add_argument("--fit", action="store_true", help="choose the regional pairs' abstention thresholds")
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

    tutor = services.tutor
    model = tutor.answerability
    results: dict[str, list[TutorResult]] = {}
    crossed: dict[str, list[TutorResult]] = {}
    saved_threshold = tutor.threshold
    tutor.threshold = -math.inf  # answer everything; abstention is replayed on the recorded support
    for language in languages:
        cases = tutor_cases(language)
        results[language] = [ask(services, c, None) for c in cases]
        crossed[language] = [ask(services, c, frozenset({"en"})) for c in cases if c.answers_en]
    tutor.threshold = saved_threshold

    if args.fit and model is not None and not isinstance(model, bool):
        by_pair: dict[str, list[TutorResult]] = defaultdict(list)
        for recorded in (*results.values(), *crossed.values()):
            for r in recorded:
                if r.case.split == "dev":
                    by_pair[r.pair].append(r)
                    by_pair[f"{r.case.lang}-*"].append(r)
        thresholds = {k: v for k, v in model.thresholds.items() if k[:2] in ("en", "hi") or k == "default"}
        for pair, dev_rows in sorted(by_pair.items()):
            if pair[:2] in ("en", "hi"):
                continue
            classes = {bool(r.case.answers) for r in dev_rows}
            if not pair.endswith("*") and (len(dev_rows) < MIN_PAIR_QUESTIONS or len(classes) < 2):
                print(f"threshold {pair}: too few dev questions ({len(dev_rows)}), the {pair[:2]}-* one applies")
                continue
            thresholds[pair] = choose_threshold(dev_rows)
            print(f"threshold {pair}: {thresholds[pair]:.4f} (dev: {len(dev_rows)} questions)")
        model = replace(model, thresholds=thresholds)
        path = MODELS / "answerability-e5.json"
        path.write_text(model.to_json(), encoding="utf-8")
        tutor.answerability = model
        print(f"wrote {path}")

    def answered(r: TutorResult) -> bool:
        return model is None or isinstance(model, bool) or r.support >= model.threshold(r.pair)

    rows: list[tuple[str, ...]] = []
    for language in languages:
        measured = retrieval(services, groups, language)
        ours, naive = tokens_per_word(texts.get(language, []))
        for split in ("dev", "test"):
            mine = [r for r in results[language] if r.case.split == split]
            answerable = [r for r in mine if r.case.answers]
            unanswerable = [r for r in mine if not r.case.answers]
            cross = [r for r in crossed[language] if r.case.split == split]
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
