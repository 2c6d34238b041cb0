"""One definition of each figure (register/figures.py): the site's annual report, the daily
mail and the half-year analysis give the same numbers for the demo register on 21 November 2026."""

import datetime as dt

import pytest

from generator.analysis.compute import analyse
from generator.mail.digest import build_sections
from generator.site.jaarverslag import build_reports
from register.check import check_grid, check_register
from register.config import load_config
from register.figures import classify, tally
from register.periods import parse_period
from tests.conftest import ROOT, complaint

PEIL = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def demo():
    config = load_config(ROOT / "klachten.toml")
    return config, check_register(config, PEIL)


def test_open_past_term_is_the_same_in_report_and_mail(demo):
    config, result = demo
    reports = build_reports(result, config)
    year = next(r for r in reports if r.year == 2026)
    in_report = reports.pub.value(year.c("dec_open_late"))
    late = [s for s in build_sections(result) if s.signal == "standpunt_te_laat"]
    in_mail = sorted(line.klachtnummer for line in late[0].regels)
    # K2026-052 is closed without a Datum standpunt: handled (late), not open past its term.
    assert in_mail == ["K2026-058", "K2026-059"]
    assert in_report == len(in_mail) == 2


def test_handled_in_the_first_half_is_the_same_in_report_and_analysis(demo):
    config, result = demo
    reports = build_reports(result, config)
    year = next(r for r in reports if r.year == 2026)
    label, received, handled = year.halves[0]
    assert label == "januari t/m juni"
    analysis = analyse(result, parse_period("2026-H1"))
    assert analysis.figures[1].received == reports.pub.value(received) == 10
    assert analysis.figures[1].closed == reports.pub.value(handled) == 10


def test_withdrawn_complaints_are_shown_apart(demo):
    config, result = demo
    reports = build_reports(result, config)
    y2023 = next(r for r in reports if r.year == 2023)
    pub = reports.pub
    # 2023: K2023-001 and -002 decided on time, K2023-003 withdrawn: 2 of 2, not 3 of 3.
    assert (pub.value(y2023.c("dec_ok")), pub.value(y2023.c("dec_n"))) == (2, 2)
    assert pub.value(y2023.c("withdrawn")) == 1
    analysis = analyse(result, parse_period("2023"))
    year = analysis.figures[-1]
    assert (year.decision_on_time, year.decision_on_time + year.decision_late, year.withdrawn) == (2, 2, 1)


def test_the_due_day_itself_is_on_time_and_the_day_after_is_late(make_config):
    # Received Monday 2 November 2026; decision due two weeks later, Monday 16 November.
    config = make_config(rows=[complaint(complaint_no="A", received=dt.date(2026, 11, 2))])
    from register.sources import read_grid

    grid = read_grid(config)
    on_due_day = tally(classify(check_grid(grid, config, dt.date(2026, 11, 16))))
    day_after = tally(classify(check_grid(grid, config, dt.date(2026, 11, 17))))
    assert (on_due_day.running, on_due_day.open_past_term) == (1, 0)
    assert (day_after.running, day_after.open_past_term) == (0, 1)


def test_withdrawn_is_never_late_and_has_no_handling_time(make_config):
    rows = [complaint(complaint_no="W", received=dt.date(2026, 6, 1), decided=dt.date(2026, 8, 1),
                      status="afgehandeld", outcome="ingetrokken"),
            complaint(complaint_no="U", received=dt.date(2026, 6, 1), status="afgehandeld", outcome="gegrond")]
    config = make_config(rows=rows)
    from register.sources import read_grid

    marks = classify(check_grid(read_grid(config), config, PEIL))
    assert marks["withdrawn"].tolist() == [True, False]
    assert marks["late"].tolist() == [False, True]  # U: closed without Datum standpunt
    assert marks["undated"].tolist() == [False, True]
    assert marks["handling_days"].isna().all()
