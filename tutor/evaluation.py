"""Tutor evaluation: did the cited sentence hold the answer, did the tutor abstain when it should, how fast.

Measures, per group of questions (all, per language, per kind, per split, per language and kind):

* ``first_quote_hit_rate``: of the answerable questions, the share whose gold answer is in the *first* citation's
  quote (the sentence a reader sees first); the answer text does not count here.
* ``any_quote_hit_rate``: the share whose gold answer is in any citation's quote or in the answer text.
* ``citation_precision``: of the answerable questions answered with citations, the mean share of cited documents
  that are labelled relevant.
* abstention precision and recall (abstaining is the positive call for an unanswerable question), and
  ``abstention_auc``: the ROC AUC of ``Answer.support`` separating answerable (positive) from unanswerable
  questions, threshold-free.
* latency p50 and p95 of the whole ``ask`` call, in milliseconds.

A gold answer matches only as a whole token sequence: "9" is not found in "19" or "9.7", "36" not in "360".
Undefined values (a rate over no question, an AUC with one class missing) are ``None``, never NaN, so
:meth:`TutorRow.as_dict` and :meth:`QuestionRecord.as_dict` are strict JSON.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from corpus.errors import Problem, ValidationError
from corpus.evaluation import unknown_id_problems
from corpus.loaders.base import iter_jsonl
from corpus.scripts import fold_digits
from corpus.types import LANGUAGES
from corpus.validation import RecordReader
from tutor.types import Answer

SPLITS = ("dev", "test")
FIELDS = ("question", "answers", "relevant", "lang", "id", "split", "kind", "pair")
KIND_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
VERDICTS = ("hit-first", "hit-other", "miss", "abstained-correct", "abstained-wrong", "answered-unanswerable")
"""Per question: answered with the gold answer in the first quote, in another quote (or the answer text only),
answered without it; abstained on an unanswerable question, on an answerable one; answered an unanswerable one."""


@dataclass(frozen=True)
class TutorQuestion:
    question: str
    answers: tuple[str, ...]
    relevant: frozenset[str]
    lang: str
    id: str = ""
    split: str | None = None
    """``dev`` or ``test`` (thresholds and models are fitted on dev only), or None when the set has no halves."""
    kind: str = ""
    """A short label such as answerable, crosslingual, near_miss, off_topic, wrapped, bullet or pdf; by default
    ``answerable`` when the question has answers, else ``unanswerable``."""
    pair: str | None = None
    """The id of the question this one was made from (a near miss beside its answerable original)."""
    source: str | None = None
    line: str | None = None

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", "answerable" if self.answers else "unanswerable")

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_questions(*paths: Path) -> list[TutorQuestion]:
    """Read ``{"question", "answers", "relevant", "lang"}`` lines (empty answers = unanswerable), with optional
    ``id``, ``split`` (dev or test), ``kind`` and ``pair`` (the id of another question), from one or more files.

    Ids default to ``line-N`` (``FILE:line-N`` when several files are read) and must be unique across the files;
    ``pair`` must name one of the questions read. Every bad line is reported (file, line and field) in one
    :class:`ValidationError`.
    """
    questions: list[TutorQuestion] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        for line, raw in iter_jsonl(path):
            if isinstance(raw, Problem):
                problems.append(raw)
                continue
            r = RecordReader(raw, str(path), line)
            r.reject_unknown(FIELDS)
            question = r.text("question", max_len=1000)
            answers = r.text_list("answers")
            relevant = r.text_list("relevant")
            lang = r.choice("lang", LANGUAGES)
            qid = r.text("id", required=False, max_len=120)
            split = r.choice("split", SPLITS, required=False)
            kind = r.text("kind", required=False, max_len=40)
            pair = r.text("pair", required=False, max_len=120)
            if answers and not relevant:
                r.fail("relevant", "an answerable question needs the ids of the documents that answer it")
            if kind is not None and not KIND_PATTERN.match(kind):
                r.fail("kind", f"expected a short label of lowercase letters, digits, '_' or '-', got {kind!r}")
            elif kind == "answerable" and not answers:
                r.fail("kind", "kind 'answerable' needs at least one answer")
            elif kind == "unanswerable" and answers:
                r.fail("kind", "kind 'unanswerable' must have no answers")
            qid = qid or (f"{path.name}:line-{line}" if len(paths) > 1 else f"line-{line}")
            if qid in seen:
                r.fail("id", f"{qid!r} is already the id of the question at {seen[qid]}")
            seen.setdefault(qid, f"{path}:{line}")
            if pair is not None and pair == qid:
                r.fail("pair", "a question cannot be its own pair")
            problems.extend(r.problems)
            if not r.problems and question and lang:
                questions.append(
                    TutorQuestion(
                        question, answers, frozenset(relevant), lang, qid, split, kind or "", pair, str(path), line
                    )
                )
    ids = {q.id for q in questions}
    for q in questions:
        if q.pair is not None and q.pair not in ids:
            problems.append(Problem(q.source or "questions", q.line, "pair", f"no question has the id {q.pair!r}"))
    if problems:
        raise ValidationError(problems)
    return questions


def check_known_ids(questions: Iterable[TutorQuestion], known_ids: Collection[str]) -> None:
    """Raise :class:`ValidationError` naming every ``relevant`` id that is not in ``known_ids`` (the store's
    document ids), first all of them on one line, then the file and line of each question that uses one."""
    problems = unknown_id_problems(((q.relevant, q.source, q.line) for q in questions), known_ids)
    if problems:
        raise ValidationError(problems)


# -- matching ----------------------------------------------------------------------------------------------------
_NUMBER_COMMA = re.compile(r"(?<=\d),(?=\d)")


def normalize(text: str) -> str:
    """NFC, lowercase, digits of every script as ASCII, commas inside numbers removed ("3,108" -> "3108"), whitespace
    collapsed to single spaces."""
    text = fold_digits(unicodedata.normalize("NFC", text).lower())
    return " ".join(_NUMBER_COMMA.sub("", text).split())


def _word(ch: str) -> bool:
    """Letters, digits and combining marks (Devanagari vowel signs and viramas) continue a token; Python's ``\\b``
    treats those marks as non-word characters, so it cannot be used for Hindi."""
    return unicodedata.category(ch)[0] in "LNM"


def _indic_letter(ch: str) -> bool:
    """A letter or mark of an Indian script (Devanagari to Malayalam) or of Urdu's."""
    return ("\u0900" <= ch <= "\u0d7f" or "\u0600" <= ch <= "\u06ff") and not ch.isdigit()


