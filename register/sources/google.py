"""The Google Sheet source: every gspread call of klachten lives here.

Reading a register costs a constant number of requests, whatever its size: one metadata
request (tab names and ids) and one values request for the whole tab, with unformatted values
and serial dates. Transient failures (HTTP 429, 5xx, timeouts) are retried a bounded number of
times with exponential backoff; then a Dutch SourceError is raised.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from register.errors import SourceError
from register.model import allowed_values
from register.parse import to_serial
from register.schema import BY_KEY, column_letter
from register.sheetsetup import (
    ACK_COLOUR,
    DATE_KEYS,
    DATE_PATTERN,
    DECISION_COLOUR,
    ENUM_KEYS,
    HOLIDAY_TAB,
    HOLIDAYS_REF,
    PROTECTION_NOTE,
    TEXT_KEYS,
    SetupReport,
    closed_days,
    overdue_formulas,
    plan_layout,
)
from register.sources.base import CellWrite, Grid, Source, missing_tab_message

if TYPE_CHECKING:
    from register.config import Config

RETRY_STATUS = {429, 500, 502, 503, 504}
BACKOFF_SECONDS = 1.0  # first wait; doubles per attempt
_KEY_RE = re.compile(r"/spreadsheets/d/([a-zA-Z0-9-_]+)")
EDIT_URL = "https://docs.google.com/spreadsheets/d/{key}/edit"


def spreadsheet_key(value: str) -> str:
    """The key from a full Sheet URL, or the value itself when it already is a key."""
    value = value.strip()
    m = _KEY_RE.search(value)
    return m.group(1) if m else value


def quote_tab(title: str) -> str:
    """A tab name as A1 range: 'Klachten 2026' -> \"'Klachten 2026'\"."""
    return "'" + title.replace("'", "''") + "'"


def credentials_path(config: Config) -> str:
    """The service-account file: from the configured environment variable, else gspread's default."""
    from gspread.auth import DEFAULT_SERVICE_ACCOUNT_FILENAME

    env_name = config.register.credentials_env
    path = os.environ.get(env_name) if env_name else None
    if path:
        if not os.path.isfile(path):
            raise SourceError(f"het service-account-bestand '{path}' uit {env_name} bestaat niet")
        return path
    if DEFAULT_SERVICE_ACCOUNT_FILENAME.is_file():
        return str(DEFAULT_SERVICE_ACCOUNT_FILENAME)
    raise SourceError(
        f"geen Google-inloggegevens gevonden: zet {env_name} op het pad van het "
        f"service-account-bestand (JSON), of plaats het in {DEFAULT_SERVICE_ACCOUNT_FILENAME}")


def _service_account_email(path: str | None) -> str:
    if not path:
        return "het service-account"
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh).get("client_email", "het service-account")
    except (OSError, ValueError):
        return "het service-account"


