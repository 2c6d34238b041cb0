"""The working-day calendar of the Algemene termijnenwet, plus the business's own closed days.

Closed: Saturdays, Sundays, Nieuwjaarsdag, Goede Vrijdag, Tweede Paasdag, Koningsdag,
Bevrijdingsdag (5 mei, every year), Hemelvaartsdag, Tweede Pinksterdag and both Kerstdagen
(the ``holidays`` package's NL 'public' and 'optional' categories), and the extra days from
[kalender]. All arithmetic is vectorised with numpy's business-day functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np

from .config import Config, Term

NAT = np.datetime64("NaT", "D")


def public_holidays(years: Iterable[int]) -> dict[dt.date, str]:
    """Dutch public holidays under the Algemene termijnenwet, with their Dutch names."""
    import holidays

    found = holidays.country_holidays("NL", years=sorted(set(years)), categories=("public", "optional"),
                                      language="nl")
    return dict(found.items())


class WorkCalendar:
    """Which days count as working days, and term arithmetic on arrays of dates."""

    def __init__(self, closed: dict[dt.date, str]):
        self.closed = dict(sorted(closed.items()))
        self.holidays = np.array(sorted(self.closed), dtype="datetime64[D]")

    @classmethod
    def from_config(cls, config: Config, years: Iterable[int]) -> WorkCalendar:
        years = sorted(set(years))
        closed = public_holidays(years)
        if config.kalender.vrijdag_na_hemelvaart:
            for day, name in list(closed.items()):
                if name.lower().startswith("hemelvaart"):
                    closed[day + dt.timedelta(days=1)] = "Vrijdag na Hemelvaart (sluitingsdag)"
        for day in config.kalender.extra_sluitingsdagen:
            closed.setdefault(day, "Sluitingsdag")
        return cls(closed)

    @classmethod
    def for_dates(cls, config: Config, *arrays: np.ndarray, peildatum: dt.date | None = None) -> WorkCalendar:
        """A calendar covering every year in the given date arrays, plus two years of margin."""
        years: set[int] = set()
        for arr in arrays:
            valid = arr[~np.isnat(arr)]
            if len(valid):
                years.update(range(int(str(valid.min())[:4]), int(str(valid.max())[:4]) + 1))
        if peildatum is not None:
            years.add(peildatum.year)
        if not years:
            years.add(dt.date.today().year)  # noqa: DTZ011 - only to size an empty calendar
        years.update({max(years) + 1, max(years) + 2, min(years) - 1})
        return cls.from_config(config, years)

    def is_working_day(self, dates: np.ndarray) -> np.ndarray:
        return np.is_busday(dates, holidays=self.holidays)

    def add_term(self, start: np.ndarray, term: Term) -> np.ndarray:
        """The last day of ``term`` counted from ``start`` (NaT stays NaT).

        Working days are counted from the day after ``start``. A term in calendar days or weeks
        that ends on a closed day moves to the next working day (Algemene termijnenwet art. 1).
        """
        start = np.asarray(start, dtype="datetime64[D]")
        out = np.full(start.shape, NAT)
        ok = ~np.isnat(start)
        if term.unit == "werkdagen":
            out[ok] = np.busday_offset(start[ok], term.amount, roll="backward", holidays=self.holidays)
        else:
            out[ok] = np.busday_offset(start[ok] + np.timedelta64(term.days, "D"), 0, roll="forward",
                                       holidays=self.holidays)
        return out

    def working_days_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working days in [start, end) as float (NaN where either side is NaT); negative if end < start."""
        start = np.asarray(start, dtype="datetime64[D]")
        end = np.asarray(end, dtype="datetime64[D]")
        start, end = np.broadcast_arrays(start, end)
        out = np.full(start.shape, np.nan)
        ok = ~(np.isnat(start) | np.isnat(end))
        out[ok] = np.busday_count(start[ok], end[ok], holidays=self.holidays)
        return out
