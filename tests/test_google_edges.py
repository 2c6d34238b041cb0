"""The Google Sheet at its edges (issue 20): the fake is as strict as documented Google, and the
tool survives a full tab, a protected header, each kind of 403, broken keys, no network, big
writes, deleted complaints, and asks for the least scope."""

import datetime as dt
import json
import socket

import pytest
import requests
from typer.testing import CliRunner

from generator.app.cli import app
from register.errors import SourceError
from register.intake import CELL_LIMIT, clean_text, import_responses
from register.sheetsetup import plan_layout, setup_register
from register.sources import google as gsheet
from register.sources.base import CellWrite
from tests.conftest import BASE_TOML, HEADERS, complaint
from tests.sheets_fake import (
    API_DISABLED,
    NOT_A_SHEET,
    NOT_SHARED,
    PAYLOAD_LIMIT,
    SCOPE_MISSING,
    AppliedThen,
    ContractViolation,
    FakeSheets,
    write_service_account_key,
)
from tests.test_intake import INTAKE, QUESTIONS, RESPONSES, TAB, marks, register_rows, sheet, stamp

GOOGLE = ('[register]\nbron = "google"\nspreadsheet = "sheet-key-123"\ntabblad = "Register"\npogingen = 3\n')
runner = CliRunner()
PEIL = dt.date(2026, 11, 22)


@pytest.fixture
def cfg(make_config):
    base = BASE_TOML.replace('[register]\nbron = "xlsx"\npad = "register.xlsx"\ntabblad = "Register"\n', GOOGLE)
    return make_config(INTAKE, base=base)


def conn_for(cfg, fake, **kwargs):
    return gsheet.SheetsConnection(cfg, session=fake.session(), sleep=lambda s: None, **kwargs)


def status_of(call):
    """The HTTP status and message of a request the fake refused."""
    from gspread.exceptions import APIError

    with pytest.raises(APIError) as err:
        call()
    return err.value.response.status_code, err.value.error["message"]


# -- the fake as strict as Google -------------------------------------------------------------
def test_fake_values_write_beyond_the_grid_is_400_and_atomic(cfg):
    fake = FakeSheets()
    tab = fake.add_tab("Register", [HEADERS])
    http = conn_for(cfg, fake).http
    body = {"valueInputOption": "RAW", "data": [{"range": "Register!A2", "values": [["K1"]]},
                                                 {"range": "Register!A1001", "values": [["K2"]]}]}
    status, message = status_of(lambda: http.values_batch_update("sheet-key-123", body=body))
    assert status == 400 and "exceeds grid limits" in message
    assert len(tab.values) == 1  # the good range was not applied either
    status, message = status_of(lambda: http.values_get("sheet-key-123", "Register!A1:A1001"))
    assert status == 400 and "exceeds grid limits" in message


