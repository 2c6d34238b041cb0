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
            return self._json(request, self.metadata())
        if request.method == "GET" and rest.startswith("/values/"):
            return self._values_get(request, rest[len("/values/"):])
        if request.method == "POST" and rest == ":batchUpdate":
            if self.before_write:
                self.before_write(self)
            self.batch_updates.append(body)
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
                    r, c = r0 + dr, c0 + dc
                    while len(tab.values) <= r:
                        tab.values.append([])
                    while len(tab.values[r]) <= c:
                        tab.values[r].append(None)
                    tab.values[r][c] = value
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
