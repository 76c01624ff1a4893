"""The 13 content languages in the browser: selectors that name each language in its own script, every script drawn
by a real font (not as empty boxes), and right-to-left layout for Urdu results, answers, quotes and sources.

The font checks ask Chromium itself which installed font drew each text node (DevTools ``CSS.getPlatformFontsForNode``)
and compare a screenshot of the text with one of as many unassigned code points (which no font has), so they need
Debian's fonts-noto-core: ``make test`` installs it with Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from corpus.languages import LANGUAGES
from gyanpath.accounts import Role
from tests.conftest import TEST_DEPARTMENT
from tests.e2e.conftest import PageFactory, Server, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, Route

# One sentence a language ("report a cyber incident within six hours"), in its script.
SAMPLES = {
    "en": "Report a cyber incident to CERT-In within six hours.",
    "hi": "साइबर घटना की सूचना छह घंटे के भीतर दें",
    "ur": "سائبر واقعے کی اطلاع چھ گھنٹوں میں دیں",
    "bn": "ছয় ঘণ্টার মধ্যে সাইবার ঘটনার খবর দিন",
    "as": "ছয় ঘণ্টাৰ ভিতৰত চাইবাৰ ঘটনাৰ খবৰ দিয়ক",
    "mr": "सायबर घटनेची माहिती सहा तासांत द्या",
    "gu": "સાયબર ઘટનાની જાણ છ કલાકમાં કરો",
    "pa": "ਸਾਈਬਰ ਘਟਨਾ ਦੀ ਸੂਚਨਾ ਛੇ ਘੰਟਿਆਂ ਵਿੱਚ ਦਿਓ",
    "or": "ସାଇବର ଘଟଣା ବିଷୟରେ ଛଅ ଘଣ୍ଟା ମଧ୍ୟରେ ଜଣାନ୍ତୁ",
    "ta": "சைபர் சம்பவத்தை ஆறு மணி நேரத்தில் தெரிவிக்கவும்",
    "te": "సైబర్ సంఘటనను ఆరు గంటల్లో తెలియజేయండి",
    "kn": "ಸೈಬರ್ ಘಟನೆಯನ್ನು ಆರು ಗಂಟೆಗಳಲ್ಲಿ ವರದಿ ಮಾಡಿ",
    "ml": "സൈബർ സംഭവം ആറ് മണിക്കൂറിനകം അറിയിക്കുക",
}
# The Debian Noto family app.css names for each script of GET /languages (Odia is "Oriya" in fonts-noto-core).
SCRIPT_FONTS = {
    "latin": "Noto Sans",
    "devanagari": "Noto Sans Devanagari",
    "arabic": "Noto Nastaliq Urdu",
    "bengali": "Noto Sans Bengali",
    "gurmukhi": "Noto Sans Gurmukhi",
    "gujarati": "Noto Sans Gujarati",
    "odia": "Noto Sans Oriya",
    "tamil": "Noto Sans Tamil",
    "telugu": "Noto Sans Telugu",
    "kannada": "Noto Sans Kannada",
    "malayalam": "Noto Sans Malayalam",
}
# Code points Unicode has not assigned: no font has them, so they are drawn as empty boxes ("tofu").
UNASSIGNED = [chr(c) for c in (0x0378, 0x0379, 0x0380, 0x0381, 0x0382, 0x0383, 0x038B, 0x038D, 0x03A2)]
URDU_CASE_STUDY: dict[str, Any] = {
    "id": "cs-pension-camps-ur",
    "title": "ضلع میں پنشن کی شکایات کے کیمپ",
    "body": "بلاک افسروں نے ہر مہینے شکایات کے کیمپ لگائے۔ "
    "پنشن کی زیر التوا شکایات ایک سال میں 412 سے گھٹ کر 37 رہ گئیں۔",
    "department": TEST_DEPARTMENT,
    "sector": "social-welfare",
    "year": 2023,
    "language": "ur",
    "source": "e2e test upload",
}
URDU_QUESTION = "پنشن کی زیر التوا شکایات کتنی رہ گئیں؟"
ENGLISH_QUESTION = "How many pending pension grievances were left of the 412?"


def languages(server: Server) -> list[dict[str, str]]:
    response = server.api(Role.LEARNER).get("/languages")
    assert response.status_code == 200, response.text
    found: list[dict[str, str]] = response.json()
    return found


def tofu(text: str, shift: int = 0) -> str:
    """As many unassigned code points as ``text`` has characters, spaces kept (so lines break alike)."""
    return "".join(c if c.isspace() else UNASSIGNED[(i + shift) % len(UNASSIGNED)] for i, c in enumerate(text))


def platform_fonts(page: Page, selector: str) -> list[dict[str, Any]]:
    """The installed fonts Chromium drew the element's own text with: familyName, postScriptName, glyphCount."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"{selector} is not in the page"
        fonts: list[dict[str, Any]] = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return fonts
    finally:
        cdp.detach()


