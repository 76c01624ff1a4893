"""What kind of answer a question expects (a percentage, an amount of money, a time, a duration, a date, a count),
and whether a sentence holds one. Extractive QA without a QA model leans on this to prefer the sentence that
states the figure over the one that merely repeats the question's words."""

from __future__ import annotations

import re

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_HI_MONTHS = "जनवरी|फ़रवरी|फरवरी|मार्च|अप्रैल|मई|जून|जुलाई|अगस्त|सितंबर|सितम्बर|अक्टूबर|अक्तूबर|नवंबर|नवम्बर|दिसंबर|दिसम्बर"

# The same question words and units in the other Indian languages (Urdu, Bengali, Assamese, Marathi, Gujarati,
# Punjabi, Odia, Tamil, Telugu, Kannada, Malayalam), matched inside words: their case endings are written on.
_IN_PERCENT = "சதவீத|శాతం|শতাংশ|टक्के|ପ୍ରତିଶତ|فیصد|ટકા|ਪ੍ਰਤੀਸ਼ਤ|ಶೇಕಡ|ശതമാന|শতাংশ"
_IN_MONEY_ASK = "தொகை|ఎంత డబ్బు|మొత్తం|কত টাকা|টকা|रक्कम|ଟଙ୍କା|رقم|روپے|રકમ|ਰਕਮ|ಮೊತ್ತ|തുക"
_IN_MONEY_UNIT = "கோடி|லட்ச|కోట్ల|లక్ష|কোটি|লাখ|लाख|कोटी|କୋଟି|ଲକ୍ଷ|کروڑ|لاکھ|કરોડ|લાખ|ਕਰੋੜ|ਲੱਖ|ಕೋಟಿ|ಲಕ್ಷ|കോടി|ലക്ഷ|টাকা|রুপি"
_IN_CURRENCY = "ரூ|రూ|রু|रु|ରୁ|ರೂ|രൂ"
_IN_DURATION_ASK = (
    "எவ்வளவு நேர|எத்தனை நாள|ఎంత సమయ|ఎన్ని రోజు|ఎంత కాల|কতদিন|কত সময|किती वेळ|किती दिवस|କେତେ ଦିନ|କେତେ ସମୟ|"
    "کتنے دن|کتنا وقت|کتنی دیر|કેટલા દિવસ|કેટલો સમય|ਕਿੰਨੇ ਦਿਨ|ਕਿੰਨਾ ਸਮਾਂ|ಎಷ್ಟು ದಿನ|ಎಷ್ಟು ಸಮಯ|എത്ര ദിവസ|എത്ര സമയ"
)
_IN_DURATION_UNIT = (
    "நாள|நிமிட|மணி நேர|ஆண்டு|రోజు|నిమిష|గంట|ఏళ్ల|দিন|মিনিট|ঘণ্টা|বছর|दिवस|मिनिट|तास|ଦିନ|ମିନିଟ|ଘଣ୍ଟା|ବର୍ଷ|"
    "دن|منٹ|گھنٹے|سال|દિવસ|મિનિટ|કલાક|ਦਿਨ|ਮਿੰਟ|ਘੰਟੇ|ದಿನ|ನಿಮಿಷ|ಗಂಟೆ|ദിവസ|മിനിറ്റ|മണിക്കൂ"
)
_IN_DATE_ASK = (
    "எப்போது|எந்தத் தேதி|எந்த தேதி|எந்த ஆண்டு|ఎప్పుడు|ఏ తేదీ|ఏ సంవత్సర|কবে|কোন তারিখ|কোন বছর|कधी|कोणत्या तारख|"
    "कोणत्या वर्ष|କେବେ|କେଉଁ ତାରିଖ|କେଉଁ ବର୍ଷ|کب|کس تاریخ|کس سال|ક્યારે|ਕਦੋਂ|ಯಾವಾಗ|എപ്പോൾ|কেতিয়া"
)
_IN_COUNT_ASK = "எத்தனை|ఎన్ని|ఎంతమంది|কত|किती|କେତେ|କେତୋଟି|کتنے|کتنی|کتنا|કેટલા|કેટલી|ਕਿੰਨੇ|ਕਿੰਨੀ|ಎಷ್ಟು|എത്ര|কিমান"

