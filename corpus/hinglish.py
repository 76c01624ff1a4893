"""Hinglish (Hindi typed in Latin letters, often mixed with English) glossed into English before search.

"mera training hours kahan dikhega" means "where will my training hours show". The multilingual embedder reads
romanised Hindi poorly (it was trained on Hindi in Devanagari), and BM25 finds none of its words in the material,
so a Hinglish query is searched as its English gloss: every word of a general Hindi vocabulary (pronouns, question
words, postpositions, common verbs in their usual spellings, everyday nouns) becomes its English meaning, function
words are dropped, and English words stay as they are.

A query counts as Hinglish when it is in Latin letters and holds at least one word that is unmistakably Hindi
(``kaise``, ``nahi``, ``dikhega``); words that are also English (``me``, ``is``, ``par``, ``band``) are glossed only
then. The vocabulary is general, written from Hindi grammar and common spellings, not from any query set.
"""

from __future__ import annotations

import re

# Words that are Hindi in any Latin-script query (no English word is spelt like them).
_HINDI: dict[str, str] = {}
# Words that are also English (or too short to tell): glossed only once the query is known to be Hinglish.
_AMBIGUOUS: dict[str, str] = {}


def _add(table: dict[str, str], meaning: str, spellings: str) -> None:
    for spelling in spellings.split():
        table[spelling] = meaning


for _meaning, _spellings in (
    # question words
    ("how", "kaise kese kaisay kaise kaisa kaisi kesa kesi kyse"),
    ("why", "kyu kyun kyon kyo kiu kyoon kiyu kiyon"),
    ("where", "kahan kaha kahaan kidhar kahin kahi"),
    ("when", "kab kabhi"),
    ("what", "kya kyaa"),
    ("who", "kaun kon koun"),
    ("which", "konsa kaunsa konsi kaunsi konse kaunse"),
    ("how many", "kitna kitne kitni kitnaa"),
    # pronouns
    ("my", "mera meri mere mujhe mujhko mujhse apna apni apne hamara hamari hamare humara humari humare"),
    ("i", "mai"),
    ("we", "hame hamein humein"),
    ("you", "aap aapka aapki aapke tum tumhara tumhari tera teri tujhe"),
    ("this", "yeh ye yah isme iska iski iske isko"),
    ("that", "woh wo vo vah uska uski uske usko usme"),
    ("someone", "koi kisi kisko"),
    ("something", "kuch kuchh"),
    ("all", "sab sabhi saare sare"),
    # negation and particles
    ("not", "nahi nahin nhi nai nahee naa"),
    ("also", "bhi"),
    ("only", "sirf keval bas"),
    ("again", "dubara dobara phir"),
    ("now", "abhi"),
    ("already", "pehle pahle"),
    ("after", "baad"),
    ("because", "kyunki kyonki"),
    ("if", "agar"),
    ("but", "lekin magar"),
    ("or", "ya"),
    ("and", "aur"),
    # verbs, in their common forms
    (
        "show visible",
        "dikh dikhe dikha dikhi dikhega dikhegi dikhenge dikhta dikhti dikhte dikhai dikhana dikhaye dikhao dikhata",
    ),
    ("see", "dekh dekhe dekha dekhi dekhna dekhu dekhun dekho dekhein dekhenge dekhta dekhte"),
    ("get", "mil mila mili milega milegi milenge milta milti milte milna"),
    ("do", "kar karo karna karu karun kare karein karen karta karti karte kiya kiye karke karenge karega"),
    ("can", "sakta sakti sakte sakenge skta skte"),
    ("need", "chahiye chaiye chahie"),
    ("want", "chahta chahti chahte"),
    ("tell", "batao bataye bataiye bataye batana bata btao"),
    ("know", "pata jaan jaana jaanna jante janta"),
    ("forgot", "bhool bhul bhoola bhula bhuli"),
    ("finish complete", "khatam pura poora puri poori"),
    ("start", "shuru suru"),
    ("open", "khul khula khuli khulta khulti khulega khulna kholna kholo"),
    ("work run", "chal chala chali chalta chalti chalega chalna"),
    ("stopped", "ruk ruka ruki rukta"),
    ("change", "badal badla badli badalna badle badlo"),
    ("remove delete", "hata hatao hatana hataye mita mitao mitana"),
    ("add", "jod jodo jodna jode"),
    ("send", "bhej bhejo bhejna bheja bheje"),
    ("ask", "puch puchh poochh puchna poochna pucho puchhe"),
    ("read study", "padh padho padhna padhai padhayi"),
    ("learn", "seekh sikh seekhna sikhna"),
    ("give", "de dena diya diye dijiye"),
    ("take", "le lena liya liye"),
    ("come", "aa aaya aayi aaye aata aati aayega"),
    ("go", "ja jao jana gaya gayi gaye jaata jaati"),
    ("understand", "samajh samjha samjhe samjhao samajhna"),
    ("fill", "bhar bhara bharo bharna"),
    ("save", "bacha bachao"),
    # nouns and adjectives of everyday use
    ("hours", "ghante ghanta ghanton"),
    ("day", "din dino dinon"),
    ("year", "saal sal varsh"),
    ("time", "samay waqt vakt"),
    ("name", "naam"),
    ("work", "kaam"),
    ("job", "naukri"),
    ("question", "sawal sawaal prashn prashna"),
    ("answer", "jawab jawaab uttar"),
    ("language", "bhasha bhaasha"),
    ("wrong", "galat"),
    ("right correct", "sahi theek thik"),
    ("new", "naya nayi naye"),
    ("old", "purana purani purane"),
    ("government", "sarkari"),
    ("department", "vibhag vibhaag"),
    ("officer", "adhikari afsar"),
    ("employee", "karmchari karamchari karmachari"),
    ("training", "prashikshan"),
    ("certificate", "praman pramaan pramanpatra"),
    ("mandatory compulsory", "zaroori jaruri jaroori zaruri anivarya"),
    ("security", "suraksha"),
    ("private", "niji gupt"),
    ("slow", "dheere dhire"),
    ("quick", "jaldi"),
    ("problem", "dikkat pareshani samasya"),
    ("help", "madad sahayata"),
    ("place", "jagah"),
    ("list", "suchi soochi"),
    ("here", "yahan yaha idhar"),
    ("there", "wahan waha udhar"),
    ("much many", "bahut bohot zyada jyada"),
    ("less", "kam"),
    ("record", "darj"),
    ("times", "baar dafa"),
    ("one", "ek"),
    ("separate", "alag"),
    ("apply take", "lagenge lagega lagegi lagta lagti lagte lagau lagaun lagaye lagana lagao"),
    ("person", "banda bande aadmi vyakti"),
    ("counted", "gina gine ginti ginna"),
    ("outside", "bahar baahar"),
    ("inside", "andar"),
    ("top above", "upar oopar"),
    ("below", "neeche niche"),
    ("boxes", "dabbe dabba dibbe"),
    ("written", "likha likhi likhe likhna likho"),
    ("press click", "dabane dabana dabao dabaya"),
    ("meaning", "matlab"),
    ("become", "bane banu banna banega banenge"),
    ("lost", "kho khoya khoyi"),
    ("back", "wapas vapas"),
    ("stuck", "atak atka atki atke"),
    ("mistake", "galti"),
    ("week", "hafta hafte"),
    ("month", "mahina mahine"),
    ("today", "aaj"),
    ("yesterday tomorrow", "kal"),
    ("big", "bada badi bade"),
    ("small", "chhota chota chhoti choti"),
    ("first", "pehla pahla pehli"),
    ("last", "aakhri akhri antim"),
    ("other", "dusra doosra dusri doosri"),
    ("same", "wahi vahi wohi"),
    ("without", "bina"),
    ("with", "saath sath"),
    ("near", "paas"),
    ("money", "paisa paise"),
    ("office", "daftar"),
):
    _add(_HINDI, _meaning, _spellings)

