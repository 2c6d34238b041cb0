"""The Google Sheet source: every gspread call of klachten lives here.

Reading a register costs a constant number of requests, whatever its size: one metadata
request (tab names and ids) and one values request for the whole tab, with unformatted values
and serial dates. Transient failures on an open connection (HTTP 429, 5xx, timeouts) are retried
a bounded number of times with exponential backoff, with a line while it waits; a connection
that cannot be made at all (no network, a name that does not resolve, refused) is not retried.
The tool asks only for the Sheets scope: it never calls Drive.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from register.errors import SourceError
from register.model import allowed_values
from register.parse import _serial as from_serial
from register.parse import to_serial
from register.plural import count
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
    canonical_formula,
    closed_days,
    formula_separator,
    holidays_missing,
    overdue_formulas,
    plan_layout,
)
from register.sources.base import CellWrite, Grid, Source, missing_tab_message

if TYPE_CHECKING:
    from register.config import Config

RETRY_STATUS = {429, 500, 502, 503, 504}
#: The least the tool needs: read and write spreadsheets (no Drive: nothing is opened by name).
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
#: A Google Sheets cell holds at most this many characters; a longer value is refused with 400.
CELL_LIMIT = 50_000
#: Google's usage-limits page recommends at most 2 MB per request; a write is split below that.
PAYLOAD_LIMIT = 2 * 1024 * 1024 - 64 * 1024
CONNECT_TIMEOUT = 5.0  # seconds to open a connection to Google (a healthy one takes well under 1 s)
PROTECTED_MARK = "You are trying to edit a protected cell"
FIRST_WAIT = 1.0  # seconds before the first retry; doubles per attempt (plus up to 1 s of jitter)
MAX_WAIT = 64.0  # one wait never exceeds this (Google's usage-limits page: exponential backoff up to 64 s)
MAX_RETRY_AFTER = 120.0  # a Retry-After beyond this is not honoured in full
#: Names Google gives the only tab of a brand-new spreadsheet; such a tab becomes the register.
NEW_SHEET_TABS = ("Blad1", "Sheet1")
_KEY_RE = re.compile(r"/spreadsheets/d/([a-zA-Z0-9-_]+)")
EDIT_URL = "https://docs.google.com/spreadsheets/d/{key}/edit"


class LostAnswer(Exception):
    """A write was sent but no answer came back (timeout, broken connection, 5xx): it may or may
    not have been applied, so it must not be re-sent as it is."""


def backoff_wait(attempt: int, retry_after: float | None, rng: random.Random) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): exponential with jitter,
    at least what a Retry-After header asked for (up to MAX_RETRY_AFTER)."""
    wait: float = min(MAX_WAIT, FIRST_WAIT * 2 ** (attempt - 1) + rng.uniform(0, 1))
    if retry_after is not None:
        wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
    return wait


def _retry_after(response: Any) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
            return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


def cannot_connect(exc: BaseException) -> bool:
    """True when no connection could be made at all (name not resolved, refused, unreachable,
    connect timeout): nothing was sent, and trying again at once would fail the same way."""
    import socket

    import requests
    import urllib3

    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, requests.exceptions.SSLError) and "certif" in str(e).lower():
            return True  # a certificate that does not verify will not verify a second later either
        if isinstance(e, (requests.ConnectTimeout, urllib3.exceptions.NewConnectionError,
                          urllib3.exceptions.ConnectTimeoutError, socket.gaierror, ConnectionRefusedError)):
            return True
        if isinstance(e, urllib3.exceptions.MaxRetryError):
            stack.append(e.reason)
        if isinstance(e, BaseException):
            stack.extend(a for a in e.args if isinstance(a, BaseException))
            stack.extend([e.__cause__, e.__context__])
    return False


def _connect_reason(exc: BaseException) -> str:
    text = repr(exc)
    if "NameResolution" in text or "gaierror" in text or "resolve" in text.lower():
        return "de naam van de server is niet te vinden"
    if "refused" in text.lower():
        return "verbinding geweigerd"
    if "SSL" in text or "certificate" in text.lower():
        return "de beveiligde verbinding mislukt; staat er een proxy of virusscanner tussen?"
    if "timed out" in text.lower() or "Timeout" in text:
        return "geen verbinding binnen de wachttijd"
    return "netwerk niet bereikbaar"


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


