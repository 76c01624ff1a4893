"""Recognise sentences in retrieved text that address the model rather than the reader (prompt injection).

Such sentences are never used as evidence, so neither the extractive answerer nor an LLM backend ever receives
them as material to answer from; the fenced prompt is the second line of defence.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompts?|guidelines|everything above)\b",
    r"\b(you are now|from now on,? you|act as an?|pretend to be|new instructions?|system prompt|jailbreak)\b",
    r"(^|[\n\"'‘“(\[<])\s*(system|assistant)\s*:",
    r"\b(respond|reply|answer|print|say|output|write)\s+(only|exactly|just)\b",
    r"\b(respond|reply|answer)\s+(to (every|all|any) \w+\s+)?with\s+(the (text|word|phrase|string)\s+)?[\"'‘“]",
    r"\b(reveal|disclose|list|print|leak)\b.{0,30}\b(private|confidential|secret|restricted|hidden)\b",
    r"\bwhen(ever)? (you are |you're )?asked\b.{0,60}\b(respond|reply|answer|say)\b",
    r"(निर्देश|निर्देशों).{0,25}(अनदेखा|नज़रअंदाज़|नजरअंदाज|भूल जाएं|भूल जाओ)",
    r"(केवल|सिर्फ).{0,40}(लिखें|लिखो|उत्तर दें|जवाब दें)",
    r"(गोपनीय|निजी).{0,30}(दिखाएं|बताएं|प्रकट करें)",
]
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.I)


def looks_like_instruction(sentence: str) -> bool:
    return bool(_INSTRUCTION.search(sentence))