def test_fake_a1_range_returns_exactly_that_range(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]])
    http = conn_for(cfg, fake).http
    got = http.values_get("sheet-key-123", "Register!B2:C3", params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert got["range"] == "Register!B2:C3" and got["values"] == [["e", "f"], ["h", "i"]]
    got = http.values_get("sheet-key-123", "Register!B2", params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert got["values"] == [["e"]]
    got = http.values_get("sheet-key-123", "Register!A2:B", params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert got["range"] == "Register!A2:B1000" and got["values"] == [["d", "e"], ["g", "h"]]


def test_fake_fields_required_and_star_honoured(cfg):
    fake = FakeSheets()
    tab = fake.add_tab("Register", [["a", "b"]], sheet_id=0)
    http = conn_for(cfg, fake).http
    no_fields = {"requests": [{"updateCells": {"start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
                                               "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}]}}]}
    status, message = status_of(lambda: http.batch_update("sheet-key-123", no_fields))
    assert status == 400 and "At least one field must be updated" in message
    repeat = {"requests": [{"repeatCell": {"range": {"sheetId": 0}, "cell": {}}}]}
    assert status_of(lambda: http.batch_update("sheet-key-123", repeat))[0] == 400
    star = {"requests": [{"updateCells": {"start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
                                          "rows": [{"values": [{}, {"userEnteredValue": {"stringValue": "y"}}]}],
                                          "fields": "*"}}]}
    http.batch_update("sheet-key-123", star)
    assert tab.values[0] == [None, "y"]  # '*': every field, so the empty cell clears 'a'


def test_fake_protected_range_per_account(cfg):
    fake = FakeSheets()
    tab = fake.add_tab("Register", [HEADERS], sheet_id=0)
    fake.protect("Register", {"startRowIndex": 0, "endRowIndex": 1}, editors=["collega@example.org"],
                 description="Koppen")
    http = conn_for(cfg, fake).http
    meta = http.fetch_sheet_metadata("sheet-key-123", params={"fields": "sheets.protectedRanges"})
    seen = meta["sheets"][0]["protectedRanges"][0]
    assert seen["requestingUserCanEdit"] is False and "editors" not in seen  # hidden from a non-editor
    body = {"valueInputOption": "RAW", "data": [{"range": "Register!A1", "values": [["x"]]}]}
    status, message = status_of(lambda: http.values_batch_update("sheet-key-123", body=body))
    assert status == 400 and message.startswith("You are trying to edit a protected cell")
    assert tab.values[0][0] == HEADERS[0]
    fake.account = "collega@example.org"  # an editor of the range sees the list and may edit
    meta = http.fetch_sheet_metadata("sheet-key-123", params={"fields": "sheets.protectedRanges"})
    assert meta["sheets"][0]["protectedRanges"][0]["requestingUserCanEdit"] is True
    assert "collega@example.org" in meta["sheets"][0]["protectedRanges"][0]["editors"]["users"]
    http.values_batch_update("sheet-key-123", body=body)
    assert tab.values[0][0] == "x"


def test_fake_warning_only_with_editors_is_refused(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS], sheet_id=0)
    http = conn_for(cfg, fake).http
    body = {"requests": [{"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}, "warningOnly": True,
        "editors": {"users": ["a@example.org"]}}}}]}
    status, message = status_of(lambda: http.batch_update("sheet-key-123", body))
    assert status == 400 and "Editors are not supported with warning_only protection" in message


def test_fake_renders_dates_in_the_sheet_locale(cfg):
    for locale, date_text, stamp_text in (("nl_NL", "17-11-2026", "20-11-2026 9:15:00"),
                                          ("en_US", "11/17/2026", "11/20/2026 9:15:00")):
        fake = FakeSheets(locale=locale)
        tab = fake.add_tab("T", [["Tijdstempel", "Datum"], [stamp(2026, 11, 20, 9, 15), 46343]])
        tab.formats = {0: {"type": "DATE_TIME"}, 1: {"type": "DATE"}}
        http = conn_for(cfg, fake).http
        formatted = http.values_get("sheet-key-123", "T!A2:B2", params={"valueRenderOption": "FORMATTED_VALUE"})
        assert formatted["values"] == [[stamp_text, date_text]], locale
        strings = http.values_get("sheet-key-123", "T!A2:B2", params={
            "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING"})
        assert strings["values"] == [[stamp_text, date_text]]
        serials = http.values_get("sheet-key-123", "T!B2", params={"valueRenderOption": "UNFORMATTED_VALUE"})
        assert serials["values"] == [[46343]]
    tab.formats = {1: {"type": "DATE", "pattern": "dd-mm-yyyy"}}
    assert http.values_get("sheet-key-123", "T!B2")["values"] == [["17-11-2026"]]


def test_fake_refuses_user_entered_and_long_cells(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    http = conn_for(cfg, fake).http
    with pytest.raises(ContractViolation, match="USER_ENTERED"):
        http.values_batch_update("sheet-key-123", body={"valueInputOption": "USER_ENTERED", "data": [
            {"range": "Register!A2", "values": [["1-2-2026"]]}]})
    fake.violations.clear()
    body = {"valueInputOption": "RAW", "data": [{"range": "Register!A2", "values": [["x" * (CELL_LIMIT + 1)]]}]}
    status, message = status_of(lambda: http.values_batch_update("sheet-key-123", body=body))
    assert status == 400 and "50000 characters in a single cell" in message


# -- item 1: the form import into a full tab --------------------------------------------------
def full_sheet() -> FakeSheets:
    fake = sheet()
    register = fake.tabs["Register"]
    register.row_count = len(register.values)  # every row of the grid is in use
    form = fake.tabs[TAB]
    form.column_count = len(QUESTIONS)  # a form's tab has one column per question: no room for the mark
    return fake


def test_import_into_a_full_tab_twice_without_duplicates(cfg):
    fake = full_sheet()
    setup_register(cfg, PEIL, session=fake.session())
    register = fake.tabs["Register"]
    rows_before = register.row_count
    first = import_responses(cfg, dry=False, session=fake.session(), sleep=lambda s: None)
    assert [n for n, _ in first.imported] == ["K2026-015", "K2026-016", "K2026-017"]
    assert register.row_count == rows_before + 3
    # the dropdowns, date formats and colour rules reach the new rows
    status_col = HEADERS.index("Status")
    received_col = HEADERS.index("Datum ontvangst")
    assert register.validation_ends[status_col] in (None, register.row_count)
    assert register.format_ends[received_col] in (None, register.row_count)
    assert all(r.get("endRowIndex", register.row_count) == register.row_count
               for rule in register.conditional_formats for r in rule["ranges"])
    # the grid is full again: a new response makes it grow again, and nothing is added twice
    fake.tabs[TAB].values.append([stamp(2026, 11, 23), "Kees", "", "Nog een klacht."])
    second = import_responses(cfg, dry=False, session=fake.session(), sleep=lambda s: None)
    assert [n for n, _ in second.imported] == ["K2026-018"] and second.already == 3
    numbers = [r["complaint_no"] for r in register_rows(fake)]
    assert len(numbers) == len(set(numbers)) == 7
    assert register.row_count == rows_before + 4
    assert setup_register(cfg, PEIL, session=fake.session()).changes == []


def test_import_into_a_full_tab_with_a_lost_answer_adds_once(cfg):
    fake = full_sheet()
    original = fake.send
    lost = {"done": False}

    def send(request, **kwargs):
        if request.url.endswith(":batchUpdate") and "values" not in request.url and not lost["done"]:
            lost["done"] = True  # the grid grows, the answer is lost
            fake.failures.insert(0, AppliedThen(requests.exceptions.ReadTimeout("slow")))
        return original(request, **kwargs)

    fake.send = send
    report = import_responses(cfg, dry=False, session=fake.session(), sleep=lambda s: None)
    assert len(report.imported) == 3
    numbers = [r["complaint_no"] for r in register_rows(fake)]
    assert len(numbers) == len(set(numbers)) == 6


# -- item 2: a header protected by someone else -------------------------------------------------
def test_inrichten_leaves_a_protected_header_alone(cfg, tmp_path, monkeypatch):
    write_service_account_key(tmp_path / "sa.json")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "sa.json"))
    fake = FakeSheets()
    tab = fake.add_tab("Register", [HEADERS[:5]], sheet_id=0)
    fake.protect("Register", {"startRowIndex": 0, "endRowIndex": 1}, editors=["collega@example.org"],
                 description="Kopregel van de administratie")
    report = setup_register(cfg, PEIL, session=fake.session())
    assert tab.values[0] == HEADERS[:5]  # nothing written inside the protected row
    assert len(tab.protected_ranges) == 1  # and no protection of our own added on top
    assert "keuzelijst voor Status" not in report.changes  # Status has no column yet
    assert "keuzelijst voor Kanaal" in report.changes  # Kanaal has (rows 2.. are not protected)
    assert not any(c.startswith("kleurregel") for c in report.changes)  # they read the missing columns
    assert report.notes == [
        "rij 1 van Register is beschermd ('Kopregel van de administratie') en "
        f"klachten@proj.iam.gserviceaccount.com mag daar niet bewerken; niet gezet: {len(plan_layout(HEADERS[:5]).added)} "
        "kolomkoppen "
        f"({HEADERS[5]} (F1), {HEADERS[6]} (G1), {HEADERS[7]} (H1), …), de waarschuwing op de kopregel, de "
        "kleurregels voor te late rijen. Voeg klachten@proj.iam.gserviceaccount.com toe als bewerker van dit bereik "
        "(Gegevens > Beschermde bladen en bereiken) en voer 'klachten inrichten' opnieuw uit, of zet het zelf"]
    assert "Opgemerkt:" in report.summary()


# -- item 3: the 403s told apart ---------------------------------------------------------------
@pytest.mark.parametrize(("failure", "expected"), [
    (API_DISABLED, "de Google Sheets API staat uit in project 123456789012: zet hem aan op "
                   "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=123456789012"
                   " en probeer het na een paar minuten opnieuw"),
    (NOT_SHARED, "geen toegang tot de Google Sheet: deel hem met het service-account (als bewerker)"),
    (SCOPE_MISSING, "Google weigert het verzoek: de toegang is gevraagd zonder het recht op spreadsheets (scope); "
                    "werk klachten bij of meld dit als fout"),
    (NOT_A_SHEET, "'sheet-key-123' is geen Google Sheet maar een ander bestand in Drive (bijvoorbeeld een .xlsx): "
                  "open het in Google Drive, kies Bestand > Opslaan als Google Spreadsheets, deel de nieuwe sheet met "
                  "het service-account en zet de nieuwe sleutel in [register] spreadsheet"),
])
def test_each_refusal_has_its_own_remedy(cfg, failure, expected):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.failures = [failure]
    with pytest.raises(SourceError) as err:
        conn_for(cfg, fake).read_grid()
    assert str(err.value) == expected


# -- item 4: broken key files --------------------------------------------------------------------
def test_broken_key_file_and_private_key_are_one_dutch_line(cfg, tmp_path, monkeypatch):
    key = tmp_path / "sa.json"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    key.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["verbinding", "--config", str(cfg.path)])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"FOUT het sleutelbestand '{key}' is geen JSON (beschadigd of een ander bestand); download de sleutel "
        "van het service-account opnieuw als JSON"]
    write_service_account_key(key)
    info = json.loads(key.read_text(encoding="utf-8"))
    info["private_key"] = info["private_key"][:200] + info["private_key"][260:]
    key.write_text(json.dumps(info), encoding="utf-8")
    result = runner.invoke(app, ["verbinding", "--config", str(cfg.path)])
    assert result.stdout.splitlines() == [
        f"FOUT de privésleutel in '{key}' is onleesbaar (beschadigd of ingekort); maak een nieuwe sleutel voor "
        "het service-account en download die als JSON"]
    result = runner.invoke(app, ["controleer", "--config", str(cfg.path)])
    assert result.exit_code != 0 and "ASN" not in result.output and "Traceback" not in result.output
    assert "de privésleutel in" in result.output


# -- item 5: offline ---------------------------------------------------------------------------
@pytest.mark.parametrize("offline", ["refused", "dns"])
def test_offline_verbinding_answers_at_once_in_dutch(cfg, tmp_path, monkeypatch, offline):
    key = tmp_path / "sa.json"
    if offline == "refused":
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        write_service_account_key(key, token_uri=f"http://127.0.0.1:{port}/token")
    else:
        write_service_account_key(key, token_uri="https://oauth2.googleapis.com/token")

        def no_dns(*args, **kwargs):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

        monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    sleeps, lines = [], []
    checks = gsheet.check_connection(cfg, notify=lines.append, sleep=sleeps.append)
    assert sleeps == [] and lines == []  # not one retry: the connection cannot be made at all
    assert [c.ok for c in checks] == [True, False]
    reason = "verbinding geweigerd" if offline == "refused" else "de naam van de server is niet te vinden"
    assert checks[1].text == (f"Google Sheets: sheetgegevens ophalen mislukt: geen verbinding met Google mogelijk "
                              f"({reason}); controleer de internetverbinding en probeer het later opnieuw")
    result = runner.invoke(app, ["verbinding", "--config", str(cfg.path)])
    assert result.exit_code == 2 and result.stderr == ""  # no waiting line: nothing was retried
    assert result.stdout.splitlines()[1] == f"FOUT {checks[1].text}"


def test_a_network_that_swallows_packets_is_not_retried(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.failures = [requests.exceptions.ConnectTimeout("connect timeout=5.0")]
    sleeps = []
    conn = gsheet.SheetsConnection(cfg, session=fake.session(), sleep=sleeps.append)
    with pytest.raises(SourceError, match=r"geen verbinding met Google mogelijk \(geen verbinding binnen de "
                                          r"wachttijd\)"):
        conn.read_grid()
    assert sleeps == [] and len(fake.requests) == 1
    assert fake.requests[0]["timeout"] == (gsheet.CONNECT_TIMEOUT, 30)


def test_a_certificate_error_is_not_retried(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.failures = [requests.exceptions.SSLError("certificate verify failed: self-signed certificate")]
    sleeps = []
    with pytest.raises(SourceError, match=r"\(de beveiligde verbinding mislukt; staat er een proxy of virusscanner "
                                          r"tussen\?\)"):
        gsheet.SheetsConnection(cfg, session=fake.session(), sleep=sleeps.append).read_grid()
    assert sleeps == []


def test_retry_on_an_open_connection_says_so_while_waiting(cfg, monkeypatch):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.failures = [503, 429]
    lines, sleeps = [], []
    conn = gsheet.SheetsConnection(cfg, session=fake.session(), sleep=sleeps.append, notify=lines.append)
    conn.read_grid()
    assert len(sleeps) == 2
    assert lines[0].startswith("Google Sheets: HTTP 503 (storing bij Google); nieuwe poging (2 van 3) over ")
    assert lines[1].startswith("Google Sheets: HTTP 429 (te veel verzoeken); nieuwe poging (3 van 3) over ")


def test_a_connection_reset_on_a_read_is_still_retried(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.failures = [requests.exceptions.ConnectionError("Connection aborted: RemoteDisconnected")]
    sleeps = []
    gsheet.SheetsConnection(cfg, session=fake.session(), sleep=sleeps.append).read_grid()
    assert len(sleeps) == 1


# -- item 6: big writes ---------------------------------------------------------------------------
def test_big_write_goes_as_contiguous_ranges_in_parts_under_2_mb(cfg):
    rows = 3000
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS] + [complaint(complaint_no=f"K{i}", received=46000) for i in range(rows)])
    source = gsheet.GoogleSource(cfg, session=fake.session(), sleep=lambda s: None)
    text = "x" * 300
    cells = [CellWrite(r, c, f"{text}{r}-{c}") for r in range(1, rows + 1) for c in (30, 31, 32)]
    cells += [CellWrite(r, 5, "los") for r in range(1, rows + 1, 2)]  # every other row: not one block
    source.write_cells(cells)
    posts = [r for r in fake.requests if r["method"] == "POST"]
    assert len(posts) >= 2 and not fake.violations
    assert all(len(json.dumps(p["body"]).encode()) <= PAYLOAD_LIMIT for p in posts)
    ranges = [d["range"] for p in posts for d in p["body"]["data"]]
    assert f"'Register'!AE2:AG{rows + 1}" in ranges or sum(1 for r in ranges if r.startswith("'Register'!AE")) < 10
    assert sum(1 for r in ranges if r.startswith("'Register'!F")) == rows // 2
    tab = fake.tabs["Register"]
    assert tab.values[rows][32] == f"{text}{rows}-32" and tab.values[1][5] == "los"


def test_a_lost_answer_on_one_part_resends_only_what_is_missing(cfg, monkeypatch):
    rows = 3000
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS + ["Bevestigen vóór", "Standpunt vóór", "Signaal"]]
                 + [complaint(complaint_no=f"K{i:04d}", received=46000) for i in range(rows)])
    source = gsheet.GoogleSource(cfg, session=fake.session(), sleep=lambda s: None)
    note = "n" * 2000
    updates = {f"K{i:04d}": {"description": f"{note} {i}"} for i in range(rows)}
    original, sent = fake.send, []

    def send(request, **kwargs):
        if "values:batchUpdate" in request.url:
            sent.append(len(request.body))
            if len(sent) == 2:  # the second part is applied, its answer lost
                fake.failures.insert(0, AppliedThen(requests.exceptions.ReadTimeout("slow")))
        return original(request, **kwargs)

    fake.send = send
    report = source.update_by_number(updates)
    assert report.cells == rows
    # three parts; the answer to the second is lost; the re-read finds parts 1 and 2 in place
    # and sends only the third: every byte went once
    assert len(sent) == 3 and sum(sent) < 1.1 * len(json.dumps(updates))
    desc = HEADERS.index("Omschrijving")
    assert [r[desc] for r in fake.tabs["Register"].values[1:]] == [f"{note} {i}" for i in range(rows)]


