"""Learner journeys in the browser: search, the streaming tutor with its sources, a learning path day by day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gyanpath.accounts import Role
from tests.e2e.conftest import PageFactory, Server, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

QUESTION = "By how much did phishing clicks fall in the Satara drill?"

# Records the answer's text and aria-busy at every change, to see tokens shown before the final answer event.
WATCH_ANSWERS = """() => {
  window.answerStates = [];
  new MutationObserver(() => {
    for (const answer of document.querySelectorAll("#conversation .answer")) {
      window.answerStates.push({busy: answer.getAttribute("aria-busy"), text: answer.textContent,
                                cites: answer.querySelectorAll("button.cite").length});
    }
  }).observe(document.getElementById("conversation"), {childList: true, subtree: true, characterData: true,
                                                        attributes: true});
}"""


def test_search_opens_a_result_at_its_passage(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    page.get_by_label("Query").fill("phishing PFMS password")
    page.get_by_role("button", name="Search", exact=True).click()
    first = page.locator("#search-results li.hit").first
    first.wait_for()
    expected = server.api(Role.LEARNER).get("/search", params={"q": "phishing PFMS password", "k": 10}).json()
    titles = [hit["title"] for hit in expected["results"]]
    assert page.locator("#search-results li.hit button.title").all_inner_texts() == titles

    first.get_by_role("button").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("mark").wait_for()
    assert dialog.get_by_role("heading", level=2).inner_text() == titles[0]
    assert dialog.locator("mark").inner_text().strip() == expected["results"][0]["text"].strip()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_help_articles_are_searched_by_kind_and_labelled_help(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    page.get_by_label("Query").fill("learning hours not showing")
    page.get_by_label("Kind").select_option(label="Help")
    page.get_by_role("button", name="Search", exact=True).click()
    hits = page.locator("#search-results li.hit")
    hits.first.wait_for()
    assert hits.count() >= 1
    assert all(meta.startswith("Help · ") for meta in hits.locator(".meta").all_inner_texts())
    hits.first.get_by_role("button").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("mark").wait_for()
    assert page.locator("#passage-meta").inner_text().startswith("Help · ")
    assert "gyanpath help desk" in page.locator("#passage-meta").inner_text()


def test_the_tutor_streams_and_a_citation_opens_the_quoted_span(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    page.get_by_role("tab", name="Ask the tutor").click()
    page.evaluate(WATCH_ANSWERS)
    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_role("button", name="Ask", exact=True).click()
    citation = page.locator("#conversation button.cite").first
    citation.wait_for()

    states: list[dict[str, Any]] = page.evaluate("window.answerStates")
    streaming = [s for s in states if s["busy"] == "true" and s["text"]]
    assert streaming, states  # text was on screen while the answer was still streaming
    final = page.locator("#conversation .answer").first
    assert final.get_attribute("aria-busy") == "false" and final.get_attribute("aria-live") == "polite"
    assert "4 percent" in final.inner_text()
    assert streaming[0]["text"].replace(" ", "") in final.inner_text().replace(" ", "")

    source = page.locator("ol.sources li").first
    quote = source.locator("div").inner_text().strip("“”")
    title = source.get_by_role("button").inner_text()
    citation.click()
    dialog = page.get_by_role("dialog")
    dialog.locator("mark").wait_for()
    assert dialog.locator("mark").inner_text() == quote
    assert dialog.get_by_role("heading", level=2).inner_text() == title == "A phishing attack on a district treasury"
    assert dialog.locator("mark").is_visible()
    page.get_by_role("button", name="Close the source").click()

    page.get_by_role("button", name="Yes").click()  # rate the answer: stored for its conversation
    page.get_by_text("Thank you: noted.").wait_for()


def test_a_follow_up_stays_in_the_conversation(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    page.get_by_role("tab", name="Ask the tutor").click()
    ask(page, "How fast must a CERT-In report be sent?")
    ask(page, "and what about passwords?")
    assert page.locator("#conversation article.turn").count() == 2
    page.get_by_role("button", name="New conversation").click()
    assert page.locator("#conversation article.turn").count() == 0


def ask(page: Page, question: str) -> None:
    turns = page.locator("#conversation article.turn")
    before = turns.count()
    page.get_by_label("Your question").fill(question)
    page.get_by_label("Your question").press("Enter")
    turns.nth(before).locator(".answer[aria-busy=false]").wait_for()


def test_a_learning_path_shows_steps_explanations_and_the_day_by_day_programme(
    new_page: PageFactory, server: Server
) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    page.get_by_role("tab", name="Learning path").click()
    page.get_by_label("Role", exact=True).select_option(label="Public Information Officer")
    page.get_by_label("Preferred course language").select_option("en")
    page.get_by_role("button", name="Plan my path").click()
    page.get_by_role("region", name="Day-by-day programme").wait_for()

    expected = server.api(Role.LEARNER).post(
        "/paths", json={"role": "role-pio", "programme": "7-day", "language": "en"}
    )
    path = expected.json()
    result = page.locator("#path-result")
    assert result.get_by_role("heading", level=2).inner_text() == f"Path for {path['role_title']}"
    steps = result.locator("li.step")
    assert steps.count() == len(path["steps"]) > 0
    for shown, step in zip(steps.all(), path["steps"], strict=True):
        assert step["title"] in shown.inner_text()
        for reason in step["reasons"]:
            assert reason in shown.inner_text()
    days = result.locator(".day h4").all_inner_texts()
    assert days == [f"Day {day['day']}" for day in path["schedule"]["days"]] and len(days) == 7
    first_day = path["schedule"]["days"][0]["sessions"]
    assert first_day and first_day[0]["title"] in result.locator(".day").first.inner_text()
    assert result.get_by_role("heading", name="Mandatory modules").is_visible()
    for module in path["mandatory"]:
        assert module["detail"] in result.inner_text()


def test_a_programme_of_other_days_is_planned_over_those_days(new_page: PageFactory, server: Server) -> None:
    """The form used to send programme "7-day" with the days typed, which the API refuses for any other number."""
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    page.get_by_role("tab", name="Learning path").click()
    page.get_by_label("Role", exact=True).select_option(label="Public Information Officer")
    page.get_by_label("Days").fill("10")
    page.get_by_role("button", name="Plan my path").click()
    page.get_by_role("region", name="Day-by-day programme").wait_for()
    result = page.locator("#path-result")
    assert result.locator(".day h4").count() == 10
    assert "error" not in (result.get_attribute("class") or "")


def test_a_learning_path_error_names_the_problem(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.LEARNER])
    page.get_by_role("tab", name="Learning path").click()
    page.get_by_label("Role", exact=True).select_option(label="Public Information Officer")
    page.get_by_label("Courses already completed").fill("crs-no-such-course")
    page.get_by_role("button", name="Plan my path").click()
    alert = page.locator("#path-result").get_by_role("alert")
    alert.wait_for()
    assert "crs-no-such-course" in alert.inner_text()