for _meaning, _spellings in (
    (
        "",
        "hai hain he h ho hoga hogi hota hoti hote hua hui hue tha thi the raha rahi rahe rha rhi ka ki ke ko se "
        "me mein pe par tak wala wali wale waala jo to na ji",
    ),
    ("is", "hona"),
    ("", "main do lo ab mat sake mile kia fir hum honge hone hongi"),
    ("people", "log logon"),
    ("which", "kis"),
    ("go", "jaate jayega jayegi jaenge"),
    ("work run", "chalegi chalenge chalte"),
    ("show visible", "dikhane dikhayi"),
    ("closed", "band"),
):
    _add(_AMBIGUOUS, _meaning, _spellings)

_WORD = re.compile(r"[A-Za-z]+|[^\sA-Za-z]+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_OTHER_LETTER = re.compile(r"[^\W\dA-Za-z_]")


def is_hinglish(query: str) -> bool:
    """Latin letters only (no other script) and at least one unmistakably Hindi word."""
    if not _LATIN_LETTER.search(query) or _OTHER_LETTER.search(query):
        return False
    return any(word.lower() in _HINDI for word in re.findall(r"[A-Za-z]+", query))


def gloss(query: str) -> str:
    """The English gloss of a Hinglish query, or the query unchanged when it is not Hinglish."""
    if not is_hinglish(query):
        return query
    words: list[str] = []
    for token in _WORD.findall(query):
        lowered = token.lower()
        meaning = _HINDI.get(lowered, _AMBIGUOUS.get(lowered)) if token.isascii() and token.isalpha() else None
        if meaning is None:
            words.append(token)
        elif meaning:
            words.append(meaning)
    return " ".join(words).strip() or query
