"""Opt-in: the whole Google path against real test sheets (docs/google.md says how to run it).

Runs only with KLACHTEN_LIVE_SHEET and GOOGLE_APPLICATION_CREDENTIALS set; every other step
runs when its own variable is set and is skipped (with the variable's name) otherwise. Use
separate test sheets: the steps write deadlines, a test row and formulas into them.

  KLACHTEN_LIVE_SHEET            an nl_NL test sheet, shared with the service account as editor
  KLACHTEN_LIVE_SHEET_EN         an en_US test sheet, shared the same way
  KLACHTEN_LIVE_FORM_TAB         the responses tab of a Google Form linked to KLACHTEN_LIVE_SHEET
                                 (at least one response)
  KLACHTEN_LIVE_PROTECTED_SHEET  a sheet whose row 1 a second account protected (not editable
                                 by the service account)
  KLACHTEN_LIVE_UNSHARED_SHEET   a sheet that is not shared with the service account
  KLACHTEN_LIVE_FRESH=1          let the test create a brand-new spreadsheet (only 'Blad1')
"""

import datetime as dt
import json
import os

import pytest
from typer.testing import CliRunner

from generator.app.cli import app
from register.check import check_register
from register.deadlines import today_amsterdam
from register.schema import BY_KEY
from register.sheetsetup import HOLIDAY_TAB, setup_register
from tests.conftest import BASE_TOML

