"""Online intake: Google Form responses imported into a Google Sheet register (Sheets fake)."""

import datetime as dt

import pytest
import requests
from typer.testing import CliRunner

from generator.app.cli import app
from register.check import check_register
from register.config import load_config
from register.errors import ConfigError
from register.intake import form_timestamp, import_responses, next_numbers
from register.schema import BY_KEY
from tests.conftest import BASE_TOML, HEADERS, complaint
from tests.sheets_fake import FakeSheets

GOOGLE = ('[register]\nbron = "google"\nspreadsheet = "https://docs.google.com/spreadsheets/d/sheet-key-123/edit"\n'
          'tabblad = "Register"\npogingen = 3\n')
INTAKE = '[intake]\nformulier = "https://forms.gle/abc123"\nbehandelaar = "S. Jansen"\n'
QUESTIONS = ["Tijdstempel", "Naam", "E-mailadres", "Wat is er gebeurd?", "Wanneer gebeurde het?",
             "Wat verwacht u van ons?", "Hoe wilt u antwoord krijgen?"]
TAB = "Formulierreacties 1"


def stamp(year, month, day, hour=12, minute=0) -> float:
    """A form timestamp as the sheet stores it: a serial date-time (sheet time zone)."""
    moment = dt.datetime(year, month, day, hour, minute)  # noqa: DTZ001 - a wall-clock time, as in the sheet
    return (moment - dt.datetime(1899, 12, 30)).total_seconds() / 86400  # noqa: DTZ001


def serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


RESPONSES = [
    [stamp(2026, 11, 20, 9, 15), "Marieke Nepstra", "m.nepstra@example.org", "De monteur kwam niet opdagen.",
     "17 november", "Een nieuwe afspraak", "Per e-mail"],
    [stamp(2026, 11, 20, 23, 45), "Jan de Vries", "", "Factuur te hoog.", "", "Correctie", "Telefonisch"],
    [stamp(2026, 11, 21, 0, 10), "Ans Bakker", "ans@example.org", "Lekkage na reparatie.", "gisteren", "",
     "Per brief"],
]


@pytest.fixture
def intake_config(make_config):
    base = BASE_TOML.replace('[register]\nbron = "xlsx"\npad = "register.xlsx"\ntabblad = "Register"\n', GOOGLE)
    return make_config(INTAKE, base=base)


def sheet(responses=RESPONSES, questions=QUESTIONS) -> FakeSheets:
    fake = FakeSheets()
    fake.add_tab("Register", [
        HEADERS,
        complaint(complaint_no="K2026-001", received=serial(dt.date(2026, 1, 5))),
        complaint(complaint_no="K2026-014", received=serial(dt.date(2026, 10, 1))),
        complaint(complaint_no="K2025-037", received=serial(dt.date(2025, 12, 1))),
    ], sheet_id=0)
    form = fake.add_tab(TAB, [questions] + [list(r) for r in responses], sheet_id=55)
    form.formats[0] = {"type": "DATE_TIME"}  # as a linked form's tab: the timestamps show as date and time
    return fake


def register_rows(fake):
    values = fake.tabs["Register"].values
    col = {c.key: HEADERS.index(c.header) for c in BY_KEY.values() if c.header in HEADERS}
    return [{k: (row[i] if i < len(row) else None) for k, i in col.items()} for row in values[1:]]


def marks(fake):
    values = fake.tabs[TAB].values
    col = values[0].index("Klachtnummer")
    return [row[col] if col < len(row) else None for row in values[1:]]


