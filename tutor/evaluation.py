"""Tutor evaluation: answer hit rate, citation precision, abstention precision and recall, per language."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import Problem, ValidationError
from corpus.loaders.base import iter_jsonl
from corpus.types import LANGUAGES
from corpus.validation import RecordReader
from tutor.types import Answer


@dataclass(frozen=True)
class TutorQuestion:
    question: str
    answers: tuple[str, ...]
    relevant: frozenset[str]
    lang: str

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def load_questions(path: Path) -> list[TutorQuestion]:
    """Read ``{"question", "answers", "relevant", "lang"}`` lines (empty answers = unanswerable)."""
    questions, problems = [], []
    for line, raw in iter_jsonl(path):
        if isinstance(raw, Problem):
            problems.append(raw)
            continue
        r = RecordReader(raw, str(path), line)
        r.reject_unknown(("question", "answers", "relevant", "lang"))
        question = r.text("question", max_len=1000)
        answers = r.text_list("answers")
        relevant = r.text_list("relevant")
        lang = r.choice("lang", LANGUAGES)
        if answers and not relevant:
            r.fail("relevant", "an answerable question needs the ids of the documents that answer it")
        problems.extend(r.problems)
        if not r.problems and question and lang:
            questions.append(TutorQuestion(question, answers, frozenset(relevant), lang))
    if problems:
        raise ValidationError(problems)
    return questions


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().replace(",", "").split())


def hits_answer(question: TutorQuestion, answer: Answer) -> bool:
    """An acceptable answer string appears in the answer or in its first cited quote."""
    if not answer.answered:
        return False
    haystacks = [_normal(answer.text)] + ([_normal(answer.citations[0].quote)] if answer.citations else [])
    return any(_normal(expected) in hay for expected in question.answers for hay in haystacks)


@dataclass(frozen=True)
class TutorRow:
    group: str
    answerable: int
    unanswerable: int
    answer_hit_rate: float
    citation_precision: float
    abstention_precision: float
    abstention_recall: float

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def _ratio(numerator: float, denominator: int) -> float:
    return numerator / denominator if denominator else float("nan")


def _row(group: str, results: Sequence[tuple[TutorQuestion, Answer]]) -> TutorRow:
    answerable = [(q, a) for q, a in results if q.answerable]
    unanswerable = [(q, a) for q, a in results if not q.answerable]
    answered = [(q, a) for q, a in answerable if a.answered and a.citations]
    abstained = [(q, a) for q, a in results if not a.answered]
    precision = sum(
        len({c.doc_id for c in a.citations} & q.relevant) / len({c.doc_id for c in a.citations}) for q, a in answered
    )
    return TutorRow(
        group=group,
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        answer_hit_rate=_ratio(sum(hits_answer(q, a) for q, a in answerable), len(answerable)),
        citation_precision=_ratio(precision, len(answered)),
        abstention_precision=_ratio(sum(not q.answerable for q, _ in abstained), len(abstained)),
        abstention_recall=_ratio(sum(not a.answered for _, a in unanswerable), len(unanswerable)),
    )


def evaluate_tutor(questions: Sequence[TutorQuestion], ask: Callable[[str], Answer]) -> list[TutorRow]:
    results = [(q, ask(q.question)) for q in questions]
    return score(results)


def score(results: Sequence[tuple[TutorQuestion, Answer]]) -> list[TutorRow]:
    rows = [_row("all", results)]
    for lang in sorted({q.lang for q, _ in results}):
        rows.append(_row(lang, [(q, a) for q, a in results if q.lang == lang]))
    return rows
