"""The languages gyanpath stores and serves: ISO 639-1 code, names, script and writing direction.

Every other module takes its list of languages from here, so adding a language is one entry (plus its script in
:mod:`corpus.scripts` if the script is new).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["ltr", "rtl"]


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1
    name: str  # English name
    autonym: str  # the language's name in its own script, as a selector shows it
    script: str  # the script's name as corpus.scripts knows it
    direction: Direction = "ltr"


REGISTRY: tuple[Language, ...] = (
    Language("en", "English", "English", "latin"),
    Language("hi", "Hindi", "हिन्दी", "devanagari"),
    Language("ur", "Urdu", "اردو", "arabic", "rtl"),
    Language("bn", "Bengali", "বাংলা", "bengali"),
    Language("as", "Assamese", "অসমীয়া", "bengali"),
    Language("mr", "Marathi", "मराठी", "devanagari"),
    Language("gu", "Gujarati", "ગુજરાતી", "gujarati"),
    Language("pa", "Punjabi", "ਪੰਜਾਬੀ", "gurmukhi"),
    Language("or", "Odia", "ଓଡ଼ିଆ", "odia"),
    Language("ta", "Tamil", "தமிழ்", "tamil"),
    Language("te", "Telugu", "తెలుగు", "telugu"),
    Language("kn", "Kannada", "ಕನ್ನಡ", "kannada"),
    Language("ml", "Malayalam", "മലയാളം", "malayalam"),
)
BY_CODE: dict[str, Language] = {language.code: language for language in REGISTRY}
LANGUAGES: tuple[str, ...] = tuple(language.code for language in REGISTRY)


def language(code: str) -> Language:
    """The registry entry of ``code``; a ``KeyError`` names the codes that exist."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown language {code!r}: expected one of {', '.join(LANGUAGES)}") from None


def describe(code: str) -> str:
    """``"Tamil (தமிழ்)"``: how messages name a language."""
    entry = BY_CODE.get(code)
    if entry is None:
        return code
    return entry.name if entry.name == entry.autonym else f"{entry.name} ({entry.autonym})"
