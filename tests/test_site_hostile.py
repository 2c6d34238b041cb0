"""Register text and config values are data, never markup: hostile values through a real build,
read by a real browser (Debian's chromium via Playwright). No dialog may fire, no request may
leave the site's origin, and every value must be readable as the literal text it is."""

import datetime as dt
import functools
import http.server
import threading

import pytest

from generator.site.build import build_site
from tests.conftest import BASE_TOML, complaint

PEIL = dt.date(2026, 11, 21)
MEASURES = [
    "[klik](javascript:alert(1))",
    "[x](javascript:alert(4)){: onmouseover=alert(5) }",
    "![t](http://evil.example/track.png)",
    "Regel een\n# Kop",
    "<script>alert(3)</script>",
    "<img src=x onerror=alert(6)>",
    "&lt;b&gt; &amp; &#60; &copy;",
    "<http://evil.example/auto>",
    "1. lijst",
    "- punt",
    "> citaat",
    "`code` **vet** _schuin_",
    "| a | b |",
    "{: #id .klasse onclick=alert(15) }",
    "<svg onload=alert(17)>",
    "[ref][1]\n\n[1]: javascript:alert(18)",
]
CATEGORY = "<img src=x onerror=alert(7)>"
HOSTILE_TOML = BASE_TOML.replace('naam = "Testbedrijf B.V."', 'naam = "Test & Zn </title><img src=x onerror=alert(12)>"') + """
[site]
minimum_aantal = 1

[lijsten]
categorieen = ["<img src=x onerror=alert(7)>", "factuur"]
oorzaken = ["[o](javascript:alert(14))", "anders"]

[[escalatie.mogelijkheden]]
naam = "<script>alert(8)</script>"
website = "javascript:alert(9)"
toelichting = "[x](javascript:alert(10)){: onmouseover=alert(11) }"

[[escalatie.mogelijkheden]]
naam = "Echte commissie"
website = "https://www.commissie.example/pad?a=1&b=(2)"
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from register.config import load_config
    from register.demo import write_xlsx
    from tests.conftest import HEADERS

    folder = tmp_path_factory.mktemp("hostile")
    rows = [complaint(complaint_no=f"K2025-{n:03d}", received=dt.date(2025, 3, 2 + n), acknowledged=dt.date(2025, 3, 5 + n),
                      decided=dt.date(2025, 3, 12 + n), status="afgehandeld", outcome="gegrond", category=CATEGORY,
                      cause="[o](javascript:alert(14))", measure=measure,
                      escalated_to="<img src=x onerror=alert(16)> geschillencommissie" if n == 0 else None)
            for n, measure in enumerate(MEASURES)]
    write_xlsx(folder / "register.xlsx", [HEADERS] + rows)
    (folder / "klachten.toml").write_text(HOSTILE_TOML, encoding="utf-8")
    out, _ = build_site(load_config(folder / "klachten.toml"), PEIL, site_dir=folder / "out", demo=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", out
    server.shutdown()


def visit(browser, url: str, origin: str):
    """Open a page, fire every mouse and focus handler there is; return (page, dialogs, outside requests)."""
    page = browser.new_page()
    dialogs, outside = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith((origin, "data:")) else outside.append(r.url))
    page.goto(url, wait_until="networkidle")
    page.evaluate("""() => { for (const el of document.querySelectorAll('*')) {
        for (const kind of ['mouseover', 'mouseenter', 'click', 'focus', 'load', 'error'])
            el.dispatchEvent(new Event(kind, {bubbles: true})); } }""")
    page.wait_for_timeout(300)
    return page, dialogs, outside


def test_hostile_register_and_config_values_stay_text(hostile_site, browser, tmp_path):
    origin, out = hostile_site
    for path in ("", "klachtenregeling/", "klacht-indienen/", "jaarverslagen/", "jaarverslagen/2025/"):
        page, dialogs, outside = visit(browser, f"{origin}/{path}", origin)
        assert dialogs == [], (path, dialogs)
        assert outside == [], (path, outside)
        handlers = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(el =>
            [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name))""")
        assert handlers == [], (path, handlers)
        links = page.evaluate("() => [...document.querySelectorAll('a[href], img[src]')].map(e => e.href || e.src)")
        assert not [u for u in links if u.lower().startswith(("javascript:", "http://evil"))], (path, links)
        assert page.locator("article script, article svg[onload], article img[src='x']").count() == 0, path
        page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '-') or 'home'}.png"), full_page=True)
    page, _, _ = visit(browser, f"{origin}/jaarverslagen/2025/", origin)
    article = " ".join(page.locator("article").inner_text().split())
    for measure in MEASURES:
        assert " ".join(measure.split()) in article, measure
    assert CATEGORY in article and "[o](javascript:alert(14))" in article
    headings = page.locator("article h1, article h2, article h3").all_inner_texts()
    assert "Kop" not in headings and "Kop" not in " ".join(headings)
    assert "geschilleninstantie" in article and "onerror=alert(16)" not in article  # escalations by kind only
    regeling, dialogs, outside = visit(browser, f"{origin}/klachtenregeling/", origin)
    text = " ".join(regeling.locator("article").inner_text().split())
    assert "<script>alert(8)</script>" in text and "[x](javascript:alert(10)){: onmouseover=alert(11) }" in text
    assert "javascript:alert(9)" in text  # shown as text, not as a link
    assert regeling.locator("article a[href='https://www.commissie.example/pad?a=1&b=%282%29']").count() == 1  # parentheses encoded
    home, _, _ = visit(browser, f"{origin}/", origin)
    assert "Test & Zn </title><img src=x onerror=alert(12)>" in home.locator("article h1").inner_text()
    assert home.title().endswith("Test & Zn </title><img src=x onerror=alert(12)>")


def test_search_results_show_hostile_text_as_text(hostile_site, browser):
    origin, _ = hostile_site
    page = browser.new_page()
    dialogs, outside = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith((origin, "data:")) else outside.append(r.url))
    page.goto(f"{origin}/", wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("citaat", delay=50)
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    page.wait_for_timeout(500)
    assert "citaat" in page.locator(".md-search-result").inner_text()
    assert dialogs == [] and outside == []
    assert page.locator(".md-search-result img[src='x'], .md-search-result script").count() == 0
