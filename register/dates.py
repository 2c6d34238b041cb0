"""The one strict date parser for dates the user types on the command line or in settings."""

from __future__ import annotations

import datetime as dt
import re

from register.errors import ConfigError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
