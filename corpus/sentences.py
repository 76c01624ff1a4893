"""Sentences of stored text as a reader sees them: wrapped lines reflowed, list items kept whole, markup removed.

Stored bodies arrive hard-wrapped (Markdown at ~120 columns, PDF text at the page's line width), so a newline is not a
sentence end. Text is first cut into *blocks* (a paragraph, a list item with its continuation lines, a heading, a
table row); inside a block, newlines are plain spaces and a sentence ends at ``.``, ``!``, ``?``, the danda ``।``
and double danda ``॥`` (Hindi, Marathi, Bengali, Assamese, Odia, Punjabi) or the Urdu full stop ``۔`` and question
mark ``؟``, when the next word starts a sentence and the word before is not a known abbreviation (English, and
"डॉ.", "ரூ.", "திரு." and the like in Indian scripts). Offsets always index the
original text, so a citation can quote :func:`clean_text` of ``text[start:end]`` while the UI highlights the raw span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•+]|\d{1,3}[.)]|\(?[a-z]\)|\(\d{1,3}\))[ \t]+(?=\S)")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+")
_TABLE_ROW = re.compile(r"[ \t]*\|")
_TABLE_RULE = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}")
# A sentence-final mark, any closing quotes, brackets or emphasis markers after it, then whitespace.
_END = re.compile(r"[.!?।॥۔؟]+[\"'”’)\]*_]*(?=\s)")
# Letters of the scripts without letter case: any of them may start a sentence (Indic blocks, Arabic letters).
_UNCASED = "\u0900-\u0d7f\u0621-\u064a\u066e-\u06d3\u06d5-\u06ff\u0750-\u077f"
_STARTER = re.compile(rf"[\"'“‘(\[*_]*[A-Z0-9{_UNCASED}₹]")
_ABBREVIATIONS = frozenset(
    "rs dr mr mrs ms smt sh shri km kms no nos st vs etc e.g i.e approx govt dept sec viz hon prof sr jr lt col gen "
    "capt maj supdt asst addl dist distt ch fig vol pp art cl para sq ft hrs min mins max nos. inc ltd co u.p m.p "
    "dy jt spl retd".split()
)
_INDIC_ABBREVIATIONS = frozenset(
    (
        "डॉ श्री श्रीमती सं क्र रु कि मी प्रो मो ई पृ ले स डी सौ "  # Hindi, Marathi
        "ডা ড শ্রী টা নং "  # Bengali, Assamese
        "ਡਾ ਸ੍ਰੀ ਸ਼੍ਰੀ ਰੁ ਨੰ "  # Punjabi
        "ડૉ ડો શ્રી રૂ નં "  # Gujarati
        "ଡ ଡା ଶ୍ରୀ ଟ ନଂ "  # Odia
        "திரு திருமதி செல்வி டாக்டர் ரூ எண் "  # Tamil
        "డా శ్రీ రూ నం "  # Telugu
        "ಡಾ ಶ್ರೀ ರೂ ನಂ "  # Kannada
        "ഡോ ശ്രീ രൂ നം"  # Malayalam
    ).split()
)
_WORD_BEFORE = re.compile(rf"([\w.{_UNCASED}]+)[.]$")
_BOLD_LEAD = re.compile(r"^(\*\*|__)[^*_]+(\*\*|__)$")


@dataclass(frozen=True)
class Sentence:
    """A sentence's offsets in the text it was split from; ``block`` numbers the paragraph or list item."""

    start: int
    end: int
    block: int
    in_list: bool


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text[start:end]``."""
    return [(s.start, s.end) for s in split_sentences(text, start, end)]


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """The sentences of ``text[start:end]`` in order, each trimmed of whitespace and list markers."""
    stop = len(text) if end is None else end
    sentences: list[Sentence] = []
    for number, (b_start, b_end, in_list) in enumerate(_blocks(text, start, stop)):
        for s_start, s_end in _split_block(text, b_start, b_end):
            sentences.append(Sentence(s_start, s_end, number, in_list))
    return sentences


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cursor = start
    while cursor < end:
        newline = text.find("\n", cursor, end)
        line_end = end if newline < 0 else newline
        yield cursor, line_end
        cursor = line_end + 1


def _blocks(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_list_item) of each paragraph, list item, heading or table row, whitespace trimmed."""
    lines = list(_lines(text, start, end))
    width = max((len(text[a:b].rstrip()) for a, b in lines), default=0)
    current: list[int] | None = None  # [start, end, is_item, is_single_line]
    previous, previous_opens = "", True
    for line_start, line_end in lines:
        line = text[line_start:line_end]
        if not line.strip() or (_TABLE_RULE.match(line) and not line.strip("|-: \t")):
            if current is not None:
                yield current[0], current[1], bool(current[2])
            current, previous, previous_opens = None, "", True
            continue
        marker = _LIST_ITEM.match(line)
        heading = _HEADING.match(line)
        table = _TABLE_ROW.match(line)
        single = bool(heading or table)
        opens = bool(marker or single)
        if current is not None and (opens or current[3] or _ends_paragraph(previous, previous_opens, line, width)):
            yield current[0], current[1], bool(current[2])
            current = None
        previous_opens = current is None or previous.rstrip().endswith(_FINAL_MARKS)
        if current is None:
            lead = (marker or heading or _LEADING_SPACE.match(line)).end()  # type: ignore[union-attr]
            current = [line_start + lead, line_end, int(bool(marker)), int(single)]
        else:
            current[1] = line_end
        previous = line
    if current is not None:
        yield current[0], current[1], bool(current[2])