# -- item 7: a deleted complaint never comes back -----------------------------------------------
def test_deleted_imported_complaint_never_comes_back(cfg):
    fake = sheet()
    import_responses(cfg, dry=False, session=fake.session(), sleep=lambda s: None)
    register = fake.tabs["Register"]
    spam = next(i for i, r in enumerate(register.values) if r and r[0] == "K2026-016")
    del register.values[spam]  # the owner deletes the spam row
    report = import_responses(cfg, dry=False, session=fake.session(), sleep=lambda s: None)
    assert report.imported == []
    assert report.lines() == ["Geen nieuwe reacties van het formulier.", "2 reacties stonden al in het register.",
                              "K2026-016 (rij 3 van Formulierreacties 1) staat niet meer in het register; deze "
                              "reactie wordt niet opnieuw ingevoerd."]
    assert marks(fake)[1] == "K2026-016 (verwijderd uit het register)"
    assert report.summary() == ("geen nieuwe reacties van het formulier; niet teruggezet omdat ze uit het register "
                                "zijn verwijderd: K2026-016")
    again = import_responses(cfg, dry=False, session=fake.session(), sleep=lambda s: None)
    assert again.imported == [] and again.removed == []  # said once
    assert "K2026-016" not in [r["complaint_no"] for r in register_rows(fake)]
    # a new response does not reuse the number of the deleted one
    fake.tabs[TAB].values.append([stamp(2026, 11, 24), "Kees", "", "Nog een klacht."])
    assert [n for n, _ in import_responses(cfg, dry=False, session=fake.session(),
                                           sleep=lambda s: None).imported] == ["K2026-018"]


