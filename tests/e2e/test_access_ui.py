"""The key prompt, the key's role and the tabs it may use, a refused key, and small pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gyanpath.accounts import Role
from tests.e2e.conftest import PageFactory, Server, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

ALL_TABS = ["Search", "Ask the tutor", "Learning path", "Author tools", "Admin report"]
FIRST_LOAD_BUDGET = 60_000  # bytes, uncompressed: the page, its stylesheet and scripts


def visible_tabs(page: Page) -> list[str]:
    return [tab.inner_text() for tab in page.get_by_role("tab").all()]


def test_the_key_is_asked_once_and_kept(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    page.goto("/")
    prompt = page.get_by_role("heading", name="Enter your API key")
    assert prompt.is_visible() and not page.get_by_role("tablist").is_visible()

    page.get_by_role("textbox", name="API key").fill("gp_not-a-real-key")
    page.get_by_role("button", name="Use this key").click()
    assert "refused" in page.get_by_role("alert").inner_text()
    assert prompt.is_visible()

    page.get_by_role("textbox", name="API key").fill(server.keys[Role.LEARNER])
    page.get_by_role("button", name="Use this key").click()
    page.get_by_role("tablist").wait_for()
    assert page.locator("#identity").inner_text() == "E2E learner — learner · general-administration"

    page.reload()  # the key stays in this browser: no second prompt
    page.get_by_role("tablist").wait_for()
    assert not prompt.is_visible()

    page.get_by_role("button", name="Change key").click()
    assert prompt.is_visible() and page.get_by_role("textbox", name="API key").input_value() == ""
    assert page.evaluate("localStorage.length") == 0


def test_each_role_sees_only_the_tabs_it_may_use(new_page: PageFactory, server: Server) -> None:
    expected = {Role.LEARNER: ALL_TABS[:3], Role.AUTHOR: ALL_TABS[:4], Role.ADMIN: ALL_TABS}
    for role, tabs in expected.items():
        page = new_page()
        sign_in(page, server.keys[role])
        assert visible_tabs(page) == tabs, role
        assert page.get_by_role("tab", selected=True).inner_text() == "Search"


def test_a_key_revoked_mid_session_is_asked_for_again(new_page: PageFactory, server: Server) -> None:
    token = server.create_key(Role.LEARNER, name="soon revoked")
    page = new_page()
    sign_in(page, token)
    server.revoke(token)
    page.get_by_label("Query").fill("phishing")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("heading", name="Enter your API key").wait_for()
    assert "the API key is unknown or revoked" in page.locator("#key-error").inner_text()
    assert page.evaluate("localStorage.length") == 0


def test_first_load_is_small_and_all_local(new_page: PageFactory, server: Server) -> None:
    page = new_page()
    sizes: dict[str, int] = {}
    page.on("requestfinished", lambda request: sizes.update({request.url: request.sizes()["responseBodySize"]}))
    page.goto("/", wait_until="networkidle")
    assert all(url.startswith(server.url) for url in sizes), sorted(sizes)
    assert {url.removeprefix(server.url) for url in sizes} >= {"/", "/app.css", "/js/main.js", "/health"}
    static = {url: size for url, size in sizes.items() if not url.endswith("/health")}
    assert 0 < sum(static.values()) < FIRST_LOAD_BUDGET, static
