"""`klachten inrichten`: prepare a register so the sheet itself guides the owner.

Adds what is missing and never moves, clears or reorders the owner's data: missing schema and
tool columns are appended after the last used column; dropdowns, number formats, a frozen and
(Google) warning-protected header row, a 'Feestdagen' tab and conditional formatting that
colours overdue rows live in the sheet. Everything is compared with what is there first, so a
second run changes nothing. A Google Sheet gets one read and at most one batchUpdate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .calendar import WorkCalendar
from .config import Config, Term
from .errors import SourceError
from .model import allowed_values
from .parse import to_serial
from .schema import BY_KEY, COLUMNS, TOOL_COLUMNS, column_letter, header_positions

HOLIDAY_TAB = "Feestdagen"
HOLIDAY_ROWS = 400  # the holiday range used in formulas: Feestdagen!A2:A400
ENUM_KEYS = ("channel", "status", "outcome", "urgency", "satisfied", "category", "cause", "method")
TEXT_KEYS = ("complaint_no", "postcode", "phone")
DATE_KEYS = tuple(c.key for c in COLUMNS + TOOL_COLUMNS if c.kind == "date")
DATE_PATTERN = "d-m-yyyy"
# Google Sheets' conditional formatting only reaches another tab through INDIRECT; Excel accepts it too.
HOLIDAYS_REF = f'INDIRECT("{HOLIDAY_TAB}!$A$2:$A${HOLIDAY_ROWS}")'
PROTECTION_NOTE = "Kopregel van het klachtenregister (klachten inrichten)"
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


def plan_layout(headers: list) -> Layout:
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


def _due(start: str, term: Term, holidays: str) -> str:
    if term.unit == "werkdagen":
        return f"WORKDAY({start},{term.amount},{holidays})"
    return f"WORKDAY({start}+{term.days - 1},1,{holidays})"


def overdue_formulas(layout: Layout, config: Config, holidays: str) -> tuple[str, str]:
    """Custom formulas (for row 2, relative rows) that are TRUE while a term is overdue."""
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
    return ack, decision


@dataclass
class SetupReport:
    changes: list[str]

    def summary(self) -> str:
        if not self.changes:
            return "Register was al ingericht: niets gewijzigd."
        return "Register ingericht:\n  " + "\n  ".join(self.changes)


def setup_register(config: Config, today: dt.date, session=None) -> SetupReport:
    if config.register.bron == "google":
        return setup_google(config, today, session)
    return setup_xlsx(config, today)


# -- Google Sheet -------------------------------------------------------------------------------
def _cell_value(cell: dict):
    value = cell.get("userEnteredValue", {})
    return next(iter(value.values()), None) if value else None


def _string_cell(text: str) -> dict:
    return {"userEnteredValue": {"stringValue": text}}


def setup_google(config: Config, today: dt.date, session=None) -> SetupReport:
    from .gsheet import SheetsConnection, quote_tab

    conn = SheetsConnection(config, session=session)
    tab = conn.tab
    state = conn.call("sheet lezen", lambda: conn.http.fetch_sheet_metadata(conn.key, params={
        "includeGridData": "true",
        "ranges": [f"{quote_tab(tab)}!1:2", f"{quote_tab(HOLIDAY_TAB)}!A:B"],
        "fields": "sheets(properties,conditionalFormats,protectedRanges,data(startRow,startColumn,rowData("
                  "values(userEnteredValue,dataValidation,userEnteredFormat(numberFormat)))))"}))
    sheets = {s["properties"]["title"]: s for s in state.get("sheets", [])}
    if tab not in sheets:
        from .sources import missing_tab_message

        raise SourceError(missing_tab_message(tab, list(sheets), "de Google Sheet"))
    sheet = sheets[tab]
    props = sheet["properties"]
    sheet_id = props["sheetId"]
    grid = props.get("gridProperties", {})
    rows = [r.get("values", []) for block in sheet.get("data", []) for r in block.get("rowData", [])]
    header_cells = rows[0] if rows else []
    probe = rows[1] if len(rows) > 1 else []
    layout = plan_layout([_cell_value(c) for c in header_cells])
    requests: list[dict] = []
    changes: list[str] = []
    row_count = grid.get("rowCount", 1000)

    if layout.width > grid.get("columnCount", 26):
        requests.append({"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS",
                                             "length": layout.width - grid.get("columnCount", 26)}})
    for key, col in layout.added:
        requests.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": col},
                                         "rows": [{"values": [_string_cell(BY_KEY[key].header)]}],
                                         "fields": "userEnteredValue"}})
    if layout.added:
        changes.append("kolommen toegevoegd: " + ", ".join(f"{BY_KEY[k].header} ({column_letter(c)})"
                                                           for k, c in layout.added))
    if grid.get("frozenRowCount", 0) < 1:
        requests.append({"updateSheetProperties": {"properties": {"sheetId": sheet_id,
                                                                  "gridProperties": {"frozenRowCount": 1}},
                                                   "fields": "gridProperties.frozenRowCount"}})
        changes.append("kopregel vastgezet")
    if not any(p.get("description") == PROTECTION_NOTE for p in sheet.get("protectedRanges", [])):
        requests.append({"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
            "description": PROTECTION_NOTE, "warningOnly": True}}})
        changes.append("kopregel beschermd (alleen waarschuwing)")

    def column_range(col: int) -> dict:
        return {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": row_count,
                "startColumnIndex": col, "endColumnIndex": col + 1}

    def probe_cell(col: int) -> dict:
        return probe[col] if col < len(probe) else {}

    for key in ENUM_KEYS:
        col = layout.positions[key]
        values = [{"userEnteredValue": v} for v in allowed_values(key, config)]
        rule = {"condition": {"type": "ONE_OF_LIST", "values": values}, "strict": False, "showCustomUi": True}
        if probe_cell(col).get("dataValidation") != rule:
            requests.append({"setDataValidation": {"range": column_range(col), "rule": rule}})
            changes.append(f"keuzelijst voor {BY_KEY[key].header}")
    for keys, fmt, label in ((DATE_KEYS, {"type": "DATE", "pattern": DATE_PATTERN}, "datumopmaak"),
                             (TEXT_KEYS, {"type": "TEXT"}, "tekstopmaak")):
        for key in keys:
            col = layout.positions[key]
            if probe_cell(col).get("userEnteredFormat", {}).get("numberFormat") != fmt:
                requests.append({"repeatCell": {"range": column_range(col),
                                                "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                                                "fields": "userEnteredFormat.numberFormat"}})
                changes.append(f"{label} voor {BY_KEY[key].header}")

    days = closed_days(config, today)
    wanted_rows = [["Datum", "Omschrijving"]] + [[d, name] for d, name in days]
    holiday = sheets.get(HOLIDAY_TAB)
    holiday_id = holiday["properties"]["sheetId"] if holiday else _free_sheet_id(sheets)
    if holiday is None:
        requests.append({"addSheet": {"properties": {"sheetId": holiday_id, "title": HOLIDAY_TAB}}})
        changes.append(f"tabblad {HOLIDAY_TAB} toegevoegd")
    current = [[_cell_value(c) for c in r.get("values", [])] for block in (holiday or {}).get("data", [])
               for r in block.get("rowData", [])]
    wanted_values = [[_serial_or_text(v) for v in row] for row in wanted_rows]
    if current != wanted_values:
        rows_data = [{"values": [_typed_cell(v) for v in row]} for row in wanted_rows]
        requests.append({"updateCells": {"start": {"sheetId": holiday_id, "rowIndex": 0, "columnIndex": 0},
                                         "rows": rows_data, "fields": "userEnteredValue,userEnteredFormat.numberFormat"}})
        changes.append(f"{len(days)} sluitingsdagen in {HOLIDAY_TAB}")

    holidays = HOLIDAYS_REF
    existing = {cond["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
                for cond in sheet.get("conditionalFormats", []) if "booleanRule" in cond}
    full_rows = {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": row_count,
                 "startColumnIndex": 0, "endColumnIndex": layout.width}
    for formula, colour, label in zip(overdue_formulas(layout, config, holidays), (ACK_COLOUR, DECISION_COLOUR),
                                      ("bevestiging te laat", "standpunt te laat"), strict=True):
        if formula not in existing:
            requests.append({"addConditionalFormatRule": {"index": 0, "rule": {
                "ranges": [full_rows],
                "booleanRule": {"condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]},
                                "format": {"backgroundColor": colour}}}}})
            changes.append(f"kleurregel '{label}'")
    if requests:
        conn.batch_update(requests)
    return SetupReport(changes)


def _free_sheet_id(sheets: dict) -> int:
    used = {s["properties"]["sheetId"] for s in sheets.values()}
    candidate = 7_000_001
    while candidate in used:
        candidate += 1
    return candidate


def _serial_or_text(value):
    if isinstance(value, dt.date):
        return to_serial(value)
    return value


def _typed_cell(value) -> dict:
    if isinstance(value, dt.date):
        return {"userEnteredValue": {"numberValue": _serial_or_text(value)},
                "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": DATE_PATTERN}}}
    return _string_cell(str(value))


# -- local .xlsx --------------------------------------------------------------------------------
def setup_xlsx(config: Config, today: dt.date) -> SetupReport:
    """The same setup for a local .xlsx (after a backup copy of the file)."""
    import openpyxl
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    path = config.resolve(config.register.pad)
    if not path.exists():
        workbook = openpyxl.Workbook()
        workbook.active.title = config.register.tabblad
    else:
        workbook = openpyxl.load_workbook(path)
    tab = config.register.tabblad
    if tab not in workbook.sheetnames:
        from .sources import missing_tab_message

        raise SourceError(missing_tab_message(tab, workbook.sheetnames, path.name))
    ws = workbook[tab]
    headers = [ws.cell(row=1, column=c).value for c in range(1, ws.max_column + 1)]
    layout = plan_layout(headers)
    changes: list[str] = []
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
        hs.delete_rows(1, hs.max_row)
        for r, (day, name) in enumerate(wanted, start=1):
            hs.cell(row=r, column=1, value=day)
            hs.cell(row=r, column=2, value=name)
            if r > 1:
                hs.cell(row=r, column=1).number_format = DATE_PATTERN
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
        from .writeback import save_workbook_with_backup

        save_workbook_with_backup(workbook, path, config)
    return SetupReport(changes)
