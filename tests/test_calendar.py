import datetime as dt

import numpy as np

from register.calendar import WorkCalendar
from register.config import Term


def cal(config, *years):
    return WorkCalendar.from_config(config, years or (2024, 2025, 2026, 2027))


def add(calendar, day, term):
    return calendar.add_term(np.array([day], dtype="datetime64[D]"), term)[0].astype(dt.date)


def test_seven_working_days_skip_good_friday_and_easter_monday(config):
    # Wed 1 April 2026 + 7 working days: Thu 2, [Fri 3 Goede Vrijdag], [Mon 6 Tweede Paasdag],
    # Tue 7, Wed 8, Thu 9, Fri 10, Mon 13, Tue 14
    assert add(cal(config), dt.date(2026, 4, 1), Term(7, "werkdagen")) == dt.date(2026, 4, 14)


def test_bevrijdingsdag_counts_in_a_non_lustrum_year(config):
    # 2026 is no lustrum year; 5 May is still closed under the Algemene termijnenwet.
    assert add(cal(config), dt.date(2026, 5, 4), Term(1, "werkdagen")) == dt.date(2026, 5, 6)
    assert not cal(config).is_working_day(np.array(["2026-05-05"], dtype="datetime64[D]"))[0]


def test_koningsdag_on_sunday_moves_to_saturday(config):
    # 27 April 2025 is a Sunday: Koningsdag is Saturday 26 April, so Monday 28 is a working day.
    c = cal(config)
    assert c.is_working_day(np.array(["2025-04-28"], dtype="datetime64[D]"))[0]
    assert dt.date(2025, 4, 26) in c.closed
    assert add(c, dt.date(2025, 4, 25), Term(1, "werkdagen")) == dt.date(2025, 4, 28)


def test_koningsdag_on_a_weekday_is_closed(config):
    assert add(cal(config), dt.date(2026, 4, 24), Term(1, "werkdagen")) == dt.date(2026, 4, 28)


def test_year_end_crosses_christmas_and_new_year(config):
    # Wed 23 Dec 2026 + 3 working days: Thu 24, [Fri 25 Kerst], Mon 28, Tue 29
    assert add(cal(config), dt.date(2026, 12, 23), Term(3, "werkdagen")) == dt.date(2026, 12, 29)
    # Thu 24 Dec 2026 + 2 weeks = Thu 7 Jan 2027 (a working day)
    assert add(cal(config), dt.date(2026, 12, 24), Term(2, "weken")) == dt.date(2027, 1, 7)
    # Fri 18 Dec 2026 + 2 weeks = Fri 1 Jan 2027 (Nieuwjaarsdag) -> Mon 4 Jan
    assert add(cal(config), dt.date(2026, 12, 18), Term(2, "weken")) == dt.date(2027, 1, 4)


def test_calendar_term_ending_in_weekend_moves_to_monday(config):
    assert add(cal(config), dt.date(2026, 3, 7), Term(14, "kalenderdagen")) == dt.date(2026, 3, 23)


def test_receipt_on_saturday_counts_from_monday(config):
    # Sat 7 March 2026: working day 1 is Monday 9; day 7 is Tuesday 17.
    assert add(cal(config), dt.date(2026, 3, 7), Term(7, "werkdagen")) == dt.date(2026, 3, 17)


def test_extra_closed_days_and_friday_after_ascension(make_config):
    cfg = make_config("[kalender]\nvrijdag_na_hemelvaart = true\nextra_sluitingsdagen = [\"2026-12-28/2026-12-31\"]\n")
    c = cal(cfg)
    # Ascension 14 May 2026 -> Friday 15 closed too. Wed 13 + 1 working day = Mon 18.
    assert add(c, dt.date(2026, 5, 13), Term(1, "werkdagen")) == dt.date(2026, 5, 18)
    # Christmas shutdown: Thu 24 Dec + 1 working day = Mon 4 Jan 2027 (1 Jan closed too)
    assert add(c, dt.date(2026, 12, 24), Term(1, "werkdagen")) == dt.date(2027, 1, 4)


def test_nat_stays_nat(config):
    out = cal(config).add_term(np.array(["NaT", "2026-03-02"], dtype="datetime64[D]"), Term(7, "werkdagen"))
    assert np.isnat(out[0]) and out[1] == np.datetime64("2026-03-11")