def service_account_info(path: str) -> dict[str, Any]:
    """The key file's contents, checked: JSON, a service-account key, a private key that can be
    read. Each fault is one Dutch line (SourceError), never the library's own text."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        raise SourceError(f"het sleutelbestand '{path}' kan niet worden gelezen") from None
    try:
        info = json.loads(text)
    except ValueError:
        raise SourceError(f"het sleutelbestand '{path}' is geen JSON (beschadigd of een ander bestand); "
                          "download de sleutel van het service-account opnieuw als JSON") from None
    if not isinstance(info, dict) or info.get("type") != "service_account" or not info.get("client_email"):
        raise SourceError(f"'{path}' is geen service-account-sleutel (verwacht \"type\": \"service_account\" "
                          "en een client_email)")
    try:
        from google.auth import crypt

        crypt.RSASigner.from_service_account_info(info)  # type: ignore[no-untyped-call]
    except (ValueError, KeyError, TypeError, IndexError):
        raise SourceError(f"de privésleutel in '{path}' is onleesbaar (beschadigd of ingekort); maak een nieuwe "
                          "sleutel voor het service-account en download die als JSON") from None
    return info


def _service_account_email(path: str | None) -> str:
    if not path:
        return "het service-account"
    try:
        with open(path, encoding="utf-8") as fh:
            email: str = json.load(fh).get("client_email", "het service-account")
            return email
    except (OSError, ValueError):
        return "het service-account"


class SheetsConnection:
    """One spreadsheet, reached through gspread's HTTP client with retries and a timeout."""

    def __init__(self, config: Config, session: Any = None, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None, notify: Callable[[str], None] | None = None):
        import gspread

        self.config = config
        self.key = spreadsheet_key(config.register.spreadsheet)
        if not self.key:
            raise SourceError("[register] spreadsheet is leeg: vul de sleutel of URL van de Google Sheet in")
        self.tab = config.register.tabblad
        self.attempts = config.register.pogingen
        self.timeout = config.register.timeout_seconden
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.credentials_file: str | None = None
        self.notify: Callable[[str], None] | None = notify
        if session is None:
            self.credentials_file = credentials_path(config)
            info = service_account_info(self.credentials_file)
            try:
                from google.oauth2.service_account import Credentials

                # google-auth leaves this classmethod unannotated
                creds = Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                    info, scopes=SCOPES)
            except (ValueError, KeyError, TypeError):
                raise SourceError(f"'{self.credentials_file}' is geen geldig service-account-bestand; "
                                  "download de sleutel opnieuw als JSON") from None
            self.client = gspread.Client(auth=creds)
        else:
            try:  # only to name the account in messages
                self.credentials_file = credentials_path(config)
            except SourceError:
                self.credentials_file = None
            # gspread's annotation omits the auth=None it accepts alongside a ready session
            self.client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
        # (connect, read): a network that swallows packets is known within CONNECT_TIMEOUT, the
        # token request included, so an offline run answers in seconds, not after every retry
        self.client.set_timeout((min(CONNECT_TIMEOUT, self.timeout), self.timeout))
        self.http = self.client.http_client
        self._metadata: dict[str, Any] | None = None

    # -- the request loop -------------------------------------------------------------------
    def call(self, what: str, fn: Callable[[], Any], write: bool = False) -> Any:
        """Run one API request; retry 429 and (for reads) 5xx and timeouts with backoff; translate
        failures into SourceError.

        A write whose answer is lost (timeout, broken connection, 5xx) raises LostAnswer instead
        of being re-sent: Google may have applied it. A 429 was refused before anything was
        applied, so it is retried as it is. A connection that cannot be made at all (DNS,
        refused, unreachable) is not retried: the next attempt would fail the same way.
        """
        import requests
        from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
        from gspread.exceptions import APIError

        last = ""
        for attempt in range(1, self.attempts + 1):
            retry_after = None
            try:
                return fn()
            except APIError as exc:
                status = exc.response.status_code
                if status not in RETRY_STATUS:
                    raise SourceError(self._api_message(status, what, exc)) from None
                last = f"HTTP {status}" + (" (te veel verzoeken)" if status == 429 else " (storing bij Google)")
                if write and status != 429:
                    raise LostAnswer(last) from None
                retry_after = _retry_after(exc.response)
            except (requests.ConnectionError, requests.Timeout, TransportError) as exc:
                if cannot_connect(exc):
                    raise SourceError(f"Google Sheets: {what} mislukt: geen verbinding met Google mogelijk "
                                      f"({_connect_reason(exc)}); controleer de internetverbinding en probeer "
                                      "het later opnieuw") from None
                if isinstance(exc, TransportError):
                    last = "geen verbinding met Google (controleer de internetverbinding)"
                elif isinstance(exc, requests.Timeout):
                    last = f"geen antwoord binnen {self.timeout} seconden"
                else:
                    last = "geen verbinding met Google"
                if write and not isinstance(exc, TransportError):  # a token failure sent nothing
                    raise LostAnswer(last) from None
            except RefreshError:
                raise SourceError("inloggen bij Google mislukt: Google weigert de sleutel van het service-account "
                                  "(ingetrokken, verlopen of van een verwijderd account); maak een nieuwe sleutel "
                                  "en controleer met 'klachten verbinding'") from None
            except GoogleAuthError:
                raise SourceError("inloggen bij Google mislukt; controleer het sleutelbestand met "
                                  "'klachten verbinding'") from None
            if attempt < self.attempts:
                self.pause(attempt, retry_after, last)
        raise SourceError(f"Google Sheets: {what} mislukt na {self.attempts} pogingen: {last}; probeer het later opnieuw")

    def pause(self, attempt: int, retry_after: float | None = None, why: str = "") -> None:
        wait = backoff_wait(attempt, retry_after, self._rng)
        if self.notify is not None:
            self.notify(f"Google Sheets: {why or 'geen antwoord'}; nieuwe poging ({attempt + 1} van "
                        f"{self.attempts}) over {wait:.0f} s …")
        self._sleep(wait)

    def write_checked(self, what: str, plan: Callable[[], Any], send: Callable[[Any], Any]) -> None:
        """Send what ``plan()`` says is still missing; when an answer is lost, re-read (``plan``
        reads afresh) and send only what is then still missing, never the same write blindly."""
        last = ""
        for attempt in range(1, self.attempts + 1):
            todo = plan()
            if not todo:
                return
            try:
                send(todo)
                return
            except LostAnswer as exc:
                last = str(exc)
                self._metadata = None
                if attempt < self.attempts:
                    self.pause(attempt)
        raise SourceError(f"Google Sheets: {what} niet bevestigd na {self.attempts} pogingen: {last}; "
                          "controleer de sheet en probeer het later opnieuw")

    def _api_message(self, status: int, what: str, exc: Any) -> str:
        """Google's refusal in one Dutch line; each 403 and 400 cause has its own remedy."""
        account = _service_account_email(self.credentials_file)
        error = getattr(exc, "error", None) or {}
        message = str(error.get("message", ""))
        reasons = {d.get("reason") for d in error.get("details", []) if isinstance(d, dict)}
        if status == 404:
            return (f"Google Sheet '{self.key}' niet gevonden; controleer [register] spreadsheet "
                    f"en deel de sheet met {account}")
        if "SERVICE_DISABLED" in reasons or "has not been used in project" in message or "is disabled" in message:
            project = re.search(r"project[= ](\d+)", message)
            link = ("https://console.developers.google.com/apis/api/sheets.googleapis.com/overview"
                    + (f"?project={project.group(1)}" if project else ""))
            where = f"project {project.group(1)}" if project else "het Google Cloud-project van het service-account"
            return (f"de Google Sheets API staat uit in {where}: zet hem aan op {link} en probeer het na "
                    "een paar minuten opnieuw")
        if "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in reasons or "insufficient authentication scopes" in message:
            return ("Google weigert het verzoek: de toegang is gevraagd zonder het recht op spreadsheets (scope); "
                    "werk klachten bij of meld dit als fout")
        if status == 400 and ("not supported for this document" in message
                              or error.get("status") == "FAILED_PRECONDITION"):
            return (f"'{self.key}' is geen Google Sheet maar een ander bestand in Drive (bijvoorbeeld een .xlsx): "
                    "open het in Google Drive, kies Bestand > Opslaan als Google Spreadsheets, deel de nieuwe "
                    f"sheet met {account} en zet de nieuwe sleutel in [register] spreadsheet")
        if status == 400 and PROTECTED_MARK in message:
            return (f"Google Sheets: {what} geweigerd: een deel van de sheet is beschermd en {account} mag het "
                    "niet bewerken; voeg het account toe als bewerker van het beschermde bereik (Gegevens > "
                    "Beschermde bladen en bereiken) of haal de bescherming weg")
        if status == 400 and "characters in a single cell" in message:
            return (f"Google Sheets: {what} geweigerd: een cel zou meer dan {CELL_LIMIT:,} tekens krijgen"
                    .replace(",", "."))
        if status == 400 and "exceeds grid limits" in message:
            return (f"Google Sheets: {what} geweigerd: het tabblad is vol (de cellen vallen buiten het raster); "
                    "meld dit als fout")
        if status in (401, 403):
            return f"geen toegang tot de Google Sheet: deel hem met {account} (als bewerker)"
        return f"Google Sheets: {what} geweigerd (HTTP {status}): {message}"

    # -- reading ----------------------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        """Title, locale and the tabs' properties (one request, cached until a write's answer is lost)."""
        if self._metadata is None:
            self._metadata = self.call("sheetgegevens ophalen", lambda: self.http.fetch_sheet_metadata(
                self.key, params={"includeGridData": "false",
                                  "fields": "properties(title,locale,timeZone),sheets.properties"}))
        return self._metadata

    def titles(self) -> list[str]:
        return [s["properties"].get("title", "") for s in self.metadata().get("sheets", [])]

    def locale(self) -> str:
        locale: str = self.metadata().get("properties", {}).get("locale", "en_US")
        return locale

    def time_zone(self) -> str:
        """The spreadsheet's time zone (a form's timestamps are in it)."""
        zone: str = self.metadata().get("properties", {}).get("timeZone", "Europe/Amsterdam")
        return zone

    def sheet_properties(self, title: str | None = None) -> dict[str, Any]:
        title = title or self.tab
        for sheet in self.metadata().get("sheets", []):
            if sheet["properties"].get("title") == title:
                properties: dict[str, Any] = sheet["properties"]
                return properties
        raise SourceError(self.missing_tab(title))

    def new_sheet_tab(self) -> str | None:
        """The 'Blad1'/'Sheet1' of a brand-new spreadsheet that setup would make the register."""
        titles = self.titles()
        if self.tab not in titles and len(titles) == 1 and titles[0] in NEW_SHEET_TABS:
            return titles[0]
        return None

    def missing_tab(self, title: str) -> str:
        message = missing_tab_message(title, self.titles(), "de Google Sheet")
        fresh = self.new_sheet_tab()
        if title == self.tab and fresh:
            message += f"; 'klachten inrichten' maakt van '{fresh}' het register"
        return message

    def read_grid(self) -> Grid:
        props = self.sheet_properties()
        response = self.call("register lezen", lambda: self.http.values_get(
            self.key, quote_tab(self.tab),
            params={"valueRenderOption": "UNFORMATTED_VALUE",
                    "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}))
        title = self.metadata().get("properties", {}).get("title", self.key)
        return Grid(values=response.get("values", []), label=f"Google Sheet '{title}' (tabblad {self.tab})",
                    url=EDIT_URL.format(key=self.key), gid=props.get("sheetId"))

    def read_values(self, title: str, cells: str = "", dates_as_text: bool = False) -> list[list[Any]]:
        """Values of a range ('' = the whole tab); dates as serial numbers, or as the text the
        sheet shows when ``dates_as_text`` (a form's date answers read as the complainant typed them)."""
        response = self.call(f"tabblad {title} lezen", lambda: self.http.values_get(
            self.key, f"{quote_tab(title)}!{cells}" if cells else quote_tab(title),
            params={"valueRenderOption": "UNFORMATTED_VALUE",
                    "dateTimeRenderOption": "FORMATTED_STRING" if dates_as_text else "SERIAL_NUMBER",
                    "majorDimension": "ROWS"}))
        values: list[list[Any]] = response.get("values", [])
        return values

    # -- writing (one request each; used by inrichten, --schrijf and anonimiseer) --------------
    def batch_update(self, requests_: list[dict[str, Any]]) -> Any:
        return self.call("sheet inrichten", lambda: self.http.batch_update(self.key, {"requests": requests_}),
                         write=True)

    def values_batch_update(self, data: list[dict[str, Any]]) -> Any:
        """Write RAW values: checked against the cell limit, the grid grown first when the cells
        fall beyond it, and sent in parts of at most 2 MB (each part whole ranges, so a part whose
        answer is lost leaves whole ranges written or not: the caller's re-read sends the rest)."""
        check_cell_limit(data)
        self.ensure_grid(data)
        result = None
        for part in split_payload(data):
            result = self._send_values({"valueInputOption": "RAW", "data": part})
        return result

    def _send_values(self, body: dict[str, Any]) -> Any:
        return self.call("waarden schrijven", lambda: self.http.values_batch_update(self.key, body=body), write=True)

    def ensure_grid(self, data: list[dict[str, Any]]) -> None:
        """Grow each tab whose grid the ranges in ``data`` exceed (values writes never add rows:
        Google answers 400 "exceeds grid limits"). New rows get the validation and formats of the
        last row and every colour rule that reached the old last row is extended, in one atomic batchUpdate."""
        needed: dict[str, tuple[int, int]] = {}
        for item in data:
            title, r0, c0 = _range_start(item["range"])
            height = len(item["values"])
            width = max((len(r) for r in item["values"]), default=0)
            rows, cols = needed.get(title, (0, 0))
            needed[title] = (max(rows, r0 + height), max(cols, c0 + width))
        for title, (rows, cols) in needed.items():
            grid = self.sheet_properties(title).get("gridProperties", {})
            if rows <= grid.get("rowCount", 1000) and cols <= grid.get("columnCount", 26):
                continue
            self._metadata = None  # the cached size may be old: decide on a fresh one
            props = self.sheet_properties(title)
            grid = props.get("gridProperties", {})
            have_rows, have_cols = grid.get("rowCount", 1000), grid.get("columnCount", 26)
            requests_: list[dict[str, Any]] = []
            sheet_id = props["sheetId"]
            if cols > have_cols:
                requests_.append({"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS",
                                                      "length": cols - have_cols}})
            if rows > have_rows:
                requests_ += [{"appendDimension": {"sheetId": sheet_id, "dimension": "ROWS",
                                                   "length": rows - have_rows}}]
                requests_ += self._extend_rows(title, sheet_id, have_rows, rows, max(cols, have_cols))
            if requests_:
                self.batch_update(requests_)
                self._metadata = None

    def _extend_rows(self, title: str, sheet_id: int, old: int, new: int, width: int) -> list[dict[str, Any]]:
        """Requests that give rows old..new what the rows above them have: the last row's dropdowns
        and formats (copyPaste, as adding rows in Google Sheets itself does), and colour rules that
        ended at the old last row now end at the new one."""
        out: list[dict[str, Any]] = []
        if old >= 2:  # row 1 is the header: never copied down
            source = {"sheetId": sheet_id, "startRowIndex": old - 1, "endRowIndex": old,
                      "startColumnIndex": 0, "endColumnIndex": width}
            target = {"sheetId": sheet_id, "startRowIndex": old, "endRowIndex": new,
                      "startColumnIndex": 0, "endColumnIndex": width}
            out += [{"copyPaste": {"source": source, "destination": target, "pasteType": kind}}
                    for kind in ("PASTE_DATA_VALIDATION", "PASTE_FORMAT")]
        state = self.call("kleurregels lezen", lambda: self.http.fetch_sheet_metadata(self.key, params={
            "ranges": [quote_tab(title)], "fields": "sheets(properties(sheetId),conditionalFormats)"}))
        for sheet in state.get("sheets", []):
            for index, rule in enumerate(sheet.get("conditionalFormats", [])):
                ranges = rule.get("ranges", [])
                if not any(r.get("endRowIndex") == old for r in ranges):
                    continue
                grown = [{**r, "endRowIndex": new} if r.get("endRowIndex") == old else r for r in ranges]
                out.append({"updateConditionalFormatRule": {"index": index, "sheetId": sheet_id,
                                                            "rule": without_deprecated({**rule, "ranges": grown})}})
        return out


def without_deprecated(value: Any) -> Any:
    """A rule as read, fit to be sent back: Google answers every colour twice (``backgroundColor``
    and ``backgroundColorStyle``); the plain one is deprecated, so only the Style form is sent."""
    if isinstance(value, list):
        return [without_deprecated(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: without_deprecated(v) for k, v in value.items()}
    for key in ("backgroundColor", "foregroundColor", "color"):
        if key in out:
            plain = out.pop(key)
            out.setdefault(f"{key}Style", {"rgbColor": plain})
    return out


def _range_start(a1: str) -> tuple[str, int, int]:
    """(tab title, 0-based row, 0-based column) of the first cell of an A1 range 'Tab'!B5:C9."""
    name, _, cells = a1.rpartition("!")
    title = name[1:-1].replace("''", "'") if name.startswith("'") else name
    m = re.match(r"([A-Z]*)(\d*)", cells)
    col = 0
    for ch in (m.group(1) if m else ""):
        col = col * 26 + ord(ch) - 64
    row = int(m.group(2)) if m and m.group(2) else 1
    return title, row - 1, max(col - 1, 0)


def check_cell_limit(data: list[dict[str, Any]]) -> None:
    """No text over the 50,000 characters a Google Sheets cell holds ever leaves the tool: a
    refusal would fail the whole write on every run."""
    for item in data:
        for row in item["values"]:
            for value in row:
                if isinstance(value, str) and len(value) > CELL_LIMIT:
                    raise SourceError(f"een tekst voor {item['range']} is {len(value):,} tekens lang; een cel in "
                                      f"een Google Sheet houdt er hoogstens {CELL_LIMIT:,}; er is niets geschreven"
                                      .replace(",", "."))


def _split_rows(item: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """A range too big for one request, as ranges of whole rows (each under ``limit``)."""
    title, r0, c0 = _range_start(item["range"])
    tab = quote_tab(title)
    width = max((len(r) for r in item["values"]), default=1)
    out: list[dict[str, Any]] = []
    chunk: list[list[Any]] = []
    size = 0
    first = r0
    for i, row in enumerate(item["values"]):
        length = len(json.dumps(row).encode("utf-8")) + 1
        if chunk and size + length > limit:
            out.append({"range": f"{tab}!{column_letter(c0)}{first + 1}:{column_letter(c0 + width - 1)}"
                                 f"{first + len(chunk)}", "values": chunk})
            chunk, size, first = [], 0, r0 + i
        chunk.append(row)
        size += length
    if chunk:
        out.append({"range": f"{tab}!{column_letter(c0)}{first + 1}:{column_letter(c0 + width - 1)}"
                             f"{first + len(chunk)}", "values": chunk})
    return out


def split_payload(data: list[dict[str, Any]], limit: int = PAYLOAD_LIMIT) -> list[list[dict[str, Any]]]:
    """``data`` in parts whose JSON stays under ``limit`` bytes; a range is split only when it
    alone is bigger, and then into whole rows."""
    parts: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    items: list[dict[str, Any]] = []
    for item in data:
        if len(json.dumps(item).encode("utf-8")) > limit // 2:
            items += _split_rows(item, limit // 2)
        else:
            items.append(item)
    for item in items:
        length = len(json.dumps(item).encode("utf-8")) + 2
        if current and size + length > limit:
            parts.append(current)
            current, size = [], 0
        current.append(item)
        size += length
    if current:
        parts.append(current)
    return parts


def contiguous_ranges(tab: str, cells: list[CellWrite]) -> list[dict[str, Any]]:
    """Cells as few A1 ranges: adjacent cells of a row form one range, and rows whose runs
    cover the same columns one under the other form one block."""
    by_row: dict[int, dict[int, Any]] = {}
    for c in cells:
        by_row.setdefault(c.row, {})[c.column] = _raw(c.value)
    runs: list[tuple[int, int, list[Any]]] = []  # (row, first column, values)
    for row in sorted(by_row):
        cols = sorted(by_row[row])
        start = prev = cols[0]
        for col in cols[1:] + [None]:
            if col is not None and col == prev + 1:
                prev = col
                continue
            runs.append((row, start, [by_row[row][k] for k in range(start, prev + 1)]))
            if col is not None:
                start = prev = col
    blocks: list[tuple[int, int, list[list[Any]]]] = []
    open_blocks: dict[tuple[int, int], int] = {}  # (first column, width) -> index of a block ending on the row above
    for row, start, values in runs:
        key = (start, len(values))
        index = open_blocks.get(key)
        if index is not None and blocks[index][0] + len(blocks[index][2]) == row:
            blocks[index][2].append(values)
        else:
            blocks.append((row, start, [values]))
            open_blocks[key] = len(blocks) - 1
    out = []
    for row, start, rows in blocks:
        first = f"{column_letter(start)}{row + 1}"
        last = f"{column_letter(start + len(rows[0]) - 1)}{row + len(rows)}"
        out.append({"range": f"{tab}!{first}" + (f":{last}" if last != first else ""), "values": rows})
    return out


class GoogleSource(Source):
    """A tab of a Google Sheet ([register] spreadsheet and tabblad), through gspread."""

    kind = "google"

    def __init__(self, config: Config, session: Any = None, sleep: Callable[[float], None] = time.sleep):
        super().__init__(config)
        self.conn = SheetsConnection(config, session=session, sleep=sleep)

    def read(self) -> Grid:
        return self.conn.read_grid()

    def write_cells(self, cells: list[CellWrite]) -> None:
        self.conn.values_batch_update(contiguous_ranges(quote_tab(self.conn.tab), cells))

    def write_planned(self, plan: Callable[[], list[CellWrite]]) -> None:
        self.conn.write_checked("waarden schrijven", plan, self.write_cells)

    def setup(self, today: dt.date) -> SetupReport:
        return setup_google(self.conn, today)

    def keep_holidays_current(self, today: dt.date) -> str | None:
        return keep_holidays_google(self.conn, today)


def _raw(value: Any) -> Any:
    if isinstance(value, dt.date):
        return to_serial(value)
    return "" if value is None else value


def _cell_value(cell: dict[str, Any]) -> Any:
    value = cell.get("userEnteredValue", {})
    return next(iter(value.values()), None) if value else None


def _string_cell(text: str) -> dict[str, Any]:
    return {"userEnteredValue": {"stringValue": text}}


def _is_tool_dropdown(rule: dict[str, Any]) -> bool:
    """A dropdown as inrichten writes it (so its list may be brought up to date)."""
    return (rule.get("condition", {}).get("type") == "ONE_OF_LIST" and rule.get("showCustomUi") is True
            and not rule.get("strict", False) and "inputMessage" not in rule)


def _rule_formulas(sheet: dict[str, Any]) -> set[str]:
    """The formulas of every existing boolean colour rule, in ',' form; any rule shape is fine
    (no values for BLANK/NOT_BLANK, relativeDate for date rules, gradient rules)."""
    out = set()
    for rule in sheet.get("conditionalFormats", []):
        condition = rule.get("booleanRule", {}).get("condition", {})
        for value in condition.get("values", []):
            if "userEnteredValue" in value:
                out.add(canonical_formula(value["userEnteredValue"]))
    return out


SETUP_FIELDS = ("sheets(properties(sheetId,title,gridProperties),conditionalFormats,protectedRanges,"
                "data(rowData(values(userEnteredValue,dataValidation,userEnteredFormat.numberFormat))))")


def plan_google_setup(conn: SheetsConnection, today: dt.date) -> tuple[list[dict[str, Any]], SetupReport]:
    """Read the sheet (two requests) and return the batchUpdate requests that are still missing."""
    config = conn.config
    conn._metadata = None
    titles = conn.titles()
    fresh = conn.new_sheet_tab()
    tab = fresh or conn.tab
    if tab not in titles:
        raise SourceError(conn.missing_tab(conn.tab))
    row_count = conn.sheet_properties(tab).get("gridProperties", {}).get("rowCount", 1000)
    # row 2 and the last row: a dropdown or format that stops short of the grid's end is set again
    ranges = [f"{quote_tab(tab)}!1:2", f"{quote_tab(tab)}!{row_count}:{row_count}"]
    ranges += [f"{quote_tab(HOLIDAY_TAB)}!A:B"] if HOLIDAY_TAB in titles else []
    state = conn.call("sheet lezen", lambda: conn.http.fetch_sheet_metadata(conn.key, params={
        "includeGridData": "true", "ranges": ranges, "fields": SETUP_FIELDS}))
    sheets = {s["properties"]["title"]: s for s in state.get("sheets", [])}
    all_ids = {s["properties"]["sheetId"] for s in conn.metadata().get("sheets", [])}
    sheet = sheets[tab]
    props = sheet["properties"]
    sheet_id = props["sheetId"]
    grid = props.get("gridProperties", {})
    blocks = [[r.get("values", []) for r in block.get("rowData", [])] for block in sheet.get("data", [])]
    rows = blocks[0] if blocks else []
    header_cells = rows[0] if rows else []
    probe = rows[1] if len(rows) > 1 else []
    if row_count > 2:  # an empty last row (no rowData) has no dropdown or format either
        last = (blocks[1][0] if blocks[1] else []) if len(blocks) > 1 else []
    else:
        last = probe
    layout = plan_layout([_cell_value(c) for c in header_cells])
    requests: list[dict[str, Any]] = []
    changes: list[str] = []
    notes: list[str] = []
    row_count = grid.get("rowCount", 1000)
    locked = _locked_ranges(sheet)
    left_out: dict[int, list[str]] = {}

    def add(request: dict[str, Any], change: str | None = None, what: str = "") -> bool:
        """Queue a request unless it edits inside a range protected against this account."""
        area = _request_area(request)
        for index, protected in enumerate(locked):
            if area is not None and _overlaps(area, protected["range"]):
                left_out.setdefault(index, []).append(what or change or "")
                return False
        requests.append(request)
        if change:
            changes.append(change)
        return True

    if fresh:
        requests.append({"updateSheetProperties": {"properties": {"sheetId": sheet_id, "title": conn.tab},
                                                   "fields": "title"}})
        changes.append(f"tabblad '{fresh}' (het enige tabblad van de nieuwe sheet) hernoemd tot "
                       f"'{conn.tab}' en als register gebruikt")
    if layout.width > grid.get("columnCount", 26):
        requests.append({"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS",
                                             "length": layout.width - grid.get("columnCount", 26)}})
    written = [(key, col) for key, col in layout.added
               if add({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": col},
                                       "rows": [{"values": [_string_cell(BY_KEY[key].header)]}],
                                       "fields": "userEnteredValue"}},
                      what=f"kolomkop {BY_KEY[key].header} ({column_letter(col)}1)")]
    blocked_cols = {col for key, col in layout.added if (key, col) not in written}
    if written:
        changes.append("kolommen toegevoegd: " + ", ".join(f"{BY_KEY[k].header} ({column_letter(c)})"
                                                           for k, c in written))
    if grid.get("frozenRowCount", 0) < 1:
        requests.append({"updateSheetProperties": {"properties": {"sheetId": sheet_id,
                                                                  "gridProperties": {"frozenRowCount": 1}},
                                                   "fields": "gridProperties.frozenRowCount"}})
        changes.append("kopregel vastgezet")
    if not any(p.get("description") == PROTECTION_NOTE for p in sheet.get("protectedRanges", [])):
        add({"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
            "description": PROTECTION_NOTE, "warningOnly": True}}},
            "kopregel beschermd (alleen waarschuwing)", "de waarschuwing op de kopregel")

    def column_range(col: int) -> dict[str, Any]:
        return {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": row_count,
                "startColumnIndex": col, "endColumnIndex": col + 1}

    def probe_cell(col: int) -> dict[str, Any]:
        return probe[col] if col < len(probe) else {}

    def last_cell(col: int) -> dict[str, Any]:
        return last[col] if col < len(last) else {}

    for key in ENUM_KEYS:
        col = layout.positions[key]
        if col in blocked_cols:  # no header there: a dropdown would land in a column without a name
            continue
        values = [{"userEnteredValue": v} for v in allowed_values(key, config)]
        rule = {"condition": {"type": "ONE_OF_LIST", "values": values}, "strict": False, "showCustomUi": True}
        current = probe_cell(col).get("dataValidation")
        if current == rule and last_cell(col).get("dataValidation") == rule:
            continue
        if current is not None and not _is_tool_dropdown(current):
            notes.append(f"{BY_KEY[key].header} heeft al een eigen gegevensvalidatie; die blijft staan")
            continue
        add({"setDataValidation": {"range": column_range(col), "rule": rule}},
            f"keuzelijst voor {BY_KEY[key].header}")
    for keys, fmt, label in ((DATE_KEYS, {"type": "DATE", "pattern": DATE_PATTERN}, "datumopmaak"),
                             (TEXT_KEYS, {"type": "TEXT"}, "tekstopmaak")):
        for key in keys:
            col = layout.positions[key]
            if col in blocked_cols:
                continue
            def fits(current: dict[str, Any] | None, fmt: dict[str, Any] = fmt) -> bool:
                return bool(current == fmt or (current and fmt["type"] == "DATE"
                                               and current.get("type") in ("DATE", "DATE_TIME")))

            if all(fits(cell(col).get("userEnteredFormat", {}).get("numberFormat")) for cell in (probe_cell, last_cell)):
                continue
            add({"repeatCell": {"range": column_range(col), "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                                "fields": "userEnteredFormat.numberFormat"}}, f"{label} voor {BY_KEY[key].header}")

    holiday = sheets.get(HOLIDAY_TAB)
    holiday_id = holiday["properties"]["sheetId"] if holiday else _free_sheet_id(all_ids)
    if holiday is None:
        add({"addSheet": {"properties": {"sheetId": holiday_id, "title": HOLIDAY_TAB}}},
            f"tabblad {HOLIDAY_TAB} toegevoegd")
    current_rows = [[_cell_value(c) for c in r.get("values", [])] for block in (holiday or {}).get("data", [])
                    for r in block.get("rowData", [])]
    days = closed_days(config, today)
    write = _holiday_rows_request(holiday_id, days, current_rows)
    if write:
        add(write, f"{len(days)} sluitingsdagen in {HOLIDAY_TAB}")

    separator = formula_separator(conn.locale())
    existing = _rule_formulas(sheet)
    full_rows = {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": row_count,
                 "startColumnIndex": 0, "endColumnIndex": layout.width}
    if blocked_cols:  # the rules read columns whose headers could not be written
        header = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1}
        index = next(i for i, p in enumerate(locked) if _overlaps(header, p["range"]))
        left_out.setdefault(index, []).append("de kleurregels voor te late rijen")
    formulas = [] if blocked_cols else overdue_formulas(layout, config, HOLIDAYS_REF, separator)
    ours = {canonical_formula(f) for f in formulas}
    grown_any = False
    for index, rule in enumerate(sheet.get("conditionalFormats", [])):  # before any add: indexes as read
        values = rule.get("booleanRule", {}).get("condition", {}).get("values", [])
        if not any(canonical_formula(v.get("userEnteredValue", "")) in ours for v in values):
            continue
        ranges = rule.get("ranges", [])
        if all(r.get("endRowIndex") is None or r["endRowIndex"] >= row_count for r in ranges):
            continue
        grown = [{**r, "endRowIndex": row_count} if r.get("endRowIndex") is not None else r for r in ranges]
        add({"updateConditionalFormatRule": {"index": index, "sheetId": sheet_id,
                                             "rule": without_deprecated({**rule, "ranges": grown})}},
            None if grown_any else "kleurregels doorgetrokken tot de laatste rij")
        grown_any = True
    for formula, colour, label in zip(formulas,
                                      (ACK_COLOUR, DECISION_COLOUR),
                                      ("bevestiging te laat", "standpunt te laat"), strict=False):
        if canonical_formula(formula) not in existing:
            add({"addConditionalFormatRule": {"index": 0, "rule": {
                "ranges": [full_rows],
                "booleanRule": {"condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]},
                                "format": {"backgroundColorStyle": {"rgbColor": colour}}}}}}, f"kleurregel '{label}'")
    for index, what in left_out.items():
        notes.append(_protected_note(conn, tab, locked[index], what))
    return requests, SetupReport(changes, notes)


def _locked_ranges(sheet: dict[str, Any]) -> list[dict[str, Any]]:
    """Protected ranges this account may not edit (ProtectedRange.requestingUserCanEdit); a
    warning-only range can be edited by anyone, so it never blocks."""
    return [p for p in sheet.get("protectedRanges", [])
            if p.get("requestingUserCanEdit") is False and not p.get("warningOnly")]


def _request_area(request: dict[str, Any]) -> dict[str, Any] | None:
    """The cells a setup request edits, as a GridRange; None for requests that edit no cells."""
    (kind, body), = request.items()
    if kind == "updateCells":
        start = body["start"]
        width = max((len(r.get("values", [])) for r in body["rows"]), default=0)
        return {"sheetId": start["sheetId"], "startRowIndex": start.get("rowIndex", 0),
                "endRowIndex": start.get("rowIndex", 0) + len(body["rows"]),
                "startColumnIndex": start.get("columnIndex", 0), "endColumnIndex": start.get("columnIndex", 0) + width}
    if kind in ("setDataValidation", "repeatCell"):
        area: dict[str, Any] = body["range"]
        return area
    if kind == "addProtectedRange":
        protected: dict[str, Any] = body["protectedRange"]["range"]
        return protected
    return None


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two GridRanges share a cell (a side left out is open)."""
    if a.get("sheetId", 0) != b.get("sheetId", 0):
        return False
    big = 10**9

    def side(start: str, end: str) -> bool:
        return bool(a.get(start, 0) < b.get(end, big) and b.get(start, 0) < a.get(end, big))

    return side("startRowIndex", "endRowIndex") and side("startColumnIndex", "endColumnIndex")


def _a1_of(grid_range: dict[str, Any]) -> str:
    rows = (grid_range.get("startRowIndex"), grid_range.get("endRowIndex"))
    cols = (grid_range.get("startColumnIndex"), grid_range.get("endColumnIndex"))
    if cols == (None, None) and rows[0] is not None and rows[1] is not None:
        return f"{rows[0] + 1}:{rows[1]}" if rows[1] - rows[0] > 1 else f"rij {rows[0] + 1}"
    first = f"{column_letter(cols[0] or 0)}{(rows[0] or 0) + 1}"
    last = (column_letter(cols[1] - 1) if cols[1] else "") + (str(rows[1]) if rows[1] else "")
    return f"{first}:{last}" if last else first


def _protected_note(conn: SheetsConnection, tab: str, protected: dict[str, Any], what: list[str]) -> str:
    """One Dutch line for a protected range the account may not edit: what was left out, and
    what the owner can do."""
    account = _service_account_email(conn.credentials_file)
    name = f" ('{protected['description']}')" if protected.get("description") else ""
    headers = [w.removeprefix("kolomkop ") for w in what if w.startswith("kolomkop ")]
    items = [w for w in dict.fromkeys(what) if not w.startswith("kolomkop ")]
    if len(headers) > 3:
        items.insert(0, f"{len(headers)} kolomkoppen ({', '.join(headers[:3])}, …)")
    elif headers:
        items.insert(0, ("kolomkop " if len(headers) == 1 else "kolomkoppen ") + ", ".join(headers))
    return (f"{_a1_of(protected['range'])} van {tab} is beschermd{name} en {account} mag daar niet bewerken; "
            f"niet gezet: {', '.join(items)}. Voeg {account} toe als bewerker van dit bereik "
            "(Gegevens > Beschermde bladen en bereiken) en voer 'klachten inrichten' opnieuw uit, of zet het "
            "zelf")


def setup_google(conn: SheetsConnection, today: dt.date) -> SetupReport:
    """The setup plan carried out on a Google Sheet: two reads, at most one batchUpdate.

    When the batchUpdate's answer is lost, the sheet is read again and only what is still
    missing is sent, so no rule, protected range or tab is ever added twice.
    """
    first: list[SetupReport] = []

    def plan() -> list[dict[str, Any]]:
        requests, report = plan_google_setup(conn, today)
        first.append(report)
        return requests

    conn.write_checked("sheet inrichten", plan, conn.batch_update)
    return first[0]


def _holiday_rows_request(sheet_id: int, days: list[tuple[dt.date, str]], current_rows: list[list[Any]]) -> dict[str, Any] | None:
    """An updateCells writing the Feestdagen tab (clearing rows beyond the new list), or None."""
    wanted = [["Datum", "Omschrijving"]] + [[to_serial(d), name] for d, name in days]
    current = [row + [None] * (2 - len(row)) for row in current_rows]
    while current and current[-1] == [None, None]:
        current.pop()
    if current == wanted:
        return None
    rows = [{"values": [_string_cell("Datum"), _string_cell("Omschrijving")]}]
    rows += [{"values": [{"userEnteredValue": {"numberValue": to_serial(d)},
                          "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": DATE_PATTERN}}},
                         _string_cell(name)]} for d, name in days]
    rows += [{"values": [{}, {}]} for _ in range(len(current) - len(wanted))]
    return {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                            "rows": rows, "fields": "userEnteredValue,userEnteredFormat.numberFormat"}}


def keep_holidays_google(conn: SheetsConnection, today: dt.date) -> str | None:
    """Extend the Feestdagen tab when it does not reach two years ahead; None when it already does."""
    written: list[int] = []
    conn._metadata = None
    if HOLIDAY_TAB not in conn.titles():
        return f"geen tabblad {HOLIDAY_TAB} in de Google Sheet (niets gewijzigd; 'klachten inrichten' maakt het aan)"

    def plan() -> list[dict[str, Any]]:
        conn._metadata = None
        rows = conn.read_values(HOLIDAY_TAB, "A:B")
        listed = {d for r in rows[1:] if r and isinstance(r[0], (int, float)) and (d := from_serial(r[0]))}
        if not holidays_missing(conn.config, today, listed):
            return []
        days = closed_days(conn.config, today)
        written.append(len(days))
        request = _holiday_rows_request(conn.sheet_properties(HOLIDAY_TAB)["sheetId"], days, rows)
        return [request] if request else []

    conn.write_checked(f"tabblad {HOLIDAY_TAB} bijwerken", plan, conn.batch_update)
    if not written:
        return None
    return f"{written[0]} sluitingsdagen in {HOLIDAY_TAB} gezet (tot en met {today.year + 3})"


def _free_sheet_id(used: set[int]) -> int:
    candidate = 7_000_001
    while candidate in used:
        candidate += 1
    return candidate


# -- klachten verbinding ----------------------------------------------------------------------
@dataclass(frozen=True)
class ConnectionCheck:
    """One line of `klachten verbinding`: what was checked and whether it holds."""

    ok: bool
    text: str


def check_connection(config: Config, session: Any = None, notify: Callable[[str], None] | None = None,
                     sleep: Callable[[float], None] = time.sleep) -> list[ConnectionCheck]:
    """Check, in order, what a Google register needs; stop at the first check that fails when
    the later ones depend on it. Writes nothing to the register: the write check re-sets the
    spreadsheet's own title (a batchUpdate that changes nothing but needs editor rights).
    ``notify`` receives a line whenever a retry makes it wait."""
    checks: list[ConnectionCheck] = []
    try:
        path = credentials_path(config)
        email = service_account_info(path)["client_email"]
        conn = SheetsConnection(config, session=session, notify=notify, sleep=sleep)
        conn.credentials_file = path
        checks.append(ConnectionCheck(True, f"sleutel gevonden: {path} (service-account {email})"))
    except SourceError as exc:
        checks.append(ConnectionCheck(False, str(exc)))
        return checks
    try:
        meta = conn.metadata()
        title = meta.get("properties", {}).get("title", conn.key)
        checks.append(ConnectionCheck(True, f"Google Sheet '{title}' is gedeeld met {email}"))
    except SourceError as exc:
        checks.append(ConnectionCheck(False, str(exc)))
        return checks
    fresh = conn.new_sheet_tab()
    tab_ok = conn.tab in conn.titles()
    if tab_ok:
        checks.append(ConnectionCheck(True, f"tabblad '{conn.tab}' gevonden"))
    elif fresh:
        checks.append(ConnectionCheck(True, f"tabblad '{conn.tab}' ontbreekt nog; 'klachten inrichten' maakt van "
                                            f"'{fresh}' (het enige tabblad) het register"))
    else:
        checks.append(ConnectionCheck(False, conn.missing_tab(conn.tab)))
    if tab_ok or fresh:
        checks.append(_header_check(conn, fresh or conn.tab))
    locale = conn.locale()
    separator = formula_separator(locale)
    checks.append(ConnectionCheck(True, f"landinstelling {locale}: formules met '{separator}' tussen de argumenten"))
    try:
        conn.write_checked("schrijfrecht controleren", lambda: [{"updateSpreadsheetProperties": {
            "properties": {"title": meta.get("properties", {}).get("title", "")}, "fields": "title"}}],
            conn.batch_update)
        checks.append(ConnectionCheck(True, f"{email} mag in de sheet schrijven (bewerker)"))
    except SourceError as exc:
        message = str(exc)
        if message.startswith("geen toegang"):
            message = f"{email} mag de sheet alleen lezen: deel hem als bewerker"
        checks.append(ConnectionCheck(False, message))
    return checks


def _header_check(conn: SheetsConnection, tab: str) -> ConnectionCheck:
    from register.schema import COLUMNS, header_positions

    try:
        row = (conn.read_values(tab, "1:1") or [[]])[0]
    except SourceError as exc:
        return ConnectionCheck(False, str(exc))
    if not any(v not in (None, "") for v in row):
        return ConnectionCheck(True, "kopregel nog leeg; 'klachten inrichten' vult hem")
    positions, _ = header_positions(row)
    if not positions:
        return ConnectionCheck(False, "rij 1 bevat geen bekende kolomkoppen; zet de kopregel op rij 1")
    missing = [c.header for c in COLUMNS if c.key not in positions]
    if missing:
        return ConnectionCheck(True, f"kopregel gevonden; {count(len(missing), 'kolom', 'kolommen')} ontbreken nog "
                                     f"({', '.join(missing[:3])}{', …' if len(missing) > 3 else ''}); "
                                     "'klachten inrichten' voegt ze toe")
    return ConnectionCheck(True, f"kopregel compleet ({count(len(positions), 'kolom', 'kolommen')} herkend)")
