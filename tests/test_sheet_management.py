import datetime as dt
import random

import openpyxl
import pytest
from typer.testing import CliRunner

from generator.app.cli import app
from generator.site.jaarverslag import build_reports
from register.check import check_register
from register.schema import COLUMNS, column_letter
from register.sheetsetup import setup_register
from register.writeback import MARKER, anonymise, write_deadlines
from tests.conftest import BASE_TOML, HEADERS, complaint
from tests.sheets_fake import FakeSheets

runner = CliRunner()
PEIL = dt.date(2026, 11, 21)
GOOGLE = BASE_TOML.replace('[register]\nbron = "xlsx"\npad = "register.xlsx"\ntabblad = "Register"\n',
                           '[register]\nbron = "google"\nspreadsheet = "sheet-key-123"\ntabblad = "Register"\n')


def serial(day):
    return (day - dt.date(1899, 12, 30)).days


def rows_for_google():
    """Schema headers in the owner's order with an extra owner column in the middle."""
    headers = HEADERS[:5] + ["Eigen notitie"] + HEADERS[5:]
    out = [headers]
    specs = [
        dict(complaint_no="K2025-001", received=dt.date(2025, 3, 3), acknowledged=dt.date(2025, 3, 4),
             decided=dt.date(2025, 3, 10), status="afgehandeld", outcome="gegrond", category="factuur",
             description="=HYPERLINK(\"http://x\")", email="a@b.nl", measure="Facturen dubbel controleren"),
        dict(complaint_no="K2025-002", received=dt.date(2025, 4, 1), acknowledged=dt.date(2025, 4, 2),
             decided=dt.date(2025, 4, 8), status="afgehandeld", outcome="ongegrond", category="levering",
             escalated_to="geschillencommissie"),
        dict(complaint_no="K2026-003", received=dt.date(2026, 11, 2)),
        dict(complaint_no="K2026-004", received=dt.date(2026, 11, 9), acknowledged=dt.date(2026, 11, 10)),
    ]
    for n, spec in enumerate(specs):
        row = complaint(**{k: serial(v) if isinstance(v, dt.date) else v for k, v in spec.items()})
        out.append(row[:5] + [f"notitie {n}"] + row[5:])
    return out


@pytest.fixture
def google(make_config):
    cfg = make_config(base=GOOGLE)
    fake = FakeSheets()
    fake.add_tab("Register", rows_for_google(), sheet_id=11)
    return cfg, fake


