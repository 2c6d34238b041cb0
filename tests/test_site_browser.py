"""A real browser (Debian's chromium, headless, via Playwright) reads the built site; axe-core
checks accessibility. Screenshots land in the test's tmp folder (path printed on failure)."""

import datetime as dt
import functools
import http.server
import shutil
import threading

import pytest

from generator.site.build import build_site
from register.config import load_config
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(load_config(ROOT / "klachten.toml"), dt.date(2026, 11, 21), site_dir=out)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], v["impact"], v["help"]) for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


def test_klachtenregeling_in_a_browser(served, browser, tmp_path):
    page = browser.new_page()
    page.goto(f"{served}/klachtenregeling/")
    assert page.locator("h1").inner_text() == "Klachtenregeling"
    body = page.locator("article").inner_text()
    assert "binnen 7 werkdagen" in body and "binnen 2 weken" in body
    assert page.locator("html").get_attribute("lang") == "nl"
    page.screenshot(path=str(tmp_path / "klachtenregeling.png"), full_page=True)
    assert serious_violations(page) == []


def test_jaarverslag_charts_render(served, browser, tmp_path):
    page = browser.new_page()
    page.goto(f"{served}/jaarverslagen/2025/")
    assert page.locator("h1").inner_text().startswith("Jaarverslag 2025")
    images = page.locator(".grafiek img")
    assert images.count() >= 5
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        width = img.evaluate("el => el.complete ? el.naturalWidth : 0")
        assert width > 100, img.get_attribute("src")
        assert img.get_attribute("alt").startswith("Staafdiagram")
    page.screenshot(path=str(tmp_path / "jaarverslag.png"), full_page=True)
    assert (tmp_path / "jaarverslag.png").stat().st_size > 10_000
    assert serious_violations(page) == []
