"""Strip text a reader cannot see but a model would: zero-width and bidi control characters, HTML comments and
elements hidden by markup. What was removed is reported, so an ingest run can say which records carried it."""

from __future__ import annotations

import re
from dataclasses import dataclass

_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069]")
# ZWJ/ZWNJ shape Devanagari conjuncts; anywhere else they only hide text.
_JOINER_OUTSIDE_DEVANAGARI = re.compile(r"(?<![\u0900-\u097f])[\u200c\u200d]|[\u200c\u200d](?![\u0900-\u097f])")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_HIDDEN_ELEMENT = re.compile(
    r"<(?P<tag>[a-z][a-z0-9]*)\b[^>]*(?:\bhidden\b|display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0"
    r"|opacity\s*:\s*0(?:\.0+)?\s*[;\"'])[^>]*>.*?</(?P=tag)\s*>",
    re.I | re.S,
)


@dataclass(frozen=True)
class Sanitized:
    text: str
    removed: tuple[str, ...]
    """What kinds of hidden content were removed (empty when the text was clean)."""


def strip_hidden(text: str) -> Sanitized:
    removed = []
    for name, pattern in (
        ("hidden HTML element", _HIDDEN_ELEMENT),
        ("HTML comment", _COMMENT),
        ("zero-width or bidi control character", _INVISIBLE),
        ("zero-width joiner outside Devanagari", _JOINER_OUTSIDE_DEVANAGARI),
    ):
        text, count = pattern.subn("", text)
        if count:
            removed.append(f"{count} {name}{'s' if count > 1 else ''}")
    return Sanitized(text, tuple(removed))
