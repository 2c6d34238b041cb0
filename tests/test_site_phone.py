"""The demo site on a 390 px phone in a real browser (Debian's chromium via Playwright): no table
needs sideways scrolling, the header shows the whole site name, every label is Dutch; and the
404 page's links work when the site lives under a sub-path (a GitHub Pages project site)."""

import datetime as dt
import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from generator.site.build import build_site
from register.config import load_config
from tests.conftest import ROOT, complaint

PHONE = {"width": 390, "height": 844}
#: How far a table sticks out of the screen or of a scrolling box around it (the theme wraps
#: each table in one): 0 or less when nothing scrolls sideways.
OVERFLOW_JS = """() => [...document.querySelectorAll('article table')].map(t => {
  let worst = t.getBoundingClientRect().right - document.documentElement.clientWidth;
  for (let e = t; e && e !== document.body; e = e.parentElement)
    if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
      worst = Math.max(worst, e.scrollWidth - e.clientWidth);
  return [t.querySelector('caption, th') ? t.querySelector('caption, th').textContent.trim() : '', worst];
})"""


def serve(folder: Path, prefix: str = ""):
    """Serve ``folder`` on 127.0.0.1, optionally under a sub-path, with the site's 404 page for
    any missing address (as GitHub Pages does)."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            if prefix and path.startswith(prefix):
                path = path[len(prefix) - 1:]
            elif prefix:
                return str(folder / "missing")
            return super().translate_path(path)

        def send_error(self, code, message=None, explain=None):
            if code != 404:
                return super().send_error(code, message, explain)
            body = (folder / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(load_config(ROOT / "klachten.toml"), dt.date(2026, 11, 21), site_dir=out, demo=True)
    server = serve(out)
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def pages_of(out: Path) -> list[str]:
    return sorted(str(p.parent.relative_to(out)).replace(".", "") + "/" for p in out.rglob("index.html")
                  if "search" not in p.parts)


def test_no_table_scrolls_sideways_on_a_phone(site, browser, tmp_path):
    out, url = site
    pages = pages_of(out)
    assert "jaarverslagen/" in pages and "jaarverslagen/2026/" in pages
    page = browser.new_page(viewport=PHONE)
    seen = 0
    for path in pages:
        page.goto(f"{url}/{path.lstrip('/')}")
        tables = page.evaluate(OVERFLOW_JS)
        seen += len(tables)
        wide = [(title, round(px)) for title, px in tables if px > 0]
        if wide:
            page.screenshot(path=str(tmp_path / "breed.png"), full_page=True)
        assert wide == [], (path, wide, tmp_path)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path
    assert seen >= 10  # the overview and every year's tables were measured


def test_the_overview_stacks_its_columns_with_their_names(site, browser):
    _, url = site
    labels_js = """() => [...document.querySelector('article table tbody tr').querySelectorAll('td')]
        .map(td => getComputedStyle(td, '::before').content)"""
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{url}/jaarverslagen/")
    assert page.locator("article table tbody tr").first.inner_text().startswith("2026 (lopend)\n22")
    # Each figure carries its column's name in front of it: the header row is out of sight.
    assert page.evaluate(labels_js) == ['"Klachten"', '"Op tijd bevestigd"', '"Standpunt op tijd"']
    assert page.evaluate("getComputedStyle(document.querySelector('article table tbody tr')).display") == "block"
    # On a wide screen it is an ordinary table with a header row.
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(f"{url}/jaarverslagen/")
    assert wide.locator("article table thead").is_visible()
    assert wide.evaluate(labels_js) == ["none", "none", "none"]


def test_the_header_shows_the_whole_site_name(site, browser):
    _, url = site
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{url}/jaarverslagen/")
    cut = page.evaluate("""() => { const e = document.querySelector('.md-header__topic .md-ellipsis');
        return [e.textContent.trim(), e.scrollWidth - e.clientWidth, e.scrollHeight - e.clientHeight]; }""")
    assert cut[0] == "Klachten | Installatiebedrijf Voorbeeld B.V."
    assert cut[1] <= 0 and cut[2] <= 1, cut


def test_every_label_is_dutch(site):
    out, _ = site
    english = {"Header", "Footer", "Tabs", "Share", "Clear", "Back to top", "Skip to content", "Search",
               "Initializing search", "Type to start searching", "Navigation", "Table of contents"}
    for html in out.rglob("*.html"):
        labels = set(re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', html.read_text(encoding="utf-8")))
        assert not labels & english, (html.name, labels & english)
    assert 'aria-label="Kopregel"' in (out / "index.html").read_text(encoding="utf-8")


def test_the_404_page_works_under_a_sub_path(make_config, tmp_path, browser):
    """A GitHub Pages project site lives at https://owner.github.io/klachten/: with [site] url
    set, the 404 page's links and assets point below that path, and the sitemap lists pages."""
    cfg = make_config(extra="[site]\nurl = \"https://eigenaar.github.io/klachten\"\n", rows=[complaint()])
    out, _ = build_site(cfg, dt.date(2026, 11, 21), site_dir=tmp_path / "out", demo=True)
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://eigenaar.github.io/klachten/klachtenregeling/</loc>" in sitemap
    server = serve(out, "/klachten/")
    try:
        page = browser.new_page(viewport=PHONE)
        response = page.goto(f"http://127.0.0.1:{server.server_address[1]}/klachten/bestaat/niet/")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Deze pagina bestaat niet"
        links = page.eval_on_selector_all("article a", "as => as.map(a => a.href)")
        assert links and all("/klachten/" in link for link in links), links
        for link in links:
            assert page.request.get(link).status == 200, link
        # The theme's stylesheet loads too: the page is not unstyled.
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    finally:
        server.shutdown()
