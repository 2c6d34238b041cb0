"""Retention that leaves nothing behind, and the right of access (`klachten inzage`)."""

import datetime as dt
import json
import os
import zipfile

import numpy as np
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from generator.app.cli import app
from register.backup import rotate
from register.errors import ConfigError
from tests.conftest import complaint

runner = CliRunner()
PEIL = "2026-11-21"
CLOSED = dict(status="afgehandeld", outcome="ongegrond", motivation="De afspraak is nagekomen.")


def run(cfg, *args):
    return runner.invoke(app, [*args, "--config", str(cfg.path)])


@pytest.fixture
def retention_config(make_config):
    rows = [
        # closed 3 March 2025: retention (1 jaar) expired on 3 March 2026
        complaint(complaint_no="K2025-001", received=dt.date(2025, 2, 24), name="Johanna Verbeek",
                  email="johanna@verbeek.example", address="Klaagweg 3", acknowledged=dt.date(2025, 2, 25),
                  decided=dt.date(2025, 3, 3), **CLOSED),
        # the same person again, still kept
        complaint(complaint_no="K2026-010", received=dt.date(2026, 11, 10), name="Johanna Verbeek",
                  email="johanna@verbeek.example", acknowledged=dt.date(2026, 11, 11),
                  decided=dt.date(2026, 11, 19), **CLOSED),
        complaint(complaint_no="K2026-011", received=dt.date(2026, 10, 5), name="Kees Anders",
                  email="kees@anders.example"),
    ]
    return make_config(rows=rows)


def test_anonymising_removes_letters_mail_and_cache_of_those_complaints(retention_config, tmp_path):
    cfg = retention_config
    letters = cfg.letters_dir()
    # Letters made while the complaint was still kept (peildatum before the retention expired).
    assert run(cfg, "brief", "K2025-001", "standpunt", "--peildatum", "2025-03-04").exit_code == 0
    assert run(cfg, "brief", "K2026-010", "standpunt", "--peildatum", PEIL).exit_code == 0
    assert "Verbeek" in "".join(p.extract_text() for p in PdfReader(letters / "K2025-001_standpunt.pdf").pages)
    outbox = cfg.outbox_dir()
    (outbox / "geweigerd").mkdir(parents=True)
    (outbox / "2026-03-01_eigenaar.sent").write_text("Subject: x\n\nJohanna Verbeek, Klaagweg 3\n", encoding="utf-8")
    (outbox / "geweigerd" / "2026-03-02_eigenaar.eml").write_bytes(
        b"Subject: x\nContent-Transfer-Encoding: base64\n\n" + __import__("base64").b64encode(b"mail van johanna@verbeek.example"))
    (outbox / "2026-03-03_eigenaar.eml").write_text("Subject: y\n\nKees Anders\n", encoding="utf-8")
    cfg.cache_dir().mkdir(parents=True, exist_ok=True)
    (cfg.cache_dir() / "iets.json").write_text('{"adres": "Klaagweg 3"}', encoding="utf-8")

    result = run(cfg, "anonimiseer", "--uitvoeren", "--peildatum", PEIL)
    assert result.exit_code == 0, result.output
    assert "Geanonimiseerd: K2025-001" in result.stdout
    assert "Verwijderd: 4 bestanden" in result.stdout
    assert "Back-ups met deze gegevens verdwijnen binnen 30 dagen." in result.stdout
    assert not (letters / "K2025-001_standpunt.pdf").exists()
    assert (letters / "K2026-010_standpunt.pdf").exists()  # the same person, still within retention
    assert sorted(p.name for p in outbox.rglob("*") if p.is_file()) == ["2026-03-03_eigenaar.eml"]
    assert not (cfg.cache_dir() / "iets.json").exists()
    log = (cfg.private_dir() / "anonimisering.log").read_text(encoding="utf-8")
    assert log == "2026-11-21 K2025-001 geanonimiseerd\n"