def test_setup_is_one_batch_update_and_idempotent(google):
    cfg, fake = google
    before = [list(r) for r in fake.tabs["Register"].values]
    report = setup_register(cfg, PEIL, session=fake.session())
    assert [r["api"] for r in fake.requests] == ["spreadsheets.get", "spreadsheets.get", "spreadsheets.batchUpdate"]
    assert fake.requests[1]["params"]["includeGridData"] == "true"
    assert len(fake.batch_updates) == 1
    kinds = [next(iter(r)) for r in fake.batch_updates[0]["requests"]]
    from register.sheetsetup import ENUM_KEYS

    assert kinds.count("setDataValidation") == len(ENUM_KEYS) == 10  # every enum, list and urgency column
    assert kinds.count("addConditionalFormatRule") == 2
    assert kinds.count("addSheet") == 1 and "addProtectedRange" in kinds and "updateSheetProperties" in kinds
    requests = fake.batch_updates[0]["requests"]
    protect = next(r["addProtectedRange"] for r in requests if "addProtectedRange" in r)
    assert protect["protectedRange"]["warningOnly"] is True
    assert protect["protectedRange"]["range"] == {"sheetId": 11, "startRowIndex": 0, "endRowIndex": 1}
    formats = {r["repeatCell"]["range"]["startColumnIndex"]: r["repeatCell"]["cell"]["userEnteredFormat"]["numberFormat"]["type"]
               for r in requests if "repeatCell" in r}
    header = fake.tabs["Register"].values[0]
    assert formats[header.index("Klachtnummer")] == "TEXT" and formats[header.index("Postcode")] == "TEXT"
    assert formats[header.index("Datum ontvangst")] == "DATE"
    rules = [r["addConditionalFormatRule"]["rule"]["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
             for r in requests if "addConditionalFormatRule" in r]
    assert all("WORKDAY(" in f and 'INDIRECT("Feestdagen!$A$2:$A$400")' in f for f in rules)
    assert "WORKDAY($B2;7;" in rules[0]  # nl_NL separators; 7 werkdagen from Datum ontvangst (column B)
    # Owner's data untouched; the tool's columns appended after the last used column.
    after = fake.tabs["Register"].values
    assert [row[:len(before[0])] for row in after[1:]] == [row[:len(before[0])] for row in before[1:]]
    assert after[0][:len(before[0])] == before[0]
    assert after[0][len(before[0]):] == ["Bevestigen vóór", "Standpunt vóór", "Signaal"]
    holidays = fake.tabs["Feestdagen"].values
    assert holidays[0] == ["Datum", "Omschrijving"]
    assert [serial(dt.date(2026, 4, 27)), "Koningsdag"] in holidays
    # The tool's three columns come after the last used column (the schema's and one of the owner's).
    letters = [column_letter(len(before[0]) + i) for i in range(3)]
    assert (f"kolommen toegevoegd: Bevestigen vóór ({letters[0]}), Standpunt vóór ({letters[1]}), "
            f"Signaal ({letters[2]})") in report.changes

    fake.requests.clear()
    again = setup_register(cfg, PEIL, session=fake.session())
    assert again.changes == []
    assert [r["method"] for r in fake.requests] == ["GET", "GET"]
    assert len(fake.batch_updates) == 1


def test_schrijf_writes_raw_only_changed_cells_once(google):
    cfg, fake = google
    setup_register(cfg, PEIL, session=fake.session())
    fake.requests.clear()
    result = check_register(cfg, PEIL, session=fake.session())
    report = write_deadlines(cfg, result, session=fake.session())
    writes = [r for r in fake.requests if r["path"].endswith("values:batchUpdate")]
    assert len(writes) == 1
    body = writes[0]["body"]
    assert body["valueInputOption"] == "RAW"
    header = fake.tabs["Register"].values[0]
    ack_col = header.index("Bevestigen vóór")
    tool_cols = {header.index(h) for h in ("Bevestigen vóór", "Standpunt vóór", "Signaal")}
    from tests.sheets_fake import parse_a1

    tab = fake.tabs["Register"]
    covered = {c for d in body["data"] for c in range(*parse_a1(d["range"].split("!")[1], tab)[2:])}
    assert covered <= tool_cols
    row_k3 = next(r for r in fake.tabs["Register"].values if r[0] == "K2026-003")
    # received Mon 2 Nov 2026 + 7 working days = Wed 11 Nov 2026
    assert row_k3[ack_col] == serial(dt.date(2026, 11, 11))
    assert "standpunt te laat" in row_k3[header.index("Signaal")]
    assert report.cells == sum(len(row) for d in body["data"] for row in d["values"])
    fake.requests.clear()
    second = write_deadlines(cfg, check_register(cfg, PEIL, session=fake.session()), session=fake.session())
    assert second.cells == 0
    assert not [r for r in fake.requests if r["method"] == "POST"]


def test_rows_reordered_between_read_and_write_get_their_own_values(google):
    cfg, fake = google
    setup_register(cfg, PEIL, session=fake.session())
    result = check_register(cfg, PEIL, session=fake.session())
    tab = fake.tabs["Register"]
    body = tab.values[1:]
    random.Random(3).shuffle(body)
    deleted = body.pop(0)
    body.insert(1, ["K2026-999", serial(dt.date(2026, 11, 20)), "brief", "Nieuw ingevoegd"])
    tab.values[1:] = body
    report = write_deadlines(cfg, result, session=fake.session())
    header = tab.values[0]
    ack_col = header.index("Bevestigen vóór")
    expected = dict(zip(result.register.frame["complaint_no"],
                        result.deadlines["acknowledge_due"].to_numpy(dtype="datetime64[D]"), strict=True))
    for row in tab.values[1:]:
        number = row[0]
        if number == "K2026-999":
            assert len(row) <= ack_col or row[ack_col] in (None, "")
            continue
        assert row[ack_col] == serial(expected[number].astype(dt.date)), number
    assert f"{deleted[0]} niet meer gevonden" in report.skipped


def test_anonymise_google(google, tmp_path):
    cfg, fake = google
    result = check_register(cfg, PEIL, session=fake.session())
    numbers_before = _report_numbers(build_reports(result, cfg))
    original = {r[0]: list(r) for r in fake.tabs["Register"].values[1:]}
    seen_backup = []
    fake.before_write = lambda f: seen_backup.append(list((tmp_path / "private" / "backups").glob("*.csv")))
    report, backup = anonymise(cfg, result, PEIL, session=fake.session())
    assert seen_backup and seen_backup[0] == [backup]
    assert report.updated == ["K2025-001"]  # K2025-002 is escalated, the others are open
    writes = [r for r in fake.requests if r["path"].endswith("values:batchUpdate")]
    assert len(writes) == 1 and writes[0]["body"]["valueInputOption"] == "RAW"
    header = fake.tabs["Register"].values[0]
    personal = {c.header for c in COLUMNS if c.key in ("name", "email", "description")}
    row = next(r for r in fake.tabs["Register"].values if r[0] == "K2025-001")
    for idx, (old, new) in enumerate(zip(original["K2025-001"], row, strict=False)):
        if header[idx] in personal:
            assert new == MARKER
        elif header[idx] == "Geanonimiseerd op":
            assert new == serial(PEIL)
        else:
            assert new == old, header[idx]
    assert next(r for r in fake.tabs["Register"].values if r[0] == "K2025-002") == original["K2025-002"]
    after = check_register(cfg, PEIL, session=fake.session())
    assert _report_numbers(build_reports(after, cfg)) == numbers_before
    log = (tmp_path / "private" / "anonimisering.log").read_text(encoding="utf-8")
    assert log == "2026-11-21 K2025-001 geanonimiseerd\n"


def _report_numbers(reports):
    return (reports.pub.figures.values, reports.pub.status, [(r.year, r.median_days, r.measures) for r in reports])


def xlsx_rows():
    headers = HEADERS + ["Eigen kolom"]
    rows = [complaint(complaint_no="K1", received=dt.date(2025, 3, 3), decided=dt.date(2025, 3, 9),
                      status="afgehandeld", outcome="gegrond", phone="0612345678", postcode="0123 AB")
            + ["=SUM(1,2) blijft tekst"],
            complaint(complaint_no="K2", received=dt.date(2026, 11, 2)) + [42]]
    return headers, rows


def test_inrichten_xlsx(make_config, tmp_path):
    headers, rows = xlsx_rows()
    cfg = make_config(rows=rows, headers=headers)
    path = tmp_path / "register.xlsx"
    before = openpyxl.load_workbook(path)["Register"]
    old = [[c.value for c in row] for row in before.iter_rows()]
    result = runner.invoke(app, ["inrichten", "--config", str(cfg.path)])
    assert result.exit_code == 0, result.output
    assert "keuzelijst voor Kanaal" in result.stdout
    wb = openpyxl.load_workbook(path)
    ws = wb["Register"]
    new = [[c.value for c in row] for row in ws.iter_rows(max_row=len(old))]
    assert [r[:len(old[0])] for r in new] == old  # owner's values, the extra column included, intact
    assert [ws.cell(row=1, column=len(old[0]) + i).value for i in (1, 2, 3)] == \
        ["Bevestigen vóór", "Standpunt vóór", "Signaal"]
    assert ws.freeze_panes == "A2"
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"brief,e-mail,telefoon,mondeling,fax,webformulier"' in formulas and len(formulas) == 10
    assert '"mevrouw,heer"' in formulas
    # number formats as column styles: new entries take them, the owner's existing cells keep theirs
    letter = openpyxl.utils.get_column_letter
    assert ws.column_dimensions[letter(HEADERS.index("Datum ontvangst") + 1)].number_format == "d-m-yyyy"
    assert ws.column_dimensions[letter(HEADERS.index("Telefoon") + 1)].number_format == "@"
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert len(rules) == 2 and all("WORKDAY(" in r.formula[0] for r in rules)
    assert wb["Feestdagen"]["A1"].value == "Datum"
    assert list((tmp_path / "private" / "backups").glob("register-voor-wijziging-*.xlsx"))
    content = path.read_bytes()
    again = runner.invoke(app, ["inrichten", "--config", str(cfg.path)])
    assert again.stdout.strip() == "Register was al ingericht: niets gewijzigd."
    assert path.read_bytes() == content


def test_anonimiseer_xlsx_dry_run_then_execute(make_config, tmp_path):
    headers, rows = xlsx_rows()
    cfg = make_config(rows=rows, headers=headers)
    path = tmp_path / "register.xlsx"
    content = path.read_bytes()
    dry = runner.invoke(app, ["anonimiseer", "--peildatum", "2026-11-21", "--config", str(cfg.path)])
    assert dry.exit_code == 0
    assert "Proefrun: 1 klacht zou worden geanonimiseerd:" in dry.stdout and "K1" in dry.stdout
    assert path.read_bytes() == content
    done = runner.invoke(app, ["anonimiseer", "--uitvoeren", "--peildatum", "2026-11-21", "--config", str(cfg.path)])
    assert done.exit_code == 0, done.output
    assert "Geanonimiseerd: K1" in done.stdout
    ws = openpyxl.load_workbook(path)["Register"]
    values = {ws.cell(row=1, column=c).value: ws.cell(row=2, column=c).value for c in range(1, ws.max_column + 1)}
    assert values["Naam"] == MARKER and values["Telefoon"] == MARKER and values["Omschrijving"] == MARKER
    assert values["Categorie"] is None and values["Standpunt"] == "gegrond" and values["Status"] == "afgehandeld"
    assert values["Eigen kolom"] == "=SUM(1,2) blijft tekst"
    assert values["Geanonimiseerd op"].date() == PEIL
    assert list((tmp_path / "private" / "backups").glob("register-*.csv"))


def test_inrichten_refuses_a_title_row(make_config, tmp_path):
    cfg = make_config(rows=[[], HEADERS], headers=["Klachtenregister 2026"])
    result = runner.invoke(app, ["inrichten", "--config", str(cfg.path)])
    assert result.exit_code == 2
    assert "rij 1 bevat geen bekende kolomkoppen" in result.stderr
