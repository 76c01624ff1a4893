"""Recognise sentences in retrieved text that address the model rather than the reader (prompt injection).

Such sentences are never used as evidence, so neither the extractive answerer nor an LLM backend ever receives
them as material to answer from; the fenced prompt is the second line of defence.
"""

from __future__ import annotations

import re
import unicodedata

# Letters of other scripts that look like Latin ones (Cyrillic and Greek): "іgnore" with a Cyrillic і.
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
        "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ո": "n", "ν": "v", "ο": "o", "α": "a", "ρ": "p", "τ": "t",
        "ι": "i", "κ": "k", "ε": "e", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
        "Р": "P", "С": "C", "Т": "T", "Х": "X", "І": "I", "Ѕ": "S",
    }
)  # fmt: skip
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff\U000e0000-\U000e007f]")
# "i g n o r e", "i.g.n.o.r.e", "i-g-n-o-r-e": four or more single letters with the same separator between them.
_SPACED = re.compile(r"\b(?:[A-Za-z](?P<sep>[ .\-_*])){3,}[A-Za-z]\b")

_PATTERNS = [
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompts?|guidelines|everything above)\b",
    r"\b(you are now|from now on,? you|act as an?|pretend to be|new instructions?|system prompt|jailbreak)\b",
    r"(^|[\n\"'‘“(\[<])\s*(system|assistant)\s*:",
    r"\b(respond|reply|answer|print|say|output|write)\s+(only|exactly|just)\b",
    r"\b(respond|reply|answer)\s+(to (every|all|any) \w+\s+)?with\s+(the (text|word|phrase|string)\s+)?[\"'‘“]",
    r"\b(reveal|disclose|list|print|leak)\b.{0,30}\b(private|confidential|secret|restricted|hidden)\b",
    r"\bwhen(ever)? (you are |you're )?asked\b.{0,60}\b(respond|reply|answer|say)\b",
    r"\b(do not|don't|never|stop)\s+(follow|obey|heed|apply)\w*\b.{0,40}\b(instructions?|rules|guidance|directions)\b",
    r"\b(previous|prior|earlier|above|preceding|original)\s+(instructions?|rules|guidance|directions|prompts?)\b"
    r".{0,40}\b(no longer|void|cancel+ed|obsolete|superseded|do not apply|don't apply)\b",
    r"\b(as an ai|language model|the (assistant|chatbot|model|ai|tutor)\s+(must|should|will|shall))\b",
    r"\b(assistant|chatbot|model|ai|tutor)\s*[,:]\s*(you must|please|now)\b",
    r"(निर्देश|निर्देशों).{0,25}(अनदेखा|नज़रअंदाज़|नजरअंदाज|भूल जाएं|भूल जाओ)",
    r"(पिछले|पहले के|ऊपर (लिखे|दिए)).{0,20}(निर्देश|नियम).{0,30}(मत|न) (मानें|मानो|करें|करो)",
    r"(निर्देशों|नियमों) का पालन (मत|न) (करें|करो)",
    r"(आप|तुम) अब (से )?.{0,30}(हो|हैं|बन)",
    r"सिस्टम प्रॉम्प्ट|एआई मॉडल (को|के लिए)",
    r"(केवल|सिर्फ).{0,40}(लिखें|लिखो|उत्तर दें|जवाब दें)",
    r"(गोपनीय|निजी).{0,30}(दिखाएं|बताएं|प्रकट करें)",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I)


def _normal(sentence: str) -> str:
    """What the patterns see: NFKC (full-width and other compatibility forms folded), invisible characters
    dropped, look-alike Cyrillic and Greek letters as Latin, and letter-spaced words joined."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", sentence)).translate(_CONFUSABLES)
    return _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group()), text)


def looks_like_instruction(sentence: str) -> bool:
    return bool(_INSTRUCTION.search(_normal(sentence)))
