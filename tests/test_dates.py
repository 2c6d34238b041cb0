"""The command line's date parser: complete dates in both orders, nothing guessed."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from register.dates import parse_typed_date
from register.errors import ConfigError


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_both_orders_give_the_same_day(day):
    assert parse_typed_date(day.isoformat(), "d") == day
    assert parse_typed_date(f"{day.day}-{day.month}-{day.year:04d}", "d") == day
    assert parse_typed_date(f"{day.day:02d}-{day.month:02d}-{day.year:04d}", "d") == day


@pytest.mark.parametrize("bad", ["5", "3-12", "12-2026", "3-12-26", "31-4-2026", "29-2-2026", "2026-13-01",
                                 "2026-1-3", "3.12.2026", "", " ", "3-12-2026-1"])
def test_incomplete_or_impossible_is_refused(bad):
    with pytest.raises(ConfigError, match="is geen datum; gebruik D-M-JJJJ of JJJJ-MM-DD"):
        parse_typed_date(bad, "--peildatum")


def test_boundaries():
    assert parse_typed_date("29-2-2028", "d") == dt.date(2028, 2, 29)
    assert parse_typed_date(" 31-12-2026 ", "d") == dt.date(2026, 12, 31)
    assert parse_typed_date("1-1-2027", "d") == dt.date(2027, 1, 1)