def test_three_responses_become_complaints(intake_config):
    fake = sheet()
    report = import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    assert [n for n, _ in report.imported] == ["K2026-015", "K2026-016", "K2026-017"]
    rows = register_rows(fake)
    assert len(rows) == 6
    new = rows[3:]
    assert [r["complaint_no"] for r in new] == ["K2026-015", "K2026-016", "K2026-017"]
    # 23:45 on 20 November and 00:10 on 21 November, Amsterdam time
    assert [r["received"] for r in new] == [serial(dt.date(2026, 11, 20))] * 2 + [serial(dt.date(2026, 11, 21))]
    assert {r["channel"] for r in new} == {"webformulier"}
    assert {r["status"] for r in new} == {"nieuw"}
    assert {r["handler"] for r in new} == {"S. Jansen"}
    assert new[0]["name"] == "Marieke Nepstra" and new[0]["email"] == "m.nepstra@example.org"
    assert new[0]["description"] == ("De monteur kwam niet opdagen.\nWanneer gebeurde het? 17 november\n"
                                     "Wat verwacht u van ons? Een nieuwe afspraak")
    assert new[0]["reply_by"] == "Per e-mail"  # the one choice of the form, read as 'e-mail'
    assert new[1]["email"] in (None, "")  # an empty answer writes nothing
    assert marks(fake) == ["K2026-015", "K2026-016", "K2026-017"]
    # the register as the tool reads it: the new complaints carry no errors of their own
    result = check_register(intake_config, dt.date(2026, 11, 22), session=fake.session())
    assert [f for f in result.findings if f.klachtnummer in ("K2026-015", "K2026-016", "K2026-017")
            and f.ernst.name == "FOUT"] == []
    assert "K2026-016" in set(result.register.frame["complaint_no"])


def test_rerun_imports_nothing(intake_config):
    fake = sheet()
    import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    before = [list(r) for r in fake.tabs["Register"].values]
    writes = len(fake.requests)
    report = import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    assert report.imported == [] and report.already == 3
    assert fake.tabs["Register"].values == before
    assert not any(r["method"] == "POST" for r in fake.requests[writes:])
    assert report.lines() == ["Geen nieuwe reacties van het formulier.", "3 reacties stonden al in het register."]


def test_new_response_after_import_continues_numbering(intake_config):
    fake = sheet()
    import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    fake.tabs[TAB].values.append([stamp(2027, 1, 2), "Kees", "", "Nog een klacht."])
    report = import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    assert [n for n, _ in report.imported] == ["K2027-001"]
    assert register_rows(fake)[-1]["complaint_no"] == "K2027-001"


class Crash(Exception):
    """The process dies: nothing after this point runs."""


def test_crash_between_mark_and_append_imports_once(intake_config):
    fake = sheet()
    writes = []

    def die_on_second_write(f):
        writes.append(1)
        if len(writes) == 2:  # the marks are written; the register append never arrives
            raise Crash()

    fake.before_write = die_on_second_write
    with pytest.raises(Crash):
        import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    assert marks(fake) == ["K2026-015 (wordt ingevoerd)", "K2026-016 (wordt ingevoerd)", "K2026-017 (wordt ingevoerd)"]
    assert len(register_rows(fake)) == 3  # nothing added yet
    fake.before_write = None
    report = import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    assert [n for n, _ in report.imported] == ["K2026-015", "K2026-016", "K2026-017"]
    again = import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    assert again.imported == []
    numbers = [r["complaint_no"] for r in register_rows(fake)]
    assert numbers == ["K2026-001", "K2026-014", "K2025-037", "K2026-015", "K2026-016", "K2026-017"]
    assert marks(fake) == ["K2026-015", "K2026-016", "K2026-017"]


def test_lost_answer_on_append_is_not_sent_twice(intake_config):
    fake = sheet()
    dispatch, writes = fake._dispatch, []

    def lose_the_append_answer(name, path_params, query, body):
        payload = dispatch(name, path_params, query, body)
        if name == "spreadsheets.values.batchUpdate":
            writes.append(body)
            if len(writes) == 2:  # applied, then the connection drops before the answer arrives
                raise requests.ConnectionError("verbinding verbroken")
        return payload

    fake._dispatch = lose_the_append_answer
    report = import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    # marks, rows (answer lost; the re-read found them in place: not sent again), confirmation
    assert len(writes) == 3 and all(d["values"][0][0].startswith("K2026-") for d in writes[2]["data"])
    assert [n for n, _ in report.imported] == ["K2026-015", "K2026-016", "K2026-017"]
    assert report.already == 0
    numbers = [r["complaint_no"] for r in register_rows(fake)]
    assert numbers == ["K2026-001", "K2026-014", "K2025-037", "K2026-015", "K2026-016", "K2026-017"]


