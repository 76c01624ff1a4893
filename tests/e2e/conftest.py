"""End-to-end fixtures: a real uvicorn server over a temporary home with the mini corpus and the hashing embedder,
and Debian's Chromium driven headless by Playwright (the system browser: nothing is downloaded).

Without /usr/bin/chromium or the playwright package the tests skip, saying why; ``make test`` installs both."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from corpus.ingest import IngestSources, ingest
from gyanpath.accounts import Role
from gyanpath.devserver import running_service
from gyanpath.services import Services
from gyanpath.settings import Settings
from gyanpath.userstore import SQLiteUserStore
from tests.conftest import DATA, MINI, TEST_DEPARTMENT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

CHROMIUM = Path(os.environ.get("GYANPATH_CHROMIUM", "/usr/bin/chromium"))
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (make test does, as root: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing: pip install -r requirements-dev.lock (make test does)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@dataclass(frozen=True)
class Server:
    url: str
    home: Path
    keys: dict[Role, str]

    @property
    def database(self) -> Path:
        return Settings(home=self.home, embedder="hashing").database_path

    def create_key(self, role: Role, **fields: str) -> str:
        users = SQLiteUserStore(self.database)
        try:
            return users.create_key(role=role, department=fields.pop("department", TEST_DEPARTMENT), **fields).token
        finally:
            users.close()

    def revoke(self, token: str) -> None:
        users = SQLiteUserStore(self.database)
        try:
            key = users.authenticate(token)
            assert key is not None
            users.revoke_key(key.id)
        finally:
            users.close()

    def api(self, role: Role | None = None, *, token: str | None = None) -> httpx.Client:
        token = token or (self.keys[role] if role else None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def _prepare_home(home: Path) -> dict[Role, str]:
    """The mini corpus and three help articles ingested and indexed with the hashing embedder, one key per role."""
    services = Services.create(Settings(home=home, embedder="hashing"))
    try:
        ingest(services.store, IngestSources.bundle(MINI))
        ingest(services.store, IngestSources(help_articles=[DATA / "help"]))
        services.rebuild_index()
        return {
            role: services.users.create_key(
                role=role, department=TEST_DEPARTMENT, name=f"E2E {role.value}", learner_id=f"e2e-{role.value}"
            ).token
            for role in Role
        }
    finally:
        services.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``python -m gyanpath serve`` on a free port, as a user would start it."""
    home = tmp_path_factory.mktemp("e2e-home")
    keys = _prepare_home(home)
    env = {**os.environ, "GYANPATH_HOME": str(home), "GYANPATH_EMBEDDER": "hashing", "GYANPATH_EMBED_THREADS": "1"}
    with running_service(env, home / "server.log") as url:
        yield Server(url, home, keys)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = browser_missing()
    if reason:
        print(f"\nweb UI end-to-end tests skipped: {reason}", file=sys.stderr)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


PageFactory = Callable[..., "Page"]


@pytest.fixture
def new_page(browser: Browser, server: Server) -> Iterator[PageFactory]:
    """``new_page(viewport=PHONE)``: a fresh browser context (empty localStorage) on the server's UI."""
    contexts = []

    def make(viewport: ViewportSize | None = None) -> Page:
        context = browser.new_context(viewport=viewport or DESKTOP, base_url=server.url, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, token: str) -> None:
    """Open the UI and answer its key prompt."""
    page.goto("/")
    page.get_by_role("textbox", name="API key").fill(token)
    page.get_by_role("button", name="Use this key").click()
    page.get_by_role("tablist").wait_for()
