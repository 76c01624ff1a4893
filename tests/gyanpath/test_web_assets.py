"""The web UI's files without a browser: small, all local, every module import resolvable, served as JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gyanpath.accounts import Role
from gyanpath.api.app import WEB_ROOT
from tests.conftest import ClientFactory

BUDGET = 60_000  # bytes, uncompressed, for everything the first page load fetches
ASSETS = sorted(p for p in WEB_ROOT.rglob("*") if p.is_file())
IMPORT = re.compile(r"""^import .* from "(\./[\w-]+\.js)";$""", re.MULTILINE)
LINK = re.compile(r"""(?:src|href)="([^"]+)\"""")


def test_the_whole_ui_fits_the_first_load_budget() -> None:
    assert sum(p.stat().st_size for p in ASSETS) < BUDGET


@pytest.mark.parametrize("asset", ASSETS, ids=lambda p: str(p.relative_to(WEB_ROOT)))
def test_nothing_is_fetched_from_elsewhere(asset: Path) -> None:
    text = asset.read_text(encoding="utf-8")
    assert not re.search(r"""["'(]\s*(?:https?:)?//""", text), "a URL to another host"
    assert "@import" not in text
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", text)  # text stays text


def test_every_module_and_link_resolves() -> None:
    html = (WEB_ROOT / "index.html").read_text(encoding="utf-8")
    linked = {target for target in LINK.findall(html) if not target.startswith(("#", "/"))}
    assert {"app.css", "js/main.js"} <= linked
    for target in linked:
        assert (WEB_ROOT / target).is_file(), target
    modules = sorted((WEB_ROOT / "js").glob("*.js"))
    imported = {"main.js"}
    for module in modules:
        for target in IMPORT.findall(module.read_text(encoding="utf-8")):
            assert (module.parent / target).is_file(), f"{module.name} imports {target}"
            imported.add(target.removeprefix("./"))
    assert imported == {m.name for m in modules}  # no module left unused
    assert {f"js/{m.name}" for m in modules if m.name != "main.js"} <= linked  # all preloaded: no request waterfall


def test_the_ui_is_served_without_a_key_and_compressed(client_as: ClientFactory) -> None:
    client = client_as(None)
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-encoding"] == "gzip"
    script = client.get("/js/main.js")
    assert script.status_code == 200
    assert script.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")
    assert client_as(Role.LEARNER).get("/js/api.js").text.startswith("// Talking to the gyanpath API")