def _bounded(hay: str, start: int, end: int) -> bool:
    """Whether ``hay[start:end]`` is a whole token sequence: no letter, digit or mark runs on across either edge,
    and a number is not part of a longer decimal ("9" in "9.7", "7" in "9.7"). A number may be followed by a
    classifier or case ending of an Indian script written onto it ("3,108টি", "2,146ଟି", "4,926-ஐ")."""
    first, last = hay[start], hay[end - 1]
    if start > 0:
        before = hay[start - 1]
        if _word(first) and _word(before):
            return False
        if first.isdigit() and before == "." and start > 1 and hay[start - 2].isdigit():
            return False
    if end < len(hay):
        after = hay[end]
        if _word(last) and _word(after) and not (last.isdigit() and _indic_letter(after)):
            return False
        if last.isdigit() and after == "." and end + 1 < len(hay) and hay[end + 1].isdigit():
            return False
    return True


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """Whether any of ``answers`` occurs in ``text`` as a whole token sequence, after :func:`normalize`."""
    hay = normalize(text)
    for expected in answers:
        needle = normalize(expected)
        if not needle:
            continue
        start = hay.find(needle)
        while start != -1:
            if _bounded(hay, start, start + len(needle)):
                return True
            start = hay.find(needle, start + 1)
    return False


def first_quote_hit(question: TutorQuestion, answer: Answer) -> bool:
    """The answer was given and its first citation's quote holds a gold answer (the answer text does not count)."""
    return answer.answered and bool(answer.citations) and contains_answer(answer.citations[0].quote, question.answers)


def any_quote_hit(question: TutorQuestion, answer: Answer) -> bool:
    """The answer was given and a gold answer is in any citation's quote or in the answer text."""
    if not answer.answered:
        return False
    return any(contains_answer(text, question.answers) for text in (answer.text, *(c.quote for c in answer.citations)))


hits_answer = any_quote_hit
"""The name this measure had before first-quote hits were counted apart."""


