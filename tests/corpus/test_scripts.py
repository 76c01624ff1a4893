"""Text handling per script: the search normal form, the BM25 tokenizer, sentence ends, the ingest sanitizer."""

from __future__ import annotations

import re
import unicodedata

import pytest

from corpus.lexical import PREFIX_LENGTH, tokenize
from corpus.sanitize import strip_hidden
from corpus.scripts import fold_digits, script_counts, script_of, search_form
from corpus.sentences import clean_text, sentence_spans


def sentences(text: str) -> list[str]:
    return [clean_text(text[a:b]) for a, b in sentence_spans(text)]


@pytest.mark.parametrize(
    ("char", "script"),
    [("a", "latin"), ("क", "devanagari"), ("ৰ", "bengali"), ("ਪ", "gurmukhi"), ("ગ", "gujarati"), ("ଓ", "odia"),
     ("த", "tamil"), ("తె", "telugu"), ("ಕ", "kannada"), ("മ", "malayalam"), ("ے", "arabic"), ("।", None),
     ("5", None), ("\u200d", None)],
)  # fmt: skip
def test_script_of(char: str, script: str | None) -> None:
    assert script_of(char[0]) == script


def test_script_counts_letters_and_marks_of_each_script() -> None:
    assert script_counts("ASHA को ஆஷா") == {"latin": 4, "devanagari": 2, "tamil": 3}


def test_nfc_and_nukta_fold() -> None:
    precomposed, decomposed = "\u0958", "\u0915\u093c"  # क़ as one code point and as क + nukta
    assert search_form(precomposed) == search_form(decomposed) == "क"
    assert search_form("ড়") == search_form("ড")  # Bengali
    assert search_form("ਜ਼ਮੀਨ") == search_form("ਜਮੀਨ")  # Gurmukhi


def test_chandrabindu_folds_to_anusvara() -> None:
    assert search_form("आँकड़े") == search_form("आंकड़े")
    assert search_form("বাঁধ") == search_form("বাংধ")


def test_malayalam_chillu_written_with_zwj_is_the_atomic_chillu() -> None:
    old, atomic = "അവന\u0d4d\u200d", "അവൻ"
    assert search_form(old) == search_form(atomic) == "അവൻ"
    # without the joiner the virama is a real virama: a different word
    assert search_form("അവന\u0d4d") != search_form(atomic)


def test_bengali_ya_phala_keeps_its_joiner_other_joiners_fold() -> None:
    ya_phala = "র\u200d্যাব"  # RAB: ra + ya-phala, not reph
    assert "\u200d" in search_form(ya_phala)
    assert search_form("র্যাব") != search_form(ya_phala)
    assert search_form("పాస్\u200cవర్డ్") == "పాస్వర్డ్"  # Telugu ZWNJ only steers rendering


def test_urdu_letter_variants_and_harakat_fold() -> None:
    arabic_keyboard, urdu = "كيا", "کیا"
    assert search_form(arabic_keyboard) == search_form(urdu) == "کیا"
    assert search_form("مُلازِم") == search_form("ملازم")


def test_digits_of_every_script_fold_to_ascii() -> None:
    assert fold_digits("२०२३ ২০২৩ ۲۰۲۳ ௨௦௨௩ 2023") == "2023 2023 2023 2023 2023"


@pytest.mark.parametrize(
    ("word", "language"),
    [("टीकाकरण", "hi"), ("লসিকাকৰণ", "as"), ("ਟੀਕਾਕਰਨ", "pa"), ("રસીકરણ", "gu"), ("ଟୀକାକରଣ", "or"),
     ("தடுப்பூசி", "ta"), ("టీకాలు", "te"), ("ಲಸಿಕೆ", "kn"), ("പ്രതിരോധകുത്തിവയ്പ്", "ml"), ("ٹیکہ", "ur")],
)  # fmt: skip
def test_tokenizer_keeps_vowel_signs_and_viramas_inside_the_word(word: str, language: str) -> None:
    tokens = tokenize(f"{word}, {word}।")
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert len(re.findall(r"\w+", word)) > 1 or language == "ur"  # what a naive tokenizer does instead
    if language in ("as", "or", "ta"):  # cut to a prefix (corpus.lexical.PREFIX_LENGTH)
        assert tokens[0] == search_form(word)[:PREFIX_LENGTH]
    elif language != "hi":  # kept whole: Hindi/Marathi and English are stemmed
        assert tokens[0] == search_form(word)


def test_inflected_forms_of_tamil_bengali_odia_and_telugu_words_meet() -> None:
    assert tokenize("புகார்களை")[0] == tokenize("புகார்கள்")[0] == "புகார்"  # complaints (object), complaints
    assert tokenize("অভিযোগগুলির") == tokenize("অভিযোগ")  # of the complaints, complaint
    assert tokenize("টাকার") != tokenize("টাকা")  # a word no longer than the prefix stays whole
    assert tokenize("ఫిర్యాదులను") == tokenize("ఫిర్యాదులు")  # complaints (object), complaints
    assert tokenize("ٹیکوں") != tokenize("ٹیکہ")  # Urdu is not cut (no measured gain)


def test_tokenizer_splits_scripts_and_punctuation() -> None:
    assert tokenize("ASHAকর্মী") == ["asha", "কর্মী"]
    assert tokenize("سوال؟ جواب۔") == ["سوال", "جواب"]
    assert tokenize("৩,১০৮ শিশু") == ["3", "108", "শিশু"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("پولیس نے شکایت درج کی۔ رقم روک دی گئی؟ جی ہاں۔", 3),
        ("পুলিশ অভিযোগ নিল। টাকা আটকানো হল। ", 2),
        ("ਪੁਲਿਸ ਨੇ ਸ਼ਿਕਾਇਤ ਲਈ। ਪੈਸਾ ਰੋਕਿਆ ਗਿਆ।", 2),
        ("காவல்துறை புகாரைப் பதிவு செய்தது. ரூ. 9.8 கோடி முடக்கப்பட்டது. திரு. ராமன் பேசினார்.", 3),
        ("పోలీసులు ఫిర్యాదు నమోదు చేశారు. రూ. 9.8 కోట్లు నిలిపివేశారు?", 2),
        ("ଥାନା ଅଭିଯୋଗ ନେଲା। ଟଙ୍କା ରୋକାଗଲା॥ ଶେଷ।", 3),
        ("डॉ. शर्मा यांनी पाहणी केली. अहवाल सादर झाला.", 2),
    ],
)
def test_sentence_ends_of_each_script(text: str, expected: int) -> None:
    found = sentences(text)
    assert len(found) == expected, found
    assert all(unicodedata.is_normalized("NFC", s) for s in found)


def test_hard_wrapped_urdu_paragraph_is_reflowed() -> None:
    text = "پولیس نے ہر تھانے کو ایک صفحے کی\nہدایت دی۔ تین مہینوں میں 296 افسروں کو\nتربیت دی گئی۔\n"
    assert sentences(text) == [
        "پولیس نے ہر تھانے کو ایک صفحے کی ہدایت دی۔",
        "تین مہینوں میں 296 افسروں کو تربیت دی گئی۔",
    ]


def test_sanitizer_keeps_joiners_inside_indian_script_words_only() -> None:
    kept = strip_hidden("పాస్\u200cవర్డ్ അവന\u0d4d\u200d নয়\u200c")
    assert kept.removed == () and kept.text.count("\u200c") == 2
    smuggled = strip_hidden("pass\u200dword ign\u200core")
    assert smuggled.text == "password ignore" and smuggled.removed
    assert strip_hidden("क्\u200dis").removed  # a joiner running into Latin letters hides a word break
