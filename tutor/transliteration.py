"""Consonant skeletons that let a Devanagari word and its Latin spelling meet: बहराइच and Bahraich both give
``BHRC``. Used to tell whether a place, scheme or loanword of the question occurs in a passage written in the
other script (names are where near-miss questions differ from the material)."""

from __future__ import annotations

import re
import unicodedata

_DEVANAGARI_CLASSES = {
    **dict.fromkeys("कख", "K"),
    **dict.fromkeys("गघ", "G"),
    **dict.fromkeys("चछ", "C"),
    **dict.fromkeys("जझ", "J"),
    **dict.fromkeys("टठतथ", "T"),
    **dict.fromkeys("डढदध", "D"),
    **dict.fromkeys("ङञणनं", "N"),
    **dict.fromkeys("पफ", "P"),
    **dict.fromkeys("बभ", "B"),
    **dict.fromkeys("म", "M"),
    **dict.fromkeys("य", "Y"),
    **dict.fromkeys("रऋृ", "R"),
    **dict.fromkeys("लळ", "L"),
    **dict.fromkeys("व", "V"),
    **dict.fromkeys("शषस", "S"),
    **dict.fromkeys("ह", "H"),
}
_NUKTA = "\u093c"
_FLAPS = {"\u0921" + _NUKTA: "र", "\u0922" + _NUKTA: "र", "\u091c" + _NUKTA: "ज", "\u092b" + _NUKTA: "फ"}
# Latin spellings, longest first; vowels and what is not listed drop out.
_LATIN_CLASSES = [
    ("chh", "C"), ("ch", "C"), ("sh", "S"), ("kh", "K"), ("gh", "G"), ("jh", "J"), ("th", "T"), ("dh", "D"),
    ("ph", "P"), ("bh", "B"), ("ck", "K"), ("qu", "K"), ("ce", "S"), ("ci", "S"), ("cy", "S"), ("x", "KS"),
    ("k", "K"), ("q", "K"), ("c", "K"), ("g", "G"), ("j", "J"), ("z", "J"), ("t", "T"), ("d", "D"), ("n", "N"),
    ("p", "P"), ("f", "P"), ("b", "B"), ("m", "M"), ("y", "Y"), ("r", "R"), ("l", "L"), ("v", "V"), ("w", "V"),
    ("s", "S"), ("h", "H"),
]  # fmt: skip
_LATIN = re.compile("|".join(re.escape(spelling) for spelling, _ in _LATIN_CLASSES))
_LATIN_MAP = dict(_LATIN_CLASSES)
_VOWEL_Y = re.compile(r"y(?![aeiou])")
_WORD = re.compile(r"[A-Za-z]+|[\u0900-\u097f]+")


def skeleton(word: str) -> str:
    """The word's consonant classes with repeats collapsed (``Cuttack`` -> ``KTK``, ``कटक`` -> ``KTK``)."""
    word = unicodedata.normalize("NFC", word)
    if word.isascii():
        latin = _VOWEL_Y.sub("", word.lower())
        classes = "".join(_LATIN_MAP[m.group()] for m in _LATIN.finditer(latin))
    else:
        decomposed = unicodedata.normalize("NFD", word)
        for flap, sound in _FLAPS.items():
            decomposed = decomposed.replace(flap, sound)
        classes = "".join(_DEVANAGARI_CLASSES.get(ch, "") for ch in decomposed)
    collapsed = [c for n, c in enumerate(classes) if n == 0 or c != classes[n - 1]]
    return "".join(collapsed).replace("H", "") if len(collapsed) > 3 else "".join(collapsed)


def skeletons(text: str, min_length: int = 3) -> set[str]:
    return {s for word in _WORD.findall(text) if len(s := skeleton(word)) >= min_length}


def close(a: str, b: str) -> bool:
    """Equal skeletons, or one substitution/insertion apart when both are long enough to make that safe."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def found_in(word_skeleton: str, pool: set[str]) -> bool:
    return word_skeleton in pool or any(close(word_skeleton, other) for other in pool)
