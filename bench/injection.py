"""Prompt-injection recognition (tutor/injection.py): recall on injected sentences, false positives on benign ones.

    python -m bench.injection                      # both halves, the dev misses, and the bundled corpus
    python -m bench.injection --split dev          # one half
    python -m bench.injection --show-test-misses   # also list the test half's misses (final reports only)

Data: bench/queries/injection-dev.jsonl and bench/queries/injection-test.jsonl, one sentence a line with its label
(``injection`` or ``benign``), language (``en``, ``hi``, ``hinglish``) and style. Every sentence was written for this
project (none is copied from a public injection corpus); the obfuscated ones (homoglyph, full-width, spaced,
zero-width) are sentences of the same half rewritten with look-alike letters, letter spacing or invisible
characters. The two halves were written separately, the test half first (after reading the previous rules, before
any new rule was written), with different wordings; tests/tutor/test_injection.py checks that no sentence of one
half is a near duplicate of the other's, and none is a template of tests/tutor/test_safety.py. Benign sentences
are the hard near misses of real case studies ("The collector asked block officers to ignore the old instructions
of 2019...", "The system administrator reset every password", "पुराने निर्देशों को रद्द कर नए दिशानिर्देश जारी किए गए")
and plain ones.

The patterns of tutor/injection.py were written and adjusted on the DEV half only; the test half is reported, never
tuned on, and its misses are not printed unless asked. The bundled corpus (corpus/data) holds no injection, so every
sentence of it that is flagged is a false positive; its sentences also time the check (it runs on every retrieved
sentence).

Latest figures (2026-12-07; timing on a shared 2-core CPU, so only the ratio is firm):

    dev   recall 1.000 (124/124)  FPR 0.000 (0/131)  precision 1.000   (previous rules: 0.250, 0.076, 0.756)
    test  recall 0.927 (115/124)  FPR 0.000 (0/129)  precision 1.000   (previous rules: 0.202, 0.093, 0.676)
    bundled corpus: 0 of 6,418 sentences flagged (previous rules: 5); about 30 us a sentence (previous: 170-270)
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import print_table

QUERIES = Path(__file__).parent / "queries"
SPLITS = ("dev", "test")
LABELS = ("injection", "benign")
LANGS = ("en", "hi", "hinglish")


def load_split(split: str) -> list[dict[str, str]]:
    """The records of one half, checked for the fields and values the benchmark relies on."""
    path = QUERIES / f"injection-{split}.jsonl"
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        record = json.loads(line)
        if set(record) != {"id", "text", "label", "lang", "style"}:
            raise SystemExit(f"{path}:{number}: fields must be id, text, label, lang, style")
        if record["label"] not in LABELS or record["lang"] not in LANGS or not record["text"].strip():
            raise SystemExit(f"{path}:{number}: bad label, language or empty text")
        records.append(record)
    return records


@dataclass
class Score:
    injections: int = 0
    caught: int = 0
    benign: int = 0
    flagged: int = 0

    def add(self, label: str, hit: bool) -> None:
        if label == "injection":
            self.injections += 1
            self.caught += hit
        else:
            self.benign += 1
            self.flagged += hit

    @property
    def recall(self) -> float | None:
        return self.caught / self.injections if self.injections else None

    @property
    def fpr(self) -> float | None:
        return self.flagged / self.benign if self.benign else None

    @property
    def precision(self) -> float | None:
        positives = self.caught + self.flagged
        return self.caught / positives if positives else None

    def row(self, name: str) -> list[object]:
        def show(value: float | None) -> object:
            return "-" if value is None else value

        return [
            name,
            self.injections,
            self.caught,
            show(self.recall),
            self.benign,
            self.flagged,
            show(self.fpr),
            show(self.precision),
        ]


COLUMNS = ["group", "injections", "caught", "recall", "benign", "flagged", "FPR", "precision"]


def score(records: Iterable[dict[str, str]], detect: Callable[[str], bool]) -> tuple[Score, list[dict[str, str]]]:
    """The overall score of ``detect`` on ``records`` and the records it got wrong."""
    total, wrong = Score(), []
    for record in records:
        hit = detect(record["text"])
        total.add(record["label"], hit)
        if hit != (record["label"] == "injection"):
            wrong.append(record)
    return total, wrong


def report(split: str, records: Sequence[dict[str, str]], detect: Callable[[str], bool], show_misses: bool) -> Score:
    total, wrong = score(records, detect)
    rows = [total.row("all")]
    for key in ("style", "lang"):
        for value in sorted({r[key] for r in records}):
            part, _ = score([r for r in records if r[key] == value], detect)
            rows.append(part.row(f"{key}={value}"))
    print_table(f"Injection recognition, {split} half", COLUMNS, rows)
    if show_misses:
        for record in wrong:
            kind = "missed" if record["label"] == "injection" else "false positive"
            print(f"  {split} {kind} [{record['style']}/{record['lang']}] {record['id']}: {record['text']!r}")
    elif wrong:
        print(f"  ({len(wrong)} {split} errors not shown: the test half is not tuned on; --show-test-misses)")
    return total


def corpus_sentences(directory: Path | None = None) -> list[str]:
    """Every distinct sentence of the bundled corpus as the evidence step sees it: the chunks of an ingested store,
    split into sentences and cleaned of markup."""
    from corpus.ingest import IngestSources, ingest
    from corpus.sentences import clean_text, split_sentences
    from corpus.store import Store
    from gyanpath.settings import BUNDLED_CORPUS

    with tempfile.TemporaryDirectory(prefix="gyanpath-bench-injection-") as scratch:
        store = Store.open(Path(scratch) / "store.db")
        try:
            ingest(store, IngestSources.bundle(directory or BUNDLED_CORPUS))
            found = set()
            for stored in store.chunks():
                text = stored.chunk.text
                for sentence in split_sentences(text):
                    cleaned = clean_text(text[sentence.start : sentence.end])
                    if cleaned:
                        found.add(cleaned)
        finally:
            store.close()
    return sorted(found)


def corpus_check(detect: Callable[[str], bool], repeats: int = 5) -> None:
    sentences = corpus_sentences()
    flagged = [s for s in sentences if detect(s)]
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for sentence in sentences:
            detect(sentence)
        best = min(best, time.perf_counter() - started)
    per_sentence = best / len(sentences) * 1e6
    print(
        f"bundled corpus: {len(flagged)} of {len(sentences)} sentences flagged (all false positives); "
        f"{per_sentence:.1f} us per sentence (best of {repeats} passes, {best * 1000:.0f} ms a pass)"
    )
    for sentence in flagged:
        print(f"  corpus false positive: {sentence!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=[*SPLITS, "both"], default="both")
    parser.add_argument("--show-test-misses", action="store_true", help="list the test half's errors too")
    parser.add_argument("--no-corpus", action="store_true", help="skip the bundled-corpus check and timing")
    args = parser.parse_args()

    from tutor.injection import looks_like_instruction

    splits = SPLITS if args.split == "both" else (args.split,)
    for split in splits:
        show = split == "dev" or args.show_test_misses
        report(split, load_split(split), looks_like_instruction, show)
    if not args.no_corpus:
        corpus_check(looks_like_instruction)


if __name__ == "__main__":
    main()
