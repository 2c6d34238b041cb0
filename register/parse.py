"""Turning hand-typed cell values into clean text and dates.

Each column is factorised first, so every distinct value is parsed once: a 400,000-row register
has a few thousand distinct dates, and the result is spread back with one numpy take.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

NAT = np.datetime64("NaT", "D")
#: Dates outside this range are typos in a complaints register (checked with their cell).
EARLIEST_DATE = np.datetime64("1990-01-01", "D")
LATEST_DATE = np.datetime64("2100-12-31", "D")
SERIAL_EPOCH = dt.date(1899, 12, 30)  # Sheets and Excel serial day 0
_MAX_SERIAL = 2958465  # 9999-12-31

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "febr": 2, "february": 2,
    "maart": 3, "mrt": 3, "mar": 3, "march": 3, "mei": 5, "may": 5,
    "april": 4, "apr": 4,
    "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7,
    "augustus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "december": 12, "dec": 12,
}
MONTH_NAMES = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december")
_WEEKDAYS = r"(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo)\.?,?\s+"

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_NAMED = re.compile(r"^(?:" + _WEEKDAYS + r")?(\d{1,2})[\s\-.]*([a-z]+)\.?[\s\-.,]*(\d{4})$")
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)?$")


def cell_text(value: Any) -> str:
    """Any grid value as the text the owner meant: 14.0 -> '14', None -> '', stripped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _serial(number: float) -> dt.date | None:
    if 1 <= number <= _MAX_SERIAL:
        return SERIAL_EPOCH + dt.timedelta(days=int(number))
    return None


def to_serial(day: dt.date) -> int:
    """A date as the serial day number Sheets and Excel store (1 = 31 December 1899)."""
    return (day - SERIAL_EPOCH).days


