"""Hostile input: unreadable files, absurd ranges, booleans, implausible dates, odd numbers (issue 10)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from generator.app.cli import app
from generator.letters.render import letter_filename, number_from_filename
from register.check import check_grid
from register.sources import Grid
from register.validate import FINDING_KINDS
from tests.conftest import HEADERS, ROOT, complaint

runner = CliRunner()
PEIL = dt.date(2026, 11, 21)
COMMANDS = [["controleer", "--peildatum", "2026-11-21"], ["controleer", "--schrijf", "--peildatum", "2026-11-21"],
            ["inrichten"], ["anonimiseer", "--uitvoeren", "--peildatum", "2026-11-21"]]
ENGLISH = ("Error", "Zip", "Password", "Traceback", "KeyError", "File name too long", "onverwachte")


def findings(config, rows, headers=None):
    return check_grid(Grid([headers or HEADERS, *rows], "test"), config, PEIL).findings


def _unreadable(tmp_path: Path, kind: str) -> bytes:
    good = tmp_path / "goed.xlsx"
    from register.demo import write_xlsx

    write_xlsx(good, [HEADERS, complaint()])
    data = good.read_bytes()
    return {
        "leeg": b"",
        "csv": b"Klachtnummer;Naam\nK1;Piet\n",
        "html": b"<!DOCTYPE html><html><body>Inloggen</body></html>",
        "ole": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000,
        "afgekapt": data[: len(data) // 2],
    }[kind]


EXPECTED = {
    "leeg": "het is leeg (0 bytes); zet een back-up terug",
    "csv": "het is tekst of een ander formaat; open het in een spreadsheetprogramma en sla het op als .xlsx",
    "html": "het is een webpagina (HTML); open het in een spreadsheetprogramma en sla het op als .xlsx",
    "ole": "het is met een wachtwoord beveiligd of een oud .xls-bestand; sla het in Excel op als .xlsx zonder wachtwoord",
    "afgekapt": "het zip-archief is beschadigd of onvolledig; zet een back-up terug",
}


@pytest.mark.parametrize("kind", list(EXPECTED))
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_unreadable_file_gives_one_dutch_line_for_every_command(make_config, tmp_path, kind, command):
    cfg = make_config()
    path = tmp_path / "register.xlsx"
    content = _unreadable(tmp_path, kind)
    path.write_bytes(content)
    result = runner.invoke(app, [*command, "--config", str(cfg.path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Fout: '{path}' is geen leesbaar .xlsx-bestand: {EXPECTED[kind]}\n"
    assert path.read_bytes() == content


def _far_cell(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Register"
    for col, header in enumerate(HEADERS, start=1):
        ws.cell(row=1, column=col, value=header)
    for col, value in enumerate(complaint(), start=1):
        ws.cell(row=2, column=col, value=value)
    ws["XFD1048576"] = "x"
    wb.save(path)


@pytest.mark.parametrize("command", [*COMMANDS, ["nachtrun", "--droog", "--peildatum", "2026-11-21"]], ids=" ".join)
def test_one_cell_at_xfd1048576_is_refused_before_reading(make_config, tmp_path, command):
    cfg = make_config()
    path = tmp_path / "register.xlsx"
    _far_cell(path)
    size = path.stat().st_size
    assert size < 15_000
    # A real process: a native abort (exit 134) or a huge allocation would show here.
    proc = subprocess.run([sys.executable, "-m", "generator.app.cli", *command, "--config", str(cfg.path)],
                          capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    line = ("tabblad 'Register' in 'register.xlsx' loopt tot rij 1048576 en kolom XFD: meer dan 10.000.000 cellen "
            "(de grens van Google Sheets); verwijder lege rijen en kolommen aan het eind of een verdwaalde cel ver weg")
    if command[0] == "nachtrun":
        assert proc.returncode == 1 and line in proc.stdout + proc.stderr, proc.stderr
    else:
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr == f"Fout: {line}\n"
    assert "panicked" not in proc.stderr and path.stat().st_size == size


def test_a_wide_but_allowed_range_is_read(make_config, tmp_path):
    from register.sources.xlsxpackage import check_size

    wb = openpyxl.Workbook()
    wb.active.title = "Register"
    wb.active["A1"] = "Klachtnummer"
    wb.active["CV100000"] = "x"  # 100 columns x 100,000 rows = exactly 10 million cells
    wb.save(tmp_path / "ok.xlsx")
    check_size(tmp_path / "ok.xlsx", "Register")
    wb.active["CW100000"] = "x"
    wb.save(tmp_path / "te-groot.xlsx")
    with pytest.raises(Exception, match="loopt tot rij 100000 en kolom CW"):
        check_size(tmp_path / "te-groot.xlsx", "Register")


# -- booleans, dates ------------------------------------------------------------------------------
@pytest.mark.parametrize("order", ["true_first", "one_first"])
def test_true_in_urgentie_is_an_error_and_1_stays_valid(config, order):
    rows = [complaint(complaint_no="K1", urgency=1), complaint(complaint_no="K2", urgency=True),
            complaint(complaint_no="K3", urgency=1.0), complaint(complaint_no="K4", urgency=False)]
    if order == "true_first":
        rows = rows[1:2] + rows[:1] + rows[2:]
    bad = {(f.klachtnummer, f.code) for f in findings(config, rows) if "Urgentie" in f.melding}
    assert bad == {("K2", "onbekende_waarde"), ("K4", "onbekende_waarde")}


def test_true_in_a_date_column_never_becomes_31_december_1899(config):
    rows = [complaint(complaint_no="K1", acknowledged=True), complaint(complaint_no="K2", acknowledged=46328)]
    result = check_grid(Grid([HEADERS, *rows], "t"), config, PEIL)
    assert [f.code for f in result.findings if f.klachtnummer == "K1"] == ["geen_datum"]
    assert str(result.register.dates("acknowledged")[1]) == "2026-11-02"


def test_implausible_dates_are_errors_with_their_cell(config):
    rows = [complaint(complaint_no="K1", received=dt.date(1, 1, 1)),
            complaint(complaint_no="K2", received=dt.date(1989, 12, 31)),
            complaint(complaint_no="K3", received=dt.date(1990, 1, 1)),
            complaint(complaint_no="K4", received="2999-01-01"),
            complaint(complaint_no="K5", received=dt.date(2026, 11, 22))]
    found = [(f.cel, f.code, f.melding) for f in findings(config, rows)
             if f.code in ("datum_onwaarschijnlijk", "datum_in_toekomst", "verplicht_leeg")]
    assert found == [("B2", "datum_onwaarschijnlijk", "Datum ontvangst 0001-01-01 ligt vóór 1990"),
                     ("B3", "datum_onwaarschijnlijk", "Datum ontvangst 1989-12-31 ligt vóór 1990"),
                     ("B5", "datum_onwaarschijnlijk", "Datum ontvangst 2999-01-01 ligt na 2100"),
                     ("B6", "datum_in_toekomst", "Datum ontvangst 22 november 2026 ligt in de toekomst")]
    assert FINDING_KINDS["datum_onwaarschijnlijk"][0] == "fout"


def test_year_one_gives_no_pages_for_two_thousand_years(make_config, tmp_path):
    from generator.site.jaarverslag import build_reports
    from register.check import check_register

    cfg = make_config(rows=[complaint(complaint_no="K1", received=dt.date(1, 1, 1), status="afgehandeld",
                                      decided=dt.date(2026, 1, 5), outcome="gegrond"),
                            complaint(complaint_no="K2", received=dt.date(2026, 1, 2))])
    reports = build_reports(check_register(cfg, PEIL), cfg)
    assert [r.year for r in reports] == [2026]


def test_date_before_1900_is_not_called_00_00_00(make_config, tmp_path):
    cfg = make_config(rows=[complaint(complaint_no="K1", received=dt.date(1850, 1, 1))])
    result = runner.invoke(app, ["controleer", "--json", "--peildatum", "2026-11-21", "--config", str(cfg.path)])
    assert "00:00:00" not in result.stdout
    assert ("Datum ontvangst bevat alleen een tijd, geen datum (een datum vóór 1900 kan een spreadsheet niet als "
            "datum opslaan)") in result.stdout


# -- Klachtnummer ---------------------------------------------------------------------------------
def test_klachtnummer_characters_length_and_near_duplicates(config):
    long = "K" + "9" * 299
    rows = [complaint(complaint_no="K2026-099"), complaint(complaint_no="K2026/099"),
            complaint(complaint_no="k2026.099"), complaint(complaint_no=long),
            complaint(complaint_no="𝐊2026-100"), complaint(complaint_no="K2026\n101"),
            complaint(complaint_no="K2026-102")]
    found = [(f.cel, f.code, f.melding) for f in findings(config, rows) if f.code.startswith("klachtnummer")]
    assert found == [
        ("A3", "klachtnummer_lijkt_dubbel", "klachtnummer K2026/099 is bijna gelijk aan K2026-099 (rij 2)"),
        ("A4", "klachtnummer_lijkt_dubbel", "klachtnummer k2026.099 is bijna gelijk aan K2026-099 (rij 2)"),
        ("A5", "klachtnummer_te_lang", "het klachtnummer is 300 tekens lang; maximaal 40"),
        ("A6", "klachtnummer_tekens", "het klachtnummer bevat tekens die niet mogen ('𝐊')"),
        ("A7", "klachtnummer_tekens", "het klachtnummer bevat tekens die niet mogen (U+000A)"),
    ]


def test_letter_filenames_are_unique_and_reversible():
    numbers = ["K2026-099", "K2026/099", "K2026_099", "K2026.099", "K2026 099", "k2026-099", "K2026%2F099",
               "𝐊2026-099", "K2026~099", "..", "K" + "9" * 299, "K" + "9" * 298 + "8"]
    names = [letter_filename(n, "standpunt") for n in numbers]
    assert len(set(names)) == len(numbers)
    assert names[:2] == ["K2026-099_standpunt.pdf", "K2026%2F099_standpunt.pdf"]
    for number, name in zip(numbers, names, strict=True):
        assert len(name.encode()) <= 150 and "/" not in name and not name.startswith(".")
        if len(number) < 100:
            assert number_from_filename(name) == number


def test_brieven_with_colliding_and_absurd_numbers(make_config, tmp_path):
    base = dict(received=dt.date(2026, 11, 16), handler="S. Jansen", address="Weg 1", postcode="1234 AB",
                city="Stad")
    rows = [complaint(complaint_no="K2026-099", name="Anna Eerste", **base),
            complaint(complaint_no="K2026/099", name="Bert Tweede", **base),
            complaint(complaint_no="K" + "9" * 299, name="Carla Lang", **base),
            complaint(complaint_no="K2026-100", name="Dirk Vierde", **base)]
    cfg = make_config(rows=rows)
    result = runner.invoke(app, ["brieven", "--processen", "1", "--peildatum", "2026-11-17", "--config", str(cfg.path)])
    assert result.exit_code == 1, result.output
    assert not any(word in result.output for word in ENGLISH)
    assert "Niet gemaakt: klacht in rij 4: het klachtnummer is 300 tekens lang; maximaal 40; " \
           "de ontvangstbevestiging is niet gemaakt" in result.stderr
    folder = tmp_path / "private" / "brieven"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["K2026%2F099_ontvangstbevestiging.pdf", "K2026-099_ontvangstbevestiging.pdf",
                     "K2026-100_ontvangstbevestiging.pdf"]
    text = {n: " ".join(p.extract_text() for p in PdfReader(folder / n).pages) for n in names}
    assert "Anna Eerste" in text["K2026-099_ontvangstbevestiging.pdf"]
    assert "Bert Tweede" in text["K2026%2F099_ontvangstbevestiging.pdf"]


def test_no_class_names_in_calamine_messages(make_config, tmp_path):
    from register.sources.xlsx import dutch_reason

    class ZipError(Exception):
        pass

    class PasswordError(Exception):
        pass

    assert dutch_reason(ZipError("invalid Zip archive: bad")) == "beschadigd zip-archief"
    assert dutch_reason(PasswordError("workbook is encrypted")) == "met een wachtwoord beveiligd"
    cfg = make_config()
    good = tmp_path / "register.xlsx"
    from register.demo import write_xlsx

    write_xlsx(good, [HEADERS, complaint()])
    members = {}
    with zipfile.ZipFile(good) as zf:
        for info in zf.infolist():
            members[info.filename] = zf.read(info)
    sheet = next(n for n in members if n.startswith("xl/worksheets/"))
    members[sheet] = members[sheet][: len(members[sheet]) // 3]
    with zipfile.ZipFile(good, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    for command in COMMANDS:
        result = runner.invoke(app, [*command, "--config", str(cfg.path)])
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.count("\n") == 1 and not any(word in result.stderr for word in ENGLISH), result.stderr
