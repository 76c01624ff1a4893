"""Author tools and the admin report in the browser, and every tab on a phone screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gyanpath.accounts import Role
from tests.e2e.conftest import PHONE, PageFactory, Server, sign_in

CYBER_COURSE = {
    "title": "Cyber hygiene for office staff",
    "description": "Spot phishing emails, use strong passwords and multi-factor authentication, and report incidents "
    "to the nodal officer and CERT-In within six hours.",
}


def test_author_tools_warn_of_a_duplicate_and_suggest_tags(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.AUTHOR])
    page.get_by_role("tab", name="Author tools").click()
    page.get_by_label("Title", exact=True).fill(CYBER_COURSE["title"])
    page.get_by_label("Description", exact=True).fill(CYBER_COURSE["description"])
    page.get_by_label("Modules, one a line").fill("Phishing: How fake emails and SMS trick staff.\nPasswords")
    page.get_by_role("button", name="Check the draft").click()
    result = page.locator("#draft-result")
    result.get_by_role("heading", name="Related courses and case studies").wait_for()

    draft = {
        **CYBER_COURSE,
        "modules": [{"title": "Phishing", "summary": "How fake emails and SMS trick staff."}, {"title": "Passwords"}],
    }
    api = server.api(Role.AUTHOR)
    related = api.post("/authoring/related", json=draft).json()
    tags = api.post("/authoring/tags", json=draft).json()
    assert [d["course_id"] for d in related["duplicates"]] == ["crs-cyber-basics-en"]
    warning = result.locator(".warn")
    assert "This may duplicate an existing course" in warning.inner_text()
    assert CYBER_COURSE["title"] in warning.inner_text()
    shown_tags = result.locator(".chart .label").all_inner_texts()
    assert len(shown_tags) == len(tags["tags"]) > 0
    assert shown_tags[0].startswith(f"{tags['tags'][0]['name']} ({tags['tags'][0]['competency_id']})")
    for item in related["related"]:
        assert item["title"] in result.inner_text()


def test_coverage_gaps_for_the_authors_department(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.AUTHOR])
    page.get_by_role("tab", name="Author tools").click()
    assert page.get_by_label("Department").input_value() == "general-administration"
    page.get_by_role("button", name="Find gaps").click()
    result = page.locator("#coverage-result")
    result.locator("p").first.wait_for()
    expected = server.api(Role.AUTHOR).get("/authoring/coverage", params={"department": "general-administration"})
    gaps = expected.json()["gaps"]
    if gaps:
        assert result.locator("li.step").count() == len(gaps)
        assert f"{gaps[0]['name']} — {gaps[0]['level']}" in result.inner_text()
    else:
        assert "No coverage gap" in result.inner_text()


def test_the_report_tab_shows_the_apis_error_cleanly(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    sign_in(page, server.keys[Role.ADMIN])
    page.route(
        "**/reports/department?*",
        lambda route: route.fulfill(
            status=503,
            json={"error": "index_not_ready", "detail": "the report is being rebuilt", "field": None},
        ),
    )
    page.get_by_role("tab", name="Admin report").click()
    page.get_by_role("button", name="Show the report").click()
    alert = page.locator("#report-result").get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "the report is being rebuilt"


# The shared shape of GET /reports/department, as the reports endpoint answers it; a small cohort withholds two figures.
CANNED_REPORT = {
    "department": "general-administration",
    "year": 2026,
    "employees_registered": 40,
    "completed_one_or_more": 30,
    "completed_three_or_more": 10,
    "in_progress": None,
    "learning_hours": 152.5,
    "programme": {"mandated_hours": 28.0, "completed": 8, "share": 0.2},
    "mandatory_modules": {"ai": {"completed": 20, "share": 0.5}, "cyber-security": {"completed": None, "share": None}},
    "top_courses": [
        {"course_id": "crs-cyber-basics-en", "title": "Cyber hygiene for office staff", "completions": 24},
        {"course_id": "crs-ai-basics-en", "title": "Artificial intelligence basics", "completions": 12},
    ],
    "suppressed": ["in_progress", "mandatory_modules.cyber-security"],
}


def test_the_report_tab_charts_the_shared_report_shape(new_page: PageFactory, server: Server) -> None:
    """The tab against the agreed shape, whatever the server holds: figures, shares as bars, withheld figures."""
    page = new_page()
    sign_in(page, server.keys[Role.ADMIN])
    page.route("**/reports/department?*", lambda route: route.fulfill(json=CANNED_REPORT))
    page.route(
        "**/reports/department.csv?*",
        lambda route: route.fulfill(body="metric,value\ndepartment,general-administration\n", content_type="text/csv"),
    )
    page.get_by_role("tab", name="Admin report").click()
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show the report").click()
    result = page.locator("#report-result")
    result.get_by_role("heading", name="general-administration, 2026").wait_for()
    figures = result.locator(".figure").all_inner_texts()
    assert [f.split("\n")[0] for f in figures] == ["40", "30", "10", "withheld", "152.5 h"]
    bars = {b.get_attribute("aria-label") for b in result.locator(".bar[role=img]").all()}
    assert {
        "completed at least one course: 75%",
        "completed three or more: 25%",
        "in progress: withheld: fewer than five people",
        "whole programme (8 completed): 20%",
        "ai (20 completed): 50%",
        "cyber-security: withheld: fewer than five people",
        "Cyber hygiene for office staff: 24 completions",
    } <= bars
    widths = result.locator(".chart").last.locator(".bar span").evaluate_all("spans => spans.map(s => s.style.width)")
    assert widths == ["100%", "50%"]
    assert "Withheld for groups under five: in_progress, mandatory_modules.cyber-security." in result.inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "department-report-2026.csv"
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("metric,value")


def test_the_admin_report_charts_the_departments_year(new_page: PageFactory, server: Server) -> None:
    year = dt.date.today().year
    for n in range(6):  # above the cohort of five below which figures are withheld
        token = server.create_key(Role.LEARNER, learner_id=f"report-learner-{n}")
        for course_id in ("crs-cyber-basics-en", "crs-ai-basics-en")[: 1 + n % 2]:
            created = server.api(token=token).post("/me/completions", json={"course_id": course_id, "score": 80})
            assert created.status_code == 201, created.text
    report = server.api(Role.ADMIN).get("/reports/department", params={"year": year}).json()

    page = new_page()
    sign_in(page, server.keys[Role.ADMIN])
    page.get_by_role("tab", name="Admin report").click()
    page.get_by_role("button", name="Show the report").click()
    result = page.locator("#report-result")
    result.get_by_role("heading", name=f"general-administration, {year}").wait_for()
    assert report["completed_one_or_more"] >= 6
    figures = result.locator(".figure").all_inner_texts()
    assert any(f"{report['completed_one_or_more']:,}" in f and "completed a course" in f for f in figures)
    top = report["top_courses"][0]
    assert f"{top['title']} — {top['completions']}" in result.inner_text()
    assert result.locator(".bar[role=img]").count() >= 3 + len(report["top_courses"])

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    saved = download.value.path()
    assert download.value.suggested_filename == f"department-report-{year}.csv"
    assert "general-administration" in Path(saved).read_text(encoding="utf-8")


def test_every_tab_fits_a_phone_screen(new_page: PageFactory, server: Server) -> None:
    page = new_page(viewport=PHONE)
    sign_in(page, server.keys[Role.ADMIN])

    def assert_no_horizontal_scroll(where: str) -> None:
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{where}: page is {widths[0]}px wide on a {widths[1]}px screen"

    assert_no_horizontal_scroll("search")
    page.get_by_label("Query").fill("phishing")
    page.get_by_role("button", name="Search", exact=True).click()
    page.locator("#search-results li.hit").first.wait_for()
    assert_no_horizontal_scroll("search results")
    page.locator("#search-results li.hit button.title").first.click()
    page.get_by_role("dialog").locator(".passage").first.wait_for()
    dialog_box = page.get_by_role("dialog").bounding_box()
    assert dialog_box is not None and dialog_box["x"] >= 0 and dialog_box["x"] + dialog_box["width"] <= PHONE["width"]
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="Ask the tutor").click()
    page.get_by_label("Your question").fill("How fast must a CERT-In report be sent?")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.locator("#conversation .answer[aria-busy=false]").wait_for()
    assert_no_horizontal_scroll("tutor")

    page.get_by_role("tab", name="Learning path").click()
    page.get_by_label("Role", exact=True).select_option(label="Public Information Officer")
    page.get_by_role("button", name="Plan my path").click()
    page.get_by_role("region", name="Day-by-day programme").wait_for()
    assert_no_horizontal_scroll("learning path")

    page.get_by_role("tab", name="Author tools").click()
    page.get_by_label("Title", exact=True).fill(CYBER_COURSE["title"])
    page.get_by_role("button", name="Check the draft").click()
    page.locator("#draft-result h3").first.wait_for()
    page.get_by_role("button", name="Find gaps").click()
    page.locator("#coverage-result p").first.wait_for()
    assert_no_horizontal_scroll("author tools")

    page.get_by_role("tab", name="Admin report").click()
    assert_no_horizontal_scroll("admin report")