_LEADING_SPACE = re.compile(r"[ \t]*")
_NEW_PARAGRAPH = re.compile(rf"[ \t]*[A-Z0-9{_UNCASED}\"“(]")
_CAPITALISED = re.compile(rf"[ \t]*[A-Z{_UNCASED}\"“]")
_FINAL_MARKS = (".", "!", "?", "।", "॥", "۔", "؟", ":", '."', ".”")


def _ends_paragraph(previous: str, previous_opens: bool, line: str, width: int) -> bool:
    """Text without blank lines (PDF pages): a wrapped line runs close to the page's width, so a short line ends
    its paragraph when it ends a sentence, or is a heading when it stands alone between sentences."""
    shown = previous.strip()
    if not shown or len(shown) >= 0.6 * width:
        return False
    if shown.endswith(_FINAL_MARKS):
        return bool(_NEW_PARAGRAPH.match(line))
    marker = _LIST_ITEM.match(previous)
    title = previous[marker.end() :] if marker else previous
    if marker and line[:1].isspace():  # an indented line continues its list item
        return False
    return previous_opens and bool(_CAPITALISED.match(title)) and bool(_CAPITALISED.match(line))


def _split_block(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cursor = start
    pending: int | None = None
    for match in _END.finditer(text, start, end):
        after = _skip_space(text, match.end(), end)
        if after >= end or not _STARTER.match(text, after):
            continue
        if _is_abbreviation(text, cursor, match):
            continue
        span = _trim(text, cursor, match.end())
        cursor = after
        if span is None:
            continue
        if pending is not None:
            span = (pending, span[1])
            pending = None
        if _BOLD_LEAD.match(text[span[0] : span[1]]):  # "**Step one.** The survey found ..." is one sentence
            pending = span[0]
            continue
        yield span
    last = _trim(text, cursor, end)
    if last is not None:
        yield (pending if pending is not None else last[0]), last[1]
    elif pending is not None:  # pragma: no cover - a bold lead-in always has text after it here
        yield pending, cursor


def _skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


def _is_abbreviation(text: str, sentence_start: int, match: re.Match[str]) -> bool:
    mark = match.group()
    if not mark.startswith(".") or mark.startswith(".."):
        return False
    before = _WORD_BEFORE.search(text, sentence_start, match.start() + 1)
    if before is None:
        return False
    word = before.group(1).lower().rstrip(".")
    if len(word) == 1 and word.isalpha() and word.isascii():  # an initial: "A. K. Sharma"
        return True
    return word in _ABBREVIATIONS or word in _INDIC_ABBREVIATIONS or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


_MARKUP = [
    (re.compile(r"\n[ \t]*(?:[-*•+]|\d{1,3}[.)]|\(?[a-z]\)|\(\d{1,3}\))[ \t]+"), "\n"),  # list markers
    (re.compile(r"\n[ \t]{0,3}#{1,6}[ \t]+"), "\n"),  # heading marks
    (re.compile(r"!?\[([^\]\n]+)\]\([^)\s]+\)"), r"\1"),  # links and images keep their text
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),  # _emphasis_
    (re.compile(r"`([^`\n]+)`"), r"\1"),  # code
    (re.compile(r"(?<=[A-Za-z])-[ \t]*\n[ \t]*(?=[a-z])"), "-"),  # a word hyphenated at a line end
    (re.compile(r"\s+"), " "),  # reflow
]


def clean_text(raw: str) -> str:
    """``raw`` as a reader should see it: one line, no Markdown markers, no list bullets."""
    text = "\n" + raw
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return text.strip()