# (type, question pattern, sentence pattern), most specific first.
ANSWER_TYPES: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    (
        "percent",
        re.compile(rf"percent|percentage|\bshare\b|\brate\b|proportion|प्रतिशत|फ़ीसदी|फीसदी|{_IN_PERCENT}", re.I),
        re.compile(rf"\d\s*(%|percent|per cent|प्रतिशत|{_IN_PERCENT})", re.I),
    ),
    (
        "time",
        re.compile(r"what time|at what hour|किस समय|कितने बजे|किस वक्त", re.I),
        re.compile(r"\d{1,2}[:.]\d{2}\s*(am|pm|बजे)?|\d{1,2}\s*(am|pm)\b|बजे", re.I),
    ),
    (
        "money",
        re.compile(
            r"how much money|\bprice|\bcost|amount|rupees|₹|\brs\b|fund|budget|fine|राशि|कीमत|"
            rf"रुपये|लागत|दर|मूल्य|भुगतान|{_IN_MONEY_ASK}",
            re.I,
        ),
        re.compile(
            rf"₹\s*\d|\brs\.?\s*\d|({_IN_CURRENCY})\.?\s*\d|"
            rf"\d[\d,.]*\s*(rupees|crore|lakh|करोड़|लाख|रुपये|{_IN_MONEY_UNIT})",
            re.I,
        ),
    ),
    (
        "duration",
        re.compile(
            r"how long|how many (days|hours|weeks|months|years|minutes)|within how|how quickly|"
            rf"कितने (दिन|घंटे|महीने|सप्ताह|साल|वर्ष|मिनट)|कितना समय|कितनी देर|{_IN_DURATION_ASK}",
            re.I,
        ),
        re.compile(
            r"\d[\d.,]*\s*(days?|hours?|weeks?|months?|years?|minutes?|दिन|घंटे|महीने|सप्ताह|वर्ष|साल|मिनट|"
            rf"{_IN_DURATION_UNIT})",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(rf"\bwhen\b|which year|what year|what date|कब|किस वर्ष|किस साल|किस तारीख|{_IN_DATE_ASK}", re.I),
        re.compile(rf"\b(19|20)\d\d\b|\b({_MONTHS})\b|({_HI_MONTHS})", re.I),
    ),
    (
        "count",
        re.compile(rf"how many|number of|how much|कितने|कितनी|कितना|संख्या|{_IN_COUNT_ASK}", re.I),
        re.compile(r"(?<![\d/-])(?!(?:19|20)\d\d(?!\d))\d[\d,.]*(?![\d/-])"),
    ),
]


def expected_type(question: str) -> str | None:
    for name, asks, _ in ANSWER_TYPES:
        if asks.search(question):
            return name
    return None


def holds(answer_type: str, sentence: str) -> bool:
    return any(name == answer_type and states.search(sentence) for name, _, states in ANSWER_TYPES)


_EN_FOCUS = re.compile(
    r"\b(?:how many|how much|number of|how long|what (?:is|was|were|are) the|which|what|whom|who)"
    r"\s+((?:[\w'-]+\s*){1,4})",
    re.I,
)
_HI_ASK = re.compile(rf"कितने|कितनी|कितना|किस|किन|कौन|कौनसी|कौन-सी|क्या|कब|क्यों|कैसे|{_IN_COUNT_ASK}|{_IN_DATE_ASK}")
_WORD = re.compile(r"[\w\u0900-\u0d7f\u0600-\u06ff-]+")


def focus_words(question: str) -> list[str]:
    """The words next to the question word: what the answer must be about ("how many *zero-dose children*",
    "*औसत समय* कितना रहा", "कितने *बच्चे*"), the head word first. Raw words; callers tokenize them."""
    found = [w for m in _EN_FOCUS.finditer(question) for w in _WORD.findall(m.group(1))[:2]]
    for m in _HI_ASK.finditer(question):
        before = _WORD.findall(question[: m.start()])[-2:]
        after = _WORD.findall(question[m.end() :])[:2]
        found.extend(after + before)
    return found


# What a question asks about, and the section names where that usually stands (case studies, training reports).
_INTENT_SECTIONS: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (
        re.compile(r"^\s*how (did|do|does|was|were|is|are|can|could|should|to)\b|what (was|were) done|what steps|"
                   r"what did .* do|कैसे|क्या किया|क्या कदम|क्या उपाय", re.I),
        re.compile(r"what was done|approach|intervention|steps|actions?\b|implementation|process|how it works|"
                   r"क्या किया गया|कदम|उपाय|प्रक्रिया|कार्यान्वयन", re.I),
    ),
    (
        re.compile(r"\bwhy\b|what (was|were) the problem|what went wrong|क्यों|समस्या क्या|क्या समस्या|कारण", re.I),
        re.compile(r"problem|background|context|challenge|issue|समस्या|पृष्ठभूमि|चुनौती", re.I),
    ),
    (
        re.compile(r"\b(result|outcome|impact|improve|rose|fell|increase|decrease|reduced|by the end|after)\b|"
                   r"परिणाम|असर|बढ़|घट|के बाद", re.I),
        re.compile(r"result|outcome|impact|परिणाम|प्रभाव", re.I),
    ),
]  # fmt: skip


def section_fits(question: str, section: str) -> bool:
    """Whether ``section`` is where the kind of thing the question asks about is usually told: how something was
    done ("What was done", "क्या किया गया"), why (the problem, the background), or what came of it (results)."""
    return bool(section) and any(asks.search(question) and fits.search(section) for asks, fits in _INTENT_SECTIONS)
