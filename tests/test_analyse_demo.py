"""The half-year analysis of the demo register (peildatum 21 November 2026): who complained more
than once, values as typed, no verdict from tiny counts, the period's own complaints, working
days, a default period with complaints; and the report read on a 390 px phone."""

import datetime as dt

import pytest
from typer.testing import CliRunner

from generator.analysis.compute import MeasureEffect, analyse
from generator.analysis.report import html_report
from generator.app.cli import app
from register.check import check_register
from register.config import load_config
from register.periods import last_half_year_with_complaints, parse_period
from tests.conftest import ARGS, CHROMIUM, ROOT, complaint

PEIL = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def demo():
    config = load_config(ROOT / "klachten.toml")
    return config, check_register(config, PEIL)


@pytest.fixture(scope="module")
def h1(demo):
    return analyse(demo[1], parse_period("2026-H1"))


def test_each_complaint_under_its_own_complainant(h1, demo):
    group = next(g for g in h1.repeat_groups if any(k.number == "K2026-045" for k in g.complaints))
    assert group.names == ["Bram Demovic", "Frank Schijnsma"]
    assert group.matched_on == ["postcode en huisnummer"]
    page = html_report(h1, demo[0], [])
    assert "<strong>Bram Demovic en Frank Schijnsma</strong>" in page
    assert "<strong>K2026-045</strong>, 19 februari 2026 van Bram Demovic" in page
    assert "<strong>K2026-049</strong>, 29 april 2026 van Frank Schijnsma" in page


def test_the_period_holds_only_its_own_complaints(h1):
    # Eva Nepstra complained in May (K2026-050) and again in November (K2026-062): the second
    # belongs to H2, so in the H1 report she is no repeat complainant and no open complaint.
    listed = {k.number for g in h1.repeat_groups for k in g.complaints}
    assert "K2026-062" not in listed and "K2026-050" not in listed
    assert h1.open_similar == [] and h1.open_total == 0
    assert h1.received_per_half.labels[-1] == "2026-H1"  # the trend stops at the period's end
    h2 = analyse(check_register(load_config(ROOT / "klachten.toml"), PEIL), parse_period("2026-H2"))
    assert {o.complaint.number for o in h2.open_similar} >= {"K2026-058", "K2026-064"}


def test_an_unknown_category_shows_as_typed(demo):
    h2 = analyse(demo[1], parse_period("2026-H2"))
    categories = dict(next(b for b in h2.breakdowns if b.title == "Categorie").rows)
    assert "garantie" in categories and "(leeg)" not in categories  # K2026-054 says 'garantie'


def test_handling_time_is_in_working_days(h1, demo):
    assert h1.figures[1].days_median == 10.0
    assert "Doorlooptijd tot standpunt in werkdagen, mediaan" in html_report(h1, demo[0], [])


@pytest.mark.parametrize(("before", "after", "verdict"), [
    (1, 2, "te weinig klachten voor een oordeel"), (2, 1, "te weinig klachten voor een oordeel"),
    (4, 4, "te weinig klachten voor een oordeel"), (5, 2, "gedaald"), (2, 5, "gestegen"), (5, 5, "gelijk gebleven"),
])
def test_no_trend_verdict_below_the_minimum(before, after, verdict):
    effect = MeasureEffect("m", "c", dt.date(2026, 1, 1), 1, before, after, dt.date(2026, 7, 2))
    assert effect.verdict == verdict


def test_default_period_is_the_last_one_with_complaints(make_config, tmp_path):
    D = dt.date
    received = [D(2025, 3, 1), D(2025, 9, 1)]
    import numpy as np

    dates = np.array(received, dtype="datetime64[D]")
    assert last_half_year_with_complaints(dates, D(2026, 11, 21)).label == "2025-H2"
    assert last_half_year_with_complaints(dates, D(2026, 1, 1)).label == "2025-H2"
    assert last_half_year_with_complaints(dates, D(2025, 7, 1)).label == "2025-H1"  # the day after H1 ended
    assert last_half_year_with_complaints(dates, D(2025, 6, 30)).label == "2025-H1"  # running: none ended yet
    assert last_half_year_with_complaints(np.array([], dtype="datetime64[D]"), D(2026, 11, 21)).label == "2026-H1"
    cfg = make_config(rows=[complaint(complaint_no="K2025-001", received=D(2025, 9, 1))])
    result = CliRunner().invoke(app, ["analyse", "--peildatum", "2026-11-21", "--config", str(cfg.path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("Periode: tweede halfjaar 2025 (het laatste afgelopen halfjaar met "
                                             "klachten); kies een andere met --periode.")


def test_the_report_reads_on_a_phone(h1, demo, tmp_path):
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "rapport.html"
    page_file.write_text(html_report(h1, demo[0], []), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(page_file.as_uri())
        page.screenshot(path=str(tmp_path / "rapport-390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        scrolled = page.evaluate("""() => [...document.querySelectorAll('.scroll')]
            .filter(e => e.scrollWidth > e.clientWidth).map(e => e.previousElementSibling.textContent)""")
        assert scrolled == [], scrolled
        # The report's own half-year is on screen in Kerncijfers.
        own = page.evaluate("""() => [...document.querySelectorAll('table.kerncijfers td.eigen')].map(td => {
            const r = td.getBoundingClientRect(); return [r.left, r.right, td.getAttribute('data-label')]; })""")
        assert own and all(0 <= left and right <= 390 and label == "eerste halfjaar 2026" for left, right, label in own)
        # Maatregelen: a measure reads as a line of text, not one word per line.
        widths = page.eval_on_selector_all("table.maatregelen tr:not(.kop) td:first-child",
                                           "tds => tds.map(td => td.getBoundingClientRect().width)")
        assert widths and min(widths) >= 300, widths
        # Chart text at least 12 px as drawn.
        sizes = page.evaluate("""() => [...document.querySelectorAll('.chart svg')].flatMap(svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale); })""")
        assert sizes and min(sizes) >= 12, min(sizes)
        browser.close()
