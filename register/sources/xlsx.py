"""The local .xlsx source (the default: no Google account needed).

Reading uses calamine (Rust), about ten times faster than openpyxl on large registers, after
checks that the file is a readable .xlsx and its used range is bounded (xlsxpackage). Writing
cells edits only those cells in the worksheet XML (xlsxpackage.write_cells), after a copy of
the file is put in the backup folder; every write holds the register lock.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from register.errors import SourceError, damaged_file_message, resolved
from register.sources.base import CellWrite, Grid, Source, missing_tab_message
from register.sources.filecheck import ensure_writable, keep_mode_and_owner
from register.sources.xlsxpackage import (
    TEMP_PREFIX,
    TEMP_SUFFIX,
    check_readable,
    check_size,
    remove_stale_temporaries,
    sheet_part,
)
from register.sources.xlsxpackage import write_cells as write_xlsx_cells

if TYPE_CHECKING:
    from register.config import Config
    from register.sheetsetup import SetupReport


#: The demo register shipped in git. Commands never change it: they work on a copy in the private folder.
SHIPPED_DEMO = Path(__file__).resolve().parents[2] / "data" / "demo-register.xlsx"


def register_file(config: Config) -> Path:
    """The file to read and write: [register] pad, or a working copy when that is the shipped demo."""
    path = config.register_path()
    if resolved(path) != SHIPPED_DEMO:
        return path
    import hashlib

    copy = config.private_dir() / "demo-register.xlsx"
    origin = copy.with_name(copy.name + ".bron")  # which shipped demo the copy was made from
    shipped = hashlib.sha256(SHIPPED_DEMO.read_bytes()).hexdigest()
    made_from = origin.read_text(encoding="utf-8").strip() if origin.is_file() else None
    if not copy.exists() or made_from != shipped:  # a new demo in git replaces the old copy
        from register.store import WHOLE_REGISTER, PrivateStore

        store = PrivateStore.at(config.private_dir())
        store.write(copy, SHIPPED_DEMO.read_bytes(), [WHOLE_REGISTER])
        store.write(origin, shipped.encode("utf-8"), [])
    return copy


def read_xlsx(path: Path, tab: str) -> Grid:
    """Read one tab of a local .xlsx file (cached values of formulas, not the formulas)."""
    from python_calamine import CalamineError, CalamineWorkbook

    check_readable(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError):
        raise SourceError(f"'{path}' is geen leesbaar .xlsx-bestand") from None
    try:
        if tab not in workbook.sheet_names:
            raise SourceError(missing_tab_message(tab, workbook.sheet_names, str(path.name)))
        check_size(path, tab)
        values = workbook.get_sheet_by_name(tab).to_python(skip_empty_area=False)
    except CalamineError as exc:
        if "crc" in str(exc).lower() or "deflate" in str(exc).lower() or "zip" in str(exc).lower():
            raise SourceError(damaged_file_message(path, exc)) from None
        raise SourceError(f"tabblad '{tab}' in '{path}' is niet leesbaar ({dutch_reason(exc)})") from None
    except (zlib.error, zipfile.BadZipFile, EOFError) as exc:  # a member's compressed bytes or checksum
        raise SourceError(damaged_file_message(path, exc)) from None
    finally:
        workbook.close()
    return Grid(values=values, label=f"{path.name} (tabblad {tab})")


_LAST_READ: dict[str, Any] = {}


def _file_key(path: Path, tab: str) -> tuple[str, str, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(resolved(path)), tab, st.st_ino, st.st_size, st.st_mtime_ns)


class XlsxSource(Source):
    """A tab of a local .xlsx file ([register] pad and tabblad)."""

    kind = "xlsx"

    def __init__(self, config: Config):
        super().__init__(config)
        self.path = register_file(config)
        self.tab = config.register.tabblad

    def read(self) -> Grid:
        # The write path reads the register twice (check, then again under the lock right before
        # writing). When the file is the very same (inode, size, modification time) the second
        # read reuses the first; any save in between, ours or the owner's, gives a new key.
        key = _file_key(self.path, self.tab)
        if key is not None and _LAST_READ.get("key") == key:
            cached: Grid = _LAST_READ["grid"]
            return cached
        grid = read_xlsx(self.path, self.tab)
        if key is not None and key == _file_key(self.path, self.tab):
            _LAST_READ.update(key=key, grid=grid)
        return grid

    def write_cells(self, cells: list[CellWrite]) -> None:
        from register.locks import register_lock
        from register.sheetsetup import DATE_PATTERN

        with register_lock(self.config):
            check_readable(self.path)
            ensure_writable(self.path)
            remove_stale_temporaries(self.path.parent, self.path.name)
            copy_before_change(self.path, self.config)
            writes = {(c.row + 1, c.column + 1): c.value for c in cells}
            write_xlsx_cells(self.path, self.tab, writes, DATE_PATTERN)

    def setup(self, today: dt.date) -> SetupReport:
        from register.locks import register_lock

        with register_lock(self.config):
            return setup_xlsx(self.config, today)

    def keep_holidays_current(self, today: dt.date) -> str | None:
        import zipfile

        from register.locks import register_lock
        from register.sheetsetup import HOLIDAY_TAB, closed_days, holidays_missing
        from register.sources.xlsxsetup import replace_holiday_sheet

        with register_lock(self.config):
            check_readable(self.path)
            with zipfile.ZipFile(self.path) as zf:
                part = sheet_part(zf, HOLIDAY_TAB)
            if part is None:
                return f"geen tabblad {HOLIDAY_TAB} in {self.path.name} (niets gewijzigd; 'klachten inrichten' maakt het aan)"
            first = [row[0] if row else None for row in read_xlsx(self.path, HOLIDAY_TAB).values[1:]]
            listed = {v.date() if isinstance(v, dt.datetime) else v for v in first if isinstance(v, dt.date)}
            if not holidays_missing(self.config, today, listed):
                return None
            ensure_writable(self.path)
            remove_stale_temporaries(self.path.parent, self.path.name)
            days = closed_days(self.config, today)
            copy_before_change(self.path, self.config)
            replace_holiday_sheet(self.path, part, days)
            return f"{len(days)} sluitingsdagen in {HOLIDAY_TAB} gezet (tot en met {today.year + 3})"


def dutch_reason(exc: Exception) -> str:
    """calamine's message without the Rust/Python class names ('(ZipError)', 'BadZipFile')."""
    lowered = f"{type(exc).__name__} {exc}".lower()
    if "password" in lowered or "encrypt" in lowered:
        return "met een wachtwoord beveiligd"
    if "zip" in lowered:
        return "beschadigd zip-archief"
    if "xml" in lowered:
        return "onleesbare XML"
    return "onbekend formaat"


