"""Example values of the shipped klachten.toml: `config` and `site` name every one still in
place, and `site` publishes them only with --demo ([site] demo = true for the nightly run)."""

import shutil

from typer.testing import CliRunner

from generator.app.cli import app
from register.config import example_values, load_config
from tests.conftest import ROOT

runner = CliRunner()
SHIPPED = [
    '[organisatie] naam = "Installatiebedrijf Voorbeeld B.V."',
    '[organisatie] adres = "Voorbeeldstraat 12"',
    '[organisatie] postcode = "1234 AB"',
    '[organisatie] plaats = "Voorbeeldstad"',
    '[organisatie] email = "klachten@voorbeeld.example"',
    '[organisatie] telefoon = "010-123 45 67"',
    '[organisatie] website = "https://www.voorbeeld.example"',
    '[organisatie] kvk = "00000000"',
    '[klachtbehandeling] klachtverantwoordelijke = "M. de Wit"',
    '[klachtbehandeling] email = "m.dewit@voorbeeld.example"',
    '[klachtbehandeling] telefoon = "010-123 45 67"',
    '[klachtbehandeling] contactpersoon = "R. Bakker"',
    '[klachtbehandeling] contactpersoon_email = "r.bakker@voorbeeld.example"',
    '[klachtbehandeling] contactpersoon_telefoon = "010-123 45 68"',
    '[escalatie] mogelijkheden 1: naam = "Geschillencommissie (voorbeeld)"',
    '[escalatie] mogelijkheden 1: adres = "Postbus 00000, 0000 AA Voorbeeldstad"',
    '[escalatie] mogelijkheden 1: website = "https://www.geschillencommissie.example"',
    '[mail] afzender = "klachten@voorbeeld.example"',
]

OWN = """
[organisatie]
naam = "Loodgieter Jansen"
adres = "Dorpsstraat 4"
postcode = "7311 AB"
plaats = "Apeldoorn"
email = "klachten@loodgieterjansen.nl"
telefoon = "055-521 11 22"
[klachtbehandeling]
klachtverantwoordelijke = "Eva Jansen"
email = "eva@loodgieterjansen.nl"
[register]
pad = "data/demo-register.xlsx"
[mail]
host = "smtp.loodgieterjansen.nl"
[[escalatie.mogelijkheden]]
naam = "Geschillencommissie Installatie"
website = "https://www.degeschillencommissie.nl"
"""


def demo_folder(tmp_path, toml: str | None = None):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "klachten.toml").write_text(toml or (ROOT / "klachten.toml").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    return tmp_path / "klachten.toml"


def test_every_example_value_of_the_shipped_config_is_found():
    assert example_values(load_config(ROOT / "klachten.toml")) == SHIPPED


def test_config_command_names_them(tmp_path):
    result = runner.invoke(app, ["config", "--config", str(demo_folder(tmp_path))])
    assert result.exit_code == 0
    assert result.stdout.startswith("Configuratie gelezen, maar nog niet klaar: ")
    lines = result.stderr.splitlines()
    assert lines[0] == ("Let op: 18 voorbeeldwaarden uit de meegeleverde klachten.toml nog in gebruik; "
                        "vervang ze door uw eigen gegevens:")
    assert lines[1:] == [f"  {line}" for line in SHIPPED]


def test_site_refuses_examples_without_demo(tmp_path):
    cfg = demo_folder(tmp_path)
    refused = runner.invoke(app, ["site", "--peildatum", "2026-11-21", "--config", str(cfg)])
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[-1] == ("Fout: de configuratie bevat nog 18 voorbeeldwaarden (zoals "
            '[organisatie] naam = "Installatiebedrijf Voorbeeld B.V."); vul uw eigen gegevens in (klachten config '
            "toont ze alle), of bouw een demo met klachten site --demo")
    assert not (tmp_path / "public").exists()
    demo = runner.invoke(app, ["site", "--demo", "--peildatum", "2026-11-21", "--config", str(cfg)])
    assert demo.exit_code == 0, demo.output
    assert "Let op: 18 voorbeeldwaarden" in demo.stderr
    assert (tmp_path / "public" / "index.html").is_file()


def test_own_values_build_without_demo_and_without_warning(tmp_path):
    cfg = demo_folder(tmp_path, OWN)
    assert example_values(load_config(cfg)) == []
    result = runner.invoke(app, ["site", "--peildatum", "2026-11-21", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "voorbeeldwaarde" not in result.output
    assert runner.invoke(app, ["config", "--config", str(cfg)]).stdout.startswith("Configuratie in orde: ")
