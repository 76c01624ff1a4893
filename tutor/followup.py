"""Resolve follow-up questions ("and what about in rural areas?") against the conversation so far."""

from __future__ import annotations

import re
from collections.abc import Sequence

from corpus.lexical import tokenize
from tutor.types import Turn

_FOLLOW_UP_START = re.compile(
    r"^\s*(and|but|also|so|then|what about|how about|in that case|same for|और|तो|लेकिन|फिर|इसके अलावा)\b", re.I
)
_REFERENCE = re.compile(
    r"\b(it|its|this|that|these|those|they|them|their|there|he|she|the same)\b"
    r"|(?:^|\s)(यह|वह|इस|उस|इन|उन|वे|ये|वहाँ|इसमें|उसमें|उनमें)(?=\s|$|[?।,])",
    re.I,
)
SHORT_QUESTION_TERMS = 3


def is_follow_up(question: str) -> bool:
    return bool(
        _FOLLOW_UP_START.search(question)
        or _REFERENCE.search(question)
        or len(tokenize(question)) <= SHORT_QUESTION_TERMS
    )


def retrieval_query(question: str, history: Sequence[Turn]) -> str:
    """The question itself, or, for a follow-up, the previous question and this one together."""
    if not history or not is_follow_up(question):
        return question
    return f"{history[-1].resolved_question} {question}"
