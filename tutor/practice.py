"""Practice questions from a course or case study: cloze and multiple choice built from its key facts.

A key fact is a sentence holding a figure (a count, percentage, amount, duration or year). The figure is blanked
out (cloze) or offered among figures of the same kind taken from elsewhere in the document (multiple choice).
Question ids encode where the fact lives, so checking an answer re-reads the source instead of trusting state.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Literal

from corpus.chunking import document_body
from corpus.sentences import sentence_spans
from corpus.types import Document

Kind = Literal["cloze", "mcq"]
BLANK = "_____"
_FIGURE = re.compile(
    r"(?<![\w.])(?:rs\.?\s*|₹\s*)?\d+(?:,\d{2,3})*(?:\.\d+)?\s*(?:%|percent|per cent|crore|lakh|"
    r"days?|hours?|months?|years?|minutes?|km|kg|प्रतिशत|करोड़|लाख|दिनों|दिन|महीनों|महीने|घंटे|वर्ष|साल|मिनट)?",
    re.I,
)
MIN_FACT_CHARS = 40
OPTIONS = 4


@dataclass(frozen=True)
class PracticeQuestion:
    id: str
    kind: Kind
    prompt: str
    options: tuple[str, ...]
    answer: str
    doc_id: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class CheckResult:
    correct: bool
    expected: str
    quote: str
    doc_id: str


def _unit(figure: str) -> str:
    """What kind of figure this is (its unit), so distractors are figures of the same kind; years are a kind."""
    if re.fullmatch(r"(19|20)\d\d", figure.strip()):
        return "#year"
    return re.sub(r"[\d,.\s₹]|rs", "", figure.lower())


def _figures(body: str) -> list[tuple[int, int]]:
    spans = []
    for match in _FIGURE.finditer(body):
        text = match.group().strip()
        if re.fullmatch(r"(19|20)\d\d", text) or len(re.sub(r"\D", "", text)) >= 1:
            spans.append((match.start(), match.start() + len(text)))
    return spans


def key_facts(document: Document) -> list[tuple[int, int, int, int]]:
    """(sentence start, sentence end, figure start, figure end) for sentences that hold a figure."""
    body = document_body(document)
    figures = _figures(body)
    facts = []
    for start, end in sentence_spans(body):
        if end - start < MIN_FACT_CHARS:
            continue
        inside = [(s, e) for s, e in figures if start <= s and e <= end]
        if inside:
            s, e = max(inside, key=lambda span: (_unit(body[span[0] : span[1]]) != "", span[1] - span[0]))
            facts.append((start, end, s, e))
    return facts


def _distractors(body: str, answer: str, rng: random.Random) -> list[str]:
    unit = _unit(answer)
    pool = {body[s:e] for s, e in _figures(body) if _unit(body[s:e]) == unit and body[s:e] != answer}
    options = sorted(pool)
    rng.shuffle(options)
    chosen = options[: OPTIONS - 1]
    number = re.search(r"\d[\d,]*(?:\.\d+)?", answer)
    factor = iter((2, 0.5, 3, 1.5, 0.25))
    while len(chosen) < OPTIONS - 1 and number:
        value = float(number.group().replace(",", "")) * next(factor)
        text = f"{value:g}"
        candidate = answer.replace(number.group(), text, 1)
        if candidate != answer and candidate not in chosen:
            chosen.append(candidate)
    return chosen


def make_questions(
    document: Document, *, count: int = 5, kinds: tuple[Kind, ...] = ("cloze", "mcq")
) -> list[PracticeQuestion]:
    body = document_body(document)
    rng = random.Random(document.id)
    facts = key_facts(document)
    rng.shuffle(facts)
    questions = []
    for n, (start, end, f_start, f_end) in enumerate(facts[:count]):
        kind = kinds[n % len(kinds)]
        answer = body[f_start:f_end]
        stem = re.sub(r"\*\*|^[-*\d.]+\s+", "", (body[start:f_start] + BLANK + body[f_end:end]).strip())
        options: tuple[str, ...] = ()
        if kind == "mcq":
            choices = [answer, *_distractors(body, answer, rng)]
            rng.shuffle(choices)
            options = tuple(choices)
        questions.append(
            PracticeQuestion(
                id=f"{document.id}:{start}:{end}:{f_start}:{f_end}:{kind}",
                kind=kind,
                prompt=f"Fill in the blank: {stem}" if kind == "cloze" else f"Which completes it? {stem}",
                options=options,
                answer=answer,
                doc_id=document.id,
                quote=body[start:end],
                start=start,
                end=end,
            )
        )
    return questions


def parse_question_id(question_id: str) -> tuple[str, int, int, int, int]:
    """(doc id, sentence start, sentence end, figure start, figure end); ValueError when malformed."""
    parts = question_id.rsplit(":", 5)
    if len(parts) != 6 or parts[5] not in ("cloze", "mcq"):
        raise ValueError(f"question_id: not a practice question id: {question_id!r}")
    doc_id, *numbers, _ = parts
    start, end, f_start, f_end = (int(x) for x in numbers)
    return doc_id, start, end, f_start, f_end


def _normal(text: str) -> str:
    text = text.lower().replace(",", "").replace("per cent", "percent").replace("%", " percent")
    return " ".join(text.split())


def check_answer(document: Document, question_id: str, response: str) -> CheckResult:
    _, start, end, f_start, f_end = parse_question_id(question_id)
    body = document_body(document)
    if not (0 <= start <= f_start < f_end <= end <= len(body)):
        raise ValueError("question_id: does not point at a fact of this document (it may have changed)")
    expected = body[f_start:f_end]
    given, wanted = _normal(response), _normal(expected)
    numbers = re.findall(r"\d+(?:\.\d+)?", wanted)
    correct = given == wanted or (bool(numbers) and re.findall(r"\d+(?:\.\d+)?", given) == numbers)
    return CheckResult(correct, expected, body[start:end], document.id)
