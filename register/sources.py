"""Register sources behind one interface: each returns a Grid of cell values.

A Grid is what a spreadsheet holds, row by row, as the source returns it (ragged rows allowed,
numbers where text was meant, dates as date objects, serial numbers or typed text). Everything
above this module works on Grids, so it is tested on plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config
from .errors import SourceError
from .schema import fold


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

    def row_link(self, sheet_row: int) -> str | None:
        if self.url is None:
            return None
        return f"{self.url}#gid={self.gid}&range=A{sheet_row}"


def read_grid(config: Config, session: Any = None) -> Grid:
    """Read the configured register tab in full (one request for a Google Sheet's values)."""
    if config.register.bron == "google":
        from .gsheet import SheetsConnection

        return SheetsConnection(config, session=session).read_grid()
    return read_xlsx(config.resolve(config.register.pad), config.register.tabblad)


def read_xlsx(path: Path, tab: str) -> Grid:
    """Read one tab of a local .xlsx file (cached values of formulas, not the formulas).

    Uses calamine (Rust), about ten times faster than openpyxl on large registers;
    openpyxl is only used to write.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    if not path.exists():
        raise SourceError(f"registerbestand '{path}' bestaat niet; controleer [register] pad")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise SourceError(f"'{path}' is geen leesbaar .xlsx-bestand ({exc.__class__.__name__})") from None
    try:
        if tab not in workbook.sheet_names:
            raise SourceError(missing_tab_message(tab, workbook.sheet_names, str(path.name)))
        values = workbook.get_sheet_by_name(tab).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise SourceError(f"tabblad '{tab}' in '{path}' is niet leesbaar ({exc})") from None
    finally:
        workbook.close()
    return Grid(values=values, label=f"{path.name} (tabblad {tab})")


def missing_tab_message(tab: str, available: list[str], where: str) -> str:
    import difflib

    close = difflib.get_close_matches(tab, available, n=1)
    hint = f" (bedoelde u '{close[0]}'?)" if close else ""
    names = ", ".join(f"'{n}'" for n in available) or "geen"
    return f"tabblad '{tab}' bestaat niet in {where}; wel aanwezig: {names}{hint}"
