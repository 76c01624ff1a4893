"""Consonant skeletons that let a word meet its spelling in another script: बहराइच, Bahraich, বাহরাইচ, பஹ்ராய்ச்
and بہرائچ all give ``BRC``. Used to tell whether a place, scheme or loanword of the question occurs in a passage
written in another script (names are where near-miss questions differ from the material).

The Brahmic scripts of India share one layout (each Unicode block puts the same letter at the same offset), so a
letter of Bengali, Gurmukhi, Gujarati, Odia, Tamil, Telugu, Kannada or Malayalam is read as the Devanagari letter
at its offset; Urdu letters have their own table."""

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
_WORD = re.compile(
    "[A-Za-z]+|[\u0900-\u097f]+|[\u0980-\u09ff]+|[\u0a00-\u0a7f]+|[\u0a80-\u0aff]+|[\u0b00-\u0b7f]+"
    "|[\u0b80-\u0bff]+|[\u0c00-\u0c7f]+|[\u0c80-\u0cff]+|[\u0d00-\u0d7f]+|[\u0621-\u06ff]+"
)
# Urdu consonants by sound; alif, ain and the vowel letters drop out (yeh and vao count only at a word's start).
_URDU_CLASSES = {
    **dict.fromkeys("کقخ", "K"),
    **dict.fromkeys("گغ", "G"),
    **dict.fromkeys("چ", "C"),
    **dict.fromkeys("جزذضظژ", "J"),
    **dict.fromkeys("ٹتطث", "T"),
    **dict.fromkeys("ڈد", "D"),
    **dict.fromkeys("ڑر", "R"),
    **dict.fromkeys("نں", "N"),
    **dict.fromkeys("پف", "P"),
    **dict.fromkeys("ب", "B"),
    **dict.fromkeys("م", "M"),
    **dict.fromkeys("ل", "L"),
    **dict.fromkeys("سصش", "S"),
    **dict.fromkeys("ہھحه", "H"),
}
_URDU_INITIAL = {"ی": "Y", "ي": "Y", "و": "V"}


def _as_devanagari(char: str) -> str:
    """A letter of another Brahmic script as the Devanagari letter at the same offset of its block."""
    point = ord(char)
    if 0x0980 <= point <= 0x0D7F:
        return chr(0x0900 + (point - 0x0980) % 0x80)
    return char


def _urdu_classes(word: str) -> str:
    first = _URDU_INITIAL.get(word[:1], "")
    return first + "".join(_URDU_CLASSES.get(ch, "") for ch in word[1 if first else 0 :])


def skeleton(word: str) -> str:
    """The word's consonant classes with repeats collapsed (``Cuttack`` -> ``KTK``, ``कटक`` -> ``KTK``)."""
    word = unicodedata.normalize("NFC", word)
    if word.isascii():
        latin = _VOWEL_Y.sub("", word.lower())
        classes = "".join(_LATIN_MAP[m.group()] for m in _LATIN.finditer(latin))
    elif "\u0600" <= word[0] <= "\u06ff":
        classes = _urdu_classes(word)
    else:
        decomposed = "".join(_as_devanagari(ch) for ch in unicodedata.normalize("NFD", word))
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
