"""Review periods: a half-year (2026-H2), a year (2026) or a range of years (2024-2026)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError

_HALF = re.compile(r"^\s*(\d{4})\s*-\s*[Hh]\s*([12])\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_RANGE = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")
PERIOD_HINT = "gebruik bijvoorbeeld 2026-H2, 2026 of 2024-2026"


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] with its label as the owner types it."""

    label: str
    start: dt.date
    end: dt.date

    @property
    def kind(self) -> str:
        """'halfjaar', 'jaar' or 'jaren'."""
        if "H" in self.label:
            return "halfjaar"
        return "jaar" if self.start.year == self.end.year else "jaren"

    def half_years(self) -> list[str]:
        """Labels of the half-years inside the period, oldest first."""
        labels = []
        for year in range(self.start.year, self.end.year + 1):
            for half in (1, 2):
                hy = half_year(f"{year}-H{half}")
                if hy.start >= self.start and hy.end <= self.end:
                    labels.append(hy.label)
        return labels

    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def in_words(self) -> str:
        """'tweede halfjaar 2026', '2026', '2024 t/m 2026'."""
        if self.kind == "halfjaar":
            return f"{'eerste' if self.label.endswith('1') else 'tweede'} halfjaar {self.start.year}"
        if self.kind == "jaar":
            return str(self.start.year)
        return f"{self.start.year} t/m {self.end.year}"

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        if self.kind == "halfjaar":
            year, half = self.start.year, int(self.label[-1])
            return half_year(f"{year - 1}-H2" if half == 1 else f"{year}-H1")
        span = self.end.year - self.start.year + 1
        return parse_period(f"{self.start.year - span}" if span == 1
                            else f"{self.start.year - span}-{self.end.year - span}")


def half_year(label: str) -> Period:
    year, half = int(label[:4]), int(label[-1])
    if half == 1:
        return Period(f"{year}-H1", dt.date(year, 1, 1), dt.date(year, 6, 30))
    return Period(f"{year}-H2", dt.date(year, 7, 1), dt.date(year, 12, 31))


def half_year_of(day: dt.date) -> Period:
    return half_year(f"{day.year}-H{1 if day.month <= 6 else 2}")


def last_ended_half_year(peildatum: dt.date) -> Period:
    """The most recent half-year that has fully passed on ``peildatum``."""
    current = half_year_of(peildatum)
    return current.previous()


def parse_period(text: str) -> Period:
    """'2026-H2', '2026' or '2024-2026' -> Period; anything else raises ConfigError in Dutch."""
    if m := _HALF.match(text):
        return half_year(f"{m.group(1)}-H{m.group(2)}")
    if m := _YEAR.match(text):
        year = int(m.group(1))
        return Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))
    if m := _RANGE.match(text):
        first, last = int(m.group(1)), int(m.group(2))
        if first > last:
            raise ConfigError(f"ongeldige periode '{text.strip()}': het eerste jaar ligt na het laatste")
        if first == last:
            return parse_period(str(first))
        return Period(f"{first}-{last}", dt.date(first, 1, 1), dt.date(last, 12, 31))
    raise ConfigError(f"ongeldige periode '{text.strip()}'; {PERIOD_HINT}")


def half_year_labels(dates: np.ndarray) -> np.ndarray:
    """'2026-H1'/'2026-H2' per date (vectorised: one label per distinct half-year); '' for NaT."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    months = dates.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    codes = np.where(np.isnat(dates), -1, (months // 12) * 2 + (months % 12 >= 6))
    uniques, inverse = np.unique(codes, return_inverse=True)
    labels = np.array(["" if c < 0 else f"{1970 + c // 2}-H{c % 2 + 1}" for c in uniques.tolist()], dtype=object)
    return labels[inverse.reshape(-1)]


def last_half_year_with_complaints(received: np.ndarray, peildatum: dt.date) -> Period:
    """The review period `analyse` takes by default: the most recent ended half-year in which
    complaints were received; the running half-year when no ended one has any; the last ended
    half-year when the register has none at all."""
    dates = np.asarray(received, dtype="datetime64[D]")
    ended = last_ended_half_year(peildatum)
    known = dates[~np.isnat(dates)]
    past = known[known <= np.datetime64(ended.end, "D")]
    if len(past):
        return half_year_of(past.max().astype(dt.date))
    if len(known[known <= np.datetime64(peildatum, "D")]):
        return half_year_of(peildatum)
    return ended
