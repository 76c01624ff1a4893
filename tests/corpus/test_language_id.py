"""Language identification of questions: the script decides, the fitted n-gram model splits Hindi from Marathi and
Bengali from Assamese."""

from __future__ import annotations

import pytest

from corpus.language_id import NgramModel, detect, detect_language, load_models
from corpus.languages import BY_CODE, LANGUAGES, describe, language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How many zero-dose children did Bahraich find?", "en"),
        ("बहराइच में कितने बच्चे छूट गए थे?", "hi"),
        ("बहराइचमध्ये किती मुले लसीकरणापासून वंचित होती?", "mr"),
        ("بہرائچ میں کتنے بچوں کو کوئی ٹیکہ نہیں لگا تھا؟", "ur"),
        ("বাহরাইচে কতজন শিশু কোনো টিকা পায়নি?", "bn"),
        ("বাহৰাইচত কিমান শিশুৱে টীকা পোৱা নাছিল?", "as"),
        ("ਬਹਿਰਾਇਚ ਵਿੱਚ ਕਿੰਨੇ ਬੱਚੇ ਟੀਕੇ ਤੋਂ ਰਹਿ ਗਏ?", "pa"),
        ("બહરાઇચમાં કેટલા બાળકો રસી વગર રહ્યા?", "gu"),
        ("ବାହରାଇଚରେ କେତେ ପିଲା ଟୀକା ପାଇନଥିଲେ?", "or"),
        ("பஹ்ரைச்சில் எத்தனை குழந்தைகள் தடுப்பூசி பெறவில்லை?", "ta"),
        ("బహరాయిచ్‌లో ఎంతమంది పిల్లలకు టీకా అందలేదు?", "te"),
        ("ಬಹರಾಯಿಚ್‌ನಲ್ಲಿ ಎಷ್ಟು ಮಕ್ಕಳಿಗೆ ಲಸಿಕೆ ಸಿಕ್ಕಿರಲಿಲ್ಲ?", "kn"),
        ("ബഹ്‌റൈച്ചിൽ എത്ര കുട്ടികൾക്ക് വാക്സിൻ കിട്ടിയില്ല?", "ml"),
    ],
)
def test_every_language_is_recognised(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_hinglish_stays_hindi_and_english_heavy_text_is_english() -> None:
    assert detect_language("Satara treasury में phishing drill के बाद clicks कितने प्रतिशत रह गए?") == "hi"
    assert detect_language("PFMS login OTP not coming, what to do? कृपया") == "en"
    assert detect_language("Karmayogi app ରେ login ହେଉନାହିଁ") == "or"  # other scripts count from a quarter
    assert detect_language("Karmayogi app ରେ login problem") == "en"


def test_the_shipped_model_decides_shared_scripts() -> None:
    assert {"devanagari", "bengali"} <= set(load_models())
    marathi = detect("प्रशिक्षणाचे तास पोर्टलवर का दिसत नाहीत?")
    assert (marathi.language, marathi.decided_by) == ("mr", "model")
    assert detect("प्रशिक्षण के घंटे पोर्टल पर क्यों नहीं दिख रहे?").language == "hi"
    assert detect("আৰু").decided_by == "letters"


def test_without_a_model_the_first_language_of_the_script_wins() -> None:
    assert detect("प्रशिक्षणाचे तास पोर्टलवर का दिसत नाहीत?", models={}).language == "hi"


def test_a_fitted_model_separates_its_training_languages() -> None:
    model = NgramModel.fit({"hi": ["मैं घर जा रहा हूँ और खाना खाऊँगा"], "mr": ["मी घरी जात आहे आणि जेवण करणार आहे"]})
    scores = model.scores("मी जात आहे")
    assert scores["mr"] > scores["hi"]
    assert NgramModel.from_json(model.to_json()) == model


def test_registry_names_every_language_in_its_own_script() -> None:
    assert len(LANGUAGES) == 13 and LANGUAGES[:2] == ("en", "hi")
    assert language("ur").direction == "rtl" and all(BY_CODE[c].direction == "ltr" for c in LANGUAGES if c != "ur")
    assert describe("ta") == "Tamil (தமிழ்)" and describe("en") == "English"
    for code in LANGUAGES:
        if code != "en":
            assert not BY_CODE[code].autonym.isascii()
    with pytest.raises(KeyError, match="expected one of en, hi"):
        language("xx")
