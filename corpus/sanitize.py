"""Strip text a reader cannot see but a model would: zero-width and bidi control characters, HTML comments and
elements hidden by markup. What was removed is reported, so an ingest run can say which records carried it."""

from __future__ import annotations

import re
from dataclasses import dataclass

_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069]")
# ZWJ/ZWNJ shape conjuncts and letters in the Indic scripts (a Malayalam chillu, a Telugu half form, a Bengali
# ya-phala) and word parts in Urdu: kept after a letter or mark of those scripts, when no Latin letter or digit
# follows; anywhere else they only hide text (or split a word to slip it past a filter).
_SCRIPTS = "\u0900-\u0d7f\u0600-\u06ff\u0750-\u077f"
_JOINER_OUTSIDE_SCRIPTS = re.compile(rf"(?<![{_SCRIPTS}])[\u200c\u200d]|[\u200c\u200d](?=[A-Za-z0-9])")
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
        ("zero-width joiner outside an Indian-script word", _JOINER_OUTSIDE_SCRIPTS),
    ):
        text, count = pattern.subn("", text)
        if count:
            removed.append(f"{count} {name}{'s' if count > 1 else ''}")
    return Sanitized(text, tuple(removed))