def serve_results(page: Page, results: list[dict[str, Any]]) -> None:
    """GET /search answers ``results`` (the rest of the UI and API stay real)."""

    def fulfil(route: Route) -> None:
        route.fulfill(json={"query": "q", "mode": "hybrid", "degraded": False, "results": results})

    page.route("**/search?*", fulfil)


def hit(doc_id: str, language: str, text: str) -> dict[str, Any]:
    return {
        "chunk_id": 1,
        "doc_id": doc_id,
        "kind": "case_study",
        "title": text,
        "section": "",
        "text": text,
        "start": 0,
        "end": len(text),
        "page": None,
        "language": language,
        "department": None,
        "score": 1.0,
        "lexical_rank": 1,
        "dense_rank": 1,
    }


def search(page: Page, query: str, language: str = "") -> Locator:
    page.get_by_label("Query").fill(query)
    page.locator("#search-lang").select_option(language)
    page.get_by_role("button", name="Search", exact=True).click()
    hits = page.locator("#search-results li.hit")
    hits.first.wait_for()
    return hits


def direction(locator: Locator) -> str:
    found: str = locator.evaluate("element => getComputedStyle(element).direction")
    return found


def test_every_language_has_a_sample() -> None:
    assert set(SAMPLES) == set(LANGUAGES)


@pytest.mark.parametrize("code", list(SAMPLES))
def test_each_script_is_drawn_by_its_noto_font(
    code: str, new_page: PageFactory, server: Server, tmp_path: Path
) -> None:
    language = next(entry for entry in languages(server) if entry["code"] == code)
    expected = SCRIPT_FONTS[language["script"]]
    sample = SAMPLES[code]
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    serve_results(page, [hit(f"cs-sample-{code}", code, sample)])
    snippet = search(page, "sample").first.locator(".snippet")
    assert snippet.inner_text() == sample
    assert snippet.get_attribute("lang") == code and snippet.get_attribute("dir") == language["direction"]

    for selector in ("li.hit .snippet", "li.hit button.title"):
        fonts = platform_fonts(page, f"#search-results {selector}")
        drawn = {font["familyName"]: font["glyphCount"] for font in fonts}
        assert drawn.get(expected, 0) > 0, (selector, fonts)
        assert all(family.startswith("Noto ") for family in drawn), (selector, fonts)  # no other fallback font
    shot = snippet.screenshot(path=tmp_path / f"{code}.png")

    # Chromium names the font it tried even for glyphs it lacks, so the pixels decide: boxes look the same whatever
    # the code point (two different strings of them give one image), and the sample must not look like them.
    show = "(element, text) => { element.textContent = text; }"
    snippet.evaluate(show, tofu(sample))
    boxes = snippet.screenshot(path=tmp_path / f"{code}-tofu.png")
    snippet.evaluate(show, tofu(sample, shift=1))
    assert snippet.screenshot() == boxes
    assert shot != boxes, f"the {code} sample is drawn as empty boxes: see {tmp_path}"


def test_language_selectors_name_each_language_in_its_own_script(new_page: PageFactory, server: Server) -> None:
    expected = [(entry["code"], entry["autonym"]) for entry in languages(server)]
    assert len(expected) == len(LANGUAGES) == 13
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    for select in ("#search-lang", "#tutor-language", "#path-language"):
        options = page.locator(f"{select} option[value]:not([value=''])")
        options.nth(len(expected) - 1).wait_for(state="attached")
        shown = [(o.get_attribute("value"), o.inner_text()) for o in options.all()]
        assert shown == expected, select
        assert [o.get_attribute("lang") for o in options.all()] == [code for code, _ in expected], select
    urdu = page.locator("#search-lang option[value=ur]")
    assert urdu.get_attribute("dir") == "rtl"


