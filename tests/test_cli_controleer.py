import datetime as dt
import json

from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import ROOT, complaint

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args))


def test_demo_register_passes_with_warnings_and_flags():
    result = invoke("controleer", "--peildatum", "2026-11-21", "--config", str(ROOT / "klachten.toml"))
    # K2026-052 is closed without Datum standpunt: an error (its retention cannot start), exit 1.
    assert result.exit_code == 1, result.output
    assert "64 klachten gelezen uit demo-register.xlsx (tabblad Register), peildatum 21 november 2026." \
        in " ".join(result.output.split())
    assert "T54\tK2026-052\tfout\tStatus is 'afgehandeld' maar Datum standpunt ontbreekt" in result.output
    # K2026-063 (due 26 November, 5 working days left) now asks for its uitstelbericht too.
    assert "1 fout, 3 waarschuwingen, 19 signalen." in result.output


def test_json_contract(make_config):
    cfg = make_config(rows=[complaint(complaint_no="K2026-014", received=dt.date(2026, 4, 28),
                                      acknowledged=dt.date(2026, 4, 29)),
                            complaint(complaint_no="K2026-015", channel="duif")])
    result = invoke("controleer", "--peildatum", "2026-05-20", "--json", "--config", str(cfg.path))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    # herinneringen and onbekende_bestanden were added; the rest unchanged
    assert set(data) == {"fouten", "signalen", "herinneringen", "onbekende_bestanden"}
    assert data["herinneringen"] == []  # no complaints in the second half of 2025: nothing to review
    assert data["fouten"] == [{"cel": "C3", "klachtnummer": "K2026-015", "ernst": "fout",
                               "melding": "'duif' is geen bekende waarde voor Kanaal",
                               "hint": "toegestaan: brief, e-mail, telefoon, mondeling, fax, webformulier",
                               "code": "onbekende_waarde"}]
    # received Tue 28 April 2026 + 2 weeks = Tue 12 May
    assert {"klachtnummer": "K2026-014", "signaal": "standpunt_te_laat", "uiterlijk": "2026-05-12"} \
        in data["signalen"]


def test_json_review_reminder_is_a_herinnering_not_a_signaal(make_config):
    cfg = make_config(rows=[complaint(complaint_no="K2026-001", received=dt.date(2026, 2, 2),
                                      acknowledged=dt.date(2026, 2, 3), decided=dt.date(2026, 2, 9),
                                      status="afgehandeld", outcome="gegrond")])
    result = invoke("controleer", "--peildatum", "2026-07-01", "--json", "--config", str(cfg.path))
    data = json.loads(result.stdout)
    assert data["signalen"] == []
    assert data["herinneringen"] == [{"signaal": "halfjaaranalyse_nodig", "periode": "2026-H1",
                                      "uiterlijk": "2026-06-30"}]
    # On the last day of the half-year nothing is due yet.
    data = json.loads(invoke("controleer", "--peildatum", "2026-06-30", "--json", "--config", str(cfg.path)).stdout)
    assert data["herinneringen"] == []