pytestmark = [pytest.mark.live, pytest.mark.skipif(
    not (os.environ.get("KLACHTEN_LIVE_SHEET") and os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")),
    reason="live test: zet KLACHTEN_LIVE_SHEET en GOOGLE_APPLICATION_CREDENTIALS")]
runner = CliRunner()
TAB = os.environ.get("KLACHTEN_LIVE_TAB", "Register")


def needs(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.skip(f"zet {name} voor deze stap")
    return value


@pytest.fixture
def live(make_config):
    """make a config for one sheet: live(sheet_id, extra_toml='')."""
    base = BASE_TOML.replace('[register]\nbron = "xlsx"\npad = "register.xlsx"\ntabblad = "Register"\n', '')

    def factory(sheet: str, extra: str = ""):
        return make_config(f'[register]\nbron = "google"\nspreadsheet = "{sheet}"\ntabblad = "{TAB}"\n{extra}',
                           base=base)

    return factory


def connection(config):
    from register.sources.google import SheetsConnection

    return SheetsConnection(config)


def test_live_whole_path(live, monkeypatch):
    """nl_NL: verbinding, inrichten twice (the second sends nothing), controleer --schrijf."""
    from register.sources import google

    cfg = live(os.environ["KLACHTEN_LIVE_SHEET"])
    verbinding = runner.invoke(app, ["verbinding", "--config", str(cfg.path)])
    assert verbinding.exit_code == 0, verbinding.output  # proves: write check, locale, sharing, scope

    setup_register(cfg, today_amsterdam())  # proves: the real 400s, fields masks, formulas
    sent = []
    original = google.SheetsConnection.batch_update
    monkeypatch.setattr(google.SheetsConnection, "batch_update",
                        lambda self, requests_: sent.append(requests_) or original(self, requests_))
    again = setup_register(cfg, today_amsterdam())
    assert again.changes == [] and sent == []  # what we wrote reads back as the same (formulas, rules)

    schrijf = runner.invoke(app, ["controleer", "--schrijf", "--config", str(cfg.path)])
    assert schrijf.exit_code in (0, 1), schrijf.output  # 1 = findings in the owner's data, not a failure
    result = check_register(cfg, today_amsterdam())
    assert result.register.grid.gid is not None
    assert {"Bevestigen vóór", "Standpunt vóór", "Signaal"} <= set(result.register.grid.values[0])


@pytest.mark.parametrize("variable", ["KLACHTEN_LIVE_SHEET", "KLACHTEN_LIVE_SHEET_EN"])
def test_live_rules_read_back_and_evaluated(live, variable):
    """The colour rules as Google evaluates them agree with controleer, in both locales: each
    rule's formula is written (as a formula) into a scratch column next to the register, Google
    computes it row by row, and the TRUE/FALSE it returns must match the signals of controleer.
    The scratch column is cleared afterwards."""
    from register.sources.google import quote_tab

    cfg = live(needs(variable))
    setup_register(cfg, today_amsterdam())
    conn = connection(cfg)
    state = conn.http.fetch_sheet_metadata(conn.key, params={"ranges": [quote_tab(TAB)],
                                                             "fields": "sheets(properties,conditionalFormats)"})
    sheet = state["sheets"][0]
    grid = sheet["properties"]["gridProperties"]
    from register.sheetsetup import ACK_COLOUR, DECISION_COLOUR

    by_colour = {json.dumps(r["booleanRule"].get("format", {}).get("backgroundColorStyle", {}).get("rgbColor"),
                            sort_keys=True): r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
                 for r in sheet.get("conditionalFormats", []) if "booleanRule" in r
                 and r["booleanRule"]["condition"].get("type") == "CUSTOM_FORMULA"}
    # ack rule first, decision rule second (Google answers colours as floats; compare rounded)
    rules = [formula for colour in (ACK_COLOUR, DECISION_COLOUR) for key, formula in by_colour.items()
             if {k: round(v, 2) for k, v in json.loads(key).items()} == {k: round(v, 2) for k, v in colour.items()}]
    result = check_register(cfg, today_amsterdam())
    rows = len(result.register.grid.values)
    scratch = grid["columnCount"]  # one column beyond the grid: the register's own cells stay untouched
    conn.http.batch_update(conn.key, {"requests": [{"appendDimension": {
        "sheetId": sheet["properties"]["sheetId"], "dimension": "COLUMNS", "length": 2}}]})
    from register.schema import column_letter

    sheet_id = sheet["properties"]["sheetId"]
    try:
        for offset, formula in enumerate(rules):
            letter = column_letter(scratch + offset)
            conn.http.values_update(conn.key, f"{quote_tab(TAB)}!{letter}2", params={"valueInputOption": "USER_ENTERED"},
                                    body={"values": [[formula]]})
        if rows > 2:  # copied down, Google shifts the relative row references as the rule does
            conn.http.batch_update(conn.key, {"requests": [{"copyPaste": {
                "source": {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": 2,
                           "startColumnIndex": scratch, "endColumnIndex": scratch + 2},
                "destination": {"sheetId": sheet_id, "startRowIndex": 2, "endRowIndex": rows,
                                "startColumnIndex": scratch, "endColumnIndex": scratch + 2},
                "pasteType": "PASTE_FORMULA"}}]})
        got = conn.http.values_get(conn.key, f"{quote_tab(TAB)}!{column_letter(scratch)}2:"
                                             f"{column_letter(scratch + 1)}{rows}",
                                   params={"valueRenderOption": "UNFORMATTED_VALUE"}).get("values", [])
    finally:
        conn.http.batch_update(conn.key, {"requests": [{"deleteDimension": {"range": {
            "sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": scratch, "endIndex": scratch + 2}}}]})
    grid_values = result.register.grid.values
    number_col = grid_values[0].index(BY_KEY["complaint_no"].header)
    flags = set(zip(result.flags["klachtnummer"], result.flags["signaal"], strict=True))
    assert rules and got
    for sheet_row, values in zip(grid_values[1:], got, strict=False):
        number = str(sheet_row[number_col]) if number_col < len(sheet_row) else ""
        if not number:
            continue
        ack, decision = (list(values) + [False, False])[:2]
        assert bool(ack) == ((number, "bevestiging_te_laat") in flags), number
        assert bool(decision) == ((number, "standpunt_te_laat") in flags), number


def test_live_fresh_sheet_with_only_blad1(live):
    """A brand-new spreadsheet (created here with the Sheets scope: no Drive needed) has only
    'Blad1'; inrichten makes it the register."""
    needs("KLACHTEN_LIVE_FRESH")
    cfg0 = live(os.environ["KLACHTEN_LIVE_SHEET"])
    conn = connection(cfg0)
    created = conn.client.http_client.request("post", "https://sheets.googleapis.com/v4/spreadsheets", json={
        "properties": {"title": f"klachten live {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}", "locale": "nl_NL",
                       "timeZone": "Europe/Amsterdam"}}).json()
    assert [s["properties"]["title"] for s in created["sheets"]] == ["Blad1"]
    cfg = live(created["spreadsheetId"])
    report = setup_register(cfg, today_amsterdam())
    assert report.changes[0].startswith("tabblad 'Blad1'")
    assert setup_register(cfg, today_amsterdam()).changes == []


def test_live_form_import_into_a_full_tab_twice(live):
    """The form import grows a full register tab (appendDimension) and adds nothing twice."""
    form_tab = needs("KLACHTEN_LIVE_FORM_TAB")
    cfg = live(os.environ["KLACHTEN_LIVE_SHEET"], f'[intake]\nformulier = "https://forms.gle/test"\n'
                                                  f'antwoorden_tabblad = "{form_tab}"\n')
    from register.intake import import_responses, register_numbers
    from register.sources.google import quote_tab

    conn = connection(cfg)
    props = conn.sheet_properties(TAB)
    used = len(conn.read_values(TAB))
    extra = props["gridProperties"]["rowCount"] - max(used, 2)
    if extra > 0:  # make the tab full: its last row is the last row in use
        conn.http.batch_update(conn.key, {"requests": [{"deleteDimension": {"range": {
            "sheetId": props["sheetId"], "dimension": "ROWS", "startIndex": max(used, 2),
            "endIndex": max(used, 2) + extra}}}]})
    # un-mark one response so there is something to import
    responses = conn.read_values(form_tab)
    mark_col = [str(h) for h in responses[0]].index("Klachtnummer") if "Klachtnummer" in responses[0] else None
    if mark_col is not None and len(responses) > 1:
        from register.schema import column_letter

        conn.http.values_update(conn.key, f"{quote_tab(form_tab)}!{column_letter(mark_col)}2",
                                params={"valueInputOption": "RAW"}, body={"values": [[""]]})
    first = import_responses(cfg, dry=False)
    second = import_responses(cfg, dry=False)
    assert first.imported and second.imported == []
    _, _, numbers = register_numbers(conn.read_values(TAB))
    values = [str(r[0]) for r in conn.read_values(TAB)[1:] if r]
    assert len(values) == len(set(values)) and numbers


def test_live_dates_read_back_as_formatted_value(live):
    """A date the tool writes (serial + the d-m-yyyy format of inrichten) reads back as the
    sheet shows it; the fake renders FORMATTED_VALUE the same way."""
    from register.sheetsetup import DATE_PATTERN
    from register.sources.google import quote_tab
    from tests.sheets_fake import format_serial

    cfg = live(os.environ["KLACHTEN_LIVE_SHEET"])
    setup_register(cfg, today_amsterdam())
    conn = connection(cfg)
    got = conn.http.values_get(conn.key, f"{quote_tab(HOLIDAY_TAB)}!A2:A3",
                               params={"valueRenderOption": "FORMATTED_VALUE"})["values"]
    serials = conn.http.values_get(conn.key, f"{quote_tab(HOLIDAY_TAB)}!A2:A3",
                                   params={"valueRenderOption": "UNFORMATTED_VALUE"})["values"]
    assert got == [[format_serial(s[0], DATE_PATTERN)] for s in serials]


def test_live_nachtrun_extends_feestdagen(live):
    """The nightly step writes the Feestdagen tab again when it no longer reaches two years ahead."""
    from register.sources import open_source
    from register.sources.google import quote_tab

    cfg = live(os.environ["KLACHTEN_LIVE_SHEET"])
    setup_register(cfg, today_amsterdam())
    conn = connection(cfg)
    conn.http.values_clear(conn.key, f"{quote_tab(HOLIDAY_TAB)}!A5:B")
    message = open_source(cfg).keep_holidays_current(today_amsterdam())
    assert message and "sluitingsdagen" in message
    assert open_source(cfg).keep_holidays_current(today_amsterdam()) is None


def test_live_anonimiseer_on_a_test_row(live):
    """anonimiseer --uitvoeren empties the personal cells of an expired test row (and only those)."""
    from register.schema import COLUMNS, column_letter
    from register.sources.google import quote_tab

    cfg = live(os.environ["KLACHTEN_LIVE_SHEET"])
    setup_register(cfg, today_amsterdam())
    conn = connection(cfg)
    header = conn.read_values(TAB, "1:1")[0]
    row = len(conn.read_values(TAB)) + 1
    values = {"complaint_no": "K2015-999", "received": 42005, "channel": "e-mail", "name": "Live Testpersoon",
              "email": "live.test@example.org", "description": "testrij", "handler": "T. Tester",
              "status": "afgehandeld", "decision_date": 42020}
    cells = [values.get(c.key) for c in COLUMNS if c.header in header]
    positions = [header.index(c.header) for c in COLUMNS if c.header in header]
    line = [None] * (max(positions) + 1)
    for pos, value in zip(positions, cells, strict=True):
        line[pos] = value
    conn.values_batch_update([{"range": f"{quote_tab(TAB)}!A{row}:{column_letter(len(line) - 1)}{row}",
                               "values": [line]}])
    result = runner.invoke(app, ["anonimiseer", "--uitvoeren", "--config", str(cfg.path)])
    assert result.exit_code in (0, 1), result.output
    after = conn.read_values(TAB, f"{row}:{row}")[0]
    assert "Live Testpersoon" not in after and "live.test@example.org" not in after
    assert after[header.index(BY_KEY["complaint_no"].header)] == "K2015-999"


def test_live_header_protected_by_a_second_account(live):
    """inrichten reads requestingUserCanEdit, writes nothing in row 1 and says so in one line."""
    cfg = live(needs("KLACHTEN_LIVE_PROTECTED_SHEET"))
    before = connection(cfg).read_values(TAB, "1:1")
    result = runner.invoke(app, ["inrichten", "--config", str(cfg.path)])
    assert result.exit_code == 0, result.output
    assert connection(cfg).read_values(TAB, "1:1") == before
    if "kolomkop" in result.output:
        assert "is beschermd" in result.output and "Voeg " in result.output


def test_live_unshared_sheet_and_wrong_id(live):
    """403 for a sheet not shared, 404 for an id that does not exist: each its own Dutch line."""
    cfg = live(needs("KLACHTEN_LIVE_UNSHARED_SHEET"))
    result = runner.invoke(app, ["verbinding", "--config", str(cfg.path)])
    assert result.exit_code == 2
    assert "geen toegang tot de Google Sheet: deel hem met" in result.output
    wrong = live("1" + "x" * 43)
    result = runner.invoke(app, ["verbinding", "--config", str(wrong.path)])
    assert result.exit_code == 2 and "niet gevonden" in result.output
