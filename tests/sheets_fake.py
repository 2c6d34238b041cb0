"""A Sheets API v4 fake at the HTTP layer: a requests adapter mounted in gspread's session.

Every request (path, HTTP method, query parameters, JSON body) and every response is checked
against the official discovery document shipped in ``google-api-python-client``
(``googleapiclient/discovery_cache/documents/sheets.v4.json``): an unknown path or method, an
unknown or deprecated field, a wrong enum value or type is a contract violation. Violations
raise ``ContractViolation`` inside the request and are also kept in ``fake.violations``; the
autouse fixture in ``tests/conftest.py`` fails any test that left one behind.

Behaviour follows the API reference: a range naming a missing sheet is 400 INVALID_ARGUMENT
"Unable to parse range" (values.get and spreadsheets.get), ``ranges`` limits the sheets
returned, ``fields`` masks the response, batchUpdate is atomic and answers one reply per request,
default values (0, false, empty) are left out of responses as proto3 JSON does.

Strict where Google is strict (each rule below names its documentation source): writes beyond
the grid, writes inside a range protected against the requesting account, ``fields`` left out,
cells over 50,000 characters, non-atomic value writes, dates rendered in the sheet's locale.
Two corners are not documented and are the fake's own choice, named ``UNDOCUMENTED`` in the
code: whether conditional formats on a protected range count as an edit (the fake: no), and the
exact wording of the grid-limit message for reads (taken from recorded answers).
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import googleapiclient
import requests
from requests.adapters import BaseAdapter

BASE = "https://sheets.googleapis.com/"
DISCOVERY_PATH = os.path.join(os.path.dirname(googleapiclient.__file__), "discovery_cache", "documents",
                              "sheets.v4.json")
with open(DISCOVERY_PATH, encoding="utf-8") as _fh:
    DISCOVERY = json.load(_fh)
SCHEMAS = DISCOVERY["schemas"]
# Messages that say "exactly one of these fields" (a oneof in the proto).
ONE_OF = {"Request", "ExtendedValue", "Response"}


class ContractViolation(AssertionError):
    """A request or response that the discovery document does not allow."""


def _methods(resources: dict, prefix: str = "") -> list[tuple[str, dict]]:
    out = []
    for name, resource in resources.items():
        for method_name, method in resource.get("methods", {}).items():
            out.append((f"{prefix}{name}.{method_name}", method))
        out.extend(_methods(resource.get("resources", {}), f"{prefix}{name}."))
    return out


METHODS = _methods(DISCOVERY["resources"])


def _path_regex(flat_path: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", flat_path)
    pattern = "".join(f"(?P<{p[1:-1].replace('+', '')}>[^/]+?)" if p.startswith("{") else re.escape(p)
                      for p in parts)
    return re.compile("^/" + pattern + "$")


ROUTES = [(name, method, _path_regex(method.get("flatPath", method["path"]))) for name, method in METHODS]


def route(http_method: str, raw_path: str) -> tuple[str, dict, dict]:
    """(method id, discovery method, path parameters) for a request, or a ContractViolation."""
    matches = [(name, method, m.groupdict()) for name, method, rx in ROUTES if (m := rx.match(raw_path))]
    # 'values/{range}:append' also matches 'values/{range}': the most literal path wins.
    matches.sort(key=lambda item: -len(re.sub(r"\{[^}]+\}", "", item[1].get("flatPath", item[1]["path"]))))
    if not matches:
        raise ContractViolation(f"no Sheets v4 method has the path {raw_path}")
    for name, method, params in matches:
        if method["httpMethod"] == http_method:
            return name, method, {k: unquote(v) for k, v in params.items()}
    raise ContractViolation(f"{raw_path} does not take {http_method} "
                            f"(only {', '.join(m['httpMethod'] for _, m, _ in matches)})")


def check_value(value: Any, schema: dict, where: str, *, response: bool = False) -> None:
    """Validate ``value`` against a discovery schema fragment; raise ContractViolation."""
    if "$ref" in schema:
        name = schema["$ref"]
        check_object(value, SCHEMAS[name], where, name, response=response)
        return
    kind = schema.get("type")
    if kind == "object":
        check_object(value, schema, where, schema.get("id", "object"), response=response)
    elif kind == "array":
        if not isinstance(value, list):
            raise ContractViolation(f"{where}: expected an array, got {value!r}")
        for i, item in enumerate(value):
            check_value(item, schema["items"], f"{where}[{i}]", response=response)
    elif kind == "string":
        if not isinstance(value, str):
            raise ContractViolation(f"{where}: expected a string, got {value!r}")
        if "enum" in schema and value not in schema["enum"]:
            raise ContractViolation(f"{where}: {value!r} is not one of {schema['enum']}")
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ContractViolation(f"{where}: expected an integer, got {value!r}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ContractViolation(f"{where}: expected a number, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise ContractViolation(f"{where}: expected a boolean, got {value!r}")
    elif kind == "any":
        pass
    else:
        raise ContractViolation(f"{where}: schema type {kind!r} not handled")


def check_object(value: Any, schema: dict, where: str, name: str, *, response: bool = False) -> None:
    if not isinstance(value, dict):
        raise ContractViolation(f"{where}: expected a {name} object, got {value!r}")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    for key, item in value.items():
        if key in properties:
            prop = properties[key]
            if prop.get("deprecated") and not response:
                raise ContractViolation(f"{where}.{key}: deprecated field in {name} ({prop.get('description', '')})")
            check_value(item, prop, f"{where}.{key}", response=response)
        elif extra is not None:
            check_value(item, extra, f"{where}.{key}", response=response)
        else:
            raise ContractViolation(f"{where}: {name} has no field {key!r}")
    if name in ONE_OF and len(value) != 1 and not (name == "Response" and not value):
        raise ContractViolation(f"{where}: a {name} sets exactly one field, got {sorted(value)}")


def check_query(method: dict, params: dict[str, list[str]], where: str) -> None:
    allowed = {**DISCOVERY["parameters"], **method.get("parameters", {})}
    for key, values in params.items():
        spec = allowed.get(key)
        if spec is None or spec.get("location") != "query":
            raise ContractViolation(f"{where}: unknown query parameter {key!r}")
        if len(values) > 1 and not spec.get("repeated"):
            raise ContractViolation(f"{where}: {key!r} given {len(values)} times but is not repeated")
        for v in values:
            if "enum" in spec and v not in spec["enum"]:
                raise ContractViolation(f"{where}: {key}={v!r} is not one of {spec['enum']}")
            if spec.get("type") == "boolean" and v not in ("true", "false"):
                raise ContractViolation(f"{where}: {key}={v!r} is not a boolean")


# -- the fields mask (partial response) -------------------------------------------------------
def parse_fields(text: str) -> dict:
    """'a,b.c,d(e,f)' -> {'a': {}, 'b': {'c': {}}, 'd': {'e': {}, 'f': {}}}; {} means 'all of it'."""
    pos = 0

    def parse_list() -> dict:
        nonlocal pos
        out: dict = {}
        while pos < len(text):
            m = re.match(r"[A-Za-z0-9_]+(?:[./][A-Za-z0-9_]+)*", text[pos:])
            if not m:
                raise ContractViolation(f"fields mask {text!r}: cannot parse at {pos}")
            path = re.split(r"[./]", m.group(0))
            pos += m.end()
            node = out
            for part in path[:-1]:
                node = node.setdefault(part, {})
            leaf = node.setdefault(path[-1], {})
            if pos < len(text) and text[pos] == "(":
                pos += 1
                leaf.update(parse_list())
                if pos >= len(text) or text[pos] != ")":
                    raise ContractViolation(f"fields mask {text!r}: unbalanced parenthesis")
                pos += 1
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            break
        return out

    tree = parse_list()
    if pos != len(text):
        raise ContractViolation(f"fields mask {text!r}: unexpected {text[pos:]!r}")
    return tree


def check_mask(tree: dict, schema: dict, where: str) -> None:
    """Every name in a fields mask must be a field of the response type."""
    for key, sub in tree.items():
        target = schema
        while "$ref" in target or target.get("type") == "array":
            target = SCHEMAS[target["$ref"]] if "$ref" in target else target["items"]
        props = target.get("properties", {})
        if key not in props:
            raise ContractViolation(f"fields mask {where}: {target.get('id')} has no field {key!r}")
        if sub:
            check_mask(sub, props[key], f"{where}.{key}")


def apply_mask(value: Any, tree: dict) -> Any:
    if not tree:
        return value
    if isinstance(value, list):
        return [apply_mask(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: apply_mask(v, tree[k]) for k, v in value.items() if k in tree}


def compact(value: Any) -> Any:
    """Leave out unset fields (None, empty lists and objects), as the API's JSON does."""
    if isinstance(value, dict):
        out = {k: compact(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


# -- the spreadsheet state --------------------------------------------------------------------
@dataclass
class Tab:
    title: str
    sheet_id: int
    values: list[list] = field(default_factory=list)
    frozen_rows: int = 0
    column_count: int = 26
    row_count: int = 1000
    validations: dict = field(default_factory=dict)  # column -> DataValidationRule (rows 2..)
    formats: dict = field(default_factory=dict)  # column -> NumberFormat (rows 2..)
    cell_formats: dict = field(default_factory=dict)  # (row, column) -> NumberFormat
    conditional_formats: list = field(default_factory=list)
    protected_ranges: list = field(default_factory=list)
    validation_ends: dict = field(default_factory=dict)  # column -> endRowIndex of its rule (None: unbounded)
    format_ends: dict = field(default_factory=dict)  # column -> endRowIndex of its number format (None: unbounded)

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


def column_index(letters: str) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col - 1


_A1 = re.compile(r"^(?P<c0>[A-Z]*)(?P<r0>\d*)(?::(?P<c1>[A-Z]*)(?P<r1>\d*))?$")


def parse_a1(cells: str, tab: Tab) -> tuple[int, int, int, int]:
    """An A1 range ('', 'B2', 'A1:C5', 'A:C', '1:2', 'A2:C') as half-open (r0, r1, c0, c1) on
    ``tab``; a side left open runs to the grid's edge (API reference, "A1 notation")."""
    if not cells:
        return 0, tab.row_count, 0, tab.column_count
    m = _A1.match(cells.upper())
    if not m or not (m.group("c0") or m.group("r0")):
        raise ApiError(400, f"Unable to parse range: {cells}")
    c0 = column_index(m.group("c0")) if m.group("c0") else 0
    r0 = int(m.group("r0")) - 1 if m.group("r0") else 0
    if m.group("c1") is None and m.group("r1") is None:  # one cell
        if not (m.group("c0") and m.group("r0")):
            raise ApiError(400, f"Unable to parse range: {cells}")
        return r0, r0 + 1, c0, c0 + 1
    c1 = column_index(m.group("c1")) + 1 if m.group("c1") else tab.column_count
    r1 = int(m.group("r1")) if m.group("r1") else tab.row_count
    return r0, r1, c0, c1


def grid_limit_error(tab: Tab, a1: str) -> ApiError:
    # Sheets API "Read & write cell values" guide: a range outside the grid is refused with 400
    # INVALID_ARGUMENT; the values methods never add rows (only values.append with INSERT_ROWS or
    # appendDimension does). UNDOCUMENTED: the exact wording, from answers quoted in public issues.
    return ApiError(400, f"Range ({a1}) exceeds grid limits. Max rows: {tab.row_count}, "
                         f"max columns: {tab.column_count}")


def column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


class ApiError(Exception):
    """An error answer; queued in ``fake.failures`` it is sent as Google would send it."""

    def __init__(self, status: int, message: str, reason: str = "INVALID_ARGUMENT", details: list | None = None):
        super().__init__(message)
        self.status, self.message, self.reason, self.details = status, message, reason, details


# Error answers as Google sends them (the messages are Google's own; see the Cloud APIs error
# model, https://cloud.google.com/apis/design/errors, and the gspread issues that quote them).
API_DISABLED = ApiError(403, "Google Sheets API has not been used in project 123456789012 before or it is disabled. "
                             "Enable it by visiting https://console.developers.google.com/apis/api/"
                             "sheets.googleapis.com/overview?project=123456789012 then retry. If you enabled this "
                             "API recently, wait a few minutes for the action to propagate to our systems and retry.",
                        "PERMISSION_DENIED",
                        [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
                          "domain": "googleapis.com",
                          "metadata": {"service": "sheets.googleapis.com", "consumer": "projects/123456789012"}}])
NOT_SHARED = ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
SCOPE_MISSING = ApiError(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED",
                         [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                           "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com",
                           "metadata": {"service": "sheets.googleapis.com",
                                        "method": "google.apps.sheets.v4.SpreadsheetsService.GetSpreadsheet"}}])
