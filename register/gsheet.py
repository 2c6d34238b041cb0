"""The Google Sheet source: every gspread call of klachten lives here.

Reading a register costs a constant number of requests, whatever its size: one metadata
request (tab names and ids) and one values request for the whole tab, with unformatted values
and serial dates. Transient failures (HTTP 429, 5xx, timeouts) are retried a bounded number of
times with exponential backoff; then a Dutch SourceError is raised.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from typing import Any

from .config import Config
from .errors import SourceError
from .sources import Grid, missing_tab_message

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