def test_unknown_question_goes_to_description(intake_config):
    questions = QUESTIONS + ["Ordernummer"]
    fake = sheet([RESPONSES[0] + ["A-991"]], questions)
    import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    new = register_rows(fake)[-1]
    assert new["description"].endswith("\nOrdernummer: A-991")
    assert marks(fake) == ["K2026-015"]
    assert fake.tabs[TAB].values[0][-1] == "Klachtnummer"


def test_dry_run_writes_nothing(intake_config):
    fake = sheet()
    report = import_responses(intake_config, dry=True, session=fake.session(), sleep=lambda s: None)
    assert [n for n, _ in report.imported] == ["K2026-015", "K2026-016", "K2026-017"]
    assert report.lines()[0] == "3 reacties van het formulier zouden in het register gezet:"
    assert not any(r["method"] == "POST" for r in fake.requests)


def test_numbering_follows_the_register():
    assert next_numbers(["K2026-009", "K2026-014", "K2025-120", "x"], [2026, 2026, 2025]) == \
        ["K2026-015", "K2026-016", "K2025-121"]
    assert next_numbers(["K2026-0099"], [2026]) == ["K2026-0100"]
    assert next_numbers([], [2027]) == ["K2027-001"]


def test_timestamp_is_an_amsterdam_date():
    late_utc = stamp(2026, 11, 20, 23, 30)
    assert form_timestamp(late_utc, "UTC") == dt.date(2026, 11, 21)
    assert form_timestamp(late_utc, "Europe/Amsterdam") == dt.date(2026, 11, 20)
    assert form_timestamp("20-11-2026 14:03:12", "Europe/Amsterdam") == dt.date(2026, 11, 20)
    assert form_timestamp("gisteren", "Europe/Amsterdam") is None