def copy_before_change(path: Path, config: Config) -> Path | None:
    """Copy the current file to the backup folder (rotated with the other backups)."""
    from register.backup import copy_before_change as copy
    from register.store import PrivateStore

    return (copy(path, config.backups_dir(), config.nachtrun.backups_bewaren, PrivateStore(config))
            if path.exists() else None)

def write_holiday_rows(hs: Any, days: list[tuple[dt.date, str]]) -> None:
    """Replace the Feestdagen sheet's rows with a header and ``days``."""
    from register.sheetsetup import DATE_PATTERN

    hs.delete_rows(1, hs.max_row)
    for r, (day, name) in enumerate([("Datum", "Omschrijving"), *days], start=1):
        hs.cell(row=r, column=1, value=day)
        hs.cell(row=r, column=2, value=name)
        if r > 1:
            hs.cell(row=r, column=1).number_format = DATE_PATTERN


def save_workbook_with_backup(workbook: Any, path: Path, config: Config) -> Path | None:
    """Copy the current file to the backup folder, then replace it atomically (unique temporary
    name in the same folder; removed again if saving fails)."""
    import os
    import tempfile

    ensure_writable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    original = path.stat() if path.exists() else None
    backup = copy_before_change(path, config)
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}-", suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        workbook.save(tmp)
        if original is not None:
            keep_mode_and_owner(original, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return backup



#: The only tab of a brand-new workbook (Dutch and English Excel/LibreOffice).
NEW_SHEET_TABS = ("Blad1", "Sheet1")


def _is_empty(ws: Any) -> bool:
    return all(cell.value in (None, "") for row in ws.iter_rows(max_row=min(ws.max_row, 50)) for cell in row)


def setup_xlsx(config: Config, today: dt.date) -> SetupReport:
    """The setup plan carried out on a local .xlsx (after a backup copy of the file): an
    existing file by editing its XML parts (xlsxsetup), a new one with openpyxl."""
    import zipfile

    import openpyxl
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from register.model import allowed_values
    from register.schema import BY_KEY, column_letter
    from register.sheetsetup import (
        DATE_KEYS,
        DATE_PATTERN,
        ENUM_KEYS,
        HOLIDAY_TAB,
        HOLIDAYS_REF,
        TEXT_KEYS,
        SetupReport,
        closed_days,
        overdue_formulas,
        plan_layout,
    )

    path = register_file(config)
    ensure_writable(path)
    if path.exists():
        from register.sources.xlsxsetup import setup_xlsx_parts

        check_readable(path)
        check_size(path, config.register.tabblad)
        remove_stale_temporaries(path.parent, path.name)
        with zipfile.ZipFile(path) as zf:
            part = sheet_part(zf, config.register.tabblad)
            plain = part is not None and zf.open(part).read(4096).find(b"<worksheet") >= 0
        # The usual default-namespace XML; a prefixed one (x:worksheet) or a missing tab (a new
        # workbook's Blad1 may become the register) goes through openpyxl.
        if plain:
            try:
                return setup_xlsx_parts(config, path, today)
            except (ValueError, KeyError, IndexError, zipfile.BadZipFile):  # a part cut short or malformed
                raise SourceError(f"'{path}' is geen leesbaar .xlsx-bestand: het werkblad is beschadigd; "
                                  f"zet een back-up terug") from None
    if not path.exists():
        workbook = openpyxl.Workbook()
        workbook.active.title = config.register.tabblad
    else:
        try:
            workbook = openpyxl.load_workbook(path)
        except Exception as exc:  # openpyxl raises anything from KeyError to ParseError
            raise SourceError(f"'{path}' is beschadigd ({dutch_reason(exc)}); zet een back-up terug") from None
    tab = config.register.tabblad
    changes: list[str] = []
    if tab not in workbook.sheetnames:
        fresh = workbook.sheetnames[0] if len(workbook.sheetnames) == 1 else None
        if fresh in NEW_SHEET_TABS and _is_empty(workbook[fresh]):
            workbook[fresh].title = tab  # a new workbook's only, empty tab becomes the register
            changes.append(f"tabblad '{fresh}' hernoemd naar '{tab}' en als register gebruikt")
        else:
            raise SourceError(missing_tab_message(tab, workbook.sheetnames, path.name))
    ws = workbook[tab]
    headers = [ws.cell(row=1, column=c).value for c in range(1, ws.max_column + 1)]
    layout = plan_layout(headers)
    for key, col in layout.added:
        ws.cell(row=1, column=col + 1, value=BY_KEY[key].header)
    if layout.added:
        changes.append("kolommen toegevoegd: " + ", ".join(f"{BY_KEY[k].header} ({column_letter(c)})"
                                                           for k, c in layout.added))
    if ws.freeze_panes != "A2":
        ws.freeze_panes = "A2"
        changes.append("kopregel vastgezet")
    last_row = max(ws.max_row, 1000)

    existing_dv = {(str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation}
    for key in ENUM_KEYS:
        letter = layout.letter(key)
        formula = '"' + ",".join(allowed_values(key, config)) + '"'
        sqref = f"{letter}2:{letter}{last_row}"
        if (sqref, formula) not in existing_dv:
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
            dv.add(sqref)
            ws.add_data_validation(dv)
            changes.append(f"keuzelijst voor {BY_KEY[key].header}")
    for keys, fmt, label in ((DATE_KEYS, DATE_PATTERN, "datumopmaak"), (TEXT_KEYS, "@", "tekstopmaak")):
        for key in keys:
            col = layout.positions[key] + 1
            cells = [ws.cell(row=r, column=col) for r in range(2, last_row + 1)]
            if any(cell.number_format != fmt for cell in cells):
                for cell in cells:
                    cell.number_format = fmt
                changes.append(f"{label} voor {BY_KEY[key].header}")

    days = closed_days(config, today)
    if HOLIDAY_TAB not in workbook.sheetnames:
        workbook.create_sheet(HOLIDAY_TAB)
        changes.append(f"tabblad {HOLIDAY_TAB} toegevoegd")
    hs = workbook[HOLIDAY_TAB]
    wanted = [("Datum", "Omschrijving")] + days
    current = [(hs.cell(row=r, column=1).value, hs.cell(row=r, column=2).value) for r in range(1, hs.max_row + 1)]
    current = [(a.date() if isinstance(a, dt.datetime) else a, b) for a, b in current if a is not None or b]
    if current != wanted:
        write_holiday_rows(hs, days)
        changes.append(f"{len(days)} sluitingsdagen in {HOLIDAY_TAB}")

    holidays = HOLIDAYS_REF
    existing_cf = {f for cf in ws.conditional_formatting for rule in cf.rules for f in (rule.formula or [])}
    area = f"A2:{column_letter(layout.width - 1)}{last_row}"
    for formula, colour, label in zip(overdue_formulas(layout, config, holidays), ("FFDEAD", "FAB8B8"),
                                      ("bevestiging te laat", "standpunt te laat"), strict=True):
        body = formula.lstrip("=")
        if body not in existing_cf:
            ws.conditional_formatting.add(area, FormulaRule(formula=[body], fill=PatternFill(
                start_color=colour, end_color=colour, fill_type="solid")))
            changes.append(f"kleurregel '{label}'")
    if changes:
        save_workbook_with_backup(workbook, path, config)
    return SetupReport(changes)
