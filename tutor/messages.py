"""What the tutor says in the asker's language: that the material has no answer, and that the quotes below come
from material in another language (named in its own script, so the reader can tell which)."""

from __future__ import annotations

from corpus.languages import BY_CODE, LANGUAGES

NO_ANSWER = {
    "en": "The course material and case studies available to you do not answer this question.",
    "hi": "आपके लिए उपलब्ध पाठ्य सामग्री और केस स्टडी में इस प्रश्न का उत्तर नहीं है।",
    "ur": "آپ کے لیے دستیاب کورس کے مواد اور کیس اسٹڈیز میں اس سوال کا جواب نہیں ہے۔",
    "bn": "আপনার জন্য উপলব্ধ পাঠ্যসামগ্রী ও কেস স্টাডিতে এই প্রশ্নের উত্তর নেই।",
    "as": "আপোনাৰ বাবে উপলব্ধ পাঠ্যসামগ্ৰী আৰু কেছ ষ্টাডিত এই প্ৰশ্নৰ উত্তৰ নাই।",
    "mr": "तुमच्यासाठी उपलब्ध असलेल्या अभ्यास साहित्यात आणि केस स्टडीमध्ये या प्रश्नाचे उत्तर नाही.",
    "gu": "તમારા માટે ઉપલબ્ધ અભ્યાસ સામગ્રી અને કેસ સ્ટડીમાં આ પ્રશ્નનો જવાબ નથી.",
    "pa": "ਤੁਹਾਡੇ ਲਈ ਉਪਲਬਧ ਪਾਠ ਸਮੱਗਰੀ ਅਤੇ ਕੇਸ ਸਟੱਡੀਆਂ ਵਿੱਚ ਇਸ ਸਵਾਲ ਦਾ ਜਵਾਬ ਨਹੀਂ ਹੈ।",
    "or": "ଆପଣଙ୍କ ପାଇଁ ଉପଲବ୍ଧ ପାଠ୍ୟ ସାମଗ୍ରୀ ଓ କେସ୍ ଷ୍ଟଡିରେ ଏହି ପ୍ରଶ୍ନର ଉତ୍ତର ନାହିଁ।",
    "ta": "உங்களுக்குக் கிடைக்கும் பாடப்பொருளிலும் வழக்கு ஆய்வுகளிலும் இந்தக் கேள்விக்கான பதில் இல்லை.",
    "te": "మీకు అందుబాటులో ఉన్న పాఠ్య సామగ్రిలో మరియు కేస్ స్టడీలలో ఈ ప్రశ్నకు సమాధానం లేదు.",
    "kn": "ನಿಮಗೆ ಲಭ್ಯವಿರುವ ಪಠ್ಯ ಸಾಮಗ್ರಿ ಮತ್ತು ಕೇಸ್ ಸ್ಟಡಿಗಳಲ್ಲಿ ಈ ಪ್ರಶ್ನೆಗೆ ಉತ್ತರವಿಲ್ಲ.",
    "ml": "നിങ്ങൾക്ക് ലഭ്യമായ പാഠ്യസാമഗ്രികളിലും കേസ് സ്റ്റഡികളിലും ഈ ചോദ്യത്തിന് ഉത്തരമില്ല.",
}

# "{source}" is the source language's name: in English for English, else in its own script.
_LEAD = {
    "en": "This is covered in {source} material; the relevant passages are quoted below:",
    "hi": "यह जानकारी दूसरी भाषा ({source}) की सामग्री में है; संबंधित अंश नीचे उद्धृत हैं:",
    "ur": "یہ معلومات دوسری زبان ({source}) کے مواد میں ہیں؛ متعلقہ اقتباسات نیچے درج ہیں:",
    "bn": "এই তথ্য অন্য ভাষার ({source}) পাঠ্যসামগ্রীতে আছে; সংশ্লিষ্ট অংশগুলি নিচে উদ্ধৃত করা হল:",
    "as": "এই তথ্য আন ভাষাৰ ({source}) পাঠ্যসামগ্ৰীত আছে; সংশ্লিষ্ট অংশসমূহ তলত উদ্ধৃত কৰা হৈছে:",
    "mr": "ही माहिती दुसऱ्या भाषेतील ({source}) साहित्यात आहे; संबंधित उतारे खाली उद्धृत केले आहेत:",
    "gu": "આ માહિતી બીજી ભાષાની ({source}) સામગ્રીમાં છે; સંબંધિત અંશો નીચે ટાંક્યા છે:",
    "pa": "ਇਹ ਜਾਣਕਾਰੀ ਕਿਸੇ ਹੋਰ ਭਾਸ਼ਾ ({source}) ਦੀ ਸਮੱਗਰੀ ਵਿੱਚ ਹੈ; ਸੰਬੰਧਿਤ ਅੰਸ਼ ਹੇਠਾਂ ਦਿੱਤੇ ਗਏ ਹਨ:",
    "or": "ଏହି ସୂଚନା ଅନ୍ୟ ଭାଷା ({source}) ର ସାମଗ୍ରୀରେ ଅଛି; ସମ୍ପୃକ୍ତ ଅଂଶ ତଳେ ଉଦ୍ଧୃତ କରାଯାଇଛି:",
    "ta": "இந்தத் தகவல் வேறு மொழிப் ({source}) பாடப்பொருளில் உள்ளது; தொடர்புடைய பகுதிகள் கீழே மேற்கோள் காட்டப்பட்டுள்ளன:",
    "te": "ఈ సమాచారం వేరే భాష ({source}) పాఠ్య సామగ్రిలో ఉంది; సంబంధిత భాగాలు కింద ఉదహరించబడ్డాయి:",
    "kn": "ಈ ಮಾಹಿತಿ ಬೇರೆ ಭಾಷೆಯ ({source}) ಸಾಮಗ್ರಿಯಲ್ಲಿದೆ; ಸಂಬಂಧಿತ ಭಾಗಗಳನ್ನು ಕೆಳಗೆ ಉಲ್ಲೇಖಿಸಲಾಗಿದೆ:",
    "ml": "ഈ വിവരം മറ്റൊരു ഭാഷയിലെ ({source}) പാഠ്യസാമഗ്രിയിലാണ്; ബന്ധപ്പെട്ട ഭാഗങ്ങൾ താഴെ ഉദ്ധരിക്കുന്നു:",
}
# The Hindi lead for English material names English in Hindi, as Hindi readers write it.
_FIXED = {("hi", "en"): "यह जानकारी अंग्रेज़ी सामग्री में है; संबंधित अंश नीचे उद्धृत हैं:"}


def no_answer(language: str) -> str:
    """ "Not in the material" in ``language`` (English for a language without its own message)."""
    return NO_ANSWER.get(language, NO_ANSWER["en"])


def source_lead(question_language: str, source_language: str) -> str | None:
    """The sentence that introduces quotes from ``source_language`` material to a ``question_language`` reader."""
    if question_language == source_language or source_language not in BY_CODE:
        return None
    if (question_language, source_language) in _FIXED:
        return _FIXED[(question_language, source_language)]
    template = _LEAD.get(question_language, _LEAD["en"])
    entry = BY_CODE[source_language]
    name = entry.name if template is _LEAD["en"] else entry.autonym
    return template.format(source=name)


SOURCE_LEAD: dict[tuple[str, str], str] = {
    (q, s): lead for q in LANGUAGES for s in LANGUAGES if (lead := source_lead(q, s)) is not None
}