def _ymd(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def parse_date_text(text: str) -> dt.date | None:
    """A date the way owners type it, or None when it is not one.

    Accepts 2026-02-03, 3-2-2026, 03/02/2026, 3.2.26, '3 februari 2026', 'di 3 feb. 2026',
    and serial numbers ('46056') as Sheets shows them for dates it did not recognise.
    Day-month order is Dutch: 3-2-2026 is 3 February.
    """
    t = " ".join(text.lower().split())
    if not t:
        return None
    if m := _ISO.match(t):
        return _ymd(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.match(t):
        year = int(m[3])
        if len(m[3]) == 2:
            year += 2000
        return _ymd(year, int(m[2]), int(m[1]))
    if m := _NAMED.match(t):
        month = MONTHS.get(m[2])
        return _ymd(int(m[3]), month, int(m[1])) if month else None
    if _DIGITS.match(t):
        number = float(t.replace(",", "."))
        if len(t) == 8 and t.startswith(("19", "20")):  # 20260203
            return _ymd(int(t[:4]), int(t[4:6]), int(t[6:]))
        return _serial(number)
    return None


def parse_date_value(value: Any) -> tuple[dt.date | None, bool]:
    """(date, bad): bad is True when the cell holds something that is not a date."""
    if value is None:
        return None, False
    if isinstance(value, dt.datetime):
        return value.date(), False
    if isinstance(value, dt.date):
        return value, False
    if isinstance(value, bool):
        return None, True
    if isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, float) and math.isnan(value):
            return None, False
        date = _serial(float(value))
        return date, date is None
    text = str(value).strip()
    if not text:
        return None, False
    date = parse_date_text(text)
    return date, date is None


def factorize_cells(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """pandas.factorize over raw cells, except that a boolean never equals a number.

    pandas (like Python) treats True == 1 and False == 0, so TRUE in a column would take the
    place of every 1 (or the reverse). Only the groups whose representative is a boolean, 0 or
    1 are looked at again, cell by cell, and split by type.
    """
    codes, found = pd.factorize(values, use_na_sentinel=True)
    uniques: list[Any] = list(found)
    suspects = [i for i, u in enumerate(uniques)
                if isinstance(u, bool | np.bool_) or (isinstance(u, int | float | np.number) and u in (0, 1))]
    if not suspects:
        return codes, uniques
    codes = codes.copy()
    for code in suspects:
        where = np.flatnonzero(codes == code)
        kinds: dict[tuple[bool, bool], int] = {}
        for j in where:
            v = values[j]
            key = (isinstance(v, bool | np.bool_), bool(v))
            if key not in kinds:
                kinds[key] = code if not kinds else len(uniques)
                if kinds[key] == code:
                    uniques[code] = v
                else:
                    uniques.append(v)
            codes[j] = kinds[key]
    return codes, uniques


def parse_dates(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column of raw cells -> (datetime64[D] array with NaT, bool array 'not a date')."""
    codes, uniques = factorize_cells(values.to_numpy(dtype=object))
    parsed = np.empty(len(uniques) + 1, dtype="datetime64[D]")
    bad = np.zeros(len(uniques) + 1, dtype=bool)
    parsed[-1] = NAT  # code -1 (empty) lands here
    for i, value in enumerate(uniques):
        date, is_bad = parse_date_value(value)
        parsed[i] = np.datetime64(date, "D") if date is not None else NAT
        bad[i] = is_bad
    return parsed[codes], bad[codes]


def clean_text(values: pd.Series | np.ndarray, few: bool = False) -> np.ndarray:
    """A column of raw cells -> object array of clean text ('' for empty).

    ``few``: the column has few distinct values (an enum, a name list): factorise and convert
    each distinct value once. Otherwise every cell is converted in one pass.
    """
    values = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    if len(values) == 0:
        return np.empty(0, dtype=object)
    if few:
        codes, uniques = factorize_cells(values)
        cleaned = np.empty(len(uniques) + 1, dtype=object)
        cleaned[:-1] = [cell_text(v) for v in uniques]
        cleaned[-1] = ""
        result: np.ndarray = cleaned[codes]
        return result
    # A plain loop: strings are stripped directly, only the odd number or date goes through
    # cell_text (pandas' .str.strip costs ~5x more per cell in NA bookkeeping).
    out = np.empty(len(values), dtype=object)
    out[:] = [v.strip() if v.__class__ is str else cell_text(v) for v in values]
    return out


def blank_mask(values: np.ndarray) -> np.ndarray:
    """True where a raw cell is empty: None, NaN, or only white space.

    One pass in plain Python: text and floats (nearly every cell) are decided by their class; only
    other objects ask pandas whether they are missing. About twice as fast as converting the column
    to numpy's StringDType first.
    """
    isna = pd.isna
    return np.array([v is None or (v.__class__ is str and (v == "" or v.isspace()))
                     or (v.__class__ is float and v != v)
                     or (v.__class__ is not str and v.__class__ is not float and bool(isna(v)))
                     for v in values], dtype=bool)


def format_date_nl(value: dt.date | np.datetime64 | None) -> str:
    """21 november 2026 (no leading zero, Dutch month name)."""
    if value is None:
        return ""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return ""
        day: dt.date = value.astype("datetime64[D]").astype(dt.date)
        value = day
    if isinstance(value, pd.Timestamp):
        value = value.date()
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


_AMOUNT_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def _amount(value: Any) -> tuple[float, bool]:
    """One cell -> (euros, unreadable); an empty cell is (nan, False)."""
    if isinstance(value, bool):
        return float("nan"), True
    if isinstance(value, int | float):
        return (float("nan"), False) if value != value else (float(value), False)
    text = cell_text(value).replace("€", "").replace("EUR", "").replace("eur", "").replace(" ", "").strip()
    if text in ("", "-"):
        return float("nan"), False
    if text.endswith((",-", ".-")):
        text = text[:-2]
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif _AMOUNT_THOUSANDS.match(text):
        text = text.replace(".", "")
    try:
        return float(text), False
    except ValueError:
        return float("nan"), True


def parse_amounts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A column of amount cells (50, '49,95', '€ 1.250,00') -> (float64 euros, NaN when empty or
    unreadable; mask of unreadable non-empty cells). Each distinct value is parsed once."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    parsed = np.full(len(uniques) + 1, np.nan)
    bad = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(uniques):
        parsed[i], bad[i] = _amount(value)
    return parsed[codes], bad[codes]