NOT_A_SHEET = ApiError(400, "This operation is not supported for this document", "FAILED_PRECONDITION")
PROTECTED = ("You are trying to edit a protected cell or object. Please contact the spreadsheet owner to "
             "remove protection if you need to edit.")
#: Google Sheets limits (https://support.google.com/drive/answer/37603): 50,000 characters in one cell.
CELL_LIMIT = 50_000
#: Sheets API usage limits (https://developers.google.com/sheets/api/limits): "a 2-MB maximum
#: payload is recommended"; the fake holds the tool to that recommendation.
PAYLOAD_LIMIT = 2 * 1024 * 1024


@dataclass
class AppliedThen:
    """A queued failure: the request is applied, then its answer is lost (an exception or status)."""

    failure: Any


class FakeSheets(BaseAdapter):
    """One spreadsheet with tabs; records every request (method, path, params, body)."""

    instances: list[FakeSheets] = []

    def __init__(self, key: str = "sheet-key-123", title: str = "Klachtenregister", locale: str = "nl_NL"):
        super().__init__()
        self.key, self.title, self.locale = key, title, locale
        self.tabs: dict[str, Tab] = {}
        self.requests: list[dict] = []
        self.failures: list = []  # queued: int status, (status, headers), exception, or AppliedThen(...)
        self.reject = None  # callable(request dict) -> status or None: refuse before applying
        self.before_write = None  # hook(fake) run when a write request arrives
        self.batch_updates: list[dict] = []
        self.violations: list[str] = []
        self.writable = True
        self.account = "klachten@proj.iam.gserviceaccount.com"  # who sends the requests
        self.owner = "eigenaar@example.org"
        FakeSheets.instances.append(self)

    def protect(self, title: str, rng: dict, editors: list[str], description: str = "",
                warning_only: bool = False) -> dict:
        """A protected range set up by the owner (who is always an editor)."""
        tab = self.tabs[title]
        protected = {"protectedRangeId": 900 + sum(len(t.protected_ranges) for t in self.tabs.values()),
                     "range": {"sheetId": tab.sheet_id, **rng}, "description": description,
                     "warningOnly": warning_only}
        if not warning_only:
            protected["editors"] = {"users": sorted({self.owner, *editors})}
        tab.protected_ranges.append(protected)
        return protected

    def can_edit(self, protected: dict) -> bool:
        """ProtectedRange.warningOnly: "every user can edit data in the protected range";
        otherwise only the listed editors (the owner is one)."""
        return bool(protected.get("warningOnly")) or self.account in protected.get("editors", {}).get("users", [])

    def _check_protection(self, tab: Tab, r0: int, r1: int, c0: int, c1: int, where: str = "") -> None:
        """An edit inside a range protected against this account is refused whole (API reference,
        ProtectedRange.editors; the message is Google's, quoted in theoephraim/node-google-spreadsheet#20)."""
        for p in tab.protected_ranges:
            if self.can_edit(p):
                continue
            g = p["range"]
            if (r0 < g.get("endRowIndex", tab.row_count) and g.get("startRowIndex", 0) < r1
                    and c0 < g.get("endColumnIndex", tab.column_count) and g.get("startColumnIndex", 0) < c1):
                raise ApiError(400, f"{where}{PROTECTED}", "INVALID_ARGUMENT")

    def add_tab(self, title: str, values: list[list], sheet_id: int | None = None) -> Tab:
        tab = Tab(title, sheet_id if sheet_id is not None else 1000 + len(self.tabs), [list(r) for r in values])
        tab.column_count = max(26, *(len(r) for r in values)) if values else 26  # a grid holds its values
        tab.row_count = max(1000, len(values))
        self.tabs[title] = tab
        return tab

    def session(self) -> requests.Session:
        s = requests.Session()
        s.mount(BASE, self)
        return s

    def close(self):
        pass

    # -- HTTP ---------------------------------------------------------------------------
    def send(self, request, **kwargs):
        url = urlparse(request.url)
        body = json.loads(request.body) if request.body else None
        query = parse_qs(url.query, keep_blank_values=True)
        record = {"method": request.method, "path": unquote(url.path),
                  "params": {k: v[0] if len(v) == 1 else v for k, v in query.items()},
                  "body": body, "timeout": kwargs.get("timeout")}
        self.requests.append(record)
        try:
            name, method, path_params = route(request.method, url.path)
            record["api"] = name
            check_query(method, query, name)
            if "request" in method:
                check_value(body, {"$ref": method["request"]["$ref"]}, f"{name} body")
            elif body is not None:
                raise ContractViolation(f"{name} takes no body")
            mask = None
            if "fields" in query:
                mask = parse_fields(query["fields"][0])
                check_mask(mask, {"$ref": method["response"]["$ref"]}, name)
        except ContractViolation as exc:
            self.violations.append(str(exc))
            raise
        applied_then = None
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, AppliedThen):
                applied_then = failure.failure
            elif isinstance(failure, ApiError):
                return self._error(request, failure.status, failure.message, failure.reason, details=failure.details)
            elif isinstance(failure, Exception):
                raise failure
            else:
                status, headers = failure if isinstance(failure, tuple) else (failure, {})
                return self._error(request, status, headers=headers)
        if self.reject is not None and (status := self.reject(record)):
            return self._error(request, status)
        if path_params.get("spreadsheetId") != self.key:
            return self._error(request, 404)
        if request.body and len(request.body) > PAYLOAD_LIMIT:
            self.violations.append(f"{name}: a request of {len(request.body):,} bytes (recommended at most 2 MB)")
        try:
            payload = self._dispatch(name, path_params, query, body)
        except ApiError as exc:
            return self._error(request, exc.status, exc.message, exc.reason, details=exc.details)
        try:
            check_value(payload, {"$ref": method["response"]["$ref"]}, f"{name} response", response=True)
        except ContractViolation as exc:
            self.violations.append(str(exc))
            raise
        if mask is not None:
            payload = apply_mask(payload, mask)
        if applied_then is not None:
            if isinstance(applied_then, Exception):
                raise applied_then
            return self._error(request, applied_then)
        return self._json(request, payload)

    def _dispatch(self, name: str, path_params: dict, query: dict, body: Any) -> dict:
        if name == "spreadsheets.get":
            return self.get_spreadsheet(query.get("ranges", []), query.get("includeGridData") == ["true"])
        if name == "spreadsheets.values.get":
            return self._values_get(path_params["range"], query)
        if name in ("spreadsheets.batchUpdate", "spreadsheets.values.batchUpdate") and not self.writable:
            raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
        if name == "spreadsheets.batchUpdate":
            if self.before_write:
                self.before_write(self)
            return self._batch_update(body)
        if name == "spreadsheets.values.batchUpdate":
            if self.before_write:
                self.before_write(self)
            return self._values_batch_update(body)
        raise ContractViolation(f"the fake does not implement {name}")

    # -- spreadsheets.get -------------------------------------------------------------------
    def _sheet_properties(self, index: int, tab: Tab) -> dict:
        grid = {"rowCount": tab.row_count, "columnCount": tab.column_count,
                "frozenRowCount": tab.frozen_rows or None}  # recorded responses omit a zero count
        return {"sheetId": tab.sheet_id, "title": tab.title, "index": index, "sheetType": "GRID",
                "gridProperties": grid}

    def get_spreadsheet(self, ranges: list[str], include_grid_data: bool) -> dict:
        wanted: dict[str, list[str]] = {}
        for a1 in ranges:
            tab, cells = self._tab_of(a1)
            wanted.setdefault(tab.title, []).append(cells)
        sheets = []
        for index, tab in enumerate(self.tabs.values()):
            if ranges and tab.title not in wanted:
                continue
            sheet = {"properties": self._sheet_properties(index, tab),
                     "conditionalFormats": with_deprecated_colours(copy.deepcopy(tab.conditional_formats)),
                     "protectedRanges": [self._protected_view(p) for p in tab.protected_ranges]}
            if include_grid_data:
                sheet["data"] = [self._grid_data(tab, cells) for cells in wanted.get(tab.title, [""])]
            sheets.append(sheet)
        return compact({"spreadsheetId": self.key,
                        "properties": {"title": self.title, "locale": self.locale, "autoRecalc": "ON_CHANGE",
                                       "timeZone": "Europe/Amsterdam"},
                        "sheets": sheets,
                        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit"})

    def _protected_view(self, protected: dict) -> dict:
        """ProtectedRange as this account sees it: requestingUserCanEdit computed for it, and
        "editors ... only visible to users with edit access to the protected range"."""
        view = copy.deepcopy(protected)
        view["requestingUserCanEdit"] = self.can_edit(protected)
        if not view["requestingUserCanEdit"]:
            view.pop("editors", None)
        return view

    def _grid_data(self, tab: Tab, cells: str) -> dict:
        """GridData for '1:2', 'A:B' or the whole tab: a fresh dict for every cell."""
        if re.fullmatch(r"\d+:\d+", cells):
            first, last = (int(x) for x in cells.split(":"))
            r0, r1, c0, c1 = first - 1, last, 0, tab.column_count
        elif re.fullmatch(r"[A-Z]+:[A-Z]+", cells):
            a, b = cells.split(":")
            r0, r1, c0, c1 = 0, tab.row_count, a1_to_index(a + "1")[1], a1_to_index(b + "1")[1] + 1
        else:
            r0, r1, c0, c1 = 0, tab.row_count, 0, tab.column_count
        rows = []
        reach = len(tab.values)
        if tab.validations or tab.formats:
            reach = max(reach, 2, *(e or tab.row_count for e in (*tab.validation_ends.values(), *tab.format_ends.values())))
        for r in range(r0, min(r1, reach, tab.row_count)):
            row = tab.values[r] if r < len(tab.values) else []
            values = []
            for c in range(c0, c1):
                cell = self._cell(row[c] if c < len(row) else None)
                end = tab.validation_ends.get(c)
                if r >= 1 and c in tab.validations and (end is None or r < end):
                    cell["dataValidation"] = copy.deepcopy(tab.validations[c])
                fmt = self._number_format(tab, r, c)
                if fmt:
                    cell["userEnteredFormat"] = {"numberFormat": copy.deepcopy(fmt)}
                values.append(cell)
            while values and not values[-1]:
                values.pop()
            rows.append({"values": values} if values else {})
        return {"startRow": r0, "startColumn": c0, "rowData": rows}

    @staticmethod
    def _cell(value) -> dict:
        if value is None or value == "":
            return {}
        if isinstance(value, bool):
            return {"userEnteredValue": {"boolValue": value}, "effectiveValue": {"boolValue": value}}
        if isinstance(value, (int, float)):
            return {"userEnteredValue": {"numberValue": value}, "effectiveValue": {"numberValue": value}}
        return {"userEnteredValue": {"stringValue": str(value)}, "effectiveValue": {"stringValue": str(value)},
                "formattedValue": str(value)}

    # -- spreadsheets.batchUpdate -----------------------------------------------------------
    def _batch_update(self, body: dict) -> dict:
        requests_ = body.get("requests", [])
        if not requests_:
            raise ApiError(400, "Must specify at least one request.")
        # Atomic (API reference, spreadsheets.batchUpdate: "if any request is not valid, the
        # entire request will fail and nothing will be applied").
        restore = self._snapshot()
        replies = []
        try:
            for i, item in enumerate(requests_):
                replies.append(self._apply(i, item))
        except ApiError:
            restore()
            raise
        self.batch_updates.append(body)
        return {"spreadsheetId": self.key, "replies": replies}

    def _snapshot(self):
        """A function that puts every tab back as it is now, in place (tests may hold a Tab)."""
        tabs, title = list(self.tabs.values()), self.title
        saved = [copy.deepcopy(t.__dict__) for t in tabs]

        def restore() -> None:
            for tab, state in zip(tabs, saved, strict=True):
                tab.__dict__.clear()
                tab.__dict__.update(state)
            self.tabs = {t.title: t for t in tabs}
            self.title = title

        return restore

    def _sheet(self, i: int, kind: str, sheet_id: int) -> Tab:
        for tab in self.tabs.values():
            if tab.sheet_id == sheet_id:
                return tab
        raise ApiError(400, f"Invalid requests[{i}].{kind}: No grid with id: {sheet_id}")

    def _apply(self, i: int, item: dict) -> dict:
        """Apply one request; return its Response (an empty one for kinds without a reply)."""
        (kind, body), = item.items()
        if kind == "addSheet":
            props = body.get("properties", {})
            title = props.get("title", f"Blad{len(self.tabs) + 1}")
            if title in self.tabs:
                raise ApiError(400, f'Invalid requests[{i}].addSheet: A sheet with the name "{title}" already '
                                    "exists. Please enter another name.")
            if "sheetId" in props and any(t.sheet_id == props["sheetId"] for t in self.tabs.values()):
                raise ApiError(400, f"Invalid requests[{i}].addSheet: Sheet with id {props['sheetId']} already exists.")
            tab = self.add_tab(title, [], sheet_id=props.get("sheetId", 5000 + len(self.tabs)))
            return {"addSheet": {"properties": compact(self._sheet_properties(len(self.tabs) - 1, tab))}}
        if kind == "appendDimension":
            tab = self._sheet(i, kind, body["sheetId"])
            if body["dimension"] == "COLUMNS":
                tab.column_count += body["length"]
            else:
                tab.row_count += body["length"]
            return {}
        if kind in ("updateCells", "repeatCell") and not body.get("fields"):
            # UpdateCellsRequest.fields / RepeatCellRequest.fields: "At least one field must be specified."
            raise ApiError(400, f"Invalid requests[{i}].{kind}: At least one field must be updated, but none specified.")
        if kind == "updateCells":
            tab = self._sheet(i, kind, body["start"]["sheetId"])
            fields = cell_fields(body["fields"])
            r0, c0 = body["start"].get("rowIndex", 0), body["start"].get("columnIndex", 0)
            width = max((len(row.get("values", [])) for row in body["rows"]), default=0)
            if r0 + len(body["rows"]) > tab.row_count or c0 + width > tab.column_count:
                raise ApiError(400, f"Invalid requests[{i}].updateCells: Attempting to write row: "
                                    f"{r0 + len(body['rows']) - 1}, beyond the last requested row of: {tab.row_count}")
            self._check_protection(tab, r0, r0 + len(body["rows"]), c0, c0 + width, f"Invalid requests[{i}].updateCells: ")
            for dr, row in enumerate(body["rows"]):
                for dc, cell in enumerate(row.get("values", [])):
                    if "userEnteredValue" in fields:
                        value = cell.get("userEnteredValue")
                        check_cell_text(next(iter(value.values())) if value else None)
                        tab.set(r0 + dr, c0 + dc, next(iter(value.values())) if value else None)
                    if "userEnteredFormat.numberFormat" in fields or "userEnteredFormat" in fields:
                        fmt = cell.get("userEnteredFormat", {}).get("numberFormat")
                        if fmt:
                            tab.cell_formats[(r0 + dr, c0 + dc)] = fmt
                        else:
                            tab.cell_formats.pop((r0 + dr, c0 + dc), None)
            return {}
        if kind == "updateSheetProperties":
            props = body["properties"]
            tab = self._sheet(i, kind, props["sheetId"])
            for f in body["fields"].split(","):
                if f == "gridProperties.frozenRowCount":
                    tab.frozen_rows = props.get("gridProperties", {}).get("frozenRowCount", 0)
                elif f == "title":
                    if props["title"] in self.tabs and self.tabs[props["title"]] is not tab:
                        raise ApiError(400, f'Invalid requests[{i}].updateSheetProperties: A sheet with the name '
                                            f'"{props["title"]}" already exists. Please enter another name.')
                    del self.tabs[tab.title]
                    tab.title = props["title"]
                    self.tabs[tab.title] = tab
                else:
                    raise ContractViolation(f"the fake does not implement updateSheetProperties.fields={f}")
            return {}
        if kind == "updateSpreadsheetProperties":
            if body["fields"] != "title":
                raise ContractViolation(f"the fake does not implement fields={body['fields']}")
            self.title = body["properties"]["title"]
            return {}
        if kind == "addProtectedRange":
            protected = copy.deepcopy(body["protectedRange"])
            tab = self._sheet(i, kind, protected["range"]["sheetId"])
            if protected.get("warningOnly") and protected.get("editors"):
                # ProtectedRange.editors: "Editors are not supported with warning_only protection."
                raise ApiError(400, f"Invalid requests[{i}].addProtectedRange: Editors are not supported with "
                                    "warning_only protection.")
            if not protected.get("warningOnly"):
                # without a list, the requesting user (and the owner) are the editors
                users = protected.get("editors", {}).get("users", [])
                protected["editors"] = {"users": sorted({self.owner, self.account, *users})}
            protected["protectedRangeId"] = 900 + sum(len(t.protected_ranges) for t in self.tabs.values())
            tab.protected_ranges.append(protected)
            return {"addProtectedRange": {"protectedRange": copy.deepcopy(protected)}}
        if kind == "setDataValidation":
            rng = body["range"]
            tab = self._sheet(i, kind, rng["sheetId"])
            self._check_range(i, kind, tab, rng)
            tab.validations[rng["startColumnIndex"]] = copy.deepcopy(body["rule"])
            tab.validation_ends[rng["startColumnIndex"]] = rng.get("endRowIndex")
            return {}
        if kind == "repeatCell":
            rng = body["range"]
            tab = self._sheet(i, kind, rng["sheetId"])
            self._check_range(i, kind, tab, rng)
            fields = cell_fields(body["fields"])
            fmt = body["cell"].get("userEnteredFormat", {}).get("numberFormat")
            if fmt and fields & {"userEnteredFormat", "userEnteredFormat.numberFormat"}:
                tab.formats[rng["startColumnIndex"]] = copy.deepcopy(fmt)
                tab.format_ends[rng["startColumnIndex"]] = rng.get("endRowIndex")
            return {}
        if kind == "copyPaste":
            # Only what the tool sends: one row's validation or format pasted onto the rows right
            # below it (the fake keeps one rule per column, from row 2 down to its end).
            tab = self._sheet(i, kind, body["source"]["sheetId"])
            source, dest = body["source"], body["destination"]
            self._check_range(i, kind, tab, dest)
            ends = {"PASTE_DATA_VALIDATION": tab.validation_ends, "PASTE_FORMAT": tab.format_ends}.get(body["pasteType"])
            if ends is None or source.get("startRowIndex", 0) < 1 or source.get("endRowIndex") != dest["startRowIndex"]:
                raise ContractViolation(f"the fake does not implement this copyPaste: {body}")
            for col, end in list(ends.items()):
                if end is not None and end >= source["endRowIndex"]:  # the source row carries it
                    ends[col] = max(end, dest["endRowIndex"])
            return {}
        if kind == "updateConditionalFormatRule":
            tab = self._sheet(i, kind, body["sheetId"])
            if "rule" not in body or not 0 <= body.get("index", 0) < len(tab.conditional_formats):
                raise ApiError(400, f"Invalid requests[{i}].updateConditionalFormatRule: No conditional format on "
                                    f"sheet {body['sheetId']} at index {body.get('index', 0)}")
            tab.conditional_formats[body.get("index", 0)] = copy.deepcopy(body["rule"])
            return {}
        if kind == "addConditionalFormatRule":
            # UNDOCUMENTED: whether a colour rule over a range protected against the account is
            # an edit of those cells; the fake lets it through (rules are objects of the sheet).
            rule = copy.deepcopy(body["rule"])
            tab = self._sheet(i, kind, rule["ranges"][0]["sheetId"])
            if "booleanRule" in rule:
                condition = rule["booleanRule"]["condition"]
                if condition["type"] == "CUSTOM_FORMULA":
                    self._check_formula(i, condition["values"][0]["userEnteredValue"])
            tab.conditional_formats.insert(body.get("index", 0), rule)
            return {}
        raise ContractViolation(f"the fake does not implement batchUpdate request {kind}")

    def _check_range(self, i: int, kind: str, tab: Tab, rng: dict) -> None:
        """A GridRange inside the grid (open sides run to its edge) and editable by this account."""
        r0, r1 = rng.get("startRowIndex", 0), rng.get("endRowIndex", tab.row_count)
        c0, c1 = rng.get("startColumnIndex", 0), rng.get("endColumnIndex", tab.column_count)
        if r1 > tab.row_count or c1 > tab.column_count:
            raise ApiError(400, f"Invalid requests[{i}].{kind}: Range exceeds grid limits.")
        self._check_protection(tab, r0, r1, c0, c1, f"Invalid requests[{i}].{kind}: ")

    def _check_formula(self, i: int, formula: str) -> None:
        """A decimal-comma locale uses ';' between arguments; ',' there is a parse error."""
        outside = re.sub(r'"[^"]*"', '""', formula)
        if self.locale.split("_")[0] in DECIMAL_COMMA_LANGUAGES and "," in outside:
            raise ApiError(400, f"Invalid requests[{i}].addConditionalFormatRule: Invalid ConditionValue.userEnteredValue: "
                                f"{formula}")

    # -- values -----------------------------------------------------------------------------
    def _tab_of(self, a1: str) -> tuple[Tab, str]:
        if "!" in a1:
            name, cells = a1.rsplit("!", 1)
        else:
            name, cells = a1, ""
        name = name[1:-1].replace("''", "'") if name.startswith("'") else name
        if name not in self.tabs:
            raise ApiError(400, f"Unable to parse range: {a1}")
        return self.tabs[name], cells

    def _values_get(self, a1: str, query: dict) -> dict:
        """values.get: exactly the cells of the A1 range asked for (API reference, ValueRange:
        "the range the values cover ... the output range" is the requested one), trailing empty
        rows and columns left out; a range beyond the grid is refused."""
        tab, cells = self._tab_of(a1)
        r0, r1, c0, c1 = parse_a1(cells, tab)
        if r1 > tab.row_count or c1 > tab.column_count:
            raise grid_limit_error(tab, a1)
        render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        dates = query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0]
        if render == "UNFORMATTED_VALUE" and (dates == "SERIAL_NUMBER" or not (tab.formats or tab.cell_formats)):
            rows = [row[c0:c1] for row in tab.values[r0:r1]]  # nothing to render: as stored
        else:
            rows = [[self._render(tab, r, c, row[c], render, dates) for c in range(c0, min(c1, len(row)))]
                    for r, row in enumerate(tab.values[r0:r1], start=r0)]
        values = api_values(rows)
        quoted = "'" + tab.title.replace("'", "''") + "'" if not re.fullmatch(r"\w+", tab.title) else tab.title
        payload = {"range": f"{quoted}!{column_name(c0)}{r0 + 1}:{column_name(c1 - 1)}{r1}", "majorDimension": "ROWS"}
        if values:
            payload["values"] = values
        return payload

    def _number_format(self, tab: Tab, r: int, c: int) -> dict | None:
        end = tab.format_ends.get(c)
        return tab.cell_formats.get((r, c)) or (tab.formats.get(c) if r >= 1 and (end is None or r < end) else None)

    def _render(self, tab: Tab, r: int, c: int, value: Any, render: str, dates: str) -> Any:
        """A cell as valueRenderOption/dateTimeRenderOption ask (API reference, ValueRenderOption
        and DateTimeRenderOption: FORMATTED_* "depends on the spreadsheet locale"; date patterns
        as in the "Date and number formats" guide)."""
        if value is None or value == "" or render == "FORMULA":
            return value
        fmt = self._number_format(tab, r, c) or {}
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if numeric and fmt.get("type") in ("DATE", "DATE_TIME", "TIME") and (
                render == "FORMATTED_VALUE" or dates == "FORMATTED_STRING"):
            return format_serial(value, fmt.get("pattern") or default_pattern(self.locale, fmt["type"]))
        if render != "FORMATTED_VALUE":
            return value
        if isinstance(value, bool):
            return ("WAAR" if value else "ONWAAR") if self.locale.startswith("nl") else str(value).upper()
        if numeric:
            text = str(int(value)) if float(value).is_integer() else repr(float(value))
            return text.replace(".", ",") if self.locale.split("_")[0] in DECIMAL_COMMA_LANGUAGES else text
        return str(value)

    def _values_batch_update(self, body: dict) -> dict:
        option = body.get("valueInputOption")
        if option in (None, "INPUT_VALUE_OPTION_UNSPECIFIED"):
            raise ApiError(400, "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
        if option == "USER_ENTERED":
            # USER_ENTERED is parsed "as if the user typed them into the UI" in the sheet's locale
            # (ValueInputOption); the fake does not imitate that parser, and the tool writes RAW only.
            raise ContractViolation("values:batchUpdate with USER_ENTERED: the tool must write RAW "
                                    "(the fake does not parse input as the sheet's locale would)")
        # values.batchUpdate is one request: when one range is refused, nothing is applied
        # (API reference, spreadsheets.values.batchUpdate; the batch guide: "applied together atomically").
        restore = self._snapshot()
        try:
            return self._apply_values(body)
        except ApiError:
            restore()
            raise

    def _apply_values(self, body: dict) -> dict:
        responses, total_cells, rows, cols, sheets = [], 0, 0, 0, set()
        for item in body.get("data", []):
            tab, cells = self._tab_of(item["range"])
            r0, r1, c0, c1 = parse_a1(cells, tab)
            height = len(item["values"])
            width = max((len(r) for r in item["values"]), default=0)
            if ":" in cells and (height > r1 - r0 or width > c1 - c0):
                raise ApiError(400, f"Requested writing within range [{item['range']}], but tried writing to "
                                    f"row [{r0 + height}]")
            if r0 + height > tab.row_count or c0 + width > tab.column_count:
                raise grid_limit_error(tab, item["range"])
            self._check_protection(tab, r0, r0 + height, c0, c0 + width)
            for dr, row in enumerate(item["values"]):
                for dc, value in enumerate(row):
                    check_cell_text(value)
                    if value is not None:  # ValueRange.values: "Null values will be skipped."
                        tab.set(r0 + dr, c0 + dc, value)
            n = sum(len(r) for r in item["values"])
            total_cells += n
            rows += height
            cols += width
            sheets.add(tab.title)
            responses.append({"spreadsheetId": self.key, "updatedRange": f"{tab.title}!{cells}",
                              "updatedRows": height, "updatedColumns": width, "updatedCells": n})
        return compact({"spreadsheetId": self.key, "totalUpdatedRows": rows, "totalUpdatedColumns": cols,
                        "totalUpdatedCells": total_cells, "totalUpdatedSheets": len(sheets),
                        "responses": responses})

    # -- responses ----------------------------------------------------------------------
    def _json(self, request, payload, status: int = 200, headers: dict | None = None):
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(payload).encode()
        response.headers["Content-Type"] = "application/json; charset=UTF-8"
        response.headers.update(headers or {})
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def _error(self, request, status: int, message: str | None = None, reason: str | None = None,
               headers: dict | None = None, details: list | None = None):
        defaults = {429: ("Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
                          "minute per user' of service 'sheets.googleapis.com'.", "RESOURCE_EXHAUSTED"),
                    400: ("Invalid argument.", "INVALID_ARGUMENT"),
                    403: ("The caller does not have permission", "PERMISSION_DENIED"),
                    404: ("Requested entity was not found.", "NOT_FOUND"),
                    500: ("Internal error encountered.", "INTERNAL"),
                    502: ("Bad gateway.", "UNAVAILABLE"),
                    503: ("The service is currently unavailable.", "UNAVAILABLE")}
        msg, st = defaults.get(status, ("error", "UNKNOWN"))
        error = {"code": status, "message": message or msg, "status": reason or st}
        if details:
            error["details"] = copy.deepcopy(details)
        return self._json(request, {"error": error}, status, headers)


#: Languages whose spreadsheets use the decimal comma (and so ';' between function arguments).
DECIMAL_COMMA_LANGUAGES = {"nl", "de", "fr", "es", "it", "pt", "da", "sv", "nb", "fi", "pl", "cs", "ru", "tr"}


def check_cell_text(value: Any) -> None:
    """Google Sheets holds at most 50,000 characters in one cell (Drive help, "Files you can
    store in Google Drive": spreadsheets; the API refuses a longer value with 400)."""
    if isinstance(value, str) and len(value) > CELL_LIMIT:
        raise ApiError(400, f"Your input contains more than the maximum of {CELL_LIMIT} characters in a single cell.")


def default_pattern(locale: str, kind: str) -> str:
    """The locale's default display of a DATE/DATE_TIME/TIME cell without a pattern."""
    day_first = locale.split("_")[0] != "en" or locale in ("en_GB", "en_IE", "en_AU", "en_NZ")
    separator = "/" if locale.startswith("en") else "-"
    date = f"d{separator}m{separator}yyyy" if day_first else f"m{separator}d{separator}yyyy"
    return {"DATE": date, "DATE_TIME": f"{date} h:mm:ss", "TIME": "h:mm:ss"}[kind]


def format_serial(serial: float, pattern: str) -> str:
    """A serial date-time in a Sheets date pattern ("Date and number formats" guide: 'm' is the
    minute after an hour or before a second, else the month)."""
    import datetime as dt

    moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(serial))  # noqa: DTZ001 - sheet wall clock
    moment = moment.replace(microsecond=0) + dt.timedelta(seconds=round(moment.microsecond / 1e6))
    tokens = re.findall(r"yyyy|yy|mm|m|dd|d|hh|h|ss|s|[^ymdhs]+", pattern.lower())
    out = []
    for i, token in enumerate(tokens):
        before = next((t for t in reversed(tokens[:i]) if t[0] in "ymdhs"), "")
        after = next((t for t in tokens[i + 1:] if t[0] in "ymdhs"), "")
        if token in ("mm", "m"):
            minute = before.startswith("h") or after.startswith("s")
            number = moment.minute if minute else moment.month
            out.append(f"{number:02d}" if token == "mm" else str(number))
        elif token[0] in "ydhs" and set(token) == {token[0]}:
            number = {"y": moment.year, "d": moment.day, "h": moment.hour, "s": moment.second}[token[0]]
            out.append(str(number)[-2:] if token == "yy" else f"{number:0{len(token)}d}" if len(token) == 2
                       else str(number))
        else:
            out.append(token)
    return "".join(out)


def cell_fields(mask: str) -> set[str]:
    """The CellData fields a request's ``fields`` names; "*" is "short-hand for listing every
    field" (UpdateCellsRequest.fields)."""
    if mask.strip() == "*":
        return {"userEnteredValue", "userEnteredFormat", "dataValidation", "note", "textFormatRuns"}
    return {f.strip() for f in mask.split(",")}


_RSA_PEM: str | None = None


def write_service_account_key(path, email: str = "klachten@proj.iam.gserviceaccount.com",
                              token_uri: str = "https://oauth2.googleapis.com/token") -> None:
    """A well-formed service-account key file (a real RSA key, generated once per test run)."""
    global _RSA_PEM
    if _RSA_PEM is None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _RSA_PEM = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()
    path.write_text(json.dumps({"type": "service_account", "project_id": "proj", "private_key_id": "abc123",
                                "private_key": _RSA_PEM, "client_email": email, "client_id": "1",
                                "token_uri": token_uri}), encoding="utf-8")


def with_deprecated_colours(value: Any) -> Any:
    """Google answers each colour in both forms: ``backgroundColorStyle.rgbColor`` and the
    deprecated ``backgroundColor`` (saved spreadsheets.get answers show both, e.g. the one in
    timmit147/Sheets js/json.js); so does the fake, so a rule read and sent back is checked."""
    if isinstance(value, list):
        return [with_deprecated_colours(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: with_deprecated_colours(v) for k, v in value.items()}
    for key in ("backgroundColor", "foregroundColor", "color"):
        style = out.get(f"{key}Style")
        if isinstance(style, dict) and "rgbColor" in style and key not in out:
            out[key] = copy.deepcopy(style["rgbColor"])
    return out
