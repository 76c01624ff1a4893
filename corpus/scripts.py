"""Writing systems: which script a character belongs to, and the normal form search compares text in.

Search folds spelling variants that readers treat as the same word and keeps the marks that change a word:

* NFC first: a nukta letter typed as one code point (क़ U+0958) or as two (क + ़) becomes one form.
* Nukta folded (क़ -> क, ড় -> ড, ਜ਼ -> ਜ), as Hindi, Bengali and Punjabi readers write both spellings.
* Chandrabindu folded to anusvara (आँकड़े = आंकड़े) in Devanagari, Bengali, Gurmukhi, Gujarati and Odia.
* ZWJ and ZWNJ only steer how a word is drawn, except in two places where they make a different letter:
  a Malayalam consonant + virama + ZWJ is a chillu and becomes the atomic chillu letter (ന്‍ -> ൻ), and the Bengali
  ``র + ZWJ + ্`` is a ra with ya-phala (র‍্যাব), not a reph, and keeps its ZWJ. Everywhere else they are dropped.
* Urdu: Arabic code points that Urdu keyboards also produce are folded to the Urdu letters (ي -> ی, ك -> ک,
  ه -> ہ), and the optional short-vowel marks (zer, zabar, pesh, tashdid ...) are dropped.
* Digits of every script count as ASCII digits (২০২৩ = 2023, ۲۰۲۳ = 2023).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Unicode blocks of each script gyanpath reads (the Arabic script's extension and presentation-form blocks too).
SCRIPT_BLOCKS: dict[str, tuple[tuple[int, int], ...]] = {
    "devanagari": ((0x0900, 0x097F), (0xA8E0, 0xA8FF)),
    "bengali": ((0x0980, 0x09FF),),
    "gurmukhi": ((0x0A00, 0x0A7F),),
    "gujarati": ((0x0A80, 0x0AFF),),
    "odia": ((0x0B00, 0x0B7F),),
    "tamil": ((0x0B80, 0x0BFF),),
    "telugu": ((0x0C00, 0x0C7F),),
    "kannada": ((0x0C80, 0x0CFF),),
    "malayalam": ((0x0D00, 0x0D7F),),
    "arabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
}
# Characters every script uses that belong to none (danda is in the Devanagari block but ends Bengali sentences too).
_SHARED = frozenset("\u0964\u0965\u200c\u200d")
_BRAHMIC = tuple(name for name in SCRIPT_BLOCKS if name != "arabic")


def script_of(char: str) -> str | None:
    """The script of one character: ``latin`` for ASCII letters, a key of :data:`SCRIPT_BLOCKS`, or None."""
    if char in _SHARED:
        return None
    point = ord(char)
    if point < 0x80:
        return "latin" if char.isalpha() else None
    for name, blocks in SCRIPT_BLOCKS.items():
        for low, high in blocks:
            if low <= point <= high:
                return name if unicodedata.category(char)[0] in "LM" else None
    if char.isalpha() and unicodedata.name(char, "").startswith("LATIN"):
        return "latin"
    return None


def script_counts(text: str) -> Counter[str]:
    """How many letters and marks of each script ``text`` holds."""
    counts: Counter[str] = Counter()
    for char in text:
        name = script_of(char)
        if name is not None:
            counts[name] += 1
    return counts


# --- the normal form for search -------------------------------------------------------------------------------------

_NUKTAS = "\u093c\u09bc\u0a3c\u0abc\u0b3c\u0cbc"
_CHANDRABINDU = {
    "\u0901": "\u0902",  # Devanagari
    "\u0981": "\u0982",  # Bengali
    "\u0a01": "\u0a02",  # Gurmukhi adak bindi -> bindi
    "\u0a81": "\u0a82",  # Gujarati
    "\u0b01": "\u0b02",  # Odia
}
_URDU_LETTERS = {
    "\u064a": "\u06cc",  # Arabic yeh -> Farsi/Urdu yeh
    "\u0649": "\u06cc",  # alef maksura -> yeh
    "\u0643": "\u06a9",  # Arabic kaf -> keheh
    "\u0647": "\u06c1",  # Arabic heh -> heh goal
    "\u06c0": "\u06c2",  # heh with yeh above (two spellings of one letter)
    "\u0629": "\u06c3",  # teh marbuta -> Urdu teh marbuta goal
}
# Harakat and the superscript alef: optional vowel marks, rarely written and never needed to tell words apart.
_HARAKAT = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670"
_FOLD = str.maketrans(
    {
        **{n: None for n in _NUKTAS},
        **_CHANDRABINDU,
        **_URDU_LETTERS,
        **{h: None for h in _HARAKAT},
        "\u0640": None,  # tatweel (kashida): a stretched join, not a letter
    }
)
# Malayalam chillu written as consonant + virama + ZWJ, and the atomic chillu letter it means.
_CHILLU = {"ണ": "ൺ", "ന": "ൻ", "ര": "ർ", "ല": "ൽ", "ള": "ൾ", "ക": "ൿ"}
_OLD_CHILLU = re.compile("([ണനരലളക])\u0d4d\u200d")
_BENGALI_YA_PHALA = re.compile("\u09b0\u200d\u09cd")
_JOINERS = re.compile("[\u200c\u200d]")
_KEEP_JOINER = "\ue000"  # a private-use placeholder while the other joiners are dropped


_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")


def fold_digits(text: str) -> str:
    """Digits of any script as ASCII digits."""
    return _NON_ASCII_DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), text)


def search_form(text: str) -> str:
    """``text`` in the form search compares: NFC, lowercased, with the folds this module describes."""
    text = unicodedata.normalize("NFC", text).lower()
    if text.isascii():
        return text
    if "\u200d" in text or "\u200c" in text:
        text = _OLD_CHILLU.sub(lambda m: _CHILLU[m.group(1)], text)
        text = _BENGALI_YA_PHALA.sub("\u09b0" + _KEEP_JOINER + "\u09cd", text)
        text = _JOINERS.sub("", text).replace(_KEEP_JOINER, "\u200d")
    return fold_digits(text.translate(_FOLD))
