"""`klachten inrichten`: prepare a register so the sheet itself guides the owner.

Adds what is missing and never moves, clears or reorders the owner's data: missing schema and
tool columns are appended after the last used column; dropdowns, number formats, a frozen and
(Google) warning-protected header row, a 'Feestdagen' tab and conditional formatting that
colours overdue rows live in the sheet. Everything is compared with what is there first, so a
second run changes nothing. A Google Sheet gets one read and at most one batchUpdate.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .calendar import WorkCalendar
from .config import Config, Term
from .errors import SourceError
from .schema import COLUMNS, TOOL_COLUMNS, column_letter, header_positions

HOLIDAY_TAB = "Feestdagen"
HOLIDAY_ROWS = 400  # the holiday range used in formulas: Feestdagen!A2:A400
#: Columns with a dropdown: every enum, list and urgency column of the schema.
ENUM_KEYS = tuple(c.key for c in COLUMNS if c.kind in ("enum", "list", "urgency"))
TEXT_KEYS = ("complaint_no", "postcode", "phone")
DATE_KEYS = tuple(c.key for c in COLUMNS + TOOL_COLUMNS if c.kind == "date")
DATE_PATTERN = "d-m-yyyy"
# Google Sheets' conditional formatting only reaches another tab through INDIRECT; Excel accepts it too.
HOLIDAYS_REF = f'INDIRECT("{HOLIDAY_TAB}!$A$2:$A${HOLIDAY_ROWS}")'
PROTECTION_NOTE = "Kopregel van het klachtenregister (klachten inrichten)"
#: How far ahead the Feestdagen tab must reach; the nightly run extends it when it falls short.
HOLIDAYS_AHEAD_YEARS = 2
ACK_COLOUR = {"red": 1.0, "green": 0.87, "blue": 0.68}
DECISION_COLOUR = {"red": 0.98, "green": 0.72, "blue": 0.72}


@dataclass
class Layout:
    """Where every schema and tool column is (0-based), and which headers must be added."""

    positions: dict[str, int]
    added: list[tuple[str, int]] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max(self.positions.values()) + 1

    def letter(self, key: str) -> str:
        return column_letter(self.positions[key])


def plan_layout(headers: list[Any]) -> Layout:
    """Where the columns go, given row 1; refuses a row 1 that is something else (a title)."""
    positions, _ = header_positions(headers)
    if not positions and any(h not in (None, "") for h in headers):
        raise SourceError("rij 1 bevat geen bekende kolomkoppen; 'klachten inrichten' verwacht de kopregel op "
                          "rij 1 (verplaats een titel erboven, of begin in een leeg tabblad)")
    used = max((i for i, h in enumerate(headers) if h not in (None, "")), default=-1)
    added = []
    for column in COLUMNS + TOOL_COLUMNS:
        if column.key not in positions:
            used += 1
            positions[column.key] = used
            added.append((column.key, used))
    return Layout(positions, added)


def closed_days(config: Config, today: dt.date) -> list[tuple[dt.date, str]]:
    """Closed days from last year to three years ahead, for the Feestdagen tab."""
    calendar = WorkCalendar.from_config(config, range(today.year - 1, today.year + 4))
    return [(d, n) for d, n in calendar.closed.items() if d.weekday() < 5]


def holidays_missing(config: Config, today: dt.date, listed: set[dt.date]) -> list[dt.date]:
    """Closed working days from today through the next two years that the Feestdagen tab lacks."""
    until = today.replace(year=today.year + HOLIDAYS_AHEAD_YEARS) if not (today.month == 2 and today.day == 29) \
        else dt.date(today.year + HOLIDAYS_AHEAD_YEARS, 3, 1)
    return [d for d, _ in closed_days(config, today) if today <= d <= until and d not in listed]


def formula_separator(locale: str | None) -> str:
    """The argument separator a spreadsheet in ``locale`` (e.g. 'nl_NL') expects in typed formulas:
    ';' where the decimal separator is a comma, else ','."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_decimal_symbol

    try:
        return ";" if get_decimal_symbol(Locale.parse(locale or "en_US")) == "," else ","
    except (ValueError, UnknownLocaleError):
        return ","


_STRING = re.compile(r'("[^"]*")')


def localise_formula(formula: str, separator: str) -> str:
    """``formula`` (written with ',') with ``separator`` between arguments; string literals untouched."""
    parts = _STRING.split(formula)
    return "".join(p if p.startswith('"') else p.replace(",", separator) for p in parts)


def canonical_formula(formula: str) -> str:
    """A formula with ',' between arguments, whichever locale it was written in (for comparisons)."""
    parts = _STRING.split(formula)
    return "".join(p if p.startswith('"') else p.replace(";", ",") for p in parts)


def _due(start: str, term: Term, holidays: str) -> str:
    if term.unit == "werkdagen":
        return f"WORKDAY({start},{term.amount},{holidays})"
    return f"WORKDAY({start}+{term.days - 1},1,{holidays})"


def overdue_formulas(layout: Layout, config: Config, holidays: str, separator: str = ",") -> tuple[str, str]:
    """Custom formulas (for row 2, relative rows) that are TRUE while a term is overdue, with
    ``separator`` between function arguments (see formula_separator; .xlsx files always use ',')."""
    c = {k: f"${layout.letter(k)}2" for k in ("received", "acknowledged", "decided", "status",
                                               "extension_sent", "extended_until")}
    t = config.termijnen
    open_ = f'{c["received"]}<>"",{c["decided"]}="",LOWER(TRIM({c["status"]}))<>"afgehandeld"'
    ack = f'=AND({open_},{c["acknowledged"]}="",TODAY()>{_due(c["received"], t.bevestiging, holidays)})'
    original = _due(c["received"], t.standpunt, holidays)
    limit = _due(original, t.uitstel_maximaal, holidays)
    valid = (f'AND({c["extension_sent"]}<>"",{c["extended_until"]}<>"",{c["extension_sent"]}<={original},'
             f'{c["extended_until"]}<={limit})')
    decision = f'=AND({open_},TODAY()>IF({valid},MAX({c["extended_until"]},{original}),{original}))'
    return localise_formula(ack, separator), localise_formula(decision, separator)


@dataclass
class SetupReport:
    changes: list[str]
    notes: list[str] = field(default_factory=list)  # what was found and deliberately left alone

    def summary(self) -> str:
        if not self.changes:
            text = "Register was al ingericht: niets gewijzigd."
        else:
            text = "Register ingericht:\n  " + "\n  ".join(self.changes)
        if self.notes:
            text += "\nOpgemerkt:\n  " + "\n  ".join(self.notes)
        return text


def setup_register(config: Config, today: dt.date, session: object = None) -> SetupReport:
    """Set up the configured register (see the module docstring)."""
    from register.locks import register_lock
    from register.sources import open_source

    with register_lock(config):
        return open_source(config, session).setup(today)
