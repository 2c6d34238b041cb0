import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from register.parse import cell_text, format_date_nl, parse_date_text, parse_date_value, parse_dates


def test_owner_date_spellings():
    expected = dt.date(2026, 2, 3)
    for text in ["3-2-2026", "03-02-2026", "2026-02-03", "3 februari 2026", "3 feb. 2026", "03/02/2026",
                 "3.2.2026", "3-2-26", "dinsdag 3 februari 2026", " 3  Februari 2026 ", "46056", "20260203",
                 "2026-02-03 00:00:00", "3 Feb 2026"]:
        assert parse_date_text(text) == expected, text


def test_impossible_dates_are_rejected():
    for text in ["31-02-2026", "2026-13-01", "morgen", "3 brumaire 2026", "12:30", "0"]:
        assert parse_date_text(text) is None, text


def test_values_from_sources():
    assert parse_date_value(46056) == (dt.date(2026, 2, 3), False)  # Sheets serial
    assert parse_date_value(46056.75) == (dt.date(2026, 2, 3), False)  # serial with a time
    assert parse_date_value(dt.datetime(2026, 2, 3, 0, 0)) == (dt.date(2026, 2, 3), False)  # noqa: DTZ001 - openpyxl
    assert parse_date_value(None) == (None, False)
    assert parse_date_value("   ") == (None, False)
    assert parse_date_value(True) == (None, True)
    assert parse_date_value("ergens in maart") == (None, True)


def test_parse_dates_column():
    values, bad = parse_dates(pd.Series(["3-2-2026", None, 46056, "x", "", dt.date(2026, 2, 3)]))
    assert list(bad) == [False, False, False, True, False, False]
    assert values[0] == np.datetime64("2026-02-03") and values[2] == values[0] and values[5] == values[0]
    assert np.isnat(values[1]) and np.isnat(values[3])


def test_cell_text_keeps_text_meaning():
    assert cell_text(14.0) == "14"
    assert cell_text("  K2026-014 \n") == "K2026-014"
    assert cell_text("0612345678") == "0612345678"
    assert cell_text(None) == ""


def test_dutch_date_format():
    assert format_date_nl(dt.date(2026, 11, 21)) == "21 november 2026"
    assert format_date_nl(np.datetime64("2026-03-01")) == "1 maart 2026"


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
                 st.dates()))
def test_parse_date_value_never_raises(value):
    date, bad = parse_date_value(value)
    assert date is None or isinstance(date, dt.date)
    assert isinstance(bad, bool)
