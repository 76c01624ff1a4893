"""Strip text a reader cannot see but a model would: zero-width and bidi control characters, HTML comments and
elements hidden by markup. What was removed is reported, so an ingest run can say which records carried it."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Zero-width and bidi controls (LRM/RLM/ALM too), invisible operators, and the Unicode tag characters (invisible
# ASCII: U+E0000-E007F).
_INVISIBLE = re.compile(
    "[\u200b\u200e\u200f\u061c\u2060-\u2064\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]"
)
# ZWJ/ZWNJ shape conjuncts and letters in the Indic scripts (a Malayalam chillu, a Telugu half form, a Bengali
# ya-phala) and word parts in Urdu: kept after a letter or mark of those scripts, when no Latin letter or digit
# follows; anywhere else they only hide text (or split a word to slip it past a filter).
_SCRIPTS = "\u0900-\u0d7f\u0600-\u06ff\u0750-\u077f"
_JOINER_OUTSIDE_SCRIPTS = re.compile(rf"(?<![{_SCRIPTS}])[\u200c\u200d]|[\u200c\u200d](?=[A-Za-z0-9])")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
MAX_TAG = 2000
"""Longest opening tag looked at. A tag's attributes stop at the first ``<`` or ``>`` and at this many characters,
so a text of unclosed ``<a hidden`` fragments costs linear time, not quadratic (an author's 20 kB description of
them took 23 s of CPU)."""
_HIDDEN_OPENING = re.compile(
    r"<(?P<tag>[a-z][a-z0-9]*)\b[^<>]{0,2000}?(?:\bhidden\b|display\s*:\s*none|visibility\s*:\s*hidden"
    r"|font-size\s*:\s*0|opacity\s*:\s*0(?:\.0+)?\s*[;\"'])[^<>]{0,2000}>",
    re.I | re.S,
)


def _strip_hidden_elements(text: str) -> tuple[str, int]:
    """Remove each element hidden by markup with everything up to its *matching* closing tag (same-name elements
    nested inside are counted), or to the end of the text when it is never closed."""
    count, position = 0, 0
    while (opening := _HIDDEN_OPENING.search(text, position)) is not None:
        tag = re.compile(rf"<(/?){re.escape(opening.group('tag'))}\b[^<>]{{0,{MAX_TAG}}}>", re.I)
        depth, end = 1, len(text)
        for tag_match in tag.finditer(text, opening.end()):
            depth += -1 if tag_match.group(1) else 1
            if depth == 0:
                end = tag_match.end()
                break
        text = text[: opening.start()] + text[end:]
        count += 1
        # Nothing before the removed element matched; a tag rebuilt across the cut starts at most a tag back.
        position = max(0, opening.start() - MAX_TAG - 2)
    return text, count


@dataclass(frozen=True)
class Sanitized:
    text: str
    removed: tuple[str, ...]
    """What kinds of hidden content were removed (empty when the text was clean)."""


def strip_hidden(text: str) -> Sanitized:
    """Invisible characters first (so that ``display:\u200bnone`` or ``<!\u200b--`` cannot hide from the markup
    patterns and become hidden markup once they are removed), then comments and hidden elements."""
    removed = []
    for name, pattern in (
        ("zero-width or bidi control character", _INVISIBLE),
        ("zero-width joiner outside an Indian-script word", _JOINER_OUTSIDE_SCRIPTS),
        ("HTML comment", _COMMENT),
    ):
        text, count = pattern.subn("", text)
        if count:
            removed.append(f"{count} {name}{'s' if count > 1 else ''}")
    text, count = _strip_hidden_elements(text)
    if count:
        removed.append(f"{count} hidden HTML element{'s' if count > 1 else ''}")
    return Sanitized(text, tuple(removed))
