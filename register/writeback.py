"""Writing to the register, safely: by complaint number, only changed cells, in one request.

Every write re-reads the register right before writing and finds each complaint's row by its
Klachtnummer, so rows the owner sorted, inserted or deleted in the meantime never receive
another complaint's values; a number that vanished or became ambiguous is skipped and
reported. Google Sheets gets one values:batchUpdate with valueInputOption RAW (text that starts
with '=' stays text); a local .xlsx is copied to the backup folder before it is replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .errors import SourceError
from .parse import cell_text, parse_date_value, to_serial
from .schema import BY_KEY, CLOSED, column_letter, header_positions
from .sources import Grid, read_grid

MARKER = "[geanonimiseerd]"
#: Personal data and free text that may contain it; everything the jaarverslag uses is kept.
ANONYMISED_KEYS = ("name", "address", "postcode", "city", "email", "phone", "correspondence", "description",
                   "solution", "investigation", "motivation", "extension_reason")


@dataclass
class WriteReport:
    updated: list[str] = field(default_factory=list)  # complaint numbers with at least one changed cell
    cells: int = 0
    skipped: list[str] = field(default_factory=list)  # Dutch reasons

    def summary(self) -> str:
        text = f"{self.cells} cel(len) bijgewerkt bij {len(self.updated)} klacht(en)"
        if self.skipped:
            text += "; overgeslagen: " + "; ".join(self.skipped)
        return text


def _same(key: str, current: Any, new: Any) -> bool:
    if BY_KEY[key].kind == "date":
        return parse_date_value(current)[0] == (new if isinstance(new, dt.date) else parse_date_value(new)[0])
    return cell_text(current) == cell_text(new)


def _positions(grid: Grid) -> tuple[int, dict[str, int]]:
    top = grid.header_position()
    positions, _ = header_positions(grid.values[top] if grid.values else [])
    return top, positions


def apply_updates(config: Config, updates: dict[str, dict[str, Any]], session: Any = None,
                  guard: Callable[[dict[str, Any]], str | None] | None = None) -> WriteReport:
    """Write ``{klachtnummer: {schema key: value}}`` to the register.

    ``guard`` sees the complaint's current cells (by schema key) and may return a reason to
    skip it. Dates are written as dates (Sheets: serial numbers, RAW).
    """
    target = _target(config, session)
    grid = target.read()  # fresh, right before writing
    top, positions = _positions(grid)
    if "complaint_no" not in positions:
        raise SourceError("kolom 'Klachtnummer' niet gevonden; het register kan niet veilig worden bijgewerkt")
    needed = {key for values in updates.values() for key in values}
    missing = [BY_KEY[k].header for k in sorted(needed) if k not in positions]
    if missing:
        raise SourceError(f"kolom(men) {', '.join(missing)} ontbreken; voer eerst 'klachten inrichten' uit")
    rows_by_number: dict[str, list[int]] = {}
    for offset, row in enumerate(grid.values[top + 1:], start=top + 1):
        cell = row[positions["complaint_no"]] if positions["complaint_no"] < len(row) else None
        number = cell_text(cell)
        if number:
            rows_by_number.setdefault(number, []).append(offset)
    report = WriteReport()
    cells: list[tuple[int, int, Any]] = []  # (0-based row, 0-based column, value)
    for number, values in updates.items():
        found = rows_by_number.get(number, [])
        if len(found) != 1:
            report.skipped.append(f"{number} {'niet meer gevonden' if not found else 'staat er nu meer dan eens'}")
            continue
        r = found[0]
        row = grid.values[r]
        current = {key: row[idx] if idx < len(row) else None for key, idx in positions.items()}
        reason = guard(current) if guard else None
        if reason:
            report.skipped.append(f"{number} {reason}")
            continue
        changed = [(r, positions[key], value) for key, value in values.items() if not _same(key, current[key], value)]
        if changed:
            cells.extend(changed)
            report.updated.append(number)
    if cells:
        target.write(cells)
    report.cells = len(cells)
    return report


# -- targets ------------------------------------------------------------------------------------
class _GoogleTarget:
    def __init__(self, config: Config, session: Any):
        from .gsheet import SheetsConnection

        self.conn = SheetsConnection(config, session=session)

    def read(self) -> Grid:
        return self.conn.read_grid()

    def write(self, cells: list[tuple[int, int, Any]]) -> None:
        from .gsheet import quote_tab

        tab = quote_tab(self.conn.tab)
        data = [{"range": f"{tab}!{column_letter(c)}{r + 1}", "values": [[_raw(v)]]} for r, c, v in cells]
        self.conn.values_batch_update(data)


def _raw(value: Any) -> Any:
    if isinstance(value, dt.date):
        return to_serial(value)
    return "" if value is None else value


class _XlsxTarget:
    def __init__(self, config: Config):
        self.config = config
        self.path = config.resolve(config.register.pad)

    def read(self) -> Grid:
        return read_grid(self.config)

    def write(self, cells: list[tuple[int, int, Any]]) -> None:
        import openpyxl

        workbook = openpyxl.load_workbook(self.path)
        ws = workbook[self.config.register.tabblad]
        for r, c, value in cells:
            cell = ws.cell(row=r + 1, column=c + 1)
            cell.value = None if value == "" else value
            if isinstance(value, dt.date):
                cell.number_format = "d-m-yyyy"
        save_workbook_with_backup(workbook, self.path, self.config)


def _target(config: Config, session: Any):
    return _GoogleTarget(config, session) if config.register.bron == "google" else _XlsxTarget(config)


def save_workbook_with_backup(workbook, path: Path, config: Config) -> Path | None:
    """Copy the current file to the backup folder, then replace it atomically."""
    import shutil

    backup = None
    if path.exists():
        folder = config.resolve(config.nachtrun.map) / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        from .deadlines import AMSTERDAM

        stamp = dt.datetime.now(AMSTERDAM).strftime("%Y%m%d-%H%M%S-%f")
        backup = folder / f"{path.stem}-voor-wijziging-{stamp}{path.suffix}"
        shutil.copy2(path, backup)
    tmp = path.with_name(path.stem + ".tmp" + path.suffix)
    workbook.save(tmp)
    tmp.replace(path)
    return backup


# -- what klachten writes -----------------------------------------------------------------------
def write_deadlines(config: Config, result, session: Any = None) -> WriteReport:
    """Fill the tool's columns (Bevestigen vóór, Standpunt vóór, Signaal) for every complaint."""
    from .deadlines import SIGNALS

    reg, d = result.register, result.deadlines
    numbers = reg.frame["complaint_no"].to_numpy()
    ack = d["acknowledge_due"].to_numpy(dtype="datetime64[D]")
    decision = d["decision_due"].to_numpy(dtype="datetime64[D]")
    signals: dict[int, list[str]] = {}
    for row, signal in zip(result.flags["row"], result.flags["signaal"], strict=True):
        signals.setdefault(int(row), []).append(SIGNALS[signal])
    counts: dict[str, int] = {}
    for n in numbers:
        counts[n] = counts.get(n, 0) + 1
    updates = {}
    for i, number in enumerate(numbers):
        if not number or counts[number] > 1:
            continue
        updates[number] = {
            "ack_due_written": None if np.isnat(ack[i]) else ack[i].astype(dt.date),
            "decision_due_written": None if np.isnat(decision[i]) else decision[i].astype(dt.date),
            "signal_written": "; ".join(signals.get(i, [])),
        }
    return apply_updates(config, updates, session)


