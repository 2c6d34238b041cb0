"""What every register source offers, and the grid of cells it returns.

A Grid is what a spreadsheet holds, row by row, as the source returns it (ragged rows allowed,
numbers where text was meant, dates as date objects, serial numbers or typed text). Everything
above the sources works on Grids, so it is tested on plain data.

A Source reads the whole register tab, writes single cells, and sets the sheet up. Writing by
complaint number (re-read, find each row by its Klachtnummer, write only changed cells) is the
same for every source and lives here, on top of ``read`` and ``write_cells``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from register.errors import SourceError
from register.parse import cell_text, parse_date_value
from register.schema import BY_KEY, fold, header_positions

if TYPE_CHECKING:
    from register.config import Config
    from register.sheetsetup import SetupReport


@dataclass
class Grid:
    """The values of one tab. ``values[0]`` is sheet row ``first_row``."""

    values: list[list[Any]]
    label: str  # for messages: 'data/demo-register.xlsx (tabblad Register)'
    first_row: int = 1
    url: str | None = None  # Google Sheet edit URL, for links to a row
    gid: int | None = None

    def header_position(self) -> int:
        """Index in ``values`` of the header row: the first of the top 10 rows naming Klachtnummer."""
        for i, row in enumerate(self.values[:10]):
            if any(isinstance(v, str) and fold(v) == "klachtnummer" for v in row):
                return i
        return 0

    def header_positions(self) -> tuple[int, dict[str, int]]:
        """(index of the header row in ``values``, schema key -> 0-based column)."""
        top = self.header_position()
        positions, _ = header_positions(self.values[top] if self.values else [])
        return top, positions

    def row_link(self, sheet_row: int) -> str | None:
        if self.url is None:
            return None
        return f"{self.url}#gid={self.gid}&range=A{sheet_row}"


@dataclass(frozen=True)
class CellWrite:
    """One cell to write: 0-based row and column in the tab, and the new value."""

    row: int
    column: int
    value: Any


@dataclass
class WriteReport:
    updated: list[str] = field(default_factory=list)  # complaint numbers with at least one changed cell
    cells: int = 0
    skipped: list[str] = field(default_factory=list)  # Dutch reasons
    removed_files: list[Path] = field(default_factory=list)  # copies deleted with them (anonymise)

    def summary(self) -> str:
        from register.plural import count

        text = f"{count(self.cells, 'cel', 'cellen')} bijgewerkt bij {count(len(self.updated), 'klacht', 'klachten')}"
        if self.skipped:
            text += "; overgeslagen: " + "; ".join(self.skipped)
        return text


#: A guard sees a complaint's current cells (by schema key) and may return a reason to skip it.
Guard = Callable[[dict[str, Any]], "str | None"]


def _same(key: str, current: Any, new: Any) -> bool:
    if current is None and isinstance(new, dt.date):  # a date into an empty cell (most of a first write)
        return False
    if BY_KEY[key].kind == "date":
        return parse_date_value(current)[0] == (new if isinstance(new, dt.date) else parse_date_value(new)[0])
    return cell_text(current) == cell_text(new)


class Source(ABC):
    """One register source. Subclasses set ``kind`` (the [register] bron value) and implement
    ``read``, ``write_cells`` and ``setup``."""

    kind: ClassVar[str]

    def __init__(self, config: Config):
        self.config = config

    @abstractmethod
    def read(self) -> Grid:
        """The whole register tab (a constant number of requests, whatever its size)."""

    @abstractmethod
    def write_cells(self, cells: list[CellWrite]) -> None:
        """Write exactly these cells, nothing else (RAW: text that starts with '=' stays text)."""

    @abstractmethod
    def setup(self, today: dt.date) -> SetupReport:
        """Add what is missing (columns, dropdowns, formats, Feestdagen tab, colour rules)."""

    @abstractmethod
    def keep_holidays_current(self, today: dt.date) -> str | None:
        """Make the Feestdagen tab reach at least two years past ``today`` (the nightly run);
        return what was done (or why nothing could be), None when it already did: then nothing
        is written. A register without the tab is left alone (``inrichten`` creates it)."""

    def write_planned(self, plan: Callable[[], list[CellWrite]]) -> None:
        """Write the cells ``plan()`` returns (it re-reads the tab). Sources whose write may be lost
        in transit override this to re-plan instead of re-sending."""
        cells = plan()
        if cells:
            self.write_cells(cells)

    def update_by_number(self, updates: dict[str, dict[str, Any]], guard: Guard | None = None) -> WriteReport:
        """Write ``{klachtnummer: {schema key: value}}``: re-read right before writing, find each
        complaint's row by its number, write only the cells whose value changes.

        A number that vanished or became ambiguous is skipped and reported, so rows the owner
        sorted, inserted or deleted meanwhile never receive another complaint's values. The
        report describes the first plan: a retry after a lost answer finds those cells written.
        """
        from register.locks import register_lock

        reports: list[WriteReport] = []

        def plan() -> list[CellWrite]:
            cells, report = self._plan_updates(updates, guard)
            reports.append(report)
            return cells

        with register_lock(self.config):  # held from the re-read to the write: writers never interleave
            self.write_planned(plan)
        return reports[0]

    def _plan_updates(self, updates: dict[str, dict[str, Any]], guard: Guard | None) -> tuple[list[CellWrite], WriteReport]:
        grid = self.read()
        top, positions = grid.header_positions()
        if "complaint_no" not in positions:
            raise SourceError("kolom 'Klachtnummer' niet gevonden; het register kan niet veilig worden bijgewerkt")
        needed = {key for values in updates.values() for key in values}
        missing = [BY_KEY[k].header for k in sorted(needed) if k not in positions]
        if missing:
            what = "kolom" if len(missing) == 1 else "kolommen"
            verb = "ontbreekt" if len(missing) == 1 else "ontbreken"
            raise SourceError(f"{what} {', '.join(missing)} {verb}; voer eerst 'klachten inrichten' uit")
        rows_by_number: dict[str, list[int]] = {}
        number_col = positions["complaint_no"]
        for offset, row in enumerate(grid.values[top + 1:], start=top + 1):
            number = cell_text(row[number_col] if number_col < len(row) else None)
            if number:
                rows_by_number.setdefault(number, []).append(offset)
        report = WriteReport()
        cells: list[CellWrite] = []
        for number, values in updates.items():
            found = rows_by_number.get(number, [])
            if len(found) != 1:
                report.skipped.append(f"{number} {'niet meer gevonden' if not found else 'staat er nu meer dan eens'}")
                continue
            r = found[0]
            row = grid.values[r]
            if guard:
                current = {key: row[idx] if idx < len(row) else None for key, idx in positions.items()}
                if reason := guard(current):
                    report.skipped.append(f"{number} {reason}")
                    continue
            else:  # only the cells to compare (a few of the row's many columns)
                current = {key: row[positions[key]] if positions[key] < len(row) else None for key in values}
            changed = [CellWrite(r, positions[key], value) for key, value in values.items()
                       if not _same(key, current[key], value)]
            if changed:
                cells.extend(changed)
                report.updated.append(number)
        report.cells = len(cells)
        return cells, report


def missing_tab_message(tab: str, available: list[str], where: str) -> str:
    close = difflib.get_close_matches(tab, available, n=1)
    hint = f" (bedoelde u '{close[0]}'?)" if close else ""
    names = ", ".join(f"'{n}'" for n in available) or "geen"
    return f"tabblad '{tab}' bestaat niet in {where}; wel aanwezig: {names}{hint}"
