import dataclasses
import datetime as dt

import pytest
import requests

from register.check import check_register
from register.demo import synthetic_grid
from register.errors import SourceError
from register.sources import google as gsheet
from register.sources import read_grid
from tests.conftest import HEADERS, complaint
from tests.sheets_fake import FakeSheets

GOOGLE = '[register]\nbron = "google"\nspreadsheet = "https://docs.google.com/spreadsheets/d/sheet-key-123/edit#gid=0"\ntabblad = "Register"\npogingen = 3\n'


@pytest.fixture
def google_config(make_config):
    base = __import__("tests.conftest", fromlist=["BASE_TOML"]).BASE_TOML
    return make_config(base=base.replace('[register]\nbron = "xlsx"\npad = "register.xlsx"\ntabblad = "Register"\n', GOOGLE))


def serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def test_xlsx_source_keeps_origin_cells(make_config):
    cfg = make_config(rows=[complaint(complaint_no="K2026-001", email="x@"), [None] * 3,
                            complaint(complaint_no="K2026-002")])
    result = check_register(cfg, dt.date(2026, 11, 21))
    assert [f.cel for f in result.findings] == ["H2"]
    assert list(result.register.sheet_rows) == [2, 4]


def test_xlsx_missing_file_and_tab(make_config, tmp_path):
    cfg = make_config()
    with pytest.raises(SourceError, match="registerbestand .* bestaat niet"):
        read_grid(cfg)
    cfg = make_config(rows=[complaint()])
    cfg = dataclasses.replace(cfg, register=dataclasses.replace(cfg.register, tabblad="Regsiter"))
    with pytest.raises(SourceError, match="tabblad 'Regsiter' bestaat niet .* wel aanwezig: 'Register' \\(bedoelde u 'Register'\\?\\)"):
        read_grid(cfg)


def test_sheet_read_as_the_api_returns_it(google_config):
    fake = FakeSheets()
    fake.add_tab("Info", [["x"]], sheet_id=0)
    fake.add_tab("Register", [
        HEADERS,
        complaint(complaint_no="K2026-001", received=serial(dt.date(2026, 3, 2)), postcode="0123 AB",
                  phone="0612345678"),
        [None] * len(HEADERS),  # blank row in the middle
        complaint(complaint_no=7, received="3 maart 2026", acknowledged=serial(dt.date(2026, 3, 4))),
        ["K2026-003", "31-02-2026"],  # ragged: the API drops the empty cells at the end
    ], sheet_id=777)
    grid = read_grid(google_config, session=fake.session())
    assert grid.gid == 777
    assert grid.row_link(4) == "https://docs.google.com/spreadsheets/d/sheet-key-123/edit#gid=777&range=A4"
    assert len(fake.requests) == 2
    values_request = fake.requests[1]
    assert values_request["path"] == "/v4/spreadsheets/sheet-key-123/values/'Register'"
    assert values_request["params"]["valueRenderOption"] == "UNFORMATTED_VALUE"
    assert values_request["params"]["dateTimeRenderOption"] == "SERIAL_NUMBER"
    assert values_request["timeout"] == (5.0, 30)  # (connect, read)

    result = check_register(google_config, dt.date(2026, 11, 21), session=fake.session())
    frame = result.register.frame
    assert list(frame["complaint_no"]) == ["K2026-001", "7", "K2026-003"]
    assert str(frame["received"][1])[:10] == "2026-03-03"
    assert result.register.text("postcode")[0] == "0123 AB"
    cells = {(f.cel, f.melding) for f in result.findings}
    assert ("B5", "'31-02-2026' in Datum ontvangst is geen datum") in cells
    assert ("C5", "Kanaal ontbreekt") in cells


def test_empty_tab_has_no_values_key(google_config):
    fake = FakeSheets()
    fake.add_tab("Register", [])
    grid = read_grid(google_config, session=fake.session())
    assert grid.values == []
    result = check_register(google_config, dt.date(2026, 11, 21), session=fake.session())
    assert len(result.register) == 0
    assert [f.code for f in result.findings] == ["tabblad_leeg"]  # one pointer to inrichten, not 7 columns