def test_no_letter_after_retention_or_anonymisation(retention_config):
    cfg = retention_config
    refused = run(cfg, "brief", "K2025-001", "standpunt", "--peildatum", PEIL)
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("Fout: klacht K2025-001: de bewaartermijn is verlopen op 3 maart 2026; er "
                                      "wordt geen brief meer gemaakt (verwijder de gegevens met klachten anonimiseer)")
    # The day before it expired it is still made.
    assert run(cfg, "brief", "K2025-001", "standpunt", "--peildatum", "2026-03-02").exit_code == 0
    os.remove(cfg.letters_dir() / "K2025-001_standpunt.pdf")
    batch = run(cfg, "brieven", "--peildatum", PEIL)
    made = sorted(p.name for p in cfg.letters_dir().glob("*.pdf"))
    assert made == ["K2026-010_standpunt.pdf", "K2026-011_ontvangstbevestiging.pdf"], batch.output
    run(cfg, "anonimiseer", "--uitvoeren", "--peildatum", PEIL)
    gone = run(cfg, "brief", "K2025-001", "standpunt", "--peildatum", "2025-03-04")
    assert gone.stderr.strip() == "Fout: klacht K2025-001 is geanonimiseerd; er kan geen brief meer van worden gemaakt"


def test_a_closed_complaint_without_decision_date_is_kept_until_the_date_is_there(make_config):
    from register.check import check_register

    row = dict(complaint_no="K1", received=dt.date(2025, 1, 6), acknowledged=dt.date(2025, 1, 8),
               extension_sent=dt.date(2025, 1, 15), extended_until=dt.date(2025, 2, 1), status="afgehandeld",
               outcome="gegrond", method="schriftelijk")
    cfg = make_config(rows=[complaint(**row)])
    result = check_register(cfg, dt.date(2030, 1, 15))
    assert np.isnat(result.deadlines["retention_expires"].to_numpy(dtype="datetime64[D]")[0])
    assert "bewaartermijn_verlopen" not in set(result.flags["signaal"])
    assert [(f.cel, f.ernst, f.code) for f in result.findings] == [("T2", "fout", "standpuntdatum_ontbreekt")]
    refused = run(cfg, "anonimiseer", "--uitvoeren", "--peildatum", "2030-01-15")
    assert "K1" not in refused.stdout
    # Once the date is filled in, the year counts from it: 20 March 2025 + 1 jaar.
    cfg = make_config(rows=[complaint(**row | {"decided": dt.date(2025, 3, 20)})])
    assert "bewaartermijn_verlopen" not in set(check_register(cfg, dt.date(2026, 3, 19)).flags["signaal"])
    assert "bewaartermijn_verlopen" in set(check_register(cfg, dt.date(2026, 3, 20)).flags["signaal"])


@pytest.mark.parametrize(("extra", "message"), [
    ("[nachtrun]\nbackups_bewaren = 32\n",
     "[nachtrun] backups_bewaren: 32 dagen is te lang; een back-up bewaart de gegevens van een geanonimiseerde "
     "klacht zo lang na de bewaartermijn (1 jaar); kies hooguit 31"),
    ('[bewaren]\ntermijn = "1 maanden"\nkorter_toestaan = true\n[nachtrun]\nbackups_bewaren = 28\n',
     "[nachtrun] backups_bewaren: 28 dagen is te lang; een back-up bewaart de gegevens van een geanonimiseerde "
     "klacht zo lang na de bewaartermijn (1 maanden); kies hooguit 27"),
])
def test_config_refuses_a_backup_window_longer_than_retention_allows(make_config, extra, message):
    with pytest.raises(ConfigError) as err:
        make_config(extra)
    assert message in str(err.value)
    make_config("[nachtrun]\nbackups_bewaren = 31\n")  # the bound itself is allowed


def test_backups_and_pre_change_copies_age_out_by_date(tmp_path):
    names = ["register-20261020-020000.csv", "register-20261021-020000.csv", "register-20261121-020000.csv",
             "register-voor-wijziging-20261020-101010-123456.xlsx",
             "register-voor-wijziging-20261121-101010-123456.xlsx", "notities-20200101-000000.txt"]
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    removed = rotate(tmp_path, 0, dt.date(2026, 11, 21), max_days=31)
    assert sorted(p.name for p in removed) == ["register-20261020-020000.csv",
                                               "register-voor-wijziging-20261020-101010-123456.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notities-20200101-000000.txt", "register-20261021-020000.csv", "register-20261121-020000.csv",
        "register-voor-wijziging-20261121-101010-123456.xlsx"]