# -- item 8: least scope ------------------------------------------------------------------------
def test_only_the_sheets_scope_is_asked_for(cfg, tmp_path, monkeypatch):
    key = tmp_path / "sa.json"
    write_service_account_key(key)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    conn = gsheet.SheetsConnection(cfg)
    assert conn.client.http_client.auth.scopes == ["https://www.googleapis.com/auth/spreadsheets"]
    assert not any("drive" in s for s in gsheet.SCOPES)


# -- issue 18 item 7: what a sheet can hold ----------------------------------------------------
def test_intake_removes_control_characters_and_caps_long_answers(cfg):
    long_answer = "Het begon zo. " + "bla " * 22_512  # 90,062 characters
    response = [stamp(2026, 11, 20, 9, 15), "Ma\x00rieke\x1b[31m", "m@example.org",
                "Regel één\r\nRegel\ttwee\x07", "", long_answer, ""]
    fake = sheet([response])
    report = import_responses(cfg, dry=False, session=fake.session(), sleep=lambda s: None)
    assert [n for n, _ in report.imported] == ["K2026-015"]
    new = register_rows(fake)[-1]
    assert new["name"] == "Marieke[31m"
    assert new["description"].startswith("Regel één\nRegel\ttwee\nWat verwacht u van ons? Het begon zo.")
    assert len(new["description"]) == CELL_LIMIT
    kept = cfg.private_dir() / "formulier-lange-teksten" / "K2026-015-Omschrijving.txt"
    whole = kept.read_text(encoding="utf-8")
    assert whole == "Regel één\nRegel\ttwee\nWat verwacht u van ons? " + long_answer.strip()
    assert new["description"].endswith(f"\n[… ingekort: de volledige tekst ({len(whole):,} tekens) staat in de privémap: "
                                       .replace(",", ".") + f"{kept.relative_to(cfg.private_dir())}]")
    assert new["description"][:1000] == whole[:1000]
    assert kept.stat().st_mode & 0o777 == 0o600 and kept.parent.stat().st_mode & 0o777 == 0o700
    from register.store import PrivateStore

    assert PrivateStore(cfg).entries()[kept] == ["K2026-015"]  # anonymising K2026-015 removes it
    assert clean_text("a\x00b\u0085c\r\nd\te") == "abc\nd\te"