class SheetsConnection:
    """One spreadsheet, reached through gspread's HTTP client with retries and a timeout."""

    def __init__(self, config: Config, session: Any = None, sleep: Callable[[float], None] = time.sleep):
        import gspread

        self.config = config
        self.key = spreadsheet_key(config.register.spreadsheet)
        if not self.key:
            raise SourceError("[register] spreadsheet is leeg: vul de sleutel of URL van de Google Sheet in")
        self.tab = config.register.tabblad
        self.attempts = config.register.pogingen
        self.timeout = config.register.timeout_seconden
        self._sleep = sleep
        self.credentials_file: str | None = None
        if session is None:
            self.credentials_file = credentials_path(config)
            try:
                from google.oauth2.service_account import Credentials

                creds = Credentials.from_service_account_file(
                    self.credentials_file, scopes=gspread.auth.DEFAULT_SCOPES)
            except (ValueError, KeyError, OSError) as exc:
                raise SourceError(
                    f"'{self.credentials_file}' is geen geldig service-account-bestand ({exc})") from None
            self.client = gspread.Client(auth=creds)
        else:
            self.client = gspread.Client(auth=None, session=session)
        self.client.set_timeout(self.timeout)
        self.http = self.client.http_client
        self._metadata: dict | None = None

    # -- the request loop -------------------------------------------------------------------
    def call(self, what: str, fn: Callable[[], Any]) -> Any:
        """Run one API request with bounded retries; translate failures into SourceError."""
        import requests
        from google.auth.exceptions import GoogleAuthError
        from gspread.exceptions import APIError

        last = ""
        for attempt in range(1, self.attempts + 1):
            try:
                return fn()
            except APIError as exc:
                status = exc.response.status_code
                if status not in RETRY_STATUS:
                    raise SourceError(self._api_message(status, what, exc)) from None
                last = f"HTTP {status}" + (" (te veel verzoeken)" if status == 429 else " (storing bij Google)")
            except requests.Timeout:
                last = f"geen antwoord binnen {self.timeout} seconden"
            except requests.ConnectionError:
                last = "geen verbinding met Google"
            except GoogleAuthError as exc:
                raise SourceError(f"inloggen bij Google mislukt: {exc}") from None
            if attempt < self.attempts:
                self._sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        raise SourceError(f"Google Sheets: {what} mislukt na {self.attempts} pogingen: {last}; probeer het later opnieuw")

    def _api_message(self, status: int, what: str, exc: Any) -> str:
        account = _service_account_email(self.credentials_file)
        if status == 404:
            return (f"Google Sheet '{self.key}' niet gevonden; controleer [register] spreadsheet "
                    f"en deel de sheet met {account}")
        if status in (401, 403):
            return f"geen toegang tot de Google Sheet: deel hem met {account} (als bewerker)"
        message = getattr(exc, "error", {}).get("message", "")
        return f"Google Sheets: {what} geweigerd (HTTP {status}): {message}"

    # -- reading ----------------------------------------------------------------------------
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = self.call("sheetgegevens ophalen", lambda: self.http.fetch_sheet_metadata(
                self.key, params={"includeGridData": "false",
                                  "fields": "properties.title,sheets.properties"}))
        return self._metadata

    def sheet_properties(self, title: str | None = None) -> dict:
        title = title or self.tab
        sheets = [s["properties"] for s in self.metadata().get("sheets", [])]
        for props in sheets:
            if props.get("title") == title:
                return props
        raise SourceError(missing_tab_message(title, [p.get("title", "") for p in sheets], "de Google Sheet"))

    def read_grid(self) -> Grid:
        props = self.sheet_properties()
        response = self.call("register lezen", lambda: self.http.values_get(
            self.key, quote_tab(self.tab),
            params={"valueRenderOption": "UNFORMATTED_VALUE",
                    "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}))
        title = self.metadata().get("properties", {}).get("title", self.key)
        return Grid(values=response.get("values", []), label=f"Google Sheet '{title}' (tabblad {self.tab})",
                    url=EDIT_URL.format(key=self.key), gid=props.get("sheetId"))

    # -- writing (one request each; used by inrichten, --schrijf and anonimiseer) --------------
    def batch_update(self, requests_: list[dict]) -> Any:
        return self.call("sheet inrichten", lambda: self.http.batch_update(self.key, {"requests": requests_}))

    def values_batch_update(self, data: list[dict]) -> Any:
        body = {"valueInputOption": "RAW", "data": data}
        return self.call("waarden schrijven", lambda: self.http.values_batch_update(self.key, body=body))


class GoogleSource(Source):
    """A tab of a Google Sheet ([register] spreadsheet and tabblad), through gspread."""

    kind = "google"

    def __init__(self, config: Config, session: Any = None):
        super().__init__(config)
        self.conn = SheetsConnection(config, session=session)

    def read(self) -> Grid:
        return self.conn.read_grid()

    def write_cells(self, cells: list[CellWrite]) -> None:
        tab = quote_tab(self.conn.tab)
        data = [{"range": f"{tab}!{column_letter(c.column)}{c.row + 1}", "values": [[_raw(c.value)]]}
                for c in cells]
        self.conn.values_batch_update(data)

    def setup(self, today: dt.date) -> SetupReport:
        return setup_google(self.conn, today)


def _raw(value: Any) -> Any:
    if isinstance(value, dt.date):
        return to_serial(value)
    return "" if value is None else value


def _cell_value(cell: dict):
    value = cell.get("userEnteredValue", {})
    return next(iter(value.values()), None) if value else None


def _string_cell(text: str) -> dict:
    return {"userEnteredValue": {"stringValue": text}}


def setup_google(conn: SheetsConnection, today: dt.date) -> SetupReport:
    """The setup plan carried out on a Google Sheet: one read, at most one batchUpdate."""
    config = conn.config
    tab = conn.tab
    state = conn.call("sheet lezen", lambda: conn.http.fetch_sheet_metadata(conn.key, params={
        "includeGridData": "true",
        "ranges": [f"{quote_tab(tab)}!1:2", f"{quote_tab(HOLIDAY_TAB)}!A:B"],
        "fields": "sheets(properties,conditionalFormats,protectedRanges,data(startRow,startColumn,rowData("
                  "values(userEnteredValue,dataValidation,userEnteredFormat(numberFormat)))))"}))
    sheets = {s["properties"]["title"]: s for s in state.get("sheets", [])}
    if tab not in sheets:
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
