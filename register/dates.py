"""The one strict date parser for dates the user types on the command line or in settings."""

from __future__ import annotations

import datetime as dt
import re

from register.errors import ConfigError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The Dutch order the register also takes: day-month-year, with a four-digit year.
_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def parse_iso_date(value: str, what: str) -> dt.date:
    """'2026-11-21' -> date; anything else (5, 21-11-2026, 2026-02-30) is a Dutch ConfigError.

    Deliberately stricter than the register's date parser: a typo on the command line must not
    silently become another day (``--peildatum 5`` was once read as 4 January 1900).
    """
    text = value.strip()
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ConfigError(f"{what} '{value}' is geen datum; gebruik JJJJ-MM-DD, bijv. 2026-11-21")


def parse_typed_date(value: str, what: str) -> dt.date:
    """'2026-12-03' or '3-12-2026' -> date; anything incomplete or ambiguous is a ConfigError.

    Only complete dates with a four-digit year: ``5``, ``3-12`` and ``26-12-3`` are refused
    rather than guessed, and an impossible day (``30-2-2026``) is refused too.
    """
    text = value.strip()
    match = _DUTCH_DATE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    elif _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ConfigError(f"{what} '{value}' is geen datum; gebruik D-M-JJJJ of JJJJ-MM-DD, bijv. 3-12-2026 of 2026-12-03")