def test_xlsx_register_says_intake_needs_a_google_sheet(make_config):
    cfg = make_config(rows=[complaint()])
    with pytest.raises(ConfigError):
        import_responses(cfg, dry=False)
    result = CliRunner().invoke(app, ["importeer", "--config", str(cfg.path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Fout: het online klachtenformulier importeren kan alleen als het register een Google Sheet is "
        "([register] bron = \"google\"); met een .xlsx-register komen klachten per post, e-mail, telefoon of "
        "het PDF-formulier binnen")


def test_questions_mapping_is_checked(make_config, tmp_path):
    with pytest.raises(ConfigError, match="vraag 'Wat is er gebeurd\\?': 'Status' is geen kolom die het formulier "
                                          "mag vullen"):
        make_config('[intake.vragen]\n"Wat is er gebeurd?" = "Status"\n')
    cfg = make_config('[intake.vragen]\n"Uw naam" = "naam"\n')
    assert cfg.intake.vragen == {"Uw naam": "name"}
    assert load_config(cfg.path).intake.antwoorden_tabblad == "Formulierreacties 1"


def _demo_config(**sections):
    """The demo config (klachten.toml in the repo), with sections replaced or added."""
    import dataclasses
    import tomllib

    from register.config import config_from_dict
    from tests.conftest import ROOT

    raw = tomllib.loads((ROOT / "klachten.toml").read_text(encoding="utf-8"))
    cfg = config_from_dict({**raw, "intake": {"formulier": "https://forms.gle/abc123"}}, ROOT / "klachten.toml")
    if sections.get("google"):
        cfg = dataclasses.replace(cfg, register=dataclasses.replace(
            cfg.register, bron="google", spreadsheet="sheet-key-123"))
    return cfg


@pytest.mark.parametrize("google", [True, False])
def test_klacht_indienen_offers_the_form_only_with_a_google_register(google, tmp_path):
    from generator.site.build import build_site
    from tests.test_site import read, text_of

    xlsx = _demo_config()
    result = check_register(xlsx, dt.date(2026, 11, 21))
    cfg = _demo_config(google=google)
    build_site(cfg, dt.date(2026, 11, 21), site_dir=tmp_path, result=result, demo=True)
    html = read(tmp_path, "klacht-indienen")
    page = text_of(html)
    # mail, post, phone and the PDF form stay in both cases
    for part in ("E-mail:", "Telefoon:", "Post:", "klachtenformulier (PDF)"):
        assert part in page, part
    assert ('href="https://forms.gle/abc123"' in html) is google
    assert ("Het snelst gaat het met het online klachtenformulier: uw klacht komt dan meteen bij ons binnen."
            in page) is google


def test_nightly_imports_before_it_checks(make_config):
    from generator.app.nightly import run_nightly

    base = BASE_TOML.replace('[register]\nbron = "xlsx"\npad = "register.xlsx"\ntabblad = "Register"\n', GOOGLE)
    cfg = make_config(INTAKE + "\n[nachtrun]\nformulier_importeren = true\n\n[mail]\nhost = \"127.0.0.1\"\npoort = 9\n",
                      base=base)
    fake = sheet()
    now = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)
    steps = run_nightly(cfg, dt.date(2026, 11, 22), now, session=fake.session(), echo=lambda s: None)
    by_name = {s.name: s for s in steps}
    assert by_name["formulier"].ok
    assert by_name["formulier"].message == "3 nieuwe klachten uit het formulier (K2026-015, K2026-016, K2026-017)"
    assert by_name["register"].message.startswith("6 klachten gelezen")
    steps = run_nightly(cfg, dt.date(2026, 11, 22), now, session=fake.session(), echo=lambda s: None)
    assert {s.name: s for s in steps}["formulier"].message == "geen nieuwe reacties van het formulier"
    off = make_config(INTAKE, base=base)
    assert "formulier" not in {s.name for s in run_nightly(off, dt.date(2026, 11, 22), now, session=sheet().session(),
                                                          echo=lambda s: None)}


def test_a_number_taken_by_another_complaint_is_reported_not_overwritten(intake_config):
    fake = sheet([RESPONSES[0]], QUESTIONS + ["Klachtnummer"])
    fake.tabs[TAB].values[1].append("K2026-014")  # typed by hand; K2026-014 is an e-mail complaint
    before = [list(r) for r in fake.tabs["Register"].values]
    report = import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    assert report.imported == []
    assert report.problems == ["rij 2 van Formulierreacties 1 heeft Klachtnummer K2026-014, maar K2026-014 in het "
                               "register is een andere klacht; zet deze reactie met de hand in het register en pas "
                               "het nummer in het formuliertabblad aan"]
    assert fake.tabs["Register"].values == before


def test_an_older_register_without_antwoord_per_keeps_the_answer_in_omschrijving(intake_config):
    fake = sheet()
    old_headers = [h for h in HEADERS if h != "Antwoord per"]
    keep = [HEADERS.index(h) for h in old_headers]
    fake.tabs["Register"].values = [[row[i] if i < len(row) else None for i in keep]
                                    for row in fake.tabs["Register"].values]
    import_responses(intake_config, dry=False, session=fake.session(), sleep=lambda s: None)
    header = fake.tabs["Register"].values[0]
    new = fake.tabs["Register"].values[4]
    description = new[header.index("Omschrijving")]
    assert description.endswith("Wat verwacht u van ons? Een nieuwe afspraak\nAntwoord per: Per e-mail")
