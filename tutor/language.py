"""Script-based language detection: enough to tell Hindi (Devanagari) from English."""

from __future__ import annotations

import re

_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str:
    """``hi`` when Devanagari letters make up at least a third of the letters, else ``en``."""
    devanagari = len(_DEVANAGARI.findall(text))
    latin = len(_LATIN.findall(text))
    return "hi" if devanagari and devanagari * 2 >= latin else "en"