def test_bad_config_exits_2_with_dutch_line(tmp_path):
    (tmp_path / "k.toml").write_text("[termijnen]\nbevestiging = \"zeven\"\n", encoding="utf-8")
    result = invoke("controleer", "--config", str(tmp_path / "k.toml"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Fout: fout in k.toml:\n  [termijnen] bevestiging: 'zeven' is geen termijn")
    assert "Traceback" not in result.output


def test_missing_register_file_exits_2(make_config):
    cfg = make_config()
    result = invoke("controleer", "--config", str(cfg.path))
    assert result.exit_code == 2
    assert result.stderr.startswith("Fout: registerbestand ")


def test_bad_peildatum(make_config):
    cfg = make_config(rows=[complaint()])
    result = invoke("controleer", "--peildatum", "gisteren", "--config", str(cfg.path))
    assert result.exit_code == 2
    assert result.stderr.strip() == ("Fout: --peildatum 'gisteren' is geen datum; gebruik D-M-JJJJ of JJJJ-MM-DD, "
                                     "bijv. 3-12-2026 of 2026-12-03")


def test_not_an_xlsx_file(make_config, tmp_path):
    cfg = make_config()
    (tmp_path / "register.xlsx").write_text("dit is geen spreadsheet", encoding="utf-8")
    result = invoke("controleer", "--config", str(cfg.path))
    assert result.exit_code == 2
    assert "is geen leesbaar .xlsx-bestand" in result.stderr


def test_help_and_usage_errors_are_dutch():
    help_text = invoke("controleer", "--help").output
    assert "Gebruik:" in help_text and "Toon deze hulp en stop." in help_text and "Opties:" in help_text
    result = invoke("controleer", "--bla")
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("Fout: Onbekende optie: --bla")
    assert invoke("brief").stderr.strip().endswith("Fout: Ontbrekend argument 'KLACHTNUMMER'.")


def test_unwritable_output_is_a_dutch_line(make_config, tmp_path):
    cfg = make_config(rows=[complaint()])
    blocker = tmp_path / "bezet"
    blocker.write_text("geen map", encoding="utf-8")
    result = invoke("formulier", "--uitvoer", str(blocker / "f.pdf"), "--config", str(cfg.path))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Fout: {blocker}: bestaat al als bestand; verwacht werd een map"


def test_peildatum_must_be_a_complete_date(config):
    for bad in ("5", "3-12", "12-2026", "3-12-26", "30-2-2026", "2026-02-30", "2026-2-3", "3/12/2026", "morgen"):
        result = invoke("controleer", "--peildatum", bad, "--config", str(config.path))
        assert result.exit_code == 2, bad
        assert result.stderr == (f"Fout: --peildatum '{bad}' is geen datum; gebruik D-M-JJJJ of JJJJ-MM-DD, "
                                 "bijv. 3-12-2026 of 2026-12-03\n")


def test_peildatum_takes_the_dutch_order_and_iso(make_config):
    """3-12-2026, 03-12-2026 and 2026-12-03 are the same day: the same JSON comes out (and another day's differs)."""
    cfg = make_config(rows=[complaint(complaint_no="K2026-001", received=dt.date(2026, 11, 20))])
    outputs = {}
    for day in ("3-12-2026", "03-12-2026", "2026-12-03", "23-11-2026"):
        result = invoke("controleer", "--json", "--peildatum", day, "--config", str(cfg.path))
        assert result.exit_code in (0, 1), (day, result.stderr)
        outputs[day] = result.stdout
    assert outputs["3-12-2026"] == outputs["03-12-2026"] == outputs["2026-12-03"]
    assert '"uiterlijk": "2026-12-01"' in outputs["3-12-2026"]  # acknowledgement late by then
    assert outputs["23-11-2026"] != outputs["3-12-2026"]


def test_help_and_usage_speak_dutch():
    for args in (["--help"], ["brief", "--help"], ["brieven", "--help"]):
        text = invoke(*args).output
        for english in ("[OPTIONS]", "COMMAND [ARGS]", "[required]", "int range", "{KLACHTNUMMER}"):
            assert english not in text, (args, english)
    assert invoke("brief").stderr.startswith("Gebruik: klachten brief [OPTIES] KLACHTNUMMER SOORT\n")
    assert invoke("--help").stdout.startswith("Gebruik: klachten [OPTIES] COMMANDO [ARGUMENTEN]...\n")
    assert "(mogelijke opties: --json)" in invoke("controleer", "--jsn").stderr


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("klachten ")


def test_toml_syntax_error_is_dutch_with_line_and_column(tmp_path):
    (tmp_path / "k.toml").write_text('[organisatie]\nnaam = Voorbeeld\n', encoding="utf-8")
    result = invoke("config", "--config", str(tmp_path / "k.toml"))
    assert result.exit_code == 2
    assert result.stderr == (f"Fout: '{tmp_path / 'k.toml'}' is geen geldig TOML-bestand: regel 2, kolom 8: "
                             "ongeldige waarde (tekst hoort tussen aanhalingstekens)\n")


def test_piped_output_has_no_table_that_breaks_words(make_config):
    rows = [complaint(complaint_no="K2026-001", received=dt.date(2026, 3, 2))]
    result = invoke("controleer", "--peildatum", "2026-03-20", "--config", str(make_config(rows=rows).path))
    lines = result.stdout.splitlines()
    assert any(line.startswith("K2026-001\tontvangstbevestiging te laat\tuiterlijk 11 maart 2026") for line in lines)
    assert "│" not in result.stdout and "┃" not in result.stdout