# -- statistics ---------------------------------------------------------------------------------------------------
def roc_auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """The probability that a random positive scores above a random negative, ties counting half (the
    Mann-Whitney form of the ROC AUC); None when either class is empty. NaN scores count as -inf."""
    if not positives or not negatives:
        return None
    scored = sorted(
        [(-math.inf if math.isnan(s) else s, True) for s in positives]
        + [(-math.inf if math.isnan(s) else s, False) for s in negatives],
        key=lambda item: item[0],
    )
    positive_rank_sum, i = 0.0, 0
    while i < len(scored):
        j = i
        while j < len(scored) and scored[j][0] == scored[i][0]:
            j += 1
        average_rank = (i + 1 + j) / 2  # the tied group holds ranks i+1 .. j
        positive_rank_sum += average_rank * sum(1 for _, positive in scored[i:j] if positive)
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return (positive_rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation between order statistics; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ratio(numerator: float, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _finite(value: float | None, digits: int = 4) -> float | None:
    return round(value, digits) if value is not None and math.isfinite(value) else None


# -- per question -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QuoteRecord:
    doc_id: str
    quote: str
    start: int
    end: int
    page: int | None


@dataclass(frozen=True)
class QuestionRecord:
    """What happened to one question: enough to read a miss without rerunning it."""

    id: str
    question: str
    lang: str
    kind: str
    split: str | None
    pair: str | None
    gold: tuple[str, ...]
    relevant: tuple[str, ...]
    answered: bool
    answer: str
    reason: str | None
    quotes: tuple[QuoteRecord, ...]
    support: float
    """``Answer.support`` as given (``-inf`` when nothing was retrieved); ``None`` in :meth:`as_dict` if not finite."""
    retrieved: tuple[str, ...]
    """The ids of the related documents the tutor offered (``Answer.related``), best first."""
    verdict: str
    first_quote_hit: bool
    any_quote_hit: bool
    ms: float | None

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "lang": self.lang,
            "kind": self.kind,
            "split": self.split,
            "pair": self.pair,
            "gold": list(self.gold),
            "relevant": list(self.relevant),
            "answered": self.answered,
            "answer": self.answer,
            "reason": self.reason,
            "quotes": [q.__dict__.copy() for q in self.quotes],
            "support": _finite(self.support),
            "retrieved": list(self.retrieved),
            "verdict": self.verdict,
            "first_quote_hit": self.first_quote_hit,
            "any_quote_hit": self.any_quote_hit,
            "ms": _finite(self.ms, 2),
        }


def verdict(question: TutorQuestion, answer: Answer) -> str:
    """One of :data:`VERDICTS`."""
    if not question.answerable:
        return "answered-unanswerable" if answer.answered else "abstained-correct"
    if not answer.answered:
        return "abstained-wrong"
    if first_quote_hit(question, answer):
        return "hit-first"
    return "hit-other" if any_quote_hit(question, answer) else "miss"


def record(question: TutorQuestion, answer: Answer, ms: float | None = None) -> QuestionRecord:
    return QuestionRecord(
        id=question.id,
        question=question.question,
        lang=question.lang,
        kind=question.kind,
        split=question.split,
        pair=question.pair,
        gold=question.answers,
        relevant=tuple(sorted(question.relevant)),
        answered=answer.answered,
        answer=answer.text,
        reason=answer.reason,
        quotes=tuple(QuoteRecord(c.doc_id, c.quote, c.start, c.end, c.page) for c in answer.citations),
        support=answer.support,
        retrieved=tuple(r.doc_id for r in answer.related),
        verdict=verdict(question, answer),
        first_quote_hit=first_quote_hit(question, answer),
        any_quote_hit=any_quote_hit(question, answer),
        ms=ms,
    )


# -- per group ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TutorRow:
    group: str
    """``all``; a language (``en``); ``kind=near_miss``; ``split=dev``; or a language and kind (``hi kind=pdf``)."""
    questions: int
    answerable: int
    unanswerable: int
    answered: int
    abstained: int
    first_quote_hit_rate: float | None
    any_quote_hit_rate: float | None
    citation_precision: float | None
    abstention_precision: float | None
    abstention_recall: float | None
    abstention_auc: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    lang: str | None = None
    kind: str | None = None
    split: str | None = None

    @property
    def answer_hit_rate(self) -> float | None:
        """The any-quote hit rate (the measure's name before first-quote hits were counted apart)."""
        return self.any_quote_hit_rate

    def as_dict(self) -> dict[str, Any]:
        """Strict JSON: counts, rates rounded to 4 places, milliseconds to 2, and None (never NaN) where undefined."""
        return {
            key: _finite(value, 2 if key.endswith("_ms") else 4) if isinstance(value, float) else value
            for key, value in self.__dict__.items()
        }


def summarise(records: Sequence[QuestionRecord], group: str = "all", **facets: str | None) -> TutorRow:
    """One row over ``records``; ``facets`` (lang, kind, split) only label it."""
    answerable = [r for r in records if r.answerable]
    unanswerable = [r for r in records if not r.answerable]
    abstained = [r for r in records if not r.answered]
    cited = [r for r in answerable if r.answered and r.quotes]
    precision = sum(
        len({q.doc_id for q in r.quotes} & set(r.relevant)) / len({q.doc_id for q in r.quotes}) for r in cited
    )
    timed = [r.ms for r in records if r.ms is not None]
    return TutorRow(
        group=group,
        questions=len(records),
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        answered=len(records) - len(abstained),
        abstained=len(abstained),
        first_quote_hit_rate=_ratio(sum(r.first_quote_hit for r in answerable), len(answerable)),
        any_quote_hit_rate=_ratio(sum(r.any_quote_hit for r in answerable), len(answerable)),
        citation_precision=_ratio(precision, len(cited)),
        abstention_precision=_ratio(sum(not r.answerable for r in abstained), len(abstained)),
        abstention_recall=_ratio(sum(not r.answered for r in unanswerable), len(unanswerable)),
        abstention_auc=roc_auc([r.support for r in answerable], [r.support for r in unanswerable]),
        latency_p50_ms=percentile(timed, 50),
        latency_p95_ms=percentile(timed, 95),
        lang=facets.get("lang"),
        kind=facets.get("kind"),
        split=facets.get("split"),
    )


def rows_for(records: Sequence[QuestionRecord]) -> list[TutorRow]:
    """``all``, then one row per language (always), per kind and per split (when the set has more than one), and
    per language and kind (when there are several of both)."""
    langs = sorted({r.lang for r in records})
    kinds = sorted({r.kind for r in records})
    splits = sorted({r.split for r in records if r.split is not None})
    several_splits = len({r.split for r in records}) > 1
    rows = [summarise(records)]
    rows += [summarise([r for r in records if r.lang == lang], lang, lang=lang) for lang in langs]
    if len(kinds) > 1:
        rows += [summarise([r for r in records if r.kind == kind], f"kind={kind}", kind=kind) for kind in kinds]
    if several_splits:
        rows += [summarise([r for r in records if r.split == s], f"split={s}", split=s) for s in splits]
    if len(kinds) > 1 and len(langs) > 1:
        for lang in langs:
            for kind in kinds:
                chosen = [r for r in records if r.lang == lang and r.kind == kind]
                if chosen:
                    rows.append(summarise(chosen, f"{lang} kind={kind}", lang=lang, kind=kind))
    return rows


class TutorEvaluation(NamedTuple):
    rows: list[TutorRow]
    records: list[QuestionRecord]


def evaluate_tutor(questions: Sequence[TutorQuestion], ask: Callable[[str], Answer]) -> TutorEvaluation:
    """Ask every question (timing each call with ``time.perf_counter``) and score the answers."""
    records = []
    for question in questions:
        started = time.perf_counter()
        answer = ask(question.question)
        records.append(record(question, answer, (time.perf_counter() - started) * 1000))
    return TutorEvaluation(rows_for(records), records)


def score(
    results: Sequence[tuple[TutorQuestion, Answer]], latencies_ms: Sequence[float] | None = None
) -> list[TutorRow]:
    """Rows for answers obtained elsewhere (``latencies_ms``, parallel to ``results``, if they were timed)."""
    times: Sequence[float | None] = latencies_ms if latencies_ms is not None else [None] * len(results)
    if len(times) != len(results):
        raise ValueError(f"{len(results)} results but {len(times)} latencies")
    return rows_for([record(q, a, ms) for (q, a), ms in zip(results, times, strict=True)])
