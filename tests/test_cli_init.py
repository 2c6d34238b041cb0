"""`klachten init`: a newcomer's own register, from a few answers, without overwriting anything."""

import datetime as dt

import openpyxl
from typer.testing import CliRunner

from generator.app.cli import app
from register.check import check_register
from register.config import load_config

runner = CliRunner()
ANSWERS = ["--organisatie", "Bakkerij De Korrel", "--klachtverantwoordelijke", "J. Jansen",
           "--email", "klachten@dekorrel.example", "--escalatie", "Geschillencommissie Bakkerijen"]


def test_init_writes_a_config_and_sets_up_a_new_register(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", *ANSWERS])
    assert result.exit_code == 0, result.output
    cfg = load_config(tmp_path / "klachten.toml")
    assert cfg.organisatie.naam == "Bakkerij De Korrel" and cfg.klachtbehandeling.email == "klachten@dekorrel.example"
    assert cfg.escalatie.mogelijkheden[0].naam == "Geschillencommissie Bakkerijen"
    assert (tmp_path / "data" / "klachtenregister.xlsx").is_file()
    check = check_register(cfg, dt.date(2026, 11, 22))
    assert check.findings == [] and len(check.register) == 0
    assert "Klaar. Vul het register" in result.stdout


def test_init_never_overwrites_a_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "klachten.toml").write_text("# van de eigenaar\n", encoding="utf-8")
    result = runner.invoke(app, ["init", *ANSWERS])
    assert result.exit_code == 2
    assert result.stderr == "Fout: 'klachten.toml' bestaat al; klachten init overschrijft nooit een configuratie\n"
    assert (tmp_path / "klachten.toml").read_text(encoding="utf-8") == "# van de eigenaar\n"


def test_init_without_a_terminal_needs_the_required_answers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", "--organisatie", "X"])
    assert result.exit_code == 2
    assert "naam van de klachtverantwoordelijke" in result.stderr
    assert not (tmp_path / "klachten.toml").exists()


def test_init_rejects_a_bad_e_mail_before_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [a if a != "klachten@dekorrel.example" else "geen-adres" for a in ANSWERS]
    result = runner.invoke(app, ["init", *args])
    assert result.exit_code == 2 and "'geen-adres' is geen geldig e-mailadres" in result.stderr
    assert not (tmp_path / "klachten.toml").exists()


def test_a_new_workbook_with_only_blad1_becomes_the_register(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    workbook = openpyxl.Workbook()
    workbook.active.title = "Blad1"
    workbook.save(tmp_path / "eigen.xlsx")
    result = runner.invoke(app, ["init", *ANSWERS, "--register", "eigen.xlsx"])
    assert result.exit_code == 0, result.output
    assert "tabblad 'Blad1' hernoemd naar 'Register' en als register gebruikt" in result.stdout
    assert openpyxl.load_workbook(tmp_path / "eigen.xlsx").sheetnames[0] == "Register"


def test_a_google_sheet_url_gives_a_google_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    url = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit"
    result = runner.invoke(app, ["init", *ANSWERS, "--register", url])
    assert result.exit_code == 2  # written, but no key yet to set the sheet up
    cfg = load_config(tmp_path / "klachten.toml")
    assert cfg.register.bron == "google" and cfg.register.spreadsheet == url
    assert "voer dan 'klachten inrichten' uit" in result.stderr
    warned = runner.invoke(app, ["config", "--config", str(tmp_path / "klachten.toml")])
    assert "Let op: geen Google-sleutel gevonden" in warned.stderr


def test_an_empty_register_tab_points_to_inrichten(make_config, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Register"
    workbook.save(tmp_path / "register.xlsx")
    cfg = make_config()
    result = runner.invoke(app, ["controleer", "--json", "--peildatum", "2026-11-22", "--config", str(cfg.path)])
    import json

    findings = json.loads(result.stdout)["fouten"]
    assert [f["code"] for f in findings] == ["tabblad_leeg"]
    assert findings[0]["hint"] == "voer 'klachten inrichten' uit; dat zet de kolommen klaar"


def test_site_with_a_missing_register_is_a_setup_error(make_config):
    cfg = make_config()  # no register file written
    result = runner.invoke(app, ["site", "--demo", "--peildatum", "2026-11-22", "--config", str(cfg.path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Fout: registerbestand ") and "bestaat niet" in result.stderr
    assert "BuildError" not in result.output and "Aborted" not in result.output