def anonymisation_candidates(result) -> list[int]:
    """Rows whose retention expired: closed, not escalated, not yet anonymised."""
    flags = result.flags
    return sorted(int(r) for r in flags.loc[flags["signaal"] == "bewaartermijn_verlopen", "row"])


def _still_expired(current: dict[str, Any]) -> str | None:
    if cell_text(current.get("status")).lower() != CLOSED:
        return "is niet meer afgehandeld"
    if cell_text(current.get("escalated_to")):
        return "is geëscaleerd"
    if cell_text(current.get("anonymised")):
        return "is al geanonimiseerd"
    return None


def anonymise(config: Config, result, today: dt.date, session: Any = None) -> tuple[WriteReport, Path]:
    """Back up the whole register, then replace the personal fields of expired complaints
    with a marker and fill Geanonimiseerd op, in one write. Logs number and date only."""
    from .backup import write_backup
    from .deadlines import AMSTERDAM

    folder = config.resolve(config.nachtrun.map)
    backup = write_backup(_target(config, session).read(), folder / "backups", dt.datetime.now(AMSTERDAM), keep=0)
    reg = result.register
    numbers = reg.frame["complaint_no"].to_numpy()
    updates = {}
    for i in anonymisation_candidates(result):
        values = {key: MARKER for key in ANONYMISED_KEYS if key in reg.positions and reg.text(key)[i]}
        values["anonymised"] = today
        updates[numbers[i]] = values
    report = apply_updates(config, updates, session, guard=_still_expired)
    log = folder / "anonimisering.log"
    with log.open("a", encoding="utf-8") as fh:
        for number in report.updated:
            fh.write(f"{today.isoformat()} {number} geanonimiseerd\n")
    return report, backup
