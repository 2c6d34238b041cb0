"""A real browser (Debian's chromium, headless, via Playwright) reads the built site; axe-core
checks accessibility. Screenshots land in the test's tmp folder (path printed on failure)."""

import functools
import http.server
import threading

import pytest


@pytest.fixture(scope="module")
def served(built_demo_site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_demo_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


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
    """The bar charts are tables: readable on a 390 px phone (text at least 12 px), a bar for
    every exact count and none for a hidden one."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{served}/jaarverslagen/2025/")
    assert page.locator("h1").inner_text().startswith("Jaarverslag 2025")
    tables = page.locator("table.staafdiagram")
    assert tables.count() >= 5
    sizes = page.eval_on_selector_all("table.staafdiagram th, table.staafdiagram td, table.staafdiagram caption",
                                      "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= 12, min(sizes)
    rows = page.eval_on_selector_all(
        "table.staafdiagram tbody tr",
        "rows => rows.map(r => [r.querySelector('.getal').textContent,"
        " r.querySelector('.staaf') ? r.querySelector('.staaf').getBoundingClientRect().width : 0])")
    for text, width in rows:
        assert (width > 0) == text.isdigit(), (text, width)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(tmp_path / "jaarverslag.png"), full_page=True)
    assert serious_violations(page) == []


def test_every_request_stays_on_our_own_origin(served, browser):
    """No fonts, scripts or images from another server: a visitor's IP address goes nowhere else."""
    from urllib.parse import urlsplit

    origin = urlsplit(served)
    for path in ("", "klachtenregeling/", "klacht-indienen/", "jaarverslagen/", "jaarverslagen/2025/"):
        page = browser.new_page()
        requests = []
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.goto(f"{served}/{path}", wait_until="networkidle")
        page.close()
        assert requests, path
        foreign = [u for u in requests if not u.startswith("data:") and urlsplit(u)[:2] != origin[:2]]
        assert foreign == [], (path, foreign)