@pytest.fixture(scope="module")
def urdu_case_study(server: Server) -> Iterator[dict[str, Any]]:
    """An Urdu case study uploaded as an author would, removed again after these tests."""
    author = server.api(Role.AUTHOR)
    response = author.post("/content/case-studies", json=URDU_CASE_STUDY)
    assert response.status_code == 201, response.text
    yield URDU_CASE_STUDY
    assert author.delete(f"/content/case-studies/{URDU_CASE_STUDY['id']}").status_code == 200


def test_urdu_results_and_sources_run_right_to_left(
    new_page: PageFactory, server: Server, urdu_case_study: dict[str, Any]
) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    result = search(page, "پنشن شکایات", "ur").first
    assert result.get_attribute("lang") == "ur" and result.get_attribute("dir") == "rtl"
    assert result.get_by_role("button").inner_text() == urdu_case_study["title"]
    snippet = result.locator(".snippet")
    assert snippet.get_attribute("dir") == "rtl" and direction(snippet) == "rtl"
    assert direction(result.locator(".meta")) == "ltr"  # the line about the hit stays in the page's language

    result.get_by_role("button").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("mark").wait_for()
    body = page.locator("#passage-body")
    assert body.get_attribute("lang") == "ur" and direction(body) == "rtl"
    assert direction(page.locator("#passage-title")) == "rtl"
    page.get_by_role("button", name="Close the source").click()

    english = search(page, "phishing PFMS password", "en").first
    assert english.get_attribute("dir") == "ltr" and direction(english.locator(".snippet")) == "ltr"


def test_an_urdu_answer_and_its_quotes_run_right_to_left(
    new_page: PageFactory, server: Server, urdu_case_study: dict[str, Any]
) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    page.get_by_role("tab", name="Ask the tutor").click()
    turn = ask(page, URDU_QUESTION)
    question = turn.locator(".q")
    assert question.get_attribute("lang") == "ur" and direction(question) == "rtl"  # dir="auto" on typed text
    answer = turn.locator(".answer")
    assert answer.get_attribute("lang") == "ur" and answer.get_attribute("dir") == "rtl" and direction(answer) == "rtl"
    assert "412" in answer.inner_text()
    marker = answer.locator("button.cite").first
    assert marker.inner_text() == "[1]" and marker.get_attribute("dir") == "ltr"
    assert marker.evaluate("element => getComputedStyle(element).unicodeBidi") == "isolate"
    source = turn.locator("ol.sources li").first
    assert source.get_attribute("dir") == "rtl" and direction(source) == "rtl"
    assert source.get_by_role("button").inner_text() == urdu_case_study["title"]
    quote = source.locator(".quote")
    assert quote.get_attribute("lang") == "ur" and quote.get_attribute("dir") == "rtl" and direction(quote) == "rtl"
    assert quote.inner_text().strip("“”") in urdu_case_study["body"]

    marker.click()
    page.get_by_role("dialog").locator("mark").wait_for()
    assert direction(page.locator("#passage-body")) == "rtl"
    assert page.locator("#passage-body mark").inner_text() == quote.inner_text().strip("“”")
    page.get_by_role("button", name="Close the source").click()


def test_an_english_answer_isolates_its_urdu_quote(
    new_page: PageFactory, server: Server, urdu_case_study: dict[str, Any]
) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    page.get_by_role("tab", name="Ask the tutor").click()
    page.get_by_label("Sources in").select_option("ur")
    turn = ask(page, ENGLISH_QUESTION)
    answer = turn.locator(".answer")
    assert answer.get_attribute("lang") == "en" and direction(answer) == "ltr"
    quoted = answer.locator("bdi[lang=ur]")
    assert quoted.get_attribute("dir") == "rtl" and direction(quoted) == "rtl"
    assert quoted.inner_text() in urdu_case_study["body"]
    assert quoted.evaluate("element => getComputedStyle(element).unicodeBidi") == "isolate"
    source = turn.locator("ol.sources li").first
    assert direction(source) == "rtl" and direction(source.locator(".quote")) == "rtl"


def ask(page: Page, question: str) -> Locator:
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()
    turn = page.locator("#conversation article.turn").last
    turn.locator(".answer[aria-busy=false]").wait_for()
    return turn
