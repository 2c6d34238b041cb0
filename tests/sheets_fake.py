"""A Sheets API v4 fake at the HTTP layer: a requests adapter that gspread's session talks to.

Responses are shaped like the real API's: trailing empty cells and rows are dropped, an empty
tab has no ``values`` key, errors carry ``{"error": {"code", "message", "status"}}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlparse

import requests
from requests.adapters import BaseAdapter

BASE = "https://sheets.googleapis.com/"


@dataclass
class Tab:
    title: str
    sheet_id: int
    values: list[list] = field(default_factory=list)
    frozen_rows: int = 0
    column_count: int = 26
    row_count: int = 1000
    validations: dict = field(default_factory=dict)  # column -> rule
    formats: dict = field(default_factory=dict)  # column -> numberFormat
    conditional_formats: list = field(default_factory=list)
    protected_ranges: list = field(default_factory=list)

    def set(self, r: int, c: int, value) -> None:
        """Write one cell (0-based), growing the ragged grid as the API would."""
        while len(self.values) <= r:
            self.values.append([])
        while len(self.values[r]) <= c:
            self.values[r].append(None)
        self.values[r][c] = value


def api_values(values: list[list]) -> list[list]:
    """What the API returns for a grid: ragged rows, no trailing empty rows."""
    out = []
    for row in values:
        row = list(row)
        while row and row[-1] in (None, ""):
            row.pop()
        out.append(["" if v is None else v for v in row])
    while out and not out[-1]:
        out.pop()
    return out


def a1_to_index(cell: str) -> tuple[int, int]:
    m = re.match(r"^([A-Z]+)(\d+)$", cell)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


class FakeSheets(BaseAdapter):
    """One spreadsheet with tabs; records every request (method, path, params, body)."""

    def __init__(self, key: str = "sheet-key-123", title: str = "Klachtenregister"):
        super().__init__()
        self.key, self.title = key, title
        self.tabs: dict[str, Tab] = {}
        self.requests: list[dict] = []
        self.failures: list = []  # queued: int status codes or exception instances
        self.before_write = None  # hook(fake) run when a write request arrives
        self.batch_updates: list[dict] = []

    def add_tab(self, title: str, values: list[list], sheet_id: int | None = None) -> Tab:
        tab = Tab(title, sheet_id if sheet_id is not None else 1000 + len(self.tabs), [list(r) for r in values])
        self.tabs[title] = tab
        return tab

    def session(self) -> requests.Session:
        s = requests.Session()
        s.mount(BASE, self)
        return s

    # -- HTTP ---------------------------------------------------------------------------
    def send(self, request, **kwargs):
        url = urlparse(request.url)
        body = json.loads(request.body) if request.body else None
        self.requests.append({"method": request.method, "path": unquote(url.path),
                              "params": {k: v[0] for k, v in parse_qs(url.query).items()},
                              "body": body, "timeout": kwargs.get("timeout")})
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return self._error(request, failure)
        path = unquote(url.path)
        prefix = f"/v4/spreadsheets/{self.key}"
        if not path.startswith(prefix):
            return self._error(request, 404, "Requested entity was not found.", "NOT_FOUND")
        rest = path[len(prefix):]
        if request.method == "GET" and rest == "":
            params = parse_qs(url.query)
            if params.get("includeGridData") == ["true"]:
                return self._json(request, self.grid_metadata(params.get("ranges", [])))
            return self._json(request, self.metadata())
        if request.method == "GET" and rest.startswith("/values/"):
            return self._values_get(request, rest[len("/values/"):])
        if request.method == "POST" and rest == ":batchUpdate":
            if self.before_write:
                self.before_write(self)
            self.batch_updates.append(body)
            for item in body["requests"]:
                self._apply(item)
            return self._json(request, {"spreadsheetId": self.key, "replies": [{} for _ in body["requests"]]})
        if request.method == "POST" and rest == "/values:batchUpdate":
            if self.before_write:
                self.before_write(self)
            return self._values_batch_update(request, body)
        return self._error(request, 400, f"unsupported {request.method} {rest}", "INVALID_ARGUMENT")

    def close(self):
        pass

    def metadata(self) -> dict:
        return {"spreadsheetId": self.key, "properties": {"title": self.title},
                "sheets": [{"properties": {"sheetId": t.sheet_id, "title": t.title, "index": i,
                                           "sheetType": "GRID",
                                           "gridProperties": {"rowCount": max(1000, len(t.values)),
                                                              "columnCount": 26}}}
                           for i, t in enumerate(self.tabs.values())]}

    def grid_metadata(self, ranges: list[str]) -> dict:
        """spreadsheets.get with includeGridData: properties, rules and the cells of the ranges."""
        meta = self.metadata()
        wanted = {}
        for a1 in ranges:
            tab, cells = self._tab_of(a1)
            if tab is not None:
                wanted[tab.title] = cells
        for sheet in meta["sheets"]:
            tab = self.tabs[sheet["properties"]["title"]]
            sheet["properties"]["gridProperties"] = {"rowCount": tab.row_count, "columnCount": tab.column_count,
                                                     **({"frozenRowCount": tab.frozen_rows} if tab.frozen_rows else {})}
            if tab.conditional_formats:
                sheet["conditionalFormats"] = tab.conditional_formats
            if tab.protected_ranges:
                sheet["protectedRanges"] = tab.protected_ranges
            if tab.title in wanted:
                cells = wanted[tab.title]
                rows = tab.values[:2] if cells == "1:2" else tab.values
                if cells == "1:2" and (tab.validations or tab.formats):
                    rows = rows + [[]] * (2 - len(rows))  # the API reports rules on empty cells too
                row_data = []
                for r, row in enumerate(rows):
                    values = [self._cell(v) for v in row]
                    if r == 1:
                        width = max(len(values), max(list(tab.validations) + list(tab.formats) + [-1]) + 1)
                        values += [{}] * (width - len(values))
                        for c in range(width):
                            if c in tab.validations:
                                values[c]["dataValidation"] = tab.validations[c]
                            if c in tab.formats:
                                values[c]["userEnteredFormat"] = {"numberFormat": tab.formats[c]}
                    row_data.append({"values": values})
                sheet["data"] = [{"startRow": 0, "startColumn": 0, "rowData": row_data}]
        return meta

    @staticmethod
    def _cell(value) -> dict:
        if value is None or value == "":
            return {}
        if isinstance(value, bool):
            return {"userEnteredValue": {"boolValue": value}}
        if isinstance(value, (int, float)):
            return {"userEnteredValue": {"numberValue": value}}
        return {"userEnteredValue": {"stringValue": str(value)}}

    def _apply(self, item: dict) -> None:
        """Apply one batchUpdate request to the fake's state (the kinds klachten sends)."""
        (kind, body), = item.items()
        by_id = {t.sheet_id: t for t in self.tabs.values()}
        if kind == "addSheet":
            props = body["properties"]
            self.add_tab(props["title"], [], sheet_id=props["sheetId"])
        elif kind == "appendDimension":
            by_id[body["sheetId"]].column_count += body["length"]
        elif kind == "updateCells":
            tab = by_id[body["start"]["sheetId"]]
            r0, c0 = body["start"]["rowIndex"], body["start"]["columnIndex"]
            for dr, row in enumerate(body["rows"]):
                for dc, cell in enumerate(row["values"]):
                    tab.set(r0 + dr, c0 + dc, next(iter(cell.get("userEnteredValue", {"x": None}).values())))
        elif kind == "updateSheetProperties":
            by_id[body["properties"]["sheetId"]].frozen_rows = body["properties"]["gridProperties"]["frozenRowCount"]
        elif kind == "addProtectedRange":
            tab = by_id[body["protectedRange"]["range"]["sheetId"]]
            tab.protected_ranges.append({"protectedRangeId": len(tab.protected_ranges) + 1, **body["protectedRange"]})
        elif kind == "setDataValidation":
            by_id[body["range"]["sheetId"]].validations[body["range"]["startColumnIndex"]] = body["rule"]
        elif kind == "repeatCell":
            fmt = body["cell"]["userEnteredFormat"]["numberFormat"]
            by_id[body["range"]["sheetId"]].formats[body["range"]["startColumnIndex"]] = fmt
        elif kind == "addConditionalFormatRule":
            by_id[body["rule"]["ranges"][0]["sheetId"]].conditional_formats.insert(body.get("index", 0), body["rule"])
        else:
            raise AssertionError(f"fake does not know {kind}")

    def _tab_of(self, a1: str) -> tuple[Tab | None, str]:
        if "!" in a1:
            name, cells = a1.rsplit("!", 1)
        else:
            name, cells = a1, ""
        name = name[1:-1].replace("''", "'") if name.startswith("'") else name
        return self.tabs.get(name), cells

    def _values_get(self, request, a1: str):
        tab, _ = self._tab_of(a1)
        if tab is None:
            return self._error(request, 400, f"Unable to parse range: {a1}", "INVALID_ARGUMENT")
        payload = {"range": f"'{tab.title}'!A1:Z{max(1, len(tab.values))}", "majorDimension": "ROWS"}
        values = api_values(tab.values)
        if values:
            payload["values"] = values
        return self._json(request, payload)

    def _values_batch_update(self, request, body):
        updated = 0
        for item in body["data"]:
            tab, cells = self._tab_of(item["range"])
            r0, c0 = a1_to_index(cells.split(":")[0])
            for dr, row in enumerate(item["values"]):
                for dc, value in enumerate(row):
                    tab.set(r0 + dr, c0 + dc, value)
                    updated += 1
        return self._json(request, {"spreadsheetId": self.key, "totalUpdatedCells": updated})

    # -- responses ----------------------------------------------------------------------
    def _json(self, request, payload, status: int = 200):
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(payload).encode()
        response.headers["Content-Type"] = "application/json; charset=UTF-8"
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def _error(self, request, status: int, message: str | None = None, reason: str | None = None):
        defaults = {429: ("Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
                          "minute per user' of service 'sheets.googleapis.com'.", "RESOURCE_EXHAUSTED"),
                    403: ("The caller does not have permission", "PERMISSION_DENIED"),
                    404: ("Requested entity was not found.", "NOT_FOUND"),
                    500: ("Internal error encountered.", "INTERNAL"),
                    503: ("The service is currently unavailable.", "UNAVAILABLE")}
        msg, st = defaults.get(status, ("error", "UNKNOWN"))
        return self._json(request, {"error": {"code": status, "message": message or msg,
                                              "status": reason or st}}, status)