@pytest.mark.parametrize("rows", [10, 5000])
def test_request_count_does_not_grow_with_rows(google_config, rows):
    fake = FakeSheets()
    fake.add_tab("Register", synthetic_grid(rows))
    result = check_register(google_config, dt.date(2026, 11, 21), session=fake.session())
    assert len(result.register) == rows
    assert [r["method"] for r in fake.requests] == ["GET", "GET"]


def test_429_is_retried_with_backoff_then_succeeds(google_config):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS, complaint(received=serial(dt.date(2026, 3, 2)))])
    fake.failures = [429, 503]
    sleeps = []
    conn = gsheet.SheetsConnection(google_config, session=fake.session(), sleep=sleeps.append)
    grid = conn.read_grid()
    assert len(grid.values) == 2
    assert 1.0 <= sleeps[0] <= 2.0 and 2.0 <= sleeps[1] <= 3.0  # exponential, plus up to 1 s of jitter
    assert len(sleeps) == 2 and len(fake.requests) == 4


def test_persistent_429_gives_a_clear_message(google_config):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.failures = [429] * 10
    conn = gsheet.SheetsConnection(google_config, session=fake.session(), sleep=lambda s: None)
    with pytest.raises(SourceError) as err:
        conn.read_grid()
    assert str(err.value) == ("Google Sheets: sheetgegevens ophalen mislukt na 3 pogingen: HTTP 429 "
                              "(te veel verzoeken); probeer het later opnieuw")
    assert len(fake.requests) == 3


def test_timeouts_are_retried_and_bounded(google_config):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.failures = [requests.exceptions.ReadTimeout("slow")] * 3
    conn = gsheet.SheetsConnection(google_config, session=fake.session(), sleep=lambda s: None)
    with pytest.raises(SourceError, match="mislukt na 3 pogingen: geen antwoord binnen 30 seconden"):
        conn.read_grid()


def test_not_shared_and_missing_tab(google_config):
    fake = FakeSheets(key="other-key")
    with pytest.raises(SourceError, match="Google Sheet 'sheet-key-123' niet gevonden; .*deel de sheet met"):
        read_grid(google_config, session=fake.session())
    fake = FakeSheets()
    fake.failures = [403]
    with pytest.raises(SourceError, match="geen toegang tot de Google Sheet: deel hem met"):
        read_grid(google_config, session=fake.session())
    fake = FakeSheets()
    fake.add_tab("Klachten", [HEADERS])
    with pytest.raises(SourceError, match="tabblad 'Register' bestaat niet in de Google Sheet; wel aanwezig: 'Klachten'"):
        read_grid(google_config, session=fake.session())


def test_missing_credentials_are_explained(google_config, monkeypatch, tmp_path):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setattr("gspread.auth.DEFAULT_SERVICE_ACCOUNT_FILENAME", tmp_path / "none.json")
    with pytest.raises(SourceError, match="geen Google-inloggegevens gevonden: zet GOOGLE_APPLICATION_CREDENTIALS"):
        read_grid(google_config)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "weg.json"))
    with pytest.raises(SourceError, match="service-account-bestand .* bestaat niet"):
        read_grid(google_config)
    broken = tmp_path / "sa.json"
    broken.write_text("{}", encoding="utf-8")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(broken))
    with pytest.raises(SourceError, match="is geen service-account-sleutel"):
        read_grid(google_config)


def test_no_network_and_refused_key_are_one_dutch_line(google_config):
    from google.auth.exceptions import RefreshError, TransportError

    conn = gsheet.SheetsConnection(google_config, session=FakeSheets().session(), sleep=lambda s: None)

    def offline():
        raise TransportError("HTTPSConnectionPool(host='oauth2.googleapis.com', port=443): NameResolutionError")

    with pytest.raises(SourceError) as err:
        conn.call("register lezen", offline)
    assert str(err.value) == ("Google Sheets: register lezen mislukt na 3 pogingen: geen verbinding met Google "
                              "(controleer de internetverbinding); probeer het later opnieuw")

    def refused():
        raise RefreshError("invalid_grant: Invalid JWT Signature.", {"error": "invalid_grant"})

    with pytest.raises(SourceError) as err:
        conn.call("register lezen", refused)
    assert "HTTPSConnectionPool" not in str(err.value) and "invalid_grant" not in str(err.value)
    assert str(err.value).startswith("inloggen bij Google mislukt: Google weigert de sleutel")