def test_inzage_by_number_collects_every_row_of_that_person_and_their_letters(retention_config):
    cfg = retention_config
    assert run(cfg, "brief", "K2026-010", "standpunt", "--peildatum", PEIL).exit_code == 0
    result = run(cfg, "inzage", "K2026-010", "--peildatum", PEIL)
    assert result.exit_code == 0, result.output
    target = cfg.private_dir() / "inzage" / "inzage-2026-11-21_K2025-001_K2026-010.zip"
    assert result.stdout.splitlines() == [f"Inzagepakket gemaakt: {target}",
                                          "  2 klachten (K2025-001, K2026-010), 1 brief; geef het bestand alleen "
                                          "aan de klager zelf."]
    with zipfile.ZipFile(target) as zf:
        assert sorted(zf.namelist()) == ["LEESMIJ.txt", "brieven/K2026-010_standpunt.pdf", "klachtregister.csv",
                                         "klachtregister.json"]
        csv_text = zf.read("klachtregister.csv").decode("utf-8-sig")
        records = json.loads(zf.read("klachtregister.json"))
    header = csv_text.splitlines()[0].split(";")
    assert header[:4] == ["Klachtnummer", "Datum ontvangst", "Kanaal", "Naam"] and "Geanonimiseerd op" in header
    assert [r["Klachtnummer"] for r in records] == ["K2025-001", "K2026-010"]
    assert {r["Naam"] for r in records} == {"Johanna Verbeek"}
    assert records[0]["Adres"] == "Klaagweg 3" and records[0]["Datum standpunt"] == "2025-03-03"
    assert "Kees" not in csv_text
    log = (cfg.private_dir() / "inzage.log").read_text(encoding="utf-8")
    assert log == "2026-11-21 inzage K2025-001, K2026-010\n"


def test_inzage_by_email_and_unknown(retention_config):
    cfg = retention_config
    result = run(cfg, "inzage", "KEES@anders.example", "--peildatum", PEIL)
    assert result.exit_code == 0 and "1 klacht (K2026-011), 0 brieven" in result.stdout
    missing = run(cfg, "inzage", "niemand@nergens.example", "--peildatum", PEIL)
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "Fout: geen klacht gevonden met dit e-mailadres in het register"
    assert run(cfg, "inzage", "K9", "--peildatum", PEIL).stderr.strip() == \
        "Fout: geen klacht gevonden met klachtnummer K9 in het register"


# -- the representative asks for their own data -------------------------------------------------------
REP = dict(representative="Gerrit Raadsman", representative_email="g.raadsman@kantoor.example",
           representative_address="Kantoorlaan 1, 1000 AA Teststad")


def test_inzage_by_the_representative_hands_over_their_own_data_only(make_config):
    rows = [
        complaint(complaint_no="K2026-020", received=dt.date(2026, 11, 2), name="Johanna Verbeek",
                  email="johanna@verbeek.example", phone="06-12345678", address="Klaagweg 3", **REP),
        # the same representative for another client, the name spelled with other case and spacing
        complaint(complaint_no="K2026-021", received=dt.date(2026, 11, 3), name="Kees Anders",
                  email="kees@anders.example", **(REP | {"representative": " gerrit  RAADSMAN"})),
        complaint(complaint_no="K2026-023", received=dt.date(2026, 11, 5), name="Klaas Los", email="klaas@los.example"),
    ]
    cfg = make_config(rows=rows)
    assert run(cfg, "brief", "K2026-020", "ontvangstbevestiging", "--peildatum", PEIL).exit_code == 0
    result = run(cfg, "inzage", "G.Raadsman@kantoor.example", "--peildatum", PEIL)
    assert result.exit_code == 0, result.output
    target = cfg.private_dir() / "inzage" / "inzage-2026-11-21_K2026-020_K2026-021.zip"
    assert result.stdout.splitlines() == [
        f"Inzagepakket gemaakt: {target}",
        "  2 klachten (K2026-020, K2026-021), 0 brieven; geef het bestand alleen aan de vertegenwoordiger zelf."]
    with zipfile.ZipFile(target) as zf:
        assert sorted(zf.namelist()) == ["LEESMIJ.txt", "klachtregister.csv", "klachtregister.json"]
        records = json.loads(zf.read("klachtregister.json"))
        everything = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8", "replace")
        readme = zf.read("LEESMIJ.txt").decode("utf-8")
    assert [r["Vertegenwoordiger"] for r in records] == ["Gerrit Raadsman", "gerrit  RAADSMAN"]
    assert {r["E-mail vertegenwoordiger"] for r in records} == {"g.raadsman@kantoor.example"}
    assert records[0]["Adres vertegenwoordiger"] == "Kantoorlaan 1, 1000 AA Teststad"
    # the complainants' own personal data is not the representative's to receive
    assert {r["Naam"] for r in records} == {""} and {r["E-mail"] for r in records} == {""}
    for value in ("Johanna", "Verbeek", "johanna@", "12345678", "Klaagweg", "Kees Anders", "Klaas"):
        assert value not in everything, value
    # free text about the complainant stays out too; the complaint's own facts are there
    assert records[0]["Omschrijving"] == "" and records[0]["Datum ontvangst"] == "2026-11-02"
    assert records[0]["Klachtnummer"] == "K2026-020" and records[0]["Status"] == "in behandeling"
    assert "Bij K2026-020, K2026-021 diende u de klacht namens een ander in" in readme
    assert (cfg.private_dir() / "inzage.log").read_text(encoding="utf-8").endswith(
        "2026-11-21 inzage K2026-020, K2026-021\n")