def test_no_text_over_the_cell_limit_is_ever_sent(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS, complaint()])
    source = gsheet.GoogleSource(cfg, session=fake.session(), sleep=lambda s: None)
    with pytest.raises(SourceError, match=r"is 50\.001 tekens lang; een cel in een Google Sheet houdt er hoogstens "
                                          r"50\.000; er is niets geschreven"):
        source.write_cells([CellWrite(1, 4, "y" * 50_001)])
    assert not [r for r in fake.requests if r["method"] == "POST"]


def test_responses_fixture_is_unchanged():
    assert len(RESPONSES) == 3 and QUESTIONS[0] == "Tijdstempel"


def test_inrichten_extends_dropdowns_and_formats_that_stop_short(cfg):
    """A grid grown by hand (Google's 'add rows' at the bottom) leaves the new rows without the
    dropdowns; inrichten probes the last row and sets them again."""
    fake = FakeSheets()
    tab = fake.add_tab("Register", [HEADERS, complaint(received=46000)], sheet_id=0)
    setup_register(cfg, PEIL, session=fake.session())
    status_col = HEADERS.index("Status")
    assert tab.validation_ends[status_col] == 1000
    tab.row_count = 1500
    report = setup_register(cfg, PEIL, session=fake.session())
    assert "keuzelijst voor Status" in report.changes and "datumopmaak voor Datum ontvangst" in report.changes
    assert tab.validation_ends[status_col] == 1500
    assert "kleurregels doorgetrokken tot de laatste rij" in report.changes
    assert [r["endRowIndex"] for rule in tab.conditional_formats for r in rule["ranges"]] == [1500, 1500]
    assert setup_register(cfg, PEIL, session=fake.session()).changes == []