def test_an_office_address_of_two_representatives_is_refused_by_email(make_config):
    rows = [complaint(complaint_no="K2026-020", name="Johanna Verbeek", **REP),
            complaint(complaint_no="K2026-021", name="Kees Anders", **(REP | {"representative": "Anna Collega"}))]
    cfg = make_config(rows=rows)
    result = run(cfg, "inzage", "g.raadsman@kantoor.example", "--peildatum", PEIL)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Fout: dit e-mailadres staat bij klachten van verschillende personen (K2026-020, K2026-021), ook als "
        "E-mail vertegenwoordiger; geef elke vertegenwoordiger één naam of een eigen e-mailadres in het register "
        "en probeer het opnieuw")
    assert not (cfg.private_dir() / "inzage").exists()


def test_the_complainant_gets_their_full_rows_and_where_they_represent_only_their_own(make_config):
    rows = [complaint(complaint_no="K2026-020", received=dt.date(2026, 11, 2), name="Johanna Verbeek",
                      email="johanna@verbeek.example", **REP),
            # Johanna filed for her father: her own e-mail as representative
            complaint(complaint_no="K2026-024", received=dt.date(2026, 11, 6), name="Hendrik Verbeek",
                      email="hendrik@verbeek.example", representative="Johanna  verbeek",
                      representative_email="johanna@verbeek.example"),
            # the same address under another representative's name: left out unless --ook
            complaint(complaint_no="K2026-025", received=dt.date(2026, 11, 7), name="Truus Buur",
                      email="truus@buur.example", representative="Iemand Anders",
                      representative_email="johanna@verbeek.example")]
    cfg = make_config(rows=rows)
    assert run(cfg, "brief", "K2026-020", "ontvangstbevestiging", "--peildatum", PEIL).exit_code == 0
    assert run(cfg, "brief", "K2026-024", "ontvangstbevestiging", "--peildatum", PEIL).exit_code == 0
    result = run(cfg, "inzage", "K2026-020", "--peildatum", PEIL)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "  2 klachten (K2026-020, K2026-024), 1 brief; geef het bestand alleen aan deze persoon zelf.",
        "Niet opgenomen: K2026-025 (zelfde e-mailadres of telefoonnummer, andere naam); neem deze klacht alleen "
        "op met --ook K2026-025 als ze van deze persoon is."]
    package = cfg.private_dir() / "inzage" / "inzage-2026-11-21_K2026-020_K2026-024.zip"
    with zipfile.ZipFile(package) as zf:
        records = json.loads(zf.read("klachtregister.json"))
        assert sorted(zf.namelist())[1] == "brieven/K2026-020_ontvangstbevestiging.pdf"  # not her father's letter
        assert "Bij K2026-024 diende u de klacht namens een ander in" in zf.read("LEESMIJ.txt").decode("utf-8")
    assert (records[0]["Naam"], records[0]["Vertegenwoordiger"]) == ("Johanna Verbeek", "Gerrit Raadsman")
    assert (records[1]["Naam"], records[1]["E-mail"], records[1]["Vertegenwoordiger"]) == ("", "", "Johanna  verbeek")

    also = run(cfg, "inzage", "K2026-020", "--ook", "K2026-025", "--peildatum", PEIL)
    assert also.exit_code == 0 and "Niet opgenomen" not in also.stdout
    with zipfile.ZipFile(cfg.private_dir() / "inzage" / "inzage-2026-11-21_K2026-020_K2026-024_K2026-025.zip") as zf:
        records = json.loads(zf.read("klachtregister.json"))
    assert (records[2]["Naam"], records[2]["Vertegenwoordiger"]) == ("", "Iemand Anders")  # --ook: still masked
